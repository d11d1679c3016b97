"""Scorers: values against direct computations, routing on and off, labels never read."""

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, log_loss
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.model_selection import (
    DeepEmbeddedValidationScorer,
    ImportanceWeightedScorer,
    PredictionEntropyScorer,
    ReverseValidationScorer,
    SoftNeighborhoodDensityScorer,
    TargetKFold,
    TargetScorer,
    make_target_scorer,
)
from skt.model_selection._routing import _call, _fit

from ._adapters import MeanShift, NoProba, Offset, RecordingWeights

UNSUPERVISED = [
    ImportanceWeightedScorer(random_state=0),
    PredictionEntropyScorer(),
    ReverseValidationScorer(),
    SoftNeighborhoodDensityScorer(),
    DeepEmbeddedValidationScorer(random_state=0),
]


def _name(scorer):
    return type(scorer).__name__


@pytest.fixture(scope="module")
def task():
    X, y, sd = skt.datasets.make_domain_shift(
        "covariate", n_samples_source=120, n_samples_target=100, shift=1.5, random_state=0
    )
    y_masked = skt.mask_target_labels(y, sd)
    pipe = make_pipeline(StandardScaler(), MeanShift(), skt.SourceOnly(LogisticRegression()))
    pipe.fit(X, y_masked)
    return X, y, sd, y_masked, pipe


@pytest.mark.parametrize("scorer", UNSUPERVISED, ids=_name)
def test_routed_and_masked_agree_and_target_labels_are_not_read(scorer, task):
    X, y, sd, y_masked, pipe = task
    from_mask = scorer(pipe, X, y_masked)
    from_domains = scorer(pipe, X, y, sample_domain=sd)
    rng = np.random.RandomState(0)
    y_poisoned = y.copy()
    y_poisoned[sd < 0] = rng.randint(0, 2, size=(sd < 0).sum())
    poisoned = scorer(pipe, X, y_poisoned, sample_domain=sd)
    assert np.isfinite(from_mask)
    assert from_mask == pytest.approx(from_domains, rel=1e-12)
    assert poisoned == pytest.approx(from_domains, rel=1e-12)


@pytest.mark.parametrize("scorer", UNSUPERVISED, ids=_name)
def test_unsupervised_scorers_in_grid_search_with_routing_on_and_off(scorer, task):
    X, y, sd, y_masked, pipe = task
    cv = KFold(3, shuffle=True, random_state=0)
    grid = {"meanshift__scale": [0.0, 1.0]}
    off = GridSearchCV(pipe, grid, scoring=scorer, cv=cv, error_score="raise").fit(X, y_masked)
    with sklearn.config_context(enable_metadata_routing=True):
        on = GridSearchCV(pipe, grid, scoring=scorer, cv=cv, error_score="raise")
        on.fit(X, y, sample_domain=sd)
    np.testing.assert_allclose(
        on.cv_results_["mean_test_score"], off.cv_results_["mean_test_score"], rtol=1e-10
    )


def test_scorers_request_sample_domain():
    for scorer in UNSUPERVISED + [TargetScorer()]:
        routing = scorer.get_metadata_routing()
        assert routing.consumes("score", ["sample_domain"]) == {"sample_domain"}


def test_multimetric_scoring(task):
    X, y, sd, y_masked, pipe = task
    scoring = {
        "iw": ImportanceWeightedScorer(random_state=0),
        "entropy": PredictionEntropyScorer(),
    }
    cv = KFold(3, shuffle=True, random_state=0)
    off = cross_validate(pipe, X, y_masked, cv=cv, scoring=scoring, error_score="raise")
    with sklearn.config_context(enable_metadata_routing=True):
        on = cross_validate(
            pipe, X, y, cv=cv, scoring=scoring, params={"sample_domain": sd}, error_score="raise"
        )
    for key in ("test_iw", "test_entropy"):
        np.testing.assert_allclose(on[key], off[key], rtol=1e-10)


# -- the oracle ------------------------------------------------------------------------------


