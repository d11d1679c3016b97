"""Nearest-neighbour weighting (Loog, 2012)."""

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ._common import (
    COMMON_ATTRIBUTES,
    DOMAINS_NOTE,
    ESTIMATOR_PARAM,
    BaseReweighting,
    check_int,
    check_real,
    check_samples,
)

__all__ = ["NearestNeighborsReweighting", "nearest_neighbors_weights"]


def _nearest_neighbors(Xs, Xt, *, n_neighbors, smoothing, metric, n_jobs):
    check_int(n_neighbors, "n_neighbors", 1)
    smoothing = check_real(smoothing, "smoothing", low=0.0)
    n_s = Xs.shape[0]
    if n_neighbors > n_s:
        raise ValueError(
            f"n_neighbors={n_neighbors} is larger than the number of source rows ({n_s})."
        )
    nn = NearestNeighbors(n_neighbors=n_neighbors, metric=metric, n_jobs=n_jobs).fit(Xs)
    neighbors = nn.kneighbors(Xt, return_distance=False)
    # each target row gives one unit of mass, shared among its n_neighbors nearest source rows
    counts = np.bincount(neighbors.ravel(), minlength=n_s) / n_neighbors
    weights = counts + smoothing
    return weights * (n_s / weights.sum())


def nearest_neighbors_weights(X_source, X_target, *, n_neighbors=1, smoothing=1.0,
                              metric="euclidean", n_jobs=None):
    """Nearest-neighbour importance weights of the source rows (Loog, 2012).

    Each target row votes for its nearest source row: the number of target rows that fall in
    the Voronoi cell of a source row, over the number of source rows, estimates the density
    ratio there. With ``n_neighbors = k``, each target row shares its vote among its ``k``
    nearest source rows. ``smoothing`` (Laplace smoothing, 1 in the paper) is added to every
    count so that no source row gets weight zero; the weights are normalised to mean 1.

    Parameters
    ----------
    X_source : {array-like, sparse matrix} of shape (n_source, n_features)
        Source rows. Sparse rows (CSR/CSC) stay sparse (scikit-learn's brute-force neighbour
        search takes them).
    X_target : {array-like, sparse matrix} of shape (n_target, n_features)
        Target rows.
    n_neighbors : int, default=1
        Number of source rows each target row votes for.
    smoothing : float, default=1.0
        Added to each count before normalising (non-negative; 0 leaves rows without votes at
        weight 0).
    metric : str or callable, default="euclidean"
        Distance, as in :class:`sklearn.neighbors.NearestNeighbors`.
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.

    Returns
    -------
    weights : ndarray of shape (n_source,)
        Positive weights with mean 1 (non-negative when ``smoothing=0``).

    See Also
    --------
    NearestNeighborsReweighting : The meta-estimator that trains a model with these weights.

    References
    ----------
    .. [1] M. Loog, "Nearest Neighbor-Based Importance Weighting", IEEE International Workshop
       on Machine Learning for Signal Processing (MLSP), 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.reweight import nearest_neighbors_weights
    >>> X_source = np.array([[0.0], [1.0], [2.0]])
    >>> X_target = np.array([[1.1], [0.9], [2.2]])
    >>> nearest_neighbors_weights(X_source, X_target)  # counts 0, 2, 1; plus 1; mean 1
    array([0.5, 1.5, 1. ])
    """
    Xs, Xt = check_samples(X_source, X_target)
    return _nearest_neighbors(
        Xs, Xt, n_neighbors=n_neighbors, smoothing=smoothing, metric=metric, n_jobs=n_jobs
    )


class NearestNeighborsReweighting(BaseReweighting):
    """Nearest-neighbour weighting: source rows weighted by the target rows nearest to them.

    Each target row votes for its nearest source row(s); the votes plus a Laplace smoothing,
    normalised to mean 1, are the weights (see :func:`nearest_neighbors_weights`).
    ``estimator`` is then fitted on the source rows with these weights. No kernel, no
    bandwidth: a good baseline, and fast. With ``flatten="auto"``, each held-out fold of the
    importance-weighted cross-validation is weighted by the target rows voting among its rows
    alone (their own Voronoi cells), so that its weighted loss is the nearest-neighbour
    estimate of the target loss.

    {domains}

    Parameters
    ----------
    {estimator}
    n_neighbors : int, default=1
        Number of source rows each target row votes for.
    smoothing : float, default=1.0
        Added to each count before normalising (Laplace smoothing).
    metric : str or callable, default="euclidean"
        Distance, as in :class:`sklearn.neighbors.NearestNeighbors`.
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.

    Attributes
    ----------
    {attributes}

    See Also
    --------
    nearest_neighbors_weights : The weights without an estimator.
    KMM, KLIEP, ULSIF : Kernel-based reweighting.

    References
    ----------
    .. [1] M. Loog, "Nearest Neighbor-Based Importance Weighting", MLSP 2012.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("covariate", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.NearestNeighborsReweighting(LogisticRegression()).fit(X, y_train)
    >>> round(float(model.weights_.mean()), 6)
    1.0
    """

    def __init__(self, estimator=None, *, n_neighbors=1, smoothing=1.0, metric="euclidean",
                 n_jobs=None, flatten="auto", source_weighting=None):
        self.estimator = estimator
        self.flatten = flatten
        self.source_weighting = source_weighting
        self.n_neighbors = n_neighbors
        self.smoothing = smoothing
        self.metric = metric
        self.n_jobs = n_jobs

    def _fit_weights(self, X_source, X_target):
        return _nearest_neighbors(
            X_source, X_target, n_neighbors=self.n_neighbors, smoothing=self.smoothing,
            metric=self.metric, n_jobs=self.n_jobs,
        )

    def _validation_weights(self, X_source, X_target, rows):
        # a row's weight counts the target rows nearer to it than to any other source row,
        # so in a held-out fold (a fifth of the source rows) most target rows vote for rows
        # outside it and the fold's weights cover a fraction of the target mass, at random;
        # the held-out rows' own Voronoi cells (target rows voting among them alone) make
        # their weighted loss the nearest-neighbour estimate of the target loss (Loog, 2012)
        Xs = X_source[rows]
        return _nearest_neighbors(
            Xs, X_target, n_neighbors=min(self.n_neighbors, Xs.shape[0]),
            smoothing=self.smoothing, metric=self.metric, n_jobs=self.n_jobs,
        )


NearestNeighborsReweighting.__doc__ = NearestNeighborsReweighting.__doc__.format(
    domains=DOMAINS_NOTE, estimator=ESTIMATOR_PARAM, attributes=COMMON_ATTRIBUTES
)
