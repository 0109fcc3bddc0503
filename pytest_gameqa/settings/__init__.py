"""Every gameqa setting: the table (table.py), where values come from (sources.py), the result (model.py).

`GameSettings` is one game test's settings, resolved marker > command line > GAMEQA_* environment >
ini > default; a bad value fails fast with one line naming where it came from.
"""

from .model import DEFAULT_SEED, GameqaDeprecationWarning, GameSettings, SettingError, deprecated
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
