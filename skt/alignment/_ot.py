"""Optimal-transport mappings: move the source rows onto the target rows (POT solvers)."""

import numpy as np
from sklearn.base import OneToOneFeatureMixin

from .._pot import check_plan_memory, import_pot
from ..base import BaseAdapter
from ._utils import check_int, check_real

__all__ = ["OTMapping", "LinearOTMapping"]

# method -> (POT transport class, whether it reads the classes of the source rows)
_METHODS = {
    "emd": ("EMDTransport", False),
    "sinkhorn": ("SinkhornTransport", False),
    "lpl1": ("SinkhornLpl1Transport", True),
    "l1l2": ("SinkhornL1l2Transport", True),
    "laplace": ("EMDLaplaceTransport", False),
}
_NORMS = (None, "median", "max", "log", "loglog")


def _source_classes(y_source, caller):
    """Integer class codes of the source labels (POT's class-regularised solvers want them)."""
    y = np.asarray(y_source)
    if y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
        raise ValueError(
            f"{caller}: this method groups source rows by class and needs class labels in y; "
            "got continuous values (a regression target)."
        )
    return np.unique(y, return_inverse=True)[1].astype(np.int64)


def _check_plan(coupling, caller, hint):
    """Every source row must send some mass: else its barycentric image is undefined."""
    mass = coupling.sum(axis=1)
    if not np.all(np.isfinite(coupling)) or np.any(mass <= 0):
        bad = int(np.sum(~(mass > 0)))
        raise ValueError(
            f"{caller}: the transport plan leaves {bad} source row(s) without mass (the "
            f"solver under- or overflowed), so they have no image. {hint}"
        )


