"""kmm_weights with the target rows as a Dask array: same weights, target never gathered."""

import numpy as np
import pytest

from skt.reweight import kmm_weights

da = pytest.importorskip("dask.array", reason="Dask is an optional extra (skt[dask])")


@pytest.fixture
def samples():
    rng = np.random.RandomState(0)
    return rng.normal(size=(150, 3)), rng.normal(loc=0.5, scale=0.8, size=(230, 3))


@pytest.mark.parametrize("approximation", [None, "nystroem"])
def test_dask_target_gives_the_numpy_weights(samples, approximation):
    Xs, Xt = samples
    kwargs = dict(gamma=0.5, approximation=approximation, n_components=40, reg=1.0,
                  random_state=0)
    expected = kmm_weights(Xs, Xt, **kwargs)
    got = kmm_weights(Xs, da.from_array(Xt, chunks=(50, 3)), **kwargs)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_dask_target_with_the_median_heuristic(samples):
    Xs, Xt = samples
    w = kmm_weights(Xs, da.from_array(Xt, chunks=(64, 3)), reg=1.0, random_state=0)
    assert w.shape == (150,) and np.all(w >= 0) and np.isfinite(w).all()


def test_dask_target_errors(samples):
    Xs, Xt = samples
    with pytest.raises(ValueError, match="approximation=None or 'nystroem'"):
        kmm_weights(Xs, da.from_array(Xt, chunks=50), approximation="random_features",
                    gamma=0.5)
    with pytest.raises(ValueError, match="same number of features"):
        kmm_weights(Xs, da.from_array(Xt[:, :2], chunks=50), gamma=0.5)
    unknown = da.from_array(Xt, chunks=50)[da.from_array(Xt[:, 0] > 0, chunks=50)]
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        kmm_weights(Xs, unknown, gamma=0.5)
    bad = Xt.copy()
    bad[200, 1] = np.nan
    with pytest.raises(ValueError, match="NaN|infinity"):
        kmm_weights(Xs, da.from_array(bad, chunks=50), gamma=0.5)
