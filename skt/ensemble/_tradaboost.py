"""Boosting transfer: TrAdaBoost, TrAdaBoost.R2 and two-stage TrAdaBoost.R2.

The three estimators learn from many labeled source rows and a few labeled target rows. Every
boosting round trains one clone of the base estimator on all those rows with per-row weights,
then lowers the weight of the source rows the learner gets wrong (they look unlike the target)
and raises the weight of the target rows it gets wrong (as AdaBoost does). Only the labeled target
rows measure a learner's error.

Weights are kept normalised (they sum to one over the training rows) after every round: the
updates are multiplicative, so this changes no result and keeps them from under- or overflowing.
The base estimator receives them rescaled to mean one, so that the first round with uniform
weights fits exactly what an unweighted fit on the pooled rows would.
"""

import math
import numbers
import warnings

import numpy as np
from scipy.optimize import brentq
from sklearn.base import ClassifierMixin, RegressorMixin, clone
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from .._scale import overflow_scale
from ..base import BaseTransferEstimator

__all__ = ["TrAdaBoostClassifier", "TrAdaBoostRegressor", "TwoStageTrAdaBoostRegressor"]

#: Floor of a learner's target error: a learner with no error on the target rows gets a large
#: but finite vote (log(1 / 1e-10) ~ 23) instead of an infinite one.
ERROR_FLOOR = 1e-10

_LOSSES = ("linear", "square", "exponential")


# -- small helpers ----------------------------------------------------------------------------


def _check_int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _check_loss(loss):
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}; got {loss!r}.")
    return loss


def _check_share(value, name):
    if value is None:
        return None
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, bool)
        or not 0.0 < float(value) < 1.0
    ):
        raise ValueError(
            f"{name} must be None or a number strictly between 0 and 1; got {value!r}."
        )
    return float(value)


def _initial_weights(is_source, target_weight):
    """Uniform weights (``target_weight=None``), or ``target_weight`` spread over the target
    rows and the rest over the source rows, each domain's rows alike."""
    n = is_source.shape[0]
    if target_weight is None:
        return np.full(n, 1.0 / n)
    n_source = int(is_source.sum())
    return np.where(is_source, (1.0 - target_weight) / n_source, target_weight / (n - n_source))


def _source_factor(n_source, n_rounds):
    """Dai et al.'s fixed source factor beta = 1 / (1 + sqrt(2 ln n_s / N))."""
    return 1.0 / (1.0 + math.sqrt(2.0 * math.log(n_source) / n_rounds))


def _vote_start(n_learners):
    """0-based index of the first voting learner: the paper's rounds ceil(N/2) .. N vote."""
    return math.ceil(n_learners / 2) - 1


def _set_random_states(estimator, rng):
    """Give every ``random_state`` parameter of ``estimator`` an integer drawn from ``rng``."""
    keys = [
        key
        for key in sorted(estimator.get_params(deep=True))
        if key == "random_state" or key.endswith("__random_state")
    ]
    if keys:
        estimator.set_params(**{key: rng.randint(np.iinfo(np.int32).max) for key in keys})
    return estimator


def _fit_learner(base, X, y, weights, rng):
    """Fit a clone of ``base`` on all rows with ``weights`` (normalised) rescaled to mean one."""
    learner = _set_random_states(clone(base), rng)
    return learner.fit(X, y, sample_weight=weights * weights.shape[0])


def _adjusted_errors(residuals, loss):
    """AdaBoost.R2's per-row errors in [0, 1]: ``|r| / max |r|`` through the loss."""
    abs_r = np.abs(residuals)
    largest = abs_r.max(initial=0.0)
    if largest <= 0.0:
        return np.zeros_like(abs_r)
    e = abs_r / largest
    if loss == "square":
        return e**2
    if loss == "exponential":
        return 1.0 - np.exp(-e)
    return e


def _weighted_median(predictions, weights):
    """Weighted median over learners (axis 0) of ``predictions`` (n_learners, n_samples).

    The lower weighted median: the smallest prediction whose cumulative weight reaches half the
    total, as in AdaBoost.R2 (Drucker, 1997).
    """
    order = np.argsort(predictions, axis=0, kind="stable")
    cdf = np.cumsum(weights[order], axis=0)
    first = np.argmax(cdf >= 0.5 * cdf[-1], axis=0)
    chosen = order[first, np.arange(predictions.shape[1])]
    return predictions[chosen, np.arange(predictions.shape[1])]


def _normalise(weights):
    weights /= weights.sum()
    return weights


# -- shared base ------------------------------------------------------------------------------


