"""Geodesic Flow Kernel (GFK): integrate over the subspaces between source and target."""

import numbers
from functools import partial

import numpy as np
from scipy import linalg

from ..base import BaseAdapter
from ._utils import (
    check_n_components,
    mean_and_covariance,
    orient_columns,
    per_domain,
    rows,
    top_eigen,
)

__all__ = ["GFK"]

# sin(theta) below this counts as a zero principal angle (the complement direction is then
# undefined, and its weights in the kernel vanish)
_ZERO_ANGLE = 1e-10
# the subspace disagreement measure counts as 1 from this value on (the reference code of
# Fernando et al. compares round(100 * SDM) with 100)
_SDM_ONE = 0.995


def _pca_basis(X, k):
    """The leading ``k`` principal directions (orthonormal columns) of the rows of ``X``.

    Only those ``k`` eigenpairs of the covariance are computed (LAPACK's MRRR subset driver):
    GFK uses a few tens of directions out of hundreds of features.
    """
    cov = mean_and_covariance(X)[1]
    return orient_columns(top_eigen(cov, k)[1])


def gfk_factor(P_s, P_t):
    """A factor ``F`` of the geodesic flow kernel ``G = F F'`` between two subspaces.

    ``G = int_0^1 Phi(t) Phi(t)' dt`` with ``Phi(t)`` the geodesic from ``span(P_s)``
    (``t = 0``) to ``span(P_t)`` (``t = 1``) on the Grassmann manifold (Gong et al., 2012,
    equation 6). With the SVD ``P_s' P_t = U_1 diag(cos theta) V'`` (the principal angles
    ``theta``), ``A = P_s U_1`` and ``B = R_s U_2 = -(P_t V - A cos theta) / sin theta``
    (``R_s`` the orthogonal complement of ``P_s``, never formed), ``Phi(t) = A cos(t theta) -
    B sin(t theta)`` and

        G = [A B] [[L1, L2], [L2, L3]] [A B]',
        L1 = 1/2 + sin(2 theta) / (4 theta),
        L2 = (cos(2 theta) - 1) / (4 theta),
        L3 = 1/2 - sin(2 theta) / (4 theta),

    (diagonal blocks). ``[A B]`` has orthonormal columns, so ``F = [A B] C^(1/2)`` with ``C``
    the middle matrix: ``x' F`` are the coordinates of ``G^(1/2) x`` in the basis ``[A B]``
    (the same inner products and distances as ``G^(1/2) x``).

    Parameters
    ----------
    P_s, P_t : ndarray of shape (n_features, k)
        Orthonormal bases of the source and the target subspace.

    Returns
    -------
    F : ndarray of shape (n_features, 2 k)
        The factor; columns ``k + i`` vanish where the angle ``theta_i`` is 0.
    theta : ndarray of shape (k,)
        The principal angles, increasing.
    """
    U1, cos, Vt = linalg.svd(P_s.T @ P_t, check_finite=False)
    cos = np.clip(cos, 0.0, 1.0)
    theta = np.arccos(cos)
    sin = np.sin(theta)
    A = P_s @ U1
    B = P_t @ Vt.T - A * cos
    live = sin > _ZERO_ANGLE
    B[:, live] /= -sin[live]
    B[:, ~live] = 0.0
    # sin(2 theta) / (2 theta) and (1 - cos(2 theta)) / (2 theta) = sin(theta)^2 / theta,
    # written so that theta = 0 gives their limits 1 and 0
    s2 = np.sinc(2.0 * theta / np.pi)
    l1 = 0.5 * (1.0 + s2)
    l2 = -0.5 * sin * np.sinc(theta / np.pi)
    l3 = 0.5 * (1.0 - s2)
    # the square root of each 2 x 2 block [[l1, l2], [l2, l3]] (PSD: a Gram integral)
    k = theta.size
    C = np.zeros((2 * k, 2 * k))
    idx = np.arange(k)
    C[idx, idx], C[idx, idx + k], C[idx + k, idx], C[idx + k, idx + k] = l1, l2, l2, l3
    w, V = linalg.eigh(C, check_finite=False)
    root = (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T
    return np.hstack([A, B]) @ root, theta


def subspace_disagreement(P_s, P_t, P_st, *, stop=None):
    """The subspace disagreement measure ``SDM(d)`` for ``d = 1 .. k`` (Gong et al., 2012).

    ``SDM(d) = (sin alpha_d + sin beta_d) / 2``, with ``alpha_d`` (``beta_d``) the largest
    principal angle between the leading ``d`` source (target) PCA directions and the leading
    ``d`` directions of the pooled data ``P_st``. Near 1, one domain has a direction the
    pooled data do not: the subspaces disagree.

    Parameters
    ----------
    P_s, P_t, P_st : ndarray of shape (n_features, k)
        Orthonormal PCA bases (by decreasing variance) of the source, the target and the
        pooled rows.
    stop : float, default=None
        Stop at the first ``d`` where ``SDM(d) >= stop`` (the later values are not needed to
        choose the dimension, and each costs an SVD of order ``d``).

    Returns
    -------
    sdm : ndarray of shape (k,) or shorter
        ``sdm[d - 1] = SDM(d)``, up to the stop.
    """
    S, T = P_s.T @ P_st, P_t.T @ P_st
    sdm = []
    for d in range(1, P_s.shape[1] + 1):
        cos_a = np.clip(linalg.svdvals(S[:d, :d], check_finite=False), 0.0, 1.0).min()
        cos_b = np.clip(linalg.svdvals(T[:d, :d], check_finite=False), 0.0, 1.0).min()
        sdm.append(0.5 * (np.sqrt(1.0 - cos_a**2) + np.sqrt(1.0 - cos_b**2)))
        if stop is not None and sdm[-1] >= stop:
            break
    return np.asarray(sdm)


class GFK(BaseAdapter):
    """Geodesic Flow Kernel: features that integrate the subspaces between the domains.

    Each domain gets its PCA subspace of dimension ``n_components``. On the Grassmann manifold
    the geodesic ``Phi(t)`` runs from the source subspace (``t = 0``) to the target subspace
    (``t = 1``); GFK (Gong et al., 2012) projects a row on every subspace along the way and
    integrates the inner products, ``<x, y>_G = int_0^1 (Phi(t)' x)' (Phi(t)' y) dt = x' G y``,
    with ``G`` in closed form from the principal angles between the two subspaces (see
    :func:`gfk_factor`). ``transform`` returns ``G^(1/2) x``, so that any learner (a
    nearest-neighbour classifier, a kernel method) sees the GFK inner products: it is written
    in the coordinates of the ``2 n_components`` directions that ``G`` acts on (an isometry,
    exact: ``G`` has rank at most ``2 n_components``), not in the ``n_features`` input
    coordinates, which keeps the output small when there are many features.

    Parameters
    ----------
    n_components : int or "sdm", default=20
        Dimension ``d`` of the PCA subspaces; the output has ``2 d`` columns. "sdm" picks the
        smallest ``d`` where the subspace disagreement measure of the paper reaches 1 (0.995,
        as the reference code of Fernando et al. rounds it), searching ``d`` up to half the
        number of features; if it never does, the ``d`` of largest disagreement. MEDA's
        authors use 20 on Office-Caltech SURF and MNIST-USPS. At most ``min(n_features,
        n_source - 1, n_target - 1)``, else a ValueError.

    Attributes
    ----------
    components_ : ndarray of shape (n_features, 2 n_components)
        The factor ``F`` with ``G = F F'``: ``transform(X) = X @ components_``.
    components_source_, components_target_ : ndarray of shape (n_features, n_components)
        The orthonormal PCA bases of the source and the target rows.
    principal_angles_ : ndarray of shape (n_components,)
        The principal angles between the two subspaces (radians, increasing).
    subspace_disagreement_ : ndarray or None
        ``SDM(d)`` for ``d = 1, 2, ...`` when ``n_components="sdm"``, else None.
    n_components_ : int
        The subspace dimension used.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    SubspaceAlignment : map the source subspace onto the target subspace.
    MEDA : GFK features, then the ARTL objective with dynamic distribution alignment.

    Notes
    -----
    The kernel is ``G = F F'`` (``n_features x n_features``, symmetric positive
    semi-definite, rank at most ``2 d``); when the two subspaces coincide it is the orthogonal
    projection on them. The PCA bases come from each domain centred on its own mean, and, as
    in the authors' code (and MEDA's), ``G^(1/2)`` is applied to the rows as they are, not
    centred: on the z-scored domains of the benchmarks the means are 0. Source and target rows
    share the map, so ``fit_transform(X)`` equals ``fit(X).transform(X)``. Rows of several
    source (target) domains are pooled. There is no per-domain mode: the kernel ``G`` and its
    output coordinates depend on the pair of subspaces, so one kernel per source would map
    the target rows once per source, into coordinates that differ.

    References
    ----------
    .. [1] B. Gong, Y. Shi, F. Sha and K. Grauman, "Geodesic flow kernel for unsupervised
       domain adaptation", CVPR 2012.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "subspace", n_features=6, random_state=0)
    >>> gfk = skt.GFK(n_components=2)
    >>> Z = gfk.fit_transform(X, sample_domain=sample_domain)
    >>> Z.shape
    (400, 4)
    >>> G = gfk.components_ @ gfk.components_.T
    >>> bool(np.allclose(G, G.T)), bool(np.linalg.eigvalsh(G).min() > -1e-12)
    (True, True)
    """

    def __init__(self, n_components=20):
        self.n_components = n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"preserves_dtype": [np.float64, np.float32]}

    def _fit(self, domains):
        n_s, n_t, d = domains.n_source, domains.n_target, domains.X.shape[1]
        limit = min(d, n_s - 1, n_t - 1)
        why = f"{d} features, {n_s} source rows and {n_t} target rows; a domain of n rows spans"
        why += " at most n - 1 directions"
        X = np.asarray(domains.X, dtype=np.float64)
        X_s, X_t = rows(X, domains.source), rows(X, domains.target)
        sdm = isinstance(self.n_components, str) and self.n_components == "sdm"
        if not sdm and not isinstance(self.n_components, numbers.Integral):
            raise ValueError(
                f"n_components must be a positive integer or 'sdm'; got "
                f"n_components={self.n_components!r}."
            )
        if sdm:
            k_max = check_n_components(None, min(limit, max(d // 2, 1)), why, "GFK")
        else:
            k_max = check_n_components(self.n_components, limit, why, "GFK")

        P_s, P_t = per_domain(partial(_pca_basis, k=k_max), X_s, X_t)
        self.subspace_disagreement_ = None
        k = k_max
        if sdm:
            P_st = _pca_basis(X, min(k_max, X.shape[0] - 1))
            k_max = min(k_max, P_st.shape[1])
            values = subspace_disagreement(
                P_s[:, :k_max], P_t[:, :k_max], P_st[:, :k_max], stop=_SDM_ONE
            )
            reached = np.flatnonzero(values >= _SDM_ONE)
            k = int(reached[0]) + 1 if reached.size else int(np.argmax(values)) + 1
            self.subspace_disagreement_ = values
        self.components_source_ = P_s[:, :k]
        self.components_target_ = P_t[:, :k]
        self.components_, self.principal_angles_ = gfk_factor(P_s[:, :k], P_t[:, :k])
        self.n_components_ = k
        return self

    def _transform(self, X, sample_domain):
        # source and target rows share the map
        return X @ self.components_.astype(X.dtype, copy=False)

    @property
    def _n_features_out(self):
        # output names gfk0, gfk1, ... (ClassNamePrefixFeaturesOutMixin): one per column of
        # the factor of G, 2 n_components_ of them
        return self.components_.shape[1]
