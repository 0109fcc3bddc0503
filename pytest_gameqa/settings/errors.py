"""What every setting source shares: the error a bad value raises, the deprecation warning, the default seed.

Kept apart from `GameSettings` (pydantic) so that reading options costs no model building.
"""

from __future__ import annotations

import warnings

import pytest

#: the heuristic player's seed when none is given: the same run every time
DEFAULT_SEED = 20261121


class SettingError(pytest.UsageError):
    """A bad setting value; its message is the one line the user sees."""


class GameqaDeprecationWarning(FutureWarning):
    """A deprecated gameqa name (setting, environment variable, fixture): shown to users, still works."""


def deprecated(message: str, stacklevel: int = 3) -> None:
    warnings.warn(GameqaDeprecationWarning(message), stacklevel=stacklevel)
