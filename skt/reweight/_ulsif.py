"""uLSIF: unconstrained least-squares importance fitting (Kanamori, Hido and Sugiyama, 2009)."""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed

from skt._threads import blas_threads

from ._common import (
    COMMON_ATTRIBUTES,
    DOMAINS_NOTE,
    ESTIMATOR_PARAM,
    BaseReweighting,
    center_features,
    check_gamma_grid,
    check_int,
    check_real,
    check_samples,
    check_weights_not_degenerate,
    choose_centers,
    gaussian_features,
)

__all__ = ["RULSIF", "ULSIF", "rulsif_weights", "ulsif_weights"]

#: Kanamori et al.'s grid of regularisation strengths.
REG_GRID = tuple(np.logspace(-3, 1, 9))


def _check_reg_grid(reg):
    """``(regs, fixed)`` from a positive number, a sequence of them, or None."""
    if reg is None:
        return np.asarray(REG_GRID), False
    if np.ndim(reg) == 0:
        return np.array([check_real(reg, "reg", low=0.0, low_open=True)]), True
    try:
        values = [float(r) for r in reg]
    except (TypeError, ValueError):
        raise ValueError(
            f"reg must be a positive number, a sequence of positive numbers or None; got "
            f"reg={reg!r}."
        ) from None
    if not values or not all(np.isfinite(r) and r > 0 for r in values):
        raise ValueError(f"reg must hold at least one positive finite number; got reg={reg!r}.")
    return np.asarray(values), False


def _solve(H, h, reg):
    """``max(0, (H + reg I)^{-1} h)``: the uLSIF coefficients."""
    A = H + reg * np.eye(H.shape[0])
    return np.maximum(np.linalg.solve(A, h), 0.0)


def loo_scores(Phi_s, Phi_t, regs):
    """Leave-one-out squared-loss scores of uLSIF for each regularisation strength.

    The closed form of Kanamori et al. (2009): the ``i``-th source row and the ``i``-th target
    row (``i < min(n_s, n_t)``) are left out together, the coefficients refitted by the
    Sherman-Morrison formula, and the held-out loss ``w(xs_i)^2 / 2 - w(xt_i)`` averaged. Rows
    should be in random order (the pairing is by position).

    Parameters
    ----------
    Phi_s : ndarray of shape (n_s, b)
        Kernel features of the source rows.
    Phi_t : ndarray of shape (n_t, b)
        Kernel features of the target rows.
    regs : ndarray of shape (n_regs,)
        Regularisation strengths.

    Returns
    -------
    scores : ndarray of shape (n_regs,)
        Held-out loss (lower is better); it estimates ``1/2 E_s[(w - w*)^2] - const``.
    """
    n_s, n_t = Phi_s.shape[0], Phi_t.shape[0]
    n = min(n_s, n_t)
    b = Phi_s.shape[1]
    H = Phi_s.T @ Phi_s / n_s
    h = Phi_t.mean(axis=0)
    Xs = Phi_s[:n].T  # (b, n): held-out source features, one column per pair
    Xt = Phi_t[:n].T
    scores = np.empty(len(regs))
    for k, reg in enumerate(regs):
        Binv = np.linalg.inv(H + reg * (n_s - 1) / n_s * np.eye(b))
        BXs = Binv @ Xs
        denom = n_s - np.sum(Xs * BXs, axis=0)  # n_s - phi_i' B^-1 phi_i
        B0 = (Binv @ h)[:, None] + BXs * ((h @ BXs) / denom)
        B1 = Binv @ Xt + BXs * (np.sum(Xt * BXs, axis=0) / denom)
        B2 = np.maximum((n_s - 1) / (n_s * (n_t - 1)) * (n_t * B0 - B1), 0.0)
        w_s = np.sum(Xs * B2, axis=0)
        w_t = np.sum(Xt * B2, axis=0)
        scores[k] = w_s @ w_s / (2 * n) - w_t.sum() / n
    return scores


def _loo_scores_for(Xs, Xt, centers, gamma, regs):
    """:func:`loo_scores` of every regularisation strength, for one bandwidth."""
    Phi_s = gaussian_features(Xs, centers, gamma)
    Phi_t = gaussian_features(Xt, centers, gamma)
    # small dense algebra (b x b): BLAS threads would only add wake-up latency
    with blas_threads(1):
        return loo_scores(Phi_s, Phi_t, regs)


