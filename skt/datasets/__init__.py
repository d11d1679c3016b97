"""Data sets: synthetic shifts, an embedded benchmark, and loaders of the real benchmarks."""

from ._base import get_data_home
from ._embedded import load_digits_shift
from ._real import (
    list_datasets,
    load_coil20,
    load_mnist_usps,
    load_mushroom,
    load_office_caltech,
)
from ._synthetic import make_domain_shift

__all__ = [
    "get_data_home",
    "list_datasets",
    "load_coil20",
    "load_digits_shift",
    "load_mnist_usps",
    "load_mushroom",
    "load_office_caltech",
    "make_domain_shift",
]
