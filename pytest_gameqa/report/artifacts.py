"""Where a test's evidence goes and what the files are called (`NN-before-<slug>.jpg`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from ..models import ActionResult, Issue


def slug(text: str, limit: int = 48) -> str:
    """Lower-case `[a-z0-9-]` only, whatever the page or a model wrote: never a path separator."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:limit].strip("-") or "action"


class Evidence:
    """Writes screenshot pairs into the test's artifact folder."""

    def __init__(self, folder: Path, fmt: str = "jpeg") -> None:
        self.folder = folder
        self.ext = "jpg" if fmt == "jpeg" else "png"

    def path(self, index: int, phase: str, description: str) -> Path:
        return self.folder / f"{index:02d}-{phase}-{slug(description)}.{self.ext}"

    def save(self, index: int, phase: str, description: str, data: bytes) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(index, phase, description)
        target.write_bytes(data)
        return str(target)


def cap_pairs(actions: list[ActionResult], issues: list[Issue], limit: int, keep_shots: Collection[str] = ()) -> int:
    """Keep at most about `limit` screenshot pairs: the first and last ones, those around issues and
    those showing a screenshot named in `keep_shots` (the first in-game screen, the storyboard); delete
    the rest from disk and clear their paths. Returns how many pairs were dropped."""
    if len(actions) <= limit:
        return 0
    keep: set[int] = {a.index for a in actions if a.before in keep_shots or a.after in keep_shots}
    for issue in issues:
        nearest = min(actions, key=lambda a: abs(a.at_s - issue.at_s))
        keep.update({nearest.index - 1, nearest.index, nearest.index + 1})
    spare = max(0, limit - len(keep))
    head = [a.index for a in actions if a.index not in keep][: (spare + 1) // 2]
    tail = [a.index for a in actions if a.index not in keep and a.index not in head]
    keep.update(head)
    keep.update(tail[len(tail) - spare // 2 :] if spare // 2 else [])
    dropped = 0
    for action in actions:
        if action.index in keep:
            continue
        for path in (action.before, action.after):
            if path:
                Path(path).unlink(missing_ok=True)
        action.before = action.after = None
        dropped += 1
    return dropped