def _ulsif(Xs, Xt, *, gamma, reg, n_centers, random_state, n_jobs=None):
    """Validated uLSIF: ``(weights, gamma, reg, coef, centers, loo_scores)``."""
    check_int(n_centers, "n_centers", 1)
    rng = check_random_state(random_state)
    gammas, gamma_fixed = check_gamma_grid(gamma, Xs, Xt, rng)
    regs, reg_fixed = _check_reg_grid(reg)
    centers = center_features(Xt, choose_centers(Xt.shape[0], n_centers, rng))
    # the leave-one-out pairs rows by position: shuffle both samples once
    order_s = rng.permutation(Xs.shape[0])
    order_t = rng.permutation(Xt.shape[0])

    if gamma_fixed and reg_fixed:
        scores = None
        best_g, best_r = 0, 0
    else:
        if min(Xs.shape[0], Xt.shape[0]) < 2:
            raise ValueError(
                "uLSIF's leave-one-out selection needs at least 2 source and 2 target rows; "
                f"got {Xs.shape[0]} and {Xt.shape[0]}. Pass a single gamma and reg."
            )
        # one joblib task per bandwidth (the shuffles are drawn above: the scores do not
        # depend on where the tasks run)
        Xs_shuffled, Xt_shuffled = Xs[order_s], Xt[order_t]
        scores = np.array(Parallel(n_jobs=n_jobs)(
            delayed(_loo_scores_for)(Xs_shuffled, Xt_shuffled, centers, gam, regs)
            for gam in gammas
        ))
        best_g, best_r = np.unravel_index(np.argmin(scores), scores.shape)
    gam, lam = float(gammas[best_g]), float(regs[best_r])
    Phi_s = gaussian_features(Xs, centers, gam)
    H = Phi_s.T @ Phi_s / Xs.shape[0]
    h = gaussian_features(Xt, centers, gam).mean(axis=0)
    coef = _solve(H, h, lam)
    weights = Phi_s @ coef
    check_weights_not_degenerate(
        weights,
        "uLSIF",
        f"with gamma={gam:.3g} (reg={lam:.3g}) the fitted density ratio vanishes on every "
        "source row: the Gaussian kernel between the source rows and the target centres is "
        "numerically zero (too narrow for these data). Decrease gamma, or pass a grid.",
        kernel_values=Phi_s,
    )
    return weights, gam, lam, coef, centers, scores


