"""The ``skt`` command: compare transfer methods on a data set, list data sets and methods.

``skt compare`` cross-validates transfer pipelines together with the source-only and target-only
baselines on the same folds (:func:`skt.model_selection.transfer_report`) and prints a table of
target accuracy, gain over source-only with its confidence interval, a negative-transfer flag
(significantly worse than source-only) and fit time. With no arguments it runs on the embedded
digits shift data set.

Exit codes: 0 when every run succeeded; 1 when some method failed on some task (its row holds
the error, the other rows and the output files are complete); 2 for a mistake in the command
line or missing data, reported before any work starts.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np

__all__ = ["main"]

DEFAULT_METHODS = ("coral", "sa", "tca", "kmm", "discriminative")


class UserError(Exception):
    """A mistake in the command line or the environment, reported in one line."""


# -- methods -----------------------------------------------------------------------------------


def _final_estimator(name):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import LinearSVC

    estimators = {
        "logreg": lambda: LogisticRegression(max_iter=1000),
        "1nn": lambda: KNeighborsClassifier(n_neighbors=1),
        "linear-svm": lambda: LinearSVC(),
    }
    if name not in estimators:
        raise UserError(f"unknown --estimator {name!r}; choose from {', '.join(estimators)}")
    return estimators[name]()


def _methods():
    """Name -> (description, factory(final_estimator) -> pipeline)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skt

    def adapter(make):
        return lambda est: make_pipeline(StandardScaler(), make(), skt.SourceOnly(est))

    def reweighter(name):
        return lambda est: make_pipeline(StandardScaler(), getattr(skt, name)(est))

    return {
        "coral": ("CORAL, correlation alignment (Sun et al. 2016)", adapter(skt.CORAL)),
        "sa": ("Subspace Alignment (Fernando et al. 2013)",
               adapter(skt.SubspaceAlignment)),
        "tca": ("Transfer Component Analysis (Pan et al. 2011)", adapter(skt.TCA)),
        "jda": ("Joint Distribution Adaptation (Long et al. 2013)", adapter(skt.JDA)),
        "ot": ("optimal-transport mapping, exact plan (Courty et al. 2017; needs skt[ot])",
               adapter(skt.OTMapping)),
        "linear-ot": ("linear (Gaussian) optimal-transport map (needs skt[ot])",
                      adapter(skt.LinearOTMapping)),
        "bda": ("Balanced Distribution Adaptation, balance from A-distances (Wang et al. 2017)",
                adapter(lambda: skt.BDA(balance="auto"))),
        "w-bda": ("Weighted BDA, class-prior weighted class terms (Wang et al. 2017)",
                  adapter(lambda: skt.BDA(balance=1.0, weighted=True))),
        # a classifier of its own: the final estimator is not used
        "easytl": ("EasyTL, CORAL + linear program, no hyper-parameter (Wang et al. 2019)",
                   lambda est: make_pipeline(StandardScaler(), skt.EasyTL())),
        "kmm": ("Kernel Mean Matching (Huang et al. 2006)", reweighter("KMM")),
        "kliep": ("KLIEP density-ratio weighting (Sugiyama et al. 2008)", reweighter("KLIEP")),
        "ulsif": ("uLSIF density-ratio weighting (Kanamori et al. 2009)", reweighter("ULSIF")),
        "rulsif": ("RuLSIF relative density-ratio weighting (Yamada et al. 2011)",
                   reweighter("RULSIF")),
        "discriminative": ("domain-classifier weighting", reweighter("DiscriminativeReweighting")),
        "nn-weighting": ("nearest-neighbour weighting (Loog 2012)",
                         reweighter("NearestNeighborsReweighting")),
        "gfk": ("Geodesic Flow Kernel, subspace dimension by SDM (Gong et al. 2012)",
                adapter(lambda: skt.GFK(n_components="sdm"))),
        # joint estimators are the predictor: the final estimator is not used
        "artl": ("ARTL, adaptation regularisation, joint classifier (Long et al. 2014)",
                 lambda est: make_pipeline(StandardScaler(), skt.ARTL())),
        "meda": ("MEDA, manifold embedded distribution alignment, joint classifier "
                 "(Wang et al. 2018)",
                 lambda est: make_pipeline(StandardScaler(), skt.MEDA(n_components="sdm"))),
    }


