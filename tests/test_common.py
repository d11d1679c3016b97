"""scikit-learn's estimator checks and the domain-contract checks."""

import functools

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from skt.datasets import make_domain_shift

from ._registry import (
    CHECKED_ESTIMATORS,
    EXPECTED_FAILURES,
    UNSUPERVISED_ESTIMATORS,
    estimator_name,
    expected_failure,
)


def _check_name(check):
    return check.func.__name__ if isinstance(check, functools.partial) else check.__name__


@parametrize_with_checks(CHECKED_ESTIMATORS)
def test_sklearn_compatible(estimator, check, request):
    reason = expected_failure(estimator, _check_name(check))
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    check(estimator)


# scikit-learn runs these checks on its own estimators only (sklearn/tests/test_common.py),
# not through parametrize_with_checks: skt runs them here. The polars checks skip without
# polars.
_TRANSFORMER_OUTPUT_CHECKS = [
    "check_set_output_transform",
    "check_set_output_transform_pandas",
    "check_global_output_transform_pandas",
    "check_set_output_transform_polars",
    "check_global_set_output_transform_polars",
    "check_transformer_get_feature_names_out",
    "check_transformer_get_feature_names_out_pandas",
    "check_get_feature_names_out_error",
]


def _output_checks():
    adapters = [e for e in CHECKED_ESTIMATORS if hasattr(e, "transform")]
    for name in _TRANSFORMER_OUTPUT_CHECKS:
        for estimator in adapters:
            yield estimator, name
    for estimator in CHECKED_ESTIMATORS:
        yield estimator, "check_dataframe_column_names_consistency"


@pytest.mark.parametrize(
    "estimator, check_name",
    list(_output_checks()),
    ids=[f"{estimator_name(e)}-{c}" for e, c in _output_checks()],
)
def test_sklearn_output_conventions(estimator, check_name, request):
    check = getattr(estimator_checks, check_name, None)
    if check is None:
        pytest.skip(f"{check_name} is not in this scikit-learn version")
    reason = expected_failure(estimator, check_name)
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    check(estimator_name(estimator), estimator)


def test_expected_failures_name_registered_estimators():
    # a stale entry in the registry would excuse nothing and hide a typo
    names = {estimator_name(e) for e in CHECKED_ESTIMATORS}
    assert set(EXPECTED_FAILURES) <= names
    for reasons in EXPECTED_FAILURES.values():
        assert all(isinstance(r, str) and len(r) > 20 for r in reasons.values())


@pytest.mark.parametrize("estimator", UNSUPERVISED_ESTIMATORS, ids=estimator_name)
def test_target_labels_are_never_read(estimator):
    """Shuffling target labels in the training rows changes no prediction."""
    task = "classification" if _is_classifier_like(estimator) else "regression"
    X, y, sample_domain = make_domain_shift("covariate", task=task, random_state=0)
    target = sample_domain < 0
    rng = np.random.RandomState(0)
    y_poisoned = y.copy()
    y_poisoned[target] = rng.permutation(y[target])
    if task == "classification":
        y_poisoned[target[: len(y)] & (rng.rand(len(y)) < 0.3)] = 0
    first = clone(estimator).fit(X, y, sample_domain=sample_domain)
    second = clone(estimator).fit(X, y_poisoned, sample_domain=sample_domain)
    assert not np.array_equal(y[target], y_poisoned[target])
    X_new = X[target]
    method = "predict" if hasattr(first, "predict") else "transform"
    np.testing.assert_array_equal(getattr(first, method)(X_new), getattr(second, method)(X_new))


def _is_classifier_like(estimator):
    from sklearn_compat.utils import get_tags

    return get_tags(estimator).estimator_type != "regressor"


def test_every_public_estimator_is_registered():
    """A new public estimator cannot skip sklearn's checks by being left out of the registry."""
    from sklearn.base import BaseEstimator

    import skt

    from ._registry import WithDomains

    registered = {type(e.estimator if isinstance(e, WithDomains) else e)
                  for e in CHECKED_ESTIMATORS}
    public = {getattr(skt, name) for name in skt.__all__}
    estimators = {obj for obj in public
                  if isinstance(obj, type) and issubclass(obj, BaseEstimator)}
    assert estimators, "no public estimator found"
    missing = sorted(cls.__name__ for cls in estimators - registered)
    assert not missing, f"public estimators missing from tests/_registry.py: {missing}"
