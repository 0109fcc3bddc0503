"""One settings table for every option: help from the table, one precedence, one ini reader for pytest and
the `gameqa` commands. Fast tier: configs are parsed in this process, nothing is started."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_gameqa.settings import (
    BY_FIELD,
    OPTIONS,
    GameSettings,
    SettingError,
    help_text,
    read_ini,
    resolve_base,
    resolve_option,
    resolve_outside_pytest,
)

#: the session settings that used to live outside the table, with a value for each source
SESSION_VALUES = {
    "confirm": ("1", "2", "3", 3),
    "shrink_budget": ("10", "20", "30", 30.0),
    "deterministic": ("off", "on", "off", False),
    "repeat": ("2", "3", "4", 4),
    "cdp_url": ("http://127.0.0.1:9001", "http://127.0.0.1:9002", "http://127.0.0.1:9003", "http://127.0.0.1:9003"),
    "ws_endpoint": ("ws://127.0.0.1:9001/", "ws://127.0.0.1:9002/", "ws://127.0.0.1:9003/", "ws://127.0.0.1:9003/"),
}


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_every_option_s_help_comes_from_the_table(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = session\n")
    shown = _squash(pytester.runpytest_inprocess("--help").stdout.str())
    for option in OPTIONS:
        if option.flag and not option.foreign_flag:
            assert f"{option.flag}" in shown
            assert _squash(help_text(option))[:60] in shown, option.field
        if option.env_ini:
            assert f"{option.ini} (" in shown  # the ini key, with its type, in pytest's ini list
    assert "--game-url" in shown and "[env GAMEQA_URL" not in shown  # the command line only
    assert "[env GAMEQA_CONFIRM, ini gameqa_confirm]" in shown


@pytest.mark.parametrize("field", sorted(SESSION_VALUES))
def test_repro_options_and_endpoints_follow_the_precedence(pytester: pytest.Pytester, field: str) -> None:
    option = BY_FIELD[field]
    from_ini, from_env, from_cli, expected = SESSION_VALUES[field]
    pytester.makeini(f"[pytest]\n{option.ini} = {from_ini}\n")
    assert resolve_option(pytester.parseconfig(), field, {}) == (
        resolve_base(pytester.parseconfig(), {})[field],
        f"{option.ini} in tox.ini",
    )
    _, source = resolve_option(pytester.parseconfig(), field, {option.env: from_env})
    assert source == option.env
    cli = [option.flag] if option.is_flag else [option.flag, from_cli]
    value, source = resolve_option(pytester.parseconfig(*cli), field, {option.env: from_env})
    assert (value, source) == (expected, option.flag)


@pytest.mark.parametrize(
    ("field", "raw", "words"),
    [
        ("confirm", "-1", "a whole number >= 0"),
        ("repeat", "0", "a whole number >= 1"),
        ("shrink_budget", "0", "a number > 0"),
        ("deterministic", "maybe", "on or off"),
        ("ws_endpoint", "http://127.0.0.1:3000/", "is not a ws/wss URL"),
        ("cdp_url", "127.0.0.1", "is not a http/https/ws/wss URL"),
    ],
)
def test_a_bad_value_names_where_it_came_from(pytester: pytest.Pytester, field: str, raw: str, words: str) -> None:
    option = BY_FIELD[field]
    pytester.makeini(f"[pytest]\n{option.ini} = {raw}\n")
    with pytest.raises(SettingError, match=f"^gameqa: {option.ini} in tox.ini .*{words}") as ini_error:
        resolve_base(pytester.parseconfig(), {})
    with pytest.raises(SettingError, match=f"^gameqa: {option.env} .*{words}"):
        resolve_base(pytester.parseconfig(), {option.env: raw})
    with pytest.raises(SettingError, match=f"^gameqa: {option.flag} .*{words}"):
        resolve_base(pytester.parseconfig(option.flag, raw), {})
    assert "\n" not in str(ini_error.value)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", "[pytest]\ngameqa_runs_db = store.sqlite\ngameqa_ignore =\n    first\n    second\n"),
        ("tox.ini", "[pytest]\ngameqa_runs_db = store.sqlite\ngameqa_ignore =\n    first\n    second\n"),
        ("setup.cfg", "[tool:pytest]\ngameqa_runs_db = store.sqlite\ngameqa_ignore =\n    first\n    second\n"),
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\ngameqa_runs_db = "store.sqlite"\ngameqa_ignore = ["first", "second"]\n',
        ),
    ],
)
def test_the_gameqa_commands_read_the_ini_file_pytest_reads(pytester: pytest.Pytester, name: str, text: str) -> None:
    (pytester.path / name).write_text(text, encoding="utf-8")
    sub = pytester.mkdir("sub")
    config = pytester.parseconfig()
    inipath, getini = read_ini(Path(sub))
    assert inipath == config.inipath
    for key in ("gameqa_runs_db", "gameqa_ignore", "gameqa_duration"):
        assert getini(key) == config.getini(key), key
    value, source, base = resolve_outside_pytest("runs_db", start=Path(sub), environ={})
    assert (value, source) == resolve_option(config, "runs_db", {})
    assert base == pytester.path  # relative paths are relative to the ini file's folder, as in pytest


def test_the_environment_wins_over_the_ini_file_outside_pytest_too(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ngameqa_runs_db = from-ini.sqlite\n")
    value, source, _ = resolve_outside_pytest(
        "runs_db", start=pytester.path, environ={"GAMEQA_RUNS_DB": "from-env.sqlite"}
    )
    assert (value, source) == ("from-env.sqlite", "GAMEQA_RUNS_DB")
    value, source, _ = resolve_outside_pytest("runs_db", cli="given.sqlite", cli_name="--db", start=pytester.path)
    assert (value, source) == ("given.sqlite", "--db")


def test_game_url_is_read_from_the_command_line_only(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig("--game-url", "https://a.invalid/", "--game-url", "https://b.invalid/")
    assert resolve_base(config, {"GAMEQA_URL": "https://c.invalid/"})["url"] == [
        "https://a.invalid/",
        "https://b.invalid/",
    ]
    assert "url" not in resolve_base(pytester.parseconfig(), {"GAMEQA_URL": "https://c.invalid/"})


def test_a_default_named_in_the_help_is_the_default_used() -> None:
    """Help text says '(default 60)': the same number GameSettings (or the table, for a session setting) uses."""
    checked = 0
    for option in OPTIONS:
        match = re.search(r"\(default (\d[\d.x]*|on|off)\b", option.help)
        if match is None:
            continue
        said = match.group(1)
        used = GameSettings.model_fields[option.field].default if option.per_test else option.default
        if isinstance(used, tuple):  # the viewport
            used = "x".join(str(v) for v in used)
        if isinstance(used, bool):
            used = "on" if used else "off"
        assert said == (f"{used:g}" if isinstance(used, float) else str(used)), option.field
        checked += 1
    assert checked >= 10
