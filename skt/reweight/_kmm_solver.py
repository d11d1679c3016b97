"""The quadratic program of Kernel Mean Matching, solved by skt's own solvers (private).

KMM's weights ``b`` solve

    minimise    f(b) = 1/2 b' K b - kappa' b
    subject to  0 <= b_i <= B,   lower <= sum(b) <= upper

with ``K`` the (positive semi-definite) source kernel matrix. Two solvers are here, both with an
optimality certificate: the Frank-Wolfe duality gap ``g'b - min_{z feasible} g'z`` (``g`` the
gradient), which bounds ``f(b) - f*`` from above for any feasible ``b``. A solver stops when
the gap is at most ``tol * |f(b)|``: the objective it returns is then within ``tol`` (relative)
of the optimum, whatever the conditioning of ``K``.

- :func:`solve_dense` -- sequential minimal optimisation (SMO) on a dense ``K``, the method of
  LIBSVM. The slab ``lower <= sum(b) <= upper`` becomes an equality ``sum(b) + s = upper`` with a
  slack ``0 <= s <= upper - lower`` that has no cost, so each step moves mass between two
  variables (two weights, or a weight and the slack) and keeps every constraint exactly. The
  pair is chosen by the second-order rule of Fan, Chen and Lin (2005); a step costs two rows of
  ``K``. Variables stuck at a bound are set aside ("shrinking") and checked again before the
  solver stops.
- :func:`solve_factored` -- accelerated projected gradient (FISTA with adaptive restart) for
  ``K = Phi Phi'`` given by a factor ``Phi`` of shape (n, r): a gradient costs two products with
  ``Phi``, O(n r), and each step projects exactly onto the feasible set
  (:func:`project_box_slab`).

The Numba kernels trust their input; :func:`solve_dense` and :func:`solve_factored` are called
by :mod:`skt.reweight._kmm` after validation.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skt._numba import njit, prange

__all__ = [
    "KMMSolution",
    "frank_wolfe_gap",
    "project_box_slab",
    "solve_dense",
    "solve_factored",
]


@dataclass(frozen=True)
class KMMSolution:
    """Result of a KMM solver.

    Attributes
    ----------
    weights : ndarray of float64 of shape (n,)
        The weights ``b``; feasible to rounding (bounds exactly, the sum within 1e-9 relative).
    objective : float
        ``f(b) = 1/2 b'Kb - kappa'b``.
    gap : float
        Frank-Wolfe duality gap at ``b``: an upper bound on ``f(b) - f*``.
    n_iter : int
        Pair updates (dense solver) or gradient steps (factored solver).
    converged : bool
        Whether ``gap <= tol * |objective|`` was reached.
    """

    weights: np.ndarray
    objective: float
    gap: float
    n_iter: int
    converged: bool


# --------------------------------------------------------------------------------------------
# Projection onto the box-and-slab set, and the Frank-Wolfe gap
# --------------------------------------------------------------------------------------------


# Plain loops in place of np.partition, np.max, np.min, np.sum and np.arange: Numba compiles
# those generically (its sorts are a dozen nested functions each), and on a first call in a
# fresh environment their compilation was about a third of the solver's (event timings of the
# default ``skt compare``, ``benchmarks/bench_threads.py --part first``).


@njit
def _select(a, k):
    """Reorder ``a`` in place so that ``a[k]`` is its ``k``-th smallest (0-based) entry.

    Afterwards ``a[:k] <= a[k] <= a[k + 1:]``. Wirth's selection (Hoare's partition around the
    median of three entries): O(n) expected, and a fraction of a sort's compilation.
    """
    lo, hi = 0, a.shape[0] - 1
    while lo < hi:
        x, y, z = a[lo], a[k], a[hi]
        pivot = max(min(x, y), min(max(x, y), z))  # the median of the three
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while pivot < a[j]:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if j < k:
            lo = i
        if k < i:
            hi = j


@njit(inline="always")
def _max(v):
    m = v[0]
    for i in range(1, v.shape[0]):
        if v[i] > m:
            m = v[i]
    return m


@njit(inline="always")
def _min(v):
    m = v[0]
    for i in range(1, v.shape[0]):
        if v[i] < m:
            m = v[i]
    return m


@njit(inline="always")
def _sum(v):
    s = 0.0
    for i in range(v.shape[0]):
        s += v[i]
    return s


@njit(inline="always")
def _iota(n):
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        out[i] = i
    return out


@njit(inline="always")
def _clipped_sum(v, mu, B):
    """``sum(clip(v - mu, 0, B))`` and the number of entries strictly inside (0, B)."""
    s = 0.0
    n_free = 0
    for i in range(v.shape[0]):
        x = v[i] - mu
        if x >= B:
            s += B
        elif x > 0.0:
            s += x
            n_free += 1
    return s, n_free


@njit
def _project_box_slab(v, B, lower, upper, out):
    """Euclidean projection of ``v`` onto {0 <= x <= B, lower <= sum(x) <= upper}.

    The projection is ``clip(v - mu, 0, B)`` for the multiplier ``mu`` of the sum constraint
    (``mu = 0`` when the clipped ``v`` already satisfies it). ``s(mu) = sum(clip(v - mu, 0, B))``
    is piecewise linear and non-increasing, so ``mu`` is found by Newton steps on it, safeguarded
    by a bracket (bisection when a step leaves it): each Newton step is exact on a linear piece,
    and the search ends when the step no longer changes ``mu``. Writes into ``out`` and returns
    ``mu``. Assumes ``lower <= n B`` (the set is not empty).
    """
    n = v.shape[0]
    s, n_free = _clipped_sum(v, 0.0, B)
    mu = 0.0
    if s > upper or s < lower:
        target = upper if s > upper else lower
        if s > upper:
            lo, hi = 0.0, _max(v)  # s(lo) > target >= s(hi) = 0
        else:
            lo, hi = _min(v) - B, 0.0  # s(lo) = n B >= target > s(hi)
        for _ in range(200):
            if s > target:
                lo = mu
            elif s < target:
                hi = mu
            else:
                break
            if n_free > 0:
                step = mu + (s - target) / n_free
            else:
                step = 0.5 * (lo + hi)
            if not (lo < step < hi):
                step = 0.5 * (lo + hi)
            if step == mu:
                break
            mu = step
            s, n_free = _clipped_sum(v, mu, B)
    for i in range(n):
        x = v[i] - mu
        out[i] = B if x >= B else (x if x > 0.0 else 0.0)
    return mu


def project_box_slab(v, B, lower, upper):
    """Euclidean projection onto ``{0 <= x <= B, lower <= sum(x) <= upper}``.

    Parameters
    ----------
    v : ndarray of float64 of shape (n,)
        Point to project.
    B : float
        Upper bound of each entry (positive).
    lower, upper : float
        Bounds of the sum, ``0 <= lower <= upper`` and ``lower <= n B``.

    Returns
    -------
    x : ndarray of float64 of shape (n,)
        The projection, ``clip(v - mu, 0, B)`` for the multiplier ``mu`` of the sum.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.reweight._kmm_solver import project_box_slab
    >>> project_box_slab(np.array([1.5, 1.0, -1.0]), 2.0, 0.0, 2.0)  # mu = 0.25
    array([1.25, 0.75, 0.  ])
    """
    v = np.ascontiguousarray(v, dtype=np.float64)
    out = np.empty_like(v)
    _project_box_slab(v, float(B), float(lower), float(upper), out)
    return out


@njit
def _frank_wolfe_gap(b, g, B, lower, upper):
    """``g'b - min g'z`` over {0 <= z <= B, lower <= sum(z) <= upper}.

    The minimiser is greedy: fill the entries of smallest gradient up to ``B`` each, taking
    those with a negative gradient while the sum is below ``upper`` and any further ones only
    while it is below ``lower``. It therefore fills ``amount = max(min(B n_neg, upper), lower)``
    (``n_neg`` negative entries): the ``k = amount // B`` smallest entries to ``B`` and the next
    one to the rest, found by selection rather than a sort.
    """
    n = g.shape[0]
    n_neg = 0
    for i in range(n):
        if g[i] < 0.0:
            n_neg += 1
    amount = max(min(B * n_neg, upper), lower)
    k = min(int(amount / B), n)
    rest = amount - k * B
    work = g.copy()  # O(n), beside the O(n^2) gradient of every check
    gz = 0.0
    if k < n:
        _select(work, k)
        gz = rest * work[k]
    smallest = 0.0
    for i in range(k):
        smallest += work[i]
    gz += B * smallest
    gb = 0.0
    for i in range(b.shape[0]):
        gb += g[i] * b[i]
    return max(gb - gz, 0.0)


def frank_wolfe_gap(b, g, B, lower, upper):
    """Frank-Wolfe duality gap of the KMM problem at a feasible ``b`` with gradient ``g``.

    For a convex objective the gap bounds the suboptimality: ``f(b) - f* <= gap``.

    Parameters
    ----------
    b : ndarray of float64 of shape (n,)
        Feasible point.
    g : ndarray of float64 of shape (n,)
        Gradient of the objective at ``b`` (``K b - kappa``).
    B, lower, upper : float
        The constraints, as in :func:`project_box_slab`.

    Returns
    -------
    gap : float
        Non-negative.
    """
    b = np.ascontiguousarray(b, dtype=np.float64)
    g = np.ascontiguousarray(g, dtype=np.float64)
    return float(_frank_wolfe_gap(b, g, float(B), float(lower), float(upper)))


# --------------------------------------------------------------------------------------------
# Dense solver: SMO with a slack variable for the slab
# --------------------------------------------------------------------------------------------

_TAU = 1e-12  # curvature floor of a pair (duplicate rows give a zero curvature)


# serial: SMO recomputes the full gradient only at its convergence checks and refreshes (a few
# times a solve, a small share of it even at n = 20,000), and a parallel kernel here made the
# solver's first-call compilation about 0.6 CPU-s (11%) longer (a Numba parfor and its gufunc)
@njit
def _gradient(K, b, kappa, g):
    """``g = K b - kappa`` (float64 accumulation for float32 ``K``)."""
    n = b.shape[0]
    for i in range(n):
        acc = 0.0
        for t in range(n):
            acc += K[i, t] * b[t]
        g[i] = acc - kappa[i]


@njit
def _objective(b, g, kappa):
    """``f(b) = 1/2 b'Kb - kappa'b`` from ``g = K b - kappa``: ``1/2 b'(g - kappa)``."""
    f = 0.0
    for i in range(b.shape[0]):
        f += b[i] * (g[i] - kappa[i])
    return 0.5 * f


