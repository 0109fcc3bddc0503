"""The settings table: every option (booleans and paths too) resolves one way, settings are frozen and
constrained, deprecated names still work with a warning. Unit tests: no browser, no subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pytest_gameqa.models import IssueKind
from pytest_gameqa.plugin.runs import resolve_db
from pytest_gameqa.settings import (
    BY_FIELD,
    OPTIONS,
    GameqaDeprecationWarning,
    GameSettings,
    SettingError,
    resolve,
    resolve_base,
    resolve_outside_pytest,
)


def test_every_option_is_in_one_table_with_its_env_and_ini_names() -> None:
    assert {"runs_db", "no_runs", "max_heap_growth"} <= set(BY_FIELD)
    assert BY_FIELD["max_heap_growth"].env == "GAMEQA_MAX_HEAP_GROWTH"
    assert BY_FIELD["max_heap_growth"].ini == "gameqa_max_heap_growth"
    assert BY_FIELD["no_runs"].is_flag and not BY_FIELD["no_runs"].per_test
    per_test = {o.field for o in OPTIONS if o.per_test}
    assert per_test == set(GameSettings.model_fields), "a per-test option without its field (or the reverse)"


def test_run_store_options_follow_the_same_precedence(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ngameqa_runs_db = from-ini.sqlite\ngameqa_no_runs = false\n")
    config = pytester.parseconfig()
    assert resolve_db(config, environ={}) == config.rootpath / "from-ini.sqlite"
    assert resolve_db(config, environ={"GAMEQA_RUNS_DB": "from-env.sqlite"}) == config.rootpath / "from-env.sqlite"
    assert resolve_db(config, environ={"GAMEQA_NO_RUNS": "1"}) is None
    cli = pytester.parseconfig("--game-runs-db", "from-cli.sqlite")
    assert resolve_db(cli, environ={"GAMEQA_RUNS_DB": "from-env.sqlite"}) == cli.rootpath / "from-cli.sqlite"
    assert resolve_db(pytester.parseconfig("--game-no-runs"), environ={"GAMEQA_NO_RUNS": "0"}) is None
    with pytest.raises(SettingError, match=r"^gameqa: GAMEQA_NO_RUNS must be true or false, got 'maybe'$"):
        resolve_db(config, environ={"GAMEQA_NO_RUNS": "maybe"})
    with pytest.raises(SettingError, match=r"^gameqa: gameqa_no_runs in tox.ini must be true or false"):
        pytester.makeini("[pytest]\ngameqa_no_runs = perhaps\n")
        resolve_db(pytester.parseconfig(), environ={})


def test_the_gameqa_command_reads_the_run_store_setting_from_the_ini_file_too(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ngameqa_runs_db = "store/runs.sqlite"\n')
    below = tmp_path / "sub" / "dir"
    below.mkdir(parents=True)
    value, source, base = resolve_outside_pytest("runs_db", start=below, environ={})
    assert (value, source, base) == ("store/runs.sqlite", "gameqa_runs_db in pyproject.toml", tmp_path)
    value, source, _ = resolve_outside_pytest("runs_db", start=below, environ={"GAMEQA_RUNS_DB": "env.sqlite"})
    assert (value, source) == ("env.sqlite", "GAMEQA_RUNS_DB")
    value, source, _ = resolve_outside_pytest("runs_db", cli="x.sqlite", cli_name="--db", start=below, environ={})
    assert (value, source) == ("x.sqlite", "--db")


def test_settings_are_frozen_and_constrained() -> None:
    settings = GameSettings()
    with pytest.raises(ValidationError):
        settings.duration = 5  # type: ignore[misc]
    for bad in ({"duration": 0}, {"max_actions": 0}, {"screenshot_scale": 2}, {"hang_timeout": 0.1}, {"ocr": "on"}):
        with pytest.raises(ValidationError):
            GameSettings(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("duration", "0.1", "0"),
        ("max_actions", "1", "0"),
        ("max_heap_growth", "0.5", "0"),
        ("screenshot_scale", "0.1", "1.5"),
        ("hang_timeout", "0.5", "0.4"),
        ("max_pairs", "2", "1"),
        ("timeout", "1", "0"),
    ],
)
def test_the_table_and_the_model_agree_on_bounds(field: str, good: str, bad: str) -> None:
    option = BY_FIELD[field]
    GameSettings(**{field: option.parse(good)})
    with pytest.raises(ValueError):
        option.parse(bad)
    with pytest.raises(ValidationError):
        GameSettings(**{field: float(bad)})


def test_a_model_with_a_warn_verdict_allows_ai_findings_from_the_start() -> None:
    assert IssueKind.AI_FINDING in GameSettings(model="openai/x").allow
    assert IssueKind.AI_FINDING not in GameSettings(model="openai/x", ai_verdict="fail").allow
    assert GameSettings().allow == []


def test_the_old_heap_growth_names_still_work_with_a_warning(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    with pytest.warns(GameqaDeprecationWarning, match="GAMEQA_MEMORY_GROWTH_MB_PER_S is deprecated"):
        base = resolve_base(config, environ={"GAMEQA_MEMORY_GROWTH_MB_PER_S": "2.5"})
    assert base["max_heap_growth"] == 2.5
    assert resolve_base(config, environ={"GAMEQA_MAX_HEAP_GROWTH": "3"})["max_heap_growth"] == 3
    with pytest.warns(GameqaDeprecationWarning, match="memory_growth_mb_per_s= is deprecated"):
        settings = resolve({}, {"memory_growth_mb_per_s": 4}, "t::x")
    assert settings.max_heap_growth == 4 and settings.memory_growth_mb_per_s == 4
    pytester.makeini("[pytest]\ngameqa_memory_growth_mb_per_s = 6\n")
    with pytest.warns(GameqaDeprecationWarning, match="gameqa_memory_growth_mb_per_s is deprecated"):
        assert resolve_base(pytester.parseconfig(), environ={})["max_heap_growth"] == 6


def test_session_options_are_not_marker_arguments() -> None:
    with pytest.raises(SettingError, match="unknown argument 'runs_db'"):
        resolve({}, {"runs_db": "x.sqlite"}, "t::x")


@pytest.mark.e2e  # a pytest subprocess: pytest-playwright cannot nest in-process
def test_the_old_browser_pool_fixture_name_warns(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_pool(gameqa_browser_pool, game_browser_pool):
            assert gameqa_browser_pool is game_browser_pool
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--game-no-runs")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*gameqa_browser_pool fixture is deprecated; use game_browser_pool*"])
