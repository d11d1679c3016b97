"""MultiSourceTrAdaBoostClassifier and TaskTrAdaBoostClassifier (Yao and Doretto, 2010)."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import skt

from . import _naive

TREE = DecisionTreeClassifier(max_depth=2, random_state=0)
ESTIMATORS = [skt.MultiSourceTrAdaBoostClassifier, skt.TaskTrAdaBoostClassifier]


def several_sources(*, n_classes=2, noisy=(3,), n_labeled=30, seed=0, shift=0.5):
    """Three sources cut from one shifted source (ids 1, 2, 3), labels of ``noisy`` sources
    permuted, and ``n_labeled`` labeled target rows; returns the training labels, the true
    labels and the rows to test on."""
    X, y, sd = skt.datasets.make_domain_shift(
        "covariate", shift=shift, n_samples_source=300, n_samples_target=200,
        n_classes=n_classes, random_state=seed,
    )
    rng = np.random.RandomState(seed)
    source = np.flatnonzero(sd > 0)
    sd[source] = 1 + np.arange(source.shape[0]) % 3
    for k in noisy:
        rows = sd == k
        y[rows] = rng.permutation(y[rows])
    target = np.flatnonzero(sd < 0)
    labeled = rng.choice(target, n_labeled, replace=False)
    test = np.setdiff1d(target, labeled)
    y_train = y.copy()
    y_train[test] = -1
    return X, y_train, y, sd, test


def training_view(X, y_train, sd):
    rows = (sd > 0) | (y_train != -1)
    return X[rows], y_train[rows], sd[rows]


# -- faithful to the paper --------------------------------------------------------------------


@pytest.mark.parametrize("initial_target_weight", [None, 0.5])
def test_multi_source_matches_paper_algorithm(initial_target_weight):
    X, y_train, y, sd, test = several_sources()
    model = skt.MultiSourceTrAdaBoostClassifier(
        TREE, n_estimators=8, initial_target_weight=initial_target_weight, random_state=3
    ).fit(X, y_train, sample_domain=sd)

    Xt, yt, dt = training_view(X, y_train, sd)
    is_source = dt > 0
    if initial_target_weight is None:
        w1 = np.ones(len(yt))
    else:
        w1 = np.where(is_source, 0.5 / is_source.sum(), 0.5 / (~is_source).sum())
    learners, alphas, errors, chosen, w_final = _naive.multi_source_tradaboost_binary(
        TREE, Xt, 2 * yt - 1, dt, 8, w1, seed=3
    )
    assert len(model.estimators_) == len(learners)
    np.testing.assert_allclose(model.estimator_errors_, errors, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(model.estimator_weights_, 2 * alphas, rtol=1e-10)
    np.testing.assert_array_equal(model.estimator_sources_, chosen)
    np.testing.assert_allclose(model.source_weights_, w_final[is_source], rtol=1e-8)
    np.testing.assert_allclose(model.target_weights_, w_final[~is_source], rtol=1e-8)
    expected, total = _naive.sign_vote(learners, alphas, X[test])
    clear = np.abs(total) > 1e-9
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(2 * model.predict(X[test])[clear] - 1, expected[clear])


def test_multi_source_picks_the_useful_sources():
    X, y_train, y, sd, test = several_sources(noisy=(3,))
    model = skt.MultiSourceTrAdaBoostClassifier(
        TREE, n_estimators=10, initial_target_weight=None, random_state=0
    ).fit(X, y_train, sample_domain=sd)
    np.testing.assert_array_equal(model.source_ids_, [1, 2, 3])
    assert model.candidate_errors_.shape == (len(model.estimators_), 3)
    # with the initial weights the source with permuted labels has the worst learner; later,
    # once its rows have lost their weight, its learner follows the target rows (see Notes)
    assert np.argmax(model.candidate_errors_[0]) == 2
    assert model.estimator_sources_[0] != 3
    np.testing.assert_allclose(model.candidate_errors_.min(axis=1), model.estimator_errors_)


@pytest.mark.parametrize("gamma", [0.0, 0.2])
def test_task_tradaboost_matches_paper_algorithm(gamma):
    X, y_train, y, sd, test = several_sources(noisy=())
    model = skt.TaskTrAdaBoostClassifier(
        TREE, n_estimators=8, n_source_estimators=5, gamma=gamma, random_state=1
    ).fit(X, y_train, sample_domain=sd)
    Xt, yt, dt = training_view(X, y_train, sd)
    H, picks, alphas, errors = _naive.task_tradaboost_binary(
        TREE, Xt, 2 * yt - 1, dt, 8, 5, gamma, seed=1
    )
    assert len(model.candidates_) == len(H)
    np.testing.assert_allclose(model.estimator_errors_, errors, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(model.estimator_weights_, 2 * alphas, rtol=1e-10)
    expected, total = _naive.sign_vote([H[j] for j in picks], alphas, X[test])
    clear = np.abs(total) > 1e-9
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(2 * model.predict(X[test])[clear] - 1, expected[clear])


def test_gamma_thins_the_candidates():
    X, y_train, y, sd, test = several_sources(noisy=(3,))
    counts = []
    for gamma in (0.0, 0.3, 1.0):
        model = skt.TaskTrAdaBoostClassifier(
            TREE, n_estimators=5, n_source_estimators=6, gamma=gamma, random_state=0
        ).fit(X, y_train, sample_domain=sd)
        counts.append(len(model.candidates_))
        assert set(model.estimator_sources_) <= set(model.candidate_sources_)
    assert counts[0] >= counts[1] >= counts[2] and counts[0] > counts[2]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_multiclass_is_samme(Estimator):
    X, y_train, y, sd, test = several_sources(n_classes=3, noisy=(3,), n_labeled=45)
    model = Estimator(TREE, n_estimators=6, random_state=0).fit(X, y_train, sample_domain=sd)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    eps = model.estimator_errors_
    ok = eps < 2 / 3
    np.testing.assert_allclose(
        model.estimator_weights_[ok], np.log((1 - eps[ok]) / eps[ok]) + np.log(2), rtol=1e-10
    )
    proba = model.predict_proba(X[test])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X[test]), model.classes_[proba.argmax(1)])
    assert model.score(X[test], y[test]) > 0.5


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_every_learner_votes_and_staged_ends_at_predict(Estimator):
    X, y_train, y, sd, test = several_sources()
    model = Estimator(TREE, n_estimators=6, random_state=0).fit(X, y_train, sample_domain=sd)
    votes = np.zeros((len(test), 2))
    for learner, weight in zip(model.estimators_, model.estimator_weights_, strict=True):
        votes[np.arange(len(test)), learner.predict(X[test])] += weight
    np.testing.assert_allclose(model.predict_proba(X[test]), votes / votes.sum(1, keepdims=True))
    staged = list(model.staged_predict(X[test]))
    assert len(staged) == len(model.estimators_)
    np.testing.assert_array_equal(staged[-1], model.predict(X[test]))


# -- behaviour -------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_irrelevant_source_hurts_less_than_pooling(Estimator):
    # sources 1, 2 relevant, 3 with permuted labels; boosting per source keeps its accuracy
    scores = {"pooled": [], "multi": []}
    for seed in range(3):
        X, y_train, y, sd, test = several_sources(noisy=(3,), seed=seed, n_labeled=20)
        pooled = skt.TrAdaBoostClassifier(TREE, n_estimators=10, random_state=0)
        multi = Estimator(TREE, n_estimators=10, random_state=0)
        scores["pooled"].append(pooled.fit(X, y_train, sample_domain=sd).score(X[test], y[test]))
        scores["multi"].append(multi.fit(X, y_train, sample_domain=sd).score(X[test], y[test]))
    assert np.mean(scores["multi"]) >= np.mean(scores["pooled"]) - 0.02


def test_single_source_id_runs_as_tradaboost_with_all_rounds_voting():
    X, y_train, y, sd, test = several_sources(noisy=())
    sd = np.where(sd > 0, 1, sd)
    multi = skt.MultiSourceTrAdaBoostClassifier(TREE, n_estimators=6, random_state=0)
    single = skt.TrAdaBoostClassifier(TREE, n_estimators=6, random_state=0)
    multi.fit(X, y_train, sample_domain=sd)
    single.fit(X, y_train, sample_domain=sd)
    # one source: the same rounds as TrAdaBoost (only the vote differs)
    np.testing.assert_allclose(multi.estimator_errors_, single.estimator_errors_, rtol=1e-10)
    np.testing.assert_allclose(multi.source_weights_, single.source_weights_, rtol=1e-10)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_linear_learner_in_pipeline_and_grid_search(Estimator):
    X, y_train, y, sd, test = several_sources(n_labeled=40)
    pipe = make_pipeline(StandardScaler(), Estimator(LogisticRegression(), random_state=0))
    step = pipe.steps[-1][0]
    labeled = y_train != -1
    grid = GridSearchCV(pipe, {f"{step}__n_estimators": [2, 4]},
                        cv=StratifiedKFold(2, shuffle=True, random_state=0), error_score="raise")
    grid.fit(X[labeled], y[labeled], **{f"{step}__sample_domain": sd[labeled]})
    assert 0.5 <= grid.score(X[test], y[test]) <= 1


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_random_state_reproducible_and_verbose(Estimator, capsys):
    X, y_train, y, sd, test = several_sources()
    a = Estimator(n_estimators=4, random_state=0, verbose=1).fit(X, y_train, sample_domain=sd)
    b = Estimator(n_estimators=4, random_state=0).fit(X, y_train, sample_domain=sd)
    np.testing.assert_array_equal(a.predict(X[test]), b.predict(X[test]))
    assert type(a).__name__ in capsys.readouterr().out


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sample_domain_is_required(Estimator):
    X, y_train, y, sd, test = several_sources()
    with pytest.raises(ValueError, match="labeled target rows are needed.*pass sample_domain"):
        Estimator().fit(X, y_train)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_base_without_sample_weight_is_a_type_error(Estimator):
    X, y_train, y, sd, test = several_sources()
    with pytest.raises(TypeError, match="KNeighbors.* does not accept sample_weight"):
        Estimator(KNeighborsClassifier()).fit(X, y_train, sample_domain=sd)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_single_class(Estimator):
    X, y_train, y, sd, test = several_sources()
    y_one = np.where(y_train == -1, -1, 1)
    with pytest.raises(ValueError, match="at least 2 classes.*found only the class 1"):
        Estimator().fit(X, y_one, sample_domain=sd)


@pytest.mark.parametrize("value", [-0.1, np.inf, "0.1", None])
def test_bad_gamma(value):
    X, y_train, y, sd, test = several_sources()
    with pytest.raises(ValueError, match="gamma must be a finite number >= 0; got"):
        skt.TaskTrAdaBoostClassifier(gamma=value).fit(X, y_train, sample_domain=sd)


def test_bad_round_counts():
    X, y_train, y, sd, test = several_sources()
    with pytest.raises(ValueError, match="n_source_estimators must be an integer >= 1"):
        skt.TaskTrAdaBoostClassifier(n_source_estimators=0).fit(X, y_train, sample_domain=sd)
    with pytest.raises(ValueError, match="n_estimators must be an integer >= 1"):
        skt.MultiSourceTrAdaBoostClassifier(n_estimators=0).fit(X, y_train, sample_domain=sd)


def test_no_candidate_passes_gamma():
    X, y_train, y, sd, test = several_sources(noisy=(1, 2, 3))
    with pytest.raises(ValueError, match="no phase-I learner passed gamma=5"):
        skt.TaskTrAdaBoostClassifier(TREE, gamma=5).fit(X, y_train, sample_domain=sd)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_source_with_one_row_or_one_class_runs(Estimator):
    # a tiny source is legal: its learners are judged on the target like any other
    X, y_train, y, sd, test = several_sources(noisy=())
    one_class = (sd == 3) & (y_train != 0)
    sd = sd.copy()
    sd[one_class] = 4
    sd[np.flatnonzero(sd == 4)[1:]] = 1  # source 4: a single row; source 3: class 0 only
    model = Estimator(TREE, n_estimators=5, random_state=0).fit(X, y_train, sample_domain=sd)
    np.testing.assert_array_equal(model.source_ids_, [1, 2, 3, 4])
    assert model.score(X[test], y[test]) > 0.6
    if Estimator is skt.TaskTrAdaBoostClassifier:
        # a one-class source is fitted exactly at once: one candidate, then its boosting stops
        assert np.sum(model.candidate_sources_ == 3) == 1
        assert np.sum(model.candidate_sources_ == 4) == 1


def test_weak_learners_stop_the_multi_source_boosting():
    # target labels that no source predicts: every source's learner is no better than chance
    X, y_train, y, sd, test = several_sources(noisy=())
    labeled = y_train != -1
    y_train[labeled] = 1 - y_train[labeled]
    model = skt.MultiSourceTrAdaBoostClassifier(
        TREE, n_estimators=5, initial_target_weight=0.01, random_state=0
    ).fit(X, y_train, sample_domain=sd)
    # boosting stopped at a learner no better than chance, which is discarded
    assert len(model.estimators_) < 5
    assert np.all(model.estimator_errors_ < 0.5)
    assert model.candidate_errors_.shape == (len(model.estimators_), 3)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sparse_rows_give_the_dense_model(Estimator):
    X, y_train, y, sd, test = several_sources()
    dense = Estimator(TREE, n_estimators=4, random_state=0).fit(X, y_train, sample_domain=sd)
    sparse = Estimator(TREE, n_estimators=4, random_state=0)
    sparse.fit(sp.csr_matrix(X), y_train, sample_domain=sd)
    np.testing.assert_array_equal(
        sparse.predict(sp.csr_matrix(X[test])), dense.predict(X[test])
    )