@njit
def _select_first(b, g, active, n_active, s, Cs, B):
    """The variable that most wants to grow (``i``, ``m = -g_i``) and ``M = min -g`` of those
    that can shrink, over the active variables and the slack (index -1, gradient 0).

    ``i = -2`` when no variable can grow.
    """
    m = -np.inf
    i = -2
    M = np.inf
    for k in range(n_active):
        t = active[k]
        mg = -g[t]
        if b[t] < B and mg > m:
            m = mg
            i = t
        if b[t] > 0.0 and mg < M:
            M = mg
    if s < Cs and 0.0 > m:
        m = 0.0
        i = -1
    if s > 0.0 and 0.0 < M:
        M = 0.0
    return i, m, M


@njit
def _select_second(K, diag, b, g, active, n_active, i, m, s):
    """Second-order choice of the variable that gives mass to ``i`` (Fan, Chen and Lin, 2005).

    Among the variables that can shrink and have ``-g_j < m``, the one maximising
    ``(m + g_j)^2 / a_ij``, the decrease of a full step, with ``a_ij = K_ii + K_jj - 2 K_ij``
    (the slack, index -1, has no curvature of its own). ``-2`` when there is none.
    """
    best = -1.0
    j = -2
    if i >= 0:
        Kii = diag[i]
        for k in range(n_active):
            t = active[k]
            diff = m + g[t]
            if b[t] > 0.0 and diff > 0.0:
                a = max(Kii + diag[t] - 2.0 * K[i, t], _TAU)
                gain = diff * diff / a
                if gain > best:
                    best = gain
                    j = t
        if s > 0.0 and m > 0.0 and m * m / max(Kii, _TAU) > best:
            j = -1
    else:
        for k in range(n_active):
            t = active[k]
            diff = m + g[t]
            if b[t] > 0.0 and diff > 0.0:
                gain = diff * diff / max(diag[t], _TAU)
                if gain > best:
                    best = gain
                    j = t
    return j


