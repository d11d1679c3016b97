"""Regularised transfer of linear models: a prior centred on the source model's parameters.

Chelba and Acero (2004) adapt a maximum-entropy (logistic) model to a new domain by maximum a
posteriori estimation with a Gaussian prior whose mean is the source model's parameters. Here
that is the minimisation of

    L_target(w, b) + lam * (||w - w_s||^2 + (b - b_s)^2)

with ``L_target`` the mean logistic loss (classifier, solved with L-BFGS-B and exact gradients)
or the mean squared error (regressor, solved in closed form) over the labeled target rows.
"""

import numbers
import warnings

import numpy as np
from scipy import linalg, optimize
from scipy.special import expit, log_expit, logsumexp
from sklearn.base import ClassifierMixin, RegressorMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.extmath import softmax

from ..base import BaseTransferEstimator
from ._common import BaseParameterTransfer

__all__ = ["RegularTransferClassifier", "RegularTransferRegressor"]


# -- the source prior -------------------------------------------------------------------------


def _check_lam(lam):
    if (
        not isinstance(lam, numbers.Real)
        or isinstance(lam, bool)
        or not np.isfinite(lam)
        or lam < 0
    ):
        raise ValueError(f"lam must be a finite number >= 0; got {lam!r}.")
    return float(lam)


def _as_model_list(source_model):
    if isinstance(source_model, (list, tuple)):
        if len(source_model) == 0:
            raise ValueError("source_model is an empty list; give at least one fitted model.")
        return list(source_model)
    return [source_model]


def _check_source_weights(source_weights, n_models):
    if source_weights is None:
        return np.full(n_models, 1.0 / n_models)
    weights = np.asarray(source_weights, dtype=np.float64)
    if weights.shape != (n_models,) or not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError(
            f"source_weights must hold {n_models} finite non-negative numbers, one per source "
            f"model; got {source_weights!r}."
        )
    if weights.sum() <= 0:
        raise ValueError("source_weights must not all be zero.")
    return weights / weights.sum()


def _linear_parameters(model, n_features, index):
    """``(coef, intercept)`` of a fitted linear model, coef of shape (n_rows, n_features)."""
    name = "source_model" if index is None else f"source_model[{index}]"
    coef = getattr(model, "coef_", None)
    if coef is None:
        fitted = "fitted " if hasattr(model, "n_features_in_") else "unfitted "
        raise ValueError(
            f"{name} must be a fitted linear model with coef_ and intercept_ (e.g. "
            f"LogisticRegression, Ridge, SGDClassifier); got a {fitted}{type(model).__name__} "
            "without coef_."
        )
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    if coef.shape[1] != n_features:
        raise ValueError(
            f"X has {n_features} features, but {name} ({type(model).__name__}) was fitted "
            f"with {coef.shape[1]} features."
        )
    intercept = np.atleast_1d(np.asarray(getattr(model, "intercept_", 0.0), dtype=np.float64))
    if intercept.shape[0] == 1 and coef.shape[0] > 1:
        intercept = np.repeat(intercept, coef.shape[0])
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise ValueError(f"{name} has non-finite coefficients.")
    return coef, intercept


def _classes_of(model, index):
    classes = getattr(model, "classes_", None)
    if classes is None:
        name = "source_model" if index is None else f"source_model[{index}]"
        raise ValueError(
            f"{name} ({type(model).__name__}) has no classes_: a classifier is needed."
        )
    return np.asarray(classes)


def _check_softmax_parameters(model, coef, classes, index):
    """Check that ``model`` has the ``classes`` and one parameter row per class (one row in
    all for two classes: the logistic form)."""
    name = "source_model" if index is None else f"source_model[{index}]"
    model_classes = _classes_of(model, index)
    if len(model_classes) != len(classes) or np.any(model_classes != classes):
        raise ValueError(
            f"the source models must share their classes; {name} has {model_classes.tolist()} "
            f"where the first has {classes.tolist()}."
        )
    expected = 1 if len(classes) == 2 else len(classes)
    if coef.shape[0] != expected:
        raise ValueError(
            f"{name} has coef_ of shape {coef.shape} for {len(classes)} classes; expected "
            f"{expected} row(s)."
        )


