"""TrAdaBoostClassifier, TrAdaBoostRegressor and TwoStageTrAdaBoostRegressor."""

import math
import warnings

import numpy as np
import pytest
import sklearn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joblib import parallel_config
from sklearn.ensemble import AdaBoostClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skt
from skt.ensemble._tradaboost import _shift_to_target, _weighted_median
from skt.model_selection import StratifiedTargetKFold

from ..strategies import shifted_datasets
from . import _naive

TREE = DecisionTreeClassifier(max_depth=3, random_state=0)
REG_TREE = DecisionTreeRegressor(max_depth=3, random_state=0)


def few_target_labels(kind="covariate", *, n_labeled=30, seed=0, task="classification",
                      source_labels="true", shift=1.0, n_source=300, n_target=300,
                      n_classes=2):
    """Shifted data with ``n_labeled`` labeled target rows; returns the training labels, the
    true labels and the rows to test on (the unlabeled target rows)."""
    X, y, sd = skt.datasets.make_domain_shift(
        kind, task=task, shift=shift, n_samples_source=n_source, n_samples_target=n_target,
        n_classes=n_classes, random_state=seed,
    )
    rng = np.random.RandomState(seed)
    source = sd > 0
    if source_labels == "random":  # irrelevant source: each label flipped with probability 1/2
        y[source] = rng.randint(n_classes, size=source.sum())
    elif source_labels == "flipped":  # adversarial source: every label flipped
        y[source] = (y[source] + 1) % n_classes
    target = np.flatnonzero(~source)
    labeled = rng.choice(target, n_labeled, replace=False)
    test = np.setdiff1d(target, labeled)
    y_train = y.astype(float) if task == "regression" else y.copy()
    y_train[test] = np.nan if task == "regression" else -1
    return X, y_train, y, sd, test


def training_view(X, y_train, sd):
    """Source and labeled target rows in the order of X, as the estimators see them."""
    rows = (sd > 0) | ((sd < 0) & (y_train != -1) & ~np.isnan(y_train.astype(float)))
    return X[rows], y_train[rows], (sd > 0)[rows]


# -- faithful to the papers -------------------------------------------------------------------


@pytest.mark.parametrize("initial_target_weight", [None, 0.5, 0.2])
def test_binary_case_matches_paper_algorithm(initial_target_weight):
    X, y_train, y, sd, test = few_target_labels("concept", shift=0.5, n_labeled=40)
    model = skt.TrAdaBoostClassifier(
        TREE, n_estimators=12, initial_target_weight=initial_target_weight, random_state=3
    ).fit(X, y_train, sample_domain=sd)

    Xt, yt, is_source = training_view(X, y_train, sd)
    if initial_target_weight is None:
        w1 = np.ones(len(yt))
    else:
        w1 = np.where(is_source, (1 - initial_target_weight) / is_source.sum(),
                      initial_target_weight / (~is_source).sum())
    learners, betas, errors, w_final = _naive.tradaboost_binary(
        TREE, Xt, yt, is_source, 12, w1, seed=3
    )
    assert len(model.estimators_) == len(learners)
    np.testing.assert_allclose(model.estimator_errors_, errors, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(model.estimator_weights_, -np.log(betas), rtol=1e-10)
    np.testing.assert_allclose(model.source_weights_, w_final[is_source], rtol=1e-8)
    np.testing.assert_allclose(model.target_weights_, w_final[~is_source], rtol=1e-8)

    expected, margin = _naive.tradaboost_binary_predict(learners, betas, X[test])
    predicted = model.predict(X[test])
    clear = np.abs(margin) > 1e-9 * np.abs(model.estimator_weights_).sum()
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(predicted[clear], expected[clear])
    # exact ties go to the first class, so that predict agrees with predict_proba
    np.testing.assert_array_equal(predicted[~clear], model.classes_[0])


def test_multiclass_matches_samme_reference():
    X, y_train, y, sd, test = few_target_labels(
        "subspace", shift=0.3, n_labeled=45, n_classes=3, n_source=200, n_target=200
    )
    model = skt.TrAdaBoostClassifier(
        TREE, n_estimators=10, initial_target_weight=None, random_state=1
    ).fit(X, y_train, sample_domain=sd)
    Xt, yt, is_source = training_view(X, y_train, sd)
    learners, alphas, errors, w_final = _naive.tradaboost_samme(
        TREE, Xt, yt, is_source, 10, np.ones(len(yt)), seed=1, n_classes=3
    )
    np.testing.assert_allclose(model.estimator_errors_, errors, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(model.estimator_weights_, alphas, rtol=1e-10)
    np.testing.assert_allclose(
        np.concatenate([model.source_weights_, model.target_weights_]).sum(), 1.0
    )
    np.testing.assert_allclose(model.source_weights_, w_final[is_source], rtol=1e-8)
    votes = _naive.samme_predict(learners, alphas, X[test], 3)
    np.testing.assert_allclose(model.predict_proba(X[test]), votes / votes.sum(1, keepdims=True))
    np.testing.assert_array_equal(model.predict(X[test]), votes.argmax(1))


def test_samme_with_two_classes_is_the_binary_algorithm():
    # with K = 2 the generalisation's beta_t = eps / ((1 - eps)(K - 1)) is the paper's
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=30)
    Xt, yt, is_source = training_view(X, y_train, sd)
    w1 = np.ones(len(yt))
    _, betas, errors, w_bin = _naive.tradaboost_binary(TREE, Xt, yt, is_source, 8, w1, 0)
    _, alphas, errors_k, w_k = _naive.tradaboost_samme(TREE, Xt, yt, is_source, 8, w1, 0, 2)
    np.testing.assert_allclose(errors, errors_k)
    np.testing.assert_allclose(-np.log(betas), alphas)
    np.testing.assert_allclose(w_bin, w_k)


def test_labels_are_relabelling_invariant():
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=30)
    names = np.array(["edible", "poisonous"])
    y_named = np.where(y_train == -1, "?", names[np.clip(y_train, 0, 1)]).astype(object)
    y_named[y_train == -1] = None
    plain = skt.TrAdaBoostClassifier(n_estimators=10, random_state=0)
    named = skt.TrAdaBoostClassifier(n_estimators=10, random_state=0)
    plain.fit(X, y_train, sample_domain=sd)
    named.fit(X, y_named, sample_domain=sd)
    np.testing.assert_array_equal(named.classes_, names)
    np.testing.assert_array_equal(named.predict(X[test]), names[plain.predict(X[test])])
    np.testing.assert_allclose(named.predict_proba(X[test]), plain.predict_proba(X[test]))


