"""Published numbers: CORAL, Subspace Alignment, TCA and JDA beside the papers' figures.

Runs the 12 Office-Caltech SURF tasks, MNIST <-> USPS and COIL1 <-> COIL2 with the protocols of
the papers (see /work/shared/data/README.md and docs/user_guide/alignment.rst), and prints our
accuracy (%) on all target rows beside the published figure, with the means. No hyperparameter is
tuned on target labels: every setting is the published one.

Protocols
---------
- Features: the loaders' standard preprocessing (Office-Caltech: each row divided by its sum,
  then each domain z-scored; MNIST/USPS and COIL: each row scaled to unit length).
- NN: 1-nearest-neighbour trained on the source rows.
- SA: ``SubspaceAlignment(n_components=30)`` (the dimension of the published Office-Caltech row),
  then 1-NN.
- CORAL + 1-NN: ``CORAL(reg=1)`` (the paper's lambda), then 1-NN; nothing published to compare.
- TCA / JDA: the authors' code: rows scaled to unit length, the embedding (mu = 1 on
  Office-Caltech, 0.1 on the digits and COIL; 30 components for TCA on Office-Caltech, 100
  otherwise; JDA: 10 rounds, pseudo-labels by 1-NN on unit-length embedded rows), then the
  embedded rows scaled to unit length and 1-NN. Both the linear-kernel form (``kernel="linear"``)
  and the primal form (``kernel="primal"``) of the authors' code are run.
- CORAL + linear SVM (Office-Caltech): ``CORAL(reg=1)``, then a linear SVM (libsvm through
  ``SVC``, one-vs-one, as the authors' code) with C chosen from the authors' grid
  {1e-3, ..., 1e4} by stratified 2-fold cross-validation on the source rows (libsvm's ``-v 2``;
  the first best C wins, as MATLAB's ``max``). Three classifiers: "SVM" on the raw features (no
  adaptation); "CORAL" on the adapted features (the Gram matrix of the adapted source rows,
  ``(Xs A)(Xs A)'``); and "authors" -- the kernels of the authors' released ``CORAL_SVM.m``,
  which train on ``Xs A Xs'`` (the source adapted on one side only, a non-symmetric matrix) and
  predict with ``Xs A Xt'``. Each (a) on the full source and (b) with the CORAL paper's protocol:
  20 rounds, each with 20 source rows per class drawn from amazon and 8 from the other domains.
  A last table gives the authors' variant on the full source at every C of the grid.

Usage::

    python benchmarks/bench_alignment_published.py            # everything (several minutes)
    python benchmarks/bench_alignment_published.py --quick    # 3 SVM rounds instead of 20
    python benchmarks/bench_alignment_published.py --csv results.csv

The data are read through skt's loaders from SKT_DATA_HOME (default: /work/shared/data).
"""

import argparse
import csv
import os
import time

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from sklearn.svm import SVC

import skt
from skt.datasets import load_coil20, load_mnist_usps, load_office_caltech

OFFICE = ["caltech", "amazon", "webcam", "dslr"]
OFFICE_TASKS = [(s, t) for s in OFFICE for t in OFFICE if s != t]
SHORT = {"caltech": "C", "amazon": "A", "webcam": "W", "dslr": "D", "mnist": "MNIST",
         "usps": "USPS", "coil1": "COIL1", "coil2": "COIL2"}

# Published accuracies (%), from /work/shared/data/README.md (JDA paper, Table 2, and the
# per-task Office-Caltech rows re-reported in later papers). None: not published.
_OFFICE_PUBLISHED = {
    "NN": [23.7, 25.8, 25.5, 26.0, 29.8, 25.5, 19.9, 23.0, 59.2, 26.3, 28.5, 63.4],
    "SA": [49.3, 40.0, 39.5, 40.0, 33.2, 33.8, 35.2, 39.3, 75.2, 34.6, 39.9, 77.0],
    "TCA": [45.8, 31.2, 34.4, 42.4, 36.3, 33.8, 29.4, 28.9, 89.2, 30.7, 31.0, 86.1],
    "JDA": [44.8, 41.7, 45.2, 39.4, 38.0, 39.5, 31.2, 32.8, 89.2, 31.5, 33.1, 89.5],
    "SVM": [53.1, 41.7, 47.8, 41.7, 31.9, 44.6, 28.8, 27.6, 78.3, 26.4, 26.2, 52.5],
    "CORAL+SVM": [52.1, 46.4, 45.9, 45.1, 44.4, 39.5, 33.7, 36.0, 86.6, 33.8, 37.7, 84.7],
}
# README order of the Office tasks: C->A, C->W, C->D, A->C, A->W, A->D, W->C, W->A, W->D, ...
_README_ORDER = [("caltech", "amazon"), ("caltech", "webcam"), ("caltech", "dslr"),
                 ("amazon", "caltech"), ("amazon", "webcam"), ("amazon", "dslr"),
                 ("webcam", "caltech"), ("webcam", "amazon"), ("webcam", "dslr"),
                 ("dslr", "caltech"), ("dslr", "amazon"), ("dslr", "webcam")]
