"""The one place where skt sets Numba options.

Every ``@njit`` kernel in skt is declared through :func:`njit` below, so that fastmath, caching
and threading are decided here and nowhere else. Kernels compile lazily on first call (never at
``import skt``) and are cached on disk (``cache=True``) for later processes.
"""

import numba

# fastmath lets LLVM reorder floating-point sums and vectorise reductions; the kernels are tested
# against NumPy references at 1e-10 relative, which this reassociation keeps.
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
CACHE = True


def njit(*args, parallel=False, fastmath=True, **kwargs):
    """``numba.njit`` with skt's options.

    ``parallel=True`` only where the loop is large enough to pay for threads.
    """
    options = dict(cache=CACHE, nogil=True, parallel=parallel, **kwargs)
    options["fastmath"] = FASTMATH if fastmath else False
    if args and callable(args[0]):
        return numba.njit(**options)(args[0])
    return numba.njit(*args, **options)


prange = numba.prange
