"""Bounded bookkeeping for issues and the console log: whatever a page logs, memory and reports stay small.

A game that logs a fresh `console.error` every frame ("enemy 123 lost its sprite at frame 4567") is one
defect, not thousands. Issues are grouped by a *fingerprint*: the message with numbers, hex ids,
UUIDs and URL query strings replaced by placeholders, plus the kind and the location (URL with its
line and column, query string folded). A group keeps its first message verbatim, when it was first
(`at_s`) and last (`last_at_s`) seen, and how often (`count`).

Bounds (all O(1) per event, so `_on_console`, called thousands of times a second, stays cheap):
- at most `MAX_ISSUES_PER_KIND` distinct groups per kind; further distinct ones are counted in
  `dropped` (by kind) and not kept. 50 is more than a person reads in a failure message, and 14
  kinds x 50 groups x a 2,000-character message stays well under a megabyte in every report;
- an exact-message cache answers a repeated identical message without regexes or ignore checks;
- the console log keeps its first `CONSOLE_HEAD` and last `CONSOLE_TAIL` lines, each cut to
  `CONSOLE_LINE_CHARS`, with one marker line between them; `ConsoleLog.dropped` counts the rest.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import overload

from ..models import FATAL_KINDS, Issue, IssueKind

#: distinct issue groups kept per kind
MAX_ISSUES_PER_KIND = 50
#: characters kept of an issue's first message
MAX_MESSAGE_CHARS = 2000
#: characters of a normalised message that the fingerprint keeps (4x as many are normalised: bounded work)
FINGERPRINT_CHARS = 500
#: identical (kind, message, location) triples remembered to skip fingerprinting and ignore checks
EXACT_CACHE = 4096
#: distinct dropped fingerprints remembered, so `dropped` counts groups rather than events
DROPPED_MEMORY = 20_000
CONSOLE_HEAD = 500
CONSOLE_TAIL = 1500
CONSOLE_LINE_CHARS = 500
#: console messages per second past which the console is read in samples (see FloodGate)
FLOOD_LIMIT_PER_S = 1000
#: how long the console listener stays off after a flood second
FLOOD_PAUSE_S = 2.0

# Order matters: query strings and UUIDs before hex runs, hex runs before plain numbers.
_QUERY = re.compile(r"(\b[a-zA-Z][\w+.-]*:[^\s?#'\"()<>]*)\?[^\s#'\"()<>]*")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_HEX = re.compile(r"\b0[xX][0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LINE_COL = re.compile(r"(:\d+:\d+)$")
_PARTIAL_TAIL = re.compile(r"[\w#<>-]*$")


def fingerprint_message(message: str) -> str:
    """The message with what changes between repeats of one defect replaced by placeholders."""
    # normalised before it is cut, so repeats whose numbers differ in length cut at the same place
    text = message[: FINGERPRINT_CHARS * 4]
    if "?" in text:
        text = _QUERY.sub(r"\1?…", text)
    text = _UUID.sub("<uuid>", text)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("#", text)
    if len(text) > FINGERPRINT_CHARS:
        text = _PARTIAL_TAIL.sub("", text[:FINGERPRINT_CHARS])  # a token the cut splits is dropped
    return text


def fingerprint_location(location: str | None) -> str:
    """`url:line:column` with the URL's query string folded (cache busters) and line/column kept."""
    if not location:
        return ""
    if "?" not in location:
        return location
    match = _LINE_COL.search(location)
    tail = match.group(1) if match else ""
    url = location[: len(location) - len(tail)]
    return url.split("?", 1)[0] + "?…" + tail


def fingerprint(kind: IssueKind, message: str, location: str | None) -> str:
    return f"{kind.value}|{fingerprint_message(message)}|{fingerprint_location(location)}"


