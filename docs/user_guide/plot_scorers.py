"""Figure of the model-selection guide: each unsupervised scorer against true target accuracy.

Run ``python docs/user_guide/plot_scorers.py RESULTS.csv [MORE.csv ...]`` with the CSV files
written by ``python benchmarks/bench_scorers.py --csv RESULTS.csv``; it writes ``scorers.png``
beside itself. Without a CSV it first runs the benchmark's synthetic tasks (a few minutes).

Each point is one grid point of one pipeline on one task. Scorer values and accuracies live on
different scales from task to task, so both axes are centred per (task, pipeline): the x axis
is the scorer value in standard deviations from that group's mean, the y axis the target
accuracy minus the group's mean accuracy. A scorer that selects well puts its points on a
rising diagonal (the black line joins the mean accuracy at each rank); the title gives its mean
Spearman correlation over the groups.
"""

import csv
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

OUT = Path(__file__).with_name("scorers.png")
ROOT = Path(__file__).resolve().parents[2]
SCORERS = ["source accuracy", "IWCV", "entropy", "SND", "reverse val.", "DEV"]
COLORS = {"CORAL": "tab:blue", "SA": "tab:orange", "KMM": "tab:green"}


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def centred(rows, scorer):
    """Per (task, method) group: (x, y, method) points and the group's Spearman rho."""
    groups = {}
    for row in rows:
        groups.setdefault((row["task"], row["method"]), []).append(row)
    points, rhos = [], []
    for (_, method), group in groups.items():
        values = np.array([float(r[scorer]) for r in group])
        accuracy = np.array([float(r["target_accuracy"]) for r in group])
        ok = np.isfinite(values)
        if ok.sum() < 3 or np.std(values[ok]) == 0 or np.std(accuracy[ok]) == 0:
            continue
        # a rank transform keeps one wild value (DEV's control variate can explode) readable
        ranks = np.argsort(np.argsort(values[ok])).astype(float)
        x = (ranks - ranks.mean()) / ranks.std()
        y = accuracy[ok] - accuracy[ok].mean()
        points += [(a, b, method) for a, b in zip(x, y, strict=True)]
        rhos.append(spearmanr(values[ok], accuracy[ok])[0])
    return points, (np.mean(rhos) if rhos else np.nan)


def main():
    if len(sys.argv) > 1:
        rows = [row for path in sys.argv[1:] for row in read(path)]
    else:
        path = Path(tempfile.mkdtemp()) / "scorers.csv"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "bench_scorers.py"),
                "--no-office",
                "--csv",
                str(path),
            ],
            check=True,
        )
        rows = read(path)
    fig, axes = plt.subplots(2, 3, figsize=(11, 6.5), sharey=True)
    for ax, scorer in zip(axes.ravel(), SCORERS, strict=True):
        points, rho = centred(rows, scorer)
        for method, color in COLORS.items():
            xy = np.array([(a, b) for a, b, m in points if m == method])
            if xy.size:
                ax.scatter(xy[:, 0], 100 * xy[:, 1], s=12, alpha=0.6, color=color, label=method)
        if points:
            # the mean accuracy at each rank position: a scorer that selects well rises
            xs = np.array([p[0] for p in points])
            ys = np.array([p[1] for p in points])
            levels = np.unique(np.round(xs, 6))
            means = [100 * ys[np.isclose(xs, level)].mean() for level in levels]
            ax.plot(levels, means, color="black", lw=1.5, marker="o", ms=3, label="mean")
        ax.axhline(0, color="0.7", lw=0.8)
        ax.set_title(f"{scorer}  (mean Spearman {rho:+.2f})", fontsize=10)
        ax.set_xlabel("scorer rank within task (standardized)", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("target accuracy - task mean (points)", fontsize=8)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    suites = sorted({r.get("suite", "") for r in rows})
    fig.suptitle(
        "Unsupervised scorers vs true target accuracy over hyperparameter grids "
        f"({', '.join(s for s in suites if s)})",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(OUT, dpi=100)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
