"""What the player does to the page besides playing: dialogs answered, popups closed, a zoomed page fitted.

A game's `alert()` would block it and an ad's new tab would take the player away: both are dealt with
at once, in the background, and written to the console log so the report says what happened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Dialog

#: what a `prompt()` dialog is answered with (a name is what games ask for)
PROMPT_ANSWER = "player"


def keep_on_game(
    page: Any,
    *,
    now: Callable[[], float],
    log: Callable[[str], None],
    dialogs: list[str],
    background: Callable[[Awaitable[Any]], Any],
) -> None:
    """Accept every dialog (kept in `dialogs`) and close every popup window of `page`."""

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message[:200]}")
        log(f"[{now():7.2f}s] dialog {dialog.type} accepted: {dialog.message}")
        answer = PROMPT_ANSWER if dialog.type == "prompt" else None
        background(dialog.accept(answer) if answer else dialog.accept())

    def on_popup(popup: Any) -> None:
        """Ads open new tabs: the player stays on the game."""
        log(f"[{now():7.2f}s] closed a popup window")
        background(popup.close())

    page.on("dialog", on_dialog)
    page.on("popup", on_popup)


async def fit_zoomed_page(session: Any, policy: Any, log: Callable[[str], None]) -> None:
    """A phone showing a desktop page zoomed out: the player aims in the page's own pixels."""
    if await session.fit_zoomed_page():
        policy.viewport = session.viewport
        width, height = session.viewport
        log(f"gameqa: the page has no mobile viewport and is shown zoomed out: playing it as {width}x{height}")
