"""Turns what the user typed after --game-url (or in a marker) into something a browser can open.

Local builds are served over HTTP rather than opened as file:// because Unity/Godot exports fetch
their .wasm and .data files, which browsers refuse from file:// pages.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel

from ..settings import SettingError


class GameTarget(BaseModel):
    raw: str
    url: str | None = None
    root: Path | None = None
    entry: Path | None = None

    @property
    def is_local(self) -> bool:
        return self.root is not None


def parse_target(raw: str, base_dir: Path | None = None, source: str = "--game-url") -> GameTarget:
    text = str(raw).strip()
    if not text:
        raise SettingError(f"gameqa: {source} is empty; give an http(s) URL, a build folder or an .html file")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        host = parts.hostname
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            host = None
        if not host or any(c.isspace() for c in text):
            raise SettingError(f"gameqa: {source} {text!r} is not a valid URL; expected e.g. https://example.com/game/")
        return GameTarget(raw=text, url=text)
    if scheme == "file":
        text = unquote(parts.path)
    elif "://" in text or (scheme and len(scheme) > 1 and not Path(text).exists()):
        raise SettingError(
            f"gameqa: {source} {text!r} is not a valid URL or path; use http(s)://..., a folder or an .html file"
        )
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    if not path.exists():
        raise SettingError(f"gameqa: {source} {text!r}: no such file or folder ({path})")
    if path.is_dir():
        if not (path / "index.html").is_file():
            raise SettingError(f"gameqa: {source} {text!r}: the folder has no index.html to open")
        return GameTarget(raw=text, root=path.resolve(), entry=path.resolve())
    if path.suffix.lower() not in (".html", ".htm"):
        raise SettingError(f"gameqa: {source} {text!r}: expected a folder or an .html file, got a {path.suffix} file")
    return GameTarget(raw=text, root=path.parent.resolve(), entry=path.resolve())


class LocalServers:
    """One HTTP server per local build folder for the whole session, shared by its tests."""

    def __init__(self) -> None:
        self._servers: dict[Path, object] = {}
        self._lock = threading.Lock()

    def url_for(self, target: GameTarget) -> str:
        if not target.is_local:
            assert target.url is not None
            return target.url
        from ..browser.server import LocalGameServer

        assert target.root is not None and target.entry is not None
        with self._lock:
            server = self._servers.get(target.root)
            if server is None:
                server = LocalGameServer(target.root)
                server.start()
                self._servers[target.root] = server
        return server.url_for(target.entry)  # type: ignore[attr-defined]

    def stop_all(self) -> None:
        with self._lock:
            for server in self._servers.values():
                server.stop()  # type: ignore[attr-defined]
            self._servers.clear()
