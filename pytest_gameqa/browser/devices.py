"""Playwright's device table ("Pixel 7", "iPhone 15"): names checked early, descriptors turned into context options.

The table ships inside Playwright's driver bundle and is only reachable through a running driver, so it
is read once per process (about 0.5 s), and only when a device is named: in a worker thread, because
Playwright's sync API refuses to start inside a running event loop.
"""

from __future__ import annotations

import difflib
import threading
from typing import Any

from pydantic import BaseModel, ConfigDict

_TABLE: dict[str, dict[str, Any]] | None = None
_LOCK = threading.Lock()


class Device(BaseModel):
    """One device of Playwright's table, as a game test uses it."""

    model_config = ConfigDict(frozen=True)

    name: str
    viewport: tuple[int, int]
    device_scale_factor: float = 1.0
    is_mobile: bool = False
    has_touch: bool = False
    user_agent: str | None = None

    def context_args(self) -> dict[str, Any]:
        """`browser.new_context(**...)` options, as pytest-playwright's `browser_context_args` gives them."""
        args: dict[str, Any] = {
            "viewport": {"width": self.viewport[0], "height": self.viewport[1]},
            "device_scale_factor": self.device_scale_factor,
            "is_mobile": self.is_mobile,
            "has_touch": self.has_touch,
        }
        if self.user_agent:
            args["user_agent"] = self.user_agent
        return args


def _read_table() -> dict[str, dict[str, Any]]:
    result: dict[str, Any] = {}

    def read() -> None:
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                result["table"] = dict(pw.devices)
        except Exception as error:  # driver missing or broken: said once, with the fix
            result["error"] = error

    thread = threading.Thread(target=read, name="gameqa-devices", daemon=True)
    thread.start()
    thread.join(60)
    if "table" not in result:
        reason = str(result.get("error", "Playwright's driver did not answer within 60 s")).splitlines()[0]
        raise LookupError(f"could not read Playwright's device list ({reason})")
    return result["table"]


def table() -> dict[str, dict[str, Any]]:
    """Every device Playwright knows, by name (read once per process)."""
    global _TABLE
    with _LOCK:
        if _TABLE is None:
            _TABLE = _read_table()
        return _TABLE


def lookup(name: str) -> Device:
    """The named device; raises LookupError whose message suggests the closest names."""
    devices = table()
    found = devices.get(name)
    if found is None:
        folded = {key.lower(): key for key in devices}
        key = folded.get(name.strip().lower())
        found = devices.get(key) if key else None
        name = key or name
    if found is None:
        close = difflib.get_close_matches(name, list(devices), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "see playwright.devices"
        raise LookupError(f"unknown device {name!r}; {hint}")
    viewport = found.get("viewport") or {"width": 1280, "height": 720}
    return Device(
        name=name,
        viewport=(int(viewport["width"]), int(viewport["height"])),
        device_scale_factor=float(found.get("device_scale_factor") or 1.0),
        is_mobile=bool(found.get("is_mobile")),
        has_touch=bool(found.get("has_touch")),
        user_agent=found.get("user_agent"),
    )
