"""What the parameter-transfer estimators share: the domains, with or without source rows."""

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import FLOAT_DTYPES

from skt._compat import validate_data

from .._domain import check_domains
from ..base import BaseTransferEstimator


class BaseParameterTransfer(BaseTransferEstimator):
    """Transfer estimator that adapts a source model with the labeled target rows.

    The source model is either given (``source_model``: then ``X`` needs no source row) or
    fitted on the source rows of ``X``. Labeled target rows, told apart by ``sample_domain``,
    are always required.

    ``sklearn.base.clone`` (which ``GridSearchCV``, ``cross_validate`` and ``Pipeline``
    searches call) keeps ``source_model`` as it is, the same fitted object: cloning it would
    unfit it. It is only read, never modified.
    """

    _requires_target = True
    _requires_labeled_target = True
    _uses_target_labels = True

    def __sklearn_clone__(self):
        params = self.get_params(deep=False)
        source_model = params.pop("source_model")
        params = {name: clone(value, safe=False) for name, value in params.items()}
        return type(self)(source_model=source_model, **params)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.sparse = False
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"requires_y": True}

    def _validate_fit_data(self, X, y, sample_domain):
        # finiteness is checked once, by check_domains, whose errors name the estimator
        X = validate_data(self, X, reset=True, dtype=FLOAT_DTYPES, ensure_all_finite=False)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        return check_domains(
            X,
            y,
            sample_domain,
            require_source=False,  # not with a source_model: see _check_source_rows
            require_target=True,
            require_labeled_target=True,
            mask_target=False,
            estimator_type=self._inner_estimator_type(),
            caller=type(self).__name__,
        )

    def _check_source_rows(self, domains):
        if not domains.source.any():
            raise ValueError(
                f"{type(self).__name__}: no source rows and no source_model: give a fitted "
                "source_model, or source rows (positive sample_domain) to fit estimator on."
            )

    def _check_one_source(self):
        if self.source_model is not None and self.estimator is not None:
            raise ValueError(
                "give either source_model (a fitted model) or estimator (fitted on the source "
                "rows of X), not both."
            )


def _seed_unset(estimator, rng):
    """Give a None ``random_state`` parameter of ``estimator`` an integer drawn from ``rng``,
    so that the source fit is repeatable under the transfer estimator's ``random_state``."""
    params = estimator.get_params(deep=False)
    if "random_state" in params and params["random_state"] is None:
        estimator.set_params(random_state=rng.randint(np.iinfo(np.int32).max))
    return estimator
