"""pytest-html extras for a game test: verdict, issues with their screenshots, metrics, action timeline.

One `extras.html` block per test, attached to the teardown report (pytest-html shows the extras of all
phases in the test's row). Screenshots are linked relative to the report, or embedded as base64 with
`--self-contained-html`; each file appears once in the timeline, so a self-contained report grows by
the size of the (already capped, downscaled, JPEG) evidence and no more. No JS runs in extras: the
timeline folds with <details> and a thumbnail enlarges with a CSS class toggled by its onclick.
"""

from __future__ import annotations

import base64
import os
import urllib.parse
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from ..models import TestRecord
from .chart import sparkline
from .results import kind_counts, kinds_text
from .storyboard import storyboard_html
from .summary import device_text, reach_long

CSS = (Path(__file__).with_name("gameqa.css")).read_text(encoding="utf-8")
#: Issue thumbnails duplicate timeline images in a self-contained report; past this many, link only.
MAX_ISSUE_SHOTS = 12
#: A self-contained report embeds a kept video up to this size; bigger ones are linked.
MAX_EMBED_VIDEO = 8 * 1024 * 1024
CONSOLE_TAIL = 300
#: Size bounds, whatever the page logged: issues listed per game, characters per message and per log line.
#: (The monitor already keeps at most 50 groups per kind; these bound records from any source.)
MAX_ISSUES_SHOWN = 200
MAX_MESSAGE_CHARS = 1000
MAX_LOG_LINE_CHARS = 500
_MIME = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webm": "video/webm"}
_ZOOM = "this.classList.toggle('gq-zoom')"


def html_report_dir(config: Any) -> Path | None:
    """Where pytest-html writes the report, or None when there is no HTML report in this run."""
    html_path = getattr(config.option, "htmlpath", None)
    if not html_path or not config.pluginmanager.has_plugin("html"):
        return None
    target = Path(os.path.expandvars(html_path)).expanduser()
    return (Path(config.invocation_params.dir) / target).parent


def attach_html(report: Any, record: TestRecord, config: Any) -> None:
    """Add the action timeline, issues and metrics to `report.extras` when pytest-html is active."""
    report_dir = html_report_dir(config)
    if report_dir is None:
        return
    try:
        from pytest_html import extras
    except ImportError:
        return
    self_contained = bool(getattr(config.option, "self_contained_html", False))
    media = Media(report_dir, self_contained)
    added = [extras.html(render(record, media))]
    trace = record.files.get("trace")
    if trace:  # also in the Links column, where pytest-playwright users look for it
        added.append(extras.url(media.link(trace), name="Trace"))
    report.extras = [*getattr(report, "extras", []), *added]


class Media:
    """Turns an artifact path into what an <img>/<a> needs: a relative URL or a data: URI."""

    def __init__(self, report_dir: Path, self_contained: bool) -> None:
        self.report_dir = report_dir
        self.self_contained = self_contained

    def link(self, path: str) -> str:
        try:
            relative = os.path.relpath(path, self.report_dir)
        except ValueError:  # another drive on Windows
            return Path(path).as_uri()
        return urllib.parse.quote(Path(relative).as_posix())

    def src(self, path: str | None, embed_limit: int | None = None) -> str | None:
        if not path or not Path(path).is_file():
            return None
        if not self.self_contained:
            return self.link(path)
        if embed_limit is not None and Path(path).stat().st_size > embed_limit:
            return self.link(path)
        mime = _MIME.get(Path(path).suffix.lower(), "application/octet-stream")
        return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode()}"


def _shot(media: Media, path: str | None, alt: str, embed: bool = True) -> str:
    src = media.src(path) if embed else (media.link(path) if path and Path(path).is_file() else None)
    if src is None:
        return '<span class="gq-missing">no screenshot</span>'
    if not embed:
        return f'<a href="{escape(src)}" target="_blank">screenshot</a>'
    return (
        f'<img class="gq-shot" loading="lazy" src="{escape(src)}" alt="{escape(alt)}" '
        f'title="{escape(alt)} (click to enlarge)" onclick="{_ZOOM}">'
    )


