"""Optimal-transport estimators: JDOT (joint distribution OT) and OT label propagation."""

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.validation import has_fit_parameter

from .._pot import check_plan_memory, entropic_plan, import_pot
from ..alignment._utils import check_int, check_real
from ..base import BaseWrappingEstimator

__all__ = ["JDOTClassifier", "JDOTRegressor", "OTLabelPropagation"]

# the exact solver's iteration cap: POT's default (1e5) stops short (with a warning) from a few
# hundred rows per domain on
_EMD_MAX_ITER = 10_000_000


def _feature_cost(ot, Xs, Xt):
    """Squared Euclidean costs, divided by their maximum (so that ``alpha`` is scale-free)."""
    C = ot.dist(Xs, Xt)
    top = C.max()
    return C / top if top > 0 else C


def _plan(ot, C, reg_e=None):
    n_s, n_t = C.shape
    a, b = np.full(n_s, 1.0 / n_s), np.full(n_t, 1.0 / n_t)
    if reg_e is None:
        return ot.emd(a, b, C, numItermax=_EMD_MAX_ITER)
    return entropic_plan(ot, a, b, C, reg_e, max_iter=10_000)[0]


class _BaseJDOT(BaseWrappingEstimator):
    """Alternate an exact transport plan on the joint cost and a fit of ``estimator``."""

    # the plan needs the dense n_s x n_t cost matrix of POT: sparse rows are refused clearly
    _sparse_support = False

    def __init__(self, estimator=None, *, alpha=1.0, max_iter=10, tol=1e-5):
        self.estimator = estimator
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, *, sample_domain=None):
        """Fit ``estimator`` on the target rows under the joint transport plan.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain.
        y : array-like of shape (n_samples,)
            Labels of the source rows; target rows are masked (``-1`` or ``NaN``) unless
            ``sample_domain`` tells them. Target labels are never read.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source rows, negative for target rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        ot = import_pot(type(self).__name__)
        alpha = check_real(self.alpha, "alpha", minimum=0.0)
        max_iter = check_int(self.max_iter, "max_iter")
        tol = check_real(self.tol, "tol", minimum=0.0)
        estimator = self._get_estimator()
        self._check_estimator(estimator)
        domains = self._validate_fit_data(X, y, sample_domain)
        check_plan_memory(domains.n_source, domains.n_target, type(self).__name__)
        Xs = np.asarray(domains.X_source, dtype=np.float64)
        Xt = np.asarray(domains.X_target, dtype=np.float64)
        ys = domains.y_source
        C_x = alpha * _feature_cost(ot, Xs, Xt)

        model = clone(estimator).fit(domains.X_source, ys)  # start from source-only
        objective = []
        for _ in range(max_iter):
            C = C_x + self._loss(model, ys, domains.X_target)
            G = _plan(ot, C)
            objective.append(float(np.sum(G * C)))
            model = self._refit(estimator, G, ys, domains.X_target)
            if len(objective) > 1 and abs(objective[-2] - objective[-1]) <= tol * abs(
                objective[-2]
            ):
                break
        self.coupling_ = G
        self.objective_ = np.asarray(objective)
        self.n_iter_ = len(objective)
        self.estimator_ = model
        if hasattr(model, "classes_"):
            self.classes_ = model.classes_
        del Xs, Xt
        return self


class JDOTClassifier(_BaseJDOT):
    """Joint distribution optimal transport (JDOT) for classification.

    JDOT (Courty, Flamary, Habrard and Rakotomamonjy, 2017) learns a classifier ``f`` of the
    target domain together with a transport plan ``G`` between the source rows ``(x_i, y_i)``
    and the target rows ``(x_j, f(x_j))``:

    ``min_{f, G}  sum_ij G_ij [alpha * d(x_i, x_j) + L(y_i, f(x_j))]``

    over plans ``G`` with uniform marginals. The two are optimised in turn (block coordinate
    descent, as in the paper): the exact plan for ``f`` fixed (POT's network simplex), then
    ``f`` fitted for ``G`` fixed, which is a weighted fit on the pairs ``(x_j, y_i)`` with
    weights ``G_ij`` (the exact plan has at most ``n_s + n_t - 1`` of them), so any
    scikit-learn classifier that accepts ``sample_weight`` can play ``f``.

    Parameters
    ----------
    estimator : classifier, default=None
        The target classifier ``f``; cloned. Must accept ``sample_weight`` in ``fit``. None
        means ``LogisticRegression()``.
    alpha : float >= 0, default=1.0
        Weight of the feature distance against the label loss. Distances are squared
        Euclidean, divided by their maximum over the training pairs, so ``alpha`` does not
        depend on the scale of the features; ``alpha=0`` ignores the features.
    max_iter : int, default=10
        Alternations of plan and fit (the paper uses 10).
    tol : float >= 0, default=1e-5
        Stop when the objective changes by less than ``tol`` times its value.

    Attributes
    ----------
    estimator_ : classifier
        The fitted target classifier.
    classes_ : ndarray of shape (n_classes,)
        Classes of ``estimator_`` (source classes that the plan gave to some target row).
    coupling_ : ndarray of shape (n_source, n_target)
        The last transport plan.
    objective_ : ndarray of shape (n_alternations,)
        The objective ``sum(G * C)`` at each alternation.
    n_iter_ : int
        Number of alternations run.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    JDOTRegressor : the same for regression.
    OTLabelPropagation : target labels as the transported source labels.
    skt.OTMapping : map the source rows onto the target rows.

    Notes
    -----
    The label loss is the squared distance between the one-hot source label and ``f``'s class
    probabilities (``predict_proba``; a Brier loss, in ``[0, 2]``), or the 0-1 loss for a
    classifier without probabilities. The plan is an ``n_s x n_t`` array, so memory grows as
    ``O(n_s n_t)``. Source labels and the features of target rows are read; target labels
    never. Several source ids are pooled into one source, several target ids into one target.
    Requires POT (``pip install "skt[ot]"``).

    References
    ----------
    .. [1] N. Courty, R. Flamary, A. Habrard and A. Rakotomamonjy, "Joint distribution optimal
       transportation for domain adaptation", NeurIPS 2017.

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(kind="covariate", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.JDOTClassifier().fit(X, y_train)
    >>> model.predict(X[:3]).shape
    (3,)
    """

    def _get_estimator(self):
        return LogisticRegression() if self.estimator is None else self.estimator

    def _check_estimator(self, estimator):
        if not is_classifier(estimator):
            raise TypeError(
                f"JDOTClassifier: estimator must be a classifier; got "
                f"{type(estimator).__name__}. Use JDOTRegressor for regression."
            )
        if not has_fit_parameter(estimator, "sample_weight"):
            raise TypeError(
                f"JDOTClassifier: estimator {type(estimator).__name__} does not accept "
                "sample_weight in fit, and JDOT fits it on the transport plan's weighted "
                "pairs. Use an estimator whose fit takes sample_weight."
            )

    @staticmethod
    def _loss(model, ys, Xt):
        classes = model.classes_
        code = np.searchsorted(classes, ys)
        known = (code < len(classes)) & (classes[np.minimum(code, len(classes) - 1)] == ys)
        if hasattr(model, "predict_proba"):
            P = model.predict_proba(Xt)
            # ||e_y - p||^2 = 1 - 2 p_y + ||p||^2 (p_y = 0 for a class the model lacks)
            p_y = np.where(known[:, None], P.T[np.minimum(code, len(classes) - 1)], 0.0)
            return 1.0 - 2.0 * p_y + np.einsum("ij,ij->i", P, P)[None, :]
        pred = model.predict(Xt)
        return (ys[:, None] != pred[None, :]).astype(np.float64)

    @staticmethod
    def _refit(estimator, G, ys, Xt):
        i, j = np.nonzero(G > 0)
        w = G[i, j] * G.shape[1]  # the plan's mass, scaled to sum to n_target
        return clone(estimator).fit(Xt[j], ys[i], sample_weight=w)


class JDOTRegressor(_BaseJDOT):
    """Joint distribution optimal transport (JDOT) for regression.

    The regression form of JDOT (Courty, Flamary, Habrard and Rakotomamonjy, 2017):

    ``min_{f, G}  sum_ij G_ij [alpha * d(x_i, x_j) + (y_i - f(x_j))^2 / var(y_s)]``

    optimised in turn over the exact plan ``G`` and the regressor ``f``. With ``G`` fixed,
    the squared loss makes the fit of ``f`` an ordinary fit on the target rows with the
    transported labels ``y_j = n_t sum_i G_ij y_i`` (the paper's reduction), so any
    scikit-learn regressor can play ``f``, with or without ``sample_weight``.

    Parameters
    ----------
    estimator : regressor, default=None
        The target regressor ``f``; cloned. None means ``Ridge()``.
    alpha : float >= 0, default=1.0
        Weight of the feature distance against the label loss (distances divided by their
        maximum, labels by the variance of the source labels: both terms are scale-free).
    max_iter : int, default=10
        Alternations of plan and fit.
    tol : float >= 0, default=1e-5
        Stop when the objective changes by less than ``tol`` times its value.

    Attributes
    ----------
    estimator_ : regressor
        The fitted target regressor.
    coupling_ : ndarray of shape (n_source, n_target)
        The last transport plan.
    objective_ : ndarray of shape (n_alternations,)
        The objective at each alternation.
    n_iter_ : int
        Number of alternations run.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    JDOTClassifier : the same for classification.

    Notes
    -----
    Requires POT (``pip install "skt[ot]"``). Target labels are never read. Several source ids
    are pooled into one source, several target ids into one target.

    References
    ----------
    .. [1] N. Courty, R. Flamary, A. Habrard and A. Rakotomamonjy, "Joint distribution optimal
       transportation for domain adaptation", NeurIPS 2017.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> rng = np.random.RandomState(0)
    >>> Xs, Xt = rng.randn(60, 1), rng.randn(50, 1) + 1.0
    >>> X = np.vstack([Xs, Xt])
    >>> y = np.r_[np.sin(Xs[:, 0]), np.full(50, np.nan)]
    >>> model = skt.JDOTRegressor().fit(X, y)
    >>> model.predict(Xt[:2]).shape
    (2,)
    """

    def _get_estimator(self):
        return Ridge() if self.estimator is None else self.estimator

    def _check_estimator(self, estimator):
        if is_classifier(estimator):
            raise TypeError(
                f"JDOTRegressor: estimator must be a regressor; got "
                f"{type(estimator).__name__}. Use JDOTClassifier for classification."
            )

    def _loss(self, model, ys, Xt):
        scale = np.var(ys)
        pred = model.predict(Xt)
        return (ys[:, None] - pred[None, :]) ** 2 / (scale if scale > 0 else 1.0)

    @staticmethod
    def _refit(estimator, G, ys, Xt):
        y_hat = (G.T @ ys) / G.sum(axis=0)
        return clone(estimator).fit(Xt, y_hat)


class _PropagatedLabels(BaseWrappingEstimator):
    """Classifiers that fit ``estimator`` (default: 1-NN) on labels transported to the target
    rows (OT label propagation, JCPOT)."""

    def _get_estimator(self):
        return KNeighborsClassifier(n_neighbors=1) if self.estimator is None else self.estimator

    def _inner_estimator_type(self):
        return "classifier"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the propagated labels are single labels, whatever the inner classifier supports
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_label = False
        return tags


class OTLabelPropagation(_PropagatedLabels):
    """Optimal-transport label propagation: target labels are the transported source labels.

    A transport plan ``G`` between the source and the target rows (exact, or entropic with
    ``reg_e``) carries the source labels' mass to the target rows: target row ``j`` gets the
    class distribution ``G[:, j]' Y / sum_i G_ij`` (``Y`` the one-hot source labels; Redko,
    Courty, Flamary and Tuia, 2019, and POT's ``transform_labels``), and its label is the class
    of largest mass. ``estimator`` is then fitted on the target rows with those labels, so new
    target rows are predicted out of sample.

    Parameters
    ----------
    estimator : classifier, default=None
        Fitted on the training target rows with their propagated labels; cloned. None means
        ``KNeighborsClassifier(n_neighbors=1)``: a new row takes the label of the nearest
        training target row.
    reg_e : float > 0 or None, default=None
        None: the exact plan (network simplex). A number: the entropic plan with that weight,
        relative to the cost divided by its maximum.

    Attributes
    ----------
    label_distributions_ : ndarray of shape (n_target, n_source_classes)
        Transported class distribution of each training target row (columns:
        ``source_classes_``).
    transduction_ : ndarray of shape (n_target,)
        Propagated label of each training target row.
    source_classes_ : ndarray of shape (n_source_classes,)
        Classes of the source rows.
    classes_ : ndarray of shape (n_classes,)
        Classes of ``estimator_`` (those given to some target row).
    coupling_ : ndarray of shape (n_source, n_target)
        The transport plan.
    estimator_ : classifier
        The fitted out-of-sample classifier.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    JDOTClassifier : learn the target classifier jointly with the plan.

    Notes
    -----
    Requires POT (``pip install "skt[ot]"``). Target labels are never read. Several source ids
    are pooled into one source, several target ids into one target.

    References
    ----------
    .. [1] I. Redko, N. Courty, R. Flamary and D. Tuia, "Optimal transport for multi-source
       domain adaptation under target shift", AISTATS 2019 (label propagation by the plan).

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(kind="covariate", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.OTLabelPropagation().fit(X, y_train)
    >>> model.transduction_.shape == ((sample_domain < 0).sum(),)
    True
    """

    # the plan needs the dense n_s x n_t cost matrix of POT: sparse rows are refused clearly
    _sparse_support = False

    def __init__(self, estimator=None, *, reg_e=None):
        self.estimator = estimator
        self.reg_e = reg_e

    def fit(self, X, y, *, sample_domain=None):
        """Propagate the source labels to the target rows and fit ``estimator`` on them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain.
        y : array-like of shape (n_samples,)
            Class labels of the source rows; target rows masked with ``-1`` unless
            ``sample_domain`` tells them. Target labels are never read.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source rows, negative for target rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        ot = import_pot(type(self).__name__)
        reg_e = None
        if self.reg_e is not None:
            reg_e = check_real(self.reg_e, "reg_e", minimum=0.0, strict=True)
        estimator = self._get_estimator()
        if not is_classifier(estimator):
            raise TypeError(
                "OTLabelPropagation: estimator must be a classifier; got "
                f"{type(estimator).__name__}."
            )
        domains = self._validate_fit_data(X, y, sample_domain)
        check_plan_memory(domains.n_source, domains.n_target, "OTLabelPropagation")
        Xs = np.asarray(domains.X_source, dtype=np.float64)
        Xt = np.asarray(domains.X_target, dtype=np.float64)
        classes, code = np.unique(domains.y_source, return_inverse=True)
        G = _plan(ot, _feature_cost(ot, Xs, Xt), reg_e)
        mass = np.zeros((Xt.shape[0], len(classes)))
        np.add.at(mass.T, code, G)  # mass[j, c] = sum of G[i, j] over source rows i of class c
        total = mass.sum(axis=1, keepdims=True)
        if not np.all(total > 0):
            raise ValueError(
                "OTLabelPropagation: the entropic plan underflowed and left target rows "
                "without mass; increase reg_e or use the exact plan (reg_e=None)."
            )
        self.label_distributions_ = mass / total
        self.transduction_ = classes[np.argmax(mass, axis=1)]
        self.source_classes_ = classes
        self.coupling_ = G
        self.estimator_ = clone(estimator).fit(domains.X_target, self.transduction_)
        self.classes_ = self.estimator_.classes_
        return self
