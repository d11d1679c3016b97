"""JDA: pseudo-label rounds, the first round is TCA, labels used only as documented."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler

import skt


def _data(seed=0, kind="subspace", n_features=4):
    X, y, sd = skt.datasets.make_domain_shift(
        kind, n_features=n_features, n_classes=3, random_state=seed
    )
    return X, y, sd, skt.mask_target_labels(y, sd)


@pytest.mark.parametrize("kernel", ["primal", "rbf"])
def test_first_round_is_tca(kernel):
    X, y, sd, y_train = _data()
    jda = skt.JDA(3, kernel=kernel, max_iter=1, random_state=0).fit(X, y_train)
    tca = skt.TCA(3, kernel=kernel, random_state=0).fit(X, sample_domain=sd)
    np.testing.assert_allclose(jda.eigenvalues_, tca.eigenvalues_, rtol=1e-10)
    np.testing.assert_allclose(jda.transform(X), tca.transform(X), atol=1e-8)
    assert jda.n_iter_ == 1


def test_pseudo_labels_come_from_the_estimator_on_the_embedding():
    X, y, sd, y_train = _data()
    jda = skt.JDA(3, max_iter=4)
    Z = jda.fit_transform(X, y_train)
    target = sd < 0
    assert jda.pseudo_labels_.shape == (target.sum(),)
    assert set(np.unique(jda.pseudo_labels_)) <= set(jda.classes_)
    # the last pseudo-labeller saw the embedded source rows
    assert jda.estimator_.n_features_in_ == 3
    # the embedding returned is the one of the final round
    np.testing.assert_allclose(Z, jda.transform(X), atol=1e-10)


def _blobs(seed=0):
    """Three well-separated classes; the target is stretched and shifted."""
    rng = np.random.RandomState(seed)
    centres = np.array([[0, 0, 0], [6, 0, 0], [0, 6, 0]])
    ys, yt = rng.randint(0, 3, 150), rng.randint(0, 3, 120)
    Xs = centres[ys] + rng.randn(150, 3)
    Xt = 1.2 * centres[yt] + rng.randn(120, 3) + [2, 2, 1]
    sd = np.r_[np.ones(150, int), -np.ones(120, int)]
    return np.vstack([Xs, Xt]), np.r_[ys, yt], sd


@pytest.mark.parametrize("kernel", ["primal", "rbf"])
def test_stops_when_pseudo_labels_settle(kernel):
    X, y, sd = _blobs()
    y_train = skt.mask_target_labels(y, sd)
    jda = skt.JDA(2, kernel=kernel, max_iter=50, random_state=0).fit(X, y_train)
    assert 2 <= jda.n_iter_ < 50
    assert np.mean(jda.pseudo_labels_ == y[sd < 0]) > 0.95
    # more rounds allowed change nothing: the last round repeated the one before
    again = skt.JDA(2, kernel=kernel, max_iter=jda.n_iter_ + 5, random_state=0).fit(X, y_train)
    assert again.n_iter_ == jda.n_iter_
    np.testing.assert_allclose(again.transform(X), jda.transform(X), atol=1e-8)


def test_class_terms_move_class_means_closer_than_tca():
    X, y, sd, y_train = _data(kind="subspace")
    src, tgt = sd > 0, sd < 0

    def class_gap(Z):
        gaps = [
            np.sum((Z[src & (y == c)].mean(0) - Z[tgt & (y == c)].mean(0)) ** 2)
            for c in np.unique(y)
        ]
        return np.mean(gaps) / Z.var(axis=0).sum()

    Z_tca = skt.TCA(3, kernel="primal", mu=0.1).fit_transform(X, sample_domain=sd)
    Z_jda = skt.JDA(3, kernel="primal", mu=0.1, max_iter=10).fit_transform(X, y_train)
    assert class_gap(Z_jda) < class_gap(Z_tca)


def test_accuracy_on_a_rotated_target_beats_no_adaptation():
    X, y, sd, y_train = _data(kind="subspace", seed=3)
    src, tgt = sd > 0, sd < 0
    one_nn = KNeighborsClassifier(1)
    before = one_nn.fit(X[src], y[src]).score(X[tgt], y[tgt])
    Z = skt.JDA(2, kernel="rbf", mu=0.1, random_state=0).fit_transform(X, y_train)
    after = one_nn.fit(Z[src], y[src]).score(Z[tgt], y[tgt])
    assert after > before


def test_any_classifier_can_pseudo_label():
    X, y, sd, y_train = _data()
    est = make_pipeline(Normalizer(), LogisticRegression())
    jda = skt.JDA(2, estimator=est, max_iter=3).fit(X, y_train)
    assert jda.estimator_.steps[0][0] == "normalizer"
    # string labels work: pseudo_labels_ are in the label space of y
    labels = np.array(["a", "b", "c"])[np.where(y_train < 0, 0, y_train)]
    jda = skt.JDA(2, max_iter=2).fit(X, labels, sample_domain=sd)
    assert set(jda.pseudo_labels_) <= {"a", "b", "c"}


def test_in_a_pipeline_with_masked_labels():
    X, y, sd, y_train = _data()
    pipe = make_pipeline(
        StandardScaler(), skt.JDA(2, max_iter=3), skt.SourceOnly(KNeighborsClassifier(1))
    )
    pipe.fit(X, y_train)
    assert pipe.score(X[sd < 0], y[sd < 0]) > 0.3


def test_needs_labels():
    X, y, sd, y_train = _data()
    with pytest.raises(ValueError, match="JDA requires y to be passed"):
        skt.JDA(2).fit(X, sample_domain=sd)
    with pytest.raises(ValueError, match="Unknown label type: JDA needs class labels"):
        skt.JDA(2).fit(X, y + 0.5, sample_domain=sd)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"max_iter": 0}, "max_iter must be an integer >= 1; got max_iter=0"),
        ({"estimator": "knn"}, "estimator must be a classifier with fit and predict"),
        ({"mu": np.nan}, "mu must be a finite number > 0.0"),
    ],
)
def test_bad_parameters(params, match):
    X, y, sd, y_train = _data()
    with pytest.raises(ValueError, match=match):
        skt.JDA(**{"n_components": 2, **params}).fit(X, y_train)


def test_iterative_rounds_match_the_dense_solver(monkeypatch):
    # the iterative solver keeps its search space from round to round; its block iterations
    # alone (without ARPACK's safety net) follow the dense solver round for round
    from skt.alignment import _tca

    monkeypatch.setattr(
        _tca._KernelEigensolver, "_arpack", lambda self, P: pytest.fail("fell back to ARPACK")
    )
    X, y, sd, y_train = _data(kind="covariate")
    dense = skt.JDA(4, kernel="rbf", eigen_solver="dense", max_iter=4, random_state=0)
    iterative = skt.JDA(4, kernel="rbf", eigen_solver="iterative", max_iter=4, random_state=0)
    dense.fit(X, y_train)
    iterative.fit(X, y_train)
    np.testing.assert_allclose(iterative.eigenvalues_, dense.eigenvalues_, rtol=1e-9)
    np.testing.assert_allclose(iterative.transform(X), dense.transform(X), atol=1e-6)
    np.testing.assert_array_equal(iterative.pseudo_labels_, dense.pseudo_labels_)
    assert iterative.n_iter_ == dense.n_iter_


def test_landmarks():
    X, y, sd, y_train = _data()
    jda = skt.JDA(2, kernel="rbf", n_landmarks=60, max_iter=3, random_state=0)
    Z = jda.fit_transform(X, y_train)
    assert jda.X_fit_.shape == (60, 4)
    np.testing.assert_allclose(Z, jda.transform(X), atol=1e-8)
