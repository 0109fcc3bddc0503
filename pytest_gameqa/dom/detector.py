"""UIDetector: what can the player do right now? Works without a model, in every frame.

It reads the DOM of every frame (buttons, links, clickable-looking elements, canvases, text prompts
such as "click to start"), maps boxes to page coordinates and ranks them against an instruction.
Off-origin links are never offered: an ad must not take the player away from the game.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page
from pydantic import BaseModel, Field

from ..agent.keys import key_from_instruction, key_from_prompt
from ..browser.session import PageHung, bounded
from ..models import BoundingBox, ObserveResult

DETECT_JS = (Path(__file__).parent / "detect.js").read_text(encoding="utf-8")

START_WORDS = re.compile(
    r"\b(start|play|begin|continue|resume|new game|play again|try again|restart|retry|let'?s go|go|"
    r"ok|okay|yes|next|skip|accept|enter|jouer|jugar|spielen|commencer|empezar|iniciar|starten)\b",
    re.I,
)
RESTART_WORDS = re.compile(r"\b(play again|try again|restart|retry|new game|replay|again|continue)\b", re.I)
GAME_OVER = re.compile(
    r"game\s*over|you (lose|lost|died|win|won)|try again|play again|final score|\bdefeat\b|\bwinner\b", re.I
)
_STOP = {"the", "a", "an", "find", "click", "on", "button", "to", "or", "and", "of", "press", "key", "tap", "it"}


class DrawnText(BaseModel):
    """A piece of text drawn on a canvas (read by the fillText hook) or read from pixels (OCR)."""

    text: str
    bbox: BoundingBox
    source: str = Field(default="canvas", description="canvas (fillText/strokeText) or ocr")


class PageView(BaseModel):
    """One look at the page: every candidate in every frame, plus its text and test hooks."""

    candidates: list[ObserveResult] = Field(default_factory=list)
    screen_text: str = ""
    drawn: list[DrawnText] = Field(default_factory=list, description="text on canvases and from OCR")
    state: str | None = None
    has_advance_time: bool = False
    #: what the game draws and which DOM elements changed (dom/scene.js): [key, numbers, label?] per thing
    scene: list[list[Any]] = Field(default_factory=list, description="things drawn now, see agent/scene.py")
    pointer_lock: bool = False
    #: code the page shows as examples (<code> elements): what a coding puzzle asks to be typed
    codes: list[str] = Field(default_factory=list)
    #: a text field has the focus: keys type into it (their echo there is no reaction of the game)
    typing: bool = False
    #: the top page's scroll offset (scene boxes are in viewport pixels)
    scroll: tuple[float, float] = (0.0, 0.0)
    #: when the scene's latest frame was drawn, on the page's clock (s): speeds are measured in it
    scene_at: float | None = None

    @property
    def all_text(self) -> str:
        """Everything the player can read: the DOM's text and the text drawn on canvases."""
        drawn = " | ".join(d.text for d in self.drawn)
        return f"{self.screen_text} | {drawn}" if drawn and self.screen_text else (drawn or self.screen_text)

    @property
    def canvases(self) -> list[ObserveResult]:
        return sorted(
            (c for c in self.candidates if c.kind == "canvas"),
            key=lambda c: -(c.bbox.width * c.bbox.height if c.bbox else 0),
        )

    @property
    def game_over(self) -> bool:
        if self.state and re.search(
            r'"(phase|state|status|mode)"\s*:\s*"(game\s*over|gameover|over|dead|lost)"', self.state, re.I
        ):
            return True
        return bool(GAME_OVER.search(self.all_text))

    def fingerprint(self) -> str:
        """Stable across frames of the same screen: used for caching and 'nothing changed' checks."""
        return "|".join(sorted(f"{c.kind}:{c.text}" for c in self.candidates if c.kind != "prompt"))


