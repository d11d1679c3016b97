"""The one place where skt sets Numba options.

Every ``@njit`` kernel in skt is declared through :func:`njit` below, so that fastmath, caching
and threading are decided here and nowhere else. Kernels compile lazily on first call (never at
``import skt``) and are cached on disk (``cache=True``) for later processes.
"""

import numba

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


def njit(*args, parallel=False, fastmath=True, **kwargs):
    """``numba.njit`` with skt's options.

    ``parallel=True`` only where the loop is large enough to pay for threads. ``fastmath`` is
    True (skt's :data:`FASTMATH`), False, or ``"contract"`` (see :data:`FASTMATH_CONTRACT`).
    """
    options = dict(jit_options(parallel=parallel, fastmath=fastmath), **kwargs)
    if args and callable(args[0]):
        return numba.njit(**options)(args[0])
    return numba.njit(*args, **options)


def get_num_threads():
    """Threads that skt's blockwise engines use: Numba's thread count.

    Set it with ``numba.set_num_threads`` or the ``NUMBA_NUM_THREADS`` environment variable.
    """
    return numba.get_num_threads()


prange = numba.prange