def _parse_methods(text):
    available = _methods()
    names = [m.strip().lower() for m in text.split(",") if m.strip()]
    if not names:
        raise UserError("--methods is empty; name at least one method (see `skt methods`)")
    unknown = [m for m in names if m not in available]
    if unknown:
        raise UserError(
            f"unknown method {unknown[0]!r}; choose from {', '.join(available)}"
        )
    return names


# -- data sets ---------------------------------------------------------------------------------


def _datasets():
    """Name -> (description, default tasks, all tasks, loader(task, data_home)).

    The names are those of :func:`skt.datasets.list_datasets` (plus ``synthetic``); see
    :func:`_dataset_name` for the spellings accepted on the command line.
    """
    from skt import datasets

    letters = {"A": "amazon", "C": "caltech", "D": "dslr", "W": "webcam"}
    office_tasks = [f"{s}:{t}" for s in "CADW" for t in "CADW" if s != t]

    def office_loader(task, home):
        s, t = _split_task(task, letters)
        return datasets.load_office_caltech(source=s, target=t, data_home=home)

    def pair_loader(load, names):
        def loader(task, home):
            s, t = _split_task(task, names)
            return load(source=s, target=t, data_home=home)

        return loader

    def digits_loader(task, home):
        return datasets.load_digits_shift(task)

    def synthetic_loader(task, home):
        return datasets.make_domain_shift(task, n_samples_source=500, n_samples_target=500,
                                          n_features=5, n_classes=3, random_state=0)

    return {
        "digits_shift": ("scikit-learn digits, target images transformed (embedded, no "
                         "download)", ["rotation"], ["rotation", "blur", "thickness", "scale"],
                         digits_loader),
        "synthetic": ("make_domain_shift, 5 features, 3 classes", ["covariate"],
                      ["covariate", "prior", "concept", "subspace"], synthetic_loader),
        "office_caltech": ("Office-Caltech10 SURF, L1 + z-score per domain", ["A:W"],
                           office_tasks, office_loader),
        "mnist_usps": ("MNIST <-> USPS 16x16 (JDA protocol)", ["U:M"], ["U:M", "M:U"],
                       pair_loader(datasets.load_mnist_usps, {"M": "mnist", "U": "usps"})),
        "coil20": ("COIL20 halves (JDA protocol)", ["C1:C2"], ["C1:C2", "C2:C1"],
                   pair_loader(datasets.load_coil20, {"C1": "coil1", "C2": "coil2"})),
        "mushroom": ("UCI mushroom split by stalk shape, one-hot (TrAdaBoost protocol)",
                     ["E:T"], ["E:T", "T:E"],
                     pair_loader(datasets.load_mushroom, {"E": "enlarging", "T": "tapering"})),
    }


# other spellings of the data set names (after lower-casing and "-" -> "_")
_DATASET_ALIASES = {"office_caltech_surf": "office_caltech", "digits": "digits_shift"}


def _dataset_name(text, catalog):
    """The canonical name of a data set: the Python name (``digits_shift``); ``digits-shift``,
    upper case and the older ``office-caltech-surf`` are accepted too."""
    key = text.strip().lower().replace("-", "_")
    key = _DATASET_ALIASES.get(key, key)
    if key not in catalog:
        raise UserError(
            f"unknown --dataset {text!r}; choose from {', '.join(catalog)} "
            "(see `skt datasets`)"
        )
    return key


def _split_task(task, names):
    parts = task.split(":")
    if len(parts) != 2 or parts[0] not in names or parts[1] not in names or parts[0] == parts[1]:
        raise UserError(
            f"unknown task {task!r}; write SOURCE:TARGET with two different domains among "
            f"{', '.join(names)}"
        )
    return names[parts[0]], names[parts[1]]


# -- compare -----------------------------------------------------------------------------------


