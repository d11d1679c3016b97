"""Optimal-transport mappings: barycentric images, out-of-sample maps, the Gaussian map."""

import sys
import warnings

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

import skt

pytest.importorskip("ot", reason="POT is the optional extra skt[ot]; the test extra installs it")

METHODS = ["emd", "sinkhorn", "lpl1", "l1l2", "laplace", "sinkhorn_laplace"]


def _data(n_s=40, n_t=30, d=3, seed=0, shift=3.0):
    rng = np.random.RandomState(seed)
    Xs = rng.randn(n_s, d)
    Xt = rng.randn(n_t, d) * 0.5 + shift
    ys = (Xs[:, 0] > 0).astype(int)
    X = np.vstack([Xs, Xt])
    y = np.r_[ys, -np.ones(n_t, int)]
    sample_domain = np.r_[np.ones(n_s, int), -np.ones(n_t, int)]
    return X, y, sample_domain


@pytest.mark.parametrize("method", METHODS)
def test_mapped_source_mean_is_target_mean(method):
    # any plan with uniform marginals sends the source mean onto the target mean
    X, y, sd = _data()
    Z = skt.OTMapping(method, reg_e=0.1).fit_transform(X, y, sample_domain=sd)
    # the class-regularised solvers stop their inner Sinkhorn loops at a tolerance
    atol = 1e-4 if method in ("lpl1", "l1l2") else 1e-6
    np.testing.assert_allclose(Z[sd > 0].mean(axis=0), X[sd < 0].mean(axis=0), atol=atol)
    np.testing.assert_array_equal(Z[sd < 0], X[sd < 0])


def test_exact_plan_with_equal_sizes_is_a_permutation():
    X, y, sd = _data(n_s=25, n_t=25)
    Z = skt.OTMapping("emd").fit_transform(X, y, sample_domain=sd)
    mapped, target = Z[sd > 0], X[sd < 0]
    order = np.lexsort(mapped.T), np.lexsort(target.T)
    np.testing.assert_allclose(mapped[order[0]], target[order[1]], atol=1e-12)


def test_transform_of_training_source_rows_equals_fit_transform():
    X, y, sd = _data()
    model = skt.OTMapping("sinkhorn", reg_e=0.05)
    Z = model.fit_transform(X, y, sample_domain=sd)
    np.testing.assert_allclose(model.transform(X, sample_domain=sd), Z)


def test_new_source_rows_move_with_their_nearest_training_row():
    X, y, sd = _data()
    model = skt.OTMapping().fit(X, y, sample_domain=sd)
    Z = model.fit_transform(X, y, sample_domain=sd)
    Xs = X[sd > 0]
    new = Xs[:5] + 1e-3
    out = model.transform(new, sample_domain=np.ones(5, int))
    np.testing.assert_allclose(out, Z[:5] + 1e-3, atol=1e-12)


def test_class_regularised_plan_sends_each_target_row_mass_of_mostly_one_class():
    X, y, sd = _data(n_s=60, n_t=60, shift=0.0)
    ys = y[sd > 0]
    plain = skt.OTMapping("sinkhorn", reg_e=0.1).fit(X, y, sample_domain=sd).coupling_
    grouped = skt.OTMapping("lpl1", reg_e=0.1, reg_cl=1.0).fit(X, y, sample_domain=sd)

    def purity(G):
        per_class = np.stack([G[ys == c].sum(axis=0) for c in np.unique(ys)])
        return float(np.mean(per_class.max(axis=0) / per_class.sum(axis=0)))

    assert purity(plain) < 0.9
    assert purity(grouped.coupling_) > 0.99


@pytest.mark.parametrize("method", ["lpl1", "l1l2", "sinkhorn_laplace"])
def test_class_regularised_plan_never_reads_target_labels(method):
    X, y, sd = _data()
    y_labeled = y.copy()
    y_labeled[sd < 0] = np.random.RandomState(1).randint(0, 2, (sd < 0).sum())
    a = skt.OTMapping(method, reg_e=0.1).fit_transform(X, y_labeled, sample_domain=sd)
    y_labeled[sd < 0] = 1 - y_labeled[sd < 0]
    b = skt.OTMapping(method, reg_e=0.1).fit_transform(X, y_labeled, sample_domain=sd)
    np.testing.assert_array_equal(a, b)


