"""pytest-playwright's `--tracing`, `--video` and `--screenshot` for game tests.

Game tests use their own async browser context, so pytest-playwright's recorder never sees it; this
reproduces its semantics (on / off / retain-on-failure, only-on-failure) and file names (`trace.zip`,
`video.webm`, `test-failed-1.png`) in the test's artifact folder. The order is forced by Playwright:
the trace is stopped and the final screenshot taken before the context closes, the video saved after.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Error as PlaywrightError
from slugify import slugify

from ..plugin.coordinator import failed_before_teardown
from ..plugin.stash import FILES_KEY

KEEP = ("on", "retain-on-failure")


def _option(config: pytest.Config, name: str, default: Any) -> Any:
    try:
        return config.getoption(name)
    except ValueError:  # pytest-playwright not loaded (-p no:playwright)
        return default


class BrowserArtifacts:
    """Decides, per game test, which Playwright artifacts are recorded and which are kept."""

    def __init__(self, request: pytest.FixtureRequest, folder: Path) -> None:
        config = request.config
        self.item = request.node
        self.folder = folder
        self.tracing = _option(config, "--tracing", "off") or "off"
        self.video = _option(config, "--video", "off") or "off"
        self.screenshot = _option(config, "--screenshot", "off") or "off"
        self.full_page = bool(_option(config, "--full-page-screenshot", False))
        self._video_tmp: Path | None = None
        self._tracing = False
        self.kept: dict[str, str] = {}

    def context_args(self) -> dict[str, Any] | None:
        """Extra `new_context` arguments: Playwright records video only when asked at context creation."""
        if self.video not in KEEP:
            return None
        self._video_tmp = Path(tempfile.mkdtemp(prefix="gameqa-video-"))
        return {"record_video_dir": str(self._video_tmp)}

    def install(self, agent: Any) -> None:
        """Start tracing as soon as the context exists, so the trace covers loading the game too."""
        if self.tracing not in KEEP:
            return

        async def start_tracing(context: Any) -> None:
            try:
                await asyncio.wait_for(
                    context.tracing.start(
                        title=slugify(self.item.nodeid), screenshots=True, snapshots=True, sources=False
                    ),
                    15,
                )
                self._tracing = True
            except Exception as error:  # a trace is evidence, never a reason to fail the game
                agent.monitor.console_log.append(f"gameqa: could not start tracing: {error}")

        agent.session.on_context.append(start_tracing)

    @staticmethod
    def explain_start_failure(error: PlaywrightError) -> str | None:
        """One line for start-up failures this module causes; None for anything else."""
        if "ffmpeg" in str(error):
            return (
                "gameqa: --video needs Playwright's ffmpeg, which is not installed; "
                "run `playwright install ffmpeg` or use --video off"
            )
        return None

    async def close(self, agent: Any) -> None:
        """Stop the agent (closing the context) with trace, screenshot and video handled around it."""
        failed = failed_before_teardown(self.item)
        try:
            await self._before_close(agent, failed)
        finally:
            await agent.stop()
            await self._after_close(agent, failed)
            self.item.stash[FILES_KEY] = dict(self.kept)

    def _keep(self, option: str, failed: bool) -> bool:
        return option == "on" or (failed and option in ("retain-on-failure", "only-on-failure"))

    async def _before_close(self, agent: Any, failed: bool) -> None:
        page = agent.session.page
        if self._keep(self.screenshot, failed) and page is not None and not page.is_closed():
            target = self.folder / f"test-{'failed' if failed else 'finished'}-1.png"
            self.folder.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):  # a hung or crashed page has no last picture
                await asyncio.wait_for(
                    page.screenshot(path=str(target), type="png", full_page=self.full_page, timeout=5000), 8
                )
                self.kept["screenshot"] = str(target)
        context = agent.session.context
        if self._tracing and context is not None:
            self._tracing = False
            target = self.folder / "trace.zip"
            keep = self._keep(self.tracing, failed)
            if keep:
                self.folder.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(context.tracing.stop(path=str(target) if keep else None), 60)
                if keep and target.exists():
                    self.kept["trace"] = str(target)

    async def _after_close(self, agent: Any, failed: bool) -> None:
        if self._video_tmp is None:
            return
        page = agent.session.page
        video = page.video if page is not None else None
        try:
            if video is not None and self._keep(self.video, failed):
                target = self.folder / "video.webm"
                self.folder.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(Exception):  # no frames recorded: nothing to keep
                    await asyncio.wait_for(video.save_as(str(target)), 60)
                    self.kept["video"] = str(target)
            if video is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(video.delete(), 10)
        finally:
            shutil.rmtree(self._video_tmp, ignore_errors=True)
            self._video_tmp = None
