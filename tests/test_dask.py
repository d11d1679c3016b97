"""Scale-out on Dask: the same numbers as local, work done on the workers, retries, bad input.

One ``dask.distributed.LocalCluster`` (2 worker processes, 1 thread each) serves the module.
joblib's Dask backend (``joblib.parallel_config(backend="dask")``) sends skt's independent work
(folds, grid points, (method, fold) pairs of the transfer report) to it; MMD estimators take
Dask arrays and reduce them blockwise.
"""

import os
import signal
import sys
import threading
import time

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt
from skt.metrics import mmd, mmd_test
from skt.model_selection import SourceTargetShuffleSplit, transfer_report

da = pytest.importorskip("dask.array", reason="Dask is an optional extra (skt[dask])")
distributed = pytest.importorskip("distributed", reason="Dask is an optional extra (skt[dask])")
cloudpickle = pytest.importorskip("cloudpickle", reason="installed with Dask")


class SlowIdentity(TransformerMixin, BaseEstimator):
    """Passes X through after a pause: makes a fold last long enough to kill its worker."""

    def __init__(self, seconds=0.5):
        self.seconds = seconds

    def fit(self, X, y=None, **fit_params):
        time.sleep(self.seconds)
        return self

    def transform(self, X):
        return X


# the workers cannot import this test module by name: ship its classes by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster, Client(cluster) as c:
        c.wait_for_workers(2)
        yield c


@pytest.fixture(scope="module")
def data():
    X, y, sample_domain = skt.datasets.make_domain_shift(
        kind="covariate", n_samples_source=150, n_samples_target=150, random_state=0
    )
    return X, y, sample_domain


def _pipe():
    return make_pipeline(StandardScaler(), skt.CORAL(), skt.SourceOnly(LogisticRegression()))


def _on_cluster(client, fn):
    """Run fn under the Dask joblib backend; returns its result and the task stream."""
    from distributed import get_task_stream

    with get_task_stream(client) as stream, joblib.parallel_config(backend="dask"):
        result = fn()
    return result, stream.data


def _worker_tasks(tasks):
    """Number of tasks run per worker address (joblib batches of the Dask backend)."""
    counts = {}
    for t in tasks:
        counts[t["worker"]] = counts.get(t["worker"], 0) + 1
    return counts


# --------------------------------------------------------------------------------------------
# Same numbers as local, and the work ran on the workers
# --------------------------------------------------------------------------------------------


def test_transfer_report_same_numbers_on_cluster(client, data):
    X, y, sd = data
    cv = SourceTargetShuffleSplit(n_splits=3, random_state=0)
    methods = {"coral": _pipe()}
    local = transfer_report(methods, X, y, sd, cv=cv, n_jobs=1)
    remote, tasks = _on_cluster(client, lambda: transfer_report(methods, X, y, sd, cv=cv))
    assert remote["method"] == local["method"]
    for name in local["method"]:
        np.testing.assert_array_equal(remote.fold_scores[name], local.fold_scores[name])
    np.testing.assert_array_equal(remote["gain"], local["gain"])
    # 3 methods x 3 folds ran as joblib batches on the cluster, on both workers
    assert set(_worker_tasks(tasks)) == set(client.nthreads())
    assert sum(_worker_tasks(tasks).values()) >= 2


def test_cross_validate_and_grid_search_same_numbers_on_cluster(client, data):
    X, y, sd = data
    y_train = skt.mask_target_labels(y, sd)
    scorer = skt.model_selection.ImportanceWeightedScorer(random_state=0)
    params = {"coral__reg": [1e-3, 1.0]}

    def run():
        cv = cross_validate(_pipe(), X, y_train, cv=3, scoring=scorer)
        grid = GridSearchCV(_pipe(), params, cv=3, scoring=scorer).fit(X, y_train)
        return cv["test_score"], grid.cv_results_["mean_test_score"], grid.best_params_

    local = run()
    remote, tasks = _on_cluster(client, run)
    np.testing.assert_array_equal(remote[0], local[0])
    np.testing.assert_array_equal(remote[1], local[1])
    assert remote[2] == local[2]
    # 3 folds of cross_validate + 2 x 3 fits of the grid: every batch ran on a worker
    counts = _worker_tasks(tasks)
    assert set(counts) <= set(client.nthreads())
    assert sum(counts.values()) >= 2


