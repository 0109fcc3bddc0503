"""`--game-shard I/N`: this CI job runs one stable share of the collected tests.

How tests are split (`assign`): a test's shard is the SHA-256 of its id (pytest's node id) modulo N.
It depends on that id alone: never on collection order, the other tests, `-k`/`--lf` selections, the
machine, `PYTHONHASHSEED` or xdist. Every job of a CI matrix and every xdist worker agree, and a game
rerun on its own (`-k healthy-canvas --game-shard 2/4`) lands on the shard it ran on before. The price
is balance on small sets: shards get about total/N tests each, within a few for tens of games (3 games
over 2 shards can all land on one).

Every test is sharded, not only game tests: a project's own tests would otherwise run once per shard
(N copies of each failure in the merged reports). Each test runs in exactly one shard of the matrix.

A shard that gets no tests (more shards than tests) exits 0 and says so: the matrix is valid, the
other shards run everything. A run that collected nothing at all keeps pytest's exit code 5.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import pytest

from .stash import BASE_SETTINGS_KEY

#: (kept, total) of this process's collection, for the shard line and the empty-shard exit code.
COUNTS_KEY = pytest.StashKey[tuple[int, int]]()
#: xdist: what the workers counted, read by the controller once they are done.
WORKER_OUTPUT = "gameqa_shard"


def shard_key(nodeid: str) -> str:
    """A test's place in the deal: the same on every machine and Python (not `hash()`, which is salted)."""
    return hashlib.sha256(nodeid.encode("utf-8")).hexdigest()


def assign(nodeids: Sequence[str], total: int) -> dict[str, int]:
    """Node id -> shard number (1..total), from the id alone."""
    return {nodeid: int(shard_key(nodeid), 16) % total + 1 for nodeid in nodeids}


def _shard(config: pytest.Config) -> tuple[int, int] | None:
    value = config.stash.get(BASE_SETTINGS_KEY, {}).get("shard")
    return (int(value[0]), int(value[1])) if value else None


@pytest.hookimpl(trylast=True)  # after the plugin's own hook added the --game-url tests, and after -k / -m
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    shard = _shard(config)
    if shard is None:
        return
    index, total = shard
    shards = assign([item.nodeid for item in items], total)
    kept = [item for item in items if shards[item.nodeid] == index]
    other = [item for item in items if shards[item.nodeid] != index]
    config.stash[COUNTS_KEY] = (len(kept), len(items))
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[WORKER_OUTPUT] = [len(kept), len(items)]
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept


def shard_line(shard: tuple[int, int], kept: int, total: int) -> str:
    index, count = shard
    if kept == 0 and total:
        return (
            f"gameqa shard {index}/{count}: no tests in this shard ({total} test{'s' if total != 1 else ''} "
            f"over {count} shards); exit code 0"
        )
    rest = total - kept
    return f"gameqa shard {index}/{count}: {kept} of {total} tests here, {rest} in the other shards (split by test id)"


def pytest_report_collectionfinish(config: pytest.Config, items: Sequence[pytest.Item]) -> str | None:
    """The only process (no xdist): say which shard this is right after "collected N items"."""
    shard, counts = _shard(config), config.stash.get(COUNTS_KEY, None)
    if shard is None or counts is None or hasattr(config, "workerinput"):
        return None
    return shard_line(shard, *counts)


class _Controller:
    """xdist's controller collects nothing: the workers send their counts when they finish."""

    def __init__(self) -> None:
        self.counts: tuple[int, int] | None = None

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        counts = (getattr(node, "workeroutput", None) or {}).get(WORKER_OUTPUT)
        if counts and self.counts is None:
            self.counts = (int(counts[0]), int(counts[1]))  # every worker dealt the same set the same way


_CONTROLLER_KEY = pytest.StashKey[_Controller]()


def pytest_configure(config: pytest.Config) -> None:
    if _shard(config) is not None and not hasattr(config, "workerinput"):  # the only process, or xdist's controller
        controller = _Controller()
        config.stash[_CONTROLLER_KEY] = controller
        config.pluginmanager.register(controller, "gameqa-shard-controller")


def _counts(config: pytest.Config) -> tuple[int, int] | None:
    controller = config.stash.get(_CONTROLLER_KEY, None)
    if controller is not None and controller.counts is not None:
        return controller.counts
    return config.stash.get(COUNTS_KEY, None)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """An empty shard is not an error (exit 0 instead of pytest's 5), as long as something was collected."""
    counts = _counts(session.config)
    if _shard(session.config) is None or counts is None:
        return
    kept, total = counts
    if kept == 0 and total > 0 and int(session.exitstatus) == int(pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.OK


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Under xdist the shard line comes at the end (the controller learns the counts from the workers)."""
    shard, controller = _shard(config), config.stash.get(_CONTROLLER_KEY, None)
    if shard is None or controller is None or controller.counts is None:
        return
    terminalreporter.write_line(shard_line(shard, *controller.counts))
