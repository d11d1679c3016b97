"""JDOT and OT label propagation: the plan, the alternation, the labels it carries."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

import skt

pytest.importorskip("ot", reason="POT is the optional extra skt[ot]; the test extra installs it")


def _shifted_regression(seed=0, n=80):
    # target = source moved by +2 along x; y depends on the position inside each domain
    rng = np.random.RandomState(seed)
    xs = rng.uniform(-1, 1, n)
    xt = rng.uniform(-1, 1, n) + 2.0
    ys = 3.0 * xs
    yt = 3.0 * (xt - 2.0)
    X = np.r_[xs, xt][:, None]
    sd = np.r_[np.ones(n, int), -np.ones(n, int)]
    return X, np.r_[ys, np.full(n, np.nan)], np.r_[ys, yt], sd


def test_jdot_regressor_objective_never_increases_with_an_exact_least_squares_fit():
    # with a least-squares regressor both steps are exact minimisations of the same objective
    X, y, _, sd = _shifted_regression()
    model = skt.JDOTRegressor(LinearRegression(), alpha=0.1, max_iter=10, tol=0.0)
    model.fit(X, y, sample_domain=sd)
    assert np.all(np.diff(model.objective_) <= 1e-10 * model.objective_[0])


def test_jdot_regressor_beats_source_only_under_a_shift():
    X, y, y_true, sd = _shifted_regression()
    t = sd < 0
    jdot = skt.JDOTRegressor(LinearRegression(), alpha=0.1).fit(X, y, sample_domain=sd)
    source = skt.SourceOnly(LinearRegression()).fit(X, y, sample_domain=sd)
    err_jdot = np.mean((jdot.predict(X[t]) - y_true[t]) ** 2)
    err_source = np.mean((source.predict(X[t]) - y_true[t]) ** 2)
    assert err_jdot < 0.1 * err_source


def test_jdot_classifier_learns_the_target_classes_of_a_translated_problem():
    rng = np.random.RandomState(0)
    Xs = np.r_[rng.randn(50, 2) * 0.3 + [0, 0], rng.randn(50, 2) * 0.3 + [2, 0]]
    ys = np.r_[np.zeros(50, int), np.ones(50, int)]
    Xt = Xs + [1.0, 3.0]
    X = np.vstack([Xs, Xt])
    sd = np.r_[np.ones(100, int), -np.ones(100, int)]
    y = np.r_[ys, -np.ones(100, int)]
    model = skt.JDOTClassifier(LogisticRegression(), alpha=1.0).fit(X, y, sample_domain=sd)
    assert model.score(Xt, ys) >= 0.95
    G = model.coupling_
    np.testing.assert_allclose(G.sum(axis=0), np.full(100, 0.01), atol=1e-12)


def test_jdot_classifier_needs_sample_weight():
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    y = skt.mask_target_labels(y, sd)
    with pytest.raises(TypeError, match="sample_weight"):
        skt.JDOTClassifier(KNeighborsClassifier()).fit(X, y, sample_domain=sd)


def test_jdot_estimator_kind_is_checked():
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    y = skt.mask_target_labels(y, sd)
    with pytest.raises(TypeError, match="must be a classifier"):
        skt.JDOTClassifier(LinearRegression()).fit(X, y, sample_domain=sd)
    with pytest.raises(TypeError, match="must be a regressor"):
        skt.JDOTRegressor(LogisticRegression()).fit(X, y.astype(float), sample_domain=sd)


@pytest.mark.parametrize(
    "params, message", [({"alpha": -1}, "alpha"), ({"max_iter": 0}, "max_iter")]
)
def test_jdot_bad_parameters(params, message):
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    y = skt.mask_target_labels(y, sd)
    with pytest.raises(ValueError, match=message):
        skt.JDOTClassifier(**params).fit(X, y, sample_domain=sd)


def test_label_propagation_between_identical_domains_returns_the_source_labels():
    rng = np.random.RandomState(0)
    Xs = rng.randn(30, 3)
    ys = np.array(["cat", "dog", "eel"])[rng.randint(0, 3, 30)]
    X = np.vstack([Xs, Xs])
    sd = np.r_[np.ones(30, int), -np.ones(30, int)]
    y = np.r_[ys, ys]  # target labels present, never read
    model = skt.OTLabelPropagation().fit(X, y, sample_domain=sd)
    np.testing.assert_array_equal(model.transduction_, ys)
    np.testing.assert_allclose(model.label_distributions_.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(Xs), ys)


@pytest.mark.parametrize("reg_e", [None, 0.1])
def test_label_distributions_are_probabilities(reg_e):
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    y = skt.mask_target_labels(y, sd)
    model = skt.OTLabelPropagation(reg_e=reg_e).fit(X, y, sample_domain=sd)
    P = model.label_distributions_
    assert P.shape == ((sd < 0).sum(), 2)
    assert np.all(P >= 0)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
