"""Reweighting by a probabilistic domain classifier (Bickel et al., 2007; Zadrozny, 2004)."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils import check_random_state

from skt import _sparse
from skt._compat import get_tags

from ._common import (
    COMMON_ATTRIBUTES,
    DOMAINS_NOTE,
    ESTIMATOR_PARAM,
    BaseReweighting,
    check_int,
    check_real,
    check_samples,
    check_weights_not_degenerate,
)

__all__ = ["DiscriminativeReweighting", "discriminative_weights"]


#: Folds and grid of the default domain classifier's choice of its regularisation ``C``.
DEFAULT_CLASSIFIER_FOLDS = 5
DEFAULT_CLASSIFIER_CS = tuple(np.logspace(-4, 4, 10))


class _LogisticRegressionPathCV(ClassifierMixin, BaseEstimator):
    """Logistic regression whose ``C`` is chosen by cross-validated log-loss along a path.

    The default domain classifier (:func:`default_domain_classifier`). The same search as
    ``GridSearchCV(LogisticRegression(max_iter=1000), {"C": Cs}, scoring="neg_log_loss",
    cv=StratifiedKFold(cv))`` followed by a refit at the best ``C``, computed the way
    ``LogisticRegressionCV`` computes it: in each fold the values of ``C`` are visited in
    increasing order, each fit warm-started from the previous solution. The path stops once
    the mean held-out log-loss has been worse than the best so far for ``patience``
    consecutive values (the cross-validated log-loss of an L2 logistic regression rises on
    both sides of its minimum; the large values of ``C``, which barely converge in 1,000
    iterations on separable rows, are the costly ones). On Caltech -> Amazon (800 features)
    the search costs 2.7x less than the grid search and picks the same ``C``
    (``benchmarks/bench_threads.py --part compare``). Written here rather than taken from
    ``LogisticRegressionCV``, whose parameters and fitted attributes change between the
    scikit-learn versions skt supports.

    Attributes
    ----------
    C_ : float
        The chosen inverse regularisation.
    Cs_ : ndarray
        The values of ``C`` visited (a prefix of ``Cs`` when the path stopped early).
    scores_ : ndarray of shape (n_folds, len(Cs_))
        Held-out negative log-loss of each fold and visited ``C``.
    model_ : LogisticRegression
        The model refitted on all rows with ``C_``.
    """

    def __init__(self, Cs=DEFAULT_CLASSIFIER_CS, cv=DEFAULT_CLASSIFIER_FOLDS, patience=3,
                 max_iter=1000):
        self.Cs = Cs
        self.cv = cv
        self.patience = patience
        self.max_iter = max_iter

    def fit(self, X, y):
        """Search ``C`` along the path, then refit on all rows."""
        y = np.asarray(y)
        folds = list(StratifiedKFold(self.cv).split(X, y))
        models = [LogisticRegression(max_iter=self.max_iter, warm_start=True) for _ in folds]
        scores, best, worse = [], -np.inf, 0
        for C in self.Cs:
            column = []
            for model, (train, test) in zip(models, folds, strict=True):
                model.set_params(C=C).fit(X[train], y[train])
                column.append(-log_loss(y[test], model.predict_proba(X[test]),
                                        labels=model.classes_))
            scores.append(column)
            mean = float(np.mean(column))
            if mean > best:
                best, worse = mean, 0
            else:
                worse += 1
                if worse >= self.patience:
                    break
        self.scores_ = np.array(scores).T
        self.Cs_ = np.asarray(self.Cs[: self.scores_.shape[1]], dtype=np.float64)
        self.C_ = float(self.Cs_[int(np.argmax(self.scores_.mean(axis=0)))])
        self.model_ = LogisticRegression(C=self.C_, max_iter=self.max_iter).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        """Class probabilities of the refitted model."""
        return self.model_.predict_proba(X)

    def predict(self, X):
        """Classes of the refitted model."""
        return self.model_.predict(X)


def default_domain_classifier(n_source, n_target):
    """The domain classifier of ``classifier=None``: a logistic regression whose inverse
    regularisation ``C`` is chosen by cross-validated log-loss.

    The weights are odds of its probabilities, so the probabilities must be calibrated, and
    the log-loss is the proper scoring rule that measures it. A fixed ``C`` over-fits when
    the features are many: on 400 standardised features with a modest shift along each,
    ``C=1`` gave weights with an effective sample size of a few rows and cost 8 points of
    target accuracy, where the cross-validated ``C`` (about 0.02) keeps them flat; on a few
    features it picks a large ``C`` and the weights of ``C=1``
    (``benchmarks/bench_reweight_defaults.py``). The grid is ``LogisticRegressionCV``'s
    default, 10 values from 1e-4 to 1e4, searched along a warm-started path
    (:class:`_LogisticRegressionPathCV`) over ``min(5, n_source, n_target)`` stratified
    folds; a plain ``LogisticRegression()`` when a domain has a single row.
    """
    folds = min(DEFAULT_CLASSIFIER_FOLDS, n_source, n_target)
    if folds < 2:
        return LogisticRegression()
    return _LogisticRegressionPathCV(cv=folds)


def _check_classifier(classifier, n_source=5, n_target=5):
    clf = default_domain_classifier(n_source, n_target) if classifier is None else classifier
    if not hasattr(clf, "fit") or not hasattr(clf, "predict_proba"):
        raise TypeError(
            "classifier must be a scikit-learn classifier with predict_proba (a probabilistic "
            f"domain classifier); got {type(clf).__name__}, which has no predict_proba. Wrap "
            "it in sklearn.calibration.CalibratedClassifierCV, or pick another classifier."
        )
    if not is_classifier(clf):
        raise TypeError(
            f"classifier must be a scikit-learn classifier; got {type(clf).__name__}, which is "
            "not one."
        )
    return clf


def _discriminative(Xs, Xt, *, classifier, clip, cv, random_state, refit=True):
    """Validated weights: ``(weights, fitted_classifier)``.

    With cross-fitting (``cv``), the weights come from the fold classifiers alone; the
    classifier fitted on all rows is only returned, and ``refit=False`` skips it (None).
    """
    clf = _check_classifier(classifier, Xs.shape[0], Xt.shape[0])
    if clip is not None:
        clip = check_real(clip, "clip", low=0.0, low_open=True)
    if cv is not None:
        check_int(cv, "cv", 2)
    n_s, n_t = Xs.shape[0], Xt.shape[0]
    X = _sparse.vstack([Xs, Xt])
    d = np.r_[np.zeros(n_s, dtype=np.int64), np.ones(n_t, dtype=np.int64)]
    if cv is None:
        fitted = clone(clf).fit(X, d)
        proba = fitted.predict_proba(Xs)
    else:
        if min(n_s, n_t) < cv:
            raise ValueError(
                f"cv={cv} folds need at least {cv} source and {cv} target rows; got {n_s} and "
                f"{n_t}."
            )
        rng = check_random_state(random_state)
        folds = StratifiedKFold(cv, shuffle=True, random_state=rng.randint(2**31 - 1))
        proba = cross_val_predict(clone(clf), X, d, cv=folds, method="predict_proba")[:n_s]
        # cross_val_predict orders the columns by the sorted labels, [0, 1]
        fitted = clone(clf).fit(X, d) if refit else None
    classes = list(getattr(fitted, "classes_", [0, 1]))
    p_target = proba[:, classes.index(1)]
    p_source = proba[:, classes.index(0)]
    # p_t(x) / p_s(x) = [P(t | x) / P(s | x)] * [P(s) / P(t)], the priors from the sample sizes
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = (n_s / n_t) * p_target / p_source
    weights = np.where(p_source > 0, weights, np.inf)
    weights = np.where(p_target > 0, weights, 0.0)
    if clip is not None:
        weights = np.minimum(weights, clip)
    elif not np.all(np.isfinite(weights)):
        raise ValueError(
            "DiscriminativeReweighting: the domain classifier gives probability 1 of being a "
            "target row to some source rows, so their weight is infinite. Pass clip= (an upper "
            "bound of the weights), use cross-fitting (cv=5), or a smoother classifier."
        )
    check_weights_not_degenerate(
        weights,
        "DiscriminativeReweighting",
        "the domain classifier gives every source row probability 0 of being a target row "
        "(it separates the domains perfectly). Use a more regularised classifier, or "
        "cross-fitting (cv=5).",
    )
    return weights, fitted


def discriminative_weights(X_source, X_target, *, classifier=None, clip=None, cv=None,
                           random_state=None):
    """Importance weights of the source rows from a probabilistic domain classifier.

    A classifier learns to tell target rows (class 1) from source rows (class 0); by Bayes'
    rule the density ratio is the odds of its probabilities times the ratio of the domain
    sizes (the class-prior correction):

    ``w(x) = p_target(x) / p_source(x) = (n_s / n_t) P(target | x) / P(source | x)``.

    Parameters
    ----------
    X_source : {array-like, sparse matrix} of shape (n_source, n_features)
        Source rows. Sparse rows (CSR/CSC) stay sparse and reach the classifier as they are.
    X_target : {array-like, sparse matrix} of shape (n_target, n_features)
        Target rows.
    classifier : classifier object, default=None
        Any scikit-learn classifier with ``predict_proba``; cloned. Its probabilities should
        be calibrated: the weights are only as good as they are. None means a logistic
        regression whose ``C`` is chosen by 5-fold cross-validated log-loss
        (10 values of ``C`` from 1e-4 to 1e4 on a warm-started path that stops once the
        held-out log-loss has worsened 3 times in a row; fewer folds for tiny domains),
        so that the probabilities are calibrated whatever the number of features (a fixed
        ``C=1``, ``LogisticRegression()``, over-fits in high dimension).
    clip : float, default=None
        Upper bound of the weights (a few large weights otherwise dominate the training).
        None: no bound (infinite weights are then an error).
    cv : int, default=None
        None fits the classifier on all rows and weights the source rows with it (the usual
        practice). An integer uses cross-fitting: each source row is weighted by a classifier
        that did not see it (``cv`` stratified folds), which curbs the over-confidence of a
        flexible classifier on its own training rows.
    random_state : int, RandomState instance or None, default=None
        Seed of the folds (``cv`` only). The classifier's own randomness is its own
        ``random_state``.

    Returns
    -------
    weights : ndarray of shape (n_source,)
        Non-negative weights.

    Raises
    ------
    TypeError
        When ``classifier`` has no ``predict_proba``.
    ValueError
        When every weight is zero (the classifier separates the domains perfectly), or when a
        weight is infinite and ``clip`` is None.

    See Also
    --------
    DiscriminativeReweighting : The meta-estimator that trains a model with these weights.

    References
    ----------
    .. [1] S. Bickel, M. Brueckner and T. Scheffer, "Discriminative Learning for Differing
       Training and Test Distributions", ICML 2007.
    .. [2] B. Zadrozny, "Learning and Evaluating Classifiers under Sample Selection Bias",
       ICML 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.reweight import discriminative_weights
    >>> rng = np.random.RandomState(0)
    >>> X_source = rng.normal(size=(500, 1))
    >>> X_target = rng.normal(loc=1.0, size=(500, 1))
    >>> w = discriminative_weights(X_source, X_target)
    >>> # the true ratio is exp(x - 1/2): logistic regression is the right model here
    >>> true = np.exp(X_source[:, 0] - 0.5)
    >>> bool(np.corrcoef(w, true)[0, 1] > 0.95)
    True
    """
    Xs, Xt = check_samples(X_source, X_target)
    return _discriminative(Xs, Xt, classifier=classifier, clip=clip, cv=cv, refit=False,
                           random_state=random_state)[0]


class DiscriminativeReweighting(BaseReweighting):
    """Reweight source rows by a probabilistic domain classifier, then train ``estimator``.

    A classifier learns to tell target rows from source rows; the odds of its probabilities,
    times ``n_s / n_t``, estimate the density ratio ``p_target(x) / p_source(x)`` of each
    source row (see :func:`discriminative_weights`). ``estimator`` is then fitted on the source
    rows with these weights.

    {domains}

    Parameters
    ----------
    {estimator}
    classifier : classifier object, default=None
        The domain classifier: any scikit-learn classifier with ``predict_proba``; cloned in
        ``fit``. None means a logistic regression whose ``C`` is chosen by cross-validated
        log-loss (see :func:`discriminative_weights`); ``LogisticRegression()`` gives the
        fixed ``C=1`` of earlier versions.
    clip : float, default=None
        Upper bound of the weights; None: no bound.
    cv : int, default=None
        None: one classifier fitted on all rows. An integer: cross-fitting over ``cv``
        stratified folds (each source row weighted by a classifier that did not see it).
    random_state : int, RandomState instance or None, default=None
        Seed of the folds (``cv`` only).

    Attributes
    ----------
    {attributes}
    classifier_ : classifier object
        The domain classifier fitted on all source (class 0) and target (class 1) rows.

    See Also
    --------
    discriminative_weights : The weights without an estimator.
    KLIEP, ULSIF, KMM : Kernel density-ratio estimators.

    References
    ----------
    .. [1] S. Bickel, M. Brueckner and T. Scheffer, "Discriminative Learning for Differing
       Training and Test Distributions", ICML 2007.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("covariate", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> model = skt.DiscriminativeReweighting(LogisticRegression(), clip=20.0)
    >>> model = model.fit(X, y_train)
    >>> bool(model.weights_.max() <= 20.0)
    True
    """

    def __init__(self, estimator=None, *, classifier=None, clip=None, cv=None,
                 random_state=None, flatten="auto", source_weighting=None):
        self.estimator = estimator
        self.flatten = flatten
        self.source_weighting = source_weighting
        self.classifier = classifier
        self.clip = clip
        self.cv = cv
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the domain classifier reads X too
        classifier = LogisticRegression() if self.classifier is None else self.classifier
        tags.input_tags.sparse = tags.input_tags.sparse and get_tags(classifier).input_tags.sparse
        return tags

    def _fit_weights(self, X_source, X_target):
        weights, fitted = _discriminative(
            X_source, X_target, classifier=self.classifier, clip=self.clip, cv=self.cv,
            random_state=self.random_state,
        )
        self.classifier_ = fitted
        return weights


DiscriminativeReweighting.__doc__ = DiscriminativeReweighting.__doc__.format(
    domains=DOMAINS_NOTE, estimator=ESTIMATOR_PARAM, attributes=COMMON_ATTRIBUTES
)
