"""The model player of a game test (`--game-model`), wired to the agent through its `Senses` only.

Imported only when a model is set: litellm takes a second to import, and a test without a model
never pays it. The model player gets functions of the agent, never the agent itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..llm.brain import LLMBrain
from ..llm.senses import Senses

if TYPE_CHECKING:
    from .agent import GameAgent


def model_player(agent: GameAgent) -> LLMBrain:
    """An `LLMBrain` that sees the game through the agent's session, look, actions and facts."""
    session, monitor = agent.session, agent.monitor

    async def perform(action: Any, policy: str, mark: bool) -> Any:
        return await agent.perform(action, policy=policy, mark=mark)

    senses = Senses(
        now=agent.clock.now,
        screenshot=lambda fmt, scale, quality: session.screenshot(fmt, scale=scale, quality=quality),
        viewport=lambda: session.viewport,
        evaluate=lambda js, timeout, arg: session.evaluate(js, timeout=timeout, arg=arg),
        url=lambda: session.page.url if session.page is not None else None,
        look=agent.look,
        perform=perform,
        reach=lambda: agent.reach,
        progress=lambda: agent.progress_tracker.facts() if agent.reach.entered else "",
        log=monitor.console_log.append,
        record=monitor.record,
        fatal=monitor.fatal.is_set,
        evidence=lambda: (agent.actions, agent.issues, monitor.console_log),
        loop=lambda: agent.loop,
        touch=agent.touch,
    )
    return LLMBrain(agent.settings, senses, fallback=agent.policy)
