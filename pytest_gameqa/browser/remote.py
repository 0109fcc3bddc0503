"""Browsers elsewhere: a Playwright server (run-server, a grid, browserless) or a DevTools endpoint.

pytest-playwright's `connect_options` fixture and `--game-ws-endpoint` both lead here. A Playwright
server launches its browser from the launch options the client sends in a header, so the game flags
(autoplay, SwiftShader, no background throttling) travel with the connection; a server started without
`--unsafe` keeps only its safe options, which is fine. A local build is served on this machine's
127.0.0.1: through a Playwright server, `expose_network="<loopback>"` lets the remote browser load it
(the server tunnels those requests back through the client's connection). A DevTools endpoint has no
such tunnel; see README "Browser grids".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

LAUNCH_HEADER = "x-playwright-launch-options"
LOOPBACK = "<loopback>"
#: pytest-playwright's launch arguments (snake_case) as a Playwright server reads them (camelCase)
_CAMEL = {"executable_path": "executablePath", "slow_mo": "slowMo", "chromium_sandbox": "chromiumSandbox"}


class RemoteProblem(Exception):
    """A remote browser option that cannot work; the message is one line naming the fix."""


class ServerConnection(BaseModel):
    """How to reach one Playwright server: `connect_options` or `--game-ws-endpoint`, checked."""

    model_config = ConfigDict(frozen=True)

    ws_endpoint: str
    options: dict[str, Any] = {}
    source: str = "--game-ws-endpoint"

    @classmethod
    def from_options(
        cls, connect_options: Mapping[str, Any] | None, ws_endpoint: str | None
    ) -> ServerConnection | None:
        """`--game-ws-endpoint` wins over the `connect_options` fixture (the command line is the more specific)."""
        if ws_endpoint:
            return cls(ws_endpoint=check_endpoint(ws_endpoint, "--game-ws-endpoint", ("ws", "wss")))
        if not connect_options:
            return None
        options = dict(connect_options)
        endpoint = options.pop("ws_endpoint", None)
        if not endpoint:
            raise RemoteProblem("gameqa: the connect_options fixture has no 'ws_endpoint'; add one (ws://host:port/)")
        return cls(
            ws_endpoint=check_endpoint(str(endpoint), "connect_options['ws_endpoint']", ("ws", "wss")),
            options=options,
            source="the connect_options fixture",
        )

    @property
    def exposes_loopback(self) -> bool:
        """The user already decided what the server may reach through us."""
        return "expose_network" in self.options

    def connect_kwargs(
        self, launch_args: Mapping[str, Any], game_args: tuple[str, ...], expose: bool
    ) -> dict[str, Any]:
        """`chromium.connect(**...)`: the launch-options header carries the game flags; loopback exposed on demand."""
        kwargs = dict(self.options)
        headers = dict(kwargs.pop("headers", None) or {})
        try:
            launch = json.loads(headers.get(LAUNCH_HEADER) or "{}")
        except ValueError:
            raise RemoteProblem(f"gameqa: the {LAUNCH_HEADER} header of {self.source} is not JSON") from None
        for key, value in launch_args.items():
            launch.setdefault(_CAMEL.get(key, key), value)
        launch.setdefault("headless", True)
        launch["args"] = [*game_args, *[a for a in launch.get("args", []) if a not in game_args]]
        headers[LAUNCH_HEADER] = json.dumps(launch)
        kwargs["headers"] = headers
        if expose and not self.exposes_loopback:
            kwargs["expose_network"] = LOOPBACK
        kwargs.setdefault("timeout", 30_000)
        return {"endpoint": self.ws_endpoint, **kwargs}


def check_endpoint(value: str, source: str, schemes: tuple[str, ...]) -> str:
    """An endpoint's shape, checked before any connection: a typo costs one line, not a 30 s wait per game."""
    text = value.strip()
    parts = urlsplit(text)
    try:
        port_ok = parts.port is not None or parts.scheme in ("http", "https", "ws", "wss")
    except ValueError:
        port_ok = False
    if parts.scheme.lower() not in schemes or not parts.hostname or not port_ok:
        example = "ws://127.0.0.1:3000/" if "ws" in schemes else "http://127.0.0.1:9222"
        raise RemoteProblem(f"gameqa: {source} {value!r} is not a {'/'.join(schemes)} URL; expected e.g. {example}")
    return text


def explain_connect_error(error: BaseException, endpoint: str) -> str:
    """One line for a server that cannot be reached or refused us."""
    text = (str(error).splitlines() or [type(error).__name__])[0]
    for marker in ("ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "Timeout", "timed out"):
        if marker in text:
            return f"gameqa: cannot reach the Playwright server at {endpoint} ({marker}); is it running and reachable?"
    if "Executable doesn't exist" in text:
        return (
            f"gameqa: the Playwright server at {endpoint} has no browser installed; run `playwright install chromium` "
            "there, or start it with --unsafe and give executablePath in browser_type_launch_args"
        )
    return f"gameqa: could not connect to the Playwright server at {endpoint}: {text}"
