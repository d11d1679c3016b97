"""Quick start: adapt a classifier to a shifted target domain and print target accuracy.

Runs on a synthetic subspace shift (the target is the source seen through a rotation, a scaling
and an offset), trains a logistic regression on the labeled source rows only, and compares the
accuracy on the target rows without adaptation and after CORAL-style alignment is available.
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

    rows = []
    baseline = make_pipeline(StandardScaler(), skt.SourceOnly(LogisticRegression()))
    rows.append(("no adaptation", baseline.fit(X, y_train).score(X[target], y[target])))
    for name in ("CORAL", "SubspaceAlignment"):
        if hasattr(skt, name):
            pipe = make_pipeline(
                StandardScaler(), getattr(skt, name)(), skt.SourceOnly(LogisticRegression())
            )
            rows.append((name, pipe.fit(X, y_train).score(X[target], y[target])))
    print(f"{'method':<20} target accuracy")
    for name, acc in rows:
        print(f"{name:<20} {acc:.3f}")


if __name__ == "__main__":
    main()
