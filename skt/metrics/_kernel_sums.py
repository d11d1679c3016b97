"""Blockwise kernel sums: the engine under MMD, KMM, TCA and JDA (private, documented).

Other skt modules import from here:

- :func:`kernel_matrix` -- a dense kernel matrix, computed blockwise in parallel, for methods
  where a dense matrix is the right tool (TCA, JDA on moderate sizes);
- :func:`kernel_row_means` -- ``k(X, Y).mean(axis=1)`` without forming the matrix (KMM's linear
  term ``kappa``);
- :func:`kernel_matvec` -- ``k(X, Y) @ v`` for a vector or a matrix ``v``, without forming
  ``k(X, Y)``;
- :func:`_check_kernel_params` -- validation of a kernel name and its parameters, shared by every
  public function that takes ``kernel=, gamma=, degree=, coef0=``.

These functions trust their input (2-D C-contiguous float32 or float64 arrays of one dtype,
or SciPy sparse rows of that dtype, finite, validated by the public caller) and return dense
arrays of that dtype. Sparse rows are never densified: a block of kernel values comes from the
sparse product of two row blocks and the rows' squared norms (RBF), or from scikit-learn's
sparse L1 distances (Laplacian).

How the work is done
--------------------
The pairs ``(x_i, y_j)`` are cut into blocks of at most 512 x 512. For each block, the inner
products ``G = X_I @ Y_J.T`` come from BLAS (most of the flops), and a Numba kernel of
:mod:`skt.metrics._kernels` turns ``G`` into kernel values and reduces them in the same pass
(squared distances ``||x||^2 + ||y||^2 - 2 <x, y>`` on data centred by a common shift, then a
vectorised exponential). Blocks are spread over threads (``numba.get_num_threads()`` of them),
each running single-threaded BLAS and the GIL-free Numba kernels, and the results of the blocks
are combined in a fixed order, so that a result does not depend on the number of threads.
Memory beyond the inputs is a few blocks per thread plus O((n + m) d) for the centred copies.
"""

import itertools
import numbers
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
from scipy.spatial.distance import pdist
from sklearn.utils import check_random_state

from skt import _sparse
from skt._threads import blas_threads
from skt._threads import pool_threads as get_num_threads
from skt.metrics import _kernels, _validation

__all__ = [
    "KernelParams",
    "kernel_matrix",
    "kernel_matvec",
    "kernel_row_means",
    "median_heuristic",
]

BLOCK = 512

KERNELS = ("rbf", "gaussian", "laplacian", "linear", "polynomial")
_ALIASES = {"gaussian": "rbf"}


# --------------------------------------------------------------------------------------------
# Kernel parameters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KernelParams:
    """A validated kernel: name and parameters, as returned by :func:`_check_kernel_params`.

    Attributes
    ----------
    kernel : {"rbf", "laplacian", "linear", "polynomial"}
        Canonical name (``"gaussian"`` resolves to ``"rbf"``).
    gammas : ndarray of float64 of shape (n_gammas,)
        Bandwidths (one for a single kernel, several for a multi-kernel statistic). Empty for
        the linear kernel.
    degree : float
        Degree of the polynomial kernel.
    coef0 : float
        Constant of the polynomial kernel.
    multiple : bool
        True when ``gamma`` was given as a sequence (the caller returns one value per gamma).
    """

    kernel: str
    gammas: np.ndarray
    degree: float = 3.0
    coef0: float = 1.0
    multiple: bool = False

    @property
    def int_degree(self):
        """The degree as an int if it is a whole number, else -1."""
        d = self.degree
        return int(d) if float(d).is_integer() else -1

    @property
    def gamma(self):
        """The single bandwidth (``gammas[0]``), or None for the linear kernel."""
        return float(self.gammas[0]) if self.gammas.size else None

    @property
    def translation_invariant(self):
        return self.kernel in ("rbf", "laplacian")


def _check_kernel_name(kernel):
    if not isinstance(kernel, str) or kernel.lower() not in KERNELS:
        raise ValueError(
            f"kernel must be one of {', '.join(repr(k) for k in KERNELS)}; got kernel={kernel!r}."
        )
    kernel = kernel.lower()
    return _ALIASES.get(kernel, kernel)


