"""pytest-playwright's context options for game tests: `--device`, `browser_context_args`, a `device=` marker.

pytest-playwright's own `browser_context_args` needs its sync `playwright` fixture, which cannot run
beside asyncio tests (it starts a second event loop in the main thread). This module is registered as a
plugin after pytest-playwright, so its `browser_context_args` replaces that base with one that gives the
same options without Playwright's sync API (the device table is read in a thread, see
browser/devices.py). A user's override in a conftest (`{**browser_context_args, "locale": "de-DE"}`)
still stacks on top, and game tests honour it.
"""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..settings import GameSettings


def lookup(name: str) -> Any:
    """Playwright's device table (browser/devices.py), read only when a device is named."""
    from ..browser.devices import lookup as device_lookup

    return device_lookup(name)


#: context options recorded by pytest-playwright's own capture, handled for game tests by report/capture.py
_CAPTURE_KEYS = ("record_video_dir", "record_video_size")


@pytest.fixture(scope="session")
def browser_context_args(
    pytestconfig: pytest.Config,
    device: str | None,
    base_url: str | None,
    _pw_artifacts_folder: tempfile.TemporaryDirectory,
) -> dict[str, Any]:
    """pytest-playwright's base options (device, base URL, video folder), without its sync Playwright."""
    context_args: dict[str, Any] = {}
    if device:
        try:
            context_args.update(lookup(device).context_args())
        except LookupError as error:
            raise pytest.UsageError(f"gameqa: --device names an {error}") from None
    if base_url:
        context_args["base_url"] = base_url
    if pytestconfig.getoption("--video", "off") in ("on", "retain-on-failure"):
        context_args["record_video_dir"] = _pw_artifacts_folder.name
    return context_args


def game_context(
    base_args: dict[str, Any], settings: GameSettings, cli_device: str | None
) -> tuple[dict[str, Any], GameSettings]:
    """A game test's context options and its settings with the viewport the game really gets.

    `base_args` is `browser_context_args` (with any user override). A device named elsewhere than
    `--device` (marker `device=`, GAMEQA_DEVICE, ini) is applied on top of it; a device or
    browser_context_args viewport wins over `--game-viewport`, because a phone's screen is the point.
    """
    args = {key: value for key, value in base_args.items() if key not in _CAPTURE_KEYS}
    if settings.device and settings.device != cli_device:
        args.update(lookup(settings.device).context_args())
    viewport = args.get("viewport")
    if isinstance(viewport, dict) and viewport.get("width") and viewport.get("height"):
        size = (int(viewport["width"]), int(viewport["height"]))
        if size != settings.viewport:
            settings = settings.model_copy(update={"viewport": size})
    args["viewport"] = {"width": settings.viewport[0], "height": settings.viewport[1]}
    return args, settings
