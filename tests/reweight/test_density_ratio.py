"""KLIEP and uLSIF: the fits against plain references, model selection and bad input."""

import warnings

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

import skt
from skt.reweight import KLIEP, ULSIF, kliep_weights, ulsif_weights
from skt.reweight._kliep import _fit_coef
from skt.reweight._ulsif import _solve, loo_scores


def shifted(n_source=300, n_target=200, seed=0):
    rng = np.random.RandomState(seed)
    return rng.normal(size=(n_source, 2)), rng.normal(0.8, 0.6, size=(n_target, 2))


# -- uLSIF -------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_source, n_target", [(30, 20), (15, 25)])
def test_ulsif_leave_one_out_matches_brute_force(n_source, n_target):
    rng = np.random.RandomState(0)
    Phi_s, Phi_t = rng.rand(n_source, 7), rng.rand(n_target, 7)
    regs = np.array([0.01, 0.1, 1.0])
    n = min(n_source, n_target)
    brute = []
    for reg in regs:
        losses = []
        for i in range(n):  # leave out the i-th source and the i-th target row, refit
            keep_s = np.delete(np.arange(n_source), i)
            keep_t = np.delete(np.arange(n_target), i)
            H = Phi_s[keep_s].T @ Phi_s[keep_s] / (n_source - 1)
            alpha = _solve(H, Phi_t[keep_t].mean(axis=0), reg)
            losses.append(0.5 * (Phi_s[i] @ alpha) ** 2 - Phi_t[i] @ alpha)
        brute.append(np.mean(losses))
    np.testing.assert_allclose(loo_scores(Phi_s, Phi_t, regs), brute, rtol=1e-10)


def test_ulsif_coefficients_are_the_clipped_closed_form():
    Xs, Xt = shifted(100, 80)
    model = ULSIF(gamma=0.5, reg=0.1).fit(np.vstack([Xs, Xt]),
                                          np.r_[np.arange(100) % 2, -np.ones(80)])
    from sklearn.metrics.pairwise import rbf_kernel

    Phi_s = rbf_kernel(Xs, model.centers_, gamma=0.5)
    H = Phi_s.T @ Phi_s / 100
    h = rbf_kernel(Xt, model.centers_, gamma=0.5).mean(axis=0)
    coef = np.maximum(np.linalg.solve(H + 0.1 * np.eye(len(h)), h), 0)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(model.weights_, Phi_s @ coef, rtol=1e-8)


def test_ulsif_selects_from_the_grid():
    Xs, Xt = shifted()
    model = ULSIF(gamma=[0.1, 1.0, 10.0], reg=[0.001, 1.0], random_state=0)
    model.fit(np.vstack([Xs, Xt]), np.r_[np.arange(300) % 2, -np.ones(200)])
    assert model.loo_scores_.shape == (3, 2)
    g, r = np.unravel_index(np.argmin(model.loo_scores_), (3, 2))
    assert (model.gamma_, model.reg_) == ([0.1, 1.0, 10.0][g], [0.001, 1.0][r])
    fixed = ULSIF(gamma=1.0, reg=0.1).fit(np.vstack([Xs, Xt]),
                                          np.r_[np.arange(300) % 2, -np.ones(200)])
    assert fixed.loo_scores_ is None and fixed.gamma_ == 1.0 and fixed.reg_ == 0.1


@pytest.mark.parametrize(
    "params, match",
    [
        ({"reg": -1.0}, r"reg must be a finite number in \(0, inf\]; got reg=-1.0"),
        ({"reg": []}, r"reg must hold at least one positive finite number; got reg=\[\]"),
        ({"reg": "big"}, r"reg must be a finite number in \(0, inf\]; got reg='big'"),
        ({"reg": [1.0, None]}, r"reg must be a positive number, a sequence .*got reg=\[1.0"),
        ({"gamma": [1.0, -2.0]}, r"gamma must hold at least one positive finite number"),
        ({"gamma": 0.0}, r"gamma must be a finite number in \(0, inf\]; got gamma=0.0"),
        ({"n_centers": 0}, r"n_centers must be an integer >= 1; got n_centers=0"),
    ],
)
def test_ulsif_bad_parameters(params, match):
    Xs, Xt = shifted(30, 20)
    with pytest.raises(ValueError, match=match):
        ulsif_weights(Xs, Xt, **params)


def test_ulsif_all_zero_weights_name_gamma():
    rng = np.random.RandomState(0)
    Xs, Xt = rng.normal(size=(50, 2)), rng.normal(loc=30.0, size=(40, 2))
    with pytest.raises(ValueError, match=r"uLSIF: every source weight is zero; with gamma=100"):
        ulsif_weights(Xs, Xt, gamma=100.0, reg=0.1)


