"""TrAdaBoost benchmarks: the paper's mushroom task, and the cost of boosting over its learner.

1. **Mushroom** (Dai et al., ICML 2007). The UCI mushroom rows are split by the attribute
   stalk-shape into enlarging (3516 rows) and tapering (4608 rows), with
   :func:`skt.datasets.load_mushroom` (the other 21 attributes one-hot encoded). The paper's
   text makes enlarging the source, its Table 1 sizes make tapering the source: both
   directions are run. As in the paper, the labeled target rows number 1% of the source rows
   (drawn at random per seed) and every other target row is a test row. Target error over 10
   seeds (mean, standard deviation, min, max) of TrAdaBoost (100 rounds), of TrAdaBoost with
   the uniform start, and of the same base learner on the labeled target rows only, on the
   pooled rows and on the source rows only; for a depth-3 tree and for the paper's base
   learner, a linear SVM.
2. **Overhead.** n_s = 5000 source rows, n_t = 200 labeled target rows, 50 rounds: the time of
   ``fit`` against fitting the same base learner 50 times on the same weights (recorded from a
   first run), for ``TrAdaBoostClassifier`` and ``TrAdaBoostRegressor``. The CPU time of this
   process is the main figure, since the machine may be shared; wall time is printed too.

Run ``python benchmarks/bench_tradaboost.py`` (a few minutes); ``--quick`` runs 3 seeds
without the SVM. The data are read from ``$SKT_DATA_HOME`` (default: ``../shared/data`` beside
the checkout) and never downloaded.
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import skt


def data_home():
    home = os.environ.get("SKT_DATA_HOME")
    if home:
        return Path(home)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def mushroom(source, seeds, bases):
    X, y, sd = skt.datasets.load_mushroom(
        source=source, data_home=data_home(), download_if_missing=False
    )
    names = {"e": "enlarging", "t": "tapering"}
    n_source = int((sd > 0).sum())
    n_labeled = round(0.01 * n_source)
    target = np.flatnonzero(sd < 0)
    print(
        f"\n== Mushroom, source {names[source]} ({n_source} rows) -> target "
        f"{names['t' if source == 'e' else 'e']} ({target.size} rows), {X.shape[1]} one-hot "
        f"features, {n_labeled} labeled target rows (1% of the source), {len(seeds)} seeds"
    )
    print(f"{'base learner':<14} {'method':<26} {'error':>6} {'std':>6} {'min':>6} {'max':>6}"
          "  paper (Table 3)")
    rows = []
    for base_name, base in bases:
        errors = {}
        for seed in seeds:
            rng = np.random.RandomState(seed)
            labeled = rng.choice(target, n_labeled, replace=False)
            test = np.setdiff1d(target, labeled)
            y_train = y.copy()
            y_train[test] = -1
            models = {
                "TrAdaBoost": skt.TrAdaBoostClassifier(
                    base, n_estimators=100, random_state=seed
                ),
                "TrAdaBoost, uniform start": skt.TrAdaBoostClassifier(
                    base, n_estimators=100, initial_target_weight=None, random_state=seed
                ),
                "target only": skt.TargetOnly(base),
                "pooled": skt.Pooled(base),
                "source only": skt.SourceOnly(base),
            }
            for name, model in models.items():
                model.fit(X, y_train, sample_domain=sd)
                errors.setdefault(name, []).append(1.0 - model.score(X[test], y[test]))
        for name, values in errors.items():
            row = (source, base_name, name, np.mean(values), np.std(values), min(values),
                   max(values))
            rows.append(row)
            print(f"{base_name:<14} {name:<26} {row[3]:6.3f} {row[4]:6.3f} {row[5]:6.3f} "
                  f"{row[6]:6.3f}  not found")
    return rows


class _Recorder(DecisionTreeClassifier):
    """Tree that keeps a copy of every ``sample_weight`` it is fitted with."""

    log = []

    def fit(self, X, y, sample_weight=None):
        type(self).log.append(np.array(sample_weight, copy=True))
        return super().fit(X, y, sample_weight=sample_weight)


class _RecorderR(DecisionTreeRegressor):
    log = []

    def fit(self, X, y, sample_weight=None):
        type(self).log.append(np.array(sample_weight, copy=True))
        return super().fit(X, y, sample_weight=sample_weight)


def _timed(func):
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def overhead(repeats, n_source=5000, n_target=200, n_rounds=50, n_features=20):
    print(
        f"\n== Overhead: n_s={n_source}, n_t={n_target}, {n_rounds} rounds, {n_features} "
        f"features, base DecisionTree(max_depth=3); median of {repeats} interleaved runs"
    )
    print(f"{'estimator':<21} {'rounds':>6} {'fit CPU':>8} {'learners CPU':>13} "
          f"{'overhead CPU':>13} {'overhead wall':>14}")
    results = []
    for task, Estimator, Base, Recorder in (
        ("classification", skt.TrAdaBoostClassifier, DecisionTreeClassifier, _Recorder),
        ("regression", skt.TrAdaBoostRegressor, DecisionTreeRegressor, _RecorderR),
    ):
        X, y, sd = skt.datasets.make_domain_shift(
            "concept", task=task, shift=0.5, n_samples_source=n_source,
            n_samples_target=n_target, n_features=n_features, random_state=0,
        )
        Recorder.log = []
        Estimator(Recorder(max_depth=3, random_state=0), n_estimators=n_rounds,
                  random_state=0).fit(X, y, sample_domain=sd)
        weights = list(Recorder.log)
        base = Base(max_depth=3, random_state=0)
        model = Estimator(base, n_estimators=n_rounds, random_state=0)

        def boost(model=model, X=X, y=y, sd=sd):
            model.fit(X, y, sample_domain=sd)

        def learners_only(base=base, X=X, y=y, weights=weights):
            for w in weights:
                clone(base).fit(X, y, sample_weight=w)

        boost()
        learners_only()  # warm up
        timings = np.array([[*_timed(boost), *_timed(learners_only)] for _ in range(repeats)])
        wall_b, cpu_b, wall_l, cpu_l = np.median(timings, axis=0)
        results.append((Estimator.__name__, len(weights), cpu_b, cpu_l, wall_b, wall_l))
        print(f"{Estimator.__name__:<21} {len(weights):>6} {cpu_b:7.3f}s {cpu_l:12.3f}s "
              f"{cpu_b / cpu_l - 1:+13.1%} {wall_b / wall_l - 1:+14.1%}")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 seeds, tree only")
    parser.add_argument("--repeats", type=int, default=9, help="timing repeats")
    args = parser.parse_args()
    seeds = range(3) if args.quick else range(10)
    bases = [("tree, depth 3", DecisionTreeClassifier(max_depth=3, random_state=0))]
    if not args.quick:
        bases.append(("linear SVM", LinearSVC(class_weight="balanced", random_state=0)))
    for source in ("t", "e"):
        mushroom(source, seeds, bases)
    print(
        "\nPaper figures: Dai et al. (2007) report the mushroom errors of SVM, SVMt, AUX and\n"
        "TrAdaBoost(SVM) in their Table 3 (ratio 0.01, 10 repeats, 100 iterations); the table\n"
        "could not be retrieved from this machine, so no figure is quoted."
    )
    overhead(args.repeats)


if __name__ == "__main__":
    main()
