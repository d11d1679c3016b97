"""Scorers for choosing transfer models, with and without target labels.

Every scorer is a callable ``scorer(estimator, X, y, *, sample_domain=None)`` usable as
``scoring=`` in ``GridSearchCV``, ``RandomizedSearchCV`` and ``cross_validate``; greater is
better. The scorers learn which rows of the validation fold are source rows and which are target
rows from ``sample_domain`` (routed to them when scikit-learn's metadata routing is on: they
request it) or, with routing off, from the mask in ``y`` (``-1`` or ``NaN`` marks target rows).

Unsupervised scorers never read a target label, even when ``y`` carries one. Scorers that
evaluate source rows through a fitted pipeline map them as source rows: each transform step
whose ``transform`` accepts ``sample_domain`` is told which rows are source rows, so that an
adapter (CORAL, ...) applies its source map to them, as it did in ``fit``.
"""

import hashlib
from collections import OrderedDict, namedtuple

import numpy as np
from scipy.special import logsumexp, xlogy
from sklearn.base import BaseEstimator, clone, is_regressor
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, check_scoring, make_scorer, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import MetadataRequest
from sklearn.utils.validation import _num_samples

from .._domain import _check_sample_domain, _masked_copy, _masked_rows
from ._routing import _call, _steps

__all__ = [
    "TargetScorer",
    "make_target_scorer",
    "ImportanceWeightedScorer",
    "PredictionEntropyScorer",
    "ReverseValidationScorer",
    "SoftNeighborhoodDensityScorer",
    "DeepEmbeddedValidationScorer",
]

# -- the validation fold ------------------------------------------------------------------------

_Fold = namedtuple("_Fold", "X y sample_domain source target domains_given")


def _fold(scorer, estimator, X, y, sample_domain):
    """Source and target rows of a validation fold."""
    n = _num_samples(X)
    y = None if y is None else np.asarray(y)
    if y is not None and y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y is not None and y.shape[0] != n:
        raise ValueError(f"X and y have different lengths: X has {n} rows, y has {y.shape[0]}.")
    if sample_domain is not None:
        sd = _check_sample_domain(sample_domain, n)
    elif y is not None:
        if is_regressor(estimator):
            masked = np.isnan(y) if y.dtype.kind == "f" else np.zeros(n, bool)
        else:
            masked = _masked_rows(y)
        sd = np.where(masked, -1, 1).astype(np.int64)
    else:
        sd = np.full(n, -1, dtype=np.int64)
    source, target = sd > 0, sd < 0
    who = type(scorer).__name__
    if scorer._needs_target and not target.any() and sample_domain is None and y is not None:
        # every row has its label: typically GridSearchCV(...).score(X_target, y_target),
        # which calls the search's scorer on labeled target rows
        needs = (
            "labeled source rows and unlabeled target rows (label masked as -1 or NaN) in "
            "the same call" if scorer._needs_source else "unlabeled target rows (label masked "
            "as -1 or NaN)"
        )
        raise ValueError(
            f"{who} estimates target performance without target labels: it needs {needs}. "
            f"Here all {n} rows carry a label, so they all count as source rows. This happens "
            "with GridSearchCV(..., scoring=<this scorer>).score(X_target, y_target), which "
            "calls the search's scorer: to measure the chosen model on labeled target rows, "
            "use search.best_estimator_.score(X_target, y_target) or "
            "skt.model_selection.TargetScorer(scoring)(search.best_estimator_, X_target, "
            "y_target)."
        )
    if scorer._needs_target and not target.any():
        raise ValueError(
            f"{who}: the validation fold has no target rows. Target rows carry a masked label "
            "(-1 or NaN) or, with metadata routing on, a negative sample_domain; use a cv "
            "whose test folds mix source and target rows (cv=int on labels whose target rows "
            "are masked, or KFold(shuffle=True))."
        )
    if scorer._needs_source:
        if not source.any():
            raise ValueError(
                f"{who}: the validation fold has no labeled source row, and this scorer "
                "evaluates the model on source rows. Use a cv whose test folds hold source "
                "and target rows (KFold, StratifiedKFold or an int on labels with masked "
                "target rows), not SourceTargetShuffleSplit or TargetKFold."
            )
        if y is None:
            raise ValueError(f"{who} needs the labels of the source rows; y is None.")
    return _Fold(X, y, sd, source, target, sample_domain is not None)


