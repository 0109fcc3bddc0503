"""pytest-html extras for a game test (owned by the report work; see issue 4)."""

from __future__ import annotations

from typing import Any


def attach_html(report: Any, record: dict[str, Any], config: Any) -> None:
    """Add the action timeline, issues and metrics to `report.extras` when pytest-html is active."""
    return None
