"""What the reweighting methods share: input checks, the meta-estimator base, doc fragments."""

import numbers
import warnings

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, has_fit_parameter

from skt import _sparse
from skt._source_weights import SOURCE_WEIGHTING_ATTRIBUTES, SOURCE_WEIGHTING_PARAM
from skt.base import BaseWrappingEstimator

__all__ = []

FLATTEN_PARAM = """flatten : float in [0, 1] or "auto", default="auto"
        Weight flattening: ``estimator`` is trained with ``weights_ ** flatten`` (rescaled to
        the mean ``mean(weights_) ** flatten``: 0 is the unweighted fit), which trades the
        bias of unweighted training (0) against the variance of fully weighted training (1)
        (Shimodaira, 2000). "auto" chooses it
        from ``(0, 0.25, 0.5, 0.75, 1)`` by importance-weighted cross-validation on the source
        rows (5 folds, the held-out rows weighted by ``weights_``, the estimator's ``score``;
        the exponent of the best mean score, the flattest of equal ones), as in
        adaptive importance weighting (Sugiyama, Krauledat and Mueller, 2007): when the
        weights are noise (high dimension, a well-specified model) it keeps the unweighted
        fit, when they correct a real bias it keeps them (``flatten_``, ``flatten_scores_``).
        Cost: 25 more fits of ``estimator``, skipped (exponent 0) when the weights are
        equal to a relative 1e-4, so that every exponent trains on the same weights.
        1 is the plain method.
    """ + SOURCE_WEIGHTING_PARAM + """
        The factor multiplies the flattened weights (``training_weights_`` is before it)."""

ESTIMATOR_PARAM = """estimator : estimator object, default=None
        Any scikit-learn classifier or regressor whose ``fit`` takes ``sample_weight``; cloned
        and fitted on the weighted source rows. None means ``LogisticRegression()``, created
        in ``fit``. An estimator without ``sample_weight`` is a TypeError.
    """ + FLATTEN_PARAM

COMMON_ATTRIBUTES = """weights_ : ndarray of shape (n_source_rows,)
        Importance weight of each source row of the training data, in the order of those rows
        (before flattening: what the plain weight function returns).
    training_weights_ : ndarray of shape (n_source_rows,)
        The weights ``estimator_`` was trained with: ``weights_ ** flatten_``, rescaled to the
        mean ``mean(weights_) ** flatten_``.
    flatten_ : float
        The flattening exponent used.
    flatten_scores_ : ndarray of shape (5,) or None
        Mean importance-weighted cross-validation score of each candidate exponent
        ``(0, 0.25, 0.5, 0.75, 1)`` (``flatten="auto"``), else None (also when the
        weights were equal and no exponent had to be chosen).
    effective_sample_size_ : float
        Kish's effective sample size of ``training_weights_``, ``sum(w)^2 / sum(w^2)``; below
        5% of the source rows, ``fit`` warns.
    estimator_ : estimator object
        The clone of ``estimator`` fitted on the source rows with ``training_weights_``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    n_features_in_ : int
        Number of features seen in ``fit``.
    """ + SOURCE_WEIGHTING_ATTRIBUTES

DOMAINS_NOTE = """Source rows (those with a label, or a positive ``sample_domain``) are weighted
    against the target rows (masked label, or negative ``sample_domain``); several source or
    target domains are pooled (``source_weighting`` weighs the sources apart). Target labels are
    never read. Sparse rows (CSR/CSC) are
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


#: Candidate flattening exponents of ``flatten="auto"``.
FLATTEN_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)

#: ``fit`` warns when the effective sample size of the training weights falls below this
#: fraction of the source rows.
ESS_WARNING_FRACTION = 0.05


def flatten_weights(weights, exponent):
    """``weights ** exponent`` rescaled to the mean ``mean(weights) ** exponent``.

    0 gives unit weights (the unweighted fit, exactly), 1 the weights themselves; between, the
    overall scale (which sets the balance of loss and penalty in a regularised estimator)
    moves geometrically from one to the other.
    """
    if exponent == 0:
        return np.ones_like(weights)
    flat = weights**exponent
    mean = flat.mean()
    return flat * (weights.mean() ** exponent / mean) if mean > 0 else flat


def effective_sample_size(weights):
    """Kish's effective sample size ``sum(w)^2 / sum(w^2)``."""
    return float(weights.sum() ** 2 / np.sum(weights**2))


