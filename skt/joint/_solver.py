"""The closed form shared by ARTL and MEDA (private).

Both learn ``f(x) = sum_i alpha_i k(x_i, x)`` over every training row by minimising

    sum_{source i} ||y_i - f(x_i)||^2 + sigma ||f||_K^2
        + lambda tr(F' M F) + rho tr(F' L F),        F = K alpha,

(squared loss on the source labels, the kernel norm, the MMD of the marginals and of the
pseudo-labelled class conditionals with MMD matrix ``M``, and the manifold term with graph
Laplacian ``L``), whose minimiser is

    alpha = ((E + lambda M + rho L) K + sigma I)^(-1) E Y

(Long et al., 2014, equation 20; Wang et al., 2018, equation 12), ``E`` the diagonal mask of
the source rows and ``Y`` the one-hot source labels. Only ``M`` changes from one
pseudo-labelling round to the next, and it has low rank, ``M = U U'`` with at most
``n_classes + 1`` columns (:func:`skt.alignment._tca._mmd_factor`). So the solver factors
``B = (E + rho L) K + sigma I`` once (LU) and solves each round by the Woodbury identity,
``(B + lambda U (K U)')^(-1)``: one ``n^3`` factorisation per fit instead of one per round.

With a Nystroem kernel ``K = Phi Phi'`` (``Phi`` of shape (n, r)), the predictor is
``f(x) = phi(x)' w`` with ``w = Phi' alpha``, and the push-through identity gives

    w = (sigma I_r + Phi' (E + lambda M + rho L) Phi)^(-1) Phi' E Y,

an ``r x r`` symmetric system: time ``O(n r^2)``, memory ``O(n r)``.

Nystroem alone drops the part of the kernel that no landmark spans: for a row ``i`` that is
not a landmark, ``(Phi Phi')_ii < k(x_i, x_i)``. For kernels with a large "nugget" (an RBF
kernel on unit rows in hundreds of dimensions is close to ``c 1 1' + (1 - c) I``) that lost
diagonal is most of what the exact kernel holds beyond the constant, and the low-rank model is
then a different, smoother model. So the solver keeps it: ``K ~ Phi Phi' + D`` with ``D =
diag(k(x_i, x_i) - ||phi_i||^2)`` (exact on the diagonal, as the FITC approximation of
Gaussian processes). In feature form, ``F = Phi w + D^(1/2) v``, and the system in ``(w, v)``
is ``Psi' A Psi + sigma I`` with ``Psi = [Phi, D^(1/2)]`` and ``A = E + lambda U U' + rho L``.
Its part without the MMD term is solved by block elimination: the ``n x n`` block ``G0 =
D^(1/2) (E + rho L) D^(1/2) + sigma I`` is sparse, symmetric positive definite with
eigenvalues in ``[sigma, sigma + max(D) (1 + 2 rho)]``, so conjugate gradients converge in a
few tens of sparse products; the MMD term is a rank ``n_classes + 1`` update (Woodbury).
Time ``O(n r^2 + n_iter nnz(L) r)``, memory ``O(n r)``; the predictor on new rows is ``f(x) =
phi(x)' w`` (the diagonal belongs to the training rows alone, as ``k(x_i, x)`` for ``x !=
x_i``).
"""
import warnings

import numpy as np
from scipy import linalg, sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize

from ..alignment._tca import _mmd_factor

__all__ = ["knn_laplacian", "mmd_factor", "kernel_diagonal", "JointSolver"]


def knn_laplacian(X, n_neighbors):
    """Normalised graph Laplacian ``I - D^(-1/2) W D^(-1/2)`` of the cosine kNN graph.

    As the authors' ``lapgraph`` (``Metric='Cosine'``, ``NeighborMode='KNN'``,
    ``WeightMode='Cosine'``): each row is joined to its ``n_neighbors`` nearest rows by cosine
    similarity and to itself, with the cosine similarity as weight, and ``W = max(W, W')``.
    Negative similarities (possible after centring) are clipped to 0, so that ``L`` stays
    positive semi-definite.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The rows.
    n_neighbors : int
        Neighbours of each row besides itself; at most ``n - 1`` are used.

    Returns
    -------
    L : scipy.sparse.csr_matrix of shape (n, n)
    """
    n = X.shape[0]
    Xn = normalize(X)
    k = min(n_neighbors, n - 1) + 1
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(Xn)
    dist, idx = nn.kneighbors(Xn)  # Euclidean on unit rows: cos = 1 - dist^2 / 2
    weight = np.clip(1.0 - 0.5 * dist**2, 0.0, None)
    rows = np.repeat(np.arange(n), k)
    W = sparse.csr_matrix((weight.ravel(), (rows, idx.ravel())), shape=(n, n))
    W = W.maximum(W.T)
    W.setdiag(1.0)  # each row is its own neighbour (ties among duplicate rows aside)
    d = 1.0 / np.sqrt(np.asarray(W.sum(axis=1)).ravel())
    Dm = sparse.diags(d)
    return (sparse.identity(n, format="csr") - Dm @ W @ Dm).tocsr()


