"""TCA: the symmetric eigenproblem against a dense reference, solvers, landmarks, MMD."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg
from sklearn.metrics.pairwise import rbf_kernel

import skt
from skt.alignment._tca import _mmd_factor


def _domains(n_s=60, n_t=50, d=3, seed=0, shift=1.5):
    rng = np.random.RandomState(seed)
    Xs = rng.randn(n_s, d)
    Xt = rng.randn(n_t, d) * [1.5] + np.r_[shift, np.zeros(d - 1)]
    X = np.vstack([Xs, Xt])
    return X, np.r_[np.ones(n_s, int), -np.ones(n_t, int)]


def _dense_reference(K, source, target, mu, k):
    """The paper's formula, solved densely: leading eigenvectors of (KMK + mu I)^-1 KHK."""
    n = K.shape[0]
    E = _mmd_factor(source, target)
    M = E @ E.T
    H = np.eye(n) - np.ones((n, n)) / n
    w, W = linalg.eigh(K @ H @ K, K @ M @ K + mu * np.eye(n))
    return w[::-1][:k], W[:, ::-1][:, :k]


@pytest.mark.parametrize("solver", ["dense", "iterative"])
def test_kernel_form_solves_the_generalised_eigenproblem(solver, monkeypatch):
    from skt.alignment import _tca

    # the block iterations alone, without ARPACK's safety net
    monkeypatch.setattr(
        _tca._KernelEigensolver, "_arpack", lambda self, P: pytest.fail("fell back to ARPACK")
    )
    X, sd = _domains()
    gamma, mu, k = 0.4, 0.7, 4
    tca = skt.TCA(k, kernel="rbf", gamma=gamma, mu=mu, eigen_solver=solver, random_state=0)
    Z = tca.fit_transform(X, sample_domain=sd)
    K = rbf_kernel(X, gamma=gamma)
    w_ref, W_ref = _dense_reference(K, sd > 0, sd < 0, mu, k)
    np.testing.assert_allclose(tca.eigenvalues_, w_ref, rtol=1e-8)
    # same components up to sign, with W' B W = I (the constraint of the paper)
    E = _mmd_factor(sd > 0, sd < 0)
    B = K @ E @ E.T @ K + mu * np.eye(len(X))
    np.testing.assert_allclose(tca.coef_.T @ B @ tca.coef_, np.eye(k), atol=1e-8)
    np.testing.assert_allclose(np.abs(tca.coef_.T @ B @ W_ref), np.eye(k), atol=1e-6)
    np.testing.assert_allclose(Z, K @ tca.coef_, atol=1e-10)


def test_primal_form_solves_the_linear_eigenproblem():
    X, sd = _domains(d=5)
    mu, k = 2.0, 3
    tca = skt.TCA(k, kernel="primal", mu=mu).fit(X, sample_domain=sd)
    n = len(X)
    E = _mmd_factor(sd > 0, sd < 0)
    H = np.eye(n) - np.ones((n, n)) / n
    w_ref = linalg.eigh(X.T @ H @ X, X.T @ E @ E.T @ X + mu * np.eye(5), eigvals_only=True)
    np.testing.assert_allclose(tca.eigenvalues_, w_ref[::-1][:k], rtol=1e-10)
    np.testing.assert_allclose(tca.transform(X), X @ tca.coef_)
    assert tca.X_fit_ is None and tca.gamma_ is None


def test_mmd_matrix_has_unit_norm_and_rank_of_the_terms():
    source = np.r_[np.ones(5, bool), np.zeros(7, bool)]
    E = _mmd_factor(source, ~source)
    M = E @ E.T
    assert np.linalg.norm(M) == pytest.approx(1.0)
    assert M.sum() == pytest.approx(0.0, abs=1e-12)
    y = np.r_[0, 0, 1, 1, 1, -np.ones(7, int)]
    pseudo = np.r_[0, 0, 0, 1, 1, 1, 1]
    E = _mmd_factor(source, ~source, y, pseudo, np.array([0, 1]))
    assert E.shape[1] == 3
    assert np.linalg.norm(E @ E.T) == pytest.approx(1.0)
    # a class with no pseudo-labelled target row keeps its source part
    E = _mmd_factor(source, ~source, y, np.zeros(7, int), np.array([0, 1]))
    assert E.shape[1] == 3
    np.testing.assert_allclose(E @ E.T, _authors_jda_mmd(y[:5], np.zeros(7, int)), atol=1e-15)


