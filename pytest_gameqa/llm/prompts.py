"""Prompt texts (the `.md` files next to this module) and the parts of a request built from the page.

The prompts live in Markdown so they can be read and reviewed as prose. Everything that comes from
the page is fenced as untrusted content, with the fence itself neutralised inside it, so the page
cannot close the fence and pose as the operator.
"""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from pydantic import BaseModel

from ..models import ObserveResult
from .schema import Shot

PROMPTS = Path(__file__).with_name("prompts")
MAX_CANDIDATES = 30
#: the progress facts in a decision prompt (numbers raised, screens reached): a few lines, not the record
MAX_PROGRESS_FACTS = 600


@cache
def _read(name: str) -> str:
    return (PROMPTS / f"{name}.md").read_text(encoding="utf-8")


def system_prompt(name: str, schema: type[BaseModel], *, structured: bool, shot: Shot | None = None) -> str:
    """The `.md` prompt with the safety rules, screenshot size and (unless the API enforces it) the schema."""
    if structured:
        schema_text = "The API enforces the JSON schema; read its field descriptions."
    else:
        schema_text = "It must follow this JSON schema:\n" + json.dumps(
            schema.model_json_schema(), separators=(",", ":")
        )
    return Template(_read(name)).safe_substitute(
        safety=_read("_safety"),
        schema=schema_text,
        width=shot.width if shot else "?",
        height=shot.height if shot else "?",
    )


def untrusted(text: str | None, limit: int = 1500) -> str:
    """Page-controlled text inside a fence it cannot break out of."""
    cleaned = re.sub(r"</?\s*untrusted-page-content\s*>", "[tag removed]", text or "", flags=re.I)
    cleaned = cleaned[:limit] + (" [cut]" if len(cleaned) > limit else "")
    return f"<untrusted-page-content>\n{cleaned or '(none)'}\n</untrusted-page-content>"


def _label(text: str) -> str:
    return json.dumps(" ".join(text.split())[:80], ensure_ascii=False)


def candidate_lines(candidates: list[ObserveResult], shot: Shot, *, touch: bool = False) -> str:
    """`[3] button "Play now" at x=360-440, y=300-330` in screenshot pixels; one line each."""
    lines = []
    for number, candidate in enumerate(candidates, start=1):
        where = ""
        if candidate.bbox is not None:
            box = candidate.bbox
            x1, y1 = shot.from_page(box.x, box.y)
            x2, y2 = shot.from_page(box.x + box.width, box.y + box.height)
            where = f" at x={x1}-{x2}, y={y1}-{y2}"
        how = f" (press {candidate.arguments[0]})" if candidate.method == "press" and candidate.arguments else ""
        frame = " in an embedded frame" if candidate.frame_url else ""
        lines.append(
            f"[{number}] {candidate.kind} {_label(candidate.text or candidate.description)}{where}{how}{frame}"
        )
    if not lines:
        if touch:
            return "(no candidates: use tap_xy, swipe, long_press, press, wait or restart)"
        return "(no candidates: use click_xy, press, wait or restart)"
    return "Candidates (labels are page content):\n" + "\n".join(lines)


def image_part(shot: Shot) -> dict[str, Any]:
    encoded = base64.b64encode(shot.data).decode("ascii")
    return {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{encoded}"}}


def text_part(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}
