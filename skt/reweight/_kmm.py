"""Kernel Mean Matching (Huang, Gretton, Borgwardt, Schoelkopf and Smola, NIPS 2006)."""

import warnings

import numpy as np
from scipy.linalg import eigh
from sklearn.utils import check_random_state

from skt import _sparse
from skt._memory import available_memory
from skt.metrics._kernel_sums import _check_kernel_params, kernel_matrix, kernel_row_means
from skt.metrics._validation import check_sample, is_dask

from ._common import (
    COMMON_ATTRIBUTES,
    DOMAINS_NOTE,
    ESTIMATOR_PARAM,
    BaseReweighting,
    check_int,
    check_options,
    check_real,
    check_samples,
)
from ._kmm_solver import solve_dense, solve_factored

__all__ = ["KMM", "kmm_weights"]

_KERNELS = ("rbf", "gaussian", "laplacian")
_APPROXIMATIONS = (None, "nystroem", "random_features")
_ROWS_PER_BLOCK = 8192  # rows of a block of kernel features (bounds temporary memory)


def check_dask_target(X_target, n_features):
    """Check a Dask ``X_target`` before any task runs: 2-D, known chunks, ``n_features``."""
    from skt.metrics._mmd import _check_dask_sample

    Xt = _check_dask_sample(X_target, "X_target")
    if Xt.shape[1] != n_features:
        raise ValueError(
            "X_source and X_target must have the same number of features; got X_source with "
            f"{n_features} and X_target with {Xt.shape[1]}."
        )
    return Xt


def _check_kmm_params(
    n_source, *, kernel, B, eps, reg, approximation, n_components, tol, max_iter
):
    check_options(kernel, "kernel", _KERNELS)
    reg = check_real(reg, "reg", low=0.0)
    B = check_real(B, "B", low=0.0, low_open=True)
    if eps is None:
        eps = (np.sqrt(n_source) - 1.0) / np.sqrt(n_source)
    else:
        eps = check_real(eps, "eps", low=0.0, high=1.0, high_open=True)
    if B < 1.0 - eps:
        raise ValueError(
            f"B={B:g} and eps={eps:g} leave no feasible weights: the weights must sum to at "
            f"least n_source * (1 - eps), so B must be >= 1 - eps = {1.0 - eps:g}."
        )
    check_options(approximation, "approximation", _APPROXIMATIONS)
    check_int(n_components, "n_components", 1)
    if tol is None:
        tol = 1e-6 if approximation is None else 1e-4
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    if max_iter is not None:
        check_int(max_iter, "max_iter", 1)
    return B, eps, reg, tol


def _target_row_means(X, Xt, params):
    """``k(X, Xt).mean(axis=1)`` without an ``n x n_t`` matrix; ``Xt`` may be a Dask array."""
    X = _sparse.as_csr(X, np.float64)
    if is_dask(Xt):
        from skt.metrics._dask import kernel_row_means as dask_row_means

        return dask_row_means(X, Xt, kernel=params).astype(np.float64)
    Xt = _sparse.as_csr(Xt, np.float64)
    return kernel_row_means(X, Xt, kernel=params).astype(np.float64)


def _take_rows(X, rows):
    """Rows of an in-memory or Dask array, as an in-memory float64 array."""
    taken = X[np.asarray(rows, dtype=np.intp)]
    if _sparse.issparse(taken):
        return taken.astype(np.float64)
    return np.asarray(taken.compute() if is_dask(taken) else taken, dtype=np.float64)


