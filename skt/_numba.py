"""The one place where skt sets Numba options.

Every ``@njit`` kernel in skt is declared through :func:`njit` below, so that fastmath, caching
and threading are decided here and nowhere else. Kernels compile lazily on first call (never at
``import skt``) and are cached on disk (``cache=True``) for later processes.
"""

import functools
import threading

import numba
from numba.extending import typeof_impl

# fastmath lets LLVM reorder floating-point sums and vectorise reductions; the kernels are tested
# against NumPy references at 1e-10 relative, which this reassociation keeps.
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
# For code whose rounding is designed (the Cody-Waite range reduction and the polynomial of a
# vectorisable exp): fused multiply-add only. Reassociation would fold ``(x - k*hi) - k*lo``
# into ``x - k*(hi + lo)`` and lose the low bits of ln 2 (errors of 1e-14 instead of 1e-16).
FASTMATH_CONTRACT = {"nsz", "contract"}
CACHE = True


def _fastmath_flags(fastmath):
    if fastmath == "contract":
        return FASTMATH_CONTRACT
    return FASTMATH if fastmath else False


def jit_options(*, parallel=False, fastmath=True):
    """Options for code that Numba compiles outside :func:`njit` (``numba.extending.overload``).

    ``fastmath`` is True (skt's :data:`FASTMATH`), False, or ``"contract"`` (fused multiply-add
    only, for code whose rounding is designed).
    """
    return dict(cache=CACHE, nogil=True, parallel=parallel, fastmath=_fastmath_flags(fastmath))


# Numba's threading layers: "tbb" and "omp" accept parallel regions launched from several
# Python threads at once; "workqueue" (the one Numba falls back to where neither TBB nor OpenMP
# is installed, as on many macOS installs) aborts the whole process when it sees two at once.
_CONCURRENT_LAYERS = {"tbb", "omp"}
# One lock for the process: under the workqueue layer, Python calls into a parallel kernel (or a
# kernel that calls one) take it, so that parallel regions run one at a time.
_PARALLEL_LOCK = threading.RLock()
_serialise = None  # decided at the first call of a parallel kernel


def _layer():
    """The threading layer that runs (or will run) parallel regions, or None where unknown."""
    try:
        return numba.threading_layer()
    except ValueError:  # no parallel region has run yet: launch the layer as one would
        pass
    try:
        numba.get_num_threads()  # loads the threading layer, as the first parallel region does
        return numba.threading_layer()
    except (ValueError, RuntimeError):
        return None


def serialise_parallel():
    """Whether parallel kernels must run one at a time in this process.

    True under Numba's ``workqueue`` threading layer (or where the layer cannot be told), which
    aborts the process on concurrent parallel regions; False under ``tbb`` and ``omp``, and
    with the JIT disabled (kernels are plain Python). Decided once, on first use.
    """
    global _serialise
    if _serialise is None:
        if numba.config.DISABLE_JIT:
            _serialise = False
        else:
            _serialise = _layer() not in _CONCURRENT_LAYERS
    return _serialise


class ParallelKernel:
    """A Numba kernel that runs parallel regions, itself or through a kernel it calls.

    Calls from Python go through the dispatcher, holding the process-wide lock when
    :func:`serialise_parallel` says so; calls from other kernels are compiled as calls of the
    dispatcher itself (Numba types this object as its dispatcher), so they cost nothing more.
    """

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        functools.update_wrapper(self, dispatcher, updated=())

    def __call__(self, *args, **kwargs):
        if serialise_parallel():
            with _PARALLEL_LOCK:
                return self._call_within_budget(args, kwargs)
        return self._call_within_budget(args, kwargs)

    def _call_within_budget(self, args, kwargs):
        # Numba's thread count is per calling thread: lower it to the call's share of the
        # cores (skt._threads) for this region only
        before = numba.get_num_threads()
        n = get_num_threads()
        if n >= before:
            return self.dispatcher(*args, **kwargs)
        numba.set_num_threads(n)
        try:
            return self.dispatcher(*args, **kwargs)
        finally:
            numba.set_num_threads(before)

    def __getattr__(self, name):
        return getattr(self.dispatcher, name)

    def __repr__(self):
        return f"ParallelKernel({self.dispatcher!r})"


@typeof_impl.register(ParallelKernel)
def _typeof_parallel_kernel(value, context):
    return typeof_impl(value.dispatcher, context)


def njit(*args, parallel=False, calls_parallel=False, fastmath=True, **kwargs):
    """``numba.njit`` with skt's options.

    ``parallel=True`` only where the loop is large enough to pay for threads. A kernel that
    runs no ``prange`` itself but calls a parallel kernel declares ``calls_parallel=True``:
    both come back as a :class:`ParallelKernel`, whose calls from Python are serialised where
    the threading layer cannot run parallel regions concurrently (see :func:`serialise_parallel`;
    tests/test_numba.py checks that no kernel calling a parallel one forgets it). ``fastmath``
    is True (skt's :data:`FASTMATH`), False, or ``"contract"`` (see :data:`FASTMATH_CONTRACT`).
    """
    options = dict(jit_options(parallel=parallel, fastmath=fastmath), **kwargs)

    def decorate(function):
        dispatcher = numba.njit(*args, **options)(function)
        return ParallelKernel(dispatcher) if parallel or calls_parallel else dispatcher

    if args and callable(args[0]):
        function, args = args[0], args[1:]
        return decorate(function)
    return decorate


def get_num_threads():
    """Threads that skt's parallel kernels and blockwise engines use.

    Numba's thread count (set it with ``numba.set_num_threads`` or the ``NUMBA_NUM_THREADS``
    environment variable), lowered inside an skt call to the call's share of the cores
    (:mod:`skt._threads`).
    """
    from skt._threads import numba_threads

    return numba_threads()


prange = numba.prange
