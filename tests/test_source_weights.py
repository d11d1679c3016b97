"""Weights per source domain (``source_weighting``, :func:`skt.reweight.source_weights`)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import skt
from skt.reweight import source_weights

METHODS = ("mmd", "a-distance", "two-stage")


def _blobs(rng, n, centres):
    """Rows around the class centres; the label is the centre's index."""
    y = rng.randint(0, len(centres), n)
    return rng.normal(0.0, 0.5, (n, 2)) + np.asarray(centres)[y], y


CENTRES = [[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]]


def _three_sources(seed=0, far=8.0):
    """Source 1 drawn like the target, source 2 mildly shifted, source 3 far away."""
    rng = np.random.RandomState(seed)
    X1, y1 = _blobs(rng, 120, CENTRES)
    X2, y2 = _blobs(rng, 120, CENTRES)
    X2 = X2 + 0.7
    X3, y3 = _blobs(rng, 120, CENTRES)
    X3 = X3 + far
    Xt, yt = _blobs(rng, 120, CENTRES)
    X = np.vstack([X1, X2, X3, Xt])
    y = np.concatenate([y1, y2, y3, yt])
    sd = np.repeat([1, 2, 3, -1], 120)
    return X, y, sd


@pytest.mark.parametrize("method", METHODS)
def test_weights_are_a_distribution_over_the_sources(method):
    X, y, sd = _three_sources()
    ids, w = source_weights(X, y, sd, method=method, random_state=0)
    np.testing.assert_array_equal(ids, [1, 2, 3])
    assert w.shape == (3,)
    assert np.all(w >= 0)
    assert w.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("method", ("mmd", "a-distance"))
def test_identical_source_weighs_most_and_far_source_little(method):
    X, y, sd = _three_sources()
    _, w = source_weights(X, None, sd, method=method, random_state=0)
    assert np.argmax(w) == 0  # drawn like the target
    assert w[2] < 0.05  # far away
    assert w[2] < w[1] < w[0]


def test_two_stage_sees_wrong_labels_that_distances_cannot():
    # source 2 has the same rows as source 1 (same marginal), labels shuffled: the distances
    # weigh them alike, the smoothness of their classifiers on the target does not
    rng = np.random.RandomState(0)
    X1, y1 = _blobs(rng, 150, CENTRES)
    Xt, yt = _blobs(rng, 150, CENTRES)
    X = np.vstack([X1, X1, Xt])
    y = np.concatenate([y1, rng.permutation(y1), yt])
    sd = np.repeat([1, 2, -1], 150)
    _, w_mmd = source_weights(X, y, sd, method="mmd", random_state=0)
    assert w_mmd == pytest.approx([0.5, 0.5])
    _, w = source_weights(X, y, sd, method="two-stage")
    assert w[1] < 0.2 < 0.8 < w[0]


def test_two_stage_never_reads_target_labels():
    X, y, sd = _three_sources()
    y_other = y.copy()
    y_other[sd < 0] = np.random.RandomState(1).permutation(y[sd < 0])
    _, w = source_weights(X, y, sd, method="two-stage")
    _, w_other = source_weights(X, y_other, sd, method="two-stage")
    np.testing.assert_allclose(w, w_other)


def test_estimator_weights_rows_by_source_weight():
    # source 1 weighted 1, source 2 weighted 0: the rows of source 1 carry all the source
    # weight, n_source / n_1 each
    X, y, sd = _three_sources()
    keep = sd != 3
    X, y, sd = X[keep], y[keep], sd[keep]
    model = skt.SourceOnly(LogisticRegression(), source_weighting={1: 1.0, 2: 0.0})
    model.fit(X, y, sample_domain=sd)
    np.testing.assert_array_equal(model.source_ids_, [1, 2])
    np.testing.assert_allclose(model.source_weights_, [1.0, 0.0])
    one = sd == 1
    ref = LogisticRegression().fit(
        X[one], y[one], sample_weight=np.full(one.sum(), (sd > 0).sum() / one.sum())
    )
    np.testing.assert_allclose(model.estimator_.coef_, ref.coef_, rtol=1e-6)


def test_none_pools_and_equal_weights_on_equal_sources_are_pooling():
    X, y, sd = _three_sources()
    pooled = skt.SourceOnly(LogisticRegression()).fit(X, y, sample_domain=sd)
    np.testing.assert_allclose(pooled.source_weights_, [1 / 3] * 3)  # shares of the rows
    equal = skt.SourceOnly(LogisticRegression(), source_weighting={1: 2, 2: 2, 3: 2})
    equal.fit(X, y, sample_domain=sd)
    np.testing.assert_allclose(equal.estimator_.coef_, pooled.estimator_.coef_, rtol=1e-6)


def test_reweighting_multiplies_its_weights_by_the_source_factor():
    X, y, sd = _three_sources()
    model = skt.KMM(LogisticRegression(), gamma=0.5, flatten=1.0,
                    source_weighting={1: 1, 2: 1, 3: 0})
    model.fit(X, y, sample_domain=sd)
    source = sd > 0
    factor = np.where(sd[source] == 3, 0.0, 1.5)  # 1/2 * 360 / 120
    ref = LogisticRegression().fit(
        X[source], y[source], sample_weight=model.training_weights_ * factor
    )
    np.testing.assert_allclose(model.estimator_.coef_, ref.coef_, rtol=1e-6)


