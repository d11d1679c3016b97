"""Scale-out on Dask: the same work locally and on a 2-worker LocalCluster.

1. The 12-task Office-Caltech10 (SURF) comparison -- CORAL and the source-only / target-only
   baselines, 3 folds each, through :func:`skt.model_selection.transfer_report` -- locally with
   ``n_jobs=1`` and ``n_jobs=2`` (joblib's loky processes) and on a LocalCluster (2 worker
   processes, 1 thread each) through ``joblib.parallel_config(backend="dask")``. The mean
   target accuracies must be identical (checked, printed as ``same``).
2. The biased quadratic MMD^2 (Gaussian kernel) of n = m = 200,000 rows, d = 20, and the
   linear-time MMD^2 of n = m = 10,000,000 rows, as chunked Dask arrays created on the workers
   (``dask.array.random``), reduced blockwise: wall time, and the peak resident memory of each
   worker process (``ru_maxrss``; the workers are restarted before each run to reset it).

Usage::

    python benchmarks/bench_dask.py            # the sizes above (several minutes on 2 cores)
    python benchmarks/bench_dask.py --quick    # 2 tasks, n = 20,000 and n = 1,000,000

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


def _mmd_on_cluster(client, kind, n, d, chunk):
    import dask.array as da

    from skt.metrics import mmd

    client.restart()  # fresh worker processes: ru_maxrss starts from the idle worker
    idle = client.run(_peak_rss_mb)
    rs = da.random.RandomState(0)
    X = rs.normal(size=(n, d), chunks=(chunk, d))
    Y = rs.normal(loc=0.05, size=(n, d), chunks=(chunk, d))
    t0 = time.perf_counter()
    if kind == "quadratic":
        value = mmd(X, Y, gamma=1.0 / (2 * d), estimator="biased")
    else:
        value = mmd(X, Y, gamma=1.0 / (2 * d), estimator="linear")
    seconds = time.perf_counter() - t0
    peak = client.run(_peak_rss_mb)
    return value, seconds, [(idle[w], peak[w]) for w in sorted(peak)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--data-home", default=os.environ.get("SKT_DATA_HOME"))
    parser.add_argument("--skip-comparison", action="store_true")
    parser.add_argument("--skip-mmd", action="store_true")
    parser.add_argument("--quad-n", type=int, help="rows per sample of the quadratic MMD")
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
            quad_n = args.quad_n or (20_000 if args.quick else 200_000)
            lin_n = 1_000_000 if args.quick else 10_000_000
            print("\nMMD^2 of chunked Dask arrays on the 2-worker LocalCluster (Gaussian kernel, "
                  "d = 20)")
            print(f"{'estimator':<10} {'n = m':>11} {'chunk':>8} {'MMD^2':>11} {'seconds':>8} "
                  f"{'worker peak RSS MB (idle -> peak)':>36}")
            for kind, n, chunk in (("linear", lin_n, 500_000 if lin_n > 2_000_000 else
                                    lin_n // 4),
                                   ("quadratic", quad_n, max(quad_n // 8, 1000))):
                value, seconds, mem = _mmd_on_cluster(client, kind, n, 20, chunk)
                rss = ", ".join(f"{a:.0f} -> {b:.0f}" for a, b in mem)
                print(f"{kind:<10} {n:>11,} {chunk:>8,} {value:11.3e} {seconds:8.1f} "
                      f"{rss:>36}")
                if kind == "linear":
                    data_mb = 2 * n * 20 * 8 / 2**20
                    print(f"(the linear-time inputs total {data_mb:,.0f} MB; no worker holds "
                          "them all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