def test_target_scorer_scores_labeled_target_rows(task):
    X, y, sd, y_masked, pipe = task
    target = sd < 0
    expected = accuracy_score(y[target], pipe.predict(X[target]))
    assert TargetScorer()(pipe, X, y, sample_domain=sd) == pytest.approx(expected)
    # routing off, a fold of target rows only: every row is scored
    assert TargetScorer()(pipe, X[target], y[target]) == pytest.approx(expected)
    balanced = balanced_accuracy_score(y[target], pipe.predict(X[target]))
    assert TargetScorer("balanced_accuracy")(pipe, X, y, sample_domain=sd) == pytest.approx(
        balanced
    )
    f1 = make_target_scorer(f1_score, average="macro")
    assert f1(pipe, X, y, sample_domain=sd) == pytest.approx(
        f1_score(y[target], pipe.predict(X[target]), average="macro")
    )
    loss = make_target_scorer(log_loss, response_method="predict_proba", greater_is_better=False)
    assert loss(pipe, X, y, sample_domain=sd) == pytest.approx(
        -log_loss(y[target], pipe.predict_proba(X[target]))
    )


def test_target_scorer_refuses_masked_fold(task):
    X, y, sd, y_masked, pipe = task
    with pytest.raises(ValueError, match="target labels of the validation fold are masked"):
        TargetScorer()(pipe, X, y_masked)
    with pytest.raises(ValueError, match="no labeled target row to score"):
        TargetScorer()(pipe, X, y_masked, sample_domain=sd)
    with pytest.raises(ValueError, match="needs the true target labels; y is None"):
        TargetScorer()(pipe, X)


def test_target_scorer_in_oracle_grid_search(task):
    X, y, sd, y_masked, pipe = task
    cv = TargetKFold(4)
    params = {"meanshift__sample_domain": sd, "sourceonly__sample_domain": sd}
    grid = GridSearchCV(pipe, {"meanshift__scale": [0.0, 1.0]}, cv=cv, scoring=TargetScorer())
    grid.fit(X, y, groups=sd, **params)
    default = GridSearchCV(pipe, {"meanshift__scale": [0.0, 1.0]}, cv=cv)
    default.fit(X, y, groups=sd, **params)
    np.testing.assert_allclose(
        grid.cv_results_["mean_test_score"], default.cv_results_["mean_test_score"]
    )


# -- values against direct computations --------------------------------------------------------


def test_importance_weighted_with_unit_weights_is_source_accuracy(task):
    X, y, sd, y_masked, pipe = task
    source = sd > 0
    # the source rows go through MeanShift's source map, as in fit
    expected = accuracy_score(y[source], _call(pipe, "predict", X[source], sd[source]))
    unit = ImportanceWeightedScorer(weight_function=lambda Xs, Xt: np.ones(len(Xs)))
    assert unit(pipe, X, y_masked) == pytest.approx(expected)
    as_target = accuracy_score(y[source], pipe.predict(X[source]))
    assert expected != as_target  # the source map matters on this task


def test_importance_weighted_weights_select_rows(task):
    X, y, sd, y_masked, pipe = task
    source = np.flatnonzero(sd > 0)
    keep = np.zeros(source.size)
    keep[::3] = 1.0
    scorer = ImportanceWeightedScorer(weight_function=lambda Xs, Xt: keep)
    rows = source[::3]
    expected = accuracy_score(y[rows], _call(pipe, "predict", X[rows], sd[rows]))
    assert scorer(pipe, X, y_masked) == pytest.approx(expected)


def test_importance_weighted_sees_features_through_source_and_target_maps():
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    y_masked = skt.mask_target_labels(y, sd)
    pipe = make_pipeline(Offset(100.0), skt.SourceOnly(LogisticRegression())).fit(X, y_masked)
    weights = RecordingWeights()
    ImportanceWeightedScorer(weight_function=weights)(pipe, X, y_masked)
    ((Xs, Xt),) = weights.calls
    np.testing.assert_allclose(Xs, X[sd > 0] + 100.0)
    np.testing.assert_allclose(Xt, X[sd < 0])


def test_importance_weighted_loss_and_regression(task):
    X, y, sd, y_masked, pipe = task
    source = sd > 0
    unit = dict(weight_function=lambda Xs, Xt: np.ones(len(Xs)))
    scorer = ImportanceWeightedScorer(
        log_loss, response_method="predict_proba", greater_is_better=False, **unit
    )
    proba = _call(pipe, "predict_proba", X[source], sd[source])
    assert scorer(pipe, X, y_masked) == pytest.approx(-log_loss(y[source], proba))
    Xr, yr, sdr = skt.datasets.make_domain_shift(task="regression", random_state=0)
    yr_masked = skt.mask_target_labels(yr, sdr)
    model = skt.SourceOnly(Ridge()).fit(Xr, yr_masked)
    value = ImportanceWeightedScorer(**unit)(model, Xr, yr_masked)
    assert value == pytest.approx(model.estimator_.score(Xr[sdr > 0], yr[sdr > 0]))