def _nystroem_features(Xs, Xt, params, n_components, rng):
    """Nystroem features of both samples: ``Phi_s`` (float32) and the target mean feature.

    Landmarks are drawn without replacement from the pooled rows; ``K ~ C W^+ C'`` with ``C``
    the kernel between rows and landmarks and ``W`` that between landmarks, so that
    ``Phi = C W^{-1/2}`` (eigenvalues below 1e-10 of the largest are dropped).
    """
    n_s, n_t = Xs.shape[0], Xt.shape[0]
    r = min(n_components, n_s + n_t)
    idx = np.sort(rng.choice(n_s + n_t, size=r, replace=False))
    # landmarks of sparse rows stay sparse
    Z = _sparse.vstack(
        [_take_rows(Xs, idx[idx < n_s]), _take_rows(Xt, idx[idx >= n_s] - n_s)]
    )
    evals, evecs = eigh(kernel_matrix(Z, kernel=params))
    keep = evals > 1e-10 * evals[-1]
    T = evecs[:, keep] / np.sqrt(evals[keep])

    def features(X, start, stop):
        C = kernel_matrix(_sparse.as_csr(X[start:stop], np.float64), Z, kernel=params)
        return C @ T

    Phi_s = np.empty((n_s, T.shape[1]), dtype=np.float32)
    for start in range(0, n_s, _ROWS_PER_BLOCK):
        stop = min(start + _ROWS_PER_BLOCK, n_s)
        Phi_s[start:stop] = features(Xs, start, stop)
    # mean over target rows of k(x_t, Z) T = (mean_t k(Z, x_t)) T: one blockwise kernel sum
    return Phi_s, _target_row_means(Z, Xt, params) @ T


def _random_features(Xs, Xt, params, n_components, rng):
    """Random Fourier features (Rahimi and Recht, 2007): ``Phi_s`` (float32), target mean.

    ``k(x, y) ~ phi(x)'phi(y)`` with ``phi(x) = sqrt(2 / r) cos(W'x + c)``: ``W`` Gaussian of
    variance ``2 gamma`` for the RBF kernel, Cauchy of scale ``gamma`` for the Laplacian one.
    """
    d = Xs.shape[1]
    r = n_components
    if params.kernel == "rbf":
        W = rng.normal(scale=np.sqrt(2.0 * params.gamma), size=(d, r))
    else:
        W = params.gamma * rng.standard_cauchy(size=(d, r))
    c = rng.uniform(0.0, 2.0 * np.pi, size=r)
    scale = np.sqrt(2.0 / r)

    def features(X, start, stop):
        block = X[start:stop]
        if not _sparse.issparse(block):
            block = np.asarray(block, dtype=np.float64)
        return scale * np.cos(_sparse.matmul(block, W) + c)

    n_s, n_t = Xs.shape[0], Xt.shape[0]
    Phi_s = np.empty((n_s, r), dtype=np.float32)
    for start in range(0, n_s, _ROWS_PER_BLOCK):
        stop = min(start + _ROWS_PER_BLOCK, n_s)
        Phi_s[start:stop] = features(Xs, start, stop)
    mean_t = np.zeros(r)
    for start in range(0, n_t, _ROWS_PER_BLOCK):
        mean_t += features(Xt, start, min(start + _ROWS_PER_BLOCK, n_t)).sum(axis=0)
    return Phi_s, mean_t / n_t


def _warm_start(kappa, row_sums, B):
    """Kernel density ratio ``kappa_i / (K 1)_i``: a cheap estimate of the weights."""
    safe = row_sums > 1e-12 * max(np.max(np.abs(row_sums)), 1e-300)
    b0 = np.ones_like(kappa)
    b0[safe] = kappa[safe] / row_sums[safe]
    return np.clip(b0, 0.0, B)


def _out_of_memory(n, available=None):
    gib = 4.0 * n * n / 2**30
    where = "" if available is None else f" (available: {available / 2**30:.1f} GiB)"
    return MemoryError(
        f"KMM's exact solver needs the {n} x {n} source kernel matrix ({gib:.1f} GiB in "
        f"float32), which does not fit in memory{where}; use approximation='nystroem' (or "
        "'random_features')."
    )


def _check_kernel_memory(n):
    """Fail before any work when the ``n x n`` float32 kernel matrix exceeds the memory
    available: with overcommit its allocation would succeed and filling it would swap or get
    the process killed, rather than raise."""
    available = available_memory()
    if available is not None and 4.0 * n * n > available:
        raise _out_of_memory(n, available)


