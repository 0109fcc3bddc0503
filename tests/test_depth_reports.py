"""How far a run got, as people read it: the storyboard, the CI job summary, `gameqa show` and `history`.

Fast tier: records built in memory, files in tmp_path, no browser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_gameqa.models import Issue, IssueKind, Progress, ProgressCounter, ProgressScreen, Reach, TestRecord
from pytest_gameqa.report.html import Media, render
from pytest_gameqa.report.storyboard import append_step_summary, progress_short, step_summary, storyboard_html
from pytest_gameqa.runs.views import changes, depth_changes, run_report

ARROW = "\N{RIGHTWARDS ARROW}"


def progress(level: int = 2, shots: Path | None = None) -> Progress:
    names = ["Press Enter to start", "play, level 1", "play, level 2"][: level + 1]
    actions = [None, "press Enter", "hold ArrowRight 1000ms"]
    screens = []
    for i, name in enumerate(names):
        shot = None
        if shots is not None:
            shot = str(shots / f"{i + 1:02d}-after.jpg")
            Path(shot).write_bytes(b"\xff\xd8\xff\xd9")
        screens.append(ProgressScreen(index=i + 1, name=name, at_s=1.0 + 4 * i, action=actions[i], screenshot=shot))
    counters = [
        ProgressCounter(name="level", first=1, best=level, last=level),
        ProgressCounter(name="distance", first=0, best=420 if level > 1 else 300, last=0),
    ]
    return Progress(screens=screens, counters=counters, first_progress_s=7.2, first_progress="distance after press d")


def record(url: str = "games/walk", **fields: Any) -> TestRecord:
    base = {"nodeid": f"gameqa::test_game[{url}]", "url": url, "started_at": "2026-12-03T00:00:00+00:00"}
    return TestRecord(**{**base, "duration_s": 30.0, **fields})


def test_progress_in_one_line() -> None:
    text = progress_short(progress())
    assert text == f"level 1 {ARROW} 2, distance 0 {ARROW} 420; 3 screens; first progress at 7.2 s"
    assert progress_short(Progress(rounds=3)) == "no number moved; 0 screens; 3 rounds"
    assert progress_short(None) is None


def test_storyboard_shows_each_screen_once_in_order_with_what_led_there(tmp_path: Path) -> None:
    shots: list[tuple[str | None, str]] = []

    def shot(path: str | None, alt: str) -> str:
        shots.append((path, alt))
        return f"<img src='{path}'>"

    html = storyboard_html(record(progress=progress(shots=tmp_path)), shot)
    assert [alt for _, alt in shots] == ["1. Press Enter to start", "2. play, level 1", "3. play, level 2"]
    assert html.index("first screen") < html.index("after press Enter") < html.index("after hold ArrowRight 1000ms")
    assert storyboard_html(record(), shot) == ""  # not recorded: nothing to show


def test_the_html_report_block_embeds_the_storyboard_thumbnails(tmp_path: Path) -> None:
    html = render(record(progress=progress(shots=tmp_path)), Media(tmp_path, self_contained=True))
    story = html[html.index("How far it got") :]
    assert story.count("data:image/jpeg;base64,") == 3
    assert f"level 1 {ARROW} 2" in story


def test_step_summary_is_a_markdown_table_with_the_report_location() -> None:
    failed = record(
        "games/a|b",
        outcome="failed",
        reach=Reach(entered=True, entered_at_s=5.3, how="press Enter"),
        progress=progress(),
        issues=[Issue(kind=IssueKind.PAGE_ERROR, message="boom", at_s=12.0)],
    )
    stuck = record("games/title", outcome="failed", reach=Reach(entered=False))
    text = step_summary([failed, stuck], html_report="report.html", results="out/gameqa-results.json")
    lines = text.splitlines()
    assert "| game | verdict | entered at | progress | issues |" in lines
    assert f"| games/a\\|b | **FAILED** | 5.3 s | level 1 {ARROW} 2, distance 0 {ARROW} 420; 3 screens;" in text
    assert "| games/title | **FAILED** | **not entered** | - | no issues |" in lines
    assert "HTML report: `report.html` (with a storyboard of the screens each game reached)" in lines
    assert "Results: `out/gameqa-results.json`" in lines


def test_step_summary_is_appended_only_under_github_actions(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_text("before\n")
    assert append_step_summary([record()], html_report=None, results=None, environ={}) is None
    assert target.read_text() == "before\n"
    env = {"GITHUB_STEP_SUMMARY": str(target)}
    assert append_step_summary([record()], html_report=None, results="r.json", environ=env) is None
    assert target.read_text().startswith("before\n### gameqa\n")
    problem = append_step_summary([record()], html_report=None, results=None, environ={"GITHUB_STEP_SUMMARY": "/"})
    assert problem is not None and problem.startswith("gameqa: could not append to GITHUB_STEP_SUMMARY")
    assert "\n" not in problem


def stored(run_id: str, prog: Progress | None, **fields: Any) -> dict[str, Any]:
    rec = record(progress=prog, reach=Reach(entered=True, entered_at_s=5.0, how="press Enter"))
    base = {
        "id": run_id,
        "status": "passed",
        "load_s": 0.5,
        "fps_avg": 60.0,
        "issue_kinds": "{}",
        "entered": 1,
        "entered_at_s": 5.0,
        "how": "press Enter",
        "record": json.dumps(rec.to_json()),
    }
    return {**base, **fields}


def test_history_flags_a_run_that_no_longer_reaches_a_level() -> None:
    deep, shallow = stored("run-a", progress(level=2)), stored("run-b", progress(level=1))
    assert depth_changes(shallow, deep) == ["no longer reaches 'play, level 2'", "level 1 (was 2)"]
    assert changes(shallow, deep) == "DEPTH: no longer reaches 'play, level 2'; level 1 (was 2) (in run-a)"
    assert changes(deep, shallow) == ""  # deeper than before is no regression
    assert changes(stored("run-c", None), deep) == ""  # not recorded: nothing to compare


def test_show_lists_the_numbers_and_screens_in_order(tmp_path: Path) -> None:
    run = stored("run-a", progress(shots=tmp_path))
    detail = {
        "url": "games/walk",
        "nodeid": "n",
        "description": None,
        "session_id": "s",
        "created_at": None,
        "started_at": None,
        "finished_at": None,
        "duration_s": 30.0,
        "seed": 1,
        "ready_s": None,
        "fps_min": None,
        "error": None,
        "evidence_path": None,
        "artifacts_dir": None,
        "results_path": None,
    }
    text = run_report({**run, **detail})
    block = text[text.index("\nprogress:") :]
    assert "  numbers:     level 1 -> 2, distance 0 -> 420" in block
    assert "  first:       7.2 s: distance after press d" in block
    assert block.index("1. Press Enter to start (first screen") < block.index("3. play, level 2 (after hold")