def ulsif_weights(X_source, X_target, *, gamma=None, reg=None, n_centers=100,
                  random_state=None, n_jobs=None):
    """uLSIF importance weights of the source rows (Kanamori et al., 2009).

    The density ratio ``w(x) = p_target(x) / p_source(x)`` is modelled as
    ``w(x) = sum_l alpha_l exp(-gamma ||x - c_l||^2)`` with centres ``c_l`` on target rows and
    fitted by regularised least squares, ``min_alpha 1/2 alpha'H alpha - h'alpha +
    reg/2 |alpha|^2`` with ``H`` the source mean of the kernel products and ``h`` the target
    mean of the kernels: the closed form ``alpha = (H + reg I)^{-1} h``, clipped at zero. The
    bandwidth and ``reg`` are chosen by the closed-form leave-one-out score.

    Parameters
    ----------
    X_source : {array-like, sparse matrix} of shape (n_source, n_features)
        Source rows. Sparse rows (CSR/CSC) stay sparse: kernel values come from sparse
        products and row norms, in blocks, never from a dense copy of the rows.
    X_target : {array-like, sparse matrix} of shape (n_target, n_features)
        Target rows.
    gamma : float, sequence of float or None, default=None
        Bandwidth of the Gaussian kernel. A number is used as is; a sequence is searched by
        leave-one-out; None searches the median heuristic times ``[1/64, 1/16, 1/4, 1, 4, 16,
        64]``.
    reg : float, sequence of float or None, default=None
        Regularisation strength, likewise; None searches ``logspace(-3, 1, 9)`` (the grid of
        Kanamori et al.).
    n_centers : int, default=100
        Number of kernel centres, drawn from the target rows (all of them if there are fewer).
    random_state : int, RandomState instance or None, default=None
        Seed of the centres, of the pairing of rows in the leave-one-out score and of the
        median heuristic's subsample.
    n_jobs : int, default=None
        Number of joblib workers over the candidate bandwidths of the leave-one-out selection
        (None: one, unless in a ``joblib.parallel_config`` context;
        ``joblib.parallel_config(backend="dask")`` spreads them over a Dask cluster). The
        weights do not depend on it.

    Returns
    -------
    weights : ndarray of shape (n_source,)
        Non-negative weights (their source mean estimates 1; they are not normalised).

    Raises
    ------
    ValueError
        When every weight is zero: the kernel is too narrow for the data (the message names
        gamma).

    See Also
    --------
    ULSIF : The meta-estimator that trains a model with these weights.
    kliep_weights : Maximum-likelihood density-ratio fit.

    Notes
    -----
    The leave-one-out score leaves out the ``i``-th source and the ``i``-th target row
    together for ``i < min(n_s, n_t)``, after one random shuffle of each sample; the
    refitted coefficients come from the Sherman-Morrison formula, so every candidate costs
    one ``b x b`` inverse.

    References
    ----------
    .. [1] T. Kanamori, S. Hido and M. Sugiyama, "A Least-squares Approach to Direct Importance
       Estimation", Journal of Machine Learning Research 10 (2009) 1391-1445.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.reweight import ulsif_weights
    >>> rng = np.random.RandomState(0)
    >>> X_source = rng.normal(size=(300, 1))
    >>> X_target = rng.normal(loc=1.0, scale=0.5, size=(200, 1))
    >>> w = ulsif_weights(X_source, X_target, random_state=0)
    >>> true = np.exp(-2 * (X_source[:, 0] - 1) ** 2 + X_source[:, 0] ** 2 / 2)
    >>> bool(np.corrcoef(w, true)[0, 1] > 0.9)
    True
    """
    Xs, Xt = check_samples(X_source, X_target)
    return _ulsif(
        Xs, Xt, gamma=gamma, reg=reg, n_centers=n_centers, random_state=random_state,
        n_jobs=n_jobs,
    )[0]


class ULSIF(BaseReweighting):
    """uLSIF reweighting: train ``estimator`` on source rows weighted by a least-squares ratio.

    The density ratio ``p_target(x) / p_source(x)`` is a sum of Gaussian kernels on target
    rows fitted by regularised least squares in closed form, with the bandwidth and the
    regularisation chosen by the closed-form leave-one-out score (see :func:`ulsif_weights`).
    ``estimator`` is then fitted on the source rows with these weights.

    {domains}

    Parameters
    ----------
    {estimator}
    gamma : float, sequence of float or None, default=None
        Bandwidth of the Gaussian kernel: a number (used as is), a grid searched by
        leave-one-out, or None (the median heuristic times ``[1/64, ..., 64]``).
    reg : float, sequence of float or None, default=None
        Regularisation strength: a number, a grid, or None (``logspace(-3, 1, 9)``).
    n_centers : int, default=100
        Number of kernel centres, drawn from the target rows.
    random_state : int, RandomState instance or None, default=None
        Seed of the centres, of the leave-one-out pairing and of the median heuristic.
    n_jobs : int, default=None
        Number of joblib workers over the candidate bandwidths of the leave-one-out selection
        (None: one, unless in a ``joblib.parallel_config`` context). The weights do not
        depend on it.

    Attributes
    ----------
    {attributes}
    gamma_ : float
        Bandwidth used.
    reg_ : float
        Regularisation strength used.
    coef_ : ndarray of shape (n_used_centers,)
        Coefficients of the kernels (non-negative).
    centers_ : ndarray of shape (n_used_centers, n_features)
        Kernel centres (target rows).
    loo_scores_ : ndarray of shape (n_gammas, n_regs) or None
        Leave-one-out score of each candidate (lower is better; None when both gamma and reg
        are single numbers).

    See Also
    --------
    ulsif_weights : The weights without an estimator.
    KLIEP : Maximum-likelihood density-ratio fit.
    KMM : Kernel mean matching.

    References
    ----------
    .. [1] T. Kanamori, S. Hido and M. Sugiyama, "A Least-squares Approach to Direct Importance
       Estimation", Journal of Machine Learning Research 10 (2009) 1391-1445.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("covariate", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.ULSIF(LogisticRegression(), random_state=0).fit(X, y_train)
    >>> model.weights_.shape
    (200,)
    >>> model.loo_scores_.shape
    (7, 9)
    """

    def __init__(
        self, estimator=None, *, gamma=None, reg=None, n_centers=100, random_state=None,
        n_jobs=None, flatten="auto",
        source_weighting=None,
    ):
        self.estimator = estimator
        self.flatten = flatten
        self.source_weighting = source_weighting
        self.gamma = gamma
        self.reg = reg
        self.n_centers = n_centers
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_weights(self, X_source, X_target):
        weights, gamma, reg, coef, centers, scores = _ulsif(
            X_source, X_target, gamma=self.gamma, reg=self.reg, n_centers=self.n_centers,
            random_state=self.random_state, n_jobs=self.n_jobs,
        )
        self.gamma_ = gamma
        self.reg_ = reg
        self.coef_ = coef
        self.centers_ = centers
        self.loo_scores_ = scores
        return weights


