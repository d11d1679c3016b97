"""Data sets: synthetic domain shifts and loaders of the standard transfer benchmarks."""

from ._synthetic import make_domain_shift

__all__ = ["make_domain_shift"]
