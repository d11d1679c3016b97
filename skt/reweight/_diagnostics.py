"""How good are importance weights? Effective sample size and weighted MMD."""

import warnings
from dataclasses import dataclass

import numpy as np

from skt.metrics import mmd

from ._common import ESS_WARNING_FRACTION, check_samples

__all__ = ["WeightDiagnostics", "weight_diagnostics"]


@dataclass(frozen=True)
class WeightDiagnostics:
    """Summary of importance weights, returned by :func:`weight_diagnostics`.

    Attributes
    ----------
    n_source : int
        Number of source rows.
    effective_sample_size : float
        Kish's effective sample size ``sum(w)^2 / sum(w^2)``: the number of equally weighted
        rows that would carry the same information (``n_source`` for equal weights, 1 when one
        row carries all the weight).
    mmd2_before : float
        Squared MMD between the source rows, equally weighted, and the target rows.
    mmd2_after : float
        Squared MMD between the weighted source rows and the target rows: below
        ``mmd2_before`` when the weights move the source towards the target.
    gamma : float
        Bandwidth of the Gaussian kernel of both MMDs.
    """

    n_source: int
    effective_sample_size: float
    mmd2_before: float
    mmd2_after: float
    gamma: float

    @property
    def effective_sample_fraction(self):
        """``effective_sample_size / n_source``, in (0, 1]."""
        return self.effective_sample_size / self.n_source

    def __str__(self):
        return (
            f"effective sample size {self.effective_sample_size:.1f} of {self.n_source} "
            f"({100 * self.effective_sample_fraction:.1f}%); MMD^2 to the target "
            f"{self.mmd2_before:.4g} -> {self.mmd2_after:.4g} (gamma={self.gamma:.3g})"
        )


def weight_diagnostics(X_source, X_target, weights, *, gamma=None, random_state=None):
    """Effective sample size of importance weights, and the MMD they leave to the target.

    Good weights bring the weighted source sample close to the target sample (a small
    weighted MMD) without putting the weight on a few rows (a large effective sample size);
    the two pull in opposite directions, and this function reports both. An effective sample
    size below 5% of the source rows is a UserWarning (the reweighting estimators warn at the
    same fraction).

    Parameters
    ----------
    X_source : {array-like, sparse matrix} of shape (n_source, n_features)
        Source rows. Sparse rows (CSR/CSC) stay sparse: kernel values come from sparse
        products and row norms, in blocks, never from a dense copy of the rows.
    X_target : {array-like, sparse matrix} of shape (n_target, n_features)
        Target rows.
    weights : array-like of shape (n_source,)
        Non-negative weights of the source rows (e.g. ``model.weights_``), not all zero.
    gamma : float, default=None
        Bandwidth of the Gaussian kernel of the MMD; None: the median heuristic on the pooled
        rows (the same for both MMDs).
    random_state : int, RandomState instance or None, default=None
        Seed of the median heuristic's subsample.

    Returns
    -------
    diagnostics : WeightDiagnostics
        ``effective_sample_size``, ``mmd2_before``, ``mmd2_after`` (biased V-statistic
        estimates of the squared MMD) and the ``gamma`` used.

    See Also
    --------
    skt.metrics.mmd : The weighted MMD estimator.

    References
    ----------
    .. [1] L. Kish, "Survey Sampling", Wiley, 1965 (the effective sample size).
    .. [2] A. Gretton et al., "A Kernel Two-Sample Test", JMLR 13 (2012).

    Examples
    --------
    >>> import numpy as np
    >>> from skt.reweight import kmm_weights, weight_diagnostics
    >>> rng = np.random.RandomState(0)
    >>> X_source = rng.normal(size=(200, 2))
    >>> X_target = rng.normal(loc=0.7, scale=0.6, size=(150, 2))
    >>> w = kmm_weights(X_source, X_target, gamma=0.5)
    >>> report = weight_diagnostics(X_source, X_target, w, gamma=0.5)
    >>> bool(report.mmd2_after < report.mmd2_before)
    True
    >>> bool(report.effective_sample_size < 200)
    True
    """
    from skt.metrics import median_heuristic

    Xs, Xt = check_samples(X_source, X_target)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != Xs.shape[0]:
        raise ValueError(
            "weights must be a 1-D array with one weight per source row "
            f"({Xs.shape[0]}); got shape {w.shape}."
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise ValueError(
            "weights must be finite, non-negative and not all zero; got "
            f"min={np.min(w)!r}, max={np.max(w)!r}."
        )
    if gamma is None:
        gamma = median_heuristic(Xs, Xt, random_state=random_state)
    before = float(mmd(Xs, Xt, gamma=gamma))
    after = float(mmd(Xs, Xt, gamma=gamma, weights_x=w))
    ess = float(w.sum() ** 2 / np.sum(w**2))
    if ess < ESS_WARNING_FRACTION * Xs.shape[0]:
        warnings.warn(
            f"weight_diagnostics: the effective sample size is {ess:.1f}, "
            f"{100 * ess / Xs.shape[0]:.1f}% of the {Xs.shape[0]} source rows (below "
            f"{100 * ESS_WARNING_FRACTION:.0f}%): a model trained with these weights rests on "
            "a few rows. Flatten them (w ** flatten, flatten < 1) or use a bounded ratio "
            "(skt.RULSIF).",
            UserWarning,
            stacklevel=2,
        )
    return WeightDiagnostics(Xs.shape[0], ess, before, after, float(gamma))
