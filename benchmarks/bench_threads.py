"""Threads as users run skt: kernels alone and on a busy machine, parallel grids, first calls.

Part ``kernels`` -- each kernel (primal JDA and TCA on Office-Caltech C->A, CORAL and SA at
20,000 x 500, the exact TCA kernel form, MMD at 10,000 x 50, exact KMM) is timed in a fresh
subprocess per setting, best of ``--repeat`` after one warm-up call:

- ``one``: one thread everywhere (``OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=NUMBA_NUM_THREADS=1``,
  ``SKT_THREADS=off``): the single-thread reference;
- ``default``: every pool as the libraries start it (``SKT_THREADS=off``): what skt did before
  its thread policy;
- ``policy``: skt's thread policy (``SKT_THREADS`` unset, see ``skt._threads``);

first on an idle machine, then with two CPU-bound processes running beside it ("busy"). The
targets: alone, ``policy`` never slower than ``one``; busy, ``policy`` at most 1.3x ``one``
under the same load.

Part ``grids`` -- ``GridSearchCV`` over skt pipelines (CORAL + KMM, TCA, JDA, TrAdaBoost) with
``n_jobs=1`` and ``n_jobs=2`` on joblib's loky and threading backends and on a 2-worker Dask
``LocalCluster``; the speed-up over ``n_jobs=1`` (target: 1.7x on 2 cores) and whether the
``cv_results_`` scores are identical. ``n_jobs=1`` runs under skt's thread policy, so each fit
already uses both cores where its kernels are parallel; the same search with one thread in every
pool (``one``) is printed too, and the speed-up of ``n_jobs=2`` over it ("vs 1 thread"): what
the two cores give over no parallelism at all.

Part ``first`` -- the default ``skt compare`` (the README's main job) in a fresh process with an
empty Numba cache, then again with the cache the first run wrote (target: first <= 1.5x warm).

Part ``compare`` -- the whole comparison, ``skt compare --dataset office_caltech --task all
--n-jobs 2`` (needs the Office-Caltech data), once with the library's defaults and once with
the reweighting defaults from before issue 15 (KMM and discriminative weighting with
``flatten=1``, the domain classifier a plain ``LogisticRegression()``): wall and CPU seconds
beside the target (34 s: half of the 68 s the issue measured with those earlier defaults), and
each method's mean target accuracy over the 12 tasks, which is what the defaults buy.

Usage::

    python benchmarks/bench_threads.py                 # every part, about 18 minutes
    python benchmarks/bench_threads.py --part kernels --repeat 3
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))

KERNELS = {
    "jda-primal C->A": """
        from skt.datasets import load_office_caltech
        X, y, sd = load_office_caltech(source="caltech", target="amazon")
        ym = np.where(sd < 0, -1, y)
        est = skt.JDA(kernel="primal", n_components=100, max_iter=10)
        fn = lambda: est.fit(X, ym, sample_domain=sd)
    """,
    "tca-primal C->A": """
        from skt.datasets import load_office_caltech
        X, y, sd = load_office_caltech(source="caltech", target="amazon")
        ym = np.where(sd < 0, -1, y)
        est = skt.TCA(kernel="primal", n_components=100)
        fn = lambda: est.fit(X, ym, sample_domain=sd)
    """,
    "coral 20000x500": """
        rng = np.random.default_rng(0)
        X = np.vstack([rng.standard_normal((20000, 500)),
                       rng.standard_normal((20000, 500)) * 1.5 + 0.3])
        sd = np.r_[np.ones(20000, int), -np.ones(20000, int)]
        est = skt.CORAL()
        fn = lambda: est.fit_transform(X, sample_domain=sd)
    """,
    "sa 20000x500 k=100": """
        rng = np.random.default_rng(0)
        X = np.vstack([rng.standard_normal((20000, 500)),
                       rng.standard_normal((20000, 500)) * 1.5 + 0.3])
        sd = np.r_[np.ones(20000, int), -np.ones(20000, int)]
        est = skt.SubspaceAlignment(n_components=100)
        fn = lambda: est.fit_transform(X, sample_domain=sd)
    """,
    "tca-kernel 2000/domain": """
        X, y, sd = skt.datasets.make_domain_shift(n_samples_source=2000, n_samples_target=2000,
                                                  n_features=50, n_classes=3, random_state=0)
        est = skt.TCA(n_components=30, kernel="rbf")
        fn = lambda: est.fit(X, np.where(sd < 0, -1, y), sample_domain=sd)
    """,
    "mmd 10000x50": """
        rng = np.random.default_rng(0)
        A, B = rng.standard_normal((10000, 50)), rng.standard_normal((10000, 50)) + 0.05
        fn = lambda: skt.metrics.mmd(A, B, gamma=0.01)
    """,
    "kmm exact 2000/domain": """
        from sklearn.linear_model import LogisticRegression
        X, y, sd = skt.datasets.make_domain_shift(n_samples_source=2000, n_samples_target=2000,
                                                  n_features=20, random_state=0)
        est = skt.KMM(LogisticRegression(), flatten=1, random_state=0)
        fn = lambda: est.fit(X, np.where(sd < 0, -1, y), sample_domain=sd)
    """,
}

_TIMER = """
import json, time, warnings
import numpy as np
import skt
warnings.simplefilter("ignore")
{setup}
fn()
best = float("inf")
for _ in range({repeat}):
    t0 = time.perf_counter()
    fn()
    best = min(best, time.perf_counter() - t0)
