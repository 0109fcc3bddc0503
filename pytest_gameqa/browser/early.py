"""Playwright's driver started as pytest starts, so its boot overlaps pytest's own start-up.

`async_playwright().start()` spawns the Node.js driver and waits for it to boot: 0.4-1 s on 2 cores,
the largest single part of a browser launch, and it could only begin once pytest-asyncio's event loop
ran the first game test's fixtures (after every plugin import, configure and collection). With
`--game-url` on the command line, the plugin spawns the same process (same command, same environment)
when it is imported, and the browser pool adopts its pipes on the session loop (`start_playwright`).

Whatever does not fit falls back to Playwright's own start, the early driver killed: a Playwright whose
internals differ (the adoption reaches into `PlaywrightClient` and `PipeTransport`), an environment
changed since the spawn, a driver that died. An early driver nobody adopted is killed at unconfigure
(and exits by itself when pytest does: its stdin closes). It never launches a browser, so nothing but
the driver can be left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import Sequence
from typing import Any

#: options after which no local driver is needed: a remote browser, an xdist controller, collection only
NO_LOCAL_DRIVER = ("--game-ws-endpoint", "--game-cdp-url", "--numprocesses", "--co", "--collect-only")
#: environment variables pytest itself sets as it runs: not a change that matters to the driver
PYTEST_VARS = "PYTEST_"
#: Playwright's pipe reader limit (transport.py): the adopted pipe reads alike
READ_LIMIT = 32768

_early: tuple[subprocess.Popen[bytes], dict[str, str]] | None = None


def wanted(argv: Sequence[str]) -> bool:
    """A run that will launch a local browser: `--game-url` given, nothing that makes it unnecessary."""
    flags = {arg.split("=", 1)[0] for arg in argv}
    xdist = any(arg.startswith("-n") and not arg.startswith("--") for arg in argv)  # -n 2, -n2, -nauto
    return "--game-url" in flags and not xdist and not flags.intersection(NO_LOCAL_DRIVER)


def spawn(argv: Sequence[str]) -> None:
    """Start the driver now when this run will want one (see `wanted`); never raises."""
    global _early
    if _early is not None or not wanted(argv):
        return
    try:
        from playwright._impl._driver import compute_driver_executable, get_driver_env

        env = get_driver_env()
        node, cli = compute_driver_executable()
        # its own session: a Ctrl-C to the terminal's process group must reach pytest (which writes its report
        # and closes the browser), not kill the driver under it; it exits when its stdin closes
        proc = subprocess.Popen(
            [node, cli, "run-driver"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True
        )
    except Exception:  # an unusual install: Playwright's own start says what is wrong, later
        return
    _early = (proc, env)


def discard() -> None:
    """Kill an early driver nobody adopted (session end, or a fallback)."""
    global _early
    if _early is None:
        return
    proc, _ = _early
    _early = None
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(Exception):
        proc.wait(timeout=5)
        proc.stdin.close()  # type: ignore[union-attr]
        proc.stdout.close()  # type: ignore[union-attr]


async def start_playwright() -> Any:
    """The async Playwright, on the early driver when there is one that fits, else started as usual."""
    from playwright.async_api import async_playwright

    global _early
    taken, _early = _early, None
    if taken is not None:
        try:
            return await _adopt(*taken)
        except Exception:
            _early = taken
            discard()
    return await async_playwright().start()


def _relevant(env: dict[str, str]) -> dict[str, str]:
    """The environment as the driver would care: pytest's own variables (PYTEST_CURRENT_TEST, set as each
    test runs; PYTEST_VERSION) say nothing to Node.js or Playwright."""
    return {key: value for key, value in env.items() if not key.startswith(PYTEST_VARS)}


async def _adopt(proc: subprocess.Popen[bytes], env: dict[str, str]) -> Any:
    """Playwright's `start()` (out_of_process.py) with the transport's spawn replaced by the early pipes."""
    from playwright._impl._driver import get_driver_env
    from playwright._impl.out_of_process import PlaywrightClient
    from playwright.async_api import Playwright
    from playwright.async_api._context_manager import PlaywrightContextManager

    if proc.poll() is not None or _relevant(get_driver_env()) != _relevant(env):
        raise RuntimeError("the early driver is gone or its environment changed")
    client = PlaywrightClient()  # schedules its connect on the loop; replaced below before it runs
    transport = client._transport

    async def connect() -> None:
        transport._stopped_future = asyncio.Future()
        transport._proc = await _process(proc)
        transport._output = transport._proc.stdin

    transport.connect = connect
    impl = await client._playwright
    manager = PlaywrightContextManager()
    manager._client = client
    playwright = Playwright(impl)
    playwright.stop = manager.__aexit__  # type: ignore[method-assign]
    return playwright


class _Process:
    """What PipeTransport uses of an asyncio subprocess: stdout, stdin, communicate()."""

    def __init__(self, popen: subprocess.Popen[bytes], stdout: asyncio.StreamReader, stdin: asyncio.StreamWriter):
        self.popen, self.stdout, self.stdin = popen, stdout, stdin

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    async def communicate(self) -> tuple[None, None]:
        await asyncio.to_thread(self.popen.wait)
        return None, None

    async def wait(self) -> int:
        return await asyncio.to_thread(self.popen.wait)


async def _process(popen: subprocess.Popen[bytes]) -> _Process:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=READ_LIMIT)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), popen.stdout)
    write_transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, popen.stdin)
    writer = asyncio.StreamWriter(write_transport, protocol, None, loop)
    return _Process(popen, reader, writer)
