"""Joint-objective estimators: one objective over source labels and target rows.

- :class:`EasyTL` -- intra-domain alignment and a linear program over target class labels.
- :func:`intra_domain_programming` -- EasyTL's linear program alone.
"""

from ._easytl import EasyTL, intra_domain_programming

__all__ = ["EasyTL", "intra_domain_programming"]
