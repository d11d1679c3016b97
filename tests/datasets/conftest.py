"""Fixtures of the data-set tests (the network guard and the real-data marker are in the root
conftest.py)."""

import pytest

from skt.datasets import _base


@pytest.fixture(autouse=True)
def fresh_fetch_state(monkeypatch):
    """No mirror from the environment, and no file taken as verified by an earlier test."""
    monkeypatch.delenv(_base.MIRROR_ENV, raising=False)
    _base._VERIFIED.clear()
