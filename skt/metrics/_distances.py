"""Distances between a source and a target sample, or the source and target rows of one ``X``."""

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skt._domain import check_domains
from skt._threads import under_policy
from skt.metrics._mmd import mmd
from skt.metrics._validation import check_n_features, check_sample

__all__ = ["domain_mmd", "proxy_a_distance"]


_SAMPLES = """X_source : array-like of shape (n_source, n_features)
        Source sample, as the first argument of :func:`mmd`. With ``sample_domain`` or ``y``
        instead of ``X_target``: the rows of every domain, split by the domain contract.
    X_target : array-like of shape (n_target, n_features), default=None
        Target sample. Leave it out to split ``X_source`` by ``sample_domain`` or ``y``.
    sample_domain : array-like of int of shape (n_samples,), default=None
        Domain of each row of ``X_source`` (positive: source, negative: target); wins over
        the mask in ``y``. Keyword only.
    y : array-like of shape (n_samples,), default=None
        Labels of the rows of ``X_source`` with the target rows masked (``-1`` or ``NaN``);
        only the mask is read. Keyword only."""


def _split(X_source, X_target, sample_domain, y, caller, *, accept_sparse=False):
    """``(X_source, X_target)`` from two samples or from one ``X`` and its domains.

    Two samples are returned as given (the caller validates them); one ``X`` is split by
    :func:`skt.check_domains`.
    """
    if X_target is None:
        if sample_domain is None and y is None:
            raise ValueError(
                f"{caller} takes two samples, {caller}(X_source, X_target), as mmd does, or one "
                f"X with its domains, {caller}(X, sample_domain=...) or {caller}(X, y=y_masked); "
                "got X_source alone."
            )
        domains = check_domains(
            X_source, y, sample_domain, caller=caller, accept_sparse=accept_sparse
        )
        return domains.X_source, domains.X_target
    ndim = X_target.ndim if hasattr(X_target, "ndim") else np.ndim(X_target)
    if ndim != 2:
        raise ValueError(
            f"{caller}: X_target must be a 2-D sample of target rows, {caller}(X_source, "
            f"X_target), as for mmd; got an array of shape {np.shape(X_target)}. To split one X "
            f"by domain ids or masked labels, pass them by keyword: {caller}(X, "
            f"sample_domain=...) or {caller}(X, y=y_masked)."
        )
    if sample_domain is not None or y is not None:
        raise ValueError(
            f"{caller}: give either two samples (X_source, X_target) or one X with "
            "sample_domain or y, not both: sample_domain and y describe the rows of one X."
        )
    return X_source, X_target


@under_policy
def domain_mmd(X_source, X_target=None, *, sample_domain=None, y=None, **mmd_kwargs):
    """Squared MMD between a source and a target sample.

    Called as :func:`mmd`, with two samples: ``domain_mmd(X_source, X_target)``. Or with the
    rows of every domain in one ``X`` and which rows are which by skt's domain contract:
    ``domain_mmd(X, sample_domain=sample_domain)`` (positive ids: source, negative ids:
    target) or ``domain_mmd(X, y=y_masked)`` (``-1`` or ``NaN`` marks target rows). Several
    source (or target) domains are pooled.

    Parameters
    ----------
    {samples}
        Sparse rows (CSR/CSC) stay sparse (see :func:`mmd`).
    **mmd_kwargs
        Passed to :func:`skt.metrics.mmd` (``kernel``, ``gamma``, ``estimator``, ...).

    Returns
    -------
    mmd2 : float or ndarray
        ``mmd(X_source, X_target, **mmd_kwargs)``.

    See Also
    --------
    mmd : MMD between two samples.
    proxy_a_distance : A classifier-based domain distance.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.metrics import domain_mmd
    >>> rng = np.random.default_rng(0)
    >>> X_source = rng.normal(size=(50, 2))
    >>> X_target = rng.normal(loc=2.0, size=(50, 2))
    >>> round(domain_mmd(X_source, X_target, gamma=0.5), 3)
    0.476
    >>> X = np.vstack([X_source, X_target])
    >>> sample_domain = np.repeat([1, -1], 50)
    >>> round(domain_mmd(X, sample_domain=sample_domain, gamma=0.5), 3)
    0.476
    """
    X_source, X_target = _split(
        X_source, X_target, sample_domain, y, "domain_mmd", accept_sparse=True
    )
    return mmd(X_source, X_target, **mmd_kwargs)


@under_policy
def proxy_a_distance(
    X_source,
    X_target=None,
    *,
    sample_domain=None,
    y=None,
    estimator=None,
    cv=5,
    random_state=None,
):
    """Proxy A-distance between a source and a target sample.

    ``PAD = 2 (1 - 2 err)``, where ``err`` is the cross-validated balanced error rate of a
    classifier trained to tell source rows from target rows (Ben-David et al., 2007). PAD is
    near 0 when the domains cannot be told apart and 2 when they are separable. The balanced
    error (mean of the error rates on source and on target rows) equals the error rate for
    domains of equal size and keeps chance level at ``err = 0.5`` otherwise.

    Called as :func:`mmd`, with two samples: ``proxy_a_distance(X_source, X_target)``; or with
    one ``X`` and ``sample_domain=`` (or masked ``y=``), as :func:`domain_mmd`.

    Parameters
    ----------
    {samples}
    estimator : classifier, default=None
        Domain classifier (cloned). None means ``make_pipeline(StandardScaler(),
        LogisticRegression())``.
    cv : int, default=5
        Number of stratified folds.
    random_state : int, RandomState instance or None, default=None
        Seed of the fold shuffling.

    Returns
    -------
    pad : float
        In [-2, 2]; values below 0 mean a classifier worse than chance (noise around 0).

    See Also
    --------
    domain_mmd : The kernel distance between the domains.

    References
    ----------
    .. [1] S. Ben-David, J. Blitzer, K. Crammer and F. Pereira, "Analysis of Representations
       for Domain Adaptation", NIPS 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.metrics import proxy_a_distance
    >>> rng = np.random.default_rng(0)
    >>> X_source = rng.normal(size=(100, 2))
    >>> X_target = rng.normal(loc=4.0, size=(100, 2))
    >>> round(proxy_a_distance(X_source, X_target, random_state=0), 2)
    2.0
    """
    X_source, X_target = _split(X_source, X_target, sample_domain, y, "proxy_a_distance")
    Xs = check_sample(X_source, "X_source")
    Xt = check_sample(X_target, "X_target")
    check_n_features(Xs, Xt, "X_source", "X_target")
    X = np.vstack([Xs, Xt])
    is_target = np.r_[np.zeros(len(Xs), int), np.ones(len(Xt), int)]
    if estimator is None:
        estimator = make_pipeline(StandardScaler(), LogisticRegression())
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    pred = cross_val_predict(clone(estimator), X, is_target, cv=folds)
    err = 1.0 - balanced_accuracy_score(is_target, pred)
    return float(2.0 * (1.0 - 2.0 * err))


for _f in (domain_mmd, proxy_a_distance):
    _f.__doc__ = _f.__doc__.replace("{samples}", _SAMPLES)
del _f
