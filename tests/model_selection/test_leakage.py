"""Leakage: training never sees a target label it should not, in every splitter/scorer path.

The true target labels are poisoned (replaced by random labels). Unsupervised pipelines must
make the same predictions whatever the target labels of their training rows; their scores may
change only through the labels of the held-out test rows.
"""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.model_selection import (
    DeepEmbeddedValidationScorer,
    ImportanceWeightedScorer,
    LeaveOneDomainOut,
    PredictionEntropyScorer,
    ReverseValidationScorer,
    SoftNeighborhoodDensityScorer,
    SourceTargetShuffleSplit,
    StratifiedSourceTargetShuffleSplit,
    StratifiedTargetKFold,
    TargetKFold,
    transfer_report,
)

from ._adapters import MeanShift

SPLITTERS = [
    SourceTargetShuffleSplit(n_splits=3, random_state=0),
    StratifiedSourceTargetShuffleSplit(n_splits=3, random_state=0),
    TargetKFold(n_splits=3),
    StratifiedTargetKFold(n_splits=3, shuffle=True, random_state=0),
]


@pytest.fixture(scope="module")
def data():
    X, y, sd = skt.datasets.make_domain_shift(
        "covariate", n_samples_source=150, n_samples_target=120, shift=1.0, random_state=0
    )
    rng = np.random.RandomState(1)
    y_poisoned = y.copy()
    y_poisoned[sd < 0] = rng.randint(0, 2, size=(sd < 0).sum())
    assert not np.array_equal(y, y_poisoned)
    return X, y, sd, y_poisoned


def _pipe():
    return make_pipeline(StandardScaler(), MeanShift(), skt.SourceOnly(LogisticRegression()))


def _run(X, y, sd, folds, routing, scoring=None, step_params=("meanshift", "sourceonly")):
    kwargs = dict(cv=folds, return_estimator=True, scoring=scoring, error_score="raise")
    if routing:
        with sklearn.config_context(enable_metadata_routing=True):
            return cross_validate(_pipe(), X, y, params={"sample_domain": sd}, **kwargs)
    params = {f"{step}__sample_domain": sd for step in step_params}
    return cross_validate(_pipe(), X, y, groups=sd, params=params, **kwargs)


@pytest.mark.parametrize("routing", [False, True], ids=["routing-off", "routing-on"])
@pytest.mark.parametrize("cv", SPLITTERS, ids=lambda cv: type(cv).__name__)
def test_oracle_scores_change_only_through_the_test_fold(cv, routing, data):
    X, y, sd, y_poisoned = data
    folds = list(cv.split(X, y, groups=sd))  # stratified splits read y: fix them once
    clean = _run(X, y, sd, folds, routing)
    poisoned = _run(X, y_poisoned, sd, folds, routing)
    changed = False
    for k, (_, test) in enumerate(folds):
        prediction = clean["estimator"][k].predict(X[test])
        np.testing.assert_array_equal(poisoned["estimator"][k].predict(X[test]), prediction)
        assert clean["test_score"][k] == pytest.approx(accuracy_score(y[test], prediction))
        expected = accuracy_score(y_poisoned[test], prediction)
        assert poisoned["test_score"][k] == pytest.approx(expected)
        changed |= poisoned["test_score"][k] != clean["test_score"][k]
    assert changed  # the poisoned test labels do reach the score


def test_poisoning_only_training_folds_changes_no_score(data):
    X, y, sd, y_poisoned = data
    folds = list(SourceTargetShuffleSplit(n_splits=3, random_state=0).split(X, groups=sd))
    for k, (train, _) in enumerate(folds):
        y_train_poisoned = y.copy()
        y_train_poisoned[train] = y_poisoned[train]
        for routing in (False, True):
            clean = _run(X, y, sd, [folds[k]], routing)
            poisoned = _run(X, y_train_poisoned, sd, [folds[k]], routing)
            assert poisoned["test_score"][0] == clean["test_score"][0]


def test_leak_detector_detects_a_step_left_without_sample_domain(data):
    # the test above can fail: with routing off, a step not told the domains treats the
    # labeled target rows of the training fold as source rows and learns their labels
    X, y, sd, y_poisoned = data
    folds = list(TargetKFold(3).split(X, groups=sd))
    clean = _run(X, y, sd, folds, routing=False, step_params=("meanshift",))
    poisoned = _run(X, y_poisoned, sd, folds, routing=False, step_params=("meanshift",))
    predictions = [
        (a.predict(X[test]), b.predict(X[test]))
        for a, b, (_, test) in zip(clean["estimator"], poisoned["estimator"], folds, strict=True)
    ]
    assert any(not np.array_equal(p, q) for p, q in predictions)


UNSUPERVISED = [
    ImportanceWeightedScorer(random_state=0),
    PredictionEntropyScorer(),
    ReverseValidationScorer(),
    SoftNeighborhoodDensityScorer(),
    DeepEmbeddedValidationScorer(random_state=0),
]


@pytest.mark.parametrize("scorer", UNSUPERVISED, ids=lambda s: type(s).__name__)
def test_unsupervised_scorers_never_read_target_labels(scorer, data):
    # routing on: y carries the (true or poisoned) target labels, sample_domain the domains;
    # neither training nor the scorer may read them
    X, y, sd, y_poisoned = data
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    clean = _run(X, y, sd, folds, routing=True, scoring=scorer)
    poisoned = _run(X, y_poisoned, sd, folds, routing=True, scoring=scorer)
    np.testing.assert_array_equal(clean["test_score"], poisoned["test_score"])
    # with routing off the target labels are masked: the same scores
    masked = _run(X, skt.mask_target_labels(y, sd), sd, folds, routing=False, scoring=scorer)
    np.testing.assert_allclose(masked["test_score"], clean["test_score"], rtol=1e-10)


@pytest.mark.parametrize("routing", [False, True], ids=["routing-off", "routing-on"])
def test_leave_one_domain_out_never_reads_target_labels(routing, data):
    X, y, sd, y_poisoned = data
    sd = sd.copy()
    sd[:75] = 2  # two source domains
    folds = list(LeaveOneDomainOut().split(X, groups=sd))
    # with routing on the held-out domain keeps its source id: a plain scorer, which takes
    # no sample_domain, scores its rows as rows of a new domain
    scoring = "accuracy" if routing else None
    clean = _run(X, y, sd, folds, routing, scoring=scoring)
    poisoned = _run(X, y_poisoned, sd, folds, routing, scoring=scoring)
    np.testing.assert_array_equal(clean["test_score"], poisoned["test_score"])
    for k, (_, test) in enumerate(folds):
        prediction = clean["estimator"][k].predict(X[test])
        assert clean["test_score"][k] == pytest.approx(accuracy_score(y[test], prediction))


def test_transfer_report_trains_without_training_fold_target_labels(data):
    X, y, sd, y_poisoned = data
    fold = next(SourceTargetShuffleSplit(n_splits=1, random_state=0).split(X, groups=sd))
    y_train_poisoned = y.copy()
    y_train_poisoned[fold[0]] = y_poisoned[fold[0]]
    clean = transfer_report({"m": _pipe()}, X, y, sd, cv=[fold])
    poisoned = transfer_report({"m": _pipe()}, X, y_train_poisoned, sd, cv=[fold])
    for name in ("m", "source-only"):
        assert clean.fold_scores[name] == poisoned.fold_scores[name]
    # the target-only baseline does learn from them: the poison reached training
    assert clean.fold_scores["target-only"] != poisoned.fold_scores["target-only"]
