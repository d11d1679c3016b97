"""KMM speed and accuracy: skt's solvers against a dense cvxopt QP (ADAPT's formulation).

Prints one table: for each size, the time of skt's exact KMM (SMO) and of the dense cvxopt QP
of the same problem, their ratio, and the relative objective difference; then skt's exact KMM
at 20,000 rows (time and peak memory), the approximate modes at 100,000 rows, and the
correlation of approximate with exact weights. skada and ADAPT run on the same data when they
are importable; otherwise the script says they were not available.

Every configuration runs in its own process (clean peak-memory measurement, no shared cache
state). Timings include kernel computations; they depend on the machine's load.

    python benchmarks/bench_kmm.py                 # the full run (cvxopt at 4000 takes minutes)
    python benchmarks/bench_kmm.py --quick         # small sizes only
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def make_data(n, n_features, seed=0):
    rng = np.random.RandomState(seed)
    Xs = rng.normal(size=(n, n_features))
    Xt = rng.normal(loc=0.5, scale=0.7, size=(n, n_features))
    return Xs, Xt


def gamma_for(Xs, Xt):
    from skt.metrics import median_heuristic

    return median_heuristic(Xs, Xt, random_state=0)


def objective(Xs, Xt, gamma, b):
    """The paper's objective 1/2 b'Kb - kappa'b in float64, blockwise."""
    from skt.metrics._kernel_sums import kernel_matvec, kernel_row_means

    Kb = kernel_matvec(Xs, Xs, b, gamma=gamma)
    kappa = len(Xs) * kernel_row_means(Xs, Xt, gamma=gamma)
    return float(0.5 * b @ Kb - kappa @ b)


# -- one configuration, in a child process -----------------------------------------------------


def run_child(config):
    Xs, Xt = make_data(config["n"], config["n_features"])
    gamma = gamma_for(Xs, Xt)
    n = config["n"]
    eps = (np.sqrt(n) - 1) / np.sqrt(n)
    method = config["method"]
    start = time.perf_counter()
    if method.startswith("skt"):
        from skt.reweight import kmm_weights

        approximation = config.get("approximation")
        b = kmm_weights(Xs, Xt, gamma=gamma, approximation=approximation,
                        reg=config.get("reg", 0.0),
                        n_components=config.get("n_components", 300), random_state=0)
    elif method == "cvxopt":
        from cvxopt import matrix, solvers
        from sklearn.metrics.pairwise import rbf_kernel

        K = rbf_kernel(Xs, gamma=gamma)
        kappa = n / len(Xt) * rbf_kernel(Xs, Xt, gamma=gamma).sum(axis=1)
        # ADAPT's formulation: dense G with the two slab rows and the box as inequalities
        G = np.vstack([np.ones((1, n)), -np.ones((1, n)), np.eye(n), -np.eye(n)])
        h = np.hstack([n * (1 + eps), -n * (1 - eps), 1000.0 * np.ones(n), np.zeros(n)])
        solvers.options["show_progress"] = False
        sol = solvers.qp(matrix(K), matrix(-kappa), matrix(G), matrix(h))
        b = np.asarray(sol["x"]).ravel()
    elif method == "adapt":
        from adapt.instance_based import KMM as AdaptKMM

        model = AdaptKMM(Xt=Xt, kernel="rbf", gamma=gamma, B=1000.0, eps=eps, verbose=0)
        b = np.asarray(model.fit_weights(Xs, Xt)).ravel()
    elif method == "skada":
        from skada import KMMReweightAdapter

        adapter = KMMReweightAdapter(gamma=gamma, B=1000.0, eps=eps)
        X = np.vstack([Xs, Xt])
        sd = np.r_[np.ones(n, int), -np.ones(len(Xt), int)]
        adapter.fit(X, sample_domain=sd)
        b = np.asarray(adapter.compute_weights(X, sample_domain=sd))[:n]
    else:
        raise ValueError(method)
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    path = tempfile.mktemp(suffix=".npy")
    np.save(path, b)
    print(json.dumps({"time": elapsed, "rss_gib": rss, "weights": path, "gamma": gamma}))


