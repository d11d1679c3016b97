"""CORrelation ALignment (CORAL): recolour the source with the target covariance."""

import numbers
from functools import partial

import numpy as np
from sklearn.base import OneToOneFeatureMixin

from .. import _sparse
from ..base import BaseAdapter
from ._utils import _EPS, check_real, eigh, mean_and_covariance, rows

__all__ = ["CORAL"]


def _centred_sqnorms(X, mean, Xc):
    """``||x_i - mean||^2`` of every row: from ``Xc`` when formed, else from the sparse rows."""
    if Xc is not None:
        return np.einsum("ij,ij->i", Xc, Xc)
    return _sparse.row_sqnorms(X) - 2.0 * _sparse.matmul(X, mean) + mean @ mean


def _ledoit_wolf(sq_norms, cov):
    """Ledoit-Wolf shrinkage of a covariance, given the squared norms of the centred rows.

    Returns ``(shrunk, shrinkage)`` with ``shrunk = (1 - s) S + s (tr(S) / d) I`` where ``S`` is
    the population (``ddof=0``) covariance; the same estimate as
    :func:`sklearn.covariance.ledoit_wolf`, computed from the covariance already at hand (the
    sum over rows of ``||x||^4`` is the only extra pass over the data).
    """
    n, d = sq_norms.shape[0], cov.shape[0]
    S = cov * ((n - 1) / n)
    mu = np.trace(S) / d
    beta_ = float(sq_norms @ sq_norms)
    delta_ = float(np.sum(S * S))
    beta = (beta_ / n - delta_) / (d * n)
    delta = (delta_ - 2.0 * mu * np.trace(S) + d * mu**2) / d
    beta = min(beta, delta)
    shrinkage = 0.0 if beta == 0 else beta / delta
    shrunk = (1.0 - shrinkage) * S
    shrunk.flat[:: d + 1] += shrinkage * mu
    return shrunk, shrinkage


def _statistics(X, reg):
    """One domain's ``(mean, covariance, shrinkage, eigh(covariance))``.

    The covariance gets ``reg`` on its diagonal, or its Ledoit-Wolf shrinkage when
    ``reg == "auto"`` (then ``shrinkage`` is the Ledoit-Wolf coefficient, else None).
    """
    auto = isinstance(reg, str)
    mean, cov, Xc = mean_and_covariance(X, centred=auto)
    shrinkage = None
    if auto:
        cov, shrinkage = _ledoit_wolf(_centred_sqnorms(X, mean, Xc), cov)
    else:
        cov.flat[:: cov.shape[0] + 1] += reg
    del Xc
    return mean, cov, shrinkage, eigh(cov)


