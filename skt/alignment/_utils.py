"""Helpers shared by the alignment adapters (private)."""

import numbers

import numpy as np

_EPS = np.finfo(np.float64).eps


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


def check_n_components(n_components, limit, why, caller):
    """Resolve ``n_components`` (None means ``limit``) and reject values above ``limit``.

    ``why`` explains the limit in the error message (e.g. "the smaller domain has 5 rows").
    """
    if n_components is None:
        if limit < 1:
            raise ValueError(f"{caller}: the data allow no component: {why}.")
        return limit
    n = check_int(n_components, "n_components", 1)
    if n > limit:
        raise ValueError(
            f"{caller}: n_components={n} is larger than the data allow: at most {limit} "
            f"({why})."
        )
    return n


def rows(X, mask):
    """``X[mask]``, as a view (no copy) when the rows form one contiguous block."""
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
    """
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
