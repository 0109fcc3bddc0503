"""The work behind `gameqa replay` / `gameqa shrink` and the in-run options, independent of argparse/pytest."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .model import (
    REPRO_MIN_NAME,
    REPRO_MIN_TEST_NAME,
    REPRO_NAME,
    REPRO_TEST_NAME,
    STATUS_NAME,
    ReplayCount,
    Repro,
    ReproStatus,
)
from .record import load, render_test, write
from .runner import CandidateRunner, ReplayError, replay_file
from .shrink import Shrinker, minimal_repro

#: shrinking replays a hang with at most this --game-hang-timeout (the minimal list is checked with the recorded one)
SHRINK_HANG_TIMEOUT = 3.0
#: candidates replayed at once (each in its own browser context): most of a replay is waiting
SHRINK_PARALLEL = 2
#: after a candidate's last step, how long to wait for delayed errors (the minimal list is checked with the full wait)
SHRINK_SETTLE_S = 1.5
#: ... and for a crash: twice what the crash example needs after its trigger (the full wait is CRASH_WAIT_S)
SHRINK_CRASH_WAIT_S = 6.0


__all__ = ["NoRepro", "ReplayError", "replay", "shrink"]


class NoRepro(Exception):
    """One line for the user (exit code 2)."""


def rel(path: Path | str) -> str:
    try:
        text = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(Path(path).absolute()) if text.startswith("..") else text


def test_file_for(json_path: Path) -> Path:
    name = REPRO_MIN_TEST_NAME if json_path.name == REPRO_MIN_NAME else REPRO_TEST_NAME
    return json_path.with_name(name)


def locate(path: Path) -> Path:
    """repro.json from a folder, a repro JSON or a generated test file; NoRepro when there is none."""
    if path.is_dir():
        found = path / REPRO_NAME
        if not found.is_file():
            raise NoRepro(f"gameqa: {rel(path)} holds no {REPRO_NAME} (only failing game tests leave one)")
        return found
    if path.suffix == ".py":
        name = REPRO_MIN_NAME if path.name == REPRO_MIN_TEST_NAME else REPRO_NAME
        path = path.with_name(name)
    if not path.is_file():
        raise NoRepro(f"gameqa: no reproduction at {rel(path)}")
    return path


def open_repro(json_path: Path) -> tuple[Repro, Path]:
    """The Repro and its test file (regenerated when missing); NoRepro on a file that is not one."""
    try:
        repro = load(json_path)
    except (OSError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise NoRepro(f"gameqa: {rel(json_path)} is not a reproduction file ({first})") from None
    if "://" not in repro.target and not Path(repro.target).exists():
        raise NoRepro(f"gameqa: the game of {rel(json_path)} is gone: no such file or folder {repro.target}")
    test = test_file_for(json_path)
    if not test.is_file():
        test.write_text(render_test(repro, minimal=json_path.name == REPRO_MIN_NAME), encoding="utf-8")
    return repro, test


def replay(json_path: Path, times: int) -> ReplayCount:
    repro, test = open_repro(json_path)
    return replay_file(test, repro, times)


class ShrinkOutcome(BaseModel):
    minimal: Repro | None = None
    json_path: str | None = None
    test_path: str | None = None
    replays: int = 0
    seconds: float = 0.0
    verified: bool = False
    steps_before: int = 0


def shrink(
    json_path: Path, budget_s: float, log: Callable[[str], None] = print, *, parallel: int = SHRINK_PARALLEL
) -> ShrinkOutcome:
    repro, _test = open_repro(json_path)
    return asyncio.run(_shrink(repro, json_path.parent, budget_s, log, parallel))


async def _shrink(
    repro: Repro, folder: Path, budget_s: float, log: Callable[[str], None], parallel: int
) -> ShrinkOutcome:
    started = time.monotonic()
    outcome = ShrinkOutcome(steps_before=len(repro.steps))
    async with CandidateRunner(repro, hang_timeout=SHRINK_HANG_TIMEOUT) as runner:
        per_run = min(90.0, max(20.0, budget_s / 3))

        async def test(steps: list[Any]) -> bool:
            return await runner.run(
                repro.model_copy(update={"steps": steps}),
                timeout_s=per_run,
                settle_s=SHRINK_SETTLE_S,
                crash_wait_s=SHRINK_CRASH_WAIT_S,
            )

        shrinker = Shrinker(test, budget_s=budget_s, log=log, parallel=parallel)
        steps = await shrinker.shrink(list(repro.steps), repro.issue.at_s)
        if steps is None:
            outcome.replays, outcome.seconds = runner.runs, time.monotonic() - started
            return outcome
        minimal = minimal_repro(repro, steps)
        runner.hang_timeout = None  # the proof: once more with the recorded settings
        outcome.verified = await runner.run(minimal, timeout_s=per_run + 15)
        outcome.replays = runner.runs
    json_path, test_path = write(minimal, folder, REPRO_MIN_NAME, REPRO_MIN_TEST_NAME, minimal=True)
    outcome.minimal = minimal
    outcome.json_path, outcome.test_path = str(json_path), str(test_path)
    outcome.seconds = time.monotonic() - started
    update_status(
        folder,
        repro_min=str(json_path),
        test_min=str(test_path),
        min_steps=[s.label() for s in minimal.steps],
        min_line=minimal.steps_line(),
    )
    return outcome


def update_status(folder: Path, **fields: Any) -> ReproStatus | None:
    """Merge `fields` into the folder's repro-status.json (when the folder has one)."""
    path = folder / STATUS_NAME
    try:
        status = ReproStatus.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    status = status.model_copy(update=fields)
    path.write_text(json.dumps(status.model_dump(mode="json"), indent=2), encoding="utf-8")
    return status
