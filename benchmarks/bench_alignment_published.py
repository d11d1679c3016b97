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
- CORAL + linear SVM (Office-Caltech): ``LinearSVC`` with C chosen by 2-fold cross-validation on
  the source rows, (a) trained on the full source, (b) the CORAL paper's protocol: 20 rounds,
  each with 20 source rows per class drawn from amazon and 8 from the other domains.

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
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from sklearn.svm import LinearSVC

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

C_GRID = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]


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


def _svm(random_state):
    return GridSearchCV(
        LinearSVC(max_iter=20000),
        {"C": C_GRID},
        cv=StratifiedKFold(2, shuffle=True, random_state=random_state),
    )


def _svm_accuracy(Xs, ys, Xt, yt, random_state):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = _svm(random_state).fit(Xs, ys)
    return 100.0 * np.mean(model.predict(Xt) == yt)


def run_coral_svm(task, X, y, sd, n_rounds):
    """CORAL + linear SVM: the full source, and the paper's 20 rounds of subsampled source."""
    source, target = sd > 0, sd < 0
    Z = skt.CORAL(reg=1.0).fit_transform(X, sample_domain=sd)
    full = {
        "SVM": _svm_accuracy(X[source], y[source], X[target], y[target], 0),
        "CORAL+SVM": _svm_accuracy(Z[source], y[source], Z[target], y[target], 0),
    }
    per_class = 20 if task[0] == "amazon" else 8
    rounds = {"SVM": [], "CORAL+SVM": []}
    src_rows = np.flatnonzero(source)
    for r in range(n_rounds):
        rng = np.random.RandomState(r)
        picked = np.concatenate([
            rng.choice(src_rows[y[src_rows] == c], per_class, replace=False)
            for c in np.unique(y[src_rows])
        ])
        rows = np.r_[picked, np.flatnonzero(target)]
        Xr, yr, sdr = X[rows], y[rows], sd[rows]
        s, t = sdr > 0, sdr < 0
        Zr = skt.CORAL(reg=1.0).fit_transform(Xr, sample_domain=sdr)
        rounds["SVM"].append(_svm_accuracy(Xr[s], yr[s], Xr[t], yr[t], r))
        rounds["CORAL+SVM"].append(_svm_accuracy(Zr[s], yr[s], Zr[t], yr[t], r))
    return full, {m: (np.mean(v), np.std(v)) for m, v in rounds.items()}


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
    args = parser.parse_args(argv)
    os.environ.setdefault("SKT_DATA_HOME", "/work/shared/data")
    n_rounds = 3 if args.quick else 20
    records = []
    t_start = time.perf_counter()

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

    print("\nCORAL + linear SVM on Office-Caltech10 SURF (C by 2-fold CV on the source rows)")
    print(f"(a) full source; (b) the CORAL paper's protocol: {n_rounds} rounds of 20 (amazon) or "
          "8 source rows per class, mean +- std")
    header = (f"{'task':<8}{'SVM (a)':>9}{'CORAL (a)':>11}{'SVM (b)':>14}{'CORAL (b)':>14}"
              f"{'pub. SVM':>10}{'pub. CORAL':>12}")
    print(header)
    print("-" * len(header))
    full_all, rounds_all = [], []
    for task in _README_ORDER:
        X, y, sd = load_office_caltech(source=task[0], target=task[1])
        full, rounds = run_coral_svm(task, X, y, sd, n_rounds)
        full_all.append(full)
        rounds_all.append(rounds)
        pub = PUBLISHED[task]
        print(f"{SHORT[task[0]] + '->' + SHORT[task[1]]:<8}{full['SVM']:9.1f}"
              f"{full['CORAL+SVM']:11.1f}"
              f"{rounds['SVM'][0]:8.1f} +-{rounds['SVM'][1]:4.1f}"
              f"{rounds['CORAL+SVM'][0]:8.1f} +-{rounds['CORAL+SVM'][1]:4.1f}"
              f"{pub['SVM']:10.1f}{pub['CORAL+SVM']:12.1f}")
        for m in ("SVM", "CORAL+SVM"):
            records.append({"family": "office", "task": f"{task[0]}->{task[1]}", "method": m,
                            "protocol": "full source", "ours": round(full[m], 2),
                            "published": pub[m]})
            records.append({"family": "office", "task": f"{task[0]}->{task[1]}", "method": m,
                            "protocol": f"{n_rounds} rounds", "ours": round(rounds[m][0], 2),
                            "published": pub[m]})
    print("-" * len(header))
    mean = {m: np.mean([f[m] for f in full_all]) for m in ("SVM", "CORAL+SVM")}
    rmean = {m: np.mean([r[m][0] for r in rounds_all]) for m in ("SVM", "CORAL+SVM")}
    print(f"{'mean':<8}{mean['SVM']:9.1f}{mean['CORAL+SVM']:11.1f}{rmean['SVM']:14.1f}"
          f"{rmean['CORAL+SVM']:14.1f}"
          f"{np.mean([PUBLISHED[t]['SVM'] for t in _README_ORDER]):10.1f}"
          f"{np.mean([PUBLISHED[t]['CORAL+SVM'] for t in _README_ORDER]):12.1f}")

    print("\nseconds spent per method over all 1-NN tasks (machine shared with other work):")
    print("  " + ", ".join(f"{m} {t:.1f}" for m, t in total_times.items()))
    print(f"total {time.perf_counter() - t_start:.0f} s")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)


if __name__ == "__main__":
    main()