@pytest.mark.parametrize("cls", (skt.Pooled, skt.ULSIF, skt.NearestNeighborsReweighting))
def test_other_estimators_expose_source_weights(cls):
    X, y, sd = _three_sources()
    y_train = y.copy()
    target = np.flatnonzero(sd < 0)
    y_train[target[10:]] = -1  # a few labeled target rows for Pooled
    model = cls(LogisticRegression(), source_weighting="mmd").fit(X, y_train, sample_domain=sd)
    assert np.argmax(model.source_weights_) == 0
    assert model.source_weights_.sum() == pytest.approx(1.0)


def test_single_source_gets_weight_one():
    X, y, sd = _three_sources()
    sd = np.where(sd > 0, 4, sd)
    model = skt.SourceOnly(LogisticRegression(), source_weighting="two-stage")
    model.fit(X, y, sample_domain=sd)
    np.testing.assert_array_equal(model.source_ids_, [4])
    np.testing.assert_allclose(model.source_weights_, [1.0])


@pytest.mark.parametrize(
    "weighting, message",
    [
        ({1: 0, 2: 0, 3: 0}, "every source weight is zero"),
        ({1: 1, 2: 1}, r"missing \[3\]"),
        ({1: 1, 2: -1, 3: 1}, "non-negative"),
        ("kl", "source_weighting must be one of"),
    ],
)
def test_bad_source_weighting_is_a_clear_error(weighting, message):
    X, y, sd = _three_sources()
    model = skt.SourceOnly(LogisticRegression(), source_weighting=weighting)
    with pytest.raises(ValueError, match=message):
        model.fit(X, y, sample_domain=sd)


def test_distances_need_target_rows():
    X, y, sd = _three_sources()
    source = sd > 0
    model = skt.SourceOnly(LogisticRegression(), source_weighting="mmd")
    with pytest.raises(ValueError, match="there are none"):
        model.fit(X[source], y[source], sample_domain=sd[source])


def test_two_stage_single_class_source_is_a_clear_error():
    X, y, sd = _three_sources()
    y = y.copy()
    y[sd == 2] = 0
    with pytest.raises(ValueError, match="source 2 has a single class"):
        source_weights(X, y, sd, method="two-stage")


def _quotient_problem(seed, k, rank=None):
    """A random ``(G, V)``: ``V`` a Gram matrix, ``G`` a positive semi-definite one."""
    rng = np.random.RandomState(seed)
    A = rng.normal(size=(k, rank or k + 2))
    B = rng.normal(size=(k, k + 2)) * rng.uniform(0.2, 2.0, (k, 1))
    return B @ B.T, A @ A.T


@pytest.mark.parametrize("seed", range(5))
def test_rayleigh_quotient_minimum_over_the_simplex_is_exact(seed):
    # against a fine grid of the 2-simplex (3 sources): no grid point is lower than the
    # face-by-face minimum, and the minimum is within the grid's resolution of the best point
    from skt._source_weights import _rayleigh_simplex

    G, V = _quotient_problem(seed, 3)
    b = _rayleigh_simplex(G, V, np.ones(3, dtype=bool))
    assert np.all(b >= 0) and b.sum() == pytest.approx(1.0)
    steps = np.linspace(0.0, 1.0, 201)
    grid = np.array([(a, c, 1.0 - a - c) for a in steps for c in steps if a + c <= 1.0 + 1e-12])
    grid = np.clip(grid, 0.0, None)
    values = np.einsum("ij,jk,ik->i", grid, G, grid) / np.einsum("ij,jk,ik->i", grid, V, grid)
    best = (b @ G @ b) / (b @ V @ b)
    assert best <= values.min() + 1e-12
    assert best >= values.min() - 1e-2 * abs(values.min())


def test_rayleigh_quotient_above_the_exact_limit_finds_a_local_minimum(monkeypatch):
    # the SLSQP path (used above 12 sources), forced on 4 sources: it lands on the exact
    # minimum here, and a free mask keeps excluded sources at 0
    import skt._source_weights as module

    G, V = _quotient_problem(3, 4)
    free = np.array([True, True, False, True])
    exact = module._rayleigh_simplex(G, V, free)
    monkeypatch.setattr(module, "EXACT_MAX_SOURCES", 0)
    local = module._rayleigh_simplex(G, V, free)
    assert local[2] == 0.0 and exact[2] == 0.0

    def q(b):
        return (b @ G @ b) / (b @ V @ b)

    assert q(local) == pytest.approx(q(exact), rel=1e-6)


def test_two_stage_gives_a_label_shuffled_source_no_weight_beside_good_ones():
    # two sources drawn like the target and a third that is a copy of the first with its
    # labels shuffled: the shuffled copy gets little weight and the two good sources most
    rng = np.random.RandomState(1)
    X1, y1 = _blobs(rng, 150, CENTRES)
    X2, y2 = _blobs(rng, 150, CENTRES)
    Xt, yt = _blobs(rng, 150, CENTRES)
    X = np.vstack([X1, X2, X1, Xt])
    y = np.concatenate([y1, y2, rng.permutation(y1), yt])
    sd = np.repeat([1, 2, 3, -1], 150)
    _, w = source_weights(X, y, sd, method="two-stage")
    assert w[2] < 0.2
    assert w[0] + w[1] > 0.8