def _scale_out(args):
    """Context manager for the joblib backend: local, a Dask scheduler, or a LocalCluster."""
    import contextlib

    import joblib

    if not args.scheduler and not args.dask:
        return contextlib.nullcontext()
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UserError(
            "--scheduler/--dask need Dask: python -m pip install 'skt[dask]'"
        ) from None
    stack = contextlib.ExitStack()
    if args.scheduler:
        try:
            client = stack.enter_context(Client(args.scheduler, timeout="10s"))
        except OSError as exc:
            raise UserError(f"cannot reach the Dask scheduler {args.scheduler!r}: {exc}") from None
    else:
        cluster = stack.enter_context(LocalCluster(n_workers=2, threads_per_worker=1,
                                                   processes=True, dashboard_address=None))
        client = stack.enter_context(Client(cluster))
    print(f"dask: {client.scheduler_info()['address']}, "
          f"{len(client.scheduler_info()['workers'])} workers", file=sys.stderr)
    stack.enter_context(joblib.parallel_config(backend="dask"))
    return stack


def _compare(args):

    catalog = _datasets()
    args.dataset = _dataset_name(args.dataset, catalog)
    _, default_tasks, all_tasks, loader = catalog[args.dataset]
    tasks = args.task or default_tasks
    if tasks == ["all"]:
        tasks = all_tasks
    for task in tasks:
        if task not in all_tasks:
            raise UserError(
                f"unknown --task {task!r} for {args.dataset}; choose from "
                f"{', '.join(all_tasks)} or all"
            )
    names = _parse_methods(args.methods)
    _final_estimator(args.estimator)  # fail early on a bad name
    if args.n_splits < 2:
        raise UserError(f"--n-splits must be >= 2; got {args.n_splits}")
    _check_outputs(args)
    data = {task: _load(loader, task, args.data_home) for task in tasks}

    with _scale_out(args):
        rows = _run_all(args, tasks, names, data)
    rows.sort(key=lambda r: (tasks.index(r["task"]), _ROW_ORDER.get(r["method"], 2)))
    _print_table(rows, args.protocol)
    if args.csv:
        _write_csv(rows, args.csv)
    if args.json:
        _write_json(rows, args.json)
    if args.plot:
        _plot(rows, args.plot)
    failed = [r for r in rows if r["error"]]
    if failed:
        print(f"\nskt: {len(failed)} of {len(rows)} runs failed (rows marked FAILED); the "
              "other rows are complete" + (" and written" if args.csv or args.json or args.plot
                                           else ""), file=sys.stderr)
        return 1
    return 0


def _load(loader, task, data_home):
    try:
        return loader(task, data_home)
    except OSError as exc:  # missing, corrupt or undownloadable files: the loader says it all
        raise UserError(str(exc)) from None