def child(config, timeout=3600):
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(config)],
        capture_output=True, text=True, timeout=timeout,
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["b"] = np.load(result.pop("weights"))
    return result


def available(module):
    try:
        __import__(module)
    except Exception:  # noqa: BLE001 - any import failure means "not available"
        return False
    return True


# -- the table ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--sizes", type=int, nargs="*", default=None,
                        help="sizes compared with cvxopt (default 1000 2000 4000)")
    parser.add_argument("--large", type=int, default=20000, help="exact size for the memory row")
    parser.add_argument("--huge", type=int, default=100000, help="size of the approximate rows")
    args = parser.parse_args()
    if args.child:
        run_child(json.loads(args.child))
        return

    d = args.n_features
    sizes = args.sizes or ([500, 1000] if args.quick else [1000, 2000, 4000])
    others = [m for m in ("adapt", "skada") if available(m)]
    print(f"KMM benchmark: n_s = n_t, {d} features, Gaussian shift, B=1000, paper's eps, "
          f"gamma by the median heuristic; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at start")
    print(f"skada/ADAPT: {', '.join(others) if others else 'not available (not installed)'}")
    print()
    header = f"{'n':>7} {'method':<27} {'time s':>9} {'peak GiB':>9} {'objective':>16} " \
             f"{'rel. to cvxopt':>14} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for n in sizes:
        Xs, Xt = make_data(n, d)
        gamma = gamma_for(Xs, Xt)
        ref = child({"method": "cvxopt", "n": n, "n_features": d})
        ours = child({"method": "skt", "n": n, "n_features": d})
        rows = [("cvxopt dense QP", ref), ("skt exact (SMO)", ours)]
        rows += [(m, child({"method": m, "n": n, "n_features": d})) for m in others]
        f_ref = objective(Xs, Xt, gamma, ref["b"]) if "b" in ref else None
        for name, r in rows:
            if "error" in r:
                print(f"{n:>7} {name:<27} failed: {r['error']}")
                continue
            f = objective(Xs, Xt, gamma, r["b"])
            rel = f"{(f - f_ref) / abs(f_ref):+.2e}" if f_ref is not None else "-"
            speed = f"{ref['time'] / r['time']:.1f}x" if "time" in ref else "-"
            print(f"{n:>7} {name:<27} {r['time']:>9.2f} {r['rss_gib']:>9.2f} {f:>16.6f} "
                  f"{rel:>14} {speed:>9}")
    if args.quick:
        return
    n = args.large
    for reg in (0.0, 1.0):
        # reg=0 is the paper's KMM; reg=1 adds a ridge that makes the weights unique
        cfg = {"method": "skt", "n": n, "n_features": d, "reg": reg}
        r = child(cfg)
        print(f"{n:>7} {f'skt exact, reg={reg:g}':<27} {r['time']:>9.2f} {r['rss_gib']:>9.2f}")
        for approximation in ("nystroem", "random_features"):
            a = child(dict(cfg, approximation=approximation))
            corr = np.corrcoef(r["b"], a["b"])[0, 1]
            print(f"{n:>7} {f'skt {approximation}, reg={reg:g}':<27} {a['time']:>9.2f} "
                  f"{a['rss_gib']:>9.2f} {'':>16} corr. with exact {corr:.4f}")
    n = args.huge
    for approximation in ("nystroem", "random_features"):
        a = child({"method": "skt", "n": n, "n_features": d, "approximation": approximation})
        if "error" in a:
            print(f"{n:>7} {'skt ' + approximation:<27} failed: {a['error']}")
            continue
        print(f"{n:>7} {'skt ' + approximation:<27} {a['time']:>9.2f} {a['rss_gib']:>9.2f}")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f} (other processes share the cores)")


if __name__ == "__main__":
    main()
