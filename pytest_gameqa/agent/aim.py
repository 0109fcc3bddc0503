"""Aiming: in a canvas game, the small things that move by themselves are what a player points at.

Enemies drift in, rocks float, a ball falls towards the paddle. A player shoots at them, clicks them,
puts the crosshair or the paddle under them; random clicks over a 900x500 canvas almost never do (a
40 px target is hit by one click in a few hundred). The scene already gives every drawn thing a box in
each look, so two looks with no input between them show which small things move by themselves; a click
where one will be when the click lands is an aimed shot (a gun that fires towards the pointer fires at
it, a paddle that follows the pointer goes under it, a target that pops when clicked pops).

Pure: two scenes and the canvas box in, targets out (unit-tested on recorded scenes).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import BoundingBox
from .scene import WRAP_PX, Scene, align, kind_of

#: a thing wider or taller than this share of the canvas is scenery (a scrolling layer, a wall, a panel)
MAX_SHARE = 0.25
#: a thing smaller than this (CSS px, both sides) is a particle, a spark or a star: not worth a shot
MIN_SIDE_PX = 6.0
#: a thing must move at least this far (CSS px) between two looks to count as moving by itself: above
#: the half-pixel rounding of a thing at rest (two looks may be a tenth of a second apart)
MIN_MOVE_PX = 1.0
#: ... and at least this fast (px/s): a hovering thing's sub-pixel jitter over a short gap is no motion
MIN_SPEED_PX_S = 10.0
#: aim where the thing will be when the click lands: about the time from a look to the click
LEAD_S = 0.3
#: at most this many things count as targets (a screen of a thousand moving particles is no gallery)
MAX_TARGETS = 40
#: what an aimed click is called in the report, and how the seeker knows it for one arm
AIM_LABEL = "a moving thing"


@dataclass(frozen=True)
class Target:
    key: str
    x: float  # where to click, the lead included (CSS px, viewport)
    y: float
    vx: float  # px/s, from the two looks
    vy: float


def targets(a: Scene, b: Scene, canvas: BoundingBox) -> list[Target]:
    """The small canvas things that moved by themselves from look `a` to look `b`, inside the canvas."""
    b = align(a, b)
    dt = b.at_s - a.at_s
    if dt <= 0:
        return []
    out: list[Target] = []
    for key in sorted(a.things.keys() & b.things.keys()):
        if kind_of(key) not in "c" or "|text:" in key:
            continue  # a canvas's own drawing (not an offscreen buffer's), and not its words (a HUD)
        va, vb = a.things[key], b.things[key]
        if len(va) < 4 or len(vb) < 4:
            continue
        x, y, w, h = vb[:4]
        if w > MAX_SHARE * canvas.width or h > MAX_SHARE * canvas.height or min(w, h) < MIN_SIDE_PX:
            continue
        dx, dy = x - va[0], y - va[1]
        vx, vy = dx / dt, dy / dt
        far = max(abs(dx), abs(dy))
        if far < MIN_MOVE_PX or max(abs(vx), abs(vy)) < MIN_SPEED_PX_S or far > WRAP_PX:
            continue  # at rest, or it wrapped around or respawned (no speed to lead by)
        cx = x + w / 2 + vx * LEAD_S
        cy = y + h / 2 + vy * LEAD_S
        inside_x = canvas.x + 1 <= cx <= canvas.x + canvas.width - 1
        if not inside_x or not canvas.y + 1 <= cy <= canvas.y + canvas.height - 1:
            continue
        out.append(Target(key, round(cx), round(cy), vx, vy))
        if len(out) >= MAX_TARGETS:
            break
    return out