def test_laplace_plan_without_its_term_is_the_entropic_plan():
    X, y, sd = _data()
    plain = skt.OTMapping("sinkhorn", reg_e=0.1).fit(X, y, sample_domain=sd)
    laplace = skt.OTMapping("sinkhorn_laplace", reg_e=0.1, reg_lap=0.0)
    Z = laplace.fit_transform(X, y, sample_domain=sd)
    # the conditional gradient's steps approach the Sinkhorn plan geometrically (step 0.99)
    # and stop when the objective changes by less than 1e-9 of itself
    np.testing.assert_allclose(laplace.coupling_, plain.coupling_, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(Z, plain.transform(X, sample_domain=sd), atol=1e-6)


def _graph_spread(Z, L):
    """sum over linked pairs of squared distances between images: tr(Z' L Z)."""
    return float(np.sum(Z * (L @ Z)))


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_laplace_term_pulls_linked_source_rows_together(alpha):
    from skt.alignment._ot import _graph_laplacian

    X, y, sd = _data(n_s=60, n_t=50, shift=1.0)
    Xs, ys = X[sd > 0], y[sd > 0]
    Ls = _graph_laplacian(Xs, 8, ys)
    spreads = [
        _graph_spread(
            skt.OTMapping("sinkhorn_laplace", reg_e=0.05, reg_lap=r, alpha=alpha)
            .fit_transform(X, y, sample_domain=sd)[sd > 0], Ls
        )
        for r in (0.0, 10.0, 1000.0)
    ]
    if alpha == 0.0:  # the source graph only: its spread is what the term minimises
        assert spreads[0] > spreads[1] > spreads[2]
    assert spreads[2] < 0.8 * spreads[0]


def test_source_graph_links_rows_of_one_class_only():
    from skt.alignment._ot import _graph_laplacian

    rng = np.random.RandomState(0)
    X = rng.randn(30, 2)
    classes = (X[:, 0] > 0).astype(int)
    L = _graph_laplacian(X, 8, classes).toarray()
    S = np.diag(np.diag(L)) - L  # the links
    np.testing.assert_array_equal(S, S.T)
    assert set(np.unique(S)) <= {0.0, 1.0}
    assert not np.any(S[classes[:, None] != classes[None, :]])
    # every row keeps at least its nearest neighbours of its own class among its 8
    assert np.all(S.sum(axis=1) >= 1)
    unpruned = _graph_laplacian(X, 8).toarray()
    assert np.all(np.diag(unpruned) >= 8)


@pytest.mark.parametrize("model", [skt.OTMapping("sinkhorn", reg_e=0.1), skt.LinearOTMapping()])
def test_float32_stays_float32(model):
    X, y, sd = _data()
    Z = model.fit_transform(X.astype(np.float32), y, sample_domain=sd)
    assert Z.dtype == np.float32


def test_an_underflowing_plan_is_an_error_not_rows_mapped_to_zero(monkeypatch):
    # POT's plain-domain sinkhorn_lpl1_mm gave such plans (reg_e=1e-4 on an unnormalised cost)
    import skt.alignment._ot as _ot

    X, y, sd = _data()
    G = np.full((40, 30), 1 / 1200)
    G[3] = 0.0
    monkeypatch.setattr(_ot, "_lpl1_plan", lambda *a, **k: G)
    with pytest.raises(ValueError, match="1 source row.*without mass"):
        skt.OTMapping("lpl1").fit(X, y, sample_domain=sd)


@pytest.mark.parametrize("reg_e, reg_cl", [(0.1, 1.0), (0.05, 0.1), (0.01, 0.1)])
def test_lpl1_plan_is_pots_where_pots_does_not_underflow(reg_e, reg_cl):
    # the same majorisation-minimisation as POT's sinkhorn_lpl1_mm, on the log-domain Sinkhorn;
    # POT's inner loops run to convergence here (skt's, warm-started, converge within their
    # 1,000 iterations at these points; POT's, cold-started, need 1,400 in a step of (0.1, 1))
    import ot

    X, y, sd = _data(n_s=60, n_t=50, d=5, shift=1.0)
    model = skt.OTMapping("lpl1", reg_e=reg_e, reg_cl=reg_cl).fit(X, y, sample_domain=sd)
    tr = model.transport_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G = ot.da.sinkhorn_lpl1_mm(tr.mu_s, y[sd > 0], tr.mu_t, tr.cost_, reg_e, eta=reg_cl,
                                   numItermax=10, numInnerItermax=100_000, stopInnerThr=1e-9)
    assert G.sum() == pytest.approx(1.0)  # POT's did not underflow
    np.testing.assert_allclose(model.coupling_, G, rtol=0, atol=1e-6 * G.max())


@pytest.mark.parametrize("reg_e", [1e-3, 1e-4])
def test_lpl1_plan_at_small_reg_e_keeps_its_mass(reg_e):
    # POT's plain-domain Sinkhorn underflows here (a plan of mass 0); the log-domain one does not
    import ot

    X, y, sd = _data(n_s=60, n_t=50, d=5, shift=1.0)
    model = skt.OTMapping("lpl1", reg_e=reg_e, reg_cl=1.0).fit(X, y, sample_domain=sd)
    np.testing.assert_allclose(model.coupling_.sum(axis=1), np.full(60, 1 / 60), atol=1e-8)
    tr = model.transport_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G = ot.da.sinkhorn_lpl1_mm(tr.mu_s, y[sd > 0], tr.mu_t, tr.cost_, reg_e, eta=1.0,
                                   numItermax=10, numInnerItermax=1000)
    assert not G.sum() > 0.5


def test_a_plan_that_lost_its_mass_is_an_error_not_chance_level_images(monkeypatch):
    # POT's group-lasso solver (plain-domain Sinkhorn) at a small reg_e underflowed every
    # entry: each row kept a positive mass (so "without mass" did not fire), the plan summed to
    # 1e-12, and the mapped rows gave chance-level accuracy on the digits with no error
    import skt.alignment._ot as _ot

    X, y, sd = _data(n_s=60, n_t=60, d=30)
    monkeypatch.setattr(_ot, "_group_lasso_plan", lambda *a, **k: np.full((60, 60), 1e-12 / 3600))
    with pytest.raises(ValueError, match="carries a mass of .* instead of 1"):
        skt.OTMapping("l1l2", reg_e=1e-3).fit(X, y, sample_domain=sd)


def _group_lasso_objective(G, M, classes, reg_e, reg_cl):
    """<G, M> + reg_cl sum_j sum_c ||G[I_c, j]|| + reg_e sum G log G, in plain NumPy."""
    lasso = sum(np.linalg.norm(G[classes == c], axis=0).sum() for c in np.unique(classes))
    return np.sum(G * M) + reg_cl * lasso + reg_e * np.sum(G[G > 0] * np.log(G[G > 0]))


@pytest.mark.parametrize("reg_e, reg_cl", [(0.1, 1.0), (0.05, 0.1), (0.01, 0.1)])
def test_group_lasso_plan_is_no_worse_than_pots_gcg(reg_e, reg_cl):
    # POT 0.9.7's ot.optim.gcg (behind ot.da.sinkhorn_l1l2_gl) leaves the entropy out of its
    # line search and stops early (at these points after one or two steps); skt's solver
    # descends on the whole objective
    import ot

    X, y, sd = _data(n_s=60, n_t=50, d=5, shift=1.0)
    ys = y[sd > 0]
    model = skt.OTMapping("l1l2", reg_e=reg_e, reg_cl=reg_cl).fit(X, y, sample_domain=sd)
    tr = model.transport_
    old = ot.da.sinkhorn_l1l2_gl(tr.mu_s, ys, tr.mu_t, tr.cost_, reg_e, eta=reg_cl,
                                 numItermax=10, numInnerItermax=1000)
    ours = _group_lasso_objective(model.coupling_, tr.cost_, ys, reg_e, reg_cl)
    theirs = _group_lasso_objective(old, tr.cost_, ys, reg_e, reg_cl)
    assert ours < theirs
    np.testing.assert_allclose(model.coupling_.sum(axis=1), tr.mu_s, atol=1e-8)
    np.testing.assert_allclose(model.coupling_.sum(axis=0), tr.mu_t, atol=1e-6)


def test_group_lasso_plan_at_small_reg_e_keeps_its_mass():
    # the log-domain Sinkhorn steps do not underflow where POT's sinkhorn_l1l2_gl did
    X, y, sd = _data(n_s=60, n_t=60, d=30)
    G = skt.OTMapping("l1l2", reg_e=1e-3).fit(X, y, sample_domain=sd).coupling_
    np.testing.assert_allclose(G.sum(), 1.0, atol=1e-8)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"method": "exact"}, "method must be one of"),
        ({"method": "sinkhorn", "reg_e": 0.0}, "reg_e must be a finite number > 0"),
        ({"method": "l1l2", "reg_cl": -1.0}, "reg_cl must be a finite number >= 0"),
        ({"norm": "l2"}, "norm must be one of"),
        ({"method": "laplace", "max_iter": 0}, "max_iter"),
        ({"method": "sinkhorn_laplace", "reg_lap": -1.0}, "reg_lap must be a finite number >= 0"),
        ({"method": "sinkhorn_laplace", "reg_e": -0.1}, "reg_e must be a finite number > 0"),
        ({"method": "sinkhorn_laplace", "alpha": 1.5}, r"alpha must be a number in \[0, 1\]"),
        ({"method": "sinkhorn_laplace", "alpha": -0.5}, "alpha must be a finite number >= 0"),
        ({"method": "sinkhorn_laplace", "n_neighbors": 0}, "n_neighbors must be an integer"),
    ],
)
def test_bad_parameters_name_the_argument(params, message):
    X, y, sd = _data()
    with pytest.raises(ValueError, match=message):
        skt.OTMapping(**params).fit(X, y, sample_domain=sd)


