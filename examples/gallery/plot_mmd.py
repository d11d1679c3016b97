"""
Measuring a shift with the MMD
==============================

The maximum mean discrepancy (MMD) is the distance between the kernel mean embeddings of two
samples: zero when they come from the same distribution, larger as they move apart. skt
computes it with Numba kernels, blockwise, without an n x m kernel matrix, and tests it by
permutations (:func:`skt.metrics.mmd_test`). Before adapting anything, it answers two
questions: is there a shift at all, and does an adapter make the domains closer?

The data: the digits of :func:`skt.datasets.load_digits_shift`, source images against target
images for each transformation, and, as a control, the untransformed odd images.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import skt
from skt.metrics import median_heuristic, mmd, mmd_test

rng = np.random.RandomState(0)
n = 300  # rows per domain: enough for a clear answer, few enough for a fast test


def domains(kind):
    """A random sample of source and target images, grey levels scaled to [0, 1]."""
    if kind == "none":  # even against odd images, both untransformed
        images = load_digits().data / 16
        source, target = images[::2], images[1::2]
    else:
        X, _, sample_domain = skt.datasets.load_digits_shift(kind)
        source, target = X[sample_domain > 0] / 16, X[sample_domain < 0] / 16
    return (source[rng.choice(len(source), n, replace=False)],
            target[rng.choice(len(target), n, replace=False)])


kinds = ["none", "rotation", "blur", "thickness", "scale"]
samples = {kind: domains(kind) for kind in kinds}
gamma = median_heuristic(*samples["none"], random_state=0)  # one bandwidth for every pair
results = {kind: mmd_test(Xs, Xt, gamma=gamma, n_permutations=200, random_state=0)
           for kind, (Xs, Xt) in samples.items()}
for kind, result in results.items():
    print(f"{kind:10} MMD^2 {result.statistic:.4f}  p-value {result.pvalue:.3f}")

# %%
# Does an adapter close the gap? CORAL re-colours the source rows with the target's
# covariance; the MMD after it says how much closer the two samples are (a smaller MMD is
# necessary for a better target model, not sufficient: it ignores the labels).

after = {}
for kind in kinds[1:]:
    Xs, Xt = samples[kind]
    X = np.vstack([Xs, Xt])
    sample_domain = np.r_[np.ones(n, int), -np.ones(n, int)]
    Z = skt.CORAL(match_mean=True).fit_transform(X, sample_domain=sample_domain)
    after[kind] = mmd(Z[:n], Z[n:], gamma=gamma)
    print(f"{kind:10} MMD^2 after CORAL {after[kind]:.4f}")

# %%
# Left: the MMD of each pair, before and after CORAL, and the permutation p-value (0.005 is
# the smallest 200 permutations can give). Right: the null distribution of the control pair's
# test against the observed statistics: the shifted pairs are far beyond any permutation.

fig, (bars, hist) = plt.subplots(1, 2, figsize=(10, 3.8))
x = np.arange(len(kinds))
bars.bar(x - 0.2, [results[k].statistic for k in kinds], 0.4, label="source vs target")
bars.bar(x[1:] + 0.2, [after[k] for k in kinds[1:]], 0.4, label="after CORAL")
for i, kind in enumerate(kinds):
    bars.annotate(f"p={results[kind].pvalue:.3f}", (i - 0.2, results[kind].statistic),
                  ha="center", va="bottom", fontsize=7)
bars.set_xticks(x, kinds)
bars.set_ylabel("MMD$^2$ (Gaussian kernel)")
bars.legend(fontsize="small")
null = results["none"].null_distribution
observed = [results[k].statistic for k in kinds]
bins = np.geomspace(min(null.min(), min(observed)) / 1.2, max(observed) * 1.2, 60)
hist.hist(null, bins=bins, color="0.6", label="null distribution (permutations)")
for kind, colour in (("none", "k"), ("rotation", "tab:blue"), ("thickness", "tab:red")):
    hist.axvline(results[kind].statistic, color=colour, ls="--", label=f"{kind}, observed")
hist.set_xscale("log")
hist.set_xlabel("MMD$^2$ (log scale)")
hist.legend(fontsize="small")
fig.tight_layout()