PUBLISHED = {
    task: {m: v[i] for m, v in _OFFICE_PUBLISHED.items()} for i, task in enumerate(_README_ORDER)
}
PUBLISHED[("usps", "mnist")] = {"NN": 44.70, "TCA": 51.05, "JDA": 59.65}
PUBLISHED[("mnist", "usps")] = {"NN": 65.94, "TCA": 56.28, "JDA": 67.28}
PUBLISHED[("coil1", "coil2")] = {"NN": 83.61, "TCA": 88.47, "JDA": 89.31}
PUBLISHED[("coil2", "coil1")] = {"NN": 82.78, "TCA": 85.83, "JDA": 88.47}

# the authors' grid (CORAL_SVM.m)
C_GRID = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1e3, 1e4]
SVM_VARIANTS = ("SVM", "CORAL+SVM", "authors")


def _unit_rows(X):
    return Normalizer().fit_transform(X)


def _one_nn(Z, y, source):
    target = ~source
    model = KNeighborsClassifier(n_neighbors=1).fit(Z[source], y[source])
    return 100.0 * np.mean(model.predict(Z[target]) == y[target])


def _tca_jda(method, kernel, X, y, sd, k, mu):
    """The authors' protocol: unit rows, embedding, unit embedded rows, 1-NN."""
    Xn = _unit_rows(X)
    if method == "TCA":
        Z = skt.TCA(k, kernel=kernel, mu=mu, random_state=0).fit_transform(Xn, sample_domain=sd)
    else:
        labeller = make_pipeline(Normalizer(), KNeighborsClassifier(n_neighbors=1))
        jda = skt.JDA(k, kernel=kernel, mu=mu, max_iter=10, estimator=labeller, random_state=0)
        Z = jda.fit_transform(Xn, skt.mask_target_labels(y, sd))
    return _one_nn(_unit_rows(Z), y, sd > 0)


def run_one_nn_methods(family, task, X, y, sd):
    source = sd > 0
    office = family == "office"
    mu = 1.0 if office else 0.1
    results, times = {}, {}

    def timed(name, fn):
        t0 = time.perf_counter()
        results[name] = fn()
        times[name] = time.perf_counter() - t0

    timed("NN", lambda: _one_nn(X, y, source))
    timed("SA", lambda: _one_nn(
        skt.SubspaceAlignment(30).fit_transform(X, sample_domain=sd), y, source))
    timed("CORAL", lambda: _one_nn(skt.CORAL(reg=1.0).fit_transform(X, sample_domain=sd), y,
                                   source))
    timed("TCA", lambda: _tca_jda("TCA", "linear", X, y, sd, 30 if office else 100, mu))
    timed("JDA", lambda: _tca_jda("JDA", "linear", X, y, sd, 100, mu))
    timed("TCA-primal", lambda: _tca_jda("TCA", "primal", X, y, sd, 30 if office else 100, mu))
    timed("JDA-primal", lambda: _tca_jda("JDA", "primal", X, y, sd, 100, mu))
    return results, times


def _svm_kernels(variant, Xs, Xt, A):
    """Training and test kernels of one SVM variant (see the module docstring)."""
    if variant == "SVM":
        return Xs @ Xs.T, Xt @ Xs.T
    if variant == "CORAL+SVM":
        Zs = Xs @ A
        return Zs @ Zs.T, Xt @ Zs.T
    XsA = Xs @ A  # the authors' CORAL_SVM.m: Sim_Trn = Xs A Xs', Sim = Xs A Xt'
    return XsA @ Xs.T, Xt @ XsA.T


def _select_C(K, ys, random_state):
    """The first C of the grid with the best stratified 2-fold accuracy (libsvm ``-v 2``)."""
    cv = StratifiedKFold(2, shuffle=True, random_state=random_state)
    scores = [cross_val_score(SVC(kernel="precomputed", C=C), K, ys, cv=cv).mean()
              for C in C_GRID]
    return C_GRID[int(np.argmax(scores))]