def _check_gamma_value(g, name="gamma"):
    if (
        isinstance(g, bool)
        or not isinstance(g, numbers.Real)
        or not np.isfinite(g)
        or g <= 0
    ):
        shown = float(g) if isinstance(g, numbers.Real) and not isinstance(g, bool) else g
        raise ValueError(f"{name} must be a positive finite number; got {name}={shown!r}.")
    return float(g)


def _check_kernel_params(
    kernel, gamma, degree=3, coef0=1.0, X=None, Y=None, random_state=None, *, multiple=True
):
    """Validate a kernel name and its parameters, resolving ``gamma=None``.

    Parameters
    ----------
    kernel : {"rbf", "gaussian", "laplacian", "linear", "polynomial"}
        Kernel name (case-insensitive).
    gamma : float, sequence of float or None
        Bandwidth. None resolves to :func:`median_heuristic` on ``X`` and ``Y`` for "rbf" and
        "laplacian", and to ``1 / n_features`` for "polynomial" (scikit-learn's default). The
        linear kernel takes no gamma (it must be None).
    degree : float, default=3
        Degree of the polynomial kernel; must be positive.
    coef0 : float, default=1.0
        Constant of the polynomial kernel; must be finite.
    X, Y : ndarray, default=None
        Data for ``gamma=None`` (``X`` is required then, except for the linear kernel).
    random_state : int, RandomState instance or None, default=None
        Seed of the median heuristic's subsample.
    multiple : bool, default=True
        Whether a sequence of gammas is accepted.

    Returns
    -------
    params : KernelParams
    """
    name = _check_kernel_name(kernel)
    if name == "linear":
        if gamma is not None:
            raise ValueError(
                f"The linear kernel takes no gamma; got gamma={gamma!r}. Pass gamma=None."
            )
        return KernelParams("linear", np.empty(0), float(degree), float(coef0), False)

    if isinstance(gamma, np.ndarray) and gamma.ndim == 0:
        gamma = gamma.item()
    is_seq = not isinstance(gamma, (numbers.Number, np.ndarray)) and gamma is not None
    is_seq = is_seq or (isinstance(gamma, np.ndarray) and gamma.ndim > 0)
    if is_seq:
        if not multiple:
            raise ValueError(f"gamma must be a single positive number here; got gamma={gamma!r}.")
        try:
            seq = list(gamma)
        except TypeError:
            raise ValueError(
                f"gamma must be a positive finite number, None or a sequence of them; got "
                f"gamma={gamma!r}."
            ) from None
        if len(seq) == 0:
            raise ValueError("gamma is an empty sequence; give at least one bandwidth.")
        gammas = np.array([_check_gamma_value(g) for g in seq], dtype=np.float64)
    elif gamma is None:
        if X is None:
            raise ValueError(f"gamma=None needs data to resolve it for kernel={kernel!r}.")
        if name == "polynomial":
            g = 1.0 / X.shape[1]
        else:
            g = median_heuristic(X, Y, kernel=name, random_state=random_state)
        gammas = np.array([g])
    else:
        gammas = np.array([_check_gamma_value(gamma)])

    if name == "polynomial":
        if (
            isinstance(degree, bool)
            or not isinstance(degree, numbers.Real)
            or not np.isfinite(degree)
            or degree <= 0
        ):
            raise ValueError(f"degree must be a positive number; got degree={degree!r}.")
        if isinstance(coef0, bool) or not isinstance(coef0, numbers.Real) or not np.isfinite(
            coef0
        ):
            raise ValueError(f"coef0 must be a finite number; got coef0={coef0!r}.")
    return KernelParams(name, gammas, float(degree), float(coef0), bool(is_seq))


def _as_params(kernel, gamma, degree, coef0):
    """KernelParams for the private functions: no data-dependent default, one gamma."""
    if isinstance(kernel, KernelParams):
        return kernel
    name = _check_kernel_name(kernel)
    if name == "linear":
        return KernelParams("linear", np.empty(0), float(degree), float(coef0), False)
    if gamma is None:
        raise ValueError(f"gamma must be given for kernel={kernel!r}; got gamma=None.")
    return KernelParams(name, np.array([_check_gamma_value(gamma)]), float(degree), float(coef0))


