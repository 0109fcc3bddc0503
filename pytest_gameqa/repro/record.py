"""Building a reproduction from a failed game test, and writing `repro.json` + `test_repro.py`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ..models import ActionResult, Issue, IssueKind
from ..monitor.issuebook import fingerprint
from ..settings import GameSettings
from .model import Repro, ReproIssue, ReproStep
from .replay import CRASH_WAIT_S, GAP_CAP_S, SETTLE_S

#: kinds that say what went wrong; the others (not entered, slow, timeout) are consequences or budgets
_DEFECTS = (
    IssueKind.CRASH,
    IssueKind.FREEZE,
    IssueKind.PAGE_ERROR,
    IssueKind.CONSOLE_ERROR,
    IssueKind.NETWORK_ERROR,
    IssueKind.WEBGL_CONTEXT_LOST,
    IssueKind.BLANK_SCREEN,
    IssueKind.LOAD_FAILURE,
    IssueKind.MEMORY_GROWTH,
)
#: settings a replay keeps when they differ from the defaults (they change the game or the verdict)
_KEPT = (
    "hang_timeout",
    "blank_after",
    "min_fps",
    "max_load_time",
    "max_heap_growth",
    "load_attempts",
    "load_timeout",
    "ready_timeout",
    "ignore",
    "device",  # a phone game replays on the phone: its screen, pixel ratio, user agent and touch
)


def repro_issue(issue: Issue) -> ReproIssue:
    return ReproIssue(
        kind=issue.kind,
        message=issue.message,
        fingerprint=issue.fingerprint or fingerprint(issue.kind, issue.message, issue.location),
        location=issue.location,
        at_s=issue.at_s,
    )


def primary_issue(issues: list[Issue]) -> Issue | None:
    """The issue a reproduction is about: the earliest defect (fatal ones first), else the first failing one."""
    if not issues:
        return None
    defects = [i for i in issues if i.kind in _DEFECTS]
    fatal = [i for i in defects if i.fatal]
    pool = fatal or defects or issues
    return min(pool, key=lambda i: i.at_s)


def replay_settings(settings: GameSettings, issue: ReproIssue) -> dict[str, Any]:
    """Marker arguments for the replay: the recorded ones that matter, no OCR, no model."""
    defaults = GameSettings()
    kept: dict[str, Any] = {}
    for name in _KEPT:
        value = getattr(settings, name)
        if value != getattr(defaults, name):
            kept[name] = list(value) if isinstance(value, list) else value
    allow = [k.value for k in settings.allow if k.value != issue.kind.value]
    if issue.kind is not IssueKind.NOT_ENTERED and "not-entered" not in allow:
        allow.append("not-entered")  # a replay of a few actions need not prove it got in
    kept["allow"] = allow
    kept["ocr"] = "off"
    return kept


def build(
    *,
    nodeid: str,
    url: str,
    target: str,
    origin: str | None,
    settings: GameSettings,
    actions: list[ActionResult],
    issues: list[Issue],
    deterministic: bool,
    in_flight: tuple[float, Any] | None = None,
) -> Repro | None:
    """A Repro of the failing issues, or None when there is nothing to reproduce."""
    main = primary_issue(issues)
    if main is None:
        return None
    issue = repro_issue(main)
    steps = [
        ReproStep(index=a.index, at_s=a.at_s, duration_s=a.duration_s, description=a.description, action=a.action)
        for a in actions
        if a.action
    ]
    if in_flight is not None:  # the game died during this action: it is the likeliest trigger of all
        at_s, action = in_flight
        index = (actions[-1].index if actions else 0) + 1
        steps.append(
            ReproStep(index=index, at_s=at_s, description=action.describe(), action=action.model_dump(mode="json"))
        )
    return Repro(
        nodeid=nodeid,
        url=url,
        target=target,
        origin=origin,
        seed=settings.seed,
        viewport=settings.viewport,
        deterministic=deterministic,
        settings=replay_settings(settings, issue),
        issue=issue,
        other_issues=[repro_issue(i) for i in issues if i is not main],
        steps=steps,
        created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    )


# ------------------------------------------------------------------------------------------------ files
def expected_seconds(repro: Repro, gap_cap_s: float = GAP_CAP_S) -> float:
    """Roughly how long the replay's steps take (gaps capped, ~0.5 s per action), settle included."""
    total = min(repro.steps[0].at_s, gap_cap_s) if repro.steps else 0.0
    for before, after in zip(repro.steps, repro.steps[1:], strict=False):
        total += min(max(0.0, after.at_s - before.at_s), gap_cap_s)
    total += 0.5 * len(repro.steps) + settle_for(repro)
    return total


