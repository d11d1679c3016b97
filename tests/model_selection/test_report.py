"""transfer_report: paired gains, negative-transfer flags, parallel runs, bad input."""

import joblib
import numpy as np
import pytest
import sklearn
from scipy import stats
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.model_selection import (
    LeaveOneDomainOut,
    PredictionEntropyScorer,
    ReportTable,
    SourceTargetShuffleSplit,
    TargetKFold,
    transfer_report,
)
from skt.model_selection._report import paired_interval

from ._adapters import MeanShift


def _same_distribution(random_state=0):
    """Source and target from one distribution: the source helps a target with few labels."""
    return skt.datasets.make_domain_shift(
        "covariate",
        n_samples_source=200,
        n_samples_target=100,
        shift=0.0,
        noise=0.05,
        random_state=random_state,
    )


FEW_TARGET_LABELS = SourceTargetShuffleSplit(n_splits=8, test_size=0.9, random_state=0)


def test_report_structure_and_paired_gains():
    X, y, sd = _same_distribution()
    pipe = make_pipeline(StandardScaler(), MeanShift(), skt.SourceOnly(LogisticRegression()))
    report = transfer_report({"meanshift": pipe}, X, y, sd, cv=TargetKFold(4))
    assert report["method"] == ["meanshift", "source-only", "target-only"]
    assert len(report) == 3 and report.confidence == 0.95
    scores = report.fold_scores
    assert all(s.shape == (4,) for s in scores.values())
    for i, name in enumerate(report["method"]):
        assert report["score"][i] == pytest.approx(scores[name].mean())
        assert report["gain"][i] == pytest.approx(np.mean(scores[name] - scores["source-only"]))
        assert report["gain_vs_target"][i] == pytest.approx(
            np.mean(scores[name] - scores["target-only"])
        )
        assert report["gain_low"][i] <= report["gain"][i] <= report["gain_high"][i]
        assert report["fit_time"][i] > 0
    # the report's target score is the oracle's: accuracy on the held-out target rows
    fold = next(TargetKFold(4).split(X, y, groups=sd))
    model = make_pipeline(StandardScaler(), skt.SourceOnly(LogisticRegression()))
    model.fit(X[fold[0]], skt.mask_target_labels(y, sd)[fold[0]])
    assert scores["source-only"][0] == pytest.approx(model.score(X[fold[1]], y[fold[1]]))


def test_same_method_as_baseline_has_zero_gain():
    X, y, sd = _same_distribution()
    baseline = make_pipeline(StandardScaler(), LogisticRegression())
    report = transfer_report([("copy", skt.SourceOnly(baseline))], X, y, sd, cv=FEW_TARGET_LABELS)
    assert report["gain"][0] == report["gain_low"][0] == report["gain_high"][0] == 0
    assert not report["adaptation_hurts"][0]


def test_adversarial_source_is_flagged_as_negative_transfer():
    X, y, sd = _same_distribution()
    y_adversarial = y.copy()
    y_adversarial[sd > 0] = 1 - y_adversarial[sd > 0]  # every source label flipped
    pipe = make_pipeline(StandardScaler(), MeanShift(), skt.SourceOnly(LogisticRegression()))
    benign = transfer_report({"meanshift": pipe}, X, y, sd, cv=FEW_TARGET_LABELS)
    adversarial = transfer_report({"meanshift": pipe}, X, y_adversarial, sd, cv=FEW_TARGET_LABELS)
    assert benign["negative_transfer"] == [False, False, False]
    assert adversarial["negative_transfer"] == [True, True, False]
    assert adversarial["gain_vs_target_high"][0] < 0
    assert "yes" in repr(adversarial) and "negative_transfer" in repr(adversarial)


