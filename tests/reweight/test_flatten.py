"""Weight flattening, the effective-sample-size warning, and the high-dimensional collapse."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.reweight._common import FLATTEN_GRID, effective_sample_size, flatten_weights


def high_dimensional_shift(seed, n_features=400, n_rows=400, shift=0.1):
    """A modest mean shift along each of many standardised features; one linear rule."""
    rng = np.random.RandomState(seed)
    beta = 3 * rng.randn(n_features) / np.sqrt(n_features)
    X = np.vstack([rng.randn(n_rows, n_features),
                   rng.randn(n_rows, n_features) + shift * rng.choice([-1, 1], n_features)])
    y = (X @ beta + 0.5 * rng.randn(2 * n_rows) > 0).astype(np.int64)
    return X, y, np.r_[np.ones(n_rows, np.int64), -np.ones(n_rows, np.int64)]


def _target_accuracy(model, X, y, sd):
    pipe = make_pipeline(StandardScaler(), model).fit(X, skt.mask_target_labels(y, sd))
    return 100 * pipe.score(X[sd < 0], y[sd < 0]), pipe[-1]


def test_flatten_weights_interpolates_between_unweighted_and_weighted():
    w = np.random.RandomState(0).exponential(size=50) * 3
    np.testing.assert_array_equal(flatten_weights(w, 0.0), np.ones(50))
    np.testing.assert_allclose(flatten_weights(w, 1.0), w)
    half = flatten_weights(w, 0.5)
    np.testing.assert_allclose(half / half.mean(), np.sqrt(w) / np.sqrt(w).mean())
    assert half.mean() == pytest.approx(np.sqrt(w.mean()))
    # the effective sample size grows as the exponent falls
    ess = [effective_sample_size(flatten_weights(w, e)) for e in FLATTEN_GRID]
    assert np.all(np.diff(ess) < 0) and ess[0] == 50


@pytest.mark.parametrize("make", [
    pytest.param(lambda f: skt.DiscriminativeReweighting(LogisticRegression(max_iter=1000),
                                                         flatten=f), id="discriminative"),
    pytest.param(lambda f: skt.KMM(LogisticRegression(max_iter=1000), flatten=f), id="KMM",
                 marks=pytest.mark.slow),
])
def test_default_weights_do_not_collapse_in_high_dimension(make):
    # the collapse of issue 15: the plain weights lose points to source-only, the defaults
    # (flatten="auto", chosen by importance-weighted CV) do not lose more than one
    X, y, sd = high_dimensional_shift(0)
    source_only, _ = _target_accuracy(skt.SourceOnly(LogisticRegression(max_iter=1000)),
                                      X, y, sd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        plain, _ = _target_accuracy(make(1.0), X, y, sd)
    default, model = _target_accuracy(make("auto"), X, y, sd)
    assert plain < source_only - 2
    assert default >= source_only - 1
    assert model.flatten_ in FLATTEN_GRID and model.flatten_scores_.shape == (5,)


def test_auto_keeps_the_weights_where_they_correct_a_bias():
    X, y, sd = skt.datasets.make_domain_shift("covariate", n_samples_source=300,
                                              n_samples_target=300, random_state=3)
    source_only, _ = _target_accuracy(skt.SourceOnly(LogisticRegression()), X, y, sd)
    default, model = _target_accuracy(skt.ULSIF(random_state=0), X, y, sd)
    assert model.flatten_ > 0 and default > source_only + 3


def test_estimator_is_trained_with_the_flattened_weights():
    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    model = skt.KLIEP(random_state=0, flatten=0.5).fit(X, skt.mask_target_labels(y, sd))
    np.testing.assert_allclose(model.training_weights_, flatten_weights(model.weights_, 0.5))
    ref = LogisticRegression().fit(X[sd > 0], y[sd > 0], sample_weight=model.training_weights_)
    np.testing.assert_allclose(model.estimator_.coef_, ref.coef_)
    assert model.flatten_ == 0.5 and model.flatten_scores_ is None
    unweighted = skt.KLIEP(random_state=0, flatten=0).fit(X, skt.mask_target_labels(y, sd))
    plain = skt.SourceOnly(LogisticRegression()).fit(X, skt.mask_target_labels(y, sd))
    np.testing.assert_allclose(unweighted.estimator_.coef_, plain.estimator_.coef_)


def test_low_effective_sample_size_warns():
    X, y, sd = skt.datasets.make_domain_shift("covariate", n_samples_source=300,
                                              n_samples_target=300, random_state=1)
    with pytest.warns(UserWarning, match=r"effective sample size of the training weights is "
                                         r"[\d.]+, [\d.]+% of the 300 source rows \(below 5%\)"):
        model = skt.DiscriminativeReweighting(flatten=1.0).fit(X, skt.mask_target_labels(y, sd))
    assert model.effective_sample_size_ < 0.05 * 300


@pytest.mark.parametrize("bad", [1.5, -0.1, "none", np.nan])
def test_bad_flatten(bad):
    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    with pytest.raises(ValueError, match="flatten must be"):
        skt.ULSIF(gamma=1.0, reg=0.1, flatten=bad).fit(X, skt.mask_target_labels(y, sd))