def _run_all(args, tasks, names, data):
    """The rows of every method and baseline on every task.

    Every (task, method, fold) fit is one job, and all of them go to joblib in one batch, so
    that ``--n-jobs`` workers stay busy to the end (one batch per method would leave workers
    idle at the end of each); the baselines are fitted once per task. A failing fit fills its
    method's row with the error and every other row is still computed.
    """
    from sklearn.utils.parallel import Parallel, delayed
    from tqdm.auto import tqdm

    from skt.model_selection import SourceTargetShuffleSplit
    from skt.model_selection._report import _report_from_results, _report_jobs, _report_plan

    plans, jobs, task_errors = {}, [], {}
    for task in tasks:
        X, y, sd = data[task]
        if args.protocol == "transductive":
            # the published protocol: train on every row (target labels hidden), score on
            # every target row; one split, so no spread and no interval
            cv = [(np.arange(len(y)), np.flatnonzero(sd < 0))]
        else:
            cv = SourceTargetShuffleSplit(n_splits=args.n_splits, test_size=0.5,
                                          random_state=args.random_state)
        try:
            estimators = {name: _methods()[name][1](_final_estimator(args.estimator))
                          for name in names}
            plan = _report_plan(estimators, X, y, sd, cv=cv, baseline=_baseline(args.estimator),
                                scoring=None, hide_target_labels=True, confidence=0.95,
                                who="skt compare")
        except Exception as exc:  # noqa: BLE001 (recorded in the task's rows)
            task_errors[task] = _error(exc, task, "every method")
            continue
        if args.protocol == "transductive":
            # target-only would be scored on the rows it was trained on: not fitted at all
            plan["methods"] = [m for m in plan["methods"] if m[0] != _TARGET_ONLY]
            plan["with_target_only"] = False
        plans[task] = plan
        jobs.extend((task, name, job) for name, job in _report_jobs(plan))

    bar = tqdm(total=len(jobs), disable=args.quiet, unit="fit", file=sys.stderr)
    results = {}
    with bar:
        parallel = Parallel(n_jobs=args.n_jobs, return_as="generator")
        for (task, name, _), result in zip(
            jobs, parallel(delayed(_safe_fit_and_score)(*job) for _, _, job in jobs),
            strict=True,
        ):
            results.setdefault((task, name), []).append(result)
            bar.set_description(f"{task} {name}")
            bar.update()

    rows = []
    for task in tasks:
        if task in task_errors:
            rows.extend(_row(task, n, error=task_errors[task]) for n in [_SOURCE_ONLY, *names])
            continue
        plan = plans[task]
        method_names = [m[0] for m in plan["methods"]]
        errors = {}
        for name in method_names:
            failed = [r[3] for r in results[(task, name)] if r[3]]
            if failed:
                errors[name] = _error_text(failed[0], task, name)
        for baseline in (_SOURCE_ONLY, _TARGET_ONLY):
            if baseline in errors:  # no gains without the baselines: say so in every row
                for name in method_names:
                    errors.setdefault(name, f"the {baseline} baseline failed: {errors[baseline]}")
        ok = [name for name in method_names if name not in errors]
        by_name = {}
        if ok:
            kept = dict(plan, methods=[m for m in plan["methods"] if m[0] in ok])
            report = _report_from_results(
                kept, [r[:2] for name in ok for r in results[(task, name)]]
            )
            for row in report:
                seconds = sum(r[2] for r in results[(task, row["method"])])
                by_name[row["method"]] = _row(task, row["method"], row, wall_time=seconds)
        for name, error in errors.items():
            by_name[name] = _row(task, name, error=error)
        rows.extend(by_name[name] for name in method_names)
    return rows


def _safe_fit_and_score(*job):
    """``(score, fit_time, seconds, error)`` of one fold: a failure is returned, not raised."""
    from skt.model_selection._report import _fit_and_score

    start = time.perf_counter()
    try:
        score, fit_time = _fit_and_score(*job)
    except Exception as exc:  # noqa: BLE001 (any failure of a method is recorded in its row)
        return math.nan, math.nan, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    return score, fit_time, time.perf_counter() - start, ""


def _error(exc, task, name):
    return _error_text(f"{type(exc).__name__}: {exc}", task, name)


def _error_text(error, task, name):
    print(f"skt: {name} failed on {task}: {error}", file=sys.stderr)
    return error


_SOURCE_ONLY, _TARGET_ONLY = "source-only", "target-only"


# the columns of the table files; negative_transfer is the table's neg.transfer (significantly
# worse than source-only, transfer_report's adaptation_hurts); worse_than_target_only is
# transfer_report's negative_transfer (significantly worse than the target-only oracle)
_COLUMNS = ("task", "method", "score", "score_std", "gain", "gain_low", "gain_high",
            "gain_vs_target", "gain_vs_target_low", "gain_vs_target_high", "negative_transfer",
            "worse_than_target_only", "fit_time", "wall_time", "error")
_RENAMED = {"adaptation_hurts": "negative_transfer",
            "negative_transfer": "worse_than_target_only"}


def _row(task, method, report_row=None, *, wall_time=math.nan, error=""):
    row = dict.fromkeys(_COLUMNS, math.nan)
    row.update(task=task, method=method, negative_transfer=None, worse_than_target_only=None,
               wall_time=wall_time, error=error)
    for key, value in (report_row or {}).items():
        if key != "method":
            row[_RENAMED.get(key, key)] = value
    return row


