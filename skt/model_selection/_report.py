"""Transfer reports: transfer pipelines against the source-only and target-only baselines.

:func:`transfer_report` cross-validates each named estimator and the baselines on the same folds
(one joblib task per (method, fold) pair, so ``joblib.parallel_config(backend="dask")`` spreads
them over a cluster) and returns a :class:`ReportTable`: each method's target score, its gain
over each baseline with a confidence interval across folds, its fit time, and a flag for
negative transfer.
"""

import numbers
import time

import numpy as np
from scipy import stats
from sklearn.base import clone, is_regressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples

from .._baselines import SourceOnly, TargetOnly
from .._domain import _check_sample_domain, _masked_copy, _masked_rows
from ._routing import _fit
from ._scorers import TargetScorer, _TransferScorer
from ._split import StratifiedTargetKFold, TargetKFold

__all__ = ["ReportTable", "transfer_report"]

SOURCE_ONLY = "source-only"
TARGET_ONLY = "target-only"


class ReportTable:
    """A small column table (dict of lists) with a readable text form.

    Parameters
    ----------
    columns : dict of str to list
        Column name -> values, all of one length.
    title : str, default=""
        First line of the text form.
    notes : str, default=""
        Last lines of the text form.

    Attributes
    ----------
    columns : dict of str to list
        The table.

    Notes
    -----
    The functions that build a table attach their further results as attributes:
    :func:`transfer_report` adds ``fold_scores`` (method -> per-fold scores) and
    ``confidence``, :func:`select_sources` adds ``selected`` (the kept source ids).

    Examples
    --------
    >>> from skt.model_selection import ReportTable
    >>> table = ReportTable({"method": ["a", "b"], "score": [0.5, 0.75]})
    >>> table["score"]
    [0.5, 0.75]
    >>> print(table)
    method  score
    a       0.500
    b       0.750
    """

    def __init__(self, columns, *, title="", notes=""):
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError(
                f"ReportTable: every column needs the same number of rows; got {lengths}."
            )
        self.columns = {name: list(values) for name, values in columns.items()}
        self.title = title
        self.notes = notes

    def __getitem__(self, name):
        return self.columns[name]

    def __len__(self):
        return len(next(iter(self.columns.values()), []))

    def __iter__(self):
        """Iterate over the rows, each a dict."""
        names = list(self.columns)
        for values in zip(*self.columns.values(), strict=True):
            yield dict(zip(names, values, strict=True))

    def to_dict(self):
        """The table as a dict of lists (a copy).

        Returns
        -------
        columns : dict of str to list
            Column name -> values.
        """
        return {name: list(values) for name, values in self.columns.items()}

    def to_pandas(self):
        """The table as a ``pandas.DataFrame`` (needs pandas, which skt does not require).

        Returns
        -------
        frame : pandas.DataFrame
            One row per table row.
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is installed where tests run
            raise ImportError(
                "ReportTable.to_pandas needs pandas, which is not installed; use to_dict() or "
                "print the table instead."
            ) from None
        return pd.DataFrame(self.to_dict())

    def to_string(self, float_format="{:.3f}"):
        """The table as aligned text.

        Parameters
        ----------
        float_format : str, default="{:.3f}"
            Format of the float cells.

        Returns
        -------
        text : str
            Title, header, one line per row, notes.
        """

        def cell(value, fmt=float_format):
            if value is None:
                return "-"
            if isinstance(value, (bool, np.bool_)):
                return "yes" if value else "no"
            if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
                return "nan" if np.isnan(value) else fmt.format(value)
            return str(value)

        # a column "x" with "x_low" and "x_high" beside it shows as "x [low, high]"
        names, cells = [], []
        for name, values in self.columns.items():
            if name.endswith(("_low", "_high")) and name.rsplit("_", 1)[0] in self.columns:
                continue
            low, high = self.columns.get(f"{name}_low"), self.columns.get(f"{name}_high")
            if low is not None and high is not None:
                signed = float_format.replace("{:", "{:+", 1)
                cells.append(
                    [
                        f"{cell(v, signed)} [{cell(a, signed)}, {cell(b, signed)}]"
                        for v, a, b in zip(values, low, high, strict=True)
                    ]
                )
                names.append(f"{name} [interval]")
            else:
                cells.append([cell(v) for v in values])
                names.append(name)
        widths = [
            max([len(name)] + [len(c) for c in col])
            for name, col in zip(names, cells, strict=True)
        ]
        lines = [self.title] if self.title else []
        lines.append("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip())
        for row in zip(*cells, strict=True):
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if self.notes:
            lines.append(self.notes)
        return "\n".join(lines)

    def __repr__(self):
        return self.to_string()


# -- statistics --------------------------------------------------------------------------------


def paired_interval(differences, test_train_ratio, confidence, n_test=None):
    """Mean and corrected resampled t confidence interval of paired per-fold differences.

    The folds share training rows, so their scores are correlated and the plain t interval is
    too narrow; the variance is inflated by ``1 / K + n_test / n_train`` instead of ``1 / K``
    (Nadeau and Bengio, 2003).

    When the differences are differences of accuracies, ``n_test`` gives each fold's number of
    scored rows, and the variance of a fold's difference is taken no smaller than its sampling
    floor: a difference ``d`` of two accuracies on the same ``n`` rows counts ``|d| n`` rows more
    on one side than the other, so its variance is at least ``(|d| - d^2) / n`` (McNemar's
    variance of a paired difference of proportions). Without that floor, folds that happen to
    agree exactly (two folds each one row worse) have a sample variance of zero and give an
    interval of zero width: a "significant" difference from a single row.

    Parameters
    ----------
    differences : ndarray of shape (n_folds,)
        Per-fold differences of scores.
    test_train_ratio : float
        Mean ratio of test to training rows over the folds.
    confidence : float
        Confidence level in (0, 1).
    n_test : ndarray of shape (n_folds,), default=None
        Number of scored rows per fold, when the differences are differences of accuracies;
        None: no floor (any other score).

    Returns
    -------
    mean, low, high : float
        Mean and interval bounds (NaN bounds with fewer than two folds).
    """
    differences = np.asarray(differences, dtype=np.float64)
    k = differences.shape[0]
    mean = float(differences.mean())
    if k < 2:
        return mean, np.nan, np.nan
    fold_variance = np.var(differences, ddof=1)
    if n_test is not None:
        d = np.abs(differences)
        fold_variance = max(fold_variance, float(np.mean((d - d**2) / np.asarray(n_test))))
    variance = fold_variance * (1.0 / k + test_train_ratio)
    half = stats.t.ppf(0.5 + confidence / 2, df=k - 1) * np.sqrt(variance)
    return mean, mean - half, mean + half


# -- the report ----------------------------------------------------------------------------------


def _named_estimators(estimators):
    if isinstance(estimators, dict):
        pairs = list(estimators.items())
    else:
        try:
            pairs = [(name, est) for name, est in estimators]
        except (TypeError, ValueError):
            raise TypeError(
                "estimators must be a dict {name: estimator} or a list of (name, estimator) "
                f"pairs; got {type(estimators).__name__}."
            ) from None
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError(f"estimators: the names must be unique; got {names}.")
    for name in (SOURCE_ONLY, TARGET_ONLY):
        if name in names:
            raise ValueError(
                f"estimators: the name {name!r} is reserved for the baseline; rename it."
            )
    for name, est in pairs:
        if not hasattr(est, "fit"):
            raise TypeError(f"estimators[{name!r}] must be an estimator with fit; got {est!r}.")
    return pairs


def _is_masked(y, regression):
    if regression:
        return np.isnan(y) if y.dtype.kind == "f" else np.zeros(y.shape[0], bool)
    return _masked_rows(y)


def _resolve_scorer(scoring):
    if scoring is None:
        return TargetScorer()
    if isinstance(scoring, _TransferScorer):
        return scoring
    return check_scoring(None, scoring=scoring) if isinstance(scoring, str) else scoring


def _score(scorer, estimator, X, y, sample_domain):
    """Score a fitted estimator on a test fold; plain scorers see only its target rows."""
    if isinstance(scorer, _TransferScorer):
        return scorer(estimator, X, y, sample_domain=sample_domain)
    target = np.flatnonzero(sample_domain < 0)
    return scorer(estimator, _safe_indexing(X, target), y[target])


def _fit_and_score(estimator, X, y_fit, y_true, sample_domain, train, test, scorer):
    start = time.perf_counter()
    _fit(estimator, _safe_indexing(X, train), y_fit[train], sample_domain[train])
    fit_time = time.perf_counter() - start
    score = _score(scorer, estimator, _safe_indexing(X, test), y_true[test], sample_domain[test])
    return float(score), fit_time


def _check_common(X, y, sample_domain, who):
    X, y, sample_domain = indexable(X, y, sample_domain)
    n = _num_samples(X)
    if y is None:
        raise ValueError(f"{who} needs y (the labels of the source rows, at least).")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if sample_domain is None:
        raise ValueError(
            f"{who} needs sample_domain (positive ids: source rows, negative ids: target "
            "rows) to tell labeled target rows from source rows."
        )
    sd = _check_sample_domain(sample_domain, n)
    if not (sd > 0).any():
        raise ValueError(f"{who}: no source rows (sample_domain has no positive id).")
    if not (sd < 0).any():
        raise ValueError(f"{who}: no target rows (sample_domain has no negative id).")
    return X, y, sd


def _check_confidence(confidence, who):
    if not (isinstance(confidence, numbers.Real) and 0 < confidence < 1):
        raise ValueError(f"{who}: confidence must be a number in (0, 1); got {confidence!r}.")


def _splits(cv, X, y, sd, default_stratified, who):
    if cv is None or isinstance(cv, numbers.Integral):
        n_splits = 5 if cv is None else int(cv)
        cv = StratifiedTargetKFold(n_splits) if default_stratified else TargetKFold(n_splits)
    else:
        cv = check_cv(cv)  # also takes an iterable of (train, test) pairs
    splits = list(cv.split(X, y, groups=sd))
    for train, test in splits:
        if not (sd[test] < 0).any():
            raise ValueError(
                f"{who} scores target rows, and a test fold of cv has none. Use a splitter "
                "whose test folds hold target rows (TargetKFold, SourceTargetShuffleSplit)."
            )
        if not (sd[train] > 0).any():
            raise ValueError(f"{who}: a training fold of cv has no source row.")
    return splits


def transfer_report(
    estimators,
    X,
    y,
    sample_domain,
    *,
    cv=None,
    baseline=None,
    scoring=None,
    hide_target_labels=True,
    n_jobs=None,
    confidence=0.95,
):
    """Cross-validate transfer estimators together with the source-only and target-only baselines.

    Every method is fitted and scored on the same folds, so that per-fold differences of
    scores are paired: each method's gain over a baseline comes with a confidence interval
    across folds. A method significantly worse than a baseline (the interval of its gain lies
    below zero) is flagged as **negative transfer**: worse than source-only means the adaptation
    hurts; worse than target-only means using the source hurts.

    Each fold's training rows are all source rows plus the target rows the splitter keeps; the
    named estimators see the target rows with their labels masked (unless
    ``hide_target_labels=False``) and ``sample_domain``. The target-only baseline trains on the
    labeled target rows of the training fold. Scores are taken on the target rows of the test
    fold.

    Parameters
    ----------
    estimators : dict of str to estimator, or list of (str, estimator)
        The transfer methods (pipelines ending with an skt estimator), by name.
    X : array-like of shape (n_samples, n_features)
        Rows of every domain.
    y : array-like of shape (n_samples,)
        Labels: the source labels, and the true target labels where known (needed by the
        default oracle scoring and by the target-only baseline; masked target labels give
        no target-only baseline).
    sample_domain : array-like of int of shape (n_samples,)
        Domain ids: positive for source rows, negative for target rows.
    cv : int, cross-validation splitter, iterable of (train, test) or None, default=None
        Splits whose test folds hold target rows. None or an int: a
        :class:`StratifiedTargetKFold` with 5 (or that many) folds when every target row is
        labeled (classification), a :class:`TargetKFold` otherwise. The splitter gets
        ``groups=sample_domain``.
    baseline : estimator, default=None
        The plain scikit-learn model of the baselines: ``SourceOnly(baseline)`` and
        ``TargetOnly(baseline)``. None: ``make_pipeline(StandardScaler(),
        LogisticRegression())``, or ``Ridge()`` instead of the logistic regression when the
        first estimator is a regressor.
    scoring : str, callable or None, default=None
        How to score the test folds. None: :class:`TargetScorer` (``estimator.score`` on the
        labeled target rows). An skt scorer gets the whole test fold with its
        ``sample_domain``; any other scorer (a scikit-learn name or callable) gets the fold's
        target rows only.
    hide_target_labels : bool, default=True
        Mask the target labels that the named estimators see in training. Set False for
        methods that learn from labeled target rows (TrAdaBoost, Pooled).
    n_jobs : int, default=None
        Number of joblib workers over the (method, fold) pairs; the active joblib backend is
        used (``joblib.parallel_config(backend="dask")`` spreads them over a Dask cluster).
    confidence : float, default=0.95
        Level of the confidence intervals.

    Returns
    -------
    report : ReportTable
        One row per method (the named estimators, then ``"source-only"`` and, when target
        labels exist, ``"target-only"``), with the columns ``method``, ``score`` (mean over
        folds), ``score_std``, ``gain`` (over source-only), ``gain_low``, ``gain_high``,
        ``gain_vs_target``, ``gain_vs_target_low``, ``gain_vs_target_high`` (NaN without a
        target-only baseline), ``fit_time`` (mean seconds) and ``negative_transfer``. The
        per-fold scores are in ``report.fold_scores`` (method -> array).

    See Also
    --------
    select_sources : rank and select source domains.
    SourceTargetShuffleSplit, TargetKFold : splitters for ``cv``.

    Notes
    -----
    The interval is the corrected resampled t interval of Nadeau and Bengio (2003): folds
    share training rows, so the per-fold differences are correlated, and the variance of
    their mean is ``s^2 (1 / K + n_test / n_train)`` rather than ``s^2 / K``. With accuracy
    scores (the default for classifiers), ``s^2`` is taken no smaller than the sampling
    variance of a paired difference of accuracies on each fold's test rows: a few folds that
    agree by chance (two folds each one row worse) give a wide interval, not one of zero width.

    References
    ----------
    .. [1] C. Nadeau and Y. Bengio, "Inference for the generalization error", Machine
       Learning 52, pp. 239-281, 2003.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> from skt.model_selection import transfer_report
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> report = transfer_report({"pooled": skt.Pooled(LogisticRegression())}, X, y,
    ...                          sample_domain, hide_target_labels=False, cv=3)
    >>> report["method"]
    ['pooled', 'source-only', 'target-only']
    >>> len(report.fold_scores["pooled"])
    3
    """
    plan = _report_plan(estimators, X, y, sample_domain, cv=cv, baseline=baseline,
                        scoring=scoring, hide_target_labels=hide_target_labels,
                        confidence=confidence, who="transfer_report")
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(*job) for _, job in _report_jobs(plan)
    )
    return _report_from_results(plan, results)


def _report_plan(estimators, X, y, sample_domain, *, cv, baseline, scoring, hide_target_labels,
                 confidence, who):
    """Validate the arguments of :func:`transfer_report` and list what it fits, in order."""
    pairs = _named_estimators(estimators)
    _check_confidence(confidence, who)
    X, y, sd = _check_common(X, y, sample_domain, who)
    regression = bool(pairs) and is_regressor(pairs[0][1])
    if baseline is None:
        baseline = make_pipeline(StandardScaler(), Ridge() if regression else LogisticRegression())
    target = sd < 0
    labeled_target = target & ~_is_masked(y, regression)
    splits = _splits(
        cv,
        X,
        y,
        sd,
        default_stratified=not regression and labeled_target[target].all(),
        who=who,
    )
    y_hidden = _masked_copy(y, target) if target.any() else y
    methods = [(name, est, y_hidden if hide_target_labels else y) for name, est in pairs]
    methods.append((SOURCE_ONLY, SourceOnly(baseline), y_hidden))
    with_target_only = bool(labeled_target.any())
    if with_target_only:
        methods.append((TARGET_ONLY, TargetOnly(baseline), y))
    # accuracies (the default score of a classifier, or "accuracy"): per-fold counts of scored
    # rows give the intervals their sampling floor (see paired_interval)
    accuracy = (scoring is None and not regression) or scoring == "accuracy"
    return dict(X=X, y=y, sd=sd, splits=splits, methods=methods, scorer=_resolve_scorer(scoring),
                with_target_only=with_target_only, confidence=confidence, accuracy=accuracy)


def _report_jobs(plan):
    """``(method name, arguments of _fit_and_score)`` for every method and fold, in order."""
    X, y, sd, scorer = plan["X"], plan["y"], plan["sd"], plan["scorer"]
    for name, est, y_fit in plan["methods"]:
        for train, test in plan["splits"]:
            yield name, (clone(est), X, y_fit, y, sd, train, test, scorer)


def _report_from_results(plan, results):
    """The report of a plan from its jobs' ``(score, fit_time)``, in the order of the jobs."""
    splits, methods, sd = plan["splits"], plan["methods"], plan["sd"]
    k = len(splits)
    scores = np.array([r[0] for r in results]).reshape(len(methods), k)
    fit_times = np.array([r[1] for r in results]).reshape(len(methods), k)
    ratio = float(np.mean([len(test) / len(train) for train, test in splits]))
    names = [name for name, _, _ in methods]
    n_test = np.array([(sd[test] < 0).sum() for _, test in splits]) if plan["accuracy"] else None
    return _build_report(names, scores, fit_times, ratio, plan["confidence"],
                         plan["with_target_only"], n_test)