def _rows(X, mask):
    return _safe_indexing(X, np.flatnonzero(mask))


def _check_response(scorer, estimator, final, method):
    if not hasattr(final, method):
        extra = " (for SVC, set probability=True)" if method == "predict_proba" else ""
        raise TypeError(
            f"{type(scorer).__name__} needs {method} and {type(final).__name__} has none"
            f"{extra}; use an estimator with {method} as the last step of "
            f"{type(estimator).__name__}."
        )


def _default_metric(estimator):
    return r2_score if is_regressor(estimator) else accuracy_score


def _features(estimator, X, sample_domain):
    """Rows as the last step sees them (source rows through the adapters' source maps)."""
    transforms, final = _steps(estimator)
    for step in transforms:
        X = _call(step, "transform", X, sample_domain)
    return X, final


def _as_float_array(Z):
    Z = Z.toarray() if hasattr(Z, "toarray") else np.asarray(Z)
    return Z.astype(np.float64, copy=False)


#: Upper bound of the density-ratio weights: a domain classifier sure that a source row is a
#: target row (probability 1 in floating point) would otherwise give it an infinite weight.
MAX_WEIGHT = 1e6

#: Cross-fitting folds of the default density ratio.
CROSS_FIT_FOLDS = 5


def _domain_weights(classifier, Z_source, Z_target, random_state):
    """Density-ratio weights ``p_target(z) / p_source(z)`` of the source rows.

    skt's discriminative weights (:func:`skt.reweight.discriminative_weights`): a domain
    classifier tells source from target rows, each source row is weighted by a classifier that
    did not see it (5-fold cross-fitting, fewer folds for tiny folds), and
    ``w = (n_source / n_target) * p(target | z) / p(source | z)``, at most :data:`MAX_WEIGHT`.
    """
    # imported here: skt.reweight loads Numba (for KMM), which the scorers do not need
    from ..reweight import discriminative_weights

    n_splits = min(CROSS_FIT_FOLDS, Z_source.shape[0], Z_target.shape[0])
    return discriminative_weights(
        Z_source,
        Z_target,
        classifier=classifier,
        cv=n_splits if n_splits >= 2 else None,
        clip=MAX_WEIGHT,
        random_state=random_state,
    )


def _default_domain_weights(Z_source, Z_target, random_state):
    """:func:`_domain_weights` with :func:`_default_domain_classifier`, without its overhead.

    The same cross-fitting folds (drawn from ``random_state`` as
    :func:`skt.reweight.discriminative_weights` draws them), the same standardization (each
    fold's training rows' mean and standard deviation, a zero deviation taken as 1) and the
    same logistic regression, so the weights agree with it to rounding; but the five fits are
    plain NumPy scaling plus ``LogisticRegression.fit``, not ``cross_val_predict`` over a
    cloned ``Pipeline``, whose validation and bookkeeping cost more than the fits on the few
    hundred rows of a validation fold (IWCV's density ratio was 1.4-1.9x the cost of a small
    grid scored with accuracy, ``benchmarks/bench_scorers.py --cost``).
    """
    from sklearn.model_selection import StratifiedKFold
    from sklearn.utils import check_random_state

    from ..reweight._common import check_weights_not_degenerate

    n_s, n_t = Z_source.shape[0], Z_target.shape[0]
    n_splits = min(CROSS_FIT_FOLDS, n_s, n_t)
    if n_splits < 2:
        return _domain_weights(_default_domain_classifier(), Z_source, Z_target, random_state)
    Z = np.vstack([Z_source, Z_target])
    d = np.r_[np.zeros(n_s, dtype=np.int64), np.ones(n_t, dtype=np.int64)]
    rng = check_random_state(random_state)
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=rng.randint(2**31 - 1))
    p_target = np.empty(n_s + n_t)
    for train, test in folds.split(Z, d):
        mean = Z[train].mean(axis=0)
        scale = Z[train].std(axis=0)
        scale[scale < 10 * np.finfo(scale.dtype).eps] = 1.0  # as StandardScaler
        model = LogisticRegression(max_iter=1000).fit((Z[train] - mean) / scale, d[train])
        p_target[test] = model.predict_proba((Z[test] - mean) / scale)[:, 1]
    p_target = p_target[:n_s]
    p_source = 1.0 - p_target
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = (n_s / n_t) * p_target / p_source
    weights = np.where(p_source > 0, weights, np.inf)
    weights = np.minimum(np.where(p_target > 0, weights, 0.0), MAX_WEIGHT)
    return check_weights_not_degenerate(
        weights,
        "DiscriminativeReweighting",
        "the domain classifier gives every source row probability 0 of being a target row "
        "(it separates the domains perfectly). Use a more regularised classifier, or "
        "cross-fitting (cv=5).",
    )


