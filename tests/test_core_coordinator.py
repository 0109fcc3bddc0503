"""The coordinator: one owner of a game test's life, announced through gameqa's own hooks.

Fast tier: the sessions run in this process (pytester's in-process runs) against a misconfigured browser
grid (`connect_options` that cannot work), the one real path on which a game test gets a record
without starting a browser or a subprocess: the test errors in setup with one line, and its record
(a load-failure) still reaches every listener.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from pytest_gameqa.plugin import hookspecs

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_gameqa"

#: a grid endpoint that is not a ws:// URL: the pool refuses it before it starts Playwright
BAD_GRID = """
import pytest

@pytest.fixture(scope="session")
def connect_options():
    return {"ws_endpoint": "not-a-url"}
"""

#: a third-party plugin (here a conftest) listening to every gameqa hook
LISTENER = """
import json
import pytest

SEEN = []

def pytest_gameqa_record_built(record, item):
    SEEN.append(("built", item.nodeid, record.outcome))

def pytest_gameqa_test_finished(record, item, outcome):
    SEEN.append(("finished", item.nodeid, record.outcome if record is not None else None, outcome))

def pytest_gameqa_session_finishing(records):
    SEEN.append(("finishing", sorted(records)))

def pytest_gameqa_session_finished(records, config):
    SEEN.append(("finished-session", sorted(records), [r.outcome for r in records.values()]))
    (config.rootpath / "seen.json").write_text(json.dumps(SEEN))
"""

GAME_TEST = """
import pytest

@pytest.mark.game("https://game.invalid/")
async def test_game(game_agent):
    pass

@pytest.mark.game("https://game.invalid/", duration=-1)
async def test_bad_marker(game_agent):
    pass
"""


def _run(pytester: pytest.Pytester) -> tuple[pytest.RunResult, list[list[object]]]:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = session\n")
    pytester.makeconftest(BAD_GRID + LISTENER)
    pytester.makepyfile(test_games=GAME_TEST)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "--game-no-runs", "--output", "out")
    seen = json.loads((pytester.path / "seen.json").read_text())
    return result, seen


def test_a_third_party_plugin_hears_the_life_of_each_game_test(pytester: pytest.Pytester) -> None:
    result, seen = _run(pytester)
    result.assert_outcomes(errors=2)
    game = "test_games.py::test_game"
    bad = "test_games.py::test_bad_marker"
    assert ["built", game, "passed"] in seen  # built before its outcome is known
    assert ["finished", game, "error", "error"] in seen  # the record carries the outcome the hook names
    assert ["finished", bad, None, "error"] in seen  # a bad marker argument: no player, no record, still told
    assert seen[-2] == ["finishing", [game]]
    assert seen[-1] == ["finished-session", [game], ["error"]]
    result.stdout.fnmatch_lines(["*not a ws/wss URL*"])  # the grid's one-line reason


def test_every_report_shows_the_outcome_the_coordinator_set(pytester: pytest.Pytester) -> None:
    _run(pytester)
    results = json.loads((pytester.path / "out" / "gameqa-results.json").read_text())
    (test,) = results["tests"]
    assert test["outcome"] == "error" and test["issues"][0]["kind"] == "load-failure"
    assert "not a ws/wss URL" in test["issues"][0]["message"]


def test_one_place_sets_a_game_test_s_outcome() -> None:
    """No module but the coordinator assigns `.outcome` (ResultsFile/TestRecord fields are set nowhere else)."""
    setters = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "outcome":
                    setters.append(path.relative_to(PACKAGE).as_posix())
    assert setters == ["plugin/coordinator.py"]


def test_every_gameqa_hook_is_a_documented_spec() -> None:
    specs = [name for name in dir(hookspecs) if name.startswith("pytest_gameqa_")]
    assert specs == [
        "pytest_gameqa_game_failed",
        "pytest_gameqa_record_built",
        "pytest_gameqa_session_finished",
        "pytest_gameqa_session_finishing",
        "pytest_gameqa_test_finished",
    ]
    assert all((getattr(hookspecs, name).__doc__ or "").strip() for name in specs)
