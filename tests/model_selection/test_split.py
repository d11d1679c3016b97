"""Domain-aware splitters: invariants, the three ways domains arrive, routing, and bad input."""

import numpy as np
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate

import skt
from skt.model_selection import (
    LeaveOneDomainOut,
    SourceTargetShuffleSplit,
    StratifiedSourceTargetShuffleSplit,
    StratifiedTargetKFold,
    TargetKFold,
)

TARGET_SPLITTERS = [
    SourceTargetShuffleSplit(n_splits=4, test_size=0.3, random_state=0),
    StratifiedSourceTargetShuffleSplit(n_splits=4, test_size=0.3, random_state=0),
    TargetKFold(n_splits=4),
    TargetKFold(n_splits=4, shuffle=True, random_state=0),
    StratifiedTargetKFold(n_splits=4),
]


def _ids(splitter):
    return type(splitter).__name__ + ("-shuffle" if getattr(splitter, "shuffle", False) else "")


@pytest.fixture
def data():
    X, y, sample_domain = skt.datasets.make_domain_shift(
        n_samples_source=40, n_samples_target=30, random_state=0
    )
    return X, y, sample_domain


@pytest.mark.parametrize("cv", TARGET_SPLITTERS, ids=_ids)
def test_target_splitters_keep_source_in_train_and_test_on_target(cv, data):
    X, y, sd = data
    splits = list(cv.split(X, y, groups=sd))
    assert len(splits) == cv.get_n_splits(X, y, groups=sd) == 4
    source = np.flatnonzero(sd > 0)
    for train, test in splits:
        assert np.intersect1d(train, test).size == 0
        assert np.isin(source, train).all()
        assert (sd[test] < 0).all() and test.size > 0
        assert (sd[train] < 0).any()  # the method sees target rows to adapt to
        assert np.array_equal(np.sort(train), train) and np.array_equal(np.sort(test), test)


@pytest.mark.parametrize("cv", [TargetKFold(3), StratifiedTargetKFold(3)], ids=_ids)
def test_kfold_tests_each_target_row_once(cv, data):
    X, y, sd = data
    tested = np.concatenate([test for _, test in cv.split(X, y, groups=sd)])
    assert np.array_equal(np.sort(tested), np.flatnonzero(sd < 0))


def test_domains_from_groups_sample_domain_or_mask_agree(data):
    X, y, sd = data
    y_masked = skt.mask_target_labels(y, sd)
    cv = SourceTargetShuffleSplit(n_splits=3, random_state=1)
    from_groups = list(cv.split(X, y, groups=sd))
    from_routing = list(cv.split(X, y, sample_domain=sd))
    from_mask = list(cv.split(X, y_masked))
    both = list(cv.split(X, y, groups=sd, sample_domain=sd))
    for splits in (from_routing, from_mask, both):
        for (a_train, a_test), (b_train, b_test) in zip(from_groups, splits, strict=True):
            assert np.array_equal(a_train, b_train) and np.array_equal(a_test, b_test)


def test_shuffle_split_sizes_and_reproducibility(data):
    X, y, sd = data
    n_target = int((sd < 0).sum())
    cv = SourceTargetShuffleSplit(n_splits=3, test_size=0.4, random_state=0)
    first = list(cv.split(X, groups=sd))
    second = list(cv.split(X, groups=sd))
    for (train, test), (train2, test2) in zip(first, second, strict=True):
        assert test.size == int(np.ceil(0.4 * n_target))
        assert np.array_equal(test, test2) and np.array_equal(train, train2)
    integer = list(SourceTargetShuffleSplit(2, test_size=5, random_state=0).split(X, groups=sd))
    assert all(test.size == 5 for _, test in integer)
    # different draws across splits
    assert not np.array_equal(first[0][1], first[1][1])


def test_stratified_splitters_keep_target_class_proportions():
    X = np.zeros((60, 1))
    sd = np.repeat([1, -1], [20, 40])
    y = np.concatenate([np.arange(20) % 2, np.repeat([0, 1], [30, 10])])
    for cv in (
        StratifiedSourceTargetShuffleSplit(n_splits=3, test_size=0.5, random_state=0),
        StratifiedTargetKFold(n_splits=2, shuffle=True, random_state=0),
    ):
        for _, test in cv.split(X, y, groups=sd):
            assert np.bincount(y[test]).tolist() == [15, 5]


def test_several_target_domains_are_pooled():
    X = np.zeros((12, 1))
    sd = np.array([1, 1, 1, 1, -1, -1, -1, -1, -2, -2, -2, -2])
    tested = np.concatenate([t for _, t in TargetKFold(4).split(X, groups=sd)])
    assert np.array_equal(np.sort(tested), np.arange(4, 12))


def test_leave_one_domain_out():
    X = np.zeros((9, 1))
    sd = np.array([1, 1, 2, 2, 3, 3, -1, -1, -1])
    cv = LeaveOneDomainOut()
    splits = list(cv.split(X, groups=sd))
    assert cv.get_n_splits(X, groups=sd) == cv.get_n_splits(groups=sd) == len(splits) == 3
    for domain, (train, test) in zip([1, 2, 3], splits, strict=True):
        assert (sd[test] == domain).all() and (sd[train] != domain).all()
        assert np.isin(np.flatnonzero(sd < 0), train).all()
        assert test.size + train.size == 9


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from([1, 2, -1, -3]), min_size=8, max_size=40).filter(
        lambda ids: sum(i < 0 for i in ids) >= 3 and any(i > 0 for i in ids)
    ),
    st.integers(0, 2**16),
)
def test_splitter_invariants_on_any_domains(ids, seed):
    sd = np.array(ids)
    X = np.zeros((sd.size, 2))
    for cv in (
        SourceTargetShuffleSplit(n_splits=3, test_size=0.34, random_state=seed),
        TargetKFold(n_splits=3, shuffle=True, random_state=seed),
    ):
        for train, test in cv.split(X, groups=sd):
            assert (sd[test] < 0).all()
            assert np.isin(np.flatnonzero(sd > 0), train).all()
            assert np.union1d(train, test).size == train.size + test.size
            assert (sd[train] < 0).any()


