"""The test behind every `--game-url`: load the game, play it for the configured time, judge it.

Collected by the plugin itself (no test file needed); each URL becomes one parametrized test.
"""

import pytest

from pytest_gameqa.plugin.stash import TARGETS_KEY


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    targets = metafunc.config.stash.get(TARGETS_KEY, [])
    metafunc.parametrize("game_target", targets, ids=[t.raw for t in targets])


@pytest.mark.asyncio(loop_scope="session")
async def test_game(game_target, game_agent):  # type: ignore[no-untyped-def]
    await game_agent.play()