def _default_domain_classifier():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


# -- the scorers ----------------------------------------------------------------------------------


class _TransferScorer(BaseEstimator):
    """Base of the scorers: domains of the validation fold, routing request for ``sample_domain``.

    Subclasses implement ``_score(self, estimator, fold)``.
    """

    _needs_source = False
    _needs_target = True

    def get_metadata_routing(self):
        """Metadata routing of the scorer: it requests ``sample_domain``.

        With metadata routing on, ``GridSearchCV`` and ``cross_validate`` route the
        ``sample_domain`` of the validation fold to the scorer.

        Returns
        -------
        routing : MetadataRequest
            The scorer's requests (``score``: ``sample_domain``).
        """
        # built explicitly (not from class attributes): scikit-learn reads class-level requests
        # differently across 1.5 .. 1.9, and a scorer has no ``score`` method to attach them to
        request = MetadataRequest(owner=type(self).__name__)
        request.score.add_request(param="sample_domain", alias=True)
        return request

    def __call__(self, estimator, X, y=None, *, sample_domain=None):
        """Score a fitted estimator on a validation fold (greater is better).

        Parameters
        ----------
        estimator : estimator object
            The fitted estimator or pipeline.
        X : array-like of shape (n_samples, n_features)
            Rows of the validation fold.
        y : array-like of shape (n_samples,), default=None
            Labels; with routing off, masked labels (``-1`` or ``NaN``) mark the target rows.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids (positive: source, negative: target); routed here when metadata
            routing is on. Wins over the mask in ``y``.

        Returns
        -------
        score : float
            The score; greater is better.
        """
        fold = _fold(self, estimator, X, y, sample_domain)
        return float(self._score(estimator, fold))


class TargetScorer(_TransferScorer):
    """Any scikit-learn scorer, restricted to the labeled target rows: the oracle.

    Uses the true target labels, so it is for benchmarks and for the oracle protocol (true
    labels in ``y``, domains in ``groups`` and in the adapters' ``sample_domain``), never for
    choosing a model in a real unsupervised task.

    Which rows are scored: with ``sample_domain`` (routing on), the target rows whose label is
    present; without it, every row of the fold, which is right for splitters whose test folds
    hold only target rows (:class:`SourceTargetShuffleSplit`, :class:`TargetKFold`). A fold
    whose target labels are masked holds no labeled target row: the scorer raises rather than
    score the source rows instead.

    Sign convention and cost: those of ``scoring`` (scikit-learn negates losses, so greater is
    better); one prediction on the target rows.

    Parameters
    ----------
    scoring : str, callable or None, default=None
        A scikit-learn scoring name (``"accuracy"``, ``"f1_macro"``, ``"neg_log_loss"``, ...)
        or scorer (``make_scorer(...)``). None uses ``estimator.score``.

    See Also
    --------
    make_target_scorer : build one from a metric function.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> import skt
    >>> from skt.model_selection import TargetKFold, TargetScorer
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> scores = cross_val_score(
    ...     skt.SourceOnly(LogisticRegression()), X, y, groups=sample_domain,
    ...     cv=TargetKFold(n_splits=3), scoring=TargetScorer("balanced_accuracy"),
    ...     params={"sample_domain": sample_domain})
    >>> scores.shape
    (3,)
    """

    _needs_target = False

    def __init__(self, scoring=None):
        self.scoring = scoring

    def _score(self, estimator, fold):
        if fold.y is None:
            raise ValueError("TargetScorer needs the true target labels; y is None.")
        if is_regressor(estimator):
            masked = np.isnan(fold.y) if fold.y.dtype.kind == "f" else np.zeros(len(fold.y), bool)
        else:
            masked = _masked_rows(fold.y)
        if fold.domains_given:
            rows = fold.target & ~masked
        elif masked.any():
            # without sample_domain the masked rows are the target rows: the labeled rows of
            # the fold are source rows, and scoring them would not be a target score
            raise ValueError(
                "TargetScorer: the target labels of the validation fold are masked, so there "
                "is no labeled target row to score (the labeled rows are source rows). Pass "
                "the true labels in y with the domains as groups=sample_domain and a splitter "
                "whose test folds hold only target rows (SourceTargetShuffleSplit, "
                "TargetKFold), or enable metadata routing and pass sample_domain."
            )
        else:
            rows = np.ones(fold.y.shape[0], dtype=bool)
        if not rows.any():
            raise ValueError(
                "TargetScorer: the validation fold has no labeled target row to score."
            )
        scorer = check_scoring(estimator, scoring=self.scoring)
        return scorer(estimator, _rows(fold.X, rows), fold.y[rows])