def test_ulsif_needs_two_rows_per_domain_to_select():
    Xt = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match="needs at least 2 source and 2 target rows; got 1"):
        ulsif_weights(np.zeros((1, 2)), Xt)


# -- KLIEP -------------------------------------------------------------------------------------


def test_kliep_fit_maximises_the_likelihood():
    # a plain reference: SLSQP on alpha >= 0 with the equality constraint
    rng = np.random.RandomState(0)
    A = rng.rand(60, 8) ** 3
    means = rng.rand(8) + 0.1
    alpha, _, gap = _fit_coef(A, means, 1e-8, 1000)
    assert gap <= 1e-8
    assert means @ alpha == pytest.approx(1.0)
    ref = minimize(
        lambda a: -np.mean(np.log(A @ a)), np.full(8, 1 / means.sum()), method="SLSQP",
        bounds=[(1e-12, None)] * 8,
        constraints=[{"type": "eq", "fun": lambda a: means @ a - 1}],
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    assert np.mean(np.log(A @ alpha)) >= -ref.fun - 1e-7


def test_kliep_weights_have_mean_one():
    Xs, Xt = shifted()
    assert kliep_weights(Xs, Xt, random_state=0).mean() == pytest.approx(1.0)


def test_kliep_likelihood_cross_validation():
    Xs, Xt = shifted()
    X, y = np.vstack([Xs, Xt]), np.r_[np.arange(300) % 2, -np.ones(200)]
    model = KLIEP(gamma=[0.001, 0.5, 2.0], random_state=0).fit(X, y)
    assert model.cv_scores_.shape == (3,)
    assert model.gamma_ == [0.001, 0.5, 2.0][int(np.argmax(model.cv_scores_))]
    # a kernel far too wide for the data (a flat ratio) has the worst held-out likelihood; the
    # true mean log-ratio (the KL divergence of target from source) is 1.02 here
    assert np.argmin(model.cv_scores_) == 0
    assert model.cv_scores_[1:].min() > 0.9
    assert KLIEP(gamma=0.5).fit(X, y).cv_scores_ is None


def test_kliep_all_zero_weights_name_gamma():
    rng = np.random.RandomState(0)
    Xs, Xt = rng.normal(size=(50, 2)), rng.normal(loc=30.0, size=(40, 2))
    with pytest.raises(ValueError, match=r"KLIEP: every source weight is zero; with gamma=100"):
        kliep_weights(Xs, Xt, gamma=100.0)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"cv": 1}, r"cv must be an integer >= 2; got cv=1"),
        ({"tol": -1.0}, r"tol must be a finite number in \(0, inf\]; got tol=-1.0"),
        ({"max_iter": 0}, r"max_iter must be an integer >= 1; got max_iter=0"),
        ({"n_centers": 2.5}, r"n_centers must be an integer >= 1; got n_centers=2.5"),
        ({"gamma": "auto"}, r"gamma must be a positive number, a sequence"),
    ],
)
def test_kliep_bad_parameters(params, match):
    Xs, Xt = shifted(30, 20)
    with pytest.raises(ValueError, match=match):
        kliep_weights(Xs, Xt, **params)


def test_kliep_needs_enough_target_rows_for_its_folds():
    with pytest.raises(ValueError, match="cv=5 folds needs at least 5 target rows; got 3"):
        kliep_weights(np.zeros((10, 1)) + np.arange(10)[:, None], np.ones((3, 1)))


def test_kliep_warns_with_the_gap_when_it_stops_early():
    Xs, Xt = shifted()
    with pytest.warns(ConvergenceWarning, match=r"KLIEP did not converge in 1 iterations"):
        kliep_weights(Xs, Xt, gamma=0.5, max_iter=1, tol=1e-12)


