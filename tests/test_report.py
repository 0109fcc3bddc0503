"""Reports: a failing game understood from the report alone, CI output, bounded artifacts, xdist, tracing.

Four pytest runs in subprocesses (module-scoped, shared by the tests that read them) keep this file near
a minute; the HTML reports are opened in real Chromium to check that pairs are shown and loaded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import helpers
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Locator, Page, async_playwright

pytestmark = pytest.mark.e2e  # every test here starts a browser or a subprocess

GAMES = Path(__file__).resolve().parent.parent / "examples" / "games"
BROKEN = GAMES / "broken-page-error"
HEALTHY = GAMES / "healthy-canvas"
CHROMIUM = Path("/usr/bin/chromium")
PAIR_FILE = re.compile(r"^(\d{2})-(before|after)-[a-z0-9-]+\.(jpg|png)$")


def by_game(results: dict, game: Path) -> dict:
    return next(t for t in results["tests"] if t["nodeid"].endswith(f"{game.name}]"))


def pair_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if PAIR_FILE.match(p.name))


# ------------------------------------------------------------------------------------------------ runs
@pytest.fixture(scope="module")
def linked_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str], dict]:
    """HTML linking the files, JUnit XML, JPEG at full size, and a pair cap small enough to drop pairs."""
    cwd = tmp_path_factory.mktemp("linked")
    proc, results = run_pytest(
        cwd,
        "--game-url", str(BROKEN), "--game-url", str(HEALTHY), "--game-start", "click Start Game",
        "--game-duration", "4", "--game-max-actions", "8", "--game-max-pairs", "2",
        "--html", "report/report.html", "--junitxml", "junit.xml",
    )  # fmt: skip
    assert results is not None, proc.stdout + proc.stderr
    return cwd, proc, results


@pytest.fixture(scope="module")
def xdist_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str], dict]:
    """Two workers, one self-contained report, PNG at half size, a trace per game."""
    cwd = tmp_path_factory.mktemp("xdist")
    proc, results = run_pytest(
        cwd, "-n", "2",
        "--game-url", str(BROKEN), "--game-url", str(HEALTHY), "--game-start", "click Start Game",
        "--game-duration", "5", "--game-max-actions", "3",
        "--game-screenshot-format", "png", "--game-screenshot-scale", "0.5",
        "--html", "self.html", "--self-contained-html", "--tracing", "on",
    )  # fmt: skip
    assert results is not None, proc.stdout + proc.stderr
    return cwd, proc, results


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str], dict]:
    """pytest-html switched off; traces kept only for the failing game, a final screenshot for both."""
    cwd = tmp_path_factory.mktemp("plain")
    proc, results = run_pytest(
        cwd, "-p", "no:html",
        "--game-url", str(BROKEN), "--game-url", str(HEALTHY), "--game-start", "click Start Game",
        "--game-duration", "5", "--game-max-actions", "3",
        "--tracing", "retain-on-failure", "--screenshot", "on",
    )  # fmt: skip
    assert results is not None, proc.stdout + proc.stderr
    return cwd, proc, results


@pytest_asyncio.fixture(loop_scope="function")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        executable = str(CHROMIUM) if CHROMIUM.exists() else None
        launched = await pw.chromium.launch(executable_path=executable)
        yield launched
        await launched.close()


async def assert_loaded(page: Page, img: Locator) -> dict[str, Any]:
    """The image is on screen and its file really decoded (not a broken-image icon)."""
    await img.scroll_into_view_if_needed()
    await page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=await img.element_handle())
    assert await img.is_visible()
    return await img.evaluate("el => ({src: el.src, w: el.naturalWidth, x: el.getBoundingClientRect().x})")


# ------------------------------------------------------------------------------------------------ CI
def test_terminal_summary_and_exit_code(linked_run: tuple[Path, subprocess.CompletedProcess[str], dict]) -> None:
    _, proc, _ = linked_run
    assert proc.returncode == 1, proc.stdout[-3000:]
    lines = proc.stdout.splitlines()
    assert any(line.startswith("=") and "gameqa: 2 games" in line for line in lines)
    failed = [ln for ln in lines if re.match(r"FAILED\s+gameqa::test_game\[.*broken-page-error\]\s+\d+ actions", ln)]
    passed = [ln for ln in lines if re.match(r"PASSED\s+gameqa::test_game\[.*healthy-canvas\]\s+\d+ actions", ln)]
    assert len(failed) == 1 and "page-error" in failed[0] and re.search(r"\d+\.\d s", failed[0]), proc.stdout[-3000:]
    assert len(passed) == 1 and "no issues" in passed[0]
    assert "gameqa results: out/gameqa-results.json" in lines


def test_junit_xml_carries_issues_and_metrics(linked_run: tuple[Path, subprocess.CompletedProcess[str], dict]) -> None:
    cwd, _, results = linked_run
    cases = {tc.get("name"): tc for tc in ET.parse(cwd / "junit.xml").getroot().iter("testcase")}
    props = {name: {p.get("name"): p.get("value") for p in tc.iter("property")} for name, tc in cases.items()}
    broken = next(v for k, v in props.items() if "broken-page-error" in k)
    healthy = next(v for k, v in props.items() if "healthy-canvas" in k)
    assert broken["gameqa_verdict"] == "failed" and healthy["gameqa_verdict"] == "passed"
    # the page error is counted (in 4 s the player may not yet have shown play: not-entered may join it)
    assert re.search(r"(^|,)page-error:\d+", broken["gameqa_issues"]) and healthy["gameqa_issues"] == "none"
    assert broken["gameqa_issue_1"].startswith("page-error") and "@ http://127.0.0.1" in broken["gameqa_issue_1"]
    assert broken["gameqa_actions"] == str(len(by_game(results, BROKEN)["actions"]))
    for key in ("gameqa_load_s", "gameqa_fps_avg"):
        assert float(healthy[key]) > 0
    assert next(c for k, c in cases.items() if "broken" in k).find("failure") is not None


# ------------------------------------------------------------------------------------------------ bounded artifacts
def test_pair_cap_deletes_dropped_files(linked_run: tuple[Path, subprocess.CompletedProcess[str], dict]) -> None:
    cwd, _, results = linked_run
    healthy = by_game(results, HEALTHY)
    assert healthy["pairs_dropped"] > 0, healthy["actions"]
    for record in results["tests"]:
        folder = cwd / "out" / record["artifacts_dir"]
        kept = [a for a in record["actions"] if a["before"]]
        assert len(kept) == len(record["actions"]) - record["pairs_dropped"]
        on_disk = pair_files(folder)
        assert len(on_disk) == 2 * len(kept)
        kept_numbers = {f"{a['index']:02d}" for a in kept}
        assert {PAIR_FILE.match(p.name).group(1) for p in on_disk} == kept_numbers  # type: ignore[union-attr]
        for path in on_disk:
            assert path.suffix == ".jpg" and image_size_of(path) == (1280, 720)


def test_png_and_scale_change_the_files(xdist_run: tuple[Path, subprocess.CompletedProcess[str], dict]) -> None:
    cwd, _, results = xdist_run
    for record in results["tests"]:
        files = pair_files(cwd / "out" / record["artifacts_dir"])
        assert files
        for path in files:
            assert path.suffix == ".png" and image_size_of(path) == (640, 360)


# ------------------------------------------------------------------------------------------------ without pytest-html
def test_evidence_without_pytest_html(plain_run: tuple[Path, subprocess.CompletedProcess[str], dict]) -> None:
    cwd, proc, results = plain_run
    assert "html report" not in proc.stdout
    assert {t["outcome"] for t in results["tests"]} == {"failed", "passed"}
    for record in results["tests"]:
        folder = cwd / "out" / record["artifacts_dir"]
        evidence = json.loads((folder / "evidence.json").read_text())
        assert evidence["nodeid"] == record["nodeid"] and evidence["outcome"] == record["outcome"]
        for action in evidence["actions"]:
            assert (folder / action["before"]).is_file() and (folder / action["after"]).is_file()
        assert (folder / "console.log").is_file()
    broken = cwd / "out" / by_game(results, BROKEN)["artifacts_dir"]
    assert "page-error: " in (broken / "console.log").read_text()
    assert json.loads((broken / "evidence.json").read_text())["issues"][0]["kind"] == "page-error"


def test_tracing_retained_on_failure_and_final_screenshots(
    plain_run: tuple[Path, subprocess.CompletedProcess[str], dict],
) -> None:
    cwd, _, results = plain_run
    broken = cwd / "out" / by_game(results, BROKEN)["artifacts_dir"]
    healthy = cwd / "out" / by_game(results, HEALTHY)["artifacts_dir"]
    assert zipfile.is_zipfile(broken / "trace.zip")
    assert not (healthy / "trace.zip").exists()
    assert image_size_of(broken / "test-failed-1.png") == (1280, 720)
    assert (healthy / "test-finished-1.png").is_file()


def test_video_on_keeps_a_webm(tmp_path: Path) -> None:
    """Playwright records video through its own ffmpeg build; without it the error is one line naming the fix."""
    registry = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    has_ffmpeg = any(registry.glob("ffmpeg-*/ffmpeg-linux"))
    proc, results = run_pytest(
        tmp_path, "--game-url", str(HEALTHY), "--game-duration", "2", "--game-max-actions", "2", "--video", "on"
    )
    assert results is not None, proc.stdout + proc.stderr
    folder = tmp_path / "out" / results["tests"][0]["artifacts_dir"]
    if has_ffmpeg:
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert (folder / "video.webm").stat().st_size > 0
    else:
        assert proc.returncode == 1
        assert "gameqa: --video needs Playwright's ffmpeg, which is not installed; run `playwright install ffmpeg`" in (
            proc.stdout
        )
        assert "Traceback" not in proc.stdout and "╔" not in proc.stdout
        assert (folder / "evidence.json").is_file()


# ------------------------------------------------------------------------------------------------ HTML in Chromium
@pytest.mark.asyncio
async def test_linked_report_shows_issues_and_pairs(
    linked_run: tuple[Path, subprocess.CompletedProcess[str], dict], chromium: Browser
) -> None:
    cwd, _, results = linked_run
    page = await chromium.new_page(viewport={"width": 1300, "height": 900})
    await page.goto((cwd / "report" / "report.html").as_uri())

    failed = page.locator('section.gq[data-gameqa*="broken-page-error"]')
    await failed.wait_for()  # a failed row is open by default
    kind = failed.locator("ol.gq-issues .gq-kind").first
    assert await kind.is_visible() and await kind.inner_text() == "page-error"
    assert "at http://127.0.0.1" in await failed.locator("ol.gq-issues .gq-loc").first.inner_text()
    await assert_loaded(page, failed.locator("ol.gq-issues img.gq-shot").first)

    timeline = failed.locator("details.gq-timeline-box")
    assert not await timeline.evaluate("el => el.open")  # collapsed by default
    shots = timeline.locator("img.gq-shot")
    kept = [a for a in by_game(results, BROKEN)["actions"] if a["before"]]
    assert await shots.count() == 2 * len(kept) and not await shots.first.is_visible()
    await timeline.locator("summary").click()
    for row in range(len(kept)):
        before = await assert_loaded(page, shots.nth(2 * row))
        after = await assert_loaded(page, shots.nth(2 * row + 1))
        assert not before["src"].startswith("data:") and before["w"] == 1280  # linked, full-size file
        assert after["x"] > before["x"]  # side by side
    thumb = shots.first
    small = (await thumb.bounding_box() or {})["width"]
    await thumb.click()
    assert (await thumb.bounding_box() or {})["width"] > 2 * small  # opens large
    await thumb.click()

    healthy_row = page.locator("tbody.results-table-row", has=page.locator('section.gq[data-gameqa*="healthy"]'))
    note = healthy_row.locator(".gq-dropped")
    assert not await note.is_visible()  # a passed row starts collapsed
    await healthy_row.locator(".collapsible td.col-result").click()
    assert await note.is_visible()
    assert re.search(r"\d+ of \d+ screenshot pairs were dropped", await note.inner_text())
    assert (
        await healthy_row.locator("tr.gq-action", has_text="screenshots dropped").count()
        == (by_game(results, HEALTHY)["pairs_dropped"])
    )


@pytest.mark.asyncio
async def test_self_contained_report_under_xdist(
    xdist_run: tuple[Path, subprocess.CompletedProcess[str], dict], chromium: Browser
) -> None:
    cwd, proc, results = xdist_run
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert sorted(t["nodeid"].rsplit("/", 1)[-1] for t in results["tests"]) == ["broken-page-error]", "healthy-canvas]"]
    assert sorted(p.name for p in cwd.glob("**/*.html")) == ["self.html"] and not (cwd / "assets").exists()
    assert len(list((cwd / "out").glob("gameqa-results*.json"))) == 1
    for record in results["tests"]:
        folder = cwd / "out" / record["artifacts_dir"]
        assert json.loads((folder / "evidence.json").read_text())["nodeid"] == record["nodeid"]
        assert zipfile.is_zipfile(folder / "trace.zip")

    page = await chromium.new_page(viewport={"width": 1300, "height": 900})
    await page.goto((cwd / "self.html").as_uri())
    assert await page.locator("section.gq").count() == 2
    assert await page.locator("a.col-links__extra", has_text="Trace").count() == 2
    for row in await page.locator("tbody.results-table-row").all():
        if await row.locator(".extras-row.hidden").count():
            await row.locator(".collapsible td.col-result").click()
    for section in await page.locator("section.gq").all():
        await section.locator("details.gq-timeline-box > summary").click()
        shots = section.locator("details img.gq-shot")
        assert await shots.count() >= 2
        for index in range(await shots.count()):
            info = await assert_loaded(page, shots.nth(index))
            assert info["src"].startswith("data:image/png;base64,") and info["w"] == 640
    assert await page.locator('section.gq[data-gameqa*="broken"] ol.gq-issues .gq-kind').first.inner_text() == (
        "page-error"
    )


def run_pytest(cwd: Path, *args: str, timeout: float = 240) -> tuple[subprocess.CompletedProcess[str], dict | None]:
    return helpers.run_pytest(list(args), cwd, timeout=timeout)


def image_size_of(path: Path) -> tuple[int, int]:
    return helpers.image_size(path.read_bytes())
