"""The end-of-run judge: a few screenshots and the run's evidence in, a verdict with scores out.

The monitor catches what the browser reports (errors, hangs, blank screens); a model looking at the
screenshots catches what only a player sees: broken graphics, a screen stuck although input goes on,
a button that does nothing. One call per test, after playing, so it costs little.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..models import ActionResult, Issue, IssueKind
from .client import ModelClient, ModelUnavailable, redact
from .prompts import image_part, system_prompt, text_part, untrusted
from .schema import Shot, Verdict
from .senses import Senses

MAX_SHOTS = 4


def select_shots(shots: list[Shot], limit: int = MAX_SHOTS) -> list[Shot]:
    """The first, the last and evenly spaced ones between: the story of the run in a few pictures."""
    if len(shots) <= limit:
        return list(shots)
    step = (len(shots) - 1) / (limit - 1)
    return [shots[round(i * step)] for i in range(limit)]


def _evidence(shots: list[Shot], actions: list[ActionResult], issues: list[Issue], console: list[str]) -> str:
    lines = ["Screenshots, in the order attached:"]
    lines += [f"- screenshot {n}: at {s.at_s:.1f} s, {s.label}" for n, s in enumerate(shots, start=1)]
    changed = sum(1 for a in actions if a.changed)
    lines += ["", f"Actions taken: {len(actions)}; {changed} changed the screen. The last ones:"]
    for action in actions[-12:]:
        effect = "changed the screen" if action.changed else "no visible change"
        if not action.ok:
            effect = f"failed: {(action.error or '')[:100]}"
        lines.append(f"- {action.at_s:.1f} s: {action.description[:80]} -> {effect}")
    lines += ["", "Issues the monitor recorded:"]
    recorded = [i for i in issues if i.kind is not IssueKind.WARNING][:15]
    lines += [f"- {i.kind.value} at {i.at_s:.1f} s: {i.message[:160]}" for i in recorded] or ["- none"]
    lines += ["", "End of the browser console (page content):", untrusted("\n".join(console[-15:]), 2000)]
    return "\n".join(lines)


async def judge(
    client: ModelClient,
    shots: list[Shot],
    actions: list[ActionResult],
    issues: list[Issue],
    console: list[str],
) -> Verdict:
    chosen = select_shots(shots)
    system = system_prompt("judge", Verdict, structured=client.structured)
    content = [text_part(_evidence(chosen, actions, issues, console))]
    for number, shot in enumerate(chosen, start=1):
        content += [text_part(f"Screenshot {number}:"), image_part(shot)]
    verdict: Verdict = await client.ask("judge", system, content, Verdict, max_tokens=1200)  # type: ignore[assignment]
    return verdict


def scores_line(verdict: Verdict) -> str:
    return (
        f"AI verdict: loaded {verdict.loaded}/5, controls responsive {verdict.controls_responsive}/5, "
        f"stable {verdict.stable}/5 - {verdict.summary.strip()[:300]}"
    )


def findings(verdict: Verdict, shots: list[Shot]) -> list[tuple[str, float | None]]:
    """Messages of the ai-finding issues, with the time of the screenshot each is seen in.

    A low score with no finding still becomes one: the model judged the game broken, and a
    verdict that says so must not pass silently.
    """
    chosen = select_shots(shots)
    out: list[tuple[str, float | None]] = []
    for finding in verdict.findings[:10]:
        at_s = None
        if finding.screenshot is not None and 1 <= finding.screenshot <= len(chosen):
            at_s = chosen[finding.screenshot - 1].at_s
        out.append((f"{finding.category}: {finding.message.strip()[:300]}", at_s))
    if not out:
        for name, score in (
            ("loaded", verdict.loaded),
            ("controls responsive", verdict.controls_responsive),
            ("stable", verdict.stable),
        ):
            if score <= 2:
                out.append((f"low score: {name} {score}/5 - {verdict.summary.strip()[:200]}", None))
    return out


class ModelJudge:
    """The end-of-run verdict of one game test, given once: scores as a warning line, defects as
    ai-finding issues (failing the test under `--game-ai-verdict fail`, reported under `warn`)."""

    def __init__(
        self,
        client: ModelClient,
        senses: Senses,
        shots: list[Shot],
        final_shot: Callable[[str], Awaitable[Shot | None]],
        note: Callable[..., None],
        *,
        enabled: bool,
    ) -> None:
        self.client = client
        self.senses = senses
        self.shots = shots  # the model player's screenshots of the run, shared: the judge samples them
        self.final_shot = final_shot
        self.note = note
        self.enabled = enabled
        self.judged = False

    async def run(self) -> None:
        if self.judged or not self.enabled:
            return
        self.judged = True
        if not self.client.available:
            self.note("no AI verdict: the model is not available (see the lines above)")
            return
        if not self.senses.fatal():
            await self.final_shot("the end of the run")
        if not self.shots:
            return
        actions, issues, console = self.senses.evidence()
        try:
            verdict = await judge(self.client, self.shots, actions, issues, console)
        except ModelUnavailable as error:
            self.note(f"no AI verdict: {error}", warn=True)
            return
        self.note(scores_line(verdict), warn=True)
        for message, at_s in findings(verdict, self.shots):
            issue = self.senses.record(IssueKind.AI_FINDING, redact(message))
            if issue is not None and at_s is not None:
                issue.at_s = at_s

    def run_blocking(self) -> None:
        """Run the judge from pytest's (sync) call phase on the agent's idle event loop.

        The verdict must exist before the test's outcome is decided, and that happens in a sync
        hook after the test coroutine returned; the session loop is idle then. When it is not
        (an async caller), `GameAgent.stop()` runs the judge instead.
        """
        if self.judged or not self.enabled:
            return
        loop = self.senses.loop()
        if loop is None or loop.is_closed() or loop.is_running():
            return
        loop.run_until_complete(self.run())