def _authors_jda_mmd(y_s, y_t):
    """The MMD matrix of the authors' JDA.m, transcribed (MATLAB's -1/0 = -Inf, then zeroed)."""
    ns, nt = len(y_s), len(y_t)
    classes = np.unique(y_s)
    e = np.r_[np.full(ns, 1 / ns), np.full(nt, -1 / nt)]
    M = np.outer(e, e) * len(classes)
    for c in classes:
        e = np.zeros(ns + nt)
        e[:ns][y_s == c] = 1 / np.sum(y_s == c)
        with np.errstate(divide="ignore"):
            e[ns:][y_t == c] = -1 / np.float64(np.sum(y_t == c))
        e[np.isinf(e)] = 0
        M += np.outer(e, e)
    return M / np.linalg.norm(M, "fro")


def test_dense_and_iterative_agree():
    X, sd = _domains(n_s=150, n_t=130)
    a = skt.TCA(5, kernel="rbf", eigen_solver="dense", random_state=0).fit(X, sample_domain=sd)
    b = skt.TCA(5, kernel="rbf", eigen_solver="iterative", random_state=0)
    b.fit(X, sample_domain=sd)
    np.testing.assert_allclose(a.eigenvalues_, b.eigenvalues_, rtol=1e-9)
    np.testing.assert_allclose(a.transform(X), b.transform(X), atol=1e-6)


def test_arpack_fallback_gives_the_same_solution(monkeypatch):
    # with no block allowed, the iterative solver hands over to ARPACK
    from skt.alignment import _tca

    X, sd = _domains(n_s=150, n_t=130)
    a = skt.TCA(5, kernel="rbf", eigen_solver="iterative", random_state=0).fit(
        X, sample_domain=sd
    )
    monkeypatch.setattr(_tca, "_MAX_BLOCKS", 0)
    b = skt.TCA(5, kernel="rbf", eigen_solver="iterative", random_state=0).fit(
        X, sample_domain=sd
    )
    np.testing.assert_allclose(a.eigenvalues_, b.eigenvalues_, rtol=1e-9)
    np.testing.assert_allclose(a.transform(X), b.transform(X), atol=1e-6)


def test_iterative_solver_keeps_its_space_across_solves(monkeypatch):
    # JDA's rounds: one kernel matrix, a new MMD matrix per round; every solve must match the
    # dense reference, also when the kept space is cut back (a small max_size forces restarts)
    from skt.alignment import _tca

    X, sd = _domains(n_s=150, n_t=130)
    source, target = sd > 0, sd < 0
    n = len(X)
    K = rbf_kernel(X, gamma=0.4)
    A = K @ (np.eye(n) - 1.0 / n) @ K
    rng = np.random.RandomState(0)
    y = np.where(source, rng.randint(0, 3, n), -1)
    k, mu = 6, 0.5
    solver = _tca._KernelEigensolver(K, k, random_state=0, max_size=40)
    restarts = []
    restart = solver._restart
    monkeypatch.setattr(solver, "_restart", lambda Y: restarts.append(restart(Y)))
    # the block iterations alone, without ARPACK's safety net
    monkeypatch.setattr(solver, "_arpack", lambda P: pytest.fail("fell back to ARPACK"))
    for round_ in range(4):
        pseudo = None if round_ == 0 else rng.randint(0, 3, target.sum())
        E = _mmd_factor(source, target, y, pseudo, np.arange(3))
        w, W, KW = solver.solve(E, mu)
        B = K @ E @ E.T @ K + mu * np.eye(n)
        w_ref = linalg.eigh(A, B, eigvals_only=True)[::-1][:k]
        np.testing.assert_allclose(w, w_ref, rtol=1e-10)
        np.testing.assert_allclose(W.T @ B @ W, np.eye(k), atol=1e-10)
        np.testing.assert_allclose(KW, K @ W, rtol=1e-10, atol=1e-12 * np.abs(KW).max())
        # the stopping rule: ||C v - theta v|| <= 1e-8 theta_1 with C = B^(-1/2) A B^(-1/2),
        # v = B^(1/2) w
        b, V = linalg.eigh(B)
        residual = (V / np.sqrt(b)) @ (V.T @ (A @ W - B @ W * w))
        assert np.linalg.norm(residual, axis=0).max() <= 2e-8 * w[0]
        assert solver.m <= 40
    assert len(restarts) >= 2


def test_landmarks_on_every_row_reproduce_the_exact_solution():
    X, sd = _domains()
    n = len(X)
    exact = skt.TCA(3, kernel="rbf", gamma=0.5, random_state=0).fit(X, sample_domain=sd)
    approx = skt.TCA(3, kernel="rbf", gamma=0.5, n_landmarks=n, random_state=0)
    approx.fit(X, sample_domain=sd)
    np.testing.assert_allclose(approx.eigenvalues_, exact.eigenvalues_, rtol=1e-6)
    np.testing.assert_allclose(approx.transform(X), exact.transform(X), atol=1e-5)
    assert approx.X_fit_.shape == (n, 3)