def _source_kernel_matrix(Xs, params):
    """The source kernel matrix in float32, from rows centred in float64.

    The kernels are translation invariant, and centring first keeps the float32 rows exact to
    their spread rather than to their offset: with a feature offset of 1e5, rows cast before
    centring lose all but two or three digits of their differences (the objective then lands
    2e-5 above cvxopt's, the weights off by 0.16 of 7). Sparse rows are cast as they are
    (centring would densify them).
    """
    try:
        if _sparse.issparse(Xs):
            # sparse rows are not centred: that would densify them
            return kernel_matrix(_sparse.as_csr(Xs, np.float32), kernel=params)
        Xs = np.asarray(Xs, dtype=np.float64)
        centred = np.ascontiguousarray(Xs - Xs.mean(axis=0), dtype=np.float32)
        return kernel_matrix(centred, kernel=params)
    except MemoryError as exc:
        raise _out_of_memory(Xs.shape[0]) from exc


def _kmm(Xs, Xt, *, kernel, gamma, B, eps, reg, approximation, n_components, tol, max_iter,
         random_state):
    """Validated KMM: weights and the solver's report. ``Xs, Xt`` are validated float rows."""
    n_s = Xs.shape[0]
    B, eps, reg, tol = _check_kmm_params(
        n_s, kernel=kernel, B=B, eps=eps, reg=reg, approximation=approximation,
        n_components=n_components, tol=tol, max_iter=max_iter,
    )
    rng = check_random_state(random_state)
    if is_dask(Xt):
        if approximation == "random_features":
            raise ValueError(
                "X_target as a Dask array works with approximation=None or 'nystroem'; got "
                "approximation='random_features'."
            )
        # the median heuristic sees a random subsample of the target (drawn only when it
        # runs, so that a given gamma leaves the random stream as in the in-memory path)
        n_t = Xt.shape[0]
        if gamma is None:
            rows = np.sort(rng.choice(n_t, size=min(n_t, 1000), replace=False))
        else:
            rows = np.arange(min(n_t, 2))
        params = _check_kernel_params(kernel, gamma, X=Xs, Y=_take_rows(Xt, rows),
                                      random_state=rng, multiple=False)
    else:
        params = _check_kernel_params(kernel, gamma, X=Xs, Y=Xt, random_state=rng,
                                      multiple=False)
    lower, upper = n_s * (1.0 - eps), n_s * (1.0 + eps)

    if approximation is None:
        _check_kernel_memory(n_s)
        Xs64 = _sparse.as_csr(Xs, np.float64)
        kappa = n_s * _target_row_means(Xs64, Xt, params)
        _warn_if_degenerate(kappa, params, n_s)
        K = _source_kernel_matrix(Xs, params)
        b0 = _warm_start(kappa, K.sum(axis=1, dtype=np.float64), B)
        if reg > 0:
            K[np.diag_indices(n_s)] += reg
        solution = solve_dense(
            K, kappa, B=B, lower=lower, upper=upper, tol=tol, max_iter=max_iter, b0=b0
        )
    else:
        make = _nystroem_features if approximation == "nystroem" else _random_features
        Phi, mean_t = make(Xs, Xt, params, n_components, rng)
        kappa = n_s * (Phi.astype(np.float64) @ mean_t)
        _warn_if_degenerate(kappa, params, n_s)
        row_sums = Phi.astype(np.float64) @ Phi.sum(axis=0, dtype=np.float64)
        b0 = _warm_start(kappa, row_sums, B)
        solution = solve_factored(
            Phi, kappa, B=B, lower=lower, upper=upper, reg=reg, tol=tol, max_iter=max_iter,
            b0=b0,
        )
    return solution, params.gamma


def _warn_if_degenerate(kappa, params, n_s):
    if not np.max(np.abs(kappa)) > 1e-12 * n_s:
        warnings.warn(
            f"KMM: the kernel between every source row and every target row is numerically "
            f"zero (kernel={params.kernel!r}, gamma={params.gamma:.3g}), so the weights carry "
            "no information about the target domain. The bandwidth is too narrow for these "
            "data: decrease gamma (or leave gamma=None for the median heuristic).",
            UserWarning,
            stacklevel=4,
        )