class OTMapping(OneToOneFeatureMixin, BaseAdapter):
    """Optimal-transport mapping: carry the source rows onto the target distribution.

    A transport plan ``G`` between the source rows and the target rows (uniform weights) is
    computed by POT, and each source row is replaced by its barycentric image
    ``n_s * G[i] @ X_target`` (Courty, Flamary, Tuia and Rakotomamonjy, 2017). Target rows are
    left as they are, so any learner trained on the mapped source rows applies to the target.

    Parameters
    ----------
    method : {"emd", "sinkhorn", "lpl1", "l1l2", "laplace"}, default="emd"
        The transport problem: ``"emd"`` the exact plan (network simplex; no parameter),
        ``"sinkhorn"`` the entropic plan (``reg_e``), ``"lpl1"`` and ``"l1l2"`` the entropic
        plan with a class regulariser (``reg_cl``) that makes each target row receive mass
        from source rows of one class (the paper's OT-lpl1 and OT-GL: these two read the
        labels of the source rows, never those of target rows), ``"laplace"`` the exact plan
        with a Laplacian regulariser (``reg_lap``) that keeps neighbouring source rows close
        after transport (OT-Laplace).
    reg_e : float > 0, default=1.0
        Weight of the entropic term (``"sinkhorn"``, ``"lpl1"``, ``"l1l2"``), relative to the
        cost after the ``norm`` normalisation. Smaller values give sharper plans closer to the
        exact one, at more iterations.
    reg_cl : float >= 0, default=0.1
        Weight of the class regulariser (``"lpl1"``, ``"l1l2"``).
    reg_lap : float >= 0, default=1.0
        Weight of the Laplacian regulariser (``"laplace"``).
    norm : {"max", "median", "log", "loglog"} or None, default="max"
        Normalisation of the squared Euclidean cost before solving (POT's ``norm``). The
        default divides it by its maximum, so that ``reg_e`` does not depend on the scale of
        the features. The exact plan does not depend on it.
    max_iter : int, default=10
        Outer iterations of the class- and Laplacian-regularised solvers (majorisation and
        conditional gradient); the exact and the Sinkhorn solvers run to their own tolerance.
    domain_mode : {"pooled", "per_domain"}, default="pooled"
        What to do with several source or target ids in ``sample_domain``. "pooled": the rows
        of every source id form one source, those of every target id one target. "per_domain":
        each source domain is transported onto the pooled target rows on its own (one fitted
        OTMapping per source id, in ``adapters_``); with several target ids, each target domain
        is also mapped onto the pooled target by its own statistics (when ``sample_domain`` is
        passed to ``transform``). With one source and one target id both modes give the same
        map. The class-regularised methods (``"lpl1"``, ``"l1l2"``) need the labels of the
        rows they move, which a target domain does not have: with several target ids they are
        a ValueError in this mode. See :ref:`multi_source`.

    Attributes
    ----------
    coupling_ : ndarray of shape (n_source, n_target)
        The transport plan (rows: training source rows, columns: training target rows).
    transport_ : object
        The fitted POT transport object (``ot.da.*Transport``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    adapters_ : dict of {int: OTMapping}
        Only with ``domain_mode="per_domain"``: the pooled-mode OTMapping fitted for each
        domain id (each source id, and each target id when there are several) against the
        pooled target rows. The fitted attributes above are then those of these clones and are
        not set on the adapter itself.

    See Also
    --------
    LinearOTMapping : the closed-form Gaussian (linear) optimal-transport map.
    CORAL : match second moments with a linear map.

    Notes
    -----
    Rows of ``fit_transform`` get the barycentric image of their own row of ``G``. New source
    rows (``transform`` with a positive ``sample_domain``) are mapped out of sample as POT
    does: each moves by the displacement of its nearest training source row (Ferradans et al.,
    2014). The plan is an ``n_s x n_t`` array: memory grows as ``O(n_s n_t)``; the exact
    solver takes ``O(n^3 log n)`` time in the worst case, which limits it to some tens of
    thousands of rows. Computation is in float64; the output has the input's dtype. Fitting
    holds eight to nine ``n_s x n_t`` float64 arrays at its peak (measured for the entropic
    plan: 6.3 GiB resident at 10,000 rows per domain, within 8 GiB; see
    ``benchmarks/README.md``); a plan whose arrays would not fit in the available memory is
    refused with a MemoryError before anything is allocated: fit on a subsample of each
    domain, or use :class:`LinearOTMapping`.
    Requires POT (``pip install "skt[ot]"``).

    References
    ----------
    .. [1] N. Courty, R. Flamary, D. Tuia and A. Rakotomamonjy, "Optimal transport for domain
       adaptation", IEEE TPAMI 39(9), 2017.
    .. [2] S. Ferradans, N. Papadakis, G. Peyre and J.-F. Aujol, "Regularized discrete optimal
       transport", SIAM J. Imaging Sciences 7(3), 2014.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> rng = np.random.RandomState(0)
    >>> Xs = rng.randn(50, 2)
    >>> Xt = rng.randn(40, 2) + [4.0, 0.0]
    >>> sample_domain = np.r_[np.ones(50, int), -np.ones(40, int)]
    >>> Z = skt.OTMapping().fit_transform(np.vstack([Xs, Xt]), sample_domain=sample_domain)
    >>> bool(abs(Z[:50, 0].mean() - Xt[:, 0].mean()) < 1e-8)
    True
    """

    def __init__(self, method="emd", *, reg_e=1.0, reg_cl=0.1, reg_lap=1.0, norm="max",
                 max_iter=10, domain_mode="pooled"):
        self.method = method
        self.domain_mode = domain_mode
        self.reg_e = reg_e
        self.reg_cl = reg_cl
        self.reg_lap = reg_lap
        self.norm = norm
        self.max_iter = max_iter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"preserves_dtype": [np.float64, np.float32]}

    def _transport(self, ot):
        if self.method not in _METHODS:
            raise ValueError(
                f"method must be one of {sorted(_METHODS)}; got method={self.method!r}."
            )
        if self.norm not in _NORMS:
            raise ValueError(f"norm must be one of {list(_NORMS)}; got norm={self.norm!r}.")
        max_iter = check_int(self.max_iter, "max_iter")
        name, _ = _METHODS[self.method]
        if self.method == "emd":
            return getattr(ot.da, name)(norm=self.norm)
        if self.method == "laplace":
            reg_lap = check_real(self.reg_lap, "reg_lap", minimum=0.0)
            return ot.da.EMDLaplaceTransport(
                reg_lap=reg_lap, reg_src=1.0, norm=self.norm, max_iter=max_iter
            )
        reg_e = check_real(self.reg_e, "reg_e", minimum=0.0, strict=True)
        if self.method == "sinkhorn":
            return ot.da.SinkhornTransport(reg_e=reg_e, norm=self.norm, max_iter=10_000)
        reg_cl = check_real(self.reg_cl, "reg_cl", minimum=0.0)
        return getattr(ot.da, name)(
            reg_e=reg_e, reg_cl=reg_cl, norm=self.norm, max_iter=max_iter, max_inner_iter=1000
        )

    def _fit(self, domains):
        ot = import_pot(type(self).__name__)
        transport = self._transport(ot)
        check_plan_memory(domains.n_source, domains.n_target, "OTMapping")
        Xs = np.asarray(domains.X_source, dtype=np.float64)
        Xt = np.asarray(domains.X_target, dtype=np.float64)
        ys = None
        if _METHODS[self.method][1]:
            if domains.y is None:
                raise ValueError(
                    f"OTMapping(method={self.method!r}) regularises the plan with the classes "
                    "of the source rows: pass y (with target rows masked as -1)."
                )
            ys = _source_classes(domains.y_source, f"OTMapping(method={self.method!r})")
        transport.fit(Xs=Xs, ys=ys, Xt=Xt)
        coupling = np.asarray(transport.coupling_)
        _check_plan(
            coupling, "OTMapping",
            "Increase reg_e, keep norm='max', or use method='emd'.",
        )
        self.transport_ = transport
        self.coupling_ = coupling
        return self

    def _transform_source(self, X):
        Xs = np.asarray(X, dtype=np.float64)
        return np.asarray(self.transport_.transform(Xs=Xs)).astype(X.dtype, copy=False)

    def _transform_target(self, X):
        return np.array(X, copy=True)


