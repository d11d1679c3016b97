"""Lazy access to POT (Python Optimal Transport), skt's optional optimal-transport backend.

POT is the field's own well-kept library of OT solvers (exact network simplex, Sinkhorn, the
class-regularised solvers of Courty et al.); skt writes none of them by hand. It is an optional
dependency (``pip install "skt[ot]"``), imported only when an OT estimator is fitted.
"""

import importlib
import os

__all__ = ["import_pot", "check_plan_memory"]

#: dense n_s x n_t float64 arrays alive at once when a plan is solved and applied (cost matrix,
#: its normalised copy, Gibbs kernel, Sinkhorn's scaled kernels, plan, the row-normalised plan of
#: the barycentric map): the peak measured by benchmarks/bench_ot.py --protocol scale (entropic
#: OT above the baseline: 9.2 arrays at 3,000 rows per domain, 8.2 at 10,000)
PLAN_COPIES = 9


def import_pot(caller):
    """The ``ot`` module, or an ImportError that names the extra to install.

    Parameters
    ----------
    caller : str
        Name of the estimator or function that needs POT, for the message.
    """
    try:
        return importlib.import_module("ot")
    except ImportError as exc:  # pragma: no cover - exercised by a test that hides POT
        raise ImportError(
            f"{caller} needs POT (Python Optimal Transport), an optional dependency of skt: "
            'install it with `pip install "skt[ot]"` (or `pip install pot`).'
        ) from exc


def _available_memory():
    """Bytes of memory the system can still give (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_plan_memory(n_source, n_target, caller, *, copies=PLAN_COPIES):
    """Refuse, before anything is allocated, a plan whose arrays would not fit in memory.

    Parameters
    ----------
    n_source, n_target : int
        Rows of the two sides of the plan.
    caller : str
        Name of the estimator, for the message.
    copies : int, default=PLAN_COPIES
        Dense ``n_source x n_target`` float64 arrays the solver holds at once.
    """
    needed = copies * 8 * int(n_source) * int(n_target)
    available = _available_memory()
    if available is not None and needed > available:
        raise MemoryError(
            f"{caller}: a transport plan between {n_source} source and {n_target} target rows "
            f"needs about {needed / 2**30:.1f} GiB ({copies} dense {n_source} x {n_target} "
            f"float64 arrays) and {available / 2**30:.1f} GiB is available. Fit on a random "
            "subsample of each domain (new source rows are then mapped out of sample), or use "
            "LinearOTMapping, whose memory does not grow with the number of rows."
        )