@njit
def _update(K, b, g, active, n_active, i, j, d, s, Cs, B):
    """``g += d (K[i] - K[j])`` over the active variables, fused with :func:`_select_first`."""
    m = -np.inf
    i_next = -2
    M = np.inf
    for k in range(n_active):
        t = active[k]
        if i >= 0 and j >= 0:
            g[t] += d * (K[i, t] - K[j, t])
        elif i >= 0:
            g[t] += d * K[i, t]
        else:
            g[t] -= d * K[j, t]
        mg = -g[t]
        if b[t] < B and mg > m:
            m = mg
            i_next = t
        if b[t] > 0.0 and mg < M:
            M = mg
    if s < Cs and 0.0 > m:
        m = 0.0
        i_next = -1
    if s > 0.0 and 0.0 < M:
        M = 0.0
    return i_next, m, M


@njit
def _shrink(b, g, active, n_active, m, M, B):
    """Set aside the variables at a bound whose gradient keeps them there.

    A weight at 0 with ``-g < M`` can be neither end of a violating pair (it cannot shrink,
    and it grows only if ``-g`` exceeds every ``-g`` of the shrinkable ones); likewise a weight
    at ``B`` with ``-g > m``. Returns the new active count (the kept indices first, in order).
    """
    kept = 0
    for k in range(n_active):
        t = active[k]
        mg = -g[t]
        if (b[t] <= 0.0 and mg < M) or (b[t] >= B and mg > m):
            continue
        active[kept] = t
        kept += 1
    return kept