def test_splitters_request_groups_and_sample_domain():
    routing = SourceTargetShuffleSplit().get_metadata_routing()
    assert routing.consumes("split", ["groups", "sample_domain"]) == {"groups", "sample_domain"}


def test_grid_search_routes_sample_domain_to_splitter(data):
    # true target labels in y and no groups: only the routed sample_domain tells the domains
    X, y, sd = data
    model = skt.SourceOnly(LogisticRegression())
    cv = SourceTargetShuffleSplit(n_splits=3, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        grid = GridSearchCV(model, {"estimator__C": [0.1, 1.0]}, cv=cv)
        grid.fit(X, y, sample_domain=sd)
        routed = cross_validate(model, X, y, cv=cv, params={"sample_domain": sd})
    unrouted = cross_validate(model, X, y, cv=cv, groups=sd, params={"sample_domain": sd})
    assert grid.n_splits_ == 3
    np.testing.assert_array_equal(routed["test_score"], unrouted["test_score"])


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cv", TARGET_SPLITTERS + [LeaveOneDomainOut()], ids=_ids)
def test_no_domains_given(cv):
    with pytest.raises(ValueError, match="needs the domain of each row.*groups=sample_domain"):
        next(cv.split(np.zeros((10, 1))))


@pytest.mark.parametrize("cv", TARGET_SPLITTERS, ids=_ids)
def test_no_target_rows(cv):
    X, y = np.zeros((10, 1)), np.arange(10) % 2
    with pytest.raises(ValueError, match="no target rows.*masked labels in y.*groups"):
        next(cv.split(X, y))
    with pytest.raises(ValueError, match="no target rows \\(domains from groups\\)"):
        next(cv.split(X, y, groups=np.ones(10, int)))


@pytest.mark.parametrize("cv", TARGET_SPLITTERS, ids=_ids)
def test_no_source_rows(cv):
    X = np.zeros((10, 1))
    with pytest.raises(ValueError, match="no source rows.*no training split would hold"):
        next(cv.split(X, np.arange(10) % 2, groups=-np.ones(10, int)))


def test_bad_groups():
    X = np.zeros((4, 1))
    cv = TargetKFold(2)
    with pytest.raises(ValueError, match="groups must hold one domain id per row of X \\(4"):
        next(cv.split(X, groups=[1, -1, -1]))
    with pytest.raises(ValueError, match="groups must hold integer domain ids.*got values of"):
        next(cv.split(X, groups=["a", "b", "a", "b"]))
    with pytest.raises(ValueError, match="groups contains 0"):
        next(cv.split(X, groups=[1, 0, -1, -1]))
    with pytest.raises(ValueError, match="sample_domain must hold one domain id per row"):
        next(cv.split(X, sample_domain=[1, -1]))
    with pytest.raises(ValueError, match="groups and sample_domain were both given and differ"):
        next(cv.split(X, groups=[1, 1, -1, -1], sample_domain=[1, -1, -1, -1]))


def test_bad_test_size_and_n_splits():
    X, sd = np.zeros((8, 1)), np.array([1, 1, 1, 1, -1, -1, -1, -1])
    with pytest.raises(ValueError, match="test_size=4 held-out target rows.*\\[1, 3\\]"):
        next(SourceTargetShuffleSplit(test_size=4).split(X, groups=sd))
    with pytest.raises(ValueError, match="fraction of the target rows in \\(0, 1\\).*1.0"):
        next(SourceTargetShuffleSplit(test_size=1.0).split(X, groups=sd))
    with pytest.raises(ValueError, match="test_size must be a float in \\(0, 1\\) or an int"):
        next(SourceTargetShuffleSplit(test_size="half").split(X, groups=sd))
    with pytest.raises(ValueError, match="n_splits=5 folds need at least 5 target rows; found"):
        next(TargetKFold(5).split(X, groups=sd))
    with pytest.raises(ValueError, match="n_splits must be an integer >= 2; got 1"):
        next(TargetKFold(1).split(X, groups=sd))


@pytest.mark.parametrize(
    "cv",
    [StratifiedTargetKFold(2), StratifiedSourceTargetShuffleSplit(2, random_state=0)],
    ids=_ids,
)
def test_stratified_needs_target_labels(cv):
    X, sd = np.zeros((8, 1)), np.array([1, 1, 1, 1, -1, -1, -1, -1])
    y_masked = np.array([0, 1, 0, 1, -1, -1, -1, -1])
    with pytest.raises(ValueError, match="stratifies the held-out target rows.*are masked"):
        next(cv.split(X, y_masked, groups=sd))
    with pytest.raises(ValueError, match="stratifies the held-out target rows.*y is None"):
        next(cv.split(X, groups=sd))


def test_leave_one_domain_out_needs_two_sources():
    X = np.zeros((6, 1))
    with pytest.raises(ValueError, match="at least 2 source domains.*found 1.*masked labels"):
        next(LeaveOneDomainOut().split(X, np.array([0, 1, 0, -1, -1, -1])))
    with pytest.raises(ValueError, match="at least 2 source domains.*found 1 \\(domains from gr"):
        LeaveOneDomainOut().get_n_splits(X, groups=[1, 1, 1, -1, -1, -1])
    with pytest.raises(ValueError, match="get_n_splits needs the domain ids"):
        LeaveOneDomainOut().get_n_splits()