def make_target_scorer(metric, *, response_method="predict", greater_is_better=True, **kwargs):
    """Make an oracle scorer from a metric function, evaluated on the labeled target rows.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_pred, **kwargs)``, e.g. ``sklearn.metrics.f1_score``.
    response_method : str or list of str, default="predict"
        The estimator's method whose output the metric takes (``"predict_proba"``,
        ``"decision_function"``, ...), as in :func:`sklearn.metrics.make_scorer`.
    greater_is_better : bool, default=True
        False for a loss: the scorer then returns its negative.
    **kwargs
        Passed to ``metric``.

    Returns
    -------
    scorer : TargetScorer
        The oracle scorer.

    Examples
    --------
    >>> from sklearn.metrics import f1_score
    >>> from skt.model_selection import make_target_scorer
    >>> scorer = make_target_scorer(f1_score, average="macro")
    >>> type(scorer).__name__
    'TargetScorer'
    """
    return TargetScorer(
        make_scorer(
            metric,
            response_method=response_method,
            greater_is_better=greater_is_better,
            **kwargs,
        )
    )


class ImportanceWeightedScorer(_TransferScorer):
    """Importance-weighted validation on the labeled source rows (IWCV).

    Under covariate shift the target risk equals the source risk weighted by the density
    ratio ``w(z) = p_target(z) / p_source(z)`` (Sugiyama, Krauledat and Mueller, 2007). The
    scorer estimates ``w`` on the rows of the validation fold, as the last step of the model
    sees them (source rows through the adapters' source maps, target rows through their target
    maps), and returns the weighted metric of the predictions on the source rows of the fold.
    For a pipeline without adapters this is the classical IWCV on the input features.

    Sign convention: the metric as given, greater is better (accuracy for classifiers and R^2
    for regressors by default; a loss with ``greater_is_better=False`` is negated).
    Cost: one density-ratio fit on the fold's rows (by default 5 cross-fitted logistic
    regressions) plus one prediction on its source rows. The fit is done once per fold and
    reused by every candidate of a grid that presents the same rows to the last step (keyed
    by a digest of those rows, ``weight_function`` and ``random_state``), so a grid over the
    final estimator's parameters pays for it once per fold, not once per candidate.
    The fold must hold labeled source rows and unlabeled target rows: use ``cv=int``, ``KFold``
    or ``StratifiedKFold`` on labels whose target rows are masked.

    Parameters
    ----------
    metric : callable, default=None
        ``metric(y_true, y_pred, sample_weight=w)``. None: ``accuracy_score`` for classifiers,
        ``r2_score`` for regressors.
    weight_function : callable, default=None
        ``weight_function(X_source, X_target) -> weights`` (one non-negative weight per source
        row), e.g. a plain weight function of :mod:`skt.reweight`
        (``functools.partial(skt.reweight.kmm_weights, gamma=0.1)``). None: discriminative
        weights (:func:`skt.reweight.discriminative_weights`) from a logistic-regression
        domain classifier on standardized features, 5-fold cross-fitted so that each source
        row is weighted by a classifier that did not see it, clipped at ``1e6``.
    response_method : {"predict", "predict_proba", "decision_function"}, default="predict"
        The output of the model passed to ``metric`` (``"predict_proba"`` for ``log_loss``).
    greater_is_better : bool, default=True
        False when ``metric`` is a loss.
    random_state : int, RandomState instance or None, default=None
        Seed of the cross-fitting folds of the default weights. Pass an int for reproducible
        scores, so that ``GridSearchCV`` compares its candidates on the same folds.

    See Also
    --------
    DeepEmbeddedValidationScorer : the same weights with a variance-reducing control variate.

    References
    ----------
    .. [1] M. Sugiyama, M. Krauledat and K.-R. Mueller, "Covariate shift adaptation by
       importance weighted cross validation", Journal of Machine Learning Research 8,
       pp. 985-1005, 2007.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> import skt
    >>> from skt.model_selection import ImportanceWeightedScorer
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> scores = cross_val_score(skt.SourceOnly(LogisticRegression()), X, y_train, cv=3,
    ...                          scoring=ImportanceWeightedScorer(random_state=0))
    >>> bool(((0 <= scores) & (scores <= 1)).all())
    True
    """

    _needs_source = True

    def __init__(
        self,
        metric=None,
        *,
        weight_function=None,
        response_method="predict",
        greater_is_better=True,
        random_state=None,
    ):
        self.metric = metric
        self.weight_function = weight_function
        self.response_method = response_method
        self.greater_is_better = greater_is_better
        self.random_state = random_state

    #: density-ratio fits kept per scorer: a grid search scores every candidate on the same
    #: few folds (one entry per fold of a 16-fold cv at most)
    _CACHE_SIZE = 16
    _cache_weights = True

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_weight_cache", None)  # not shipped to joblib workers
        return state

    def _cached_weights(self, Z_source, Z_target):
        """:meth:`_weights`, computed once per distinct (fold rows, weight parameters).

        The weights depend only on the rows the density ratio is fitted on, as the last step
        sees them, and on ``weight_function`` and ``random_state``: the key is a digest of
        those rows' bytes (source and target separately, with their shapes) and the two
        parameters themselves (compared by identity for callables and RandomState objects).
        Candidates of a grid whose transforms give the same features (a grid over the final
        estimator's parameters, KMM's gamma, ...) share one fit per fold; a grid over an
        adapter's parameters changes the features, so each candidate gets its own.
        """
        if not self._cache_weights:
            return self._weights(Z_source, Z_target)
        digest = hashlib.blake2b(digest_size=20)
        for Z in (Z_source, Z_target):
            Z = np.ascontiguousarray(Z)
            digest.update(repr((Z.shape, Z.dtype.str)).encode())
            digest.update(memoryview(Z).cast("B"))
        key = (digest.digest(), self.weight_function, self.random_state)
        cache = self.__dict__.setdefault("_weight_cache", OrderedDict())
        try:
            w = cache[key]
        except (KeyError, TypeError):  # TypeError: an unhashable weight_function
            w = self._weights(Z_source, Z_target)
            try:
                cache[key] = w
            except TypeError:
                return w
            while len(cache) > self._CACHE_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return w.copy()

    def _weights(self, Z_source, Z_target):
        if self.weight_function is None:
            return _default_domain_weights(Z_source, Z_target, self.random_state)
        if not callable(self.weight_function):
            raise TypeError(
                "ImportanceWeightedScorer: weight_function must be None or a callable "
                "weight_function(X_source, X_target) -> weights; got "
                f"{type(self.weight_function).__name__}."
            )
        w = np.asarray(self.weight_function(Z_source, Z_target), dtype=np.float64)
        if w.shape != (Z_source.shape[0],) or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(
                "ImportanceWeightedScorer: weight_function must return one finite, "
                f"non-negative weight per source row ({Z_source.shape[0]}); got an array of "
                f"shape {w.shape}."
            )
        if not w.sum() > 0:
            raise ValueError("ImportanceWeightedScorer: every importance weight is zero.")
        return w

    def _score(self, estimator, fold):
        Z, final = _features(estimator, fold.X, fold.sample_domain)
        _check_response(self, estimator, final, self.response_method)
        Z_source, Z_target = _rows(Z, fold.source), _rows(Z, fold.target)
        w = self._cached_weights(_as_float_array(Z_source), _as_float_array(Z_target))
        sd_source = fold.sample_domain[fold.source]
        response = _call(final, self.response_method, Z_source, sd_source)
        metric = _default_metric(estimator) if self.metric is None else self.metric
        value = metric(fold.y[fold.source], response, sample_weight=w)
        return value if self.greater_is_better else -value