@njit
def _smo(K, kappa, b, B, lower, upper, tol, max_iter, shrink_every):
    """SMO on ``b`` in place. Returns ``(n_iter, objective, gap, converged)``.

    Convergence is tested with the exact Frank-Wolfe gap on a fresh gradient (``K b - kappa``
    computed anew, so that rounding accumulated by the updates cannot fake convergence), once
    the cheap test ``upper (m - M) <= tol |f|`` passes on the active variables: the mass moved
    from the shrinking variables (``-g >= M``) to the growing ones (``-g <= m``) by any feasible
    change is at most ``upper``, so this bounds the gap of the active subproblem.
    """
    n = b.shape[0]
    Cs = upper - lower
    s = min(max(upper - _sum(b), 0.0), Cs)
    diag = np.empty(n)
    for t in range(n):
        diag[t] = K[t, t]
    g = np.empty(n)
    _gradient(K, b, kappa, g)
    f = _objective(b, g, kappa)
    active = _iota(n)
    n_active = n
    it = 0
    since_shrink = 0
    next_check = 0  # no full check before this iteration (after a failed one)
    unshrunk = False
    next_refresh = 10 * n
    i, m, M = _select_first(b, g, active, n_active, s, Cs, B)
    while True:
        bound = upper * (m - M)
        near_end = not unshrunk and bound <= 10.0 * tol * max(abs(f), 1e-300)
        if n_active < n and (near_end or it >= next_refresh):
            # bring every variable back with a fresh gradient: once close to the end (as LIBSVM
            # does), and every 10 n steps, so that a slow active subproblem cannot keep a
            # wrongly shrunk variable out for good
            unshrunk = unshrunk or near_end
            next_refresh = it + 10 * n
            _gradient(K, b, kappa, g)
            f = _objective(b, g, kappa)
            active = _iota(n)
            n_active = n
            since_shrink = 0
            i, m, M = _select_first(b, g, active, n_active, s, Cs, B)
            continue
        cheap = i == -2 or bound <= tol * max(abs(f), 1e-300)
        if (cheap and it >= next_check) or it >= max_iter:
            _gradient(K, b, kappa, g)
            f = _objective(b, g, kappa)
            gap = _frank_wolfe_gap(b, g, B, lower, upper)
            done = gap <= tol * max(abs(f), 1e-300)
            if done or it >= max_iter:
                return it, f, gap, done
            next_check = it + shrink_every
            active = _iota(n)  # un-shrink, go on with the fresh gradient
            n_active = n
            since_shrink = 0
            i, m, M = _select_first(b, g, active, n_active, s, Cs, B)
        j = -2 if i == -2 else _select_second(K, diag, b, g, active, n_active, i, m, s)
        if j == -2:
            # no pair decreases the objective: stationary up to rounding
            _gradient(K, b, kappa, g)
            f = _objective(b, g, kappa)
            gap = _frank_wolfe_gap(b, g, B, lower, upper)
            return it, f, gap, gap <= tol * max(abs(f), 1e-300)
        gi = g[i] if i >= 0 else 0.0
        gj = g[j] if j >= 0 else 0.0
        if i >= 0 and j >= 0:
            a = diag[i] + diag[j] - 2.0 * K[i, j]
        elif i >= 0:
            a = diag[i]
        else:
            a = diag[j]
        a = max(a, _TAU)
        # move d > 0 of mass from j to i (-g_i = m > -g_j), land exactly on a bound it reaches
        room_i = (B - b[i]) if i >= 0 else (Cs - s)
        room_j = b[j] if j >= 0 else s
        d = min((gj - gi) / a, room_i, room_j)
        if i >= 0:
            b[i] = B if d == room_i else b[i] + d
        else:
            s = Cs if d == room_i else s + d
        if j >= 0:
            b[j] = 0.0 if d == room_j else b[j] - d
        else:
            s = 0.0 if d == room_j else s - d
        f += d * (gi - gj) + 0.5 * d * d * a
        # gradient over the active variables (the others are refreshed before stopping)
        i, m, M = _update(K, b, g, active, n_active, i, j, d, s, Cs, B)
        it += 1
        since_shrink += 1
        if since_shrink >= shrink_every:
            since_shrink = 0
            n_active = _shrink(b, g, active, n_active, m, M, B)