def _svm_accuracy(variant, Xs, ys, Xt, yt, A, random_state, C=None):
    K_train, K_test = _svm_kernels(variant, Xs, Xt, A)
    if C is None:
        C = _select_C(K_train, ys, random_state)
    model = SVC(kernel="precomputed", C=C).fit(K_train, ys)
    return 100.0 * np.mean(model.predict(K_test) == yt)


def _coral_map(Xs, Xt):
    sd = np.r_[np.ones(len(Xs), int), -np.ones(len(Xt), int)]
    return skt.CORAL(reg=1.0).fit(np.vstack([Xs, Xt]), sample_domain=sd).transform_matrix_


def run_coral_svm(task, X, y, sd, n_rounds):
    """The three SVM variants: full source, and the paper's rounds of subsampled source."""
    src_rows, tgt_rows = np.flatnonzero(sd > 0), np.flatnonzero(sd < 0)
    Xt, yt = X[tgt_rows], y[tgt_rows]
    A = _coral_map(X[src_rows], Xt)
    full = {v: _svm_accuracy(v, X[src_rows], y[src_rows], Xt, yt, A, 0) for v in SVM_VARIANTS}
    per_class = 20 if task[0] == "amazon" else 8
    rounds = {v: [] for v in SVM_VARIANTS}
    for r in range(n_rounds):
        rng = np.random.RandomState(r)
        picked = np.concatenate([
            rng.choice(src_rows[y[src_rows] == c], per_class, replace=False)
            for c in np.unique(y[src_rows])
        ])
        Xs, ys = X[picked], y[picked]
        A_r = _coral_map(Xs, Xt)
        for v in SVM_VARIANTS:
            rounds[v].append(_svm_accuracy(v, Xs, ys, Xt, yt, A_r, r))
    per_C = [_svm_accuracy("authors", X[src_rows], y[src_rows], Xt, yt, A, 0, C=C)
             for C in C_GRID]
    return full, {v: (np.mean(a), np.std(a)) for v, a in rounds.items()}, per_C


def _cell(ours, published):
    if published is None:
        return f"{ours:6.1f} {'--':>5}"
    return f"{ours:6.1f} {published:5.1f}"


def print_table(title, rows, methods):
    print(f"\n{title}")
    print("accuracy (%) on all target rows: ours, then the published figure ('--': none);")
    print("TCA and JDA: the authors' linear-kernel form, -primal: their primal form")
    header = f"{'task':<14}" + "".join(f"{m:>13}" for m in methods)
    print(header)
    print("-" * len(header))
    for task, res in rows:
        name = f"{SHORT[task[0]]}->{SHORT[task[1]]}"
        pub = PUBLISHED.get(task, {})
        # the published TCA / JDA figure stands beside both linear forms of the authors' code
        cells = [_cell(res[m], pub.get(m.split("-")[0])) for m in methods]
        print(f"{name:<14}" + "".join(f"{c:>13}" for c in cells))
    means = []
    for m in methods:
        ours = np.mean([res[m] for _, res in rows])
        pubs = [PUBLISHED.get(task, {}).get(m.split("-")[0]) for task, _ in rows]
        pub = np.mean(pubs) if all(p is not None for p in pubs) else None
        means.append(_cell(ours, pub))
    print("-" * len(header))
    print(f"{'mean':<14}" + "".join(f"{c:>13}" for c in means))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 rounds of the CORAL paper's SVM protocol instead of 20")
    parser.add_argument("--csv", help="also write every number to this CSV file")
    parser.add_argument("--part", choices=["all", "1nn", "svm"], default="all",
                        help="run only the 1-NN tables or only the CORAL + SVM tables")
    args = parser.parse_args(argv)
    os.environ.setdefault("SKT_DATA_HOME", "/work/shared/data")
    records = []
    t_start = time.perf_counter()
    if args.part in ("all", "1nn"):
        total_times = one_nn_part(records)
        print("\nseconds spent per method over all 1-NN tasks:")
        print("  " + ", ".join(f"{m} {t:.1f}" for m, t in total_times.items()))
    if args.part in ("all", "svm"):
        svm_part(records, 3 if args.quick else 20)
    print(f"total {time.perf_counter() - t_start:.0f} s")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)


