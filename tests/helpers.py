"""Runs pytest (with the gameqa plugin) in a subprocess, the way a user or CI would."""

from __future__ import annotations

import json
import os
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


def kinds(test: dict[str, Any], *, include_warnings: bool = False) -> set[str]:
    return {i["kind"] for i in test["issues"] if include_warnings or i["kind"] != "warning"}
