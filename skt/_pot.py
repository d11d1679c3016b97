"""Lazy access to POT (Python Optimal Transport), skt's optional optimal-transport backend.

POT is the field's own well-kept library of OT solvers (exact network simplex, Sinkhorn, the
class-regularised solvers of Courty et al.); skt writes none of them by hand. It is an optional
dependency (``pip install "skt[ot]"``), imported only when an OT estimator is fitted.
"""

import importlib
import os
import warnings

import numpy as np
from scipy.special import logsumexp

__all__ = ["import_pot", "check_plan_memory"]

#: dense n_s x n_t float64 arrays alive at once when a plan is solved and applied (cost matrix,
#: its normalised copy, Gibbs kernel, plan, the row-normalised plan of the barycentric map...):
#: a bound above the peaks measured above the baseline (benchmarks/bench_ot.py --protocol
#: scale and the OT section of benchmarks/README.md, 2026-12-03, stabilised Sinkhorn): 5.0
#: arrays for the entropic and the exact plan at 2,500 and 10,000 rows per domain, 8.0 for lpl1
PLAN_COPIES = 9

#: the same for the solvers that keep a gradient, a direction and the line search's trial plan
#: besides (the conditional gradient of "l1l2" and "sinkhorn_laplace": 10.0 and 10.1 arrays)
GCG_PLAN_COPIES = 11


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


#: Sinkhorn's scalings are absorbed into the duals when they exceed this. POT's default
#: ``tau`` (1e3) absorbed at nearly every iteration on Office-Caltech C->A at ``reg_e=0.01``,
#: and POT's solver resets the scalings to 1/n when it absorbs, so its error check (taken
#: after the absorption) never saw the converged plan: 10,000 iterations with a kernel
#: ``exp`` each, 60 s, where 1e6 stops at the tolerance in 0.1 s (same plan to 1.2e-6 of its
#: largest entry). Scalings up to 1e6 are far from float64's range.
_ABSORB = 1e6

#: ``exp(-x)`` is a normal float64 for ``|x|`` below 708: kernel exponents beyond this range
#: are shifted before the stabilised solver starts.
_EXP_RANGE = 700.0

#: Rows of the plan per block of the final log-domain half-step.
_ROW_BLOCK = 1024


def entropic_plan(ot, a, b, M, reg, *, max_iter, tol=1e-9, warmstart=None):
    """The entropic plan of cost ``M`` and marginals ``a``, ``b``, with its log-domain duals.

    Sinkhorn's iterations (v first, then u; the right marginal's error checked every 10
    iterations against ``tol``), as POT's log-domain ``ot.sinkhorn(method="sinkhorn_log")``
    runs them, but on POT's stabilised solver (``ot.bregman.sinkhorn_stabilized``), which keeps
    the large part of the scalings in the duals and iterates with matrix-vector products: the
    same iterates without underflow at small ``reg``, 11-15 times faster than the log-domain
    solver's ``logsumexp`` passes on the digits' 200 x 1,000 problems (``benchmarks/README.md``,
    issue 19). ``warmstart`` is the pair ``(log_u, log_v)`` a previous call returned (zeros
    without it, as the log-domain solver). A start whose kernel ``exp(-(M - reg log_u -
    reg log_v) / reg)`` would have an empty row or column, or overflow (a cold start at small
    ``reg``, or a class-regularised step whose cost moved far from the last one's), is first
    shifted by a c-transform: row minima of the reduced cost into the row duals, then column
    minima into the column duals, so that every row and column of the kernel holds a 1 and no
    entry exceeds 1. Should the stabilised solver still meet a numerical error, the
    log-domain solver is run from the same start.

    Returns
    -------
    G : ndarray of shape (len(a), len(b))
    log_u, log_v : ndarray
        The duals divided by ``reg`` (``G = exp(log_u[:, None] - M / reg + log_v[None, :])``),
        in the gauge ``max(log_u) = 0``.
    """
    if warmstart is None:
        alpha, beta = np.zeros(len(a)), np.zeros(len(b))  # the log-domain solver's start
    else:
        alpha, beta = reg * np.asarray(warmstart[0]), reg * np.asarray(warmstart[1])
    reduced = M - alpha[:, None] - beta[None, :]
    row_min = reduced.min(axis=1)
    limit = _EXP_RANGE * reg
    if row_min.max() > limit or row_min.min() < -limit or reduced.min(axis=0).max() > limit:
        # the kernel exp(-reduced / reg) would have an empty row or column (or overflow):
        # shift the duals by a c-transform, rows then columns, so that every row and column
        # of the kernel holds a 1 and none exceeds 1 (the log-domain solver needs no such
        # shift; it would only change where it starts)
        alpha = alpha + row_min
        reduced -= row_min[:, None]
        beta = beta + reduced.min(axis=0)
    del reduced
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        G, log = ot.bregman.sinkhorn_stabilized(
            a, b, M, reg, numItermax=max_iter, tau=_ABSORB, stopThr=tol,
            warmstart=(alpha, beta), print_period=10, log=True,
        )
    failed = any("Numerical errors" in str(w.message) for w in caught)
    log_u, log_v = log["logu"], log["logv"]
    if failed or not (np.all(np.isfinite(G)) and np.all(np.isfinite(log_u))
                      and np.all(np.isfinite(log_v))):
        caught = []  # the log-domain solver warns for itself
        G, log = ot.sinkhorn(a, b, M, reg, method="sinkhorn_log", numItermax=max_iter,
                             stopThr=tol, log=True, warmstart=(alpha / reg, beta / reg))
        log_u, log_v = log["log_u"], log["log_v"]
    else:
        # the last half-step again, in the log domain: the solver returns u and v as they
        # stand at its end, and an absorption in its last iteration resets them to 1 / n (a
        # plan of mass 1 / (n_s n_t) at the cap); otherwise u has just been updated and this
        # changes nothing
        del G  # in place below, by row blocks: no more dense arrays than the loop held
        G = np.divide(M, -reg)
        G += log_v[None, :]
        log_u = np.empty(len(a))
        for start in range(0, len(a), _ROW_BLOCK):
            rows = slice(start, start + _ROW_BLOCK)
            log_u[rows] = np.log(a[rows]) - logsumexp(G[rows], axis=1)
        G += log_u[:, None]
        np.exp(G, out=G)
    # the duals are defined up to (log_u + c, log_v - c), and the stabilised solver drifts far
    # along it (log_u near -70,000 after 10,000 iterations on Office-Caltech C->A with POT's
    # absorption threshold), where POT's continuous out-of-sample map, the row-normalised
    # exp(-C(x, Xt) / reg + log_v), overflows; in the gauge max(log_u) = 0 its exponents on
    # the training source rows are log G[i] - log_u[i] >= log G[i]: no row underflows whole,
    # and none overflows while the log_u stay within 700 of each other
    shift = np.max(log_u)
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return G, log_u - shift, log_v + shift
