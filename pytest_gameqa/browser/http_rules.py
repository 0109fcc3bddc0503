"""How the local game server answers, request by request: content types, pre-compressed files, the headers
every response carries, and which request paths it refuses (server.py serves them).

A web host's rules, kept apart from the sockets and threads so they read (and are tested) on their own.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath, PureWindowsPath
from typing import NamedTuple
from urllib.parse import unquote

__all__ = [
    "ALLOWED_METHODS",
    "ALWAYS_HEADERS",
    "ENCODINGS",
    "Target",
    "acceptance",
    "content_type",
    "parse_target",
]

#: Types a loader may check; anything else falls back to `mimetypes`, then to a byte stream.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".data": "application/octet-stream",
    ".pck": "application/octet-stream",
    ".unityweb": "application/octet-stream",
    ".bin": "application/octet-stream",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".ktx2": "image/ktx2",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".glb": "model/gltf-binary",
    ".gltf": "model/gltf+json",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}
FALLBACK_CONTENT_TYPE = "application/octet-stream"

#: Suffixes of pre-compressed files, in the order tried when the uncompressed file is missing
#: (Brotli first: smaller, and what Unity builds default to).
ENCODINGS: dict[str, str] = {".br": "br", ".gz": "gzip"}

#: Sent with every response. `no-store` so a rebuilt game is never half-served from cache; COOP+COEP
#: make the page cross-origin isolated (SharedArrayBuffer for threaded Godot/Emscripten builds), and
#: `credentialless` rather than `require-corp` so third-party no-cors loads (CDN scripts, fonts) still work.
ALWAYS_HEADERS: tuple[tuple[str, str], ...] = (
    ("Cache-Control", "no-store"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "credentialless"),
    ("Cross-Origin-Resource-Policy", "cross-origin"),
)
ALLOWED_METHODS = "GET, HEAD"


def content_type(name: str) -> str:
    """Type by the name the browser asked for, so a `.wasm` symlink to a blob is still `application/wasm`."""
    suffix = PurePosixPath(name).suffix.lower()
    known = CONTENT_TYPES.get(suffix)
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or FALLBACK_CONTENT_TYPE


def acceptance(accept_encoding: str | None, coding: str) -> bool | None:
    """`True`/`False` when `Accept-Encoding` names `coding` (or `*`) with q>0 / q=0; `None` when silent."""
    if accept_encoding is None:
        return None
    star: bool | None = None
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if name not in (coding, "*"):
            continue
        accepted = True
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    accepted = float(value.strip()) > 0
                except ValueError:
                    accepted = False
        if name == coding:
            return accepted
        star = accepted
    return star


class Target(NamedTuple):
    """The request path split into decoded segments; `None` from `parse_target` means refuse."""

    segments: tuple[str, ...]
    trailing_slash: bool
    query: str


def parse_target(raw: str) -> Target | None:
    """Splits before decoding so `%2f` can never create a path separator, then refuses anything odd.

    Browsers normalise `..` and backslashes away before sending, so any request still carrying them is
    a traversal attempt or a broken client; refusing it outright is safer than normalising it here.
    """
    path, _, query = raw.partition("?")
    path = path.partition("#")[0]
    if not path.startswith("/") or "\\" in path or "\x00" in path:
        return None
    segments: list[str] = []
    for raw_segment in path.split("/"):
        try:
            segment = unquote(raw_segment, errors="strict")
        except UnicodeDecodeError:
            return None
        if segment in ("", "."):
            continue
        if segment == ".." or any(c in segment for c in "/\\\x00") or PureWindowsPath(segment).drive:
            return None
        segments.append(segment)
    return Target(tuple(segments), path.endswith("/"), query)