def test_landmarks_approximate_and_stay_small():
    X, sd = _domains(n_s=300, n_t=300)
    exact = skt.TCA(2, kernel="rbf", gamma=0.5, random_state=0).fit(X, sample_domain=sd)
    approx = skt.TCA(2, kernel="rbf", gamma=0.5, n_landmarks=80, random_state=0)
    Z = approx.fit_transform(X, sample_domain=sd)
    assert approx.X_fit_.shape == (80, 3) and approx.coef_.shape == (80, 2)
    # both domains are represented among the landmarks
    assert np.isclose(approx.X_fit_[:, None, :], X[None, sd > 0, :]).all(axis=2).any()
    assert np.isclose(approx.X_fit_[:, None, :], X[None, sd < 0, :]).all(axis=2).any()
    np.testing.assert_allclose(approx.eigenvalues_, exact.eigenvalues_, rtol=0.05)
    np.testing.assert_allclose(Z, approx.transform(X), atol=1e-8)


def _relative_mmd(A, sd):
    """Linear-kernel MMD (squared distance of the domain means) over the pooled variance."""
    gap = A[sd > 0].mean(axis=0) - A[sd < 0].mean(axis=0)
    return gap @ gap / A.var(axis=0).sum()


@pytest.mark.parametrize("kernel", ["rbf", "linear", "laplacian", "polynomial", "primal"])
def test_embedding_has_smaller_mmd_than_the_input(kernel):
    X, sd = _domains(n_s=100, n_t=100, d=4, shift=2.0)
    Z = skt.TCA(2, kernel=kernel, mu=0.1, random_state=0).fit_transform(X, sample_domain=sd)
    assert _relative_mmd(Z, sd) < 0.5 * _relative_mmd(X, sd)
    if kernel == "rbf":
        # and in the kernel's own terms, each space standardised by its pooled spread
        Xn, Zn = X / X.std(), Z / Z.std()
        assert skt.metrics.mmd(Zn[sd > 0], Zn[sd < 0]) < skt.metrics.mmd(Xn[sd > 0], Xn[sd < 0])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), kernel=st.sampled_from(["rbf", "primal", "linear"]))
def test_invariant_to_row_order(seed, kernel):
    X, sd = _domains(n_s=40, n_t=35, seed=seed % 1000)
    perm = np.random.RandomState(seed).permutation(len(X))
    gamma = None if kernel != "rbf" else 0.3
    a = skt.TCA(3, kernel=kernel, gamma=gamma).fit(X, sample_domain=sd)
    b = skt.TCA(3, kernel=kernel, gamma=gamma).fit(X[perm], sample_domain=sd[perm])
    np.testing.assert_allclose(a.transform(X), b.transform(X), atol=1e-7)


def test_fit_transform_equals_transform_of_the_training_rows():
    X, sd = _domains()
    tca = skt.TCA(3, random_state=0)
    Z = tca.fit_transform(X, sample_domain=sd)
    np.testing.assert_allclose(Z, tca.transform(X), atol=1e-10)
    np.testing.assert_allclose(Z, tca.transform(X, sample_domain=sd), atol=1e-10)
    assert not hasattr(tca, "_fit_embedding_")


def test_median_heuristic_gamma_is_resolved_in_fit():
    X, sd = _domains()
    tca = skt.TCA(2, kernel="rbf", random_state=0).fit(X, sample_domain=sd)
    assert tca.gamma is None and tca.gamma_ > 0
    assert tca.gamma_ == pytest.approx(
        skt.metrics.median_heuristic(X[sd > 0], X[sd < 0], random_state=0), rel=0.5
    )


def test_float32_stays_float32():
    X, sd = _domains()
    Z = skt.TCA(2, random_state=0).fit_transform(X.astype(np.float32), sample_domain=sd)
    assert Z.dtype == np.float32


def test_one_row_target_domain_is_supported():
    # the marginal MMD needs only the two means: one target row is enough
    X, sd = _domains(n_t=1)
    Z = skt.TCA(2, random_state=0).fit_transform(X, sample_domain=sd)
    assert Z.shape == (61, 2) and np.isfinite(Z).all()


