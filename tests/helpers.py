"""Runs pytest (with the gameqa plugin) in a subprocess, the way a user or CI would."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GAMES = REPO / "examples" / "games"
_CATALOG_FILE = GAMES / "catalog.json"
CATALOG: dict[str, Any] = json.loads(_CATALOG_FILE.read_text()) if _CATALOG_FILE.exists() else {}


def run_pytest(
    args: list[str],
    cwd: Path,
    *,
    timeout: float = 180,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any] | None]:
    """Run `python -m pytest ARGS` in `cwd`; return the process and gameqa-results.json if written."""
    cwd.mkdir(parents=True, exist_ok=True)
    output = cwd / "out"
    # An ini file of its own makes `cwd` the rootdir: otherwise pytest finds the repository's
    # pyproject.toml from the game folder's path and every run shares the repository's .gameqa/.
    ini = cwd / "pytest.ini"
    if not ini.exists():
        ini.write_text("[pytest]\n")
    full_env = {**os.environ, **(env or {})}
    full_env.pop("PYTEST_XDIST_WORKER", None)
    full_env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ini), "-p", "no:cacheprovider", "--output", str(output), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )
    results_path = output / "gameqa-results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else None
    return proc, results


def session_groups(names: list[str], settings: Any, size: int, prefix: str) -> dict[str, list[str]]:
    """Group id -> games that share one `pytest --game-url ...` session: the same settings (`settings(name)`,
    a run's duration, start steps...), in even chunks of at most `size`, each chunk an xdist group."""
    by_settings: dict[Any, list[str]] = {}
    for name in names:
        by_settings.setdefault(settings(name), []).append(name)
    groups: dict[str, list[str]] = {}
    for same in by_settings.values():
        step = -(-len(same) // -(-len(same) // size))  # ceil(n / ceil(n / size)): chunks as even as can be
        for start in range(0, len(same), step):
            chunk = same[start : start + step]
            groups[f"{prefix}{chunk[0]}"] = chunk
    return groups


def kinds(test: dict[str, Any], *, include_warnings: bool = False) -> set[str]:
    return {i["kind"] for i in test["issues"] if include_warnings or i["kind"] != "warning"}


def descendants(root: int) -> dict[int, str]:
    """pid -> command line of every live process below `root` (from /proc: no psutil needed)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                raw = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            found[child] = raw.replace(b"\0", b" ").decode(errors="replace")
            todo.append(child)
    return found


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG header or a JPEG start-of-frame marker."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    pos = 2
    while pos < len(data):
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    raise ValueError("not a PNG or baseline/progressive JPEG")


def stop_group(proc: subprocess.Popen[Any]) -> None:
    """Stop a server a test started with start_new_session: its own process group only, TERM then KILL."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
