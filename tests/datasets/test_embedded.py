"""The embedded digits benchmark: deterministic, a real shift, and one adaptation can reduce."""

import numpy as np
import pytest
from scipy import linalg
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.datasets import _embedded, load_digits_shift

KINDS = list(_embedded._KINDS)


def _digits_halves():
    digits = load_digits()
    even = np.arange(digits.target.shape[0]) % 2 == 0
    return digits, even


@pytest.mark.parametrize("kind", KINDS)
def test_layout_labels_and_source_rows(kind):
    X, y, sample_domain = load_digits_shift(kind)
    digits, even = _digits_halves()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.dtype == np.int64 and sample_domain.dtype == np.int64
    np.testing.assert_array_equal(sample_domain, np.repeat([1, -2], [899, 898]))
    # source rows are the even-index images, untouched; labels follow their images
    np.testing.assert_array_equal(X[:899], digits.data[even])
    np.testing.assert_array_equal(y, np.r_[digits.target[even], digits.target[~even]])
    # target rows hold integer grey levels in the digits' range, and differ from the originals
    target = X[899:]
    assert np.array_equal(target, np.round(target)) and target.min() >= 0 and target.max() <= 16
    assert not np.array_equal(target, digits.data[~even])


@pytest.mark.parametrize("kind", KINDS)
def test_deterministic(kind):
    first, second = load_digits_shift(kind), load_digits_shift(kind)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_default_kind_is_rotation():
    np.testing.assert_array_equal(load_digits_shift()[0], load_digits_shift("rotation")[0])


def test_bunch():
    bunch = load_digits_shift("blur", return_bunch=True)
    assert bunch.domain_names == {1: "original", -2: "blur"}
    assert bunch.images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(bunch.images.reshape(1797, 64), bunch.data)
    assert bunch.target_names == [str(d) for d in range(10)]
    assert len(bunch.feature_names) == 64
    assert bunch.DESCR.startswith("The embedded domain-shift benchmark") and "blur" in bunch.DESCR


@pytest.mark.parametrize("kind", ["shear", None, 3])
def test_unknown_kind(kind):
    with pytest.raises(ValueError, match="kind must be one of .*rotation.*; got"):
        load_digits_shift(kind)


# -- the transformations ----------------------------------------------------------------------


def _random_images(n=5, size=8):
    return np.random.RandomState(0).randint(0, 17, size=(n, size, size)).astype(float)


def test_rotation_by_zero_and_scale_by_one_are_the_identity():
    images = _random_images()
    np.testing.assert_allclose(_embedded._rotate(images, 0.0), images, atol=1e-12)
    np.testing.assert_allclose(_embedded._shrink(images, 1.0), images, atol=1e-12)


def test_rotation_turns_counterclockwise():
    images = _random_images()
    # a quarter turn maps the pixel grid onto itself: exactly numpy's counterclockwise rot90
    np.testing.assert_allclose(
        _embedded._rotate(images, 90.0), np.rot90(images, axes=(1, 2)), atol=1e-9
    )


def test_blur_keeps_ink_away_from_the_border_and_spreads_it():
    images = np.zeros((1, 8, 8))
    images[0, 3:5, 3:5] = 16.0
    blurred = _embedded._blur(images, 0.8)
    assert blurred.sum() == pytest.approx(images.sum(), rel=1e-3)
    assert blurred.max() < images.max() and (blurred > 0).sum() > (images > 0).sum()
    np.testing.assert_allclose(blurred[0], blurred[0].T)  # symmetric kernel


def test_thicken_is_a_plus_shaped_dilation():
    images = np.zeros((1, 8, 8))
    images[0, 4, 4] = 7.0
    thick = _embedded._thicken(images)
    expected = np.zeros((8, 8))
    expected[[3, 4, 5, 4, 4], [4, 4, 4, 3, 5]] = 7.0
    np.testing.assert_array_equal(thick[0], expected)
    other = _random_images()
    assert np.all(_embedded._thicken(other) >= other)


def test_shrink_moves_ink_towards_the_centre():
    images = np.zeros((1, 8, 8))
    images[0, 0, :] = 16.0  # a bar along the top edge
    profile = _embedded._shrink(images, 0.85)[0].sum(axis=1)
    # most of the bar's ink moves one row inwards, none further
    assert profile[1] > profile[0] > 0 and profile[2:].sum() == 0


# -- a real shift, and adaptation can help ----------------------------------------------------


def _coral(Xs, Xt, reg=1.0):
    """Reference CORAL (Sun et al., 2016) in NumPy: source rows take the target covariance."""
    d = Xs.shape[1]
    Cs = np.cov(Xs, rowvar=False) + reg * np.eye(d)
    Ct = np.cov(Xt, rowvar=False) + reg * np.eye(d)
    whiten = linalg.fractional_matrix_power(Cs, -0.5)
    colour = linalg.fractional_matrix_power(Ct, 0.5)
    return np.real(Xs @ whiten @ colour)


def _zscore(X):
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


@pytest.mark.parametrize("kind", KINDS)
def test_the_shift_hurts_and_alignment_recovers_part_of_it(kind):
    X, y, sample_domain = load_digits_shift(kind)
    source, target = sample_domain > 0, sample_domain < 0
    y_train = skt.mask_target_labels(y, sample_domain)
    model = make_pipeline(StandardScaler(), skt.SourceOnly(LogisticRegression(max_iter=1000)))
    shifted = model.fit(X, y_train).score(X[target], y[target])

    # the same model, the same source rows, target images left untransformed
    digits, even = _digits_halves()
    X_plain = np.vstack([X[source], digits.data[~even]])
    plain = model.fit(X_plain, y_train).score(X_plain[target], y[target])
    assert plain > 0.9
    assert shifted < plain - 0.2

    Zs, Zt = _zscore(X[source]), _zscore(X[target])
    clf = LogisticRegression(max_iter=1000).fit(_coral(Zs, Zt), y[source])
    assert clf.score(Zt, y[target]) > shifted + 0.05
