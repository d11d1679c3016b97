"""Fine-tuning: continue training a source model on the labeled target rows."""

import copy
import numbers
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from skt._compat import get_tags

from ..base import _delegate_type_tags
from ._common import BaseParameterTransfer, _seed_unset

__all__ = ["FineTuning"]

_METHODS = ("auto", "partial_fit", "warm_start")


def _check_count(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0; got {value!r}.")
    return int(value)


def _has_warm_start(estimator):
    return "warm_start" in estimator.get_params(deep=False)


def _learning_rate_params(estimator, learning_rate, method):
    """The parameters that set the step size of ``estimator``'s continued training."""
    if learning_rate is None:
        return {}
    if (
        not isinstance(learning_rate, numbers.Real)
        or isinstance(learning_rate, bool)
        or not learning_rate > 0
    ):
        raise ValueError(f"learning_rate must be None or a number > 0; got {learning_rate!r}.")
    params = estimator.get_params(deep=False)
    name = type(estimator).__name__
    if isinstance(estimator, (MLPClassifier, MLPRegressor)):
        if method == "partial_fit":
            raise ValueError(
                f"learning_rate cannot be changed for {name} with method='partial_fit' (its "
                "optimiser state is kept); use method='warm_start', which restarts the "
                "optimiser at learning_rate_init from the source weights."
            )
        return {"learning_rate_init": float(learning_rate)}
    if "eta0" in params:  # SGD models: a constant step of the given size
        return {"learning_rate": "constant", "eta0": float(learning_rate)}
    if "learning_rate" in params and isinstance(params["learning_rate"], numbers.Real):
        return {"learning_rate": float(learning_rate)}  # gradient boosting: shrinkage
    raise ValueError(
        f"learning_rate={learning_rate!r}, but {name} has no step size to set (it is set for "
        "SGD models, MLPs and gradient boosting). Leave learning_rate=None."
    )


class FineTuning(BaseParameterTransfer):
    """Continue training a source model on the labeled target rows.

    The model is fitted on the source rows (a clone of ``estimator``), or is a fitted model
    given as ``source_model`` (copied, never modified); then training goes on with the labeled
    target rows only, in one of two ways:

    - ``partial_fit`` (SGD models, MLPs, naive Bayes): ``n_epochs`` passes over the labeled
      target rows in a random order, starting from the source parameters. For naive Bayes each
      epoch adds the target counts to the source statistics once more, so ``n_epochs`` weighs
      the target rows against the source rows.
    - ``warm_start`` (gradient boosting, random forests, MLPs): ensembles keep their source
      stages and add ``n_stages`` more fitted on the target rows (for gradient boosting, new
      stages fit the residuals of the source model on the target rows; for forests, new trees
      vote beside the source trees); an MLP restarts its optimiser from the source weights and
      runs ``n_epochs`` epochs on the target rows.

    Training rows come from one ``X``: ``sample_domain`` tells source rows (positive ids) from
    target rows (negative ids); target rows with a label are the labeled target rows, those
    with a masked label are ignored. Without ``sample_domain`` or without a labeled target row
    ``fit`` raises a ValueError. With ``source_model`` given, ``X`` may hold target rows only.
    Several source ids are pooled into one source (one source model), several target ids into
    one target.

    Parameters
    ----------
    estimator : estimator object, default=None
        Fitted (a clone) on the source rows when ``source_model`` is None. It must offer
        ``partial_fit`` or a ``warm_start`` parameter. None means
        ``SGDClassifier(loss="log_loss")``.
    source_model : fitted estimator, default=None
        A model already trained on the source (e.g. loaded from disk); a deep copy is
        fine-tuned. When given, ``estimator`` must be None and source rows are ignored.
    method : {"auto", "partial_fit", "warm_start"}, default="auto"
        How training continues. ``"auto"``: ``warm_start`` for ensembles and MLPs (whose
        ``warm_start`` restarts the optimiser, so ``learning_rate`` applies), ``partial_fit``
        otherwise. An estimator offering neither is a TypeError.
    n_epochs : int >= 0, default=10
        Passes over the labeled target rows (``partial_fit``; ``max_iter`` of a warm-started
        MLP or linear model). 0 returns the source model.
    n_stages : int >= 0, default=10
        Stages (boosting iterations, trees) added by a warm-started ensemble. 0 returns the
        source model.
    learning_rate : float > 0, default=None
        Step size of the continued training: ``eta0`` (with a constant schedule) for SGD
        models, ``learning_rate_init`` for a warm-started MLP, the shrinkage of the added stages
        for gradient boosting. None keeps the model's own.
    random_state : int, RandomState instance or None, default=None
        Order of the target rows in every ``partial_fit`` epoch, and the seed of the source
        fit's ``random_state`` parameters when they are None.

    Attributes
    ----------
    estimator_ : estimator object
        The fine-tuned model.
    source_estimator_ : estimator object
        The model before fine-tuning (the fitted clone, or the user's ``source_model``).
    method_ : str
        The method used.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only): the source model's.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    RegularTransferClassifier : a linear model pulled towards the source, with an explicit
        strength ``lam``.
    skt.TargetOnly, skt.SourceOnly : the two ends (train on the target only / stop before
        fine-tuning).

    Notes
    -----
    The strength of the transfer is how far training goes: ``n_epochs`` / ``n_stages`` and
    ``learning_rate``; choose them by cross-validation over the labeled target rows
    (``skt.model_selection.StratifiedTargetKFold``), with 0 among the candidates so that the
    source model itself competes.

    **Classes.** A labeled target row of a class the source model does not know is a
    ValueError (an incremental classifier fixes its classes at the first fit). A source class
    missing from the target rows stays a class of the model. Warm-started gradient-boosting
    and MLP classifiers need the target rows to hold every source class (scikit-learn refits
    their label encoding): use ``partial_fit`` for the MLP, or more labeled rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import GradientBoostingRegressor
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "concept", task="regression", random_state=0)
    >>> y_train = y.copy()
    >>> y_train[(sample_domain < 0) & (np.arange(len(y)) % 5 != 0)] = np.nan
    >>> model = skt.FineTuning(GradientBoostingRegressor(n_estimators=50, random_state=0),
    ...                        n_stages=20)
    >>> model = model.fit(X, y_train, sample_domain=sample_domain)
    >>> model.estimator_.n_estimators_
    70
    """

    def __init__(
        self,
        estimator=None,
        *,
        source_model=None,
        method="auto",
        n_epochs=10,
        n_stages=10,
        learning_rate=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.source_model = source_model
        self.method = method
        self.n_epochs = n_epochs
        self.n_stages = n_stages
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _get_estimator(self):
        if self.source_model is not None:
            return self.source_model
        return SGDClassifier(loss="log_loss") if self.estimator is None else self.estimator

    @property
    def _estimator_type(self):
        # scikit-learn < 1.6 reads the estimator type from this attribute
        return getattr(self._get_estimator(), "_estimator_type", None)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        return _delegate_type_tags(tags, get_tags(self._get_estimator()))

    def _inner_estimator_type(self):
        return get_tags(self._get_estimator()).estimator_type

    def _resolve_method(self, estimator):
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}; got {self.method!r}.")
        can_partial = hasattr(estimator, "partial_fit")
        can_warm = _has_warm_start(estimator)
        what = "source_model" if self.source_model is not None else "estimator"
        if not (can_partial or can_warm):
            raise TypeError(
                f"FineTuning: {what} {type(estimator).__name__} can neither partial_fit nor "
                "warm_start, so its training cannot continue on the target rows. Use an "
                "incremental model (SGDClassifier, SGDRegressor, MLPClassifier, naive Bayes) "
                "or a warm-startable one (GradientBoosting*, HistGradientBoosting*, "
                "RandomForest*)."
            )
        if self.method == "auto":
            ensemble = "n_estimators" in estimator.get_params(deep=False) or isinstance(
                estimator, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
            )
            mlp = isinstance(estimator, (MLPClassifier, MLPRegressor))
            return "warm_start" if can_warm and (ensemble or mlp or not can_partial) else (
                "partial_fit"
            )
        if self.method == "partial_fit" and not can_partial:
            raise TypeError(
                f"FineTuning: method='partial_fit', but {what} {type(estimator).__name__} has "
                "no partial_fit."
            )
        if self.method == "warm_start" and not can_warm:
            raise TypeError(
                f"FineTuning: method='warm_start', but {what} {type(estimator).__name__} has "
                "no warm_start parameter."
            )
        return self.method

    def fit(self, X, y, *, sample_domain=None):
        """Fit on the source rows (unless ``source_model`` is given), then continue on the
        labeled target rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain (only target rows when ``source_model`` is given).
        y : array-like of shape (n_samples,)
            Labels; ``-1`` (classification) or ``NaN`` (regression) mark unlabeled target rows.
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: positive for source rows, negative for target rows. Required.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_one_source()
        n_epochs = _check_count(self.n_epochs, "n_epochs")
        n_stages = _check_count(self.n_stages, "n_stages")
        rng = check_random_state(self.random_state)
        domains = self._validate_fit_data(X, y, sample_domain)
        if self.source_model is not None:
            check_is_fitted(self.source_model)
            n_in = getattr(self.source_model, "n_features_in_", domains.X.shape[1])
            if n_in != domains.X.shape[1]:
                raise ValueError(
                    f"X has {domains.X.shape[1]} features, but source_model "
                    f"({type(self.source_model).__name__}) was fitted with {n_in} features."
                )
            method = self._resolve_method(self.source_model)
            source = self.source_model
            model = copy.deepcopy(self.source_model)
        else:
            self._check_source_rows(domains)
            base = self._get_estimator()
            method = self._resolve_method(base)
            source = clone(base)
            _seed_unset(source, rng)
            source.fit(domains.X_source, domains.y_source)
            model = copy.deepcopy(source)
        Xt, yt = domains.X_labeled_target, domains.y_labeled_target
        if hasattr(model, "classes_"):
            unknown = ~np.isin(yt, model.classes_)
            if unknown.any():
                raise ValueError(
                    f"y holds target classes the source model does not know: "
                    f"{np.unique(yt[unknown]).tolist()}; the source classes are "
                    f"{np.asarray(model.classes_).tolist()}."
                )
        model.set_params(**_learning_rate_params(model, self.learning_rate, method))
        if method == "partial_fit":
            for _ in range(n_epochs):
                order = rng.permutation(Xt.shape[0])
                model.partial_fit(Xt[order], yt[order])
        else:
            model = _warm_start(model, Xt, yt, n_epochs, n_stages)
        self.estimator_ = model
        self.source_estimator_ = source
        self.method_ = method
        if hasattr(model, "classes_"):
            self.classes_ = model.classes_
        return self

    @available_if(lambda self: hasattr(self._get_estimator(), "predict"))
    def predict(self, X, *, sample_domain=None):
        """Predict with the fine-tuned model (rows are target rows).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels or values.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.estimator_.predict(X)

    @available_if(lambda self: hasattr(self._get_estimator(), "predict_proba"))
    def predict_proba(self, X, *, sample_domain=None):
        """Class probabilities of the fine-tuned model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.estimator_.predict_proba(X)

    @available_if(lambda self: hasattr(self._get_estimator(), "decision_function"))
    def decision_function(self, X, *, sample_domain=None):
        """Decision function of the fine-tuned model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision values.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.estimator_.decision_function(X)


def _warm_start(model, X, y, n_epochs, n_stages):
    params = model.get_params(deep=False)
    if isinstance(model, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
        if n_stages == 0:
            return model
        # early stopping would hold out part of the few target rows and may add no stage
        model.set_params(warm_start=True, early_stopping=False,
                         max_iter=model.n_iter_ + n_stages)
    elif "n_estimators" in params:
        if n_stages == 0:
            return model
        grown = len(model.estimators_)
        model.set_params(warm_start=True, n_estimators=grown + n_stages)
    else:
        if n_epochs == 0:
            return model
        model.set_params(warm_start=True)
        if "max_iter" in params:
            model.set_params(max_iter=n_epochs)
    if hasattr(model, "classes_") and (
        isinstance(model, (MLPClassifier, HistGradientBoostingClassifier))
        or "n_estimators" in params
    ):
        missing = np.setdiff1d(model.classes_, y)
        if missing.size:
            raise ValueError(
                f"y: the labeled target rows lack the source classes {missing.tolist()}, and "
                f"a warm-started {type(model).__name__} must see every class again. Use "
                "method='partial_fit' where the model has it (MLPClassifier), or label a row "
                "of every class."
            )
    with warnings.catch_warnings():
        # the number of epochs is the requested strength of the fine-tuning, not a failure
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)