def test_harmful_adaptation_is_flagged():
    X, y, sd = _same_distribution()
    # moving the source rows away from the target makes the adapted model worse than
    # source-only (by 10 points; a larger shift would leave both near one class, one row apart:
    # not significant, see test_paired_interval_of_accuracies_has_a_sampling_floor)
    X = X.copy()
    X[sd < 0] += np.array([1.5, 0.0])
    useful = make_pipeline(MeanShift(scale=1.0), skt.SourceOnly(LogisticRegression()))
    shifted_back = make_pipeline(MeanShift(scale=-1.0), skt.SourceOnly(LogisticRegression()))
    report = transfer_report(
        {"aligned": useful, "misaligned": shifted_back}, X, y, sd, cv=FEW_TARGET_LABELS
    )
    assert report["adaptation_hurts"] == [False, True, False, False]
    assert report["gain_low"][0] > 0  # aligning the means helps here


def test_without_target_labels_there_is_no_target_only_baseline():
    X, y, sd = _same_distribution()
    y_masked = skt.mask_target_labels(y, sd)
    report = transfer_report(
        {"meanshift": make_pipeline(MeanShift(), skt.SourceOnly(LogisticRegression()))},
        X,
        y_masked,
        sd,
        cv=TargetKFold(3),
        scoring=PredictionEntropyScorer(),
    )
    assert report["method"] == ["meanshift", "source-only"]
    assert np.isnan(report["gain_vs_target"]).all()
    assert report["negative_transfer"] == [False, False]


def test_methods_that_need_target_labels():
    X, y, sd = _same_distribution()
    with pytest.raises(ValueError, match="no labeled target rows"):
        transfer_report({"pooled": skt.Pooled()}, X, y, sd, cv=3)
    report = transfer_report({"pooled": skt.Pooled()}, X, y, sd, cv=3, hide_target_labels=False)
    assert report["score"][0] > 0.8


def test_plain_scoring_sees_only_target_rows():
    X, y, sd = _same_distribution()
    cv = TargetKFold(3)
    report = transfer_report({"a": skt.SourceOnly()}, X, y, sd, cv=cv, scoring="accuracy")
    default = transfer_report({"a": skt.SourceOnly()}, X, y, sd, cv=cv)
    np.testing.assert_allclose(report.fold_scores["a"], default.fold_scores["a"])


def test_regression_report():
    X, y, sd = skt.datasets.make_domain_shift(task="regression", shift=0.0, random_state=0)
    report = transfer_report({"ridge": skt.SourceOnly(Ridge())}, X, y, sd, cv=3)
    assert report["method"] == ["ridge", "source-only", "target-only"]
    assert 0.5 < report["score"][0] <= 1


@pytest.mark.slow
def test_parallel_and_dask_backends_give_the_same_report():
    X, y, sd = _same_distribution()
    estimators = {"meanshift": make_pipeline(MeanShift(), skt.SourceOnly())}
    serial = transfer_report(estimators, X, y, sd, cv=TargetKFold(3))
    threads = transfer_report(estimators, X, y, sd, cv=TargetKFold(3), n_jobs=2)
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        with joblib.parallel_config(backend="dask"):
            on_dask = transfer_report(estimators, X, y, sd, cv=TargetKFold(3), n_jobs=2)
    for other in (threads, on_dask):
        for name in serial.fold_scores:
            np.testing.assert_array_equal(serial.fold_scores[name], other.fold_scores[name])


def test_report_with_routing_on():
    X, y, sd = _same_distribution()
    pipe = make_pipeline(StandardScaler(), MeanShift(), skt.SourceOnly(LogisticRegression()))
    off = transfer_report({"m": pipe}, X, y, sd, cv=TargetKFold(3))
    with sklearn.config_context(enable_metadata_routing=True):
        on = transfer_report({"m": pipe}, X, y, sd, cv=TargetKFold(3))
    for name in off.fold_scores:
        np.testing.assert_array_equal(off.fold_scores[name], on.fold_scores[name])


def test_paired_interval_is_the_corrected_resampled_t_interval():
    d = np.array([0.1, 0.3, -0.05, 0.2, 0.15])
    mean, low, high = paired_interval(d, 0.25, 0.9)
    half = stats.t.ppf(0.95, 4) * np.sqrt(np.var(d, ddof=1) * (1 / 5 + 0.25))
    assert (mean, low, high) == pytest.approx((d.mean(), d.mean() - half, d.mean() + half))
    assert np.isnan(paired_interval(np.array([0.2]), 0.25, 0.9)[1:]).all()


