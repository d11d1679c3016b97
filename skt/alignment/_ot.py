"""Optimal-transport mappings: move the source rows onto the target rows (POT solvers)."""

import numpy as np
from scipy.sparse import csgraph
from scipy.special import xlogy
from sklearn.base import OneToOneFeatureMixin
from sklearn.neighbors import kneighbors_graph

from .._pot import GCG_PLAN_COPIES, PLAN_COPIES, check_plan_memory, entropic_plan, import_pot
from ..base import BaseAdapter
from ._utils import check_int, check_real

__all__ = ["OTMapping", "LinearOTMapping"]

# method -> (POT transport class, whether it reads the classes of the source rows);
# "sinkhorn", "lpl1", "l1l2" and "sinkhorn_laplace" keep their plan, computed by skt on POT's
# stabilised Sinkhorn (skt._pot.entropic_plan; _lpl1_plan, and POT's generalised conditional
# gradient in _gcg_plan), in the transport object (for "sinkhorn_laplace" a
# SinkhornTransport), whose barycentric and out-of-sample maps then apply to it
_METHODS = {
    "emd": ("EMDTransport", False),
    "sinkhorn": ("SinkhornTransport", False),
    "lpl1": ("SinkhornLpl1Transport", True),
    "l1l2": ("SinkhornL1l2Transport", True),
    "laplace": ("EMDLaplaceTransport", False),
    "sinkhorn_laplace": ("SinkhornTransport", True),
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


def _graph_laplacian(X, n_neighbors, classes=None):
    """Laplacian of the symmetric binary k-nearest-neighbour graph of the rows of X.

    Two rows are linked when either is among the other's ``n_neighbors`` nearest rows; with
    ``classes``, links between rows of different classes are cut (Courty et al., 2017, 6.2.2).
    Sparse, ``n x n`` with about ``2 n k`` entries.
    """
    n = X.shape[0]
    k = min(n_neighbors, n - 1)
    if k < 1:  # one row: no neighbour, no term
        return csgraph.laplacian(np.zeros((n, n)))
    S = kneighbors_graph(X, k, mode="connectivity", include_self=False)
    S = S.maximum(S.T).tocoo()
    if classes is not None:
        cut = classes[S.row] != classes[S.col]
        S.data[cut] = 0.0
        S.eliminate_zeros()
    return csgraph.laplacian(S.tocsr())


def _gcg_plan(ot, M, a, b, f, df, reg, *, reg_e, max_iter):
    """Minimise ``<G, M> + reg * f(G) + reg_e * sum(G log G)`` over the plans with marginals
    ``a`` and ``b`` by POT's generalised conditional gradient (Algorithm 1 of Courty et al.,
    2017).

    The solver is POT's ``ot.optim.generic_conditional_gradient``: each step solves the
    entropic problem of the linearised ``f`` with :func:`skt._pot.entropic_plan` (POT's
    stabilised Sinkhorn, as the ``"sinkhorn"`` method, so no underflow at small ``reg_e``;
    warm-started from the last step's duals, since each step's cost differs little from the
    last), then POT's Armijo
    line search on the whole objective. ``ot.optim.gcg`` itself (behind POT's
    ``sinkhorn_l1l2_gl``) is not used: its line search (POT 0.9.7) leaves the entropic term
    out of the objective, along which the Sinkhorn direction is often no descent direction,
    and stops early (OT-Laplace after one step on the unit tests' data, the group lasso after
    one or two at some of their points, its objective then above this solver's; the loss
    flat after 4 steps on an Office-Caltech C-A draw).
    """
    tiny = np.finfo(np.float64).tiny

    def objective(G):
        return np.sum(M * G) + reg * f(G) + reg_e * np.sum(xlogy(G, G))

    duals = {}

    def sinkhorn(a, b, Mi, **kwargs):
        G, log_u, log_v = entropic_plan(ot, a, b, Mi, reg_e, max_iter=1000,
                                        warmstart=duals.get("uv"))
        duals["uv"] = (log_u, log_v)
        return G, {"log_u": log_u, "log_v": log_v}

    def line_search(cost, G, deltaG, Mi, cost_G, df_G, **kwargs):
        # Mi is the gradient of the smooth part; the entropy's is reg_e * (1 + log G)
        slope = Mi + reg_e * (1.0 + np.log(np.maximum(G, tiny)))
        return ot.optim.line_search_armijo(
            objective, G, deltaG, slope, objective(G), alpha_min=0.0, alpha_max=1.0
        )

    return ot.optim.generic_conditional_gradient(
        a, b, M, f, df, reg, None, sinkhorn, line_search, numItermax=max_iter,
    )


def _laplace_plan(ot, transport, Xs, Xt, classes, *, reg_e, reg_lap, alpha, n_neighbors,
                  max_iter):
    """Entropic plan with the symmetric Laplacian regulariser (OT-Laplace), by :func:`_gcg_plan`.

    Minimises ``F(G) = <G, C> + reg_lap * Omega(G) + reg_e * sum(G log G)`` over the plans with
    uniform marginals, where ``C`` is the cost ``transport`` normalised and (Eq. 20 of
    Courty et al., 2017)
    ``Omega(G) = ((1 - alpha) tr(Xt' G' Ls G Xt) + alpha tr(Xs' G Lt G' Xs)) / m``,
    ``Ls`` and ``Lt`` the Laplacians of the k-NN graphs of the source rows (class-pruned) and
    of the target rows, ``m`` the largest squared distance between a source and a target row:
    both terms then scale alike with the features, so ``reg_lap`` does not depend on their
    scale.
    """
    Ls = _graph_laplacian(Xs, n_neighbors, classes)
    Lt = _graph_laplacian(Xt, n_neighbors)
    scale = transport.norm_cost_ if transport.norm == "max" else ot.dist(Xs, Xt).max()
    scale = float(scale) if scale > 0 else 1.0
    w_s, w_t = (1.0 - alpha) / scale, alpha / scale

    def omega(G):
        GXt, GXs = G @ Xt, G.T @ Xs
        return w_s * np.sum(GXt * (Ls @ GXt)) + w_t * np.sum(GXs * (Lt @ GXs))

    def grad(G):
        return (2.0 * w_s) * (Ls @ (G @ Xt)) @ Xt.T + (2.0 * w_t) * Xs @ (Lt @ (G.T @ Xs)).T

    return _gcg_plan(ot, transport.cost_, transport.mu_s, transport.mu_t, omega, grad,
                     reg_lap, reg_e=reg_e, max_iter=max_iter)


def _one_hot(classes):
    """``n x n_classes`` indicator of the integer class codes (0, 1, ...)."""
    return np.eye(int(classes.max()) + 1)[classes]


def _group_lasso_plan(ot, transport, classes, *, reg_e, reg_cl, max_iter):
    """Entropic plan with the group-lasso class regulariser (OT-GL), by :func:`_gcg_plan`.

    ``Omega(G) = sum_j sum_c ||G[I_c, j]||_2``, ``I_c`` the source rows of class ``c``, and its
    gradient ``G[i, j] / ||G[I_c(i), j]||_2`` (the norm clipped at 1e-12): the regulariser and
    gradient of POT's ``ot.da.sinkhorn_l1l2_gl`` (Courty et al., 2017), computed per
    class rather than on POT's ``n_t x n_s x n_classes`` array.
    """
    Y = _one_hot(classes)

    def norms(G):  # n_classes x n_t: the norm of each class's block of each column
        return np.sqrt(Y.T @ (G * G))

    def omega(G):
        return float(np.sum(norms(G)))

    def grad(G):
        return G / np.maximum(Y @ norms(G), 1e-12)

    return _gcg_plan(ot, transport.cost_, transport.mu_s, transport.mu_t, omega, grad,
                     reg_cl, reg_e=reg_e, max_iter=max_iter)


def _lpl1_plan(ot, transport, classes, *, reg_e, reg_cl, max_iter, p=0.5, epsilon=1e-3):
    """Entropic plan with the ``l_p - l_1`` class regulariser (OT-lpl1), stabilised Sinkhorn.

    The majorisation-minimisation loop of POT's ``ot.da.sinkhorn_lpl1_mm`` (Courty et al.,
    2017; same ``p = 1/2``, ``epsilon = 1e-3``): each of ``max_iter`` steps solves
    the entropic problem with the cost ``C + reg_cl * W``, then sets
    ``W[i, j] = p (sum of the plan over the class of row i in column j + epsilon)^(p - 1)``.
    POT's function solves each step with the plain-domain Sinkhorn, whose Gibbs kernel
    ``exp(-C / reg_e)`` underflows at small ``reg_e`` (16 of the paper's 28 grid points on the
    digits); here each step is :func:`skt._pot.entropic_plan` (POT's stabilised Sinkhorn, the
    log-domain iterates without underflow), warm-started from the last step's duals. Where
    POT's does not underflow and the steps converge both give the same plan. Each step stops
    at ``transport.max_inner_iter`` (1,000) iterations, as POT's: sharp
    plans can need more (a 60 x 50 problem at ``reg_e=0.05, reg_cl=1`` 3,470 in one step,
    its column sums off by 2e-3 of their 0.02 at the cap), and ``reg_e=0.001`` runs every
    step to the cap (with a 10,000 cap the unit tests' 60 x 50 problem took 25 s, not 2.3).
    """
    Y = _one_hot(classes)
    M = transport.cost_
    W = np.zeros_like(M)
    warmstart = None
    for _ in range(max_iter):
        G, *warmstart = entropic_plan(ot, transport.mu_s, transport.mu_t, M + reg_cl * W,
                                      reg_e, max_iter=transport.max_inner_iter,
                                      tol=transport.tol, warmstart=warmstart)
        W = Y @ (p * (Y.T @ G + epsilon) ** (p - 1.0))
    return G


def _continuous_map(ot, transport, X, batch_size=128):
    """POT's continuous out-of-sample map of a fitted ``SinkhornTransport``, evaluated stably.

    Each row ``x`` goes to ``sum_j K_j Xt[j] / sum_j K_j`` with ``K_j = exp(-C(x, Xt[j]) / reg_e
    + log_v[j])``, the cost normalised as in ``fit`` (Perrot et al., 2016, as
    ``SinkhornTransport.transform`` computes it), with each row's largest exponent subtracted
    before ``exp``: the same images, but a row far from every training row (its exponents all
    below -745 at a small ``reg_e``) no longer underflows to ``0 / 0``.
    """
    log_v = np.asarray(transport.log_["log_v"])
    images = []
    for start in range(0, X.shape[0], batch_size):
        C = ot.dist(X[start:start + batch_size], transport.xt_, metric=transport.metric)
        C = ot.utils.cost_normalization(C, transport.norm, value=transport.norm_cost_)
        E = log_v[None, :] - C / transport.reg_e
        E -= E.max(axis=1, keepdims=True)
        K = np.exp(E, out=E)
        images.append(K @ transport.xt_ / K.sum(axis=1, keepdims=True))
    return np.vstack(images) if images else np.empty((0, transport.xt_.shape[1]))


def _check_plan(coupling, caller, hint):
    """Every source row must send some mass (else its barycentric image is undefined), and the
    plan must carry the unit mass of its marginals: a plan whose entries all underflowed
    (``l1l2`` at ``reg_e=0.001`` on the digits summed to 1e-12) still gives every row an image,
    but the images are those of a plan the solver never found (chance-level accuracy)."""
    mass = coupling.sum(axis=1)
    if not np.all(np.isfinite(coupling)) or np.any(mass <= 0):
        bad = int(np.sum(~(mass > 0)))
        raise ValueError(
            f"{caller}: the transport plan leaves {bad} source row(s) without mass (the "
            f"solver under- or overflowed), so they have no image. {hint}"
        )
    total = float(mass.sum())
    if not abs(total - 1.0) <= 1e-3:
        raise ValueError(
            f"{caller}: the transport plan carries a mass of {total:.3g} instead of 1 (the "
            f"solver under- or overflowed), so the images would be meaningless. {hint}"
        )


class OTMapping(OneToOneFeatureMixin, BaseAdapter):
    """Optimal-transport mapping: carry the source rows onto the target distribution.

    A transport plan ``G`` between the source rows and the target rows (uniform weights) is
    computed by POT, and each source row is replaced by its barycentric image
    ``n_s * G[i] @ X_target`` (Courty, Flamary, Tuia and Rakotomamonjy, 2017). Target rows are
    left as they are, so any learner trained on the mapped source rows applies to the target.

    Parameters
    ----------
    method : {"emd", "sinkhorn", "lpl1", "l1l2", "sinkhorn_laplace", "laplace"}, \
            default="emd"
        The transport problem: ``"emd"`` the exact plan (network simplex; no parameter),
        ``"sinkhorn"`` the entropic plan (``reg_e``; the paper's OT-IT), ``"lpl1"`` and
        ``"l1l2"`` the entropic plan with a class regulariser (``reg_cl``) that makes each
        target row receive mass from source rows of one class (the paper's OT-LpL1, by the
        majorisation-minimisation of POT's ``sinkhorn_lpl1_mm``, and OT-GL, by POT's
        generalised conditional gradient; both on POT's stabilised Sinkhorn, so that small
        ``reg_e`` does not underflow), ``"sinkhorn_laplace"`` the entropic plan with the
        symmetric Laplacian regulariser (``reg_lap``, ``alpha``, ``n_neighbors``) that keeps
        rows linked in a k-nearest-neighbour graph close after transport, source rows of
        different classes unlinked (the paper's OT-Laplace, Eq. 20, solved by POT's
        generalised conditional gradient).
        These three read the labels of the source rows, never those of target rows.
        ``"laplace"`` is POT's ``EMDLaplaceTransport``: the exact plan with a Laplacian
        regulariser (``reg_lap``) on POT's 3-nearest-neighbour graph of the source rows only,
        not class-pruned (neither ``alpha`` nor ``n_neighbors`` applies to it).
    reg_e : float > 0, default=1.0
        Weight of the entropic term (``"sinkhorn"``, ``"lpl1"``, ``"l1l2"``,
        ``"sinkhorn_laplace"``), relative to the cost after the ``norm`` normalisation.
        Smaller values give sharper plans closer to the exact one, at more iterations.
    reg_cl : float >= 0, default=0.1
        Weight of the class regulariser (``"lpl1"``, ``"l1l2"``).
    reg_lap : float >= 0, default=1.0
        Weight of the Laplacian regulariser (``"sinkhorn_laplace"``, ``"laplace"``). For
        ``"sinkhorn_laplace"`` the regulariser is divided by the largest squared distance
        between a source and a target row, so that ``reg_lap`` does not depend on the scale of
        the features; ``reg_lap=0`` gives the ``"sinkhorn"`` plan.
    alpha : float in [0, 1], default=0.5
        ``"sinkhorn_laplace"``: weight of the target graph against the source graph in the
        regulariser (``alpha`` of Eq. 20 of the paper, 0.5 in its experiments): 0 keeps only
        neighbouring source rows together, 1 only the images of neighbouring target rows.
    n_neighbors : int >= 1, default=8
        ``"sinkhorn_laplace"``: neighbours of each row in the graphs (8 in the paper).
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
        map. The class-regularised methods (``"lpl1"``, ``"l1l2"``, ``"sinkhorn_laplace"``) need
        the labels of the
        rows they move, which a target domain does not have: with several target ids they are
        a ValueError in this mode. See :ref:`multi_source`.

    Attributes
    ----------
    coupling_ : ndarray of shape (n_source, n_target)
        The transport plan (rows: training source rows, columns: training target rows).
    transport_ : object
        The fitted POT transport object (``ot.da.*Transport``); for ``"lpl1"``, ``"l1l2"``
        and ``"sinkhorn_laplace"`` it holds the plan skt computed on POT's stabilised
        Sinkhorn (for ``"sinkhorn_laplace"`` in a ``SinkhornTransport``).
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

    def __init__(self, method="emd", *, reg_e=1.0, reg_cl=0.1, reg_lap=1.0, alpha=0.5,
                 n_neighbors=8, norm="max", max_iter=10, domain_mode="pooled"):
        self.method = method
        self.domain_mode = domain_mode
        self.reg_e = reg_e
        self.reg_cl = reg_cl
        self.reg_lap = reg_lap
        self.alpha = alpha
        self.n_neighbors = n_neighbors
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
        if self.method == "sinkhorn_laplace":
            # its plan is no Sinkhorn plan: new rows move as their nearest training row
            return ot.da.SinkhornTransport(
                reg_e=reg_e, norm=self.norm, out_of_sample_map="ferradans"
            )
        reg_cl = check_real(self.reg_cl, "reg_cl", minimum=0.0)
        return getattr(ot.da, name)(
            reg_e=reg_e, reg_cl=reg_cl, norm=self.norm, max_iter=max_iter, max_inner_iter=1000
        )

    def _fit(self, domains):
        ot = import_pot(type(self).__name__)
        transport = self._transport(ot)
        check_plan_memory(
            domains.n_source, domains.n_target, "OTMapping",
            copies=GCG_PLAN_COPIES if self.method in ("l1l2", "sinkhorn_laplace")
            else PLAN_COPIES,
        )
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
        if self.method == "sinkhorn_laplace":
            reg_lap = check_real(self.reg_lap, "reg_lap", minimum=0.0)
            alpha = check_real(self.alpha, "alpha", minimum=0.0)
            if alpha > 1.0:
                raise ValueError(f"alpha must be a number in [0, 1]; got alpha={self.alpha!r}.")
            n_neighbors = check_int(self.n_neighbors, "n_neighbors")
            # the cost, the marginals and the rows the maps read; then the plan
            ot.da.BaseTransport.fit(transport, Xs=Xs, Xt=Xt)
            transport.coupling_ = _laplace_plan(
                ot, transport, Xs, Xt, ys, reg_e=transport.reg_e, reg_lap=reg_lap,
                alpha=alpha, n_neighbors=n_neighbors, max_iter=self.max_iter,
            )
            transport.log_ = {}
        elif self.method in ("lpl1", "l1l2"):
            ot.da.BaseTransport.fit(transport, Xs=Xs, ys=ys, Xt=Xt)
            solve = _lpl1_plan if self.method == "lpl1" else _group_lasso_plan
            transport.coupling_ = solve(
                ot, transport, ys, reg_e=transport.reg_e, reg_cl=transport.reg_cl,
                max_iter=transport.max_iter,
            )
            transport.log_ = {}
        elif self.method == "sinkhorn":
            # POT's SinkhornTransport would run its log-domain solver; the same iterates on the
            # stabilised one, with the duals its continuous out-of-sample map reads
            ot.da.BaseTransport.fit(transport, Xs=Xs, Xt=Xt)
            transport.coupling_, log_u, log_v = entropic_plan(
                ot, transport.mu_s, transport.mu_t, transport.cost_, transport.reg_e,
                max_iter=transport.max_iter, tol=transport.tol,
            )
            transport.log_ = {"log_u": log_u, "log_v": log_v}
        else:
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
        if self.method == "sinkhorn":
            Z = _continuous_map(import_pot(type(self).__name__), self.transport_, Xs)
        else:
            Z = self.transport_.transform(Xs=Xs)
        return np.asarray(Z).astype(X.dtype, copy=False)

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
