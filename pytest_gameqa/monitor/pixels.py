"""Just enough PNG decoding to judge thumbnails without an imaging library.

Frozen-frame checks look at a ~160 px wide thumbnail a second; a screen that looks flat there is
confirmed on a larger capture (small text survives it) before it counts as blank. Chromium's PNGs use
the "Up" filter, decoded here with whole-row integer arithmetic, so a 640 x 360 capture costs a few
milliseconds in pure Python and Pillow stays out of the dependencies.
"""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from dataclasses import dataclass

#: "Nearly every pixel": a flat screen may carry this share of other pixels (a cursor, a tiny mark).
FLAT_MAX_OTHER = 0.001
#: the grid a screen is judged in: 16 x 9 cells, each about a button's size on a 16:9 screen
GRID = (16, 9)
#: mean absolute difference of a cell's channels that counts as a change (0-255 scale): above JPEG-like
#: noise and a cursor's blink, below any sprite or text that appears
CELL_DIFF = 10


@dataclass(frozen=True)
class Thumbnail:
    width: int
    height: int
    channels: int
    pixels: bytes  # rows of RGB(A) bytes, unfiltered

    def dominant(self) -> tuple[int, int, int]:
        """The most common colour (sampled): the background of a blank screen, wherever its marks are."""
        step = self.channels
        n = len(self.pixels) // step
        stride = max(1, n // 4000) * step
        px = self.pixels
        counts = Counter(px[i : i + 3] for i in range(0, n * step, stride))
        r, g, b = counts.most_common(1)[0][0]
        return r, g, b

    def other_pixels(self, colour: tuple[int, int, int], tolerance: int = 3) -> int:
        """How many pixels differ from `colour` by more than `tolerance` in any channel (C-speed slices)."""
        step = self.channels
        n = len(self.pixels) // step
        if n == 0:
            return 0
        off = 0
        for c in range(3):
            table = bytes(0 if abs(v - colour[c]) <= tolerance else 1 for v in range(256))
            plane = self.pixels[c : n * step : step].translate(table)
            off |= int.from_bytes(plane, "little")
        return off.to_bytes(n, "little").count(1)

    def is_flat(self, tolerance: int = 3, max_other: float = FLAT_MAX_OTHER) -> bool:
        """One colour over (nearly) every pixel: at most `max_other` of them differ by more than `tolerance`."""
        n = len(self.pixels) // self.channels
        if n == 0:
            return True
        return self.other_pixels(self.dominant(), tolerance) <= n * max_other

    def colour(self) -> str:
        r, g, b = self.dominant()
        return f"#{r:02x}{g:02x}{b:02x}"


def changed_cells(
    a: Thumbnail, b: Thumbnail, grid: tuple[int, int] = GRID, threshold: float = CELL_DIFF, *, step: int = 2
) -> frozenset[int]:
    """The one pixel-difference measure: cells (row-major in a `grid` of columns x rows) whose RGB
    channels differ by more than `threshold` on average (0-255 scale) between two thumbnails.

    `step` samples every step-th row and pixel (2: a quarter of them, enough for a change a player
    sees); `threshold=0, step=1` finds any change at all. Thumbnails of different sizes differ everywhere.
    """
    cols, rows = grid
    if a.width != b.width or a.height != b.height or a.channels != b.channels:
        return frozenset(range(cols * rows))
    if a.pixels == b.pixels:
        return frozenset()
    w, h, ch = a.width, a.height, a.channels
    cw, chh = max(1, w // cols), max(1, h // rows)
    pa, pb = a.pixels, b.pixels
    stride = w * ch
    changed = set()
    for gy in range(rows):
        for gx in range(cols):
            total = 0
            n = 0
            for y in range(gy * chh, min(h, (gy + 1) * chh), step):
                row = y * stride
                for x in range(gx * cw, min(w, (gx + 1) * cw), step):
                    i = row + x * ch
                    total += abs(pa[i] - pb[i]) + abs(pa[i + 1] - pb[i + 1]) + abs(pa[i + 2] - pb[i + 2])
                    n += 3
            if n and total / n > threshold:
                changed.add(gy * cols + gx)
    return frozenset(changed)


def _add_bytes(a: bytes | bytearray, b: bytes | bytearray) -> bytearray:
    """Byte-wise (a + b) mod 256 of two equal-length rows, with whole-row integer arithmetic."""
    n = len(a)
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    low = int.from_bytes(b"\x7f" * n, "big")
    total = ((x & low) + (y & low)) ^ ((x ^ y) & ~low & ((1 << (8 * n)) - 1))
    return bytearray(total.to_bytes(n, "big"))


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
            line = _add_bytes(line, prev)
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
