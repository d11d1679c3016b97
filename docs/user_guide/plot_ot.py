"""Draw an optimal-transport plan and the mapped source rows (optimal_transport.png).

Run from the repository root: ``python docs/user_guide/plot_ot.py``.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import skt  # noqa: E402

OUT = Path(__file__).with_name("optimal_transport.png")


def make_data(seed=0):
    """Three classes; the target is the source rotated by 25 degrees and moved."""
    rng = np.random.RandomState(seed)
    n = 60
    centres = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
    ys = yt = np.repeat(np.arange(3), n // 3)  # the same class proportions
    Xs = centres[ys] + rng.randn(n, 2) * 0.5
    a = np.deg2rad(25)
    R = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    Xt = (centres[yt] + rng.randn(n, 2) * 0.5) @ R.T + [5.0, 1.0]
    X = np.vstack([Xs, Xt])
    sd = np.r_[np.ones(n, int), -np.ones(n, int)]
    return X, np.r_[ys, -np.ones(n, int)], sd, yt


def main():
    X, y, sd, yt = make_data()
    src, tgt = sd > 0, sd < 0
    colours = np.array(["tab:blue", "tab:orange", "tab:green"])
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharex=True, sharey=True)
    panels = [
        ("exact plan (OTMapping('emd'))", skt.OTMapping("emd")),
        ("group-lasso plan (OTMapping('l1l2'))", skt.OTMapping("l1l2", reg_e=0.01, reg_cl=1.0)),
    ]
    for ax, (title, model) in zip(axes[:2], panels, strict=True):
        Z = model.fit_transform(X, y, sample_domain=sd)
        G = model.coupling_
        Xs, Xt = X[src], X[tgt]
        # one segment per pair carrying at least a third of its source row's largest mass
        keep = G >= G.max(axis=1, keepdims=True) / 3
        for i, j in zip(*np.nonzero(keep), strict=True):
            ax.plot(*zip(Xs[i], Xt[j], strict=True), color=colours[y[src]][i], lw=0.6,
                    alpha=0.5, zorder=1)
        ax.scatter(*Xs.T, c=colours[y[src]], marker="o", s=22, label="source rows")
        ax.scatter(*Xt.T, c="none", edgecolors="k", marker="s", s=22, label="target rows")
        ax.set_title(title + ": the plan", fontsize=10)
        if ax is axes[1]:
            axes[2].scatter(*Xt.T, c=colours[yt], marker="s", s=22, alpha=0.35,
                            label="target rows (true class)")
            axes[2].scatter(*Z[src].T, c=colours[y[src]], marker="o", s=22,
                            edgecolors="k", linewidths=0.4, label="mapped source rows")
    axes[0].legend(loc="lower left", fontsize=8)
    axes[2].set_title("source rows mapped by the group-lasso plan", fontsize=10)
    axes[2].legend(loc="lower left", fontsize=8)
    for ax in axes:
        ax.set_aspect("equal")
    fig.tight_layout()
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