def mmd_factor(source, target, y, pseudo, classes, mu=None):
    """``U`` with ``M = U U'``: marginal and class-conditional MMD, balanced by ``mu``.

    ``mu=None`` gives ARTL's ``M = n_classes M_0 + sum_c M_c``; a number in [0, 1] gives
    MEDA's dynamic distribution alignment ``(1 - mu) n_classes M_0 + mu sum_c M_c``. Either is
    scaled to unit Frobenius norm, as in the authors' code. A class without a pseudo-labelled
    target row keeps its source part, as in the authors' ``MEDA.m`` and ``ARRLS.m``
    (``e(isinf(e)) = 0`` zeroes only the empty target part). ``y`` holds class indices on the
    source rows, ``pseudo`` on the target rows. This is JDA's and BDA's matrix
    (:func:`skt.alignment._tca._mmd_factor`), whose ``balance`` is MEDA's ``mu`` (ARTL's
    ``M`` is the balance 0.5, up to the normalisation).
    """
    return _mmd_factor(source, target, y, pseudo, classes, balance=0.5 if mu is None else mu)


def kernel_diagonal(Z, params):
    """``k(x_i, x_i)`` for every row of ``Z`` (a validated kernel of :mod:`skt.metrics`)."""
    if params.translation_invariant:
        return np.ones(Z.shape[0])
    sq = np.einsum("ij,ij->i", Z, Z)
    if params.kernel == "linear":
        return sq
    return (params.gamma * sq + params.coef0) ** params.degree


def _block_cg(G, B, *, scale=None, tol=1e-7, max_iter=1000, chunk=128):
    """Solve ``G X = B`` column by column with Jacobi-preconditioned conjugate gradients.

    ``G`` is a sparse symmetric positive definite matrix; the columns of ``B`` are solved
    together (one sparse product per iteration for a block of columns), ``chunk`` at a time
    to bound the memory; ``scale`` (n,) solves for ``scale[:, None] * B`` without forming it.
    Stops when every column's residual is below ``tol`` times its
    right-hand side; a column that does not get there in ``max_iter`` iterations is a
    warning that states the residual reached, not a silent result.
    """
    inv_diag = (1.0 / G.diagonal())[:, None]
    X = np.empty_like(B)
    worst = 0.0
    for start in range(0, B.shape[1], chunk):
        b = B[:, start:start + chunk]
        if scale is not None:
            b = b * scale[:, None]
        b_norm = np.linalg.norm(b, axis=0)
        b_norm[b_norm == 0] = 1.0
        x = b * inv_diag
        r = b - G @ x
        z = r * inv_diag
        p = z.copy()
        rz = np.einsum("ij,ij->j", r, z)
        for _ in range(max_iter):
            if (np.sqrt(np.einsum("ij,ij->j", r, r)) / b_norm).max() <= tol:
                break
            Gp = G @ p
            pGp = np.einsum("ij,ij->j", p, Gp)
            step = np.divide(rz, pGp, out=np.zeros_like(rz), where=pGp > 0)
            x += p * step
            Gp *= step
            r -= Gp
            np.multiply(r, inv_diag, out=z)
            rz_new = np.einsum("ij,ij->j", r, z)
            beta = np.divide(rz_new, rz, out=np.zeros_like(rz), where=rz > 0)
            p *= beta
            p += z
            rz = rz_new
        worst = max(worst, float((np.linalg.norm(r, axis=0) / b_norm).max()))
        X[:, start:start + chunk] = x
    if worst > 10 * tol:
        warnings.warn(
            f"the conjugate-gradient solve of the low-rank kernel's diagonal part stopped at a "
            f"relative residual of {worst:.1e} after {max_iter} iterations; the solution is "
            "approximate (a larger alpha makes the system better conditioned).",
            UserWarning,
            stacklevel=3,
        )
    return X


