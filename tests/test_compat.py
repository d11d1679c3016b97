"""skt/_compat.py: scikit-learn's helpers on every supported version, and a light import."""

import subprocess
import sys

import numpy as np
import pytest
import sklearn
from sklearn.utils.fixes import parse_version

from skt._compat import check_array, get_tags, validate_data

NATIVE = parse_version(sklearn.__version__) >= parse_version("1.6")


def test_helpers_work():
    # on scikit-learn 1.5 these come from sklearn-compat, from scikit-learn itself after
    from sklearn.linear_model import LogisticRegression

    assert get_tags(LogisticRegression()).estimator_type == "classifier"
    with pytest.raises(ValueError, match="NaN"):
        check_array(np.array([[np.nan]]), ensure_all_finite=True)
    assert check_array(np.array([[np.nan]]), ensure_all_finite=False).shape == (1, 1)
    model = LogisticRegression()
    assert validate_data(model, np.ones((3, 2)), reset=True).shape == (3, 2)
    assert model.n_features_in_ == 2


@pytest.mark.skipif(not NATIVE, reason="scikit-learn 1.5 has no validate_data or get_tags: "
                                       "skt imports the sklearn-compat shim there")
def test_fitting_imports_neither_the_shim_nor_pytest():
    # sklearn-compat loads scikit-learn's estimator checks and pytest on import (about 0.4 s
    # that the command line and every joblib or Dask worker would pay)
    code = """
import sys
import numpy as np
import skt
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
rng = np.random.default_rng(0)
X = rng.standard_normal((40, 3))
y = np.tile([0, 1], 20)
sd = np.repeat([1, -2], 20)
make_pipeline(skt.CORAL(), skt.SourceOnly(LogisticRegression())).fit(
    X, y, coral__sample_domain=sd, sourceonly__sample_domain=sd)
skt.KMM(LogisticRegression()).fit(X, y, sample_domain=sd)
print(sorted(m for m in ("pytest", "sklearn_compat") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
