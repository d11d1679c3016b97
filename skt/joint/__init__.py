"""Joint-objective estimators: one objective over the source labels and the target rows.

- :class:`JDOTClassifier`, :class:`JDOTRegressor` -- joint distribution optimal transport.
- :class:`OTLabelPropagation` -- target labels as the transported source labels.
"""

from ._jdot import JDOTClassifier, JDOTRegressor, OTLabelPropagation

__all__ = ["JDOTClassifier", "JDOTRegressor", "OTLabelPropagation"]