def _check_outputs(args):
    """Every output file can be written: checked before any work, so none is lost at the end."""
    seen = {}
    for option, path in (("--csv", args.csv), ("--json", args.json), ("--plot", args.plot)):
        if not path:
            continue
        full = os.path.abspath(path)
        if full in seen:
            raise UserError(f"{seen[full]} and {option} name the same file {path!r}; give "
                            "each its own")
        seen[full] = option
        folder = os.path.dirname(full)
        if os.path.isdir(full):
            raise UserError(f"{option} {path!r} is a folder; give a file name")
        if not os.path.isdir(folder):
            raise UserError(f"{option} {path!r}: the folder {folder} does not exist; create "
                            "it first")
        if not os.access(folder, os.W_OK) or (os.path.exists(full)
                                              and not os.access(full, os.W_OK)):
            raise UserError(f"{option} {path!r} cannot be written (permission denied)")
    if args.plot:
        _pyplot()


_ROW_ORDER = {"source-only": 0, "target-only": 1}


def _baseline(estimator_name):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), _final_estimator(estimator_name))


def _print_table(rows, protocol):
    header = (f"{'task':<10} {'method':<16} {'target acc':>17} {'gain vs source-only':>26} "
              f"{'neg.transfer':>12} {'fit s':>7}")
    print(header)
    print("-" * len(header))
    for r in rows:
        if r["error"]:
            print(f"{r['task']:<10} {r['method']:<16} FAILED: {r['error']}")
            continue
        acc = f"{100 * r['score']:6.2f} +- {100 * r['score_std']:5.2f}"
        if np.isnan(r["score_std"]):  # one split: no spread, no interval
            acc = f"{100 * r['score']:6.2f}"
        negative = "YES" if r["negative_transfer"] else "no"
        gain = (f"{100 * r['gain']:+6.2f} [{100 * r['gain_low']:+6.2f}, "
                f"{100 * r['gain_high']:+6.2f}]")
        if np.isnan(r["gain_low"]):
            gain = f"{100 * r['gain']:+6.2f}"
            negative = "n/a"
        if r["method"] == "source-only":
            gain, negative = "--", "--"
        if r["method"] == "target-only":
            negative = "(oracle)"
        print(f"{r['task']:<10} {r['method']:<16} {acc:>17} {gain:>26} {negative:>12} "
              f"{r['fit_time']:7.3f}")
    if protocol == "transductive":
        print("\nOne split (the published protocol): no spread, no interval, no neg.transfer "
              "flag (n/a).")
    else:
        print("\ngain: target accuracy minus source-only's on the same folds, with its 95% "
              "interval (corrected\nresampled t, floored by the sampling variance of the test "
              "rows). neg.transfer: YES when the\nmethod is significantly worse than "
              "source-only, the same classifier without adaptation\n(the interval lies below "
              "0). target-only is an oracle: it trains on target labels no other\nmethod "
              "sees, and is not a bar a method without target labels is expected to reach.")


