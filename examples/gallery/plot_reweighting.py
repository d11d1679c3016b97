"""
Instance reweighting under covariate shift
==========================================

Under covariate shift the labelling rule is the same in both domains and only the inputs move.
Weighting each source row by the density ratio ``p_target(x) / p_source(x)`` makes a model
fitted on the source rows fit where the target rows are. Here the source rows cover the left
of the input space, the target rows the right, and the classes are separated by a curved
boundary that a linear model fitted on the source alone gets wrong on the target side.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

import skt

rng = np.random.RandomState(0)
n = 300
X_source = rng.normal([-1.0, 0.0], [1.0, 1.0], size=(n, 2))
X_target = rng.normal([1.5, 0.0], [0.6, 1.0], size=(n, 2))
X = np.vstack([X_source, X_target])
y = (X[:, 1] > 0.5 * X[:, 0] ** 2 - 1.5).astype(int)  # the same rule in both domains
sample_domain = np.r_[np.ones(n, int), -np.ones(n, int)]
y_train = skt.mask_target_labels(y, sample_domain)  # target labels hidden as -1
target = sample_domain < 0

# %%
# Every reweighting method is a meta-estimator around any scikit-learn model that takes
# ``sample_weight``; the source-only baseline is the same model without weights.

methods = {
    "source-only": skt.SourceOnly(LogisticRegression()),
    "KMM": skt.KMM(LogisticRegression(), reg=1.0, random_state=0),
    "KLIEP": skt.KLIEP(LogisticRegression(), random_state=0),
    "uLSIF": skt.ULSIF(LogisticRegression(), random_state=0),
    "domain classifier": skt.DiscriminativeReweighting(
        LogisticRegression(),
        classifier=make_pipeline(PolynomialFeatures(2), LogisticRegression()),
        random_state=0,
    ),
}
accuracy, weights = {}, {}
for name, method in methods.items():
    pipe = make_pipeline(StandardScaler(), method).fit(X, y_train)
    accuracy[name] = 100 * pipe.score(X[target], y[target])
    if hasattr(pipe[-1], "weights_"):
        weights[name] = pipe[-1].weights_
    print(f"{name:18} target accuracy {accuracy[name]:5.1f} %")

# %%
# Left: the source rows drawn by their KMM weight; the rows near the target get the weight.
# Right: target accuracy of each method.

fig, (ax, bars) = plt.subplots(1, 2, figsize=(10, 4))
size = 40 * weights["KMM"] / weights["KMM"].mean()
ax.scatter(*X_source.T, s=size, c=y[:n], cmap="coolwarm", alpha=0.5, label="source (size: weight)")
ax.scatter(*X_target.T, s=8, c="k", marker="^", label="target")
ax.set_title("source rows weighted by KMM")
ax.legend(loc="lower left", fontsize="small", markerscale=0.4)
bars.barh(list(accuracy), list(accuracy.values()), color="tab:blue")
bars.axvline(accuracy["source-only"], color="k", ls="--", lw=1)
bars.set_xlim(50, 100)
bars.set_xlabel("target accuracy (%)")
fig.tight_layout()
