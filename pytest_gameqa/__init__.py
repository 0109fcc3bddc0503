"""pytest-gameqa: smoke-test browser games in real Chromium with a player-like agent."""

from .agent.agent import GameAgent, GameStopped
from .agent.extract import ExtractError
from .models import ActionResult, Issue, IssueKind, ObserveResult
from .settings import GameSettings

__all__ = [
    "ActionResult",
    "ExtractError",
    "GameAgent",
    "GameSettings",
    "GameStopped",
    "Issue",
    "IssueKind",
    "ObserveResult",
]
__version__ = "0.1.0"
