"""Every gameqa setting in one table (`OPTIONS`), resolved marker > command line > GAMEQA_* environment > ini > default.

Each value is validated where it enters, and a bad one fails with a single line naming where it came
from, so a typo in CI config is found in the first second instead of after a 60 s game run.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .models import IssueKind

DEFAULT_SEED = 20261121


class GameSettings(BaseModel):
    """The resolved settings of one game test: built once by `resolve()`, never changed afterwards.

    The game's URL is not a setting: the fixture resolves it (a local build gets a served URL) and hands
    it to the agent. With a model and `ai_verdict="warn"`, `allow` includes `ai-finding` from the start.
    """

    model_config = ConfigDict(frozen=True)

    duration: float = Field(60.0, gt=0)
    max_actions: int = Field(100, ge=1)
    seed: int = Field(DEFAULT_SEED, ge=0)
    model: str | None = None
    api_base: str | None = None
    model_timeout: float = Field(30.0, gt=0)
    model_retries: int = Field(2, ge=0)
    max_cost: float | None = Field(None, ge=0)
    ai_verdict: Literal["fail", "warn", "off"] = "warn"
    cache: Literal["on", "off"] = "on"
    cache_dir: str = ".gameqa-cache"
    min_fps: float | None = Field(None, gt=0)
    max_load_time: float | None = Field(None, gt=0)
    max_heap_growth: float = Field(5.0, gt=0, description="JS heap growth (MB/s) that fails memory-growth")
    ignore: list[str] = Field(default_factory=list)
    allow: list[IssueKind] = Field(default_factory=list)
    load_attempts: int = Field(3, ge=1)
    load_timeout: float = Field(30.0, gt=0)
    ready_timeout: float = Field(15.0, ge=0)
    hang_timeout: float = Field(7.0, ge=0.5)
    blank_after: float = Field(4.0, ge=0.5)
    viewport: tuple[int, int] = (1280, 720)
    screenshot_format: Literal["jpeg", "png"] = "jpeg"
    screenshot_scale: float = Field(1.0, ge=0.1, le=1)
    max_pairs: int = Field(60, ge=2)
    timeout: float | None = Field(None, gt=0)
    start: list[str] = Field(default_factory=list)
    ocr: Literal["auto", "off"] = "auto"
    device: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _warn_only_verdict_is_allowed(cls, data: Any) -> Any:
        """`ai_verdict="warn"`: the judge's findings are recorded, never failing (with a model only)."""
        if isinstance(data, dict) and data.get("model") and data.get("ai_verdict", "warn") == "warn":
            allow = list(data.get("allow") or [])
            if IssueKind.AI_FINDING not in allow and IssueKind.AI_FINDING.value not in allow:
                data = {**data, "allow": [*allow, IssueKind.AI_FINDING]}
        return data

    @property
    def memory_growth_mb_per_s(self) -> float:
        """Deprecated name of `max_heap_growth` (read-only), kept while callers move over."""
        return self.max_heap_growth

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
    from .browser.devices import lookup  # reads Playwright's device table: only when a device is named

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
)
BY_FIELD = {o.field: o for o in OPTIONS}
#: Deprecated field names (marker arguments) -> their option.
BY_OLD_NAME = {old: o for o in OPTIONS for old in o.old_names}


class SettingError(pytest.UsageError):
    """A bad setting value; its message is the one line the user sees."""


class GameqaDeprecationWarning(FutureWarning):
    """A deprecated gameqa name (setting, environment variable, fixture): shown to users, still works."""


def deprecated(message: str, stacklevel: int = 3) -> None:
    warnings.warn(GameqaDeprecationWarning(message), stacklevel=stacklevel)


def _parse(option: Option, raw: Any, source: str) -> Any:
    try:
        return option.parse(raw)
    except _Refused as refused:
        raise SettingError(f"gameqa: {source} {refused}") from None
    except (ValueError, TypeError, re.error):
        expects = getattr(option.parse, "expects", "a valid value")
        raise SettingError(f"gameqa: {source} must be {expects}, got {raw!r}") from None


def ini_source(option_ini: str, config: pytest.Config) -> str:
    name = os.path.basename(str(config.inipath)) if config.inipath else "the ini file"
    return f"{option_ini} in {name}"


