"""Transfer Component Analysis (TCA) and Joint Distribution Adaptation (JDA).

The MMD matrix and the pseudo-labelling rounds here are shared with BDA (``_bda.py``): JDA is
BDA with the balance 0.5.

Both find a ``k``-dimensional embedding ``z = k(x, X) W`` (kernel form) or ``z = x W`` (primal
form) that keeps the variance of the data while shrinking the MMD between domains: ``W`` holds
the leading solutions of the symmetric generalised eigenproblem

    K H K w = lambda (K M K + mu I) w,

with ``H`` the centring matrix and ``M`` the MMD matrix (the marginal MMD for TCA; for JDA also
one term per class, with target pseudo-labels). ``M`` has low rank ``r`` (1 for TCA, at most
``n_classes + 1`` for JDA), so ``B = K M K + mu I = mu I + U U'`` has a closed-form inverse square
root, and the problem becomes the symmetric standard eigenproblem of
``C = B^(-1/2) K H K B^(-1/2)``: dense (``eigh``) for small ``n``; for larger ``n`` an
iterative block solver (block Davidson: Rayleigh-Ritz on blocks of residuals, each step two
products of the kernel matrix with a block of vectors, no other ``n x n`` array; JDA's rounds
share ``K`` and differ only in ``U``, so the solver keeps its search space from one round to the
next); or a reduced ``m x m`` problem on Nystroem landmarks.
"""


import numpy as np
from scipy import linalg
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.base import clone
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target

from .. import _sparse
from ..base import BaseAdapter
from ._utils import _EPS, check_int, check_n_components, check_real, top_eigen

__all__ = ["TCA", "JDA"]

_SOLVERS = ("auto", "dense", "iterative")
# "auto" solves the n x n problem densely up to this many training rows
_DENSE_MAX_ROWS = 1500
# residual tolerance ||C v - theta v|| / theta_1 of the iterative solver
_REFINE_TOL = 1e-8
# the iterative solver grows its space by the directions of the residual block above this
# fraction of that tolerance
_DROP = 0.01
# blocks of the iterative solver, per solve, before it falls back to ARPACK
_MAX_BLOCKS = 60
# relative accuracy asked of ARPACK (eigenvalues) in that fallback
_ARPACK_TOL = 1e-10


# --------------------------------------------------------------------------------------------
# The MMD matrix M = E E' (unit Frobenius norm)
# --------------------------------------------------------------------------------------------


def _mmd_factor(source, target, y=None, pseudo=None, classes=None, *, balance=0.5,
                weighted=False):
    """``E`` of shape (n, r) with ``M = E E'`` of unit Frobenius norm.

    The marginal term is ``e_0``: ``1/n_s`` on the source rows, ``-1/n_t`` on the target rows
    (TCA's ``M = e_0 e_0'``). With labels, one more column per class ``c``: ``1/n_s^c`` on the
    source rows of class ``c``, ``-alpha_c/n_t^c`` on the target rows pseudo-labelled ``c``
    (``alpha_c = 1``, or with ``weighted`` the class-prior ratio
    ``(n_t^c / n_t) / (n_s^c / n_s)`` of W-BDA). A class that no target row is
    pseudo-labelled with keeps its source part (the column is ``1/n_s^c`` on its source rows, 0
    elsewhere), as in the authors' code (``e(isinf(e)) = 0`` zeroes only the empty target
    part): it then pulls the embedded mean of that class towards the origin. The terms are
    balanced as in BDA, ``M = (1 - balance) C M_0 + balance sum_c M_c``, with the marginal
    term weighted by the number of classes ``C`` as in the authors' code; JDA is
    ``balance = 0.5`` (its ``M_0 C + sum_c M_c`` up to a factor 2, which the normalisation
    removes). ``M`` is scaled
    to unit Frobenius norm, so that ``mu`` means the same for any domain sizes. Without
    pseudo-labels, or when ``balance = 1`` leaves no term, ``M`` is the marginal term alone.
    """
    n = source.shape[0]
    n_s, n_t = source.sum(), target.sum()
    e0 = np.zeros(n)
    e0[source] = 1.0 / n_s
    e0[target] = -1.0 / n_t
    columns = []
    if pseudo is not None:
        if balance < 1.0:
            columns.append(e0 * np.sqrt((1.0 - balance) * len(classes)))
        y_t = np.full(n, -1, dtype=np.int64)
        y_t[target] = pseudo
        for c in range(len(classes)) if balance > 0.0 else ():
            s_rows = source & (y == c)
            t_rows = y_t == c
            n_sc, n_tc = s_rows.sum(), t_rows.sum()
            if not n_sc and not n_tc:
                continue
            alpha = (n_tc / n_t) / (n_sc / n_s) if weighted and n_sc else 1.0
            e = np.zeros(n)
            if n_sc:
                e[s_rows] = 1.0 / n_sc
            if n_tc:
                e[t_rows] = -alpha / n_tc
            columns.append(e * np.sqrt(balance))
    E = np.column_stack(columns or [e0])
    return E / np.sqrt(np.linalg.norm(E.T @ E))


# --------------------------------------------------------------------------------------------
# Solvers: each returns (eigenvalues, W), eigenvalues in decreasing order
# --------------------------------------------------------------------------------------------


