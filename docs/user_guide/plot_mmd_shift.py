"""Figure of the MMD user guide: MMD^2 against the size of a shift, and p-values under H0/H1.

Run ``python docs/user_guide/plot_mmd_shift.py``; it writes ``mmd_shift.png`` beside itself
(about ten seconds).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skt.metrics import median_heuristic, mmd, mmd_test  # noqa: E402

OUT = Path(__file__).with_name("mmd_shift.png")


def shifted(rng, n, d, shift):
    """Two Gaussian samples whose means differ by ``shift`` along the first axis."""
    X = rng.normal(size=(n, d))
    Y = rng.normal(size=(n, d))
    Y[:, 0] += shift
    return X, Y


def main():
    rng = np.random.default_rng(0)
    n, d = 200, 5
    shifts = np.linspace(0, 2, 21)
    X0, Y0 = shifted(rng, n, d, 0.0)
    gamma = median_heuristic(X0, Y0, random_state=0)
    factors = np.array([0.25, 1.0, 4.0])

    biased, unbiased, multi = [], [], []
    for s in shifts:
        runs = [shifted(rng, n, d, s) for _ in range(20)]
        biased.append([mmd(X, Y, gamma=gamma) for X, Y in runs])
        unbiased.append([mmd(X, Y, gamma=gamma, estimator="unbiased") for X, Y in runs])
        multi.append(np.mean([mmd(X, Y, gamma=gamma * factors, estimator="unbiased")
                              for X, Y in runs], axis=0))
    biased, unbiased, multi = np.array(biased), np.array(unbiased), np.array(multi)

    pvalues = {}
    for label, s in (("H0: no shift", 0.0), ("H1: shift 0.5", 0.5)):
        pvalues[label] = [
            mmd_test(*shifted(rng, 50, d, s), n_permutations=199, random_state=k).pvalue
            for k in range(300)
        ]

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for values, label in ((biased, "biased (V-statistic)"), (unbiased, "unbiased (U-statistic)")):
        mean, sd = values.mean(axis=1), values.std(axis=1)
        ax1.plot(shifts, mean, marker="o", ms=3, label=label)
        ax1.fill_between(shifts, mean - sd, mean + sd, alpha=0.2)
    for k, f in enumerate(factors):
        ax1.plot(shifts, multi[:, k], ls=":", lw=1, label=f"unbiased, gamma x {f:g}")
    ax1.axhline(0, color="grey", lw=0.5)
    ax1.set_xlabel("shift of the mean (in standard deviations)")
    ax1.set_ylabel("MMD$^2$ (Gaussian kernel)")
    ax1.set_title(f"n = m = {n}, d = {d}: mean +- sd of 20 draws", fontsize=10)
    ax1.legend(fontsize=8)

    grid = np.linspace(0, 1, 101)
    for label, p in pvalues.items():
        p = np.sort(p)
        ax2.plot(grid, np.searchsorted(p, grid, side="right") / len(p), label=label)
    ax2.plot([0, 1], [0, 1], color="grey", lw=0.5, ls="--", label="uniform")
    ax2.axvline(0.05, color="red", lw=0.5)
    ax2.set_xlabel("p-value")
    ax2.set_ylabel("fraction of tests with p-value <= x")
    ax2.set_title("mmd_test p-values of 300 tests, n = m = 50", fontsize=10)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT, dpi=100)
    print(f"wrote {OUT}")
    for label, p in pvalues.items():
        print(f"{label}: rejection rate at 0.05 = {np.mean(np.array(p) <= 0.05):.3f}")


if __name__ == "__main__":
    main()
