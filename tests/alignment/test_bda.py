"""BDA / W-BDA: JDA's rounds with a balance between the marginal and the class terms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import skt
from skt.alignment._bda import estimate_balance
from skt.alignment._tca import _mmd_factor

from ..strategies import shifted_datasets


def _data(seed=0, kind="subspace", n_features=4):
    X, y, sd = skt.datasets.make_domain_shift(
        kind, n_features=n_features, n_classes=3, random_state=seed
    )
    return X, y, sd, skt.mask_target_labels(y, sd)


def _imbalanced(seed=0):
    """Three classes; the target holds class 0 mostly, the source all three equally."""
    rng = np.random.RandomState(seed)
    centres = np.array([[0, 0, 0], [5, 0, 0], [0, 5, 0]], dtype=float)
    ys = np.repeat([0, 1, 2], 60)
    yt = np.r_[np.zeros(90, int), np.ones(15, int), np.full(15, 2)]
    Xs = centres[ys] + rng.randn(len(ys), 3)
    Xt = centres[yt] @ np.diag([1.3, 1.0, 0.8]) + rng.randn(len(yt), 3) + [1.5, 1.0, 0.5]
    sd = np.r_[np.ones(len(ys), int), -np.ones(len(yt), int)]
    return np.vstack([Xs, Xt]), np.r_[ys, yt], sd


@pytest.mark.parametrize("kernel", ["primal", "rbf"])
def test_balance_one_half_is_jda(kernel):
    X, y, sd, y_train = _data()
    jda = skt.JDA(3, kernel=kernel, max_iter=4, random_state=0).fit(X, y_train)
    bda = skt.BDA(3, kernel=kernel, balance=0.5, max_iter=4, random_state=0).fit(X, y_train)
    np.testing.assert_allclose(bda.eigenvalues_, jda.eigenvalues_, rtol=1e-10)
    np.testing.assert_allclose(bda.transform(X), jda.transform(X), atol=1e-8)
    np.testing.assert_array_equal(bda.pseudo_labels_, jda.pseudo_labels_)
    assert bda.n_iter_ == jda.n_iter_ and bda.balance_ == 0.5


@settings(max_examples=15, deadline=None)
@given(data=shifted_datasets(min_rows=8, max_rows=40), kernel=st.sampled_from(["primal", "rbf"]))
def test_balance_zero_is_tca(data, kernel):
    # the marginal term alone, whatever the pseudo-labels: every round is TCA's problem
    X, y, sd = data
    y_train = skt.mask_target_labels(y, sd)
    k = min(2, X.shape[1])
    bda = skt.BDA(k, kernel=kernel, balance=0.0, max_iter=3, random_state=0).fit(X, y_train)
    tca = skt.TCA(k, kernel=kernel, random_state=0).fit(X, sample_domain=sd)
    np.testing.assert_allclose(bda.eigenvalues_, tca.eigenvalues_, rtol=1e-8)
    np.testing.assert_allclose(bda.transform(X), tca.transform(X), atol=1e-6)
    # the same embedding in round two: the pseudo-labels settle at once
    assert bda.n_iter_ == 2


@settings(max_examples=25, deadline=None)
@given(
    data=shifted_datasets(min_rows=5, max_rows=30),
    balance=st.floats(0.0, 1.0),
    weighted=st.booleans(),
)
def test_mmd_matrix_is_the_balanced_sum(data, balance, weighted):
    """``M = E E'`` is ``(1 - b) C M_0 + b sum_c alpha_c-weighted M_c``, unit Frobenius norm."""
    X, y, sd = data
    source, target = sd > 0, sd < 0
    classes, y_idx = np.unique(y[source], return_inverse=True)
    y_all = np.full(len(y), -1)
    y_all[source] = y_idx
    pseudo = np.random.RandomState(0).randint(0, len(classes), target.sum())
    E = _mmd_factor(source, target, y_all, pseudo, classes, balance=balance, weighted=weighted)
    M = E @ E.T
    assert np.linalg.norm(M) == pytest.approx(1.0)

    def outer(a, b):
        e = np.zeros(len(y))
        e[a], e[b] = 1.0 / a.sum(), -1.0 / b.sum()
        return e

    y_t = np.full(len(y), -1)
    y_t[target] = pseudo
    ref = (1 - balance) * len(classes) * np.outer(*[outer(source, target)] * 2)
    for c in range(len(classes)):
        s, t = source & (y_all == c), y_t == c
        if s.any() and t.any():
            e = outer(s, t)
            if weighted:
                e[t] *= (t.sum() / target.sum()) / (s.sum() / source.sum())
            ref += balance * np.outer(e, e)
        elif s.any():  # no pseudo-labelled target row: the source part stays (authors' code)
            e = np.zeros(len(y))
            e[s] = 1.0 / s.sum()
            ref += balance * np.outer(e, e)
    if not ref.any():  # balance 1 and no class term: the marginal term alone
        ref = np.outer(*[outer(source, target)] * 2)
    np.testing.assert_allclose(M, ref / np.linalg.norm(ref), atol=1e-12)