def _json_value(value):
    """A value strict JSON can hold: NumPy scalars as Python ones, NaN and infinity as null
    (``NaN`` tokens are not JSON, and strict parsers reject them)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _write_json(rows, path):
    rows = [{key: _json_value(value) for key, value in row.items()} for row in rows]
    with open(path, "w") as f:
        json.dump(rows, f, indent=2, allow_nan=False, default=float)


def _write_csv(rows, path):
    import csv

    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
        writer.writeheader()
        writer.writerows(rows)


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError("--plot needs matplotlib: python -m pip install 'skt[plot]'") from None
    return plt


def _plot(rows, path):
    plt = _pyplot()
    rows = [r for r in rows if not r["error"]]
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(methods) * len(tasks)), 3.5))
    width = 0.8 / max(len(methods), 1)
    for j, method in enumerate(methods):
        xs, ys, es = [], [], []
        for i, task in enumerate(tasks):
            match = [r for r in rows if r["task"] == task and r["method"] == method]
            if match:
                xs.append(i + j * width)
                ys.append(100 * match[0]["score"])
                es.append(100 * match[0]["score_std"])
        ax.bar(xs, ys, width, yerr=es, label=method, capsize=2)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(tasks))], tasks)
    ax.set_ylabel("target accuracy (%)")
    ax.legend(fontsize="small", ncols=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# -- datasets / methods ------------------------------------------------------------------------


def _list_datasets(args):
    from skt.datasets import get_data_home, list_datasets

    print(f"data home: {get_data_home(args.data_home)}")
    status = {d["name"]: d for d in list_datasets(args.data_home)}
    for name, (descr, default, tasks, _) in _datasets().items():
        print(f"\n{name}: {descr}")
        print(f"  tasks: {', '.join(tasks)} (default {', '.join(default)})")
        files = status[name]["files"] if name in status else []
        if not files:
            print("  files: none needed")
        for file in files:
            print(f"  {file['path']}: {file['status']}")
    return 0


def _list_methods(args):
    for name, (descr, _) in _methods().items():
        default = " (default)" if name in DEFAULT_METHODS else ""
        print(f"{name:<16} {descr}{default}")
    return 0


# -- entry point -------------------------------------------------------------------------------


def _parser():
    parser = argparse.ArgumentParser(
        prog="skt", description="Compare transfer-learning methods (scikit-learn compatible)."
    )
    sub = parser.add_subparsers(dest="command")

    compare = sub.add_parser(
        "compare",
        help="cross-validate transfer methods and the baselines on a data set",
        description="Cross-validate transfer methods with the source-only and target-only "
        "baselines on the same folds (train: all source rows and half of the target rows, "
        "unlabeled; test: the other half) and print target accuracy, gain over source-only "
        "with a confidence interval, a negative-transfer flag (significantly worse than "
        "source-only) and fit time.",
        epilog="Exit status: 0 when every run succeeded; 1 when some method failed on some "
        "task (the error is in its row, every other row is printed and written); 2 for a "
        "mistake in the command line, an unwritable output file or missing data, reported "
        "before any work starts.",
    )
    compare.add_argument("--dataset", default="digits_shift",
                         help="data set: digits_shift (default, embedded), synthetic, "
                         "office_caltech, mnist_usps, coil20 or mushroom, the names of "
                         "skt.datasets ('-' for '_' is accepted); see `skt datasets`")
    compare.add_argument("--task", action="append",
                         help="SOURCE:TARGET task (or a shift kind for digits_shift and "
                         "synthetic); repeat for several, or 'all'")
    compare.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                         help="comma-separated method names (see `skt methods`)")
    compare.add_argument("--estimator", default="logreg",
                         help="final classifier: logreg (default), 1nn or linear-svm")
    compare.add_argument("--n-splits", type=int, default=5, help="number of folds (default 5)")
    compare.add_argument("--protocol", choices=["cv", "transductive"], default="cv",
                         help="cv (default): train on all source rows and half of the target "
                         "rows, score on the other half, n-splits times; transductive: the "
                         "published protocol, train on every row and score on every target "
                         "row, once (no target-only baseline, no intervals)")
    compare.add_argument("--n-jobs", type=int, default=None,
                         help="joblib workers over methods x folds")
    compare.add_argument("--scheduler", help="address of a Dask scheduler to run the folds on")
    compare.add_argument("--dask", action="store_true",
                         help="start a local Dask cluster (2 workers) and run the folds on it")
    compare.add_argument("--random-state", type=int, default=0, help="seed of the splits")
    compare.add_argument("--data-home", help="folder of the benchmark files (else "
                         "SKT_DATA_HOME, else the user cache)")
    compare.add_argument("--csv", help="write the table as CSV to this file")
    compare.add_argument("--json", help="write the table as JSON to this file")
    compare.add_argument("--plot", help="write a bar chart (PNG) to this file")
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    compare.set_defaults(func=_compare)

    ds = sub.add_parser("datasets", help="list data sets, their tasks and where files are found",
                        description="List the data sets skt compare knows, their tasks, and "
                        "the status of their files in the data home.")
    ds.add_argument("--data-home", help="folder of the benchmark files")
    ds.set_defaults(func=_list_datasets)

    me = sub.add_parser("methods", help="list the transfer methods skt compare can run",
                        description="List the method names accepted by --methods.")
    me.set_defaults(func=_list_methods)
    return parser


def main(argv=None):
    """Run the ``skt`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["compare", *(argv or [])])
    try:
        return args.func(args)
    except UserError as exc:
        print(f"skt: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
