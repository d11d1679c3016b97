"""Fixtures of the joint-objective tests."""

from tests.alignment.conftest import data_home  # noqa: F401