def test_regressor_matches_pardoe_stone_algorithm():
    X, y_train, y, sd, test = few_target_labels(
        "concept", task="regression", shift=0.3, n_labeled=25, n_source=150, n_target=150
    )
    model = skt.TrAdaBoostRegressor(REG_TREE, n_estimators=9, random_state=2)
    model.fit(X, y_train, sample_domain=sd)
    Xt, yt, is_source = training_view(X, y_train, sd)
    learners, alphas, errors, w_final = _naive.tradaboost_r2(
        REG_TREE, Xt, yt.astype(float), is_source, 9, seed=2
    )
    np.testing.assert_allclose(model.estimator_errors_, errors, rtol=1e-10)
    np.testing.assert_allclose(model.estimator_weights_, alphas, rtol=1e-10)
    np.testing.assert_allclose(model.source_weights_, w_final[is_source], rtol=1e-8)
    np.testing.assert_allclose(
        model.predict(X[test]), _naive.tradaboost_r2_predict(learners, alphas, X[test])
    )


@pytest.mark.parametrize("loss", ["square", "exponential"])
def test_regressor_losses_match_reference(loss):
    X, y_train, y, sd, test = few_target_labels(
        "covariate", task="regression", n_labeled=25, n_source=120, n_target=120
    )
    model = skt.TrAdaBoostRegressor(REG_TREE, n_estimators=6, loss=loss, random_state=0)
    model.fit(X, y_train, sample_domain=sd)
    Xt, yt, is_source = training_view(X, y_train, sd)
    _, alphas, errors, w_final = _naive.tradaboost_r2(
        REG_TREE, Xt, yt.astype(float), is_source, 6, seed=0, loss=loss
    )
    np.testing.assert_allclose(model.estimator_errors_, errors, rtol=1e-10)
    np.testing.assert_allclose(model.target_weights_, w_final[~is_source], rtol=1e-8)


def test_weighted_median_matches_reference():
    rng = np.random.RandomState(0)
    predictions = rng.randint(0, 5, size=(7, 40)).astype(float)  # many ties
    weights = rng.rand(7)
    expected = [
        _naive.weighted_median(list(predictions[:, i]), list(weights)) for i in range(40)
    ]
    np.testing.assert_array_equal(_weighted_median(predictions, weights), expected)


# -- edge cases of the error ----------------------------------------------------------------


def test_perfect_learner_is_floored_and_source_reweighting_goes_on():
    # a deep tree fits the labeled target rows exactly: eps_t = 0 in every round
    X, y_train, y, sd, test = few_target_labels("concept", shift=0.5, n_labeled=20)
    deep = DecisionTreeClassifier(max_depth=4, random_state=0)
    model = skt.TrAdaBoostClassifier(deep, n_estimators=6, random_state=0)
    model.fit(X, y_train, sample_domain=sd)
    assert len(model.estimators_) == 6
    assert np.all(model.estimator_errors_ == 0)
    np.testing.assert_allclose(model.estimator_weights_, math.log((1 - 1e-10) / 1e-10))
    # nothing to correct on the target: its rows keep equal weights ...
    np.testing.assert_allclose(model.target_weights_, model.target_weights_[0])
    # ... while source rows the learners misclassify lost weight
    assert model.source_weights_.min() < model.source_weights_.max()
    assert model.source_weight_mass_[-1] < model.source_weight_mass_[0]