class UIDetector:
    def __init__(self, max_items: int = 60, timeout: float = 2.5) -> None:
        self.max_items = max_items
        self.timeout = timeout

    async def scan(self, page: Page) -> PageView:
        view = PageView()
        texts: list[str] = []
        frames = [f for f in page.frames if not f.is_detached()]
        results = await asyncio.gather(*(self._scan_frame(page, f) for f in frames), return_exceptions=True)
        for frame, result in zip(frames, results, strict=True):
            if isinstance(result, PageHung):
                raise result
            if isinstance(result, BaseException) or result is None:
                continue
            data, offset = result
            frame_url = None if frame.parent_frame is None else frame.url
            for item in data["items"]:
                if item["offOrigin"] or item["disabled"]:
                    continue
                box = BoundingBox(
                    x=item["x"] + offset[0], y=item["y"] + offset[1], width=item["width"], height=item["height"]
                )
                view.candidates.append(self._to_result(item, box, frame_url))
            for cell in (data.get("cells") or [])[:160]:
                box = BoundingBox(
                    x=cell["x"] + offset[0], y=cell["y"] + offset[1], width=cell["width"], height=cell["height"]
                )
                view.candidates.append(
                    ObserveResult(
                        description=f"click board {cell['board'] + 1} cell r{cell['row'] + 1} c{cell['col'] + 1}"
                        + (f" ({cell['text'][:20]!r})" if cell["text"] else ""),
                        selector=cell["selector"],
                        bbox=box,
                        frame_url=frame_url,
                        kind="cell",
                        text=cell["text"],
                        cell=(cell["board"], cell["row"], cell["col"]),
                        filled=bool(cell["filled"]),
                        look=str(cell.get("look") or ""),
                    )
                )
            if data.get("screenText"):
                texts.append(data["screenText"])
            view.codes.extend(str(c)[:80] for c in (data.get("codes") or [])[:24] if c not in view.codes)
            for item in data.get("drawn") or []:
                box = BoundingBox(
                    x=item["x"] + offset[0], y=item["y"] + offset[1], width=item["width"], height=item["height"]
                )
                view.drawn.append(DrawnText(text=item["text"], bbox=box))
            scene = data.get("scene") or {}
            prefix = "" if frame.parent_frame is None else f"f{frames.index(frame)}:"
            for thing in (scene.get("things") or [])[:1500]:
                key, values = str(thing[0]), list(thing[1] or [])
                if offset != (0.0, 0.0) and key[:1] in "cd" and len(values) >= 2:
                    values[0] += offset[0]
                    values[1] += offset[1]
                view.scene.append([prefix + key, values, *thing[2:3]])
            view.pointer_lock = view.pointer_lock or bool(scene.get("pointerLock"))
            view.typing = view.typing or bool(scene.get("typing"))
            if frame.parent_frame is None and isinstance(scene.get("scroll"), list) and len(scene["scroll"]) == 2:
                view.scroll = (float(scene["scroll"][0]), float(scene["scroll"][1]))
            if frame.parent_frame is None and isinstance(scene.get("at"), (int, float)):
                view.scene_at = float(scene["at"])
            if data.get("state") and view.state is None:
                view.state = data["state"]
            view.has_advance_time = view.has_advance_time or bool(data.get("hasAdvanceTime"))
        view.screen_text = " | ".join(texts)[:3000]
        return view

    async def _scan_frame(self, page: Page, frame: Frame) -> tuple[dict[str, Any], tuple[float, float]] | None:
        offset = (0.0, 0.0)
        if frame.parent_frame is not None:
            try:
                element = await bounded(frame.frame_element(), self.timeout, "a frame")
                box = await bounded(element.bounding_box(), self.timeout, "a frame")
            except (PlaywrightError, PageHung):
                return None
            if not box or box["width"] < 20 or box["height"] < 20:
                return None
            offset = (box["x"], box["y"])
        try:
            data = await bounded(frame.evaluate(DETECT_JS, self.max_items), self.timeout, "the page")
        except PlaywrightError:
            return None
        return data, offset

    @staticmethod
    def _to_result(item: dict[str, Any], box: BoundingBox, frame_url: str | None) -> ObserveResult:
        kind = item["kind"]
        text = item["text"]
        method = "type" if kind == "input" else "click"
        arguments: list[str] = []
        if kind == "prompt":
            key = key_from_prompt(text)
            if key:
                method, arguments = "press", [key]
        label = text or item["tag"]
        description = {
            "canvas": f"click the {int(box.width)}x{int(box.height)} canvas",
            "prompt": f"press {arguments[0]} ({text!r})" if arguments else f"click {label!r}",
            "input": f"type into {label!r}",
        }.get(kind, f"click {label!r}")
        return ObserveResult(
            description=description,
            selector=item["selector"],
            method=method,  # type: ignore[arg-type]
            arguments=arguments,
            bbox=box,
            frame_url=frame_url,
            kind=kind,
            text=text,
            score=-1.0 if item["covered"] and kind != "canvas" else 0.0,
            in_text=bool(item.get("inProse")),
        )

    @staticmethod
    def rank(view: PageView, instruction: str | None = None) -> list[ObserveResult]:
        """Order candidates by how well they fit the instruction (default: getting into the game)."""
        wanted = {w for w in re.findall(r"[a-z0-9']+", (instruction or "").lower()) if w not in _STOP}
        wants_start = not instruction or bool(START_WORDS.search(instruction))
        wants_canvas = "canvas" in wanted or "game area" in (instruction or "").lower()
        ranked: list[ObserveResult] = []
        for candidate in view.candidates:
            words = set(re.findall(r"[a-z0-9']+", candidate.text.lower()))
            score = candidate.score + {"button": 1.0, "prompt": 0.8, "canvas": 0.5, "link": 0.3}.get(
                candidate.kind, 0.1
            )
            score += 2.0 * len(wanted & words)
            if wants_start and START_WORDS.search(candidate.text):
                score += 3.0
            if wanted and RESTART_WORDS.search(candidate.text) and ({"restart", "again", "retry"} & wanted):
                score += 2.0
            if wants_canvas and candidate.kind == "canvas":
                score += 4.0
            if candidate.kind == "prompt" and wants_start and candidate.method == "press":
                score += 1.0
            ranked.append(candidate.model_copy(update={"score": round(score, 2)}))
        key = key_from_instruction(instruction or "")
        if key:
            ranked.append(
                ObserveResult(description=f"press {key}", method="press", arguments=[key], kind="key", score=9.0)
            )
        ranked.sort(key=lambda c: -c.score)
        return ranked
