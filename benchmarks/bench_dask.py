"""Scale-out on Dask: the same work locally and on a 2-worker LocalCluster.

1. The 12-task Office-Caltech10 (SURF) comparison -- CORAL and the source-only / target-only
   baselines, 3 folds each, through :func:`skt.model_selection.transfer_report` -- locally with
   ``n_jobs=1`` and ``n_jobs=2`` (joblib's loky processes) and on a LocalCluster (2 worker
   processes, 1 thread each) through ``joblib.parallel_config(backend="dask")``. The mean
   target accuracies must be identical (checked, printed as ``same``).
2. The biased quadratic MMD^2 (Gaussian kernel, d = 20) of n = m = 50,000 rows in memory
   (NumPy arrays, Numba threads in this process) and as chunked Dask arrays, then of
   n = m = 200,000 rows, and the linear-time MMD^2 of n = m = 10,000,000 rows and its
   asymptotic test (``mmd_test(estimator="linear")``, the normal null), as Dask arrays
   created on the workers (``dask.array.random``), reduced blockwise: wall time, CPU time (of
   this process in memory, of the two worker processes on Dask), kernel evaluations per CPU
   second -- the rate that compares the two paths on a machine shared with other jobs -- and
   the peak resident memory of each worker process (``ru_maxrss``; the workers are restarted
   before each run to reset it).
3. :func:`skt.metrics.mmd_test` of n = m = 5,000 rows, 200 permutations, in memory and on
   Dask arrays (blockwise, the rows never gathered): time and the two p-values, which must be
   equal.

Usage::

    python benchmarks/bench_dask.py                  # the sizes above (the quadratic MMD at
                                                     # 200,000 alone: about 7 min on 2 idle
                                                     # cores, extrapolated from 50,000)
    python benchmarks/bench_dask.py --quick          # 2 tasks, n = 10,000 / 20,000 / 1,000,000
    python benchmarks/bench_dask.py --skip-comparison --quad-n 50000   # MMD parts, smaller

The Office-Caltech files are read from ``SKT_DATA_HOME`` (or ``--data-home``). The machine has
2 cores: the cluster cannot beat ``n_jobs=2`` here; it shows the overhead of the scheduler and
that the work moves to the workers unchanged. Other processes on the machine slow every number.
"""

import argparse
import os
import resource
import time

import joblib
import numpy as np


def _office_tasks(quick):
    tasks = [(s, t) for s in "CADW" for t in "CADW" if s != t]
    return tasks[:2] if quick else tasks


def _comparison(data_home, quick, n_jobs):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skt
    from skt.model_selection import SourceTargetShuffleSplit, transfer_report

    names = {"A": "amazon", "C": "caltech", "D": "dslr", "W": "webcam"}
    scores = []
    for s, t in _office_tasks(quick):
        X, y, sd = skt.datasets.load_office_caltech(
            source=names[s], target=names[t], data_home=data_home
        )
        pipe = make_pipeline(StandardScaler(), skt.CORAL(),
                             skt.SourceOnly(LogisticRegression(max_iter=1000)))
        cv = SourceTargetShuffleSplit(n_splits=3, test_size=0.5, random_state=0)
        report = transfer_report({"coral": pipe}, X, y, sd, cv=cv, n_jobs=n_jobs)
        scores.append(report["score"])
    return np.array(scores)


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds():
    return time.process_time()


def _kernel_evaluations(n):
    """Kernel evaluations of the quadratic estimator for n = m: k(X, X) and k(Y, Y) are halved
    by symmetry (n^2 / 2 + n^2 / 2 + n^2)."""
    return 2 * n * n


def _warm_up():
    """Import skt and load the compiled kernels in a worker, outside the timings."""
    from skt.metrics import mmd, mmd_test

    X = np.random.default_rng(0).normal(size=(600, 2))
    mmd(X[:300], X[300:], gamma=1.0)
    mmd_test(X[:300], X[300:], gamma=1.0, n_permutations=10, method="blockwise")


def _mmd_on_cluster(client, kind, n, d, chunk):
    import dask.array as da

    from skt.metrics import mmd, mmd_test

    client.restart()  # fresh worker processes: ru_maxrss starts from the idle worker
    client.run(_warm_up)
    idle = client.run(_peak_rss_mb)
    rs = da.random.RandomState(0)
    X = rs.normal(size=(n, d), chunks=(chunk, d))
    Y = rs.normal(loc=0.05, size=(n, d), chunks=(chunk, d))
    cpu0 = client.run(_cpu_seconds)
    t0 = time.perf_counter()
    if kind == "quadratic":
        value = mmd(X, Y, gamma=1.0 / (2 * d), estimator="biased")
    elif kind == "linear":
        value = mmd(X, Y, gamma=1.0 / (2 * d), estimator="linear")
    else:  # the asymptotic test of the linear-time statistic (method="auto" on Dask)
        value = mmd_test(X, Y, gamma=1.0 / (2 * d), estimator="linear")
    seconds = time.perf_counter() - t0
    cpu1 = client.run(_cpu_seconds)
    peak = client.run(_peak_rss_mb)
    cpu = sum(cpu1[w] - cpu0[w] for w in cpu1)
    return value, seconds, cpu, [(idle[w], peak[w]) for w in sorted(peak)]


def _mmd_in_memory(n, d):
    """The quadratic MMD of NumPy arrays in this process (Numba threads over the blocks)."""
    from skt.metrics import mmd

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    Y = rng.normal(loc=0.05, size=(n, d))
    mmd(X[:500], Y[:500], gamma=1.0 / (2 * d))  # kernels loaded before the clock starts
    t0, cpu0 = time.perf_counter(), time.process_time()
    value = mmd(X, Y, gamma=1.0 / (2 * d))
    return value, time.perf_counter() - t0, time.process_time() - cpu0


