"""Manifold Embedded Distribution Alignment (MEDA): GFK features + ARTL + dynamic alignment."""

import numbers

import numpy as np
from sklearn.svm import LinearSVC

from ..alignment._gfk import GFK
from ._artl import _COMMON_ATTRIBUTES, _COMMON_PARAMS, _BaseJointClassifier

__all__ = ["MEDA"]

# the authors' estimate_mu sets smaller balance factors to 0
_MU_FLOOR = 1e-3


def _a_distance(A, B, method, seed):
    """A-distance ``2 (1 - 2 err)`` between two sets of rows, clipped to [0, 2].

    ``method="train"``: ``err`` is the training error of a linear SVM that separates the two
    sets (the authors' ``estimate_mu``); ``"cv"``: the cross-validated balanced error of
    :func:`skt.metrics.proxy_a_distance` (up to 5 folds, fewer when a side has fewer rows).
    None when a side has fewer than 2 rows.
    """
    n_min = min(A.shape[0], B.shape[0])
    if n_min < 2:
        return None
    X = np.vstack([A, B])
    sample_domain = np.r_[np.ones(A.shape[0], dtype=np.int64), -np.ones(B.shape[0], np.int64)]
    if method == "train":
        clf = LinearSVC(random_state=0, max_iter=10000).fit(X, sample_domain)
        err = np.mean(clf.predict(X) != sample_domain)
        pad = 2.0 * (1.0 - 2.0 * err)
    else:
        from ..metrics import proxy_a_distance

        pad = proxy_a_distance(
            X, sample_domain=sample_domain, cv=min(5, n_min), random_state=seed
        )
    return float(np.clip(pad, 0.0, 2.0))


def balance_factor(
    X_source, y_source, X_target, y_target, classes, *, method="train", random_state=0
):
    """MEDA's balance factor ``mu = d_c / (d_c + d_m)`` from A-distances.

    ``d_m`` is the A-distance between the source and the target rows (the marginal
    distributions), ``d_c`` the mean over classes of the A-distance between the source rows
    of a class and the target rows (pseudo-)labelled with it (Wang et al., 2018, equation 9).
    Each A-distance is ``2 (1 - 2 err)`` with ``err`` the error of a linear classifier that
    tells the two sets apart: its training error (``method="train"``, the authors'
    ``estimate_mu``) or its cross-validated balanced error (``method="cv"``,
    :func:`skt.metrics.proxy_a_distance`).
    Distances are clipped to [0, 2], so ``mu`` lies in [0, 1]: near 0 the marginals differ
    more (align them first), near 1 the conditionals do. Classes with fewer than 2 rows on a
    side are left out of ``d_c``; when no distance is defined, or both are 0, ``mu = 0.5``
    (no preference). Values under 1e-3 become 0, as in the authors' ``estimate_mu``.

    Parameters
    ----------
    X_source, X_target : ndarray
        The rows of the two domains.
    y_source, y_target : ndarray
        Class labels of the source rows and pseudo-labels of the target rows.
    classes : array-like
        The classes.
    method : {"train", "cv"}, default="train"
        How each A-distance is measured (see above).
    random_state : int, default=0
        Seed of the cross-validation folds.

    Returns
    -------
    mu : float
        In [0, 1].
    """
    d_m = _a_distance(X_source, X_target, method, random_state)
    per_class = [
        _a_distance(X_source[y_source == c], X_target[y_target == c], method, random_state)
        for c in classes
    ]
    per_class = [d for d in per_class if d is not None]
    if d_m is None or not per_class:
        return 0.5
    d_c = float(np.mean(per_class))
    if d_c + d_m == 0:
        return 0.5
    mu = min(d_c / (d_c + d_m), 1.0)
    return 0.0 if mu < _MU_FLOOR else mu


