"""Replaying recorded actions in a game test: what a generated `test_repro.py` calls.

    replay = Replay(game_agent, ISSUE, origin=ORIGIN)
    await replay.step(1.87, {"type": "press", "key": "Enter", "times": 1})  # 1. press Enter
    await replay.settle(2.5)

Each step waits for the recorded gap since the previous step (capped), rebuilds the action from its
JSON (`TypeAdapter(Action)`) and runs it with `game_agent.perform`. Nothing else is played: no
autonomous player. Once the issue is back (or the game died) the remaining steps are skipped; the
plugin then fails the test on the issue, as for any game test.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..agent.agent import GameAgent, GameStopped
from ..browser.session import PageHung, origin_of
from ..files import swap_prefix
from ..models import Issue, IssueKind
from .model import issue_key, rebuild

__all__ = ["CRASH_WAIT_S", "GAP_CAP_S", "SETTLE_S", "Replay", "deterministic_script", "matches", "rebase", "rebuild"]

#: the longest recorded gap between two steps that a replay keeps (a shrunk list can have long holes)
GAP_CAP_S = 5.0
#: after the last step, how long to wait for delayed errors
SETTLE_S = 2.5
#: a crash comes seconds after its trigger (a runaway allocation must fill the heap first, ~3 s here and
#: more on a busy machine): a replay looking for one waits this long after its last step (less once it came)
CRASH_WAIT_S = 12.0

#: deterministic mode: Math.random seeded (mulberry32) in every frame, before the game's own scripts
DETERMINISTIC_JS = """(() => {
  let s = %d >>> 0;
  Math.random = function random() {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})();"""


def deterministic_script(seed: int) -> str:
    return DETERMINISTIC_JS % (int(seed) & 0xFFFFFFFF)


def rebase(action: dict[str, Any], recorded_origin: str | None, origin: str) -> dict[str, Any]:
    """Point frame URLs recorded on the old origin (a local server's port) at the game's origin now."""
    if not recorded_origin or recorded_origin == origin:
        return action
    return swap_prefix(action, recorded_origin, origin, "/?#")


def matches(issue: Issue, target: dict[str, Any]) -> bool:
    """Same kind and fingerprint (a local server's port does not count)."""
    want = issue_key(target["kind"], target.get("message", ""), target.get("location"), target.get("fingerprint"))
    got = issue_key(issue.kind.value, issue.message, issue.location, issue.fingerprint)
    return want == got


class Replay:
    """Runs recorded steps on a loaded game with their recorded timing; stops once the issue is back."""

    def __init__(
        self,
        agent: GameAgent,
        issue: dict[str, Any],
        *,
        origin: str | None = None,
        gap_cap_s: float = GAP_CAP_S,
        crash_wait_s: float = CRASH_WAIT_S,
    ) -> None:
        self.agent = agent
        self.issue = issue
        self.recorded_origin = origin
        self.gap_cap_s = gap_cap_s
        self.crash_wait_s = crash_wait_s
        self.prev_at: float | None = None
        self.prev_start = 0.0
        self.stopped = False
        agent.played = True  # only the listed actions: never the autonomous player after the body

    # --------------------------------------------------------------------------------------- state
    def reproduced(self) -> bool:
        return any(matches(i, self.issue) for i in self.agent.issues)

    def done(self) -> bool:
        return self.stopped or self.reproduced() or any(i.fatal for i in self.agent.issues)

    async def _sleep_until(self, clock_s: float) -> None:
        while not self.done():
            left = clock_s - self.agent.clock.now()
            if left <= 0:
                return
            await asyncio.sleep(min(0.1, left))

    # --------------------------------------------------------------------------------------- steps
    async def step(self, at_s: float, action: dict[str, Any]) -> None:
        """Wait the recorded gap (capped), then perform the action; nothing once the issue is back."""
        if self.done():
            return
        if self.prev_at is None:
            target = min(at_s, self.gap_cap_s)
        else:
            target = self.prev_start + min(max(0.0, at_s - self.prev_at), self.gap_cap_s)
        await self._sleep_until(target)
        if self.done():
            return
        self.prev_at, self.prev_start = at_s, self.agent.clock.now()
        origin = origin_of(self.agent.url)
        try:
            await self.agent.perform(rebuild(rebase(action, self.recorded_origin, origin)), policy="replay")
        except GameStopped:
            self.stopped = True

    async def settle(self, seconds: float = SETTLE_S) -> None:
        """Wait for delayed errors after the last step; for a crash `crash_wait_s`; for a hang, as long
        as the watchdog needs."""
        if self.done():
            return
        if self.issue.get("kind") == IssueKind.CRASH.value:
            seconds = max(seconds, self.crash_wait_s)
        deadline = time.monotonic() + seconds
        while not self.done() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        if self.done() or self.issue.get("kind") != IssueKind.FREEZE.value:
            return
        # a freeze: only a page that stopped answering can still turn into one; an answering page is fine
        hang = self.agent.settings.hang_timeout
        if "did not answer" in str(self.issue.get("message", "")):
            try:
                await self.agent.session.evaluate("1", timeout=1.0)
                return
            except PageHung:
                pass
            except Exception:
                return
        deadline = time.monotonic() + hang + 3.0
        while not self.done() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
