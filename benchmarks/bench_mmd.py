"""Speed and memory of skt's MMD against the materialising scikit-learn baseline.

Biased MMD^2 with the Gaussian kernel, n = m rows, d = 50 features, in one process:

- scikit-learn baseline: ``rbf_kernel`` on K_xx, K_yy and K_xy (three dense matrices), then
  their means; skt: ``skt.metrics.mmd`` (blockwise, nothing n x m in memory);
- the machine's float64 matmul rate and the fraction of it skt reaches, counting 2 d + 20 flops
  per kernel evaluation (2 d for the inner product, about 20 for the distance, exp and sum):
  ``frac_of_bound`` from wall times, ``frac_of_bound_cpu`` from CPU times (skt's flops per
  CPU-second over one-thread matmul flops per CPU-second), which a busy machine distorts less;
- float32 against float64; peak memory beyond the inputs (in a fresh subprocess);
- the permutation test (1,000 permutations at n = m = 2,000); first-call compilation time.

Usage::

    python benchmarks/bench_mmd.py              # n = 2,000 / 10,000 / 20,000, about a minute
    python benchmarks/bench_mmd.py --large      # adds skt at n = 100,000 and its peak memory
    python benchmarks/bench_mmd.py --csv out.csv

Timings are the best of ``--repeat`` runs. Other processes on the machine slow every number;
the table reports the load average and the CPU time / wall time of each timed call, so that a
contended run shows as such.
"""

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np

D = 50
GAMMA = 1.0 / (2 * D)


def _best(fn, repeat):
    """Best wall time of ``repeat`` calls, with the CPU time of that call."""
    best = (np.inf, 0.0, None)
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        t1, c1 = time.perf_counter(), time.process_time()
        if t1 - t0 < best[0]:
            best = (t1 - t0, c1 - c0, out)
    return best


def _data(n, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, D))
    Y = rng.standard_normal((n, D))
    Y += 0.05
    return X.astype(dtype, copy=False), Y.astype(dtype, copy=False)


def sklearn_mmd(X, Y, gamma):
    from sklearn.metrics.pairwise import rbf_kernel

    return (
        rbf_kernel(X, X, gamma=gamma).mean()
        + rbf_kernel(Y, Y, gamma=gamma).mean()
        - 2 * rbf_kernel(X, Y, gamma=gamma).mean()
    )


def matmul_gflops(repeat=5, n=2000):
    """float64 matmul rate: (wall GFLOP/s with all threads, GFLOP per CPU-second on one thread).

    The second number hardly depends on other processes (it counts only the time this process
    ran), and gives with skt's own evaluations per CPU-second a fraction of the bound that a
    busy machine does not distort.
    """
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).standard_normal((n, n))
    b = np.random.default_rng(1).standard_normal((n, n))
    a @ b
    t, _, _ = _best(lambda: a @ b, repeat)
    with threadpool_limits(1, user_api="blas"):
        best_cpu = np.inf
        for _ in range(repeat):
            c0 = time.process_time()
            a @ b
            best_cpu = min(best_cpu, time.process_time() - c0)
    return 2 * n**3 / t / 1e9, 2 * n**3 / best_cpu / 1e9


def evaluations(n, m):
    """Kernel evaluations skt computes for biased MMD^2: blocks on and above the diagonal of
    K_xx and K_yy (whole diagonal blocks), and all of K_xy."""
    from skt.metrics._kernel_sums import _pair_tasks

    total = 0
    for a, b, sym in ((n, n, True), (m, m, True), (n, m, False)):
        total += sum((I[1] - I[0]) * (J[1] - J[0]) for I, J, _ in _pair_tasks(a, b, sym))
    return total


