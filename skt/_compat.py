"""scikit-learn's validation and tag helpers across the supported versions (1.5 to newest).

scikit-learn 1.6 added ``validate_data``, ``get_tags`` and ``check_array(ensure_all_finite=)``;
on 1.5 the sklearn-compat shim provides them. The shim is imported only there: on import it
loads scikit-learn's estimator checks (and with them pytest), about 0.4 s that every process
running skt (the command line, each joblib or Dask worker) would otherwise pay.
"""

try:
    from sklearn.utils import get_tags
    from sklearn.utils.validation import check_array, validate_data
except ImportError:  # scikit-learn 1.5
    from sklearn_compat.utils import get_tags
    from sklearn_compat.utils.validation import check_array, validate_data

__all__ = ["check_array", "get_tags", "validate_data"]
