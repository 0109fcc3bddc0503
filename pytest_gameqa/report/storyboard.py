"""How far the player got, for people: the HTML storyboard and the CI job summary.

The storyboard shows the distinct screens in the order they were first reached, one thumbnail each,
with the action that led there, so a person sees at a glance whether the run got to level 2 or stayed
on the title. In GitHub Actions (`GITHUB_STEP_SUMMARY` set) the same story goes into the job summary:
one markdown row per game (verdict, entered at, progress, issues) and where the HTML report is.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

from ..models import Progress, TestRecord

#: screens shown in the storyboard (the record keeps at most 24)
MAX_SHOWN = 24
#: markdown table cells are cut to this many characters (a summary, not the report)
MAX_CELL = 120
ARROW = "\N{RIGHTWARDS ARROW}"
_CSS = (
    ".gq-story{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start;margin:6px 0}"
    ".gq-story figure{margin:0;width:170px;font-size:12px}"
    ".gq-story img{width:160px;border:1px solid #999;cursor:zoom-in}"
    ".gq-story .gq-step{color:#555}"
)


def _num(value: float) -> str:
    return f"{value:g}"


def progress_short(progress: Progress | Mapping[str, Any] | None) -> str | None:
    """`level 1 → 2, score 0 → 140; 4 screens; first progress at 7.2 s` (None when not recorded)."""
    if progress is None:
        return None
    data = progress if isinstance(progress, Progress) else Progress.model_validate(progress)
    parts = [
        f"{c.name} {_num(c.first)}" + (f" {ARROW} {_num(c.best)}" if c.best != c.first else "") for c in data.counters
    ]
    text = ", ".join(parts) if parts else "no number moved"
    text += f"; {len(data.screens)} screen{'s' if len(data.screens) != 1 else ''}"
    if data.rounds > 1:
        text += f"; {data.rounds} rounds"
    if data.first_progress_s is not None:
        text += f"; first progress at {data.first_progress_s:.1f} s"
    return text


def storyboard_html(record: TestRecord, shot: Callable[[str | None, str], str]) -> str:
    """The screens reached, in order, each with its first screenshot and the action that led there
    (`shot(path, alt)` is the report's <img>: linked or embedded)."""
    progress = record.progress
    if progress is None or not progress.screens:
        return ""
    figures = []
    for screen in progress.screens[:MAX_SHOWN]:
        how = f"after {screen.action}" if screen.action else "first screen"
        label = f"{screen.index}. {screen.name}"
        figures.append(
            f"<figure>{shot(screen.screenshot, label)}<figcaption><strong>{escape(label)}</strong>"
            f'<div class="gq-step">{escape(how)}, {screen.at_s:.1f} s</div></figcaption></figure>'
        )
    summary = progress_short(progress) or ""
    first = f" First progress: {progress.first_progress}." if progress.first_progress else ""
    return (
        f"<style>{_CSS}</style><h4>How far it got</h4>"
        f'<div class="gq-loc">{escape(summary)}{escape(first)}</div>'
        f'<div class="gq-story" data-screens="{len(progress.screens)}">{"".join(figures)}</div>'
    )


def _cell(text: str) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= MAX_CELL else flat[: MAX_CELL - 3] + "..."


def step_summary(records: Iterable[TestRecord], *, html_report: str | None, results: str | None) -> str:
    """The job summary's markdown: a table of games, then where the reports are."""
    from .results import kind_counts, kinds_text

    lines = [
        "### gameqa",
        "",
        "| game | verdict | entered at | progress | issues |",
        "|---|---|---|---|---|",
    ]
    for record in records:
        reach = record.reach
        if reach is None:
            entered = "-"
        elif reach.entered:
            entered = f"{reach.entered_at_s:.1f} s" if reach.entered_at_s is not None else "yes"
        else:
            entered = "**not entered**"
        verdict = str(record.outcome)
        verdict = f"**{verdict.upper()}**" if verdict in ("failed", "error") else verdict
        cells = [record.url, verdict, entered, progress_short(record.progress) or "-"]
        cells.append(kinds_text(kind_counts(record.issues)))
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    if html_report:
        lines.append(f"HTML report: `{html_report}` (with a storyboard of the screens each game reached)")
    if results:
        lines.append(f"Results: `{results}`")
    return "\n".join(lines) + "\n"


def append_step_summary(
    records: Iterable[TestRecord],
    *,
    html_report: str | None,
    results: str | None,
    environ: Mapping[str, str] = os.environ,
) -> str | None:
    """Append the summary to `$GITHUB_STEP_SUMMARY` when set; returns a problem in one line, or None."""
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    try:
        with Path(target).open("a", encoding="utf-8") as out:
            out.write(step_summary(records, html_report=html_report, results=results))
    except OSError as error:
        return f"gameqa: could not append to GITHUB_STEP_SUMMARY ({target}): {error.strerror or error}"
    return None
