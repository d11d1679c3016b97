"""skt's thread policy: each call uses the share of the cores it was given, in every thread pool.

A fit, transform or predict of an skt estimator may run on three kinds of thread pools: Numba's
(the parallel kernels), skt's own block pool (the kernel sums of :mod:`skt.metrics`), and the
BLAS and OpenMP pools of the compiled libraries (NumPy's and SciPy's wheels each bundle their
own OpenBLAS; scikit-learn's wheel bundles libgomp). Left alone, each pool starts one thread per
core, and the pools fight: on 2 cores, two joblib workers with two BLAS threads each, or a
machine where other processes already use the cores, run several times slower than with one
thread (BLAS threads wait for each other at every barrier of a factorisation, and spin while
they wait).

The policy, applied by the outermost public call of an skt estimator (a meta-estimator's inner
calls inherit it):

- **The share.** The budget of the call is the number of cores the process may use
  (``os.sched_getaffinity``), divided by the number of skt calls running at that moment in the
  process (joblib's threading backend, Dask threads), and never more than the cores left idle
  by other processes (Linux: runnable threads of other processes, read from ``/proc``). It is
  further bounded by the limits already set: a joblib worker process (loky), a Dask worker
  process or the user (``threadpoolctl``, ``OMP_NUM_THREADS``, ``NUMBA_NUM_THREADS``).
- **Every pool.** Inside the call, BLAS and OpenMP are limited to the budget (threadpoolctl),
  Numba's parallel kernels run on at most that many threads (``numba.set_num_threads``, which is
  per calling thread) and so does skt's block pool. Kernels that measured faster on one BLAS
  thread (see :func:`blas_threads`) use one.
  A call that started alone yields cores to the calls that start after it: its Numba regions
  and the process-wide BLAS pool follow at once; OpenMP's setting, which belongs to the
  calling thread, is decided when the call starts.
- **Nothing leaks.** Every limit is restored when the outermost call returns or raises; the
  BLAS limits, which are per process, are restored when the last concurrent call leaves.

``SKT_THREADS`` (environment) sets the policy: ``auto`` (the default, as above), ``off`` (skt
leaves every pool as it finds it) or a number (an upper bound on the budget).
"""

import functools
import os
import sys
import threading
import time
from contextlib import contextmanager

__all__ = ["blas_threads", "budget", "policy", "under_policy"]

_local = threading.local()

# -- the share of the cores ------------------------------------------------------------------


def _cores():
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def _setting():
    """``SKT_THREADS``: "auto", "off" or a positive int (read at every outermost call)."""
    value = os.environ.get("SKT_THREADS", "auto").strip().lower()
    if value in ("", "auto"):
        return "auto"
    if value == "off":
        return "off"
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(
            f"SKT_THREADS must be 'auto', 'off' or a positive integer; got {value!r}."
        )
    return n


def policy_on():
    """Whether the thread policy applies (``SKT_THREADS`` is not ``off``)."""
    return _setting() != "off"


_BUSY_TTL = 0.25  # seconds for which a reading of the other processes' load is reused
_busy_cache = (-1.0, 0)


def _own_running_threads():
    running = 0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 1
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the state follows the parenthesised command name, which may hold spaces
        if stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3] == b"R":
            running += 1
    return max(running, 1)


def _runnable_machine_wide():
    with open("/proc/loadavg") as f:
        return int(f.read().split()[3].split("/")[0])


def _busy_elsewhere():
    """Runnable threads of other processes right now (Linux), cached for a fraction of a second.

    ``/proc/loadavg``'s fourth field counts the runnable threads of the whole machine at this
    instant; this process's own runnable threads (its reader, and BLAS threads that still spin
    after a call) are taken off, counted just before and just after, the larger count. Three
    readings, the smallest kept: a thread of this process that starts or stops spinning between
    two counts is not taken for another process, and a process that holds a core is runnable at
    every reading. Elsewhere than Linux: 0.
    """
    global _busy_cache
    now = time.monotonic()
    stamp, value = _busy_cache
    if now - stamp < _BUSY_TTL:
        return value
    try:
        readings = []
        for _ in range(3):
            before = _own_running_threads()
            total = _runnable_machine_wide()
            after = _own_running_threads()
            readings.append(total - max(before, after))
    except (OSError, ValueError, IndexError):
        value = 0
    else:
        value = max(0, min(readings))
    _busy_cache = (now, value)
    return value


_active_lock = threading.Lock()
_active = 0  # outermost skt calls running in this process