def one_nn_part(records):
    """The 1-NN tables of every family; returns the seconds spent per method."""
    families = [
        ("office", "Office-Caltech10 SURF (L1 + per-domain z-score)", OFFICE_TASKS,
         lambda s, t: load_office_caltech(source=s, target=t)),
        ("digits", "MNIST <-> USPS (unit rows)", [("usps", "mnist"), ("mnist", "usps")],
         lambda s, t: load_mnist_usps(source=s, target=t)),
        ("coil", "COIL1 <-> COIL2 (unit rows)", [("coil1", "coil2"), ("coil2", "coil1")],
         lambda s, t: load_coil20(source=s, target=t)),
    ]
    methods = ["NN", "SA", "CORAL", "TCA", "JDA", "TCA-primal", "JDA-primal"]
    total_times = dict.fromkeys(methods, 0.0)
    for family, title, tasks, load in families:
        rows = []
        for task in tasks:
            X, y, sd = load(*task)
            res, times = run_one_nn_methods(family, task, X, y, sd)
            rows.append((task, res))
            for m, v in res.items():
                total_times[m] += times[m]
                records.append({"family": family, "task": f"{task[0]}->{task[1]}",
                                "method": m, "protocol": "1-NN", "ours": round(v, 2),
                                "published": PUBLISHED.get(task, {}).get(m.split("-")[0])})
        print_table(title, rows, methods)
    return total_times


def svm_part(records, n_rounds):
    """CORAL + linear SVM on the 12 Office-Caltech tasks, three variants, two protocols."""
    print("\nCORAL + linear SVM on Office-Caltech10 SURF (libsvm, C by stratified 2-fold CV on "
          "the source rows)")
    print(f"(a) full source; (b) the CORAL paper's protocol, mean of {n_rounds} rounds of 20 "
          "(amazon) or 8 source rows per class. 'authors': the kernels of CORAL_SVM.m")
    header = (f"{'task':<8}{'SVM (a)':>9}{'CORAL (a)':>11}{'authors (a)':>13}{'SVM (b)':>9}"
              f"{'CORAL (b)':>11}{'authors (b)':>13}{'pub. SVM':>10}{'pub. CORAL':>12}")
    print(header)
    print("-" * len(header))
    full_all, rounds_all, per_C_all = [], [], []
    for task in _README_ORDER:
        X, y, sd = load_office_caltech(source=task[0], target=task[1])
        full, rounds, per_C = run_coral_svm(task, X, y, sd, n_rounds)
        full_all.append(full)
        rounds_all.append(rounds)
        per_C_all.append(per_C)
        pub = PUBLISHED[task]
        print(f"{SHORT[task[0]] + '->' + SHORT[task[1]]:<8}{full['SVM']:9.1f}"
              f"{full['CORAL+SVM']:11.1f}{full['authors']:13.1f}{rounds['SVM'][0]:9.1f}"
              f"{rounds['CORAL+SVM'][0]:11.1f}{rounds['authors'][0]:13.1f}"
              f"{pub['SVM']:10.1f}{pub['CORAL+SVM']:12.1f}", flush=True)
        for v in SVM_VARIANTS:
            published = pub["SVM" if v == "SVM" else "CORAL+SVM"]
            records.append({"family": "office", "task": f"{task[0]}->{task[1]}", "method": v,
                            "protocol": "full source", "ours": round(full[v], 2),
                            "published": published})
            records.append({"family": "office", "task": f"{task[0]}->{task[1]}", "method": v,
                            "protocol": f"{n_rounds} rounds", "ours": round(rounds[v][0], 2),
                            "published": published})
    print("-" * len(header))
    mean = {v: np.mean([f[v] for f in full_all]) for v in SVM_VARIANTS}
    rmean = {v: np.mean([r[v][0] for r in rounds_all]) for v in SVM_VARIANTS}
    print(f"{'mean':<8}{mean['SVM']:9.1f}{mean['CORAL+SVM']:11.1f}{mean['authors']:13.1f}"
          f"{rmean['SVM']:9.1f}{rmean['CORAL+SVM']:11.1f}{rmean['authors']:13.1f}"
          f"{np.mean([PUBLISHED[t]['SVM'] for t in _README_ORDER]):10.1f}"
          f"{np.mean([PUBLISHED[t]['CORAL+SVM'] for t in _README_ORDER]):12.1f}")

    print("\n'authors' on the full source, target accuracy at each C of the grid "
          "(C is never chosen on these)")
    print(f"{'task':<8}" + "".join(f"{C:>8g}" for C in C_GRID) + f"{'pub. CORAL':>12}")
    for task, per_C in zip(_README_ORDER, per_C_all, strict=True):
        print(f"{SHORT[task[0]] + '->' + SHORT[task[1]]:<8}" + "".join(f"{a:8.1f}" for a in per_C)
              + f"{PUBLISHED[task]['CORAL+SVM']:12.1f}")


if __name__ == "__main__":
    main()
