"""Numba kernels and blockwise kernel sums against the plain NumPy references of naive.py.

Sizes are small so that this module also runs with NUMBA_DISABLE_JIT=1 (test_nojit.py); the
block size is lowered so that small inputs still cross several blocks.
"""

import numpy as np
import pytest

from skt.metrics import _kernel_sums, _kernels
from skt.metrics._kernel_sums import (
    _check_kernel_params,
    _Operand,
    _shift_for,
    kernel_matrix,
    kernel_matvec,
    kernel_row_means,
    weighted_kernel_sums,
)

from . import naive

KERNELS = [
    ("rbf", dict(gamma=0.3)),
    ("gaussian", dict(gamma=0.05)),
    ("laplacian", dict(gamma=0.2)),
    ("linear", dict(gamma=None)),
    ("polynomial", dict(gamma=0.4, degree=3, coef0=1.0)),
    ("polynomial", dict(gamma=0.1, degree=2.5, coef0=4.0)),
    ("polynomial", dict(gamma=0.5, degree=1, coef0=-0.5)),
]


@pytest.fixture(params=[512, 7], ids=["block512", "block7"])
def block(request, monkeypatch):
    """Run with the real block size and with a tiny one (several blocks, ragged edges)."""
    monkeypatch.setattr(_kernel_sums, "BLOCK", request.param)
    return request.param


def _data(n, m, d=4, seed=0, dtype=np.float64, loc=0.3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + 5.0  # far from the origin: exercises the centring
    Y = rng.normal(loc=loc, size=(m, d)) + 5.0
    return X.astype(dtype), Y.astype(dtype)


def _naive_kernel(X, Y, name, kw):
    return naive.kernel(X, Y, name, kw.get("gamma"), kw.get("degree", 3), kw.get("coef0", 1.0))


def test_exp_neg_float64_within_one_ulp():
    rng = np.random.default_rng(0)
    x = np.concatenate([
        -rng.uniform(0, 708, 2000),
        -rng.uniform(0, 1, 500),
        [0.0, -0.0, -1e-300, -0.34657359027997264, -0.3465735902799727, -708.0, -700.5],
    ])
    out = np.empty_like(x)
    _kernels.exp_neg_array(x, out)
    ref = np.exp(x)
    np.testing.assert_allclose(out, ref, rtol=4.5e-16, atol=0)


def test_exp_neg_float32_within_one_ulp():
    rng = np.random.default_rng(1)
    x = np.concatenate([-rng.uniform(0, 87, 2000), [0.0, -1e-30, -0.3465736, -87.0]])
    x = x.astype(np.float32)
    out = np.empty_like(x)
    _kernels.exp_neg_array(x, out)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np.exp(x.astype(np.float64)), rtol=2.5e-7, atol=0)


def test_exp_neg_below_range_is_tiny_not_garbage():
    out = np.empty(3)
    _kernels.exp_neg_array(np.array([-709.0, -800.0, -1e300]), out)
    assert np.all(out >= 0) and np.all(out <= 1e-307)


@pytest.mark.parametrize("name, kw", KERNELS)
def test_kernel_matrix_matches_naive(name, kw, block):
    X, Y = _data(23, 17)
    K = kernel_matrix(X, Y, kernel=name, **kw)
    np.testing.assert_allclose(K, _naive_kernel(X, Y, name, kw), rtol=1e-10, atol=0)
    assert K.dtype == np.float64 and K.shape == (23, 17)


@pytest.mark.parametrize("name, kw", KERNELS)
def test_kernel_matrix_of_one_sample_is_symmetric(name, kw, block):
    X, _ = _data(19, 1)
    K = kernel_matrix(X, kernel=name, **kw)
    np.testing.assert_allclose(K, _naive_kernel(X, X, name, kw), rtol=1e-10, atol=0)
    np.testing.assert_allclose(K, K.T, rtol=1e-12)


@pytest.mark.parametrize("name, kw", KERNELS)
def test_kernel_row_means_matches_naive(name, kw, block):
    X, Y = _data(21, 30)
    means = kernel_row_means(X, Y, kernel=name, **kw)
    np.testing.assert_allclose(
        means, _naive_kernel(X, Y, name, kw).mean(axis=1), rtol=1e-10, atol=0
    )


