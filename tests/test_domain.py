"""The domain contract: masks, sample_domain checks, source/target views, and their errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

import skt
from skt import check_domains, infer_sample_domain, mask_target_labels
from skt._domain import _check_sample_domain

from .strategies import shifted_datasets

X4 = np.arange(8.0).reshape(4, 2)


def test_inferred_from_classification_mask():
    d = check_domains(X4, np.array([0, 1, -1, -1]))
    np.testing.assert_array_equal(d.source, [True, True, False, False])
    np.testing.assert_array_equal(d.sample_domain, [1, 1, -1, -1])
    assert not d.labeled_target.any()
    np.testing.assert_array_equal(d.X_target, X4[2:])
    np.testing.assert_array_equal(d.y_source, [0, 1])


def test_inferred_from_regression_nan():
    d = check_domains(X4, np.array([0.5, np.nan, -1.0, np.nan]), estimator_type="regressor")
    # -1 is a valid regression value, only NaN masks
    np.testing.assert_array_equal(d.source, [True, False, True, False])


def test_sample_domain_wins_over_mask_and_finds_labeled_target():
    y = np.array([0, 1, 1, -1])
    d = check_domains(X4, y, np.array([1, 2, -3, -3]))
    np.testing.assert_array_equal(d.source, [True, True, False, False])
    np.testing.assert_array_equal(d.labeled_target, [False, False, True, False])
    np.testing.assert_array_equal(d.source_ids, [1, 2])
    np.testing.assert_array_equal(d.target_ids, [-3])


def test_mask_target_hides_target_labels():
    d = check_domains(X4, np.array([0, 1, 1, 0]), np.array([1, 1, -1, -1]), mask_target=True)
    np.testing.assert_array_equal(d.y, [0, 1, -1, -1])
    assert not d.labeled_target.any()
    d = check_domains(X4, np.array([0.0, 1, 1, 0]), np.array([1, 1, -1, -1]), mask_target=True)
    assert np.isnan(d.y[2:]).all()


def test_no_y_no_sample_domain_means_target_rows():
    d = check_domains(X4, require_source=False)
    assert d.target.all()


def test_mask_target_labels():
    sd = np.array([1, 1, -1, -2])
    np.testing.assert_array_equal(mask_target_labels([3, 4, 5, 6], sd), [3, 4, -1, -1])
    out = mask_target_labels(np.array([0.1, 0.2, 0.3, 0.4]), sd)
    assert np.isnan(out[2:]).all() and out[0] == 0.1
    np.testing.assert_array_equal(infer_sample_domain(mask_target_labels([3, 4, 5, 6], sd)),
                                  [1, 1, -1, -1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(y=np.array([-1, -1, -1, -1])), "no source rows: every label in y is masked"),
        (dict(y=np.array([0, 1, 0, 1])), "no target rows: no label in y is masked"),
        (dict(y=np.array([0, 1, 0, 1]), sample_domain=[1, 1, 2, 2]),
         "no target rows: sample_domain has no negative id"),
        (dict(y=np.array([0, 1, 0, 1]), sample_domain=[-1, -1, -2, -2]),
         "no source rows: sample_domain has no positive id"),
        (dict(y=np.array([0, 1, 0])), "X and y have different lengths: X has 4 rows, y has 3"),
        (dict(y=np.array([0, 1, 0, -1]), sample_domain=[1, -1]),
         "X and sample_domain have different lengths: X has 4 rows, sample_domain has 2"),
        (dict(y=np.array([0, 1, 0, -1]), sample_domain=[1.5, 1, -1, -1]),
         "sample_domain must hold integer domain ids"),
        (dict(y=np.array([0, 1, 0, -1]), sample_domain=["a", "b", "c", "d"]),
         "sample_domain must hold integer domain ids .* got dtype <U1"),
        (dict(y=np.array([0, 1, 0, -1]), sample_domain=[1, 0, -1, -1]),
         "sample_domain contains 0"),
        (dict(y=np.array([0, -1, 0, 1]), sample_domain=[1, 1, -1, -1]),
         "some source rows .* have a masked label"),
        (dict(y=np.array([0.0, np.inf, 0, np.nan])), "Input y contains infinity"),
        (dict(y=np.array([0, 1, 0, -1]), require_labeled_target=True),
         "labeled target rows are needed, and only sample_domain"),
        (dict(y=np.array([0, 1, -1, -1]), sample_domain=[1, 1, -1, -1],
              require_labeled_target=True), "no labeled target rows"),
        (dict(y=np.array([0.1, 0.7, 0.2, np.nan]), estimator_type="classifier"),
         "Unknown label type: continuous"),
        (dict(y=np.array([["a", "b"]] * 4)), "y must be 1-D"),
    ],
)
def test_bad_input_messages(kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_domains(X4, **kwargs)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_X(bad):
    X = X4.copy()
    X[1, 1] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        check_domains(X, np.array([0, 1, -1, -1]))
    # the caller's name comes first, as in check_domains' other errors
    with pytest.raises(ValueError, match="^KMM: Input X contains (NaN|infinity)"):
        check_domains(X, np.array([0, 1, -1, -1]), caller="KMM")


def test_string_labels_cannot_be_masked_and_say_how():
    with pytest.raises(ValueError, match="Encode string labels with .*LabelEncoder.*"
                       "sample_domain"):
        mask_target_labels(np.array(["cat", "dog", "cat"]), [1, -1, -1])


def test_string_labels_work_with_sample_domain():
    y = np.array(["cat", "dog", "cat", "dog"], dtype=object)
    d = check_domains(X4, y, [1, 1, -1, -1], mask_target=True, estimator_type="classifier")
    assert list(d.y_source) == ["cat", "dog"]
    assert all(v is None for v in d.y[2:])


def test_minus_one_on_source_rows_cannot_be_masked():
    with pytest.raises(ValueError, match="-1 is the mask of unlabeled target rows"):
        mask_target_labels([-1, 0, 1], [1, 1, -1])


def test_caller_named_in_message():
    with pytest.raises(ValueError, match="^CORAL: no target rows"):
        check_domains(X4, np.array([0, 1, 0, 1]), caller="CORAL")


@settings(max_examples=30, deadline=None)
@given(data=shifted_datasets(), seed=st.integers(0, 1000))
def test_views_partition_rows_and_are_row_order_invariant(data, seed):
    X, y, sd = data
    d = check_domains(X, y, sd)
    assert d.n_source + d.n_target == X.shape[0]
    assert not (d.source & d.target).any()
    assert d.labeled_target.sum() == d.n_target  # every target row carries its label here
    perm = np.random.RandomState(seed).permutation(X.shape[0])
    dp = check_domains(X[perm], y[perm], sd[perm])
    np.testing.assert_array_equal(dp.source, d.source[perm])
    # masking then inferring gives back the source/target split
    np.testing.assert_array_equal(infer_sample_domain(mask_target_labels(y, sd)) > 0, sd > 0)


@pytest.mark.parametrize(
    "sample_domain, found",
    [
        # uint64 above 2**63 would wrap to negative ids: source rows silently become targets
        (np.array([2**63 + 1, 2**63 + 1, 2**63 + 5, 5], dtype=np.uint64), "9223372036854775813"),
        # float ids beyond int64 would saturate, giving a misleading "no source rows"
        (np.array([1e19, 1e19, -1.0, -1.0]), r"1e\+19"),
        (np.array([1.0, 1.0, -(2.0**63), -1.0]), r"-9.223372036854776e\+18"),
    ],
)
def test_ids_beyond_int64_are_refused(sample_domain, found):
    y = np.array([0, 1, -1, -1])
    match = rf"sample_domain ids must fit in a 64-bit signed integer.*got {found} \(dtype"
    with pytest.raises(ValueError, match=match):
        check_domains(X4, y, sample_domain)
    with pytest.raises(ValueError, match=match):
        skt.CORAL().fit(X4, y, sample_domain=sample_domain)
    splitter = skt.model_selection.SourceTargetShuffleSplit(n_splits=1, random_state=0)
    with pytest.raises(ValueError, match=match.replace("sample_domain", "groups")):
        next(splitter.split(X4, y, groups=sample_domain))


def test_unsigned_and_integral_float_ids_in_range_work():
    y = np.array([0, 1, -1, -1])
    domains = check_domains(X4, y, np.array([1.0, 2.0, -1.0, -1.0]))
    np.testing.assert_array_equal(domains.sample_domain, [1, 2, -1, -1])
    assert domains.sample_domain.dtype == np.int64
    ids = _check_sample_domain(np.array([1, 2, 2**63 - 1, 3], dtype=np.uint64), 4)
    np.testing.assert_array_equal(ids, [1, 2, 2**63 - 1, 3])


def test_boolean_labels_mask_as_integers():
    y = np.array([True, False, True, False])
    masked = mask_target_labels(y, [1, 1, -1, -1])
    np.testing.assert_array_equal(masked, [1, 0, -1, -1])
    assert masked.dtype == np.int64


@pytest.mark.parametrize(
    "make",
    [
        lambda: skt.KMM(LogisticRegression(), gamma=1.0),
        lambda: skt.KLIEP(LogisticRegression(), cv=2, random_state=0),
        lambda: skt.DiscriminativeReweighting(LogisticRegression()),
        lambda: skt.SourceOnly(LogisticRegression()),
        lambda: skt.TrAdaBoostClassifier(n_estimators=3, random_state=0),
    ],
    ids=["KMM", "KLIEP", "Discriminative", "SourceOnly", "TrAdaBoost"],
)
def test_boolean_labels_stay_boolean(make):
    # as in plain LogisticRegression: classes_ and predictions keep the label dtype, although
    # masking the target rows (inside fit) turns the labels into integers
    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    y_bool = y.astype(bool)
    model = make().fit(X, y_bool, sample_domain=sd)
    reference = LogisticRegression().fit(X[sd > 0], y_bool[sd > 0])
    assert model.classes_.dtype == reference.classes_.dtype == bool
    np.testing.assert_array_equal(model.classes_, [False, True])
    assert model.predict(X[:5]).dtype == bool


def test_jda_reads_boolean_source_labels():
    X, y, sd = skt.datasets.make_domain_shift("subspace", n_features=4, random_state=0)
    jda = skt.JDA(n_components=2, kernel="primal", max_iter=2).fit(X, y.astype(bool),
                                                                 sample_domain=sd)
    assert jda.classes_.dtype == bool and jda.pseudo_labels_.dtype == bool