def kmm_weights(
    X_source,
    X_target,
    *,
    kernel="rbf",
    gamma=None,
    B=1000.0,
    eps=None,
    reg=0.0,
    approximation=None,
    n_components=300,
    tol=None,
    max_iter=None,
    random_state=None,
):
    """Kernel Mean Matching weights of the source rows (Huang et al., 2006).

    The weights ``b`` solve the quadratic program

    .. math::

        \\min_b \\; \\tfrac12 b^\\top K b - \\kappa^\\top b \\quad \\text{s.t.} \\quad
        0 \\le b_i \\le B, \\quad \\Big|\\sum_i b_i - n_s\\Big| \\le n_s \\epsilon,

    with ``K`` the kernel matrix of the source rows and
    ``kappa_i = (n_s / n_t) sum_j k(xs_i, xt_j)``: the weighted mean of the source rows in the
    kernel's feature space is brought as close as the constraints allow to the mean of the
    target rows (the weighted MMD is minimised).

    Parameters
    ----------
    X_source : {array-like, sparse matrix} of shape (n_source, n_features)
        Source rows. Sparse rows (CSR/CSC) stay sparse: kernel values come from sparse
        products and row norms, in blocks, never from a dense copy of the rows.
    X_target : {array-like, sparse matrix} or dask.array.Array of shape (n_target, n_features)
        Target rows. A Dask array stays distributed (with ``approximation=None`` or
        ``"nystroem"``): it is read only through blockwise kernel sums, one task per row chunk,
        and the median heuristic sees a random subsample of 1,000 of its rows.
    kernel : {"rbf", "gaussian", "laplacian"}, default="rbf"
        ``exp(-gamma ||x - y||^2)`` or ``exp(-gamma ||x - y||_1)``.
    gamma : float, default=None
        Bandwidth of the kernel. None: the median heuristic on the pooled rows
        (:func:`skt.metrics.median_heuristic`).
    B : float, default=1000.0
        Upper bound of each weight (positive).
    eps : float in [0, 1), default=None
        Tolerance of the mean weight: ``|mean(b) - 1| <= eps``. None: the paper's
        ``(sqrt(n_s) - 1) / sqrt(n_s)``.
    reg : float, default=0.0
        Ridge on the weights: ``K`` becomes ``K + reg I`` (the objective gains
        ``reg/2 |b|^2``). 0 is the paper's KMM. A small value (about 1; the largest eigenvalue
        of ``K`` is of the order of ``n_s``) makes the solution unique and the weights smooth:
        without it the kernel matrix is nearly singular, and many weight vectors match the
        target's kernel mean almost equally well (see Notes).
    approximation : {None, "nystroem", "random_features"}, default=None
        None solves the QP with the exact kernel matrix (memory ``4 n_s^2`` bytes: about
        1.5 GiB at 20,000 source rows; a MemoryError naming the approximations comes before
        any work when that exceeds the memory available). "nystroem" and "random_features"
        replace it by a rank ``n_components`` factorisation ``K ~ Phi Phi'`` (Nystroem
        landmarks drawn from the pooled rows, or random Fourier features), with ``kappa`` from
        the same features: time and memory O((n_s + n_t) n_components), for large data.
    n_components : int, default=300
        Rank of the approximation (ignored when ``approximation=None``).
    tol : float, default=None
        The solver stops when its Frank-Wolfe duality gap, an upper bound on the distance of
        the objective to the optimum, is at most ``tol`` times the objective's magnitude.
        None: 1e-6 for the exact solver, 1e-4 for an approximation (whose kernel is itself
        approximate, far beyond 1e-4).
    max_iter : int, default=None
        Maximum number of iterations: pair updates of the exact solver (None: ``1000 n_s``)
        or gradient steps of the approximate one (None: 5000). A ConvergenceWarning with the
        reached gap is raised when ``tol`` is not met.
    random_state : int, RandomState instance or None, default=None
        Seed of the median heuristic's subsample (more than 1000 pooled rows) and of the
        approximation's landmarks or random features.

    Returns
    -------
    weights : ndarray of shape (n_source,)
        Non-negative weights of the source rows, at most ``B``, with mean within ``eps`` of 1.

    See Also
    --------
    KMM : The meta-estimator that trains a model with these weights.
    weight_diagnostics : Effective sample size and weighted MMD of weights.

    Notes
    -----
    The QP is solved by skt's own solvers (:mod:`skt.reweight._kmm_solver`), never by a
    general QP package. The exact solver is sequential minimal optimisation, as in LIBSVM,
    with the sum constraint turned into an equality with a free slack variable; every step
    keeps the bounds and the sum constraint exactly. The source kernel matrix is held in
    float32 (half the memory and time of float64); its rounding moves the optimal objective by
    about 1e-9 relative, far below ``tol``. The approximate solver is accelerated projected
    gradient with an exact projection onto the constraint set.

    Both stop on a certified tolerance: the duality gap bounds ``f(b) - f*``. When the kernel
    matrix is nearly singular (wide kernels, few features), many weight vectors have an
    objective within ``tol`` of the optimum, and the weights returned are one of them: the
    objective is accurate, individual weights are not determined by the problem (two exact
    solvers return weights that correlate poorly). A small ``reg`` removes this freedom: on
    1-D Gaussian shifts with 500 rows, the weights of ``reg=0`` correlate 0.2 to 0.6 with
    the true density ratio, those of ``reg=1`` above 0.98.

    The approximate modes agree with the exact solver when the weights are determined: with
    ``reg=1`` on 20,000 rows of 10 features (``benchmarks/bench_kmm.py``), the correlation of
    approximate with exact weights is 0.998 (Nystroem, 300 components) and 0.975 (random
    features, 300 components). With ``reg=0`` it is only about 0.63: the factor keeps the
    large-eigenvalue directions of ``K``, where both agree, and leaves the others free, where
    the exact solution is sparse and the approximate one stays near its smooth start.

    References
    ----------
    .. [1] J. Huang, A. Gretton, K. Borgwardt, B. Schoelkopf and A. Smola, "Correcting Sample
       Selection Bias by Unlabeled Data", NIPS 2006.
    .. [2] R.-E. Fan, P.-H. Chen and C.-J. Lin, "Working Set Selection Using Second Order
       Information for Training Support Vector Machines", JMLR 6 (2005).

    Examples
    --------
    >>> import numpy as np
    >>> from skt.reweight import kmm_weights
    >>> rng = np.random.RandomState(0)
    >>> X_source = rng.normal(size=(100, 1))
    >>> X_target = rng.normal(loc=1.0, scale=0.5, size=(80, 1))
    >>> w = kmm_weights(X_source, X_target, gamma=1.0)
    >>> w.shape, bool(w.min() >= 0)
    ((100,), True)
    >>> # rows near the target mean get the largest weights
    >>> bool(w[np.abs(X_source[:, 0] - 1) < 0.3].mean() > w[X_source[:, 0] < -1].mean())
    True
    """
    if is_dask(X_target):
        # the target stays distributed: it is only read through blockwise kernel sums
        Xs = check_sample(X_source, "X_source").astype(np.float64, copy=False)
        Xt = check_dask_target(X_target, Xs.shape[1])
    else:
        Xs, Xt = check_samples(X_source, X_target)
    solution, _ = _kmm(
        Xs, Xt, kernel=kernel, gamma=gamma, B=B, eps=eps, reg=reg, approximation=approximation,
        n_components=n_components, tol=tol, max_iter=max_iter, random_state=random_state,
    )
    return solution.weights


