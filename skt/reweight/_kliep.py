"""KLIEP: Kullback-Leibler importance estimation (Sugiyama et al., NIPS 2007 / AISM 2008)."""

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
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

__all__ = ["KLIEP", "kliep_weights"]


def _fit_coef(A, source_means, tol, max_iter):
    """Maximise ``sum_j log (A alpha)_j`` s.t. ``source_means' alpha = 1``, ``alpha >= 0``.

    With ``beta = alpha * source_means`` the feasible set is the simplex and the objective the
    log-likelihood of mixture proportions. Its maximiser over the simplex is also the minimiser
    of ``-mean_j log (M beta)_j + sum(beta)`` over ``beta >= 0`` alone (at that minimiser,
    ``sum(beta) = 1`` follows from the optimality conditions), a bound-constrained problem
    solved by L-BFGS-B. The Frank-Wolfe gap of the mean log-likelihood on the simplex,
    ``max(grad) - beta'grad``, certifies the result. Centres that no source row sees
    (``source_means == 0``) would make the problem unbounded and get a zero coefficient;
    target rows that see no centre cannot be fitted and are left out.
    Returns ``(alpha, n_iter, gap)``.
    """
    b = A.shape[1]
    alpha = np.zeros(b)
    cols = source_means > 0
    rows = A[:, cols].max(axis=1, initial=0.0) > 0 if cols.any() else np.zeros(len(A), bool)
    if not cols.any() or not rows.any():
        return alpha, 0, np.inf
    M = A[np.ix_(rows, cols)] / source_means[cols]
    n = M.shape[0]

    def objective(beta):
        p = M @ beta
        if not np.all(p > 0):
            return np.inf, np.zeros_like(beta)
        return -np.mean(np.log(p)) + beta.sum(), 1.0 - (M.T @ (1.0 / p)) / n

    beta = np.full(M.shape[1], 1.0 / M.shape[1])
    n_iter = 0
    gtol = tol
    # the projected-gradient test of L-BFGS-B is not the gap itself: tighten it until the gap
    # is met (rarely more than once)
    for _ in range(3):
        # the problem is small (one variable per centre): BLAS threads only add wake-up
        # latency, which costs a hundredfold on a busy machine
        with blas_threads(1):
            res = minimize(
                objective,
                beta,
                jac=True,
                method="L-BFGS-B",
                bounds=[(0.0, None)] * M.shape[1],
                options=dict(
                    maxiter=max_iter - n_iter, maxfun=2 * max_iter, ftol=0.0, gtol=gtol
                ),
            )
        n_iter += int(res.nit)
        beta = res.x / res.x.sum()
        grad = (M.T @ (1.0 / (M @ beta))) / n
        gap = max(float(grad.max() - beta @ grad), 0.0)
        if gap <= tol or n_iter >= max_iter:
            break
        gtol *= 0.01
    alpha[cols] = beta / source_means[cols]
    return alpha, n_iter, gap


def _held_out_log_likelihood(A, alpha):
    w = A @ alpha
    with np.errstate(divide="ignore"):
        return float(np.mean(np.log(w))) if np.all(w > 0) else -np.inf


def _cv_log_likelihood(Xs, Xt, centers, center_rows, folds, gamma, tol, max_iter):
    """Mean held-out log-likelihood of the target rows over the folds, for one bandwidth."""
    A = gaussian_features(Xt, centers, gamma)
    means = gaussian_features(Xs, centers, gamma).mean(axis=0)
    fold_scores = []
    for train, test in folds:
        # a held-out row must not be a centre: its own kernel k(x, x) = 1 would reward ever
        # narrower kernels
        own = np.isin(center_rows, test)
        alpha, _, _ = _fit_coef(A[train][:, ~own], means[~own], tol, max_iter)
        fold_scores.append(_held_out_log_likelihood(A[test][:, ~own], alpha))
    return np.mean(fold_scores)


