"""Every gameqa setting, resolved marker > command line > GAMEQA_* environment > ini > default.

Each value is validated where it enters, and a bad one fails with a single line naming where it came
from, so a typo in CI config is found in the first second instead of after a 60 s game run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel, Field

from .models import IssueKind

DEFAULT_SEED = 20261121


class GameSettings(BaseModel):
    """The resolved settings of one game test."""

    url: str = ""
    duration: float = 60.0
    max_actions: int = 100
    seed: int = DEFAULT_SEED
    model: str | None = None
    api_base: str | None = None
    model_timeout: float = 30.0
    model_retries: int = 2
    max_cost: float | None = None
    ai_verdict: str = "warn"
    cache: str = "on"
    cache_dir: str = ".gameqa-cache"
    min_fps: float | None = None
    max_load_time: float | None = None
    memory_growth_mb_per_s: float = 5.0
    ignore: list[str] = Field(default_factory=list)
    allow: list[IssueKind] = Field(default_factory=list)
    load_attempts: int = 3
    load_timeout: float = 30.0
    ready_timeout: float = 15.0
    hang_timeout: float = 7.0
    blank_after: float = 4.0
    viewport: tuple[int, int] = (1280, 720)
    screenshot_format: str = "jpeg"
    screenshot_scale: float = 1.0
    max_pairs: int = 60
    timeout: float | None = None
    start: list[str] = Field(default_factory=list)
    ocr: str = "auto"

    @property
    def hard_timeout(self) -> float:
        """The whole test's limit: generous, because loading and retries come on top of play time."""
        if self.timeout is not None:
            return self.timeout
        limit = self.duration * 1.5 + self.load_timeout * self.load_attempts + 30.0
        if self.model:  # a step and the judge may each wait out every attempt of a slow model
            limit += 2 * self.model_timeout * (self.model_retries + 1)
        return limit

    def ignored(self, message: str) -> bool:
        return any(re.search(p, message) for p in self.ignore)


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
    from .llm.client import provider_problem  # imports litellm: only when a model is asked for

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


def _kind(raw: str) -> IssueKind:
    return IssueKind(str(raw).strip())


_kind.expects = "an issue kind: " + ", ".join(k.value for k in IssueKind)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Option:
    """One setting and every place it can be given."""

    field: str
    flag: str | None
    help: str
    parse: Callable[[str], Any]
    is_list: bool = False

    @property
    def env(self) -> str:
        return "GAMEQA_" + self.field.upper()

    @property
    def ini(self) -> str:
        return "gameqa_" + self.field


OPTIONS: tuple[Option, ...] = (
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
        "memory_growth_mb_per_s",
        "--game-max-heap-growth",
        "JS heap growth, MB/s, that fails (default 5)",
        _number(0, strict=True),
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
)
BY_FIELD = {o.field: o for o in OPTIONS}
MARKER_ONLY = {"url"}


class SettingError(pytest.UsageError):
    """A bad setting value; its message is the one line the user sees."""


def _parse(option: Option, raw: Any, source: str) -> Any:
    try:
        return option.parse(raw)
    except (ValueError, TypeError, re.error):
        expects = getattr(option.parse, "expects", "a valid value")
        raise SettingError(f"gameqa: {source} must be {expects}, got {raw!r}") from None


def _ini_name(config: pytest.Config) -> str:
    return os.path.basename(str(config.inipath)) if config.inipath else "the ini file"


def split_env_list(option: Option, raw: str) -> list[str]:
    """A list option's GAMEQA_* value as items; blank items are skipped.

    Regexes (GAMEQA_IGNORE) are one per line: a newline is the only separator a pattern never needs
    (":" and "," are common in messages: `Uncaught TypeError: foo`). Other lists are comma-separated.
    """
    if option.parse is _regex or option.field == "start":  # start steps may hold commas: "click at 640,500"
        return [line.strip() for line in raw.splitlines() if line.strip()]
    return [item.strip() for item in raw.split(",") if item.strip()]


def resolve_base(config: pytest.Config, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Command line > environment > ini, validated; done once per session at configure time."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for option in OPTIONS:
        cli = config.getoption(option.flag) if option.flag else None
        env = environ.get(option.env)
        ini = config.getini(option.ini)
        if option.is_list:
            items: list[Any] = []
            for raw in ini or []:
                items.append(_parse(option, raw, f"{option.ini} in {_ini_name(config)}"))
            if env:
                for raw in split_env_list(option, env):
                    items.append(_parse(option, raw, option.env))
            for raw in cli or []:
                items.append(_parse(option, raw, option.flag))
            if items:
                values[option.field] = items
            continue
        if cli is not None:
            values[option.field] = _parse(option, cli, option.flag or option.field)
        elif env not in (None, ""):
            values[option.field] = _parse(option, env, option.env)
        elif ini not in (None, ""):
            values[option.field] = _parse(option, ini, f"{option.ini} in {_ini_name(config)}")
    values["cache_dir"] = str(config.rootpath / values.get("cache_dir", ".gameqa-cache"))  # absolute stays absolute
    return values


def resolve(base: Mapping[str, Any], marker_kwargs: Mapping[str, Any], nodeid: str) -> GameSettings:
    """Apply a test's `@pytest.mark.game(...)` arguments on top of the session's settings."""
    values = dict(base)
    for key, raw in marker_kwargs.items():
        source = f"@pytest.mark.game({key}=...) on {nodeid}"
        if key in MARKER_ONLY:
            values[key] = str(raw)
            continue
        option = BY_FIELD.get(key)
        if option is None:
            known = ", ".join(["url", *BY_FIELD])
            raise SettingError(f"gameqa: unknown argument {key!r} in {source}; known: {known}")
        if option.is_list:
            raws = [raw] if isinstance(raw, str) else list(raw)
            values[key] = [*values.get(key, []), *(_parse(option, r, source) for r in raws)]
        else:
            values[key] = _parse(option, raw, source)
    return GameSettings(**values)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("gameqa", "gameqa: smoke-test browser games")
    group.addoption(
        "--game-url",
        action="append",
        default=[],
        metavar="URL_OR_PATH",
        help="game to smoke-test: http(s) URL, local build folder or .html file (repeatable)",
    )
    for option in OPTIONS:
        if option.flag:
            group.addoption(
                option.flag,
                action="append" if option.is_list else "store",
                default=None,
                help=option.help,
            )
        parser.addini(option.ini, option.help, type="linelist" if option.is_list else "string")
    group.addoption(
        "--game-cdp-url", default=None, help="connect to a running browser's DevTools endpoint instead of launching"
    )
    group.addoption(
        "--game-ws-endpoint", default=None, help="connect to a Playwright browser server instead of launching"
    )
