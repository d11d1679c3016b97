"""What the reweighting methods share: input checks, the meta-estimator base, doc fragments."""

import numbers

import numpy as np
from sklearn.utils.validation import check_array

from skt import _sparse
from skt.base import BaseWrappingEstimator

__all__ = []

ESTIMATOR_PARAM = """estimator : estimator object, default=None
        Any scikit-learn classifier or regressor whose ``fit`` takes ``sample_weight``; cloned
        and fitted on the weighted source rows. None means ``LogisticRegression()``, created
        in ``fit``. An estimator without ``sample_weight`` is a TypeError."""

COMMON_ATTRIBUTES = """weights_ : ndarray of shape (n_source_rows,)
        Weight of each source row of the training data, in the order of those rows.
    estimator_ : estimator object
        The clone of ``estimator`` fitted on the source rows with ``weights_``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    n_features_in_ : int
        Number of features seen in ``fit``."""

DOMAINS_NOTE = """Source rows (those with a label, or a positive ``sample_domain``) are weighted
    against the target rows (masked label, or negative ``sample_domain``); several source or
    target domains are pooled. Target labels are never read. Sparse rows (CSR/CSC) are
    accepted: the weights come from the sparse rows, and ``estimator`` is fitted on the sparse
    source rows (the ``sparse`` input tag is that of ``estimator``)."""


def check_samples(X_source, X_target):
    """Validate the two samples of a weight function: 2-D, finite, same number of features.

    float32 input stays float32 when both samples are float32; anything else becomes float64.
    Sparse samples (CSR/CSC) are returned as CSR.
    """
    Xs = check_array(
        X_source, accept_sparse=_sparse.ACCEPT_SPARSE, dtype=[np.float64, np.float32],
        order="C", input_name="X_source",
    )
    Xt = check_array(
        X_target, accept_sparse=_sparse.ACCEPT_SPARSE, dtype=[np.float64, np.float32],
        order="C", input_name="X_target",
    )
    if Xs.shape[1] != Xt.shape[1]:
        raise ValueError(
            "X_source and X_target must have the same number of features; got X_source with "
            f"{Xs.shape[1]} and X_target with {Xt.shape[1]}."
        )
    if Xs.dtype != Xt.dtype:
        Xs, Xt = Xs.astype(np.float64), Xt.astype(np.float64)
    return _sparse.as_csr(Xs), _sparse.as_csr(Xt)


def as_float_pair(Xs, Xt):
    """C-contiguous copies (if needed) of already validated rows, in one float dtype.

    Sparse rows stay sparse (CSR).
    """
    dtype = np.float32 if Xs.dtype == np.float32 and Xt.dtype == np.float32 else np.float64
    return _sparse.as_csr(Xs, dtype), _sparse.as_csr(Xt, dtype)


def check_real(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """A finite real number in the given interval; the error names ``name`` and the range."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(
            f"{name} must be a finite number in {left}{lo}, {hi}{right}; got {name}={value!r}."
        )
    return float(value)


def check_int(value, name, minimum):
    """An integer >= ``minimum``; the error names ``name``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {name}={value!r}.")
    return int(value)


def check_options(value, name, options):
    if value not in options:
        choices = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {choices}; got {name}={value!r}.")
    return value


#: Kernel values at or below this are the floor of the exponential (exp(-708) = 3.3e-308):
#: numerically zero.
KERNEL_FLOOR = 1e-300


def check_weights_not_degenerate(weights, who, cause, *, kernel_values=None):
    """Raise a ValueError when every weight is zero (nothing left to train on).

    With ``kernel_values`` (the kernel between the source rows and the centres), weights built
    on a kernel that is numerically zero everywhere are degenerate too, whatever their scale.
    """
    underflow = kernel_values is not None and not np.max(kernel_values) > KERNEL_FLOOR
    if underflow or not np.any(weights > 0):
        raise ValueError(f"{who}: every source weight is zero; {cause}")
    return weights


class BaseReweighting(BaseWrappingEstimator):
    """Meta-estimator base of the reweighting family.

    Subclasses implement ``_fit_weights(self, X_source, X_target)``, returning the weights of
    the source rows (and storing any fitted attribute of their own); the inner estimator is then
    fitted on the source rows with these weights by :class:`skt.base.BaseWrappingEstimator`.
    """

    def _select(self, domains):
        Xs, Xt = as_float_pair(domains.X_source, domains.X_target)
        weights = np.asarray(self._fit_weights(Xs, Xt), dtype=np.float64)
        self.weights_ = weights
        return domains.source, weights


#: Factors applied to the median-heuristic bandwidth when no gamma grid is given.
GAMMA_FACTORS = (1 / 64, 1 / 16, 1 / 4, 1.0, 4.0, 16.0, 64.0)


def check_gamma_grid(gamma, X_source, X_target, rng):
    """The bandwidths to try: ``(gammas, fixed)``.

    ``gamma`` is a positive number (used as is: ``fixed=True``), a non-empty sequence of them,
    or None (the median heuristic times :data:`GAMMA_FACTORS`).
    """
    from skt.metrics import median_heuristic

    if gamma is None:
        base = median_heuristic(X_source, X_target, random_state=rng)
        return base * np.asarray(GAMMA_FACTORS), False
    if isinstance(gamma, numbers.Real) and not isinstance(gamma, bool):
        return np.array([check_real(gamma, "gamma", low=0.0, low_open=True)]), True
    try:
        values = [float(g) for g in gamma]
    except (TypeError, ValueError):
        raise ValueError(
            "gamma must be a positive number, a sequence of positive numbers or None; got "
            f"gamma={gamma!r}."
        ) from None
    if not values or not all(np.isfinite(g) and g > 0 for g in values):
        raise ValueError(
            f"gamma must hold at least one positive finite number; got gamma={gamma!r}."
        )
    return np.asarray(values), False


def choose_centers(n_target, n_centers, rng):
    """Indices of the kernel centres: ``n_centers`` target rows drawn without replacement
    (all of them, in order, if there are fewer)."""
    if n_centers >= n_target:
        return np.arange(n_target)
    return np.sort(rng.choice(n_target, size=n_centers, replace=False))


def gaussian_features(X, centers, gamma):
    """``exp(-gamma ||x - c||^2)`` for every row and centre, shape (n_rows, n_centers)."""
    from skt.metrics._kernel_sums import kernel_matrix

    return kernel_matrix(
        _sparse.as_csr(X, np.float64), centers, kernel="rbf", gamma=float(gamma)
    )


def center_features(X, rows):
    """The kernel centres ``X[rows]`` as float64 (sparse stays sparse, CSR)."""
    return _sparse.as_csr(_sparse.take_rows(X, rows), np.float64)
