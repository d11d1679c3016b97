"""Joint-objective estimators: one objective over source labels and target rows.

- :class:`EasyTL` -- intra-domain alignment and a linear program over target class labels.
"""

from ._easytl import EasyTL

__all__ = ["EasyTL"]