print(json.dumps(best))
"""

SETTINGS = {
    "one": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "NUMBA_NUM_THREADS": "1", "SKT_THREADS": "off"},
    "default": {"SKT_THREADS": "off"},
    "policy": {},
}
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS", "SKT_THREADS")


def _env(extra):
    env = {k: v for k, v in os.environ.items() if k not in _THREAD_VARS}
    env.update(extra)
    return env


def _time_kernel(setup, setting, repeat):
    code = _TIMER.format(setup=textwrap.dedent(setup), repeat=repeat)
    out = subprocess.run([sys.executable, "-c", code], env=_env(SETTINGS[setting]),
                         capture_output=True, text=True)
    if out.returncode:
        return f"error: {out.stderr.strip().splitlines()[-1]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


class _Busy:
    """Two CPU-bound processes beside the benchmark."""

    def __enter__(self):
        self.procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                      for _ in range(2)]
        time.sleep(1.0)
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
            p.wait()


def part_kernels(args):
    names = [k for k in KERNELS if not args.kernels or any(s in k for s in args.kernels)]
    rows = []
    for load in args.loads:
        ctx = _Busy() if load == "busy" else _Null()
        with ctx:
            for name in names:
                times = {s: _time_kernel(KERNELS[name], s, args.repeat) for s in SETTINGS}
                rows.append((load, name, times))
                _print_kernel_row(load, name, times)
    return rows


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def _print_kernel_row(load, name, times):
    if not hasattr(_print_kernel_row, "header"):
        _print_kernel_row.header = True
        print(f"\n{'load':6} {'kernel':24} {'one':>8} {'default':>8} {'policy':>8} "
              f"{'default/one':>12} {'policy/one':>11}  target")
    cells = [times[s] for s in SETTINGS]
    if any(isinstance(c, str) for c in cells):
        print(f"{load:6} {name:24} " + "  ".join(str(c) for c in cells))
        return
    one, default, pol = cells
    target = "<= 1.0" if load == "alone" else "<= 1.3"
    print(f"{load:6} {name:24} {one:8.3f} {default:8.3f} {pol:8.3f} {default / one:12.2f} "
          f"{pol / one:11.2f}  {target}", flush=True)


_GRIDS = """
import json, time, warnings
import numpy as np
import joblib
import sklearn
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
import skt
from skt.datasets import load_office_caltech
from skt.model_selection import SourceTargetShuffleSplit
warnings.simplefilter("ignore")

X, y, sd = load_office_caltech(source="caltech", target="amazon")
cv = SourceTargetShuffleSplit(n_splits=4, random_state=0)