@pytest.mark.parametrize("estimator", ["biased", "unbiased", "linear"])
def test_mmd_dask_arrays_same_numbers_on_cluster(client, estimator):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 4))
    Y = rng.normal(loc=0.3, size=(1300, 4))
    local = mmd(X, Y, gamma=[0.1, 0.5], estimator=estimator)
    Xd, Yd = da.from_array(X, chunks=(400, 4)), da.from_array(Y, chunks=(500, 2))
    from distributed import get_task_stream

    with get_task_stream(client) as stream:
        remote = mmd(Xd, Yd, gamma=[0.1, 0.5], estimator=estimator)
    np.testing.assert_allclose(remote, local, rtol=1e-10, atol=1e-13)
    assert len(stream.data) >= 4  # blockwise: several tasks, on the cluster's workers
    assert {t["worker"] for t in stream.data} <= set(client.nthreads())


@pytest.mark.parametrize(
    "estimator, kernel, gamma, dtype",
    [
        ("biased", "rbf", None, np.float64),  # the median heuristic draws from random_state
        ("unbiased", "rbf", [0.2, 1.0], np.float64),
        ("biased", "laplacian", 0.3, np.float64),
        ("unbiased", "linear", None, np.float64),
        ("biased", "polynomial", 0.5, np.float64),
        ("biased", "rbf", 0.5, np.float32),
    ],
)
def test_mmd_test_dask_arrays_same_result_on_cluster(client, estimator, kernel, gamma, dtype):
    from distributed import get_task_stream

    rng = np.random.default_rng(1)
    X = rng.normal(size=(620, 3)).astype(dtype)
    Y = rng.normal(loc=0.05, size=(500, 3)).astype(dtype)
    kw = dict(kernel=kernel, gamma=gamma, estimator=estimator, n_permutations=200,
              random_state=0)
    local = mmd_test(X, Y, **kw)
    assert 1 / 201 < local.pvalue < 1  # not an extreme: a different null would show
    Xd, Yd = da.from_array(X, chunks=(250, 3)), da.from_array(Y, chunks=(200, 2))
    with get_task_stream(client) as stream:
        remote = mmd_test(Xd, Yd, **kw)
    assert remote.pvalue == local.pvalue
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    assert remote.statistic == pytest.approx(local.statistic, rel=rtol)
    np.testing.assert_allclose(remote.null_distribution, local.null_distribution, rtol=rtol,
                               atol=1e-13)
    np.testing.assert_array_equal(remote.gamma, local.gamma)
    # 3 + 3 row chunks of the pooled sample: one task per pair i <= j, on the workers
    pairs = [t for t in stream.data if str(t["key"]).startswith("_chunk_pair_indicator_sums")]
    assert len(pairs) == 21
    assert {t["worker"] for t in pairs} <= set(client.nthreads())


@pytest.mark.parametrize(
    "kernel, gamma, dtype",
    [("rbf", None, np.float64), ("laplacian", [0.1, 1.0], np.float64),
     ("linear", None, np.float32)],
)
def test_mmd_test_linear_asymptotic_same_result_on_cluster(client, kernel, gamma, dtype):
    from distributed import get_task_stream

    from skt.metrics._mmd import _pair_chunks

    rng = np.random.default_rng(6)
    X = rng.normal(size=(1501, 3)).astype(dtype)
    Y = rng.normal(loc=0.05, size=(1200, 3)).astype(dtype)
    kw = dict(kernel=kernel, gamma=gamma, estimator="linear", random_state=0)
    local = mmd_test(X, Y, method="asymptotic", **kw)
    assert 0.01 < local.pvalue < 0.99  # not an extreme: a different variance would show
    # odd chunk boundaries in X (251, 502, ...), other row and feature chunks in Y
    Xd, Yd = da.from_array(X, chunks=(251, 3)), da.from_array(Y, chunks=(200, 2))
    with get_task_stream(client) as stream:
        remote = mmd_test(Xd, Yd, **kw)  # method="auto": the asymptotic test on Dask
    assert remote.null_distribution is None
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    assert remote.statistic == pytest.approx(local.statistic, rel=rtol)
    assert remote.pvalue == pytest.approx(local.pvalue, rel=rtol)
    np.testing.assert_array_equal(remote.gamma, local.gamma)
    assert local.statistic == pytest.approx(
        mmd(X, Y, kernel=kernel, gamma=local.gamma, estimator="linear",
            reduce="sum" if isinstance(gamma, list) else None), rel=rtol)
    # one task per common row chunk (1200 rows used, boundaries moved to even rows), each
    # returning three numbers, on the workers; no task takes a whole sample
    tasks = [t for t in stream.data if str(t["key"]).startswith("_linear_moments")]
    assert len(tasks) == len(_pair_chunks(Xd.chunks[0], 1200)) == 5
    assert {t["worker"] for t in tasks} <= set(client.nthreads())


