"""EasyTL: CORAL, class centres and the linear program over target memberships."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.joint import intra_domain_programming

from ..strategies import shifted_datasets


def _blobs(seed=0, n_t=(40, 40, 40)):
    rng = np.random.RandomState(seed)
    centres = np.array([[0, 0], [5, 0], [0, 5]], dtype=float)
    ys = rng.randint(0, 3, 150)
    yt = np.repeat([0, 1, 2], n_t)
    Xs = centres[ys] + rng.randn(150, 2)
    Xt = centres[yt] * 1.3 + rng.randn(len(yt), 2) + [1.0, -0.5]
    sd = np.r_[np.ones(150, int), -np.ones(len(yt), int)]
    return np.vstack([Xs, Xt]), np.r_[ys, yt], sd


# -- the linear program ----------------------------------------------------------------------

_distances = st.integers(1, 6).flatmap(
    lambda c: st.integers(c, 40).flatmap(
        lambda n: hnp.arrays(np.float64, (n, c), elements=st.floats(0.0, 100.0))
    )
)


@settings(max_examples=40, deadline=None)
@given(D=_distances)
def test_solution_rows_are_probability_vectors_and_classes_are_covered(D):
    M = intra_domain_programming(D)
    assert M.shape == D.shape
    assert np.all(M >= 0) and np.all(M <= 1)
    np.testing.assert_allclose(M.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(M.sum(axis=0) >= 1 - 1e-6)
    # optimal: no cheaper than the nearest-centre rule, which the constraints can only cost
    assert np.sum(D * M) >= np.sum(D.min(axis=1)) - 1e-6


@settings(max_examples=30, deadline=None)
@given(D=_distances)
def test_solution_beats_every_feasible_one_hot_assignment_tried(D):
    # nearest centre, then each empty class given its cheapest row (a feasible assignment)
    n, C = D.shape
    M = intra_domain_programming(D)
    label = np.argmin(D, axis=1)
    for c in range(C):
        if not np.any(label == c):
            counts = np.bincount(label, minlength=C)
            movable = np.flatnonzero(counts[label] > 1)
            j = movable[np.argmin(D[movable, c] - D[movable, label[movable]])]
            label[j] = c
    assert np.bincount(label, minlength=C).min() >= 1
    assert np.sum(D * M) <= np.sum(D[np.arange(n), label]) + 1e-6


def test_without_binding_constraints_it_is_the_nearest_centre():
    rng = np.random.RandomState(0)
    D = rng.rand(50, 3)
    D[np.arange(50), np.arange(50) % 3] -= 1.0  # every class nearest for a third of the rows
    M = intra_domain_programming(D)
    np.testing.assert_array_equal(np.argmax(M, axis=1), np.argmin(D, axis=1))


def test_a_class_nobody_is_nearest_to_gets_its_cheapest_row():
    D = np.array([[0.0, 5.0, 9.0], [0.1, 5.0, 2.0], [0.0, 5.0, 9.0], [7.0, 0.0, 9.0]])
    M = intra_domain_programming(D)
    np.testing.assert_array_equal(np.argmax(M, axis=1), [0, 2, 0, 1])


def test_too_few_rows_for_the_classes():
    with pytest.raises(ValueError, match="2 rows cannot give each of 3 classes"):
        intra_domain_programming(np.ones((2, 3)))


# -- the estimator ---------------------------------------------------------------------------


def test_beats_the_nearest_source_centre_on_a_shifted_target():
    X, y, sd = _blobs()
    y_train = skt.mask_target_labels(y, sd)
    target = sd < 0
    easytl = skt.EasyTL().fit(X, y_train)
    raw = skt.EasyTL(intra_align="raw").fit(X, y_train)
    assert easytl.aligner_ is not None and raw.aligner_ is None
    acc = np.mean(easytl.pseudo_labels_ == y[target])
    assert acc > 0.9
    # the centres are the class means of the CORAL-mapped source rows
    Zs = X[sd > 0] @ easytl.aligner_.transform_matrix_
    np.testing.assert_allclose(easytl.centers_[1], Zs[y[sd > 0] == 1].mean(axis=0))


def test_predict_on_the_training_target_rows_repeats_fit():
    X, y, sd = _blobs(n_t=(60, 5, 5))
    easytl = skt.EasyTL().fit(X, skt.mask_target_labels(y, sd))
    np.testing.assert_array_equal(easytl.predict(X[sd < 0]), easytl.pseudo_labels_)
    np.testing.assert_array_equal(easytl.annotation_.argmax(axis=1),
                                  np.searchsorted(easytl.classes_, easytl.pseudo_labels_))


def test_a_batch_smaller_than_the_classes_goes_to_the_nearest_centre():
    X, y, sd = _blobs()
    easytl = skt.EasyTL(intra_align="raw").fit(X, skt.mask_target_labels(y, sd))
    rows = X[sd < 0][:2]
    d = ((rows[:, None, :] - easytl.centers_[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(easytl.predict(rows), easytl.classes_[d.argmin(axis=1)])


def test_labels_keep_their_type_and_a_single_class_is_predicted_everywhere():
    X, y, sd = _blobs()
    names = np.array(["a", "b", "c"])[y]
    easytl = skt.EasyTL().fit(X, names, sample_domain=sd)
    assert set(easytl.predict(X[sd < 0])) <= {"a", "b", "c"}
    one = skt.EasyTL().fit(X, np.where(sd > 0, 4, -1))
    assert set(one.predict(X[sd < 0])) == {4}


@settings(max_examples=15, deadline=None)
@given(data=shifted_datasets(min_rows=6, max_rows=40))
def test_memberships_are_probability_vectors_on_any_shift(data):
    X, y, sd = data
    easytl = skt.EasyTL().fit(X, skt.mask_target_labels(y, sd))
    M = easytl.annotation_
    np.testing.assert_allclose(M.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(M >= 0)
    if M.shape[0] >= M.shape[1]:
        assert np.all(M.sum(axis=0) >= 1 - 1e-6)
    assert set(easytl.pseudo_labels_) <= set(easytl.classes_)


def test_in_a_pipeline_with_masked_labels():
    X, y, sd = _blobs()
    pipe = make_pipeline(StandardScaler(), skt.EasyTL())
    pipe.fit(X, skt.mask_target_labels(y, sd))
    assert pipe.score(X[sd < 0], y[sd < 0]) > 0.9


def test_bad_input():
    X, y, sd = _blobs()
    with pytest.raises(ValueError, match="intra_align must be one of 'coral', 'raw'; got"):
        skt.EasyTL(intra_align="gfk").fit(X, skt.mask_target_labels(y, sd))
    with pytest.raises(ValueError, match="EasyTL requires y to be passed"):
        skt.EasyTL().fit(X, None, sample_domain=sd)
    with pytest.raises(ValueError, match="no target rows"):
        skt.EasyTL().fit(X, y, sample_domain=np.ones(len(y), int))
    with pytest.raises(ValueError, match="Unknown label type"):
        skt.EasyTL().fit(X, y + 0.5, sample_domain=sd)
    # CORAL needs two rows of each domain for a covariance
    sd_one = np.where(np.arange(len(y)) == len(y) - 1, -1, 1)
    with pytest.raises(ValueError, match="CORAL needs at least 2 target rows"):
        skt.EasyTL().fit(X, y, sample_domain=sd_one)
    raw = skt.EasyTL(intra_align="raw").fit(X, y, sample_domain=sd_one)
    assert raw.predict(X[-1:]).shape == (1,)


# -- the published figures -------------------------------------------------------------------

# the authors' figures (EasyTL paper, Office-Caltech SURF; per task in the authors' repository,
# code/traditional/pyEasyTL/results.txt): EasyTL(c) (raw) and EasyTL (CORAL) on C->W and D->W
PUBLISHED = {("caltech", "webcam"): (49.5, 53.9), ("dslr", "webcam"): (69.5, 86.1)}


@pytest.mark.slow
@pytest.mark.requires_data("office_caltech")
@pytest.mark.parametrize("task", list(PUBLISHED))
def test_published_figures(data_home, task):
    X, y, sd = skt.datasets.load_office_caltech(source=task[0], target=task[1],
                                                download_if_missing=False)
    y_train = skt.mask_target_labels(y, sd)
    for intra_align, published in zip(("raw", "coral"), PUBLISHED[task], strict=True):
        model = skt.EasyTL(intra_align=intra_align).fit(X, y_train)
        acc = 100 * np.mean(model.pseudo_labels_ == y[sd < 0])
        assert acc == pytest.approx(published, abs=0.06), (intra_align, acc)
