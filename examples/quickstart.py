"""Quick start: adapt a classifier to a shifted target domain and print target accuracy.

A synthetic subspace shift (the target is the source seen through a rotation, a scaling and an
offset): a logistic regression trained on the labeled source rows, without adaptation and after
CORAL and Subspace Alignment.
"""

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skt


def main():
    X, y, sample_domain = skt.datasets.make_domain_shift(
        "subspace", n_samples_source=500, n_samples_target=500, random_state=0
    )
    y_train = skt.mask_target_labels(y, sample_domain)  # target labels hidden as -1
    target = sample_domain < 0
    adapters = {"no adaptation": "passthrough", "CORAL": skt.CORAL(),
                "SubspaceAlignment": skt.SubspaceAlignment()}
    print(f"{'method':<20} target accuracy")
    for name, adapter in adapters.items():
        pipe = make_pipeline(StandardScaler(), adapter, skt.SourceOnly(LogisticRegression()))
        print(f"{name:<20} {pipe.fit(X, y_train).score(X[target], y[target]):.3f}")


if __name__ == "__main__":
    main()
