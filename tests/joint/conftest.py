"""Fixtures of the joint-objective tests."""

import os
from pathlib import Path

import pytest


@pytest.fixture
def data_home():
    """The folder of the real benchmark files (SKT_DATA_HOME, see tests/conftest.py)."""
    home = os.environ.get("SKT_DATA_HOME")
    if not home or not (Path(home) / "office_caltech10_surf").is_dir():
        pytest.skip(
            "the real benchmark files are not available: set SKT_DATA_HOME to the shared data "
            f"folder (currently {home!r})"
        )
    return Path(home)
