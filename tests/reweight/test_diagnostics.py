"""The diagnostic of importance weights: effective sample size and weighted MMD."""

import numpy as np
import pytest

from skt.metrics import mmd
from skt.reweight import WeightDiagnostics, weight_diagnostics


def sample(seed=0):
    rng = np.random.RandomState(seed)
    return rng.normal(size=(100, 2)), rng.normal(loc=0.5, size=(80, 2))


def test_equal_weights_change_nothing():
    Xs, Xt = sample()
    report = weight_diagnostics(Xs, Xt, np.full(100, 3.0), gamma=0.5)
    assert report.effective_sample_size == pytest.approx(100)
    assert report.effective_sample_fraction == pytest.approx(1.0)
    assert report.mmd2_after == pytest.approx(report.mmd2_before)
    assert report.mmd2_before == pytest.approx(mmd(Xs, Xt, gamma=0.5))


def test_effective_sample_size_is_kish():
    Xs, Xt = sample()
    w = np.zeros(100)
    w[:10] = 1.0
    assert weight_diagnostics(Xs, Xt, w, gamma=0.5).effective_sample_size == pytest.approx(10)
    w = np.random.RandomState(0).rand(100)
    report = weight_diagnostics(Xs, Xt, w)
    assert report.effective_sample_size == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert report.mmd2_after == pytest.approx(mmd(Xs, Xt, gamma=report.gamma, weights_x=w))


def test_report_reads_well():
    Xs, Xt = sample()
    report = weight_diagnostics(Xs, Xt, np.ones(100), gamma=0.5)
    assert isinstance(report, WeightDiagnostics)
    assert str(report).startswith("effective sample size 100.0 of 100 (100.0%); MMD^2")


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.ones(99), r"one weight per source row \(100\); got shape \(99,\)"),
        (-np.ones(100), "finite, non-negative and not all zero"),
        (np.zeros(100), "finite, non-negative and not all zero"),
        (np.r_[np.ones(99), np.nan], "finite, non-negative and not all zero"),
    ],
)
def test_bad_weights(weights, match):
    Xs, Xt = sample()
    with pytest.raises(ValueError, match=match):
        weight_diagnostics(Xs, Xt, weights)


def test_low_effective_sample_size_warns():
    from skt.reweight import weight_diagnostics

    rng = np.random.RandomState(0)
    Xs, Xt = rng.randn(100, 2), rng.randn(50, 2)
    w = np.r_[100.0, 100.0, 100.0, np.full(97, 0.01)]
    with pytest.warns(UserWarning, match=r"effective sample size is 3\.0, 3\.0% of the 100 "
                                         r"source rows \(below 5%\)"):
        report = weight_diagnostics(Xs, Xt, w, gamma=1.0)
    assert report.effective_sample_fraction == pytest.approx(0.03, abs=1e-3)
