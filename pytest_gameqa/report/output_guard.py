"""Replaces pytest-playwright's `delete_output_dir` fixture, registered after it so this one wins.

pytest-playwright deletes `--output` at the first test of every xdist worker, which can delete files
another worker already wrote; gameqa clears the folder once, on the controller, before workers start.
"""

import pytest


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir() -> None:
    return None
