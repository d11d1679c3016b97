import numpy as np
import pytest
from scipy import stats

from skt.datasets import make_domain_shift

KINDS = ["covariate", "prior", "concept", "subspace"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_shapes_domains_and_reproducibility(kind, task):
    X, y, sd = make_domain_shift(kind, task=task, n_samples_source=50, n_samples_target=30,
                                 n_features=4, random_state=0)
    assert X.shape == (80, 4) and y.shape == (80,) and sd.shape == (80,)
    np.testing.assert_array_equal(sd, np.r_[np.ones(50), -2 * np.ones(30)])
    assert np.isfinite(X).all() and np.isfinite(y).all()
    X2, y2, _ = make_domain_shift(kind, task=task, n_samples_source=50, n_samples_target=30,
                                  n_features=4, random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    if task == "classification":
        assert y.dtype.kind == "i" and set(np.unique(y)) <= {0, 1}
    else:
        assert y.dtype.kind == "f"


def _ks_pvalue(X, sd):
    return stats.ks_2samp(X[sd > 0, 0], X[sd < 0, 0]).pvalue


@pytest.mark.parametrize("kind", ["covariate", "subspace"])
def test_shift_moves_p_x(kind):
    X, _, sd = make_domain_shift(kind, n_samples_source=500, n_samples_target=500,
                                 random_state=1)
    assert _ks_pvalue(X, sd) < 1e-6
    X0, _, sd0 = make_domain_shift(kind, shift=0.0, n_samples_source=500,
                                   n_samples_target=500, random_state=1)
    if kind == "covariate":
        assert _ks_pvalue(X0, sd0) > 1e-6


def test_prior_shift_changes_class_balance_only():
    X, y, sd = make_domain_shift("prior", n_classes=3, shift=1.5, n_samples_source=3000,
                                 n_samples_target=3000, noise=0.0, random_state=0)
    ps = np.bincount(y[sd > 0], minlength=3) / 3000
    pt = np.bincount(y[sd < 0], minlength=3) / 3000
    assert abs(ps[0] - 1 / 3) < 0.05 and pt[0] > 0.7
    # p(x | y) stays: class 0 means agree across domains
    np.testing.assert_allclose(X[(sd > 0) & (y == 0)].mean(0), X[(sd < 0) & (y == 0)].mean(0),
                               atol=0.15)


def test_concept_shift_keeps_p_x_changes_labels():
    X, y, sd = make_domain_shift("concept", n_samples_source=2000, n_samples_target=2000,
                                 noise=0.0, shift=2.0, random_state=0)
    assert _ks_pvalue(X, sd) > 1e-3
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression().fit(X[sd > 0], y[sd > 0])
    assert clf.score(X[sd > 0], y[sd > 0]) > 0.95
    assert clf.score(X[sd < 0], y[sd < 0]) < 0.7


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(kind="bogus"), "kind must be one of"),
        (dict(task="ranking"), "task must be one of"),
        (dict(n_samples_source=0), "n_samples_source must be an integer >= 1; got 0"),
        (dict(n_classes=1), "n_classes must be an integer >= 2"),
        (dict(shift=-1.0), "shift must be a finite number >= 0"),
        (dict(noise=0.5), "noise must be"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_domain_shift(**kwargs)