def settle_for(repro: Repro) -> float:
    """The longest wait after the last step (see Replay.settle)."""
    if repro.issue.kind is IssueKind.FREEZE:
        return SETTLE_S + float(repro.settings.get("hang_timeout", GameSettings().hang_timeout)) + 3.0
    if repro.issue.kind is IssueKind.CRASH:
        return max(SETTLE_S, CRASH_WAIT_S)
    return SETTLE_S


def marker_kwargs(repro: Repro) -> dict[str, Any]:
    expected = expected_seconds(repro)
    kwargs: dict[str, Any] = {
        "seed": repro.seed,
        "viewport": f"{repro.viewport[0]}x{repro.viewport[1]}",
        "duration": round(max(1.0, expected), 1),
        "max_actions": max(1, len(repro.steps)),
        **repro.settings,
    }
    load = float(repro.settings.get("load_timeout", 30.0)) * int(repro.settings.get("load_attempts", 3))
    kwargs["timeout"] = round(load + expected + 30.0, 1)
    return kwargs


def _py(value: Any) -> str:
    """A Python literal for a JSON-able value (json.dumps is valid Python for these, except true/false/null)."""
    return repr(value) if isinstance(value, (bool, int, float, str, type(None))) else _literal(value)


def _literal(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    return repr(value)


def render_test(repro: Repro, *, minimal: bool = False) -> str:
    """The per-game pytest file: the marker, then one line per recorded action."""
    kwargs = ", ".join(f"{k}={_py(v)}" for k, v in marker_kwargs(repro).items())
    issue = {
        "kind": repro.issue.kind.value,
        "message": repro.issue.message[:500],
        "fingerprint": repro.issue.fingerprint,
        "location": repro.issue.location,
    }
    what = "minimal reproduction (shrunk)" if minimal else "reproduction"
    deterministic = ", deterministic=True" if repro.deterministic else ""
    lines = [
        f'"""A {what} recorded by pytest-gameqa: {_doc(repro.issue.line(200))}',
        "",
        f"Recorded from {_doc(repro.nodeid)} ({len(repro.steps)} action{'s' if len(repro.steps) != 1 else ''},"
        f" seed {repro.seed}, {repro.viewport[0]}x{repro.viewport[1]}).",
        "Run it with `pytest THIS_FILE` or `gameqa replay THIS_FOLDER --times 3`. It fails while the bug is",
        "there and passes once it is fixed: commit it as a regression test (then make GAME point at the",
        "game from the test's new place; a relative path is relative to the test file).",
        '"""',
        "",
        "import pytest",
        "",
        "from pytest_gameqa.repro.replay import Replay",
        "",
        f"GAME = {repro.target!r}",
        f"ISSUE = {_literal(issue)}",
        f"RECORDED_ORIGIN = {repro.origin!r}",
        "",
        "",
        f"@pytest.mark.game(GAME, {kwargs})",
        f"@pytest.mark.game_repro(steps={len(repro.steps)}{deterministic})",
        "async def test_repro(game_agent):",
        "    replay = Replay(game_agent, ISSUE, origin=RECORDED_ORIGIN)",
    ]
    for n, step in enumerate(repro.steps, 1):
        lines.append(f"    await replay.step({step.at_s!r}, {_literal(step.action)})  # {n}. {_comment(step.label())}")
    lines.append(f"    await replay.settle({SETTLE_S:g})")
    return "\n".join(lines) + "\n"


def _doc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''")


def _comment(text: str) -> str:
    return " ".join(text.split())[:100]


def write(repro: Repro, folder: Path, json_name: str, test_name: str, *, minimal: bool = False) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / json_name
    test_path = folder / test_name
    json_path.write_text(json.dumps(repro.model_dump(mode="json"), indent=2), encoding="utf-8")
    test_path.write_text(render_test(repro, minimal=minimal), encoding="utf-8")
    return json_path, test_path


def load(path: Path) -> Repro:
    return Repro.model_validate_json(path.read_text(encoding="utf-8"))
