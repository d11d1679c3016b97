"""Distances between the source and target rows of one ``X``."""

from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skt._domain import check_domains
from skt.metrics._mmd import mmd

__all__ = ["domain_mmd", "proxy_a_distance"]


def domain_mmd(X, y=None, *, sample_domain=None, **mmd_kwargs):
    """Squared MMD between the source rows and the target rows of ``X``.

    Which rows are which follows skt's domain contract: ``sample_domain`` (positive ids:
    source, negative ids: target) or, without it, the mask in ``y`` (``-1`` or ``NaN`` marks
    target rows). Several source (or target) domains are pooled.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Rows of every domain. Sparse rows (CSR/CSC) stay sparse (see :func:`mmd`).
    y : array-like of shape (n_samples,), default=None
        Labels, with target rows masked; only the mask is read.
    sample_domain : array-like of int of shape (n_samples,), default=None
        Domain of each row; wins over the mask in ``y``.
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
    >>> X = np.vstack([rng.normal(size=(50, 2)), rng.normal(loc=2.0, size=(50, 2))])
    >>> sample_domain = np.repeat([1, -1], 50)
    >>> round(domain_mmd(X, sample_domain=sample_domain, gamma=0.5), 3)
    0.476
    """
    domains = check_domains(X, y, sample_domain, caller="domain_mmd", accept_sparse=True)
    return mmd(domains.X_source, domains.X_target, **mmd_kwargs)


def proxy_a_distance(X, y=None, *, sample_domain=None, estimator=None, cv=5, random_state=None):
    """Proxy A-distance between the source and target rows of ``X``.

    ``PAD = 2 (1 - 2 err)``, where ``err`` is the cross-validated balanced error rate of a
    classifier trained to tell source rows from target rows (Ben-David et al., 2007). PAD is
    near 0 when the domains cannot be told apart and 2 when they are separable. The balanced
    error (mean of the error rates on source and on target rows) equals the error rate for
    domains of equal size and keeps chance level at ``err = 0.5`` otherwise.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows of every domain.
    y : array-like of shape (n_samples,), default=None
        Labels, with target rows masked; only the mask is read.
    sample_domain : array-like of int of shape (n_samples,), default=None
        Domain of each row; wins over the mask in ``y``.
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
    >>> X = np.vstack([rng.normal(size=(100, 2)), rng.normal(loc=4.0, size=(100, 2))])
    >>> sample_domain = np.repeat([1, -1], 100)
    >>> round(proxy_a_distance(X, sample_domain=sample_domain, random_state=0), 2)
    2.0
    """
    domains = check_domains(X, y, sample_domain, caller="proxy_a_distance")
    is_target = domains.target.astype(int)
    if estimator is None:
        estimator = make_pipeline(StandardScaler(), LogisticRegression())
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    pred = cross_val_predict(clone(estimator), domains.X, is_target, cv=folds)
    err = 1.0 - balanced_accuracy_score(is_target, pred)
    return float(2.0 * (1.0 - 2.0 * err))
