"""Weight flattening, the effective-sample-size warning, and the high-dimensional collapse."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.reweight._common import (
    FLATTEN_GRID,
    choose_flatten,
    effective_sample_size,
    flatten_weights,
)


def high_dimensional_shift(seed, n_features=400, n_rows=400, shift=0.1):
    """A modest mean shift along each of many standardised features; one linear rule."""
    rng = np.random.RandomState(seed)
    beta = 3 * rng.randn(n_features) / np.sqrt(n_features)
    X = np.vstack([rng.randn(n_rows, n_features),
                   rng.randn(n_rows, n_features) + shift * rng.choice([-1, 1], n_features)])
    y = (X @ beta + 0.5 * rng.randn(2 * n_rows) > 0).astype(np.int64)
    return X, y, np.r_[np.ones(n_rows, np.int64), -np.ones(n_rows, np.int64)]


def _target_accuracy(model, X, y, sd):
    pipe = make_pipeline(StandardScaler(), model).fit(X, skt.mask_target_labels(y, sd))
    return 100 * pipe.score(X[sd < 0], y[sd < 0]), pipe[-1]


def test_flatten_weights_interpolates_between_unweighted_and_weighted():
    w = np.random.RandomState(0).exponential(size=50) * 3
    np.testing.assert_array_equal(flatten_weights(w, 0.0), np.ones(50))
    np.testing.assert_allclose(flatten_weights(w, 1.0), w)
    half = flatten_weights(w, 0.5)
    np.testing.assert_allclose(half / half.mean(), np.sqrt(w) / np.sqrt(w).mean())
    assert half.mean() == pytest.approx(np.sqrt(w.mean()))
    # the effective sample size grows as the exponent falls
    ess = [effective_sample_size(flatten_weights(w, e)) for e in FLATTEN_GRID]
    assert np.all(np.diff(ess) < 0) and ess[0] == 50


@pytest.mark.parametrize("old, new", [
    pytest.param(
        # before issue 15: full weights from a domain classifier with a fixed C=1
        lambda: skt.DiscriminativeReweighting(LogisticRegression(max_iter=1000),
                                              classifier=LogisticRegression(), flatten=1.0),
        lambda: skt.DiscriminativeReweighting(LogisticRegression(max_iter=1000)),
        id="discriminative"),
    pytest.param(
        lambda: skt.KMM(LogisticRegression(max_iter=1000), flatten=1.0),
        lambda: skt.KMM(LogisticRegression(max_iter=1000)),
        id="KMM", marks=pytest.mark.slow),
])
def test_default_weights_do_not_collapse_in_high_dimension(old, new):
    # the collapse of issue 15: the former defaults lose points to source-only, today's do
    # not lose more than one
    X, y, sd = high_dimensional_shift(0)
    source_only, _ = _target_accuracy(skt.SourceOnly(LogisticRegression(max_iter=1000)),
                                      X, y, sd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        plain, _ = _target_accuracy(old(), X, y, sd)
    default, model = _target_accuracy(new(), X, y, sd)
    assert plain < source_only - 2
    assert default >= source_only - 1
    assert model.flatten_ in FLATTEN_GRID and model.flatten_scores_.shape == (5,)


def test_choose_flatten_takes_the_best_mean_score_flattest_on_ties():
    # Sugiyama et al.'s rule: the best mean IWCV score, not a one-standard-error rule that
    # falls back on the unweighted fit whenever the folds disagree
    scores = np.array([[0.60, 0.70, 0.90, 0.80, 0.70],
                       [0.80, 0.60, 0.70, 0.70, 0.90],
                       [0.70, 0.80, 0.95, 0.90, 0.60]])
    assert choose_flatten(scores) == 0.5
    assert choose_flatten(np.full((5, 5), 0.7)) == 0.0
    assert choose_flatten(np.array([[0.5, 0.6, 0.6, 0.6, 0.6]])) == 0.25


def test_auto_keeps_large_gains_a_one_standard_error_rule_gave_up():
    # 5 features, 3 classes: the full KMM weights gain 23 points; the former rule (flattest
    # exponent within one standard error of the best) kept the unweighted fit here
    X, y, sd = skt.datasets.make_domain_shift(
        "covariate", n_samples_source=300, n_samples_target=300, n_features=5, n_classes=3,
        random_state=0)
    source_only, _ = _target_accuracy(skt.SourceOnly(LogisticRegression(max_iter=1000)),
                                      X, y, sd)
    default, model = _target_accuracy(skt.KMM(LogisticRegression(max_iter=1000)), X, y, sd)
    assert model.flatten_ > 0 and default > source_only + 10


def test_default_domain_classifier_is_calibrated_in_high_dimension():
    # a fixed C=1 over-fits 400 features: a few source rows carry the weights; the C chosen
    # by cross-validated log-loss keeps most rows in play
    X, y, sd = high_dimensional_shift(0)
    Xs, Xt = X[sd > 0], X[sd < 0]
    fixed = skt.reweight.discriminative_weights(Xs, Xt, classifier=LogisticRegression())
    default = skt.reweight.discriminative_weights(Xs, Xt)
    assert effective_sample_size(fixed) < 0.3 * len(Xs)
    assert effective_sample_size(default) > 1.5 * effective_sample_size(fixed)
    assert effective_sample_size(default) > 0.45 * len(Xs)
    model = skt.DiscriminativeReweighting(flatten=1.0).fit(X, skt.mask_target_labels(y, sd))
    assert model.classifier_.C_ < 1
    np.testing.assert_allclose(model.weights_, default)


@pytest.mark.parametrize("seed", [0, 1])
def test_default_domain_classifier_path_matches_the_grid_search(seed):
    # the warm-started path with early stopping picks the C of the plain grid search, and
    # its probabilities agree with the grid search's refitted model
    from sklearn.model_selection import GridSearchCV

    from skt.reweight._discriminative import DEFAULT_CLASSIFIER_CS, default_domain_classifier

    X, _, sd = high_dimensional_shift(seed)
    d = (sd < 0).astype(int)
    path = default_domain_classifier(int((d == 0).sum()), int(d.sum())).fit(X, d)
    grid = GridSearchCV(LogisticRegression(max_iter=1000), {"C": DEFAULT_CLASSIFIER_CS},
                        scoring="neg_log_loss", cv=5).fit(X, d)
    assert path.C_ == grid.best_params_["C"]
    assert len(path.Cs_) < len(DEFAULT_CLASSIFIER_CS)  # the path stopped early
    visited = grid.cv_results_["mean_test_score"][: len(path.Cs_)]
    # equal to L-BFGS's tolerance: the warm and cold starts stop at slightly different points
    # where C is large and the problem ill-conditioned
    np.testing.assert_allclose(path.scores_.mean(axis=0), visited, rtol=0.02)
    np.testing.assert_allclose(path.predict_proba(X), grid.predict_proba(X), atol=1e-6)


def test_auto_keeps_the_weights_where_they_correct_a_bias():
    X, y, sd = skt.datasets.make_domain_shift("covariate", n_samples_source=300,
                                              n_samples_target=300, random_state=3)
    source_only, _ = _target_accuracy(skt.SourceOnly(LogisticRegression()), X, y, sd)
    default, model = _target_accuracy(skt.ULSIF(random_state=0), X, y, sd)
    assert model.flatten_ > 0 and default > source_only + 3


def test_estimator_is_trained_with_the_flattened_weights():
    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    model = skt.KLIEP(random_state=0, flatten=0.5).fit(X, skt.mask_target_labels(y, sd))
    np.testing.assert_allclose(model.training_weights_, flatten_weights(model.weights_, 0.5))
    ref = LogisticRegression().fit(X[sd > 0], y[sd > 0], sample_weight=model.training_weights_)
    np.testing.assert_allclose(model.estimator_.coef_, ref.coef_)
    assert model.flatten_ == 0.5 and model.flatten_scores_ is None
    unweighted = skt.KLIEP(random_state=0, flatten=0).fit(X, skt.mask_target_labels(y, sd))
    plain = skt.SourceOnly(LogisticRegression()).fit(X, skt.mask_target_labels(y, sd))
    np.testing.assert_allclose(unweighted.estimator_.coef_, plain.estimator_.coef_)


def test_low_effective_sample_size_warns():
    X, y, sd = skt.datasets.make_domain_shift("covariate", n_samples_source=300,
                                              n_samples_target=300, random_state=1)
    with pytest.warns(UserWarning, match=r"effective sample size of the training weights is "
                                         r"[\d.]+, [\d.]+% of the 300 source rows \(below 5%\)"):
        model = skt.DiscriminativeReweighting(flatten=1.0).fit(X, skt.mask_target_labels(y, sd))
    assert model.effective_sample_size_ < 0.05 * 300


@pytest.mark.parametrize("bad", [1.5, -0.1, "none", np.nan])
def test_bad_flatten(bad):
    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    with pytest.raises(ValueError, match="flatten must be"):
        skt.ULSIF(gamma=1.0, reg=0.1, flatten=bad).fit(X, skt.mask_target_labels(y, sd))


def test_nearest_neighbors_validation_weights_are_the_held_out_rows_own_cells(monkeypatch):
    # IWCV of nearest-neighbour weights scores each held-out fold with the weights the fold's
    # rows get when the target rows vote among them alone (their own Voronoi cells), not with
    # their share of the votes cast among all source rows
    import skt.reweight._common as common
    from skt.reweight import nearest_neighbors_weights

    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    y_train = skt.mask_target_labels(y, sd)
    Xs, Xt = X[sd > 0], X[sd < 0]
    seen = []
    original = common._iwcv_flatten_scores

    def spy(estimator, X_, y_, weights, random_state, validation_weights=None):
        def recorded(rows):
            w = validation_weights(rows)
            seen.append((rows, w))
            return w

        return original(estimator, X_, y_, weights, random_state, recorded)

    monkeypatch.setattr(common, "_iwcv_flatten_scores", spy)
    model = skt.NearestNeighborsReweighting(LogisticRegression()).fit(X, y_train)
    assert len(seen) == 5  # one per fold
    covered = np.concatenate([rows for rows, _ in seen])
    np.testing.assert_array_equal(np.sort(covered), np.arange(Xs.shape[0]))
    for rows, w in seen:
        np.testing.assert_allclose(w, nearest_neighbors_weights(Xs[rows], Xt))
        # each fold's weights carry every target row's vote (mean 1 + smoothing share)
        assert not np.allclose(w, model.weights_[rows] * len(rows) / model.weights_[rows].sum())


def test_auto_skips_its_cross_validation_when_the_weights_are_equal(monkeypatch):
    # a domain classifier that cannot tell the domains apart gives every row the same weight
    # (on Office-Caltech, whose domains are z-scored separately, to 1e-6): every exponent then
    # trains on the same weights, so flatten="auto" must not spend 25 fits choosing among them
    import skt.reweight._common as common

    calls = []
    original = common._iwcv_flatten_scores

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(common, "_iwcv_flatten_scores", spy)
    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    y_train = skt.mask_target_labels(y, sd)
    n_source = int(np.sum(sd > 0))
    for spread, runs_cv in [(0.0, False), (0.5e-4, False), (1e-3, True)]:
        weights = 1 + spread * np.linspace(0, 1, n_source)
        monkeypatch.setattr(skt.NearestNeighborsReweighting, "_fit_weights",
                            lambda self, Xs, Xt, w=weights: w)
        calls.clear()
        model = skt.NearestNeighborsReweighting(LogisticRegression()).fit(X, y_train)
        assert bool(calls) is runs_cv, spread
        if not runs_cv:
            assert model.flatten_ == 0.0 and model.flatten_scores_ is None
            np.testing.assert_array_equal(model.training_weights_, np.ones(n_source))
