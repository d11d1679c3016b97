"""Root conftest of the test suite (tests/, doctests of skt/ and docs/).

- Scripts (docs plot scripts, gallery examples, benchmarks) are programs, not modules: keep them
  out of doctest collection.
- The real benchmark files are never part of the repository. Tests find them through
  ``SKT_DATA_HOME``; when it is unset, it defaults to ``../shared/data`` beside the repository
  root (where CI's clone and the developers' checkouts find the shared copy), if it exists.
  ``--no-shared-data`` turns that default off, to see the suite as a fresh clone does.
- One mechanism decides what needs the real files: the ``requires_data(*names)`` marker on a
  test, and, for doctests, the real-data loaders their examples call. Such a test or doctest
  is skipped, with the reason, when the data home lacks the files; it is never left to
  download them.
- No test reaches the network: skt's downloader may open local (``file:``) URLs only.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

collect_ignore_glob = [
    "docs/conf.py",
    "docs/**/*.py",
    "docs/auto_examples/*",  # the gallery sphinx-gallery writes: scripts and their pages
    "docs/sg_execution_times.rst",
    "benchmarks/*",
    "examples/*",
    "build/*",
]

_ROOT = Path(__file__).resolve().parent
_SHARED_DATA = _ROOT.parent / "shared" / "data"


def pytest_addoption(parser):
    parser.addoption(
        "--no-shared-data",
        action="store_true",
        help="skt: do not default SKT_DATA_HOME to ../shared/data beside the repository (run "
        "the suite as a fresh clone without data sees it)",
    )


def pytest_configure(config):
    if (
        not os.environ.get("SKT_DATA_HOME")
        and _SHARED_DATA.is_dir()
        and not config.getoption("--no-shared-data")
    ):
        os.environ["SKT_DATA_HOME"] = str(_SHARED_DATA)


# -- which tests need the real files -----------------------------------------------------------


def _real_specs():
    from skt.datasets._real import _SPECS

    return _SPECS


def _doctest_needs(item):
    """Data set names a doctest reads: its calls of real-data loaders, and listings of file
    status it expects to be ``'ok'``."""
    specs = _real_specs()
    loaders = re.compile(r"\bload_(" + "|".join(map(re.escape, specs)) + r")\b")
    names = set()
    for example in item.dtest.examples:
        names.update(loaders.findall(example.source))
        if "list_datasets" in example.source and "'ok'" in example.want:
            names.update(specs)
    return sorted(names)


def _needs(item):
    """Data set names the item reads, or None when it needs no real file."""
    marker = item.get_closest_marker("requires_data")
    if marker is not None:
        unknown = sorted(set(marker.args) - set(_real_specs()))
        if unknown:
            raise pytest.UsageError(
                f"{item.nodeid}: requires_data names unknown data sets {unknown}; "
                f"choose from {sorted(_real_specs())} (no name: every one)"
            )
        return list(marker.args) or sorted(_real_specs())
    if getattr(item, "dtest", None) is not None:  # a doctest
        return _doctest_needs(item) or None
    return None


_MISSING = {}  # (data set names, data home) -> missing files: each file is hashed once


def _missing(names):
    from skt.datasets._base import file_status

    key = (tuple(names), os.environ.get("SKT_DATA_HOME"))
    if key not in _MISSING:
        specs = _real_specs()
        remotes = dict.fromkeys(r for name in names for r in specs[name].files.values())
        _MISSING[key] = [r.path for r in remotes if file_status(r) != "ok"]
    return _MISSING[key]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every item that reads the real files, and skip it when they are absent.

    The marker is added to doctests too, so ``-m requires_data`` selects every test and
    doctest that needs the data (CI runs them once without it, to see that they skip)."""
    for item in items:
        names = _needs(item)
        if names is None:
            continue
        if item.get_closest_marker("requires_data") is None:
            item.add_marker(pytest.mark.requires_data(*names))
        missing = _missing(names)
        if missing:
            from skt.datasets._base import _resolve_data_home

            home, origin = _resolve_data_home()
            item.add_marker(
                pytest.mark.skip(
                    reason=f"needs the real benchmark files {missing}, not in the data home "
                    f"{home} (from {origin}); set SKT_DATA_HOME to a folder holding them "
                    "(tests never download)"
                )
            )


@pytest.fixture
def data_home(request):
    """The data home holding the real files, for tests marked ``requires_data``."""
    if request.node.get_closest_marker("requires_data") is None:
        raise pytest.UsageError(
            f"{request.node.nodeid} uses the data_home fixture without the requires_data "
            "marker: mark it, so that it skips where the files are absent"
        )
    from skt.datasets import get_data_home

    return Path(get_data_home())


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """skt's downloader may open local URLs only: a test that reaches for the network fails."""
    from skt.datasets import _base

    real_urlopen = _base.urlopen

    def file_only(url, *args, **kwargs):
        if urlparse(url).scheme not in ("file", ""):
            raise AssertionError(f"a test tried to reach the network: {url}")
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(_base, "urlopen", file_only)
