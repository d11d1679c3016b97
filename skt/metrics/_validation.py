"""Input validation shared by the public functions of :mod:`skt.metrics` (private)."""

import numbers

import numpy as np

from skt import _sparse
from skt._compat import check_array

ESTIMATORS = ("biased", "unbiased", "linear")


def is_dask(X):
    """True for a Dask array (without importing Dask)."""
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "chunks")


def check_sample(X, name):
    """A 2-D, finite, non-empty float32/float64 C-contiguous array (float32 stays float32).

    Sparse input (CSR/CSC, or any format scikit-learn converts) is returned as CSR.
    """
    X = check_array(
        X,
        accept_sparse=_sparse.ACCEPT_SPARSE,
        dtype=[np.float64, np.float32],
        order="C",
        ensure_all_finite=True,
        ensure_min_samples=0,
        ensure_min_features=0,
        input_name=name,
    )
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty: got shape {X.shape}; give at least one row.")
    if X.shape[1] == 0:
        raise ValueError(f"{name} has no features: got shape {X.shape}.")
    return X.tocsr() if _sparse.issparse(X) else X


def check_n_features(X, Y, x_name="X", y_name="Y"):
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"{x_name} and {y_name} must have the same number of features; got "
            f"{x_name} with {X.shape[1]} and {y_name} with {Y.shape[1]}."
        )


def check_pair(X, Y):
    """Validate two samples; both float32 stay float32, anything else becomes float64."""
    X = check_sample(X, "X")
    Y = check_sample(Y, "Y")
    check_n_features(X, Y)
    if X.dtype != Y.dtype:
        X, Y = X.astype(np.float64), Y.astype(np.float64)
    return X, Y


def check_estimator(estimator):
    if estimator not in ESTIMATORS:
        raise ValueError(
            f"estimator must be one of {', '.join(repr(e) for e in ESTIMATORS)}; got "
            f"estimator={estimator!r}."
        )
    return estimator


def check_min_rows(estimator, n_x, n_y):
    if estimator in ("unbiased", "linear"):
        for name, n in (("X", n_x), ("Y", n_y)):
            if n < 2:
                raise ValueError(
                    f"estimator={estimator!r} needs at least 2 rows in X and in Y; {name} has "
                    f"{n} row."
                )


def check_weights(weights, n, name, sample_name):
    """Non-negative finite weights of length n, normalised to sum to one (float64)."""
    if weights is None:
        return None
    if is_dask(weights):
        weights = weights.compute()
    w = np.asarray(weights)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(
            f"{name} must be a 1-D array with one weight per row of {sample_name} ({n}); got "
            f"shape {w.shape}."
        )
    if w.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric; got dtype {w.dtype}.")
    w = w.astype(np.float64)
    if not np.isfinite(w).all():
        raise ValueError(f"{name} must be finite; found NaN or infinity.")
    if (w < 0).any():
        raise ValueError(f"{name} must be non-negative; found the value {float(w.min())!r}.")
    total = w.sum()
    if not total > 0:
        raise ValueError(f"{name} must have a positive sum; found every weight equal to 0.")
    return w / total


def check_max_samples(max_samples):
    if max_samples is not None and (
        isinstance(max_samples, bool)
        or not isinstance(max_samples, numbers.Integral)
        or max_samples < 2
    ):
        raise ValueError(
            f"max_samples must be an int >= 2 or None; got max_samples={max_samples!r}."
        )
