"""Distances between domains: MMD estimators, the MMD two-sample test, domain distances.

The Numba kernels behind these functions live in private modules and compile on first call
(never at import); :mod:`skt.metrics._kernel_sums` documents the kernel sums other skt methods
use (``kernel_matrix``, ``kernel_row_means``, ``kernel_matvec``).
"""

from skt.metrics._distances import domain_mmd, proxy_a_distance
from skt.metrics._kernel_sums import median_heuristic
from skt.metrics._mmd import MMDTestResult, mmd, mmd_test

__all__ = [
    "MMDTestResult",
    "domain_mmd",
    "median_heuristic",
    "mmd",
    "mmd_test",
    "proxy_a_distance",
]