# --------------------------------------------------------------------------------------------
# Median heuristic
# --------------------------------------------------------------------------------------------


def _subsample_rows(n_x, n_y, max_samples, random_state):
    """Sorted indices into the pooled rows ``[X; Y]`` (all of them if there are few)."""
    n = n_x + n_y
    if max_samples is None or n <= max_samples:
        return np.arange(n)
    rng = check_random_state(random_state)
    return np.sort(rng.choice(n, size=max_samples, replace=False))


def _heuristic_sample(X, Y, max_samples, random_state):
    """The pooled rows (or a subsample of them) as float64, for NumPy or Dask input."""
    arrays = [X] if Y is None else [X, Y]
    names = ["X", "Y"][: len(arrays)]
    dask = [_validation.is_dask(A) for A in arrays]
    if not any(dask):
        arrays = [_validation.check_sample(A, nm) for A, nm in zip(arrays, names, strict=True)]
    for A, nm in zip(arrays, names, strict=True):
        if A.ndim != 2:
            raise ValueError(f"{nm} must be 2-D; got shape {A.shape}.")
        if any(np.isnan(A.shape)):
            raise ValueError(
                f"{nm} has unknown chunk sizes; call {nm}.compute_chunk_sizes() first."
            )
    if len(arrays) == 2:
        _validation.check_n_features(*arrays)
    n_x = arrays[0].shape[0]
    n_y = arrays[1].shape[0] if len(arrays) == 2 else 0
    idx = _subsample_rows(n_x, n_y, max_samples, random_state)
    parts = [arrays[0][idx[idx < n_x]]]
    if n_y:
        parts.append(arrays[1][idx[idx >= n_x] - n_x])
    if any(_sparse.issparse(P) for P in parts):
        # stays sparse: the distances come from sparse products (see _pairwise_distances)
        return _sparse.vstack(parts).astype(np.float64)
    parts = [np.asarray(P) for P in parts]
    if any(dask):  # only the subsample was read: validate it now
        parts = [
            _validation.check_sample(P, nm) if P.shape[0] else P
            for P, nm in zip(parts, names, strict=True)
        ]
    return np.vstack(parts).astype(np.float64, copy=False)


def _pairwise_distances(Z, name):
    """Condensed distances of the rows of ``Z`` (squared L2 for "rbf", L1 for "laplacian").

    Sparse rows: from the Gram matrix and the row norms (squared L2) or scikit-learn's sparse
    L1 distances, so that no dense copy of the rows is formed.
    """
    if not _sparse.issparse(Z):
        return pdist(Z, "sqeuclidean" if name == "rbf" else "cityblock")
    upper = np.triu_indices(Z.shape[0], 1)
    if name == "rbf":
        sq = _sparse.row_sqnorms(Z)
        D = _sparse.dense(Z @ Z.T)
        D *= -2.0
        D += sq[:, None]
        D += sq[None, :]
        return np.maximum(D[upper], 0.0)
    from sklearn.metrics.pairwise import manhattan_distances

    return manhattan_distances(Z)[upper]


