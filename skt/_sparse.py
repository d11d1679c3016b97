"""Sparse input (CSR/CSC): the helpers that keep a sparse ``X`` sparse (private).

skt accepts ``scipy.sparse`` rows wherever the mathematics allows it without a dense
``n x d`` array. The rules every estimator follows:

- rows are selected and stacked as sparse matrices (CSR, whose row slices are cheap);
- products with a dense matrix (``X @ W``), Gram blocks (``X_I @ Y_J'``) and row norms come
  from sparse products; a dense copy of rows is made only for a block of at most
  :data:`ROWS_PER_BLOCK` rows, never for the whole matrix;
- centring stays implicit: ``X' X - n mu mu'`` for a covariance, or a ``LinearOperator``.
"""

import numpy as np
import scipy.sparse as sp

__all__ = []

#: The formats an estimator that declares sparse support accepts (others are converted to CSR
#: by scikit-learn's ``check_array``).
ACCEPT_SPARSE = ("csr", "csc")

#: Rows of a dense block made from sparse rows (bounds the temporary memory: at 50,000 features
#: a block is 100 MB in float64).
ROWS_PER_BLOCK = 256

#: Features up to which a ``d x d`` matrix (a covariance) is formed from sparse rows.
MAX_DENSE_FEATURES = 4096


def issparse(X):
    """True for a SciPy sparse matrix or array."""
    return sp.issparse(X)


def as_csr(X, dtype=None):
    """``X`` as CSR (sparse) of ``dtype``, or as a C-contiguous array when dense."""
    if sp.issparse(X):
        X = X.tocsr()
        return X if dtype is None else X.astype(dtype, copy=False)
    return np.ascontiguousarray(X, dtype=dtype)


def take_rows(X, rows):
    """``X[rows]`` for a boolean mask or indices, CSR when sparse (cheap row slicing)."""
    if sp.issparse(X):
        return X.tocsr()[rows]
    return X[rows]


def vstack(blocks):
    """Stack rows: CSR when any block is sparse, else a NumPy array."""
    if any(sp.issparse(b) for b in blocks):
        return sp.vstack([sp.csr_matrix(b) if not sp.issparse(b) else b for b in blocks],
                         format="csr")
    return np.vstack(blocks)


def row_sqnorms(X):
    """``||x_i||^2`` of every row, float64."""
    if sp.issparse(X):
        X = X.tocsr()
        return np.asarray(X.multiply(X).sum(axis=1), dtype=np.float64).ravel()
    return np.einsum("ij,ij->i", X, X, dtype=np.float64)


def dense(X):
    """A dense copy of a (small) block of rows; dense input is returned as it is."""
    return X.toarray() if sp.issparse(X) else X


def dense_blocks(X, size=ROWS_PER_BLOCK):
    """``(start, stop, block)`` over consecutive row blocks, each block dense."""
    X = X.tocsr() if sp.issparse(X) else X
    for start in range(0, X.shape[0], size):
        stop = min(start + size, X.shape[0])
        yield start, stop, dense(X[start:stop])


def matmul(X, W):
    """``X @ W`` as a dense ndarray (``X`` sparse or dense, ``W`` dense)."""
    out = X @ W
    return np.asarray(out.toarray() if sp.issparse(out) else out)


def column_means(X):
    """Column means, float64."""
    return np.asarray(X.mean(axis=0, dtype=np.float64)).ravel()


def check_features_for_dense_square(n_features, caller, what):
    """Raise before any allocation when a ``d x d`` matrix of sparse input would be too large."""
    if n_features > MAX_DENSE_FEATURES:
        gib = 8.0 * n_features**2 / 2**30
        raise ValueError(
            f"{caller}: sparse input with {n_features} features; computing {what} takes dense "
            f"{n_features} x {n_features} matrices ({gib:.1f} GiB each in float64), and sparse "
            f"input is accepted up to {MAX_DENSE_FEATURES} features. Reduce the dimension "
            "first, e.g. with sklearn.decomposition.TruncatedSVD (which takes sparse input) in "
            "a pipeline before this step."
        )


def gram_minus_mean(X):
    """``(mean, X' X - n mean mean')`` of sparse or dense rows, float64, ``d x d`` dense.

    The centring is implicit (the TruncatedSVD trick): no centred copy of ``X`` is formed.
    """
    n = X.shape[0]
    mean = column_means(X)
    gram = X.T @ X
    gram = gram.toarray() if sp.issparse(gram) else np.array(gram, dtype=np.float64)
    gram = gram.astype(np.float64, copy=False)
    gram -= n * np.outer(mean, mean)
    return mean, gram


def centred_gram_blockwise(X, mean):
    """``(X - 1 mean')' (X - 1 mean)`` from dense blocks of rows (bounded memory), float64."""
    d = X.shape[1]
    out = np.zeros((d, d))
    for _, _, block in dense_blocks(X):
        Bc = block.astype(np.float64) - mean
        out += Bc.T @ Bc
    return out
