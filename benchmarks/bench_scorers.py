"""Do the unsupervised scorers select well? Scorer value against true target accuracy.

For each task, each transfer pipeline (CORAL, Subspace Alignment, KMM, each followed by a
logistic regression) and each point of a small hyperparameter grid:

- the **true target accuracy**: the pipeline is fitted on every source row and every target row
  (target labels masked) and scored on all target rows with their labels (the transductive
  protocol of the published Office-Caltech results);
- the **value of each unsupervised scorer**: the mean over a 3-fold ``StratifiedKFold`` (shuffled,
  seed 0) on the labels with masked target rows, as ``GridSearchCV(scoring=...)`` computes it.
  No scorer is tuned on target labels; each runs with its defaults.

Per (task, pipeline), each scorer gets the Spearman rank correlation between its values and the
true accuracies over the grid, and the true accuracy of the grid point it selects (its argmax).
The table averages them over tasks, next to the oracle's choice (the best true accuracy on the
grid) and the mean accuracy of the grid (what a random choice gets on average). "source
accuracy" is plain validation on the source rows (importance weights all one), the usual
baseline of the scorer literature.

Tasks: the 12 Office-Caltech SURF tasks (A, C, D, W; standard L1 + per-domain z-score) and
synthetic shifts (``make_domain_shift``: "subspace" and "covariate", 3 seeds each).

Run ``python benchmarks/bench_scorers.py`` (tens of minutes on 2 cores; ``--quick`` runs 3
Office tasks, 1 seed and a 2-point grid). ``--cost`` prints only what a grid scored with IWCV
costs against the same grid scored with accuracy (a minute or two). ``--csv FILE`` writes one
row per (task, pipeline, grid point) with every scorer value, which
``docs/user_guide/plot_scorers.py`` plots; ``--rst FILE`` writes the summary as the table of
the user guide; ``--from-csv A.csv B.csv`` summarizes earlier runs without running again. BLAS
runs single-threaded by default (``--blas-threads``): on a shared machine more threads only
contend. The data are read from ``$SKT_DATA_HOME`` (default: ``../shared/data`` beside the
checkout) and never downloaded.
"""

import argparse
import csv
import itertools
import os
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

import skt
from skt.model_selection import (
    DeepEmbeddedValidationScorer,
    ImportanceWeightedScorer,
    PredictionEntropyScorer,
    ReverseValidationScorer,
    SoftNeighborhoodDensityScorer,
)


def _unit_weights(X_source, X_target):
    return np.ones(X_source.shape[0])


SCORERS = {
    "source accuracy": ImportanceWeightedScorer(weight_function=_unit_weights),
    "IWCV": ImportanceWeightedScorer(random_state=0),
    "entropy": PredictionEntropyScorer(),
    "SND": SoftNeighborhoodDensityScorer(),
    "reverse val.": ReverseValidationScorer(),
    "DEV": DeepEmbeddedValidationScorer(random_state=0),
}


def data_home():
    home = os.environ.get("SKT_DATA_HOME")
    if home:
        return Path(home)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def classifier(C):
    return LogisticRegression(C=C, max_iter=2000)


def pipelines(n_features, quick):
    """name -> list of (params label, pipeline)."""
    Cs = [0.01, 1.0] if not quick else [1.0]
    out = {}
    regs = [1e-2, 1.0, 100.0] if not quick else [1e-2, 100.0]
    out["CORAL"] = [
        (f"reg={r:g}, C={C:g}", make_pipeline(skt.CORAL(reg=r), skt.SourceOnly(classifier(C))))
        for r, C in itertools.product(regs, Cs)
    ]
    dims = [10, 20, 40] if n_features > 100 else [1, 2, 4]
    dims = dims if not quick else dims[::2]
    out["SA"] = [
        (
            f"d={d}, C={C:g}",
            make_pipeline(skt.SubspaceAlignment(n_components=d), skt.SourceOnly(classifier(C))),
        )
        for d, C in itertools.product(dims, Cs)
    ]
    try:
        from skt.reweight import KMM
    except ImportError:  # the reweighting family is not there yet
        KMM = None
    if KMM is not None:
        gammas = [1e-4, 1e-3, 1e-2] if n_features > 100 else [0.1, 1.0, 10.0]
        gammas = gammas if not quick else gammas[::2]
        out["KMM"] = [
            (f"gamma={g:g}, C={C:g}", KMM(classifier(C), gamma=g))
            for g, C in itertools.product(gammas, Cs)
        ]
    return out


