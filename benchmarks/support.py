"""Plumbing for the benchmark: a local web server that also takes fault marks, and timed subprocess runs.

Process figures come straight from /proc (Linux), so the benchmark needs nothing beyond the project's
own dependencies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parent.parent
GAMES = REPO / "examples" / "games"
BENCH = Path(__file__).resolve().parent
CHROMIUM_NAMES = ("chromium", "chrome", "headless_shell", "chrome_crashpad", "chromium-browse")


# ------------------------------------------------------------------------------------------- server
class _Handler(SimpleHTTPRequestHandler):
    marks: list[dict[str, Any]]

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/mark":
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            self.marks.append({**query, "received": time.time()})
            self.send_response(204)
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class BenchServer:
    """Serves the repository over HTTP on 127.0.0.1 and records `/mark?run=...&t=...` requests."""

    def __init__(self) -> None:
        self.marks: list[dict[str, Any]] = []
        handler = type("Handler", (_Handler,), {"marks": self.marks})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(REPO)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, relative: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{relative.lstrip('/')}"

    def mark(self, run: str) -> dict[str, Any] | None:
        return next((m for m in self.marks if m.get("run") == run), None)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ------------------------------------------------------------------------------------------- processes
def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, command name, start time in clock ticks) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    rest = raw[raw.rindex(")") + 2 :].split()
    return int(rest[1]), name, int(rest[19])


def _rss_mb(pid: int, key: str = "VmRSS") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def descendants(root: int) -> dict[int, tuple[str, int]]:
    """Every live process under `root`: pid -> (command name, start time)."""
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[str, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(entry))
                info[int(entry)] = (stat[1], stat[2])
    found: dict[int, tuple[str, int]] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if pid in info and pid not in found:
            found[pid] = info[pid]
            todo.extend(children.get(pid, []))
    return found


def is_chromium(name: str) -> bool:
    return name.lower().startswith(CHROMIUM_NAMES)


@dataclass
class Run:
    """One timed subprocess, and what the sampler saw while it ran."""

    returncode: int
    wall_s: float
    stdout: str
    stderr: str
    results: dict[str, Any] | None = None
    peak_rss_mb: float | None = None
    peak_chromium_rss_mb: float = 0.0
    peak_chromium_procs: int = 0
    chromium_left: int = 0
    others_left: int = 0
    rss_timeline: list[tuple[float, float]] = field(default_factory=list)

    @property
    def tests(self) -> list[dict[str, Any]]:
        return (self.results or {}).get("tests", [])

    def tail(self) -> str:
        return (self.stdout[-1500:] + "\n" + self.stderr[-1500:]).strip()


def run(
    args: list[str],
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    sample: bool = False,
    timeout: float = 900,
) -> Run:
    """Run a command to completion; with `sample`, watch its memory and the Chromium processes it starts."""
    cwd.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    for name in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER"):
        full_env.pop(name, None)
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    seen: dict[int, tuple[str, int]] = {}
    peak_chromium_rss, peak_procs, hwm = 0.0, 0, 0.0
    timeline: list[tuple[float, float]] = []
    with out.open("w") as fout, err.open("w") as ferr:
        started = time.monotonic()
        proc = subprocess.Popen(args, cwd=cwd, env=full_env, stdout=fout, stderr=ferr)
        while proc.poll() is None:
            if time.monotonic() - started > timeout:
                proc.kill()
                break
            if sample:
                hwm = max(hwm, _rss_mb(proc.pid, "VmHWM") or 0.0)
                rss = _rss_mb(proc.pid)
                if rss is not None:
                    timeline.append((time.time(), rss))
                everything = descendants(proc.pid)
                ours = {p: i for p, i in everything.items() if is_chromium(i[0])}
                seen.update(everything)
                peak_procs = max(peak_procs, len(ours))
                peak_chromium_rss = max(peak_chromium_rss, sum(_rss_mb(p) or 0.0 for p in ours))
                time.sleep(0.25)
            else:
                time.sleep(0.02)
        wall = time.monotonic() - started
        proc.wait()
    left: dict[int, str] = {}
    if sample:
        time.sleep(3.0)  # a browser closing normally is gone well within this
        left = {pid: name for pid, (name, start) in seen.items() if (_stat(pid) or (0, "", -1))[2] == start}
    result = Run(
        returncode=proc.returncode,
        wall_s=wall,
        stdout=out.read_text(errors="replace"),
        stderr=err.read_text(errors="replace"),
        peak_rss_mb=hwm or None,
        peak_chromium_rss_mb=peak_chromium_rss,
        peak_chromium_procs=peak_procs,
        chromium_left=sum(1 for name in left.values() if is_chromium(name)),
        others_left=sum(1 for name in left.values() if not is_chromium(name)),
        rss_timeline=timeline,
    )
    results_file = cwd / "out" / "gameqa-results.json"
    if results_file.exists():
        result.results = json.loads(results_file.read_text())
    return result


def precompile(env: dict[str, str] | None = None) -> None:
    """Compile the `pytest_gameqa` that `env` imports to bytecode, as `pip install` does.

    This machine sets PYTHONDONTWRITEBYTECODE=1, so a checkout without `__pycache__` is compiled from
    source in every run (~0.2 s of CPU, seconds of wall time on a busy machine) while Playwright, which
    the plain script imports, was byte-compiled at install: both sides then start as on a user's machine.
    """
    code = "import compileall, os, pytest_gameqa as p; compileall.compile_dir(os.path.dirname(p.__file__), quiet=1)"
    subprocess.run([sys.executable, "-c", code], env={**os.environ, **(env or {})}, check=True, cwd=BENCH)


def pytest_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--output", "out", *args]


def median(values: list[float]) -> float | None:
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def machine() -> dict[str, Any]:
    """What the figures were measured on, including how busy it was."""
    info: dict[str, Any] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        info["loadavg"] = [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        pass
    try:
        from importlib.metadata import version

        info["playwright"] = version("playwright")
        info["pytest"] = version("pytest")
    except Exception:  # pragma: no cover - informational only
        pass
    return info


# ------------------------------------------------------------------------------------------- a user's install
def installed_plugins(project: str = "pytest-gameqa", extras: tuple[str, ...] = ("html",)) -> list[str]:
    """The pytest11 plugin names that `pip install project[extras]` brings: the project's own and those of
    every distribution it requires, transitively. This checkout's environment also holds dev tools that
    register pytest plugins (hypothesis, pytest-benchmark, ...) whose start-up a user never pays."""
    import re
    from importlib.metadata import PackageNotFoundError, distribution

    def name_of(requirement: str) -> tuple[str, str | None]:
        head, _, marker = requirement.partition(";")
        name = re.match(r"[A-Za-z0-9._-]+", head.strip())
        extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
        return (name.group(0) if name else head.strip()), (extra.group(1) if extra else None)

    seen: set[str] = set()
    plugins: list[str] = []
    todo = [(project, set(extras))]
    while todo:
        name, wanted = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        plugins += [ep.name for ep in dist.entry_points if ep.group == "pytest11"]
        for requirement in dist.requires or []:
            required, extra = name_of(requirement)
            if extra is None or extra in wanted:
                todo.append((required, set()))
    return sorted(set(plugins))


def only_installed_plugins(plugins: list[str]) -> tuple[list[str], dict[str, str]]:
    """pytest arguments and environment that load `plugins` and no other installed pytest plugin.

    The others are blocked (`-p no:NAME`) and pytest's own autoload does the rest, as on a user's machine.
    Naming the wanted ones instead (`PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 -p playwright -p html ...`) also
    marks the modules `playwright` (the library, ~100 modules) and `html` (the stdlib's) for assertion
    rewriting, which pytest then recompiles on every run where bytecode is not written: 0.6-1.4 s of
    CPU in each pytest start that no user pays.
    """
    from importlib.metadata import distributions

    every = {ep.name for dist in distributions() for ep in dist.entry_points if ep.group == "pytest11"}
    return [arg for name in sorted(every - set(plugins)) for arg in ("-p", f"no:{name}")], {}
