"""Running reproductions: as pytest does (a subprocess on the generated test file), or in-process.

`replay_file` is what `gameqa replay` and `--game-confirm` use: pytest in a subprocess on the
generated test file, `--game-repeat N` times in one session (one browser), with its own ini file
and output folder, reading the issues back from its gameqa-results.json. `CandidateRunner` is the
fast path of `gameqa shrink`: one browser for every candidate, GameAgent driven directly with the
same Replay as the test files.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .model import ReplayCount, Repro
from .record import expected_seconds, marker_kwargs
from .replay import CRASH_WAIT_S, SETTLE_S, Replay, deterministic_script, matches

_INI = "[pytest]\nasyncio_default_fixture_loop_scope = session\n"
#: GAMEQA_* variables that would change a replay (start steps, a duration...); the browser path stays
_KEEP_ENV = {"GAMEQA_CHROMIUM"}


class ReplayError(Exception):
    """The replay itself could not run (not: the issue did not come back)."""


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not (k.startswith("GAMEQA_") and k not in _KEEP_ENV)}
    for name in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    return env


def replay_file(test_file: Path, repro: Repro, times: int = 1, *, timeout_s: float | None = None) -> ReplayCount:
    """Run the generated test file `times` times in one pytest subprocess; count the runs the issue came back in."""
    test_file = test_file.absolute()
    work = Path(tempfile.mkdtemp(prefix="gameqa-replay-"))
    try:
        ini = work / "pytest.ini"
        ini.write_text(_INI, encoding="utf-8")
        output = work / "out"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ini),
            "--rootdir",
            str(work),
            "--confcutdir",
            str(test_file.parent),
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-q",
            "--output",
            str(output),
            "--game-no-runs",
            "--game-repeat",
            str(times),
            str(test_file),
        ]
        per_run = float(marker_kwargs(repro)["timeout"])
        limit = timeout_s if timeout_s is not None else per_run * times + 60
        proc: subprocess.CompletedProcess[str] | None = None
        try:
            proc = subprocess.run(
                cmd, cwd=work, env=child_env(), capture_output=True, text=True, timeout=limit, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            pass  # the runs that finished still count; the others did not reproduce
        results = output / "gameqa-results.json"
        tests: list[dict[str, Any]] = []
        if results.is_file():
            with contextlib.suppress(OSError, json.JSONDecodeError):
                tests = json.loads(results.read_text(encoding="utf-8")).get("tests", [])
        if not tests and proc is not None and proc.returncode not in (0, 1):
            # pytest itself failed (a usage error, a broken install): that is no answer about the bug
            lines = [line for line in (proc.stderr + proc.stdout).splitlines() if line.strip()]
            raise ReplayError(
                f"gameqa: the replay could not run (pytest exit code {proc.returncode}): {lines[-1] if lines else ''}"
            )
        target = repro.issue.model_dump(mode="json")
        from ..models import Issue

        reproduced = 0
        for test in tests:
            issues = []
            for raw in test.get("issues", []):
                with contextlib.suppress(Exception):
                    issues.append(Issue.model_validate(raw))
            if any(matches(i, target) for i in issues):
                reproduced += 1
        return ReplayCount(reproduced=reproduced, runs=times)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class CandidateRunner:
    """In-process replays of step lists, one browser for all (what shrinking needs: many short runs)."""

    def __init__(self, repro: Repro, *, hang_timeout: float | None = None) -> None:
        self.repro = repro
        self.hang_timeout = hang_timeout
        self.runs = 0
        self.seconds = 0.0
        self._pool: Any = None
        self._servers: Any = None
        self._url = ""
        self._work = Path(tempfile.mkdtemp(prefix="gameqa-shrink-"))

    async def __aenter__(self) -> CandidateRunner:
        from ..browser.pool import BrowserPool
        from ..plugin.targets import LocalServers, parse_target

        self._servers = LocalServers()
        self._url = self._servers.url_for(parse_target(self.repro.target, source="the reproduction's game"))
        self._pool = BrowserPool({})
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self._pool.close()
        with contextlib.suppress(Exception):
            self._servers.stop_all()
        shutil.rmtree(self._work, ignore_errors=True)

    def settings(self, repro: Repro) -> Any:
        """The replay's settings; a shorter hang timeout only when the issue sought is a freeze.

        Any other issue keeps the recorded one: a game that stalls for 3 s before its renderer runs out
        of memory would otherwise be reported as frozen, and the crash would never come back.
        """
        from .. import settings as settings_mod
        from ..models import IssueKind

        kwargs = marker_kwargs(repro)
        if self.hang_timeout is not None and repro.issue.kind is IssueKind.FREEZE:
            kwargs["hang_timeout"] = min(float(kwargs.get("hang_timeout", 7.0)), self.hang_timeout)
        return settings_mod.resolve({}, kwargs, "gameqa shrink")

    async def run(
        self,
        repro: Repro,
        *,
        timeout_s: float | None = None,
        settle_s: float = SETTLE_S,
        crash_wait_s: float = CRASH_WAIT_S,
    ) -> bool:
        """Replay `repro.steps` once; True when the issue came back."""
        from ..agent.agent import GameAgent
        from ..plugin.contexts import game_context

        started = time.monotonic()
        self.runs += 1
        number = self.runs
        settings = self.settings(repro)
        browser = await self._pool.get()
        folder = self._work / f"run-{number}"
        context_args, settings = game_context({}, settings, None)  # the recorded device, if any
        agent = GameAgent(
            settings=settings, browser=browser, url=self._url, artifacts_dir=folder, context_args=context_args
        )
        if repro.deterministic:
            script = deterministic_script(repro.seed)

            async def seed_random(context: Any) -> None:
                await context.add_init_script(script)

            agent.session.on_context.append(seed_random)
        target = repro.issue.model_dump(mode="json")
        replay = Replay(agent, target, origin=repro.origin, crash_wait_s=crash_wait_s)
        limit = timeout_s if timeout_s is not None else expected_seconds(repro) + 40.0
        try:
            await asyncio.wait_for(self._play(agent, replay, repro, settle_s), limit)
        except (asyncio.TimeoutError, Exception):
            pass
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(agent.stop(), 30)
            shutil.rmtree(folder, ignore_errors=True)
            self.seconds += time.monotonic() - started
        return replay.reproduced()

    async def _play(self, agent: Any, replay: Replay, repro: Repro, settle_s: float) -> None:
        await agent.start()
        for step in repro.steps:
            await replay.step(step.at_s, step.action)
        await replay.settle(settle_s)
