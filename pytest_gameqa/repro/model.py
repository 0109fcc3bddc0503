"""What a reproduction is on disk: `repro.json` (and `repro-min.json`), and the status sidecar.

`Repro` is everything a replay needs and nothing it does not: the game as given and where it resolves,
the settings that change what the game does or what counts as an issue, the issue to look for, and
the actions with their timing and targets (each the `ActionResult.action` JSON plus `at_s`).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter

from ..agent.actions import Action
from ..models import IssueKind, ReproIssue, ReproStatus
from ..monitor.issuebook import fingerprint

__all__ = ["ReplayCount", "Repro", "ReproIssue", "ReproStatus", "ReproStep", "issue_key", "normalise", "rebuild"]

REPRO_NAME = "repro.json"
REPRO_TEST_NAME = "test_repro.py"
REPRO_MIN_NAME = "repro-min.json"
REPRO_MIN_TEST_NAME = "test_repro_min.py"
STATUS_NAME = "repro-status.json"
VERSION = 1

#: a local build's server origin: its port changes every run, the defect does not
_LOCAL_ORIGIN = re.compile(r"https?://(?:127\.0\.0\.1|localhost|\[::1\]):\d+", re.I)
_ACTION: TypeAdapter[Any] = TypeAdapter(Action)


def rebuild(action: dict[str, Any]) -> Any:
    """An Action from its JSON (the `type` field picks the model)."""
    return _ACTION.validate_python(action)


class ReproStep(BaseModel):
    """One recorded action: when it started (seconds since the game started loading) and what it was."""

    index: int = Field(description="the action's number in the original run")
    at_s: float
    duration_s: float = 0.0
    description: str
    action: dict[str, Any] = Field(description="the action's JSON (with its `type`), as in ActionResult.action")

    def times(self) -> int:
        return int(self.action.get("times", 1)) if self.action.get("type") == "press" else 1

    def label(self) -> str:
        """How the step reads in a list of steps ("press ArrowLeft x5"), from the action itself."""
        try:
            return rebuild(self.action).describe()
        except Exception:
            return self.description


class Repro(BaseModel):
    version: int = VERSION
    nodeid: str = Field(description="the test that failed")
    url: str = Field(description="the game as given (--game-url or the marker)")
    target: str = Field(description="where it resolves: an absolute path for a local build, else the URL")
    origin: str | None = Field(default=None, description="the origin the game was served from when recorded")
    seed: int
    viewport: tuple[int, int]
    deterministic: bool = Field(default=False, description="Math.random was seeded from the seed (deterministic mode)")
    settings: dict[str, Any] = Field(default_factory=dict, description="marker arguments that matter for a replay")
    issue: ReproIssue
    other_issues: list[ReproIssue] = Field(default_factory=list)
    steps: list[ReproStep] = Field(default_factory=list)
    created_at: str = ""
    shrunk_from: int | None = Field(default=None, description="steps before shrinking (repro-min.json only)")

    def steps_line(self) -> str:
        """`1. press Enter  2. press ArrowLeft x5  → page-error: Cannot read ...`"""
        steps = "  ".join(f"{n}. {s.label()}" for n, s in enumerate(self.steps, 1)) or "(no actions: load the game)"
        return f"{steps}  → {self.issue.line()}"


class ReplayCount(BaseModel):
    reproduced: int
    runs: int

    @property
    def label(self) -> str:
        if self.runs and self.reproduced == self.runs:
            return f"reproduced {self.reproduced}/{self.runs}"
        if self.reproduced == 0:
            return f"not reproduced 0/{self.runs}"
        return f"{self.reproduced}/{self.runs}: flaky"


def normalise(text: str) -> str:
    return _LOCAL_ORIGIN.sub("<local>", text)


def issue_key(kind: str, message: str, location: str | None, fp: str | None = None) -> tuple[str, str]:
    """(kind, fingerprint) of an issue as a replay compares it."""
    kind_value = IssueKind(kind)
    return kind_value.value, normalise(fp or fingerprint(kind_value, message, location))
