"""Pydantic models for everything that crosses a boundary or lands in a report.

The field names here are the contract of `gameqa-results.json` (see README): CI scripts read them, so
renaming one is a breaking change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, Field


class IssueKind(str, Enum):
    LOAD_FAILURE = "load-failure"
    CRASH = "crash"
    FREEZE = "freeze"
    BLANK_SCREEN = "blank-screen"
    PAGE_ERROR = "page-error"
    CONSOLE_ERROR = "console-error"
    NETWORK_ERROR = "network-error"
    WEBGL_CONTEXT_LOST = "webgl-context-lost"
    LOW_FPS = "low-fps"
    MEMORY_GROWTH = "memory-growth"
    TIMEOUT = "timeout"
    NOT_ENTERED = "not-entered"
    AI_FINDING = "ai-finding"
    WARNING = "warning"


#: Kinds after which playing on is pointless: the run stops at once.
FATAL_KINDS = frozenset({IssueKind.LOAD_FAILURE, IssueKind.CRASH, IssueKind.FREEZE})
#: Kinds recorded for the report that never fail a test.
NEVER_FAILS = frozenset({IssueKind.WARNING})


class Issue(BaseModel):
    """One defect seen while playing; repeats of the same message are folded into `count`."""

    kind: IssueKind
    message: str
    at_s: float = Field(description="seconds since the game started loading")
    fatal: bool = False
    location: str | None = Field(default=None, description="source URL:line:column when known")
    frame_url: str | None = None
    screenshot: str | None = Field(default=None, description="screenshot closest in time")
    count: int = 1
    last_at_s: float | None = Field(default=None, description="when the latest repeat was seen (count > 1)")
    fingerprint: str | None = Field(
        default=None, description="the message with numbers, ids, hashes and query strings normalised: repeats fold"
    )

    def key(self) -> tuple[str, str, str | None]:
        return (self.kind.value, self.message, self.location)


class BoundingBox(BaseModel):
    """Page (top-level viewport) CSS pixels, already offset for iframes."""

    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


ObserveMethod = Literal["click", "press", "type", "drag"]


class ObserveResult(BaseModel):
    """Something the player can do now, found by `observe()`; `act()` runs it with no new lookup."""

    description: str
    selector: str | None = Field(default=None, description="CSS selector inside `frame_url`")
    method: ObserveMethod = "click"
    arguments: list[str] = Field(default_factory=list, description="keys for press, text for type")
    bbox: BoundingBox | None = None
    frame_url: str | None = Field(default=None, description="None for the top frame")
    kind: str = Field(default="element", description="button, link, canvas, prompt, input, key, cell")
    text: str = ""
    score: float = 0.0
    cell: tuple[int, int, int] | None = Field(default=None, description="a board cell: board, row, column")
    filled: bool = Field(default=False, description="a board cell with a piece, a number or a picture in it")
    in_text: bool = Field(default=False, description="a word inside running text (a glossary term, 'click here')")
    look: str = Field(default="", description="a board cell's class and colours: untouched cells share one")


class ActionResult(BaseModel):
    """One performed action and its before/after evidence."""

    index: int
    description: str
    ok: bool
    error: str | None = None
    at_s: float
    duration_s: float = 0.0
    before: str | None = None
    after: str | None = None
    changed: bool | None = Field(default=None, description="the screen differs after the action")
    policy: str = "heuristic"
    action: dict[str, Any] | None = Field(
        default=None, description="the action itself (its JSON, with its `type`): what a replay runs again"
    )


class MetricSample(BaseModel):
    """One half-second window after the game was ready (the report's fps and heap chart)."""

    at_s: float = Field(description="seconds since the game started (the issues' clock)")
    fps: float | None = Field(default=None, description="None: the game ran no animation loop in this window")
    heap_mb: float | None = None


class GameMetrics(BaseModel):
    """Measured without touching the game: a probe counts its frames and heap, the harness its timings.

    The load timings count from the start of the game document's navigation, as a player waits;
    `navigation_s` places that start on the issues' clock.
    """

    load_s: float | None = Field(default=None, description="navigation -> the page's load event")
    first_frame_s: float | None = Field(default=None, description="navigation -> first contentful paint")
    ready_s: float | None = Field(
        default=None, description="navigation -> ready to play (drawn, network quiet, no loading text)"
    )
    navigation_s: float | None = Field(default=None, description="when navigation began, on the issues' clock")
    fps_avg: float | None = None
    fps_min: float | None = None
    fps_p5: float | None = Field(default=None, description="5th percentile of the half-second frame rates")
    long_frames: int = Field(default=0, description="long animation frames (> 50 ms), in any frame of the page")
    longest_frame_ms: float | None = None
    heap_start_mb: float | None = None
    heap_end_mb: float | None = None
    heap_max_mb: float | None = None
    heap_growth_mb_per_s: float | None = Field(default=None, description="least-squares slope of the heap samples")
    action_avg_s: float | None = Field(default=None, description="time per action, screenshots included")
    t0_unix_s: float | None = Field(default=None, description="Unix time at which at_s is 0")
    samples: list[MetricSample] = Field(default_factory=list)
    stalls: list[Stall] = Field(default_factory=list, description="main-thread stalls that ended (>= 1 s)")
    page_budget: PageBudget | None = Field(
        default=None, description="console messages and page errors the page's per-second budget dropped"
    )
    pauses: list[Pause] = Field(default_factory=list, description="pauses the player's own Escape/P caused")
    loading: LoadingEnd | None = Field(default=None, description="when loading ended, and why the monitor believed it")


class Stall(BaseModel):
    """A main-thread stall that ended: measured and reported, a failure only when long enough to be a hang."""

    at_s: float = Field(description="when the stall began, seconds since the game started")
    duration_s: float
    phase: Literal["loading", "play"] = Field(description="what was happening: loading (not yet entered) or play")


class PageBudget(BaseModel):
    """What the page's own budget (monitor/budget.js) dropped before it crossed to the harness."""

    console_dropped: int = Field(default=0, description="console calls over the budget, not sent")
    page_errors_dropped: int = Field(default=0, description="uncaught errors and rejections over the budget")
    console_errors_per_s: int = Field(default=0, description="the budget: console.error calls kept a second")
    console_other_per_s: int = Field(default=0, description="the budget: other console calls kept a second")
    page_errors_per_s: int = Field(default=0, description="the budget: page errors kept a second")


class Pause(BaseModel):
    """A pause screen the player's own key caused, and how it was resumed."""

    at_s: float = Field(description="when the pause screen was seen")
    key: str = Field(description="the player's key that paused the game (Escape, p)")
    text: str = Field(description="the pause text on screen")
    resumed: bool = False
    resumed_at_s: float | None = None
    how: str | None = Field(default=None, description="the action that resumed it (the same key, or a click)")


class LoadingEnd(BaseModel):
    """When the game's loading ended, judged from the game's own signs of readiness."""

    ended_at_s: float | None = Field(default=None, description="seconds since the game started; None: never")
    why: str = Field(description="the evidence: loading text gone, main thread free, network quiet, state hook")


class Reach(BaseModel):
    """Whether the player really got into the game, and how it knows (see README, "Reach")."""

    entered: bool = False
    entered_at_s: float | None = Field(default=None, description="seconds since the game started loading")
    how: str | None = Field(default=None, description="the action that got in, as in the actions list")
    evidence: str | None = Field(default=None, description="what showed it: state hook, start text gone, reaction")
    screens: int = Field(default=0, description="distinct screens seen")
    reactive_inputs: list[str] = Field(default_factory=list, description="inputs that visibly changed the game")
    start_text: str | None = Field(default=None, description="the start screen's text as first seen")
    tried: list[str] = Field(default_factory=list, description="ways in tried, in order")
    tried_by_screen: dict[str, list[str]] = Field(
        default_factory=dict, description="ways in tried on each screen (its gate, menu items, or the game)"
    )
    menus: list[str] = Field(default_factory=list, description="menu pages passed through on the way in")
    first_screenshot: str | None = Field(default=None, description="the first in-game screenshot")


class ProgressScreen(BaseModel):
    """One distinct screen the player reached, in the order first reached (the report's storyboard)."""

    index: int = Field(description="1 for the first screen reached, 2 for the next...")
    name: str = Field(description="its gate text, menu items, game-over text, or 'play, level 2'")
    at_s: float = Field(description="when it was first seen, seconds since the game started loading")
    action: str | None = Field(default=None, description="the action that led there (None: the first screen)")
    screenshot: str | None = Field(default=None, description="the screenshot that first showed it")


class ProgressCounter(BaseModel):
    """A number on screen or in the state hook that the player's input moved (or a level that rose)."""

    name: str = Field(description="the words beside it: score, distance, level, coins...")
    source: Literal["state", "text"] = "text"
    first: float
    best: float
    last: float
    first_rise_s: float | None = Field(default=None, description="when an action first raised it")
    first_rise_by: str | None = Field(default=None, description="the action that first raised it")


class Progress(BaseModel):
    """How far the player got after getting in: screens reached, numbers moved, when progress began."""

    screens: list[ProgressScreen] = Field(default_factory=list)
    counters: list[ProgressCounter] = Field(default_factory=list, description="best values, level-like first")
    first_progress_s: float | None = Field(
        default=None, description="when input first raised a number or reached a new screen after entry"
    )
    first_progress: str | None = Field(default=None, description="what it was: 'distance after hold ArrowRight'")
    rounds: int = Field(default=1, description="rounds played: 1 + restarts after a game over")


class LLMUsage(BaseModel):
    calls: int = 0
    tokens: int = 0
    cost_usd: float | None = Field(default=0.0, description="None when the model's price is unknown")
    cache_hits: int = 0
    fallbacks: int = 0


Outcome = Literal["passed", "failed", "error", "skipped"]


class ReproIssue(BaseModel):
    """The issue a replay must bring back: the same kind and fingerprint (local ports normalised)."""

    kind: IssueKind
    message: str
    fingerprint: str
    location: str | None = None
    at_s: float = 0.0

    def line(self, chars: int = 120) -> str:
        message = " ".join(self.message.split())
        if len(message) > chars:
            message = message[: chars - 3] + "..."
        return f"{self.kind.value}: {message}"


class ReproStatus(BaseModel):
    """A failing game's reproduction (`repro-status.json`, `TestRecord.repro`): paths, confirmation, minimal steps."""

    repro: str
    test: str
    issue: ReproIssue
    steps: int
    confirmed: str | None = Field(default=None, description='"reproduced 3/3", "1/3: flaky" (--game-confirm)')
    reproduced: int | None = None
    runs: int | None = None
    flaky: bool | None = None
    repro_min: str | None = None
    test_min: str | None = None
    min_steps: list[str] | None = Field(default=None, description="the minimal steps, as in the shrink output")
    min_line: str | None = None
    run: str = Field(default="", description="the command that runs the reproduction")


class TestRecord(BaseModel):
    """One game test as written to gameqa-results.json."""

    __test__ = False  # not a pytest test class

    nodeid: str
    url: str
    outcome: Outcome = "passed"
    started_at: str
    duration_s: float
    seed: int | None = None
    device: str | None = Field(
        default=None, description="the emulated device (--device, device= marker), None for a desktop browser"
    )
    touch: bool = Field(default=False, description="the page had a touch screen: the player tapped and swiped")
    viewport: tuple[int, int] | None = Field(default=None, description="the game's viewport, CSS pixels (w, h)")
    issues: list[Issue] = Field(default_factory=list)
    actions: list[ActionResult] = Field(default_factory=list)
    metrics: GameMetrics = Field(default_factory=GameMetrics)
    llm: LLMUsage = Field(default_factory=LLMUsage)
    artifacts_dir: str | None = None
    files: dict[str, str] = Field(
        default_factory=dict, description="kept artifacts by kind: evidence, console, trace, video, screenshot"
    )
    pairs_dropped: int = 0
    reach: Reach | None = None
    progress: Progress | None = Field(default=None, description="how far the player got (None: not recorded)")
    issues_dropped: dict[str, int] = Field(
        default_factory=dict, description="distinct issues past the per-kind cap, counted by kind, not kept"
    )
    console_dropped: int = Field(default=0, description="console lines past the cap, counted, not kept")
    repro: ReproStatus | None = Field(
        default=None,
        exclude=True,
        description="the reproduction of a failing game: in evidence.json, the run store and the xdist wire "
        "format (see `to_json`), not in gameqa-results.json",
    )

    def to_json(self) -> dict[str, Any]:
        """The record as JSON data: xdist's wire format (`report.gameqa`), evidence.json, the run store."""
        data = self.model_dump(mode="json")
        if self.repro is not None:
            data["repro"] = self.repro.model_dump(mode="json")
        return data

    @classmethod
    def of(cls, value: TestRecord | Mapping[str, Any]) -> TestRecord:
        """A record from its JSON form (the controller's side of xdist, a stored record); a record as is."""
        return value if isinstance(value, TestRecord) else cls.model_validate(value)

    def map_paths(self, move: Callable[[str], str | None]) -> TestRecord:
        """A copy with every file path in it passed through `move` (empty ones stay empty; a path `move`
        drops stays as it was in `files`): the one place that knows where a record keeps paths, for the
        results file, evidence.json and merged shards."""

        def one(path: str | None) -> str | None:
            return move(path) if path else path

        record = self.model_copy(deep=True)
        for action in record.actions:
            action.before, action.after = one(action.before), one(action.after)
        for issue in record.issues:
            issue.screenshot = one(issue.screenshot)
        if record.reach is not None:
            record.reach.first_screenshot = one(record.reach.first_screenshot)
        if record.progress is not None:
            for screen in record.progress.screens:
                screen.screenshot = one(screen.screenshot)
        record.artifacts_dir = one(record.artifacts_dir)
        record.files = {kind: one(path) or path for kind, path in record.files.items()}
        if record.repro is not None:
            repro = record.repro
            repro.repro, repro.test = one(repro.repro) or repro.repro, one(repro.test) or repro.test
            repro.repro_min, repro.test_min = one(repro.repro_min), one(repro.test_min)
        return record


class ResultsFile(BaseModel):
    version: int = 1
    tests: list[TestRecord] = Field(default_factory=list)