class LinearOTMapping(OneToOneFeatureMixin, BaseAdapter):
    """Linear (Gaussian) optimal-transport map: the closed-form Monge map between two Gaussians.

    Each domain is summarised by its mean and covariance; the source rows are mapped by the
    optimal transport map between the two Gaussians,
    ``x -> (x - m_s) A + m_t`` with
    ``A = C_s^(-1/2) (C_s^(1/2) C_t C_s^(1/2))^(1/2) C_s^(-1/2)`` (Knott and Smith, 1984;
    used for domain adaptation by Flamary, Lounici and Ferrari, 2019). It is the symmetric
    positive definite map that gives the source rows the target mean and covariance while
    moving them as little as possible in squared distance; CORAL gives them the same
    covariance with another, generally non-symmetric, map.

    Parameters
    ----------
    reg : float >= 0, default=1e-8
        Ridge added to both covariances (POT's ``reg``).
    bias : bool, default=True
        Map the means too (``x -> (x - m_s) A + m_t``); with False the map is ``x -> x A``
        (both domains assumed centred).
    domain_mode : {"pooled", "per_domain"}, default="pooled"
        What to do with several source or target ids in ``sample_domain``. "pooled": the rows
        of every source id form one source, those of every target id one target. "per_domain":
        each source domain is mapped onto the pooled target Gaussian on its own (one fitted
        LinearOTMapping per source id, in ``adapters_``); with several target ids, each target
        domain is also mapped onto the pooled target by its own statistics (when
        ``sample_domain`` is passed to ``transform``). With one source and one target id both
        modes give the same map. See :ref:`multi_source`.

    Attributes
    ----------
    A_ : ndarray of shape (n_features, n_features)
        The linear part of the map.
    B_ : ndarray of shape (n_features,)
        The offset: source rows map to ``x A + B``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    adapters_ : dict of {int: LinearOTMapping}
        Only with ``domain_mode="per_domain"``: the pooled-mode LinearOTMapping fitted for each
        domain id (each source id, and each target id when there are several) against the
        pooled target rows. The fitted attributes above are then those of these clones and are
        not set on the adapter itself.

    See Also
    --------
    OTMapping : the non-parametric (plan-based) optimal-transport mapping.
    CORAL : the covariance-matching map of Sun, Feng and Saenko.

    Notes
    -----
    Time ``O(n d^2 + d^3)``, memory ``O(d^2)``: it scales to any number of rows. Requires POT
    (``pip install "skt[ot]"``), whose ``ot.da.LinearTransport`` computes the map.

    References
    ----------
    .. [1] M. Knott and C. S. Smith, "On the optimal mapping of distributions", Journal of
       Optimization Theory and Applications 43(1), 1984.
    .. [2] R. Flamary, K. Lounici and A. Ferrari, "Concentration bounds for linear Monge
       mapping estimation and optimal transport domain adaptation", arXiv:1905.10155, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> rng = np.random.RandomState(0)
    >>> Xs = rng.randn(500, 2) * [3.0, 0.5]
    >>> Xt = rng.randn(500, 2) @ [[1.0, 0.8], [0.0, 0.6]] + 2.0
    >>> sample_domain = np.r_[np.ones(500, int), -np.ones(500, int)]
    >>> Z = skt.LinearOTMapping().fit_transform(np.vstack([Xs, Xt]), sample_domain=sample_domain)
    >>> np.allclose(np.cov(Z[:500].T, bias=True), np.cov(Xt.T, bias=True), atol=1e-6)
    True
    """

    def __init__(self, reg=1e-8, *, bias=True, domain_mode="pooled"):
        self.reg = reg
        self.bias = bias
        self.domain_mode = domain_mode

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"preserves_dtype": [np.float64, np.float32]}

    def _fit(self, domains):
        ot = import_pot(type(self).__name__)
        reg = check_real(self.reg, "reg", minimum=0.0)
        if not isinstance(self.bias, (bool, np.bool_)):
            raise ValueError(f"bias must be True or False; got bias={self.bias!r}.")
        for name, n in (("source", domains.n_source), ("target", domains.n_target)):
            if n < 2:
                raise ValueError(
                    f"LinearOTMapping needs at least 2 {name} rows to estimate a covariance; "
                    f"got {n}."
                )
        transport = ot.da.LinearTransport(reg=reg, bias=bool(self.bias))
        transport.fit(
            Xs=np.asarray(domains.X_source, dtype=np.float64),
            Xt=np.asarray(domains.X_target, dtype=np.float64),
        )
        A, B = np.asarray(transport.A_), np.asarray(transport.B_).ravel()
        if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
            raise ValueError(
                "LinearOTMapping: the map is not finite (a singular source covariance); "
                "increase reg."
            )
        self.A_, self.B_ = A, B
        return self

    def _transform_source(self, X):
        out = X @ self.A_.astype(X.dtype, copy=False)
        out += self.B_.astype(X.dtype, copy=False)
        return out

    def _transform_target(self, X):
        return np.array(X, copy=True)