def median_heuristic(X, Y=None, *, max_samples=1000, kernel="rbf", random_state=None):
    """Bandwidth ``gamma`` of the median heuristic.

    ``gamma = 1 / median(||z_i - z_j||^2)`` over the distinct pairs ``i < j`` of rows ``z`` of
    the pooled sample ``[X; Y]`` (for ``kernel="laplacian"``, the L1 distance
    ``||z_i - z_j||_1`` replaces the squared distance). With the Gaussian kernel
    ``exp(-gamma ||x - y||^2)`` of scikit-learn, this sets the kernel to ``exp(-1)`` at the
    median squared distance. (Another convention in the literature is ``sigma = median
    distance`` with ``gamma = 1 / (2 sigma^2)``, half of this value.)

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
        First sample (a NumPy or Dask array, or SciPy sparse rows: the distances then come
        from sparse products, without a dense copy of the subsample).
    Y : {array-like, sparse matrix} of shape (n_samples_Y, n_features), default=None
        Second sample, pooled with ``X``.
    max_samples : int or None, default=1000
        When the pooled sample has more rows, the median is taken over a random subsample of
        this many rows (drawn without replacement). None uses every row (quadratic cost).
    kernel : {"rbf", "gaussian", "laplacian"}, default="rbf"
        Which distance the kernel uses.
    random_state : int, RandomState instance or None, default=None
        Seed of the subsample, for reproducible results.

    Returns
    -------
    gamma : float
        The bandwidth, to pass as ``gamma=`` to :func:`skt.metrics.mmd` or scikit-learn's
        ``rbf_kernel``. Multiply it by factors (e.g. ``[0.25, 1, 4]``) for a multi-kernel MMD.

    Raises
    ------
    ValueError
        When the median distance is zero (more than half of the pairs of rows are equal): no
        bandwidth follows; pass gamma explicitly.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.metrics import median_heuristic
    >>> X = np.array([[0.0], [1.0], [3.0]])
    >>> median_heuristic(X)  # squared distances 1, 4, 9: median 4
    0.25
    """
    name = _check_kernel_name(kernel)
    if name not in ("rbf", "laplacian"):
        raise ValueError(
            f"median_heuristic supports kernel='rbf' and 'laplacian'; got kernel={kernel!r}."
        )
    _validation.check_max_samples(max_samples)
    Z = _heuristic_sample(X, Y, max_samples, random_state)
    if Z.shape[0] < 2:
        raise ValueError(
            f"The median heuristic needs at least 2 rows in X and Y together; got {Z.shape[0]}."
        )
    dist = _pairwise_distances(Z, name)
    med = float(np.median(dist))
    if not med > 0:
        raise ValueError(
            "The median heuristic found a median distance of 0 (more than half of the pairs of "
            "rows are equal), so it gives no bandwidth; pass gamma explicitly."
        )
    return 1.0 / med


# --------------------------------------------------------------------------------------------
# Threads
# --------------------------------------------------------------------------------------------


# below this many kernel evaluations, a call runs in the calling thread (starting workers
# would cost more than it saves)
_MIN_PARALLEL_WORK = 2**18

_pool_lock = threading.Lock()
_pool = None


def _get_pool(n_threads):
    """A process-wide pool of worker threads, created on first use and reused."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers != n_threads:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(n_threads, thread_name_prefix="skt-kernels")
        return _pool


def _after_fork_in_child():
    # a forked child has none of the parent's threads: forget the pool and the locks
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _run_tasks(fn, n_tasks, n_threads=None, work=None):
    """``[fn(t, scratch) for t in range(n_tasks)]`` computed on a pool of threads.

    ``scratch`` is a dict private to the worker (for reusable buffers). Tasks are taken in order
    from a shared counter; the results are returned in task order, so that combining them in
    that order gives the same floating-point result for any number of threads. ``work`` (an
    estimate of the kernel evaluations) keeps small calls in the calling thread. ``fn`` must not
    call ``_run_tasks`` itself.
    """
    if n_threads is None:
        n_threads = get_num_threads()
    if work is not None and work < _MIN_PARALLEL_WORK:
        n_threads = 1
    n_threads = max(1, min(n_threads, n_tasks))
    results = [None] * n_tasks
    with blas_threads(1):
        if n_threads == 1:
            scratch = {}
            for t in range(n_tasks):
                results[t] = fn(t, scratch)
            return results
        counter = itertools.count()
        failed = threading.Event()

        def worker():
            scratch = {}
            for t in iter(counter.__next__, None):
                if t >= n_tasks or failed.is_set():
                    return
                try:
                    results[t] = fn(t, scratch)
                except BaseException:
                    failed.set()
                    raise

        pool = _get_pool(numba.get_num_threads())  # the largest count: never resized
        futures = [pool.submit(worker) for _ in range(n_threads)]
        for f in futures:
            f.result()
    return results


def _blocks(n, size=None):
    """Consecutive ranges ``(start, stop)`` of at most ``size`` (default :data:`BLOCK`) rows."""
    size = BLOCK if size is None else size
    return [(s, min(s + size, n)) for s in range(0, n, size)]


def _buffer(scratch, key, shape, dtype):
    """A buffer of at least ``shape`` from the thread's scratch dict, as a C-contiguous view."""
    size = int(np.prod(shape))
    buf = scratch.get((key, dtype))
    if buf is None or buf.size < size:
        buf = np.empty(max(size, 1), dtype=dtype)
        scratch[(key, dtype)] = buf
    return buf[:size].reshape(shape)