ULSIF.__doc__ = ULSIF.__doc__.format(
    domains=DOMAINS_NOTE, estimator=ESTIMATOR_PARAM, attributes=COMMON_ATTRIBUTES
)


# --------------------------------------------------------------------------------------------
# RuLSIF: the relative density ratio (Yamada et al., 2011)
# --------------------------------------------------------------------------------------------


def _rulsif_fit(Phi_s, Phi_t, alpha, reg):
    """Coefficients of the relative ratio: ``max(0, (H_alpha + reg I)^{-1} h)``."""
    H = alpha * (Phi_t.T @ Phi_t) / Phi_t.shape[0]
    H += (1.0 - alpha) * (Phi_s.T @ Phi_s) / Phi_s.shape[0]
    return _solve(H, Phi_t.mean(axis=0), reg)


def _rulsif_cv_scores(Xs, Xt, centers, gamma, regs, alpha, folds_s, folds_t):
    """Held-out Pearson-divergence loss of each reg, for one bandwidth (lower is better).

    ``J = alpha/2 mean_t r^2 + (1 - alpha)/2 mean_s r^2 - mean_t r`` on the held-out rows of
    each fold, averaged over the folds (the authors' model selection).
    """
    Phi_s = gaussian_features(Xs, centers, gamma)
    Phi_t = gaussian_features(Xt, centers, gamma)
    scores = np.zeros(len(regs))
    with blas_threads(1):
        for k in range(folds_s.max() + 1):
            tr_s, te_s = folds_s != k, folds_s == k
            tr_t, te_t = folds_t != k, folds_t == k
            for i, reg in enumerate(regs):
                coef = _rulsif_fit(Phi_s[tr_s], Phi_t[tr_t], alpha, reg)
                r_s, r_t = Phi_s[te_s] @ coef, Phi_t[te_t] @ coef
                scores[i] += (alpha / 2 * np.mean(r_t**2) + (1 - alpha) / 2 * np.mean(r_s**2)
                              - np.mean(r_t))
    return scores / (folds_s.max() + 1)