def _kliep(Xs, Xt, *, gamma, n_centers, cv, tol, max_iter, random_state, n_jobs=None):
    """Validated KLIEP: ``(weights, gamma, coef, centers, cv_scores, gap)``."""
    check_int(n_centers, "n_centers", 1)
    check_int(cv, "cv", 2)
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    check_int(max_iter, "max_iter", 1)
    rng = check_random_state(random_state)
    gammas, fixed = check_gamma_grid(gamma, Xs, Xt, rng)
    center_rows = choose_centers(Xt.shape[0], n_centers, rng)
    centers = center_features(Xt, center_rows)

    scores = np.full(len(gammas), -np.inf)
    if not fixed and len(gammas) > 1:
        if Xt.shape[0] < cv:
            raise ValueError(
                f"KLIEP's likelihood cross-validation with cv={cv} folds needs at least {cv} "
                f"target rows; got {Xt.shape[0]}. Lower cv or pass a single gamma."
            )
        folds = list(KFold(cv, shuffle=True, random_state=rng).split(Xt))
        # one joblib task per bandwidth; the folds and centres are drawn above, so the scores
        # do not depend on where or in which order the tasks run
        scores[:] = Parallel(n_jobs=n_jobs)(
            delayed(_cv_log_likelihood)(Xs, Xt, centers, center_rows, folds, gam, tol, max_iter)
            for gam in gammas
        )
        best = int(np.argmax(scores))
    else:
        best = 0
    gam = float(gammas[best])
    Phi_s = gaussian_features(Xs, centers, gam)
    alpha, n_iter, gap = _fit_coef(
        gaussian_features(Xt, centers, gam), Phi_s.mean(axis=0), tol, max_iter
    )
    if gap > tol and np.isfinite(gap):
        warnings.warn(
            f"KLIEP did not converge in {n_iter} iterations: the duality gap of the mean "
            f"log-likelihood reached {gap:.3g}, above tol={tol:g}. Increase max_iter or loosen "
            "tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    weights = Phi_s @ alpha
    check_weights_not_degenerate(
        weights,
        "KLIEP",
        f"with gamma={gam:.3g} the Gaussian kernel between the source rows and the target "
        "centres is numerically zero (the kernel is too narrow for these data). Decrease "
        "gamma, or pass a grid of gammas.",
        kernel_values=Phi_s,
    )
    return weights, gam, alpha, centers, scores if not fixed else None, gap


def kliep_weights(
    X_source,
    X_target,
    *,
    gamma=None,
    n_centers=100,
    cv=5,
    tol=1e-4,
    max_iter=1000,
    random_state=None,
    n_jobs=None,
):
    """KLIEP importance weights of the source rows (Sugiyama et al., 2008).

    The density ratio ``w(x) = p_target(x) / p_source(x)`` is modelled as a non-negative sum of
    Gaussian kernels centred on target rows, ``w(x) = sum_l alpha_l exp(-gamma ||x - c_l||^2)``,
    and fitted by maximising the likelihood of the target rows under ``w(x) p_source(x)``
    (minimising the Kullback-Leibler divergence from the target density), subject to
    ``mean(w(source rows)) = 1``. The bandwidth is chosen by likelihood cross-validation over
    target folds.

    Parameters
    ----------
    X_source : {array-like, sparse matrix} of shape (n_source, n_features)
        Source rows. Sparse rows (CSR/CSC) stay sparse: kernel values come from sparse
        products and row norms, in blocks, never from a dense copy of the rows.
    X_target : {array-like, sparse matrix} of shape (n_target, n_features)
        Target rows.
    gamma : float, sequence of float or None, default=None
        Bandwidth of the Gaussian kernel. A number is used as is; a sequence is searched by
        likelihood cross-validation; None searches the median heuristic times
        ``[1/64, 1/16, 1/4, 1, 4, 16, 64]``.
    n_centers : int, default=100
        Number of kernel centres, drawn from the target rows (all of them if there are fewer).
    cv : int, default=5
        Folds of the target rows for the likelihood cross-validation (at least 2).
    tol : float, default=1e-4
        The fit stops when its duality gap (an upper bound on the distance of the mean
        log-likelihood of the target rows to its maximum) is at most ``tol``.
    max_iter : int, default=1000
        Maximum number of iterations of each fit.
    random_state : int, RandomState instance or None, default=None
        Seed of the centres, the folds and the median heuristic's subsample.
    n_jobs : int, default=None
        Number of joblib workers over the candidate bandwidths of the cross-validation (None:
        one, unless in a ``joblib.parallel_config`` context;
        ``joblib.parallel_config(backend="dask")`` spreads them over a Dask cluster). The
        weights do not depend on it.

    Returns
    -------
    weights : ndarray of shape (n_source,)
        Non-negative weights with mean 1.

    Raises
    ------
    ValueError
        When every weight is zero: the kernel is too narrow for the data (the message names
        gamma).

    See Also
    --------
    KLIEP : The meta-estimator that trains a model with these weights.
    ulsif_weights : Least-squares density-ratio fit with closed-form model selection.

    Notes
    -----
    With ``beta_l = alpha_l mean_i k(xs_i, c_l)`` the constraint becomes the simplex and the
    objective the log-likelihood of mixture proportions; dropping the sum constraint and adding
    ``sum(beta)`` to the negative log-likelihood gives a bound-constrained problem with the same
    solution, solved by L-BFGS-B. The original paper uses projected gradient ascent on
    ``alpha``; both solve the same concave program.

    In the cross-validation, the centres that are held-out rows are left out of the model of
    that fold: with them, a held-out row would see its own kernel ``k(x, x) = 1``, and ever
    narrower kernels would look better.

    References
    ----------
    .. [1] M. Sugiyama, S. Nakajima, H. Kashima, P. von Buenau and M. Kawanabe, "Direct
       Importance Estimation with Model Selection and Its Application to Covariate Shift
       Adaptation", NIPS 2007; Annals of the Institute of Statistical Mathematics 60 (2008).

    Examples
    --------
    >>> import numpy as np
    >>> from skt.reweight import kliep_weights
    >>> rng = np.random.RandomState(0)
    >>> X_source = rng.normal(size=(500, 1))
    >>> X_target = rng.normal(loc=1.0, scale=0.5, size=(500, 1))
    >>> w = kliep_weights(X_source, X_target, random_state=0)
    >>> round(float(w.mean()), 6)
    1.0
    >>> true = np.exp(-2 * (X_source[:, 0] - 1) ** 2 + X_source[:, 0] ** 2 / 2)
    >>> bool(np.corrcoef(w, true)[0, 1] > 0.9)
    True
    """
    Xs, Xt = check_samples(X_source, X_target)
    return _kliep(
        Xs, Xt, gamma=gamma, n_centers=n_centers, cv=cv, tol=tol, max_iter=max_iter,
        random_state=random_state, n_jobs=n_jobs,
    )[0]


class KLIEP(BaseReweighting):
    """KLIEP reweighting: train ``estimator`` on source rows weighted by a fitted density ratio.

    The density ratio ``p_target(x) / p_source(x)`` is a non-negative sum of Gaussian kernels on
    target rows, fitted by maximum likelihood on the target rows with the source mean of the
    ratio fixed to 1; the bandwidth is chosen by likelihood cross-validation (see
    :func:`kliep_weights`). ``estimator`` is then fitted on the source rows with these weights.

    {domains}

    Parameters
    ----------
    {estimator}
    gamma : float, sequence of float or None, default=None
        Bandwidth of the Gaussian kernel: a number (used as is), a grid searched by likelihood
        cross-validation, or None (the median heuristic times ``[1/64, ..., 64]``).
    n_centers : int, default=100
        Number of kernel centres, drawn from the target rows.
    cv : int, default=5
        Folds of the target rows for the likelihood cross-validation.
    tol : float, default=1e-4
        Duality gap of the mean target log-likelihood at which a fit stops.
    max_iter : int, default=1000
        Maximum number of iterations of each fit.
    random_state : int, RandomState instance or None, default=None
        Seed of the centres, the folds and the median heuristic's subsample.
    n_jobs : int, default=None
        Number of joblib workers over the candidate bandwidths of the cross-validation (None:
        one, unless in a ``joblib.parallel_config`` context). The weights do not depend on it.

    Attributes
    ----------
    {attributes}
    gamma_ : float
        Bandwidth used.
    coef_ : ndarray of shape (n_used_centers,)
        Coefficients ``alpha`` of the kernels.
    centers_ : ndarray of shape (n_used_centers, n_features)
        Kernel centres (target rows).
    cv_scores_ : ndarray of shape (n_gammas,) or None
        Mean held-out log-likelihood of each candidate bandwidth (None for a single gamma).

    See Also
    --------
    kliep_weights : The weights without an estimator.
    ULSIF : Least-squares density-ratio fit with closed-form model selection.
    KMM : Kernel mean matching.

    References
    ----------
    .. [1] M. Sugiyama, S. Nakajima, H. Kashima, P. von Buenau and M. Kawanabe, "Direct
       Importance Estimation with Model Selection and Its Application to Covariate Shift
       Adaptation", NIPS 2007.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "covariate", task="regression", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.KLIEP(Ridge(), random_state=0).fit(X, y_train)
    >>> model.weights_.shape, round(float(model.weights_.mean()), 6)
    ((200,), 1.0)
    """

    def __init__(
        self,
        estimator=None,
        *,
        gamma=None,
        n_centers=100,
        cv=5,
        tol=1e-4,
        max_iter=1000,
        random_state=None,
        n_jobs=None,
        flatten="auto",
        source_weighting=None,
    ):
        self.estimator = estimator
        self.flatten = flatten
        self.source_weighting = source_weighting
        self.gamma = gamma
        self.n_centers = n_centers
        self.cv = cv
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_weights(self, X_source, X_target):
        weights, gamma, coef, centers, scores, _ = _kliep(
            X_source, X_target, gamma=self.gamma, n_centers=self.n_centers, cv=self.cv,
            tol=self.tol, max_iter=self.max_iter, random_state=self.random_state,
            n_jobs=self.n_jobs,
        )
        self.gamma_ = gamma
        self.coef_ = coef
        self.centers_ = centers
        self.cv_scores_ = scores
        return weights


KLIEP.__doc__ = KLIEP.__doc__.format(
    domains=DOMAINS_NOTE, estimator=ESTIMATOR_PARAM, attributes=COMMON_ATTRIBUTES
)
