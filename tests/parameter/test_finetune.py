"""Fine-tuning: continued training on the labeled target rows, and its errors."""

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

import skt
from skt.parameter import FineTuning


@pytest.fixture(scope="module")
def data():
    X, y, sd = skt.datasets.make_domain_shift("concept", random_state=0)
    y_train = y.copy()
    y_train[(sd < 0) & (np.arange(len(y)) % 5 != 0)] = -1
    return X, y, sd, y_train


def test_zero_epochs_is_the_source_model(data):
    X, y, sd, y_train = data
    model = FineTuning(SGDClassifier(random_state=0), n_epochs=0, random_state=0)
    model.fit(X, y_train, sample_domain=sd)
    source = SGDClassifier(random_state=0).fit(X[sd > 0], y[sd > 0])
    np.testing.assert_array_equal(model.estimator_.coef_, source.coef_)


def test_naive_bayes_partial_fit_adds_the_target_counts(data):
    X, y, sd, y_train = data
    model = FineTuning(GaussianNB(), n_epochs=1).fit(X, y_train, sample_domain=sd)
    rows = (sd > 0) | (y_train != -1)
    pooled = GaussianNB().fit(X[rows], y[rows])
    np.testing.assert_allclose(model.estimator_.theta_, pooled.theta_, atol=1e-10)
    assert model.method_ == "partial_fit"


def test_gradient_boosting_adds_stages_fitted_on_the_target(data):
    X, y, sd, y_train = data
    base = GradientBoostingClassifier(n_estimators=20, random_state=0)
    model = FineTuning(base, n_stages=15, learning_rate=0.05).fit(X, y_train, sample_domain=sd)
    assert model.method_ == "warm_start"
    assert model.estimator_.n_estimators_ == 35
    assert model.estimator_.learning_rate == 0.05
    source = model.source_estimator_
    first, first_source = model.estimator_.estimators_[0, 0], source.estimators_[0, 0]
    np.testing.assert_array_equal(first.tree_.threshold, first_source.tree_.threshold)
    assert base.get_params()["n_estimators"] == 20  # the user's estimator is untouched


def test_fine_tuning_helps_on_a_concept_shift(data):
    X, y, sd, y_train = data
    test = (sd < 0) & (y_train == -1)
    source_only = skt.SourceOnly(SGDClassifier(loss="log_loss", random_state=0))
    tuned = FineTuning(SGDClassifier(loss="log_loss", random_state=0), n_epochs=20,
                       random_state=0)
    tuned.fit(X, y_train, sample_domain=sd)
    source_only.fit(X, y_train, sample_domain=sd)
    assert tuned.score(X[test], y[test]) > source_only.score(X[test], y[test]) + 0.05


def test_given_source_model_is_copied_not_modified(data):
    X, y, sd, y_train = data
    source = SGDRegressor(random_state=0).fit(X[sd > 0], y[sd > 0] * 1.0)
    coef = source.coef_.copy()
    labeled = (sd < 0) & (y_train != -1)
    model = FineTuning(source_model=source, learning_rate=0.01, random_state=0)
    model.fit(X[labeled], y[labeled] * 1.0, sample_domain=sd[labeled])
    np.testing.assert_array_equal(source.coef_, coef)
    assert not np.array_equal(model.estimator_.coef_, coef)
    assert model.estimator_.eta0 == 0.01


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_warm_start_and_partial_fit(data):
    X, y, sd, y_train = data
    mlp = MLPClassifier(hidden_layer_sizes=(5,), max_iter=50, random_state=0)
    warm = FineTuning(mlp, n_epochs=3, learning_rate=1e-2).fit(X, y_train, sample_domain=sd)
    assert warm.method_ == "warm_start" and warm.estimator_.n_iter_ == 3
    part = FineTuning(mlp, method="partial_fit", n_epochs=3, random_state=0)
    assert part.fit(X, y_train, sample_domain=sd).method_ == "partial_fit"
    with pytest.raises(ValueError, match="learning_rate cannot be changed for MLPClassifier"):
        FineTuning(mlp, method="partial_fit", learning_rate=0.1).fit(X, y_train, sample_domain=sd)


def test_forest_regressor_grows_trees_on_the_target():
    X, y, sd = skt.datasets.make_domain_shift("concept", task="regression", random_state=0)
    model = FineTuning(RandomForestRegressor(n_estimators=5, random_state=0), n_stages=3)
    model.fit(X, y, sample_domain=sd)
    assert len(model.estimator_.estimators_) == 8


def test_bad_input(data):
    X, y, sd, y_train = data
    with pytest.raises(TypeError, match="estimator SVC can neither partial_fit nor warm_start"):
        FineTuning(SVC()).fit(X, y_train, sample_domain=sd)
    with pytest.raises(TypeError, match="method='partial_fit', but estimator"):
        FineTuning(GradientBoostingClassifier(), method="partial_fit").fit(
            X, y_train, sample_domain=sd
        )
    with pytest.raises(ValueError, match="n_epochs must be an integer >= 0"):
        FineTuning(n_epochs=-1).fit(X, y_train, sample_domain=sd)
    with pytest.raises(ValueError, match="learning_rate=0.1, but GaussianNB has no step size"):
        FineTuning(GaussianNB(), learning_rate=0.1).fit(X, y_train, sample_domain=sd)
    with pytest.raises(ValueError, match="target classes the source model does not know"):
        FineTuning(GaussianNB()).fit(X, np.where(sd < 0, 5, y), sample_domain=sd)
    with pytest.raises(ValueError, match="no labeled target rows"):
        FineTuning().fit(X, np.where(sd < 0, -1, y), sample_domain=sd)
    with pytest.raises(ValueError, match="only sample_domain tells them"):
        FineTuning().fit(X, y_train)
    unfitted = SGDClassifier()
    labeled = y_train != -1
    with pytest.raises(Exception, match="not fitted"):
        FineTuning(source_model=unfitted).fit(X[labeled], y[labeled], sample_domain=sd[labeled])
    fitted = SGDClassifier().fit(X[:, :1], y)
    with pytest.raises(ValueError, match="X has 2 features, but source_model"):
        FineTuning(source_model=fitted).fit(X, y_train, sample_domain=sd)
    with pytest.raises(ValueError, match="lack the source classes"):
        FineTuning(GradientBoostingClassifier(n_estimators=3)).fit(
            X, np.where((sd < 0) & (y == 1), -1, y), sample_domain=sd
        )
