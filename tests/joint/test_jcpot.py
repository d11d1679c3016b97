"""JCPOT: multi-source label propagation under target shift (POT's barycentre)."""

import numpy as np
import pytest

import skt

pytest.importorskip("ot", reason="POT is the optional extra skt[ot]; the test extra installs it")


def _domain(rng, counts, shift):
    """Three well separated classes with the given row counts, all moved by ``shift``."""
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    X = np.vstack([rng.randn(n, 2) + c for n, c in zip(counts, centres, strict=True)]) + shift
    return X, np.repeat(np.arange(3), counts)


def _three_sources(seed=0, target_counts=(20, 30, 50)):
    rng = np.random.RandomState(seed)
    parts = [
        _domain(rng, (60, 20, 20), 0.0),
        _domain(rng, (20, 60, 20), 0.3),
        _domain(rng, (20, 20, 60), -0.3),
    ]
    Xt, yt = _domain(rng, target_counts, 0.5)
    X = np.vstack([p[0] for p in parts] + [Xt])
    y = np.r_[np.concatenate([p[1] for p in parts]), yt]  # target labels present, never read
    sd = np.r_[np.repeat([1, 2, 3], 100), -np.ones(len(yt), int)]
    return X, y, sd, yt


@pytest.mark.filterwarnings("ignore:Algorithm did not converge")
def test_estimates_the_target_class_proportions_and_labels():
    X, y, sd, yt = _three_sources()
    # a small reg_e: the entropic blur pulls the proportions toward the sources' (uniform)
    model = skt.JCPOTLabelPropagation(reg_e=0.03).fit(X, y, sample_domain=sd)
    # the pooled sources are balanced (1/3 each); the target is not
    np.testing.assert_allclose(model.target_proportions_, [0.2, 0.3, 0.5], atol=0.02)
    assert np.mean(model.transduction_ == yt) > 0.95
    np.testing.assert_allclose(model.label_distributions_.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.source_ids_, [1, 2, 3])
    np.testing.assert_allclose(model.source_weights_, np.full(3, 1 / 3))
    assert [G.shape for G in model.couplings_] == [(100, 100)] * 3


def test_each_plan_has_the_target_marginal_and_the_estimated_class_masses():
    X, y, sd, _ = _three_sources()
    model = skt.JCPOTLabelPropagation().fit(X, y, sample_domain=sd)
    for k, G in zip(model.source_ids_, model.couplings_, strict=True):
        np.testing.assert_allclose(G.sum(axis=0), np.full(G.shape[1], 1 / G.shape[1]), atol=1e-6)
        ys = y[sd == k]
        class_mass = [G[ys == c].sum() for c in range(3)]  # what source k sends, per class
        np.testing.assert_allclose(class_mass, model.target_proportions_, atol=1e-6)


def test_several_target_ids_are_pooled_and_target_labels_never_read():
    X, y, sd, yt = _three_sources()
    target = sd < 0
    sd2 = sd.copy()
    sd2[np.flatnonzero(target)[::2]] = -2
    y_poisoned = y.copy()
    y_poisoned[target] = np.random.RandomState(1).permutation(y[target])
    a = skt.JCPOTLabelPropagation().fit(X, y, sample_domain=sd)
    b = skt.JCPOTLabelPropagation().fit(X, y_poisoned, sample_domain=sd2)
    np.testing.assert_array_equal(a.transduction_, b.transduction_)
    np.testing.assert_array_equal(a.predict(X[target]), b.predict(X[target]))


def test_keeps_the_label_dtype():
    X, y, sd, _ = _three_sources()
    names = np.array(["ant", "bee", "cow"])[y]
    model = skt.JCPOTLabelPropagation().fit(X, names, sample_domain=sd)
    assert set(model.predict(X[sd < 0])) <= {"ant", "bee", "cow"}
    np.testing.assert_array_equal(model.source_classes_, ["ant", "bee", "cow"])


def test_a_source_without_a_class_is_refused_by_name():
    X, y, sd, _ = _three_sources()
    drop = (sd == 2) & (y == 1)
    with pytest.raises(ValueError, match=r"source domain 2 has no row of class\(es\) \[1\]"):
        skt.JCPOTLabelPropagation().fit(X[~drop], y[~drop], sample_domain=sd[~drop])


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"reg_e": 0.0}, ValueError, "reg_e"),
        ({"reg_e": -1.0}, ValueError, "reg_e"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"tol": 0.0}, ValueError, "tol"),
        ({"reg_e": 1e-5}, ValueError, "underflowed"),
    ],
)
def test_bad_parameters(params, error, message):
    X, y, sd, _ = _three_sources()
    with pytest.raises(error, match=message):
        skt.JCPOTLabelPropagation(**params).fit(X, y, sample_domain=sd)


def test_estimator_must_be_a_classifier():
    from sklearn.linear_model import Ridge

    X, y, sd, _ = _three_sources()
    with pytest.raises(TypeError, match="must be a classifier"):
        skt.JCPOTLabelPropagation(Ridge()).fit(X, y, sample_domain=sd)


def test_one_source_is_entropic_label_propagation():
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    y = skt.mask_target_labels(y, sd)
    model = skt.JCPOTLabelPropagation(reg_e=0.1).fit(X, y, sample_domain=sd)
    plain = skt.OTLabelPropagation(reg_e=0.1).fit(X, y, sample_domain=sd)
    assert len(model.couplings_) == 1
    np.testing.assert_allclose(model.target_proportions_.sum(), 1.0)
    # same cost normalisation and entropic weight: the labels mostly agree with the plain plan
    assert np.mean(model.transduction_ == plain.transduction_) > 0.9
