"""skt.metrics.mmd and median_heuristic: references, invariants, float32, Dask, errors."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skt.metrics import _kernel_sums, median_heuristic, mmd

from . import naive

ESTIMATORS = ["biased", "unbiased", "linear"]
KERNELS = [
    ("rbf", dict(gamma=0.3)),
    ("gaussian", dict(gamma=0.05)),
    ("laplacian", dict(gamma=0.2)),
    ("linear", dict()),
    ("polynomial", dict(gamma=0.2, degree=3, coef0=1.0)),
    ("polynomial", dict(gamma=0.1, degree=2, coef0=0.5)),
]


def _data(n, m, d=3, seed=0, loc=0.5, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + 3.0
    Y = rng.normal(loc=loc, size=(n + m, d))[:m] + 3.0
    return X.astype(dtype), Y.astype(dtype)


def _naive(X, Y, name, kw, estimator, wx=None, wy=None):
    return naive.mmd(X, Y, name, kw.get("gamma", None), estimator, wx, wy,
                     kw.get("degree", 3), kw.get("coef0", 1.0))


# ---------------------------------------------------------------------------------------
# Against the references
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("name, kw", KERNELS)
def test_every_kernel_and_estimator_matches_naive(name, kw, estimator):
    X, Y = _data(31, 45)
    value = mmd(X, Y, kernel=name, estimator=estimator, **kw)
    assert isinstance(value, float)
    np.testing.assert_allclose(value, _naive(X, Y, name, kw, estimator), rtol=1e-10)


@pytest.mark.parametrize("estimator", ["biased", "unbiased"])
@pytest.mark.parametrize("name, kw", KERNELS[:3] + KERNELS[4:5])
def test_several_blocks_match_naive(name, kw, estimator):
    # sizes that cross the real block size, with ragged last blocks
    X, Y = _data(600, 530, d=5, loc=0.2)
    np.testing.assert_allclose(
        mmd(X, Y, kernel=name, estimator=estimator, **kw),
        _naive(X, Y, name, kw, estimator),
        rtol=1e-10,
    )


def test_unbiased_matches_the_textbook_double_loop():
    X, Y = _data(12, 9)
    np.testing.assert_allclose(
        mmd(X, Y, gamma=0.4, estimator="unbiased"),
        naive.mmd_unbiased_textbook(X, Y, "rbf", 0.4),
        rtol=1e-10,
    )


@pytest.mark.parametrize("estimator", ["biased", "unbiased"])
@pytest.mark.parametrize("name, kw", KERNELS)
def test_weighted_mmd_matches_naive(name, kw, estimator):
    X, Y = _data(20, 27)
    rng = np.random.default_rng(3)
    wx, wy = rng.uniform(0, 2, 20), rng.uniform(0, 2, 27)
    wx[4] = 0.0
    value = mmd(X, Y, kernel=name, estimator=estimator, weights_x=wx, weights_y=wy, **kw)
    np.testing.assert_allclose(value, _naive(X, Y, name, kw, estimator, wx, wy), rtol=1e-10)


def test_weights_are_normalised_and_equal_weights_change_nothing():
    X, Y = _data(15, 22)
    plain = mmd(X, Y, gamma=0.3, estimator="unbiased")
    np.testing.assert_allclose(
        mmd(X, Y, gamma=0.3, estimator="unbiased", weights_x=np.full(15, 7.0)), plain, rtol=1e-12
    )
    w = np.random.default_rng(0).uniform(size=22)
    np.testing.assert_allclose(
        mmd(X, Y, gamma=0.3, weights_y=w), mmd(X, Y, gamma=0.3, weights_y=10 * w), rtol=1e-12
    )


def test_zero_weights_drop_rows_in_the_biased_estimator():
    X, Y = _data(15, 22)
    w = np.ones(15)
    w[:5] = 0
    np.testing.assert_allclose(
        mmd(X, Y, gamma=0.3, weights_x=w), mmd(X[5:], Y, gamma=0.3), rtol=1e-12
    )


def test_several_gammas_in_one_pass_equal_separate_calls():
    X, Y = _data(40, 33)
    gammas = [0.05, 0.3, 2.0]
    for estimator in ESTIMATORS:
        many = mmd(X, Y, gamma=gammas, estimator=estimator)
        assert isinstance(many, np.ndarray) and many.shape == (3,)
        one_by_one = [mmd(X, Y, gamma=g, estimator=estimator) for g in gammas]
        np.testing.assert_allclose(many, one_by_one, rtol=1e-12)
        np.testing.assert_allclose(
            mmd(X, Y, gamma=gammas, estimator=estimator, reduce="sum"), sum(one_by_one),
            rtol=1e-12,
        )
    lap = mmd(X, Y, kernel="laplacian", gamma=np.array([0.1, 0.5]))
    np.testing.assert_allclose(
        lap, [mmd(X, Y, kernel="laplacian", gamma=g) for g in (0.1, 0.5)], rtol=1e-12
    )


def test_reduce_sum_with_one_gamma_is_the_value():
    X, Y = _data(10, 10)
    assert mmd(X, Y, gamma=0.2, reduce="sum") == mmd(X, Y, gamma=0.2)


# ---------------------------------------------------------------------------------------
# Median heuristic
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", ["rbf", "laplacian"])
def test_median_heuristic_matches_naive(kernel):
    X, Y = _data(30, 21)
    np.testing.assert_allclose(
        median_heuristic(X, Y, kernel=kernel),
        naive.median_heuristic(np.vstack([X, Y]), kernel),
        rtol=1e-12,
    )
    np.testing.assert_allclose(median_heuristic(X), naive.median_heuristic(X), rtol=1e-12)


def test_median_heuristic_subsample_is_reproducible():
    X, Y = _data(700, 600)
    a = median_heuristic(X, Y, max_samples=200, random_state=0)
    assert a == median_heuristic(X, Y, max_samples=200, random_state=0)
    assert a != median_heuristic(X, Y, max_samples=200, random_state=1)
    full = median_heuristic(X, Y, max_samples=None)
    assert abs(a / full - 1) < 0.2  # a subsample estimates the same median


def test_gamma_none_uses_the_median_heuristic():
    X, Y = _data(30, 25)
    gamma = median_heuristic(X, Y)
    assert mmd(X, Y) == mmd(X, Y, gamma=gamma)
    lap = median_heuristic(X, Y, kernel="laplacian")
    assert mmd(X, Y, kernel="laplacian") == mmd(X, Y, kernel="laplacian", gamma=lap)
    # polynomial: scikit-learn's default 1 / n_features
    assert mmd(X, Y, kernel="polynomial") == mmd(X, Y, kernel="polynomial", gamma=1 / 3)


def test_median_heuristic_errors():
    with pytest.raises(ValueError, match="median distance of 0"):
        median_heuristic(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="max_samples must be an int >= 2"):
        median_heuristic(np.ones((5, 2)), max_samples=1)
    with pytest.raises(ValueError, match="'rbf' and 'laplacian'; got kernel='linear'"):
        median_heuristic(np.ones((5, 2)), kernel="linear")
    with pytest.raises(ValueError, match="at least 2 rows"):
        median_heuristic(np.ones((1, 2)))


# ---------------------------------------------------------------------------------------
# Invariants (hypothesis)
# ---------------------------------------------------------------------------------------

_values = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def _pairs(draw, min_rows=2, max_rows=12):
    d = draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.float64, (draw(st.integers(min_rows, max_rows)), d), elements=_values))
    Y = draw(hnp.arrays(np.float64, (draw(st.integers(min_rows, max_rows)), d), elements=_values))
    return X, Y


_kernel_choice = st.sampled_from([("rbf", 0.1), ("laplacian", 0.3), ("rbf", 2.0)])


@settings(max_examples=40, deadline=None)
@given(_pairs(), _kernel_choice, st.sampled_from(["biased", "unbiased"]))
def test_symmetric_in_x_and_y(pair, kernel, estimator):
    X, Y = pair
    name, gamma = kernel
    a = mmd(X, Y, kernel=name, gamma=gamma, estimator=estimator)
    b = mmd(Y, X, kernel=name, gamma=gamma, estimator=estimator)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(_pairs(), _kernel_choice)
def test_biased_is_nonnegative_and_zero_on_equal_samples(pair, kernel):
    X, Y = pair
    name, gamma = kernel
    assert mmd(X, Y, kernel=name, gamma=gamma) >= 0
    assert mmd(X, X, kernel=name, gamma=gamma) == pytest.approx(0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(_pairs(), _kernel_choice, st.sampled_from(["biased", "unbiased"]), st.randoms())
def test_invariant_to_row_order(pair, kernel, estimator, random):
    X, Y = pair
    name, gamma = kernel
    px = list(range(len(X)))
    py = list(range(len(Y)))
    random.shuffle(px)
    random.shuffle(py)
    np.testing.assert_allclose(
        mmd(X[px], Y[py], kernel=name, gamma=gamma, estimator=estimator),
        mmd(X, Y, kernel=name, gamma=gamma, estimator=estimator),
        rtol=1e-9, atol=1e-12,
    )


def test_unbiased_mean_is_the_population_value():
    # X ~ N(0, 1), Y ~ N(mu, 1) in 1-D with k = exp(-gamma (x - y)^2) has
    # MMD^2 = 2 / sqrt(1 + 4 gamma) * (1 - exp(-gamma mu^2 / (1 + 4 gamma)))
    gamma, mu, n, reps = 0.5, 0.5, 20, 400
    c = 1 + 4 * gamma
    population = 2 / np.sqrt(c) * (1 - np.exp(-gamma * mu**2 / c))
    rng = np.random.default_rng(0)
    unbiased, biased = [], []
    for _ in range(reps):
        X = rng.normal(size=(n, 1))
        Y = rng.normal(loc=mu, size=(n, 1))
        unbiased.append(mmd(X, Y, gamma=gamma, estimator="unbiased"))
        biased.append(mmd(X, Y, gamma=gamma))
    se = np.std(unbiased) / np.sqrt(reps)
    assert abs(np.mean(unbiased) - population) < 4 * se
    # the V-statistic is biased upwards by about (2 - 2 E k(x, x')) / n
    assert np.mean(biased) - population > 4 * se


# ---------------------------------------------------------------------------------------
# float32
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("name, kw", KERNELS)
def test_float32_input_is_computed_in_float32(name, kw, estimator, monkeypatch):
    X, Y = _data(300, 280, d=4, loc=1.0, dtype=np.float32)
    seen = []
    real = _kernel_sums.weighted_kernel_sums

    def spy(pairs, params, n_threads=None):
        seen.extend(a.X.dtype for a, *_ in pairs)
        return real(pairs, params, n_threads)

    monkeypatch.setattr("skt.metrics._mmd.weighted_kernel_sums", spy)
    v32 = mmd(X, Y, kernel=name, estimator=estimator, **kw)
    if name != "linear" and estimator != "linear":  # (these two are closed forms in NumPy)
        assert seen and all(dt == np.float32 for dt in seen)
    v64 = mmd(X.astype(np.float64), Y.astype(np.float64), kernel=name, estimator=estimator, **kw)
    np.testing.assert_allclose(v32, v64, rtol=2e-4)


def test_mixed_dtypes_use_float64():
    X, Y = _data(30, 20)
    assert mmd(X.astype(np.float32), Y, gamma=0.3) == mmd(
        X.astype(np.float32).astype(np.float64), Y, gamma=0.3
    )


# ---------------------------------------------------------------------------------------
# Dask
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("name, kw", KERNELS)
def test_dask_matches_numpy(name, kw, estimator):
    da = pytest.importorskip("dask.array")
    X, Y = _data(230, 170, d=3)
    dX = da.from_array(X, chunks=(60, 2))
    dY = da.from_array(Y, chunks=(45, 3))
    np.testing.assert_allclose(
        mmd(dX, dY, kernel=name, estimator=estimator, **kw),
        mmd(X, Y, kernel=name, estimator=estimator, **kw),
        rtol=1e-10,
    )


def test_dask_with_weights_several_gammas_and_the_heuristic():
    da = pytest.importorskip("dask.array")
    X, Y = _data(1300, 900, d=3)
    rng = np.random.default_rng(0)
    wx, wy = rng.uniform(size=1300), rng.uniform(size=900)
    dX, dY = da.from_array(X, chunks=250), da.from_array(Y, chunks=400)
    for estimator in ("biased", "unbiased"):
        np.testing.assert_allclose(
            mmd(dX, dY, gamma=[0.1, 1.0], weights_x=wx, weights_y=wy, estimator=estimator),
            mmd(X, Y, gamma=[0.1, 1.0], weights_x=wx, weights_y=wy, estimator=estimator),
            rtol=1e-10,
        )
    # the median heuristic draws the same subsample from Dask and NumPy input
    assert median_heuristic(dX, dY, random_state=3) == median_heuristic(X, Y, random_state=3)
    np.testing.assert_allclose(
        mmd(dX, Y, random_state=3), mmd(X, Y, random_state=3), rtol=1e-10
    )


def test_dask_float32():
    da = pytest.importorskip("dask.array")
    X, Y = _data(200, 150, dtype=np.float32)
    value = mmd(da.from_array(X, chunks=64), da.from_array(Y, chunks=64), gamma=0.2)
    np.testing.assert_allclose(value, mmd(X, Y, gamma=0.2), rtol=1e-5)


def test_dask_errors():
    da = pytest.importorskip("dask.array")
    X, Y = _data(100, 100)
    bad = X.copy()
    bad[77, 1] = np.nan
    with pytest.raises(ValueError, match=r"Input X contains NaN or infinity \(in the chunk of "
                                         r"rows 60:90\)"):
        mmd(da.from_array(bad, chunks=30), Y, gamma=0.1)
    unknown = da.from_array(X, chunks=30)
    unknown = unknown[unknown[:, 0] > -np.inf]  # boolean indexing: unknown chunk sizes
    with pytest.raises(ValueError, match="Y has unknown chunk sizes"):
        mmd(X, unknown, gamma=0.1)
    with pytest.raises(ValueError, match="same number of features; got X with 3 and Y with 2"):
        mmd(da.from_array(X), da.from_array(Y[:, :2]), gamma=0.1)
    with pytest.raises(ValueError, match="X is empty"):
        mmd(da.from_array(X[:0]), Y, gamma=0.1)


# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------

X5, Y5 = _data(5, 6)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((X5, Y5[:, :2]), {}, "same number of features; got X with 3 and Y with 2"),
        ((X5[:0], Y5), {}, r"X is empty: got shape \(0, 3\)"),
        ((X5, Y5[:0]), {}, r"Y is empty: got shape \(0, 3\)"),
        ((np.where(X5 > 3, np.nan, X5), Y5), {}, "Input X contains NaN"),
        ((X5, np.where(Y5 > 3, np.inf, Y5)), {}, "Input Y contains infinity"),
        ((X5, Y5), dict(gamma=0), "gamma must be a positive finite number; got gamma=0"),
        ((X5, Y5), dict(gamma=-1.5), "gamma must be a positive finite number; got gamma=-1.5"),
        ((X5, Y5), dict(gamma=np.nan), "gamma must be a positive finite number; got gamma=nan"),
        ((X5, Y5), dict(gamma=[0.1, -2]), "gamma must be a positive finite number; got gamma=-2"),
        ((X5, Y5), dict(gamma=[]), "gamma is an empty sequence"),
        ((X5, Y5), dict(gamma="scale"), "gamma must be a positive finite number"),
        ((X5, Y5), dict(kernel="sigmoid"),
         "kernel must be one of 'rbf', .*; got kernel='sigmoid'"),
        ((X5, Y5), dict(kernel="linear", gamma=1.0), "takes no gamma; got gamma=1.0"),
        ((X5, Y5), dict(kernel="polynomial", degree=0),
         "degree must be a positive number; got degree=0"),
        ((X5, Y5), dict(kernel="polynomial", coef0=np.inf), "coef0 must be a finite number"),
        ((X5, Y5), dict(estimator="quadratic"),
         "estimator must be one of 'biased', 'unbiased', 'linear'; got estimator='quadratic'"),
        ((X5[:1], Y5), dict(estimator="unbiased"),
         "estimator='unbiased' needs at least 2 rows in X and in Y; X has 1 row"),
        ((X5, Y5[:1]), dict(estimator="linear"),
         "estimator='linear' needs at least 2 rows in X and in Y; Y has 1 row"),
        ((X5, Y5), dict(weights_x=np.ones(4)),
         r"weights_x must be a 1-D array with one weight per row of X \(5\); got shape \(4,\)"),
        ((X5, Y5), dict(weights_y=-np.ones(6)),
         "weights_y must be non-negative; found the value -1.0"),
        ((X5, Y5), dict(weights_y=np.full(6, np.nan)), "weights_y must be finite; found NaN"),
        ((X5, Y5), dict(weights_x=np.zeros(5)), "weights_x must have a positive sum"),
        ((X5, Y5), dict(weights_x=np.eye(5)[0], estimator="unbiased"),
         "weights_x puts all the weight on one row"),
        ((X5, Y5), dict(weights_x=np.ones(5), estimator="linear"),
         "estimator='linear' takes no weights"),
        ((X5, Y5), dict(reduce="mean"), "reduce must be None or 'sum'; got reduce='mean'"),
    ],
)
def test_errors_name_the_argument_and_what_was_found(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mmd(*args, **kwargs)


def test_import_compiles_nothing():
    code = (
        "import skt, skt.metrics\n"
        "from numba.core.registry import CPUDispatcher\n"
        "from skt.metrics import _kernels\n"
        "compiled = [n for n, f in vars(_kernels).items()\n"
        "            if isinstance(f, CPUDispatcher) and f.signatures]\n"
        "assert not compiled, compiled\n"
        "import sys; assert 'skt.metrics' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_overflowing_squared_norms_are_an_error_not_a_wrong_value():
    X = np.random.default_rng(0).uniform(size=(10, 3)).astype(np.float32) * np.float32(1e20)
    with pytest.raises(ValueError, match="Squared norms of the rows overflow float32"):
        mmd(X, X[::-1] * 0.5, gamma=1e-40)
