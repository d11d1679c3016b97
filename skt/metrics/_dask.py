"""Kernel sums with a Dask array of target rows, computed blockwise (private; imports Dask lazily).

KMM's linear term and the kernel mean embedding of a target sample are row means
``k(X, Y).mean(axis=1)`` over the target rows ``Y``. When ``Y`` is a Dask array (a target
domain larger than one machine's memory), each task takes one row chunk of ``Y`` and the
in-memory rows ``X`` and returns ``k(X, Y_chunk) @ 1`` with the Numba kernel sums; the partial
sums are added in a fixed order, so the result does not depend on the scheduler.
"""

import numpy as np

from skt.metrics._kernel_sums import _as_params, kernel_matvec

__all__ = ["kernel_row_means"]


def _chunk_row_sums(X, Y_chunk, params):
    """``k(X, Y_chunk).sum(axis=1)`` in float64 (one Numba thread: Dask runs the tasks)."""
    Y_chunk = np.ascontiguousarray(Y_chunk, dtype=X.dtype)
    ones = np.ones(Y_chunk.shape[0], dtype=X.dtype)
    return kernel_matvec(X, Y_chunk, ones, kernel=params, n_threads=1).astype(np.float64)


def _sum_in_order(parts):
    total = np.zeros_like(parts[0])
    for p in parts:
        total = total + p
    return total


def kernel_row_means(X, Y, *, kernel="rbf", gamma=None, degree=3, coef0=1.0):
    """Row means ``k(X, Y).mean(axis=1)`` for in-memory ``X`` and a Dask array ``Y``.

    The Dask counterpart of :func:`skt.metrics._kernel_sums.kernel_row_means`: one task per
    row chunk of ``Y``; no chunk of ``Y`` leaves its worker except into the task that reads
    it, and nothing of size ``n x m`` is formed.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        C-contiguous float32 or float64 array (trusted: validated by the caller).
    Y : dask.array.Array of shape (m, d)
        Target rows. Validated before any task runs: known chunk sizes, 2-D, numeric, ``d``
        features; each chunk is checked for NaN and infinity when its task runs.
    kernel, gamma, degree, coef0 :
        As in :func:`skt.metrics._kernel_sums.kernel_matrix` (``gamma`` must be given, or
        ``kernel`` is a resolved ``KernelParams``).

    Returns
    -------
    means : ndarray of shape (n,)
        Dtype of ``X``; the sums are accumulated in float64.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from skt.metrics._dask import kernel_row_means
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> kernel_row_means(X, da.from_array(X, chunks=(1, 2)), gamma=1.0)
    array([0.68393972, 0.68393972])
    """
    import dask
    from dask import delayed

    from skt.metrics._mmd import _check_dask_sample, _checked_chunk
    from skt.metrics._validation import check_n_features

    params = _as_params(kernel, gamma, degree, coef0)
    Y = _check_dask_sample(Y, "Y")
    check_n_features(X, Y)
    Y = Y.rechunk({1: -1}).map_blocks(_checked_chunk, "Y", dtype=Y.dtype)
    x = delayed(X, pure=True)  # one node in the graph, sent once to each worker that needs it
    task = delayed(_chunk_row_sums, pure=True)
    parts = [task(x, block, params) for block in Y.to_delayed().ravel()]
    (total,) = dask.compute(delayed(_sum_in_order)(parts))
    return (total / Y.shape[0]).astype(X.dtype, copy=False)
