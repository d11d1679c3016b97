"""Multi-source boosting on Office-Caltech10 SURF, leave one domain out.

Each of the 4 domains is the target once; the other 3 are the sources, each with its own
``sample_domain`` id (all their rows; the loader's standard preprocessing: rows divided by
their sum, each domain z-scored). In every draw 3 labeled target rows per class are drawn
(30 rows); the other target rows are the test rows. 5 draws per task (seeds 0-4); the table
prints the mean accuracy over the draws (and the standard deviation over draws of the
4-task mean).

Methods, all with the same base learner and 10 boosting rounds. The learner is
``RidgeClassifier(alpha=1000)`` (``--learner ridge``, the default: a linear model fitted in
about 0.1 s, 45% source-only on A+D+W -> C against 46% for a logistic regression that costs
2 s a fit here, too slow for boosting over several sources) or
``DecisionTreeClassifier(max_depth=4)`` (``--learner tree``; trees are weak on these 800
bag-of-words features: about 25% source-only):

- source only: the learner on the pooled sources;
- target only: the learner, and AdaBoost (SAMME) of it, on the 30 labeled target rows;
- TrAdaBoost (pooled): ``TrAdaBoostClassifier``, all source ids pooled into one source;
- MultiSourceTrAdaBoost: ``MultiSourceTrAdaBoostClassifier`` (one learner per source a round);
- TaskTrAdaBoost: ``TaskTrAdaBoostClassifier`` (5 AdaBoost rounds per source, gamma=0.1).

Then the same with one irrelevant source added: a copy of the rows of the first source with
their labels shuffled (the class frequencies are kept, the labels carry no information), as a
fourth source id. The last table prints the loss in points each method suffers from it.

Per-source alignment (``--part alignment``; see :func:`alignment_benchmark`): CORAL and
Subspace Alignment with all source ids pooled (``domain_mode="pooled"``) against each source
aligned to the target separately (``domain_mode="per_domain"``), no target label at all, the
same learner on the adapted source rows; clean, then with an irrelevant fourth source (a copy
of the first source with its labels shuffled, or with its features permuted); and the fit time
of the per-domain adapter against the sum of the single-source fits.

Run ``python benchmarks/bench_multi_source.py [--draws 5] [--rounds 10] [--learner tree]
[--part all|boosting|alignment]``. Data are read from ``$SKT_DATA_HOME`` and never downloaded.
"""

import argparse
import time

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier
from sklearn.linear_model import RidgeClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

import skt

DOMAINS = ("amazon", "caltech", "dslr", "webcam")
IRRELEVANT_ID = 9
METHODS = (
    "source only", "target only", "target AdaBoost",
    "TrAdaBoost pooled", "MultiSourceTrAdaBoost", "TaskTrAdaBoost",
)


def draw(y, sd, seed, per_class=3):
    """Training labels with ``per_class`` labeled target rows per class, and the test rows."""
    rng = np.random.RandomState(seed)
    target = np.flatnonzero(sd < 0)
    labeled = np.concatenate([
        rng.choice(target[y[target] == c], per_class, replace=False)
        for c in np.unique(y[target])
    ])
    test = np.setdiff1d(target, labeled)
    y_train = y.copy()
    y_train[test] = -1
    return y_train, test


def add_irrelevant_source(X, y, sd, seed):
    """Append the rows of the first source again, labels shuffled, as source IRRELEVANT_ID."""
    rng = np.random.RandomState(1000 + seed)
    rows = np.flatnonzero(sd == sd[sd > 0].min())
    X2 = np.vstack([X, X[rows]])
    y2 = np.concatenate([y, rng.permutation(y[rows])])
    sd2 = np.concatenate([sd, np.full(rows.shape[0], IRRELEVANT_ID)])
    return X2, y2, sd2


def base_learner(name, seed):
    if name == "tree":
        return DecisionTreeClassifier(max_depth=4, random_state=seed)
    return RidgeClassifier(alpha=1000.0)


def run_methods(X, y_train, sd, test, y_true, rounds, seed, learner):
    tree = base_learner(learner, seed)
    boost = AdaBoostClassifier(tree, n_estimators=rounds, random_state=seed)
    source, labeled = sd > 0, (sd < 0) & (y_train != -1)
    models = {
        "source only": ("source", clone(tree)),
        "target only": ("target", clone(tree)),
        "target AdaBoost": ("target", clone(boost)),
        "TrAdaBoost pooled": ("all", skt.TrAdaBoostClassifier(
            tree, n_estimators=rounds, random_state=seed)),
        "MultiSourceTrAdaBoost": ("all", skt.MultiSourceTrAdaBoostClassifier(
            tree, n_estimators=rounds, random_state=seed)),
        "TaskTrAdaBoost": ("all", skt.TaskTrAdaBoostClassifier(
            tree, n_estimators=rounds, n_source_estimators=5, gamma=0.1, random_state=seed)),
    }
    scores, seconds = {}, {}
    for name, (rows, model) in models.items():
        start = time.perf_counter()
        if rows == "source":
            model.fit(X[source], y_train[source])
        elif rows == "target":
            model.fit(X[labeled], y_train[labeled])
        else:
            model.fit(X, y_train, sample_domain=sd)
        seconds[name] = time.perf_counter() - start
        scores[name] = float(np.mean(model.predict(X[test]) == y_true[test]))
    return scores, seconds