def test_default_weights_favour_source_rows_near_the_target():
    X, y, sd = skt.datasets.make_domain_shift("covariate", shift=2.0, random_state=0)
    y_masked = skt.mask_target_labels(y, sd)
    model = skt.SourceOnly(LogisticRegression()).fit(X, y_masked)
    from skt.model_selection._scorers import _default_domain_classifier, _domain_weights

    w = _domain_weights(_default_domain_classifier(), X[sd > 0], X[sd < 0], 0)
    distance = np.linalg.norm(X[sd > 0] - X[sd < 0].mean(axis=0), axis=1)
    near = distance < np.median(distance)
    assert w[near].mean() > 2 * w[~near].mean()
    assert np.isfinite(ImportanceWeightedScorer(random_state=0)(model, X, y_masked))


def test_prediction_entropy_value(task):
    X, y, sd, y_masked, pipe = task
    proba = pipe.predict_proba(X[sd < 0])
    expected = np.mean(np.sum(proba * np.log(proba), axis=1))
    assert PredictionEntropyScorer()(pipe, X, y_masked) == pytest.approx(expected)
    assert -np.log(2) <= expected <= 0


def _naive_snd(proba, temperature):
    F = proba / np.linalg.norm(proba, axis=1, keepdims=True)
    S = F @ F.T / temperature
    np.fill_diagonal(S, -np.inf)
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        H = -np.nansum(np.where(P > 0, P * np.log(P), 0.0), axis=1)
    return H.mean()


@pytest.mark.parametrize("n_target", [30, 1600])
def test_soft_neighborhood_density_matches_dense_reference(n_target):
    # 1600 target rows: the blockwise sum runs over several blocks of rows
    X, y, sd = skt.datasets.make_domain_shift(
        n_samples_source=100, n_samples_target=n_target, n_classes=3, random_state=1
    )
    y_masked = skt.mask_target_labels(y, sd)
    model = skt.SourceOnly(LogisticRegression()).fit(X, y_masked)
    proba = model.predict_proba(X[sd < 0])
    for temperature in (0.05, 1.0):
        value = SoftNeighborhoodDensityScorer(temperature)(model, X, y_masked)
        assert value == pytest.approx(_naive_snd(proba, temperature), rel=1e-9)
        assert 0 <= value <= np.log(n_target - 1)


def test_reverse_validation_value(task):
    X, y, sd, y_masked, pipe = task
    source, target = sd > 0, sd < 0
    y_reverse = np.where(target, pipe.predict(X), -1)
    reverse = clone(pipe).fit(X, y_reverse)
    expected = accuracy_score(y[source], reverse.predict(X[source]))
    assert ReverseValidationScorer()(pipe, X, y_masked) == pytest.approx(expected)


def test_reverse_validation_with_one_predicted_class():
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    y_masked = skt.mask_target_labels(y, sd)
    constant = skt.SourceOnly(DummyClassifier(strategy="constant", constant=1))
    constant.fit(X, y_masked)
    expected = np.mean(y[sd > 0] == 1)
    assert ReverseValidationScorer()(constant, X, y_masked) == pytest.approx(expected)


def test_reverse_validation_regression():
    X, y, sd = skt.datasets.make_domain_shift(task="regression", random_state=0)
    y_masked = skt.mask_target_labels(y, sd)
    model = skt.SourceOnly(Ridge()).fit(X, y_masked)
    value = ReverseValidationScorer()(model, X, y_masked)
    y_reverse = np.where(sd < 0, model.predict(X), np.nan)
    reverse = skt.SourceOnly(Ridge()).fit(X, y_reverse)
    assert value == pytest.approx(reverse.estimator_.score(X[sd > 0], y[sd > 0]))


def test_deep_embedded_validation_with_constant_weights_is_source_risk(task):
    X, y, sd, y_masked, pipe = task
    source = sd > 0
    # a domain classifier that predicts the prior gives w = 1 and no control variate
    prior = ConstantProba((sd < 0).mean())
    zero_one = DeepEmbeddedValidationScorer("zero_one", domain_classifier=prior)
    prediction = _call(pipe, "predict", X[source], sd[source])
    assert zero_one(pipe, X, y_masked) == pytest.approx(-np.mean(prediction != y[source]))
    cross_entropy = DeepEmbeddedValidationScorer(domain_classifier=prior)
    proba = _call(pipe, "predict_proba", X[source], sd[source])
    assert cross_entropy(pipe, X, y_masked) == pytest.approx(-log_loss(y[source], proba))