def test_class_terms_only_still_start_from_tca():
    X, y, sd, y_train = _data()
    bda = skt.BDA(3, kernel="primal", balance=1.0, max_iter=1).fit(X, y_train)
    tca = skt.TCA(3, kernel="primal").fit(X, sample_domain=sd)
    np.testing.assert_allclose(bda.transform(X), tca.transform(X), atol=1e-8)


def test_weighted_variant_on_imbalanced_classes():
    # the weights are checked term by term above; here W-BDA runs its rounds on a target whose
    # class proportions differ from the source's and labels most target rows right (it does
    # not beat plain BDA here: see the user guide)
    X, y, sd = _imbalanced()
    y_train = skt.mask_target_labels(y, sd)
    weighted = skt.BDA(2, kernel="primal", mu=0.1, balance=1.0, weighted=True,
                       max_iter=10).fit(X, y_train)
    assert np.mean(weighted.pseudo_labels_ == y[sd < 0]) > 0.8
    assert weighted.n_iter_ >= 2


def test_auto_balance_is_estimated_each_round():
    X, y, sd, y_train = _data(kind="concept", seed=2)
    bda = skt.BDA(2, kernel="primal", balance="auto", max_iter=4).fit(X, y_train)
    assert bda.balances_.shape == (bda.n_iter_,)
    assert bda.balances_[0] == 0.0  # the first round has no pseudo-labels: TCA
    assert np.all((bda.balances_ >= 0) & (bda.balances_ <= 1))
    assert bda.balance_ == bda.balances_[-1]


@settings(max_examples=20, deadline=None)
@given(data=shifted_datasets(min_rows=6, max_rows=40))
def test_estimated_balance_lies_in_the_unit_interval(data):
    X, y, sd = data
    source, target = sd > 0, sd < 0
    _, y_idx = np.unique(y[source], return_inverse=True)
    pseudo = np.random.RandomState(1).randint(0, y_idx.max() + 1, target.sum())
    assert 0.0 <= estimate_balance(X, y_idx, pseudo, source, target) <= 1.0


def test_estimated_balance_follows_the_class_gap():
    # two classes far apart, the target a slightly shifted copy of the source: with the true
    # labels the class distances equal the marginal one (balance near 0.5); with each target
    # class labelled as the other, the classes lie far apart (balance near 1)
    rng = np.random.RandomState(0)
    ys = np.repeat([0, 1], 100)
    Xs = np.c_[ys * 6.0, np.zeros(200)] + rng.randn(200, 2)
    source = np.r_[np.ones(200, bool), np.zeros(200, bool)]
    Z = np.vstack([Xs, Xs + [0.0, 0.7]])
    aligned = estimate_balance(Z, ys, ys, source, ~source)
    swapped = estimate_balance(Z, ys, 1 - ys, source, ~source)
    assert 0.3 < aligned < 0.7
    assert swapped > 0.7 and swapped > aligned + 0.2


def test_single_source_class():
    X, y, sd, _ = _data()
    y_one = np.where(sd > 0, 7, -1)
    bda = skt.BDA(2, kernel="primal", balance="auto", max_iter=3).fit(X, y_one)
    assert set(bda.pseudo_labels_) == {7}


@pytest.mark.parametrize(
    "params, match",
    [
        ({"balance": 1.5}, r"balance must be a number in \[0, 1\] or 'auto'; got balance=1.5"),
        ({"balance": "half"}, "balance must be a number in .* got balance='half'"),
        ({"balance": -0.1}, "balance must be a finite number >= 0.0; got balance=-0.1"),
        ({"balance": True}, "balance must be a number in .* got balance=True"),
        ({"weighted": "yes"}, "weighted must be True or False; got weighted='yes'"),
        ({"max_iter": 0}, "max_iter must be an integer >= 1; got max_iter=0"),
    ],
)
def test_bad_parameters(params, match):
    X, y, sd, y_train = _data()
    with pytest.raises(ValueError, match=match):
        skt.BDA(**{"n_components": 2, "kernel": "primal", **params}).fit(X, y_train)


def test_too_many_components_are_clipped_with_a_warning():
    # as for TCA and JDA: more components than the data allow is lowered, with a warning
    X, y, sd, y_train = _data()
    with pytest.warns(UserWarning, match="Pass n_components <= 4"):
        bda = skt.BDA(n_components=5, kernel="primal").fit(X, y_train)
    assert bda.n_components_ == 4


def test_needs_labels():
    X, y, sd, _ = _data()
    with pytest.raises(ValueError, match="BDA requires y to be passed"):
        skt.BDA(2).fit(X, sample_domain=sd)
    with pytest.raises(ValueError, match="Unknown label type: BDA needs class labels"):
        skt.BDA(2).fit(X, y + 0.5, sample_domain=sd)
