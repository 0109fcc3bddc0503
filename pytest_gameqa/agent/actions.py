"""The player's action set. Every way the agent (heuristic or model) touches the game is one of these.

The field descriptions are read by the model (see llm/), so they say what a value means to a player.
Nothing here can navigate or run script: the action set is the safety boundary.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ..models import ObserveResult

KEY_NAMES = (
    "ArrowUp ArrowDown ArrowLeft ArrowRight Space Enter Escape Tab Shift Control Backspace "
    "KeyW KeyA KeyS KeyD KeyR KeyP KeyX KeyZ"
).split()


class ClickElement(BaseModel):
    type: Literal["click_element"] = "click_element"
    target: ObserveResult = Field(description="a candidate returned by observe()")


class ClickAt(BaseModel):
    type: Literal["click_at"] = "click_at"
    x: float = Field(description="page x in CSS pixels, inside the viewport")
    y: float = Field(description="page y in CSS pixels, inside the viewport")
    label: str = Field(default="", description="what is being clicked, for the report")


class Drag(BaseModel):
    type: Literal["drag"] = "drag"
    x1: float
    y1: float
    x2: float
    y2: float
    label: str = ""


class PressKey(BaseModel):
    type: Literal["press"] = "press"
    key: str = Field(description="a Playwright key name such as ArrowLeft, Space, Enter, w")
    times: int = Field(default=1, ge=1, le=20, description="how many separate presses")


class HoldKey(BaseModel):
    type: Literal["hold"] = "hold"
    key: str
    ms: int = Field(default=500, ge=50, le=3000, description="how long to keep the key down")


class TypeText(BaseModel):
    type: Literal["type"] = "type"
    text: str = Field(max_length=200)
    target: ObserveResult | None = None


class Wait(BaseModel):
    type: Literal["wait"] = "wait"
    ms: int = Field(default=500, ge=0, le=5000)


class ReturnToGame(BaseModel):
    """Reload the game's own URL after something took the page elsewhere; never another address."""

    type: Literal["return"] = "return"
    left_to: str = ""


Action = Annotated[
    ClickElement | ClickAt | Drag | PressKey | HoldKey | TypeText | Wait | ReturnToGame,
    Field(discriminator="type"),
]


def normalise_key(key: str) -> str:
    """Accept what people and models write ("space", "KeyW", "up") and return a Playwright key."""
    aliases = {
        "space": "Space",
        " ": "Space",
        "spacebar": "Space",
        "enter": "Enter",
        "return": "Enter",
        "up": "ArrowUp",
        "down": "ArrowDown",
        "left": "ArrowLeft",
        "right": "ArrowRight",
        "esc": "Escape",
        "escape": "Escape",
        "tab": "Tab",
        "shift": "Shift",
    }
    if key.lower() in aliases:
        return aliases[key.lower()]
    if len(key) == 4 and key.startswith("Key"):
        return key[3].lower()
    return key


def describe(action: Action) -> str:
    if isinstance(action, ClickElement):
        return action.target.description
    if isinstance(action, ClickAt):
        return f"click {action.label or 'at'} ({int(action.x)},{int(action.y)})"
    if isinstance(action, Drag):
        return f"drag {action.label or ''} ({int(action.x1)},{int(action.y1)})->({int(action.x2)},{int(action.y2)})"
    if isinstance(action, PressKey):
        return f"press {action.key}" + (f" x{action.times}" if action.times > 1 else "")
    if isinstance(action, HoldKey):
        return f"hold {action.key} {action.ms}ms"
    if isinstance(action, TypeText):
        return f"type {action.text[:30]!r}"
    if isinstance(action, Wait):
        return f"wait {action.ms}ms"
    return "return to the game"