def test_report_table():
    table = ReportTable(
        {
            "name": ["a", "b"],
            "x": [0.5, np.nan],
            "x_low": [0.1, 0.2],
            "x_high": [0.9, 1.0],
            "flag": [True, False],
            "rank": [1, None],
        },
        title="T",
        notes="N",
    )
    text = table.to_string()
    assert text.splitlines()[0] == "T" and text.splitlines()[-1] == "N"
    assert "x [interval]" in text and "+0.500 [+0.100, +0.900]" in text and "yes" in text
    assert list(table)[1] == {
        "name": "b",
        "x": table["x"][1],
        "x_low": 0.2,
        "x_high": 1.0,
        "flag": False,
        "rank": None,
    }
    assert table.to_dict()["name"] == ["a", "b"]
    assert table.to_pandas().shape == (2, 6)
    with pytest.raises(ValueError, match="every column needs the same number of rows"):
        ReportTable({"a": [1], "b": [1, 2]})


# -- bad input ---------------------------------------------------------------------------------


def test_bad_input():
    X, y, sd = _same_distribution()
    with pytest.raises(TypeError, match="estimators must be a dict.*or a list of"):
        transfer_report(skt.SourceOnly(), X, y, sd)
    with pytest.raises(ValueError, match="names must be unique"):
        transfer_report([("a", skt.SourceOnly()), ("a", skt.SourceOnly())], X, y, sd)
    with pytest.raises(ValueError, match="'source-only' is reserved for the baseline"):
        transfer_report({"source-only": skt.SourceOnly()}, X, y, sd)
    with pytest.raises(TypeError, match="must be an estimator with fit"):
        transfer_report({"a": "SourceOnly"}, X, y, sd)
    with pytest.raises(ValueError, match="needs sample_domain.*to tell labeled target rows"):
        transfer_report({"a": skt.SourceOnly()}, X, y, None)
    with pytest.raises(ValueError, match="confidence must be a number in \\(0, 1\\); got 95"):
        transfer_report({"a": skt.SourceOnly()}, X, y, sd, confidence=95)
    with pytest.raises(ValueError, match="no target rows"):
        transfer_report({"a": skt.SourceOnly()}, X, y, np.abs(sd))
    with pytest.raises(ValueError, match="no source rows"):
        transfer_report({"a": skt.SourceOnly()}, X, y, -np.abs(sd))
    with pytest.raises(ValueError, match="needs y"):
        transfer_report({"a": skt.SourceOnly()}, X, None, sd)
    sd2 = sd.copy()
    sd2[:100] = 2
    with pytest.raises(ValueError, match="a test fold of cv has none.*TargetKFold"):
        transfer_report({"a": skt.SourceOnly()}, X, y, sd2, cv=LeaveOneDomainOut())


def test_paired_interval_of_accuracies_has_a_sampling_floor():
    # two folds, each one test row of 250 worse: the sample variance is zero, and without a
    # floor the interval [-0.4%, -0.4%] would call a single row significant
    d = np.full(2, -1 / 250)
    assert paired_interval(d, 1 / 3, 0.95)[1:] == pytest.approx((-1 / 250, -1 / 250))
    mean, low, high = paired_interval(d, 1 / 3, 0.95, n_test=np.array([250, 250]))
    floor = (1 / 250 - 1 / 250**2) / 250
    half = stats.t.ppf(0.975, 1) * np.sqrt(floor * (1 / 2 + 1 / 3))
    assert (mean, low, high) == pytest.approx((-1 / 250, -1 / 250 - half, -1 / 250 + half))
    assert low < 0 < high
    # the floor never narrows an interval, and equal scores stay an exact zero
    spread = np.array([0.1, 0.3, -0.05, 0.2, 0.15])
    assert paired_interval(spread, 0.25, 0.9, n_test=np.full(5, 400)) == pytest.approx(
        paired_interval(spread, 0.25, 0.9)
    )
    assert paired_interval(np.zeros(3), 0.5, 0.9, n_test=np.full(3, 10)) == (0.0, 0.0, 0.0)
