"""select_sources: MMD ranking, validated gains, dropping sources that hurt."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import skt
from skt.metrics import median_heuristic, mmd
from skt.model_selection import PredictionEntropyScorer, TargetKFold, select_sources


@pytest.fixture(scope="module")
def three_sources():
    """Source 1: like the target; source 2: flipped labels; source 3: far from the target."""
    X, y, sd = skt.datasets.make_domain_shift(
        "covariate",
        n_samples_source=300,
        n_samples_target=120,
        shift=0.0,
        noise=0.05,
        random_state=0,
    )
    X, y, sd = X.copy(), y.copy(), sd.copy()
    sd[100:200], sd[200:300] = 2, 3
    y[100:200] = 1 - y[100:200]
    X[200:300] += np.array([0.0, 4.0])
    return X, y, sd


def test_adversarial_source_is_dropped_and_far_source_ranks_last_by_mmd(three_sources):
    X, y, sd = three_sources
    ranking = select_sources(skt.SourceOnly(LogisticRegression()), X, y, sd, cv=TargetKFold(4))
    by_source = {row["source"]: row for row in ranking}
    assert by_source[2]["negative_transfer"] and not by_source[2]["selected"]
    assert by_source[1]["selected"] and by_source[1]["score_rank"] == 1
    assert by_source[3]["mmd_rank"] == 3  # sources 1 and 2 share the target's inputs
    assert ranking["score"] == sorted(ranking["score"], reverse=True)
    assert ranking.selected == [1]  # the far source 3 hurts too once source 1 is in
    assert np.isnan(by_source[1]["gain"])  # the best source is the starting point
    assert by_source[3]["gain_high"] < 0


def test_mmd_column_uses_one_bandwidth(three_sources):
    X, y, sd = three_sources
    ranking = select_sources(
        skt.SourceOnly(LogisticRegression()), X, y, sd, cv=TargetKFold(3), random_state=0
    )
    gamma = median_heuristic(X, random_state=0)
    for row in ranking:
        expected = mmd(X[sd == row["source"]], X[sd < 0], gamma=gamma, estimator="unbiased")
        assert row["mmd"] == pytest.approx(expected)
    fixed = select_sources(skt.SourceOnly(), X, y, sd, cv=TargetKFold(3), gamma=0.5)
    row = next(iter(fixed))
    assert row["mmd"] == pytest.approx(
        mmd(X[sd == row["source"]], X[sd < 0], gamma=0.5, estimator="unbiased")
    )


def test_without_target_labels_only_mmd_ranks(three_sources):
    X, y, sd = three_sources
    y_masked = skt.mask_target_labels(y, sd)
    ranking = select_sources(skt.SourceOnly(), X, y_masked, sd)
    assert ranking["mmd"] == sorted(ranking["mmd"])
    assert np.isnan(ranking["score"]).all() and ranking["score_rank"] == [None] * 3
    assert ranking.selected == ranking["source"]
    assert "ranked by MMD" in repr(ranking)
    # an unsupervised scorer validates without target labels
    entropy = select_sources(
        skt.SourceOnly(), X, y_masked, sd, cv=TargetKFold(3), scoring=PredictionEntropyScorer()
    )
    assert np.isfinite(entropy["score"]).all()


def test_needs_two_sources():
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    with pytest.raises(ValueError, match="at least 2 source domains.*found 1.*transfer_report"):
        select_sources(skt.SourceOnly(), X, y, sd)
