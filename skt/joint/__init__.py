"""Joint-objective transfer: one predictor fitted to the source labels, the target rows and
the distance between the domains at once (``L_source + L_target + lambda d(D_s, D_t)``).

- :class:`ARTL` -- kernel least squares + MMD of marginals and class conditionals + manifold
  regularisation, in closed form.
- :class:`MEDA` -- ARTL on GFK manifold features, with the balance between the MMD terms
  re-estimated each round.
- :class:`EasyTL` -- intra-domain alignment and a linear program over target class labels.
- :func:`intra_domain_programming` -- EasyTL's linear program alone.
- :class:`JDOTClassifier`, :class:`JDOTRegressor` -- joint distribution optimal transport.
- :class:`OTLabelPropagation` -- target labels as the transported source labels.
- :class:`JCPOTLabelPropagation` -- the same from several sources under target shift (JCPOT).
"""

from ._artl import ARTL
from ._easytl import EasyTL, intra_domain_programming
from ._jcpot import JCPOTLabelPropagation
from ._jdot import JDOTClassifier, JDOTRegressor, OTLabelPropagation
from ._meda import MEDA

__all__ = [
    "ARTL",
    "EasyTL",
    "JCPOTLabelPropagation",
    "JDOTClassifier",
    "JDOTRegressor",
    "MEDA",
    "OTLabelPropagation",
    "intra_domain_programming",
]
