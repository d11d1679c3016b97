"""Joint-objective transfer: one predictor fitted to the source labels, the target rows and
the distance between the domains at once (``L_source + L_target + lambda d(D_s, D_t)``).

- :class:`ARTL` -- kernel least squares + MMD of marginals and class conditionals + manifold
  regularisation, in closed form.
- :class:`MEDA` -- ARTL on GFK manifold features, with the balance between the MMD terms
  re-estimated each round.
"""

from ._artl import ARTL
from ._meda import MEDA

__all__ = ["ARTL", "MEDA"]