def _check_convergence(solution, tol, what):
    if not solution.converged:
        rel = solution.gap / max(abs(solution.objective), 1e-300)
        warnings.warn(
            f"{what} did not converge in {solution.n_iter} iterations: the duality gap reached "
            f"{solution.gap:.3g} ({rel:.3g} of |objective|), above tol={tol:g}. Increase "
            "max_iter, or loosen tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return solution


def solve_dense(K, kappa, *, B, lower, upper, tol=1e-6, max_iter=None, b0=None):
    """Solve KMM's QP for a dense kernel matrix by SMO.

    Parameters
    ----------
    K : ndarray of shape (n, n)
        Symmetric positive semi-definite, C-contiguous float64 or float32 (the solver reads it,
        accumulating in float64).
    kappa : ndarray of float64 of shape (n,)
        Linear term.
    B : float
        Upper bound of each weight.
    lower, upper : float
        Bounds of ``sum(b)``.
    tol : float, default=1e-6
        Stop when the duality gap is at most ``tol * |f(b)|``.
    max_iter : int, default=None
        Maximum number of pair updates; None means ``1000 * n``.
    b0 : ndarray of shape (n,), default=None
        Starting point, projected onto the feasible set; None starts from ones.

    Returns
    -------
    solution : KMMSolution
        A ConvergenceWarning is raised (with the reached gap) when ``tol`` is not met.
    """
    n = kappa.shape[0]
    kappa = np.ascontiguousarray(kappa, dtype=np.float64)
    b = project_box_slab(np.ones(n) if b0 is None else b0, B, lower, upper)
    max_iter = 1000 * n if max_iter is None else int(max_iter)
    shrink_every = max(min(n, 1000), 10)
    it, f, gap, converged = _smo(
        K, kappa, b, float(B), float(lower), float(upper), float(tol), max_iter, shrink_every
    )
    solution = KMMSolution(b, float(f), float(gap), int(it), bool(converged))
    return _check_convergence(solution, tol, "KMM's QP solver (SMO)")


# --------------------------------------------------------------------------------------------
# Factored solver: FISTA with adaptive restart, K = Phi Phi'
# --------------------------------------------------------------------------------------------


@njit
def _image_rows(Phi, v, i0, i1, acc):
    """``acc += Phi[i0:i1]' v[i0:i1]`` (float64 accumulation)."""
    r = Phi.shape[1]
    for i in range(i0, i1):
        vi = v[i]
        if vi != 0.0:
            for k in range(r):
                acc[k] += vi * Phi[i, k]


@njit
def _image(Phi, v, out):
    """``out = Phi' v`` (float64 accumulation)."""
    out[:] = 0.0
    _image_rows(Phi, v, 0, Phi.shape[0], out)


@njit(parallel=True)
def _image_parallel(Phi, v, out):
    """:func:`_image` on threads: row chunks, their partial sums added in a fixed order."""
    n, r = Phi.shape
    n_chunks = 16
    partial = np.zeros((n_chunks, r))
    for c in prange(n_chunks):
        _image_rows(Phi, v, c * n // n_chunks, (c + 1) * n // n_chunks, partial[c])
    out[:] = 0.0
    for c in range(n_chunks):
        for k in range(r):
            out[k] += partial[c, k]


@njit
def _back(Phi, w, out):
    """``out = Phi w`` (float64 accumulation)."""
    n, r = Phi.shape
    for i in range(n):
        acc = 0.0
        for k in range(r):
            acc += Phi[i, k] * w[k]
        out[i] = acc


@njit(parallel=True)
def _back_parallel(Phi, w, out):
    """:func:`_back` on threads."""
    n, r = Phi.shape
    for i in prange(n):
        acc = 0.0
        for k in range(r):
            acc += Phi[i, k] * w[k]
        out[i] = acc


# below this many entries of Phi, waking threads for each product costs more than it saves
# (on a busy machine, much more)
_PARALLEL_MIN_SIZE = 1 << 23


@njit(calls_parallel=True)
def _products(Phi, parallel, v, out_r, w, out_n):
    """``out_r = Phi' v`` (when ``v`` is given) and ``out_n = Phi w`` (when ``w`` is)."""
    if v is not None:
        if parallel:
            _image_parallel(Phi, v, out_r)
        else:
            _image(Phi, v, out_r)
    if w is not None:
        if parallel:
            _back_parallel(Phi, w, out_n)
        else:
            _back(Phi, w, out_n)


@njit
def _dot(a, b):
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i] * b[i]
    return acc


@njit(calls_parallel=True)
def _fista(Phi, kappa, reg, x, B, lower, upper, tol, max_iter, parallel):
    """FISTA with adaptive restart and backtracking on ``x`` in place.

    The objective is ``1/2 |Phi'x|^2 + reg/2 |x|^2 - kappa'x``.

    Returns ``(n_iter, objective, gap, converged)``. The images ``Phi' x`` of the iterates are
    computed afresh at each step (never updated), so that no rounding drift builds up; the
    gap is tested every 10 steps.
    """
    n, r = Phi.shape
    wx = np.empty(r)
    wy = np.empty(r)
    w_new = np.empty(r)
    gy = np.empty(n)
    y = x.copy()
    x_new = np.empty(n)
    v = np.empty(n)
    _products(Phi, parallel, x, wx, None, gy)
    fx = 0.5 * (_dot(wx, wx) + reg * _dot(x, x)) - _dot(kappa, x)
    wy[:] = wx
    # first step size: power iterations on Phi'Phi (backtracking corrects it)
    u = np.ones(r) / np.sqrt(r)
    L = 1e-12
    for _ in range(10):
        _products(Phi, parallel, None, w_new, u, v)
        _products(Phi, parallel, v, u, None, gy)
        L = max(np.sqrt(_dot(u, u)), 1e-12)
        u /= L
    L += reg
    t = 1.0
    it = 0
    gap = np.inf
    while it < max_iter:
        _products(Phi, parallel, None, w_new, wy, gy)
        for i in range(n):
            gy[i] += reg * y[i] - kappa[i]
        while True:
            for i in range(n):
                v[i] = y[i] - gy[i] / L
            _project_box_slab(v, B, lower, upper, x_new)
            _products(Phi, parallel, x_new, w_new, None, gy)
            dd = 0.0
            for i in range(n):
                dd += (x_new[i] - y[i]) ** 2
            dw = 0.0
            for k in range(r):
                dw += (w_new[k] - wy[k]) ** 2
            # f(y + d) <= f(y) + g'd + L/2 |d|^2  <=>  |Phi'd|^2 + reg |d|^2 <= L |d|^2
            if dw + reg * dd <= L * dd * (1.0 + 1e-9) or dd == 0.0:
                break
            L *= 2.0
        f_new = 0.5 * (_dot(w_new, w_new) + reg * _dot(x_new, x_new)) - _dot(kappa, x_new)
        it += 1
        if f_new > fx:
            # adaptive restart: the momentum overshot; step again from x
            y[:] = x
            wy[:] = wx
            t = 1.0
            continue
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_new
        for i in range(n):
            y[i] = x_new[i] + beta * (x_new[i] - x[i])
            x[i] = x_new[i]
        for k in range(r):
            wy[k] = w_new[k] + beta * (w_new[k] - wx[k])
            wx[k] = w_new[k]
        fx = f_new
        t = t_new
        if it % 10 == 0:
            _products(Phi, parallel, None, w_new, wx, v)
            for i in range(n):
                v[i] += reg * x[i] - kappa[i]
            gap = _frank_wolfe_gap(x, v, B, lower, upper)
            if gap <= tol * max(abs(fx), 1e-300):
                return it, fx, gap, True
    _products(Phi, parallel, x, wx, None, v)
    fx = 0.5 * (_dot(wx, wx) + reg * _dot(x, x)) - _dot(kappa, x)
    _products(Phi, parallel, None, w_new, wx, v)
    for i in range(n):
        v[i] += reg * x[i] - kappa[i]
    gap = _frank_wolfe_gap(x, v, B, lower, upper)
    return it, fx, gap, gap <= tol * max(abs(fx), 1e-300)


def solve_factored(Phi, kappa, *, B, lower, upper, reg=0.0, tol=1e-4, max_iter=None, b0=None):
    """Solve KMM's QP for ``K = Phi Phi' + reg I`` by accelerated projected gradient.

    FISTA (Beck and Teboulle, 2009) with the adaptive restart of O'Donoghue and Candes (2015)
    and a step found by backtracking: no bound on ``||Phi||^2`` is needed in advance. A step
    costs two products with ``Phi`` (O(n r)) and one projection (O(n)).

    Parameters
    ----------
    Phi : ndarray of shape (n, r)
        Factor of the kernel matrix, C-contiguous float64 or float32 (products accumulate in
        float64).
    kappa : ndarray of float64 of shape (n,)
        Linear term.
    B, lower, upper : float
        The constraints.
    reg : float, default=0.0
        Ridge added to the factored kernel matrix (non-negative).
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * |f(b)|`` (tested every 10 steps).
    max_iter : int, default=None
        Maximum number of gradient steps; None means 5000.
    b0 : ndarray of shape (n,), default=None
        Starting point, projected onto the feasible set; None starts from ones.

    Returns
    -------
    solution : KMMSolution
        A ConvergenceWarning is raised (with the reached gap) when ``tol`` is not met.
    """
    n, r = Phi.shape
    kappa = np.ascontiguousarray(kappa, dtype=np.float64)
    max_iter = 5000 if max_iter is None else int(max_iter)
    x = project_box_slab(np.ones(n) if b0 is None else b0, B, lower, upper)
    parallel = n * r >= _PARALLEL_MIN_SIZE
    it, f, gap, converged = _fista(
        Phi, kappa, float(reg), x, float(B), float(lower), float(upper), float(tol), max_iter,
        parallel,
    )
    solution = KMMSolution(x, float(f), float(gap), int(it), bool(converged))
    return _check_convergence(solution, tol, "KMM's QP solver (accelerated projected gradient)")
