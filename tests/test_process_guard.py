"""The guard of the fast tier (tests/process_guard.py): an unmarked test that starts a subprocess or a
browser fails with a line that says how to fix it; the same test marked e2e runs.

pytester runs the inner sessions in this process, with the guard loaded as a plugin (`-p process_guard`).
"""

from __future__ import annotations

import pytest

UNMARKED = """
import subprocess, sys

def test_starts_a_subprocess():
    subprocess.run([sys.executable, "-c", "pass"], check=True)

def test_no_process_at_all():
    assert sum(range(4)) == 6
"""

SWALLOWED = """
import os

def test_hides_the_failure():
    try:
        os.system("true")
    except BaseException:
        pass
"""

UNMARKED_FIXTURE = """
import asyncio, sys
import pytest

@pytest.fixture(scope="module")
def server():
    async def start():
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
        await proc.wait()
    asyncio.run(start())

def test_uses_a_module_fixture(server):
    pass
"""

UNMARKED_BROWSER = """
import asyncio
from playwright._impl.browser_type import BrowserType
from playwright.async_api import async_playwright

def test_launches_chromium():
    async def main():
        async with async_playwright() as pw:  # starts Playwright's driver: a subprocess
            await pw.chromium.launch()
    asyncio.run(main())

def test_launches_on_a_running_playwright():
    # a driver another test left running starts Chromium without a new process of ours
    asyncio.run(BrowserType.launch(object()))
"""

MARKED = """
import subprocess, sys
import pytest

@pytest.mark.e2e
def test_marked_one():
    subprocess.run([sys.executable, "-c", "pass"], check=True)

class TestMarkedClass:
    pytestmark = pytest.mark.e2e

    def test_in_a_marked_class(self):
        assert subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True).stdout == "42\\n"

def test_no_process_at_all():
    assert sum(range(4)) == 6
"""

HINT = "is not marked e2e but started a subprocess"


def _run(pytester: pytest.Pytester, **files: str) -> pytest.RunResult:
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = session\nmarkers =\n    e2e: starts a browser or a subprocess\n"
    )
    pytester.makepyfile(**files)
    # without gameqa and pytest-playwright: the inner tests need neither, and pytest-playwright's soft
    # assertion scope cannot nest inside the outer test's
    plugins = ("process_guard", "no:gameqa", "no:playwright", "no:randomly", "no:cacheprovider")
    return pytester.runpytest_inprocess(*(arg for name in plugins for arg in ("-p", name)))


def test_unmarked_tests_that_start_processes_or_browsers_fail_with_the_fix(pytester: pytest.Pytester) -> None:
    """One inner session (each is seconds of start-up): every way in is refused, a clean test passes."""
    result = _run(
        pytester,
        test_inner=UNMARKED,
        test_swallowed=SWALLOWED,
        test_fixture=UNMARKED_FIXTURE,
        test_browser=UNMARKED_BROWSER,
    )
    result.assert_outcomes(passed=1, failed=4, errors=1)
    result.stdout.fnmatch_lines_random(
        [
            f"*test_starts_a_subprocess {HINT} (subprocess.Popen): mark it `@pytest.mark.e2e`*",
            f"*test_hides_the_failure {HINT} (os.system)*",  # caught and ignored: fails all the same
            f"*test_uses_a_module_fixture {HINT} (subprocess.Popen)*",  # a module fixture's setup too
            f"*test_launches_chromium {HINT} (subprocess.Popen)*",  # Playwright's driver: before any browser
            "*test_launches_on_a_running_playwright is not marked e2e but started a browser (Playwright*",
        ]
    )


@pytest.mark.e2e  # the inner e2e tests really start their subprocesses
def test_e2e_marked_tests_may_start_subprocesses(pytester: pytest.Pytester) -> None:
    result = _run(pytester, test_inner=MARKED)
    result.assert_outcomes(passed=3)