def print_table(title, results, tasks):
    short = [m.replace("MultiSourceTrAdaBoost", "MS-TrAdaBoost") for m in METHODS]
    print(f"\n{title}\n")
    print("| task | " + " | ".join(short) + " |")
    print("|---|" + "---:|" * len(METHODS))
    for task in tasks:
        cells = [f"{100 * np.mean(results[task][m]):.1f}" for m in METHODS]
        print(f"| {task} | " + " | ".join(cells) + " |")
    means = {m: np.mean([results[t][m] for t in tasks], axis=0) for m in METHODS}
    cells = [f"**{100 * means[m].mean():.1f}** ± {100 * means[m].std():.1f}" for m in METHODS]
    print("| mean (± sd over draws) | " + " | ".join(cells) + " |")
    return {m: means[m].mean() for m in METHODS}


# -- per-source alignment (issue 18, item 1) ---------------------------------------------------

#: SA's dimension, the same for both modes (with "auto" the per-domain mode would keep the
#: smallest of the three pairs' bounds, a second difference beside the pooling)
SA_COMPONENTS = 20
ALIGNMENT_LEARNERS = {
    "ridge": lambda: RidgeClassifier(alpha=1000.0),
    "1-NN": lambda: KNeighborsClassifier(n_neighbors=1),
}
ALIGNERS = {
    "CORAL": lambda mode: skt.CORAL(domain_mode=mode),
    "SA": lambda mode: skt.SubspaceAlignment(n_components=SA_COMPONENTS, domain_mode=mode),
}
ALIGNMENT_METHODS = ("no adaptation", "CORAL pooled", "CORAL per-source", "SA pooled",
                     "SA per-source")


def add_permuted_source(X, y, sd, seed):
    """Append the rows of the first source again, features permuted, as source IRRELEVANT_ID."""
    rng = np.random.RandomState(2000 + seed)
    rows = np.flatnonzero(sd == sd[sd > 0].min())
    X2 = np.vstack([X, X[rows][:, rng.permutation(X.shape[1])]])
    return X2, np.concatenate([y, y[rows]]), np.concatenate(
        [sd, np.full(rows.shape[0], IRRELEVANT_ID)])


def alignment_accuracy(X, y_true, sd, learner):
    """Target accuracy of each alignment method; no target label is used in fit."""
    y_train = skt.mask_target_labels(y_true, sd)
    target = sd < 0
    scores = {}
    for method in ALIGNMENT_METHODS:
        if method == "no adaptation":
            model = skt.SourceOnly(ALIGNMENT_LEARNERS[learner]())
            model.fit(X, y_train)
        else:
            name, mode = method.split()
            adapter = ALIGNERS[name]("per_domain" if mode == "per-source" else "pooled")
            model = make_pipeline(adapter, skt.SourceOnly(ALIGNMENT_LEARNERS[learner]()))
            step = model.steps[0][0]
            model.fit(X, y_train, **{f"{step}__sample_domain": sd})
        scores[method] = float(np.mean(model.predict(X[target]) == y_true[target]))
    return scores


def _best_fit_time(make, X, sd, repeats=3):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        make().fit(X, sample_domain=sd)
        best = min(best, time.perf_counter() - start)
    return best


def alignment_fit_times(X, sd):
    """Per-domain fit vs the sum of single-source fits (each source with the target rows)."""
    target = sd < 0
    out = {}
    for name, make in ALIGNERS.items():
        per_domain = _best_fit_time(lambda make=make: make("per_domain"), X, sd)
        singles = 0.0
        for s in np.unique(sd[sd > 0]):
            rows = (sd == s) | target
            singles += _best_fit_time(lambda make=make: make("pooled"), X[rows], sd[rows])
        pooled = _best_fit_time(lambda make=make: make("pooled"), X, sd)
        out[name] = (pooled, per_domain, singles)
    return out