def _permutation_test(n, d, n_permutations, chunk):
    """mmd_test of NumPy arrays in this process and of the same rows as Dask arrays."""
    import dask.array as da

    from skt.metrics import mmd_test

    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, d))
    Y = rng.normal(size=(n, d))  # P = Q: a p-value inside (0, 1), where a change would show
    kw = dict(gamma=1.0 / (2 * d), n_permutations=n_permutations, random_state=0)
    _warm_up()
    t0 = time.perf_counter()
    local = mmd_test(X, Y, **kw)
    t1 = time.perf_counter()
    remote = mmd_test(da.from_array(X, chunks=(chunk, d)), da.from_array(Y, chunks=(chunk, d)),
                      **kw)
    t2 = time.perf_counter()
    return local.pvalue, remote.pvalue, t1 - t0, t2 - t1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--data-home", default=os.environ.get("SKT_DATA_HOME"))
    parser.add_argument("--skip-comparison", action="store_true")
    parser.add_argument("--skip-mmd", action="store_true")
    parser.add_argument("--quad-n", type=int, help="rows per sample of the quadratic MMD")
    parser.add_argument("--ref-n", type=int,
                        help="rows per sample of the in-memory vs Dask rate comparison")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores shared)")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        if not args.skip_comparison:
            n_tasks = len(_office_tasks(args.quick))
            print(f"\nOffice-Caltech10 SURF, {n_tasks} tasks x (coral, source-only, "
                  "target-only) x 3 folds")
            print(f"{'run':<28} {'seconds':>8} {'mean acc %':>11} {'same':>5}")
            reference = None
            runs = [("local n_jobs=1", 1, False), ("local n_jobs=2 (loky)", 2, False),
                    ("LocalCluster 2 workers", None, True)]
            for label, n_jobs, on_dask in runs:
                t0 = time.perf_counter()
                if on_dask:
                    with joblib.parallel_config(backend="dask"):
                        scores = _comparison(args.data_home, args.quick, n_jobs)
                else:
                    scores = _comparison(args.data_home, args.quick, n_jobs)
                seconds = time.perf_counter() - t0
                reference = scores if reference is None else reference
                same = "yes" if np.array_equal(scores, reference) else "NO"
                print(f"{label:<28} {seconds:8.1f} {100 * scores.mean():11.2f} {same:>5}")

        if not args.skip_mmd:
            d = 20
            quad_n = args.quad_n or (20_000 if args.quick else 200_000)
            ref_n = args.ref_n or (10_000 if args.quick else 50_000)
            lin_n = 1_000_000 if args.quick else 10_000_000
            print(f"\nMMD^2, Gaussian kernel, d = {d}: in this process (NumPy arrays, Numba "
                  "threads) and as chunked Dask arrays on the 2-worker LocalCluster")
            print("(CPU s: of this process in memory, of the two workers for Dask; "
                  "rate: kernel evaluations per CPU second)")
            print(f"{'run':<20} {'n = m':>11} {'chunk':>8} {'MMD^2':>11} {'seconds':>8} "
                  f"{'CPU s':>8} {'M evals/CPU s':>13}  worker peak RSS MB (idle -> peak)")

            def row(label, kind, n, chunk, value, seconds, cpu, rss):
                # the linear-time estimator is bound by memory traffic: no rate
                rate = (f"{_kernel_evaluations(n) / cpu / 1e6:13.0f}"
                        if kind == "quadratic" else f"{'-':>13}")
                print(f"{label:<20} {n:>11,} {chunk:>8} {value:11.4e} {seconds:8.1f} "
                      f"{cpu:8.1f} {rate}  {rss}")

            value, seconds, cpu = _mmd_in_memory(ref_n, d)
            row("quadratic, memory", "quadratic", ref_n, "-", value, seconds, cpu, "-")
            runs = [("quadratic", ref_n, ref_n // 4)]
            if quad_n != ref_n:
                runs.append(("quadratic", quad_n, quad_n // 4))
            lin_chunk = 500_000 if lin_n > 2_000_000 else lin_n // 4
            runs += [("linear", lin_n, lin_chunk), ("linear test", lin_n, lin_chunk)]
            for kind, n, chunk in runs:
                value, seconds, cpu, mem = _mmd_on_cluster(client, kind, n, d, chunk)
                rss = ", ".join(f"{a:.0f} -> {b:.0f}" for a, b in mem)
                if kind == "linear test":
                    test, value = value, value.statistic
                row(f"{kind}, Dask", kind, n, f"{chunk:,}", value, seconds, cpu, rss)
            data_mb = 2 * lin_n * d * 8 / 2**20
            print(f"(the linear-time inputs total {data_mb:,.0f} MB; no worker holds them all; "
                  f"the linear test is mmd_test(estimator='linear'), asymptotic on Dask: "
                  f"p-value {test.pvalue:.3g})")

            test_n, n_perm = (1_000, 100) if args.quick else (5_000, 200)
            p_local, p_dask, t_local, t_dask = _permutation_test(test_n, d, n_perm,
                                                                 test_n // 2)
            print(f"\nmmd_test, n = m = {test_n:,}, d = {d}, {n_perm} permutations: in memory "
                  f"{t_local:.1f} s, Dask (chunks of {test_n // 2:,} rows, never gathered) "
                  f"{t_dask:.1f} s; p-values {p_local:.4f} and {p_dask:.4f} "
                  f"({'equal' if p_local == p_dask else 'DIFFERENT'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