def test_kliep_and_ulsif_in_a_pipeline_with_regression():
    X, y, sd = skt.datasets.make_domain_shift("covariate", task="regression", random_state=0)
    y_train = skt.mask_target_labels(y, sd)
    from sklearn.linear_model import Ridge

    for model in (KLIEP(Ridge(), random_state=0), ULSIF(Ridge(), random_state=0)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.fit(X, y_train)
        assert model.centers_.shape == (100, 2)
        assert model.coef_.shape == (100,) and np.all(model.coef_ >= 0)
        assert model.predict(X[sd < 0]).shape == (200,)


def test_centers_are_target_rows():
    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    model = KLIEP(LogisticRegression(), n_centers=30, random_state=0)
    model.fit(X, skt.mask_target_labels(y, sd))
    target_rows = {tuple(r) for r in X[sd < 0]}
    assert model.centers_.shape == (30, 2)
    assert all(tuple(c) in target_rows for c in model.centers_)


# -- the grid through joblib --------------------------------------------------------------------


@pytest.mark.parametrize("fit", [
    lambda Xs, Xt, n_jobs: kliep_weights(Xs, Xt, cv=3, random_state=0, n_jobs=n_jobs),
    lambda Xs, Xt, n_jobs: ulsif_weights(Xs, Xt, random_state=0, n_jobs=n_jobs),
], ids=["kliep", "ulsif"])
def test_grid_in_parallel_gives_the_same_weights(fit):
    Xs, Xt = shifted()
    np.testing.assert_array_equal(fit(Xs, Xt, 2), fit(Xs, Xt, 1))


def test_estimators_pass_n_jobs_on():
    Xs, Xt = shifted()
    X, y = np.vstack([Xs, Xt]), np.r_[np.arange(300) % 2, -np.ones(200)]
    for make in (KLIEP, ULSIF):
        one = make(LogisticRegression(), random_state=0, n_jobs=1).fit(X, y)
        two = make(LogisticRegression(), random_state=0, n_jobs=2).fit(X, y)
        np.testing.assert_array_equal(two.weights_, one.weights_)


# -- RuLSIF ----------------------------------------------------------------------------------


def _rulsif_reference(Xs, Xt, centers, gamma, alpha, reg):
    """Yamada et al. (2011), eq. (4)-(5): theta = (H_alpha + reg I)^-1 h, clipped at 0."""
    from sklearn.metrics.pairwise import rbf_kernel

    Ps, Pt = rbf_kernel(Xs, centers, gamma=gamma), rbf_kernel(Xt, centers, gamma=gamma)
    H = alpha * Pt.T @ Pt / len(Xt) + (1 - alpha) * Ps.T @ Ps / len(Xs)
    theta = np.maximum(np.linalg.solve(H + reg * np.eye(len(centers)), Pt.mean(axis=0)), 0)
    return Ps @ theta


def test_rulsif_matches_the_closed_form_and_alpha_zero_is_ulsif():
    from skt.reweight import rulsif_weights, ulsif_weights

    rng = np.random.RandomState(0)
    Xs, Xt = rng.randn(150, 2), 0.5 * rng.randn(120, 2) + 1.0
    model = skt.RULSIF(alpha=0.3, gamma=0.5, reg=0.1, random_state=0)
    model.fit(np.vstack([Xs, Xt]), np.r_[rng.randint(0, 2, 150), -np.ones(120, int)])
    ref = _rulsif_reference(Xs, Xt, model.centers_, 0.5, 0.3, 0.1)
    np.testing.assert_allclose(model.weights_, ref, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(
        rulsif_weights(Xs, Xt, alpha=0.0, gamma=0.5, reg=0.1, random_state=0),
        ulsif_weights(Xs, Xt, gamma=0.5, reg=0.1, random_state=0), rtol=1e-10,
    )


def test_relative_ratio_is_bounded_where_the_plain_ratio_explodes():
    # far-apart domains: the plain ratio has a huge spread, the relative one stays below
    # about 1 / alpha (Yamada et al.'s motivation), with selection by cross-validation
    from skt.reweight import rulsif_weights, ulsif_weights
    from skt.reweight._common import effective_sample_size

    rng = np.random.RandomState(1)
    Xs, Xt = rng.randn(300, 5), rng.randn(200, 5) + 1.5
    plain = ulsif_weights(Xs, Xt, random_state=0)
    relative = rulsif_weights(Xs, Xt, alpha=0.5, random_state=0)
    assert relative.max() <= 2.0 * 1.1
    assert effective_sample_size(relative) > effective_sample_size(plain)
    rulsif = skt.RULSIF(alpha=0.5, random_state=0)
    assert rulsif.get_params()["alpha"] == 0.5


@pytest.mark.parametrize("params, match", [
    ({"alpha": 1.0}, r"alpha must be a finite number in \[0, 1\)"),
    ({"cv": 1}, "cv must be an integer >= 2"),
])
def test_rulsif_bad_parameters(params, match):
    from skt.reweight import rulsif_weights

    rng = np.random.RandomState(0)
    with pytest.raises(ValueError, match=match):
        rulsif_weights(rng.randn(20, 2), rng.randn(20, 2), **params)
