"""One pixel-difference measure, `changed_cells`: the reach tracker's cells, an action's "changed", the
model's share of the screen that changed. Plain thumbnails, no browser."""

from __future__ import annotations

from pytest_gameqa.llm.policy import pixel_change
from pytest_gameqa.monitor.pixels import CELL_DIFF, GRID, Thumbnail, changed_cells

W, H = 64, 36  # 4 x 4 pixels a cell on the 16 x 9 grid


def _thumb(cells: dict[tuple[int, int], int] | None = None, background: int = 20) -> Thumbnail:
    px = bytearray([background] * (W * H * 3))
    for (gx, gy), value in (cells or {}).items():
        for y in range(gy * 4, gy * 4 + 4):
            for x in range(gx * 4, gx * 4 + 4):
                i = (y * W + x) * 3
                px[i : i + 3] = bytes([value] * 3)
    return Thumbnail(W, H, 3, bytes(px))


def test_identical_screens_have_no_changed_cell() -> None:
    assert changed_cells(_thumb({(3, 2): 200}), _thumb({(3, 2): 200})) == frozenset()


def test_the_cells_that_changed_are_named_row_major() -> None:
    changed = changed_cells(_thumb(), _thumb({(0, 0): 200, (5, 4): 200, (15, 8): 200}))
    assert changed == {0, 4 * GRID[0] + 5, 8 * GRID[0] + 15}


def test_a_change_too_faint_to_see_is_no_change_unless_any_change_is_asked_for() -> None:
    faint = _thumb(background=20 + CELL_DIFF // 2)
    assert changed_cells(_thumb(), faint) == frozenset()
    assert len(changed_cells(_thumb(), faint, threshold=0, step=1)) == GRID[0] * GRID[1]


def test_one_changed_pixel_is_seen_only_when_every_pixel_is_looked_at() -> None:
    one = bytearray(_thumb().pixels)
    one[(1 * W + 1) * 3] = 255  # pixel (1, 1): an odd row and column, skipped by the default sampling
    dot = Thumbnail(W, H, 3, bytes(one))
    assert changed_cells(_thumb(), dot, threshold=0) == frozenset()
    assert changed_cells(_thumb(), dot, threshold=0, step=1) == {0}


def test_screens_of_different_sizes_differ_everywhere() -> None:
    small = Thumbnail(32, 18, 3, bytes(32 * 18 * 3))
    assert changed_cells(_thumb(), small) == frozenset(range(GRID[0] * GRID[1]))
    assert changed_cells(_thumb(), small, grid=(4, 3)) == frozenset(range(12))


def test_the_model_hears_the_share_of_pixels_that_changed_clearly() -> None:
    quarter = _thumb({(gx, gy): 200 for gx in range(8) for gy in range(4)})  # 32 of 144 cells (2/9)
    assert pixel_change(_thumb(), quarter) == 32 / 144
    assert pixel_change(_thumb(), _thumb(background=25)) == 0.0  # noise, not a change
    assert pixel_change(None, quarter) is None
