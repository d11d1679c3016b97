"""Joint-objective estimators: one objective over the source labels and the target rows.

- :class:`EasyTL` -- intra-domain alignment and a linear program over target class labels.
- :func:`intra_domain_programming` -- EasyTL's linear program alone.
- :class:`JDOTClassifier`, :class:`JDOTRegressor` -- joint distribution optimal transport.
- :class:`OTLabelPropagation` -- target labels as the transported source labels.
"""

from ._easytl import EasyTL, intra_domain_programming
from ._jdot import JDOTClassifier, JDOTRegressor, OTLabelPropagation

__all__ = [
    "EasyTL",
    "JDOTClassifier",
    "JDOTRegressor",
    "OTLabelPropagation",
    "intra_domain_programming",
]
