"""Source selection: rank candidate source domains for a target, drop those that hurt it."""

import numbers

import numpy as np
from sklearn.base import clone, is_regressor
from sklearn.linear_model import LogisticRegression
from sklearn.utils import _safe_indexing
from sklearn.utils.parallel import Parallel, delayed

from .._domain import _masked_copy
from ..base import BaseWrappingEstimator
from ._report import (
    ReportTable,
    _check_common,
    _check_confidence,
    _fit_and_score,
    _is_masked,
    _resolve_scorer,
    _splits,
    paired_interval,
)
from ._routing import _fit

__all__ = ["SourceSelector", "select_sources"]


def _subset(train, sd, sources):
    """Training rows restricted to the target rows and the rows of ``sources``."""
    keep = (sd[train] < 0) | np.isin(sd[train], sources)
    return train[keep]


def select_sources(
    estimator,
    X,
    y,
    sample_domain,
    *,
    cv=None,
    scoring=None,
    kernel="rbf",
    gamma=None,
    n_jobs=None,
    confidence=0.95,
    random_state=None,
):
    """Rank candidate source domains for the target by MMD and by validated gain.

    For each source domain ``s`` (a positive id of ``sample_domain``), three numbers:

    - ``mmd``: the unbiased squared MMD between the rows of ``s`` and the target rows, with
      one kernel bandwidth for every source (closer sources first);
    - ``score``: the cross-validated target score of ``estimator`` trained on ``s`` alone
      (plus the target rows, with their labels masked);
    - ``gain``: what ``s`` adds. Sources are taken in order of their single-source score;
      the best one is selected, and each next source's gain is the score of ``estimator``
      trained on the sources selected so far plus ``s``, minus the score without ``s``, per
      fold, with a corrected resampled t interval across folds (greedy forward selection).

    A source whose gain is significantly negative (the interval lies below zero) transfers
    negatively: adding it hurts the target, and it is dropped. The best single source is
    always kept; whether it beats learning from the target labels alone is for
    :func:`transfer_report` to tell.

    The target rows are pooled when ``sample_domain`` has several negative ids. Validation
    needs target labels (the default oracle scoring) or an unsupervised ``scoring`` that runs
    on target rows alone; without either, only the MMD ranking is computed and every source
    is kept.

    Parameters
    ----------
    estimator : estimator object
        The transfer method (a pipeline ending with an skt estimator); cloned for each fit.
    X : array-like of shape (n_samples, n_features)
        Rows of every domain. The MMD is computed on ``X`` as given: standardize it first
        when features have different scales.
    y : array-like of shape (n_samples,)
        Labels of the source rows and, where known, the true target labels (used only to
        score the held-out target rows).
    sample_domain : array-like of int of shape (n_samples,)
        Domain ids: positive for source domains (at least two), negative for target rows.
    cv : int, cross-validation splitter or None, default=None
        Splits whose test folds hold target rows; see :func:`transfer_report`.
    scoring : str, callable or None, default=None
        How to score the test folds; see :func:`transfer_report`.
    kernel : str, default="rbf"
        Kernel of the MMD (see :func:`skt.metrics.mmd`).
    gamma : float or None, default=None
        Bandwidth of the MMD kernel, shared by all sources. None: the median heuristic on the
        pooled rows of every domain.
    n_jobs : int, default=None
        Number of joblib workers over the (source subset, fold) pairs.
    confidence : float, default=0.95
        Level of the confidence intervals.
    random_state : int, RandomState instance or None, default=None
        Seed of the median heuristic's subsample (used when ``gamma=None``).

    Returns
    -------
    ranking : ReportTable
        One row per source domain, sorted by validated score (by MMD without validation),
        with the columns ``source``, ``n_rows``, ``mmd``, ``mmd_rank``, ``score``,
        ``score_rank`` (None without validation), ``gain``, ``gain_low``, ``gain_high``,
        ``negative_transfer`` and ``selected``. ``ranking.selected`` lists the selected
        source ids.

    See Also
    --------
    transfer_report : compare transfer methods with the baselines.
    skt.metrics.mmd : the MMD estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> from skt.model_selection import select_sources
    >>> X, y, sd = skt.datasets.make_domain_shift(
    ...     n_samples_source=300, shift=0.3, random_state=0)
    >>> sd[:100] = 2                                  # two source domains, 1 and 2
    >>> y[:100] = 1 - y[:100]                         # domain 2 has flipped labels
    >>> ranking = select_sources(skt.SourceOnly(LogisticRegression()), X, y, sd)
    >>> ranking["source"], ranking["negative_transfer"]
    ([1, 2], [False, True])
    >>> ranking.selected
    [1]
    """
    # imported here: skt.metrics loads Numba, which the rest of model_selection does not need
    from ..metrics import median_heuristic, mmd

    who = "select_sources"
    _check_confidence(confidence, who)
    X, y, sd = _check_common(X, y, sample_domain, who)
    sources = np.unique(sd[sd > 0])
    if sources.shape[0] < 2:
        raise ValueError(
            f"{who} needs at least 2 source domains (positive ids of sample_domain); found "
            f"{sources.shape[0]}. For one source, transfer_report compares it with the "
            "target-only baseline."
        )
    X_array = np.asarray(X, dtype=np.float64) if not hasattr(X, "iloc") else X.to_numpy(float)
    target = sd < 0
    if gamma is None and kernel in ("rbf", "gaussian", "laplacian"):
        gamma = median_heuristic(X_array, kernel=kernel, random_state=random_state)
    mmd_kwargs = {"kernel": kernel, "estimator": "unbiased"}
    if gamma is not None and kernel != "linear":
        mmd_kwargs["gamma"] = gamma
    distances = np.array([mmd(X_array[sd == s], X_array[target], **mmd_kwargs) for s in sources])

    regression = is_regressor(estimator)
    labeled_target = target & ~_is_masked(y, regression)
    validate = scoring is not None or labeled_target.any()
    n = len(sources)
    scores = np.full(n, np.nan)
    gains = np.full((n, 3), np.nan)
    if validate:
        splits = _splits(
            cv,
            X,
            y,
            sd,
            default_stratified=not regression and labeled_target[target].all(),
            who=who,
        )
        y_hidden = _masked_copy(y, target)
        scorer = _resolve_scorer(scoring)
        ratio = float(np.mean([len(test) / len(train) for train, test in splits]))

        def cross_validate(subsets):
            results = Parallel(n_jobs=n_jobs)(
                delayed(_fit_and_score)(
                    clone(estimator),
                    X,
                    y_hidden,
                    y,
                    sd,
                    _subset(train, sd, subset),
                    test,
                    scorer,
                )
                for subset in subsets
                for train, test in splits
            )
            return np.array([r[0] for r in results]).reshape(len(subsets), len(splits))

        alone = cross_validate([[s] for s in sources])
        scores = alone.mean(axis=1)
        # greedy forward selection in order of the single-source score: a source joins unless
        # adding it makes the validated score significantly worse
        ranked = np.argsort(-scores, kind="stable")
        chosen, current = [sources[ranked[0]]], alone[ranked[0]]
        for i in ranked[1:]:
            (with_it,) = cross_validate([chosen + [sources[i]]])
            gains[i] = paired_interval(with_it - current, ratio, confidence)
            if not gains[i, 2] < 0:
                chosen.append(sources[i])
                current = with_it
    negative = gains[:, 2] < 0  # NaN compares False: unvalidated sources are kept
    order = np.argsort(-scores, kind="stable") if validate else np.argsort(distances)
    mmd_rank = np.empty(n, dtype=int)
    mmd_rank[np.argsort(distances, kind="stable")] = np.arange(1, n + 1)
    score_rank = [None] * n
    if validate:
        for rank, i in enumerate(np.argsort(-scores, kind="stable"), start=1):
            score_rank[i] = rank
    columns = {
        "source": [int(sources[i]) for i in order],
        "n_rows": [int(np.sum(sd == sources[i])) for i in order],
        "mmd": [float(distances[i]) for i in order],
        "mmd_rank": [int(mmd_rank[i]) for i in order],
        "score": [float(scores[i]) for i in order],
        "score_rank": [score_rank[i] for i in order],
        "gain": [float(gains[i, 0]) for i in order],
        "gain_low": [float(gains[i, 1]) for i in order],
        "gain_high": [float(gains[i, 2]) for i in order],
        "negative_transfer": [bool(negative[i]) for i in order],
        "selected": [not bool(negative[i]) for i in order],
    }
    title = (
        f"Source selection: {n} sources, gain = score(selected above + this one) - "
        "score(selected above)"
        if validate
        else f"Source selection: {n} sources ranked by MMD (no validation: no target labels)"
    )
    ranking = ReportTable(
        columns,
        title=title,
        notes="negative_transfer: the interval of the gain lies below zero (the source hurts).",
    )
    ranking.selected = [
        s for s, keep in zip(columns["source"], columns["selected"], strict=True) if keep
    ]
    return ranking


