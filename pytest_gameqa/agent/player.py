"""The player interface: the one thing the agent asks what to do next, and tells what came of it.

Both the built-in heuristic player and the model player implement it. The agent alone acts (with the
screenshot pair), races every step against the monitor's fatal event and stops the game; a player
only decides (`decide`) and learns (`learn`), so neither reaches into the agent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from ..dom.detector import PageView
    from ..models import ActionResult
    from .actions import Action
    from .reach import Reaction, Sample


class Decision(NamedTuple):
    """The next action and who chose it (heuristic, llm, cache, heuristic-fallback, heuristic-unstick)."""

    action: Action
    policy: str
    #: leave a dot on the after-screenshot where the pointer pressed (a model's click, for review)
    mark: bool = False


@dataclass
class Turn:
    """What one action did, as the agent measured it."""

    action: Action
    result: ActionResult
    reaction: Reaction
    before: Sample
    after: Sample
    entered: bool
    hover_hits: list[tuple[float, float]] = field(default_factory=list)


class Player(Protocol):
    name: str

    async def decide(self, view: PageView) -> Decision:
        """The next action for this screen."""
        ...

    def learn(self, turn: Turn) -> None:
        """What the last action did (its reaction beyond the idle screen, entry, hover hits)."""
        ...