def budget():
    """Threads the current call may use: its share of the cores (see the module docstring).

    Outside an skt call: the share a new call would get now.
    """
    current = getattr(_local, "budget", None)
    if current is not None:
        # a call that started alone yields cores to the calls that started since
        return max(1, min(current, _cores() // max(1, _active)))
    return _compute_budget(_active + 1)


def _compute_budget(active):
    cores = _cores()
    share = max(1, cores // max(1, active))
    free = max(1, cores - _busy_elsewhere())
    n = min(share, free)
    setting = _setting()
    if isinstance(setting, int):
        n = min(n, setting)
    return max(1, n)


# -- BLAS and OpenMP -------------------------------------------------------------------------

_controller = None
_controller_modules = -1


def threadpool_controller():
    """A threadpoolctl controller that knows the libraries loaded so far.

    Rebuilt when modules were imported since the last one (a newly imported module may have
    loaded another BLAS or OpenMP, as SciPy and scikit-learn do); building one walks the loaded
    libraries, so it is not done at every call.
    """
    global _controller, _controller_modules
    n_modules = len(sys.modules)
    if _controller is None or n_modules != _controller_modules:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
        _controller_modules = n_modules
    return _controller


_limit_lock = threading.RLock()
_limit_requests = []  # the limits asked for by the blocks running now, in any thread
_limit_original = None  # [(library, threads)] found by the first block, restored by the last


def _per_thread(lib):
    """Whether a library's thread count is a setting of the calling thread (OpenMP's is)."""
    return lib.user_api == "openmp" or getattr(lib, "threading_layer", None) == "openmp"


def _set_threads(lib, n):
    # threadpoolctl (3.8) lets only the first Python thread that set a process-wide pool's
    # size set it again and silently ignores the others; skt counts its users itself (below),
    # so it sets the size directly where threadpoolctl offers the way to
    setter = getattr(lib, "_real_set_num_threads", None) or lib.set_num_threads
    setter(n)


def secondary_blas_pools():
    """The OpenBLAS pools other than NumPy's, where NumPy has an OpenBLAS pool of its own.

    NumPy's and SciPy's wheels each ship their own OpenBLAS, with its own threads. Code that
    alternates between the two (scikit-learn's L-BFGS fits: the gradient's products in NumPy,
    the L-BFGS-B updates in SciPy) leaves one pool's threads spinning while the other's work,
    more threads than cores: a ``LogisticRegression`` on Caltech's 1,123 x 800 rows took 0.30 s
    with both pools on the 2 cores and 0.09-0.10 s with either on one thread. skt's own heavy
    linear algebra goes through NumPy (CORAL, KMM, TCA, JDA and SA measured within run-to-run
    noise with SciPy's pool on one thread), so the policy keeps NumPy's pool at the call's
    budget and SciPy's at one thread.
    """
    libs = [lib for lib in threadpool_controller().lib_controllers
            if lib.internal_api == "openblas"]
    numpy_own = [lib for lib in libs
                 if "numpy" in os.path.basename(os.path.dirname(lib.filepath or ""))]
    if not numpy_own:
        return []
    return [lib for lib in libs if lib not in numpy_own]


@contextmanager
def _limit(n, apis=("blas", "openmp"), libs=None):
    """Limit the BLAS (and OpenMP) pools to ``n`` threads for the block.

    Never raises a limit: a pool keeps any lower setting it has. A per-thread setting (OpenMP)
    is lowered in the calling thread and restored there. A process-wide pool (OpenBLAS with
    its own threads) follows the lowest limit of the blocks running now in any thread, and
    is raised again when the block that asked for it leaves (a call's one-thread step does
    not hold the rest of the call to one thread); the size found by the first block comes back
    when the last one leaves.
    """
    if libs is None:
        libs = [lib for lib in threadpool_controller().lib_controllers if lib.user_api in apis]
    local = [(lib, lib.num_threads) for lib in libs if _per_thread(lib)]
    shared = [lib for lib in libs if not _per_thread(lib)]
    request = (n, tuple(id(lib) for lib in shared))
    with _limit_lock:
        _enter_shared(shared, request)
    try:
        for lib, found in local:
            if n < found:
                _set_threads(lib, n)
        yield
    finally:
        for lib, found in local:
            if n < found:
                _set_threads(lib, found)
        with _limit_lock:
            _leave_shared(request)


def _enter_shared(shared, request):
    global _limit_original
    if not _limit_requests:
        _limit_original = {}
    for lib in shared:
        _limit_original.setdefault(id(lib), (lib, lib.num_threads))
    _limit_requests.append(request)
    _apply_shared()


def _leave_shared(request):
    global _limit_original
    _limit_requests.remove(request)
    _apply_shared()
    if not _limit_requests:
        _limit_original = None


def _apply_shared():
    """Set each process-wide pool to the lowest request that names it (or its own size)."""
    for key, (lib, found) in _limit_original.items():
        wanted = min([n for n, ids in _limit_requests if key in ids], default=found)
        wanted = min(wanted, found)
        if lib.num_threads != wanted:
            _set_threads(lib, wanted)


@contextmanager
def blas_threads(n=1):
    """Run the block with at most ``n`` BLAS threads (counted, restored; see :func:`_limit`);
    ``n=None`` leaves them as they are.

    For kernels measured faster on one BLAS thread than on several, and for blockwise work
    whose own threads each call BLAS on a block (threads over threads would oversubscribe).
    """
    if n is None:
        yield
        return
    with _limit(n, apis=("blas",)):
        yield


def _after_fork_in_child():
    # a forked child has none of the parent's threads: forget the counts and the locks
    global _active_lock, _active, _limit_lock, _limit_requests, _limit_original
    _active_lock, _active = threading.Lock(), 0
    _limit_lock, _limit_requests, _limit_original = threading.RLock(), [], None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# -- the policy ------------------------------------------------------------------------------


@contextmanager
def policy():
    """Apply the thread policy to the block (a no-op inside a call that already applies it)."""
    global _active
    if getattr(_local, "budget", None) is not None or _setting() == "off":
        yield
        return
    with _active_lock:
        _active += 1
        active = _active
    try:
        n = _compute_budget(active)
        _local.budget = n
        try:
            with _limit(n), _limit(1, libs=secondary_blas_pools()):
                yield
        finally:
            _local.budget = None
    finally:
        with _active_lock:
            _active -= 1


def pool_threads():
    """Threads for skt's block pool now: Numba's setting, within the call's share of the cores.

    The block pool hands out blocks one at a time from a shared counter, so a thread that other
    processes slow down takes fewer blocks and nobody waits for it: unlike BLAS and Numba's
    statically partitioned loops, it keeps its share of the cores on a busy machine (MMD at
    10,000 x 50 beside two CPU-bound processes: 3.9 s on two threads against 5.5 s on one).
    """
    import numba

    n = numba.get_num_threads()
    if getattr(_local, "budget", None) is None:
        return n
    share = max(1, _cores() // max(1, _active))
    setting = _setting()
    if isinstance(setting, int):
        share = min(share, setting)
    return max(1, min(n, share))


def numba_threads():
    """Threads for a Numba parallel region called now: Numba's setting, within the budget."""
    import numba

    n = numba.get_num_threads()
    if getattr(_local, "budget", None) is None:
        return n
    return max(1, min(n, budget()))


#: public methods that run under the policy when a class defines them
_POLICY_METHODS = (
    "fit",
    "partial_fit",
    "fit_transform",
    "fit_predict",
    "transform",
    "inverse_transform",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score",
    "score_samples",
    "staged_predict",
    "staged_predict_proba",
    "staged_decision_function",
)


def _with_policy(method):
    if getattr(method, "_skt_thread_policy", False):
        return method

    if method.__name__.startswith("staged_"):  # generators: the policy spans each step

        @functools.wraps(method)
        def staged(*args, **kwargs):
            iterator = method(*args, **kwargs)
            while True:
                with policy():
                    try:
                        item = next(iterator)
                    except StopIteration:
                        return
                yield item

        staged._skt_thread_policy = True
        return staged

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with policy():
            return method(*args, **kwargs)

    wrapper._skt_thread_policy = True
    return wrapper


def under_policy(function):
    """Decorator: run a public function of skt (``skt.metrics.mmd``, ...) under :func:`policy`."""
    return _with_policy(function)


class ThreadPolicyMixin:
    """Run the public compute methods a subclass defines under :func:`policy`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _POLICY_METHODS:
            method = cls.__dict__.get(name)
            if isinstance(method, (staticmethod, classmethod, type, property)):
                continue
            if callable(method):
                setattr(cls, name, _with_policy(method))
            elif callable(getattr(method, "fn", None)) and hasattr(method, "check"):
                method.fn = _with_policy(method.fn)  # scikit-learn's available_if
