"""The model cache: what observe()/act() resolved to, replayed on the next run without a model call.

Keyed by the page's path, the method, the instruction and a fingerprint of the page's interactive
elements, so a scripted test that runs against an unchanged game makes no model calls at all (fast,
free and deterministic in CI). An entry is only trusted while its selectors still match something on
the page; when they do not, the caller asks the model again and overwrites the entry.
One small JSON file per entry, written atomically, so parallel workers never corrupt each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from ..agent.actions import Action
from ..dom.detector import PageView
from ..models import ObserveResult

VERSION = 1
ACTION = TypeAdapter(Action)


def url_path(url: str | None) -> str | None:
    """The part of a URL that survives a new run (local servers get a new port every session)."""
    if url is None:
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def portable(result: ObserveResult) -> dict[str, Any]:
    return result.model_copy(update={"frame_url": url_path(result.frame_url)}).model_dump(mode="json")


def resolve(stored: ObserveResult, view: PageView) -> ObserveResult | None:
    """The candidate on the page now that a cached result stands for, or None when it is gone."""
    if stored.selector is None:
        return stored if stored.kind == "key" else None
    wanted_frame = url_path(stored.frame_url)
    for candidate in view.candidates:
        if candidate.selector == stored.selector and url_path(candidate.frame_url) == wanted_frame:
            return candidate.model_copy(update={"score": stored.score})
    return None


def restore_action(data: dict[str, Any], view: PageView, viewport: tuple[int, int]) -> Action | None:
    """A cached action made runnable on the current page, or None when its target no longer resolves."""
    try:
        action = ACTION.validate_python(data)
    except ValidationError:
        return None
    point = action.point
    if point is not None and not getattr(action, "target", None):  # a raw point must still be on screen
        if not (0 <= point[0] < viewport[0] and 0 <= point[1] < viewport[1]):
            return None
    return action.retarget(lambda stored: resolve(stored, view))  # type: ignore[return-value]


def portable_action(action: Action) -> dict[str, Any]:
    data = ACTION.dump_python(action, mode="json")
    target = getattr(action, "target", None)
    if isinstance(target, ObserveResult):
        data["target"] = portable(target)
    return data


class ActionCache:
    """`folder=None` turns the cache off (`--game-cache off`)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    @staticmethod
    def key(page_url: str, method: str, instruction: str, view: PageView) -> str:
        raw = json.dumps(
            [VERSION, url_path(page_url), method, " ".join(instruction.lower().split()), view.fingerprint()]
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:40]

    def _file(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        try:
            data = json.loads(self._file(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("version") == VERSION else None

    def put(self, key: str, page_url: str, method: str, instruction: str, view: PageView, **entry: Any) -> None:
        if self.folder is None:
            return
        data = {
            "version": VERSION,
            "path": url_path(page_url),
            "method": method,
            "instruction": instruction,
            "fingerprint": view.fingerprint(),
            "written_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            **entry,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1)
            os.replace(tmp, self._file(key))
        except OSError:
            pass  # a read-only checkout still runs, it just asks the model every time
