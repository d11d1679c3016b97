"""Root conftest: keep scripts out of doctest collection (they run as programs, not modules)."""

collect_ignore_glob = ["docs/conf.py", "docs/**/*.py", "benchmarks/*", "examples/*", "build/*"]
