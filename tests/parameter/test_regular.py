"""Regularised transfer of linear models: both ends of lam, the closed forms, bad input."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

import skt
from skt.model_selection import StratifiedTargetKFold
from skt.parameter import RegularTransferClassifier, RegularTransferRegressor


def _data(n_classes, random_state=0):
    X, y = make_classification(
        200, 6, n_informative=4, n_redundant=0, n_classes=n_classes, flip_y=0.2,
        random_state=random_state,
    )
    return X, y


def _zeroed(model):
    model.coef_[...] = 0.0
    model.intercept_ = np.zeros_like(np.atleast_1d(model.intercept_))
    return model


TARGET = -np.ones(200, dtype=int)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("lam", [0.3, 0.01])
def test_zero_source_is_sklearn_logistic_regression(n_classes, lam):
    # with a zero prior and a free intercept the objective is LogisticRegression's with
    # C = 1 / (2 lam n)
    X, y = _data(n_classes)
    zero = _zeroed(LogisticRegression().fit(X, y))
    model = RegularTransferClassifier(zero, lam=lam, penalize_intercept=False, tol=1e-10)
    model.fit(X, y, sample_domain=TARGET)
    reference = LogisticRegression(C=1 / (2 * lam * len(y)), tol=1e-12, max_iter=10_000)
    reference.fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=1e-6)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_large_lam_gives_the_source_model(n_classes):
    X, y = _data(n_classes)
    source = LogisticRegression().fit(X + 1.0, y[::-1])
    model = RegularTransferClassifier(source, lam=1e9).fit(X, y, sample_domain=TARGET)
    np.testing.assert_allclose(model.coef_, source.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, source.intercept_, atol=1e-6)
    np.testing.assert_array_equal(model.predict(X), source.predict(X))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_small_lam_gives_the_target_only_model(n_classes):
    X, y = _data(n_classes)
    source = LogisticRegression().fit(X + 1.0, y[::-1])
    model = RegularTransferClassifier(source, lam=1e-9, tol=1e-10).fit(X, y, sample_domain=TARGET)
    target_only = LogisticRegression(C=1e9, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), target_only.predict_proba(X), atol=1e-4)


def test_lam_moves_the_model_between_the_ends():
    X, y = _data(2)
    source = LogisticRegression().fit(X, 1 - y)
    distances = []
    for lam in (1e-3, 1e-1, 10.0):
        model = RegularTransferClassifier(source, lam=lam).fit(X, y, sample_domain=TARGET)
        distances.append(np.linalg.norm(model.coef_ - source.coef_))
    assert distances[0] > distances[1] > distances[2]


def test_source_fitted_on_source_rows_equals_given_source_model():
    X, y, sd = skt.datasets.make_domain_shift("concept", random_state=0)
    y_train = y.copy()
    y_train[(sd < 0) & (np.arange(len(y)) % 4 != 0)] = -1
    fitted = RegularTransferClassifier(lam=0.2).fit(X, y_train, sample_domain=sd)
    source = LogisticRegression().fit(X[sd > 0], y[sd > 0])
    labeled = (sd < 0) & (y_train != -1)
    given = RegularTransferClassifier(source, lam=0.2).fit(
        X[labeled], y[labeled], sample_domain=sd[labeled]
    )
    np.testing.assert_allclose(fitted.coef_, given.coef_, atol=1e-8)
    np.testing.assert_allclose(fitted.source_coef_, source.coef_)


def test_multi_source_prior_is_the_weighted_mean():
    X, y = _data(2)
    first = LogisticRegression().fit(X, y)
    second = LogisticRegression(C=0.01).fit(X + 1.0, 1 - y)
    model = RegularTransferClassifier([first, second], source_weights=[3, 1], lam=1.0)
    model.fit(X, y, sample_domain=TARGET)
    np.testing.assert_allclose(model.source_coef_, 0.75 * first.coef_ + 0.25 * second.coef_)
    np.testing.assert_allclose(
        model.source_intercept_, 0.75 * first.intercept_ + 0.25 * second.intercept_
    )


def test_source_class_absent_from_target_stays_a_class():
    X, y = _data(3)
    source = LogisticRegression().fit(X, y)
    keep = y != 2
    model = RegularTransferClassifier(source, lam=0.1).fit(
        X[keep], y[keep], sample_domain=TARGET[keep]
    )
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict_proba(X).shape == (200, 3)
    # the target rows push the absent class down
    assert model.predict_proba(X)[:, 2].mean() < source.predict_proba(X)[:, 2].mean()


def test_string_labels_and_one_vs_rest_source():
    X, y = _data(3)
    labels = np.array(["a", "b", "c"])[y]
    source = SGDClassifier(random_state=0).fit(X, labels)
    model = RegularTransferClassifier(source, lam=1e6).fit(X, labels, sample_domain=TARGET)
    assert model.predict(X).dtype == labels.dtype
    np.testing.assert_array_equal(model.predict(X), source.predict(X))


def test_regressor_ends_and_closed_form():
    rng = np.random.RandomState(0)
    X = rng.randn(80, 5)
    y = X @ np.arange(5.0) + 1.0 + 0.1 * rng.randn(80)
    sd = -np.ones(80, dtype=int)
    source = Ridge().fit(X, -y)
    zero = _zeroed(Ridge().fit(X, y))
    model = RegularTransferRegressor(zero, lam=0.05, penalize_intercept=False)
    model.fit(X, y, sample_domain=sd)
    reference = Ridge(alpha=0.05 * 80).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-10)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=1e-10)
    far = RegularTransferRegressor(source, lam=1e10).fit(X, y, sample_domain=sd)
    np.testing.assert_allclose(far.coef_, source.coef_, atol=1e-6)
    np.testing.assert_allclose(far.intercept_, source.intercept_, atol=1e-6)
    near = RegularTransferRegressor(source, lam=0).fit(X, y, sample_domain=sd)
    ols = LinearRegression().fit(X, y)
    np.testing.assert_allclose(near.coef_, ols.coef_, atol=1e-8)
    np.testing.assert_allclose(near.predict(X), ols.predict(X), atol=1e-8)


def test_grid_search_over_lam_on_labeled_target_rows():
    X, y, sd = skt.datasets.make_domain_shift("concept", random_state=0)
    y_train = y.copy()
    y_train[(sd < 0) & (np.arange(len(y)) % 4 != 0)] = -1
    rows = (sd > 0) | (y_train != -1)
    grid = GridSearchCV(
        RegularTransferClassifier(),
        {"lam": [1e-3, 1e-1, 10.0]},
        cv=StratifiedTargetKFold(3, shuffle=True, random_state=0),
    )
    grid.fit(X[rows], y_train[rows], groups=sd[rows], sample_domain=sd[rows])
    assert grid.best_params_["lam"] in (1e-3, 1e-1, 10.0)


# -- bad input ----------------------------------------------------------------------------------


def test_bad_input_errors_name_the_argument():
    X, y = _data(2)
    source = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="lam must be a finite number >= 0"):
        RegularTransferClassifier(source, lam=-1.0).fit(X, y, sample_domain=TARGET)
    with pytest.raises(ValueError, match="source_model must be a fitted linear model.*unfitted"):
        RegularTransferClassifier(LogisticRegression()).fit(X, y, sample_domain=TARGET)
    tree = DecisionTreeClassifier().fit(X, y)
    with pytest.raises(ValueError, match="source_model must be a fitted linear model"):
        RegularTransferClassifier(tree).fit(X, y, sample_domain=TARGET)
    with pytest.raises(ValueError, match="X has 5 features, but source_model"):
        RegularTransferClassifier(source).fit(X[:, :5], y, sample_domain=TARGET)
    with pytest.raises(ValueError, match="target classes the source model does not know: \\[7\\]"):
        RegularTransferClassifier(source).fit(X, np.where(y == 1, 7, 0), sample_domain=TARGET)
    with pytest.raises(ValueError, match="no labeled target rows"):
        RegularTransferClassifier(source).fit(X, np.full(200, -1), sample_domain=TARGET)
    with pytest.raises(ValueError, match="only sample_domain tells them"):
        RegularTransferClassifier(source).fit(X, np.where(np.arange(200) < 10, -1, y))
    with pytest.raises(ValueError, match="either source_model .* or estimator"):
        RegularTransferClassifier(source, estimator=LogisticRegression()).fit(
            X, y, sample_domain=TARGET
        )
    with pytest.raises(ValueError, match="source_weights must hold 2"):
        RegularTransferClassifier([source, source], source_weights=[1.0]).fit(
            X, y, sample_domain=TARGET
        )
    with pytest.raises(ValueError, match="source_model predicts 2 outputs"):
        RegularTransferRegressor(Ridge().fit(X, np.c_[y, y])).fit(X, y * 1.0, sample_domain=TARGET)
    with pytest.raises(ValueError, match="no source rows and no source_model"):
        RegularTransferClassifier().fit(X, y, sample_domain=TARGET)


def test_clone_keeps_the_fitted_source_model():
    # GridSearchCV clones its estimator: the source model must stay fitted (and be shared)
    from sklearn.base import clone

    X, y = _data(2)
    source = LogisticRegression().fit(X, y)
    model = RegularTransferClassifier(source, lam=0.5)
    copy = clone(model)
    assert copy.source_model is source
    assert copy.get_params()["lam"] == 0.5
    grid = GridSearchCV(model, {"lam": [0.01, 1.0]}, cv=3)
    grid.fit(X, y, sample_domain=TARGET)
    assert grid.best_estimator_.source_model is source


def test_score_counts_target_rows_only():
    X, y, sd = skt.datasets.make_domain_shift("concept", random_state=0)
    model = RegularTransferClassifier(lam=0.1).fit(X, y, sample_domain=sd)
    target = sd < 0
    assert model.score(X, y, sample_domain=sd) == model.score(X[target], y[target])
