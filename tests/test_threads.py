"""The thread policy (skt._threads): each call uses its share of the cores, in every pool, and
leaves every setting as it found it."""

import threading

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info, threadpool_limits

import skt
from skt import _threads
from skt.base import BaseTransferEstimator


def _limits():
    return sorted((lib["filepath"], lib["num_threads"]) for lib in threadpool_info())


@pytest.fixture
def two_idle_cores(monkeypatch):
    """A machine of 2 cores with nothing else running, whatever this one is doing."""
    monkeypatch.setattr(_threads, "_cores", lambda: 2)
    monkeypatch.setattr(_threads, "_busy_elsewhere", lambda: 0)
    monkeypatch.delenv("SKT_THREADS", raising=False)


class _Probe(BaseTransferEstimator):
    """Records, inside fit, the budget and the thread counts of every pool."""

    def __init__(self, wait=None, fail=False):
        self.wait = wait
        self.fail = fail

    def fit(self, X, y, *, sample_domain=None):
        import skt._numba

        if self.wait is not None:
            self.wait()
        self.budget_ = _threads.budget()
        self.numba_threads_ = skt._numba.get_num_threads()
        self.pools_ = {
            (lib["user_api"], lib["filepath"]): lib["num_threads"] for lib in threadpool_info()
        }
        if self.wait is not None:
            self.wait()  # the other calls have recorded too: nobody left before
        if self.fail:
            raise RuntimeError("the probe fails on purpose")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X, *, sample_domain=None):
        return np.zeros(len(X))


X = np.zeros((4, 2))
y = np.array([0, 1, 0, 1])


def test_a_call_alone_uses_every_core_and_every_pool_gets_the_budget(two_idle_cores):
    with threadpool_limits(limits=2):
        probe = _Probe().fit(X, y)
    assert probe.budget_ == 2
    assert all(n <= 2 for n in probe.pools_.values())


def test_other_processes_on_the_cores_lower_the_budget(monkeypatch, two_idle_cores):
    monkeypatch.setattr(_threads, "_busy_elsewhere", lambda: 1)
    probe = _Probe().fit(X, y)
    assert probe.budget_ == 1
    assert probe.numba_threads_ == 1
    assert set(probe.pools_.values()) == {1}