def _rulsif(Xs, Xt, *, alpha, gamma, reg, n_centers, cv, random_state, n_jobs=None):
    """Validated RuLSIF: ``(weights, gamma, reg, coef, centers, cv_scores)``."""
    alpha = check_real(alpha, "alpha", low=0.0, high=1.0, high_open=True)
    check_int(n_centers, "n_centers", 1)
    cv = check_int(cv, "cv", 2)
    rng = check_random_state(random_state)
    gammas, gamma_fixed = check_gamma_grid(gamma, Xs, Xt, rng)
    regs, reg_fixed = _check_reg_grid(reg)
    centers = center_features(Xt, choose_centers(Xt.shape[0], n_centers, rng))
    if gamma_fixed and reg_fixed:
        scores, best_g, best_r = None, 0, 0
    else:
        if min(Xs.shape[0], Xt.shape[0]) < cv:
            raise ValueError(
                f"RuLSIF's {cv}-fold selection needs at least {cv} source and {cv} target "
                f"rows; got {Xs.shape[0]} and {Xt.shape[0]}. Pass a single gamma and reg."
            )
        folds_s = rng.permutation(np.arange(Xs.shape[0]) % cv)
        folds_t = rng.permutation(np.arange(Xt.shape[0]) % cv)
        scores = np.array(Parallel(n_jobs=n_jobs)(
            delayed(_rulsif_cv_scores)(Xs, Xt, centers, gam, regs, alpha, folds_s, folds_t)
            for gam in gammas
        ))
        best_g, best_r = np.unravel_index(np.argmin(scores), scores.shape)
    gam, lam = float(gammas[best_g]), float(regs[best_r])
    Phi_s = gaussian_features(Xs, centers, gam)
    coef = _rulsif_fit(Phi_s, gaussian_features(Xt, centers, gam), alpha, lam)
    weights = Phi_s @ coef
    check_weights_not_degenerate(
        weights,
        "RuLSIF",
        f"with gamma={gam:.3g} (reg={lam:.3g}) the fitted ratio vanishes on every source row: "
        "the Gaussian kernel between the source rows and the target centres is numerically "
        "zero (too narrow for these data). Decrease gamma, or pass a grid.",
        kernel_values=Phi_s,
    )
    return weights, gam, lam, coef, centers, scores


def rulsif_weights(X_source, X_target, *, alpha=0.1, gamma=None, reg=None, n_centers=100,
                   cv=5, random_state=None, n_jobs=None):
    """Relative density-ratio weights of the source rows: RuLSIF (Yamada et al., 2011).

    The relative ratio ``r_alpha(x) = p_t(x) / (alpha p_t(x) + (1 - alpha) p_s(x))`` is
    bounded by ``1 / alpha`` however far apart the domains are, so its estimate (and the
    weights) stay smooth in high dimension, where the plain ratio ``p_t / p_s`` (``alpha =
    0``, uLSIF) has a huge variance. It is modelled as ``sum_l theta_l exp(-gamma ||x -
    c_l||^2)`` (centres on target rows) and fitted by regularised least squares on the
    Pearson divergence, in closed form: ``theta = (H_alpha + reg I)^{-1} h`` with
    ``H_alpha = alpha mean_t phi phi' + (1 - alpha) mean_s phi phi'`` and ``h = mean_t phi``;
    as skt's uLSIF, the coefficients are clipped at zero. ``gamma`` and ``reg`` are chosen
    by ``cv``-fold cross-validation of the held-out loss, as in the authors' code.

    Parameters
    ----------
    X_source : array-like of shape (n_source, n_features)
        Source rows.
    X_target : array-like of shape (n_target, n_features)
        Target rows.
    alpha : float in [0, 1), default=0.1
        Mixing proportion of the target density in the denominator; 0 is uLSIF's plain ratio
        (fitted with RuLSIF's cross-validation). The weights are at most about
        ``1 / alpha``: 0.1 bounds them near 10 while staying close to the plain ratio where
        it is small.
    gamma : float, sequence of float or None, default=None
        Bandwidth of the Gaussian kernel: a number, a grid, or None (the median heuristic
        times ``[1/64, ..., 64]``).
    reg : float, sequence of float or None, default=None
        Regularisation strength: a number, a grid, or None (``logspace(-3, 1, 9)``).
    n_centers : int, default=100
        Number of kernel centres, drawn from the target rows.
    cv : int, default=5
        Folds of the model selection.
    random_state : int, RandomState instance or None, default=None
        Seed of the centres, of the folds and of the median heuristic.
    n_jobs : int, default=None
        joblib workers over the candidate bandwidths.

    Returns
    -------
    weights : ndarray of shape (n_source,)
        Non-negative estimates of ``r_alpha`` at the source rows.

    See Also
    --------
    RULSIF : The meta-estimator that trains a model with these weights.
    ulsif_weights : The plain ratio (``alpha = 0``).

    References
    ----------
    .. [1] M. Yamada, T. Suzuki, T. Kanamori, H. Hachiya and M. Sugiyama, "Relative
       Density-Ratio Estimation for Robust Distribution Comparison", NIPS 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.reweight import rulsif_weights
    >>> rng = np.random.RandomState(0)
    >>> X_source = rng.normal(size=(300, 1))
    >>> X_target = rng.normal(loc=1.0, scale=0.5, size=(200, 1))
    >>> w = rulsif_weights(X_source, X_target, alpha=0.5, random_state=0)
    >>> bool(w.max() <= 2.2)  # at most about 1 / alpha
    True
    """
    Xs, Xt = check_samples(X_source, X_target)
    return _rulsif(Xs, Xt, alpha=alpha, gamma=gamma, reg=reg, n_centers=n_centers, cv=cv,
                   random_state=random_state, n_jobs=n_jobs)[0]


