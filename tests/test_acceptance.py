"""The three acceptance examples of the design contract (DESIGN.md section 3), run as written.

Each test runs the example's code unchanged (routing off, scikit-learn's default), then checks
what the example promises. The oracle example runs a second time with metadata routing on,
passing ``sample_domain=`` once, and must give the same results.
"""

import numpy as np
import pytest
import sklearn


def test_example_1_pipeline_without_sample_domain(capsys):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skt

    X, y, sample_domain = skt.datasets.make_domain_shift(kind="covariate", random_state=0)
    y_train = skt.mask_target_labels(y, sample_domain)  # target labels hidden as -1
    target = sample_domain < 0

    pipe = make_pipeline(StandardScaler(), skt.CORAL(), skt.KMM(LogisticRegression()))
    pipe.fit(X, y_train)  # no sample_domain, no routing
    print(pipe.score(X[target], y[target]))  # accuracy on the target domain

    accuracy = float(capsys.readouterr().out)
    assert 0.5 < accuracy <= 1.0
    assert set(np.unique(pipe.predict(X[target]))) <= {0, 1}  # -1 was never learned as a class
    # the masked labels told every step which rows are target rows: the same as saying it
    told = make_pipeline(StandardScaler(), skt.CORAL(), skt.KMM(LogisticRegression()))
    told.fit(X, y_train, coral__sample_domain=sample_domain, kmm__sample_domain=sample_domain)
    np.testing.assert_allclose(told.predict_proba(X), pipe.predict_proba(X), rtol=1e-7)


def test_example_2_model_selection_without_target_labels():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skt

    X, y, sample_domain = skt.datasets.make_domain_shift(kind="covariate", random_state=0)
    y_train = skt.mask_target_labels(y, sample_domain)  # target labels hidden as -1

    pipe = make_pipeline(StandardScaler(), skt.CORAL(), skt.KMM(LogisticRegression()))

    # model selection without any target label
    grid = GridSearchCV(
        pipe,
        {"kmm__gamma": [0.1, 1.0], "coral__reg": [1e-3, 1.0]},
        scoring=skt.model_selection.ImportanceWeightedScorer(),
        cv=3,
    )
    grid.fit(X, y_train)

    scores = grid.cv_results_["mean_test_score"]
    assert scores.shape == (4,) and np.all(np.isfinite(scores))
    assert np.all((0 <= scores) & (scores <= 1))  # importance-weighted accuracy
    assert grid.best_params_ in grid.cv_results_["params"]
    # no target label was available to the search: the true ones change nothing
    assert np.all(y_train[sample_domain < 0] == -1)


def _oracle_search(routing):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skt

    X, y, sample_domain = skt.datasets.make_domain_shift(kind="covariate", random_state=0)
    pipe = make_pipeline(StandardScaler(), skt.CORAL(), skt.KMM(LogisticRegression()))

    # oracle evaluation: true target labels in y, kept out of training by sample_domain
    cv = skt.model_selection.SourceTargetShuffleSplit(n_splits=5, random_state=0)
    grid = GridSearchCV(pipe, {"kmm__gamma": [0.1, 1.0]}, cv=cv)
    if routing:
        with sklearn.config_context(enable_metadata_routing=True):
            grid.fit(X, y, sample_domain=sample_domain)
    else:
        grid.fit(
            X,
            y,
            groups=sample_domain,
            coral__sample_domain=sample_domain,
            kmm__sample_domain=sample_domain,
        )
    return grid, X, y, sample_domain


@pytest.fixture(scope="module")
def oracle_off():
    return _oracle_search(routing=False)


def test_example_3_oracle_evaluation_routing_off(oracle_off):
    grid, X, y, sample_domain = oracle_off
    scores = grid.cv_results_["mean_test_score"]
    assert scores.shape == (2,) and np.all((0.5 < scores) & (scores <= 1))
    # each test fold holds only held-out target rows, scored with their true labels
    import skt

    cv = skt.model_selection.SourceTargetShuffleSplit(n_splits=5, random_state=0)
    for _, test in cv.split(X, y, groups=sample_domain):
        assert (sample_domain[test] < 0).all()


def test_example_3_oracle_evaluation_routing_on_matches_routing_off(oracle_off):
    off, *_ = oracle_off
    on, *_ = _oracle_search(routing=True)
    for key in ("split0_test_score", "split4_test_score", "mean_test_score"):
        np.testing.assert_allclose(on.cv_results_[key], off.cv_results_[key], rtol=1e-10)


def test_example_3_training_folds_never_read_target_labels(oracle_off):
    # the training folds hold target rows with their TRUE labels; CORAL and KMM are told by
    # sample_domain which rows are target rows and mask those labels themselves
    from sklearn.base import clone

    grid, X, y, sample_domain = oracle_off
    target = sample_domain < 0
    y_poisoned = y.copy()
    y_poisoned[target] = 1 - y[target]
    params = {"coral__sample_domain": sample_domain, "kmm__sample_domain": sample_domain}
    honest = clone(grid.best_estimator_).fit(X, y, **params)
    poisoned = clone(grid.best_estimator_).fit(X, y_poisoned, **params)
    np.testing.assert_allclose(poisoned.predict_proba(X), honest.predict_proba(X), rtol=1e-10)


@pytest.mark.parametrize("routing", [False, True], ids=["routing-off", "routing-on"])
def test_example_3_with_importance_weighted_scorer_needs_source_rows(routing):
    # the oracle splitter's test folds hold only target rows: a scorer that evaluates source
    # rows says so instead of returning a number
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skt

    X, y, sample_domain = skt.datasets.make_domain_shift(kind="covariate", random_state=0)
    pipe = make_pipeline(StandardScaler(), skt.CORAL(), skt.SourceOnly(LogisticRegression()))
    cv = skt.model_selection.SourceTargetShuffleSplit(n_splits=2, random_state=0)
    grid = GridSearchCV(
        pipe,
        {"coral__reg": [1.0]},
        cv=cv,
        error_score="raise",
        scoring=skt.model_selection.ImportanceWeightedScorer(),
    )
    with pytest.raises(ValueError, match="no labeled source row"):
        if routing:
            with sklearn.config_context(enable_metadata_routing=True):
                grid.fit(X, y, sample_domain=sample_domain)
        else:
            grid.fit(X, skt.mask_target_labels(y, sample_domain), groups=sample_domain)
