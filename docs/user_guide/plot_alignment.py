"""Draw source and target rows before and after each alignment adapter (alignment.png).

Run from the repository root: ``python docs/user_guide/plot_alignment.py``.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import skt  # noqa: E402

OUT = Path(__file__).with_name("alignment.png")


def make_data(seed=0):
    """Two classes; the target is the source rotated, stretched and moved."""
    rng = np.random.RandomState(seed)
    n = 150
    ys = rng.randint(0, 2, n)
    yt = rng.randint(0, 2, n)
    centres = np.array([[-1.5, 0.0], [1.5, 0.0]])
    Xs = centres[ys] + rng.randn(n, 2) * [0.6, 1.2]
    angle = np.deg2rad(50)
    R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    Xt = (centres[yt] + rng.randn(n, 2) * [0.6, 1.2]) @ np.diag([1.3, 0.6]) @ R.T + [3.0, 2.0]
    X = np.vstack([Xs, Xt])
    y = np.r_[ys, yt]
    sd = np.r_[np.ones(n, int), -np.ones(n, int)]
    return X, y, sd


def scatter(ax, Z, y, sd, title):
    for dom, marker, label in ((1, "o", "source"), (-1, "^", "target")):
        for c, colour in ((0, "tab:blue"), (1, "tab:orange")):
            rows = (sd == dom) & (y == c)
            ax.scatter(Z[rows, 0], Z[rows, 1], s=12, marker=marker, c=colour,
                       alpha=0.35 if dom > 0 else 0.8,
                       label=f"{label}, class {c}" if title.startswith("before") else None)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def main():
    X, y, sd = make_data()
    y_train = skt.mask_target_labels(y, sd)
    rng = np.random.RandomState(1)
    panels = [("before adaptation", X)]
    panels.append(("CORAL (reg=0.1, match_mean=True)",
                   skt.CORAL(reg=0.1, match_mean=True).fit_transform(X, sample_domain=sd)))
    sa = skt.SubspaceAlignment(n_components=1).fit_transform(X, sample_domain=sd)
    # one component: draw it against a random jitter
    panels.append(("SubspaceAlignment (1 component)",
                   np.column_stack([sa[:, 0], rng.uniform(-1, 1, len(X))])))
    panels.append(("TCA (rbf kernel, 2 components)",
                   skt.TCA(2, kernel="rbf", mu=0.1, random_state=0).fit_transform(
                       X, sample_domain=sd)))
    panels.append(("JDA (rbf kernel, 2 components)",
                   skt.JDA(2, kernel="rbf", mu=0.1, random_state=0).fit_transform(X, y_train)))
    fa = skt.FeatureAugmentation().fit_transform(X, y, sample_domain=sd)
    # shared copy of the first feature against its target copy: source rows sit on the axis
    panels.append(("FeatureAugmentation: shared x1 vs target-block x1", fa[:, [0, 4]]))

    fig, axes = plt.subplots(2, 3, figsize=(11, 7))
    for ax, (title, Z) in zip(axes.ravel(), panels, strict=True):
        scatter(ax, Z, y, sd, title)
    axes[0, 0].legend(fontsize=7, loc="lower right")
    fig.suptitle("Source (circles) and target (triangles) rows, coloured by class", fontsize=11)
    fig.tight_layout()
    fig.savefig(OUT, dpi=90)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
