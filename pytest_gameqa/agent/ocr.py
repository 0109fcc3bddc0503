"""Reading text from pixels (bitmap fonts, WebGL) with RapidOCR, when the `ocr` extra is installed.

OCR costs about a second a frame on 2 cores, so the player runs it only on a new screen it cannot read
otherwise, or on one it is stuck on, never per frame, and in a worker thread so the game's monitor
keeps running. `pip install pytest-gameqa[ocr]` adds it (rapidocr, onnxruntime, OpenCV: ~115 MB of
wheels, its models ship inside the rapidocr wheel, nothing is downloaded at run time).
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Error as PlaywrightError

from ..browser.session import PageHung
from ..dom.detector import DrawnText
from ..models import BoundingBox

MIN_SCORE = 0.6
_lock = threading.Lock()
_engine: Any = None
_missing = False


def available() -> bool:
    """True when rapidocr and its runtime are installed (found, not imported: importing takes a second)."""
    global _missing
    if _missing:
        return False
    _missing = any(importlib.util.find_spec(name) is None for name in ("rapidocr", "onnxruntime", "cv2"))
    return not _missing


def _get_engine() -> Any:
    global _engine
    with _lock:
        if _engine is None:
            for name in ("RapidOCR", "rapidocr"):
                logging.getLogger(name).setLevel(logging.WARNING)
            from rapidocr import RapidOCR

            # one thread: the game's renderer needs the other core while OCR reads
            _engine = RapidOCR(
                params={
                    "Global.log_level": "warning",
                    "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                }
            )
            for name in ("RapidOCR", "rapidocr"):
                logging.getLogger(name).setLevel(logging.WARNING)
        return _engine


def read_image(image: bytes, scale: float = 1.0, abandoned: threading.Event | None = None) -> list[DrawnText]:
    """Text lines in an encoded image (PNG/JPEG), with boxes in page CSS pixels (image px / scale).

    `abandoned` set while the reading waits for the engine: it reads nothing (see `read_screen`)."""
    engine = _get_engine()
    with _lock:  # one inference at a time: two would only fight for the same two cores
        if abandoned is not None and abandoned.is_set():
            return []
        result = engine(image)
    texts = getattr(result, "txts", None) or ()
    scores = getattr(result, "scores", None) or ()
    boxes = getattr(result, "boxes", None)
    out: list[DrawnText] = []
    for i, text in enumerate(texts):
        if i >= len(scores) or scores[i] < MIN_SCORE or boxes is None or not str(text).strip():
            continue
        xs = [float(p[0]) / scale for p in boxes[i]]
        ys = [float(p[1]) / scale for p in boxes[i]]
        box = BoundingBox(x=min(xs), y=min(ys), width=max(xs) - min(xs), height=max(ys) - min(ys))
        out.append(DrawnText(text=str(text).strip()[:160], bbox=box, source="ocr"))
    return out


async def read_screen(image: bytes, scale: float = 1.0, timeout: float = 8.0) -> list[DrawnText]:
    """`read_image` in a worker thread, bounded; an OCR failure reads nothing rather than failing the game."""
    abandoned = threading.Event()
    try:
        return await asyncio.wait_for(asyncio.to_thread(read_image, image, scale, abandoned), timeout)
    except Exception:
        return []
    finally:
        # a reading timed out or cancelled (the game stopped) still holds its worker thread, and the
        # session loop's end waits for every such thread: one still queued for the engine now returns
        # at once, so the run's end waits for one inference at most, not for each reading left
        abandoned.set()


#: OCR at most this often, and this many times a game (about a second each on 2 cores)
OCR_EVERY_S = 4.0
OCR_MAX = 8
#: a player stuck after this many ways in tried reads the screen's pixels even when it has text
STUCK_TRIES = 6
#: a re-reading after an action waits this long first: the game finishes its screen change
SETTLE_S = 0.4
#: (how, when, gate): the action on a gate read from pixels, whose effect a re-reading checks
After = tuple[str, float, str]


class PixelReader:
    """When to read a game's screen from pixels, and what the readings say; one per game test.

    It reads a screen the player cannot read otherwise (a canvas with no text found), or one it is
    stuck on, never per frame, at most `OCR_MAX` times, in the background: the player goes on trying
    ways in meanwhile, and what OCR read (`texts`) joins the next looks until the screen changes.
    After an action on a gate that was read from pixels, only a new reading can tell whether the
    action removed it: `recheck()` schedules one, and `on_gate_gone` hears when the gate is gone.
    """

    def __init__(
        self,
        *,
        enabled: bool,
        clock: Any,
        screenshot: Callable[[], Awaitable[bytes]],
        spawn: Callable[[Awaitable[None]], asyncio.Future[None]],
        entered: Callable[[], bool],
        on_gate_gone: Callable[[str, float, str, list[DrawnText]], None],
        log: Callable[[str], None],
        read: Callable[[bytes], Awaitable[list[DrawnText]]] = read_screen,
        installed: Callable[[], bool] = available,
    ) -> None:
        self.enabled = enabled
        self.clock = clock
        self.screenshot = screenshot
        self.spawn = spawn
        self.entered = entered
        self.on_gate_gone = on_gate_gone
        self.log = log
        self.read = read
        self.installed = installed
        self.texts: list[DrawnText] = []
        self.runs = 0
        self._at: float | None = None
        self._task: asyncio.Future[None] | None = None
        self._wanted: After | None = None

    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def maybe_read(self, gate: str | None, has_text: bool, has_canvas: bool, tried: int) -> None:
        """Before a step: read this screen when the player cannot read it or is stuck on it."""
        if self.entered() or not self.enabled or self.runs >= OCR_MAX or self.busy():
            return
        now = self.clock.elapsed()
        if self._at is not None and now - self._at < OCR_EVERY_S:
            return
        unreadable = gate is None and not has_text and has_canvas
        stuck = self.runs > 0 or tried >= STUCK_TRIES
        if not (unreadable or stuck) or not self.installed():
            return
        self._start(now, None)

    def after_action(self, gate_gone: bool, gate: str | None, how: str, at_s: float) -> None:
        """After an action: a new screen forgets the old readings; an action on a gate read from
        pixels gets a re-reading (or the running one re-checks it when done)."""
        if gate_gone:
            self.texts = []  # a new screen: what OCR read on the old one is gone
        elif self.texts and gate is not None and gate in {t.text for t in self.texts} and not self.entered():
            self._wanted = (how, at_s, gate)
            if self.runs < OCR_MAX and not self.busy():
                self._start(self.clock.elapsed(), (how, at_s, gate))

    def _start(self, now: float, after: After | None) -> None:
        self._at = now
        self.runs += 1
        self._task = self.spawn(self._read_pixels(after))
        self._task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def _read_pixels(self, after: After | None = None) -> None:
        """OCR one screenshot; `after`: a re-reading after an action on a pixel-read gate."""
        if after is not None:
            await self.clock.sleep(SETTLE_S)
        try:
            image = await self.screenshot()
        except (PageHung, PlaywrightError):
            return
        texts = await self.read(image)
        self.log(f"[{self.clock.now():7.2f}s] OCR read: " + (" | ".join(t.text for t in texts) or "nothing"))
        if self.entered():
            return
        if after is None:
            if texts:
                self.texts = texts
            return
        how, at_s, gate = after
        if gate not in {t.text for t in texts}:
            self.texts = texts
            self.on_gate_gone(how, at_s, gate, texts)
        elif self._wanted is not None and self._wanted != after:
            wanted, self._wanted = self._wanted, None
            if self.runs < OCR_MAX:
                self.runs += 1
                await self._read_pixels(after=wanted)
