"""Paths and file writes shared by every report: relative paths one way, atomic writes one way.

Reports name artifacts relative to something (the results file's folder, a test's evidence folder,
the directory pytest runs in); readers of a half-written JSON file would see garbage, so every
report file is written to a temporary file next to it and renamed over the target.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def relative(path: str | None, base: str | Path) -> str | None:
    """`path` relative to the folder `base`, with `/` separators; as given when empty or on another drive."""
    if not path:
        return path
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive on Windows
        return path


def relative_to_cwd(path: str) -> str:
    """Relative to where pytest runs when the file is inside it (the same on any CI machine), else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def write_atomic(target: Path, text: str) -> Path:
    """Write `text` to `target` so a reader sees the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def swap_prefix(value: Any, old: str, new: str, separators: str = "/" + os.sep) -> Any:
    """`value` (a string, or lists and dicts of them) with every string under `old` moved under `new`.

    "Under" means equal to `old` or continuing it after one of `separators`, so `/out` never matches
    `/output` and `http://127.0.0.1:80` never matches `http://127.0.0.1:8080`. Used for a shard's output
    folder in stored records (merge) and for a recorded local origin in replayed actions.
    """
    if isinstance(value, str):
        if value == old or (value.startswith(old) and value[len(old)] in separators):
            return new + value[len(old) :]
        return value
    if isinstance(value, list):
        return [swap_prefix(v, old, new, separators) for v in value]
    if isinstance(value, dict):
        return {k: swap_prefix(v, old, new, separators) for k, v in value.items()}
    return value
