"""skt.metrics.mmd_test: statistic, null distribution, calibration under H0, power under H1."""

import numpy as np
import pytest
from scipy import stats
from sklearn.utils import check_random_state

from skt.metrics import MMDTestResult, _kernel_sums, mmd, mmd_test

from . import naive


def _data(n, m, d=2, seed=0, loc=0.0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(loc=loc, size=(m, d))


@pytest.mark.parametrize("estimator", ["biased", "unbiased", "linear"])
@pytest.mark.parametrize("kernel, gamma", [("rbf", 0.4), ("laplacian", 0.3), ("linear", None),
                                           ("polynomial", 0.5)])
def test_statistic_is_mmd_and_null_matches_naive(kernel, gamma, estimator):
    X, Y = _data(14, 11, loc=0.5)
    res = mmd_test(X, Y, kernel=kernel, gamma=gamma, n_permutations=30, estimator=estimator,
                   random_state=7)
    assert isinstance(res, MMDTestResult)
    np.testing.assert_allclose(
        res.statistic, mmd(X, Y, kernel=kernel, gamma=gamma, estimator=estimator), rtol=1e-10
    )
    # the relabellings: rows perm[:n] of the pooled sample are X, drawn in this order
    rng = check_random_state(7)
    perms = [rng.permutation(25) for _ in range(30)]
    ref = naive.permutation_null(X, Y, perms, kernel, gamma, estimator)
    np.testing.assert_allclose(res.null_distribution, ref, rtol=1e-9, atol=1e-13)
    expected_p = (1 + np.sum(ref >= res.statistic - 1e-12)) / 31
    assert res.pvalue == pytest.approx(expected_p)
    assert res.gamma == gamma


@pytest.mark.parametrize("estimator", ["biased", "unbiased"])
@pytest.mark.parametrize("kernel, gamma", [("rbf", 0.4), ("rbf", [0.1, 1.0]),
                                           ("laplacian", 0.3), ("linear", None),
                                           ("polynomial", 0.5)])
def test_dense_and_blockwise_agree(kernel, gamma, estimator, monkeypatch):
    monkeypatch.setattr(_kernel_sums, "BLOCK", 8)  # several blocks, ragged edges
    X, Y = _data(23, 18, loc=0.3)
    kw = dict(kernel=kernel, gamma=gamma, n_permutations=50, estimator=estimator,
              random_state=1)
    dense = mmd_test(X, Y, method="dense", **kw)
    blockwise = mmd_test(X, Y, method="blockwise", **kw)
    np.testing.assert_allclose(blockwise.null_distribution, dense.null_distribution,
                               rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(blockwise.statistic, dense.statistic, rtol=1e-10)
    assert blockwise.pvalue == dense.pvalue


def test_several_gammas_test_the_sum_of_kernels():
    X, Y = _data(20, 20, loc=0.4)
    res = mmd_test(X, Y, gamma=[0.2, 2.0], n_permutations=20, random_state=0)
    np.testing.assert_allclose(res.statistic, mmd(X, Y, gamma=[0.2, 2.0], reduce="sum"),
                               rtol=1e-10)
    np.testing.assert_array_equal(res.gamma, [0.2, 2.0])


def test_reproducible_and_gamma_resolved():
    X, Y = _data(30, 25, loc=0.2)
    a = mmd_test(X, Y, n_permutations=40, random_state=3)
    b = mmd_test(X, Y, n_permutations=40, random_state=3)
    np.testing.assert_array_equal(a.null_distribution, b.null_distribution)
    assert a.pvalue == b.pvalue and a.gamma == b.gamma and a.gamma > 0
    assert "MMDTestResult(statistic=" in repr(a) and "n_permutations=40" in repr(a)


def test_equal_samples_give_pvalue_one():
    X, _ = _data(10, 1)
    # every relabelling of two copies of one sample ties with or beats the observed 0
    assert mmd_test(X, X.copy(), gamma=0.5, n_permutations=50, random_state=0).pvalue == 1.0


def test_float32():
    X, Y = _data(40, 30, loc=1.0)
    res32 = mmd_test(X.astype(np.float32), Y.astype(np.float32), gamma=0.5, n_permutations=50,
                     random_state=0)
    res64 = mmd_test(X, Y, gamma=0.5, n_permutations=50, random_state=0)
    np.testing.assert_allclose(res32.null_distribution, res64.null_distribution, rtol=1e-3,
                               atol=1e-5)
    assert res32.pvalue == res64.pvalue


def test_dask_input_same_pvalue():
    da = pytest.importorskip("dask.array")
    X, Y = _data(20, 20, loc=0.3)
    res = mmd_test(da.from_array(X, chunks=7), da.from_array(Y, chunks=7), gamma=0.5,
                   n_permutations=20, random_state=0)
    assert res.pvalue == mmd_test(X, Y, gamma=0.5, n_permutations=20, random_state=0).pvalue


def test_packed_indicators_are_the_draws_of_the_in_memory_test():
    from skt.metrics import _kernels
    from skt.metrics._mmd import _draw_batches, _packed_indicators

    N, n, B = 37, 15, 21
    draws = np.vstack(list(_draw_batches(check_random_state(3), N, n, B, batch=8)))
    U = np.empty((N, B + 1))
    _kernels.permutation_indicators(draws, n, U)
    bits = _packed_indicators(check_random_state(3), N, n, B)
    assert bits.shape == (N, 3)
    np.testing.assert_array_equal(np.unpackbits(bits, axis=1, count=B + 1), U)


def _rejections(n_problems, loc, estimator="biased", kernel="rbf", n=15, n_perm=99, seed=0):
    rng = np.random.default_rng(seed)
    count = 0
    for _ in range(n_problems):
        X = rng.normal(size=(n, 2))
        Y = rng.normal(loc=loc, size=(n, 2))
        res = mmd_test(X, Y, kernel=kernel, n_permutations=n_perm, estimator=estimator,
                       random_state=rng.integers(2**31))
        count += res.pvalue <= 0.05
    return count


@pytest.mark.parametrize("estimator, kernel", [("biased", "rbf"), ("unbiased", "laplacian")])
def test_pvalues_are_calibrated_under_h0(estimator, kernel):
    # with 99 relabellings, P(p <= 0.05) = 5/100 exactly under H0 (no ties)
    n_problems = 300
    count = _rejections(n_problems, 0.0, estimator, kernel)
    lo, hi = stats.binom.ppf([0.0005, 0.9995], n_problems, 0.05)
    assert lo <= count <= hi, (count, lo, hi)


def test_power_under_a_clear_shift():
    assert _rejections(20, 1.5, n=30) >= 19


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_permutations=0), "n_permutations must be a positive int; got n_permutations=0"),
        (dict(n_permutations=2.5), "n_permutations must be a positive int"),
        (dict(method="gpu"),
         "method must be one of 'auto', 'dense', 'blockwise'; got method='gpu'"),
        (dict(estimator="x"), "estimator must be one of"),
        (dict(gamma=-1.0), "gamma must be a positive finite number; got gamma=-1.0"),
    ],
)
def test_errors(kwargs, match):
    X, Y = _data(5, 5)
    with pytest.raises(ValueError, match=match):
        mmd_test(X, Y, **kwargs)
