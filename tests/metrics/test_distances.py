"""domain_mmd and proxy_a_distance: the domain contract and their values."""

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from skt.metrics import domain_mmd, mmd, proxy_a_distance


def _domains(n_s=60, n_t=40, shift=1.0, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(n_s, 3)), rng.normal(loc=shift, size=(n_t, 3))])
    sample_domain = np.r_[np.ones(n_s, int), -np.ones(n_t, int)]
    y = rng.integers(0, 2, n_s + n_t)
    return X, y, sample_domain


def _samples(**kwargs):
    X, _, sd = _domains(**kwargs)
    return X[sd > 0], X[sd < 0]


def test_two_samples_as_for_mmd():
    # the call shape of mmd: two samples (proxy_a_distance(X_source, X_target) used to fail
    # with "y must be 1-D")
    X_source, X_target = _samples()
    assert domain_mmd(X_source, X_target, gamma=0.3) == mmd(X_source, X_target, gamma=0.3)
    X, _, sd = _domains()
    pad = proxy_a_distance(X_source, X_target, random_state=0)
    assert pad == proxy_a_distance(X, sample_domain=sd, random_state=0)
    assert domain_mmd(X_source=X_source, X_target=X_target) == mmd(X_source, X_target)


@pytest.mark.parametrize("distance", [domain_mmd, proxy_a_distance])
def test_a_call_shape_it_does_not_take_says_what_it_takes(distance):
    X, y, sd = _domains()
    name = distance.__name__
    # a 1-D second argument (domain ids or labels) is not a target sample
    with pytest.raises(ValueError, match=rf"X_target must be a 2-D sample.*{name}\(X, "
                                         r"sample_domain=\.\.\.\)"):
        distance(X, sd)
    with pytest.raises(ValueError, match="not both"):
        distance(X[sd > 0], X[sd < 0], sample_domain=sd)
    with pytest.raises(ValueError, match=rf"{name} takes two samples.*got X_source alone"):
        distance(X)
    Xs, Xt = _samples()
    if distance is proxy_a_distance:
        with pytest.raises(ValueError, match="X_source and X_target must have the same"):
            distance(Xs, Xt[:, :2])


def test_domain_mmd_is_mmd_between_source_and_target_rows():
    X, y, sd = _domains()
    expected = mmd(X[sd > 0], X[sd < 0], gamma=0.3, estimator="unbiased")
    assert domain_mmd(X, sample_domain=sd, gamma=0.3, estimator="unbiased") == expected
    # the masked labels tell the same split
    y_masked = np.where(sd < 0, -1, y)
    assert domain_mmd(X, y=y_masked, gamma=0.3, estimator="unbiased") == expected
    # sample_domain wins over the mask; several source ids are pooled
    sd2 = sd.copy()
    sd2[:30] = 2
    assert domain_mmd(X, y=np.zeros(100, int), sample_domain=sd2, gamma=0.3,
                      estimator="unbiased") == expected


def test_domain_mmd_passes_keywords_and_reports_domain_errors():
    X, _, sd = _domains()
    many = domain_mmd(X, sample_domain=sd, gamma=[0.1, 1.0])
    assert many.shape == (2,)
    with pytest.raises(ValueError, match="no target rows"):
        domain_mmd(X, sample_domain=np.abs(sd))
    with pytest.raises(ValueError, match="kernel must be one of"):
        domain_mmd(X, sample_domain=sd, kernel="cosine")


def test_proxy_a_distance_separable_and_identical_domains():
    X, _, sd = _domains(shift=6.0)
    assert proxy_a_distance(X, sample_domain=sd, random_state=0) == pytest.approx(2.0)
    X, _, sd = _domains(n_s=300, n_t=100, shift=0.0)
    # unequal domain sizes: the balanced error keeps chance level at PAD = 0
    assert abs(proxy_a_distance(X, sample_domain=sd, random_state=0)) < 0.4


def test_proxy_a_distance_grows_with_the_shift_and_takes_an_estimator():
    pads = [
        proxy_a_distance(*_samples(n_s=200, n_t=200, shift=s), random_state=0)
        for s in (0.0, 0.5, 1.5)
    ]
    assert pads[0] < pads[1] < pads[2]
    X, _, sd = _domains(shift=1.0)
    pad = proxy_a_distance(X, sample_domain=sd, estimator=LinearSVC(), cv=3, random_state=0)
    assert 0 < pad <= 2