def _target_proba(scorer, estimator, fold):
    transforms, final = _steps(estimator)
    _check_response(scorer, estimator, final, "predict_proba")
    return np.asarray(_call(estimator, "predict_proba", _rows(fold.X, fold.target), None))


class PredictionEntropyScorer(_TransferScorer):
    """Negative mean entropy of the predicted class probabilities on the target rows.

    A model that adapted well is confident on the target domain (Morerio, Cavazza and Murino,
    2018, who select hyperparameters by minimal target entropy). Confidence is not accuracy: a
    model can be confidently wrong, so this scorer is best used to compare models of one
    family, not to rank very different ones.

    Sign convention: ``-mean_i H(p_i)`` in nats, in ``[-log(n_classes), 0]``; greater (more
    confident) is better. Cost: one ``predict_proba`` on the target rows of the fold. Needs a
    classifier with ``predict_proba``.

    See Also
    --------
    SoftNeighborhoodDensityScorer : rewards target predictions that cluster.

    References
    ----------
    .. [1] P. Morerio, J. Cavazza and V. Murino, "Minimal-entropy correlation alignment for
       unsupervised deep domain adaptation", ICLR 2018.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> from skt.model_selection import PredictionEntropyScorer
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.SourceOnly(LogisticRegression()).fit(X, y_train)
    >>> score = PredictionEntropyScorer()(model, X, y_train)
    >>> bool(-0.7 < score <= 0)
    True
    """

    def __init__(self):
        pass

    def _score(self, estimator, fold):
        proba = _target_proba(self, estimator, fold)
        return np.mean(np.sum(xlogy(proba, proba), axis=1))