# --------------------------------------------------------------------------------------------
# Operands: the per-kernel preparation of X and Y, done once per call
# --------------------------------------------------------------------------------------------


class _Operand:
    """Rows of one side, prepared for a kernel: centred copy and squared norms for RBF.

    Sparse rows (CSR/CSC) stay sparse, in CSR: they are not centred (a centred copy would be
    dense), their squared norms come from the sparse rows, and a block of kernel values is made
    from a sparse product of two row blocks.
    """

    def __init__(self, X, params, shift=None):
        self.sparse = _sparse.issparse(X)
        if self.sparse:
            X = X.tocsr()
        elif params.kernel == "rbf" and shift is not None:
            X = X - shift.astype(X.dtype, copy=False)
        self.X = X
        self.dtype = X.dtype
        self.sqnorms = None
        if params.kernel == "rbf" and self.sparse:
            self.sqnorms = _sparse.row_sqnorms(X).astype(X.dtype)
        elif params.kernel == "rbf":
            self.sqnorms = np.einsum("ij,ij->i", X, X)
            if not np.isfinite(self.sqnorms).all():
                raise ValueError(
                    f"Squared norms of the rows overflow {X.dtype} (values up to "
                    f"{float(np.abs(X).max()):.3g} after centring); rescale the data."
                )

    def __len__(self):
        return self.X.shape[0]


def _shift_for(params, *arrays):
    """A common shift (the mean of the rows) that improves the accuracy of ``||x - y||^2``."""
    if params.kernel != "rbf" or any(_sparse.issparse(a) for a in arrays):
        return None
    n = sum(a.shape[0] for a in arrays)
    total = sum(a.sum(axis=0, dtype=np.float64) for a in arrays)
    return total / n


def _gram_block(A, B, I, J, scratch, key="G"):
    """``A[I] @ B[J].T`` into a reusable C-contiguous buffer."""
    (i0, i1), (j0, j1) = I, J
    out = _buffer(scratch, key, (i1 - i0, j1 - j0), A.dtype)
    if _sparse.issparse(A) or _sparse.issparse(B):
        out[...] = _sparse.dense(A[i0:i1] @ B[j0:j1].T)
    else:
        np.dot(A[i0:i1], B[j0:j1].T, out=out)
    return out


def _l1_distances(A, B):
    """``||a_i - b_j||_1`` of two blocks of rows (sparse or dense), dtype of ``A``."""
    from sklearn.metrics.pairwise import manhattan_distances

    return manhattan_distances(A, B).astype(A.dtype, copy=False)


def _block_rowsums(a, b, I, J, v, params, mgammas, scratch):
    """``R[i, g] = sum_{j in J} v[j] k_g(a_i, b_j)`` for the rows i of I (float64)."""
    (i0, i1), (j0, j1) = I, J
    out = np.zeros((i1 - i0, mgammas.shape[0]))
    kernel = params.kernel
    if kernel == "rbf":
        G = _gram_block(a.X, b.X, I, J, scratch)
        _kernels.rbf_rowsums(G, a.sqnorms[i0:i1], b.sqnorms[j0:j1], v[j0:j1], mgammas, out)
    elif kernel == "laplacian" and (a.sparse or b.sparse):
        D = _l1_distances(a.X[i0:i1], b.X[j0:j1])
        for g, mg in enumerate(mgammas):
            out[:, g] = np.exp(mg * D) @ v[j0:j1]
    elif kernel == "laplacian":
        BT = np.ascontiguousarray(b.X[j0:j1].T)
        _kernels.laplacian_rowsums(a.X[i0:i1], BT, v[j0:j1], mgammas, out)
    elif kernel == "polynomial":
        G = _gram_block(a.X, b.X, I, J, scratch)
        _kernels.polynomial_rowsums(
            G, v[j0:j1], -mgammas, a.dtype.type(params.coef0), params.degree,
            params.int_degree, out,
        )
    else:  # linear
        G = _gram_block(a.X, b.X, I, J, scratch)
        out[:, 0] = G @ v[j0:j1]
    return out


