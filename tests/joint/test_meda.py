"""MEDA: GFK features + the shared solver + the balance factor; real-data figures; the CLI."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.kernel_ridge import KernelRidge
from sklearn.preprocessing import normalize

import skt
from skt.cli import main
from skt.joint._meda import balance_factor


def _problem(seed=0, n_s=50, n_t=40, d=8, n_classes=3):
    rng = np.random.RandomState(seed)
    centres = rng.randn(n_classes, d) * 2
    y_s = np.arange(n_s) % n_classes
    y_t = rng.randint(n_classes, size=n_t)
    R = np.linalg.qr(rng.randn(d, d))[0]
    Xs = centres[y_s] + rng.randn(n_s, d)
    Xt = (centres[y_t] + rng.randn(n_t, d)) @ (0.8 * np.eye(d) + 0.2 * R)
    sd = np.r_[np.ones(n_s, int), -np.ones(n_t, int)]
    return np.vstack([Xs, Xt]), np.r_[y_s, y_t], sd


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n_classes=st.integers(2, 4), shift=st.floats(0, 5),
       method=st.sampled_from(["train", "train", "cv"]))
def test_balance_factor_stays_in_the_unit_interval(seed, n_classes, shift, method):
    rng = np.random.RandomState(seed)
    n_s, n_t = rng.randint(3, 40, size=2)
    Xs = rng.randn(n_s, 3)
    Xt = rng.randn(n_t, 3) + shift
    ys = rng.randint(n_classes, size=n_s)
    yt = rng.randint(n_classes, size=n_t)
    mu = balance_factor(Xs, ys, Xt, yt, np.arange(n_classes), method=method, random_state=0)
    assert 0.0 <= mu <= 1.0


def test_balance_factor_edge_cases():
    rng = np.random.RandomState(0)
    Xs, Xt = rng.randn(20, 2), rng.randn(20, 2) + 10
    ys, yt = np.arange(20) % 2, np.arange(20) % 2
    # marginals far apart, each class as far: d_c = d_m = 2
    assert balance_factor(Xs, ys, Xt, yt, [0, 1]) == pytest.approx(0.5)
    # no class with 2 rows on both sides: no conditional distance, mu = 0.5
    assert balance_factor(Xs, ys, Xt, np.full(20, 5), [0, 1]) == 0.5


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 1000))
def test_fitted_balance_factors_stay_in_the_unit_interval(seed):
    X, y, sd = _problem(seed)
    meda = skt.MEDA(n_components=3, max_iter=4, random_state=0).fit(
        X, skt.mask_target_labels(y, sd), sample_domain=sd)
    mus = meda.balance_factors_
    assert mus.shape == (meda.n_iter_,) and np.all((mus >= 0) & (mus <= 1))


def test_fixed_mu_and_no_alignment_is_kernel_ridge_on_gfk_features():
    X, y, sd = _problem(1)
    source = sd > 0
    meda = skt.MEDA(n_components=3, mu=0.3, mmd_weight=0.0, manifold_weight=0.0, gamma=0.5,
                    max_iter=2).fit(X, skt.mask_target_labels(y, sd), sample_domain=sd)
    np.testing.assert_allclose(meda.balance_factors_, 0.3)
    Z = normalize(skt.GFK(3).fit_transform(X, sample_domain=sd))
    krr = KernelRidge(alpha=0.1, kernel="rbf", gamma=0.5).fit(Z[source], np.eye(3)[y[source]])
    np.testing.assert_allclose(meda.decision_function(X), krr.predict(Z), rtol=1e-6, atol=1e-9)


def test_meda_is_gfk_features_plus_artl_with_the_same_balance():
    X, y, sd = _problem(2)
    y_train = skt.mask_target_labels(y, sd)
    meda = skt.MEDA(n_components=3, mu=0.5, max_iter=3, gamma=0.5).fit(
        X, y_train, sample_domain=sd)
    Z = skt.GFK(3).fit_transform(X, sample_domain=sd)
    artl = skt.ARTL(max_iter=3, gamma=0.5).fit(Z, y_train, sample_domain=sd)
    # ARTL's M = C M0 + sum Mc is MEDA's M at mu = 1/2 (the same matrix after scaling)
    np.testing.assert_allclose(meda.decision_function(X), artl.decision_function(Z),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("mu", [-0.1, 1.5, "dynamic", True])
def test_bad_mu_is_an_error_naming_it(mu):
    X, y, sd = _problem(3)
    with pytest.raises(ValueError, match="mu must be"):
        skt.MEDA(n_components=2, mu=mu).fit(X, skt.mask_target_labels(y, sd), sample_domain=sd)


def test_more_components_than_the_data_allow_is_an_error():
    X, y, sd = _problem(4)
    with pytest.raises(ValueError, match="n_components=9 is larger than the data allow"):
        skt.MEDA(n_components=9).fit(X, skt.mask_target_labels(y, sd), sample_domain=sd)


def test_low_rank_option_runs_and_agrees_with_the_exact_form():
    X, y, sd = _problem(5, n_s=120, n_t=100)
    y_train = skt.mask_target_labels(y, sd)
    exact = skt.MEDA(n_components=3, mu=0.5, gamma=0.5).fit(X, y_train, sample_domain=sd)
    low = skt.MEDA(n_components=3, mu=0.5, gamma=0.5, n_landmarks=len(X), random_state=0).fit(
        X, y_train, sample_domain=sd)
    np.testing.assert_allclose(low.decision_function(X), exact.decision_function(X),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.slow
@pytest.mark.requires_data("office_caltech")
def test_published_figures_on_webcam_to_dslr(data_home):
    # published (MEDA paper, Table 2): GFK 85.4, ARTL 87.9, MEDA 88.5; acceptance: -2 points
    X, y, sd = skt.datasets.load_office_caltech("webcam", "dslr", download_if_missing=False)
    y_train = skt.mask_target_labels(y, sd)
    target = sd < 0
    settings = dict(alpha=0.1, mmd_weight=10.0, manifold_weight=1.0, n_neighbors=10,
                    max_iter=10, gamma=0.5, random_state=0)
    artl = skt.ARTL(**settings).fit(X, y_train, sample_domain=sd)
    meda = skt.MEDA(20, **settings).fit(X, y_train, sample_domain=sd)
    assert 100 * artl.score(X[target], y[target]) >= 87.9 - 2
    assert 100 * meda.score(X[target], y[target]) >= 88.5 - 2
    Z = skt.GFK(20).fit_transform(X, sample_domain=sd)
    from sklearn.neighbors import KNeighborsClassifier

    nn = KNeighborsClassifier(1).fit(Z[~target], y[~target])
    assert 100 * nn.score(Z[target], y[target]) >= 85.4 - 2


@pytest.mark.slow
def test_cli_compare_runs_the_new_methods(capsys):
    code = main(["compare", "--dataset", "synthetic", "--task", "subspace", "--methods",
                 "gfk,artl,meda", "--n-splits", "2", "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    for word in ("gfk", "artl", "meda"):
        assert word in printed
