"""Do the reweighting defaults collapse in high dimension? Old defaults, new defaults, source-only.

Two kinds of task, each a logistic regression after ``StandardScaler`` (the scaler fitted on
the pooled rows, as in a pipeline), accuracy (%) on every target row:

- **collapse** ("hd400"): 400 standardised Gaussian features, 600 rows per domain, the target
  mean moved by 0.1 along every feature (a modest shift per feature, a large one in total: the
  true density ratio has an effective sample size of about 2% of the source rows), labels
  from one linear rule for both domains. The model is well specified, so weighting can only
  add variance: here KMM's and discriminative weighting's default weights lost 4-9 points to
  source-only, as on the 400-feature text benchmark of issue 15.
- **covariate shift** ("cov2", "cov5-3c"): ``make_domain_shift("covariate")`` (2 features,
  2 classes; 5 features, 3 classes), 300 rows per domain: a curved rule that a linear model
  fits well only where the source rows are; weighting towards the target region wins there.

For each method: "old" is the plain method with the defaults before issue 15 (``flatten=1``:
the estimator is trained with the full weights; the domain classifier a ``LogisticRegression()``
with ``C=1``), "new" today's defaults (``flatten="auto"``: the flattening exponent of best
importance-weighted cross-validation score; the domain classifier's ``C`` chosen by
cross-validated log-loss), both fitted in this process. The last columns give the exponent
chosen and the effective sample size of the training weights (% of the source rows).

Run ``python benchmarks/bench_reweight_defaults.py`` (a few minutes on 2 cores, BLAS on one
thread; ``--quick``: one seed per task).
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import skt


def make_high_dimensional_shift(seed, n_features=400, n_rows=600, shift=0.1):
    """The collapse case: a modest mean shift along every one of many standardised features."""
    rng = np.random.RandomState(seed)
    beta = 3 * rng.randn(n_features) / np.sqrt(n_features)
    X_source = rng.randn(n_rows, n_features)
    X_target = rng.randn(n_rows, n_features) + shift * rng.choice([-1, 1], n_features)
    X = np.vstack([X_source, X_target])
    y = (X @ beta + 0.5 * rng.randn(2 * n_rows) > 0).astype(np.int64)
    sample_domain = np.r_[np.ones(n_rows, np.int64), -np.ones(n_rows, np.int64)]
    return X, y, sample_domain


def tasks(quick):
    seeds = range(1) if quick else range(2)
    for seed in seeds:
        yield "collapse", f"hd400-{seed}", make_high_dimensional_shift(seed)
    for seed in range(1 if quick else 4):
        yield "covariate", f"cov2-{seed}", skt.datasets.make_domain_shift(
            "covariate", n_samples_source=300, n_samples_target=300, random_state=seed)
    for seed in seeds:
        yield "covariate", f"cov5-3c-{seed}", skt.datasets.make_domain_shift(
            "covariate", n_samples_source=300, n_samples_target=300, n_features=5,
            n_classes=3, random_state=seed)


def methods():
    """name -> (old, new): the estimator with the defaults before issue 15 and with today's.

    "old" is the plain method (``flatten=1``; for the domain classifier also its former
    default ``LogisticRegression()``, ``C=1``), "new" every default.
    """
    lr = lambda: LogisticRegression(max_iter=1000)  # noqa: E731
    out = {
        "KMM": (lambda: skt.KMM(lr(), flatten=1.0), lambda: skt.KMM(lr())),
        "KLIEP": (lambda: skt.KLIEP(lr(), random_state=0, flatten=1.0),
                  lambda: skt.KLIEP(lr(), random_state=0)),
        "uLSIF": (lambda: skt.ULSIF(lr(), random_state=0, flatten=1.0),
                  lambda: skt.ULSIF(lr(), random_state=0)),
        "discriminative": (
            lambda: skt.DiscriminativeReweighting(
                lr(), classifier=LogisticRegression(), flatten=1.0),
            lambda: skt.DiscriminativeReweighting(lr())),
        "nn-weighting": (lambda: skt.NearestNeighborsReweighting(lr(), flatten=1.0),
                         lambda: skt.NearestNeighborsReweighting(lr())),
    }
    if hasattr(skt, "RULSIF"):
        out["RuLSIF"] = (lambda: skt.RULSIF(lr(), random_state=0, flatten=1.0),
                         lambda: skt.RULSIF(lr(), random_state=0))
    return out


def run(quick):
    rows = []
    print(f"{'task':<12}{'method':<16}{'source-only':>12}{'old':>8}{'new':>8}"
          f"{'new - SO':>10}{'flatten_':>10}{'ESS %':>8}")
    for kind, name, (X, y, sd) in tasks(quick):
        y_train = skt.mask_target_labels(y, sd)
        target = sd < 0
        so = make_pipeline(StandardScaler(), skt.SourceOnly(LogisticRegression(max_iter=1000)))
        base = 100 * so.fit(X, y_train).score(X[target], y[target])
        for method, makers in methods().items():
            scores = {}
            for label, make in zip(("old", "new"), makers, strict=True):
                pipe = make_pipeline(StandardScaler(), make()).fit(X, y_train)
                scores[label] = 100 * pipe.score(X[target], y[target])
                fitted = pipe[-1]
            ess = 100 * fitted.effective_sample_size_ / len(fitted.weights_)
            rows.append((kind, method, base, scores["old"], scores["new"]))
            print(f"{name:<12}{method:<16}{base:>12.1f}{scores['old']:>8.1f}"
                  f"{scores['new']:>8.1f}{scores['new'] - base:>+10.1f}"
                  f"{fitted.flatten_:>10.2f}{ess:>8.1f}", flush=True)
    print("\nMean over tasks of accuracy minus source-only (points); worst case in brackets")
    print(f"{'method':<16}{'collapse old':>16}{'collapse new':>16}{'covariate old':>16}"
          f"{'covariate new':>16}")
    for method in methods():
        cells = []
        for kind in ("collapse", "covariate"):
            for col in (3, 4):
                d = np.array([r[col] - r[2] for r in rows if r[0] == kind and r[1] == method])
                cells.append(f"{d.mean():+6.1f} [{d.min():+5.1f}]")
        print(f"{method:<16}" + "".join(f"{c:>16}" for c in cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed per task")
    args = parser.parse_args()
    start = time.perf_counter()
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and low-ESS warnings: the table says it
        run(args.quick)
    print(f"\ntotal {time.perf_counter() - start:.0f} s (wall; the machine may be shared)")


if __name__ == "__main__":
    main()
