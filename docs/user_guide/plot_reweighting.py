"""Draw the weights of every reweighting method on a 1-D covariate shift (reweighting.png).

Source rows from N(0, 1), target rows from N(1, 0.5^2): the true density ratio is known, and each
panel shows a method's weights of the source rows against it. Also prints the correlation of
each method's weights with the true ratio (mean and range over 5 seeds), the numbers quoted in
reweighting.rst.

    python docs/user_guide/plot_reweighting.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import norm  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import PolynomialFeatures  # noqa: E402

from skt.reweight import (  # noqa: E402
    discriminative_weights,
    kliep_weights,
    kmm_weights,
    nearest_neighbors_weights,
    ulsif_weights,
)

METHODS = {
    "KMM (paper, reg=0)": lambda Xs, Xt: kmm_weights(Xs, Xt),
    "KMM, reg=1": lambda Xs, Xt: kmm_weights(Xs, Xt, reg=1.0),
    "KMM, Nystroem": lambda Xs, Xt: kmm_weights(Xs, Xt, approximation="nystroem",
                                                 random_state=0),
    "KLIEP": lambda Xs, Xt: kliep_weights(Xs, Xt, random_state=0),
    "uLSIF": lambda Xs, Xt: ulsif_weights(Xs, Xt, random_state=0),
    "domain classifier (logistic)": lambda Xs, Xt: discriminative_weights(Xs, Xt),
    "domain classifier (logistic on x, x^2)": lambda Xs, Xt: discriminative_weights(
        Xs, Xt, classifier=make_pipeline(PolynomialFeatures(2), LogisticRegression())
    ),
    "nearest neighbours, k=1": lambda Xs, Xt: nearest_neighbors_weights(Xs, Xt),
    "nearest neighbours, k=10": lambda Xs, Xt: nearest_neighbors_weights(Xs, Xt,
                                                                         n_neighbors=10),
}


def sample(seed, n=500):
    rng = np.random.RandomState(seed)
    Xs = rng.normal(0.0, 1.0, size=(n, 1))
    Xt = rng.normal(1.0, 0.5, size=(n, 1))
    ratio = norm.pdf(Xs[:, 0], 1.0, 0.5) / norm.pdf(Xs[:, 0], 0.0, 1.0)
    return Xs, Xt, ratio


def main():
    corr = {name: [] for name in METHODS}
    for seed in range(5):
        Xs, Xt, ratio = sample(seed)
        for name, method in METHODS.items():
            corr[name].append(np.corrcoef(method(Xs, Xt), ratio)[0, 1])
    print(f"{'method':<42} {'corr. seed 0':>12} {'mean (5 seeds)':>15} {'range':>16}")
    for name, values in corr.items():
        print(f"{name:<42} {values[0]:>12.3f} {np.mean(values):>15.3f} "
              f"{min(values):>7.3f}..{max(values):.3f}")

    Xs, Xt, ratio = sample(0)
    order = np.argsort(Xs[:, 0])
    fig, axes = plt.subplots(3, 3, figsize=(11, 8), sharex=True)
    for ax, (name, method) in zip(axes.ravel(), METHODS.items(), strict=True):
        w = method(Xs, Xt)
        scale = ratio.mean() / w.mean()  # compare shapes: same mean as the true ratio
        ax.plot(Xs[order, 0], w[order] * scale, ".", ms=3, color="C0", label="weights")
        ax.plot(Xs[order, 0], ratio[order], "-", color="C3", lw=1.5, label="true ratio")
        ax.set_title(f"{name}\ncorrelation {np.corrcoef(w, ratio)[0, 1]:.2f}", fontsize=9)
        ax.set_ylim(-0.2, 6)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    for ax in axes[-1]:
        ax.set_xlabel("x (source rows)")
    fig.suptitle("Weights of 500 source rows, N(0, 1) source and N(1, 0.5^2) target", fontsize=11)
    fig.tight_layout()
    out = Path(__file__).with_name("reweighting.png")
    fig.savefig(out, dpi=90)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
