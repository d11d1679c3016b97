"""ARTL and the shared solver: the closed form, its limits, the low-rank option, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.kernel_ridge import KernelRidge
from sklearn.preprocessing import normalize

import skt
from skt.joint._solver import JointSolver, dense_reference, knn_laplacian, mmd_factor
from skt.metrics._kernel_sums import kernel_matrix


def _problem(seed=0, n_s=40, n_t=30, d=5, n_classes=3):
    rng = np.random.RandomState(seed)
    centres = rng.randn(n_classes, d) * 2
    y_s = np.arange(n_s) % n_classes
    y_t = rng.randint(n_classes, size=n_t)
    Xs = centres[y_s] + rng.randn(n_s, d)
    Xt = centres[y_t] + rng.randn(n_t, d) + 0.5
    X = np.vstack([Xs, Xt])
    y = np.r_[y_s, y_t]
    sd = np.r_[np.ones(n_s, int), -np.ones(n_t, int)]
    return X, y, sd


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), alpha=st.floats(0.01, 10.0), gamma=st.floats(0.05, 2.0))
def test_without_mmd_and_manifold_it_is_kernel_ridge_on_the_source_rows(seed, alpha, gamma):
    X, y, sd = _problem(seed)
    source = sd > 0
    y_train = skt.mask_target_labels(y, sd)
    artl = skt.ARTL(alpha=alpha, mmd_weight=0.0, manifold_weight=0.0, gamma=gamma,
                    max_iter=2).fit(X, y_train, sample_domain=sd)
    Z = normalize(X)
    Y = np.eye(3)[y[source]]
    krr = KernelRidge(alpha=alpha, kernel="rbf", gamma=gamma).fit(Z[source], Y)
    np.testing.assert_allclose(artl.dual_coef_[source], krr.dual_coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(artl.dual_coef_[~source], 0.0, atol=1e-9)
    rng = np.random.RandomState(seed)
    X_new = rng.randn(7, 5)
    np.testing.assert_allclose(artl.decision_function(X_new), krr.predict(normalize(X_new)),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("lam, rho", [(10.0, 1.0), (0.0, 1.0), (3.0, 0.0)])
def test_solver_equals_the_dense_closed_form(lam, rho):
    X, y, sd = _problem(1)
    source, target = sd > 0, sd < 0
    Z = normalize(X)
    K = kernel_matrix(Z, kernel="rbf", gamma=0.5)
    L = knn_laplacian(Z, 4)
    y_all = np.where(source, y, -1)
    pseudo = y[target][::-1]
    U = mmd_factor(source, target, y_all, pseudo, np.arange(3), mu=0.3)
    Y = np.eye(3)[np.where(source, y, 0)] * source[:, None]
    solver = JointSolver(K=K, source=source, L=L, lam=lam, rho=rho, sigma=0.1)
    alpha, F = solver.solve(U, Y)
    expected = dense_reference(K, source, L, U, Y, lam, rho, 0.1)
    np.testing.assert_allclose(alpha, expected, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(F, K @ expected, rtol=1e-8, atol=1e-10)


def test_low_rank_form_with_every_row_a_landmark_equals_the_exact_form():
    X, y, sd = _problem(2)
    y_train = skt.mask_target_labels(y, sd)
    exact = skt.ARTL(gamma=0.5, max_iter=3).fit(X, y_train, sample_domain=sd)
    low = skt.ARTL(gamma=0.5, max_iter=3, n_landmarks=len(X), random_state=0).fit(
        X, y_train, sample_domain=sd)
    X_new = np.random.RandomState(0).randn(9, 5)
    np.testing.assert_allclose(low.decision_function(X_new), exact.decision_function(X_new),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(low.pseudo_labels_, exact.pseudo_labels_)


@pytest.mark.parametrize("lam, rho", [(10.0, 1.0), (0.0, 1.0), (3.0, 0.0)])
def test_low_rank_solver_keeps_the_diagonal_the_landmarks_miss(lam, rho):
    # K ~ Phi Phi' + D, D the diagonal no landmark spans: the solver's (w, F) are those of
    # the dense closed form with that kernel
    from skt.alignment._tca import _nystroem_features
    from skt.joint._solver import kernel_diagonal
    from skt.metrics._kernel_sums import _check_kernel_params

    X, y, sd = _problem(3, d=40)
    source, target = sd > 0, sd < 0
    Z = normalize(X)
    K = kernel_matrix(Z, kernel="rbf", gamma=0.5)
    idx = np.arange(0, len(Z), 3)
    Phi, _ = _nystroem_features(K[:, idx], K[np.ix_(idx, idx)])
    params = _check_kernel_params("rbf", 0.5, 3, 1.0, X=Z, multiple=False)
    D = kernel_diagonal(Z, params) - np.sum(Phi**2, axis=1)
    assert D.max() > 0.1  # in 40 dimensions the landmarks miss much of the diagonal
    L = knn_laplacian(Z, 4)
    y_all = np.where(source, y, -1)
    U = mmd_factor(source, target, y_all, y[target][::-1], np.arange(3), mu=0.3)
    Y = np.eye(3)[np.where(source, y, 0)] * source[:, None]
    w, F = JointSolver(Phi=Phi, diagonal=D, source=source, L=L, lam=lam, rho=rho,
                       sigma=0.1).solve(U, Y)
    K_low = Phi @ Phi.T + np.diag(D)
    alpha = dense_reference(K_low, source, L, U, Y, lam, rho, 0.1)
    np.testing.assert_allclose(F, K_low @ alpha, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(w, Phi.T @ alpha, rtol=1e-5, atol=1e-7)


def test_block_cg_solves_and_says_when_it_stops_short():
    from scipy import sparse

    from skt.joint._solver import _block_cg

    rng = np.random.RandomState(0)
    A = sparse.random(60, 60, density=0.1, random_state=0)
    G = (A @ A.T + 0.01 * sparse.identity(60)).tocsr()
    B = rng.randn(60, 5)
    B[:, 2] = 0.0  # a zero right-hand side stays zero
    X = _block_cg(G, B, chunk=2)
    np.testing.assert_allclose(G @ X, B, atol=1e-5)
    np.testing.assert_array_equal(X[:, 2], 0.0)
    with pytest.warns(UserWarning, match="relative residual"):
        _block_cg(G, B, max_iter=1)


def test_kernel_diagonal_matches_the_kernel_matrix():
    from skt.joint._solver import kernel_diagonal
    from skt.metrics._kernel_sums import _check_kernel_params

    Z = np.random.RandomState(0).randn(6, 3)
    for kernel, gamma in (("rbf", 0.3), ("laplacian", 0.3), ("linear", None),
                          ("polynomial", 0.2)):
        params = _check_kernel_params(kernel, gamma, 2, 0.5, X=Z, multiple=False)
        np.testing.assert_allclose(kernel_diagonal(Z, params),
                                   np.diag(kernel_matrix(Z, kernel=params)), rtol=1e-10)


def test_mmd_factor_balances_and_normalises():
    source = np.r_[np.ones(6, bool), np.zeros(4, bool)]
    target = ~source
    y_all = np.r_[0, 0, 1, 1, 2, 2, -1, -1, -1, -1]
    # class 2 has no pseudo-labelled target row: it keeps its source part (the authors' code)
    pseudo = np.array([0, 1, 1, 1])
    M = {}
    for mu in (None, 0.0, 0.4, 1.0):
        U = mmd_factor(source, target, y_all, pseudo, np.arange(3), mu)
        M[mu] = U @ U.T
        np.testing.assert_allclose(np.linalg.norm(M[mu]), 1.0)
    e0 = np.r_[np.full(6, 1 / 6), np.full(4, -1 / 4)]
    M0 = 3 * np.outer(e0, e0)
    Mc = sum(
        np.outer(e, e)
        for e in (np.r_[0.5, 0.5, 0, 0, 0, 0, -1, 0, 0, 0],
                  np.r_[0, 0, 0.5, 0.5, 0, 0, 0, -1 / 3, -1 / 3, -1 / 3],
                  np.r_[0, 0, 0, 0, 0.5, 0.5, 0, 0, 0, 0])
    )
    for mu, expected in ((None, M0 + Mc), (0.0, M0), (0.4, 0.6 * M0 + 0.4 * Mc), (1.0, Mc)):
        np.testing.assert_allclose(M[mu], expected / np.linalg.norm(expected), atol=1e-12)


def test_laplacian_is_symmetric_psd_with_the_authors_normalisation():
    X, _, _ = _problem(3)
    L = knn_laplacian(X, 5).toarray()
    np.testing.assert_allclose(L, L.T, atol=1e-12)
    assert np.linalg.eigvalsh(L).min() > -1e-10
    # I - D^(-1/2) W D^(-1/2): D^(1/2) 1 is in the kernel
    W = np.eye(len(X)) - L
    d = 1 / np.diag(W) ** 0  # the self-loops have weight 1
    assert np.allclose(np.diag(W) * 0 + d, 1)
    deg = np.linalg.eigvalsh(L)[0]
    assert abs(deg) < 1e-10


def test_predictions_and_decision_shapes():
    X, y, sd = _problem(4)
    y_train = skt.mask_target_labels(y, sd)
    artl = skt.ARTL(random_state=0).fit(X, y_train, sample_domain=sd)
    assert artl.decision_function(X).shape == (len(X), 3)
    assert set(artl.predict(X)) <= {0, 1, 2}
    assert artl.score(X[sd < 0], y[sd < 0]) > 0.6
    assert not hasattr(artl, "predict_proba")
    binary = (y > 0).astype(int)
    b_train = skt.mask_target_labels(binary, sd)
    model = skt.ARTL(random_state=0).fit(X, b_train, sample_domain=sd)
    scores = model.decision_function(X)
    assert scores.shape == (len(X),)
    np.testing.assert_array_equal(model.predict(X), model.classes_[(scores > 0).astype(int)])


def test_string_labels_keep_their_type():
    X, y, sd = _problem(5)
    names = np.array(["cat", "dog", "eel"])[y]
    model = skt.ARTL(max_iter=2).fit(X, names, sample_domain=sd)
    assert model.predict(X[:3]).dtype == names.dtype
    assert set(model.pseudo_labels_) <= set(names)


def test_a_class_without_pseudo_labelled_rows_drops_its_term():
    # target rows near class 0 only: the first pseudo-labels (1-NN) hold class 0 alone, so
    # the first round has no conditional term for classes 1 and 2 (see mmd_factor's test)
    X, y, sd = _problem(6)
    rng = np.random.RandomState(0)
    class0 = X[(sd > 0) & (y == 0)]
    X[sd < 0] = class0[rng.randint(len(class0), size=(sd < 0).sum())] + 0.01 * rng.randn(
        (sd < 0).sum(), X.shape[1])
    model = skt.ARTL(max_iter=1).fit(X, skt.mask_target_labels(y, sd), sample_domain=sd)
    assert np.isfinite(model.dual_coef_).all()
    assert np.isfinite(model.decision_function(X)).all()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": 0.0}, "alpha"),
        ({"alpha": -1.0}, "alpha"),
        ({"mmd_weight": -1.0}, "mmd_weight"),
        ({"manifold_weight": np.nan}, "manifold_weight"),
        ({"n_neighbors": 0}, "n_neighbors"),
        ({"max_iter": 0}, "max_iter"),
        ({"n_landmarks": 1}, "n_landmarks"),
        ({"gamma": 0.0}, "gamma"),
        ({"kernel": "primal"}, "primal"),
        ({"kernel": "cosine"}, "kernel"),
        ({"normalize": "yes"}, "normalize"),
    ],
)
def test_bad_parameters_are_errors_naming_them(params, match):
    X, y, sd = _problem(7)
    with pytest.raises(ValueError, match=match):
        skt.ARTL(**params).fit(X, skt.mask_target_labels(y, sd), sample_domain=sd)


def test_one_class_and_degenerate_bandwidth_are_clear_errors():
    X, y, sd = _problem(8)
    with pytest.raises(ValueError, match="at least 2 classes"):
        skt.ARTL().fit(X, np.where(sd > 0, 1, -1), sample_domain=sd)
    X1 = np.abs(X[:, :1]) + 1  # one positive feature: every unit row is [1]
    with pytest.raises(ValueError, match="median distance of 0"):
        skt.ARTL().fit(X1, skt.mask_target_labels(y, sd), sample_domain=sd)
    # with a bandwidth given, the same data fit (every row looks alike to the kernel)
    skt.ARTL(gamma=1.0, max_iter=2).fit(X1, skt.mask_target_labels(y, sd), sample_domain=sd)


def test_more_features_than_rows_and_more_neighbours_than_rows():
    rng = np.random.RandomState(0)
    X = rng.randn(12, 50)
    y = np.r_[0, 1] .repeat(6)
    sd = np.tile([1, -1], 6)
    model = skt.ARTL(n_neighbors=40, max_iter=2).fit(X, skt.mask_target_labels(y, sd),
                                                     sample_domain=sd)
    assert model.predict(X).shape == (12,)


def test_a_class_only_target_rows_carry_is_never_seen():
    X, y, sd = _problem(9)
    y = y.copy()
    y[sd < 0] = 7  # labeled target rows of a class absent from the source: never read
    model = skt.ARTL(max_iter=2).fit(X, y, sample_domain=sd)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert 7 not in set(model.predict(X))