class ConstantProba(ClassifierMixin, BaseEstimator):
    """Domain classifier with P(target | z) = ``p`` everywhere."""

    def __init__(self, p=0.5):
        self.p = p

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.tile([1 - self.p, self.p], (np.shape(X)[0], 1))

    def predict(self, X):
        return np.full(np.shape(X)[0], int(self.p > 0.5))


class LookupProba(ClassifierMixin, BaseEstimator):
    """Domain classifier whose P(target | z) is ``proba[int(z[0])]``: fixed, known weights."""

    def __init__(self, proba=None):
        self.proba = proba

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        p = self.proba[np.asarray(X)[:, 0].astype(int)]
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def test_deep_embedded_validation_control_variate():
    rng = np.random.RandomState(0)
    n_s, n_t = 60, 40
    X = np.arange(n_s + n_t, dtype=float)[:, None]  # the row index, read by LookupProba
    y = np.r_[rng.randint(0, 2, n_s), -np.ones(n_t, int)]
    p_target = rng.uniform(0.05, 0.95, n_s + n_t)
    model = skt.SourceOnly(DummyClassifier(strategy="constant", constant=1)).fit(X, y)
    scorer = DeepEmbeddedValidationScorer("zero_one", domain_classifier=LookupProba(p_target))
    w = (n_s / n_t) * p_target[:n_s] / (1 - p_target[:n_s])
    L = w * (y[:n_s] != 1)
    eta = -np.cov(L, w)[0, 1] / np.var(w, ddof=1)
    assert scorer(model, X, y) == pytest.approx(-(L.mean() + eta * w.mean() - eta))


def test_deep_embedded_validation_regression():
    X, y, sd = skt.datasets.make_domain_shift(task="regression", random_state=0)
    y_masked = skt.mask_target_labels(y, sd)
    model = skt.SourceOnly(Ridge()).fit(X, y_masked)
    prior = ConstantProba((sd < 0).mean())
    value = DeepEmbeddedValidationScorer(domain_classifier=prior)(model, X, y_masked)
    residual = model.predict(X[sd > 0]) - y[sd > 0]
    assert value == pytest.approx(-np.mean(residual**2))


# -- helpers -------------------------------------------------------------------------------------


def test_call_follows_nested_pipelines_and_passthrough():
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    y_masked = skt.mask_target_labels(y, sd)
    inner = make_pipeline(Offset(10.0), "passthrough")
    pipe = make_pipeline(StandardScaler(), inner, skt.SourceOnly(LogisticRegression()))
    pipe.fit(X, y_masked)
    Xs = X[sd > 0]
    scaled = pipe[0].transform(Xs)
    np.testing.assert_allclose(
        _call(pipe[:-1], "transform", Xs, np.ones(len(Xs), int)), scaled + 10.0
    )
    np.testing.assert_allclose(_call(pipe[:-1], "transform", Xs, None), scaled)
    np.testing.assert_array_equal(
        _call(pipe, "predict", Xs, np.ones(len(Xs), int)),
        pipe[-1].predict(scaled + 10.0),
    )


def test_fit_passes_sample_domain_to_every_step_routing_on_and_off():
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    pipe = make_pipeline(StandardScaler(), make_pipeline(MeanShift()), skt.TargetOnly())
    off = _fit(clone(pipe), X, y, sd)  # TargetOnly needs sample_domain: it must arrive
    with sklearn.config_context(enable_metadata_routing=True):
        on = _fit(clone(pipe), X, y, sd)
        plain = _fit(make_pipeline(StandardScaler()), X, y, sd)
    np.testing.assert_array_equal(off.predict(X), on.predict(X))
    assert hasattr(plain[0], "mean_")