def office_tasks(quick):
    names = {"A": "amazon", "C": "caltech", "D": "dslr", "W": "webcam"}
    pairs = [(s, t) for s in "CADW" for t in "CADW" if s != t]
    if quick:
        pairs = [("C", "A"), ("A", "W"), ("W", "D")]
    for s, t in pairs:
        X, y, sd = skt.datasets.load_office_caltech(
            source=names[s], target=names[t], data_home=data_home(), download_if_missing=False
        )
        yield f"{s}->{t}", X, y, sd


def synthetic_tasks(quick):
    for kind, seed in itertools.product(("subspace", "covariate"), range(1 if quick else 3)):
        X, y, sd = skt.datasets.make_domain_shift(
            kind,
            n_samples_source=300,
            n_samples_target=300,
            n_features=5,
            n_classes=3,
            shift=1.0,
            random_state=seed,
        )
        yield f"{kind}-{seed}", X, y, sd


def evaluate(task, X, y, sd, method, label, pipe):
    """True target accuracy and every scorer's cross-validated value for one grid point."""
    y_masked = skt.mask_target_labels(y, sd)
    target = sd < 0
    start = time.perf_counter()
    fitted = clone(pipe).fit(X, y_masked)
    accuracy = fitted.score(X[target], y[target])
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    result = cross_validate(clone(pipe), X, y_masked, cv=cv, scoring=SCORERS, error_score=np.nan)
    row = {"task": task, "method": method, "params": label, "target_accuracy": accuracy}
    for name in SCORERS:
        row[name] = float(np.mean(result[f"test_{name}"]))
    row["seconds"] = time.perf_counter() - start
    return row


def summarize(rows):
    """Per (task, method): Spearman rho and selected accuracy per scorer; averaged by method."""
    groups = {}
    for row in rows:
        groups.setdefault((row["task"], row["method"]), []).append(row)
    summary = {}
    for (_, method), group in groups.items():
        truth = np.array([r["target_accuracy"] for r in group])
        entry = summary.setdefault(method, {"oracle": [], "grid mean": [], "tasks": 0})
        entry["tasks"] += 1
        entry["oracle"].append(truth.max())
        entry["grid mean"].append(truth.mean())
        for name in SCORERS:
            values = np.array([r[name] for r in group])
            ok = np.isfinite(values)
            rho = spearmanr(values[ok], truth[ok])[0] if ok.sum() > 2 else np.nan
            if np.all(values[ok] == values[ok][0]) or np.std(truth[ok]) == 0:
                rho = np.nan  # constant: no ranking to correlate
            chosen = truth[ok][np.argmax(values[ok])] if ok.any() else np.nan
            entry.setdefault(name, {"rho": [], "selected": []})
            entry[name]["rho"].append(rho)
            entry[name]["selected"].append(chosen)
    return summary


def print_summary(title, summary):
    print(f"\n== {title}")
    print(
        "Spearman rank correlation with the true target accuracy over the grid (mean over "
        "tasks) / true target accuracy of the selected grid point (mean over tasks, %)"
    )
    header = f"{'scorer':<16}" + "".join(f"{m:>22}" for m in summary)
    print(header)
    for name in SCORERS:
        cells = []
        for method in summary:
            rho = np.nanmean(summary[method][name]["rho"])
            sel = 100 * np.nanmean(summary[method][name]["selected"])
            cells.append(f"{rho:>+9.2f} / {sel:>5.1f}%")
        print(f"{name:<16}" + "".join(f"{c:>22}" for c in cells))
    for key in ("oracle", "grid mean"):
        cells = [f"{'':>9}   {100 * np.mean(summary[m][key]):>5.1f}%" for m in summary]
        print(f"{key:<16}" + "".join(f"{c:>22}" for c in cells))
    print("tasks: " + ", ".join(f"{m} {summary[m]['tasks']}" for m in summary))


