"""Shrinking a reproduction: the fewest actions, and the fewest repeats per action, that still fail.

1. Steps that started after the issue was first seen cannot have caused it: cut (checked by one replay).
2. ddmin (Zeller's delta debugging) over the remaining steps.
3. Neighbouring presses of one key become one (`press ArrowLeft` + `press ArrowLeft x3` -> x4), then ddmin again.
4. Each `press K xN` is cut to the smallest N that still fails (binary search).

Every candidate is a real replay (`test(steps) -> bool`); answers are cached by candidate, and the
whole search stops when its time budget runs out, keeping the smallest list proven so far.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

from .model import Repro, ReproStep

Test = Callable[[list[ReproStep]], Awaitable[bool]]
MAX_TIMES = 20


class OutOfBudget(Exception):
    pass


class Shrinker:
    def __init__(
        self, test: Test, *, budget_s: float, log: Callable[[str], None] | None = None, parallel: int = 1
    ) -> None:
        self._test = test
        self.parallel = max(1, parallel)
        self.deadline = time.monotonic() + budget_s
        self.log = log or (lambda _line: None)
        self.cache: dict[tuple[tuple[int, int], ...], bool] = {}
        self.tests = 0

    @staticmethod
    def _key(steps: Sequence[ReproStep]) -> tuple[tuple[int, int], ...]:
        return tuple((s.index, s.times()) for s in steps)

    async def test(self, steps: list[ReproStep]) -> bool:
        return (await self.first_failing([steps])) == 0

    async def first_failing(self, candidates: list[list[ReproStep]]) -> int | None:
        """Index of the first candidate that still fails; `parallel` replays at a time, in order."""
        for start in range(0, len(candidates), self.parallel):
            batch = candidates[start : start + self.parallel]
            todo = [c for c in batch if self._key(c) not in self.cache]
            if todo:
                if time.monotonic() >= self.deadline:
                    raise OutOfBudget
                self.tests += len(todo)
                answers = await asyncio.gather(*(self._test(c) for c in todo))
                for candidate, ok in zip(todo, answers, strict=True):
                    self.cache[self._key(candidate)] = ok
                    what = ", ".join(s.label() for s in candidate) if len(candidate) <= 4 else f"{len(candidate)} steps"
                    self.log(f"  try [{what}]: {'issue back (kept)' if ok else 'no issue'}")
            for offset, candidate in enumerate(batch):
                if self.cache[self._key(candidate)]:
                    return start + offset
        return None

    # --------------------------------------------------------------------------------------- passes
    async def ddmin(self, items: list[ReproStep]) -> list[ReproStep]:
        n = 2
        while len(items) >= 2:
            chunks = _split(items, n)
            found = await self.first_failing(chunks)
            if found is not None:
                items, n = chunks[found], 2
                continue
            if len(chunks) > 2:  # with two chunks the complements are the chunks themselves
                rests = [[s for j, c in enumerate(chunks) if j != i for s in c] for i in range(len(chunks))]
                found = await self.first_failing(rests)
                if found is not None:
                    items, n = rests[found], max(n - 1, 2)
                    continue
            if n >= len(items):
                break
            n = min(len(items), 2 * n)
        return items

    async def coalesce(self, items: list[ReproStep]) -> list[ReproStep]:
        merged = merge_presses(items)
        if len(merged) < len(items) and await self.test(merged):
            return merged
        return items

    async def fewer_times(self, items: list[ReproStep]) -> list[ReproStep]:
        for pos in range(len(items)):
            step = items[pos]
            if step.times() <= 1:
                continue
            low, high = 1, step.times()  # high fails for sure; find the smallest that still fails
            while low < high:
                mid = (low + high) // 2
                candidate = [*items[:pos], with_times(step, mid), *items[pos + 1 :]]
                if await self.test(candidate):
                    high = mid
                else:
                    low = mid + 1
            if high != step.times():
                items = [*items[:pos], with_times(step, high), *items[pos + 1 :]]
        return items

    async def shrink(self, steps: list[ReproStep], issue_at_s: float | None) -> list[ReproStep] | None:
        """The smallest failing list found within the budget; None when even the whole list passes."""
        best = steps
        try:
            before = [s for s in steps if issue_at_s is None or s.at_s <= issue_at_s]
            if before and len(before) < len(steps) and await self.test(before):
                best = before
            elif not await self.test(steps):
                return None
            best = await self.ddmin(best)
            if len(best) == 1 and await self.test([]):
                return []  # the game fails by itself once loaded
            merged = await self.coalesce(best)
            if len(merged) < len(best):
                best = await self.ddmin(merged)
            best = await self.fewer_times(best)
        except OutOfBudget:
            if not self.cache:
                return None
            self.log("  (time budget used up: keeping the smallest list proven so far)")
        return best


def _split(items: list[ReproStep], n: int) -> list[list[ReproStep]]:
    size, extra = divmod(len(items), n)
    chunks, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        if end > start:
            chunks.append(items[start:end])
        start = end
    return chunks


def with_times(step: ReproStep, times: int) -> ReproStep:
    action = {**step.action, "times": times}
    description = f"press {action['key']}" + (f" x{times}" if times > 1 else "")
    return step.model_copy(update={"action": action, "description": description})


def merge_presses(items: list[ReproStep]) -> list[ReproStep]:
    """Neighbouring presses of the same key as one press with the repeats added up (at most 20)."""
    out: list[ReproStep] = []
    for step in items:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.action.get("type") == "press"
            and step.action.get("type") == "press"
            and prev.action.get("key") == step.action.get("key")
            and prev.times() + step.times() <= MAX_TIMES
        ):
            out[-1] = with_times(prev, prev.times() + step.times())
            continue
        out.append(step)
    return out


def minimal_repro(repro: Repro, steps: list[ReproStep]) -> Repro:
    return repro.model_copy(update={"steps": steps, "shrunk_from": len(repro.steps)})
