"""Screenshot pairs capped by --game-max-pairs: what stays on disk is what a reader of the report needs."""

from __future__ import annotations

from pathlib import Path

from pytest_gameqa.models import ActionResult, Issue, IssueKind
from pytest_gameqa.report.artifacts import cap_pairs


def _actions(folder: Path, count: int) -> list[ActionResult]:
    actions = []
    for i in range(1, count + 1):
        before, after = folder / f"{i:02d}-before.jpg", folder / f"{i:02d}-after.jpg"
        before.write_bytes(b"b")
        after.write_bytes(b"a")
        actions.append(
            ActionResult(index=i, description=f"step {i}", ok=True, at_s=float(i), before=str(before), after=str(after))
        )
    return actions


def _kept(actions: list[ActionResult]) -> list[int]:
    return [a.index for a in actions if a.after is not None]


def test_few_pairs_are_all_kept(tmp_path: Path) -> None:
    actions = _actions(tmp_path, 4)
    assert cap_pairs(actions, [], limit=4) == 0
    assert _kept(actions) == [1, 2, 3, 4] and len(list(tmp_path.iterdir())) == 8


def test_the_first_and_last_pairs_are_kept_and_the_rest_deleted_from_disk(tmp_path: Path) -> None:
    actions = _actions(tmp_path, 20)
    assert cap_pairs(actions, [], limit=4) == 16
    assert _kept(actions) == [1, 2, 19, 20]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "01-after.jpg",
        "01-before.jpg",
        "02-after.jpg",
        "02-before.jpg",
        "19-after.jpg",
        "19-before.jpg",
        "20-after.jpg",
        "20-before.jpg",
    ]


def test_the_pairs_around_an_issue_and_the_named_screens_are_kept(tmp_path: Path) -> None:
    actions = _actions(tmp_path, 20)
    crash = Issue(kind=IssueKind.CRASH, message="boom", at_s=10.2)
    first_in_game = actions[5].after
    assert first_in_game is not None
    dropped = cap_pairs(actions, [crash], limit=6, keep_shots={first_in_game})
    assert _kept(actions) == [1, 6, 9, 10, 11, 20]
    assert dropped == 14
