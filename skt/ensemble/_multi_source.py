"""Boosting transfer from several sources: MultiSourceTrAdaBoost and TaskTrAdaBoost.

Yao and Doretto (CVPR 2010) keep the source domains apart. MultiSourceTrAdaBoost trains, every
round, one learner per source (on that source's rows and the labeled target rows) and keeps
the one with the least weighted error on the labeled target rows; the weights then move as in
TrAdaBoost. TaskTrAdaBoost first boosts on each source alone to collect candidate learners,
then boosts on the labeled target rows by picking, every round, the candidate with the least
weighted target error.

Both are classifiers. The paper states them for two classes with labels in {-1, +1}; with
:math:`K > 2` classes they are generalised as SAMME generalises AdaBoost (as
:class:`~skt.TrAdaBoostClassifier` is), which for :math:`K = 2` is exactly the paper's binary
algorithm. The helpers, weight conventions and prediction code are those of ``_tradaboost``.
"""

import math
import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets

from ._tradaboost import (
    ERROR_FLOOR,
    TrAdaBoostClassifier,
    _check_int,
    _check_share,
    _fit_learner,
    _initial_weights,
    _normalise,
    _source_factor,
)

__all__ = ["MultiSourceTrAdaBoostClassifier", "TaskTrAdaBoostClassifier"]


def _samme_alpha(error, n_classes):
    """SAMME's vote weight ln((1 - eps) / eps) + ln(K - 1), the error floored at 1e-10; it is
    twice the paper's alpha_t for K = 2."""
    clipped = max(error, ERROR_FLOOR)
    return math.log((1.0 - clipped) / clipped) + math.log(n_classes - 1)


def _fit_on(base, X, y, weights, rows, rng):
    """Fit a clone of ``base`` on ``rows`` with their weights renormalised over those rows."""
    return _fit_learner(base, X[rows], y[rows], weights[rows] / weights[rows].sum(), rng)


class _MultiSourceBoost(TrAdaBoostClassifier):
    """Data checks and prediction shared by the two estimators: every learner votes."""

    def _multi_source_rows(self, X, y, sample_domain):
        """Source and labeled target rows, their labels, and the domain id of every row."""
        domains = self._validate_fit_data(X, y, sample_domain)
        rows = domains.source | domains.labeled_target
        X_tr, y_tr, ids = domains.X[rows], domains.labels(rows), domains.sample_domain[rows]
        check_classification_targets(y_tr)
        self.classes_ = np.unique(y_tr)
        self.n_classes_ = len(self.classes_)
        if self.n_classes_ < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes among the labeled rows (source "
                f"and labeled target); found only the class {self.classes_[0]}."
            )
        self.source_ids_ = np.unique(ids[ids > 0])
        return X_tr, y_tr, ids

    def _voting(self):
        # Yao and Doretto's final hypothesis sums over all rounds (not TrAdaBoost's second half)
        return self.estimators_, self.estimator_weights_

    def _staged_votes(self, X):
        indices = []
        for t, learner in enumerate(self.estimators_):
            indices.append(self._class_index(learner, X))
            yield self._vote(indices, self.estimator_weights_[: t + 1])


_DOC_SEVERAL = """Training rows come from one ``X``: ``sample_domain`` tells the source domains
    (one positive id each) from the target rows (negative ids, pooled into one target): several
    source ids are kept apart, several target ids pooled. Target
    rows with a label are the labeled target rows; those whose label is masked (``-1``) are
    ignored. Without ``sample_domain``, or without a labeled target row, ``fit`` raises a
    ValueError. With a single source id the method still runs (on that one source). At
    predict time every row is a target row and ``sample_domain`` is not read."""


