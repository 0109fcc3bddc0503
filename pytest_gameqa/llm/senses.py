"""Senses: all the model player may see of a game test and do in it, handed over by the agent.

The model player never holds the agent: it gets these few functions and facts (a screenshot, a look at
the page, an action run through the agent's evidence, the reach facts, a line for the log), so what it
can touch is written down here, and it can be driven by a test without a browser.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..dom.detector import PageView
from ..models import ActionResult, Issue, IssueKind, Reach


@dataclass(frozen=True)
class Senses:
    #: seconds since the game started (the issues' clock)
    now: Callable[[], float]
    #: an image of the page: (format, scale, quality) -> bytes; raises PageHung when the page hangs
    screenshot: Callable[[str, float, int], Awaitable[bytes]]
    #: the page's viewport in CSS pixels
    viewport: Callable[[], tuple[int, int]]
    #: a bounded page evaluation (js, timeout, arg) -> result
    evaluate: Callable[[str, float, Any], Awaitable[Any]]
    #: the page's address, None before it is open
    url: Callable[[], str | None]
    #: one look at the page: candidates, text, the game's state
    look: Callable[[], Awaitable[PageView]]
    #: run an action with its screenshot pair: (action, policy, mark) -> result
    perform: Callable[[Any, str, bool], Awaitable[ActionResult]]
    #: how far the player got: the facts the built-in player goes by
    reach: Callable[[], Reach]
    #: how far the player got once in (numbers moved, screens reached), for the prompt; "" before
    progress: Callable[[], str]
    #: a line for the console log
    log: Callable[[str], None]
    #: record an issue (None when the monitor drops it as a duplicate or ignored)
    record: Callable[[IssueKind, str], Issue | None]
    #: the game can no longer be played (crash, hang, time limit)
    fatal: Callable[[], bool]
    #: what the run gathered, for the judge: (actions, issues, console log)
    evidence: Callable[[], tuple[list[ActionResult], list[Issue], list[str]]]
    #: the agent's event loop, once started (the judge runs on it from pytest's sync call phase)
    loop: Callable[[], asyncio.AbstractEventLoop | None]
    #: the context has a touch screen: the player taps instead of clicking
    touch: bool = False
