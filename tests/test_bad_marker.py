"""Bad marker values: one line each that names the fix, no traceback, no browser started."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from helpers import run_pytest

pytestmark = pytest.mark.e2e

BAD = {
    "test_missing": ('"no/such/folder"', "no such file or folder"),
    "test_scheme": ('"ftp://x/y"', "is not a valid URL or path; use http(s)://"),
    "test_nourl": ("", "has no game URL; use @pytest.mark.game('http://...')"),
    "test_duration": ('"http://127.0.0.1:9/", duration="soon"', "duration=...) on test_bad.py::test_duration must be"),
    "test_kind": ('"http://127.0.0.1:9/", allow=["nope"]', "must be an issue kind"),
    "test_regex": ('"http://127.0.0.1:9/", ignore=["(unclosed"]', "must be a valid regular expression"),
}


def test_each_bad_marker_value_is_one_line_without_traceback(tmp_path: Path) -> None:
    body = "import pytest\n"
    for name, (args, _) in BAD.items():
        body += textwrap.dedent(
            f"""

            @pytest.mark.game({args})
            async def {name}(game_agent):
                pass
            """
        )
    (tmp_path / "test_bad.py").write_text(body)
    proc, _ = run_pytest(["test_bad.py", "-q"], tmp_path, timeout=120)
    out = proc.stdout
    assert proc.returncode == 1, out[-2000:]
    for name, (_, fix) in BAD.items():
        section = re.split(r"\n[_=]", out.split(f"ERROR at setup of {name} ")[1])[0]
        lines = [line for line in section.splitlines()[1:] if line.strip()]
        assert len(lines) == 1 and fix in lines[0] and lines[0].startswith("gameqa: "), section
    assert "Traceback" not in out and "During handling" not in out and "def parse_target" not in out