@pytest.mark.parametrize("method", ["lpl1", "sinkhorn_laplace"])
def test_class_regularised_plan_refuses_a_regression_target(method):
    X, _, sd = _data()
    y = np.r_[np.random.RandomState(0).randn((sd > 0).sum()), np.full((sd < 0).sum(), np.nan)]
    with pytest.raises(ValueError, match="needs class labels"):
        skt.OTMapping(method).fit(X, y, sample_domain=sd)


def test_laplace_plan_without_labels_says_to_pass_y():
    X, _, sd = _data()
    with pytest.raises(ValueError, match="pass y"):
        skt.OTMapping("sinkhorn_laplace").fit(X, sample_domain=sd)


def test_missing_pot_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ot", None)
    X, y, sd = _data()
    with pytest.raises(ImportError, match=r"skt\[ot\]"):
        skt.OTMapping().fit(X, y, sample_domain=sd)


def _gaussian_map(Cs, Ct):
    """NumPy reference: the Monge map between two centred Gaussians."""
    rs = scipy.linalg.sqrtm(Cs).real
    rs_inv = np.linalg.inv(rs)
    return rs_inv @ scipy.linalg.sqrtm(rs @ Ct @ rs).real @ rs_inv


def test_linear_map_is_the_gaussian_monge_map():
    rng = np.random.RandomState(0)
    Xs = rng.randn(400, 3) @ rng.randn(3, 3)
    Xt = rng.randn(300, 3) @ rng.randn(3, 3) + 5.0
    X = np.vstack([Xs, Xt])
    sd = np.r_[np.ones(400, int), -np.ones(300, int)]
    model = skt.LinearOTMapping(reg=0.0)
    Z = model.fit_transform(X, sample_domain=sd)
    Cs, Ct = np.cov(Xs.T, bias=True), np.cov(Xt.T, bias=True)
    A = _gaussian_map(Cs, Ct)
    np.testing.assert_allclose(model.A_, A, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.A_, model.A_.T, atol=1e-8)
    assert np.linalg.eigvalsh(model.A_).min() > 0
    np.testing.assert_allclose(np.cov(Z[:400].T, bias=True), Ct, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(Z[:400].mean(axis=0), Xt.mean(axis=0), atol=1e-8)


@settings(max_examples=20, deadline=None)
@given(
    n_s=st.integers(3, 15), n_t=st.integers(3, 15), seed=st.integers(0, 10_000),
    method=st.sampled_from(["emd", "sinkhorn"]),
)
def test_plan_has_uniform_marginals(n_s, n_t, seed, method):
    X, y, sd = _data(n_s=n_s, n_t=n_t, seed=seed)
    G = skt.OTMapping(method, reg_e=0.5).fit(X, y, sample_domain=sd).coupling_
    np.testing.assert_allclose(G.sum(axis=1), np.full(n_s, 1 / n_s), atol=1e-6)
    np.testing.assert_allclose(G.sum(axis=0), np.full(n_t, 1 / n_t), atol=1e-6)
    assert np.all(G >= -1e-15)


@pytest.mark.parametrize(
    "model",
    [
        skt.OTMapping("sinkhorn", reg_e=0.1),
        skt.OTLabelPropagation(),
        skt.JDOTClassifier(max_iter=2),
        skt.JCPOTLabelPropagation(),
    ],
)
def test_a_plan_too_large_for_memory_is_refused_before_solving(model, monkeypatch):
    import skt._pot

    X, y, sd = _data()
    monkeypatch.setattr(skt._pot, "_available_memory", lambda: 1000)
    # 9 copies x 8 bytes x 40 x 30 = 86,400 bytes > 1000: refused, naming the sizes
    with pytest.raises(MemoryError, match="40 source and 30 target rows.*LinearOTMapping"):
        model.fit(X, y, sample_domain=sd)
    monkeypatch.setattr(skt._pot, "_available_memory", lambda: None)  # unknown: no check
    model.fit(X, y, sample_domain=sd)


def _cost(n_s=60, n_t=50, seed=0):
    import ot

    rng = np.random.RandomState(seed)
    M = ot.dist(rng.randn(n_s, 5), rng.randn(n_t, 5) + 1.0)
    return np.full(n_s, 1 / n_s), np.full(n_t, 1 / n_t), M / M.max()


@pytest.mark.parametrize("reg", [0.02, 0.1, 1.0])
def test_entropic_plan_is_pots_log_domain_plan(reg):
    # the stabilised solver runs the log-domain solver's iterates (v, then u; the error
    # checked every 10): same plan and duals, cold and warm-started, to rounding
    import ot

    from skt._pot import entropic_plan

    a, b, M = _cost()
    G0, log = ot.sinkhorn(a, b, M, reg, method="sinkhorn_log", numItermax=5000, log=True)
    G, log_u, log_v = entropic_plan(ot, a, b, M, reg, max_iter=5000)
    np.testing.assert_allclose(G, G0, rtol=0, atol=1e-9 * G0.max())
    np.testing.assert_allclose(np.exp(log_u[:, None] - M / reg + log_v[None, :]), G,
                               rtol=1e-9, atol=1e-300)
    # one step of a class-regularised loop: a nearby cost, warm-started from these duals
    M2 = M * 1.05
    G0, _ = ot.sinkhorn(a, b, M2, reg, method="sinkhorn_log", numItermax=5000, log=True,
                        warmstart=(log["log_u"], log["log_v"]))
    G, _, _ = entropic_plan(ot, a, b, M2, reg, max_iter=5000, warmstart=(log_u, log_v))
    np.testing.assert_allclose(G, G0, rtol=0, atol=1e-9 * G0.max())


def test_entropic_plan_where_the_gibbs_kernel_underflows():
    # exp(-M / 1e-4) has empty rows here: POT's stabilised solver started from zero duals
    # gives no plan; started from the c-transform duals it reaches one with the marginals
    import ot

    from skt._pot import entropic_plan

    a, b, M = _cost()
    assert np.max(M.min(axis=1)) / 1e-4 > 745  # exp underflows to 0 on a whole row
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G0 = ot.bregman.sinkhorn_stabilized(a, b, M, 1e-4, numItermax=100)
        G, log_u, log_v = entropic_plan(ot, a, b, M, 1e-4, max_iter=5000)
        G_log = ot.sinkhorn(a, b, M, 1e-4, method="sinkhorn_log", numItermax=5000)
    assert not np.all(np.isfinite(G0)) or not G0.sum() > 0.5
    assert np.all(np.isfinite(G)) and np.all(np.isfinite(log_u)) and np.all(np.isfinite(log_v))
    np.testing.assert_allclose(G.sum(axis=1), a, rtol=1e-9)
    # Sinkhorn converges slowly at this reg: as close to the column marginals as the
    # log-domain solver after as many iterations, and close to its plan
    error, error_log = np.abs(G.sum(axis=0) - b).max(), np.abs(G_log.sum(axis=0) - b).max()
    assert error <= 1.2 * error_log
    assert np.abs(G - G_log).sum() < 0.05


def test_entropic_plan_falls_back_to_the_log_domain_solver(monkeypatch):
    # should the stabilised solver still meet a numerical error, the log-domain one runs
    import ot

    from skt._pot import entropic_plan

    a, b, M = _cost()

    def broken(a, b, M, reg, **kwargs):
        warnings.warn("Numerical errors at iteration 3", stacklevel=2)
        return np.full(M.shape, np.nan), {"logu": np.zeros(len(a)), "logv": np.zeros(len(b))}

    monkeypatch.setattr(ot.bregman, "sinkhorn_stabilized", broken)
    G0 = ot.sinkhorn(a, b, M, 0.1, method="sinkhorn_log", numItermax=1000)
    G, _, _ = entropic_plan(ot, a, b, M, 0.1, max_iter=1000)
    np.testing.assert_allclose(G, G0, rtol=1e-12)


def test_entropic_plan_says_when_it_stopped_at_its_cap():
    import ot

    from skt._pot import entropic_plan

    a, b, M = _cost()
    with pytest.warns(UserWarning, match="did not converge"):
        entropic_plan(ot, a, b, M, 0.01, max_iter=5)


def test_entropic_mapping_is_pots_sinkhorn_transport():
    # the "sinkhorn" plan is solved by skt (stabilised solver), POT's transport object keeps
    # mapping with it: plan, barycentric images and the continuous map of new rows as POT's
    import ot

    X, y, sd = _data(n_s=60, n_t=50, d=5, shift=1.0)
    model = skt.OTMapping("sinkhorn", reg_e=0.05).fit(X, y, sample_domain=sd)
    pot = ot.da.SinkhornTransport(reg_e=0.05, norm="max", max_iter=10_000)
    pot.fit(Xs=X[sd > 0], Xt=X[sd < 0])
    np.testing.assert_allclose(model.coupling_, pot.coupling_, rtol=0,
                               atol=1e-9 * pot.coupling_.max())
    new = np.random.RandomState(1).randn(7, 5)
    np.testing.assert_allclose(model.transport_.transform(Xs=new), pot.transform(Xs=new),
                               rtol=1e-7)
    np.testing.assert_allclose(model.transport_.transform(Xs=X[sd > 0]),
                               pot.transform(Xs=X[sd > 0]), rtol=1e-7)


def test_entropic_plan_from_a_far_warm_start():
    # a class-regularised step's cost can move far from the last one's: the last duals would
    # give the stabilised solver an empty kernel row (NaN); shifted, it converges to the plan
    import ot

    from skt._pot import entropic_plan

    a, b, M = _cost()
    reg = 0.01
    _, log_u, log_v = entropic_plan(ot, a, b, M, reg, max_iter=5000)
    # costs raised row by row (7.5 to 10, 750 to 1,000 times reg): the same plan, but the
    # last duals leave the kernel's rows empty
    M2 = M + np.random.RandomState(3).uniform(7.5, 10.0, size=(len(a), 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G_raw = ot.bregman.sinkhorn_stabilized(a, b, M2, reg, numItermax=100,
                                               warmstart=(reg * log_u, reg * log_v))
        G_log = ot.sinkhorn(a, b, M, reg, method="sinkhorn_log", numItermax=20_000)
    assert not (np.all(np.isfinite(G_raw)) and abs(G_raw.sum() - 1) < 1e-3)
    G, _, _ = entropic_plan(ot, a, b, M2, reg, max_iter=20_000, warmstart=(log_u, log_v))
    np.testing.assert_allclose(G, G_log, rtol=0, atol=1e-6 * G_log.max())


def test_entropic_plan_stopped_at_its_cap_keeps_its_mass():
    # POT's stabilised solver resets u and v to 1 / n when it absorbs them; an absorption in
    # its last iteration returned a plan of mass 1 / (n_s n_t) (lpl1 at reg_e=1e-4)
    import ot

    from skt._pot import entropic_plan

    a, b, M = _cost()
    for cap in range(1, 60):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            G, _, _ = entropic_plan(ot, a, b, M, 1e-3, max_iter=cap)
        np.testing.assert_allclose(G.sum(axis=1), a, rtol=1e-9)


def test_the_conditional_gradient_solvers_count_more_arrays(monkeypatch):
    # "l1l2" and "sinkhorn_laplace" hold 10 plan-sized arrays at their peak (measured), the
    # entropic plan 5: with room for 10 arrays the former are refused, the latter fits
    import skt._pot

    X, y, sd = _data()
    monkeypatch.setattr(skt._pot, "_available_memory", lambda: 10 * 8 * 40 * 30)
    skt.OTMapping("sinkhorn", reg_e=0.1).fit(X, y, sample_domain=sd)
    for method in ("l1l2", "sinkhorn_laplace"):
        with pytest.raises(MemoryError, match="11 dense 40 x 30"):
            skt.OTMapping(method, reg_e=0.1).fit(X, y, sample_domain=sd)


@pytest.mark.parametrize("reg", [1e-3, 0.01, 0.1])
def test_entropic_plan_duals_in_the_gauge_of_the_continuous_map(reg):
    # POT's continuous map of a row x is the row-normalised exp(-C(x, Xt) / reg + log_v): in
    # the gauge max(log_u) = 0 it is finite on every training source row, and it is the
    # barycentric image there (the plan's row, normalised)
    import ot

    from skt._pot import entropic_plan

    a, b, M = _cost()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G, log_u, log_v = entropic_plan(ot, a, b, M, reg, max_iter=5000)
    assert np.max(log_u) == 0.0
    K = np.exp(-M / reg + log_v[None, :])
    assert np.all(np.isfinite(K)) and np.all(K.sum(axis=1) > 0)
    np.testing.assert_allclose(K / K.sum(axis=1, keepdims=True),
                               G / G.sum(axis=1, keepdims=True), rtol=1e-8, atol=1e-300)


def test_entropic_map_of_new_rows_is_pots_and_stays_finite_far_away():
    # the continuous map is POT's formula, evaluated with each row's largest exponent
    # subtracted: equal to POT's transform, and finite for a row far from every training row,
    # where POT's exp underflows in every entry (0 / 0)

    X, y, sd = _data(n_s=60, n_t=50, d=5, shift=1.0)
    model = skt.OTMapping("sinkhorn", reg_e=0.01).fit(X, y, sample_domain=sd)
    new = np.random.RandomState(1).randn(7, 5)
    np.testing.assert_allclose(model.transform(new, sample_domain=np.ones(7, int)),
                               model.transport_.transform(Xs=new), rtol=1e-9, atol=1e-12)
    far = np.full((1, 5), 40.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert not np.all(np.isfinite(model.transport_.transform(Xs=far)))
    Z = model.transform(far, sample_domain=np.ones(1, int))
    # it goes to the target row nearest to it in the kernel's sense: a target row's position
    assert np.all(np.isfinite(Z))
    assert np.min(np.abs(X[sd < 0] - Z).sum(axis=1)) < 1e-6
