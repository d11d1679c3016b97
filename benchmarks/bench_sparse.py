"""Sparse input at text scale: time and peak memory, never near a dense copy.

Data: a synthetic bag-of-words transfer task, 20,000 rows per domain (source and target),
50,000 features, 0.2% non-zero (100 per row), stored as CSR (about 48 MB for both domains).
The domains differ in which words occur (covariate shift); the label is a sparse linear rule
of the words. A dense float64 copy of one domain would take 8 GB (16 GB for both).

Each method runs in its own process (clean peak-memory figures): the table prints its wall
time, the peak of the memory traced by ``tracemalloc`` during the fit (every NumPy and SciPy
buffer), the peak resident set size of the process (``ru_maxrss``, data and libraries
included) and the target accuracy. Timings depend on the machine's load.

    python benchmarks/bench_sparse.py             # the full size (a few minutes)
    python benchmarks/bench_sparse.py --quick     # 2,000 rows per domain
    python benchmarks/bench_sparse.py --only KMM  # the methods whose name contains "KMM"
"""

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np

N_FEATURES = 50_000
NNZ_PER_ROW = 100  # 0.2% of 50,000
N_LABELED_TARGET = 200  # TrAdaBoost and feature augmentation read these target labels


def make_data(n_per_domain, seed=0):
    """``X`` (CSR, source rows then target rows), labels, domain ids."""
    import scipy.sparse as sp

    rng = np.random.RandomState(seed)
    # word frequencies: Zipf-like, the target's ranking partly reshuffled
    popularity = 1.0 / np.arange(1, N_FEATURES + 1) ** 0.8
    source_p = popularity / popularity.sum()
    ranks = np.arange(N_FEATURES)
    moved = rng.choice(N_FEATURES, size=N_FEATURES // 4, replace=False)
    ranks[moved] = rng.permutation(moved)
    target_p = source_p[ranks]
    blocks = []
    for p in (source_p, target_p):
        indices = rng.choice(N_FEATURES, size=n_per_domain * NNZ_PER_ROW, p=p)
        indptr = np.arange(0, indices.size + 1, NNZ_PER_ROW)
        data = rng.exponential(size=indices.size)
        block = sp.csr_matrix((data, indices, indptr), shape=(n_per_domain, N_FEATURES))
        block.sum_duplicates()
        blocks.append(block)
    X = sp.vstack(blocks, format="csr")
    w = rng.normal(size=N_FEATURES) * (rng.rand(N_FEATURES) < 0.05)
    score = X @ w
    y = (score > np.median(score)).astype(np.int64)
    sample_domain = np.repeat([1, -1], n_per_domain)
    return X, y, sample_domain


def methods():
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.pipeline import make_pipeline

    import skt

    def lr():
        return LogisticRegression(max_iter=200)

    return {
        "SourceOnly(LR)": ("predict", lambda: skt.SourceOnly(lr())),
        "KMM nystroem (300)": (
            "predict",
            lambda: skt.KMM(lr(), approximation="nystroem", n_components=300, reg=1.0,
                            random_state=0),
        ),
        "KMM random features (300)": (
            "predict",
            lambda: skt.KMM(lr(), approximation="random_features", n_components=300, reg=1.0,
                            random_state=0),
        ),
        "DiscriminativeReweighting(LR)": (
            "predict", lambda: skt.DiscriminativeReweighting(lr(), clip=100.0)
        ),
        "FeatureAugmentation (transform)": ("transform", lambda: skt.FeatureAugmentation()),
        "FeatureAugmentation + Pooled(LR)": (
            "labeled",
            lambda: make_pipeline(skt.FeatureAugmentation(), skt.Pooled(lr())),
        ),
        "TrAdaBoost(SGD log-loss, 10)": (
            "labeled",
            lambda: skt.TrAdaBoostClassifier(
                SGDClassifier(loss="log_loss", random_state=0), n_estimators=10, random_state=0
            ),
        ),
    }


def run_child(name, n_per_domain):
    X, y, sd = make_data(n_per_domain)
    target = sd < 0
    kind, make = methods()[name]
    y_masked = np.where(target, -1, y)
    labeled = np.flatnonzero(target)[:N_LABELED_TARGET]
    y_semi = y_masked.copy()
    y_semi[labeled] = y[labeled]
    test = np.flatnonzero(target)[N_LABELED_TARGET:]
    tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make()
        accuracy = float("nan")
        if kind == "transform":
            Z = model.fit_transform(X, y_semi, sample_domain=sd)
            assert Z.format == "csr"
        elif kind == "labeled":
            if hasattr(model, "steps"):
                model.fit(X, y_semi, featureaugmentation__sample_domain=sd,
                          pooled__sample_domain=sd)
            else:
                model.fit(X, y_semi, sample_domain=sd)
            accuracy = float((model.predict(X[test]) == y[test]).mean())
        else:
            model.fit(X, y_masked, sample_domain=sd)
            accuracy = float((model.predict(X[test]) == y[test]).mean())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    data_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    print(json.dumps({
        "seconds": seconds, "cpu": cpu, "traced": traced, "rss": rss, "accuracy": accuracy,
        "data": data_bytes,
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 rows per domain")
    parser.add_argument("--only", help="run the methods whose name contains this text")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.n or (2_000 if args.quick else 20_000)
    if args.child:
        run_child(args.child, n)
        return
    dense_gb = 8 * n * N_FEATURES / 1e9
    print(f"{n:,} rows per domain, {N_FEATURES:,} features, {NNZ_PER_ROW / N_FEATURES:.1%} "
          f"non-zero; a dense float64 copy: {dense_gb:.1f} GB per domain, "
          f"{2 * dense_gb:.1f} GB for both")
    header = (f"{'method':34s} {'wall (s)':>9s} {'CPU (s)':>8s} {'traced peak':>12s} "
              f"{'peak RSS':>9s} {'target acc':>10s}")
    print(header)
    print("-" * len(header))
    data_mb = None
    for name in methods():
        if args.only and args.only not in name:
            continue
        out = subprocess.run(
            [sys.executable, __file__, "--child", name, "--n", str(n)],
            capture_output=True, text=True, check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        data_mb = r["data"] / 2**20
        print(f"{name:34s} {r['seconds']:9.1f} {r['cpu']:8.1f} {r['traced'] / 2**20:9.0f} MB "
              f"{r['rss'] / 2**20:6.0f} MB {r['accuracy']:10.3f}")
    print(f"(the CSR data of both domains: {data_mb:.0f} MB; traced peak = every buffer "
          "allocated during fit, data excluded; peak RSS = the whole process; CPU = the "
          "process's CPU time, all threads, less sensitive than wall time to other load)")


if __name__ == "__main__":
    main()