def _fmt(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def render(record: TestRecord | Mapping[str, Any], media: Media) -> str:
    """The whole block for one game: a page a developer can debug from without re-running the game."""
    record = TestRecord.of(record)
    parts = [f"<style>{CSS}</style>", f'<section class="gq" data-gameqa="{escape(record.nodeid)}">']
    parts.append(_header(record))
    parts.append(_reach(record, media))
    parts.append(storyboard_html(record, lambda path, alt: _shot(media, path, alt)))
    parts.append(_dropped_note(record))
    parts.append(_issues(record, media))
    parts.append(_metrics(record))
    parts.append(_timeline(record, media))
    parts.append(_console(record))
    parts.append(_files(record, media))
    parts.append("</section>")
    return "".join(p for p in parts if p)


def _header(record: TestRecord) -> str:
    verdict = str(record.outcome)
    actions = record.actions
    issues = record.issues
    bits = [
        f'<span class="gq-verdict gq-{escape(verdict)}">{escape(verdict.upper())}</span>',
        f'<span class="gq-url">{escape(record.url)}</span>',
        f"<span>{len(actions)} action{'s' if len(actions) != 1 else ''}</span>",
        f"<span>{escape(kinds_text(kind_counts(issues)))}</span>",
        f"<span>played {record.duration_s:.1f} s</span>",
    ]
    if record.seed is not None:
        bits.append(f"<span>seed {record.seed}</span>")
    device = device_text(record)
    if device:
        bits.append(f'<span class="gq-device">on {escape(device)}</span>')
    elif record.viewport:
        bits.append(f"<span>{record.viewport[0]}x{record.viewport[1]} desktop</span>")
    llm = record.llm
    if llm.calls:
        cost = "unknown cost" if llm.cost_usd is None else f"${llm.cost_usd:.4f}"
        bits.append(f"<span>model: {llm.calls} calls, {llm.tokens} tokens, {cost}</span>")
    return f'<div class="gq-head">{"".join(bits)}</div>'


def _reach(record: TestRecord, media: Media) -> str:
    """Whether the player got into the game, how it knows, and the first in-game screenshot (nothing if unknown)."""
    reach = record.reach
    if reach is None:
        return ""
    facts = []
    if reach.screens:
        facts.append(f"{reach.screens} distinct screen{'s' if reach.screens != 1 else ''} seen")
    inputs = [str(i) for i in reach.reactive_inputs]
    if inputs:
        shown = ", ".join(inputs[:12]) + (f" and {len(inputs) - 12} more" if len(inputs) > 12 else "")
        facts.append(f"inputs that changed the game: {shown}")
    if reach.entered and reach.start_text:
        text = " ".join(reach.start_text.split())
        facts.append(f"start screen read '{text if len(text) <= 80 else text[:77] + '...'}'")
    detail = f'<div class="gq-loc">{escape("; ".join(facts))}</div>' if facts else ""
    shot = ""
    if reach.first_screenshot:
        shot = f"<div>{_shot(media, reach.first_screenshot, 'first in-game screenshot')}</div>"
    entered = reach.entered
    classes = "gq-reach gq-reach-" + ("yes" if entered else "no") + ("" if entered else " gq-note")
    style = "" if entered else ' class="gq-outcome gq-fail"'
    line = f"<strong{style}>{escape(reach_long(reach) or '')}</strong>"
    return f'<div class="{classes}"><div class="gq-issue-text"><div>{line}{detail}</div>{shot}</div></div>'


def _dropped_note(record: TestRecord) -> str:
    dropped = record.pairs_dropped
    if not dropped:
        return ""
    total = len(record.actions)
    return (
        f'<div class="gq-note gq-dropped">{dropped} of {total} screenshot pairs were dropped to keep the artifacts '
        "small (--game-max-pairs): the first pairs, the last pairs and the pairs around each issue were kept.</div>"
    )


def _issues(record: TestRecord, media: Media) -> str:
    issues = record.issues
    if not issues:
        return "<h4>Issues</h4><p>No issues.</p>"
    total = len(issues)
    issues = issues[:MAX_ISSUES_SHOWN]
    items = []
    for index, issue in enumerate(issues):
        kind = escape(issue.kind.value)
        extra = " gq-warning" if issue.kind.value == "warning" else ""
        count = f" x{issue.count}" if issue.count > 1 else ""
        fatal = " <strong>fatal</strong>" if issue.fatal else ""
        where = ""
        if issue.location:
            where = f'<div class="gq-loc">at {escape(issue.location)}</div>'
        if issue.frame_url and issue.frame_url not in (issue.location or ""):
            where += f'<div class="gq-loc">frame {escape(issue.frame_url)}</div>'
        shot = _shot(
            media, issue.screenshot, f"screenshot nearest to {issue.kind.value}", embed=index < MAX_ISSUE_SHOTS
        )
        items.append(
            f'<li class="gq-issue"><div class="gq-issue-text"><div>'
            f'<span class="gq-kind{extra}">{kind}</span>{escape(count)}{fatal} '
            f'<span class="gq-at">{issue.at_s:.2f} s</span> '
            f'<span class="gq-msg">{escape(_clip(issue.message, MAX_MESSAGE_CHARS))}</span>{where}</div>'
            f"<div>{shot}</div></div></li>"
        )
    more = ""
    if total > len(issues):
        more = f'<p class="gq-note">{total - len(issues)} more issues are listed in evidence.json.</p>'
    return f'<h4>Issues ({total})</h4><ol class="gq-issues">{"".join(items)}</ol>{more}'


def _clip(text: Any, limit: int) -> str:
    """At most `limit` characters of `text`, saying how many were cut."""
    value = str(text)
    return value if len(value) <= limit else value[:limit] + f"... [{len(value) - limit:,} more characters]"


def _metrics(record: TestRecord) -> str:
    m = record.metrics
    paint = f", first paint {_fmt(m.first_frame_s, ' s')}" if m.first_frame_s is not None else ""
    longest = f" (longest {m.longest_frame_ms:.0f} ms)" if m.longest_frame_ms is not None else ""
    peak = f", peak {_fmt(m.heap_max_mb, ' MB', 1)}" if m.heap_max_mb is not None else ""
    rows = [
        ("Load", f"load event {_fmt(m.load_s, ' s')}{paint}, ready to play {_fmt(m.ready_s, ' s')}"),
        (
            "Frame rate",
            f"{_fmt(m.fps_avg, ' fps', 1)} average, lowest {_fmt(m.fps_min, ' fps', 1)}, "
            f"5th percentile {_fmt(m.fps_p5, ' fps', 1)}; {m.long_frames} long frames{longest}",
        ),
        (
            "JS heap",
            f"{_fmt(m.heap_start_mb, ' MB', 1)} to {_fmt(m.heap_end_mb, ' MB', 1)}{peak} "
            f"({_fmt(m.heap_growth_mb_per_s, ' MB/s', 2)})",
        ),
        ("Average action", _fmt(m.action_avg_s, " s")),
    ]
    table = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    samples = m.samples
    fps = sparkline([(s.at_s, s.fps) for s in samples], label="frame rate", unit="fps", floor=0)
    heap = sparkline([(s.at_s, s.heap_mb) for s in samples], label="JS heap", unit="MB", color="#6a1b9a", floor=0)
    charts = "".join(
        f"<figure>{svg}<figcaption>{caption}</figcaption></figure>"
        for svg, caption in ((fps, "frame rate (fps)"), (heap, "JS heap (MB)"))
        if svg
    )
    return f'<h4>Metrics</h4><table class="gq-metrics">{table}</table>' + (
        f'<div class="gq-charts">{charts}</div>' if charts else ""
    )


def _issue_marks(record: TestRecord) -> dict[int, list[str]]:
    """Each issue marked on the last action that started before it: what the player had just done."""
    actions = record.actions
    marks: dict[int, list[str]] = {}
    for issue in record.issues:
        if issue.kind.value == "warning":
            continue
        before = [a for a in actions if a.at_s <= issue.at_s]
        if before:
            marks.setdefault(before[-1].index, []).append(issue.kind.value)
    return marks


def _timeline(record: TestRecord, media: Media) -> str:
    actions = record.actions
    if not actions:
        return "<h4>Action timeline</h4><p>No actions were performed.</p>"
    marks = _issue_marks(record)
    kept = sum(1 for a in actions if a.before or a.after)
    rows = []
    for action in actions:
        ok = action.ok
        status = "ok" if ok else f"failed: {action.error or 'unknown error'}"
        changed = action.changed
        if changed is not None:
            status += ", screen changed" if changed else ", screen unchanged"
        status += f", {action.duration_s:.2f} s, {action.policy}"
        near = marks.get(action.index, [])
        classes = "gq-action" + ("" if ok else " gq-bad") + (" gq-near-issue" if near else "")
        flags = "".join(f' <span class="gq-kind">{escape(k)}</span>' for k in dict.fromkeys(near))
        if action.before or action.after:
            label = f"#{action.index} {action.description}"
            pair = (
                f"<td>{_shot(media, action.before, label + ' before')}</td>"
                f"<td>{_shot(media, action.after, label + ' after')}</td>"
            )
        else:
            pair = '<td colspan="2"><span class="gq-missing">screenshots dropped (--game-max-pairs)</span></td>'
        rows.append(
            f'<tr class="{classes}" data-index="{action.index}"><td>#{action.index}</td>'
            f'<td class="gq-at">{action.at_s:.2f} s</td>'
            f'<td><div class="gq-desc">{escape(action.description)}</div>'
            f'<div class="gq-outcome{"" if ok else " gq-fail"}">{escape(status)}</div>{flags}</td>{pair}</tr>'
        )
    summary = (
        f"Action timeline: {len(actions)} action{'s' if len(actions) != 1 else ''}, "
        f"{kept} screenshot pair{'s' if kept != 1 else ''} (click a screenshot to enlarge)"
    )
    head = "<tr><th>#</th><th>at</th><th>action and outcome</th><th>before</th><th>after</th></tr>"
    return (
        f'<details class="gq-timeline-box"><summary>{escape(summary)}</summary>'
        f'<table class="gq-timeline">{head}{"".join(rows)}</table></details>'
    )


def _console(record: TestRecord) -> str:
    path = record.files.get("console")
    if not path or not Path(path).is_file():
        return ""
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    if not lines:
        return "<h4>Console</h4><p>The game logged nothing.</p>"
    shown = [_clip(line, MAX_LOG_LINE_CHARS) for line in lines[-CONSOLE_TAIL:]]
    cut = f" (last {len(shown)}; the whole log is in console.log)" if len(shown) < len(lines) else ""
    return (
        f'<details class="gq-console"><summary>Console and page log: {len(lines)} lines{escape(cut)}</summary>'
        f'<pre class="gq-log">{escape(chr(10).join(shown))}</pre></details>'
    )


def _files(record: TestRecord, media: Media) -> str:
    files = record.files
    names = {"evidence": "evidence.json", "console": "console.log", "trace": "trace.zip"}
    names["screenshot"] = "final screenshot"
    links = [
        f'<a href="{escape(media.link(path))}" target="_blank">{escape(names.get(kind, kind))}</a>'
        for kind, path in files.items()
        if kind != "video" and Path(path).is_file()
    ]
    if "trace" in files:
        links.append("<span>(view a trace with <code>playwright show-trace trace.zip</code>)</span>")
    video = files.get("video")
    player = ""
    if video and Path(video).is_file():
        src = media.src(video, embed_limit=MAX_EMBED_VIDEO)
        player = f'<video controls preload="metadata" src="{escape(src or "")}"></video>'
    if not links and not player:
        return ""
    return f'<h4>Files</h4><div class="gq-files">{"".join(links)}</div>{player}'