class RULSIF(BaseReweighting):
    """RuLSIF reweighting: train ``estimator`` on source rows weighted by a relative ratio.

    The relative density ratio ``p_t / (alpha p_t + (1 - alpha) p_s)`` of Yamada et al.
    (2011), bounded by ``1 / alpha``, fitted in closed form with the bandwidth and the
    regularisation chosen by cross-validation (see :func:`rulsif_weights`). Training on it is
    relative importance weighting: a bias-variance compromise between the unweighted fit and
    plain importance weighting, built into the ratio (``flatten`` acts on top of it).

    {domains}

    Parameters
    ----------
    {estimator}
    alpha : float in [0, 1), default=0.1
        Share of the target density in the denominator (0: the plain ratio, as uLSIF).
    gamma : float, sequence of float or None, default=None
        Bandwidth of the Gaussian kernel: a number, a grid, or None (the median heuristic
        times ``[1/64, ..., 64]``).
    reg : float, sequence of float or None, default=None
        Regularisation strength: a number, a grid, or None (``logspace(-3, 1, 9)``).
    n_centers : int, default=100
        Number of kernel centres, drawn from the target rows.
    cv : int, default=5
        Folds of the model selection of ``gamma`` and ``reg``.
    random_state : int, RandomState instance or None, default=None
        Seed of the centres, the folds and the median heuristic.
    n_jobs : int, default=None
        joblib workers over the candidate bandwidths.

    Attributes
    ----------
    {attributes}
    gamma_ : float
        Bandwidth used.
    reg_ : float
        Regularisation strength used.
    coef_ : ndarray of shape (n_used_centers,)
        Coefficients of the kernels (non-negative).
    centers_ : ndarray of shape (n_used_centers, n_features)
        Kernel centres (target rows).
    cv_scores_ : ndarray of shape (n_gammas, n_regs) or None
        Held-out loss of each candidate (lower is better; None when gamma and reg are
        single numbers).

    See Also
    --------
    rulsif_weights : The weights without an estimator.
    ULSIF : The plain ratio.

    References
    ----------
    .. [1] M. Yamada, T. Suzuki, T. Kanamori, H. Hachiya and M. Sugiyama, "Relative
       Density-Ratio Estimation for Robust Distribution Comparison", NIPS 2011.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("covariate", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.RULSIF(LogisticRegression(), random_state=0).fit(X, y_train)
    >>> model.weights_.shape
    (200,)
    >>> bool(model.weights_.max() <= 1 / 0.1 + 1)
    True
    """

    def __init__(
        self, estimator=None, *, alpha=0.1, gamma=None, reg=None, n_centers=100, cv=5,
        random_state=None, n_jobs=None, flatten="auto",
        source_weighting=None,
    ):
        self.estimator = estimator
        self.flatten = flatten
        self.source_weighting = source_weighting
        self.alpha = alpha
        self.gamma = gamma
        self.reg = reg
        self.n_centers = n_centers
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_weights(self, X_source, X_target):
        weights, gamma, reg, coef, centers, scores = _rulsif(
            X_source, X_target, alpha=self.alpha, gamma=self.gamma, reg=self.reg,
            n_centers=self.n_centers, cv=self.cv, random_state=self.random_state,
            n_jobs=self.n_jobs,
        )
        self.gamma_ = gamma
        self.reg_ = reg
        self.coef_ = coef
        self.centers_ = centers
        self.cv_scores_ = scores
        return weights


RULSIF.__doc__ = RULSIF.__doc__.format(
    domains=DOMAINS_NOTE, estimator=ESTIMATOR_PARAM, attributes=COMMON_ATTRIBUTES
)
