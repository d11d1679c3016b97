"""KMM's QP solvers against plain references: a sort-based projection, an LP for the
Frank-Wolfe gap, and cvxopt's interior-point QP (test-only dependency)."""

import warnings

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.spatial.distance import cdist
from sklearn.exceptions import ConvergenceWarning

from skt.reweight._kmm_solver import (
    frank_wolfe_gap,
    project_box_slab,
    solve_dense,
    solve_factored,
)

cvxopt = pytest.importorskip("cvxopt", reason="cvxopt is the reference QP solver (test extra)")


def kmm_problem(n_s, n_t, n_features=2, *, gamma=None, shift=0.8, seed=0):
    """K, kappa, eps of KMM on a Gaussian covariate shift (the paper's default eps)."""
    rng = np.random.RandomState(seed)
    Xs = rng.randn(n_s, n_features)
    Xt = 0.6 * rng.randn(n_t, n_features) + shift
    if gamma is None:
        Z = np.vstack([Xs, Xt])
        gamma = 1.0 / np.median(cdist(Z, Z, "sqeuclidean")[np.triu_indices(len(Z), 1)])
    K = np.exp(-gamma * cdist(Xs, Xs, "sqeuclidean"))
    kappa = n_s / n_t * np.exp(-gamma * cdist(Xs, Xt, "sqeuclidean")).sum(axis=1)
    eps = (np.sqrt(n_s) - 1) / np.sqrt(n_s)
    return K, kappa, eps


def cvxopt_qp(K, kappa, B, lower, upper):
    """The dense QP as ADAPT formulates it, solved by cvxopt to tight tolerances."""
    n = len(kappa)
    options = {"show_progress": False, "abstol": 1e-10, "reltol": 1e-10, "feastol": 1e-10}
    box_G = np.vstack([np.eye(n), -np.eye(n)])
    box_h = np.hstack([B * np.ones(n), np.zeros(n)])
    P, q = cvxopt.matrix(K), cvxopt.matrix(-kappa)
    if upper == lower:  # an equality: the two inequalities would leave no interior
        sol = cvxopt.solvers.qp(
            P, q, cvxopt.matrix(box_G), cvxopt.matrix(box_h),
            cvxopt.matrix(np.ones((1, n))), cvxopt.matrix(np.array([float(upper)])),
            options=options,
        )
    else:
        G = np.vstack([np.ones((1, n)), -np.ones((1, n)), box_G])
        h = np.hstack([upper, -lower, box_h])
        sol = cvxopt.solvers.qp(P, q, cvxopt.matrix(G), cvxopt.matrix(h), options=options)
    assert sol["status"] == "optimal"
    return np.asarray(sol["x"]).ravel()


def objective(K, kappa, b):
    return 0.5 * b @ K @ b - kappa @ b


def assert_feasible(b, B, lower, upper, atol=1e-9):
    assert np.all(b >= 0) and np.all(b <= B)
    s = b.sum()
    assert lower - atol * max(1.0, lower) <= s <= upper + atol * max(1.0, upper)


# -- projection -------------------------------------------------------------------------------


def naive_projection(v, B, lower, upper):
    """Projection by bisection on the multiplier of the sum (to the last bit)."""
    x = np.clip(v, 0, B)
    if lower <= x.sum() <= upper:
        return x
    target = upper if x.sum() > upper else lower
    lo, hi = v.min() - B - 1.0, v.max() + 1.0  # s(lo) = n B >= target >= 0 = s(hi)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.clip(v - mid, 0, B).sum() > target:
            lo = mid
        else:
            hi = mid
    return np.clip(v - 0.5 * (lo + hi), 0, B)


@pytest.mark.parametrize("seed", range(20))
def test_projection_matches_naive(seed):
    rng = np.random.RandomState(seed)
    n = rng.randint(1, 40)
    v = rng.randn(n) * rng.choice([0.1, 1, 10])
    B = rng.choice([0.5, 1.0, 3.0])
    lower = rng.uniform(0, n * B * 0.8)
    upper = lower + rng.choice([0.0, rng.uniform(0, n)])
    x = project_box_slab(v, B, lower, upper)
    np.testing.assert_allclose(x, naive_projection(v, B, lower, upper), atol=1e-10)
    assert_feasible(x, B, lower, upper, atol=1e-12)


def test_projection_is_closest_feasible_point():
    # optimality of the projection: (v - x)'(z - x) <= 0 for feasible z
    rng = np.random.RandomState(1)
    v = rng.randn(50) * 3
    B, lower, upper = 2.0, 30.0, 35.0
    x = project_box_slab(v, B, lower, upper)
    for _ in range(200):
        z = project_box_slab(rng.randn(50) * 3, B, lower, upper)
        assert (v - x) @ (z - x) <= 1e-9


