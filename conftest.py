"""Root conftest of the test suite (tests/, doctests of skt/ and docs/).

- Scripts (docs plot scripts, benchmarks, examples) are programs, not modules: keep them out of
  doctest collection.
- The real benchmark files are never part of the repository. Tests find them through
  ``SKT_DATA_HOME``; when it is unset, it defaults to ``../shared/data`` beside the repository
  root (where CI's clone and the developers' checkouts find the shared copy), if it exists.
- Where the files are absent, the doctests of the real-data loaders are skipped with that reason
  rather than left to download them: no test reaches the network.
"""

import os
from pathlib import Path

import pytest

collect_ignore_glob = ["docs/conf.py", "docs/**/*.py", "benchmarks/*", "examples/*", "build/*"]

_ROOT = Path(__file__).resolve().parent
_SHARED_DATA = _ROOT.parent / "shared" / "data"
_REAL = _ROOT / "skt" / "datasets" / "_real.py"

if not os.environ.get("SKT_DATA_HOME") and _SHARED_DATA.is_dir():
    os.environ["SKT_DATA_HOME"] = str(_SHARED_DATA)


def _missing_files():
    from skt.datasets._base import file_status
    from skt.datasets._real import _SPECS

    remotes = {r for spec in _SPECS.values() for r in spec.files.values()}
    return sorted(r.path for r in remotes if file_status(r) != "ok")


def pytest_collection_modifyitems(config, items):
    doctests = [item for item in items if getattr(item, "path", None) == _REAL]
    if not doctests:
        return
    missing = _missing_files()
    if not missing:
        return
    from skt.datasets import get_data_home

    skip = pytest.mark.skip(
        reason=f"the real benchmark files {missing} are not in the data home {get_data_home()}; "
        "set SKT_DATA_HOME to run these examples (skipped rather than downloaded)"
    )
    for item in doctests:
        item.add_marker(skip)
