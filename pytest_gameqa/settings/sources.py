"""Where a setting's value comes from: marker > command line > GAMEQA_* environment > ini file > default.

One reader for every source, in pytest and in the `gameqa` commands alike: the ini file is found and
read by pytest's own code (`determine_setup`, the same function `pytest` runs), so a `gameqa status`
in any folder sees exactly the `gameqa_*` values a pytest run there would.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .errors import SettingError, deprecated

if TYPE_CHECKING:
    from .model import GameSettings
from .table import BY_FIELD, BY_OLD_NAME, OPTIONS, Option, _Refused, _regex

__all__ = [
    "BASE_SETTINGS_KEY",
    "add_options",
    "help_text",
    "ini_source",
    "lookup",
    "read_ini",
    "resolve",
    "resolve_base",
    "resolve_option",
    "resolve_outside_pytest",
    "session_setting",
    "split_env_list",
]

#: the session's settings (`resolve_base`), resolved once at configure time
BASE_SETTINGS_KEY = pytest.StashKey[dict[str, Any]]()


def _parse(option: Option, raw: Any, source: str) -> Any:
    try:
        return option.parse(raw)
    except _Refused as refused:
        raise SettingError(f"gameqa: {source} {refused}") from None
    except (ValueError, TypeError, re.error):
        expects = getattr(option.parse, "expects", "a valid value")
        expects = expects() if callable(expects) else expects
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
    if not option.env_ini:
        env, env_name, ini, ini_key = None, option.env, None, option.ini
    else:
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


def session_setting(config: pytest.Config, field: str) -> Any:
    """A session setting as resolved at configure time (`resolve_base`), else the table's default."""
    base = config.stash.get(BASE_SETTINGS_KEY, None)
    if base is None:
        base = resolve_base(config)
    value = base.get(field)
    return BY_FIELD[field].default if value is None else value


def resolve(base: Mapping[str, Any], marker_kwargs: Mapping[str, Any], nodeid: str) -> GameSettings:
    """Apply a test's `@pytest.mark.game(...)` arguments on top of the session's settings."""
    from .model import GameSettings

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


def help_text(option: Option) -> str:
    """The option's help, from the table: what it does, then its other sources."""
    if not option.env_ini:
        return option.help
    return f"{option.help} [env {option.env}, ini {option.ini}]"


def add_options(parser: pytest.Parser) -> None:
    """Every option of the table on the command line and in the ini file, with its help from the table."""
    group = parser.getgroup("gameqa", "gameqa: smoke-test browser games")
    for option in OPTIONS:
        if option.flag and not option.foreign_flag:
            kwargs: dict[str, Any] = {"default": [] if option.is_list else None, "help": help_text(option)}
            if option.is_flag:
                kwargs["action"] = "store_true"
                kwargs["default"] = None
            else:
                kwargs["action"] = "append" if option.is_list else "store"
                if option.metavar:
                    kwargs["metavar"] = option.metavar
            group.addoption(option.flag, **kwargs)
        if option.env_ini:
            parser.addini(option.ini, option.help, type=option.ini_type)
            for old in option.old_names:
                parser.addini("gameqa_" + old, f"deprecated: use {option.ini}", type=option.ini_type)


# ---------------------------------------------------------------------------------------------- outside pytest
def read_ini(start: Path) -> tuple[Path | None, Callable[[str], Any]]:
    """The ini file pytest would use when started in `start`, found and read by pytest itself, and a
    `getini` over it that answers like `pytest.Config.getini` for the table's keys (a list option's
    value as lines)."""
    from _pytest.config.findpaths import determine_setup

    wanted = inspect.signature(determine_setup).parameters
    kwargs: dict[str, Any] = {"inifile": None, "args": [str(start)], "rootdir_cmd_arg": None, "invocation_dir": start}
    if "override_ini" in wanted:
        kwargs["override_ini"] = None
    _rootdir, inipath, inicfg = determine_setup(**{k: v for k, v in kwargs.items() if k in wanted})[:3]
    by_ini = {o.ini: o for o in OPTIONS} | {"gameqa_" + old: o for o in OPTIONS for old in o.old_names}

    def getini(key: str) -> Any:
        value = inicfg.get(key)
        value = getattr(value, "value", value)  # pytest >= 9 wraps each value with where it came from
        option = by_ini.get(key)
        if option is not None and option.is_list:
            if isinstance(value, str):
                return [line.strip() for line in value.splitlines() if line.strip()]
            return list(value or [])
        return "" if value is None else value

    return inipath, getini


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
    option = BY_FIELD[field]
    if cli is not None:
        source = cli_name or option.flag or field
        return _parse(option, cli, source), source, start
    ini_path, getini = read_ini(start)
    value, source = lookup(
        option,
        cli=None,
        environ=os.environ if environ is None else environ,
        getini=getini,
        ini_name=lambda key: f"{key} in {ini_path.name if ini_path else 'the ini file'}",
    )
    base = ini_path.parent if ini_path is not None else start
    return value, source, base