@pytest.mark.parametrize(
    "B, lower, upper, shift",
    [
        (5.0, 10.0, 40.0, 0.0),  # the negative entries fill more than upper
        (5.0, 10.0, 400.0, 0.0),  # every negative entry filled, the sum between the bounds
        (5.0, 100.0, 120.0, 1.0),  # few negative entries: non-negative ones filled up to lower
        (0.7, 3.3, 9.1, 0.0),  # a fraction of B on the last entry
        (5.0, 0.0, 150.0, 5.0),  # no negative entry: z = 0
        (5.0, 150.0, 150.0, 0.0),  # the sum fixed at n B: every entry filled
    ],
)
def test_frank_wolfe_gap_matches_linear_program(B, lower, upper, shift):
    rng = np.random.RandomState(0)
    n = 30
    b = project_box_slab(rng.rand(n) * 3, B, lower, upper)
    for g in (rng.randn(n) + shift, np.round(rng.randn(n)) + shift):  # ties in the second
        res = linprog(
            g, A_ub=np.vstack([np.ones(n), -np.ones(n)]), b_ub=[upper, -lower],
            bounds=[(0, B)] * n, method="highs",
        )
        assert res.status == 0
        assert frank_wolfe_gap(b, g, B, lower, upper) == pytest.approx(g @ b - res.fun,
                                                                        abs=1e-9)


# -- the dense solver (SMO) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "n_s, n_t, n_features, shift",
    [(50, 40, 1, 0.8), (200, 150, 2, 0.8), (300, 300, 5, 1.5), (120, 100, 3, 4.0)],
)
def test_dense_solver_matches_cvxopt(n_s, n_t, n_features, shift):
    K, kappa, eps = kmm_problem(n_s, n_t, n_features, shift=shift)
    B, lower, upper = 1000.0, n_s * (1 - eps), n_s * (1 + eps)
    ref = objective(K, kappa, cvxopt_qp(K, kappa, B, lower, upper))
    sol = solve_dense(K, kappa, B=B, lower=lower, upper=upper)
    assert sol.converged
    assert_feasible(sol.weights, B, lower, upper)
    assert objective(K, kappa, sol.weights) == pytest.approx(sol.objective, rel=1e-9)
    # certified: the gap bounds the distance to the optimum
    assert sol.gap <= 1e-6 * abs(sol.objective)
    assert abs(sol.objective - ref) <= 1e-5 * abs(ref)
    assert sol.objective >= ref - 1e-7 * abs(ref)


@pytest.mark.slow
def test_dense_solver_matches_cvxopt_at_1000_rows():
    K, kappa, eps = kmm_problem(1000, 1000, 3)
    B, lower, upper = 1000.0, 1000 * (1 - eps), 1000 * (1 + eps)
    ref = objective(K, kappa, cvxopt_qp(K, kappa, B, lower, upper))
    sol = solve_dense(K, kappa, B=B, lower=lower, upper=upper)
    assert_feasible(sol.weights, B, lower, upper)
    assert abs(sol.objective - ref) <= 1e-5 * abs(ref)


@pytest.mark.parametrize(
    "B, eps, what",
    [
        (1.5, 0.9, "upper bounds active"),
        (1000.0, 0.0, "sum fixed (eps=0)"),
        (1000.0, 0.05, "slab active"),
    ],
)
def test_dense_solver_with_active_constraints(B, eps, what):
    # a far target (shift 3) pulls the mass to few rows: bounds and slab become active
    K, kappa, _ = kmm_problem(100, 80, 2, shift=3.0, gamma=0.5)
    n = len(kappa)
    lower, upper = n * (1 - eps), n * (1 + eps)
    b_ref = cvxopt_qp(K, kappa, B, lower, upper)
    sol = solve_dense(K, kappa, B=B, lower=lower, upper=upper)
    assert_feasible(sol.weights, B, lower, upper)
    ref = objective(K, kappa, b_ref)
    assert abs(sol.objective - ref) <= 1e-5 * abs(ref), what
    if B < 2:
        assert np.sum(sol.weights >= B) > 0
    if eps == 0.0:
        assert sol.weights.sum() == pytest.approx(n, rel=1e-12)


def test_dense_solver_handles_duplicate_rows():
    # duplicates make K singular and a pair's curvature zero
    K, kappa, eps = kmm_problem(60, 50, 2)
    idx = np.r_[np.arange(60), np.arange(10)]
    K, kappa = K[np.ix_(idx, idx)], kappa[idx]
    n = len(kappa)
    lower, upper = n * (1 - eps), n * (1 + eps)
    sol = solve_dense(np.ascontiguousarray(K), kappa, B=1000.0, lower=lower, upper=upper)
    ref = objective(K, kappa, cvxopt_qp(K, kappa, 1000.0, lower, upper))
    assert abs(sol.objective - ref) <= 1e-5 * abs(ref)


def test_dense_solver_accepts_float32_matrix():
    K, kappa, eps = kmm_problem(150, 100, 2)
    n = len(kappa)
    lower, upper = n * (1 - eps), n * (1 + eps)
    ref = objective(K, kappa, cvxopt_qp(K, kappa, 1000.0, lower, upper))
    sol = solve_dense(K.astype(np.float32), kappa, B=1000.0, lower=lower, upper=upper)
    assert abs(objective(K, kappa, sol.weights) - ref) <= 1e-5 * abs(ref)


