"""KMM: parameters, bad input, the approximate modes, and the fitted attributes."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import rbf_kernel

import skt
from skt.metrics import median_heuristic
from skt.reweight import KMM, kmm_weights


def shifted(n_source=300, n_target=200, n_features=2, seed=0):
    rng = np.random.RandomState(seed)
    Xs = rng.normal(size=(n_source, n_features))
    Xt = rng.normal(loc=0.8, scale=0.6, size=(n_target, n_features))
    return Xs, Xt


@pytest.mark.parametrize(
    "params, match",
    [
        ({"B": 0.0}, r"B must be a finite number in \(0, inf\]; got B=0.0"),
        ({"B": -1}, r"B must be a finite number in \(0, inf\]; got B=-1"),
        ({"eps": 1.0}, r"eps must be a finite number in \[0, 1\); got eps=1.0"),
        ({"eps": -0.1}, r"eps must be a finite number in \[0, 1\); got eps=-0.1"),
        ({"B": 0.5, "eps": 0.1}, r"B=0.5 and eps=0.1 leave no feasible weights.*>= 1 - eps"),
        ({"reg": -1.0}, r"reg must be a finite number in \[0, inf\]; got reg=-1.0"),
        ({"kernel": "linear"}, r"kernel must be one of 'rbf', 'gaussian', 'laplacian'"),
        ({"approximation": "svd"}, r"approximation must be one of None, 'nystroem'"),
        ({"n_components": 0}, r"n_components must be an integer >= 1; got n_components=0"),
        ({"tol": 0.0}, r"tol must be a finite number in \(0, inf\]; got tol=0.0"),
        ({"max_iter": 0}, r"max_iter must be an integer >= 1; got max_iter=0"),
        ({"gamma": -1.0}, r"gamma must be a positive finite number; got gamma=-1.0"),
    ],
)
def test_bad_parameters_are_value_errors(params, match):
    Xs, Xt = shifted(30, 20)
    with pytest.raises(ValueError, match=match):
        kmm_weights(Xs, Xt, **params)
    X, y, sd = skt.datasets.make_domain_shift("covariate", random_state=0)
    with pytest.raises(ValueError, match=match):
        KMM(LogisticRegression(), **params).fit(X, skt.mask_target_labels(y, sd))


def test_defaults_follow_the_paper():
    Xs, Xt = shifted()
    model = KMM().fit(np.vstack([Xs, Xt]), np.r_[np.zeros(150), np.ones(150), -np.ones(200)])
    n = len(Xs)
    eps = (np.sqrt(n) - 1) / np.sqrt(n)
    assert model.gamma_ == pytest.approx(median_heuristic(Xs, Xt))
    assert np.all(model.weights_ <= 1000.0)
    assert abs(model.weights_.sum() - n) <= n * eps
    assert model.duality_gap_ <= 1e-6 * abs(model.objective_)
    assert model.n_iter_ > 0


def test_objective_is_that_of_the_paper():
    Xs, Xt = shifted(80, 60)
    y = np.r_[np.arange(80) % 2, -np.ones(60)]
    model = KMM(gamma=0.7).fit(np.vstack([Xs, Xt]), y)
    K = rbf_kernel(Xs, gamma=0.7)
    kappa = 80 / 60 * rbf_kernel(Xs, Xt, gamma=0.7).sum(axis=1)
    b = model.weights_
    assert model.objective_ == pytest.approx(0.5 * b @ K @ b - kappa @ b, rel=1e-6)


def test_eps_bounds_the_mean_weight():
    # a target far away wants few, heavy rows: the slab |mean(b) - 1| <= eps is active
    rng = np.random.RandomState(0)
    Xs = rng.normal(size=(100, 1))
    Xt = rng.normal(loc=2.5, scale=0.3, size=(80, 1))
    for eps in (0.0, 0.05, 0.2):
        w = kmm_weights(Xs, Xt, gamma=1.0, eps=eps)
        assert abs(w.mean() - 1) <= eps + 1e-12


def test_B_bounds_every_weight():
    rng = np.random.RandomState(0)
    Xs = rng.normal(size=(100, 1))
    Xt = rng.normal(loc=2.5, scale=0.3, size=(80, 1))
    assert kmm_weights(Xs, Xt, gamma=1.0).max() > 5  # unbounded, a few rows carry the mass
    w = kmm_weights(Xs, Xt, gamma=1.0, B=5.0)
    assert w.max() == pytest.approx(5.0)
    assert np.all(w <= 5.0)


def test_degenerate_bandwidth_warns_and_names_gamma():
    Xs, Xt = shifted(40, 30)
    with pytest.warns(UserWarning, match=r"numerically zero \(kernel='rbf', gamma=1e\+06\)"):
        w = kmm_weights(Xs, Xt, gamma=1e6)
    assert np.all(np.isfinite(w))


def test_float32_input_gives_the_float64_answer():
    Xs, Xt = shifted(200, 150)
    w64 = kmm_weights(Xs, Xt, gamma=0.5, reg=1.0)
    w32 = kmm_weights(Xs.astype(np.float32), Xt.astype(np.float32), gamma=0.5, reg=1.0)
    assert w32.dtype == np.float64
    np.testing.assert_allclose(w32, w64, atol=1e-3 * w64.max())


def test_laplacian_kernel():
    Xs, Xt = shifted(100, 80)
    w = kmm_weights(Xs, Xt, kernel="laplacian", reg=1.0)
    near = np.linalg.norm(Xs - 0.8, axis=1) < 0.5
    far = np.linalg.norm(Xs - 0.8, axis=1) > 2.5
    assert w[near].mean() > 3 * w[far].mean()


@pytest.mark.parametrize(
    "kernel, approximation, bound",
    # measured correlations with 1000 components: 0.9999, 0.986, 0.927, 0.961 (the Laplacian
    # kernel's spectrum decays slowly, so a rank-1000 factor misses more of it)
    [
        ("rbf", "nystroem", 0.99),
        ("rbf", "random_features", 0.97),
        ("laplacian", "nystroem", 0.9),
        ("laplacian", "random_features", 0.9),
    ],
)
def test_approximation_is_close_to_exact(kernel, approximation, bound):
    # 10 features: the exact weights are well determined (see kmm_weights' Notes)
    Xs, Xt = shifted(1000, 1000, n_features=10, seed=3)
    exact = kmm_weights(Xs, Xt, kernel=kernel, random_state=0)
    approx = kmm_weights(Xs, Xt, kernel=kernel, approximation=approximation,
                         n_components=1000, random_state=0)
    assert np.corrcoef(exact, approx)[0, 1] > bound


def test_approximation_is_reproducible_with_random_state():
    Xs, Xt = shifted(300, 200)
    a = kmm_weights(Xs, Xt, approximation="nystroem", n_components=50, random_state=1)
    b = kmm_weights(Xs, Xt, approximation="nystroem", n_components=50, random_state=1)
    c = kmm_weights(Xs, Xt, approximation="nystroem", n_components=50, random_state=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_approximation_keeps_the_constraints():
    Xs, Xt = shifted(300, 200)
    w = kmm_weights(Xs, Xt, approximation="random_features", n_components=40, B=4.0, eps=0.1,
                    random_state=0)
    assert np.all((w >= 0) & (w <= 4.0))
    assert abs(w.mean() - 1) <= 0.1 + 1e-12


def test_exact_mode_out_of_memory_names_the_approximation(monkeypatch):
    from skt.reweight import _kmm

    def no_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate")

    monkeypatch.setattr(_kmm, "kernel_matrix", no_memory)
    Xs, Xt = shifted(50, 40)
    with pytest.raises(MemoryError, match=r"50 x 50 source kernel.*approximation='nystroem'"):
        kmm_weights(Xs, Xt)


def test_exact_mode_checks_memory_before_allocating(monkeypatch):
    # with overcommit the allocation of a too large kernel matrix succeeds and the fit goes on
    # to fill it: the check compares the need with the memory available before any work
    from skt.reweight import _kmm

    def not_called(*args, **kwargs):
        raise AssertionError("the kernel matrix was computed")

    monkeypatch.setattr(_kmm, "kernel_matrix", not_called)
    monkeypatch.setattr(_kmm, "kernel_row_means", not_called)
    monkeypatch.setattr(_kmm, "available_memory", lambda: 4 * 50 * 50 - 1)
    Xs, Xt = shifted(50, 40)
    match = (r"50 x 50 source kernel matrix \(0.0 GiB in float32\), which does not fit in "
             r"memory \(available: 0.0 GiB\); use approximation='nystroem'")
    with pytest.raises(MemoryError, match=match):
        kmm_weights(Xs, Xt, gamma=1.0)
    X = np.vstack([Xs, Xt])
    y = np.r_[np.arange(50) % 2, -np.ones(40, dtype=int)]
    with pytest.raises(MemoryError, match=match):
        KMM(LogisticRegression(), gamma=1.0).fit(X, y)


@pytest.mark.parametrize("available", [4 * 50 * 50, None])
def test_exact_mode_runs_when_memory_suffices_or_is_unknown(monkeypatch, available):
    from skt.reweight import _kmm

    monkeypatch.setattr(_kmm, "available_memory", lambda: available)
    Xs, Xt = shifted(50, 40)
    assert kmm_weights(Xs, Xt, gamma=1.0).shape == (50,)


def test_available_memory_reads_meminfo_or_sysconf(monkeypatch, tmp_path):
    from skt import _memory

    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16000000 kB\nMemAvailable:    2048 kB\n")
    monkeypatch.setattr(_memory, "_MEMINFO", str(meminfo))
    assert _memory.available_memory() == 2048 * 1024
    monkeypatch.setattr(_memory, "_MEMINFO", str(tmp_path / "absent"))
    sizes = {"SC_AVPHYS_PAGES": 10, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(_memory.os, "sysconf", sizes.__getitem__)
    assert _memory.available_memory() == 40960

    def unsupported(name):
        raise ValueError(f"unrecognized configuration name {name}")

    monkeypatch.setattr(_memory.os, "sysconf", unsupported)
    assert _memory.available_memory() is None