def test_weak_first_learner_is_kept_alone():
    # uniform start and an adversarial, dominant source: the first learner follows the source
    # and is worse than chance on the target rows, so boosting stops at once
    X, y_train, y, sd, test = few_target_labels(
        "covariate", n_labeled=20, source_labels="flipped"
    )
    model = skt.TrAdaBoostClassifier(
        TREE, n_estimators=10, initial_target_weight=None, random_state=0
    ).fit(X, y_train, sample_domain=sd)
    assert len(model.estimators_) == 1
    assert model.estimator_errors_[0] >= 0.5
    np.testing.assert_array_equal(model.predict(X), model.estimators_[0].predict(X))


def test_weak_later_learner_stops_and_is_discarded():
    X, y_train, y, sd, test = few_target_labels("concept", shift=1.0, n_labeled=30, seed=2)
    Xt, yt, is_source = training_view(X, y_train, sd)
    learners, _, errors, _ = _naive.tradaboost_binary(
        TREE, Xt, yt, is_source, 20, np.ones(len(yt)), seed=0
    )
    model = skt.TrAdaBoostClassifier(
        TREE, n_estimators=20, initial_target_weight=None, random_state=0
    ).fit(X, y_train, sample_domain=sd)
    # this draw stops early: the reference and skt discard the same weak learner
    assert 1 < len(model.estimators_) < 20
    assert len(model.estimators_) == len(learners)
    assert np.all(model.estimator_errors_ < 0.5)


def test_dynamic_correction_factor():
    X, y_train, y, sd, test = few_target_labels("concept", shift=0.5, n_labeled=40)
    plain = skt.TrAdaBoostClassifier(n_estimators=2, initial_target_weight=None, random_state=0)
    dynamic = skt.TrAdaBoostClassifier(
        n_estimators=2, initial_target_weight=None, dynamic_correction=True, random_state=0
    )
    plain.fit(X, y_train, sample_domain=sd)
    dynamic.fit(X, y_train, sample_domain=sd)
    # the first learners are identical; after round 1 the only difference is C_1 = 2 (1 - eps)
    eps = plain.estimator_errors_[0]
    assert 0 < eps < 0.5
    c = 2 * (1 - eps)
    s_plain = plain.source_weight_mass_[1]
    expected = c * s_plain / (c * s_plain + (1 - s_plain))
    np.testing.assert_allclose(dynamic.source_weight_mass_[1], expected, rtol=1e-12)
    assert dynamic.source_weight_mass_[1] > plain.source_weight_mass_[1]


# -- what it is for: transfer without negative transfer ----------------------------------------


def _accuracies(source_labels, n_labeled, seeds, **params):
    """Mean target accuracy of TrAdaBoost, the same tree on the labeled target rows, AdaBoost
    on the labeled target rows, the tree on all rows; and the source's final weight share."""
    results = {"ours": [], "target_only": [], "boosted": [], "pooled": [], "mass": []}
    for seed in seeds:
        X, y_train, y, sd, test = few_target_labels(
            "concept", shift=0.25, n_labeled=n_labeled, seed=seed, source_labels=source_labels
        )
        model = skt.TrAdaBoostClassifier(TREE, n_estimators=30, random_state=seed, **params)
        results["ours"].append(model.fit(X, y_train, sample_domain=sd).score(X[test], y[test]))
        results["mass"].append(model.source_weights_.sum())
        alone = skt.TargetOnly(TREE).fit(X, y_train, sample_domain=sd)
        results["target_only"].append(alone.score(X[test], y[test]))
        labeled = (sd < 0) & (y_train != -1)
        boosted = AdaBoostClassifier(TREE, n_estimators=30, random_state=seed)
        results["boosted"].append(boosted.fit(X[labeled], y[labeled]).score(X[test], y[test]))
        both = skt.Pooled(TREE).fit(X, y_train, sample_domain=sd)
        results["pooled"].append(both.score(X[test], y[test]))
    return {name: np.mean(values) for name, values in results.items()}


def test_relevant_source_beats_target_only():
    acc = _accuracies("true", 10, range(6))
    assert acc["ours"] > acc["target_only"] + 0.04


# The figures in the comments below are the means of 40 draws printed by
# benchmarks/bench_tradaboost.py; the tests use the first 6.


def test_irrelevant_source_fades_out_without_negative_transfer():
    # every source label redrawn at random: the source says nothing about the target
    acc = _accuracies("random", 30, range(6))
    # the source loses most of its weight (11% left after 30 rounds) ...
    assert acc["mass"] < 0.2
    # ... and accuracy stays within 3 points of the same tree on the 30 labeled target rows
    # (1.6 points below it), where pooling the same rows loses 17 points
    assert acc["ours"] > acc["target_only"] - 0.03
    assert acc["pooled"] < acc["target_only"] - 0.1


