"""SER and STRUT: the explicit tree, the two algorithms on known shifts, forests, errors."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skt
from skt.parameter import TransferTreeClassifier, TransferTreeRegressor
from skt.parameter._tree import _Builder


def _shifted(task, random_state=0, n=400, shift=2.0):
    """Source: the label flips at x0 = 0; target: the same, translated to x0 = shift."""
    rng = np.random.RandomState(random_state)
    Xs = rng.randn(n, 3)
    Xt = rng.randn(n, 3)
    Xt[:, 0] += shift
    if task == "classification":
        ys, yt = (Xs[:, 0] > 0).astype(int), (Xt[:, 0] > shift).astype(int)
    else:
        ys, yt = np.where(Xs[:, 0] > 0, 5.0, -5.0), np.where(Xt[:, 0] > shift, 5.0, -5.0)
    return Xs, ys, Xt, yt


def _tree_arrays(tree):
    t = tree.tree_
    return [a.copy() for a in (t.feature, t.threshold, t.children_left, t.value)]


def test_explicit_tree_predicts_as_sklearn():
    # read into the explicit form and frozen with the training rows, the leaves hold the
    # training class frequencies: the probabilities of scikit-learn's tree
    rng = np.random.RandomState(0)
    X = rng.randn(300, 4)
    y = (X[:, 0] + X[:, 1] ** 2 + 0.3 * rng.randn(300) > 0.5).astype(int)
    tree = DecisionTreeClassifier(max_depth=6, random_state=0).fit(X, y)
    X32 = X.astype(np.float32)
    explicit = _Builder(tree.tree_, classifier=True).freeze(0, X32, y, 2, True)
    X_new = rng.randn(500, 4)
    np.testing.assert_allclose(
        explicit.value[explicit.apply(X_new.astype(np.float32))], tree.predict_proba(X_new)
    )
    assert explicit.max_depth == tree.get_depth()
    assert explicit.n_node_samples[0] == 300


@pytest.mark.parametrize("algorithm", ["ser", "strut"])
def test_same_domain_keeps_the_source_predictions(algorithm):
    rng = np.random.RandomState(1)
    X = rng.randn(200, 3)
    y = (X[:, 0] > 0.2).astype(int) + (X[:, 1] > 0).astype(int)
    source = DecisionTreeClassifier(random_state=0).fit(X, y)
    model = TransferTreeClassifier(source_model=source, algorithm=algorithm, random_state=0)
    model.fit(X, y, sample_domain=-np.ones(200, dtype=int))
    np.testing.assert_array_equal(model.predict(X), source.predict(X))


def test_strut_moves_the_threshold_with_the_shift():
    Xs, ys, Xt, yt = _shifted("classification")
    source = DecisionTreeClassifier(max_depth=1, random_state=0).fit(Xs, ys)
    labeled = np.arange(40)
    model = TransferTreeClassifier(source_model=source, algorithm="strut")
    model.fit(Xt[labeled], yt[labeled], sample_domain=-np.ones(40, dtype=int))
    tree = model.trees_[0]
    assert tree.feature[0] == 0
    assert abs(tree.threshold[0] - 2.0) < 0.3
    assert model.score(Xt, yt) > 0.95 > source.score(Xt, yt) + 0.2


def test_strut_regressor_moves_the_threshold_with_the_shift():
    Xs, ys, Xt, yt = _shifted("regression")
    source = DecisionTreeRegressor(max_depth=1, random_state=0).fit(Xs, ys)
    model = TransferTreeRegressor(source_model=source, algorithm="strut")
    model.fit(Xt[:40], yt[:40], sample_domain=-np.ones(40, dtype=int))
    assert abs(model.trees_[0].threshold[0] - 2.0) < 0.3
    assert model.score(Xt, yt) > 0.9 > source.score(Xt, yt)


@pytest.mark.parametrize("Tree, Model", [(DecisionTreeClassifier, TransferTreeClassifier),
                                         (DecisionTreeRegressor, TransferTreeRegressor)])
def test_ser_expands_a_leaf_with_mixed_target_rows(Tree, Model):
    task = "classification" if Tree is DecisionTreeClassifier else "regression"
    Xs, ys, Xt, yt = _shifted(task)
    source = Tree(max_depth=1, random_state=0).fit(Xs, ys)
    before = _tree_arrays(source)
    model = Model(source_model=source, algorithm="ser", random_state=0)
    model.fit(Xt[:60], yt[:60], sample_domain=-np.ones(60, dtype=int))
    # no target row falls left of the source threshold 0: that branch is cut, and the leaf on
    # the right is expanded by a tree grown on the target rows, which splits at the shift
    assert abs(model.trees_[0].threshold[0] - 2.0) < 0.3
    assert model.score(Xt[60:], yt[60:]) > source.score(Xt[60:], yt[60:]) + 0.1
    for a, b in zip(before, _tree_arrays(source), strict=True):  # sklearn's tree untouched
        np.testing.assert_array_equal(a, b)


def test_ser_reduction_prunes_what_the_target_does_not_support():
    # the source splits on x0 and x1 (xor); on the target every row is of class 0, so every
    # leaf of the source predicts the same class there and reduction folds the tree into a leaf
    rng = np.random.RandomState(0)
    Xs = rng.randn(200, 2)
    ys = ((Xs[:, 0] > 0) ^ (Xs[:, 1] > 0)).astype(int)
    source = DecisionTreeClassifier(max_depth=2, random_state=0).fit(Xs, ys)
    Xt = rng.randn(30, 2)
    model = TransferTreeClassifier(source_model=source, algorithm="ser", random_state=0)
    model.fit(Xt, np.zeros(30, dtype=int), sample_domain=-np.ones(30, dtype=int))
    assert source.tree_.node_count == 7
    assert model.trees_[0].node_count == 1
    np.testing.assert_array_equal(model.predict_proba(Xs), np.tile([1.0, 0.0], (200, 1)))


def test_forest_is_transferred_tree_by_tree():
    Xs, ys, Xt, yt = _shifted("classification")
    forest = RandomForestClassifier(n_estimators=7, max_depth=3, random_state=0).fit(Xs, ys)
    model = TransferTreeClassifier(source_model=forest, algorithm="strut")
    model.fit(Xt[:50], yt[:50], sample_domain=-np.ones(50, dtype=int))
    assert len(model.trees_) == 7
    X32 = Xt[50:].astype(np.float32)
    mean = np.mean([t.value[t.apply(X32)] for t in model.trees_], axis=0)
    np.testing.assert_allclose(model.predict_proba(Xt[50:]), mean)
    assert model.score(Xt[50:], yt[50:]) > forest.score(Xt[50:], yt[50:])


def test_fit_from_source_rows_and_string_classes():
    X, y, sd = skt.datasets.make_domain_shift("concept", random_state=0)
    labels = np.array(["no", "yes"])[y]
    labels_train = labels.astype(object)
    model = TransferTreeClassifier(algorithm="ser", random_state=0)
    model.fit(X, labels, sample_domain=sd)
    assert set(model.predict(X)) <= {"no", "yes"}
    assert isinstance(model.source_model_, DecisionTreeClassifier)
    assert labels_train.shape == labels.shape


def test_bad_input():
    Xs, ys, Xt, yt = _shifted("classification", n=50)
    sd = -np.ones(50, dtype=int)
    tree = DecisionTreeClassifier(random_state=0).fit(Xs, ys)
    with pytest.raises(TypeError, match="source_model must be a decision tree or a forest"):
        TransferTreeClassifier(source_model=LogisticRegression().fit(Xs, ys)).fit(
            Xt, yt, sample_domain=sd
        )
    with pytest.raises(Exception, match="not fitted"):
        TransferTreeClassifier(source_model=DecisionTreeClassifier()).fit(
            Xt, yt, sample_domain=sd
        )
    with pytest.raises(ValueError, match="X has 2 features, but source_model"):
        TransferTreeClassifier(source_model=tree).fit(Xt[:, :2], yt, sample_domain=sd)
    with pytest.raises(ValueError, match="target classes the source model does not know: \\[3\\]"):
        TransferTreeClassifier(source_model=tree).fit(Xt, yt + 2 * yt, sample_domain=sd)
    with pytest.raises(ValueError, match="algorithm must be one of"):
        TransferTreeClassifier(source_model=tree, algorithm="mix").fit(Xt, yt, sample_domain=sd)
    with pytest.raises(ValueError, match="no labeled target rows"):
        TransferTreeClassifier(source_model=tree).fit(Xt, np.full(50, -1), sample_domain=sd)
    with pytest.raises(TypeError, match="estimator must be a decision tree or a forest"):
        TransferTreeClassifier(LogisticRegression()).fit(
            np.r_[Xs, Xt], np.r_[ys, yt], sample_domain=np.r_[-sd, sd]
        )
