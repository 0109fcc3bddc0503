"""Every gameqa setting in one table (`OPTIONS`): its marker argument, command-line flag, GAMEQA_* variable,
ini key, parser and help text. The command line's help, the ini keys and every error message come from here.

Each value is validated where it enters, and a bad one fails with a single line naming where it came
from, so a typo in CI config is found in the first second instead of after a 60 s game run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: --game-shrink's time for all the failing games of a run: a few replays each of a handful of failures
DEFAULT_SHRINK_BUDGET = 180.0


# ---------------------------------------------------------------------------------------------- parsers
def _number(minimum: float, *, strict: bool = False, maximum: float | None = None) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        value = float(raw)
        if value != value or (value <= minimum if strict else value < minimum):
            raise ValueError
        if maximum is not None and value > maximum:
            raise ValueError
        return value

    expects = f"a number {'>' if strict else '>='} {minimum:g}"
    if maximum is not None:
        expects = f"a number from {minimum:g} to {maximum:g}"
    parse.expects = expects  # type: ignore[attr-defined]
    return parse


def _integer(minimum: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(str(raw).strip())
        if value < minimum:
            raise ValueError
        return value

    parse.expects = f"a whole number >= {minimum}"  # type: ignore[attr-defined]
    return parse


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = str(raw).strip().lower()
        if value not in choices:
            raise ValueError
        return value

    parse.expects = "one of " + ", ".join(choices)  # type: ignore[attr-defined]
    return parse


def _text(raw: str) -> str:
    value = str(raw).strip()
    if not value:
        raise ValueError
    return value


_text.expects = "a non-empty value"  # type: ignore[attr-defined]


def _model_name(raw: str) -> str:
    value = _text(raw)
    if any(c.isspace() for c in value):
        raise ValueError
    from ..llm.client import provider_problem  # imports litellm: only when a model is asked for

    if provider_problem(value):
        raise ValueError
    return value


_model_name.expects = (  # type: ignore[attr-defined]
    "a litellm model name with its provider, such as openai/gpt-4o-mini, anthropic/claude-sonnet-4-5 "
    "or ollama/llava (no spaces)"
)


def _viewport(raw: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*", str(raw))
    if not match:
        raise ValueError
    return int(match.group(1)), int(match.group(2))


_viewport.expects = "WIDTHxHEIGHT such as 1280x720"  # type: ignore[attr-defined]


def _regex(raw: str) -> str:
    re.compile(raw)
    return raw


_regex.expects = "a valid regular expression"  # type: ignore[attr-defined]


def _kind(raw: str) -> Any:
    from ..models import IssueKind  # pydantic's models: only when a kind is given

    return IssueKind(str(raw).strip())


def _kinds() -> str:
    from ..models import IssueKind

    return "an issue kind: " + ", ".join(k.value for k in IssueKind)


_kind.expects = _kinds  # type: ignore[attr-defined]  # said only when a value is refused


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError


_flag.expects = "true or false"  # type: ignore[attr-defined]
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class _Refused(ValueError):
    """A parser's own reason, said after the source's name: `gameqa: --game-runs-db is empty; ...`."""


def _path(raw: str) -> str:
    value = str(raw).strip()
    if not value:
        raise _Refused("is empty; give a file path, or turn recording off with --game-no-runs")
    return value


_path.expects = "a file path"  # type: ignore[attr-defined]


def _device(raw: str) -> str:
    from ..browser.devices import lookup  # reads Playwright's device table: only when a device is named

    try:
        return lookup(str(raw).strip()).name
    except LookupError as error:
        raise _Refused(f"names an {error}") from None


_device.expects = "a Playwright device name such as 'Pixel 7'"  # type: ignore[attr-defined]


def _shard(raw: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(raw))
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError
    return int(match.group(1)), int(match.group(2))


_shard.expects = "I/N with 1 <= I <= N, such as 1/4"  # type: ignore[attr-defined]


def _switch(raw: Any) -> bool:
    return _flag(raw)


_switch.expects = "on or off"  # type: ignore[attr-defined]


def _endpoint(*schemes: str) -> Callable[[str], str]:
    """A browser endpoint's shape (browser/remote.py's rule), checked before any connection."""

    def parse(raw: str) -> str:
        from ..browser.remote import RemoteProblem, check_endpoint

        try:
            return check_endpoint(str(raw), _HERE, schemes)
        except RemoteProblem as problem:
            raise _Refused(str(problem).split(_HERE, 1)[-1].strip()) from None

    parse.expects = "a " + "/".join(schemes) + " URL"  # type: ignore[attr-defined]
    return parse


#: stands for the setting's source in a message of browser/remote.py; replaced by the real source
_HERE = "\0"


@dataclass(frozen=True)
class Option:
    """One setting and every place it can be given: marker argument, command line, GAMEQA_* variable, ini key.

    `per_test` settings are `GameSettings` fields and marker arguments; the others (the run store) are
    read once per session. `is_flag` options take no value on the command line (`--game-no-runs`) and
    true/false elsewhere. `old_names` are deprecated spellings of the field (marker argument, env, ini)
    still read, with a warning.
    """

    field: str
    flag: str | None
    help: str
    parse: Callable[[str], Any]
    is_list: bool = False
    is_flag: bool = False
    per_test: bool = True
    metavar: str | None = None
    old_names: tuple[str, ...] = ()
    #: the flag belongs to another plugin (pytest-playwright's --device): read here, never added here
    foreign_flag: bool = False
    #: also read from GAMEQA_* and the ini file (off for --game-url: an ini file must not turn every
    #: `pytest` run into a smoke test of some game)
    env_ini: bool = True
    #: a session setting's value when no source gives one (per-test defaults are GameSettings' fields)
    default: Any = None

    @property
    def env(self) -> str:
        return "GAMEQA_" + self.field.upper()

    @property
    def ini(self) -> str:
        return "gameqa_" + self.field

    @property
    def ini_type(self) -> str:
        return "linelist" if self.is_list else "string"


OPTIONS: tuple[Option, ...] = (
    Option(
        "url",
        "--game-url",
        "game to smoke-test: http(s) URL, local build folder or .html file (repeatable)",
        _text,
        is_list=True,
        per_test=False,
        metavar="URL_OR_PATH",
        env_ini=False,
    ),
    Option("duration", "--game-duration", "seconds the agent plays each game (default 60)", _number(0, strict=True)),
    Option("max_actions", "--game-max-actions", "action limit per game (default 100)", _integer(1)),
    Option("seed", "--game-seed", "seed of the heuristic player, for reproducible runs", _integer(0)),
    Option("model", "--game-model", "litellm model name; enables the AI player", _model_name),
    Option("api_base", "--game-api-base", "API base URL for the model (Ollama, vLLM...)", _text),
    Option(
        "model_timeout",
        "--game-model-timeout",
        "seconds to wait for one model reply (default 30)",
        _number(0, strict=True),
    ),
    Option("model_retries", None, "retries of a failed model call before the heuristic player steps in", _integer(0)),
    Option("max_cost", "--game-max-cost", "stop using the model in a test once it cost this many USD", _number(0)),
    Option(
        "ai_verdict",
        "--game-ai-verdict",
        "fail|warn|off: AI judge findings (default warn)",
        _choice("fail", "warn", "off"),
    ),
    Option(
        "cache", "--game-cache", "on|off: replay observe/act from the model cache (default on)", _choice("on", "off")
    ),
    Option("cache_dir", "--game-cache-dir", "model cache folder, relative to the rootdir (.gameqa-cache)", _text),
    Option(
        "min_fps",
        "--game-min-fps",
        "fail games whose average frame rate is below this (off; headless renders in software)",
        _number(0, strict=True),
    ),
    Option(
        "max_load_time",
        "--game-max-load-time",
        "seconds from navigation to ready to play that fail the game (off)",
        _number(0, strict=True),
    ),
    Option(
        "max_heap_growth",
        "--game-max-heap-growth",
        "JS heap growth, MB/s, that fails (default 5)",
        _number(0, strict=True),
        old_names=("memory_growth_mb_per_s",),
    ),
    Option(
        "ignore",
        "--game-ignore",
        "regex of issue messages to drop (repeatable; any regex, ':' and ',' included); "
        "GAMEQA_IGNORE and ini gameqa_ignore take one regex per line",
        _regex,
        is_list=True,
    ),
    Option("allow", "--game-allow", "issue kind that does not fail the test (repeatable)", _kind, is_list=True),
    Option("load_attempts", "--game-load-attempts", "attempts to load the page (default 3)", _integer(1)),
    Option("load_timeout", "--game-load-timeout", "seconds per load attempt (default 30)", _number(0, strict=True)),
    Option("ready_timeout", "--game-ready-timeout", "cap on waiting for the first render (default 15)", _number(0)),
    Option(
        "hang_timeout",
        "--game-hang-timeout",
        "seconds the main thread may stay busy before the game counts as hung (default 7); shorter stalls "
        "are measured and reported as warnings",
        _number(0.5),
    ),
    Option("blank_after", None, "seconds of one flat colour on screen that count as blank", _number(0.5)),
    Option("viewport", "--game-viewport", "browser viewport, WIDTHxHEIGHT (default 1280x720)", _viewport),
    Option("screenshot_format", "--game-screenshot-format", "jpeg (small) or png", _choice("jpeg", "png")),
    Option(
        "screenshot_scale",
        "--game-screenshot-scale",
        "downscale screenshots, 0.1-1 (default 1)",
        _number(0.1, maximum=1),
    ),
    Option("max_pairs", "--game-max-pairs", "screenshot pairs kept per test (default 60)", _integer(2)),
    Option("timeout", "--game-timeout", "hard time limit per game test, seconds", _number(0, strict=True)),
    Option(
        "start",
        "--game-start",
        "a step that gets into the game, worded as for act(): 'press N', 'click Play' (repeatable, in order)",
        _text,
        is_list=True,
    ),
    Option(
        "ocr",
        "--game-ocr",
        "auto|off: read text from pixels when the ocr extra is installed (default auto)",
        _choice("auto", "off"),
    ),
    Option(
        "device",
        "--device",
        "a Playwright device name such as 'Pixel 7' (pytest-playwright's --device): its viewport, scale, "
        "user agent and touch; on a touch device the player taps and swipes",
        _device,
        foreign_flag=True,
    ),
    # ------------------------------------------------------------------ session settings
    Option(
        "shard",
        "--game-shard",
        "run only shard I of N of the tests, I/N such as 2/4 (stable by test id)",
        _shard,
        per_test=False,
        metavar="I/N",
    ),
    Option(
        "runs_db",
        "--game-runs-db",
        "SQLite file for run records, relative to the rootdir (default .gameqa/runs.sqlite)",
        _path,
        per_test=False,
        metavar="PATH",
    ),
    Option(
        "no_runs", "--game-no-runs", "do not record game runs in the run store", _flag, is_flag=True, per_test=False
    ),
    Option(
        "cdp_url",
        "--game-cdp-url",
        "connect to a running browser's DevTools endpoint instead of launching",
        _endpoint("http", "https", "ws", "wss"),
        per_test=False,
        metavar="URL",
    ),
    Option(
        "ws_endpoint",
        "--game-ws-endpoint",
        "connect to a Playwright browser server instead of launching",
        _endpoint("ws", "wss"),
        per_test=False,
        metavar="URL",
    ),
    # ------------------------------------------------------------------ reproductions (session settings)
    Option(
        "confirm",
        "--game-confirm",
        "replay a failing game's recorded actions N times before reporting: 'reproduced k/N' (default 0: off)",
        _integer(0),
        per_test=False,
        metavar="N",
        default=0,
    ),
    Option(
        "shrink",
        "--game-shrink",
        "at the end of the run, shrink each failing game's actions to a minimal reproduction",
        _flag,
        is_flag=True,
        per_test=False,
        default=False,
    ),
    Option(
        "shrink_budget",
        "--game-shrink-budget",
        f"seconds --game-shrink may spend in all (default {DEFAULT_SHRINK_BUDGET:g})",
        _number(0, strict=True),
        per_test=False,
        metavar="S",
        default=DEFAULT_SHRINK_BUDGET,
    ),
    Option(
        "deterministic",
        "--game-deterministic",
        "on|off: seed the game's Math.random from --game-seed, so replays see the same random numbers (default off)",
        _switch,
        per_test=False,
        metavar="on|off",
        default=False,
    ),
    Option(
        "repeat",
        "--game-repeat",
        "run each reproduction test (@pytest.mark.game_repro) N times (what gameqa replay --times uses)",
        _integer(1),
        per_test=False,
        metavar="N",
        default=1,
    ),
)
BY_FIELD = {o.field: o for o in OPTIONS}
#: Deprecated field names (marker arguments) -> their option.
BY_OLD_NAME = {old: o for o in OPTIONS for old in o.old_names}
