"""Plain NumPy references for the MMD engine: direct formulas, full matrices, no blocks.

Slow and memory-hungry on purpose: every Numba kernel and estimator of skt.metrics is compared
with these on small inputs.
"""

import numpy as np


def kernel(X, Y, kernel="rbf", gamma=1.0, degree=3, coef0=1.0):
    """Kernel matrix from pairwise differences (no ||x||^2 + ||y||^2 - 2<x, y> trick)."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    diff = X[:, None, :] - Y[None, :, :]
    if kernel in ("rbf", "gaussian"):
        return np.exp(-gamma * (diff**2).sum(axis=2))
    if kernel == "laplacian":
        return np.exp(-gamma * np.abs(diff).sum(axis=2))
    if kernel == "linear":
        return X @ Y.T
    if kernel == "polynomial":
        return (gamma * (X @ Y.T) + coef0) ** degree
    raise ValueError(kernel)


def mmd(X, Y, kernel_name="rbf", gamma=1.0, estimator="biased", weights_x=None,
        weights_y=None, degree=3, coef0=1.0):
    """MMD^2 from the three full kernel matrices (Gretton et al. 2012, eqs. 3 and 5)."""
    n, m = len(X), len(Y)

    def k(A, B):
        return kernel(A, B, kernel_name, gamma, degree, coef0)

    if estimator == "linear":
        n2 = min(n, m) // 2
        h = [
            k(X[2 * i:2 * i + 1], X[2 * i + 1:2 * i + 2])
            + k(Y[2 * i:2 * i + 1], Y[2 * i + 1:2 * i + 2])
            - k(X[2 * i:2 * i + 1], Y[2 * i + 1:2 * i + 2])
            - k(X[2 * i + 1:2 * i + 2], Y[2 * i:2 * i + 1])
            for i in range(n2)
        ]
        return float(np.mean(h))
    wx = np.full(n, 1.0 / n) if weights_x is None else np.asarray(weights_x) / np.sum(weights_x)
    wy = np.full(m, 1.0 / m) if weights_y is None else np.asarray(weights_y) / np.sum(weights_y)
    Kxx, Kyy, Kxy = k(X, X), k(Y, Y), k(X, Y)
    if estimator == "biased":
        return float(wx @ Kxx @ wx + wy @ Kyy @ wy - 2 * wx @ Kxy @ wy)
    # unbiased: drop the diagonal; for equal weights this is sum_{i != j} / (n (n - 1))
    Wxx = np.outer(wx, wx)
    Wyy = np.outer(wy, wy)
    np.fill_diagonal(Wxx, 0)
    np.fill_diagonal(Wyy, 0)
    return float(
        (Wxx * Kxx).sum() / Wxx.sum() + (Wyy * Kyy).sum() / Wyy.sum() - 2 * wx @ Kxy @ wy
    )


def mmd_unbiased_textbook(X, Y, kernel_name="rbf", gamma=1.0):
    """The U-statistic written with explicit loops over i != j (unweighted)."""
    n, m = len(X), len(Y)
    Kxx = kernel(X, X, kernel_name, gamma)
    Kyy = kernel(Y, Y, kernel_name, gamma)
    Kxy = kernel(X, Y, kernel_name, gamma)
    sxx = sum(Kxx[i, j] for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    syy = sum(Kyy[i, j] for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    return sxx + syy - 2 * Kxy.mean()


def median_heuristic(Z, kernel_name="rbf"):
    """1 / median of the distances over the pairs i < j."""
    Z = np.asarray(Z, dtype=np.float64)
    iu = np.triu_indices(len(Z), k=1)
    diff = Z[:, None, :] - Z[None, :, :]
    if kernel_name == "laplacian":
        d = np.abs(diff).sum(axis=2)[iu]
    else:
        d = (diff**2).sum(axis=2)[iu]
    return 1.0 / np.median(d)


def permutation_null(X, Y, perms, kernel_name="rbf", gamma=1.0, estimator="biased"):
    """The statistic for each relabelling: rows ``perm[:n]`` of the pooled sample are X."""
    Z = np.vstack([X, Y])
    n = len(X)
    return np.array(
        [mmd(Z[p[:n]], Z[p[n:]], kernel_name, gamma, estimator) for p in perms]
    )