class _BaseTrAdaBoost(BaseTransferEstimator):
    """Shared parts of the three estimators: data, base estimator, seeds, importances.

    Each subclass defines ``_default_estimator()``, the base learner used when ``estimator`` is
    None.
    """

    _requires_labeled_target = True
    _uses_target_labels = True
    # sparse rows go to the base learners as they are
    _sparse_support = True

    def _inner_estimator_for_tags(self):
        return self._default_estimator() if self.estimator is None else self.estimator

    def _base_estimator(self):
        base = self._default_estimator() if self.estimator is None else self.estimator
        if not has_fit_parameter(base, "sample_weight"):
            raise TypeError(
                f"{type(self).__name__}: estimator {type(base).__name__} does not accept "
                "sample_weight in fit, and boosting trains it with per-row weights. Use an "
                "estimator whose fit takes sample_weight (a weighted bootstrap is not offered)."
            )
        return base

    def _training_rows(self, X, y, sample_domain):
        """Source rows and labeled target rows (in the order of ``X``), and the source mask."""
        domains = self._validate_fit_data(X, y, sample_domain)
        rows = domains.source | domains.labeled_target
        return domains.X[rows], domains.labels(rows), domains.source[rows]

    def _say(self, message):
        if self.verbose:
            print(f"{type(self).__name__}: {message}")

    def _voting(self):
        """The learners that vote in the final model and their vote weights."""
        start = _vote_start(len(self.estimators_))
        return self.estimators_[start:], self.estimator_weights_[start:]

    @property
    def feature_importances_(self):
        """Vote-weighted mean of the feature importances of the voting learners.

        Available when the base estimator has ``feature_importances_`` (trees, forests,
        gradient boosting); otherwise reading it raises an AttributeError.

        Returns
        -------
        feature_importances_ : ndarray of shape (n_features,)
            Non-negative importances summing to one when the learners' do.
        """
        check_is_fitted(self)
        learners, weights = self._voting()
        if not all(hasattr(est, "feature_importances_") for est in learners):
            raise AttributeError(
                f"{type(self).__name__} has no feature_importances_: its base estimator "
                f"{type(learners[0]).__name__} does not provide them."
            )
        importances = np.array([est.feature_importances_ for est in learners])
        if weights.sum() <= 0:
            return importances.mean(axis=0)
        return np.average(importances, axis=0, weights=weights)

    def _set_weight_attributes(self, weights, is_source):
        self.source_weights_ = weights[is_source].copy()
        self.target_weights_ = weights[~is_source].copy()


_DOC_DOMAINS = """Training rows come from one ``X``: ``sample_domain`` tells source rows
    (positive ids) from target rows (negative ids). Target rows with a label are the labeled
    target rows; target rows whose label is masked (``-1`` or ``NaN``) are ignored. Several
    source ids are pooled into one source, several target ids into one target. Without
    ``sample_domain``, or without a labeled target row, ``fit`` raises a ValueError. At predict
    time every row is a target row. Sparse rows (CSR/CSC) reach the base learners as they are
    (the ``sparse`` input tag is theirs)."""


# -- TrAdaBoost (classification) --------------------------------------------------------------


