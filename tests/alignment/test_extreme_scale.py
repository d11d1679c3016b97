"""Finite input of extreme scale: a correct result or a clear error, never NaN or infinity.

SubspaceAlignment is scale-equivariant (its bases do not depend on the scale), so it computes
on data scaled by a power of two. TCA and JDA are not (``mu`` does not scale with X): their
embedding grows as the square of the scale with the linear kernel, and their eigenproblem as
its fourth power; where the result cannot be represented, the error says so.
"""

import warnings

import numpy as np
import pytest

import skt
from skt._scale import overflow_scale
from skt.base import BaseAdapter


def two_domains(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    sample_domain = np.r_[np.ones(n // 2, dtype=int), -np.ones(n // 2, dtype=int)]
    y = np.r_[np.arange(n // 2) % 2, -np.ones(n // 2, dtype=int)]
    return X, y, sample_domain


def test_subspace_alignment_at_1e300_scales_with_the_data():
    X, _, sd = two_domains(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        sa = skt.SubspaceAlignment(n_components=1).fit(X * 1e300, sample_domain=sd)
        Z = sa.transform(X * 1e300, sample_domain=sd)
    reference = skt.SubspaceAlignment(n_components=1).fit(X, sample_domain=sd)
    assert np.isfinite(Z).all()
    np.testing.assert_allclose(Z, reference.transform(X, sample_domain=sd) * 1e300, rtol=1e-12)
    np.testing.assert_allclose(sa.components_source_, reference.components_source_, rtol=1e-12)
    np.testing.assert_allclose(sa.mean_target_, reference.mean_target_ * 1e300, rtol=1e-12)
    # a variance of 1e600 is beyond float64: inf, the IEEE value of an overflow
    assert np.all(np.isinf(sa.explained_variance_source_))
    np.testing.assert_allclose(
        skt.SubspaceAlignment(n_components=1).fit_transform(X * 1e300, sample_domain=sd), Z
    )


def test_overflow_scale_is_a_power_of_two_for_extreme_data_only():
    X, _, _ = two_domains(10)
    assert overflow_scale(X * 2.0**400) == 1.0
    assert overflow_scale((X * 1e30).astype(np.float32)) == 1.0  # computed in float64
    scale = overflow_scale(X * 1e300)
    assert scale == 2.0 ** np.round(np.log2(scale))
    assert 0.5 <= np.max(np.abs(X * 1e300)) / scale <= 1.0


@pytest.mark.parametrize(
    "make, scale",
    [
        (lambda: skt.TCA(n_components=2), 1e19),
        (lambda: skt.JDA(n_components=2), 1e30),
    ],
)
def test_float32_embedding_beyond_float32_is_an_error(make, scale):
    X, y, _ = two_domains()
    X32 = (X * scale).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match=r"beyond the range of X's dtype float32"):
            make().fit_transform(X32, y)
        # the same data in float64: representable, finite
        Z = make().fit_transform(X32.astype(np.float64), y)
    assert np.isfinite(Z).all()


@pytest.mark.parametrize("kernel", ["linear", "primal"])
@pytest.mark.parametrize("cls", [skt.TCA, skt.JDA])
def test_eigenproblem_overflow_is_an_error(cls, kernel):
    X, y, _ = two_domains()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = 1e100 if kernel == "linear" else 1e300
        with pytest.raises(ValueError, match=rf"{cls.__name__}: the eigenproblem overflows"):
            cls(n_components=2, kernel=kernel).fit(X * scale, y)


def test_transform_of_extreme_rows_is_an_error():
    X, y, _ = two_domains()
    tca = skt.TCA(n_components=2).fit(X.astype(np.float32), y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="beyond the range of X's dtype float32"):
            tca.transform((X * 1e38).astype(np.float32))


class _Overflowing(BaseAdapter):
    """An adapter whose map squares the data (overflows on large rows)."""

    def _fit(self, domains):
        return self

    def _transform(self, X, sample_domain):
        return X * X


def test_base_adapter_refuses_non_finite_output_of_finite_input():
    X, _, sd = two_domains()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match=r"_Overflowing: the output has non-finite values"):
            _Overflowing().fit_transform(X * 1e200, sample_domain=sd)
        adapter = _Overflowing().fit(X, sample_domain=sd)
        with pytest.raises(ValueError, match=r"\|X\| up to 2.+e\+200\). Rescale X"):
            adapter.transform(X * 1e200)
    np.testing.assert_array_equal(adapter.transform(X), X * X)
