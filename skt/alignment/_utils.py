"""Helpers shared by the alignment adapters (private)."""

import numbers
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import linalg

from .. import _sparse
from .._threads import blas_threads, threadpool_controller

_EPS = np.finfo(np.float64).eps

# per_domain runs the domains in turn below this many entries in the smaller one (starting a
# thread would cost more than it saves)
_CONCURRENT_MIN_SIZE = 2**20


def check_real(value, name, *, minimum=None, strict=False):
    """A finite real number, optionally bounded below; errors name the argument."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok and minimum is not None:
        ok = value > minimum if strict else value >= minimum
    if not ok:
        bound = "" if minimum is None else (f" > {minimum}" if strict else f" >= {minimum}")
        raise ValueError(f"{name} must be a finite number{bound}; got {name}={value!r}.")
    return float(value)


def check_int(value, name, minimum=1):
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool)
        or value < minimum
    ):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {name}={value!r}.")
    return int(value)


def check_n_components(n_components, limit, why, caller, *, clip=False):
    """Resolve ``n_components`` (None means ``limit``) and reject values above ``limit``.

    ``why`` explains the limit in the error message (e.g. "the smaller domain has 5 rows").
    With ``clip=True`` a value above ``limit`` is lowered to it with a UserWarning instead.
    """
    if n_components is None or (clip and limit < 1):
        if limit < 1:
            raise ValueError(f"{caller}: the data allow no component: {why}.")
        return limit
    n = check_int(n_components, "n_components", 1)
    if n > limit and clip:
        warnings.warn(
            f"{caller}: n_components={n} is larger than the data allow; using {limit} "
            f"components ({why}). Pass n_components <= {limit} to silence this warning.",
            UserWarning,
            stacklevel=6,
        )
        return limit
    if n > limit:
        raise ValueError(
            f"{caller}: n_components={n} is larger than the data allow: at most {limit} "
            f"({why})."
        )
    return n


def rows(X, mask):
    """``X[mask]``, as a view (no copy) when the rows form one contiguous block."""
    X = X.tocsr() if _sparse.issparse(X) else X
    idx = np.flatnonzero(mask)
    if idx.size and idx[-1] - idx[0] + 1 == idx.size:
        return X[idx[0] : idx[-1] + 1]
    return X[idx]


def mean_and_covariance(X, *, centred=False):
    """Column means and the sample covariance (``ddof=1``) of ``X``, both float64.

    The covariance comes from ``X' X - n mean mean'`` (one BLAS ``syrk``, no copy of ``X``),
    unless a feature's mean is so large against its spread that this would lose more than four
    of the sixteen digits: then, and when ``centred=True``, from the centred copy ``Xc``.
    Returns ``(mean, cov, Xc)``, ``Xc`` None unless it was formed.

    Sparse ``X`` (CSR): the Gram matrix comes from the sparse product, and no centred copy is
    formed (``Xc`` is None whatever ``centred``); in the case of too large means, the centred
    covariance is summed over dense blocks of a few hundred rows.
    """
    if _sparse.issparse(X):
        n = X.shape[0]
        mean, gram = _sparse.gram_minus_mean(X)
        moment = _sparse.column_means(X.multiply(X)) * n
        # (>=: the empty columns of sparse data have neither moment nor spread)
        if not np.all(np.diag(gram) >= 1e-4 * moment):
            gram = _sparse.centred_gram_blockwise(X, mean)
        gram /= n - 1
        return mean, gram, None
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    mean = X.mean(axis=0)
    if not centred:
        gram = X.T @ X  # NumPy hands A.T @ A to BLAS syrk
        moment = np.diag(gram).copy()
        spread = moment - n * mean**2
        if np.all(spread > 1e-4 * moment):
            gram -= n * np.outer(mean, mean)
            gram /= n - 1
            return mean, gram, None
    Xc = X - mean
    cov = Xc.T @ Xc
    cov /= n - 1
    return mean, cov, Xc


def orient_columns(V):
    """Flip the sign of each column so that its entry of largest magnitude is positive.

    Eigenvectors are defined up to sign; this makes fitted bases deterministic and invariant to
    the order of the rows.
    """
    if V.size == 0:
        return V
    idx = np.argmax(np.abs(V), axis=0)
    signs = np.sign(V[idx, np.arange(V.shape[1])])
    signs[signs == 0] = 1.0
    return V * signs


def _blas_threads():
    """The number of threads the loaded BLAS libraries use now (the largest of them)."""
    info = threadpool_controller().select(user_api="blas").info()
    return max((lib["num_threads"] for lib in info), default=1)


def per_domain(fn, X_source, X_target):
    """``(fn(X_source), fn(X_target))``: the per-domain statistics of an adapter.

    ``fn`` computes one domain's means, covariance and eigendecomposition: BLAS and LAPACK
    calls (``syrk``, ``syevd``) that gain little from a second BLAS thread (``syrk`` 1.5x,
    ``syevd`` 1.2x at d = 500 on 2 cores) and a NumPy mean that uses one. So when BLAS has
    two or three threads, the two domains run side by side, each on one BLAS thread: at
    20,000 x 500 per domain that takes 0.15-0.18 s against 0.23 s in turn (2 cores). With
    one BLAS thread (the user's limit) or four or more they run in turn: there a threaded
    ``syrk`` is expected to scale further (not measured: this machine has 2 cores).
    """
    if min(X_source.shape[0], X_target.shape[0]) * X_source.shape[1] < _CONCURRENT_MIN_SIZE or (
        _blas_threads() not in (2, 3)
    ):
        return fn(X_source), fn(X_target)
    with blas_threads(1), ThreadPoolExecutor(1) as pool:
        other = pool.submit(fn, X_target)
        first = fn(X_source)
        return first, other.result()


def eigh(cov):
    """``np.linalg.eigh``: LAPACK's divide and conquer (``syevd``), by NumPy.

    The fastest driver for the dense covariances here (twice as fast as ``syevr`` at order
    500) and as accurate. NumPy's LAPACK, not SciPy's, on purpose: the two wheels bundle
    separate OpenBLAS builds with separate thread pools, and a SciPy call just after NumPy's
    covariance product (or before the NumPy products that follow) competes with the other
    pool's still-spinning threads: 1.5-3x slower at order 500 on 2 cores.
    """
    return np.linalg.eigh(cov)


def top_eigen(C, k):
    """Leading ``k`` eigenpairs of the symmetric ``C``, in decreasing order.

    LAPACK's MRRR driver (``evr``) stays fast when eigenvalues cluster, unlike the bisection and
    inverse iteration of ``sygvx`` (seconds instead of a tenth on Office-Caltech).
    """
    n = C.shape[0]
    w, V = linalg.eigh(C, subset_by_index=[n - k, n - 1], driver="evr", check_finite=False)
    return w[::-1], V[:, ::-1]
