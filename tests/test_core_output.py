"""--output is cleared only by a run that has game tests: `pytest --help` or a suite without game tests
never deletes ./test-results; under xdist exactly one worker clears it, before any test runs."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # pytest subprocesses (pytest-playwright cannot nest in-process)

PLAIN = "def test_plain():\n    assert True\n"
# A game test that fails fast without a browser: the DevTools endpoint refuses the connection.
GAME = """
import pytest


@pytest.mark.game("http://127.0.0.1:9/")
async def test_game(game_agent):
    pass
"""


def _keep(pytester: pytest.Pytester) -> Path:
    keep = pytester.path / "test-results" / "keep.txt"
    keep.parent.mkdir(parents=True, exist_ok=True)
    keep.write_text("from an earlier run")
    return keep


def test_a_run_without_game_tests_leaves_the_output_folder_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain=PLAIN)
    keep = _keep(pytester)
    pytester.runpytest_subprocess("-p", "no:randomly", "--game-no-runs").assert_outcomes(passed=1)
    assert keep.read_text() == "from an earlier run"
    assert pytester.runpytest_subprocess("--help").ret == 0
    assert keep.is_file()
    pytester.runpytest_subprocess("-n", "2", "--game-no-runs").assert_outcomes(passed=1)
    assert keep.is_file()


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_run_with_game_tests_clears_it_once(pytester: pytest.Pytester, workers: list[str]) -> None:
    pytester.makepyfile(test_game=GAME, test_plain=PLAIN)
    keep = _keep(pytester)
    result = pytester.runpytest_subprocess("--game-no-runs", "--game-cdp-url", "http://127.0.0.1:9", *workers)
    result.assert_outcomes(passed=1, errors=1)
    assert not keep.exists()