def test_mmd_test_dask_sub_blocks_of_a_chunk(monkeypatch):
    import dask

    from skt.metrics import _kernel_sums

    # chunks of several (ragged) blocks: the loops over sub-blocks inside one task
    monkeypatch.setattr(_kernel_sums, "BLOCK", 16)
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(70, 2)), rng.normal(size=(45, 2))
    kw = dict(gamma=0.7, estimator="unbiased", n_permutations=60, random_state=2)
    local = mmd_test(X, Y, **kw)
    with dask.config.set(scheduler="synchronous"):
        remote = mmd_test(da.from_array(X, chunks=(40, 2)), da.from_array(Y, chunks=(45, 2)),
                          **kw)
    assert remote.pvalue == local.pvalue
    np.testing.assert_allclose(remote.null_distribution, local.null_distribution, rtol=1e-10,
                               atol=1e-14)


def test_mmd_test_dask_refuses_the_dense_method():
    X = da.zeros((20, 2), chunks=(10, 2))
    with pytest.raises(ValueError, match=r"method='dense'.*Dask.*'auto' or 'blockwise'"):
        mmd_test(X, X, method="dense")


@pytest.mark.parametrize("method", ["dense", "blockwise"])
def test_mmd_test_linear_dask_refuses_the_permutation_methods(client, method):
    from distributed import get_task_stream

    X = da.zeros((20, 2), chunks=(10, 2))
    with get_task_stream(client) as stream:
        with pytest.raises(ValueError, match=(
            rf"method='{method}' runs a permutation test.*pair rows from anywhere in the "
            r"pooled sample.*gather.*Use method='asymptotic'.*or compute the arrays"
        )):
            mmd_test(X, np.zeros((20, 2)), estimator="linear", method=method)
    assert stream.data == []  # refused before any task ran


@settings(max_examples=30, deadline=None)
@given(st.integers(4, 50), st.integers(4, 50), st.integers(1, 50), st.integers(1, 50),
       st.integers(0, 2**32 - 1))
def test_mmd_test_linear_asymptotic_any_chunks(n, m, chunk_x, chunk_y, seed):
    import dask

    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(n, 2)), rng.normal(loc=0.3, size=(m, 2))
    kw = dict(gamma=0.5, estimator="linear", method="asymptotic")
    local = mmd_test(X, Y, **kw)
    with dask.config.set(scheduler="synchronous"):
        remote = mmd_test(da.from_array(X, chunks=(chunk_x, 2)),
                          da.from_array(Y, chunks=(chunk_y, 1)), **kw)
    assert remote.statistic == pytest.approx(local.statistic, rel=1e-10, abs=1e-14)
    assert remote.pvalue == pytest.approx(local.pvalue, rel=1e-8, abs=1e-14)


@pytest.mark.parametrize("name", ["kliep", "ulsif"])
def test_density_ratio_grids_same_weights_on_cluster(client, name):
    from skt.reweight import kliep_weights, ulsif_weights

    rng = np.random.RandomState(0)
    Xs, Xt = rng.normal(size=(200, 2)), rng.normal(0.8, 0.6, size=(150, 2))
    if name == "kliep":
        def fit():
            return kliep_weights(Xs, Xt, cv=3, random_state=0)
    else:
        def fit():
            return ulsif_weights(Xs, Xt, random_state=0)
    local = fit()
    remote, tasks = _on_cluster(client, fit)
    np.testing.assert_array_equal(remote, local)
    # the 7 candidate bandwidths ran as joblib batches on the workers
    counts = _worker_tasks(tasks)
    assert set(counts) <= set(client.nthreads())
    assert sum(counts.values()) >= 2


