"""A game test's resolved settings (`GameSettings`): built by `sources.resolve`, validated, frozen."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..models import IssueKind
from .errors import DEFAULT_SEED


class GameSettings(BaseModel):
    """The resolved settings of one game test: built once by `resolve()`, never changed afterwards.

    The game's URL is not a setting: the fixture resolves it (a local build gets a served URL) and hands
    it to the agent. With a model and `ai_verdict="warn"`, `allow` includes `ai-finding` from the start.
    """

    model_config = ConfigDict(frozen=True)

    duration: float = Field(60.0, gt=0)
    max_actions: int = Field(100, ge=1)
    seed: int = Field(DEFAULT_SEED, ge=0)
    model: str | None = None
    api_base: str | None = None
    model_timeout: float = Field(30.0, gt=0)
    model_retries: int = Field(2, ge=0)
    max_cost: float | None = Field(None, ge=0)
    ai_verdict: Literal["fail", "warn", "off"] = "warn"
    cache: Literal["on", "off"] = "on"
    cache_dir: str = ".gameqa-cache"
    min_fps: float | None = Field(None, gt=0)
    max_load_time: float | None = Field(None, gt=0)
    max_heap_growth: float = Field(5.0, gt=0, description="JS heap growth (MB/s) that fails memory-growth")
    ignore: list[str] = Field(default_factory=list)
    allow: list[IssueKind] = Field(default_factory=list)
    load_attempts: int = Field(3, ge=1)
    load_timeout: float = Field(30.0, gt=0)
    ready_timeout: float = Field(15.0, ge=0)
    hang_timeout: float = Field(7.0, ge=0.5)
    blank_after: float = Field(4.0, ge=0.5)
    viewport: tuple[int, int] = (1280, 720)
    screenshot_format: Literal["jpeg", "png"] = "jpeg"
    screenshot_scale: float = Field(1.0, ge=0.1, le=1)
    max_pairs: int = Field(60, ge=2)
    timeout: float | None = Field(None, gt=0)
    start: list[str] = Field(default_factory=list)
    ocr: Literal["auto", "off"] = "auto"
    device: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _warn_only_verdict_is_allowed(cls, data: Any) -> Any:
        """`ai_verdict="warn"`: the judge's findings are recorded, never failing (with a model only)."""
        if isinstance(data, dict) and data.get("model") and data.get("ai_verdict", "warn") == "warn":
            allow = list(data.get("allow") or [])
            if IssueKind.AI_FINDING not in allow and IssueKind.AI_FINDING.value not in allow:
                data = {**data, "allow": [*allow, IssueKind.AI_FINDING]}
        return data

    @property
    def memory_growth_mb_per_s(self) -> float:
        """Deprecated name of `max_heap_growth` (read-only), kept while callers move over."""
        return self.max_heap_growth

    @property
    def hard_timeout(self) -> float:
        """The whole test's limit: generous, because loading and retries come on top of play time."""
        if self.timeout is not None:
            return self.timeout
        limit = self.duration * 1.5 + self.load_timeout * self.load_attempts + 30.0
        if self.model:  # a step and the judge may each wait out every attempt of a slow model
            limit += 2 * self.model_timeout * (self.model_retries + 1)
        return limit

    def ignored(self, message: str) -> bool:
        return any(re.search(p, message) for p in self.ignore)