class MultiSourceTrAdaBoostClassifier(_MultiSourceBoost):
    """MultiSourceTrAdaBoost: TrAdaBoost that picks, every round, the most useful source.

    Yao and Doretto (2010), Algorithm 1. Every round :math:`t`, for each source domain
    :math:`k`, a clone of ``estimator`` is fitted on the rows of source :math:`k` and the
    labeled target rows with their current weights; its weighted error
    :math:`\\epsilon_t^k` on the labeled target rows is measured, and the learner with the
    smallest error, :math:`h_t`, is kept. Then, as in TrAdaBoost, every source row (of every
    source) that :math:`h_t` misclassifies is multiplied by
    :math:`\\beta = 1 / (1 + \\sqrt{2 \\ln n_S / N})` (:math:`n_S` the number of source rows of
    all sources), and every labeled target row it misclassifies by
    :math:`(1 - \\epsilon_t) / \\epsilon_t`. The prediction is the weighted vote of **all**
    the kept learners, each with weight :math:`\\ln((1 - \\epsilon_t) / \\epsilon_t)`.

    {domains}

    Parameters
    ----------
    estimator : estimator object, default=None
        Classifier whose ``fit`` accepts ``sample_weight``; cloned for every source every
        round. None means ``DecisionTreeClassifier(max_depth=3)``. One without
        ``sample_weight`` is a TypeError.
    n_estimators : int, default=50
        Number of boosting rounds :math:`N`; each fits one learner per source.
    initial_target_weight : float in (0, 1) or None, default=0.5
        Share of the total weight the labeled target rows start with; the source rows (of all
        sources together) share the rest, each row alike. None gives every row the same
        weight. The paper leaves the initial weights to the user; see
        :class:`~skt.TrAdaBoostClassifier`.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``random_state`` of every learner.
    verbose : int, default=0
        Print the chosen source and its target error after every round.

    Attributes
    ----------
    estimators_ : list of estimator objects
        The kept learner of every round (fewer than ``n_estimators`` after an early stop).
    estimator_weights_ : ndarray of shape (n_rounds,)
        Vote weight :math:`\\ln((1 - \\epsilon_t) / \\epsilon_t) + \\ln(K - 1)` of every kept
        learner (1 for a weak first learner kept alone); all of them vote.
    estimator_errors_ : ndarray of shape (n_rounds,)
        Weighted error :math:`\\epsilon_t` of every kept learner on the labeled target rows.
    estimator_sources_ : ndarray of shape (n_rounds,)
        Source id whose rows (with the target rows) trained each kept learner.
    candidate_errors_ : ndarray of shape (n_rounds, n_sources)
        Target error of every source's learner in the rounds of ``estimators_`` (columns in
        ``source_ids_`` order).
    source_ids_ : ndarray of shape (n_sources,)
        The source domain ids, sorted.
    source_weight_mass_ : ndarray of shape (n_rounds,)
        Share of the total weight held by the source rows when each round started.
    source_weights_ : ndarray of shape (n_source,)
        Final weights of the source rows (in the order of ``X``); with ``target_weights_``
        they sum to one.
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
    TaskTrAdaBoostClassifier : the two-phase variant (candidates per source, then target).
    TrAdaBoostClassifier : TrAdaBoost with all sources pooled into one.

    Notes
    -----
    **Binary and multi-class.** The paper's labels are :math:`\\pm 1`, its updates
    :math:`w_i \\leftarrow w_i e^{-\\alpha_S |h_t(x_i) - y_i|}` (source) and
    :math:`w_j \\leftarrow w_j e^{\\alpha_t |h_t(x_j) - y_j|}` (target) with
    :math:`\\alpha_S = \\frac12 \\ln(1 + \\sqrt{2 \\ln n_S / N})` and
    :math:`\\alpha_t = \\frac12 \\ln((1 - \\epsilon_t) / \\epsilon_t)`: a miss
    (:math:`|h - y| = 2`) multiplies a source row by :math:`\\beta` and a target row by
    :math:`(1 - \\epsilon_t) / \\epsilon_t`, as here. The vote weights stored here are
    :math:`2 \\alpha_t`, which changes no prediction. With :math:`K > 2` classes the target
    factor and the vote weight are SAMME's, :math:`(K - 1)(1 - \\epsilon_t) / \\epsilon_t`,
    and boosting stops at a learner no better than chance, :math:`\\epsilon_t \\geq 1 - 1/K`
    (the paper requires :math:`\\epsilon_t < 1/2`); a first learner is kept alone.

    **Which source rows lose weight.** All source rows, of every source, are scored by the
    kept learner :math:`h_t` (the paper's update runs over the whole source weight vector),
    not only the rows of the source that trained it. Each candidate learner is fitted with
    the weights of its rows renormalised over those rows (rescaled to mean one), so the
    share the target holds in its fit grows as the source rows lose weight.

    **An irrelevant source is not shut out.** Its rows lose weight quickly (its learner
    misclassifies about half of them), and then the learner fitted on it and the target rows
    is mostly a fit of the target rows: it can win later rounds as a target-only learner.
    :attr:`estimator_sources_` tells which rows a learner was fitted on, not which source
    the model trusts.

    Errors of 0 are floored at ``1e-10`` (large, finite vote) and boosting goes on, as in
    :class:`~skt.TrAdaBoostClassifier`. Ties between sources go to the smallest id. The cost
    is ``n_estimators * n_sources`` fits of the base estimator.

    References
    ----------
    .. [1] Y. Yao and G. Doretto, "Boosting for transfer learning with multiple sources",
       CVPR 2010.
    .. [2] W. Dai, Q. Yang, G.-R. Xue and Y. Yu, "Boosting for transfer learning", ICML 2007.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "covariate", n_samples_source=300, n_samples_target=300, random_state=0)
    >>> rng = np.random.RandomState(0)
    >>> source = sample_domain > 0
    >>> sample_domain[source] = rng.choice([1, 2], size=source.sum())   # two sources
    >>> y[sample_domain == 2] = rng.randint(2, size=(sample_domain == 2).sum())  # noise
    >>> target = np.flatnonzero(sample_domain < 0)
    >>> y_train = y.copy()
    >>> y_train[target[20:]] = -1          # 20 labeled target rows
    >>> model = skt.MultiSourceTrAdaBoostClassifier(n_estimators=10, random_state=0)
    >>> model = model.fit(X, y_train, sample_domain=sample_domain)
    >>> model.source_ids_   # rounds won by each source: the noisy one never wins
    array([1, 2])
    >>> np.bincount(model.estimator_sources_, minlength=3)[1:]
    array([10,  0])
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        initial_target_weight=0.5,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.initial_target_weight = initial_target_weight
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, *, sample_domain=None):
        """Boost ``n_estimators`` rounds, picking the best source's learner every round.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) are passed to the learners as they are.
        y : array-like of shape (n_samples,)
            Class labels; ``-1`` marks unlabeled target rows (ignored).
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: one positive id per source domain, negative for target rows. Required.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        n_rounds = _check_int(self.n_estimators, "n_estimators", 1)
        target_weight = _check_share(self.initial_target_weight, "initial_target_weight")
        X_tr, y_tr, ids = self._multi_source_rows(X, y, sample_domain)
        base = self._base_estimator()
        rng = check_random_state(self.random_state)
        is_source = ids > 0
        is_target = ~is_source
        source_rows = [is_target | (ids == k) for k in self.source_ids_]
        beta_source = _source_factor(int(is_source.sum()), n_rounds)
        n_classes = self.n_classes_
        chance = 1.0 - 1.0 / n_classes

        weights = _initial_weights(is_source, target_weight)
        learners, alphas, errors, chosen, candidates, source_mass = [], [], [], [], [], []
        for t in range(n_rounds):
            fitted = [_fit_on(base, X_tr, y_tr, weights, rows, rng) for rows in source_rows]
            w_target = weights[is_target]
            round_errors = np.array([
                w_target[learner.predict(X_tr[is_target]) != y_tr[is_target]].sum()
                / w_target.sum()
                for learner in fitted
            ])
            best = int(np.argmin(round_errors))
            learner, error = fitted[best], float(round_errors[best])
            if error >= chance:
                self._say(
                    f"round {t + 1}: least target error {error:.4f} >= {chance:.4f} (no better "
                    "than chance); boosting stops."
                )
                if not learners:  # kept alone, with vote weight 1, so that the model predicts
                    learners.append(learner)
                    alphas.append(1.0)
                    errors.append(error)
                    chosen.append(self.source_ids_[best])
                    candidates.append(round_errors)
                    source_mass.append(weights[is_source].sum())
                break
            candidates.append(round_errors)
            alpha = _samme_alpha(error, n_classes)
            learners.append(learner)
            alphas.append(alpha)
            errors.append(error)
            chosen.append(self.source_ids_[best])
            source_mass.append(weights[is_source].sum())
            wrong = learner.predict(X_tr) != y_tr
            weights[is_target & wrong] *= math.exp(alpha)
            weights[is_source & wrong] *= beta_source
            _normalise(weights)
            self._say(
                f"round {t + 1}/{n_rounds}: source {chosen[-1]} chosen, target error "
                f"{error:.4f}, source weight {weights[is_source].sum():.4f}"
            )

        self.estimators_ = learners
        self.estimator_weights_ = np.asarray(alphas)
        self.estimator_errors_ = np.asarray(errors)
        self.estimator_sources_ = np.asarray(chosen, dtype=np.int64)
        self.candidate_errors_ = np.asarray(candidates)
        self.source_weight_mass_ = np.asarray(source_mass)
        self._set_weight_attributes(weights, is_source)
        return self