class MEDA(_BaseJointClassifier):
    """Manifold Embedded Distribution Alignment: GFK features, then ARTL with a balance factor.

    MEDA (Wang, Feng, Chen, Yu, Huang and Yu, 2018) first maps every row to the manifold
    features of :class:`~skt.GFK` (``n_components`` dimensions per subspace), then learns the
    kernel predictor of :class:`ARTL` on them with *dynamic distribution alignment*: the MMD
    matrix is ``M = (1 - mu) n_classes M_0 + mu sum_c M_c``, and the balance factor ``mu`` is
    re-estimated each round from A-distances (:func:`balance_factor`: the marginal distance
    against the mean class-conditional distance under the current pseudo-labels). Each round
    solves ``alpha = ((E + lambda M + rho L) K + eta I)^(-1) E Y`` (the paper's equation 12)
    and takes the new pseudo-labels ``argmax f`` on the target rows.

    Labels: MEDA reads the labels of the source rows and never the labels of target rows,
    even when they are present.

    Parameters
    ----------
    n_components : int or "sdm", default=20
        Dimension of GFK's subspaces (the paper's ``d``; see :class:`~skt.GFK`).
    mu : "auto", "cv" or float in [0, 1], default="auto"
        The balance factor. "auto" re-estimates it each round (the paper's dynamic
        alignment) with the authors' estimate: each A-distance from the training error of a
        linear SVM separating the two sets of rows. "cv" re-estimates it with the
        cross-validated :func:`skt.metrics.proxy_a_distance` instead (slower: five fits per
        distance). A number fixes it (0: marginal MMD only, 1: conditional terms only).
    {params}

    Attributes
    ----------
    {attributes}
    gfk_ : GFK
        The fitted manifold feature map.
    balance_factors_ : ndarray of shape (n_rounds,)
        The balance factor ``mu`` of each round (``n_rounds`` is ``n_iter_``).

    See Also
    --------
    ARTL : the same objective on the input features, with ``mu`` fixed.
    GFK : the manifold features alone.

    Notes
    -----
    The defaults are the authors' settings for Office-Caltech and MNIST-USPS (``d = 20``,
    ``T = 10``, ``p = 10``, ``lambda = 10``, ``eta = 0.1``, ``rho = 1``, an RBF kernel on unit
    rows). The authors' ``estimate_mu`` measures each A-distance by the training error of a
    linear SVM on the very rows it separates; ``mu="auto"`` does the same.
    ``mu="cv"`` uses the cross-validated :func:`skt.metrics.proxy_a_distance` instead, which
    does not reward overfitting, but on domains z-scored separately (Office-Caltech) a linear
    classifier cannot tell the marginals apart out of sample, the marginal distance is 0 and
    ``mu`` goes to 1. The authors' MATLAB code keeps a class with no
    pseudo-labelled target row as a source-only term; here that class has no conditional term
    that round. The authors' Python port leaves out the manifold term; this follows the
    paper and the MATLAB code, which have it. ``predict_proba`` is not offered (least-squares
    scores are not probabilities). Several source ids are pooled into one source, several
    target ids into one target (one GFK between the pooled domains).

    References
    ----------
    .. [1] J. Wang, W. Feng, Y. Chen, H. Yu, M. Huang and P. S. Yu, "Visual domain
       adaptation with manifold embedded distribution alignment", ACM Multimedia 2018.

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "subspace", n_features=8, random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> meda = skt.MEDA(n_components=3, max_iter=3, random_state=0).fit(X, y_train)
    >>> bool(0.0 <= meda.balance_factors_.min() <= meda.balance_factors_.max() <= 1.0)
    True
    """

    def __init__(
        self,
        n_components=20,
        *,
        mu="auto",
        alpha=0.1,
        mmd_weight=10.0,
        manifold_weight=1.0,
        n_neighbors=10,
        kernel="rbf",
        gamma=None,
        degree=3,
        coef0=1.0,
        normalize=True,
        max_iter=10,
        n_landmarks=None,
        random_state=None,
    ):
        self.n_components = n_components
        self.mu = mu
        self.alpha = alpha
        self.mmd_weight = mmd_weight
        self.manifold_weight = manifold_weight
        self.n_neighbors = n_neighbors
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.normalize = normalize
        self.max_iter = max_iter
        self.n_landmarks = n_landmarks
        self.random_state = random_state

    def _check_params(self):
        super()._check_params()
        mu = self.mu
        if not (mu in ("auto", "cv") if isinstance(mu, str) else (
            isinstance(mu, numbers.Real) and not isinstance(mu, bool) and 0.0 <= mu <= 1.0
        )):
            raise ValueError(f"mu must be 'auto', 'cv' or a number in [0, 1]; got mu={mu!r}.")

    def _fit_features(self, domains):
        self.gfk_ = GFK(n_components=self.n_components).fit(
            domains.X, sample_domain=domains.sample_domain
        )
        self._gfk_rows = self.gfk_.transform(domains.X).astype(np.float64, copy=False)
        return self._gfk_rows

    def _features(self, X):
        return self.gfk_.transform(X).astype(np.float64, copy=False)

    def _balance(self, Z, source, target, y_all, pseudo, rng):
        if not isinstance(self.mu, str):
            return float(self.mu)
        # as the authors, on the GFK features before the rows are scaled to unit length
        G = self._gfk_rows
        return balance_factor(
            G[source], y_all[source], G[target], pseudo, np.arange(len(self.classes_)),
            method="train" if self.mu == "auto" else "cv",
            random_state=rng.randint(np.iinfo(np.int32).max),
        )

    def fit(self, X, y, *, sample_domain=None):
        try:
            super().fit(X, y, sample_domain=sample_domain)
        finally:
            self.__dict__.pop("_gfk_rows", None)
        self.balance_factors_ = np.asarray(self._balances, dtype=np.float64)
        return self

    fit.__doc__ = _BaseJointClassifier.fit.__doc__


MEDA.__doc__ = MEDA.__doc__.format(params=_COMMON_PARAMS, attributes=_COMMON_ATTRIBUTES)
