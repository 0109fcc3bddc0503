"""Small pieces a user relies on: script steps worded as for act(), start steps and OCR settings, how actions
read in reports, which outcome a game gets, the model cache's keys and API keys kept out of reports.

Unit tests: no browser, no subprocess.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from pytest_gameqa.agent.actions import (
    ClickAt,
    ClickElement,
    Drag,
    HoldKey,
    HoverScan,
    MovePointer,
    PressKey,
    ReturnToGame,
    TypeText,
    Wait,
)
from pytest_gameqa.agent.instructions import literal_action
from pytest_gameqa.agent.keys import normalise_key
from pytest_gameqa.dom.detector import PageView
from pytest_gameqa.llm.cache import ActionCache
from pytest_gameqa.llm.client import redact
from pytest_gameqa.models import ActionResult, IssueKind, ObserveResult, Reach, TestRecord
from pytest_gameqa.monitor.monitor import GameMonitor
from pytest_gameqa.report.results import results_file, write_results
from pytest_gameqa.settings import GameSettings, SettingError, resolve, resolve_base


# ------------------------------------------------------------------------------------------ literal steps
@pytest.mark.parametrize(
    ("instruction", "action"),
    [
        ("click at 640,500", ClickAt(x=640, y=500)),
        ("click (3, 4)", ClickAt(x=3, y=4)),
        ("double-click 10,20", ClickAt(x=10, y=20, double=True)),
        ("Double click at 1.5,2", ClickAt(x=1.5, y=2, double=True)),
        ("type Alice", TypeText(text="Alice")),
        ("type 'Sir Lancelot'", TypeText(text="Sir Lancelot")),
        ("wait 500", Wait(ms=500)),
        ("wait 2s", Wait(ms=2000)),
        ("wait 9s", Wait(ms=5000)),  # capped: a start step never stalls the run for long
    ],
)
def test_literal_steps_need_no_lookup(instruction: str, action: Any) -> None:
    assert literal_action(instruction) == action


@pytest.mark.parametrize("instruction", ["click the start button", "press N", "wait for the title", "type"])
def test_other_instructions_are_not_literal(instruction: str) -> None:
    assert literal_action(instruction) is None


# ------------------------------------------------------------------------------------------ settings
def test_game_start_is_a_repeatable_list_in_order(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ngameqa_start =\n    wait 500\n")
    config = pytester.parseconfig("--game-start", "press N", "--game-start", "click at 640,500")
    base = resolve_base(config, environ={})
    assert base["start"] == ["wait 500", "press N", "click at 640,500"]
    assert resolve(base, {"start": "type Alice"}, "t::x").start == [
        "wait 500",
        "press N",
        "click at 640,500",
        "type Alice",
    ]


def test_gameqa_start_splits_on_newlines_so_commas_stay_in_a_step(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    base = resolve_base(config, environ={"GAMEQA_START": "press N\r\n\n  click at 640,500  \ndouble-click 10,20\n"})
    assert base["start"] == ["press N", "click at 640,500", "double-click 10,20"]
    assert GameSettings().start == []  # no start steps unless given


@pytest.mark.parametrize(("raw", "value"), [("auto", "auto"), ("off", "off"), (" OFF ", "off")])
def test_game_ocr_accepts_auto_and_off(pytester: pytest.Pytester, raw: str, value: str) -> None:
    config = pytester.parseconfig("--game-ocr", raw)
    assert resolve_base(config, environ={})["ocr"] == value


def test_game_ocr_refuses_anything_else_with_one_line(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig("--game-ocr", "on")
    with pytest.raises(SettingError, match=r"^gameqa: --game-ocr must be one of auto, off, got 'on'$"):
        resolve_base(config, environ={})
    with pytest.raises(SettingError, match=r"GAMEQA_OCR must be one of auto, off, got 'tesseract'"):
        resolve_base(pytester.parseconfig(), environ={"GAMEQA_OCR": "tesseract"})
    assert GameSettings().ocr == "auto"


# ------------------------------------------------------------------------------------------ actions
@pytest.mark.parametrize(
    ("action", "text"),
    [
        (ClickElement(target=ObserveResult(description="click 'Start'", text="Start")), "click 'Start'"),
        (ClickAt(x=640.7, y=500.2, label="canvas"), "click canvas (640,500)"),
        (ClickAt(x=10, y=20), "click at (10,20)"),
        (ClickAt(x=10, y=20, label="canvas", double=True), "double-click canvas (10,20)"),
        (Drag(x1=1, y1=2, x2=30, y2=40, label="card"), "drag card (1,2)->(30,40)"),
        (
            MovePointer(points=[(1, 2), (5, 5), (30, 40)], label="across the game"),
            "move the pointer across the game (x 1-30, y 2-40)",
        ),
        # a sweep out and back is described by its extent, not by its equal ends
        (
            MovePointer(points=[(640, 360), (200, 360), (900, 360), (640, 360)]),
            "move the pointer (x 200-900, y 360-360)",
        ),
        (HoverScan(x=0, y=0, width=800, height=600), "look for buttons under the pointer (800x600 area)"),
        (PressKey(key="n"), "press n"),
        (PressKey(key="Space", times=3), "press Space x3"),
        (HoldKey(key="ArrowUp", ms=800), "hold ArrowUp 800ms"),
        (TypeText(text="Alice"), "type 'Alice'"),
        (TypeText(text="x" * 50), "type '" + "x" * 30 + "'"),
        (Wait(ms=300), "wait 300ms"),
        (ReturnToGame(left_to="https://ads.example/"), "return to the game"),
    ],
)
def test_every_action_describes_itself_for_the_report(action: Any, text: str) -> None:
    assert action.describe() == text


def test_a_drag_without_a_label_names_its_path() -> None:
    text = Drag(x1=1, y1=2, x2=30, y2=40).describe()
    assert text.startswith("drag ") and text.endswith("(1,2)->(30,40)")


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("space", "Space"),
        (" ", "Space"),
        ("Spacebar", "Space"),
        ("return", "Enter"),
        ("up", "ArrowUp"),
        ("LEFT", "ArrowLeft"),
        ("esc", "Escape"),
        ("KeyW", "w"),
        ("Digit1", "1"),
        ("N", "n"),  # the N key, not Shift+N
        ("ArrowRight", "ArrowRight"),
        ("F5", "F5"),
        ("1", "1"),
    ],
)
def test_normalise_key_accepts_what_people_and_models_write(written: str, key: str) -> None:
    assert normalise_key(written) == key


def test_key_inputs_are_named_by_the_key_they_press() -> None:
    assert PressKey(key="space", times=2).input_name == "Space"
    assert HoldKey(key="KeyA").input_name == "a"
    assert ClickAt(x=1, y=1, label="canvas", double=True).input_name == "double-click canvas"


# ------------------------------------------------------------------------------------------ results file
def _record(nodeid: str, folder: Path) -> TestRecord:
    shot = folder / "game" / "01-after-press-n.jpg"
    return TestRecord(
        nodeid=nodeid,
        url="http://127.0.0.1:1/",
        outcome="failed",
        started_at="2026-12-01T10:00:00+00:00",
        duration_s=3.0,
        actions=[ActionResult(index=1, description="press n", ok=True, at_s=1.0, after=str(shot))],
        artifacts_dir=str(folder / "game"),
        reach=Reach(entered=True, first_screenshot=str(shot)),
        files={"evidence": str(folder / "game" / "evidence.json")},
    )


def test_results_point_at_files_relative_to_the_output_folder(tmp_path: Path) -> None:
    record = _record("gameqa::g", tmp_path)
    target = write_results([record], tmp_path)
    (test,) = results_file([record], tmp_path).tests
    assert test.actions[0].after == "game/01-after-press-n.jpg"
    assert test.reach is not None and test.reach.first_screenshot == "game/01-after-press-n.jpg"
    assert test.artifacts_dir == "game" and test.files == {"evidence": "game/evidence.json"}
    assert test.outcome == "failed"  # as the coordinator set it
    assert target == tmp_path / "gameqa-results.json" and '"game/01-after-press-n.jpg"' in target.read_text()
    assert Path(record.actions[0].after or "").is_absolute()  # the live record keeps absolute paths


class _Clock:
    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.t = 0.0

    def now(self) -> float:
        return round(self.t, 3)


def test_issues_are_listed_by_first_occurrence_with_repeats_counted_in_place() -> None:
    clock = _Clock()
    monitor = GameMonitor(GameSettings(url="http://127.0.0.1:1/"), clock, "http://127.0.0.1:1/")  # type: ignore[arg-type]
    for at, kind, message in [
        (1.0, IssueKind.CONSOLE_ERROR, "level 2: checksum mismatch"),
        (2.0, IssueKind.PAGE_ERROR, "TypeError: x is undefined"),
        (3.0, IssueKind.CONSOLE_ERROR, "level 2: checksum mismatch"),
        (4.0, IssueKind.NETWORK_ERROR, "GET /sprites.png: HTTP 404"),
    ]:
        clock.t = at
        monitor.record(kind, message)
    issues = monitor.issues
    assert [(i.kind, i.at_s) for i in issues] == [
        (IssueKind.CONSOLE_ERROR, 1.0),
        (IssueKind.PAGE_ERROR, 2.0),
        (IssueKind.NETWORK_ERROR, 4.0),
    ]
    assert (issues[0].count, issues[0].last_at_s) == (2, 3.0)


# ------------------------------------------------------------------------------------------ model cache
def _view(*texts: str) -> PageView:
    return PageView(
        candidates=[
            ObserveResult(description=f"click {t!r}", selector=f"#b{i}", kind="button", text=t)
            for i, t in enumerate(texts)
        ]
    )


def test_cache_key_survives_a_new_port_and_reworded_spacing() -> None:
    view = _view("Start", "Options")
    key = ActionCache.key("http://127.0.0.1:41111/game/index.html", "act", "click the Start button", view)
    assert key == ActionCache.key("http://127.0.0.1:52222/game/index.html", "act", "  Click the  start BUTTON ", view)
    assert len(key) == 40 and int(key, 16) >= 0


@pytest.mark.parametrize(
    ("url", "method", "instruction", "buttons"),
    [
        ("http://127.0.0.1:1/game/level2.html", "act", "click the Start button", ("Start", "Options")),
        ("http://127.0.0.1:1/game/index.html?mode=hard", "act", "click the Start button", ("Start", "Options")),
        ("http://127.0.0.1:1/game/index.html", "observe", "click the Start button", ("Start", "Options")),
        ("http://127.0.0.1:1/game/index.html", "act", "click the Options button", ("Start", "Options")),
        ("http://127.0.0.1:1/game/index.html", "act", "click the Start button", ("Start", "Settings")),
    ],
)
def test_cache_key_changes_with_page_method_instruction_or_controls(
    url: str, method: str, instruction: str, buttons: tuple[str, ...]
) -> None:
    base = ActionCache.key(
        "http://127.0.0.1:1/game/index.html", "act", "click the Start button", _view("Start", "Options")
    )
    assert ActionCache.key(url, method, instruction, _view(*buttons)) != base


def test_cache_entries_round_trip_and_a_disabled_cache_keeps_nothing(tmp_path: Path) -> None:
    view = _view("Start")
    cache = ActionCache(tmp_path / "cache")
    key = cache.key("http://127.0.0.1:1/", "act", "click start", view)
    assert cache.get(key) is None
    cache.put(key, "http://127.0.0.1:1/", "act", "click start", view, action={"type": "press", "key": "n"})
    entry = cache.get(key)
    assert entry is not None and entry["action"] == {"type": "press", "key": "n"} and entry["path"] == "/"
    off = ActionCache(None)
    off.put(key, "http://127.0.0.1:1/", "act", "click start", view, action={})
    assert not off.enabled and off.get(key) is None


# ------------------------------------------------------------------------------------------ redaction
def test_api_keys_are_redacted_from_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_GAME_API_TOKEN", "tok-abcdef123456")
    text = redact(
        "401 from the API: Authorization: Bearer abc.def-ghi; {'api_key': 'hunter22'}; "
        "sk-proj-ABCDEF123456 was refused; your token tok-abcdef123456 expired"
    )
    for secret in ("abc.def-ghi", "hunter22", "ABCDEF123456", "tok-abcdef123456"):
        assert secret not in text, text
    assert "Bearer ***" in text and "sk-***" in text and "401 from the API" in text


def test_redaction_leaves_ordinary_text_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHORT_KEY", "abc")  # too short to be a key: redacting it would garble messages
    message = "the model returned prose instead of JSON: 'abc, press Space to skip'"
    assert redact(message) == message
