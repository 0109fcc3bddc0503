"""Every gameqa setting: the table (table.py), where values come from (sources.py), the result (model.py).

`GameSettings` is one game test's settings, resolved marker > command line > GAMEQA_* environment >
ini > default; a bad value fails fast with one line naming where it came from.
The pydantic model is imported when first asked for: reading the options builds no model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import DEFAULT_SEED, GameqaDeprecationWarning, SettingError, deprecated
from .sources import (
    BASE_SETTINGS_KEY,
    add_options,
    help_text,
    ini_source,
    lookup,
    read_ini,
    resolve,
    resolve_base,
    resolve_option,
    resolve_outside_pytest,
    session_setting,
    split_env_list,
)
from .table import BY_FIELD, BY_OLD_NAME, DEFAULT_SHRINK_BUDGET, OPTIONS, Option

if TYPE_CHECKING:
    from .model import GameSettings

__all__ = [
    "BASE_SETTINGS_KEY",
    "BY_FIELD",
    "BY_OLD_NAME",
    "DEFAULT_SEED",
    "DEFAULT_SHRINK_BUDGET",
    "OPTIONS",
    "GameSettings",
    "GameqaDeprecationWarning",
    "Option",
    "SettingError",
    "add_options",
    "deprecated",
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


def __getattr__(name: str) -> Any:
    if name == "GameSettings":
        from .model import GameSettings

        return GameSettings
    raise AttributeError(f"module 'pytest_gameqa.settings' has no attribute {name!r}")