class SourceSelector(BaseWrappingEstimator):
    """Fit ``estimator`` on the target rows and the source domains :func:`select_sources` keeps.

    :func:`select_sources` as an estimator, so that source selection is one step of a
    pipeline and its parameters can be tuned by ``GridSearchCV``. At ``fit`` the source
    domains are ranked (by MMD to the target rows, and by a cross-validated ``scoring`` when
    one is given), the rows of the unselected sources are dropped, and a clone of
    ``estimator`` is fitted on the remaining rows with their ``sample_domain``. Prediction
    delegates to that clone: new rows are target rows, none is dropped.

    The selection never reads a target label, so it is safe inside oracle cross-validation
    (``SourceTargetShuffleSplit``); the kept rows reach ``estimator`` as given, and it reads
    target labels only if it is a method that learns from labeled target rows (``Pooled``, the
    TrAdaBoost family). Without ``scoring``, sources are ranked by MMD alone and
    all are kept unless ``n_sources`` says how many; with an unsupervised ``scoring`` that
    scores target rows alone (:class:`PredictionEntropyScorer`, ...), the greedy validated
    selection of :func:`select_sources` drops the sources whose gain is significantly
    negative.

    Several source ids are kept apart (ranked and selected one by one); the kept source ids
    go to ``estimator`` as they are, and several target ids are pooled.

    Parameters
    ----------
    estimator : estimator object, default=None
        The transfer method (an skt estimator, or a pipeline ending with one), cloned for
        the ranking and the final fit; it receives ``sample_domain``. None means
        ``skt.SourceOnly(LogisticRegression())``.
    n_sources : int or None, default=None
        Keep at most this many sources, the first in the ranking (by validated score with
        ``scoring``, else by MMD). None: every source the ranking selects.
    scoring : str, callable or None, default=None
        An unsupervised domain-adaptation scorer that scores target rows alone, for the
        validated selection; None ranks by MMD only.
    cv : int, cross-validation splitter or None, default=None
        Splits of the validated selection (see :func:`select_sources`).
    kernel : str, default="rbf"
        Kernel of the MMD.
    gamma : float or None, default=None
        Bandwidth of the MMD kernel; None: the median heuristic.
    n_jobs : int, default=None
        joblib workers of the validated selection.
    random_state : int, RandomState instance or None, default=None
        Seed of the median heuristic's subsample.

    Attributes
    ----------
    ranking_ : ReportTable or None
        The table of :func:`select_sources` (None with a single source).
    selected_sources_ : list of int
        The source ids kept.
    source_ids_ : ndarray of shape (n_sources,)
        Every source id seen in ``fit``, sorted.
    source_weights_ : ndarray of shape (n_sources,)
        ``1 / len(selected_sources_)`` for a kept source, 0 for a dropped one.
    estimator_ : estimator object
        The clone of ``estimator`` fitted on the kept rows.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    select_sources : the ranking itself, with oracle validation on target labels.
    skt.reweight.source_weights : soft weights per source instead of a selection.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> import skt
    >>> from skt.model_selection import SourceSelector
    >>> rng = np.random.RandomState(0)
    >>> X, y, sd = skt.datasets.make_domain_shift(n_samples_source=300, random_state=0)
    >>> sd[:100] = 2                                  # a second source ...
    >>> X[:100] += 5.0                                # ... far from the target
    >>> pipe = make_pipeline(StandardScaler(), SourceSelector(n_sources=1))
    >>> pipe = pipe.fit(X, y, sourceselector__sample_domain=sd)
    >>> pipe[-1].selected_sources_
    [1]
    """

    _requires_target = True
    _sparse_support = False  # select_sources computes the MMD on dense rows

    def __init__(
        self, estimator=None, *, n_sources=None, scoring=None, cv=None, kernel="rbf",
        gamma=None, n_jobs=None, random_state=None,
    ):
        self.estimator = estimator
        self.n_sources = n_sources
        self.scoring = scoring
        self.cv = cv
        self.kernel = kernel
        self.gamma = gamma
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _get_estimator(self):
        if self.estimator is None:
            from .._baselines import SourceOnly

            return SourceOnly(LogisticRegression())
        return self.estimator

    def fit(self, X, y, *, sample_domain=None):
        """Rank the sources, drop the unselected ones, fit ``estimator`` on the rest.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain.
        y : array-like of shape (n_samples,)
            Labels; the selection never reads the target rows' labels (``estimator`` reads
            them only if it learns from labeled target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source domains, negative for target rows. Without it,
            masked labels mark the target rows and there is one source.

        Returns
        -------
        self : object
            The fitted selector.
        """
        n_sources = self.n_sources
        if n_sources is not None and (
            not isinstance(n_sources, numbers.Integral) or isinstance(n_sources, bool)
            or n_sources < 1
        ):
            raise ValueError(
                f"n_sources must be None or an integer >= 1; got n_sources={n_sources!r}."
            )
        domains = self._validate_fit_data(X, y, sample_domain)
        ids = domains.source_ids
        sd = domains.sample_domain
        counts = np.array([np.sum(sd == s) for s in ids])
        if len(ids) >= 2 and counts.min() < 2:
            raise ValueError(
                f"SourceSelector: source {int(ids[np.argmin(counts)])} has a single row; "
                "ranking a source by its MMD to the target needs at least 2 rows per source."
            )
        if len(ids) < 2:
            self.ranking_ = None
            selected = [int(s) for s in ids]
        else:
            self.ranking_ = select_sources(
                self._get_estimator(), domains.X, domains.y, sd, cv=self.cv,
                scoring=self.scoring, kernel=self.kernel, gamma=self.gamma,
                n_jobs=self.n_jobs, random_state=self.random_state,
            )
            selected = list(self.ranking_.selected)
            if n_sources is not None:
                order = [s for s in self.ranking_["source"] if s in selected]
                selected = order[:n_sources]
        self.selected_sources_ = sorted(selected)
        self.source_ids_ = ids
        self.source_weights_ = np.isin(ids, selected) / len(selected)
        keep = np.flatnonzero(domains.target | np.isin(sd, selected))
        # the rows as given: the labels keep their dtype, and an estimator that learns from
        # labeled target rows (Pooled, the TrAdaBoost family) still gets them
        self.estimator_ = _fit(
            clone(self._get_estimator()), _safe_indexing(domains.X, keep),
            _safe_indexing(np.asarray(y), keep), sd[keep],
        )
        if hasattr(self.estimator_, "classes_"):
            self.classes_ = self.estimator_.classes_
        return self
