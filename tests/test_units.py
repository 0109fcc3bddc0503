"""Small pure pieces: settings precedence, target parsing, names, decoding, messages."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from pytest_gameqa.agent.keys import key_from_instruction
from pytest_gameqa.models import Issue, IssueKind
from pytest_gameqa.monitor.pixels import decode_png
from pytest_gameqa.plugin.targets import parse_target
from pytest_gameqa.report.artifacts import slug
from pytest_gameqa.report.results import format_failure
from pytest_gameqa.settings import SettingError, resolve, resolve_base


def test_precedence_marker_over_cli_over_env_over_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ngameqa_duration = 11\ngameqa_max_actions = 40\ngameqa_seed = 3\n")
    config = pytester.parseconfig("--game-duration", "22")
    base = resolve_base(config, environ={"GAMEQA_DURATION": "33", "GAMEQA_MAX_ACTIONS": "50"})
    assert base["duration"] == 22  # CLI beats env and ini
    assert base["max_actions"] == 50  # env beats ini
    assert base["seed"] == 3  # ini beats the default
    settings = resolve(base, {"duration": 5}, "t::x")
    assert settings.duration == 5 and settings.max_actions == 50  # marker beats everything


def test_lists_accumulate_and_bad_marker_kwarg_is_named(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ngameqa_ignore =\n    ResizeObserver\n")
    config = pytester.parseconfig("--game-ignore", "checksum")
    base = resolve_base(config, environ={})
    settings = resolve(base, {"ignore": ["level \\d"], "allow": ["console-error"]}, "t::x")
    assert settings.ignore == ["ResizeObserver", "checksum", "level \\d"]
    assert settings.allow == [IssueKind.CONSOLE_ERROR]
    with pytest.raises(SettingError, match=r"unknown argument 'speed'.*t::x"):
        resolve(base, {"speed": 3}, "t::x")
    with pytest.raises(SettingError, match=r"allow=.*an issue kind"):
        resolve(base, {"allow": ["explosion"]}, "t::x")


def test_targets(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>hi")
    (tmp_path / "play.html").write_text("<p>hi")
    (tmp_path / "empty").mkdir()
    assert parse_target("https://example.com/game/").url == "https://example.com/game/"
    local = parse_target(str(tmp_path))
    assert local.root == tmp_path.resolve() and local.is_local
    assert parse_target(f"file://{tmp_path}/play.html").entry == (tmp_path / "play.html").resolve()
    with pytest.raises(SettingError, match=r"no index\.html"):
        parse_target(str(tmp_path / "empty"))
    with pytest.raises(SettingError, match=r"expected a folder or an \.html file"):
        (tmp_path / "notes.txt").write_text("x")
        parse_target(str(tmp_path / "notes.txt"))
    with pytest.raises(SettingError, match="not a valid URL"):
        parse_target("https://")


@pytest.mark.parametrize(
    "text", ["../../etc/passwd", "click 'Start Game'", "<script>alert(1)</script>", "é" * 100, "/", "a\\b"]
)
def test_slug_is_safe_for_file_names(text: str) -> None:
    value = slug(text)
    assert value and len(value) <= 48
    assert set(value) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


def _png(width: int, height: int, pixel: bytes, odd: tuple[int, int] | None = None) -> bytes:
    rows = b""
    for y in range(height):
        row = bytearray(pixel * width)
        if odd and odd[1] == y:
            row[odd[0] * 3] ^= 0x80
        rows += b"\x00" + bytes(row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_flat_screen_detection() -> None:
    flat = decode_png(_png(16, 9, b"\x10\x20\x30"))
    assert flat.is_flat() and flat.colour() == "#102030"
    assert not decode_png(_png(16, 9, b"\x10\x20\x30", odd=(5, 4))).is_flat()


def test_failure_message_counts_repeats_first_occurrence_first() -> None:
    issues = [
        Issue(kind=IssueKind.PAGE_ERROR, message="TypeError: x", at_s=1.5, count=12, location="http://h/g.js:3:9"),
        Issue(kind=IssueKind.CONSOLE_ERROR, message="bad level", at_s=2.0),
    ]
    text = format_failure("http://h/", issues)
    lines = text.splitlines()
    assert "2 issues" in lines[0]
    assert "page-error x12: TypeError: x  @ http://h/g.js:3:9" in lines[1]
    assert "console-error: bad level" in lines[2]


@pytest.mark.parametrize(
    ("instruction", "key"),
    [
        ("press the spacebar to jump", "Space"),
        ("press Enter", "Enter"),
        ("press R to restart", "r"),
        ("hit the up arrow", "ArrowUp"),
        ("click the start button", None),
    ],
)
def test_key_from_instruction(instruction: str, key: str | None) -> None:
    assert key_from_instruction(instruction) == key


def test_a_blocked_event_loop_is_reported_with_stacks(capfd: pytest.CaptureFixture[str]) -> None:
    import asyncio
    import time

    from pytest_gameqa.browser.stall import LoopStallWatch

    async def main() -> None:
        watch = LoopStallWatch(asyncio.get_running_loop(), limit_s=1.0)
        watch.start()
        await asyncio.sleep(0.1)
        time.sleep(4.5)  # blocks the loop's own thread: no timeout can fire
        watch.stop()

    asyncio.run(main())
    err = capfd.readouterr().err
    assert "the event loop has not run for 1 s" in err
    assert "time.sleep" in err or "test_a_blocked_event_loop" in err  # the stack names the blocking call