def test_irrelevant_source_collapses_to_boosting_on_the_target():
    # with 60 labeled target rows the random source loses nearly all of its weight (0.7% left):
    # TrAdaBoost is boosting on the target rows, within 1.5 points of scikit-learn's AdaBoost
    # fitted on them alone (0.1 point apart) and within 3 points of the single tree (1.3 below)
    acc = _accuracies("random", 60, range(6))
    assert acc["mass"] < 0.05
    assert acc["ours"] > acc["boosted"] - 0.015
    assert acc["ours"] > acc["target_only"] - 0.03


def _guarded_gains(source_labels, n_labeled, seeds):
    """Accuracy minus target-only, per draw, of TrAdaBoost and of TrAdaBoost guarded by
    cross-validation: plain GridSearchCV choosing between TrAdaBoost and the tree on the
    labeled target rows, with folds over the labeled target rows (StratifiedTargetKFold)."""
    gains = {"plain": [], "guarded": []}
    for seed in seeds:
        X, y_train, y, sd, test = few_target_labels(
            "concept", shift=0.25, n_labeled=n_labeled, seed=seed, source_labels=source_labels
        )
        model = skt.TrAdaBoostClassifier(TREE, n_estimators=30, random_state=seed)
        rows = (sd > 0) | (y_train != -1)  # neither candidate reads the unlabeled target rows
        grid = GridSearchCV(
            Pipeline([("model", model)]),
            {"model": [model, skt.TargetOnly(TREE)]},
            cv=StratifiedTargetKFold(5, shuffle=True, random_state=seed),
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The least populated class")
            grid.fit(X[rows], y_train[rows], groups=sd[rows], model__sample_domain=sd[rows])
        alone = skt.TargetOnly(TREE).fit(X, y_train, sample_domain=sd).score(X[test], y[test])
        plain = model.fit(X, y_train, sample_domain=sd).score(X[test], y[test])
        gains["plain"].append(plain - alone)
        gains["guarded"].append(grid.score(X[test], y[test]) - alone)
    return {name: np.mean(values) for name, values in gains.items()}


@pytest.mark.slow
def test_cross_validation_guards_against_negative_transfer_with_ten_labels():
    # 10 labeled target rows cannot contradict a random source: TrAdaBoost alone loses 6.8
    # points to the tree on those rows (40 draws). Choosing between the two by cross-validation
    # over the labeled target rows (plain GridSearchCV, skt's StratifiedTargetKFold) loses 0.4
    gains = _guarded_gains("random", 10, range(8))
    assert gains["plain"] < -0.03
    assert gains["guarded"] > -0.03


@pytest.mark.slow
def test_cross_validation_guard_keeps_most_of_a_relevant_gain():
    # relevant source, 10 labels: +7.9 points alone, +5.5 guarded (40 draws)
    gains = _guarded_gains("true", 10, range(8))
    assert gains["guarded"] > 0.03
    assert gains["guarded"] > 0.5 * gains["plain"]


def test_adversarial_source_documented_limit():
    # every source label flipped: source rows away from the few labeled target rows are never
    # contradicted, so TrAdaBoost stays below target-only (documented in the user guide)
    acc = _accuracies("flipped", 30, range(4))
    assert acc["mass"] < 0.3
    assert acc["ours"] < acc["target_only"]


def test_multiclass_relevant_source_beats_target_only():
    gains = []
    for seed in range(4):
        X, y_train, y, sd, test = few_target_labels(
            "concept", shift=0.25, n_labeled=15, seed=seed, n_classes=3
        )
        model = skt.TrAdaBoostClassifier(TREE, n_estimators=20, random_state=seed)
        ours = model.fit(X, y_train, sample_domain=sd).score(X[test], y[test])
        alone = skt.TargetOnly(TREE).fit(X, y_train, sample_domain=sd).score(X[test], y[test])
        gains.append(ours - alone)
    assert np.mean(gains) > 0.02


@pytest.mark.parametrize("kind,shift", [("concept", 0.6), ("subspace", 0.3)])
def test_regressors_beat_target_only(kind, shift):
    errors = {"r2": [], "two_stage": [], "target_only": []}
    for seed in range(4):
        X, y_train, y, sd, test = few_target_labels(
            kind, task="regression", shift=shift, n_labeled=20, seed=seed
        )

        def mse(model, X=X, y_train=y_train, sd=sd, y=y, test=test):
            model.fit(X, y_train, sample_domain=sd)
            return mean_squared_error(y[test], model.predict(X[test]))

        errors["r2"].append(mse(skt.TrAdaBoostRegressor(REG_TREE, random_state=seed)))
        errors["two_stage"].append(
            mse(skt.TwoStageTrAdaBoostRegressor(REG_TREE, n_steps=6, random_state=seed))
        )
        errors["target_only"].append(mse(skt.TargetOnly(REG_TREE)))
    means = {k: np.mean(v) for k, v in errors.items()}
    assert means["r2"] < 0.9 * means["target_only"]
    assert means["two_stage"] < 0.9 * means["target_only"]


# -- two-stage ----------------------------------------------------------------------------------


def test_two_stage_schedule_and_choice():
    X, y_train, y, sd, test = few_target_labels(
        "subspace", task="regression", shift=0.3, n_labeled=20
    )
    model = skt.TwoStageTrAdaBoostRegressor(n_steps=5, n_estimators=4, random_state=0)
    model.fit(X, y_train, sample_domain=sd)
    n_target, n_total = 20, 300 + 20
    first = n_target / n_total
    share = first + np.arange(5) / 4 * (1 - first)
    np.testing.assert_allclose(model.source_weight_mass_, 1 - share, atol=1e-12)
    assert model.best_step_ == np.argmin(model.cv_errors_)
    np.testing.assert_allclose(model.source_weights_.sum(), 1 - share[model.best_step_])
    assert np.all(np.isfinite(model.cv_errors_)) and np.all(model.cv_errors_ > 0)


def test_two_stage_is_reproducible_with_any_n_jobs():
    X, y_train, y, sd, test = few_target_labels(
        "concept", task="regression", shift=0.6, n_labeled=20
    )
    params = dict(n_steps=4, n_estimators=3, cv=3, random_state=5)
    one = skt.TwoStageTrAdaBoostRegressor(**params).fit(X, y_train, sample_domain=sd)
    # threads keep the test light; the folds' seeds are drawn before any is dispatched
    with parallel_config(backend="threading"):
        two = skt.TwoStageTrAdaBoostRegressor(**params, n_jobs=2)
        two.fit(X, y_train, sample_domain=sd)
    np.testing.assert_array_equal(one.cv_errors_, two.cv_errors_)
    np.testing.assert_array_equal(one.predict(X[test]), two.predict(X[test]))
    other = skt.TwoStageTrAdaBoostRegressor(**{**params, "random_state": 6})
    other.fit(X, y_train, sample_domain=sd)
    assert not np.array_equal(one.cv_errors_, other.cv_errors_)


def test_two_stage_folds_hold_out_target_rows_only():
    # a base learner that records the rows it is trained on
    seen = []

    class Recording(DecisionTreeRegressor):
        def fit(self, X, y, sample_weight=None):
            seen.append(X.shape[0])
            return super().fit(X, y, sample_weight=sample_weight)

    X, y_train, y, sd, test = few_target_labels(
        "concept", task="regression", n_labeled=12, n_source=50, n_target=50
    )
    skt.TwoStageTrAdaBoostRegressor(
        Recording(max_depth=2), n_steps=2, n_estimators=2, cv=4, random_state=0
    ).fit(X, y_train, sample_domain=sd)
    # every fit sees all 50 source rows, and either all 12 target rows or 3 fewer (one fold)
    assert set(seen) <= {62, 59}
    assert 59 in seen and 62 in seen


def test_shift_to_target_reaches_the_share_and_punishes_large_errors():
    rng = np.random.RandomState(0)
    is_source = np.r_[np.ones(50, bool), np.zeros(10, bool)]
    weights = rng.rand(60)
    weights /= weights.sum()
    errors = rng.rand(60)
    shifted = _shift_to_target(weights, is_source, errors, 0.6)
    np.testing.assert_allclose(shifted.sum(), 1.0)
    np.testing.assert_allclose(shifted[~is_source].sum(), 0.6)
    ratio = shifted[is_source] / weights[is_source]
    # beta ** e with beta < 1: the larger the error, the smaller the ratio
    order = np.argsort(errors[is_source])
    assert np.all(np.diff(ratio[order]) <= 1e-12)
    # all the weight to the target at the last stage
    np.testing.assert_array_equal(_shift_to_target(weights, is_source, errors, 1.0)[:50], 0)


# -- the estimator interface ---------------------------------------------------------------


@pytest.mark.parametrize("n_estimators", [1, 2, 3, 4, 7])
def test_vote_uses_rounds_ceil_half_to_n(n_estimators):
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=30)
    model = skt.TrAdaBoostClassifier(n_estimators=n_estimators, random_state=0)
    model.fit(X, y_train, sample_domain=sd)
    start = math.ceil(n_estimators / 2) - 1
    votes = np.zeros((len(test), 2))
    for est, w in zip(model.estimators_[start:], model.estimator_weights_[start:], strict=True):
        votes[np.arange(len(test)), est.predict(X[test])] += w
    np.testing.assert_allclose(model.predict_proba(X[test]), votes / votes.sum(1, keepdims=True))


