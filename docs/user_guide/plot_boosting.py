"""Figure of the boosting user guide: where TrAdaBoost puts the weight, round after round.

Left: share of the total weight held by the source rows when each learner is trained, for a
relevant source, an irrelevant one (each label flipped with probability 1/2) and an adversarial
one (every label flipped); mean over 5 draws. Right: accuracy on the unlabeled target rows of
the model after each round (``staged_predict``), against the same tree on the 30 labeled target
rows alone.

Run ``python docs/user_guide/plot_boosting.py``; it writes ``boosting_weights.png`` beside
itself (about ten seconds).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

import skt  # noqa: E402

OUT = Path(__file__).with_name("boosting_weights.png")
TREE = DecisionTreeClassifier(max_depth=3, random_state=0)
N_ROUNDS, N_LABELED, SEEDS = 40, 30, range(5)


def draw(seed, source_labels):
    """Concept shift, 300 source and 300 target rows, 30 target labels kept."""
    X, y, sd = skt.datasets.make_domain_shift(
        "concept", shift=0.25, n_samples_source=300, n_samples_target=300, random_state=seed
    )
    source = sd > 0
    target = np.flatnonzero(~source)
    # the same labeled target rows whatever the source labels
    labeled = np.random.RandomState(seed).choice(target, N_LABELED, replace=False)
    if source_labels == "irrelevant":
        y[source] = np.random.RandomState(seed + 1000).randint(2, size=source.sum())
    elif source_labels == "adversarial":
        y[source] = 1 - y[source]
    test = np.setdiff1d(target, labeled)
    y_train = y.copy()
    y_train[test] = -1
    return X, y_train, y, sd, test


def curves(source_labels, **params):
    mass, accuracy, alone = [], [], []
    for seed in SEEDS:
        X, y_train, y, sd, test = draw(seed, source_labels)
        model = skt.TrAdaBoostClassifier(TREE, n_estimators=N_ROUNDS, random_state=seed,
                                         **params)
        model.fit(X, y_train, sample_domain=sd)
        mass.append(model.source_weight_mass_)
        accuracy.append([np.mean(p == y[test]) for p in model.staged_predict(X[test])])
        target_only = skt.TargetOnly(TREE).fit(X, y_train, sample_domain=sd)
        alone.append(target_only.score(X[test], y[test]))
    # boosting may stop early (a learner no better than chance on the target): pad with NaN
    return _mean_padded(mass), _mean_padded(accuracy), np.mean(alone)


def _mean_padded(rows):
    padded = np.full((len(rows), N_ROUNDS), np.nan)
    for k, row in enumerate(rows):
        padded[k, : len(row)] = row
    return np.nanmean(padded, axis=0)


def main():
    rounds = np.arange(1, N_ROUNDS + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    styles = {"relevant": "C0", "irrelevant": "C1", "adversarial": "C3"}
    for source_labels, color in styles.items():
        mass, accuracy, alone = curves(source_labels)
        ax1.plot(rounds, mass, color=color, label=f"{source_labels} source")
        ax2.plot(rounds, accuracy, color=color, label=f"TrAdaBoost, {source_labels} source")
    ax2.axhline(alone, color="k", ls=":", lw=1.5, label="same tree, labeled target rows only")
    mass, _, _ = curves("relevant", initial_target_weight=None)
    ax1.plot(rounds, mass, color="C0", ls="--", label="relevant, uniform start")
    mass, _, _ = curves("relevant", initial_target_weight=None, dynamic_correction=True)
    ax1.plot(rounds, mass, color="C0", ls="-.", label="relevant, uniform start, dynamic")
    ax1.set_xlabel("boosting round")
    ax1.set_ylabel("source share of the total weight")
    ax1.set_ylim(-0.02, 1.02)
    ax1.set_title("Source weight mass (target: 1 - source)")
    ax1.legend(fontsize=8)
    ax2.set_xlabel("boosting round (staged_predict)")
    ax2.set_ylabel("accuracy on unlabeled target rows")
    ax2.set_title("Accuracy on the target after each round")
    ax2.legend(fontsize=8, loc="lower right")
    fig.suptitle(
        f"TrAdaBoostClassifier, concept shift, 300 source rows, {N_LABELED} labeled target "
        f"rows, depth-3 trees; mean of {len(SEEDS)} draws",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(OUT, dpi=100)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