def test_too_many_components_are_clipped_with_a_warning():
    X, sd = _domains(n_s=4, n_t=3, d=2)
    with pytest.warns(UserWarning, match=r"n_components=7 is larger than the data allow; using "
                                         r"6 components \(7 training rows"):
        assert skt.TCA(7, kernel="rbf").fit(X, sample_domain=sd).n_components_ == 6
    with pytest.warns(UserWarning, match=r"using 2 components \(7 training rows .* the linear "
                                         r"kernel of 2"):
        skt.TCA(3, kernel="linear").fit(X, sample_domain=sd)
    with pytest.warns(UserWarning, match=r"using 2 components \(the primal form has one "
                                         r"component per feature"):
        skt.TCA(3, kernel="primal").fit(X, sample_domain=sd)
    X, sd = _domains()
    with pytest.warns(UserWarning, match=r"using 5 components \(5 landmarks"):
        skt.TCA(6, kernel="rbf", n_landmarks=5).fit(X, sample_domain=sd)
    with pytest.warns(UserWarning, match=r"using 3 components \(5 landmarks, 110 training rows "
                                         r"and 3 features"):
        skt.TCA(6, n_landmarks=5).fit(X, sample_domain=sd)


def test_default_components_on_few_features():
    # the default 30 components on 3 features: clipped, not a crash
    X, sd = _domains()
    with pytest.warns(UserWarning, match="n_components=30 is larger than the data allow; "
                                         "using 3 components"):
        Z = skt.TCA().fit_transform(X, sample_domain=sd)
    assert Z.shape == (110, 3)


def test_primal_components_stop_at_the_rank_of_the_centred_rows():
    # d > n: X' H X has rank n - 1; components past it are arbitrary null-space directions
    X, sd = _domains(n_s=6, n_t=5, d=20)
    with pytest.warns(UserWarning, match=r"using 10 components .* 11 training rows span at "
                                         r"most 10"):
        tca = skt.TCA(15, kernel="primal").fit(X, sample_domain=sd)
    assert tca.n_components_ == 10 and tca.coef_.shape == (20, 10)
    assert np.all(tca.eigenvalues_ > 1e-8 * tca.eigenvalues_[0])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"mu": 0}, "mu must be a finite number > 0.0; got mu=0"),
        ({"mu": -1.0}, "mu must be a finite number > 0.0"),
        ({"kernel": "sigmoid"}, "kernel must be one of"),
        ({"kernel": "rbf", "gamma": -1.0}, "gamma must be a positive finite number"),
        ({"eigen_solver": "lobpcg"}, "eigen_solver must be one of 'auto', 'dense', 'iter"),
        ({"n_landmarks": 1}, "n_landmarks must be an integer >= 2"),
        ({"kernel": "primal", "n_landmarks": 10}, "n_landmarks applies to the kernel form"),
        ({"n_components": 0}, "n_components must be an integer >= 1"),
    ],
)
def test_bad_parameters(params, match):
    X, sd = _domains()
    with pytest.raises(ValueError, match=match):
        skt.TCA(**{"n_components": 2, **params}).fit(X, sample_domain=sd)


def test_feature_mismatch_at_transform():
    X, sd = _domains()
    tca = skt.TCA(2, random_state=0).fit(X, sample_domain=sd)
    with pytest.raises(ValueError, match="X has 2 features, but TCA is expecting 3"):
        tca.transform(X[:, :2])


def test_needs_both_domains():
    X, sd = _domains()
    with pytest.raises(ValueError, match="no target rows"):
        skt.TCA(2).fit(X, np.zeros(len(X), int))


def test_documented_mapping_to_the_papers_mu_and_constraint():
    # TCA's Notes: mu = n_s n_t / ((n_s + n_t) mu_pan) gives Pan et al.'s (and skada's)
    # components, and dividing by sqrt(eigenvalues_) gives their scale, W' K H K W = I
    X, sd = _domains(n_s=40, n_t=30)
    n_s, n_t, n = 40, 30, 70
    mu_pan = 0.5
    tca = skt.TCA(3, kernel="rbf", gamma=0.3, mu=n_s * n_t / ((n_s + n_t) * mu_pan))
    Z = tca.fit_transform(X, sample_domain=sd) / np.sqrt(tca.eigenvalues_)
    K = rbf_kernel(X, gamma=0.3)
    e = np.r_[np.full(n_s, 1 / n_s), np.full(n_t, -1 / n_t)]
    H = np.eye(n) - 1 / n
    # Pan et al. (2011): leading eigenvectors of (I + mu_pan K L K)^-1 K H K, W' K H K W = I
    w, W = linalg.eigh(K @ H @ K, np.eye(n) + mu_pan * K @ np.outer(e, e) @ K)
    W = W[:, ::-1][:, :3]
    W /= np.sqrt(np.diag(W.T @ K @ H @ K @ W))
    Z_pan = K @ W
    np.testing.assert_allclose(Z.T @ H @ Z, np.eye(3), atol=1e-8)
    np.testing.assert_allclose(np.abs(Z.T @ H @ Z_pan), np.eye(3), atol=1e-6)