@pytest.mark.parametrize("name, kw", KERNELS)
@pytest.mark.parametrize("shape", [(30,), (30, 3)])
def test_kernel_matvec_matches_naive(name, kw, shape, block):
    X, Y = _data(21, 30)
    v = np.random.default_rng(5).uniform(0.5, 1.5, size=shape)  # positive: no cancellation
    Kv = kernel_matvec(X, Y, v, kernel=name, **kw)
    assert Kv.shape == (21,) + shape[1:]
    np.testing.assert_allclose(Kv, _naive_kernel(X, Y, name, kw) @ v, rtol=1e-10, atol=0)


@pytest.mark.parametrize("name, kw", KERNELS)
def test_float32_stays_float32(name, kw, block):
    X, Y = _data(20, 13, dtype=np.float32, loc=0.0)
    ref = _naive_kernel(X, Y, name, kw)
    K = kernel_matrix(X, Y, kernel=name, **kw)
    Kv = kernel_matvec(X, Y, np.ones(13, np.float32), kernel=name, **kw)
    assert K.dtype == np.float32 and Kv.dtype == np.float32
    scale = np.abs(ref).max()
    np.testing.assert_allclose(K, ref, rtol=2e-4, atol=2e-5 * scale)
    np.testing.assert_allclose(Kv, ref.sum(axis=1), rtol=2e-4, atol=2e-5 * scale * 13)


@pytest.mark.parametrize("name", ["rbf", "laplacian", "polynomial"])
def test_weighted_sums_several_gammas_match_naive(name, block):
    X, Y = _data(25, 18)
    rng = np.random.default_rng(2)
    wx, wy = rng.uniform(size=25), rng.uniform(size=18)
    gammas = [0.01, 0.1, 0.7]
    params = _check_kernel_params(name, gammas, 2, 1.0)
    shift = _shift_for(params, X, Y)
    a, b = _Operand(X, params, shift), _Operand(Y, params, shift)
    sxx, sxy = weighted_kernel_sums([(a, a, wx, wx), (a, b, wx, wy)], params)
    for g, gamma in enumerate(gammas):
        Kxx = naive.kernel(X, X, name, gamma, 2, 1.0)
        Kxy = naive.kernel(X, Y, name, gamma, 2, 1.0)
        np.testing.assert_allclose(sxx[g], wx @ Kxx @ wx, rtol=1e-10)
        np.testing.assert_allclose(sxy[g], wx @ Kxy @ wy, rtol=1e-10)


def test_result_does_not_depend_on_the_number_of_threads(block):
    X, Y = _data(40, 33)
    v = np.random.default_rng(0).normal(size=33)
    one = kernel_matvec(X, Y, v, gamma=0.2, n_threads=1)
    three = kernel_matvec(X, Y, v, gamma=0.2, n_threads=3)
    np.testing.assert_array_equal(one, three)
    np.testing.assert_array_equal(
        kernel_matrix(X, Y, gamma=0.2, n_threads=1), kernel_matrix(X, Y, gamma=0.2, n_threads=3)
    )


def test_errors_in_a_worker_thread_propagate(monkeypatch):
    def boom(t, scratch):
        if t == 3:
            raise RuntimeError("worker failed")

    with pytest.raises(RuntimeError, match="worker failed"):
        _kernel_sums._run_tasks(boom, 8, n_threads=2)


def test_blas_limit_is_restored():
    from threadpoolctl import threadpool_info

    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    X, Y = _data(30, 30)
    kernel_matvec(X, Y, np.ones(30), gamma=0.1, n_threads=2)
    after = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert before == after


def test_private_functions_need_gamma():
    X, Y = _data(3, 3)
    with pytest.raises(ValueError, match="gamma must be given"):
        kernel_matrix(X, Y, kernel="rbf")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_matrix_is_bitwise_equal_for_any_number_of_threads(dtype):
    # large enough to run on several threads: the row slabs must not follow the thread count,
    # since BLAS rounds a row of a product differently with the height of its block (KMM's
    # weights moved by up to 1 between one and two threads on Caltech -> Amazon)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 300)).astype(dtype)
    ref = kernel_matrix(X, gamma=1e-3, n_threads=1)
    for n_threads in (2, 3):
        np.testing.assert_array_equal(kernel_matrix(X, gamma=1e-3, n_threads=n_threads), ref)
