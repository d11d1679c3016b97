"""CORAL: exact covariance matching, regularisation, means, edge cases and pipelines."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.covariance import ledoit_wolf
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt


def _two_domains(n_s=200, n_t=150, d=4, seed=0):
    rng = np.random.RandomState(seed)
    Xs = rng.randn(n_s, d) @ rng.randn(d, d) + 1.0
    Xt = rng.randn(n_t, d) @ rng.randn(d, d) - 2.0
    X = np.vstack([Xs, Xt])
    sd = np.r_[np.ones(n_s, int), -np.ones(n_t, int)]
    return X, sd


@settings(max_examples=25, deadline=None)
@given(
    d=st.integers(1, 6),
    n_extra=st.integers(2, 40),
    seed=st.integers(0, 2**31 - 1),
)
def test_reg_zero_matches_target_covariance(d, n_extra, seed):
    rng = np.random.RandomState(seed)
    # well-conditioned full-rank covariances, sizes from d + 2 rows up
    Xs = rng.randn(d + n_extra, d) @ (np.eye(d) + 0.5 * rng.rand(d, d)) * rng.uniform(0.5, 3)
    Xt = rng.randn(d + n_extra + 3, d) @ (np.eye(d) + 0.5 * rng.rand(d, d)) + 5.0
    X = np.vstack([Xs, Xt])
    sd = np.r_[np.ones(len(Xs), int), -np.ones(len(Xt), int)]
    Z = skt.CORAL(reg=0).fit_transform(X, sample_domain=sd)
    cov_t = np.cov(Xt.T).reshape(d, d)
    cov_z = np.cov(Z[sd > 0].T).reshape(d, d)
    np.testing.assert_allclose(cov_z, cov_t, rtol=1e-8, atol=1e-8 * np.abs(cov_t).max())


def test_tiny_reg_converges_to_exact_matching():
    X, sd = _two_domains()
    cov_t = np.cov(X[sd < 0].T)
    errors = []
    for reg in (1e-2, 1e-5, 1e-10):
        Z = skt.CORAL(reg=reg).fit_transform(X, sample_domain=sd)
        errors.append(np.linalg.norm(np.cov(Z[sd > 0].T) - cov_t) / np.linalg.norm(cov_t))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-8


def test_transform_matrix_is_whitening_then_recolouring():
    X, sd = _two_domains()
    reg = 0.3
    coral = skt.CORAL(reg=reg).fit(X, sample_domain=sd)
    Cs = np.cov(X[sd > 0].T) + reg * np.eye(4)
    Ct = np.cov(X[sd < 0].T) + reg * np.eye(4)
    from scipy.linalg import inv, sqrtm

    A = inv(sqrtm(Cs)).real @ sqrtm(Ct).real
    np.testing.assert_allclose(coral.transform_matrix_, A, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(coral.covariance_source_, Cs, rtol=1e-12)
    # source rows: x A (the paper's map); target rows: unchanged
    Z = coral.transform(X, sample_domain=sd)
    np.testing.assert_allclose(Z[sd > 0], X[sd > 0] @ A, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(Z[sd < 0], X[sd < 0])
    np.testing.assert_array_equal(coral.transform(X[:5]), X[:5])


@pytest.mark.parametrize("match_mean", [False, True])
def test_interleaved_rows_map_as_a_block_does(match_mean):
    X, sd = _two_domains()
    perm = np.random.RandomState(0).permutation(len(X))
    coral = skt.CORAL(reg=0.5, match_mean=match_mean).fit(X, sample_domain=sd)
    blocked = coral.transform(X, sample_domain=sd)
    interleaved = coral.transform(X[perm], sample_domain=sd[perm])
    np.testing.assert_allclose(interleaved, blocked[perm], rtol=1e-12, atol=1e-12)


def test_match_mean_moves_source_mean_onto_target_mean():
    X, sd = _two_domains()
    Z = skt.CORAL(reg=0, match_mean=True).fit_transform(X, sample_domain=sd)
    np.testing.assert_allclose(Z[sd > 0].mean(axis=0), X[sd < 0].mean(axis=0), atol=1e-10)
    np.testing.assert_allclose(np.cov(Z[sd > 0].T), np.cov(X[sd < 0].T), rtol=1e-8)
    Z_plain = skt.CORAL(reg=0).fit_transform(X, sample_domain=sd)
    assert not np.allclose(Z_plain[sd > 0].mean(axis=0), X[sd < 0].mean(axis=0), atol=0.1)


def test_auto_reg_is_ledoit_wolf():
    X, sd = _two_domains(n_s=30, n_t=25, d=10)
    coral = skt.CORAL(reg="auto").fit(X, sample_domain=sd)
    for rows, cov, shrink in (
        (sd > 0, coral.covariance_source_, coral.shrinkage_[0]),
        (sd < 0, coral.covariance_target_, coral.shrinkage_[1]),
    ):
        ref, ref_shrink = ledoit_wolf(X[rows])
        np.testing.assert_allclose(cov, ref, rtol=1e-10, atol=1e-12)
        assert shrink == pytest.approx(ref_shrink, rel=1e-10)
    assert skt.CORAL(reg=1.0).fit(X, sample_domain=sd).shrinkage_ is None


def test_more_features_than_rows():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 50)
    sd = np.r_[np.ones(12, int), -np.ones(18, int)]
    for reg in (1.0, "auto"):
        Z = skt.CORAL(reg=reg).fit_transform(X, sample_domain=sd)
        assert Z.shape == (30, 50) and np.isfinite(Z).all()


def test_singular_source_covariance_with_reg_zero_is_an_error():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 50)
    sd = np.r_[np.ones(12, int), -np.ones(18, int)]
    with pytest.raises(ValueError, match=r"source covariance is singular \(rank 11 < 50"):
        skt.CORAL(reg=0).fit(X, sample_domain=sd)
    # a constant feature makes the covariance singular too
    X, sd = _two_domains()
    X[:, 2] = 1.0
    with pytest.raises(ValueError, match="reg > 0"):
        skt.CORAL(reg=0).fit(X, sample_domain=sd)


def test_singular_target_covariance_with_reg_zero_is_allowed():
    # the target covariance is only square-rooted: a rank-deficient one is fine
    X, sd = _two_domains()
    X[sd < 0, 1] = 3.0
    Z = skt.CORAL(reg=0).fit_transform(X, sample_domain=sd)
    np.testing.assert_allclose(np.cov(Z[sd > 0].T), np.cov(X[sd < 0].T), atol=1e-9)


def test_a_domain_with_one_row_is_an_error():
    X, sd = _two_domains(n_s=1)
    with pytest.raises(ValueError, match="at least 2 source rows.*got 1"):
        skt.CORAL().fit(X, sample_domain=sd)
    X, sd = _two_domains(n_t=1)
    with pytest.raises(ValueError, match="at least 2 target rows.*got 1"):
        skt.CORAL().fit(X, sample_domain=sd)


@pytest.mark.parametrize("reg", [-1.0, np.inf, "ledoit", None, True])
def test_bad_reg(reg):
    X, sd = _two_domains()
    with pytest.raises(ValueError, match="reg must be"):
        skt.CORAL(reg=reg).fit(X, sample_domain=sd)


def test_bad_match_mean():
    X, sd = _two_domains()
    with pytest.raises(ValueError, match="match_mean must be True or False; got match_mean='y'"):
        skt.CORAL(match_mean="y").fit(X, sample_domain=sd)


def test_feature_mismatch_at_transform():
    X, sd = _two_domains()
    coral = skt.CORAL().fit(X, sample_domain=sd)
    with pytest.raises(ValueError, match="X has 3 features, but CORAL is expecting 4"):
        coral.transform(X[:, :3])


def test_float32_stays_float32():
    X, sd = _two_domains()
    Z = skt.CORAL().fit_transform(X.astype(np.float32), sample_domain=sd)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z, skt.CORAL().fit_transform(X, sample_domain=sd), rtol=1e-4,
                               atol=1e-4)


def test_invariant_to_row_order():
    X, sd = _two_domains()
    perm = np.random.RandomState(1).permutation(len(X))
    a = skt.CORAL(reg=0.1).fit(X, sample_domain=sd)
    b = skt.CORAL(reg=0.1).fit(X[perm], sample_domain=sd[perm])
    np.testing.assert_allclose(a.transform_matrix_, b.transform_matrix_, rtol=1e-9, atol=1e-12)


def test_acceptance_pipeline_with_masked_labels_and_grid_search():
    X, y, sd = skt.datasets.make_domain_shift(kind="covariate", random_state=0)
    y_train = skt.mask_target_labels(y, sd)
    target = sd < 0
    pipe = make_pipeline(StandardScaler(), skt.CORAL(), skt.SourceOnly(LogisticRegression()))
    pipe.fit(X, y_train)
    assert 0.0 <= pipe.score(X[target], y[target]) <= 1.0
    grid = GridSearchCV(pipe, {"coral__reg": [1e-3, 1.0]}, cv=3).fit(X, y_train)
    assert grid.best_params_["coral__reg"] in (1e-3, 1.0)
    # routing sample_domain to the step by name, with true target labels in y
    pipe.fit(X, y, coral__sample_domain=sd, sourceonly__sample_domain=sd)
    np.testing.assert_allclose(pipe[1].mean_target_, StandardScaler().fit(X).transform(X)[
        target].mean(axis=0))


def test_large_offsets_keep_the_covariance_exact():
    # a mean a million times the spread: the covariance is taken from centred rows
    from skt.alignment._utils import mean_and_covariance

    X, sd = _two_domains()
    X_far = X + 1e6
    _, cov, Xc = mean_and_covariance(X_far[sd > 0])
    assert Xc is not None
    np.testing.assert_allclose(cov, np.cov(X[sd > 0].T), rtol=1e-9)
    _, cov, Xc = mean_and_covariance(X[sd > 0])
    assert Xc is None
    np.testing.assert_allclose(cov, np.cov(X[sd > 0].T), rtol=1e-12)
    Z = skt.CORAL(reg=0).fit_transform(X_far, sample_domain=sd)
    np.testing.assert_allclose(np.cov(Z[sd > 0].T), np.cov(X_far[sd < 0].T), rtol=1e-7)