def _solve_low_rank(A, U, mu, k):
    """Leading ``k`` solutions of ``A w = lambda (mu I + U U') w`` with ``W' B W = I``."""
    P = _InvSqrt(U, mu)
    w, V = top_eigen(P(P(A).T), k)
    return w, P(V)


def _solve_primal(X, E, mu, k):
    """``X' H X a = lambda (X' M X + mu I) a`` (the linear map ``z = x a``).

    Sparse ``X`` is never centred: ``X' H X = X'X - n mean mean'`` from sparse products up to
    ``MAX_DENSE_FEATURES`` features, an operator beyond (:func:`_solve_primal_operator`).
    """
    if not _sparse.issparse(X):
        Xc = X - X.mean(axis=0)
        return _solve_low_rank(Xc.T @ Xc, X.T @ E, mu, k)
    U = _sparse.matmul(X.T, E)
    if X.shape[1] <= _sparse.MAX_DENSE_FEATURES:
        return _solve_low_rank(_sparse.gram_minus_mean(X)[1], U, mu, k)
    return _solve_primal_operator(X, U, mu, k)


def _solve_primal_operator(X, U, mu, k):
    """:func:`_solve_low_rank` with ``A = X' H X`` as an operator (sparse ``X``, large ``d``).

    ARPACK on ``C v = B^(-1/2) X' H X B^(-1/2) v``: two sparse products per step, no ``d x d``
    matrix, no centred copy.
    """
    n, d = X.shape
    if k >= d:
        raise ValueError(
            f"n_components={k} must be below the {d} features for sparse input with many "
            "features (an iterative eigensolver finds the leading components)."
        )
    mean = _sparse.column_means(X)
    XT = X.T.tocsr()
    P = _InvSqrt(U, mu)

    def matvec(v):
        v = P(np.ravel(v))
        Xv = X @ v - mean @ v  # the centred rows times v
        return P(XT @ Xv - mean * Xv.sum())

    op = LinearOperator((d, d), matvec=matvec, dtype=np.float64)
    w, V = eigsh(op, k=k, which="LA", v0=np.ones(d), tol=_ARPACK_TOL)
    order = np.argsort(w)[::-1]
    return w[order], P(V[:, order])


class _InvSqrt:
    """``B^(-1/2)`` for ``B = mu I + U U'`` (``U`` of shape (n, r), r small).

    ``B^(-1/2) v = v / sqrt(mu) + Q (c * (Q' v))`` where ``U U' = Q diag(lam) Q'`` (thin QR of
    ``U``, then an ``r x r`` eigendecomposition) and ``c = 1/sqrt(mu + lam) - 1/sqrt(mu)``.
    """

    def __init__(self, U, mu):
        Q, R = linalg.qr(U, mode="economic", check_finite=False)
        lam, V = linalg.eigh(R @ R.T, check_finite=False)
        self.Q = Q @ V
        self.c = 1.0 / np.sqrt(mu + np.clip(lam, 0.0, None)) - 1.0 / np.sqrt(mu)
        self.scale = 1.0 / np.sqrt(mu)

    def __call__(self, v):
        low = self.Q @ (self.c[:, None] * (self.Q.T @ v.reshape(v.shape[0], -1)))
        return v * self.scale + low.reshape(v.shape)


def _centre(v):
    """``H v``: subtract the column means."""
    return v - v.mean(axis=0)


def _orthonormal_complement(R, Q):
    """Orthonormal columns spanning the part of ``span(R)`` orthogonal to ``Q``."""
    R = R / np.linalg.norm(R, axis=0)
    for _ in range(2):  # twice is enough for orthogonality in floating point
        R = R - Q @ (Q.T @ R)
        R, T = linalg.qr(R, mode="economic", check_finite=False)
        R = R[:, np.abs(np.diag(T)) > 1e-8]
    return R


def _kernel_matmat(K, V):
    """``K @ V`` by slabs of rows of ``K``, on skt's worker threads (single-threaded BLAS each).

    The iterative solver holds BLAS to one thread for its small dense steps (OpenBLAS threads
    make a QR or an ``eigh`` of a few hundred columns many times slower on a busy machine); its
    products with ``K`` still use every core, through the workers.
    """
    from ..metrics._kernel_sums import _blocks, _run_tasks

    out = np.empty((K.shape[0], V.shape[1]))
    slabs = _blocks(K.shape[0])

    def task(t, scratch):
        i0, i1 = slabs[t]
        np.dot(K[i0:i1], V, out=out[i0:i1])

    _run_tasks(task, len(slabs), work=K.size)
    return out


def _solve_kernel_dense(K, E, mu, k):
    """The exact kernel problem through the dense ``C = B^(-1/2) K H K B^(-1/2)``.

    Returns ``(eigenvalues, W, K W)`` with ``W = B^(-1/2) V`` (so that ``W' B W = I``) and ``V``
    the leading eigenvectors of ``C``.
    """
    P = _InvSqrt(K @ E, mu)
    G = _centre(P(K).T)  # H K B^(-1/2) (K and B symmetric)
    w, V = top_eigen(G.T @ G, k)
    W = P(V)
    return w, W, K @ W


