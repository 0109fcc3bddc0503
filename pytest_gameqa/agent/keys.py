"""One key vocabulary: the words people, screens and models use for keys, and the Playwright keys they mean.

Three readers share it: a test's instruction ("press the spacebar to jump"), a start screen's prompt
("PRESS N TO START", "press fire") and a model's or a person's key name ("spacebar", "KeyW"). A screen
names keys in words an instruction never does ("fire", "any key"): those are `SCREEN_WORDS`, read on
screens only. Pure `re`, importing nothing of the package, so the DOM detector can use it too.
"""

from __future__ import annotations

import re

#: key names a model may answer with (more are accepted: see llm/schema.py)
KEY_NAMES = (
    "ArrowUp ArrowDown ArrowLeft ArrowRight Space Enter Escape Tab Shift Control Backspace "
    "KeyW KeyA KeyS KeyD KeyR KeyP KeyX KeyZ"
).split()
#: words for a key in running text, first match wins (in instructions and on screens)
KEY_WORDS: tuple[tuple[str, str], ...] = (
    (r"space\s*bar|\bspace\b", "Space"),
    (r"\benter\b|\breturn\b", "Enter"),
    (r"\b(up arrow|arrow up|arrowup)\b|\bup\b", "ArrowUp"),
    (r"\b(down arrow|arrow down|arrowdown)\b|\bdown\b", "ArrowDown"),
    (r"\b(left arrow|arrow left|arrowleft)\b|\bleft\b", "ArrowLeft"),
    (r"\b(right arrow|arrow right|arrowright)\b|\bright\b", "ArrowRight"),
    (r"\bescape\b|\besc\b", "Escape"),
    (r"\btab\b", "Tab"),
    (r"\bshift\b", "Shift"),
)
#: words only a screen uses for a key: "press fire", "press any key"
SCREEN_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bfire\b|\bshoot\b|\bjump\b", "Space"),
    (r"\bany key\b|\ba key\b", "Enter"),
)
#: exact names for a key (a model's answer, a `PressKey(key=...)`), lower-cased
_ALIASES = {
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
_PRESS = re.compile(r"\b(press|hit|push|tap)\b", re.I)
_PRESS_ONE = re.compile(r"\b(?:press|hit|push|tap)\s+(?:the\s+)?(?:key\s+)?['\"]?([a-z0-9])['\"]?(?:\s+key)?\b", re.I)
_PRESS_KEY = re.compile(
    r"\b(?:press|hit|push|type|tap|use)\s+(?:the\s+)?(?:key\s+)?(?P<key>space\s*bar|space|enter|return|fire|"
    r"any key|a key|esc(?:ape)?|shift|tab|[\"'\[(<]?[a-z0-9][\"'\])>]?)(?=$|[\s,.!:;|]|\s*key)",
    re.I,
)
_KEY_TO = re.compile(
    r"(?:^|[\s|(\[])[\"'\[(<]?(?P<key>[a-z0-9]|space|enter)[\"'\])>]?\s+(?:key\s+)?(?:to|for)\s+"
    r"(?:start|play|begin|continue)",
    re.I,
)
_MODE_DIGIT = re.compile(r"(?:^|[\s|(\[])(?P<digit>[1-4])\s*[-.):]?\s*(?:player|players|p)\b", re.I)


def normalise_key(key: str) -> str:
    """Accept what people and models write ("space", "KeyW", "up") and return a Playwright key."""
    if key.lower() in _ALIASES:
        return _ALIASES[key.lower()]
    if len(key) == 4 and key.startswith("Key"):
        return key[3].lower()
    if len(key) == 6 and key.startswith("Digit"):
        return key[5]
    if len(key) == 1 and key.isalpha():
        return key.lower()  # "press N" means the N key, not Shift+N: games read e.key === "n" or keyCode 78
    return key


def key_from_instruction(instruction: str) -> str | None:
    """ "press the spacebar to jump" -> "Space"; "press R" -> "r"; None when no key is named."""
    if not _PRESS.search(instruction) and "key" not in instruction.lower():
        return None
    for pattern, key in KEY_WORDS:
        if re.search(pattern, instruction, re.I):
            return key
    match = _PRESS_ONE.search(instruction)
    return match.group(1).lower() if match else None


def key_from_prompt(text: str) -> str | None:
    """The key a DOM prompt asks for ("press space to start"): Space, Enter (also for "any key"), or None."""
    lowered = text.lower()
    if re.search(r"\b(press|hit)\b", lowered):
        for pattern, key in KEY_WORDS[:2]:
            if re.search(pattern, lowered):
                return key
        return "Enter" if "any key" in lowered else None
    return None


def keys_named(text: str) -> list[str]:
    """Keys the text asks for, in order: "PRESS N TO START" -> ["n"], "press fire" -> ["Space"]."""
    found: list[str] = []

    def add(token: str) -> None:
        token = token.strip("\"'[]()<> ").lower()
        if not token:
            return
        for pattern, key in SCREEN_WORDS + KEY_WORDS:
            if re.search(pattern, token):
                if key not in found:
                    found.append(key)
                if token in ("any key", "a key") and "Space" not in found:
                    found.append("Space")
                return
        if len(token) == 1 and token.isalnum() and token not in found:
            found.append(token)

    for match in _PRESS_KEY.finditer(text):
        add(match.group("key"))
    for match in _KEY_TO.finditer(text):
        add(match.group("key"))
    for match in _MODE_DIGIT.finditer(text):
        add(match.group("digit"))
    return found