class SoftNeighborhoodDensityScorer(_TransferScorer):
    """Soft neighbourhood density of the target predictions (SND).

    Saito et al. (2021) observe that a well-adapted model maps target rows into dense,
    well-separated clusters. SND takes the L2-normalised class-probability vectors ``f_i`` of
    the target rows, the similarities ``s_ij = f_i . f_j / temperature`` to the other target
    rows, their softmax ``P_ij`` over ``j != i``, and returns the mean entropy of the rows
    ``P_i``: high when each target row has many close neighbours.

    Sign convention: the mean entropy in nats, in ``[0, log(n_target - 1)]``; greater is
    better. Cost: ``O(n_target^2 n_classes)`` time for the similarities, computed in blocks of
    rows (memory ``O(block n_target)``), after one ``predict_proba`` on the target rows.
    Needs a classifier with ``predict_proba`` and at least two target rows.

    Parameters
    ----------
    temperature : float, default=0.05
        Temperature of the softmax over similarities (the paper's value).

    See Also
    --------
    PredictionEntropyScorer : the entropy of each row's own prediction.

    References
    ----------
    .. [1] K. Saito, D. Kim, P. Teterwak, S. Sclaroff, T. Darrell and K. Saenko, "Tune it the
       right way: unsupervised validation of domain adaptation via soft neighborhood density",
       ICCV 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> from skt.model_selection import SoftNeighborhoodDensityScorer
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.SourceOnly(LogisticRegression()).fit(X, y_train)
    >>> score = SoftNeighborhoodDensityScorer()(model, X, y_train)
    >>> bool(0 < score < np.log(199))
    True
    """

    def __init__(self, temperature=0.05):
        self.temperature = temperature

    def _score(self, estimator, fold):
        if not (np.isscalar(self.temperature) and self.temperature > 0):
            raise ValueError(
                "SoftNeighborhoodDensityScorer: temperature must be a positive number; got "
                f"{self.temperature!r}."
            )
        proba = _target_proba(self, estimator, fold)
        n = proba.shape[0]
        if n < 2:
            raise ValueError(
                "SoftNeighborhoodDensityScorer needs at least 2 target rows in the validation "
                f"fold; found {n}."
            )
        norms = np.linalg.norm(proba, axis=1, keepdims=True)
        F = proba / np.maximum(norms, np.finfo(np.float64).tiny)
        block = max(1, (1 << 21) // n)
        total = 0.0
        for start in range(0, n, block):
            stop = min(n, start + block)
            S = (F[start:stop] @ F.T) / self.temperature
            S[np.arange(stop - start), np.arange(start, stop)] = -np.inf
            log_p = S - logsumexp(S, axis=1, keepdims=True)
            total -= np.sum(xlogy(np.exp(log_p), np.exp(log_p)))
        return total / n


class ReverseValidationScorer(_TransferScorer):
    """Reverse validation: how well a model trained back from the target predicts the source.

    Zhong et al. (2010): label the target rows of the validation fold with the fitted model,
    fit a clone of the model with the roles of the domains swapped (the pseudo-labeled target
    rows as the labeled source, the source rows as the unlabeled target, their labels masked),
    and score that reverse model on the true labels of the source rows. A model whose target
    predictions are consistent with the source labels scores high.

    Sign convention: ``metric`` of the reverse model on the source rows (accuracy for
    classifiers, R^2 for regressors by default); greater is better. Cost: one prediction on
    the target rows, one fit of a clone of the whole model on the validation fold, and one
    prediction on its source rows. The fold must hold labeled source rows and target rows.
    If the model predicts a single class on the target rows, the reverse model can only
    predict that class, and is scored as such.

    Parameters
    ----------
    metric : callable, default=None
        ``metric(y_true, y_pred)``; None: ``accuracy_score`` for classifiers, ``r2_score`` for
        regressors.

    See Also
    --------
    ImportanceWeightedScorer : reweighted source risk.

    References
    ----------
    .. [1] E. Zhong, W. Fan, Q. Yang, O. Verscheure and J. Ren, "Cross validation framework to
       choose amongst models and datasets for transfer learning", ECML PKDD 2010.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> from skt.model_selection import ReverseValidationScorer
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.SourceOnly(LogisticRegression()).fit(X, y_train)
    >>> score = ReverseValidationScorer()(model, X, y_train)
    >>> bool(0.5 < score <= 1)
    True
    """

    _needs_source = True

    def __init__(self, metric=None):
        self.metric = metric

    def _score(self, estimator, fold):
        X_target = _rows(fold.X, fold.target)
        pseudo = np.asarray(_call(estimator, "predict", X_target, None))
        y_source = fold.y[fold.source]
        metric = _default_metric(estimator) if self.metric is None else self.metric
        regressor = is_regressor(estimator)
        if not regressor and np.unique(pseudo).shape[0] < 2:
            return metric(y_source, np.full(y_source.shape[0], pseudo[0]))
        y_reverse = np.empty(fold.y.shape[0], dtype=np.result_type(pseudo, y_source))
        y_reverse[fold.target] = pseudo
        y_reverse[fold.source] = y_source
        y_reverse = _masked_copy(y_reverse, fold.source)
        if y_reverse.dtype.kind == "O":
            raise ValueError(
                "ReverseValidationScorer masks the labels of the source rows for the reverse "
                "fit, and labels of dtype object cannot carry the mask (-1 or NaN); encode the "
                "classes as integers (LabelEncoder)."
            )
        reverse = clone(estimator).fit(fold.X, y_reverse)
        prediction = _call(reverse, "predict", _rows(fold.X, fold.source), None)
        return metric(y_source, prediction)


class DeepEmbeddedValidationScorer(_TransferScorer):
    """Deep embedded validation (DEV), in its classical form.

    You et al. (2019) estimate the target risk as the source risk weighted by density ratios
    computed in the model's feature space, with a control variate that cancels much of the
    weights' variance. Here the features are the rows as the last step of the model sees them
    (source rows through the adapters' source maps); a domain classifier, cross-fitted on the
    fold's source and target features, gives ``w_i = (n_s / n_t) p(target | z_i) / p(source |
    z_i)`` for the source rows; with the per-row losses ``l_i``, ``L = w * l`` and
    ``eta = -Cov(L, w) / Var(w)``, the risk is ``mean(L) + eta * mean(w) - eta``.

    Sign convention: the negative risk, ``-risk``; greater is better. The estimate is unbiased
    but unbounded: when the domains are nearly separable, a few extreme weights make it
    unstable (its value can reach thousands). Cost: the domain classifier's fits (5-fold
    cross-fitting on the fold's rows, plus one on all of them) and one prediction on the fold's
    source rows. The fold must hold labeled source rows and target rows.

    Parameters
    ----------
    loss : {"log_loss", "zero_one", "squared"} or None, default=None
        Per-row loss: cross-entropy of ``predict_proba`` (the paper's), 0-1 loss of
        ``predict``, or squared error (regression). None: "log_loss" for classifiers,
        "squared" for regressors.
    domain_classifier : estimator, default=None
        A classifier with ``predict_proba`` that tells source from target features. None:
        ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``. The weights are
        :func:`skt.reweight.discriminative_weights` of it, 5-fold cross-fitted, clipped at
        ``1e6``.
    random_state : int, RandomState instance or None, default=None
        Seed of the cross-fitting folds. Pass an int for reproducible scores.

    See Also
    --------
    ImportanceWeightedScorer : importance-weighted validation without control variate.

    References
    ----------
    .. [1] K. You, X. Wang, M. Long and M. I. Jordan, "Towards accurate model selection in
       deep unsupervised domain adaptation", ICML 2019.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> from skt.model_selection import DeepEmbeddedValidationScorer
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.SourceOnly(LogisticRegression()).fit(X, y_train)
    >>> scorer = DeepEmbeddedValidationScorer(loss="zero_one", random_state=0)
    >>> score = scorer(model, X, y_train)
    >>> bool(score <= 0)
    True
    """

    _needs_source = True

    def __init__(self, loss=None, *, domain_classifier=None, random_state=None):
        self.loss = loss
        self.domain_classifier = domain_classifier
        self.random_state = random_state

    def _losses(self, estimator, final, Z_source, sd_source, y_source):
        loss = self.loss
        if loss is None:
            loss = "squared" if is_regressor(estimator) else "log_loss"
        if loss == "log_loss":
            _check_response(self, estimator, final, "predict_proba")
            proba = np.asarray(_call(final, "predict_proba", Z_source, sd_source))
            classes = np.asarray(final.classes_)
            order = np.argsort(classes)
            position = np.clip(np.searchsorted(classes[order], y_source), 0, len(classes) - 1)
            index = order[position]
            known = classes[index] == y_source
            p = np.where(known, proba[np.arange(len(y_source)), index], 0.0)
            return -np.log(np.clip(p, 1e-15, 1.0))
        if loss in ("zero_one", "squared"):
            prediction = np.asarray(_call(final, "predict", Z_source, sd_source))
            if loss == "zero_one":
                return (prediction != y_source).astype(np.float64)
            return (prediction - y_source) ** 2
        raise ValueError(
            "DeepEmbeddedValidationScorer: loss must be 'log_loss', 'zero_one', 'squared' or "
            f"None; got {self.loss!r}."
        )

    def _score(self, estimator, fold):
        Z, final = _features(estimator, fold.X, fold.sample_domain)
        Z_source = _rows(Z, fold.source)
        Z_target = _rows(Z, fold.target)
        classifier = (
            _default_domain_classifier()
            if self.domain_classifier is None
            else self.domain_classifier
        )
        sd_source = fold.sample_domain[fold.source]
        losses = self._losses(estimator, final, Z_source, sd_source, fold.y[fold.source])
        w = _domain_weights(
            classifier, _as_float_array(Z_source), _as_float_array(Z_target), self.random_state
        )
        weighted = w * losses
        var_w = np.var(w, ddof=1) if w.shape[0] > 1 else 0.0
        # weights equal up to rounding carry no control variate (and 0/0 would make one up)
        if var_w > 1e-12 * np.mean(w) ** 2:
            eta = -np.cov(weighted, w, ddof=1)[0, 1] / var_w
        else:
            eta = 0.0
        risk = np.mean(weighted) + eta * np.mean(w) - eta
        return -risk
