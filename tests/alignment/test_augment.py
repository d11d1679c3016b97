"""Feature augmentation: block layout, several domains, labeled target rows."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import skt


def test_two_domain_layout():
    X = np.arange(12.0).reshape(4, 3)
    y = np.array([0, 1, 0, 1])
    sd = np.array([1, 1, -2, -2])
    Z = skt.FeatureAugmentation().fit_transform(X, y, sample_domain=sd)
    zeros = np.zeros((2, 3))
    np.testing.assert_array_equal(Z[:2], np.hstack([X[:2], X[:2], zeros]))
    np.testing.assert_array_equal(Z[2:], np.hstack([X[2:], zeros, X[2:]]))


def test_several_domains_get_one_block_each():
    rng = np.random.RandomState(0)
    X = rng.randn(10, 2)
    sd = np.array([2, 2, 1, 1, -1, -1, -3, -3, 1, -3])
    fa = skt.FeatureAugmentation().fit(X, np.zeros(10, int), sample_domain=sd)
    np.testing.assert_array_equal(fa.domain_ids_, [1, 2, -1, -3])
    Z = fa.transform(X, sample_domain=sd)
    assert Z.shape == (10, 10)
    for i, d in enumerate(sd):
        b = list(fa.domain_ids_).index(d)
        expected = np.zeros(10)
        expected[:2] = X[i]
        expected[2 * (b + 1) : 2 * (b + 2)] = X[i]
        np.testing.assert_array_equal(Z[i], expected)


def test_new_rows_are_target_rows_whatever_the_target_id():
    X = np.ones((4, 2))
    fa = skt.FeatureAugmentation().fit(X, [0, 1, 0, 1], sample_domain=[1, 1, -5, -5])
    np.testing.assert_array_equal(fa.transform(X[:1]), [[1, 1, 0, 0, 1, 1]])


def test_unseen_domain_without_a_single_counterpart_is_an_error():
    X = np.ones((6, 2))
    fa = skt.FeatureAugmentation().fit(X, np.zeros(6, int), sample_domain=[1, 1, -1, -1, -2, -2])
    with pytest.raises(ValueError, match=r"id -7, which was not seen in fit \(seen: \[1, -1, -2\]"
                                         r"\), and there is no single target domain"):
        fa.transform(X[:1], sample_domain=[-7])
    # with one source domain, an unseen positive id maps to it
    np.testing.assert_array_equal(fa.transform(X[:1], sample_domain=[3]), [[1, 1, 1, 1, 0, 0, 0,
                                                                            0]])


def test_needs_sample_domain_and_labeled_target_rows():
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match="labeled target rows are needed.*pass sample_domain"):
        skt.FeatureAugmentation().fit(X, [0, 1, -1, -1])
    with pytest.raises(ValueError, match="no labeled target rows"):
        skt.FeatureAugmentation().fit(X, [0, 1, -1, -1], sample_domain=[1, 1, -1, -1])


def test_helps_a_linear_model_under_concept_shift():
    # the target's decision rule is rotated: a few labeled target rows and a per-domain
    # correction recover it; pooling without augmentation cannot fit both rules
    X, y, sd = skt.datasets.make_domain_shift(
        "concept", n_samples_source=300, n_samples_target=300, shift=2.0, random_state=0
    )
    rng = np.random.RandomState(0)
    target = np.flatnonzero(sd < 0)
    labeled = rng.choice(target, 40, replace=False)
    y_train = y.copy()
    y_train[np.setdiff1d(target, labeled)] = -1
    test = np.setdiff1d(target, labeled)
    plain = skt.Pooled(LogisticRegression()).fit(X, y_train, sample_domain=sd)
    pipe = make_pipeline(skt.FeatureAugmentation(), skt.Pooled(LogisticRegression()))
    pipe.fit(X, y_train, featureaugmentation__sample_domain=sd, pooled__sample_domain=sd)
    assert pipe.score(X[test], y[test]) > plain.score(X[test], y[test]) + 0.05


def test_feature_mismatch_and_dtype():
    X = np.ones((4, 3), dtype=np.float32)
    fa = skt.FeatureAugmentation().fit(X, [0, 1, 0, 1], sample_domain=[1, 1, -1, -1])
    assert fa.transform(X).dtype == np.float32
    with pytest.raises(ValueError, match="X has 2 features, but FeatureAugmentation is expecting"):
        fa.transform(X[:, :2])