def test_staged_methods_end_at_the_final_model():
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=30)
    model = skt.TrAdaBoostClassifier(n_estimators=7, random_state=0)
    model.fit(X, y_train, sample_domain=sd)
    staged = list(model.staged_predict(X[test]))
    assert len(staged) == 7
    np.testing.assert_array_equal(staged[-1], model.predict(X[test]))
    probas = list(model.staged_predict_proba(X[test]))
    np.testing.assert_allclose(probas[-1], model.predict_proba(X[test]))
    for p in probas:
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    decisions = list(model.staged_decision_function(X[test]))
    np.testing.assert_allclose(decisions[-1], model.decision_function(X[test]))
    # the first stage is the first learner alone
    np.testing.assert_array_equal(staged[0], model.estimators_[0].predict(X[test]))

    Xr, yr_train, yr, sdr, test_r = few_target_labels(
        "concept", task="regression", shift=0.3, n_labeled=20
    )
    for reg in (
        skt.TrAdaBoostRegressor(n_estimators=6, random_state=0),
        skt.TwoStageTrAdaBoostRegressor(n_steps=3, n_estimators=4, random_state=0),
    ):
        reg.fit(Xr, yr_train, sample_domain=sdr)
        staged = list(reg.staged_predict(Xr[test_r]))
        assert len(staged) == len(reg.estimators_)
        np.testing.assert_array_equal(staged[-1], reg.predict(Xr[test_r]))