class CORAL(OneToOneFeatureMixin, BaseAdapter):
    """CORrelation ALignment: give the source rows the covariance of the target rows.

    Source rows are whitened with ``(C_s + reg I)^(-1/2)`` and recoloured with
    ``(C_t + reg I)^(1/2)``, where ``C_s`` and ``C_t`` are the covariances of the source and the
    target rows (Sun, Feng and Saenko, 2016). Target rows are left as they are. Both matrix
    powers come from a symmetric eigendecomposition, which is exact and stable (no general
    matrix square root, no explicit inverse), and they combine into one ``d x d`` map applied
    with a single matrix product.

    Parameters
    ----------
    reg : float >= 0 or "auto", default=1.0
        Ridge added to both covariances. The paper uses 1 on z-scored features (the default).
        With ``reg=0`` the adapted source covariance equals the target covariance exactly; this
        needs a full-rank source covariance (a ValueError says so otherwise, e.g. when there
        are fewer source rows than features). ``"auto"`` replaces each covariance by its
        Ledoit-Wolf shrinkage estimate (as :func:`sklearn.covariance.ledoit_wolf`).
    match_mean : bool, default=False
        Also move the source mean onto the target mean: source rows become
        ``(x - mean_s) A + mean_t``. The paper maps ``x A`` (on z-scored domains the means are
        already 0).
    domain_mode : {"pooled", "per_domain"}, default="pooled"
        What to do with several source or target ids in ``sample_domain``. "pooled": the rows
        of every source id form one source, those of every target id one target. "per_domain":
        each source domain is recoloured with the pooled target covariance on its own (one
        fitted CORAL per source id, in ``adapters_``); with several target ids, each target
        domain is also mapped onto the pooled target by its own statistics (when
        ``sample_domain`` is passed to ``transform``). With one source and one target id both
        modes give the same map. See :ref:`multi_source`.

    Attributes
    ----------
    transform_matrix_ : ndarray of shape (n_features, n_features)
        ``A = (C_s + reg I)^(-1/2) (C_t + reg I)^(1/2)``; source rows are mapped to ``x A``.
    covariance_source_, covariance_target_ : ndarray of shape (n_features, n_features)
        The regularised covariances ``C_s + reg I`` and ``C_t + reg I`` (or the Ledoit-Wolf
        estimates).
    mean_source_, mean_target_ : ndarray of shape (n_features,)
        Means of the source and the target rows.
    shrinkage_ : ndarray of shape (2,) or None
        Ledoit-Wolf shrinkage of the source and the target covariance (``reg="auto"``), else
        None.
    n_features_in_ : int
        Number of features seen in ``fit``.
    adapters_ : dict of {int: CORAL}
        Only with ``domain_mode="per_domain"``: the pooled-mode CORAL fitted for each domain id
        (each source id, and each target id when there are several) against the pooled target
        rows. The fitted attributes above are then those of these clones and are not set on the
        adapter itself.

    See Also
    --------
    SubspaceAlignment : align PCA bases instead of full covariances.
    TCA : kernel embedding that reduces the MMD between domains.

    Notes
    -----
    ``fit_transform`` maps source rows and returns target rows unchanged; ``transform`` treats
    rows as target rows (returned unchanged) unless ``sample_domain`` marks them as source rows.
    Covariances use ``n - 1`` in the denominator (as MATLAB's ``cov`` in the authors' code), so
    every domain needs at least 2 rows. Time: ``O(n d^2 + d^3)``; the ``d x d`` matrices are
    formed even when ``d`` exceeds the number of rows (then ``reg`` must be > 0). Memory: the
    output and ``d x d`` matrices; ``reg="auto"`` also forms a centred copy of each domain.
    With two or three BLAS threads the two domains' statistics are computed side by side, each
    on one BLAS thread (faster there than one after the other with both threads).

    Sparse input (CSR/CSC) is accepted up to 4,096 features
    (``skt._sparse.MAX_DENSE_FEATURES``): the covariances come from sparse products
    (``X'X - n mean mean'``, no centred copy; ``reg="auto"`` too), and the output is dense, as
    the adapted source rows are. With more features, ``fit`` raises a ValueError before any
    allocation: reduce the dimension first (``TruncatedSVD`` takes sparse input).

    References
    ----------
    .. [1] B. Sun, J. Feng and K. Saenko, "Return of frustratingly easy domain adaptation",
       AAAI 2016.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> rng = np.random.RandomState(0)
    >>> Xs = rng.randn(300, 2) * [3.0, 0.5]
    >>> Xt = rng.randn(300, 2) @ [[1.0, 0.8], [0.0, 0.6]]
    >>> X = np.vstack([Xs, Xt])
    >>> sample_domain = np.r_[np.ones(300, int), -np.ones(300, int)]
    >>> Z = skt.CORAL(reg=0).fit_transform(X, sample_domain=sample_domain)
    >>> np.allclose(np.cov(Z[:300].T), np.cov(Xt.T))
    True
    """

    _sparse_support = True

    def __init__(self, reg=1.0, *, match_mean=False, domain_mode="pooled"):
        self.reg = reg
        self.match_mean = match_mean
        self.domain_mode = domain_mode

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"preserves_dtype": [np.float64, np.float32]}

    def _fit(self, domains):
        auto = isinstance(self.reg, str)
        if auto and self.reg != "auto":
            raise ValueError(f"reg must be a number >= 0 or 'auto'; got reg={self.reg!r}.")
        if not auto:
            if not isinstance(self.reg, numbers.Real) or isinstance(self.reg, bool):
                raise ValueError(f"reg must be a number >= 0 or 'auto'; got reg={self.reg!r}.")
            reg = check_real(self.reg, "reg", minimum=0.0)
        if not isinstance(self.match_mean, (bool, np.bool_)):
            raise ValueError(
                f"match_mean must be True or False; got match_mean={self.match_mean!r}."
            )
        if _sparse.issparse(domains.X):
            _sparse.check_features_for_dense_square(
                domains.X.shape[1], "CORAL", "the covariances of the two domains"
            )
        for name, n in (("source", domains.n_source), ("target", domains.n_target)):
            if n < 2:
                raise ValueError(
                    f"CORAL needs at least 2 {name} rows to estimate a covariance; got {n}."
                )

        stats = partial(_statistics, reg="auto" if auto else reg)
        source, target = self._target_statistics(
            ("coral", self.reg), stats,
            rows(domains.X, domains.source), rows(domains.X, domains.target),
        )
        self.mean_source_, cov_s, shrink_s, (w_s, V_s) = source
        self.mean_target_, cov_t, shrink_t, (w_t, V_t) = target
        self.shrinkage_ = np.array([shrink_s, shrink_t]) if auto else None
        d = cov_s.shape[0]
        tol = max(d, domains.n_source) * _EPS * max(w_s[-1], 0.0)
        if not w_s[0] > tol:
            rank = int(np.sum(w_s > tol))
            raise ValueError(
                f"CORAL: the source covariance is singular (rank {rank} < {d} features, from "
                f"{domains.n_source} source rows) and reg={self.reg!r} does not make it "
                "invertible. Use reg > 0 (the paper uses 1) or reg='auto'."
            )
        whiten = (V_s / np.sqrt(w_s)) @ V_s.T
        # eigenvalues below round-off are clipped to 0 so that a rank-deficient target
        # covariance keeps a real square root
        colour = (V_t * np.sqrt(np.clip(w_t, 0.0, None))) @ V_t.T
        self.transform_matrix_ = whiten @ colour
        self.covariance_source_ = cov_s
        self.covariance_target_ = cov_t
        return self

    def _transform(self, X, sample_domain):
        # target rows are returned as they are; source rows are written straight into the
        # output when they form one block (the usual layout)
        source = sample_domain > 0
        if _sparse.issparse(X):
            # the adapted source rows are dense, and so is the output (at most
            # MAX_DENSE_FEATURES columns)
            out = X.toarray()
            if source.any():
                out[source] = _sparse.matmul(
                    X[source], self.transform_matrix_.astype(X.dtype, copy=False)
                )
                if self.match_mean:
                    out[source] += (
                        self.mean_target_ - self.mean_source_ @ self.transform_matrix_
                    ).astype(X.dtype)
            return out
        if not source.any():
            return np.array(X, copy=True)
        A = self.transform_matrix_.astype(X.dtype, copy=False)
        idx = np.flatnonzero(source)
        if idx[-1] - idx[0] + 1 == idx.size:
            block = slice(idx[0], idx[-1] + 1)
            out = np.empty_like(X)
            out[: block.start] = X[: block.start]
            out[block.stop :] = X[block.stop :]
            np.matmul(X[block], A, out=out[block])
        else:
            block = idx
            out = np.array(X, copy=True)
            out[block] = X[block] @ A
        if self.match_mean:
            out[block] += (self.mean_target_ - self.mean_source_ @ self.transform_matrix_).astype(
                X.dtype
            )
        return out
