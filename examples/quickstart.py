"""Quick start: adapt a classifier to a shifted target domain and print target accuracy.

The data: a covariate shift (``make_domain_shift("covariate")``). The target rows lie in
another region of the feature space than most source rows, and the labels of both follow the
same curved rule (p(x) moves, p(y | x) does not). A logistic regression trained on the
labeled source rows fits the rule where the source rows are, and is wrong where the target rows
are. Reweighting is the method made for this shift: it trains the same model on the source rows
weighted by the density ratio p_target(x) / p_source(x), so that the fit favours the source rows
that look like target rows. (Alignment methods such as CORAL or Subspace Alignment are made for
a change of the feature space itself, ``make_domain_shift("subspace")``; on this shift they have
nothing to align.)

Each reweighting runs with its defaults: the weights are flattened as importance-weighted
cross-validation on the source rows advises (``flatten="auto"``). Target labels are hidden
during training (masked as -1) and only used to print the accuracy.
"""

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt


def main():
    X, y, sample_domain = skt.datasets.make_domain_shift(
        "covariate", n_samples_source=500, n_samples_target=500, random_state=0
    )
    y_train = skt.mask_target_labels(y, sample_domain)  # target labels hidden as -1
    target = sample_domain < 0
    models = {
        "no adaptation": skt.SourceOnly(LogisticRegression()),
        "uLSIF weighting": skt.ULSIF(LogisticRegression(), random_state=0),
        "RuLSIF weighting": skt.RULSIF(LogisticRegression(), random_state=0),
        "KMM weighting": skt.KMM(LogisticRegression()),
    }
    print(f"{'method':<20} target accuracy")
    for name, model in models.items():
        pipe = make_pipeline(StandardScaler(), model)
        pipe.fit(X, y_train)
        print(f"{name:<20} {pipe.score(X[target], y[target]):.3f}")


if __name__ == "__main__":
    main()