def test_decision_function_agrees_with_predict():
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=30, n_classes=3)
    model = skt.TrAdaBoostClassifier(n_estimators=6, random_state=0)
    model.fit(X, y_train, sample_domain=sd)
    np.testing.assert_array_equal(
        model.classes_[model.decision_function(X).argmax(1)], model.predict(X)
    )


def test_feature_importances_follow_the_base_estimator():
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=30)
    model = skt.TrAdaBoostClassifier(n_estimators=5, random_state=0)
    model.fit(X, y_train, sample_domain=sd)
    assert model.feature_importances_.shape == (2,)
    np.testing.assert_allclose(model.feature_importances_.sum(), 1.0)
    linear = skt.TrAdaBoostClassifier(LogisticRegression(), n_estimators=3)
    linear.fit(X, y_train, sample_domain=sd)
    assert not hasattr(linear, "feature_importances_")
    with pytest.raises(AttributeError, match="LogisticRegression does not provide them"):
        linear.feature_importances_  # noqa: B018


def test_unlabeled_target_rows_are_ignored():
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=30)
    labeled = (sd > 0) | (y_train != -1)
    full = skt.TrAdaBoostClassifier(n_estimators=5, random_state=0)
    full.fit(X, y_train, sample_domain=sd)
    reduced = skt.TrAdaBoostClassifier(n_estimators=5, random_state=0)
    reduced.fit(X[labeled], y_train[labeled], sample_domain=sd[labeled])
    np.testing.assert_array_equal(full.predict(X), reduced.predict(X))
    np.testing.assert_array_equal(full.estimator_errors_, reduced.estimator_errors_)


def test_random_state_and_sample_domain_at_predict():
    X, y_train, y, sd, test = few_target_labels("concept", shift=0.5, n_labeled=30)
    a = skt.TrAdaBoostClassifier(n_estimators=5, random_state=1).fit(X, y_train, sample_domain=sd)
    b = skt.TrAdaBoostClassifier(n_estimators=5, random_state=1).fit(X, y_train, sample_domain=sd)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.predict(X), a.predict(X, sample_domain=sd))
    # score counts the target rows only when sample_domain is given
    manual = np.mean(a.predict(X[sd < 0]) == y[sd < 0])
    np.testing.assert_allclose(a.score(X, y, sample_domain=sd), manual)


def test_verbose_reports_rounds(capsys):
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=30)
    skt.TrAdaBoostClassifier(n_estimators=3, verbose=1).fit(X, y_train, sample_domain=sd)
    out = capsys.readouterr().out
    assert out.count("TrAdaBoostClassifier: round") == 3
    assert "target error" in out and "source weight" in out
    Xr, yr_train, yr, sdr, _ = few_target_labels("concept", task="regression", n_labeled=20)
    skt.TwoStageTrAdaBoostRegressor(n_steps=2, n_estimators=2, verbose=1).fit(
        Xr, yr_train, sample_domain=sdr
    )
    assert capsys.readouterr().out.count("stage") == 2


def test_pipeline_and_grid_search():
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=40)
    pipe = make_pipeline(StandardScaler(), skt.TrAdaBoostClassifier(random_state=0))
    labeled = y_train != -1
    # shuffled folds, so that every training fold holds source and labeled target rows
    grid = GridSearchCV(pipe, {"tradaboostclassifier__n_estimators": [2, 6]},
                        cv=StratifiedKFold(2, shuffle=True, random_state=0), error_score="raise")
    grid.fit(X[labeled], y[labeled], tradaboostclassifier__sample_domain=sd[labeled])
    assert grid.best_params_["tradaboostclassifier__n_estimators"] in (2, 6)
    assert 0 <= grid.score(X[test], y[test]) <= 1


