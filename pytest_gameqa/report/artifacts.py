"""Where a test's evidence goes and what the files are called (`NN-before-<slug>.jpg`)."""

from __future__ import annotations

import re
from pathlib import Path


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
