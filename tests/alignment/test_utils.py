"""The per-domain statistics of CORAL and Subspace Alignment, in turn and side by side."""

import numpy as np
import pytest

import skt
from skt.alignment import _utils


def _two_domains(n_s=300, n_t=250, d=20, seed=0):
    rng = np.random.RandomState(seed)
    Xs = rng.randn(n_s, d) @ rng.randn(d, d) + 1.0
    Xt = rng.randn(n_t, d) @ rng.randn(d, d) - 2.0
    return np.vstack([Xs, Xt]), np.r_[np.ones(n_s, int), -np.ones(n_t, int)]


@pytest.fixture
def side_by_side(monkeypatch):
    """Make per_domain run the two domains in two threads, whatever the size and the BLAS."""
    monkeypatch.setattr(_utils, "_CONCURRENT_MIN_SIZE", 0)
    monkeypatch.setattr(_utils, "_blas_threads", lambda: 2)


def _blas_limits():
    info = _utils.threadpool_controller().select(user_api="blas").info()
    return [lib["num_threads"] for lib in info]


def test_per_domain_side_by_side_returns_source_then_target(side_by_side):
    before = _blas_limits()
    calls = []

    def fn(X):
        calls.append(X.shape[0])
        return X.sum()

    assert _utils.per_domain(fn, np.ones((3, 2)), np.ones((5, 2))) == (6.0, 10.0)
    assert sorted(calls) == [3, 5]
    assert _blas_limits() == before  # the single-thread limit is lifted afterwards


def test_per_domain_passes_on_an_error_of_either_domain(side_by_side):
    before = _blas_limits()

    def fn(X):
        if X.shape[0] == 5:
            raise ValueError("target failed")
        return X.shape[0]

    with pytest.raises(ValueError, match="target failed"):
        _utils.per_domain(fn, np.ones((3, 2)), np.ones((5, 2)))
    assert _blas_limits() == before


@pytest.mark.parametrize(
    "blas_threads, concurrent", [(1, False), (2, True), (3, True), (4, False)]
)
def test_per_domain_runs_side_by_side_only_on_two_or_three_blas_threads(
    monkeypatch, blas_threads, concurrent
):
    import threading

    monkeypatch.setattr(_utils, "_CONCURRENT_MIN_SIZE", 0)
    monkeypatch.setattr(_utils, "_blas_threads", lambda: blas_threads)
    threads = set()

    def fn(X):
        threads.add(threading.get_ident())

    _utils.per_domain(fn, np.ones((3, 2)), np.ones((5, 2)))
    assert len(threads) == (2 if concurrent else 1)


def _fits(make):
    X, sd = _two_domains()
    return make().fit(X, sample_domain=sd)


@pytest.mark.parametrize("reg", [0.0, 1.0, "auto"])
def test_coral_side_by_side_equals_in_turn(monkeypatch, reg):
    monkeypatch.setattr(_utils, "_blas_threads", lambda: 1)
    ref = _fits(lambda: skt.CORAL(reg=reg))
    monkeypatch.setattr(_utils, "_CONCURRENT_MIN_SIZE", 0)
    monkeypatch.setattr(_utils, "_blas_threads", lambda: 2)
    got = _fits(lambda: skt.CORAL(reg=reg))
    for name in ("transform_matrix_", "covariance_source_", "covariance_target_",
                 "mean_source_", "mean_target_"):
        np.testing.assert_allclose(getattr(got, name), getattr(ref, name), rtol=1e-10,
                                   atol=1e-12, err_msg=name)
    if reg == "auto":
        np.testing.assert_allclose(got.shrinkage_, ref.shrinkage_, rtol=1e-12)
    else:
        assert got.shrinkage_ is None


def test_subspace_alignment_side_by_side_equals_in_turn(monkeypatch):
    monkeypatch.setattr(_utils, "_blas_threads", lambda: 1)
    ref = _fits(lambda: skt.SubspaceAlignment(5))
    monkeypatch.setattr(_utils, "_CONCURRENT_MIN_SIZE", 0)
    monkeypatch.setattr(_utils, "_blas_threads", lambda: 2)
    got = _fits(lambda: skt.SubspaceAlignment(5))
    for name in ("components_source_", "components_target_", "alignment_",
                 "explained_variance_source_", "explained_variance_target_"):
        np.testing.assert_allclose(getattr(got, name), getattr(ref, name), rtol=1e-9,
                                   atol=1e-12, err_msg=name)


def test_coral_singular_source_is_reported_from_the_side_by_side_path(side_by_side):
    X, sd = _two_domains(n_s=10, n_t=250, d=20)  # 10 source rows span at most 9 directions
    with pytest.raises(ValueError, match="source covariance is singular"):
        skt.CORAL(reg=0).fit(X, sample_domain=sd)


def test_eigh_is_numpy_syevd():
    rng = np.random.RandomState(0)
    A = rng.randn(30, 30)
    C = A @ A.T
    w, V = _utils.eigh(C)
    np.testing.assert_allclose((V * w) @ V.T, C, atol=1e-10)
    assert np.all(np.diff(w) >= 0)


@pytest.mark.parametrize("min_features", [1, 10**6])  # SciPy's subset solver / NumPy's syevd
@pytest.mark.parametrize("k", [1, 7, 15])
def test_subspace_top_eigenpairs_agree_with_a_full_decomposition(monkeypatch, min_features, k):
    from skt.alignment import _subspace

    monkeypatch.setattr(_subspace, "_SUBSET_MIN_FEATURES", min_features)
    rng = np.random.RandomState(k)
    A = rng.randn(40, 30)
    C = A.T @ A
    w, V = _subspace._top_eigh(C, k)
    w_ref, V_ref = np.linalg.eigh(C)
    np.testing.assert_allclose(w, w_ref[::-1][:k], rtol=1e-10)
    # the same directions, up to sign
    np.testing.assert_allclose(np.abs(np.sum(V * V_ref[:, ::-1][:, :k], axis=0)), 1.0, atol=1e-8)
    assert np.all(np.diff(w) <= 0)