def test_metadata_routing_passes_sample_domain_once():
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=40)
    labeled = y_train != -1
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(StandardScaler(), skt.TrAdaBoostClassifier(random_state=0))
        grid = GridSearchCV(pipe, {"tradaboostclassifier__n_estimators": [2, 6]},
                            cv=StratifiedKFold(2, shuffle=True, random_state=0),
                            error_score="raise")
        grid.fit(X[labeled], y[labeled], sample_domain=sd[labeled])
    # the routed sample_domain also reaches score: only target rows of each fold are scored
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=shifted_datasets(max_rows=40),
    n_labeled=st.integers(2, 10),
    target_weight=st.sampled_from([None, 0.1, 0.5, 0.9]),
    dynamic=st.booleans(),
)
@pytest.mark.filterwarnings("ignore:TrAdaBoostClassifier. every labeled target row")
def test_classifier_weights_stay_a_distribution(data, n_labeled, target_weight, dynamic):
    X, y, sd = data
    y_train = y.copy()
    y_train[np.flatnonzero(sd < 0)[n_labeled:]] = -1
    if np.unique(y_train[y_train != -1]).size < 2:
        y_train[0], y_train[1] = 0, 1  # the first two rows are source rows
    model = skt.TrAdaBoostClassifier(
        n_estimators=8, initial_target_weight=target_weight, dynamic_correction=dynamic,
        random_state=0,
    ).fit(X, y_train, sample_domain=sd)
    weights = np.concatenate([model.source_weights_, model.target_weights_])
    assert np.all(np.isfinite(weights)) and np.all(weights >= 0)
    np.testing.assert_allclose(weights.sum(), 1.0)
    assert np.all((model.source_weight_mass_ >= 0) & (model.source_weight_mass_ <= 1))
    assert np.all(np.isfinite(model.estimator_weights_)) and np.all(model.estimator_weights_ > 0)
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=shifted_datasets(task="regression", max_rows=40), n_labeled=st.integers(3, 10),
       loss=st.sampled_from(["linear", "square", "exponential"]))
def test_regressor_weights_stay_a_distribution(data, n_labeled, loss):
    X, y, sd = data
    y_train = y.copy()
    y_train[np.flatnonzero(sd < 0)[n_labeled:]] = np.nan
    for model in (
        skt.TrAdaBoostRegressor(n_estimators=6, loss=loss, random_state=0),
        skt.TwoStageTrAdaBoostRegressor(
            n_steps=3, n_estimators=3, cv=3, loss=loss, random_state=0
        ),
    ):
        model.fit(X, y_train, sample_domain=sd)
        weights = np.concatenate([model.source_weights_, model.target_weights_])
        assert np.all(np.isfinite(weights)) and np.all(weights >= 0)
        np.testing.assert_allclose(weights.sum(), 1.0)
        assert np.all(np.isfinite(model.estimator_weights_))
        assert np.all(np.isfinite(model.predict(X)))


# -- bad input ------------------------------------------------------------------------------


@pytest.fixture
def clf_data():
    X, y_train, y, sd, test = few_target_labels("covariate", n_labeled=30)
    return X, y_train, sd


@pytest.mark.parametrize(
    "Estimator", [skt.TrAdaBoostClassifier, skt.TrAdaBoostRegressor,
                  skt.TwoStageTrAdaBoostRegressor]
)
def test_sample_domain_is_required(Estimator, clf_data):
    X, y_train, sd = clf_data
    if Estimator is not skt.TrAdaBoostClassifier:
        y_train = np.where(y_train == -1, np.nan, y_train.astype(float))
    with pytest.raises(ValueError, match="labeled target rows are needed.*pass sample_domain"):
        Estimator().fit(X, y_train)


def test_no_labeled_target_rows(clf_data):
    X, y_train, sd = clf_data
    y_masked = skt.mask_target_labels(y_train, sd)
    with pytest.raises(ValueError, match="no labeled target rows"):
        skt.TrAdaBoostClassifier().fit(X, y_masked, sample_domain=sd)


def test_single_class(clf_data):
    X, y_train, sd = clf_data
    y_one = np.where(y_train == -1, -1, 1)
    with pytest.raises(ValueError, match="at least 2 classes.*found only the class 1"):
        skt.TrAdaBoostClassifier().fit(X, y_one, sample_domain=sd)


@pytest.mark.parametrize("value", [0, -3, 2.5, "10", True])
def test_bad_n_estimators(value, clf_data):
    X, y_train, sd = clf_data
    with pytest.raises(ValueError, match="n_estimators must be an integer >= 1; got"):
        skt.TrAdaBoostClassifier(n_estimators=value).fit(X, y_train, sample_domain=sd)


@pytest.mark.parametrize("value", [0, 1, -0.5, 1.5, "half"])
def test_bad_initial_target_weight(value, clf_data):
    X, y_train, sd = clf_data
    with pytest.raises(ValueError, match="initial_target_weight must be None or a number"):
        skt.TrAdaBoostClassifier(initial_target_weight=value).fit(X, y_train, sample_domain=sd)