def alignment_benchmark(seed=0):
    """Pooled vs per-source CORAL/SA on the 4 leave-one-domain-out tasks; prints the tables."""
    variants = ("clean", "labels shuffled", "features permuted")
    learners = tuple(ALIGNMENT_LEARNERS)
    results = {(v, lr): {} for v in variants for lr in learners}
    times, tasks = {}, []
    for target in DOMAINS:
        sources = [d for d in DOMAINS if d != target]
        X, y, sd = skt.datasets.load_office_caltech(
            source=sources, target=target, download_if_missing=False
        )
        task = "+".join(s[0].upper() for s in sources) + f" -> {target[0].upper()}"
        tasks.append(task)
        data = {
            "clean": (X, y, sd),
            "labels shuffled": add_irrelevant_source(X, y, sd, seed),
            "features permuted": add_permuted_source(X, y, sd, seed),
        }
        for variant, (Xv, yv, sdv) in data.items():
            for learner in learners:
                results[variant, learner][task] = alignment_accuracy(Xv, yv, sdv, learner)
        times[task] = alignment_fit_times(X, sd)
        print(f"{task}: alignment done", flush=True)

    print(f"\nPer-source alignment. Office-Caltech10 SURF, 3 sources -> 1 target, no target "
          f"label; CORAL reg=1, SA n_components={SA_COMPONENTS}; the learner is trained on "
          "the adapted source rows; accuracy (%) on all target rows")
    means = {}
    for learner in learners:
        for variant in variants:
            title = f"learner {learner}, " + (
                "three sources" if variant == "clean"
                else f"with an irrelevant fourth source (a copy of the first, {variant})")
            print(f"\n{title}\n")
            print("| task | " + " | ".join(ALIGNMENT_METHODS) + " |")
            print("|---|" + "---:|" * len(ALIGNMENT_METHODS))
            table = results[variant, learner]
            for task in tasks:
                cells = [f"{100 * table[task][m]:.1f}" for m in ALIGNMENT_METHODS]
                print(f"| {task} | " + " | ".join(cells) + " |")
            mean = {m: 100 * np.mean([table[t][m] for t in tasks]) for m in ALIGNMENT_METHODS}
            means[variant, learner] = mean
            print("| mean | " + " | ".join(f"**{mean[m]:.1f}**" for m in ALIGNMENT_METHODS)
                  + " |")

    print("\nLoss from the irrelevant source (points, 4-task mean; clean minus with it)\n")
    print("| learner | method | clean | labels shuffled (loss) | features permuted (loss) |")
    print("|---|---|---:|---:|---:|")
    for learner in learners:
        for m in ALIGNMENT_METHODS:
            clean = means["clean", learner][m]
            cells = [f"{means[v, learner][m]:.1f} ({clean - means[v, learner][m]:+.1f})"
                     for v in variants[1:]]
            print(f"| {learner} | {m} | {clean:.1f} | " + " | ".join(cells) + " |")

    print("\nFit time of the adapter (s, best of 3): pooled, per-domain, and the sum of the "
          "three single-source fits (each source with the target rows)\n")
    print("| task | method | pooled | per-domain | sum of single-source | per-domain / sum |")
    print("|---|---|---:|---:|---:|---:|")
    for task in tasks:
        for name, (pooled, per_domain, singles) in times[task].items():
            print(f"| {task} | {name} | {pooled:.3f} | {per_domain:.3f} | {singles:.3f} | "
                  f"{per_domain / singles:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--learner", choices=("ridge", "tree"), default="ridge")
    parser.add_argument("--part", choices=("all", "boosting", "alignment"), default="all")
    args = parser.parse_args()

    if args.part in ("all", "boosting"):
        boosting_benchmark(args)
    if args.part in ("all", "alignment"):
        alignment_benchmark()


def boosting_benchmark(args):
    tasks, clean, noisy, fit_time = [], {}, {}, {m: 0.0 for m in METHODS}
    for target in DOMAINS:
        sources = [d for d in DOMAINS if d != target]
        X, y, sd = skt.datasets.load_office_caltech(
            source=sources, target=target, download_if_missing=False
        )
        task = "+".join(s[0].upper() for s in sources) + f" -> {target[0].upper()}"
        tasks.append(task)
        clean[task] = {m: [] for m in METHODS}
        noisy[task] = {m: [] for m in METHODS}
        for seed in range(args.draws):
            y_train, test = draw(y, sd, seed)
            scores, seconds = run_methods(X, y_train, sd, test, y, args.rounds, seed, args.learner)
            X2, y2_train, sd2 = add_irrelevant_source(X, y_train, sd, seed)
            y2_true = np.concatenate([y, np.zeros(X2.shape[0] - X.shape[0], dtype=y.dtype)])
            scores2, _ = run_methods(
                X2, y2_train, sd2, test, y2_true, args.rounds, seed, args.learner
            )
            for m in METHODS:
                clean[task][m].append(scores[m])
                noisy[task][m].append(scores2[m])
                fit_time[m] += seconds[m]
        print(f"{task}: done", flush=True)

    note = (f"Office-Caltech10 SURF, 3 sources -> 1 target, 3 labeled target rows per class, "
            f"{args.draws} draws, learner {args.learner}, {args.rounds} rounds; accuracy (%) "
            "on the unlabeled target rows")
    before = print_table(f"Three sources. {note}", clean, tasks)
    after = print_table("With an irrelevant fourth source (a copy of the first source, labels "
                        "shuffled)", noisy, tasks)
    print("\nLoss from the irrelevant source (points, 4-task mean) and fit time (s, summed "
          "over the runs without it)\n")
    print("| method | clean | with irrelevant | loss | fit time |")
    print("|---|---:|---:|---:|---:|")
    for m in METHODS:
        print(f"| {m} | {100 * before[m]:.1f} | {100 * after[m]:.1f} | "
              f"{100 * (before[m] - after[m]):+.1f} | {fit_time[m]:.1f} |")


if __name__ == "__main__":
    main()