# -- losses -----------------------------------------------------------------------------------


def _binary_objective(theta, X, y01, coef0, intercept0, lam, penalize_intercept):
    """Mean logistic loss plus the prior, and its gradient (binary: one parameter vector)."""
    n, d = X.shape
    w, b = theta[:d], theta[d]
    z = X @ w + b
    # log(1 + exp(-z)) for y = 1 and log(1 + exp(z)) for y = 0
    sign = 2.0 * y01 - 1.0
    loss = -np.mean(log_expit(sign * z))
    residual = (expit(z) - y01) / n
    diff_w = w - coef0
    grad = np.empty_like(theta)
    grad[:d] = X.T @ residual + 2.0 * lam * diff_w
    grad[d] = residual.sum()
    loss += lam * diff_w @ diff_w
    if penalize_intercept:
        loss += lam * (b - intercept0) ** 2
        grad[d] += 2.0 * lam * (b - intercept0)
    return loss, grad


def _multinomial_objective(theta, X, Y, coef0, intercept0, lam, penalize_intercept):
    """Mean softmax cross-entropy plus the prior, and its gradient (one row per class)."""
    n, d = X.shape
    k = Y.shape[1]
    params = theta.reshape(k, d + 1)
    W, b = params[:, :d], params[:, d]
    Z = X @ W.T + b
    log_norm = logsumexp(Z, axis=1)
    loss = np.mean(log_norm - np.sum(Z * Y, axis=1))
    residual = (np.exp(Z - log_norm[:, None]) - Y) / n
    diff_W = W - coef0
    grad = np.empty_like(params)
    grad[:, :d] = residual.T @ X + 2.0 * lam * diff_W
    grad[:, d] = residual.sum(axis=0)
    loss += lam * np.sum(diff_W**2)
    if penalize_intercept:
        diff_b = b - intercept0
        loss += lam * diff_b @ diff_b
        grad[:, d] += 2.0 * lam * diff_b
    return loss, grad.ravel()


# -- shared base ------------------------------------------------------------------------------


_DOC_SHARED = """source_model : fitted linear model or list of them, default=None
        The source model(s), e.g. loaded from disk: anything with ``coef_`` and ``intercept_``
        (a classifier also needs ``classes_``). When given, no source row is needed (source
        rows in ``X`` are ignored) and ``estimator`` must be None. Several models give a
        multi-source prior, see ``source_weights``. The models are read, never modified.
    estimator : linear estimator, default=None
        Fitted (a clone) on the source rows of ``X`` when ``source_model`` is None, to give the
        source parameters. None means ``{default}``.
    lam : float >= 0, default=1.0
        Strength of the pull towards the source parameters, in units of the mean target loss.
        ``lam=0`` fits the labeled target rows alone (no regularisation at all); as ``lam``
        grows the model tends to the source model. A hyper-parameter to choose by
        cross-validation over the labeled target rows (``StratifiedTargetKFold``): a useless
        source then gets a small ``lam``.
    source_weights : array-like of shape (n_source_models,), default=None
        Weights of the source models in the prior (normalised to sum to one; None: equal).
        ``sum_k a_k ||w - w_k||^2`` equals ``||w - sum_k a_k w_k||^2`` up to a constant, so the
        prior is centred on the weighted mean of the source parameters.
    penalize_intercept : bool, default=True
        Pull the intercept towards the source intercept too (the prior of Chelba and Acero
        covers every parameter; this makes ``lam -> inf`` give the source model exactly).
        False fits the intercept freely on the target rows (it adapts to a change of the
        class balance or of the mean), as scikit-learn's ridge and logistic regression do."""


