"""Fixtures of the data-set tests: no test reaches the network, real data is found or skipped."""

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from skt.datasets import _base


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """The default fetcher may open local URLs only: a test that reaches for the network fails."""
    real_urlopen = _base.urlopen

    def file_only(url, *args, **kwargs):
        if urlparse(url).scheme not in ("file", ""):
            raise AssertionError(f"a test tried to reach the network: {url}")
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(_base, "urlopen", file_only)
    monkeypatch.delenv(_base.MIRROR_ENV, raising=False)
    _base._VERIFIED.clear()


@pytest.fixture
def real_home():
    """The folder holding the real benchmark files (SKT_DATA_HOME, see tests/conftest.py)."""
    home = os.environ.get("SKT_DATA_HOME")
    if not home or not (Path(home) / "office_caltech10_surf").is_dir():
        pytest.skip(
            "the real benchmark files are not available: set SKT_DATA_HOME to the shared data "
            f"folder (currently {home!r})"
        )
    return Path(home)