def test_scorers_clone_and_repr():
    scorer = ImportanceWeightedScorer(log_loss, response_method="predict_proba")
    assert clone(scorer).get_params()["metric"] is log_loss
    assert "SoftNeighborhoodDensityScorer(temperature=0.1)" == repr(
        SoftNeighborhoodDensityScorer(0.1)
    )


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scorer",
    [
        PredictionEntropyScorer(),
        SoftNeighborhoodDensityScorer(),
        DeepEmbeddedValidationScorer(),
        ImportanceWeightedScorer(log_loss, response_method="predict_proba"),
    ],
    ids=_name,
)
def test_scorer_needs_predict_proba(scorer):
    X, y, sd = skt.datasets.make_domain_shift(random_state=0)
    y_masked = skt.mask_target_labels(y, sd)
    model = make_pipeline(StandardScaler(), NoProba()).fit(X, y_masked)
    with pytest.raises(TypeError, match="needs predict_proba and NoProba has none.*Pipeline"):
        scorer(model, X, y_masked)


@pytest.mark.parametrize(
    "scorer",
    [ImportanceWeightedScorer(), ReverseValidationScorer(), DeepEmbeddedValidationScorer()],
    ids=_name,
)
def test_scorer_needs_source_rows_in_fold(scorer, task):
    X, y, sd, y_masked, pipe = task
    target = sd < 0
    with pytest.raises(ValueError, match="no labeled source row.*not SourceTargetShuffleSplit"):
        scorer(pipe, X[target], y_masked[target])
    with pytest.raises(ValueError, match="needs the labels of the source rows; y is None"):
        scorer(pipe, X, sample_domain=sd)


@pytest.mark.parametrize("scorer", UNSUPERVISED, ids=_name)
def test_scorer_needs_target_rows_in_fold(scorer, task):
    X, y, sd, y_masked, pipe = task
    source = sd > 0
    with pytest.raises(ValueError, match="validation fold has no target rows.*KFold"):
        scorer(pipe, X[source], y[source], sample_domain=sd[source])
    # every row labeled, no sample_domain: the message says what the scorer needs
    with pytest.raises(ValueError, match=r"without target labels: it needs .*unlabeled target "
                                         r"rows .*all \d+ rows carry a label"):
        scorer(pipe, X[source], y[source])


def test_search_score_on_labeled_target_rows_says_what_the_scorer_needs(task):
    # GridSearchCV.score(X_target, y_target) calls the search's scorer on labeled rows only
    X, y, sd, y_masked, pipe = task
    target = sd < 0
    search = GridSearchCV(pipe, {"sourceonly__estimator__C": [0.1, 1.0]}, cv=2,
                          scoring=ImportanceWeightedScorer(random_state=0)).fit(X, y_masked)
    with pytest.raises(ValueError, match=r"ImportanceWeightedScorer estimates target "
                                         r"performance without target labels: it needs "
                                         r"labeled source rows and unlabeled target rows.*"
                                         r"best_estimator_.score\(X_target, y_target\)"):
        search.score(X[target], y[target])
    # the fixes it names work
    assert 0 <= search.best_estimator_.score(X[target], y[target]) <= 1
    assert 0 <= TargetScorer("accuracy")(search.best_estimator_, X[target], y[target]) <= 1


def test_bad_scorer_parameters(task):
    X, y, sd, y_masked, pipe = task
    with pytest.raises(ValueError, match="temperature must be a positive number; got 0"):
        SoftNeighborhoodDensityScorer(temperature=0)(pipe, X, y_masked)
    with pytest.raises(ValueError, match="loss must be 'log_loss', 'zero_one'.*'hinge'"):
        DeepEmbeddedValidationScorer(loss="hinge")(pipe, X, y_masked)
    with pytest.raises(TypeError, match="weight_function must be None or a callable.*str"):
        ImportanceWeightedScorer(weight_function="kmm")(pipe, X, y_masked)
    with pytest.raises(ValueError, match="one finite, non-negative weight per source row"):
        ImportanceWeightedScorer(weight_function=lambda a, b: -np.ones(len(a)))(pipe, X, y_masked)
    with pytest.raises(ValueError, match="one finite, non-negative weight per source row"):
        ImportanceWeightedScorer(weight_function=lambda a, b: np.ones(3))(pipe, X, y_masked)
    with pytest.raises(ValueError, match="every importance weight is zero"):
        ImportanceWeightedScorer(weight_function=lambda a, b: np.zeros(len(a)))(pipe, X, y_masked)
    with pytest.raises(ValueError, match="X and y have different lengths: X has"):
        PredictionEntropyScorer()(pipe, X, y_masked[:-1])
    with pytest.raises(ValueError, match="needs at least 2 target rows"):
        SoftNeighborhoodDensityScorer()(pipe, X[sd > 0][:1].repeat(1, 0), np.array([-1]))


