"""pytest-gameqa: smoke-test browser games in real Chromium with a player-like agent.

The public names are imported when first used (PEP 562), not when pytest loads the plugin: a
session without game tests never imports the player, its vision or the model client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .agent.agent import GameAgent, GameStopped
    from .agent.extract import ExtractError
    from .models import ActionResult, Issue, IssueKind, ObserveResult
    from .settings import GameSettings

#: public name -> the module that defines it
_WHERE = {
    "ActionResult": ".models",
    "ExtractError": ".agent.extract",
    "GameAgent": ".agent.agent",
    "GameSettings": ".settings",
    "GameStopped": ".agent.agent",
    "Issue": ".models",
    "IssueKind": ".models",
    "ObserveResult": ".models",
}

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


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'pytest_gameqa' has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value
