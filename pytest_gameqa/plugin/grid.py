"""pytest glue for browsers elsewhere: endpoints checked at start, and one line on how local builds reach them."""

from __future__ import annotations

import pytest

from .stash import BASE_SETTINGS_KEY, TARGETS_KEY


def check_endpoints(config: pytest.Config) -> None:
    """One browser elsewhere at most (each endpoint's shape is checked by the settings table)."""
    base = config.stash[BASE_SETTINGS_KEY]
    if base.get("ws_endpoint") and base.get("cdp_url"):
        raise pytest.UsageError("gameqa: give --game-ws-endpoint or --game-cdp-url, not both")


def connect_options_overridden(session: pytest.Session) -> bool:
    """A conftest's `connect_options` (a grid): no local browser is needed then."""
    for item in session.items:
        defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {}).get("connect_options")
        if defs:
            return getattr(defs[-1].func, "__module__", "").split(".")[0] != "pytest_playwright"
    return False


def say_how_local_builds_reach(config: pytest.Config, session: pytest.Session) -> None:
    """One line: a local build is served on 127.0.0.1, which only a Playwright server can be given."""
    local = any(target.is_local for target in config.stash.get(TARGETS_KEY, []))
    for item in session.items:
        marker = item.get_closest_marker("game")
        raw = (marker.args[0] if marker.args else marker.kwargs.get("url")) if marker is not None else None
        local = local or bool(raw and not str(raw).lower().startswith(("http://", "https://")))
    if not local:
        return
    if config.stash[BASE_SETTINGS_KEY].get("cdp_url"):
        line = (
            "gameqa: local builds are served on this machine's 127.0.0.1; a browser behind --game-cdp-url can load "
            "them only if it runs here (DevTools has no expose_network): see README 'Browser grids'"
        )
    else:
        line = (
            "gameqa: local builds are served on 127.0.0.1 and exposed to the Playwright server "
            "(expose_network=<loopback>) for the games that need it"
        )
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