class KMM(BaseReweighting):
    """Kernel Mean Matching: train ``estimator`` on source rows weighted towards the target.

    The weights of the source rows bring their weighted kernel mean as close as possible to the
    target rows' (see :func:`kmm_weights` for the quadratic program); ``estimator`` is then
    fitted on the source rows with these weights. For covariate shift: ``p(x)`` differs between
    the domains, ``p(y | x)`` does not.

    {domains}

    Parameters
    ----------
    {estimator}
    kernel : {{"rbf", "gaussian", "laplacian"}}, default="rbf"
        ``exp(-gamma ||x - y||^2)`` or ``exp(-gamma ||x - y||_1)``.
    gamma : float, default=None
        Bandwidth of the kernel; None: the median heuristic on the pooled source and target
        rows. Tune it with ``GridSearchCV`` and an unsupervised scorer.
    B : float, default=1000.0
        Upper bound of each weight (positive).
    eps : float in [0, 1), default=None
        Tolerance of the mean weight, ``|mean(weights) - 1| <= eps``; None: the paper's
        ``(sqrt(n_s) - 1) / sqrt(n_s)``.
    reg : float, default=0.0
        Ridge on the weights (``K + reg I``); 0 is the paper's KMM, about 1 gives unique,
        smooth weights (see :func:`kmm_weights`).
    approximation : {{None, "nystroem", "random_features"}}, default=None
        None: exact kernel matrix of the source rows (``4 n_s^2`` bytes). "nystroem" or
        "random_features": a rank ``n_components`` factorisation, for large data.
    n_components : int, default=300
        Rank of the approximation (ignored when ``approximation=None``).
    tol : float, default=None
        Relative duality gap at which the QP solver stops (a certified bound on the
        objective's distance to the optimum); None: 1e-6 exact, 1e-4 approximate.
    max_iter : int, default=None
        Iterations of the QP solver; None: ``1000 n_s`` (exact) or 5000 (approximate).
    random_state : int, RandomState instance or None, default=None
        Seed of the median heuristic's subsample and of the approximation.

    Attributes
    ----------
    {attributes}
    gamma_ : float
        Bandwidth used.
    objective_ : float
        Value of the QP's objective at ``weights_``.
    duality_gap_ : float
        Duality gap of the solver at ``weights_``: ``objective_`` is within it of the optimum.
    n_iter_ : int
        Iterations of the QP solver.

    See Also
    --------
    kmm_weights : The weights without an estimator.
    KLIEP, ULSIF : Density-ratio estimators with built-in model selection.
    weight_diagnostics : Effective sample size and weighted MMD of ``weights_``.

    References
    ----------
    .. [1] J. Huang, A. Gretton, K. Borgwardt, B. Schoelkopf and A. Smola, "Correcting Sample
       Selection Bias by Unlabeled Data", NIPS 2006.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("covariate", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> pipe = make_pipeline(StandardScaler(), skt.KMM(LogisticRegression(), gamma=1.0))
    >>> pipe = pipe.fit(X, y_train)
    >>> kmm = pipe[-1]
    >>> kmm.weights_.shape
    (200,)
    >>> bool(kmm.weights_.min() >= 0 and kmm.weights_.max() <= 1000)
    True
    """

    def __init__(
        self,
        estimator=None,
        *,
        kernel="rbf",
        gamma=None,
        B=1000.0,
        eps=None,
        reg=0.0,
        approximation=None,
        n_components=300,
        tol=None,
        max_iter=None,
        random_state=None,
        flatten="auto",
        source_weighting=None,
    ):
        self.estimator = estimator
        self.flatten = flatten
        self.source_weighting = source_weighting
        self.kernel = kernel
        self.gamma = gamma
        self.B = B
        self.eps = eps
        self.reg = reg
        self.approximation = approximation
        self.n_components = n_components
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state

    def _fit_weights(self, X_source, X_target):
        solution, gamma = _kmm(
            X_source, X_target, kernel=self.kernel, gamma=self.gamma, B=self.B, eps=self.eps,
            reg=self.reg, approximation=self.approximation, n_components=self.n_components,
            tol=self.tol, max_iter=self.max_iter, random_state=self.random_state,
        )
        self.gamma_ = gamma
        self.objective_ = solution.objective
        self.duality_gap_ = solution.gap
        self.n_iter_ = solution.n_iter
        return solution.weights


KMM.__doc__ = KMM.__doc__.format(
    domains=DOMAINS_NOTE, estimator=ESTIMATOR_PARAM, attributes=COMMON_ATTRIBUTES
)
