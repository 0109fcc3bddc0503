"""Tiny inline SVG line charts for the report: frame rate and heap over time, with no JS and no assets.

Inline SVG keeps `--self-contained-html` a single file and costs a few hundred bytes per chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def sparkline(
    points: Sequence[tuple[float, float]],
    *,
    label: str,
    unit: str,
    width: int = 320,
    height: int = 70,
    color: str = "#1565c0",
    floor: float | None = None,
) -> str:
    """A line of (time, value) points with the value range and time span printed on it.

    `floor` pins the bottom of the scale (0 for fps) so a drop from 60 to 55 does not look like a crash.
    """
    points = [(t, v) for t, v in points if v is not None]
    if len(points) < 2:
        return ""
    pad_l, pad_r, pad_t, pad_b = 34, 6, 6, 14
    times = [t for t, _ in points]
    values = [v for _, v in points]
    lo = min(values) if floor is None else min(floor, min(values))
    hi = max(values)
    if hi - lo < 1e-9:
        hi = lo + 1.0
    t0, t1 = times[0], times[-1]
    span = (t1 - t0) or 1.0
    inner_w, inner_h = width - pad_l - pad_r, height - pad_t - pad_b

    def xy(t: float, v: float) -> str:
        x = pad_l + (t - t0) / span * inner_w
        y = pad_t + (1 - (v - lo) / (hi - lo)) * inner_h
        return f"{x:.1f},{y:.1f}"

    path = " ".join(xy(t, v) for t, v in points)
    title = escape(f"{label}: {min(values):.1f}-{max(values):.1f} {unit} over {t0:.1f}-{t1:.1f} s")
    return (
        f'<svg class="gq-chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{title}</title>"
        f'<rect x="{pad_l}" y="{pad_t}" width="{inner_w}" height="{inner_h}" fill="#fafafa" stroke="#e0e0e0"/>'
        f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{path}"/>'
        f'<text x="{pad_l - 3}" y="{pad_t + 8}" font-size="9" text-anchor="end" fill="#555">{hi:.0f}</text>'
        f'<text x="{pad_l - 3}" y="{pad_t + inner_h}" font-size="9" text-anchor="end" fill="#555">{lo:.0f}</text>'
        f'<text x="{pad_l}" y="{height - 2}" font-size="9" fill="#555">{t0:.1f} s</text>'
        f'<text x="{width - pad_r}" y="{height - 2}" font-size="9" text-anchor="end" fill="#555">{t1:.1f} s</text>'
        "</svg>"
    )
