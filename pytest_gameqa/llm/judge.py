"""The end-of-run judge: a few screenshots and the run's evidence in, a verdict with scores out.

The monitor catches what the browser reports (errors, hangs, blank screens); a model looking at the
screenshots catches what only a player sees: broken graphics, a screen stuck although input goes on,
a button that does nothing. One call per test, after playing, so it costs little.
"""

from __future__ import annotations

from ..models import ActionResult, Issue, IssueKind
from .client import ModelClient
from .prompts import image_part, system_prompt, text_part, untrusted
from .schema import Shot, Verdict

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
