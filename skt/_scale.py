"""Data of extreme scale (private): a power of two that brings them near 1.

Squares of values beyond about 1e154 overflow float64. Methods whose results scale in a known
way with the data (principal directions are invariant, regression targets equivariant)
compute on the data divided by a power of two, which is exact, and scale the results back.
"""

import numpy as np
import scipy.sparse as sp

# |x| beyond this, sums of squares of a few thousand values can overflow float64 (1.8e308)
_SQUARE_SAFE = 2.0**480


def overflow_scale(X):
    """A power of two that brings ``max |X|`` near 1 when squares of ``X`` could overflow.

    1.0 for data of ordinary scale (and for float32 data, computed in float64), so that those
    are computed exactly as before.
    """
    if sp.issparse(X):
        X = X.data  # the implicit zeros cannot overflow
    X = np.asarray(X)
    if X.dtype != np.float64 or X.size == 0:
        return 1.0
    largest = max(float(X.max()), -float(X.min()))
    if largest <= _SQUARE_SAFE:
        return 1.0
    return float(2.0 ** np.frexp(largest)[1])
