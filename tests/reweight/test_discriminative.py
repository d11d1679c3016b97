"""Reweighting by a domain classifier: the prior correction, clipping, cross-fitting, errors."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

import skt
from skt.reweight import DiscriminativeReweighting, discriminative_weights


def test_prior_correction_makes_equal_domains_weigh_one():
    # same distribution, twice as many target rows: P(target | x) ~ 2/3 everywhere, and only the
    # factor n_s / n_t brings the weights back to 1
    rng = np.random.RandomState(0)
    Xs, Xt = rng.normal(size=(1000, 2)), rng.normal(size=(2000, 2))
    w = discriminative_weights(Xs, Xt)
    assert w.mean() == pytest.approx(1.0, abs=0.02)
    assert np.std(w) < 0.1


def test_weights_are_the_odds_times_the_size_ratio():
    rng = np.random.RandomState(0)
    Xs, Xt = rng.normal(size=(100, 2)), rng.normal(loc=0.5, size=(150, 2))
    clf = LogisticRegression().fit(np.vstack([Xs, Xt]), np.r_[np.zeros(100), np.ones(150)])
    p = clf.predict_proba(Xs)[:, 1]
    w = discriminative_weights(Xs, Xt, classifier=LogisticRegression())
    np.testing.assert_allclose(w, 100 / 150 * p / (1 - p))


def test_clip_bounds_the_weights():
    rng = np.random.RandomState(0)
    Xs, Xt = rng.normal(size=(300, 1)), rng.normal(loc=2.0, size=(300, 1))
    assert discriminative_weights(Xs, Xt).max() > 10
    w = discriminative_weights(Xs, Xt, clip=10.0)
    assert w.max() == pytest.approx(10.0)


def test_cross_fitting_curbs_an_overconfident_classifier():
    rng = np.random.RandomState(0)
    Xs, Xt = rng.normal(size=(200, 2)), rng.normal(loc=0.3, size=(200, 2))
    tree = DecisionTreeClassifier(min_samples_leaf=20, random_state=0)
    w = discriminative_weights(Xs, Xt, classifier=tree, cv=5, random_state=0)
    assert w.shape == (200,) and np.all(np.isfinite(w))
    model = DiscriminativeReweighting(classifier=tree, cv=5, random_state=0)
    model.fit(np.vstack([Xs, Xt]), np.r_[np.arange(200) % 2, -np.ones(200)])
    np.testing.assert_allclose(model.weights_, w)
    assert isinstance(model.classifier_, DecisionTreeClassifier)


def test_separable_domains_are_an_error_not_silent_zeros():
    rng = np.random.RandomState(0)
    Xs, Xt = rng.normal(size=(50, 1)), rng.normal(loc=20.0, size=(50, 1))
    with pytest.raises(ValueError, match="every source weight is zero; the domain classifier"):
        discriminative_weights(Xs, Xt, classifier=DecisionTreeClassifier())


def test_infinite_weights_need_clip():
    rng = np.random.RandomState(0)
    Xs = np.r_[rng.normal(size=(50, 1)), [[20.0]]]
    Xt = rng.normal(loc=20.0, size=(50, 1))
    # cross-fitted, the far source row is judged by a stump that never saw it: a pure target
    # leaf, P(source | x) = 0
    stump = DecisionTreeClassifier(max_depth=1)
    with pytest.raises(ValueError, match="weight is infinite. Pass clip="):
        discriminative_weights(Xs, Xt, classifier=stump, cv=5, random_state=0)
    w = discriminative_weights(Xs, Xt, classifier=stump, cv=5, random_state=0, clip=50)
    assert w[-1] == 50


@pytest.mark.parametrize(
    "classifier, match",
    [
        (LinearSVC(), "LinearSVC, which has no predict_proba"),
        (LinearRegression(), "LinearRegression, which has no predict_proba"),
    ],
)
def test_classifier_without_probabilities_is_a_type_error(classifier, match):
    rng = np.random.RandomState(0)
    with pytest.raises(TypeError, match=match):
        discriminative_weights(rng.rand(20, 2), rng.rand(20, 2), classifier=classifier)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"clip": 0.0}, r"clip must be a finite number in \(0, inf\]; got clip=0.0"),
        ({"cv": 1}, r"cv must be an integer >= 2; got cv=1"),
        ({"cv": 10}, r"cv=10 folds need at least 10 source and 10 target rows; got 20 and 5"),
    ],
)
def test_bad_parameters(params, match):
    rng = np.random.RandomState(0)
    with pytest.raises(ValueError, match=match):
        discriminative_weights(rng.rand(20, 2), rng.rand(5, 2), **params)


def test_meta_estimator_exposes_its_domain_classifier():
    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    model = DiscriminativeReweighting(LogisticRegression()).fit(X, skt.mask_target_labels(y, sd))
    np.testing.assert_array_equal(model.classifier_.classes_, [0, 1])
