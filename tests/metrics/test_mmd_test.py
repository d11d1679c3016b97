"""skt.metrics.mmd_test: statistic, null distribution, calibration under H0, power under H1."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
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
         "method must be one of 'auto', 'dense', 'blockwise', 'asymptotic'; got method='gpu'"),
        (dict(method="asymptotic"),
         "method='asymptotic' .* needs estimator='linear'; got estimator='biased'"),
        (dict(method="asymptotic", estimator="unbiased"), "got estimator='unbiased'"),
        (dict(estimator="x"), "estimator must be one of"),
        (dict(gamma=-1.0), "gamma must be a positive finite number; got gamma=-1.0"),
    ],
)
def test_errors(kwargs, match):
    X, Y = _data(5, 5)
    with pytest.raises(ValueError, match=match):
        mmd_test(X, Y, **kwargs)


def test_asymptotic_needs_two_pairs():
    X, Y = _data(3, 8)
    with pytest.raises(ValueError, match=r"needs at least 4 rows in X and in Y; got 3 and 8"):
        mmd_test(X, Y, estimator="linear", method="asymptotic")


# --------------------------------------------------------------------------------------------
# The asymptotic test of the linear-time statistic
# --------------------------------------------------------------------------------------------


def _naive_linear_test(X, Y, kernel, gamma):
    """Terms h_i from full kernel matrices of the matched rows; the normal p-value of scipy."""
    n2 = min(len(X), len(Y)) // 2
    x1, x2, y1, y2 = X[0:2 * n2:2], X[1:2 * n2:2], Y[0:2 * n2:2], Y[1:2 * n2:2]
    h = np.zeros(n2)
    for g in np.atleast_1d(gamma) if gamma is not None else [None]:
        def k(A, B, g=g):
            return np.diag(naive.kernel(A, B, kernel, g))

        h += k(x1, x2) + k(y1, y2) - k(x1, y2) - k(x2, y1)
    statistic = h.mean()
    return statistic, stats.norm.sf(statistic / (h.std(ddof=1) / np.sqrt(n2)))


@pytest.mark.parametrize("kernel, gamma", [("rbf", 0.4), ("rbf", [0.1, 1.0]), ("laplacian", 0.3),
                                           ("linear", None), ("polynomial", 0.5)])
@pytest.mark.parametrize("n, m", [(41, 36), (30, 30), (16, 57)])
def test_asymptotic_statistic_is_mmd_linear_and_pvalue_is_normal(kernel, gamma, n, m):
    X, Y = _data(n, m, d=3, loc=0.3)
    res = mmd_test(X, Y, kernel=kernel, gamma=gamma, estimator="linear", method="asymptotic")
    # the same terms h_i as mmd(estimator="linear"): rows 2i, 2i + 1, min(n, m) // 2 pairs
    expected = mmd(X, Y, kernel=kernel, gamma=gamma, estimator="linear",
                   reduce="sum" if isinstance(gamma, list) else None)
    np.testing.assert_allclose(res.statistic, expected, rtol=1e-12)
    statistic, pvalue = _naive_linear_test(X, Y, kernel, gamma)
    np.testing.assert_allclose(res.statistic, statistic, rtol=1e-10)
    np.testing.assert_allclose(res.pvalue, pvalue, rtol=1e-9)
    assert 1e-6 < res.pvalue < 1 - 1e-6  # not saturated: a wrong variance would show
    assert res.null_distribution is None
    np.testing.assert_array_equal(res.gamma, gamma)
    assert "null='asymptotic'" in repr(res)


def test_asymptotic_numpy_auto_keeps_the_permutation_test():
    X, Y = _data(30, 30, loc=0.3)
    kw = dict(gamma=0.5, estimator="linear", n_permutations=50, random_state=0)
    auto = mmd_test(X, Y, **kw)
    assert auto.null_distribution.shape == (50,)
    assert auto.pvalue == mmd_test(X, Y, method="blockwise", **kw).pvalue


def test_asymptotic_degenerate_terms():
    X, Y = _data(20, 20)
    # the same rows in both samples: every h_i is exactly 0, no evidence against P = Q
    res = mmd_test(X, X.copy(), gamma=0.5, estimator="linear", method="asymptotic")
    assert res.statistic == 0.0 and res.pvalue == 1.0
    # two point masses: every h_i is the same positive number, P != Q for sure
    res = mmd_test(np.zeros((20, 2)), np.ones((20, 2)), gamma=0.5, estimator="linear",
                   method="asymptotic")
    assert res.statistic == pytest.approx(2 - 2 * np.exp(-1.0)) and res.pvalue == 0.0


def test_asymptotic_float32():
    X, Y = _data(400, 300, d=3, loc=0.2)
    kw = dict(gamma=0.5, estimator="linear", method="asymptotic")
    res32 = mmd_test(X.astype(np.float32), Y.astype(np.float32), **kw)
    res64 = mmd_test(X, Y, **kw)
    np.testing.assert_allclose(res32.statistic, res64.statistic, rtol=1e-5)
    np.testing.assert_allclose(res32.pvalue, res64.pvalue, rtol=1e-4)


def test_asymptotic_dask_input_same_result():
    da = pytest.importorskip("dask.array")
    import dask

    X, Y = _data(101, 90, d=3, loc=0.2)
    kw = dict(gamma=0.5, estimator="linear")
    local = mmd_test(X, Y, method="asymptotic", **kw)
    with dask.config.set(scheduler="synchronous"):
        # odd chunk boundaries in X, other chunks in Y: rechunked to common, even ones
        remote = mmd_test(da.from_array(X, chunks=(13, 2)), da.from_array(Y, chunks=(20, 3)),
                          **kw)  # method="auto" is "asymptotic" for Dask arrays
    assert remote.null_distribution is None
    np.testing.assert_allclose(remote.statistic, local.statistic, rtol=1e-12)
    np.testing.assert_allclose(remote.pvalue, local.pvalue, rtol=1e-10)


def _asymptotic_rejections(n_problems, loc, n, seed=0):
    rng = np.random.default_rng(seed)
    count = 0
    for _ in range(n_problems):
        X = rng.normal(size=(n, 2))
        Y = rng.normal(loc=loc, size=(n, 2))
        # gamma=None: the median heuristic on the pooled sample, as a user would run it
        res = mmd_test(X, Y, estimator="linear", method="asymptotic")
        count += res.pvalue <= 0.05
    return count


def test_asymptotic_pvalues_are_calibrated_under_h0():
    # 100 pairs per problem: the normal approximation of the mean of the h_i
    n_problems = 300
    count = _asymptotic_rejections(n_problems, 0.0, n=200)
    lo, hi = stats.binom.ppf([0.0005, 0.9995], n_problems, 0.05)
    assert lo <= count <= hi, (count, lo, hi)


def test_asymptotic_power_under_a_clear_shift():
    assert _asymptotic_rejections(20, 1.0, n=400, seed=1) >= 19


@st.composite
def _normal_samples(draw):
    """Two Gaussian samples (continuous: no ties that rounding could break either way)."""
    n, m, d = draw(st.integers(4, 40)), draw(st.integers(4, 40)), draw(st.integers(1, 3))
    loc = draw(st.sampled_from([0.0, 0.3, 1.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.normal(size=(n, d)), rng.normal(loc=loc, size=(m, d))


@settings(max_examples=40, deadline=None)
@given(_normal_samples(), st.sampled_from([("rbf", 0.5), ("laplacian", 0.3), ("linear", None)]),
       st.randoms())
def test_asymptotic_invariants(samples, kernel, random):
    X, Y = samples
    name, gamma = kernel
    kw = dict(kernel=name, gamma=gamma, estimator="linear", method="asymptotic")
    res = mmd_test(X, Y, **kw)
    assert 0.0 <= res.pvalue <= 1.0
    np.testing.assert_allclose(res.statistic, mmd(X, Y, kernel=name, gamma=gamma,
                                                  estimator="linear"), rtol=1e-9, atol=1e-12)

    def same(other):
        np.testing.assert_allclose(other.statistic, res.statistic, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(other.pvalue, res.pvalue, rtol=1e-7, atol=1e-12)

    # h(x, x', y, y') is symmetric in the two samples
    same(mmd_test(Y, X, **kw))
    # the terms are a set: reordering the pairs, the same order in both samples, keeps it
    # (reordering the rows of one sample alone changes the terms, and is not an invariant)
    n2 = min(len(X), len(Y)) // 2
    order = list(range(n2))
    random.shuffle(order)
    rows = np.ravel([[2 * i, 2 * i + 1] for i in order])
    same(mmd_test(X[rows], Y[rows], **kw))
    # and so does swapping the two rows of every pair in both samples
    swap = np.ravel([[2 * i + 1, 2 * i] for i in range(n2)])
    same(mmd_test(X[swap], Y[swap], **kw))


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(4, 12), st.just(2)),
                  elements=st.floats(-10, 10, width=64)),
       hnp.arrays(np.float64, st.tuples(st.integers(4, 12), st.just(2)),
                  elements=st.floats(-10, 10, width=64)))
def test_asymptotic_pvalue_is_a_probability_on_any_data(X, Y):
    # ties, repeated rows, constant samples: the p-value stays in [0, 1]
    res = mmd_test(X, Y, gamma=0.5, estimator="linear", method="asymptotic")
    assert 0.0 <= res.pvalue <= 1.0 and np.isfinite(res.statistic)
