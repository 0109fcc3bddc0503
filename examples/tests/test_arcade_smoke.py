"""The marker alone is a full smoke test: load, play for `duration`, fail on any defect."""

import pytest


@pytest.mark.game("../games/healthy-turn-based", duration=8)
def test_tic_tac_toe_smoke():
    pass


@pytest.mark.game("../games/gate-iframe", duration=4)
async def test_iframe_game_defect_is_found(game_agent):
    await game_agent.play()