def peak_rss_beyond_inputs(n, dtype="float64"):
    """Peak RSS of a fresh process during ``mmd`` minus its RSS just before (inputs allocated).

    The peak is reset before the call (``/proc/self/clear_refs``, Linux), so that allocations
    made while importing and creating the inputs do not hide the call's own peak.
    """
    code = textwrap.dedent(f"""
        import numpy as np
        from skt.metrics import mmd

        def status(key):
            with open("/proc/self/status") as f:
                return next(int(line.split()[1]) for line in f if line.startswith(key))

        mmd(np.ones((600, {D}), np.{dtype}), np.zeros((600, {D}), np.{dtype}), gamma=0.1)
        rng = np.random.default_rng(0)
        X = rng.standard_normal(({n}, {D}), dtype=np.{dtype})
        Y = rng.standard_normal(({n}, {D}), dtype=np.{dtype})
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = status("VmRSS:")
        mmd(X, Y, gamma={GAMMA})
        print(before, status("VmHWM:"), X.nbytes + Y.nbytes)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, nbytes = map(int, out.stdout.split())
    return (after - before) / 1024, nbytes / 2**20  # /proc reports KiB


def compile_times():
    """First call in a process with an empty cache, then in a new process with the cache."""
    code = textwrap.dedent("""
        import time, numpy as np
        t0 = time.perf_counter()
        from skt.metrics import mmd, mmd_test
        t1 = time.perf_counter()
        X = np.random.default_rng(0).standard_normal((64, 5))
        for dt in (np.float64, np.float32):
            mmd(X.astype(dt), X.astype(dt) + 1, gamma=0.1)
        mmd_test(X, X + 1, gamma=0.1, n_permutations=10)
        t2 = time.perf_counter()
        mmd(X, X + 1, gamma=0.1)
        t3 = time.perf_counter()
        print(t1 - t0, t2 - t1, t3 - t2)
    """)
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        runs = []
        for _ in range(2):
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, env=env)
            runs.append(tuple(map(float, out.stdout.split())))
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000, 20000])
    parser.add_argument("--sklearn-max", type=int, default=20000,
                        help="largest n for the materialising baseline (memory: 3 n^2 x 8 B)")
    parser.add_argument("--large", action="store_true",
                        help="also skt at n = 100,000 and its peak memory (a minute or more)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv", help="write the rows to this CSV file")
    args = parser.parse_args(argv)

    from skt._numba import get_num_threads
    from skt.metrics import mmd, mmd_test

    rows = []

    def row(case, n, dtype, seconds, cpu=None, value=None, **extra):
        r = dict(case=case, n=n, dtype=dtype, seconds=seconds,
                 cpu_per_wall=None if cpu is None else cpu / seconds, value=value, **extra)
        rows.append(r)
        cpu_s = "" if cpu is None else f"  cpu/wall {cpu / seconds:4.2f}"
        more = "  ".join(f"{k} {v}" for k, v in extra.items())
        print(f"{case:<34} n={n:>7}  {dtype:<7} {seconds:9.3f} s{cpu_s}  {more}", flush=True)

    load = os.getloadavg()
    print(f"threads: {get_num_threads()}  load average at start: {load[0]:.2f}  "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}")
    gflops, gflops_cpu = matmul_gflops()
    print(f"float64 matmul (2000 x 2000): {gflops:.1f} GFLOP/s wall ({get_num_threads()} "
          f"threads), {gflops_cpu:.1f} GFLOP per CPU-second on one thread")
    rows.append(dict(case="matmul float64 GFLOP/s", n=2000, dtype="float64", seconds=None,
                     value=gflops, per_cpu_second=gflops_cpu))

    # compile first, outside the timings
    mmd(*_data(64), gamma=GAMMA)
    mmd(*_data(64, np.float32), gamma=GAMMA)

    sizes = list(args.sizes) + ([100_000] if args.large else [])
    for n in sizes:
        X, Y = _data(n)
        repeat = args.repeat if n <= 20000 else 1
        t, cpu, v = _best(lambda X=X, Y=Y: mmd(X, Y, gamma=GAMMA), repeat)
        ev = evaluations(n, n)
        flop = ev * (2 * D + 20) / 1e9
        row("skt mmd", n, "float64", t, cpu, v, evals_per_s=f"{ev / t:.3g}",
            frac_of_bound=f"{flop / t / gflops:.2f}",
            frac_of_bound_cpu=f"{flop / cpu / gflops_cpu:.2f}")
        if n <= 20000:
            X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
            t32, cpu32, v32 = _best(lambda X32=X32, Y32=Y32: mmd(X32, Y32, gamma=GAMMA), repeat)
            row("skt mmd", n, "float32", t32, cpu32, v32, speedup_vs_float64=f"{t / t32:.2f}",
                rel_diff_vs_float64=f"{abs(v32 - v) / abs(v):.1e}")
        if n <= args.sklearn_max:
            ts, cpus, vs = _best(lambda X=X, Y=Y: sklearn_mmd(X, Y, GAMMA),
                                 1 if n > 10000 else args.repeat)
            row("sklearn rbf_kernel x3 (dense)", n, "float64", ts, cpus, vs,
                skt_speedup=f"{ts / t:.1f}", rel_diff=f"{abs(vs - v) / abs(v):.1e}")

    X, Y = _data(2000)
    mmd_test(X[:50], Y[:50], gamma=GAMMA, n_permutations=10)
    t, cpu, res = _best(
        lambda: mmd_test(X, Y, gamma=GAMMA, n_permutations=1000, random_state=0), args.repeat
    )
    row("skt mmd_test, 1000 permutations", 2000, "float64", t, cpu, res.pvalue)

    for n in [20000] + ([100_000] if args.large else []):
        extra, inputs = peak_rss_beyond_inputs(n)
        row("peak RSS beyond inputs (MiB)", n, "float64", float("nan"), None, extra,
            inputs_MiB=f"{inputs:.0f}", beyond_MiB=f"{extra:.0f}")

    (imp1, first1, again1), (imp2, first2, again2) = compile_times()
    row("first calls, empty cache", 64, "both", first1, None, None,
        import_s=f"{imp1:.2f}", next_call_s=f"{again1:.4f}")
    row("first calls, warm disk cache", 64, "both", first2, None, None,
        import_s=f"{imp2:.2f}", next_call_s=f"{again2:.4f}")

    load = os.getloadavg()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"load average at end: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min); "
          f"peak RSS of this process {peak} MiB (the dense baseline)")
    if args.csv:
        keys = sorted({k for r in rows for k in r})
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=keys)
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {args.csv}")


if __name__ == "__main__":
    main()