def _build_report(names, scores, fit_times, ratio, confidence, with_target_only, n_test=None):
    source = scores[names.index(SOURCE_ONLY)]
    target = scores[names.index(TARGET_ONLY)] if with_target_only else None
    columns = {
        key: []
        for key in (
            "method",
            "score",
            "score_std",
            "gain",
            "gain_low",
            "gain_high",
            "gain_vs_target",
            "gain_vs_target_low",
            "gain_vs_target_high",
            "fit_time",
            "adaptation_hurts",
            "negative_transfer",
        )
    }
    for name, row, times in zip(names, scores, fit_times, strict=True):
        gain = paired_interval(row - source, ratio, confidence, n_test)
        if target is not None:
            vs_target = paired_interval(row - target, ratio, confidence, n_test)
        else:
            vs_target = (np.nan, np.nan, np.nan)
        # no transfer happens in the target-only baseline, so it is never flagged
        hurts = name != TARGET_ONLY and bool(gain[2] < 0)
        negative = name != TARGET_ONLY and bool(vs_target[2] < 0)
        columns["method"].append(name)
        columns["score"].append(float(row.mean()))
        columns["score_std"].append(float(row.std(ddof=1)) if row.size > 1 else np.nan)
        for key, value in zip(("gain", "gain_low", "gain_high"), gain, strict=True):
            columns[key].append(float(value))
        for key, value in zip(
            ("gain_vs_target", "gain_vs_target_low", "gain_vs_target_high"), vs_target, strict=True
        ):
            columns[key].append(float(value))
        columns["fit_time"].append(float(times.mean()))
        columns["adaptation_hurts"].append(hurts)
        columns["negative_transfer"].append(negative)
    pct = f"{confidence:.0%}"
    table = ReportTable(
        columns,
        title=f"Transfer report: target score over {scores.shape[1]} folds, {pct} intervals",
        notes="adaptation_hurts: significantly worse than source-only (interval of the gain "
        "below 0); negative_transfer: significantly worse than target-only.",
    )
    table.fold_scores = dict(zip(names, scores, strict=True))
    table.confidence = confidence
    return table