def test_pipeline_ending_with_passthrough(task):
    X, y, sd, y_masked, pipe = task
    with pytest.raises(TypeError, match="ends with 'passthrough'"):
        PredictionEntropyScorer()(
            make_pipeline(StandardScaler(), "passthrough").fit(X), X, y_masked
        )


def test_importance_weighted_with_a_weight_function_of_skt_reweight():
    from functools import partial

    from skt.reweight import kmm_weights

    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    y_masked = skt.mask_target_labels(y, sd)
    model = skt.SourceOnly(LogisticRegression()).fit(X, y_masked)
    weights = partial(kmm_weights, gamma=0.5)
    source = sd > 0
    w = weights(X[source], X[sd < 0])
    expected = accuracy_score(y[source], model.predict(X[source]), sample_weight=w)
    scorer = ImportanceWeightedScorer(weight_function=weights)
    assert scorer(model, X, y_masked) == pytest.approx(expected)


def test_importance_weights_are_fitted_once_per_fold_of_a_grid(task):
    X, y, sd, y_masked, pipe = task
    weights = RecordingWeights()
    scorer = ImportanceWeightedScorer(weight_function=weights)
    cv = KFold(3, shuffle=True, random_state=0)
    # a grid over the final estimator: every candidate shows the same rows to the last step
    grid = {"sourceonly__estimator__C": [0.01, 0.1, 1.0, 10.0]}
    search = GridSearchCV(pipe, grid, cv=cv, scoring=scorer, refit=False).fit(X, y_masked)
    assert len(weights.calls) == 3
    # the cached weights give the scores of a fresh fit for each candidate
    fresh = ImportanceWeightedScorer(weight_function=RecordingWeights())
    fresh._cache_weights = False
    again = GridSearchCV(pipe, grid, cv=cv, scoring=fresh, refit=False).fit(X, y_masked)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"],
                                  again.cv_results_["mean_test_score"])
    # a grid over an adapter changes the rows the weights see: one fit per candidate and fold
    # (the candidate scale=1.0 is the pipeline above: its 3 folds are in the cache already)
    weights.calls.clear()
    GridSearchCV(pipe, {"meanshift__scale": [0.0, 0.5, 1.0]}, cv=cv, scoring=scorer,
                 refit=False).fit(X, y_masked)
    assert len(weights.calls) == 6


def test_cached_weights_follow_the_weight_parameters(task):
    X, y, sd, y_masked, pipe = task
    a, b = RecordingWeights(), RecordingWeights()
    scorer = ImportanceWeightedScorer(weight_function=a)
    scorer(pipe, X, y_masked)
    scorer(pipe, X, y_masked)
    assert len(a.calls) == 1
    scorer.set_params(weight_function=b)
    scorer(pipe, X, y_masked)
    assert len(b.calls) == 1
    # a clone starts empty, and pickling leaves the cache behind
    import pickle

    assert "_weight_cache" not in clone(scorer).__dict__
    assert "_weight_cache" not in pickle.loads(pickle.dumps(scorer)).__dict__


@pytest.mark.parametrize("n_features, shift", [(3, 0.5), (20, 1.0)])
def test_default_importance_weights_are_the_documented_discriminative_weights(n_features, shift):
    # the scorer's own cross-fitting loop (no cross_val_predict over a cloned Pipeline, for
    # speed) gives skt.reweight.discriminative_weights with a standardized logistic
    # regression, 5 cross-fitted folds drawn from the same seed, clipped at 1e6
    from skt.model_selection._scorers import _default_domain_weights
    from skt.reweight import discriminative_weights

    rng = np.random.RandomState(0)
    Zs = rng.normal(size=(120, n_features))
    Zt = rng.normal(loc=shift, size=(90, n_features))
    Zs[:, 0] = 2.0  # a constant feature: StandardScaler's zero scale
    Zt[:, 0] = 2.0
    expected = discriminative_weights(
        Zs, Zt, classifier=make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        cv=5, clip=1e6, random_state=7)
    np.testing.assert_allclose(_default_domain_weights(Zs, Zt, 7), expected, rtol=1e-10)
    scorer = ImportanceWeightedScorer(random_state=7)
    np.testing.assert_allclose(scorer._weights(Zs, Zt), expected, rtol=1e-10)