def searches():
    yield "coral+kmm", GridSearchCV(
        make_pipeline(StandardScaler(), skt.CORAL(), skt.KMM(LogisticRegression(max_iter=200),
                                                              flatten=1, random_state=0)),
        {{"kmm__gamma": [1e-4, 1e-3], "coral__reg": [1e-3, 1.0]}}, cv=cv), {{}}
    yield "tca", GridSearchCV(
        make_pipeline(StandardScaler(), skt.TCA(random_state=0), skt.SourceOnly(
            RidgeClassifier())), {{"tca__n_components": [20, 40], "tca__mu": [0.1, 1.0]}},
        cv=cv), {{}}
    yield "jda", GridSearchCV(
        make_pipeline(StandardScaler(), skt.JDA(kernel="primal", max_iter=5),
                      skt.SourceOnly(RidgeClassifier())),
        {{"jda__n_components": [50, 100], "jda__mu": [0.1, 1.0]}}, cv=cv), {{}}
    # TrAdaBoost: three labeled target rows per class, the rest of the target rows unlabeled
    rng = np.random.default_rng(0)
    labeled = np.zeros(len(y), bool)
    for c in np.unique(y):
        labeled[rng.choice(np.flatnonzero((sd < 0) & (y == c)), 3, replace=False)] = True
    y_semi = np.where((sd > 0) | labeled, y, -1)
    yield "tradaboost", GridSearchCV(
        skt.TrAdaBoostClassifier(DecisionTreeClassifier(max_depth=3, random_state=0),
                                 random_state=0),
        {{"n_estimators": [10, 20], "estimator__max_depth": [2, 3]}},
        cv=cv), {{"y": y_semi}}

results = {{}}
for name, search, extra in searches():
    target = extra.get("y", y)
    search.set_params(n_jobs={n_jobs})
    times = []
    # twice: the first search of a process also starts the workers (imports, Numba's cache
    # loaded per process), the second runs as every later search of the session does
    for _ in range(2):
        t0 = time.perf_counter()
        # Dask: the data scattered to the workers once, as joblib's Dask backend advises,
        # rather than shipped with each of the 33 fits
        config = dict(scatter=[X, target, sd]) if {backend!r} == "dask" else {{}}
        with joblib.parallel_config(backend={backend!r}, **config), \
                sklearn.config_context(enable_metadata_routing=True):
            search.fit(X, target, sample_domain=sd)
        times.append(time.perf_counter() - t0)
    results[name] = [times[0], search.cv_results_["mean_test_score"].tolist(), times[1]]
print(json.dumps(results))
"""

_DASK_PRELUDE = """
from dask.distributed import Client, LocalCluster
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                       dashboard_address=None)
client = Client(cluster)
"""


def _run_grids(backend, n_jobs, setting="policy"):
    code = _GRIDS.format(backend=backend, n_jobs=n_jobs)
    if backend == "dask":
        code = code.replace("warnings.simplefilter(\"ignore\")",
                            "warnings.simplefilter(\"ignore\")\n" + _DASK_PRELUDE, 1)
        code = "if __name__ == '__main__':\n" + textwrap.indent(code, "    ")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(code)
    try:
        out = subprocess.run([sys.executable, f.name], env=_env(SETTINGS[setting]),
                             capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def part_grids(args):
    base = _run_grids("loky", 1)
    serial = _run_grids("loky", 1, setting="one")
    print("\nEach search runs twice in its process: 'cold' is the first (it also starts the "
          "workers and loads Numba's cache in each), 'warm' the second, as every later search "
          "of a session runs.")
    print("\nn_jobs=1 on one thread in every pool (no parallelism at all) against n_jobs=1 "
          "with skt's thread policy (Numba and BLAS on both cores inside each fit), warm:")
    print(f"{'grid':12} {'one thread s':>13} {'policy s':>9} {'policy speed-up':>16}")
    for name, (_, _, w1) in base.items():
        w0 = serial[name][2]
        print(f"{name:12} {w0:13.2f} {w1:9.2f} {w0 / w1:16.2f}")
    warm0 = sum(v[2] for v in serial.values())
    warm1 = sum(v[2] for v in base.values())
    print(f"{'all':12} {warm0:13.2f} {warm1:9.2f} {warm0 / warm1:16.2f}")
    print(f"\n{'grid':12} {'backend':10} {'cold n_jobs=1':>14} {'=2':>6} {'speed-up':>9} "
          f"{'warm n_jobs=1':>14} {'=2':>6} {'speed-up':>9} {'vs 1 thread':>12}  identical"
          "  (target: speed-up >= 1.7)")
    for backend in args.backends:
        try:
            two = _run_grids(backend, 2)
        except Exception as exc:  # noqa: BLE001 (a missing extra is reported, not fatal)
            print(f"{backend}: not run ({str(exc).strip().splitlines()[-1]})")
            continue
        rows = [(name, *base[name], *two[name], serial[name][2]) for name in base]
        rows.append(("all", sum(r[1] for r in rows), None, sum(r[3] for r in rows),
                     sum(r[4] for r in rows), None, sum(r[6] for r in rows),
                     sum(r[7] for r in rows)))
        for name, c1, s1, w1, c2, s2, w2, w0 in rows:
            same = "" if s1 is None else str(s1 == s2)
            print(f"{name:12} {backend:10} {c1:14.2f} {c2:6.2f} {c1 / c2:9.2f} {w1:14.2f} "
                  f"{w2:6.2f} {w1 / w2:9.2f} {w0 / w2:12.2f}  {same}", flush=True)


def part_first(args):
    cache = tempfile.mkdtemp(prefix="skt-numba-cache-")
    env = _env({"NUMBA_CACHE_DIR": cache})
    times = []
    for run in ("first (empty Numba cache)", "warm (cache written by the first)"):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "skt.cli", "compare", "--quiet"], env=env,
                             capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        status = "ok" if out.returncode == 0 else f"exit {out.returncode}"
        print(f"skt compare, {run}: {times[-1]:.1f} s ({status})", flush=True)
    print(f"first / warm: {times[0] / times[1]:.2f} (target <= 1.5)")


# the CLI with KMM's and discriminative weighting's defaults from before issue 15
_PRE_ISSUE_15 = """
import sys
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import skt
import skt.cli

