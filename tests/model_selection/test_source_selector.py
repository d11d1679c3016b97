"""SourceSelector: source selection as a pipeline step."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.model_selection import SourceSelector, SourceTargetShuffleSplit


def _data():
    """Source 1 near the target; source 2 far from it with flipped labels (it hurts)."""
    X, y, sd = skt.datasets.make_domain_shift(
        n_samples_source=300, n_samples_target=200, shift=0.3, random_state=0
    )
    sd = sd.copy()
    sd[:100] = 2
    X = X.copy()
    X[:100] += 3.0
    y = y.copy()
    y[:100] = 1 - y[:100]
    return X, y, sd


def test_keeps_the_closest_sources_and_fits_on_their_rows():
    X, y, sd = _data()
    y_train = skt.mask_target_labels(y, sd)
    selector = SourceSelector(skt.SourceOnly(LogisticRegression()), n_sources=1, random_state=0)
    selector.fit(X, y_train, sample_domain=sd)
    assert selector.selected_sources_ == [1]
    np.testing.assert_array_equal(selector.source_ids_, [1, 2])
    np.testing.assert_allclose(selector.source_weights_, [1.0, 0.0])
    assert selector.ranking_["source"] == [1, 2]  # by MMD: no target label, no validation
    one = sd == 1
    ref = LogisticRegression().fit(X[one], y[one])
    target = sd < 0
    np.testing.assert_array_equal(selector.predict(X[target]), ref.predict(X[target]))
    assert selector.score(X[target], y[target]) > 0.8


def test_without_n_sources_and_without_scoring_every_source_is_kept():
    X, y, sd = _data()
    selector = SourceSelector(random_state=0).fit(X, skt.mask_target_labels(y, sd),
                                                  sample_domain=sd)
    assert selector.selected_sources_ == [1, 2]


def test_target_labels_are_never_read():
    X, y, sd = _data()
    y_other = y.copy()
    y_other[sd < 0] = 1 - y[sd < 0]
    a = SourceSelector(n_sources=1, random_state=0).fit(X, y, sample_domain=sd)
    b = SourceSelector(n_sources=1, random_state=0).fit(X, y_other, sample_domain=sd)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_in_a_pipeline_tuned_by_grid_search():
    X, y, sd = _data()
    pipe = make_pipeline(StandardScaler(), SourceSelector(random_state=0))
    grid = GridSearchCV(
        pipe,
        {"sourceselector__n_sources": [1, 2]},
        cv=SourceTargetShuffleSplit(n_splits=3, random_state=0),
    )
    # oracle evaluation: the true target labels score the held-out target rows only
    grid.fit(X, y, groups=sd, sourceselector__sample_domain=sd)
    assert grid.best_params_ == {"sourceselector__n_sources": 1}
    target = sd < 0
    assert grid.score(X[target], y[target]) > 0.8


def test_validated_selection_with_an_unsupervised_scorer():
    X, y, sd = _data()
    selector = SourceSelector(
        scoring=skt.model_selection.PredictionEntropyScorer(), cv=3, random_state=0
    )
    selector.fit(X, skt.mask_target_labels(y, sd), sample_domain=sd)
    assert not np.isnan(selector.ranking_["score"]).any()


@pytest.mark.parametrize("n_sources", [0, 1.5, True])
def test_bad_n_sources(n_sources):
    X, y, sd = _data()
    with pytest.raises(ValueError, match="n_sources must be"):
        SourceSelector(n_sources=n_sources).fit(X, y, sample_domain=sd)


def test_single_row_source_is_a_clear_error():
    X, y, sd = _data()
    sd = sd.copy()
    sd[0] = 3
    with pytest.raises(ValueError, match="source 3 has a single row"):
        SourceSelector().fit(X, y, sample_domain=sd)