class _BaseRegularTransfer(BaseParameterTransfer):

    def __init__(
        self,
        source_model=None,
        *,
        estimator=None,
        lam=1.0,
        source_weights=None,
        penalize_intercept=True,
    ):
        self.source_model = source_model
        self.estimator = estimator
        self.lam = lam
        self.source_weights = source_weights
        self.penalize_intercept = penalize_intercept

    def _source_models(self, domains):
        """The fitted source models: the user's, or a clone of ``estimator`` fitted on the
        source rows."""
        self._check_one_source()
        if self.source_model is not None:
            return _as_model_list(self.source_model)
        if self.source_weights is not None:
            raise ValueError(
                "source_weights weighs several source models given as source_model; with "
                "estimator there is a single source model. Leave source_weights=None."
            )
        self._check_source_rows(domains)
        estimator = self._default_estimator() if self.estimator is None else self.estimator
        if not hasattr(estimator, "fit"):
            raise TypeError(f"estimator must be an estimator; got {estimator!r}.")
        fitted = clone(estimator).fit(domains.X_source, domains.y_source)
        return [fitted]

    def _prior(self, models, n_features, check=None):
        """Centre of the prior: the weighted mean of the source parameters ``(coef,
        intercept)``; ``check(model, coef, intercept, name)`` validates each model's."""
        weights = _check_source_weights(self.source_weights, len(models))
        coef0 = intercept0 = 0.0
        for i, (weight, model) in enumerate(zip(weights, models, strict=True)):
            index = i if len(models) > 1 else None
            coef, intercept = _linear_parameters(model, n_features, index)
            if check is not None:
                check(model, coef, intercept, index)
            coef0 = coef0 + weight * coef
            intercept0 = intercept0 + weight * intercept
        return coef0, intercept0


# -- classifier -------------------------------------------------------------------------------