def _block_values(a, b, I, J, params, scratch, key="K"):
    """Kernel values of the block (I, J), in a reusable buffer of the data's dtype."""
    (i0, i1), (j0, j1) = I, J
    kernel = params.kernel
    if kernel == "laplacian" and (a.sparse or b.sparse):
        K = _buffer(scratch, key, (i1 - i0, j1 - j0), a.dtype)
        np.exp(a.dtype.type(-params.gammas[0]) * _l1_distances(a.X[i0:i1], b.X[j0:j1]), out=K)
        return K
    if kernel == "laplacian":
        K = _buffer(scratch, key, (i1 - i0, j1 - j0), a.dtype)
        BT = np.ascontiguousarray(b.X[j0:j1].T)
        _kernels.laplacian_fill(a.X[i0:i1], BT, a.dtype.type(-params.gammas[0]), K)
        return K
    K = _gram_block(a.X, b.X, I, J, scratch, key)
    if kernel == "rbf":
        _kernels.rbf_fill(K, a.sqnorms[i0:i1], b.sqnorms[j0:j1], a.dtype.type(-params.gammas[0]))
    elif kernel == "polynomial":
        dt = a.dtype.type
        _kernels.polynomial_fill(
            K, dt(params.gammas[0]), dt(params.coef0), params.degree, params.int_degree
        )
    return K


# --------------------------------------------------------------------------------------------
# Weighted sums sum_ij wa_i wb_j k(a_i, b_j): the three terms of MMD^2
# --------------------------------------------------------------------------------------------


def _pair_tasks(n_a, n_b, symmetric):
    """Block pairs (I, J, factor): all pairs, or I <= J with factor 2 off the diagonal."""
    rows, cols = _blocks(n_a), _blocks(n_b)
    if symmetric:
        return [
            (rows[p], rows[q], 1.0 if p == q else 2.0)
            for p in range(len(rows))
            for q in range(p, len(rows))
        ]
    return [(I, J, 1.0) for I in rows for J in cols]


def weighted_kernel_sums(pairs, params, n_threads=None):
    """Weighted sums ``sum_ij wa_i wb_j k_g(a_i, b_j)`` for several pairs in one pool run.

    Parameters
    ----------
    pairs : list of (a, b, wa, wb)
        ``a`` and ``b`` are :class:`_Operand`; ``b is a`` (with ``wb is wa``) marks a symmetric
        sum, of which only the blocks on and above the diagonal are computed.
    params : KernelParams
        The kernel; ``params.gammas`` may hold several bandwidths.

    Returns
    -------
    sums : list of ndarray of float64 of shape (n_gammas,)
        One per pair (of shape (1,) for the linear kernel).
    """
    tasks = []
    for p, (a, b, *_) in enumerate(pairs):
        tasks.extend((p, I, J, f) for I, J, f in _pair_tasks(len(a), len(b), a is b))
    ng = max(1, params.gammas.shape[0])
    # weights and negated bandwidths in the dtype of the data, for the kernels
    typed = []
    for a, _, wa, wb in pairs:
        mg = -params.gammas if params.gammas.size else np.zeros(1)
        typed.append((np.asarray(wa, np.float64), np.asarray(wb, a.dtype), mg.astype(a.dtype)))

    def task(t, scratch):
        p, I, J, factor = tasks[t]
        a, b, _, _ = pairs[p]
        wa, wb, mg = typed[p]
        R = _block_rowsums(a, b, I, J, wb, params, mg, scratch)
        return factor * (wa[I[0]:I[1]] @ R)

    work = sum((I[1] - I[0]) * (J[1] - J[0]) for _, I, J, _ in tasks)
    results = _run_tasks(task, len(tasks), n_threads, work=work)
    sums = [np.zeros(ng) for _ in pairs]
    for (p, *_), r in zip(tasks, results, strict=True):
        sums[p] += r
    return sums


# --------------------------------------------------------------------------------------------
# Public-but-private API: kernel_matrix, kernel_row_means, kernel_matvec
# --------------------------------------------------------------------------------------------


