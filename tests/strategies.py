"""Hypothesis strategies for shifted multi-domain data sets, shared by every family's tests."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skt.datasets import make_domain_shift

__all__ = ["domain_arrays", "shifted_datasets"]

_finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)


@st.composite
def domain_arrays(draw, *, min_rows=2, max_rows=30, min_features=1, max_features=5,
                  elements=_finite):
    """Two arrays ``(X_source, X_target)`` with the same number of features."""
    d = draw(st.integers(min_features, max_features))
    n_s = draw(st.integers(min_rows, max_rows))
    n_t = draw(st.integers(min_rows, max_rows))
    Xs = draw(hnp.arrays(np.float64, (n_s, d), elements=elements))
    Xt = draw(hnp.arrays(np.float64, (n_t, d), elements=elements))
    return Xs, Xt


@st.composite
def shifted_datasets(draw, *, kinds=("covariate", "prior", "concept", "subspace"),
                     task="classification", min_rows=10, max_rows=80, max_features=4,
                     max_classes=3):
    """``(X, y, sample_domain)`` from :func:`skt.datasets.make_domain_shift` with drawn sizes.

    Every class appears among the source rows (so a classifier can be fitted on them).
    """
    kind = draw(st.sampled_from(kinds))
    n_classes = draw(st.integers(2, max_classes))
    X, y, sd = make_domain_shift(
        kind,
        task=task,
        n_samples_source=draw(st.integers(min_rows, max_rows)),
        n_samples_target=draw(st.integers(min_rows, max_rows)),
        n_features=draw(st.integers(2, max_features)),
        n_classes=n_classes,
        shift=draw(st.floats(0.0, 2.0)),
        noise=0.05 if task == "classification" else 0.1,
        random_state=draw(st.integers(0, 2**31 - 1)),
    )
    if task == "classification":
        # make sure each class has a source row, so source-trained models see every class
        present = np.unique(y[sd > 0])
        for c in np.setdiff1d(np.arange(n_classes), present):
            y[np.flatnonzero(sd > 0)[c % np.sum(sd > 0)]] = c
    return X, y, sd