class JointSolver:
    """Solves ``((E + lambda U U' + rho L) K + sigma I) alpha = E Y`` for several ``U``.

    Parameters
    ----------
    K : ndarray of shape (n, n) or None
        The kernel matrix (exact form); kept (not modified) for ``F = K alpha``.
    Phi : ndarray of shape (n, r) or None
        Nystroem features (low-rank form, ``K = Phi Phi'``); exactly one of ``K`` and
        ``Phi`` is given.
    diagonal : ndarray of shape (n,) or None
        With ``Phi``: ``k(x_i, x_i) - ||phi_i||^2``, the diagonal the landmarks miss; the
        solver then uses ``K = Phi Phi' + diag(diagonal)``. None (or all zeros): ``Phi Phi'``.
    source : ndarray of bool of shape (n,)
        The source rows (``E``).
    L : sparse matrix of shape (n, n) or None
        The graph Laplacian; None when ``rho = 0``.
    lam, rho, sigma : float
        The weights; ``sigma > 0``.
    """

    def __init__(self, *, K=None, Phi=None, diagonal=None, source, L, lam, rho, sigma):
        self.source = source
        self.lam = lam
        self.K = K
        self.Phi = Phi
        if K is not None:
            B = np.zeros_like(K) if L is None or rho == 0 else rho * np.asarray(L @ K)
            B[source] += K[source]
            B[np.diag_indices_from(B)] += sigma
            self.lu = linalg.lu_factor(B, overwrite_a=True, check_finite=False)
        else:
            # Phi' (E + rho L) Phi as one product with the sparse E + rho L
            A = sparse.diags(source.astype(np.float64))
            if L is not None and rho != 0:
                A = (A + rho * L).tocsr()
            A_Phi = np.asarray(A @ Phi)
            self.s = None
            if diagonal is not None and np.max(diagonal, initial=0.0) > 0:
                # K ~ Phi Phi' + D: eliminate v with G0 = D^(1/2) A D^(1/2) + sigma I
                s = np.sqrt(np.clip(diagonal, 0.0, None))
                Sd = sparse.diags(s)
                self.G0 = (Sd @ A @ Sd + sigma * sparse.identity(len(s))).tocsr()
                # X1 = G0^(-1) D^(1/2) A Phi, and the Schur complement
                # Phi' A Phi - (D^(1/2) A Phi)' X1 = (A Phi)' (Phi - D^(1/2) X1): one n r^2
                # product (A is symmetric)
                self.X1 = _block_cg(self.G0, A_Phi, scale=s)
                W = Phi - s[:, None] * self.X1
                S = A_Phi.T @ W
                del W
                S = (S + S.T) / 2
                S[np.diag_indices_from(S)] += sigma
                self.s = s
            else:
                S = Phi.T @ A_Phi
                S = (S + S.T) / 2
                S[np.diag_indices_from(S)] += sigma
            del A_Phi
            self.S = S
            self.cho = linalg.cho_factor(S, check_finite=False) if self.s is not None else None

    def solve(self, U, Y):
        """``alpha`` (exact) or ``w = Phi' alpha`` (low rank), and the training outputs ``F``.

        Parameters
        ----------
        U : ndarray of shape (n, q)
            The MMD factor of this round.
        Y : ndarray of shape (n, n_classes)
            One-hot labels on the source rows, zeros on the others.

        Returns
        -------
        coef : ndarray of shape (n, n_classes) or (r, n_classes)
        F : ndarray of shape (n, n_classes)
            ``K alpha`` on the training rows.
        """
        b = Y * self.source[:, None]
        if self.K is None and self.s is not None:
            return self._solve_corrected(U, b)
        if self.K is None:
            Phi = self.Phi
            S = self.S
            if self.lam != 0:
                PU = Phi.T @ U
                S = S + self.lam * (PU @ PU.T)
            w = linalg.solve(S, Phi.T @ b, assume_a="pos", check_finite=False)
            return w, Phi @ w
        alpha = linalg.lu_solve(self.lu, b, check_finite=False)
        if self.lam != 0:
            # Woodbury: (B + lam U V')^-1 = B^-1 - B^-1 U (I / lam + V' B^-1 U)^-1 V' B^-1
            V = self.K @ U
            BU = linalg.lu_solve(self.lu, U, check_finite=False)
            small = np.eye(U.shape[1]) / self.lam + V.T @ BU
            alpha = alpha - BU @ linalg.solve(small, V.T @ alpha, check_finite=False)
        return alpha, self.K @ alpha

    def _solve_base(self, p, t):
        """Solve the system without the MMD term for the right-hand side ``[p; t]``."""
        a = linalg.cho_solve(self.cho, p - self.X1.T @ t, check_finite=False)
        return a, _block_cg(self.G0, t) - self.X1 @ a

    def _solve_corrected(self, U, b):
        """``w`` and ``F = Phi w + D^(1/2) v`` for ``K = Phi Phi' + D`` (Woodbury on ``U``)."""
        Phi, s = self.Phi, self.s
        p, t = Phi.T @ b, s[:, None] * b
        k = b.shape[1]
        if self.lam == 0:
            w, v = self._solve_base(p, t)
        else:
            Vp, Vt = Phi.T @ U, s[:, None] * U
            a, c = self._solve_base(np.hstack([p, Vp]), np.hstack([t, Vt]))
            small = np.eye(U.shape[1]) / self.lam + Vp.T @ a[:, k:] + Vt.T @ c[:, k:]
            rhs = Vp.T @ a[:, :k] + Vt.T @ c[:, :k]
            coef = linalg.solve(small, rhs, check_finite=False)
            w = a[:, :k] - a[:, k:] @ coef
            v = c[:, :k] - c[:, k:] @ coef
        return w, Phi @ w + s[:, None] * v


def dense_reference(K, source, L, U, Y, lam, rho, sigma):
    """The closed form by one dense solve (the reference the tests and benchmark compare)."""
    n = K.shape[0]
    E = np.diag(source.astype(float))
    Ld = np.zeros((n, n)) if L is None else np.asarray(L.todense())
    A = (E + lam * (U @ U.T) + rho * Ld) @ K + sigma * np.eye(n)
    return np.linalg.solve(A, E @ Y)