def _prepare_pair(X, Y, params):
    if Y is None:
        shift = _shift_for(params, X)
        a = _Operand(X, params, shift)
        return a, a
    shift = _shift_for(params, X, Y)
    return _Operand(X, params, shift), _Operand(Y, params, shift)


#: Tasks a blockwise computation is split into, whatever the number of threads.
_MIN_TASKS = 16


def _column_groups(n_rows, n_cols, min_tasks=_MIN_TASKS):
    """Split the column blocks into contiguous groups, one task per (row block, group).

    Enough groups to make about ``min_tasks`` tasks (so that every thread gets work even when
    X has few rows); the split depends on the sizes only, never on the number of threads, so
    that results are reproducible bit for bit.
    """
    cols = _blocks(n_cols)
    n_groups = int(np.clip(-(-min_tasks // len(_blocks(n_rows))), 1, len(cols)))
    bounds = np.linspace(0, len(cols), n_groups + 1).round().astype(int)
    return [cols[bounds[g]:bounds[g + 1]] for g in range(n_groups)]


def kernel_matrix(X, Y=None, *, kernel="rbf", gamma=None, degree=3, coef0=1.0, n_threads=None):
    """Dense kernel matrix ``K[i, j] = k(x_i, y_j)``, computed blockwise in parallel.

    Use it where a dense matrix is the right tool (an eigenproblem on a few thousand rows);
    :func:`kernel_row_means` and :func:`kernel_matvec` avoid the matrix.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        C-contiguous float32 or float64 array (trusted: not validated).
    Y : ndarray of shape (m, d), default=None
        Same dtype as ``X``; None means ``Y = X``.
    kernel : {"rbf", "gaussian", "laplacian", "linear", "polynomial"}, default="rbf"
        ``exp(-gamma ||x - y||^2)``, ``exp(-gamma ||x - y||_1)``, ``<x, y>`` or
        ``(gamma <x, y> + coef0) ** degree``, as in :mod:`sklearn.metrics.pairwise`. A
        :class:`KernelParams` is also accepted (then gamma, degree and coef0 are ignored).
    gamma : float
        Bandwidth (required except for the linear kernel, which takes None).
    degree, coef0 : float
        Parameters of the polynomial kernel.
    n_threads : int, default=None
        Threads to use; None means ``numba.get_num_threads()``.

    Returns
    -------
    K : ndarray of shape (n, m)
        Dtype of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.metrics._kernel_sums import kernel_matrix
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> kernel_matrix(X, gamma=1.0)
    array([[1.        , 0.36787944],
           [0.36787944, 1.        ]])
    """
    params = _as_params(kernel, gamma, degree, coef0)
    a, b = _prepare_pair(X, Y, params)
    n, m = len(a), len(b)
    K = np.empty((n, m), dtype=a.dtype)
    n_threads = get_num_threads() if n_threads is None else n_threads
    # row slabs (contiguous in K), about 16 of them so that every thread gets a few; their
    # height depends on n only, never on the number of threads: BLAS rounds a row of a product
    # differently with the height of the block it sits in, and KMM's solution (a flat optimum)
    # moved by up to 1 in a weight when the slabs followed the thread count
    rows = _blocks(n, int(np.clip(-(-n // _MIN_TASKS), min(16, BLOCK), BLOCK)))
    dt = a.dtype.type
    sparse = a.sparse or b.sparse
    BT = None
    if params.kernel == "laplacian" and not sparse:
        BT = np.ascontiguousarray(b.X.T)
    elif sparse:
        BT = b.X.T.tocsc() if b.sparse else b.X.T

    def task(t, scratch):
        i0, i1 = rows[t]
        out = K[i0:i1]
        if params.kernel == "laplacian" and sparse:
            np.exp(dt(-params.gammas[0]) * _l1_distances(a.X[i0:i1], b.X), out=out)
            return None
        if params.kernel == "laplacian":
            _kernels.laplacian_fill(a.X[i0:i1], BT, dt(-params.gammas[0]), out)
            return None
        if sparse:
            out[...] = _sparse.dense(a.X[i0:i1] @ BT)
        else:
            np.dot(a.X[i0:i1], b.X.T, out=out)
        if params.kernel == "rbf":
            _kernels.rbf_fill(out, a.sqnorms[i0:i1], b.sqnorms, dt(-params.gammas[0]))
        elif params.kernel == "polynomial":
            _kernels.polynomial_fill(
                out, dt(params.gammas[0]), dt(params.coef0), params.degree, params.int_degree
            )
        return None

    _run_tasks(task, len(rows), n_threads, work=n * m)
    return K


def kernel_matvec(X, Y, v, *, kernel="rbf", gamma=None, degree=3, coef0=1.0, n_threads=None):
    """``k(X, Y) @ v`` without forming ``k(X, Y)``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        C-contiguous float32 or float64 array (trusted: not validated).
    Y : ndarray of shape (m, d)
        Same dtype as ``X``.
    v : ndarray of shape (m,) or (m, p)
        Vector or matrix to multiply.
    kernel, gamma, degree, coef0 :
        As in :func:`kernel_matrix`.
    n_threads : int, default=None
        Threads to use; None means ``numba.get_num_threads()``.

    Returns
    -------
    Kv : ndarray of shape (n,) or (n, p)
        Dtype of ``X``. A 1-D ``v`` is reduced in the fused kernel (no block of kernel values
        is written); a 2-D ``v`` multiplies blocks of kernel values with BLAS.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.metrics._kernel_sums import kernel_matvec
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> kernel_matvec(X, X, np.array([1.0, -1.0]), gamma=1.0)
    array([ 0.63212056, -0.63212056])
    """
    params = _as_params(kernel, gamma, degree, coef0)
    a, b = _prepare_pair(X, Y, params)
    v = np.asarray(v)
    one_d = v.ndim == 1
    V = np.ascontiguousarray(v, dtype=a.dtype)
    n_threads = get_num_threads() if n_threads is None else n_threads
    rows = _blocks(len(a))
    groups = _column_groups(len(a), len(b))
    tasks = [(I, g) for I in rows for g in groups]
    mg = (-params.gammas).astype(a.dtype) if params.gammas.size else np.zeros(1, a.dtype)

    if params.kernel == "linear":
        out = _sparse.matmul(a.X, _sparse.matmul(b.X.T, V))
        return out.astype(a.dtype, copy=False)

    def task(t, scratch):
        I, group = tasks[t]
        if one_d:
            acc = np.zeros((I[1] - I[0], 1))
            for J in group:
                acc += _block_rowsums(a, b, I, J, V, params, mg, scratch)
            return acc[:, 0]
        acc = np.zeros((I[1] - I[0], V.shape[1]), dtype=np.float64)
        for J in group:
            K = _block_values(a, b, I, J, params, scratch)
            acc += K @ V[J[0]:J[1]]
        return acc

    results = _run_tasks(task, len(tasks), n_threads, work=len(a) * len(b))
    out = np.zeros((len(a),) + V.shape[1:], dtype=np.float64)
    for (I, _), r in zip(tasks, results, strict=True):
        out[I[0]:I[1]] += r
    return out.astype(a.dtype, copy=False)


def kernel_row_means(X, Y, *, kernel="rbf", gamma=None, degree=3, coef0=1.0, n_threads=None):
    """Row means ``k(X, Y).mean(axis=1)`` without forming ``k(X, Y)``.

    KMM's linear term ``kappa_i = (n / m) sum_j k(x_i, y_j)`` is ``n * kernel_row_means(X, Y)``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        C-contiguous float32 or float64 array (trusted: not validated).
    Y : ndarray of shape (m, d)
        Same dtype as ``X``.
    kernel, gamma, degree, coef0 :
        As in :func:`kernel_matrix`.
    n_threads : int, default=None
        Threads to use; None means ``numba.get_num_threads()``.

    Returns
    -------
    means : ndarray of shape (n,)
        Dtype of ``X``; sums are accumulated in float64.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.metrics._kernel_sums import kernel_row_means
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> kernel_row_means(X, X, gamma=1.0)
    array([0.68393972, 0.68393972])
    """
    m = Y.shape[0]
    v = np.full(m, 1.0 / m, dtype=X.dtype)
    return kernel_matvec(
        X, Y, v, kernel=kernel, gamma=gamma, degree=degree, coef0=coef0, n_threads=n_threads
    )
