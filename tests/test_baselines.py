"""Baselines and base classes in plain sklearn pipelines, searches and cross-validation."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.base import BaseAdapter, BaseWrappingEstimator


@pytest.fixture
def data():
    X, y, sd = skt.datasets.make_domain_shift("subspace", n_classes=3, random_state=0)
    return X, y, sd


def test_pipeline_with_masked_labels(data):
    X, y, sd = data
    y_train = skt.mask_target_labels(y, sd)
    pipe = make_pipeline(StandardScaler(), skt.SourceOnly(LogisticRegression()))
    pipe.fit(X, y_train)
    # the -1 mask is never learned as a class
    np.testing.assert_array_equal(pipe.classes_, [0, 1, 2])
    # same model as a plain classifier trained on source rows after the same scaling
    scaler = StandardScaler().fit(X)
    plain = LogisticRegression().fit(scaler.transform(X[sd > 0]), y[sd > 0])
    np.testing.assert_allclose(pipe.predict_proba(X), plain.predict_proba(scaler.transform(X)))
    assert 0 <= pipe.score(X[sd < 0], y[sd < 0]) <= 1


def test_grid_search_and_cross_validate(data):
    X, y, sd = data
    y_train = skt.mask_target_labels(y, sd)
    pipe = make_pipeline(StandardScaler(), skt.SourceOnly(LogisticRegression()))
    grid = GridSearchCV(pipe, {"sourceonly__estimator__C": [0.01, 1.0]}, cv=3)
    grid.fit(X, y_train)
    assert grid.best_params_["sourceonly__estimator__C"] in (0.01, 1.0)
    res = cross_validate(pipe, X, y, cv=KFold(3, shuffle=True, random_state=0),
                         params={"sourceonly__sample_domain": sd})
    assert res["test_score"].shape == (3,)


def test_step_sample_domain_with_routing_off(data):
    X, y, sd = data
    pipe = make_pipeline(StandardScaler(), skt.TargetOnly(LogisticRegression()))
    pipe.fit(X, y, targetonly__sample_domain=sd)
    ref = LogisticRegression().fit(StandardScaler().fit(X).transform(X[sd < 0]), y[sd < 0])
    np.testing.assert_array_equal(pipe[-1].estimator_.coef_, ref.coef_)


def test_routing_on_passes_sample_domain_once(data):
    X, y, sd = data
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(StandardScaler(), skt.Pooled(LogisticRegression()))
        pipe.fit(X, y, sample_domain=sd)
        assert pipe.score(X, y, sample_domain=sd) == pytest.approx(
            pipe[-1].score(pipe[0].transform(X)[sd < 0], y[sd < 0])
        )
        cv = KFold(3, shuffle=True, random_state=0)
        res = cross_validate(pipe, X, y, cv=cv, params={"sample_domain": sd},
                             error_score="raise")
        assert res["test_score"].shape == (3,)


def test_importing_skt_changes_no_global_configuration():
    code = (
        "import sklearn; before = sklearn.get_config(); import skt, skt.base, skt.datasets; "
        "skt.SourceOnly; assert sklearn.get_config() == before; "
        "import sys; assert 'numba' not in sys.modules or True"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_import_compiles_nothing_and_is_fast():
    code = (
        "import time, sys; t = time.perf_counter(); import skt; "
        "dt = time.perf_counter() - t; assert 'numba' not in sys.modules, 'numba imported'; "
        "print(dt)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    assert float(out.stdout) >= 0


def test_target_only_and_pooled_need_sample_domain(data):
    X, y, sd = data
    y_train = skt.mask_target_labels(y, sd)
    for cls in (skt.TargetOnly, skt.Pooled):
        with pytest.raises(ValueError, match=f"{cls.__name__}: labeled target rows are needed"):
            cls().fit(X, y_train)


def test_pooled_uses_source_and_labeled_target(data):
    X, y, sd = data
    y_partial = y.copy()
    target_rows = np.flatnonzero(sd < 0)
    y_partial[target_rows[10:]] = -1  # only 10 labeled target rows
    model = skt.Pooled(LogisticRegression()).fit(X, y_partial, sample_domain=sd)
    rows = np.r_[np.flatnonzero(sd > 0), target_rows[:10]]
    ref = LogisticRegression().fit(X[rows], y[rows])
    np.testing.assert_allclose(model.estimator_.coef_, ref.coef_)


def test_regression_baseline_with_nan_mask():
    X, y, sd = skt.datasets.make_domain_shift("covariate", task="regression", random_state=0)
    y_train = skt.mask_target_labels(y, sd)
    model = skt.SourceOnly(Ridge()).fit(X, y_train)
    assert not hasattr(model, "classes_")
    assert np.isfinite(model.score(X[sd < 0], y[sd < 0]))
    # NaN-masked rows are left out of the score, which then measures the source rows: a warning
    with pytest.warns(UserWarning, match="which are SOURCE rows"):
        score = model.score(X, y_train)
    assert score == pytest.approx(model.score(X[sd > 0], y[sd > 0]))


def test_cross_validate_on_masked_labels_warns_that_it_scores_source_rows(data):
    # default scoring on labels with masked target rows: each fold's score is the source
    # accuracy; the warning says so and names the two fixes
    X, y, sd = data
    y_train = skt.mask_target_labels(y, sd)
    pipe = make_pipeline(StandardScaler(), skt.SourceOnly(LogisticRegression()))
    with pytest.warns(UserWarning, match=r"SourceOnly.score: \d+ of \d+ rows have a masked label "
                                         r".*not the accuracy on the target domain.*"
                                         r"ImportanceWeightedScorer.*sample_domain"):
        res = cross_validate(pipe, X, y_train, cv=3)
    assert res["test_score"].shape == (3,)
    # scored with a DA scorer, or on target rows with their labels: no warning (skt's are
    # UserWarnings; others, e.g. SciPy's deprecations under an old scikit-learn, are not ours)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        cross_validate(pipe, X, y_train, cv=3,
                       scoring=skt.model_selection.ImportanceWeightedScorer(random_state=0))
        pipe.fit(X, y_train).score(X[sd < 0], y[sd < 0])
        pipe.score(X, y, sample_domain=sd)


def test_score_only_target_rows_with_sample_domain(data):
    X, y, sd = data
    model = skt.SourceOnly(LogisticRegression()).fit(X, y, sample_domain=sd)
    assert model.score(X, y, sample_domain=sd) == pytest.approx(model.score(X[sd < 0], y[sd < 0]))
    with pytest.raises(ValueError, match="no row to score"):
        model.score(X[sd > 0], y[sd > 0], sample_domain=sd[sd > 0])


def test_predict_checks_sample_domain_length(data):
    X, y, sd = data
    model = skt.SourceOnly().fit(X, skt.mask_target_labels(y, sd))
    with pytest.raises(ValueError, match="sample_domain have different lengths"):
        model.predict(X, sample_domain=sd[:5])


def test_predict_checks_feature_count(data):
    X, y, sd = data
    model = skt.SourceOnly().fit(X, skt.mask_target_labels(y, sd))
    with pytest.raises(ValueError, match="features"):
        model.predict(np.hstack([X, X]))


class _HalfWeights(BaseWrappingEstimator):
    """A minimal reweighting method: every source row gets weight 0.5."""

    def _select(self, domains):
        return domains.source, np.full(domains.n_source, 0.5)


def test_weights_reach_the_inner_estimator(data):
    X, y, sd = data
    model = _HalfWeights(LinearRegression()).fit(X, skt.mask_target_labels(y.astype(float), sd))
    ref = LinearRegression().fit(X[sd > 0], y[sd > 0])
    np.testing.assert_allclose(model.estimator_.coef_, ref.coef_)


def test_estimator_without_sample_weight_is_a_type_error(data):
    X, y, sd = data
    with pytest.raises(TypeError, match="KNeighborsClassifier does not accept sample_weight"):
        _HalfWeights(KNeighborsClassifier()).fit(X, skt.mask_target_labels(y, sd))


def test_delegation_follows_the_inner_estimator(data):
    X, y, sd = data
    model = skt.SourceOnly(Ridge())
    assert not hasattr(model, "predict_proba")
    assert hasattr(clone(skt.SourceOnly(LogisticRegression())), "predict_proba")


class _Shift(BaseAdapter):
    """Minimal adapter: moves source rows onto the target mean."""

    def _fit(self, domains):
        self.offset_ = domains.X_target.mean(0) - domains.X_source.mean(0)

    def _transform_source(self, X):
        return X + self.offset_

    def _transform_target(self, X):
        return X


def test_adapter_semantics(data):
    X, y, sd = data
    y_train = skt.mask_target_labels(y, sd)
    adapter = _Shift()
    Z = adapter.fit_transform(X, y_train)
    np.testing.assert_allclose(Z[sd > 0], X[sd > 0] + adapter.offset_)
    np.testing.assert_allclose(Z[sd < 0], X[sd < 0])
    # transform maps new rows as target rows unless sample_domain says otherwise
    np.testing.assert_allclose(adapter.transform(X), X)
    np.testing.assert_allclose(adapter.transform(X, sample_domain=sd), Z)
    with pytest.raises(ValueError, match="_Shift: no target rows"):
        _Shift().fit(X, y)
    with pytest.raises(ValueError, match="no source rows: no y and no sample_domain"):
        _Shift().fit(X)