methods = skt.cli._methods


def earlier_defaults():
    table = dict(methods())
    table["kmm"] = (table["kmm"][0], lambda est: make_pipeline(
        StandardScaler(), skt.KMM(est, flatten=1)))
    table["discriminative"] = (table["discriminative"][0], lambda est: make_pipeline(
        StandardScaler(), skt.DiscriminativeReweighting(
            est, classifier=LogisticRegression(), flatten=1)))
    return table


skt.cli._methods = earlier_defaults
sys.exit(skt.cli.main(sys.argv[1:]))
"""


def _cpu_of_children():
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def part_compare(args):
    argv = ["compare", "--dataset", "office_caltech", "--task", "all", "--n-jobs", "2",
            "--quiet"]
    runs = {"today's defaults": [sys.executable, "-m", "skt.cli"],
            "pre-issue-15 defaults": [sys.executable, "-c", _PRE_ISSUE_15]}
    print("\nskt compare --dataset office_caltech --task all --n-jobs 2 (target: 34 s, half of "
          "the 68 s measured with the pre-issue-15 defaults)")
    means = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, command in runs.items():
            path = os.path.join(tmp, "rows.json")
            cpu0, t0 = _cpu_of_children(), time.perf_counter()
            out = subprocess.run([*command, *argv, "--json", path], capture_output=True,
                                 text=True)
            wall, cpu = time.perf_counter() - t0, _cpu_of_children() - cpu0
            if out.returncode:
                print(f"{name}: exit {out.returncode}: {out.stderr.strip()[-300:]}")
                continue
            with open(path) as f:
                rows = json.load(f)
            by_method = {}
            for row in rows:
                if row["score"] is not None:
                    by_method.setdefault(row["method"], []).append(row["score"])
            means[name] = {m: 100 * sum(v) / len(v) for m, v in by_method.items()}
            print(f"{name:22} {wall:7.1f} s wall {cpu:7.1f} CPU-s", flush=True)
    if means:
        names = list(means)
        methods = list(dict.fromkeys(m for table in means.values() for m in table))
        print("mean target accuracy over the 12 tasks (%):")
        print(f"{'method':16}" + "".join(f"{n:>24}" for n in names))
        for m in methods:
            cells = "".join(f"{means[n].get(m, float('nan')):24.1f}" for n in names)
            print(f"{m:16}{cells}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["kernels", "grids", "first", "compare", "all"],
                        default="all")
    parser.add_argument("--kernels", nargs="*", help="substrings of the kernel names to run")
    parser.add_argument("--backends", nargs="*", default=["loky", "threading", "dask"],
                        choices=["loky", "threading", "dask"], help="grids: joblib backends")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loads", nargs="*", default=["alone", "busy"],
                        choices=["alone", "busy"], help="kernels: idle machine, busy, or both")
    args = parser.parse_args(argv)
    print(f"cores: {len(os.sched_getaffinity(0))}, load average: {os.getloadavg()}")
    if args.part in ("kernels", "all"):
        part_kernels(args)
    if args.part in ("grids", "all"):
        part_grids(args)
    if args.part in ("first", "all"):
        part_first(args)
    if args.part in ("compare", "all"):
        part_compare(args)


if __name__ == "__main__":
    main()