def _adaboost_candidates(base, X, y, n_rounds, n_classes, gamma, rng):
    """Phase I on one source: SAMME on ``X, y`` from uniform weights; the learners whose
    paper-scale vote weight (half of SAMME's) exceeds ``gamma``, and their errors."""
    weights = np.full(y.shape[0], 1.0 / y.shape[0])
    chance = 1.0 - 1.0 / n_classes
    kept, kept_errors = [], []
    for _ in range(n_rounds):
        learner = _fit_learner(base, X, y, weights, rng)
        wrong = learner.predict(X) != y
        error = float(weights[wrong].sum())
        if error >= chance:  # no better than chance: AdaBoost stops on this source
            break
        alpha = _samme_alpha(error, n_classes)
        if 0.5 * alpha > gamma:
            kept.append(learner)
            kept_errors.append(error)
        if error <= 0.0:  # a perfect fit: the weights would not move again
            break
        weights[wrong] *= math.exp(alpha)
        _normalise(weights)
    return kept, kept_errors


class TaskTrAdaBoostClassifier(_MultiSourceBoost):
    """TaskTrAdaBoost: boosting over candidate learners collected on each source.

    Yao and Doretto (2010), Algorithms 2 and 3. **Phase I** runs AdaBoost for
    ``n_source_estimators`` rounds on the rows of each source domain alone, and keeps as
    candidates the learners whose AdaBoost weight :math:`\\alpha = \\frac12 \\ln((1 -
    \\epsilon) / \\epsilon)` exceeds the threshold ``gamma`` (``gamma = 0`` keeps every learner
    better than chance on its source; larger values keep only the strong ones). **Phase II**
    runs AdaBoost on the labeled target rows, from uniform weights, over the fixed set of
    candidates: every round the candidate with the least weighted error :math:`\\epsilon_t`
    on the labeled target rows is picked, the target rows it misclassifies are multiplied by
    :math:`(1 - \\epsilon_t) / \\epsilon_t`, and it votes with weight
    :math:`\\ln((1 - \\epsilon_t) / \\epsilon_t)`. No learner is fitted on target rows: the
    target only chooses and weighs what the sources learned (parameter transfer).

    {domains}

    Parameters
    ----------
    estimator : estimator object, default=None
        Classifier whose ``fit`` accepts ``sample_weight``, used in phase I. None means
        ``DecisionTreeClassifier(max_depth=3)``. One without ``sample_weight`` is a TypeError.
    n_estimators : int, default=50
        Rounds of phase II (on the target).
    n_source_estimators : int, default=10
        Rounds of phase I on each source (at most as many candidates per source).
    gamma : float >= 0, default=0.1
        Threshold on the paper's :math:`\\alpha` of a phase-I learner: it becomes a candidate
        when :math:`\\alpha > \\gamma`, i.e. its weighted error on its source is below
        :math:`1 / (1 + e^{2\\gamma})` (0.45 for 0.1, binary).
    random_state : int, RandomState instance or None, default=None
        Seeds the ``random_state`` of every learner.
    verbose : int, default=0
        Print the number of candidates and, every phase-II round, the pick and its error.

    Attributes
    ----------
    candidates_ : list of estimator objects
        The phase-I candidates, source after source (in ``source_ids_`` order).
    candidate_sources_ : ndarray of shape (n_candidates,)
        Source id of every candidate.
    estimators_ : list of estimator objects
        The candidate picked every phase-II round (a candidate can be picked again).
    estimator_weights_ : ndarray of shape (n_rounds,)
        Vote weight :math:`\\ln((1 - \\epsilon_t) / \\epsilon_t) + \\ln(K - 1)` of every pick
        (1 for a weak first pick kept alone); all of them vote.
    estimator_errors_ : ndarray of shape (n_rounds,)
        Weighted error of every pick on the labeled target rows.
    estimator_sources_ : ndarray of shape (n_rounds,)
        Source id of every pick.
    target_weights_ : ndarray of shape (n_labeled_target,)
        Weights of the labeled target rows after the last round (they sum to one).
    source_ids_ : ndarray of shape (n_sources,)
        The source domain ids, sorted.
    classes_ : ndarray of shape (n_classes,)
        Class labels seen among the source and labeled target rows.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    MultiSourceTrAdaBoostClassifier : one learner per source per round, on source and target.
    TrAdaBoostClassifier : TrAdaBoost with all sources pooled into one.

    Notes
    -----
    **Binary and multi-class.** The paper's labels are :math:`\\pm 1` and its update
    :math:`w_i \\leftarrow w_i e^{-\\alpha y_i h(x_i)}`; after normalisation this is the
    update above (misses gain :math:`e^{2\\alpha}` relative to hits), and the vote weights
    stored here are :math:`2\\alpha_t`, which changes no prediction. With :math:`K > 2`
    classes both phases use SAMME (Zhu et al., 2009): the factor and vote weight are
    :math:`(K - 1)(1 - \\epsilon) / \\epsilon`, ``gamma`` is compared with half the SAMME
    weight, and a learner no better than chance (:math:`\\epsilon \\geq 1 - 1/K`) stops that
    boosting (a first phase-II pick is kept alone with vote weight 1).

    **Edge cases.** A phase-I learner with no error on its source ends boosting on that
    source (its weights would not move again); a phase-II pick with no error on the target
    ends phase II (vote weight about 46, from the error floor 1e-10). Ties between
    candidates go to the first in ``candidates_``. When no phase-I learner passes
    ``gamma``, ``fit`` raises a ValueError. The cost is ``n_sources * n_source_estimators``
    fits; phase II only predicts.

    References
    ----------
    .. [1] Y. Yao and G. Doretto, "Boosting for transfer learning with multiple sources",
       CVPR 2010.
    .. [2] J. Zhu, H. Zou, S. Rosset and T. Hastie, "Multi-class AdaBoost", Statistics and its
       Interface 2, 2009.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "covariate", n_samples_source=300, n_samples_target=300, random_state=0)
    >>> rng = np.random.RandomState(0)
    >>> source = sample_domain > 0
    >>> sample_domain[source] = rng.choice([1, 2], size=source.sum())   # two sources
    >>> target = np.flatnonzero(sample_domain < 0)
    >>> y_train = y.copy()
    >>> y_train[target[20:]] = -1          # 20 labeled target rows
    >>> model = skt.TaskTrAdaBoostClassifier(n_estimators=10, random_state=0)
    >>> model = model.fit(X, y_train, sample_domain=sample_domain)
    >>> len(model.candidates_) <= 20, len(model.estimators_) <= 10
    (True, True)
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        n_source_estimators=10,
        gamma=0.1,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.n_source_estimators = n_source_estimators
        self.gamma = gamma
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, *, sample_domain=None):
        """Collect candidates on every source (phase I), boost over them on the target (II).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) are passed to the learners as they are.
        y : array-like of shape (n_samples,)
            Class labels; ``-1`` marks unlabeled target rows (ignored).
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: one positive id per source domain, negative for target rows. Required.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        n_rounds = _check_int(self.n_estimators, "n_estimators", 1)
        n_source_rounds = _check_int(self.n_source_estimators, "n_source_estimators", 1)
        gamma = self.gamma
        if (
            not isinstance(gamma, numbers.Real)
            or isinstance(gamma, bool)
            or not 0.0 <= float(gamma) < math.inf
        ):
            raise ValueError(f"gamma must be a finite number >= 0; got {gamma!r}.")
        X_tr, y_tr, ids = self._multi_source_rows(X, y, sample_domain)
        base = self._base_estimator()
        rng = check_random_state(self.random_state)
        n_classes = self.n_classes_

        candidates, candidate_sources = [], []
        for k in self.source_ids_:
            rows = ids == k
            kept, _ = _adaboost_candidates(
                base, X_tr[rows], y_tr[rows], n_source_rounds, n_classes, float(gamma), rng
            )
            candidates += kept
            candidate_sources += [k] * len(kept)
        if not candidates:
            raise ValueError(
                f"{type(self).__name__}: no phase-I learner passed gamma={gamma!r} on any "
                f"source (ids {self.source_ids_.tolist()}); lower gamma or use a stronger "
                "estimator."
            )
        self._say(f"phase I: {len(candidates)} candidates")
        self.candidates_ = candidates
        self.candidate_sources_ = np.asarray(candidate_sources, dtype=np.int64)

        is_target = ids < 0
        X_t, y_t = X_tr[is_target], y_tr[is_target]
        wrong = np.array([learner.predict(X_t) != y_t for learner in candidates])
        weights = np.full(y_t.shape[0], 1.0 / y_t.shape[0])
        chance = 1.0 - 1.0 / n_classes
        picks, alphas, errors = [], [], []
        for t in range(n_rounds):
            round_errors = wrong @ weights / weights.sum()
            best = int(np.argmin(round_errors))
            error = float(round_errors[best])
            if error >= chance:
                self._say(f"round {t + 1}: least target error {error:.4f}; boosting stops.")
                if not picks:
                    picks.append(best)
                    alphas.append(1.0)
                    errors.append(error)
                break
            alpha = _samme_alpha(error, n_classes)
            picks.append(best)
            alphas.append(alpha)
            errors.append(error)
            self._say(
                f"round {t + 1}/{n_rounds}: candidate {best} (source "
                f"{candidate_sources[best]}), target error {error:.4f}"
            )
            if error <= 0.0:
                break
            weights[wrong[best]] *= math.exp(alpha)
            _normalise(weights)

        self.estimators_ = [candidates[j] for j in picks]
        self.estimator_weights_ = np.asarray(alphas)
        self.estimator_errors_ = np.asarray(errors)
        self.estimator_sources_ = self.candidate_sources_[picks]
        self.target_weights_ = weights
        return self


for _cls in (MultiSourceTrAdaBoostClassifier, TaskTrAdaBoostClassifier):
    _cls.__doc__ = _cls.__doc__.replace("{domains}", _DOC_SEVERAL)
del _cls
