"""Subspace Alignment: the aligned source basis, dimensions, edge cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import skt


def _domains(n_s=120, n_t=100, d=6, seed=0):
    rng = np.random.RandomState(seed)
    scales = np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.2])[:d]
    Xs = rng.randn(n_s, d) * scales
    R = np.linalg.qr(rng.randn(d, d))[0]
    Xt = (rng.randn(n_t, d) * scales) @ R + 1.0
    X = np.vstack([Xs, Xt])
    return X, np.r_[np.ones(n_s, int), -np.ones(n_t, int)]


def test_bases_are_pca_bases_and_alignment_is_their_product():
    X, sd = _domains()
    sa = skt.SubspaceAlignment(n_components=3).fit(X, sample_domain=sd)
    for rows, P, var in (
        (sd > 0, sa.components_source_, sa.explained_variance_source_),
        (sd < 0, sa.components_target_, sa.explained_variance_target_),
    ):
        w, V = np.linalg.eigh(np.cov(X[rows].T))
        np.testing.assert_allclose(var, w[::-1][:3], rtol=1e-10)
        # same subspace as the top-3 eigenvectors, orthonormal columns
        np.testing.assert_allclose(P.T @ P, np.eye(3), atol=1e-12)
        np.testing.assert_allclose(np.abs(P.T @ V[:, ::-1][:, :3]), np.eye(3), atol=1e-8)
    np.testing.assert_allclose(sa.alignment_, sa.components_source_.T @ sa.components_target_)


def test_aligned_source_basis_is_the_closest_to_the_target_basis():
    X, sd = _domains()
    sa = skt.SubspaceAlignment(n_components=3).fit(X, sample_domain=sd)
    Ps, Pt, M = sa.components_source_, sa.components_target_, sa.alignment_
    # M minimises ||Ps M - Pt||_F: it is the least-squares solution
    M_lstsq = np.linalg.lstsq(Ps, Pt, rcond=None)[0]
    np.testing.assert_allclose(M, M_lstsq, atol=1e-12)
    assert np.linalg.norm(Ps @ M - Pt) < np.linalg.norm(Ps - Pt)
    rng = np.random.RandomState(0)
    for _ in range(5):
        assert np.linalg.norm(Ps @ M - Pt) <= np.linalg.norm(Ps @ (M + 0.01 * rng.randn(3, 3))
                                                             - Pt)


def test_same_subspace_aligns_exactly():
    # both domains live in the same 2-D subspace of R^5, with different bases
    rng = np.random.RandomState(0)
    B = np.linalg.qr(rng.randn(5, 2))[0]
    Xs = (rng.randn(80, 2) * [3.0, 1.0]) @ B.T
    Xt = (rng.randn(90, 2) * [1.0, 4.0]) @ B.T
    X = np.vstack([Xs, Xt])
    sd = np.r_[np.ones(80, int), -np.ones(90, int)]
    sa = skt.SubspaceAlignment(n_components=2).fit(X, sample_domain=sd)
    np.testing.assert_allclose(sa.components_source_ @ sa.alignment_, sa.components_target_,
                               atol=1e-10)


def test_transform_maps_source_and_target_rows():
    X, sd = _domains()
    sa = skt.SubspaceAlignment(n_components=2)
    Z = sa.fit_transform(X, sample_domain=sd)
    src, tgt = sd > 0, sd < 0
    Ps, Pt, M = sa.components_source_, sa.components_target_, sa.alignment_
    np.testing.assert_allclose(Z[src], (X[src] - X[src].mean(0)) @ Ps @ M, atol=1e-10)
    np.testing.assert_allclose(Z[tgt], (X[tgt] - X[tgt].mean(0)) @ Pt, atol=1e-10)
    np.testing.assert_allclose(sa.transform(X[tgt]), Z[tgt], atol=1e-12)
    np.testing.assert_allclose(sa.transform(X[src], sample_domain=sd[src]), Z[src], atol=1e-12)


def test_interleaved_rows_map_as_a_block_does():
    X, sd = _domains()
    perm = np.random.RandomState(0).permutation(len(X))
    sa = skt.SubspaceAlignment(3).fit(X, sample_domain=sd)
    np.testing.assert_allclose(sa.transform(X[perm], sample_domain=sd[perm]),
                               sa.transform(X, sample_domain=sd)[perm], atol=1e-12)


def test_none_keeps_every_allowed_dimension():
    X, sd = _domains(d=6)
    assert skt.SubspaceAlignment(None).fit(X, sample_domain=sd).n_components_ == 6
    X, sd = _domains(n_s=4, d=6)
    assert skt.SubspaceAlignment(None).fit(X, sample_domain=sd).n_components_ == 3


def _paper_bound(X, sd, delta=0.1, gamma=1e5):
    """Fernando et al. (2013), Section 3.3, written out: the largest d whose smaller eigengap
    is at least (1 + sqrt(ln(2/delta)/2)) 16 d^(3/2) B / (gamma sqrt(n_min))."""
    spectra, radius = [], 0.0
    for rows in (X[sd > 0], X[sd < 0]):
        centred = rows - rows.mean(axis=0)
        spectra.append(np.r_[np.sort(np.linalg.eigvalsh(np.cov(rows.T)))[::-1], 0.0])
        radius = max(radius, np.linalg.norm(centred, axis=1).max())
    n_min = min((sd > 0).sum(), (sd < 0).sum())
    limit = min(X.shape[1], n_min - 1)
    best = 1
    for d in range(1, limit + 1):
        gap = min(s[d - 1] - s[d] for s in spectra)
        if gap >= (1 + np.sqrt(np.log(2 / delta) / 2)) * 16 * d**1.5 * radius / (
            gamma * np.sqrt(n_min)
        ):
            best = d
    return best


def test_default_dimension_is_the_papers_bound():
    # 4 strong directions in 30 features: "auto" (the default) keeps what the bound allows,
    # not every direction (which would be a plain rotation, no adaptation)
    rng = np.random.RandomState(0)
    scales = np.r_[[8.0, 6.0, 4.0, 3.0], 0.05 * np.ones(26)]
    Xs = rng.randn(400, 30) * scales
    Xt = (rng.randn(300, 30) * scales) @ np.linalg.qr(rng.randn(30, 30))[0]
    X, sd = np.vstack([Xs, Xt]), np.r_[np.ones(400, int), -np.ones(300, int)]
    sa = skt.SubspaceAlignment().fit(X, sample_domain=sd)
    assert sa.n_components_ == _paper_bound(X, sd)
    assert 1 <= sa.n_components_ < 30
    # the bases are the leading PCA directions, as for an explicit n_components
    explicit = skt.SubspaceAlignment(sa.n_components_).fit(X, sample_domain=sd)
    np.testing.assert_allclose(sa.transform(X), explicit.transform(X), atol=1e-8)
    np.testing.assert_allclose(sa.transform(X, sample_domain=sd),
                               explicit.transform(X, sample_domain=sd), atol=1e-8)


def test_too_many_components_is_an_error():
    X, sd = _domains(d=6)
    with pytest.raises(ValueError, match=r"n_components=7 is larger than the data allow: at "
                                         r"most 6 \(6 features"):
        skt.SubspaceAlignment(n_components=7).fit(X, sample_domain=sd)
    X, sd = _domains(n_t=3, d=6)
    with pytest.raises(ValueError, match=r"at most 2 \(6 features, 120 source rows and 3 target"):
        skt.SubspaceAlignment(n_components=3).fit(X, sample_domain=sd)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "all", True])
def test_bad_n_components(bad):
    X, sd = _domains()
    with pytest.raises(ValueError, match="n_components must be an integer >= 1"):
        skt.SubspaceAlignment(n_components=bad).fit(X, sample_domain=sd)


def test_a_domain_with_one_row_is_an_error():
    X, sd = _domains(n_s=1)
    with pytest.raises(ValueError, match="the data allow no component.*1 source rows"):
        skt.SubspaceAlignment().fit(X, sample_domain=sd)


def test_feature_mismatch_at_transform():
    X, sd = _domains()
    sa = skt.SubspaceAlignment(2).fit(X, sample_domain=sd)
    with pytest.raises(ValueError, match="X has 5 features, but SubspaceAlignment is expecting 6"):
        sa.transform(X[:, :5])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 4))
def test_invariant_to_row_order(seed, k):
    X, sd = _domains(seed=seed % 1000)
    perm = np.random.RandomState(seed).permutation(len(X))
    a = skt.SubspaceAlignment(k).fit(X, sample_domain=sd)
    b = skt.SubspaceAlignment(k).fit(X[perm], sample_domain=sd[perm])
    np.testing.assert_allclose(a.transform(X), b.transform(X), atol=1e-8)


def test_float32_stays_float32():
    X, sd = _domains()
    Z = skt.SubspaceAlignment(2).fit_transform(X.astype(np.float32), sample_domain=sd)
    assert Z.dtype == np.float32