def rst_table(suites):
    """The summaries as one reStructuredText list-table (for the user guide)."""
    lines = [
        ".. list-table:: Spearman correlation with the true target accuracy over each grid / "
        "true target accuracy (%) of the grid point each scorer selects; means over tasks",
        "   :header-rows: 1",
        "",
    ]
    columns = [(title, method) for title, summary in suites for method in summary]
    lines.append("   * - scorer")
    for title, method in columns:
        lines.append(f"     - {title.split(' ')[0]} {method}")
    for name in SCORERS:
        lines.append(f"   * - {name}")
        for title, method in columns:
            entry = dict(suites)[title][method][name]
            rho = np.nanmean(entry["rho"])
            lines.append(f"     - {rho:+.2f} / {100 * np.nanmean(entry['selected']):.1f}")
    for key, label in (("oracle", "oracle (best on the grid)"), ("grid mean", "grid mean")):
        lines.append(f"   * - {label}")
        for title, method in columns:
            lines.append(f"     - {100 * np.mean(dict(suites)[title][method][key]):.1f}")
    lines.append("   * - tasks")
    for title, method in columns:
        lines.append(f"     - {dict(suites)[title][method]['tasks']}")
    return "\n".join(lines) + "\n"


def _grid_seconds(pipe, grid, X, y, scoring, repeats):
    """Best wall time of ``GridSearchCV(pipe, grid, cv=3).fit`` over ``repeats`` runs."""
    from sklearn.model_selection import GridSearchCV

    best = np.inf
    for _ in range(repeats):
        scorer = clone(scoring) if hasattr(scoring, "get_params") else scoring
        if hasattr(scoring, "_cache_weights"):
            scorer._cache_weights = scoring._cache_weights
        cv = StratifiedKFold(3, shuffle=True, random_state=0)
        start = time.perf_counter()
        GridSearchCV(pipe, grid, cv=cv, scoring=scorer, refit=False).fit(X, y)
        best = min(best, time.perf_counter() - start)
    return best