def test_concurrent_calls_share_the_cores_and_restore_the_limits(two_idle_cores):
    """Two fits at once in one process (joblib's threading backend, Dask threads): one core
    each, one thread in every pool, and the settings found come back after the last one."""
    barrier = threading.Barrier(2, timeout=30)
    probes = [_Probe(wait=barrier.wait), _Probe(wait=barrier.wait)]
    with threadpool_limits(limits=2):
        before = _limits()
        threads = [threading.Thread(target=p.fit, args=(X, y)) for p in probes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        after = dict(_limits())  # (a library loaded meanwhile is not compared)
        assert [(path, after[path]) for path, _ in before] == before
    for probe in probes:
        assert probe.budget_ == 1
        # the process-wide BLAS pool at once; OpenMP's per-thread setting is decided when a
        # call starts, so the call that started alone keeps its own
        assert {n for (api, _), n in probe.pools_.items() if api == "blas"} == {1}


def test_no_setting_leaks_out_of_a_call_even_when_it_raises(two_idle_cores, monkeypatch):
    import numba

    monkeypatch.setattr(_threads, "_busy_elsewhere", lambda: 1)  # the call lowers everything
    before, numba_before = _limits(), numba.get_num_threads()
    _Probe().fit(X, y)
    with pytest.raises(RuntimeError, match="on purpose"):
        _Probe(fail=True).fit(X, y)
    # libraries loaded during the calls (Numba's OpenMP layer) are not compared
    after = dict(_limits())
    assert [(path, after[path]) for path, _ in before] == before
    assert numba.get_num_threads() == numba_before
    assert _threads._limit_requests == []
    assert _threads._active == 0


def test_limits_are_never_raised(two_idle_cores):
    with threadpool_limits(limits=1):
        probe = _Probe().fit(X, y)
    assert set(probe.pools_.values()) == {1}
    assert probe.numba_threads_ <= 2


def test_skt_threads_setting(monkeypatch, two_idle_cores):
    monkeypatch.setenv("SKT_THREADS", "1")
    assert _Probe().fit(X, y).budget_ == 1
    monkeypatch.setenv("SKT_THREADS", "off")
    with threadpool_limits(limits=2):
        found = {(lib["user_api"], lib["filepath"]): lib["num_threads"]
                 for lib in threadpool_info()}
        probe = _Probe().fit(X, y)
    assert probe.pools_ == found  # every pool as the call found it
    monkeypatch.setenv("SKT_THREADS", "many")
    with pytest.raises(ValueError, match="SKT_THREADS must be"):
        _Probe().fit(X, y)


def test_inner_calls_inherit_the_outer_budget(two_idle_cores):
    """A meta-estimator's inner fit does not count as a second concurrent call."""
    inner = _Probe()
    outer = skt.SourceOnly(inner)
    sd = np.array([1, 1, -1, -1])
    outer.fit(X, np.array([0, 1, -1, -1]), sample_domain=sd)
    assert outer.estimator_.budget_ == 2


def test_every_public_estimator_runs_under_the_policy():
    from tests._registry import CHECKED_ESTIMATORS

    classes = {type(getattr(est, "estimator", est)) if type(est).__name__ == "WithDomains"
               else type(est) for est in CHECKED_ESTIMATORS}
    classes = {cls for cls in classes if cls.__module__.startswith("skt")}
    assert len(classes) > 30
    for cls in classes:
        fit = cls.fit
        assert getattr(fit, "_skt_thread_policy", False), cls.__name__


def _fit_results(n):
    """Results of a few threaded estimators with a budget of ``n`` threads."""
    Xd, yd, sd = skt.datasets.make_domain_shift(
        n_samples_source=700, n_samples_target=700, n_features=5, random_state=0
    )
    masked = np.where(sd < 0, -1, yd)
    out = {}
    kmm = skt.KMM(LogisticRegression(), flatten=1, random_state=0)
    kmm.fit(Xd, masked, sample_domain=sd)
    out["kmm"] = kmm.weights_
    out["tca"] = skt.TCA(n_components=3).fit_transform(Xd, masked, sample_domain=sd)
    out["jda"] = skt.JDA(kernel="primal", n_components=3).fit_transform(
        Xd, masked, sample_domain=sd
    )
    out["coral"] = skt.CORAL().fit_transform(Xd, masked, sample_domain=sd)
    out["mmd"] = np.array([skt.metrics.mmd(Xd[sd > 0], Xd[sd < 0], gamma=0.5)])
    return out


@pytest.mark.filterwarnings("ignore:.*effective sample size")
def test_results_do_not_depend_on_the_thread_count(monkeypatch, two_idle_cores):
    import numba

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("Numba was started with one thread, so there is no second count to try")
    monkeypatch.setenv("SKT_THREADS", "1")
    one = _fit_results(1)
    monkeypatch.setenv("SKT_THREADS", "2")
    with threadpool_limits(limits=2):
        two = _fit_results(2)
    for key in one:
        assert_allclose(two[key], one[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_staged_methods_keep_working_under_the_policy():
    Xd, yd, sd = skt.datasets.make_domain_shift(random_state=0)
    model = skt.TrAdaBoostClassifier(n_estimators=3).fit(Xd, yd, sample_domain=sd)
    staged = list(model.staged_predict(Xd[sd < 0]))
    assert len(staged) >= 1
    assert_array_equal(staged[-1], model.predict(Xd[sd < 0]))


def test_scipy_openblas_runs_one_thread_beside_numpys_own_pool(two_idle_cores):
    # NumPy's and SciPy's wheels each carry an OpenBLAS; code alternating between them
    # (scikit-learn's L-BFGS fits) leaves one pool spinning while the other works, so inside
    # a call the pools other than NumPy's run one thread and NumPy's the call's budget
    secondary = {lib.filepath for lib in _threads.secondary_blas_pools()}
    if not secondary:
        # NumPy linked to MKL, or NumPy and SciPy sharing one system OpenBLAS (conda, distro
        # packages): there is no second pool, and nothing for the rule to do
        pytest.skip("this NumPy has no OpenBLAS pool of its own beside another (MKL or a "
                    "shared system OpenBLAS): no second pool to limit")
    before = _limits()
    with threadpool_limits(limits=2):
        probe = _Probe().fit(X, y)
    blas = {path: n for (api, path), n in probe.pools_.items() if api == "blas"}
    assert all(blas[path] == 1 for path in secondary)
    assert any(n == 2 for path, n in blas.items() if path not in secondary)
    assert _limits() == before