def _iwcv_flatten_scores(estimator, X, y, weights, random_state, validation_weights=None):
    """Importance-weighted CV score of each exponent of :data:`FLATTEN_GRID` (None: no CV).

    5 folds (stratified for classifiers, fewer when a class has fewer rows); each candidate is
    fitted on the training folds with the flattened weights of those rows and scored by the
    estimator's ``score`` on the held-out rows weighted by their full weights (the IWCV
    estimate of the target score, Sugiyama et al. 2007), or by
    ``validation_weights(held_out_rows)`` where the method estimates the ratio of a subset of
    the source rows differently (nearest-neighbour weighting).
    """
    seed = random_state if isinstance(random_state, numbers.Integral) else 0
    if is_classifier(estimator):
        check_classification_targets(y)  # the error the estimator itself would raise
        counts = np.unique(y, return_counts=True)[1]
        n_splits = min(5, int(counts.min()))
        if n_splits < 2 or len(counts) < 2:
            return None
        folds = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    else:
        if len(y) < 4:
            return None
        folds = KFold(min(5, len(y) // 2), shuffle=True, random_state=seed)
    scores = []
    for train, test in folds.split(X, y):
        if not weights[test].sum() > 0 or not weights[train].sum() > 0:
            continue
        if is_classifier(estimator) and len(np.unique(y[train])) < 2:
            continue
        held_out = weights[test] if validation_weights is None else validation_weights(test)
        fold = []
        for exponent in FLATTEN_GRID:
            model = clone(estimator).fit(
                X[train], y[train], sample_weight=flatten_weights(weights[train], exponent)
            )
            fold.append(model.score(X[test], y[test], sample_weight=held_out))
        scores.append(fold)
    return np.array(scores) if len(scores) >= 2 else None


#: ``flatten="auto"`` skips its cross-validation when the largest weight is within this
#: relative distance of the smallest: every exponent then trains on the same weights to this
#: precision (a domain classifier that cannot tell the domains apart gives such weights).
FLAT_RTOL = 1e-4


def _flat(weights):
    """Whether the weights are equal to :data:`FLAT_RTOL` (so that flattening changes nothing)."""
    low = weights.min()
    return bool(low > 0 and weights.max() <= low * (1 + FLAT_RTOL))


def choose_flatten(fold_scores):
    """The exponent with the best mean IWCV score (the flattest of equal ones).

    The rule of adaptive importance weighting (Sugiyama, Krauledat and Mueller, 2007): the
    exponent is chosen by importance-weighted cross-validation, as any other
    hyperparameter, by its mean held-out score. A one-standard-error rule towards the flat
    end (keep the flattest exponent not shown worse than the best) was tried and given up:
    with 5 folds its standard error is that of 4 degrees of freedom and as noisy as the
    scores, so it kept the unweighted fit on covariate shifts where the weights gained
    10-20 points (``benchmarks/bench_reweight_defaults.py``).
    """
    mean = np.asarray(fold_scores, dtype=np.float64).mean(axis=0)
    return FLATTEN_GRID[int(np.flatnonzero(mean >= mean.max())[0])]


class BaseReweighting(BaseWrappingEstimator):
    """Meta-estimator base of the reweighting family.

    Subclasses implement ``_fit_weights(self, X_source, X_target)``, returning the weights of
    the source rows (and storing any fitted attribute of their own); the weights are then
    flattened (``flatten``, see :data:`FLATTEN_PARAM`) and the inner estimator fitted on the
    source rows with them by :class:`skt.base.BaseWrappingEstimator`. A subclass whose weight
    of a row depends on the other source rows may implement ``_validation_weights(self,
    X_source, X_target, rows)``: the weights of ``rows`` as if they were the only source rows,
    used to score the held-out rows when ``flatten="auto"`` selects the exponent.
    """

    _validation_weights = None

    def _select(self, domains):
        Xs, Xt = as_float_pair(domains.X_source, domains.X_target)
        weights = np.asarray(self._fit_weights(Xs, Xt), dtype=np.float64)
        self.weights_ = weights
        flatten = self.flatten
        self.flatten_scores_ = None
        estimator = self._get_estimator()
        if not has_fit_parameter(estimator, "sample_weight"):
            flatten = 1.0  # fit raises the TypeError that names the estimator
        auto = isinstance(flatten, str) and flatten == "auto"
        if auto and _flat(weights):
            flatten = 0.0  # every exponent trains on the same weights: nothing to choose
        elif auto:
            validation = None
            if self._validation_weights is not None:
                def validation(rows):
                    return self._validation_weights(Xs, Xt, rows)
            scores = _iwcv_flatten_scores(
                estimator, domains.X_source, domains.y_source, weights,
                getattr(self, "random_state", None), validation,
            )
            self.flatten_scores_ = None if scores is None else scores.mean(axis=0)
            flatten = 1.0 if scores is None else choose_flatten(scores)
        else:
            flatten = check_real(flatten, "flatten", low=0.0, high=1.0)
        self.flatten_ = float(flatten)
        self.training_weights_ = flatten_weights(weights, self.flatten_)
        self.effective_sample_size_ = effective_sample_size(self.training_weights_)
        fraction = self.effective_sample_size_ / len(weights)
        if fraction < ESS_WARNING_FRACTION:
            warnings.warn(
                f"{type(self).__name__}: the effective sample size of the training weights is "
                f"{self.effective_sample_size_:.1f}, {100 * fraction:.1f}% of the "
                f"{len(weights)} source rows (below {100 * ESS_WARNING_FRACTION:.0f}%): the "
                "fit rests on a few heavily weighted rows and its variance is high. Check "
                "skt.reweight.weight_diagnostics, flatten the weights (flatten='auto' or a "
                "value below 1), or use a bounded ratio (RULSIF).",
                UserWarning,
                stacklevel=4,
            )
        return domains.source, self.training_weights_


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
