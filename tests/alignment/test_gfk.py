"""GFK: the closed form against the paper's integral, its limits, dimensions, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import simpson
from scipy.linalg import null_space, sqrtm

import skt
from skt.alignment._gfk import gfk_factor, subspace_disagreement


def _bases(seed, D, k):
    rng = np.random.RandomState(seed)
    return np.linalg.qr(rng.randn(D, k))[0], np.linalg.qr(rng.randn(D, k))[0]


def _naive_gfk(P_s, P_t, n_steps=2001):
    """The paper's definition: G = int_0^1 Phi(t) Phi(t)' dt, by quadrature.

    Phi(t) = P_s U1 cos(t theta) - R_s U2 sin(t theta), with R_s = null(P_s') and the SVDs
    P_s' P_t = U1 cos(theta) V', R_s' P_t = -U2 sin(theta) V' (Gong et al., 2012, eq. 2-4).
    """
    R_s = null_space(P_s.T)
    U1, cos, Vt = np.linalg.svd(P_s.T @ P_t)
    theta = np.arccos(np.clip(cos, 0, 1))
    U2 = -(R_s.T @ P_t @ Vt.T) / np.sin(theta)
    ts = np.linspace(0, 1, n_steps)
    values = []
    for t in ts:
        Phi = P_s @ U1 * np.cos(t * theta) - R_s @ U2 * np.sin(t * theta)
        values.append(Phi @ Phi.T)
    return simpson(np.array(values), x=ts, axis=0)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), D=st.integers(3, 12), k=st.integers(1, 4))
def test_closed_form_equals_the_integral_and_is_symmetric_psd(seed, D, k):
    k = min(k, D - 1)
    P_s, P_t = _bases(seed, D, k)
    F, theta = gfk_factor(P_s, P_t)
    G = F @ F.T
    np.testing.assert_allclose(G, G.T, atol=1e-12)
    assert np.linalg.eigvalsh(G).min() > -1e-10
    assert F.shape == (D, 2 * k)
    assert np.all(np.diff(theta) >= -1e-12) and np.all((theta >= 0) & (theta <= np.pi / 2))
    if np.sin(theta).min() > 1e-3:  # the naive reference divides by sin(theta)
        np.testing.assert_allclose(G, _naive_gfk(P_s, P_t), atol=1e-7)


def test_identical_subspaces_give_the_projection_on_them():
    P, _ = _bases(0, 8, 3)
    F, theta = gfk_factor(P, P)
    np.testing.assert_allclose(theta, 0, atol=1e-7)
    np.testing.assert_allclose(F @ F.T, P @ P.T, atol=1e-12)


def test_nearly_identical_subspaces_approach_the_projection():
    P, Q = _bases(1, 8, 3)
    tilted = np.linalg.qr(P + 1e-6 * Q)[0]
    F, _ = gfk_factor(P, tilted)
    np.testing.assert_allclose(F @ F.T, P @ P.T, atol=1e-5)


def test_transform_has_the_inner_products_of_the_matrix_square_root():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(60, 7) * np.arange(1, 8), rng.randn(50, 7) @ rng.randn(7, 7)])
    sd = np.r_[np.ones(60, int), -np.ones(50, int)]
    gfk = skt.GFK(n_components=3).fit(X, sample_domain=sd)
    Z = gfk.transform(X)
    G = gfk.components_ @ gfk.components_.T
    root = np.real(sqrtm(G))
    np.testing.assert_allclose(Z @ Z.T, (X @ root) @ (X @ root).T, atol=1e-8)
    np.testing.assert_allclose(Z @ Z.T, X @ G @ X.T, atol=1e-8)
    np.testing.assert_allclose(gfk.fit_transform(X, sample_domain=sd), Z)
    # the bases are the PCA bases of each domain
    for rows, P in ((sd > 0, gfk.components_source_), (sd < 0, gfk.components_target_)):
        V = np.linalg.eigh(np.cov(X[rows].T))[1][:, ::-1][:, :3]
        np.testing.assert_allclose(np.abs(P.T @ V), np.eye(3), atol=1e-8)
    assert list(gfk.get_feature_names_out()) == [f"gfk{i}" for i in range(6)]


def test_sdm_matches_a_naive_reference_and_picks_the_first_d_at_one():
    rng = np.random.RandomState(0)
    D = 10
    P_s, P_t = _bases(3, D, 5)
    P_st = np.linalg.qr(rng.randn(D, 5))[0]

    def naive(d):
        sines = []
        for P in (P_s, P_t):
            cos = np.linalg.svd(P[:, :d].T @ P_st[:, :d], compute_uv=False)
            sines.append(np.sin(np.arccos(np.clip(cos.min(), 0, 1))))
        return np.mean(sines)

    values = subspace_disagreement(P_s, P_t, P_st)
    np.testing.assert_allclose(values, [naive(d) for d in range(1, 6)], atol=1e-10)
    assert np.all((values >= 0) & (values <= 1))
    X = np.vstack([rng.randn(80, 12) * np.linspace(3, 0.1, 12), rng.randn(70, 12)])
    sd = np.r_[np.ones(80, int), -np.ones(70, int)]
    gfk = skt.GFK(n_components="sdm").fit(X, sample_domain=sd)
    values = gfk.subspace_disagreement_
    assert 1 <= gfk.n_components_ <= 6
    reached = np.flatnonzero(values >= 0.995)
    expected = reached[0] + 1 if reached.size else np.argmax(values) + 1
    assert gfk.n_components_ == expected
    assert gfk.transform(X).shape == (150, 2 * gfk.n_components_)


@pytest.mark.parametrize("n_components", [0, 4, 2.5, "auto", True])
def test_bad_n_components_is_an_error_naming_it(n_components):
    rng = np.random.RandomState(0)
    X = rng.randn(10, 3)
    sd = np.r_[np.ones(5, int), -np.ones(5, int)]
    with pytest.raises(ValueError, match="n_components"):
        skt.GFK(n_components=n_components).fit(X, sample_domain=sd)


def test_more_features_than_rows_is_fine_up_to_the_rows_limit():
    rng = np.random.RandomState(0)
    X = rng.randn(12, 30)  # d > n
    sd = np.r_[np.ones(6, int), -np.ones(6, int)]
    assert skt.GFK(n_components=5).fit_transform(X, sample_domain=sd).shape == (12, 10)
    with pytest.raises(ValueError, match="n_components=6 is larger than the data allow"):
        skt.GFK(n_components=6).fit(X, sample_domain=sd)
