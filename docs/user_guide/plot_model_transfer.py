"""Figure of the model-transfer user guide: target accuracy against lam and against the number
of labeled target rows.

Left: accuracy on the unlabeled target rows of :class:`skt.RegularTransferClassifier` as
``lam`` grows, for a relevant source, an irrelevant one (source labels redrawn at random) and
an adversarial one (every source label flipped), with 20 labeled target rows; the dotted line is
``LogisticRegression`` on the labeled target rows alone (the relevant and adversarial draws
share their labeled rows, hence one dotted line for both). Right: accuracy against the number of
labeled target rows, for the relevant source, of ``lam`` chosen by cross-validation over the
labeled target rows, of target only and of source only. Mean over 10 draws of the synthetic
concept shift of ``make_domain_shift`` (300 source and 300 target rows).

Run ``python docs/user_guide/plot_model_transfer.py``; it writes ``model_transfer.png`` beside
itself (about a minute).
"""

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

import skt  # noqa: E402
from skt.model_selection import StratifiedTargetKFold  # noqa: E402

OUT = Path(__file__).with_name("model_transfer.png")
LAMS = np.logspace(-4, 2, 13)
SEEDS = range(10)


def draw(seed, source_labels, n_labeled):
    X, y, sd = skt.datasets.make_domain_shift(
        "concept", shift=0.25, n_samples_source=300, n_samples_target=300, random_state=seed
    )
    rng = np.random.RandomState(seed)
    source = sd > 0
    if source_labels == "irrelevant":
        y[source] = rng.randint(2, size=source.sum())
    elif source_labels == "adversarial":
        y[source] = 1 - y[source]
    target = np.flatnonzero(~source)
    labeled = rng.choice(target, n_labeled, replace=False)
    test = np.setdiff1d(target, labeled)
    y_train = y.copy()
    y_train[test] = -1
    return X, y, sd, y_train, test


def accuracy_against_lam(source_labels, n_labeled=20):
    scores, target_only = [], []
    for seed in SEEDS:
        X, y, sd, y_train, test = draw(seed, source_labels, n_labeled)
        source_model = LogisticRegression().fit(X[sd > 0], y[sd > 0])
        scores.append([
            skt.RegularTransferClassifier(source_model, lam=lam)
            .fit(X, y_train, sample_domain=sd).score(X[test], y[test])
            for lam in LAMS
        ])
        target_only.append(skt.TargetOnly().fit(X, y_train, sample_domain=sd)
                           .score(X[test], y[test]))
    return np.mean(scores, axis=0), np.mean(target_only)


def accuracy_against_labels(sizes):
    curves = {"lam by CV": [], "target only": [], "source only": []}
    for n_labeled in sizes:
        runs = {k: [] for k in curves}
        for seed in SEEDS:
            X, y, sd, y_train, test = draw(seed, "relevant", n_labeled)
            rows = (sd > 0) | (y_train != -1)
            grid = GridSearchCV(
                skt.RegularTransferClassifier(), {"lam": [1e-3, 1e-2, 1e-1, 1.0]},
                cv=StratifiedTargetKFold(3, shuffle=True, random_state=seed),
            )
            grid.fit(X[rows], y_train[rows], groups=sd[rows], sample_domain=sd[rows])
            runs["lam by CV"].append(grid.score(X[test], y[test]))
            runs["target only"].append(
                skt.TargetOnly().fit(X, y_train, sample_domain=sd).score(X[test], y[test])
            )
            runs["source only"].append(
                skt.SourceOnly().fit(X, y_train, sample_domain=sd).score(X[test], y[test])
            )
        for k in curves:
            curves[k].append(np.mean(runs[k]))
    return curves


def main():
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    warnings.filterwarnings("ignore", message="The least populated class")
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for source_labels, color in (("relevant", "C0"), ("irrelevant", "C1"),
                                 ("adversarial", "C3")):
        scores, target_only = accuracy_against_lam(source_labels)
        left.semilogx(LAMS, scores, "o-", color=color, label=f"{source_labels} source")
        left.axhline(target_only, color=color, linestyle=":")
    left.set_xlabel("lam")
    left.set_ylabel("target accuracy")
    left.set_title("20 labeled target rows (dotted: target only)")
    left.legend(loc="lower left")
    sizes = [6, 10, 20, 40, 80]
    for name, values in accuracy_against_labels(sizes).items():
        right.plot(sizes, values, "o-", label=name)
    right.set_xlabel("labeled target rows")
    right.set_title("relevant source")
    right.legend()
    fig.tight_layout()
    fig.savefig(OUT, dpi=100)


if __name__ == "__main__":
    main()