class TrAdaBoostClassifier(ClassifierMixin, _BaseTrAdaBoost):
    """TrAdaBoost: boosting that transfers from labeled source rows to a few labeled target rows.

    Dai, Yang, Xue and Yu (2007). Each round fits a clone of ``estimator`` on source and
    labeled target rows with the current weights, and measures its weighted error
    :math:`\\epsilon_t` on the labeled target rows only. Source rows it misclassifies are
    multiplied by the fixed factor :math:`\\beta = 1 / (1 + \\sqrt{2 \\ln n_s / N})` (they
    lose weight: the source rows that disagree with the target fade out), labeled target rows it
    misclassifies by :math:`\\beta_t^{-1}` with :math:`\\beta_t = \\epsilon_t / (1 -
    \\epsilon_t)` (they gain weight, as in AdaBoost). The prediction is the vote of the learners of
    rounds :math:`\\lceil N/2 \\rceil .. N`, each weighted by :math:`\\ln(1/\\beta_t)`.

    {domains}

    Parameters
    ----------
    estimator : estimator object, default=None
        Classifier whose ``fit`` accepts ``sample_weight``; cloned every round. None means
        ``DecisionTreeClassifier(max_depth=3)``. One without ``sample_weight`` is a TypeError.
    n_estimators : int, default=50
        Number of boosting rounds :math:`N` (it also sets the source factor :math:`\\beta`).
    initial_target_weight : float in (0, 1) or None, default=0.5
        Share of the total weight the labeled target rows start with (the paper's initial
        weight vector :math:`w^1`, which it leaves to the user); the source rows share the
        rest, each domain's rows alike. None gives every row the same weight, so the target
        starts with :math:`n_t / (n_s + n_t)`, the start most descriptions use. See Notes.
    dynamic_correction : bool, default=False
        Multiply the source weights every round by the correction factor
        :math:`C_t = 2 (1 - \\epsilon_t)` of Al-Stouhi and Reddy (2011) (Dynamic-TrAdaBoost),
        which stops the source weights from draining to the target merely because the
        target's weights grew. See Notes.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``random_state`` of every learner.
    verbose : int, default=0
        Print the target error and the source weight share after every round.

    Attributes
    ----------
    estimators_ : list of estimator objects
        The fitted learners, one per round (fewer than ``n_estimators`` after an early stop).
    estimator_weights_ : ndarray of shape (n_rounds,)
        Vote weight :math:`\\ln(1 / \\beta_t)` of every learner (1 for a weak first learner kept
        alone); only the learners of rounds ``ceil(n_rounds / 2) .. n_rounds`` vote in
        :meth:`predict`.
    estimator_errors_ : ndarray of shape (n_rounds,)
        Weighted error :math:`\\epsilon_t` of every learner on the labeled target rows.
    source_weight_mass_ : ndarray of shape (n_rounds,)
        Share of the total weight held by the source rows when each learner was trained.
    source_weights_ : ndarray of shape (n_source,)
        Final weights of the source rows (in the order of ``X``) after the last update;
        together with ``target_weights_`` they sum to one.
    target_weights_ : ndarray of shape (n_labeled_target,)
        Final weights of the labeled target rows.
    classes_ : ndarray of shape (n_classes,)
        Class labels seen among the source and labeled target rows.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    TrAdaBoostRegressor : the regression version (TrAdaBoost.R2).
    skt.TargetOnly : the same base learner on the labeled target rows alone.
    skt.Pooled : the same base learner on source and labeled target rows, unweighted.
    sklearn.ensemble.AdaBoostClassifier : boosting without transfer.

    Notes
    -----
    **Multi-class.** With :math:`K > 2` classes TrAdaBoost is generalised as SAMME (Zhu et al.,
    2009) generalises AdaBoost: :math:`\\beta_t = \\epsilon_t / ((1 - \\epsilon_t)(K - 1))`, so
    a learner votes with :math:`\\ln((1 - \\epsilon_t) / \\epsilon_t) + \\ln(K - 1)`, a
    misclassified target row's weight is multiplied by :math:`1/\\beta_t`, and the prediction
    is the class with the largest weighted vote. For :math:`K = 2` this is exactly the paper's
    binary algorithm. Ties in the vote go to the first class of ``classes_`` (as in
    scikit-learn's AdaBoost, so that ``predict`` agrees with ``predict_proba``); the paper's
    :math:`\\geq` gives binary ties to the positive class.

    **Perfect learners** (:math:`\\epsilon_t = 0`) are frequent: a learner fits a few tens of
    target rows exactly. Stopping there, as AdaBoost does, would also stop the source
    reweighting, TrAdaBoost's point. The error is floored at ``1e-10`` instead: the target
    weights do not change (nothing to correct), the source rows the learner misclassifies still
    lose weight, and the learner gets a large, finite vote. When every learner fits the
    labeled target rows (as depth-3 trees do on the paper's mushroom task), the target weights
    never move and TrAdaBoost reduces to this source filtering; when, in addition, no source
    row is misclassified (a linear SVM there), no weight moves at all and the model is the
    base estimator fitted with the initial weights.

    **Weak learners** (:math:`\\epsilon_t \\geq 1/2`, or :math:`\\geq 1 - 1/K` in the multi-class
    generalisation) are no better than chance on the target rows, and the paper requires
    :math:`\\epsilon_t < 1/2`. As in AdaBoost.M1 (Freund and Schapire, 1997), boosting stops
    and the learner is discarded; a first learner is kept alone (vote weight 1) so that the
    model can predict: it is then the base estimator fitted with the initial weights. Other
    implementations flip a binary learner whose error exceeds 1/2, or clip the error to 1/2
    (no vote, no target update) and go on. With the default start the three rules gave nearly
    the same models on the benchmark's tasks, where a learner rarely reaches 1/2 (figures in
    the user guide).

    **Initial weights.** The paper takes the initial weight vector as an input. With the
    uniform start (``initial_target_weight=None``) and tens of target rows against thousands of
    source rows, the target holds about 1% of the weight: the first learners follow the source,
    their target error can reach 1/2, and boosting stops with (about) the pooled model. The
    default start, half of the weight on the labeled target rows, avoids that; with a relevant
    source the uniform start is often slightly more accurate. See the user guide for figures.

    **Dynamic correction.** :math:`C_t = 2(1 - \\epsilon_t)` (:math:`K(1 - \\epsilon_t)`
    multi-class) is the factor by which the target rows' total weight grows in round
    :math:`t`; multiplying the source weights by it leaves the source rows the learner got
    right with their weight relative to the target. With :math:`\\epsilon_t = 0` the target
    weights do not grow and :math:`C_t = 1`.

    The learners receive the weights rescaled to mean one, so that a round with uniform weights
    fits the unweighted model.

    **Negative transfer.** With few labeled target rows (ten, say) nothing contradicts a useless
    or misleading source, and TrAdaBoost can fall well below the learner fitted on the labeled
    target rows alone. Cross-validating the two over the labeled target rows (``GridSearchCV``
    with :class:`~skt.model_selection.StratifiedTargetKFold`) and keeping the better removes
    most of that loss; the user guide shows the recipe and its figures.

    References
    ----------
    .. [1] W. Dai, Q. Yang, G.-R. Xue and Y. Yu, "Boosting for transfer learning", ICML 2007.
    .. [2] S. Al-Stouhi and C. K. Reddy, "Adaptive boosting for transfer learning using dynamic
       updates", ECML PKDD 2011.
    .. [3] J. Zhu, H. Zou, S. Rosset and T. Hastie, "Multi-class AdaBoost", Statistics and its
       Interface 2, 2009.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "covariate", n_samples_source=300, n_samples_target=300, random_state=0)
    >>> target = np.flatnonzero(sample_domain < 0)
    >>> y_train = y.copy()
    >>> y_train[target[20:]] = -1          # 20 labeled target rows, the others unlabeled
    >>> model = skt.TrAdaBoostClassifier(n_estimators=20, random_state=0)
    >>> model = model.fit(X, y_train, sample_domain=sample_domain)
    >>> len(model.estimators_), model.classes_
    (20, array([0, 1]))
    >>> round(model.score(X[target[20:]], y[target[20:]]), 3)
    0.757
    >>> round(float(model.source_weights_.sum()), 4)   # the source kept little weight
    0.0008
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        initial_target_weight=0.5,
        dynamic_correction=False,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.initial_target_weight = initial_target_weight
        self.dynamic_correction = dynamic_correction
        self.random_state = random_state
        self.verbose = verbose

    def _default_estimator(self):
        return DecisionTreeClassifier(max_depth=3)

    def fit(self, X, y, *, sample_domain=None):
        """Boost ``n_estimators`` rounds on the source and labeled target rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        y : array-like of shape (n_samples,)
            Class labels; ``-1`` marks unlabeled target rows (ignored).
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: positive for source rows, negative for target rows. Required.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        n_rounds = _check_int(self.n_estimators, "n_estimators", 1)
        target_weight = _check_share(self.initial_target_weight, "initial_target_weight")
        X_tr, y_tr, is_source = self._training_rows(X, y, sample_domain)
        check_classification_targets(y_tr)
        self.classes_ = np.unique(y_tr)
        self.n_classes_ = n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes among the labeled rows (source "
                f"and labeled target); found only the class {self.classes_[0]}."
            )
        target_classes = np.unique(y_tr[~is_source])
        if len(target_classes) == 1:
            only = target_classes[0]
            only = only.item() if isinstance(only, np.generic) else only  # 0, not np.int64(0)
            warnings.warn(
                f"{type(self).__name__}: every labeled target row is of class "
                f"{only!r}. The target error that drives boosting then sees that "
                f"class only: a learner that predicts {only!r} everywhere makes no "
                "target error, and the source rows of the other classes lose their weight "
                "round after round. Label target rows of at least two classes (or use "
                "SourceOnly when no representative target labels exist).",
                UserWarning,
                stacklevel=2,
            )
        base = self._base_estimator()
        rng = check_random_state(self.random_state)
        is_target = ~is_source
        beta_source = _source_factor(int(is_source.sum()), n_rounds)
        chance = 1.0 - 1.0 / n_classes

        weights = _initial_weights(is_source, target_weight)
        learners, alphas, errors, source_mass = [], [], [], []
        for t in range(n_rounds):
            learner = _fit_learner(base, X_tr, y_tr, weights, rng)
            wrong = learner.predict(X_tr) != y_tr
            error = weights[is_target & wrong].sum() / weights[is_target].sum()
            if error >= chance:
                self._say(
                    f"round {t + 1}: target error {error:.4f} >= {chance:.4f} (no better than "
                    "chance); boosting stops."
                )
                if not learners:  # kept alone, with vote weight 1, so that the model predicts
                    learners.append(learner)
                    alphas.append(1.0)
                    errors.append(error)
                    source_mass.append(weights[is_source].sum())
                break
            clipped = max(error, ERROR_FLOOR)
            alpha = math.log((1.0 - clipped) / clipped) + math.log(n_classes - 1)
            learners.append(learner)
            alphas.append(alpha)
            errors.append(error)
            source_mass.append(weights[is_source].sum())
            # SAMME's exp(alpha) is the paper's 1 / beta_t; with K = 2 exactly (1 - eps) / eps
            weights[is_target & wrong] *= math.exp(alpha)
            weights[is_source & wrong] *= beta_source
            if self.dynamic_correction and error > 0:
                weights[is_source] *= n_classes * (1.0 - error)
            _normalise(weights)
            self._say(
                f"round {t + 1}/{n_rounds}: target error {error:.4f}, source weight "
                f"{weights[is_source].sum():.4f}"
            )

        self.estimators_ = learners
        self.estimator_weights_ = np.asarray(alphas)
        self.estimator_errors_ = np.asarray(errors)
        self.source_weight_mass_ = np.asarray(source_mass)
        self._set_weight_attributes(weights, is_source)
        return self

    # -- prediction ---------------------------------------------------------------------------

    def _class_index(self, learner, X):
        return np.searchsorted(self.classes_, learner.predict(X))

    def _vote(self, indices, weights):
        """Weighted votes (n_samples, n_classes) of learners given by their class indices."""
        n = indices[0].shape[0]
        votes = np.zeros((n, self.n_classes_))
        rows = np.arange(n)
        for k, weight in zip(indices, weights, strict=True):
            votes[rows, k] += weight
        return votes / weights.sum() if weights.sum() > 0 else votes

    def _staged_votes(self, X):
        indices = []
        for t, learner in enumerate(self.estimators_):
            indices.append(self._class_index(learner, X))
            start = _vote_start(t + 1)
            yield self._vote(indices[start:], self.estimator_weights_[start : t + 1])

    def _votes(self, X):
        learners, weights = self._voting()
        return self._vote([self._class_index(est, X) for est in learners], weights)

    def _decision(self, votes):
        if self.n_classes_ == 2:
            return votes[:, 1] - votes[:, 0]
        return (self.n_classes_ * votes - 1.0) / (self.n_classes_ - 1)

    def predict(self, X, *, sample_domain=None):
        """Class with the largest weighted vote of the voting learners.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted class labels.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.classes_[np.argmax(self._votes(X), axis=1)]

    def predict_proba(self, X, *, sample_domain=None):
        """Share of the vote weight each class receives from the voting learners.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Vote shares in the order of ``classes_``; rows sum to one.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self._votes(X)

    def decision_function(self, X, *, sample_domain=None):
        """Vote margin: positive for ``classes_[1]`` (binary), SAMME-coded votes (multi-class).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Binary: vote share of ``classes_[1]`` minus that of ``classes_[0]``. Multi-class:
            ``(K * share - 1) / (K - 1)`` per class, whose largest entry is the prediction.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self._decision(self._votes(X))

    def staged_predict(self, X, *, sample_domain=None):
        """Prediction after each round t: the vote of the learners of rounds ceil(t/2) to t.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Yields
        ------
        y_pred : ndarray of shape (n_samples,)
            Predicted class labels after each round; the last equals :meth:`predict`.
        """
        X = self._validate_predict_data(X, sample_domain)
        for votes in self._staged_votes(X):
            yield self.classes_[np.argmax(votes, axis=1)]

    def staged_predict_proba(self, X, *, sample_domain=None):
        """Vote shares after each round (see :meth:`staged_predict`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Yields
        ------
        proba : ndarray of shape (n_samples, n_classes)
            Vote shares after each round.
        """
        X = self._validate_predict_data(X, sample_domain)
        yield from self._staged_votes(X)

    def staged_decision_function(self, X, *, sample_domain=None):
        """Decision function after each round (see :meth:`staged_predict`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Yields
        ------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            As :meth:`decision_function`, after each round.
        """
        X = self._validate_predict_data(X, sample_domain)
        for votes in self._staged_votes(X):
            yield self._decision(votes)

    score = BaseTransferEstimator.score


# -- TrAdaBoost.R2 ----------------------------------------------------------------------------


class _WeightedMedianMixin:
    """Prediction by the weighted median of the voting learners (AdaBoost.R2)."""

    def _median(self, X, learners, weights):
        predictions = np.array([est.predict(X) for est in learners], dtype=np.float64)
        median = _weighted_median(predictions.reshape(len(learners), X.shape[0]), weights)
        return median * self.target_scale_

    def predict(self, X, *, sample_domain=None):
        """Weighted median of the voting learners' predictions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted values.
        """
        X = self._validate_predict_data(X, sample_domain)
        learners, weights = self._voting()
        return self._median(X, learners, weights)

    def staged_predict(self, X, *, sample_domain=None):
        """Prediction after each round (the median over the learners voting at that stage).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Yields
        ------
        y_pred : ndarray of shape (n_samples,)
            Predicted values after each round; the last equals :meth:`predict`.
        """
        X = self._validate_predict_data(X, sample_domain)
        learners, weights = self._staged_members()
        predictions = np.empty((len(learners), X.shape[0]))
        for t, est in enumerate(learners):
            predictions[t] = est.predict(X)
            start = self._stage_start(t + 1)
            yield _weighted_median(predictions[start : t + 1], weights[start : t + 1]) * (
                self.target_scale_
            )

    def _scaled_targets(self, y):
        """``y`` in float64, divided by :attr:`target_scale_` (a power of two, 1.0 unless
        squares of ``y`` could overflow: the learners' squared errors would then be inf)."""
        y = y.astype(np.float64)
        self.target_scale_ = overflow_scale(y)
        return y if self.target_scale_ == 1.0 else y / self.target_scale_


class TrAdaBoostRegressor(_WeightedMedianMixin, RegressorMixin, _BaseTrAdaBoost):
    """TrAdaBoost.R2: TrAdaBoost for regression (Pardoe and Stone, 2010).

    Each round fits a clone of ``estimator`` on source and labeled target rows with the current
    weights and computes AdaBoost.R2's adjusted error of every row, :math:`e_i = L(|y_i -
    h_t(x_i)| / D_t)` with :math:`D_t` the largest absolute residual over the training rows and
    :math:`L` the ``loss``. The learner's error :math:`\\epsilon_t` is the weighted mean of
    :math:`e_i` over the labeled target rows. Source rows are multiplied by
    :math:`\\beta^{e_i}` with the fixed :math:`\\beta = 1 / (1 + \\sqrt{2 \\ln n_s / N})`,
    labeled target rows by :math:`\\beta_t^{-e_i}` with :math:`\\beta_t = \\epsilon_t / (1 -
    \\epsilon_t)`. The prediction is the weighted median of the learners of rounds
    :math:`\\lceil N/2 \\rceil .. N`, weighted by :math:`\\ln(1/\\beta_t)`.

    {domains}

    Parameters
    ----------
    estimator : estimator object, default=None
        Regressor whose ``fit`` accepts ``sample_weight``; cloned every round. None means
        ``DecisionTreeRegressor(max_depth=3)``. One without ``sample_weight`` is a TypeError.
    n_estimators : int, default=50
        Number of boosting rounds :math:`N`.
    loss : {"linear", "square", "exponential"}, default="linear"
        Map from the relative residual :math:`r = |y - h(x)| / D_t` to the adjusted error:
        :math:`r`, :math:`r^2` or :math:`1 - e^{-r}`.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``random_state`` of every learner.
    verbose : int, default=0
        Print the target error and the source weight share after every round.

    Attributes
    ----------
    estimators_ : list of estimator objects
        The fitted learners, one per round (fewer than ``n_estimators`` after an early stop).
    estimator_weights_ : ndarray of shape (n_rounds,)
        Weight :math:`\\ln(1 / \\beta_t)` of every learner in the median; only the last
        ``n_rounds - ceil(n_rounds / 2) + 1`` learners take part in :meth:`predict`.
    estimator_errors_ : ndarray of shape (n_rounds,)
        Adjusted error :math:`\\epsilon_t` of every learner on the labeled target rows.
    source_weight_mass_ : ndarray of shape (n_rounds,)
        Share of the total weight held by the source rows when each learner was trained.
    source_weights_ : ndarray of shape (n_source,)
        Final weights of the source rows (in the order of ``X``); with ``target_weights_``
        they sum to one.
    target_weights_ : ndarray of shape (n_labeled_target,)
        Final weights of the labeled target rows.
    target_scale_ : float
        The power of two the targets were divided by for the learners (and their predictions
        multiplied by): 1.0 unless squares of ``y`` could overflow float64 (``|y|`` beyond
        about 1e144), where the learners' squared errors would be infinite.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    TwoStageTrAdaBoostRegressor : the two-stage algorithm of the same paper.
    TrAdaBoostClassifier : TrAdaBoost for classification.
    sklearn.ensemble.AdaBoostRegressor : AdaBoost.R2 without transfer.

    Notes
    -----
    As for :class:`TrAdaBoostClassifier`, a target error of 0 is floored at ``1e-10`` (the
    source reweighting goes on), and a learner with :math:`\\epsilon_t \\geq 1/2` stops the
    boosting and is discarded, as AdaBoost.R2 (Drucker, 1997) does, unless it is the first
    (then it is kept alone, as scikit-learn's AdaBoostRegressor does). Pardoe and Stone observe
    that the fixed source factor can drain the source too fast or too slowly;
    :class:`TwoStageTrAdaBoostRegressor` is their remedy.

    References
    ----------
    .. [1] D. Pardoe and P. Stone, "Boosting for regression transfer", ICML 2010.
    .. [2] H. Drucker, "Improving regressors using boosting techniques", ICML 1997.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "concept", task="regression", shift=0.3, random_state=0)
    >>> y_train = y.copy()
    >>> y_train[(sample_domain < 0).nonzero()[0][20:]] = np.nan   # 20 target labels kept
    >>> model = skt.TrAdaBoostRegressor(n_estimators=10, random_state=0)
    >>> model = model.fit(X, y_train, sample_domain=sample_domain)
    >>> model.predict(X[:3]).shape, len(model.estimators_)
    ((3,), 10)
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        loss="linear",
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.loss = loss
        self.random_state = random_state
        self.verbose = verbose

    def _default_estimator(self):
        return DecisionTreeRegressor(max_depth=3)

    def fit(self, X, y, *, sample_domain=None):
        """Boost ``n_estimators`` rounds on the source and labeled target rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        y : array-like of shape (n_samples,)
            Targets; ``NaN`` marks unlabeled target rows (ignored).
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: positive for source rows, negative for target rows. Required.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        n_rounds = _check_int(self.n_estimators, "n_estimators", 1)
        loss = _check_loss(self.loss)
        X_tr, y_tr, is_source = self._training_rows(X, y, sample_domain)
        y_tr = self._scaled_targets(y_tr)
        base = self._base_estimator()
        rng = check_random_state(self.random_state)
        is_target = ~is_source
        beta_source = _source_factor(int(is_source.sum()), n_rounds)

        weights = np.full(y_tr.shape[0], 1.0 / y_tr.shape[0])
        learners, alphas, errors, source_mass = [], [], [], []
        for t in range(n_rounds):
            learner = _fit_learner(base, X_tr, y_tr, weights, rng)
            e = _adjusted_errors(learner.predict(X_tr) - y_tr, loss)
            error = float(weights[is_target] @ e[is_target] / weights[is_target].sum())
            if error >= 0.5:
                self._say(f"round {t + 1}: target error {error:.4f} >= 0.5; boosting stops.")
                if not learners:
                    learners.append(learner)
                    alphas.append(1.0)
                    errors.append(error)
                    source_mass.append(weights[is_source].sum())
                break
            clipped = max(error, ERROR_FLOOR)
            beta_t = clipped / (1.0 - clipped)
            learners.append(learner)
            alphas.append(math.log(1.0 / beta_t))
            errors.append(error)
            source_mass.append(weights[is_source].sum())
            weights[is_source] *= beta_source ** e[is_source]
            weights[is_target] *= beta_t ** -e[is_target]
            _normalise(weights)
            self._say(
                f"round {t + 1}/{n_rounds}: target error {error:.4f}, source weight "
                f"{weights[is_source].sum():.4f}"
            )

        self.estimators_ = learners
        self.estimator_weights_ = np.asarray(alphas)
        self.estimator_errors_ = np.asarray(errors)
        self.source_weight_mass_ = np.asarray(source_mass)
        self._set_weight_attributes(weights, is_source)
        return self

    def _staged_members(self):
        return self.estimators_, self.estimator_weights_

    def _stage_start(self, n_learners):
        return _vote_start(n_learners)

    score = BaseTransferEstimator.score


# -- two-stage TrAdaBoost.R2 -----------------------------------------------------------------


def _adaboost_r2(base, X, y, weights, frozen, n_rounds, loss, rng):
    """AdaBoost.R2 (Drucker, 1997) in which the weights of the ``frozen`` rows never change.

    Pardoe and Stone's AdaBoost.R2': the error is the weighted mean adjusted error over all rows,
    only the other rows are reweighted, and they are rescaled so that the frozen rows keep their
    share of the total weight. Returns the learners and their median weights ln(1 / beta_t).
    """
    weights = _normalise(weights.astype(np.float64, copy=True))
    free = ~frozen
    free_mass = weights[free].sum()
    learners, alphas = [], []
    for _ in range(n_rounds):
        learner = _fit_learner(base, X, y, weights, rng)
        e = _adjusted_errors(learner.predict(X) - y, loss)
        error = float(weights @ e)
        if error >= 0.5:
            if not learners:
                learners.append(learner)
                alphas.append(1.0)
            break
        clipped = max(error, ERROR_FLOOR)
        beta_t = clipped / (1.0 - clipped)
        learners.append(learner)
        alphas.append(math.log(1.0 / beta_t))
        if free_mass <= 0:
            continue
        weights[free] *= beta_t ** (1.0 - e[free])
        weights[free] *= free_mass / weights[free].sum()
    return learners, np.asarray(alphas)


def _shift_to_target(weights, is_source, errors, target_share):
    """Lower the source weights by ``beta ** errors`` so the target rows hold ``target_share``.

    Pardoe and Stone choose ``beta`` by a search such that the labeled target rows end with the
    scheduled share of the total weight; source rows with a large adjusted error lose the most.
    """
    weights = weights.copy()
    target_mass = weights[~is_source].sum()
    if target_share >= 1.0:
        weights[is_source] = 0.0
        return _normalise(weights)
    goal = target_mass * (1.0 - target_share) / target_share
    ws, es = weights[is_source], errors[is_source]

    def excess(beta):
        return float(np.sum(ws * beta**es)) - goal

    if excess(1.0) <= 0.0:
        beta = 1.0
    elif excess(0.0) >= 0.0:
        beta = 0.0
    else:
        beta = brentq(excess, 0.0, 1.0, xtol=1e-12)
    ws = ws * beta**es
    if ws.sum() > 0:
        ws *= goal / ws.sum()
    weights[is_source] = ws
    return _normalise(weights)


def _cv_error(base, X, y, weights, is_source, train, test, n_rounds, loss, seed):
    """Mean squared error on the held-out target rows ``test`` of AdaBoost.R2' fitted on
    ``train``."""
    rng = np.random.RandomState(seed)
    learners, alphas = _adaboost_r2(
        base, X[train], y[train], weights[train], is_source[train], n_rounds, loss, rng
    )
    predictions = np.array([est.predict(X[test]) for est in learners], dtype=np.float64)
    y_pred = _weighted_median(predictions.reshape(len(learners), test.shape[0]), alphas)
    return float(np.sum((y[test] - y_pred) ** 2))


class TwoStageTrAdaBoostRegressor(_WeightedMedianMixin, RegressorMixin, _BaseTrAdaBoost):
    """Two-stage TrAdaBoost.R2 (Pardoe and Stone, 2010).

    Stage :math:`s = 0 .. S - 1` trains AdaBoost.R2 (Drucker, 1997) on source and labeled target
    rows with the source weights frozen, and scores it by cross-validation over the labeled
    target rows (the source rows are always in the training folds). Between stages one
    learner is fitted with the current weights and the source rows are multiplied by
    :math:`\\beta_t^{e_i}` (:math:`e_i` its adjusted errors), with :math:`\\beta_t` found
    by a search so that the labeled target rows hold the share
    :math:`m/(n+m) + s/(S-1) \\cdot (1 - m/(n+m))` of the total weight: from their natural
    share at the first stage to all of it (target-only AdaBoost.R2) at the last. The stage
    with the lowest cross-validated error is the model.

    {domains}

    Parameters
    ----------
    estimator : estimator object, default=None
        Regressor whose ``fit`` accepts ``sample_weight``. None means
        ``DecisionTreeRegressor(max_depth=3)``. One without ``sample_weight`` is a TypeError.
    n_steps : int, default=10
        Number of stages :math:`S` (at least 1; with 1 there is no shift to the target).
    n_estimators : int, default=10
        Boosting rounds of the AdaBoost.R2 model of each stage.
    cv : int, default=5
        Number of folds over the labeled target rows (shuffled by ``random_state``); there must
        be at least as many labeled target rows.
    loss : {"linear", "square", "exponential"}, default="linear"
        Adjusted error of AdaBoost.R2, see :class:`TrAdaBoostRegressor`.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the ``random_state`` of every learner; a fixed value makes ``fit``
        reproducible, with any ``n_jobs``.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib (None: one, unless in a
        ``joblib.parallel_config`` context).
    verbose : int, default=0
        Print the target share and cross-validated error of every stage.

    Attributes
    ----------
    best_step_ : int
        Index of the chosen stage.
    cv_errors_ : ndarray of shape (n_steps,)
        Cross-validated mean squared error on the labeled target rows, per stage (inf where
        it exceeds float64's range, for targets beyond about 1e154).
    source_weight_mass_ : ndarray of shape (n_steps,)
        Share of the total weight held by the source rows at each stage.
    estimators_ : list of estimator objects
        The learners of the chosen stage's AdaBoost.R2 model.
    estimator_weights_ : ndarray of shape (n_learners,)
        Their weights :math:`\\ln(1/\\beta_t)` in the weighted median (all of them vote).
    source_weights_ : ndarray of shape (n_source,)
        Source row weights at the chosen stage; with ``target_weights_`` they sum to one.
    target_weights_ : ndarray of shape (n_labeled_target,)
        Labeled target row weights at the chosen stage (before its inner boosting).
    target_scale_ : float
        The power of two the targets were divided by for the learners (and their predictions
        multiplied by): 1.0 unless squares of ``y`` could overflow float64 (``|y|`` beyond
        about 1e144), where the learners' squared errors would be infinite.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    TrAdaBoostRegressor : the one-stage TrAdaBoost.R2.
    sklearn.ensemble.AdaBoostRegressor : AdaBoost.R2 without transfer.

    Notes
    -----
    The AdaBoost.R2 of each stage is Pardoe and Stone's AdaBoost.R2': its error is the weighted
    mean adjusted error over all training rows, only the target rows are reweighted, and the
    source rows keep their share of the weight; like AdaBoost.R2 it stops at a learner whose
    error reaches 1/2 (a first learner is kept). Errors of 0 are floored at ``1e-10``.

    The cost is about ``n_steps * (cv + 1) * n_estimators`` fits of the base estimator. The
    search for :math:`\\beta_t` uses Brent's method on the monotone map from :math:`\\beta_t`
    to the source weight; a final rescaling makes the scheduled share exact even when source
    rows with zero error keep more weight than the schedule allows.

    References
    ----------
    .. [1] D. Pardoe and P. Stone, "Boosting for regression transfer", ICML 2010.
    .. [2] H. Drucker, "Improving regressors using boosting techniques", ICML 1997.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "concept", task="regression", shift=0.3, random_state=0)
    >>> y_train = y.copy()
    >>> y_train[(sample_domain < 0).nonzero()[0][20:]] = np.nan   # 20 target labels kept
    >>> model = skt.TwoStageTrAdaBoostRegressor(n_steps=5, n_estimators=5, random_state=0)
    >>> model = model.fit(X, y_train, sample_domain=sample_domain)
    >>> model.cv_errors_.shape, 0 <= model.best_step_ < 5
    ((5,), True)
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_steps=10,
        n_estimators=10,
        cv=5,
        loss="linear",
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_steps = n_steps
        self.n_estimators = n_estimators
        self.cv = cv
        self.loss = loss
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _default_estimator(self):
        return DecisionTreeRegressor(max_depth=3)

    def fit(self, X, y, *, sample_domain=None):
        """Run the stages, score each by cross-validation on the target, keep the best.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        y : array-like of shape (n_samples,)
            Targets; ``NaN`` marks unlabeled target rows (ignored).
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: positive for source rows, negative for target rows. Required.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        n_steps = _check_int(self.n_steps, "n_steps", 1)
        n_rounds = _check_int(self.n_estimators, "n_estimators", 1)
        n_folds = _check_int(self.cv, "cv", 2)
        loss = _check_loss(self.loss)
        X_tr, y_tr, is_source = self._training_rows(X, y, sample_domain)
        y_tr = self._scaled_targets(y_tr)
        target_rows = np.flatnonzero(~is_source)
        if target_rows.shape[0] < n_folds:
            raise ValueError(
                f"{type(self).__name__}: cv={n_folds} folds over the labeled target rows need "
                f"at least {n_folds} of them; found {target_rows.shape[0]}."
            )
        base = self._base_estimator()
        rng = check_random_state(self.random_state)
        source_rows = np.flatnonzero(is_source)
        n_target, n_total = target_rows.shape[0], y_tr.shape[0]
        first_share = n_target / n_total

        weights = np.full(n_total, 1.0 / n_total)
        best = (np.inf, None)
        cv_errors, source_mass = [], []
        parallel = Parallel(n_jobs=self.n_jobs)
        for step in range(n_steps):
            folds = KFold(n_folds, shuffle=True, random_state=rng.randint(np.iinfo(np.int32).max))
            seeds = rng.randint(np.iinfo(np.int32).max, size=n_folds)
            splits = [
                (np.concatenate([source_rows, target_rows[keep]]), target_rows[out])
                for keep, out in folds.split(target_rows)
            ]
            squared = parallel(
                delayed(_cv_error)(
                    base, X_tr, y_tr, weights, is_source, train, test, n_rounds, loss, seed
                )
                for (train, test), seed in zip(splits, seeds, strict=True)
            )
            cv_error = sum(squared) / n_target
            cv_errors.append(cv_error)
            source_mass.append(weights[is_source].sum())
            self._say(
                f"stage {step + 1}/{n_steps}: target share {1 - source_mass[-1]:.4f}, "
                f"cross-validated MSE {cv_error:.6g}"
            )
            if cv_error < best[0]:
                learners, alphas = _adaboost_r2(
                    base, X_tr, y_tr, weights, is_source, n_rounds, loss, rng
                )
                best = (cv_error, (step, learners, alphas, weights.copy()))
            if step + 1 < n_steps:
                learner = _fit_learner(base, X_tr, y_tr, weights, rng)
                e = _adjusted_errors(learner.predict(X_tr) - y_tr, loss)
                share = first_share + (step + 1) / (n_steps - 1) * (1.0 - first_share)
                weights = _shift_to_target(weights, is_source, e, share)

        if best[1] is None:
            raise ValueError(
                f"{type(self).__name__}: no stage has a finite cross-validated error (errors: "
                f"{cv_errors}); the learners' predictions overflow float64 on these targets."
            )
        step, learners, alphas, stage_weights = best[1]
        self.best_step_ = step
        with np.errstate(over="ignore"):  # beyond float64 in the units of y: inf
            self.cv_errors_ = np.asarray(cv_errors) * np.float64(self.target_scale_) ** 2
        self.source_weight_mass_ = np.asarray(source_mass)
        self.estimators_ = learners
        self.estimator_weights_ = alphas
        self._set_weight_attributes(stage_weights, is_source)
        return self

    def _voting(self):
        return self.estimators_, self.estimator_weights_

    def _staged_members(self):
        return self.estimators_, self.estimator_weights_

    def _stage_start(self, n_learners):
        return 0

    score = BaseTransferEstimator.score


for _cls in (TrAdaBoostClassifier, TrAdaBoostRegressor, TwoStageTrAdaBoostRegressor):
    _cls.__doc__ = _cls.__doc__.replace("{domains}", _DOC_DOMAINS)
del _cls