@pytest.mark.parametrize(
    "Estimator,base",
    [
        (skt.TrAdaBoostClassifier, KNeighborsClassifier()),
        (skt.TrAdaBoostRegressor, KNeighborsRegressor()),
        (skt.TwoStageTrAdaBoostRegressor, KNeighborsRegressor()),
    ],
)
def test_base_without_sample_weight_is_a_type_error(Estimator, base, clf_data):
    X, y_train, sd = clf_data
    y = y_train if Estimator is skt.TrAdaBoostClassifier else np.where(
        y_train == -1, np.nan, y_train.astype(float))
    with pytest.raises(TypeError, match="KNeighbors.* does not accept sample_weight"):
        Estimator(base).fit(X, y, sample_domain=sd)


def test_regression_targets_to_the_classifier(clf_data):
    X, y_train, sd = clf_data
    y_cont = np.where(y_train == -1, np.nan, np.linspace(0, 1, len(y_train)))
    with pytest.raises(ValueError, match="continuous"):
        skt.TrAdaBoostClassifier().fit(X, y_cont, sample_domain=sd)


def test_bad_regression_parameters(clf_data):
    X, y_train, sd = clf_data
    y = np.where(y_train == -1, np.nan, y_train.astype(float))
    with pytest.raises(ValueError, match="loss must be one of .*; got 'huber'"):
        skt.TrAdaBoostRegressor(loss="huber").fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="n_steps must be an integer >= 1; got 0"):
        skt.TwoStageTrAdaBoostRegressor(n_steps=0).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="cv must be an integer >= 2; got 1"):
        skt.TwoStageTrAdaBoostRegressor(cv=1).fit(X, y, sample_domain=sd)
    y_few = y.copy()
    y_few[np.flatnonzero(~np.isnan(y) & (sd < 0))[3:]] = np.nan
    with pytest.raises(ValueError, match="cv=5 folds .* need at least 5 of them; found 3"):
        skt.TwoStageTrAdaBoostRegressor(cv=5).fit(X, y_few, sample_domain=sd)


# -- the paper's data ---------------------------------------------------------------------------


def _mushroom():
    # source: tapering (4608 rows, the source size of the paper's Table 1); target: enlarging
    return skt.datasets.load_mushroom(source="t", download_if_missing=False)


@pytest.mark.requires_data("mushroom")
def test_mushroom_beats_target_only_and_pooled():
    X, y, sd = _mushroom()
    errors = {"tradaboost": [], "target_only": [], "pooled": []}
    for seed in range(4):
        rng = np.random.RandomState(seed)
        target = np.flatnonzero(sd < 0)
        labeled = rng.choice(target, 46, replace=False)  # 1% of the source size, as Dai et al.
        test = np.setdiff1d(target, labeled)
        y_train = y.copy()
        y_train[test] = -1
        for name, model in (
            ("tradaboost", skt.TrAdaBoostClassifier(n_estimators=30, random_state=seed)),
            ("target_only", skt.TargetOnly(TREE)),
            ("pooled", skt.Pooled(TREE)),
        ):
            model.fit(X, y_train, sample_domain=sd)
            errors[name].append(1 - model.score(X[test], y[test]))
    means = {k: np.mean(v) for k, v in errors.items()}
    assert means["tradaboost"] < 0.8 * means["target_only"]
    assert means["tradaboost"] < 0.5 * means["pooled"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: skt.TwoStageTrAdaBoostRegressor(n_steps=3, n_estimators=3, random_state=0),
        lambda: skt.TrAdaBoostRegressor(n_estimators=5, random_state=0),
    ],
    ids=["two-stage", "one-stage"],
)
def test_regressors_fit_targets_of_extreme_scale(make):
    # finite targets of 1e300 made every squared error inf: the two-stage regressor found no
    # best stage (TypeError), the one-stage one fitted trees on overflowing impurities. The
    # targets are now divided by a power of two, exactly, and the predictions scaled back.
    X, y, sd = skt.datasets.make_domain_shift("covariate", task="regression", random_state=0)
    reference = make().fit(X, y, sample_domain=sd)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = make().fit(X, y * 1e300, sample_domain=sd)
        predictions = model.predict(X[sd < 0])
    assert reference.target_scale_ == 1.0 and model.target_scale_ > 1e299
    np.testing.assert_allclose(predictions, reference.predict(X[sd < 0]) * 1e300, rtol=1e-12)
    staged = list(model.staged_predict(X[sd < 0]))
    np.testing.assert_array_equal(staged[-1], predictions)


def test_labeled_target_rows_of_one_class_warn():
    X, y_train, y, sd, test = few_target_labels(n_labeled=30)
    target = sd < 0
    labeled = target & (y_train != -1)
    y_one = y_train.copy()
    y_one[labeled & (y_train != 0)] = -1  # keep only the labeled target rows of class 0
    with pytest.warns(UserWarning, match=r"every labeled target row is of class 0\. The "
                                         r"target error .* sees that class only"):
        skt.TrAdaBoostClassifier(TREE, n_estimators=3, random_state=0).fit(
            X, y_one, sample_domain=sd
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        skt.TrAdaBoostClassifier(TREE, n_estimators=3, random_state=0).fit(
            X, y_train, sample_domain=sd
        )
