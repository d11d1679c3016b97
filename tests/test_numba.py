"""skt's Numba options: parallel kernels under every threading layer.

Numba's ``workqueue`` threading layer (its fallback where neither TBB nor OpenMP is installed)
aborts the process when two Python threads run parallel regions at once; skt serialises its
parallel kernels there (skt/_numba.py). The layer is chosen once per process, so the test that
forces it runs in a subprocess.
"""

import importlib
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import numpy as np
import pytest
from numba.core.registry import CPUDispatcher

import skt
from skt._numba import ParallelKernel, njit, prange, serialise_parallel

ROOT = Path(__file__).resolve().parents[1]

_CONCURRENT_CALLS = textwrap.dedent(
    """
    import threading

    import numba
    import numpy as np
    from joblib import Parallel, delayed, parallel_config
    from sklearn.linear_model import LogisticRegression

    from skt._numba import serialise_parallel
    from skt.reweight import KMM
    from skt.reweight._kmm_solver import _gradient

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(300, 2)), rng.normal(0.5, 1.0, size=(200, 2))])
    y = np.r_[rng.integers(0, 2, 300), -np.ones(200, dtype=int)]

    def fit(seed):
        return KMM(LogisticRegression(), gamma=0.5 + 0.1 * seed).fit(X, y).weights_.sum()

    with parallel_config(backend="threading", n_jobs=4):
        sums = Parallel()(delayed(fit)(seed) for seed in range(8))
    assert len(sums) == 8 and np.all(np.isfinite(sums))

    n = 300
    K = rng.random((n, n))
    b, kappa = rng.random(n), rng.random(n)

    def gradients():
        g = np.empty(n)
        for _ in range(200):
            _gradient(K, b, kappa, g)
        assert np.allclose(g, K @ b - kappa)

    threads = [threading.Thread(target=gradients) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(numba.threading_layer(), serialise_parallel())
    """
)


def test_concurrent_calls_do_not_abort_under_workqueue():
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue", PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", _CONCURRENT_CALLS], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert proc.stdout.split() == ["workqueue", "True"]


def test_threadsafe_layers_are_not_serialised():
    assert serialise_parallel() is (numba.threading_layer() not in {"tbb", "omp"})


def _kernels():
    """Every Numba kernel at module level in skt: ``{(module, name): kernel}``."""
    found = {}
    for info in pkgutil.walk_packages(skt.__path__, "skt."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, (CPUDispatcher, ParallelKernel)) and getattr(
                value, "__module__", None
            ) == module.__name__:
                found[module.__name__, name] = value
    return found


def _runs_parallel(kernel, seen):
    """Whether ``kernel`` runs a parallel region, itself or through a kernel it calls."""
    if isinstance(kernel, ParallelKernel) or kernel.targetoptions.get("parallel"):
        return True
    if id(kernel) in seen:
        return False
    seen.add(id(kernel))
    names = kernel.py_func.__code__.co_names
    callees = [kernel.py_func.__globals__.get(name) for name in names]
    return any(
        _runs_parallel(callee, seen)
        for callee in callees
        if isinstance(callee, (CPUDispatcher, ParallelKernel))
    )


def test_every_kernel_that_runs_parallel_regions_is_serialisable():
    kernels = _kernels()
    assert any(isinstance(k, ParallelKernel) for k in kernels.values())
    forgotten = [
        f"{module}.{name}"
        for (module, name), kernel in kernels.items()
        if not isinstance(kernel, ParallelKernel) and _runs_parallel(kernel, set())
    ]
    assert not forgotten, (
        f"{forgotten} call parallel kernels: declare them with skt._numba.njit("
        "calls_parallel=True) so that their calls from Python are serialised under workqueue"
    )


def test_parallel_kernel_is_callable_from_python_and_from_kernels():
    @njit(parallel=True)
    def twice(x, out):
        for i in prange(x.shape[0]):
            out[i] = 2.0 * x[i]

    @njit(calls_parallel=True)
    def four_times(x):
        out = np.empty_like(x)
        twice(x, out)
        twice(out.copy(), out)
        return out

    assert isinstance(twice, ParallelKernel) and isinstance(four_times, ParallelKernel)
    x = np.arange(5.0)
    out = np.empty(5)
    twice(x, out)
    np.testing.assert_array_equal(out, 2 * x)
    np.testing.assert_array_equal(four_times(x), 4 * x)
    assert twice.py_func.__name__ == "twice"


@pytest.mark.parametrize("parallel", [False, True])
def test_plain_kernels_stay_dispatchers(parallel):
    kernel = njit(lambda x: x + 1.0, parallel=parallel)
    assert isinstance(kernel, ParallelKernel) is parallel
    assert kernel(1.0) == 2.0