def cost_table(quick):
    """Seconds of one grid search scored with IWCV against the same grid scored with accuracy.

    The grid is over the final classifier's C (6 values, 3 folds): every candidate shows the
    same rows to the last step, so IWCV's density ratio is fitted once per fold (3 fits, not
    18). "IWCV, refit per candidate" is the same scorer with its cache off (what it cost
    before). Accuracy on labels with masked target rows scores source rows: it is the cost
    floor here, not a model-selection method.
    """
    tasks = []
    try:
        X, y, sd = skt.datasets.load_office_caltech(
            source="caltech", target="amazon", data_home=data_home(), download_if_missing=False
        )
        tasks.append(("Office C->A (800 SURF)", X, y, sd))
    except (OSError, ValueError) as exc:
        print(f"(Office-Caltech not available: {exc})")
    X, y, sd = skt.datasets.make_domain_shift(
        "covariate", n_samples_source=1000, n_samples_target=1000, n_features=20, n_classes=3,
        random_state=0,
    )
    tasks.append(("synthetic covariate (20 features)", X, y, sd))
    Cs = [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
    iwcv = ImportanceWeightedScorer(random_state=0)
    uncached = ImportanceWeightedScorer(random_state=0)
    uncached._cache_weights = False
    scorings = [("accuracy", "accuracy"), ("IWCV (once per fold)", iwcv),
                ("IWCV, refit per candidate", uncached)]
    print("\n== cost of a 6-point grid over C (3 folds), seconds (best of "
          f"{1 if quick else 3}; wall time on a shared machine) and ratio to accuracy")
    print(f"{'task / pipeline':<46}" + "".join(f"{name:>28}" for name, _ in scorings))
    for task, X, y, sd in tasks:
        y_masked = skt.mask_target_labels(y, sd)
        pipes = {
            "LR": (make_pipeline(skt.SourceOnly(classifier(1.0))), "sourceonly__estimator__C"),
            "CORAL + LR": (make_pipeline(skt.CORAL(), skt.SourceOnly(classifier(1.0))),
                           "sourceonly__estimator__C"),
        }
        for pname, (pipe, param) in pipes.items():
            times = [_grid_seconds(pipe, {param: Cs}, X, y_masked, scoring, 1 if quick else 3)
                     for _, scoring in scorings]
            cells = [f"{t:8.2f} s ({t / times[0]:4.2f}x)" for t in times]
            print(f"{task + ' / ' + pname:<46}" + "".join(f"{c:>28}" for c in cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 Office tasks, small grids")
    parser.add_argument("--csv", help="write one row per (task, pipeline, grid point)")
    parser.add_argument("--rst", help="write the summary table as reStructuredText")
    parser.add_argument(
        "--from-csv",
        nargs="+",
        metavar="CSV",
        help="summarize earlier runs' CSV files instead of running (rows are concatenated)",
    )
    parser.add_argument("--n-jobs", type=int, default=1, help="joblib workers over grid points")
    parser.add_argument("--no-office", action="store_true", help="synthetic tasks only")
    parser.add_argument(
        "--cost",
        action="store_true",
        help="only print the cost of a grid scored with IWCV against accuracy",
    )
    parser.add_argument(
        "--methods",
        default="CORAL,SA,KMM",
        help="comma-separated pipelines to run (KMM only when skt has it)",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads per process (1: on a shared machine, more threads only contend)",
    )
    args = parser.parse_args()
    with threadpool_limits(limits=args.blas_threads):
        run(args)


def from_csv(paths):
    """Rows of earlier runs, numbers parsed; grouped by suite like a run's output."""
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                for key in ["target_accuracy", "seconds", *SCORERS]:
                    row[key] = float(row[key])
                rows.append(row)
    return rows


def run(args):
    start = time.perf_counter()
    if args.cost:
        cost_table(args.quick)
        return
    if args.from_csv:
        rows = from_csv(args.from_csv)
        suites = {"Office-Caltech10": "Office-Caltech10 SURF", "synthetic": "synthetic shifts"}
        summaries = []
        for suite, title in suites.items():
            chosen = [r for r in rows if r["suite"] == suite]
            if chosen:
                summaries.append((title, summarize(chosen)))
                print_summary(title, summaries[-1][1])
        if args.rst:
            Path(args.rst).write_text(rst_table(summaries))
            print(f"wrote {args.rst}")
        return
    all_rows, summaries = [], []
    suites = [
        (
            "synthetic shifts (make_domain_shift, 5 features, 3 classes)",
            synthetic_tasks(args.quick),
        )
    ]
    if not args.no_office:
        suites.insert(0, ("Office-Caltech10 SURF", office_tasks(args.quick)))
    for title, tasks in suites:
        rows = []
        for task, X, y, sd in tasks:
            wanted = args.methods.split(",")
            jobs = [
                (method, label, pipe)
                for method, grid in pipelines(X.shape[1], args.quick).items()
                if method in wanted
                for label, pipe in grid
            ]
            task_rows = Parallel(n_jobs=args.n_jobs)(
                delayed(evaluate)(task, X, y, sd, method, label, pipe)
                for method, label, pipe in jobs
            )
            for row in task_rows:
                row["suite"] = title.split(" ")[0]  # "Office-Caltech10" or "synthetic"
            rows.extend(task_rows)
            print(
                f"  {task}: {len(task_rows)} grid points, "
                f"{sum(r['seconds'] for r in task_rows):.0f} s",
                flush=True,
            )
        summary = summarize(rows)
        print_summary(title, summary)
        summaries.append((title, summary))
        all_rows.extend(rows)
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(all_rows[0]))
            writer.writeheader()
            writer.writerows(all_rows)
        print(f"\nwrote {len(all_rows)} rows to {args.csv}")
    if args.rst:
        Path(args.rst).write_text(rst_table(summaries))
        print(f"wrote {args.rst}")
    print(f"\ntotal {time.perf_counter() - start:.0f} s (wall; the machine may be shared)")


if __name__ == "__main__":
    main()