class _KernelEigensolver:
    """Leading solutions of ``K H K w = lambda (mu I + U U') w`` for one ``K`` and several ``U``.

    Block Davidson that keeps its search space from one solve to the next (JDA's rounds change
    only ``U = K E``). It stores an orthonormal basis ``Z`` of shape (n, m) of the space with
    ``K Z``, ``A Z`` (``A = K H K``) and ``Z' A Z``. A solve starts with a Rayleigh-Ritz step on
    the whole kept space, which needs no product with ``K``; then, while some residual of the
    standard problem ``C = B^(-1/2) A B^(-1/2)`` (``B = mu I + U U'``),
    ``||C v - theta v||`` with ``v = B^(1/2) w``, is above ``_REFINE_TOL * theta_1``, the space
    grows by one block: the directions of the residual block larger than that tolerance,
    mapped back by ``B^(-1/2)`` (the residual ``A w - theta B w`` preconditioned by ``B^(-1)``).
    Each block costs two products of ``K`` with the block, at BLAS-3 speed; the embedding of
    the training rows, ``K W = (K Z) Y``, costs none. Past ``max_size`` columns the space is
    cut back to the leading Ritz vectors (a thick restart, exact: ``K Z`` and ``A Z`` follow by
    the same small linear map).

    Parameters
    ----------
    K : ndarray of shape (n, n)
        The kernel matrix.
    k : int
        The number of solutions.
    random_state : int
        Seed of the random start block.
    max_size : int, default=None
        The most columns kept; None means ``min(n, max(8 k, 200))``.
    """

    def __init__(self, K, k, random_state, max_size=None):
        n = K.shape[0]
        self.K = K
        self.k = k
        self.random_state = random_state
        self.max_size = min(n, max(8 * k, 200)) if max_size is None else max_size
        # the basis and its images, filled up to column m (Fortran order: columns contiguous)
        self._Z, self._KZ, self._AZ = (np.empty((n, self.max_size), order="F") for _ in range(3))
        self.m = 0
        self.ZAZ = np.empty((0, 0))

    @property
    def Z(self):
        return self._Z[:, : self.m]

    @property
    def KZ(self):
        return self._KZ[:, : self.m]

    @property
    def AZ(self):
        return self._AZ[:, : self.m]

    def solve(self, E, mu):
        """Leading solutions for ``U = K E``: ``(eigenvalues, W, K W)`` with ``W' B W = I``."""
        from .._threads import blas_threads

        U = _kernel_matmat(self.K, E)
        with blas_threads(1):
            P = _InvSqrt(U, mu)
            solution = self._davidson(U, P, mu)
        if solution is None:  # a safety net: ARPACK (single-vector Lanczos)
            solution = self._arpack(P)
        return solution

    def _extend(self, D):
        """Add the part of ``span(D)`` orthogonal to the basis; return the columns added."""
        D = _orthonormal_complement(D, self.Z)
        d = D.shape[1]
        if d == 0:
            return 0
        KD = _kernel_matmat(self.K, D)
        AD = _kernel_matmat(self.K, _centre(KD))
        cross = self.Z.T @ AD
        DAD = D.T @ AD
        self.ZAZ = np.block([[self.ZAZ, cross], [cross.T, (DAD + DAD.T) / 2]])
        m = self.m
        self._Z[:, m : m + d], self._KZ[:, m : m + d], self._AZ[:, m : m + d] = D, KD, AD
        self.m = m + d
        return d

    def _restart(self, Y):
        """Keep only ``span(Z Y)``."""
        G = linalg.qr(Y, mode="economic", check_finite=False)[0]
        p = G.shape[1]
        self._Z[:, :p], self._KZ[:, :p], self._AZ[:, :p] = self.Z @ G, self.KZ @ G, self.AZ @ G
        self.m = p
        ZAZ = G.T @ self.ZAZ @ G
        self.ZAZ = (ZAZ + ZAZ.T) / 2

    def _ritz(self, ZU, mu, k):
        """Rayleigh-Ritz on ``span(Z)``: leading ``(theta, Y)`` with ``Y' Z' B Z Y = I``."""
        P = _InvSqrt(ZU, mu)  # (Z' B Z)^(-1/2): Z' B Z = mu I + (Z' U)(Z' U)'
        theta, S = top_eigen(P(P(self.ZAZ).T), min(k, self.m))
        return theta, P(S)

    def _davidson(self, U, P, mu):
        """The iterations of :meth:`solve`; None if they stall or run out of blocks."""
        k, n = self.k, self.K.shape[0]
        if self.m == 0:
            rng = check_random_state(self.random_state)
            self._extend(rng.standard_normal((n, min(n, k + max(10, k // 2)))))
        for _ in range(_MAX_BLOCKS):
            ZU = self.Z.T @ U
            theta, Y = self._ritz(ZU, mu, k)
            W = self.Z @ Y
            R = P(self.AZ @ Y - (mu * W + U @ (ZU.T @ Y)) * theta)
            tol = _REFINE_TOL * theta[0]
            if np.linalg.norm(R, axis=0).max() <= tol:
                return theta, W, self.KZ @ Y
            # directions of the residual block far below the tolerance cannot keep a pair from
            # converging: leaving them out keeps the blocks narrow in JDA's later rounds
            Q, s, _ = linalg.svd(R, full_matrices=False, check_finite=False)
            D = P(Q[:, s > _DROP * tol])
            if self.m + D.shape[1] > self.max_size:
                self._restart(self._ritz(ZU, mu, min(3 * k, self.max_size - D.shape[1]))[1])
            if self._extend(D) == 0:
                return None
        return None

    def _arpack(self, P):
        """The leading solutions by ARPACK on ``C`` (``P = B^(-1/2)``)."""
        K, n = self.K, self.K.shape[0]

        def matvec(v):
            return P(K @ _centre(K @ P(v)))

        op = LinearOperator((n, n), matvec=matvec, matmat=matvec, dtype=np.float64)
        v0 = check_random_state(self.random_state).standard_normal(n)
        w, V = eigsh(op, k=self.k, which="LA", v0=v0, tol=_ARPACK_TOL)
        order = np.argsort(w)[::-1]
        W = P(V[:, order])
        return w[order], W, K @ W


def _nystroem_features(K_nm, K_mm):
    """Nystroem features ``Phi = K_nm T``, ``T = U_m S_m^(-1/2)`` (tiny eigenvalues dropped)."""
    s, U = linalg.eigh(K_mm, check_finite=False)
    keep = s > s[-1] * max(K_mm.shape[0], 1) * 1e3 * _EPS
    T = U[:, keep] / np.sqrt(s[keep])
    return K_nm @ T, T


def _solve_reduced(Phi_svd, E, mu, k):
    """The kernel problem with ``K = Phi Phi'`` (Nystroem), restricted to ``W = U a``.

    With ``Phi = U S V'``: ``S^2 U'HU S^2 a = lambda (S^2 U'MU S^2 + mu I) a``; exact for the
    approximated kernel since every solution with a nonzero eigenvalue lies in ``span(U)``.
    """
    U, S, _ = Phi_svd
    S2 = S**2
    u1 = U.sum(axis=0)
    UHU = np.eye(U.shape[1]) - np.outer(u1, u1) / U.shape[0]
    A = S2[:, None] * UHU * S2[None, :]
    return _solve_low_rank(A, (U.T @ E) * S2[:, None], mu, k)


# --------------------------------------------------------------------------------------------
# Estimators
# --------------------------------------------------------------------------------------------


class _BaseTransferComponents(BaseAdapter):
    """Shared fit machinery of TCA and JDA (private)."""

    # sparse rows stay sparse: kernel matrices from sparse products, implicit centring in the
    # primal form
    _sparse_support = True
    # one BLAS thread for the fit: its dense steps (Gram matrices of a few hundred columns, QR,
    # eigh, the 1-NN pseudo-labeller) alternate NumPy's and SciPy's OpenBLAS pools, and the
    # threads of one spin while the other works. Primal JDA on Caltech -> Amazon (100
    # components, 10 rounds), idle 2-core machine: 2.6 s on one thread against 3.7 s on two
    # (benchmarks/bench_threads.py); the kernel products keep every core through skt's block
    # pool, whose threads each run one BLAS thread anyway.
    _fit_blas_threads = 1

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"preserves_dtype": [np.float64, np.float32]}

    # -- parameters ------------------------------------------------------------------------

    def _check_params(self, X_source, X_target):
        from ..metrics._kernel_sums import _check_kernel_params

        caller = type(self).__name__
        self.mu_ = check_real(self.mu, "mu", minimum=0.0, strict=True)
        if self.eigen_solver not in _SOLVERS:
            raise ValueError(
                f"eigen_solver must be one of {', '.join(map(repr, _SOLVERS))}; got "
                f"eigen_solver={self.eigen_solver!r}."
            )
        if self.kernel == "primal":
            if self.n_landmarks is not None:
                raise ValueError(
                    f"{caller}: n_landmarks applies to the kernel form; the primal form (kernel="
                    f"'primal') has no kernel matrix. Got n_landmarks={self.n_landmarks!r}."
                )
            self.kernel_params_ = None
            self.gamma_ = None
            return
        if self.n_landmarks is not None:
            check_int(self.n_landmarks, "n_landmarks", 2)
        rs = check_random_state(self.random_state)
        self.kernel_params_ = _check_kernel_params(
            self.kernel,
            self.gamma,
            self.degree,
            self.coef0,
            X=X_source,
            Y=X_target,
            random_state=rs.randint(np.iinfo(np.int32).max),
            multiple=False,
        )
        self.gamma_ = self.kernel_params_.gamma

    def _limit(self, n, d):
        if self.kernel == "primal":
            # X' H X has rank at most n - 1: past it the components are arbitrary directions
            # of its null space
            return min(d, n - 1), (
                f"the primal form has one component per feature ({d} features), and {n} "
                f"training rows span at most {n - 1} centred directions"
            )
        if self.n_landmarks is not None:
            m = min(self.n_landmarks, n)
            if self.kernel_params_.kernel == "linear":
                return min(m, n - 1, d), f"{m} landmarks, {n} training rows and {d} features"
            return min(m, n - 1), f"{m} landmarks and {n} training rows"
        if self.kernel_params_.kernel == "linear":
            return min(n - 1, d), (
                f"{n} training rows span at most {n - 1} centred directions, and the linear "
                f"kernel of {d} features has rank at most {d}"
            )
        return n - 1, f"{n} training rows span at most {n - 1} centred directions"

    # -- the embedding ---------------------------------------------------------------------

    def _setup(self, X, source, target):
        """Everything that does not depend on ``M``: kernel matrix or Nystroem features."""
        from ..metrics._kernel_sums import kernel_matrix

        n, d = X.shape
        k = check_n_components(
            self.n_components, *self._limit(n, d), type(self).__name__, clip=True
        )
        self.n_components_ = k
        state = {"k": k}
        if self.kernel == "primal":
            self.X_fit_ = None
            state["form"] = "primal"
            return state
        rs = check_random_state(self.random_state)
        if self.n_landmarks is None:
            K = kernel_matrix(X, kernel=self.kernel_params_)
            solver = self.eigen_solver
            if solver == "auto":
                solver = "dense" if n <= _DENSE_MAX_ROWS else "iterative"
            seed = rs.randint(np.iinfo(np.int32).max)
            # the iterative solver keeps its search space across JDA's rounds
            state.update(
                form="kernel",
                K=K,
                eigensolver=None if solver == "dense" else _KernelEigensolver(K, k, seed),
            )
            self.X_fit_ = X
            return state
        # landmarks: a stratified random subset of the source and the target rows
        m = min(self.n_landmarks, n)
        n_s = int(source.sum())
        m_s = int(np.clip(round(m * n_s / n), 1, m - 1))
        m_s = min(m_s, n_s)
        m_t = min(m - m_s, int(target.sum()))
        idx = np.sort(
            np.r_[
                rs.choice(np.flatnonzero(source), m_s, replace=False),
                rs.choice(np.flatnonzero(target), m_t, replace=False),
            ]
        )
        landmarks = _sparse.as_csr(X[idx])
        K_nm = kernel_matrix(X, landmarks, kernel=self.kernel_params_)
        K_mm = K_nm[idx]
        Phi, T = _nystroem_features(K_nm, K_mm)
        if Phi.shape[1] < k:
            k = check_n_components(
                self.n_components or k, Phi.shape[1],
                f"the landmark kernel has rank {Phi.shape[1]} from {m} landmarks",
                type(self).__name__, clip=True,
            )
            self.n_components_ = state["k"] = k
        U, S, Vt = linalg.svd(Phi, full_matrices=False, check_finite=False)
        state.update(form="landmarks", svd=(U, S, Vt), T=T)
        self.X_fit_ = landmarks
        return state

    def _embed(self, X, state, E):
        """Solve for ``E``; set ``coef_``/``eigenvalues_``; return the training embedding."""
        k, mu = state["k"], self.mu_
        if state["form"] == "primal":
            w, W = _solve_primal(X, E, mu, k)
            Z = _sparse.matmul(X, W)
        elif state["form"] == "kernel":
            if state["eigensolver"] is None:
                w, W, Z = _solve_kernel_dense(state["K"], E, mu, k)
            else:
                w, W, Z = state["eigensolver"].solve(E, mu)
        else:
            U, S, Vt = state["svd"]
            w, a = _solve_reduced(state["svd"], E, mu, k)
            Z = U @ (S[:, None] ** 2 * a)
            W = state["T"] @ (Vt.T @ (S[:, None] * a))
        finite = np.isfinite(Z).all() and np.isfinite(W).all() and np.isfinite(w).all()
        if not finite or Z.shape[1] != k:  # LAPACK finds no eigenpair of a matrix with inf
            # the kernel form squares the kernel matrix (K H K), the primal form the Gram
            # matrix: data of extreme scale overflow there, and the eigenvalues and the
            # embedding themselves grow as a power of the scale (mu does not scale with X)
            raise ValueError(
                f"{type(self).__name__}: the eigenproblem overflows float64 on data of this "
                f"scale (|X| up to {np.max(np.abs(X)):.3g}): its matrices grow as the fourth "
                "power of the scale of X (primal form: the square), while mu does not. "
                "Rescale X first, e.g. with sklearn.preprocessing.StandardScaler."
            )
        # orient each component so that its largest training coordinate is positive
        idx = np.argmax(np.abs(Z), axis=0)
        signs = np.sign(Z[idx, np.arange(Z.shape[1])])
        signs[signs == 0] = 1.0
        self.coef_ = W * signs
        self.eigenvalues_ = w
        return Z * signs

    def _transform(self, X, sample_domain):
        # source and target rows share the embedding
        from ..metrics._kernel_sums import kernel_matvec

        X64 = _sparse.as_csr(X, np.float64)
        if self.X_fit_ is None:
            Z = _sparse.matmul(X64, self.coef_)
        else:
            Z = kernel_matvec(X64, self.X_fit_, self.coef_, kernel=self.kernel_params_)
        return self._cast(Z, X.dtype)

    def _cast(self, Z, dtype):
        """The float64 embedding ``Z`` in the dtype of X, which must be able to hold it."""
        largest = np.max(np.abs(Z)) if Z.size else 0.0
        if largest > np.finfo(dtype).max:
            raise ValueError(
                f"{type(self).__name__}: the embedding has values up to {largest:.3g}, beyond "
                f"the range of X's dtype {np.dtype(dtype).name} ({np.finfo(dtype).max:.3g}): "
                "with a linear kernel it grows as the square of the scale of X. Pass X as "
                "float64, or rescale it first, e.g. with sklearn.preprocessing.StandardScaler."
            )
        return Z.astype(dtype, copy=False)

    def fit_transform(self, X, y=None, *, sample_domain=None):
        """Fit, then embed every training row (source and target rows share the embedding).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        y : array-like of shape (n_samples,), default=None
            Labels with masked target rows (see :meth:`fit`).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source rows, negative for target rows.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The embedding of the training rows (computed in ``fit``, not recomputed).
        """
        domains = self._fit_domains(X, y, sample_domain)
        Z = self._fit_embedding_
        del self._fit_embedding_
        return self._check_output(self._cast(Z, domains.X.dtype), domains.X)

    def fit(self, X, y=None, *, sample_domain=None):
        """Fit the embedding on source and target rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        y : array-like of shape (n_samples,), default=None
            Labels; ``-1`` (classification) or ``NaN`` (regression) mark target rows when
            ``sample_domain`` is not given.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source rows, negative for target rows.

        Returns
        -------
        self : object
            The fitted adapter.
        """
        self._fit_domains(X, y, sample_domain)
        del self._fit_embedding_
        return self


_COMMON_PARAMS = """kernel : str, default={kernel!r}
        ``"primal"`` learns a linear map ``z = x W`` (a ``d x d`` eigenproblem, the authors'
        ``'primal'``); any other name ("linear", "rbf", "gaussian", "laplacian",
        "polynomial") is a kernel of :mod:`skt.metrics` and the embedding is
        ``z = k(x, X_fit) W`` (an ``n x n`` problem). "linear" and "primal" differ in the
        regulariser: ``mu ||W||^2`` on the ``n`` kernel coefficients or on the ``d x k`` map.
    gamma : float, default=None
        Kernel bandwidth; None means the median heuristic on the training rows (rbf,
        laplacian) or ``1 / n_features`` (polynomial). Not used by "primal" and "linear".
    degree : float, default=3
        Degree of the polynomial kernel.
    coef0 : float, default=1.0
        Constant of the polynomial kernel.
    mu : float > 0, default={mu}
        Weight of the regulariser ``mu ||W||^2`` against the MMD term ``tr(W' K M K W)``, with
        ``M`` scaled to unit Frobenius norm as in the authors' code (so ``mu`` does not depend
        on the domain sizes). Larger values keep more of the data's variance, smaller ones
        shrink the domain gap harder.
    n_landmarks : int, default=None
        Approximate the kernel with this many Nystroem landmarks (a random subset of the
        training rows, stratified by domain): time ``O(n m^2)`` and memory ``O(n m)`` instead
        of an ``n x n`` kernel matrix. None solves the exact problem.
    eigen_solver : {{"auto", "dense", "iterative"}}, default="auto"
        Exact kernel form only: "dense" solves the ``n x n`` problem with ``eigh``;
        "iterative" runs block iterations (block Davidson, to a residual of 1e-8 relative to
        the leading eigenvalue), each two products of the kernel matrix with a block (no other
        ``n x n`` array), and JDA's rounds reuse the search space of the previous ones;
        "auto" is "dense" up to 1,500 training rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the median heuristic's subsample, the landmarks and the iterative solver's
        start block."""

_COMMON_ATTRIBUTES = """coef_ : ndarray of shape (n_features, n_components) or \
(n_fit, n_components)
        The map: ``z = x coef_`` (primal) or ``z = k(x, X_fit_) coef_``.
    X_fit_ : ndarray of shape (n_fit, n_features) or None
        The training rows (exact kernel form) or the landmarks; None for the primal form.
    eigenvalues_ : ndarray of shape (n_components,)
        The generalised eigenvalues ``lambda`` (variance kept per unit of MMD and norm), in
        decreasing order.
    n_components_ : int
        The number of components.
    gamma_ : float or None
        The kernel bandwidth used.
    kernel_params_ : object or None
        The validated kernel (None for the primal form).
    mu_ : float
        The validated ``mu``.
    n_features_in_ : int
        Number of features seen in ``fit``."""


class TCA(_BaseTransferComponents):
    """Transfer Component Analysis: a kernel embedding where the domains' means agree.

    TCA (Pan et al., 2011) looks for ``n_components`` directions in the kernel feature space
    that keep the variance of the pooled rows while shrinking the MMD between the source and
    the target rows. They are the leading solutions of the symmetric generalised eigenproblem
    ``K H K w = lambda (K M K + mu I) w`` (``K`` the kernel matrix of all training rows, ``H``
    the centring matrix, ``M`` the MMD matrix), solved as a symmetric problem: ``M`` has rank
    one, so ``(K M K + mu I)^(-1/2)`` has a closed form and the problem becomes a standard
    symmetric eigenproblem (see the module notes). New rows are embedded through their kernel
    with the training rows (or with the landmarks).

    Parameters
    ----------
    n_components : int, default=30
        Dimension of the embedding. The data allow at most ``min(n_features, n - 1)``
        (primal form and linear kernel; ``n`` training rows, whose centred covariance has rank
        at most ``n - 1``), ``n - 1`` (other kernels) or the number of landmarks; a larger
        value (the default 30 on data with fewer features, say) is lowered to that limit with
        a UserWarning.
    {params}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    JDA : TCA plus class-conditional MMD terms with target pseudo-labels.
    CORAL : match second-order statistics in the input space.

    Notes
    -----
    Rows of several source (target) domains are pooled into one source (target). Source and
    target rows share the embedding, so ``fit_transform(X)`` equals ``fit(X).transform(X)``.
    There is no per-domain mode (as CORAL's ``domain_mode``): the embedding is learned from
    all rows at once and shared by them, and one embedding per source would put each source
    in coordinates of its own. Each component is oriented so that its largest training
    coordinate is positive.

    Constraint and scale. The papers (Pan et al., Long et al.) minimise
    ``tr(W' K L K W) + ... tr(W' W)`` subject to ``W' K H K W = I``: the embedded training rows
    have unit (times ``n``) centred variance along every component. skt solves the same
    generalised eigenproblem but scales each solution by ``w' (K M K + mu I) w = 1`` instead,
    which is ``w' K H K w = lambda``: the directions are the papers', and component ``i`` of
    skt's embedding is ``sqrt(eigenvalues_[i])`` times the papers' (divide by it to recover
    theirs). Why: this normalisation is the one of the symmetric solver (no second pass),
    and it ranks the components by scale as well as order, so the components that keep the
    most variance per unit of MMD also weigh the most in a distance-based classifier
    downstream, and near-degenerate trailing components are small instead of blown up to unit
    variance.

    ``mu`` against the papers' ``mu``. skt's objective is ``tr(W' K M K W) + mu tr(W' W)``
    with ``M = L / ||L||_F``, ``L`` Pan et al.'s MMD matrix (``1/n_s^2``, ``-1/(n_s n_t)``,
    ``1/n_t^2``; ``||L||_F = 1/n_s + 1/n_t``), as in the authors' MATLAB code of JDA/TCA
    (``lambda`` there). Pan et al. (2011) and skada's ``TransferComponentAnalysis`` put their
    ``mu`` on the MMD term instead, ``tr(W' W) + mu_pan tr(W' K L K W)``; the two give the
    same components when ``mu = n_s n_t / ((n_s + n_t) mu_pan)``. A value copied from the
    paper or from skada must be mapped so: ``mu_pan = 1`` with 500 rows per domain is
    ``mu = 250``, and larger ``mu_pan`` (harder MMD reduction) is smaller ``mu``.

    The exact kernel form keeps the ``n x n`` kernel matrix (8 n^2 bytes); use
    ``n_landmarks`` beyond a few thousand rows.

    Sparse input (CSR/CSC) is never densified. The kernel form computes its kernel matrices
    from sparse products of row blocks; the primal form centres implicitly: ``X'HX = X'X - n
    mean mean'`` from sparse products up to 4,096 features, and above that an operator whose
    leading solutions ARPACK finds (``n_components`` below ``n_features``), with no ``d x d``
    matrix. The embedding is dense, ``n_samples x n_components``.

    References
    ----------
    .. [1] S. J. Pan, I. W. Tsang, J. T. Kwok and Q. Yang, "Domain adaptation via transfer
       component analysis", IEEE Transactions on Neural Networks 22(2), 2011.

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("covariate", random_state=0)
    >>> tca = skt.TCA(n_components=2, random_state=0)
    >>> Z = tca.fit_transform(X, sample_domain=sample_domain)
    >>> Z.shape
    (400, 2)
    >>> before = skt.metrics.domain_mmd(X, sample_domain=sample_domain)
    >>> after = skt.metrics.domain_mmd(Z, sample_domain=sample_domain)
    >>> bool(after < before)
    True
    """

    def __init__(
        self,
        n_components=30,
        *,
        kernel="linear",
        gamma=None,
        degree=3,
        coef0=1.0,
        mu=1.0,
        n_landmarks=None,
        eigen_solver="auto",
        random_state=None,
    ):
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.mu = mu
        self.n_landmarks = n_landmarks
        self.eigen_solver = eigen_solver
        self.random_state = random_state

    def _fit(self, domains):
        X = _sparse.as_csr(domains.X, np.float64)
        self._check_params(X[domains.source], X[domains.target])
        state = self._setup(X, domains.source, domains.target)
        E = _mmd_factor(domains.source, domains.target)
        self._fit_embedding_ = self._embed(X, state, E)
        return self


class _BasePseudoLabelled(_BaseTransferComponents):
    """Shared rounds of JDA and BDA (private): embed, pseudo-label the target, embed again.

    Each round solves the embedding for the MMD matrix of :func:`_mmd_factor` with the
    pseudo-labels of the previous round (none in the first round, which is TCA), then refits
    the pseudo-labeller on the embedded source rows. Subclasses set the balance of the terms
    (:meth:`_round_balance`) and whether the class terms are weighted (``_weighted``).
    """

    _weighted = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"preserves_dtype": [np.float64, np.float32], "requires_y": True}

    def _round_balance(self, Z, y_s, pseudo, source, target):
        """The balance of this round; ``Z`` and ``pseudo`` from the last one (None at first)."""
        return 0.5

    def _record_balances(self, balances):
        """Keep the balance of each round (BDA exposes them; JDA's are all 0.5)."""

    def _fit(self, domains):
        caller = type(self).__name__
        if domains.y is None:
            raise ValueError(
                f"{caller} requires y to be passed, but the target y is None: the labels of "
                "the source rows form the class-conditional terms."
            )
        max_iter = check_int(self.max_iter, "max_iter", 1)
        y_s = domains.y_source
        kind = type_of_target(y_s)
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"Unknown label type: {caller} needs class labels on the source rows (binary "
                f"or multiclass); got y of type {kind!r}."
            )
        self.classes_, y_idx = np.unique(y_s, return_inverse=True)
        y_all = np.full(domains.X.shape[0], -1, dtype=np.int64)
        y_all[domains.source] = y_idx
        estimator = self.estimator
        if estimator is None:
            estimator = KNeighborsClassifier(n_neighbors=1)
        if not hasattr(estimator, "fit") or not hasattr(estimator, "predict"):
            raise ValueError(
                f"estimator must be a classifier with fit and predict; got {estimator!r}."
            )

        X = _sparse.as_csr(domains.X, np.float64)
        source, target = domains.source, domains.target
        self._check_params(X[source], X[target])
        state = self._setup(X, source, target)
        pseudo = Z = None
        balances = []
        for it in range(max_iter):
            balance = self._round_balance(Z, y_idx, pseudo, source, target)
            balances.append(balance)
            E = _mmd_factor(
                source, target, y_all, pseudo, self.classes_, balance=balance,
                weighted=self._weighted,
            )
            Z = self._embed(X, state, E)
            est = clone(estimator).fit(Z[source], y_s)
            new = np.searchsorted(self.classes_, est.predict(Z[target]))
            self.n_iter_ = it + 1
            done = pseudo is not None and np.array_equal(new, pseudo)
            pseudo = new
            if done:
                break
        self._record_balances(balances)
        self.estimator_ = est
        self.pseudo_labels_ = self.classes_[pseudo]
        self._fit_embedding_ = Z
        return self


class JDA(_BasePseudoLabelled):
    """Joint Distribution Adaptation: TCA plus class-conditional MMD with pseudo-labels.

    JDA (Long et al., 2013) adds to TCA's marginal MMD one MMD term per class between the source
    rows of that class and the target rows pseudo-labelled with it. The pseudo-labels come from
    ``estimator`` (1-nearest-neighbour by default) trained on the embedded source rows and
    applied to the embedded target rows; the embedding is then solved again with the new
    labels, up to ``max_iter`` times (the paper's ``T``). The eigenproblem is TCA's, with an MMD
    matrix of rank at most ``n_classes + 1``.

    Labels: JDA reads the labels of the source rows (to form the class terms and to train the
    pseudo-labeller) and never the labels of target rows, even when they are present.

    Parameters
    ----------
    n_components : int, default=30
        Dimension of the embedding. The data allow at most ``min(n_features, n - 1)``
        (primal form and linear kernel; ``n`` training rows, whose centred covariance has rank
        at most ``n - 1``), ``n - 1`` (other kernels) or the number of landmarks; a larger
        value (the default 30 on data with fewer features, say) is lowered to that limit with
        a UserWarning.
    {params}
    estimator : classifier, default=None
        Produces the target pseudo-labels; cloned and refitted at each iteration on the
        embedded source rows. None means ``KNeighborsClassifier(n_neighbors=1)``, as in the
        paper.
    max_iter : int, default=10
        Number of pseudo-labelling rounds ``T`` (the first round is TCA). Iterations stop early
        when the pseudo-labels no longer change (the next round would repeat the last one).

    Attributes
    ----------
    {attributes}
    estimator_ : classifier
        The pseudo-labeller fitted on the embedded source rows of the last round.
    pseudo_labels_ : ndarray of shape (n_target_rows,)
        The pseudo-labels of the training target rows from the last round.
    classes_ : ndarray of shape (n_classes,)
        The classes of the source rows.
    n_iter_ : int
        The number of rounds run.

    See Also
    --------
    TCA : the marginal term alone.

    Notes
    -----
    Rows of several source (target) domains are pooled (no per-domain mode, as for
    :class:`TCA`). Source and target rows share the embedding, so ``fit_transform(X)`` equals
    ``fit(X).transform(X)``. The scale of the
    components (``w' (K M K + mu I) w = 1``, not the paper's ``W' K H K W = I``) and the
    meaning of ``mu`` are TCA's (see :class:`TCA`, Notes); a class that no target row is
    pseudo-labelled with keeps its source term, as in the authors' code. The authors' code
    normalises each embedded row to unit length before the 1-nearest-neighbour classifier; to
    do the same, pass ``estimator=make_pipeline(Normalizer(), KNeighborsClassifier(1))`` and
    put a :class:`~sklearn.preprocessing.Normalizer` after JDA in the pipeline.

    Sparse input (CSR/CSC) is never densified. The kernel form computes its kernel matrices
    from sparse products of row blocks; the primal form centres implicitly: ``X'HX = X'X - n
    mean mean'`` from sparse products up to 4,096 features, and above that an operator whose
    leading solutions ARPACK finds (``n_components`` below ``n_features``), with no ``d x d``
    matrix. The embedding is dense, ``n_samples x n_components``.

    References
    ----------
    .. [1] M. Long, J. Wang, G. Ding, J. Sun and P. S. Yu, "Transfer feature learning with joint
       distribution adaptation", ICCV 2013.

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "subspace", n_features=4, random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> jda = skt.JDA(n_components=2, kernel="primal", max_iter=5)
    >>> Z = jda.fit_transform(X, y_train)
    >>> Z.shape, jda.pseudo_labels_.shape
    ((400, 2), (200,))
    """

    def __init__(
        self,
        n_components=30,
        *,
        kernel="linear",
        gamma=None,
        degree=3,
        coef0=1.0,
        mu=1.0,
        n_landmarks=None,
        eigen_solver="auto",
        estimator=None,
        max_iter=10,
        random_state=None,
    ):
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.mu = mu
        self.n_landmarks = n_landmarks
        self.eigen_solver = eigen_solver
        self.estimator = estimator
        self.max_iter = max_iter
        self.random_state = random_state


for _cls in (TCA, JDA):
    _cls.__doc__ = _cls.__doc__.format(
        params=_COMMON_PARAMS.format(
            kernel="linear", mu=1.0
        ),
        attributes=_COMMON_ATTRIBUTES,
    )
del _cls
