"""Filling a pydantic schema from what the page already says, for runs without a model.

Games that expose `window.render_game_to_text()` give exact values; otherwise visible text such as
"Lives: 3" is read. When neither has a field, the error says so instead of inventing a value.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..dom.detector import PageView

M = TypeVar("M", bound=BaseModel)


class ExtractError(Exception):
    """extract() could not fill the schema from what the page shows."""


def extract_from_view(view: PageView, instruction: str, schema: type[M]) -> M:
    state = None
    if view.state:
        with contextlib.suppress(json.JSONDecodeError):
            state = json.loads(view.state)
    values: dict[str, Any] = {}
    for name in schema.model_fields:
        found = find_key(state, name) if state is not None else None
        if found is None:
            match = re.search(rf"\b{re.escape(name)}\b\s*[:=]?\s*(-?\d+(?:\.\d+)?)", view.screen_text, re.I)
            found = match.group(1) if match else None
        if found is not None:
            values[name] = found
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        missing = ", ".join(str(e["loc"][0]) for e in exc.errors() if e.get("loc"))
        raise ExtractError(
            f"cannot extract {instruction!r} without a model: {missing or 'fields'} not found in the page "
            "text or window.render_game_to_text(); set --game-model or expose render_game_to_text()"
        ) from None


def find_key(data: Any, name: str) -> Any:
    """The first scalar under `name` (case-insensitive) anywhere in a JSON value."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key.lower() == name.lower() and not isinstance(value, dict | list):
                return value
        children = list(data.values())
    elif isinstance(data, list):
        children = data
    else:
        return None
    for value in children:
        found = find_key(value, name)
        if found is not None:
            return found
    return None


def state_of(view: PageView) -> dict[str, Any] | None:
    """The game's own `render_game_to_text()` as a dict: its JSON object, else {"value": ...} or {"text": ...}."""
    if not view.state:
        return None
    try:
        data = json.loads(view.state)
    except json.JSONDecodeError:
        return {"text": view.state}
    return data if isinstance(data, dict) else {"value": data}