def test_dense_solver_warns_with_the_gap_when_it_stops_early():
    K, kappa, eps = kmm_problem(200, 150, 2)
    n = len(kappa)
    with pytest.warns(ConvergenceWarning, match=r"did not converge in 5 iterations: the duality"):
        sol = solve_dense(K, kappa, B=1000.0, lower=n * (1 - eps), upper=n * (1 + eps),
                          max_iter=5)
    assert not sol.converged and sol.n_iter == 5
    assert sol.gap > 1e-6 * abs(sol.objective)
    assert_feasible(sol.weights, 1000.0, n * (1 - eps), n * (1 + eps))


# -- the factored solver (accelerated projected gradient) -------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_factored_solver_matches_cvxopt(dtype):
    K, kappa, eps = kmm_problem(150, 120, 3)
    evals, evecs = np.linalg.eigh(K)
    Phi = np.ascontiguousarray(evecs * np.sqrt(np.clip(evals, 0, None)), dtype=dtype)
    n = len(kappa)
    lower, upper = n * (1 - eps), n * (1 + eps)
    ref = objective(K, kappa, cvxopt_qp(K, kappa, 1000.0, lower, upper))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        sol = solve_factored(Phi, kappa, B=1000.0, lower=lower, upper=upper, tol=1e-5,
                             max_iter=20000)
    assert_feasible(sol.weights, 1000.0, lower, upper)
    assert sol.gap <= 1e-5 * abs(sol.objective)
    assert abs(objective(K, kappa, sol.weights) - ref) <= 1e-5 * abs(ref)


def test_factored_solver_with_ridge_matches_cvxopt():
    K, kappa, eps = kmm_problem(100, 80, 2)
    Phi = np.linalg.cholesky(K + 1e-8 * np.eye(100))
    n, reg = len(kappa), 0.5
    lower, upper = n * (1 - eps), n * (1 + eps)
    Kr = Phi @ Phi.T + reg * np.eye(n)
    ref = objective(Kr, kappa, cvxopt_qp(Kr, kappa, 1000.0, lower, upper))
    sol = solve_factored(np.ascontiguousarray(Phi), kappa, B=1000.0, lower=lower, upper=upper,
                         reg=reg, tol=1e-5, max_iter=20000)
    assert abs(sol.objective - ref) <= 1e-5 * abs(ref)


def test_factored_solver_warns_with_the_gap_when_it_stops_early():
    K, kappa, eps = kmm_problem(100, 80, 2)
    Phi = np.ascontiguousarray(np.linalg.cholesky(K + 1e-8 * np.eye(100)))
    n = len(kappa)
    with pytest.warns(ConvergenceWarning, match=r"did not converge in 3 iterations.*reached"):
        sol = solve_factored(Phi, kappa, B=1000.0, lower=n * (1 - eps), upper=n * (1 + eps),
                             tol=1e-9, max_iter=3)
    assert not sol.converged


def test_kmm_weights_with_a_large_feature_offset_match_cvxopt():
    # the source rows are centred in float64 before the float32 kernel matrix: an offset of
    # 1e5 (rows exact to 1e-2 in float32) changes neither the optimum nor the weights
    from scipy.spatial.distance import cdist

    from skt.reweight import kmm_weights

    rng = np.random.RandomState(0)
    n_s, n_t, gamma, reg = 150, 100, 0.2, 1.0
    Xs = rng.randn(n_s, 3)
    Xt = 0.6 * rng.randn(n_t, 3) + 0.8
    K = np.exp(-gamma * cdist(Xs, Xs, "sqeuclidean")) + reg * np.eye(n_s)
    kappa = n_s / n_t * np.exp(-gamma * cdist(Xs, Xt, "sqeuclidean")).sum(axis=1)
    eps = (np.sqrt(n_s) - 1) / np.sqrt(n_s)
    ref = cvxopt_qp(K, kappa, 1000.0, n_s * (1 - eps), n_s * (1 + eps))
    w = kmm_weights(Xs + 1e5, Xt + 1e5, gamma=gamma, reg=reg)
    f_ref = objective(K, kappa, ref)
    assert objective(K, kappa, w) - f_ref <= 1e-9 * abs(f_ref)
    np.testing.assert_allclose(w, ref, atol=1e-3 * ref.max())


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 1000])
def test_select_partitions_like_numpy(n):
    # the gap's selection (written out, as it compiles in a fraction of Numba's sorts) puts the
    # k-th smallest entry at k with no larger entry before it and no smaller one after it, on
    # ties (frequent in KMM's gradients) and on sorted input as well
    from skt.reweight._kmm_solver import _select

    rng = np.random.default_rng(n)
    inputs = [rng.standard_normal(n), rng.integers(0, 4, n).astype(np.float64),
              np.arange(n, dtype=np.float64), np.arange(n, 0, -1, dtype=np.float64),
              np.zeros(n)]
    for v in inputs:
        for k in {0, n // 3, n // 2, n - 1}:
            a = v.copy()
            _select(a, k)
            np.testing.assert_array_equal(np.sort(a), np.sort(v))  # a permutation
            assert a[k] == np.sort(v)[k]
            assert np.all(a[:k] <= a[k]) and np.all(a[k + 1:] >= a[k])