# --------------------------------------------------------------------------------------------
# A worker killed mid-run: Dask reruns its tasks, the CV result is complete and unchanged
# --------------------------------------------------------------------------------------------


def _kill_a_busy_worker(client, pids, killed, timeout=30):
    """Wait until a worker runs a task, then kill its process (its nanny starts a new one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if keys]
        if busy:
            time.sleep(0.2)  # inside the 0.5 s fit
            killed.append(busy[0])
            os.kill(pids[busy[0]], signal.SIGKILL)
            return
        time.sleep(0.02)


@pytest.mark.slow
def test_cross_validate_survives_a_killed_worker(client):
    # joblib's Dask backend scatters each argument above 1 kB to ONE worker; a kill of that
    # worker loses it, and the tasks that need it are cancelled, not retried. So: broadcast
    # the data to every worker (scatter=[X, y]) and keep the folds' index arrays under 1 kB.
    X, y, sd = skt.datasets.make_domain_shift(
        kind="covariate", n_samples_source=60, n_samples_target=60, random_state=0
    )
    y_train = skt.mask_target_labels(y, sd)
    pipe = make_pipeline(StandardScaler(), SlowIdentity(0.5), skt.SourceOnly(LogisticRegression()))
    scorer = skt.model_selection.ImportanceWeightedScorer(random_state=0)
    local = cross_validate(clone(pipe), X, y_train, cv=4, scoring=scorer)["test_score"]

    pids = client.run(os.getpid)  # worker address -> pid of the worker process
    killed = []
    killer = threading.Thread(target=_kill_a_busy_worker, args=(client, pids, killed))
    killer.start()
    with joblib.parallel_config(backend="dask", scatter=[X, y_train]):
        remote = cross_validate(clone(pipe), X, y_train, cv=4, scoring=scorer)["test_score"]
    killer.join()
    assert killed, "no worker was busy: the kill did not happen mid-run"
    np.testing.assert_array_equal(remote, local)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed worker
    assert killed[0] not in client.scheduler_info()["workers"]


# --------------------------------------------------------------------------------------------
# Bad input: clear errors, before any work is scheduled where possible
# --------------------------------------------------------------------------------------------


def _unknown_chunks(X):
    Xd = da.from_array(X, chunks=(50, X.shape[1]))
    return Xd[Xd[:, 0] > -np.inf]  # boolean indexing: the row counts are unknown


def test_unknown_chunk_sizes_are_refused_before_scheduling(client):
    from distributed import get_task_stream

    X = np.random.default_rng(0).normal(size=(200, 3))
    with get_task_stream(client) as stream:
        for fn in (mmd, mmd_test):
            with pytest.raises(ValueError, match=r"X has unknown chunk.*compute_chunk_sizes"):
                fn(_unknown_chunks(X), X)
            with pytest.raises(ValueError, match=r"Y has unknown chunk.*compute_chunk_sizes"):
                fn(X, _unknown_chunks(X))
    assert stream.data == []  # nothing ran


def test_mismatched_features_are_refused_before_scheduling(client):
    from distributed import get_task_stream

    X = da.zeros((100, 3), chunks=(50, 3))
    Y = da.zeros((100, 4), chunks=(50, 2))
    with get_task_stream(client) as stream:
        for fn in (mmd, mmd_test):
            with pytest.raises(ValueError, match=r"same number of features.*3.*4"):
                fn(X, Y)
    assert stream.data == []


def test_mismatched_feature_chunks_are_aligned():
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(300, 6)), rng.normal(size=(200, 6))
    Xd = da.from_array(X, chunks=(100, 2))
    Yd = da.from_array(Y, chunks=(64, 5))
    assert mmd(Xd, Yd, gamma=0.3) == pytest.approx(mmd(X, Y, gamma=0.3), rel=1e-10)


@pytest.mark.parametrize("fn", [mmd, mmd_test], ids=["mmd", "mmd_test"])
def test_nan_in_a_chunk_names_the_rows(fn):
    X = np.random.default_rng(3).normal(size=(300, 3))
    X[170, 1] = np.nan
    Xd = da.from_array(X, chunks=(100, 3))
    with pytest.raises(ValueError, match=r"X contains NaN or infinity.*rows 100:200"):
        fn(Xd, np.ones((50, 3)), gamma=1.0)


def test_non_numeric_and_1d_dask_arrays_are_refused():
    with pytest.raises(ValueError, match="X must be numeric; got dtype"):
        mmd(da.from_array(np.array([["a", "b"]] * 4)), np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"Y must be 2-D; got shape \(4,\)"):
        mmd(np.ones((4, 2)), da.ones(4, chunks=2))


# --------------------------------------------------------------------------------------------
# The command line on a cluster
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_compare_on_a_local_cluster_same_table(capsys):
    from skt.cli import main

    argv = ["compare", "--dataset", "synthetic", "--task", "subspace", "--methods", "coral",
            "--n-splits", "2", "--quiet"]
    assert main(argv) == 0
    local = capsys.readouterr()
    assert main([*argv, "--dask"]) == 0
    remote = capsys.readouterr()
    assert "dask:" in remote.err and "2 workers" in remote.err

    def scores(out):  # the table without the timing column
        return [line.rsplit(None, 1)[0] for line in out.splitlines()[2:] if line.strip()]

    assert scores(remote.out) == scores(local.out)


def test_cli_compare_on_a_scheduler_address(client, capsys):
    from skt.cli import main

    address = client.scheduler.address
    argv = ["compare", "--dataset", "synthetic", "--task", "subspace", "--methods", "coral",
            "--n-splits", "2", "--quiet", "--scheduler", address]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert address in captured.err and "coral" in captured.out


@pytest.mark.slow  # waits for the 10 s connection timeout
def test_cli_unreachable_scheduler_is_a_user_error(capsys):
    from skt.cli import main

    code = main(["compare", "--dataset", "synthetic", "--methods", "coral", "--quiet",
                 "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("skt: error: cannot reach the Dask scheduler")
    assert "\n" not in err.strip()


def test_import_skt_does_not_import_dask():
    import subprocess

    code = "import skt, sys; skt.metrics.mmd; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------------------------
# Kernel row means (KMM's kappa, the kernel mean embedding) with Dask target rows
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kernel_row_means_dask_target_same_numbers_on_cluster(client, dtype):
    from distributed import get_task_stream

    from skt.metrics import _kernel_sums
    from skt.metrics._dask import kernel_row_means

    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 5)).astype(dtype)
    Y = rng.normal(loc=0.5, size=(1100, 5)).astype(dtype)
    local = _kernel_sums.kernel_row_means(X, Y, gamma=0.2)
    with get_task_stream(client) as stream:
        remote = kernel_row_means(X, da.from_array(Y, chunks=(250, 3)), gamma=0.2)
    assert remote.dtype == dtype
    np.testing.assert_allclose(remote, local, rtol=1e-12 if dtype == np.float64 else 1e-5)
    # against the dense NumPy reference
    d2 = ((X[:, None, :].astype(np.float64) - Y[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_allclose(remote, np.exp(-0.2 * d2).mean(axis=1),
                               rtol=1e-10 if dtype == np.float64 else 1e-4)
    # one task per row chunk of Y (1100 rows in chunks of 250), run on the workers
    assert sum(str(t["key"]).startswith("_chunk_row_sums") for t in stream.data) == 5


def test_kernel_row_means_dask_bad_input():
    from skt.metrics._dask import kernel_row_means

    X = np.zeros((10, 3))
    with pytest.raises(ValueError, match=r"Y has unknown chunk sizes"):
        kernel_row_means(X, _unknown_chunks(np.zeros((60, 3))), gamma=1.0)
    with pytest.raises(ValueError, match=r"same number of features.*3.*2"):
        kernel_row_means(X, da.zeros((20, 2), chunks=10), gamma=1.0)
    Y = np.zeros((60, 3))
    Y[45, 0] = np.inf
    with pytest.raises(ValueError, match=r"Y contains NaN or infinity.*rows 40:60"):
        kernel_row_means(X, da.from_array(Y, chunks=(20, 3)), gamma=1.0)