def split_env_list(option: Option, raw: str) -> list[str]:
    """A list option's GAMEQA_* value as items; blank items are skipped.

    Regexes (GAMEQA_IGNORE) are one per line: a newline is the only separator a pattern never needs
    (":" and "," are common in messages: `Uncaught TypeError: foo`). Other lists are comma-separated.
    """
    if option.parse is _regex or option.field == "start":  # start steps may hold commas: "click at 640,500"
        return [line.strip() for line in raw.splitlines() if line.strip()]
    return [item.strip() for item in raw.split(",") if item.strip()]


def _env(option: Option, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """The option's environment value and its variable's name; a deprecated name is read with a warning."""
    value = environ.get(option.env)
    if value not in (None, ""):
        return value, option.env
    for old in option.old_names:
        old_env = "GAMEQA_" + old.upper()
        if environ.get(old_env) not in (None, ""):
            deprecated(f"gameqa: {old_env} is deprecated; use {option.env}")
            return environ[old_env], old_env
    return value, option.env


def _ini(option: Option, getini: Callable[[str], Any]) -> tuple[Any, str]:
    value = getini(option.ini)
    if value not in (None, "", []):
        return value, option.ini
    for old in option.old_names:
        old_ini = "gameqa_" + old
        old_value = getini(old_ini)
        if old_value not in (None, "", []):
            deprecated(f"gameqa: the ini key {old_ini} is deprecated; use {option.ini}")
            return old_value, old_ini
    return value, option.ini


def lookup(
    option: Option,
    *,
    cli: Any = None,
    environ: Mapping[str, str],
    getini: Callable[[str], Any],
    ini_name: Callable[[str], str],
) -> tuple[Any, str | None]:
    """One option's value (parsed) and where it came from: command line > environment > ini; (None, None) if unset.

    A list option adds up every source (ini, then environment, then command line) and names the last.
    """
    env, env_name = _env(option, environ)
    ini, ini_key = _ini(option, getini)
    if option.is_list:
        items: list[Any] = [_parse(option, raw, ini_name(ini_key)) for raw in ini or []]
        if env:
            items += [_parse(option, raw, env_name) for raw in split_env_list(option, env)]
        items += [_parse(option, raw, option.flag or option.field) for raw in cli or []]
        return (items, "the settings") if items else (None, None)
    if cli is not None and not (option.is_flag and cli is False):
        source = option.flag or option.field
        return _parse(option, cli, source), source
    if env not in (None, ""):
        return _parse(option, env, env_name), env_name
    if ini not in (None, ""):
        return _parse(option, ini, ini_name(ini_key)), ini_name(ini_key)
    return None, None


def resolve_option(
    config: pytest.Config, field: str, environ: Mapping[str, str] | None = None
) -> tuple[Any, str | None]:
    """One setting of this session, with its source (for messages that name it)."""
    option = BY_FIELD[field]
    return lookup(
        option,
        cli=config.getoption(option.flag, None) if option.flag else None,
        environ=os.environ if environ is None else environ,
        getini=config.getini,
        ini_name=lambda key: ini_source(key, config),
    )


def resolve_base(config: pytest.Config, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Command line > environment > ini, validated; done once per session at configure time.

    Holds every option of the table, the session ones (`runs_db`, `no_runs`) included.
    """
    values: dict[str, Any] = {}
    for option in OPTIONS:
        value, source = resolve_option(config, option.field, environ)
        if source is not None:
            values[option.field] = value
    values["cache_dir"] = str(config.rootpath / values.get("cache_dir", ".gameqa-cache"))  # absolute stays absolute
    return values


def resolve(base: Mapping[str, Any], marker_kwargs: Mapping[str, Any], nodeid: str) -> GameSettings:
    """Apply a test's `@pytest.mark.game(...)` arguments on top of the session's settings."""
    values = {key: value for key, value in base.items() if key in BY_FIELD and BY_FIELD[key].per_test}
    for key, raw in marker_kwargs.items():
        if key == "url":
            continue  # the game's address is resolved by the fixture (a local build is served), not a setting
        source = f"@pytest.mark.game({key}=...) on {nodeid}"
        option = BY_FIELD.get(key)
        if option is None and key in BY_OLD_NAME:
            option = BY_OLD_NAME[key]
            deprecated(f"gameqa: {key}= is deprecated; use {option.field}= ({nodeid})")
        if option is None or not option.per_test:
            known = ", ".join(["url", *(o.field for o in OPTIONS if o.per_test)])
            raise SettingError(f"gameqa: unknown argument {key!r} in {source}; known: {known}")
        if option.is_list:
            raws = [raw] if isinstance(raw, str) else list(raw)
            values[option.field] = [*values.get(option.field, []), *(_parse(option, r, source) for r in raws)]
        else:
            values[option.field] = _parse(option, raw, source)
    return GameSettings(**values)


def add_options(parser: pytest.Parser) -> None:
    """Every option of the table on the command line and in the ini file, plus the ones with no other source."""
    group = parser.getgroup("gameqa", "gameqa: smoke-test browser games")
    group.addoption(
        "--game-url",
        action="append",
        default=[],
        metavar="URL_OR_PATH",
        help="game to smoke-test: http(s) URL, local build folder or .html file (repeatable)",
    )
    for option in OPTIONS:
        if option.flag and not option.foreign_flag:
            kwargs: dict[str, Any] = {"default": None, "help": option.help}
            if option.is_flag:
                kwargs["action"] = "store_true"
            else:
                kwargs["action"] = "append" if option.is_list else "store"
                if option.metavar:
                    kwargs["metavar"] = option.metavar
            group.addoption(option.flag, **kwargs)
        parser.addini(option.ini, option.help, type=option.ini_type)
        for old in option.old_names:
            parser.addini("gameqa_" + old, f"deprecated: use {option.ini}", type=option.ini_type)
    group.addoption(
        "--game-cdp-url", default=None, help="connect to a running browser's DevTools endpoint instead of launching"
    )
    group.addoption(
        "--game-ws-endpoint", default=None, help="connect to a Playwright browser server instead of launching"
    )


# ---------------------------------------------------------------------------------------------- outside pytest
def find_ini(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The ini file pytest would use when started in `start`, and its pytest values (as pytest looks:
    from `start` upwards, the first folder with pytest.ini, .pytest.ini, a pyproject.toml with
    [tool.pytest.ini_options], a tox.ini with [pytest] or a setup.cfg with [tool:pytest])."""
    import configparser

    for folder in (start, *start.parents):
        for name in ("pytest.ini", ".pytest.ini"):
            if (folder / name).is_file():
                return folder / name, _ini_section(folder / name, "pytest", configparser)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                import tomllib
            except ImportError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            options = data.get("tool", {}).get("pytest", {}).get("ini_options")
            if isinstance(options, dict):
                return pyproject, {k: v for k, v in options.items() if isinstance(v, (str, list))}
        for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
            if (folder / name).is_file():
                values = _ini_section(folder / name, section, configparser, required=True)
                if values is not None:
                    return folder / name, values
    return None


def _ini_section(path: Path, section: str, configparser: Any, required: bool = False) -> Any:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None if required else {}
    if not parser.has_section(section):
        return None if required else {}
    return dict(parser.items(section))


def resolve_outside_pytest(
    field: str,
    *,
    cli: Any = None,
    cli_name: str | None = None,
    start: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Any, str | None, Path]:
    """A session setting for a command that is not pytest (`gameqa status`): its own option (`cli`) >
    GAMEQA_* environment > the ini file pytest would read here; (value, source, the folder relative paths
    are relative to: the ini file's, else `start`)."""
    start = Path.cwd() if start is None else start
    found = find_ini(start)
    ini_path, ini_values = found if found is not None else (None, {})
    option = BY_FIELD[field]

    def getini(key: str) -> Any:
        value = ini_values.get(key)
        if option.is_list and isinstance(value, str):
            return [line.strip() for line in value.splitlines() if line.strip()]
        return value

    def ini_name(key: str) -> str:
        return f"{key} in {ini_path.name if ini_path else 'the ini file'}"

    value, source = lookup(
        option, cli=None, environ=os.environ if environ is None else environ, getini=getini, ini_name=ini_name
    )
    if cli is not None:
        value, source = _parse(option, cli, cli_name or option.flag or field), cli_name or option.flag
        return value, source, start
    base = ini_path.parent if ini_path is not None else start
    return value, source, base