class IssueBook:
    """Issues grouped by fingerprint, capped per kind; `issues` is the live dict of kept groups."""

    def __init__(
        self,
        now: Callable[[], float],
        ignore: Iterable[str] = (),
        *,
        cap_per_kind: int = MAX_ISSUES_PER_KIND,
    ) -> None:
        self.now = now
        self.cap_per_kind = cap_per_kind
        self._ignore = [re.compile(p) for p in ignore]
        self.issues: dict[str, Issue] = {}
        #: distinct groups past the cap, by kind value
        self.dropped: dict[str, int] = {}
        self._kept: dict[IssueKind, int] = {}
        self._exact: dict[tuple[IssueKind, str, str | None], str | None] = {}
        self._dropped_seen: set[str] = set()

    def ignored(self, kind: IssueKind, message: str) -> bool:
        return kind is not IssueKind.WARNING and any(p.search(message) for p in self._ignore)

    def add(
        self,
        kind: IssueKind,
        message: str,
        *,
        location: str | None = None,
        frame_url: str | None = None,
    ) -> tuple[Issue | None, bool]:
        """Record one occurrence; returns (its group or None when ignored or dropped, whether it is new)."""
        exact = (kind, message, location)
        key = self._exact.get(exact, "")
        if key is None:
            return None, False  # ignored before
        if not key:
            message = message.strip() or kind.value
            if self.ignored(kind, message):
                self._remember(exact, None)
                return None, False
            key = fingerprint(kind, message, location)
            self._remember(exact, key)
        issue = self.issues.get(key)
        at = self.now()
        if issue is not None:
            issue.count += 1
            issue.last_at_s = at
            return issue, False
        if self._kept.get(kind, 0) >= self.cap_per_kind:
            self._drop(kind, key)
            return None, False
        message = message.strip() or kind.value
        issue = Issue(
            kind=kind,
            message=message[:MAX_MESSAGE_CHARS],
            at_s=at,
            fatal=kind in FATAL_KINDS,
            location=location,
            frame_url=frame_url,
            fingerprint=key,
        )
        self.issues[key] = issue
        self._kept[kind] = self._kept.get(kind, 0) + 1
        return issue, True

    def _remember(self, exact: tuple[IssueKind, str, str | None], key: str | None) -> None:
        if len(self._exact) >= EXACT_CACHE:
            self._exact.clear()  # cheaper than an LRU, and a flood of distinct messages never hits anyway
        self._exact[exact] = key

    def _drop(self, kind: IssueKind, key: str) -> None:
        if key in self._dropped_seen:
            return
        if len(self._dropped_seen) < DROPPED_MEMORY:
            self._dropped_seen.add(key)
        # past DROPPED_MEMORY distinct dropped groups, each further dropped event counts (an upper bound)
        self.dropped[kind.value] = self.dropped.get(kind.value, 0) + 1


class ConsoleLog(Sequence[str]):
    """The console and page log: first `head` and last `tail` lines kept, each line cut to `width`.

    Iterating (or indexing) gives the kept lines with one marker line where lines were left out, so
    `console.log`, the HTML report and the model's judge all say that the log was cut.
    """

    def __init__(self, head: int = CONSOLE_HEAD, tail: int = CONSOLE_TAIL, width: int = CONSOLE_LINE_CHARS) -> None:
        self.head_size = head
        self.width = width
        self._head: list[str] = []
        self._tail: deque[str] = deque(maxlen=tail)
        #: lines seen but not kept
        self.dropped = 0
        #: lines seen in all
        self.total = 0

    def append(self, line: str) -> None:
        self.total += 1
        if len(line) > self.width:
            line = line[: self.width] + f"… [{len(line) - self.width:,} more characters]"
        if len(self._head) < self.head_size:
            self._head.append(line)
            return
        if len(self._tail) == self._tail.maxlen:
            self.dropped += 1
        self._tail.append(line)

    def extend(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.append(line)

    def marker(self) -> str | None:
        if not self.dropped:
            return None
        return (
            f"[... {self.dropped:,} of {self.total:,} lines not kept: the first {len(self._head):,} and the "
            f"last {len(self._tail):,} are ...]"
        )

    def __iter__(self) -> Iterator[str]:
        yield from self._head
        marker = self.marker()
        if marker:
            yield marker
        yield from self._tail

    def __len__(self) -> int:
        return len(self._head) + len(self._tail) + (1 if self.dropped else 0)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        return list(self)[index]

    def __bool__(self) -> bool:
        return self.total > 0

    def __repr__(self) -> str:
        return f"ConsoleLog({self.total} lines, {self.dropped} not kept)"


class FloodGate:
    """Says when a console flood should pause the console listener.

    Every console message crosses Playwright's protocol and costs the pytest process tens of
    microseconds before any handler runs (JSON, a JSHandle per argument, a signature lookup per
    handler). A page logging thousands a second outruns it: the events queue up, liveness pings are
    answered late (a false `freeze`), memory grows and teardown waits for the backlog. Past `limit`
    messages within a second the listener goes off for `pause_s` (Playwright then stops sending
    them), and comes back to sample again: the flood is still reported, its counts are lower bounds.
    """

    def __init__(self, limit: int = FLOOD_LIMIT_PER_S, pause_s: float = FLOOD_PAUSE_S) -> None:
        self.limit = limit
        self.pause_s = pause_s
        self.pauses = 0
        self._window_start = float("-inf")
        self._seen = 0

    def hit(self, now: float) -> bool:
        """One console message at `now`; True when the listener should pause now."""
        if now - self._window_start >= 1.0:
            self._window_start = now
            self._seen = 0
        self._seen += 1
        if self._seen <= self.limit:
            return False
        self.pauses += 1
        self._seen = 0
        self._window_start = now + self.pause_s  # a fresh window once the listener is back
        return True

    def message(self) -> str:
        return (
            f"console flood: more than {self.limit:,} console messages in a second; the console was read in "
            f"samples (off {self.pause_s:g} s at a time), so console counts are lower bounds"
        )
