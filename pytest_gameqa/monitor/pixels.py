"""Just enough PNG decoding to judge tiny thumbnails without an imaging library.

Blank-screen and frozen-frame checks look at a ~160 px wide thumbnail a second; decoding that in pure
Python costs about a millisecond and keeps Pillow out of the dependencies.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Thumbnail:
    width: int
    height: int
    channels: int
    pixels: bytes  # rows of RGB(A) bytes, unfiltered

    def is_flat(self, tolerance: int = 3) -> bool:
        """True when every pixel is within `tolerance` of the first one: one flat colour."""
        step = self.channels
        base = self.pixels[:3]
        px = self.pixels
        for i in range(0, len(px), step):
            if (
                abs(px[i] - base[0]) > tolerance
                or abs(px[i + 1] - base[1]) > tolerance
                or abs(px[i + 2] - base[2]) > tolerance
            ):
                return False
        return True

    def colour(self) -> str:
        r, g, b = self.pixels[:3]
        return f"#{r:02x}{g:02x}{b:02x}"


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> Thumbnail:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium's screenshots are)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos = 8
    width = height = channels = 0
    idat = bytearray()
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if ctype == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError("unsupported PNG layout")
            channels = 3 if colour == 2 else 4
        elif ctype == b"IDAT":
            idat += chunk
        elif ctype == b"IEND":
            break
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    out = bytearray(height * stride)
    prev = bytearray(stride)
    src = 0
    for y in range(height):
        ftype = raw[src]
        line = bytearray(raw[src + 1 : src + 1 + stride])
        src += 1 + stride
        if ftype == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                up_left = prev[i - channels] if i >= channels else 0
                line[i] = (line[i] + _paeth(left, prev[i], up_left)) & 0xFF
        out[y * stride : (y + 1) * stride] = line
        prev = line
    return Thumbnail(width, height, channels, bytes(out))