class RegularTransferClassifier(ClassifierMixin, _BaseRegularTransfer):
    """Logistic regression on the labeled target rows with a prior centred on a source model.

    Chelba and Acero (2004): the parameters minimise the mean logistic loss over the labeled
    target rows plus ``lam`` times the squared distance to the source parameters,

    .. math::

        \\frac{1}{n_t} \\sum_{i} \\ell(y_i, W x_i + b)
        + \\lambda \\left(\\lVert W - W_s \\rVert_F^2 + \\lVert b - b_s \\rVert^2\\right),

    with the binary logistic loss for two classes (one parameter vector, as scikit-learn's
    ``LogisticRegression``) and the softmax cross-entropy for more (one vector per class). The
    objective is strictly convex for ``lam > 0``; it is minimised by SciPy's L-BFGS-B with the
    exact gradient, started from the source parameters.

    Training rows come from one ``X``: ``sample_domain`` tells source rows (positive ids) from
    target rows (negative ids); target rows with a label are the labeled target rows, those
    with a masked label (``-1``) are ignored. Without ``sample_domain``, or without a labeled
    target row, ``fit`` raises a ValueError. With ``source_model`` given, the rows of ``X`` may
    all be target rows. At predict time every row is a target row. Several source ids in ``X``
    are pooled into one source model (several fitted models passed as ``source_model`` give a
    multi-source prior), several target ids into one target.

    Parameters
    ----------
    {shared}
    max_iter : int, default=1000
        Maximum number of L-BFGS-B iterations; a ConvergenceWarning says when it is reached.
    tol : float, default=1e-6
        Stop when the largest gradient entry falls below ``tol`` (L-BFGS-B's ``pgtol``).

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Adapted coefficients (one row for two classes, for ``classes_[1]``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Adapted intercepts.
    source_coef_, source_intercept_ : ndarray
        Centre of the prior (the weighted mean of the source models' parameters).
    source_models_ : list of estimator objects
        The source models (the user's, or the fitted clone of ``estimator``).
    classes_ : ndarray of shape (n_classes,)
        The source models' classes.
    n_iter_ : int
        Number of L-BFGS-B iterations.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    RegularTransferRegressor : the same prior for least squares, in closed form.
    FineTuning : continue training any incremental model on the target rows.
    skt.TargetOnly : the labeled target rows alone (``lam=0``).

    Notes
    -----
    **Classes.** The model's classes are the source models'. A labeled target row of a class
    the source models do not know is a ValueError (its parameters would have no prior). A
    source class absent from the labeled target rows stays: its parameters move only through
    the softmax normalisation, which pushes its probability down, and the prior keeps them near
    the source. For two classes the prior is the source's single vector; for more classes the
    source's ``coef_`` rows are taken as the softmax parameters (exact for a multinomial
    ``LogisticRegression``; for a one-vs-rest model such as ``LinearSVC`` the same argmax at
    ``lam -> inf``, with other probabilities).

    **Scale of lam.** With ``W_s = 0`` and ``penalize_intercept=False`` the objective is
    scikit-learn's ``LogisticRegression(C=1 / (2 lam n_t))`` scaled by a constant: ``lam`` is
    per mean target loss, so the same value means the same across folds of different sizes.
    ``lam=0`` on separable target rows has no minimum (the weights grow until ``max_iter``).

    References
    ----------
    .. [1] C. Chelba and A. Acero, "Adaptation of maximum entropy capitalizer: Little data can
       help a lot", EMNLP 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("concept", random_state=0)
    >>> source = sample_domain > 0
    >>> source_model = LogisticRegression().fit(X[source], y[source])   # trained elsewhere
    >>> rng = np.random.RandomState(0)
    >>> labeled = ~source & (rng.rand(len(y)) < 0.1)                     # 10% of the target
    >>> model = skt.RegularTransferClassifier(source_model, lam=0.1)
    >>> model = model.fit(X[labeled], y[labeled], sample_domain=-np.ones(labeled.sum(), int))
    >>> test = ~source & ~labeled
    >>> float(model.score(X[test], y[test])) > float(source_model.score(X[test], y[test]))
    True
    """

    def __init__(
        self,
        source_model=None,
        *,
        estimator=None,
        lam=1.0,
        source_weights=None,
        penalize_intercept=True,
        max_iter=1000,
        tol=1e-6,
    ):
        super().__init__(
            source_model,
            estimator=estimator,
            lam=lam,
            source_weights=source_weights,
            penalize_intercept=penalize_intercept,
        )
        self.max_iter = max_iter
        self.tol = tol

    # the mixin's score would come first: skt's scores target rows only
    score = BaseTransferEstimator.score

    def _default_estimator(self):
        return LogisticRegression()

    def _inner_estimator_type(self):
        return "classifier"

    def fit(self, X, y, *, sample_domain=None):
        """Fit the adapted logistic model on the labeled target rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain (only target rows when ``source_model`` is given).
        y : array-like of shape (n_samples,)
            Labels; ``-1`` marks unlabeled target rows.
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: positive for source rows, negative for target rows. Required: only it
            tells labeled target rows from source rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        lam = _check_lam(self.lam)
        domains = self._validate_fit_data(X, y, sample_domain)
        models = self._source_models(domains)
        first = {}

        def check(model, coef, intercept, index):
            # the first model's classes are the model's; the others must share them
            classes = first.setdefault("classes", _classes_of(model, index))
            _check_softmax_parameters(model, coef, classes, index)

        coef0, intercept0 = self._prior(models, domains.X.shape[1], check)
        classes = first["classes"]
        Xt, yt = domains.X_labeled_target, domains.y_labeled_target
        unknown = ~np.isin(yt, classes)
        if unknown.any():
            raise ValueError(
                f"y holds target classes the source model does not know: "
                f"{np.unique(yt[unknown]).tolist()}; the source classes are {classes.tolist()}."
            )
        index = np.searchsorted(classes, yt) if _sorted(classes) else _index_of(classes, yt)
        self._solve(Xt, index, len(classes), coef0, intercept0, lam)
        self.classes_ = classes
        self.source_models_ = models
        self.source_coef_, self.source_intercept_ = coef0, intercept0
        return self

    def _solve(self, X, index, n_classes, coef0, intercept0, lam):
        d = X.shape[1]
        penalize = bool(self.penalize_intercept)
        if n_classes == 2:
            theta0 = np.concatenate([coef0[0], intercept0[:1]])
            args = (X, (index == 1).astype(np.float64), coef0[0], intercept0[0], lam, penalize)
            objective = _binary_objective
        else:
            theta0 = np.hstack([coef0, intercept0[:, None]]).ravel()
            Y = np.zeros((X.shape[0], n_classes))
            Y[np.arange(X.shape[0]), index] = 1.0
            args = (X, Y, coef0, intercept0, lam, penalize)
            objective = _multinomial_objective
        result = optimize.minimize(
            objective,
            theta0,
            args=args,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 64 * np.finfo(float).eps},
        )
        if not result.success and result.nit >= self.max_iter:
            warnings.warn(
                f"{type(self).__name__}: L-BFGS-B reached max_iter={self.max_iter} before "
                f"converging ({result.message}). Raise max_iter, or raise lam (lam=0 on "
                "separable target rows has no minimum).",
                ConvergenceWarning,
                stacklevel=3,
            )
        params = result.x.reshape(-1, d + 1)
        self.coef_, self.intercept_ = params[:, :d].copy(), params[:, d].copy()
        self.n_iter_ = int(result.nit)

    def decision_function(self, X, *, sample_domain=None):
        """Linear scores of the adapted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the scores do not depend on it.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Score of ``classes_[1]`` for two classes, one column per class otherwise.
        """
        X = self._validate_predict_data(X, sample_domain)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, X, *, sample_domain=None):
        """Class probabilities of the adapted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        scores = self.decision_function(X, sample_domain=sample_domain)
        if scores.ndim == 1:
            p = expit(scores)
            return np.column_stack([1.0 - p, p])
        return softmax(scores)

    def predict_log_proba(self, X, *, sample_domain=None):
        """Log class probabilities of the adapted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        scores = self.decision_function(X, sample_domain=sample_domain)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return scores - logsumexp(scores, axis=1, keepdims=True)

    def predict(self, X, *, sample_domain=None):
        """Most probable class of every row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, of the dtype of ``classes_``.
        """
        scores = self.decision_function(X, sample_domain=sample_domain)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]


def _sorted(classes):
    return classes.shape[0] < 2 or bool(np.all(classes[:-1] < classes[1:]))


def _index_of(classes, y):
    lookup = {c: i for i, c in enumerate(classes.tolist())}
    return np.array([lookup[v] for v in y.tolist()], dtype=np.intp)


# -- regressor --------------------------------------------------------------------------------


class RegularTransferRegressor(RegressorMixin, _BaseRegularTransfer):
    """Least squares on the labeled target rows with a prior centred on a source model.

    The parameters minimise the mean squared error over the labeled target rows plus ``lam``
    times the squared distance to the source parameters,

    .. math::

        \\frac{1}{n_t} \\lVert y - X w - b \\rVert^2
        + \\lambda \\left(\\lVert w - w_s \\rVert^2 + (b - b_s)^2\\right),

    a ridge regression shrunk towards ``w_s`` instead of 0, solved in closed form (one
    ``(d + 1) x (d + 1)`` Cholesky solve). The domains travel as for
    :class:`RegularTransferClassifier`: several source ids in ``X`` are pooled
    into one source model (several fitted models passed as ``source_model`` give a
    multi-source prior), several target ids into one target.

    Parameters
    ----------
    {shared}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Adapted coefficients.
    intercept_ : float
        Adapted intercept.
    source_coef_ : ndarray of shape (n_features,)
        Centre of the prior (the weighted mean of the source coefficients).
    source_intercept_ : float
        Centre of the prior for the intercept.
    source_models_ : list of estimator objects
        The source models (the user's, or the fitted clone of ``estimator``).
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    RegularTransferClassifier : the same prior for the logistic loss.
    sklearn.linear_model.Ridge : the case ``w_s = 0``.

    Notes
    -----
    With ``w_s = 0`` and ``penalize_intercept=False`` the solution is scikit-learn's
    ``Ridge(alpha=lam * n_t)``. ``lam=0`` is ordinary least squares (the minimum-norm solution
    when the target rows do not determine it). A source model must predict one output
    (``coef_`` of shape ``(n_features,)`` or ``(1, n_features)``).

    References
    ----------
    .. [1] C. Chelba and A. Acero, "Adaptation of maximum entropy capitalizer: Little data can
       help a lot", EMNLP 2004.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "concept", task="regression", random_state=0)
    >>> y_train = y.copy()
    >>> y_train[(sample_domain < 0) & (np.arange(len(y)) % 10 != 0)] = np.nan
    >>> model = skt.RegularTransferRegressor(lam=0.1)  # Ridge fitted on the source rows
    >>> model = model.fit(X, y_train, sample_domain=sample_domain)
    >>> model.coef_.shape
    (2,)
    """

    # the mixin's score would come first: skt's scores target rows only
    score = BaseTransferEstimator.score

    def _default_estimator(self):
        return Ridge()

    def _inner_estimator_type(self):
        return "regressor"

    def fit(self, X, y, *, sample_domain=None):
        """Fit the adapted least-squares model on the labeled target rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain (only target rows when ``source_model`` is given).
        y : array-like of shape (n_samples,)
            Values; ``NaN`` marks unlabeled target rows.
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: positive for source rows, negative for target rows. Required.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        lam = _check_lam(self.lam)
        domains = self._validate_fit_data(X, y, sample_domain)
        models = self._source_models(domains)

        def check(model, coef, intercept, index):
            if coef.shape[0] != 1:
                name = "source_model" if index is None else f"source_model[{index}]"
                raise ValueError(
                    f"{name} predicts {coef.shape[0]} outputs; RegularTransferRegressor "
                    "adapts a single-output linear model."
                )

        coef0, intercept0 = self._prior(models, domains.X.shape[1], check)
        coef0, intercept0 = coef0[0], float(intercept0[0])
        Xt = domains.X_labeled_target
        yt = domains.y_labeled_target.astype(np.float64)
        self.coef_, self.intercept_ = _ridge_towards(
            Xt, yt, coef0, intercept0, lam, bool(self.penalize_intercept)
        )
        self.source_models_ = models
        self.source_coef_, self.source_intercept_ = coef0, intercept0
        return self

    def predict(self, X, *, sample_domain=None):
        """Predicted values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted values.
        """
        X = self._validate_predict_data(X, sample_domain)
        return X @ self.coef_ + self.intercept_


def _ridge_towards(X, y, coef0, intercept0, lam, penalize_intercept):
    """Closed-form minimiser of ``mean((y - Xw - b)^2) + lam (||w - w0||^2 [+ (b - b0)^2])``.

    The normal equations ``(X1' X1 / n + lam D) theta = X1' y / n + lam D theta0`` with
    ``X1 = [X, 1]`` and ``D`` the identity (its last entry 0 when the intercept is free).
    """
    n, d = X.shape
    X1 = np.hstack([X, np.ones((n, 1))])
    penalty = np.full(d + 1, lam)
    if not penalize_intercept:
        penalty[d] = 0.0
    A = X1.T @ X1 / n
    A[np.diag_indices_from(A)] += penalty
    rhs = X1.T @ y / n + penalty * np.append(coef0, intercept0)
    try:
        theta = linalg.solve(A, rhs, assume_a="pos")
    except (linalg.LinAlgError, ValueError):
        # lam = 0 (or a free intercept) with rank-deficient target rows: minimum-norm solution
        theta = linalg.lstsq(A, rhs)[0]
    else:
        if lam == 0 and not np.all(np.isfinite(theta)):
            theta = linalg.lstsq(A, rhs)[0]
    return theta[:d], float(theta[d])


for _cls, _default in (
    (RegularTransferClassifier, "LogisticRegression()"),
    (RegularTransferRegressor, "Ridge()"),
):
    _cls.__doc__ = _cls.__doc__.replace("{shared}", _DOC_SHARED.replace("{default}", _default))
del _cls, _default
