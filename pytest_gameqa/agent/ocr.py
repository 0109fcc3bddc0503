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
from typing import Any

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


def read_image(image: bytes, scale: float = 1.0) -> list[DrawnText]:
    """Text lines in an encoded image (PNG/JPEG), with boxes in page CSS pixels (image px / scale)."""
    engine = _get_engine()
    with _lock:  # one inference at a time: two would only fight for the same two cores
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
    try:
        return await asyncio.wait_for(asyncio.to_thread(read_image, image, scale), timeout)
    except Exception:
        return []
