"""Parameter-based transfer: reuse a source model's parameters and adapt them to the target.

- :class:`RegularTransferClassifier`, :class:`RegularTransferRegressor`: linear models fitted
  on the labeled target rows with a prior centred on a source model (Chelba and Acero, 2004).
- :class:`FineTuning`: continue training a source model on the labeled target rows
  (``partial_fit`` or ``warm_start``).
- :class:`TransferTreeClassifier`, :class:`TransferTreeRegressor`: SER and STRUT (Segev et
  al., 2017) for a decision tree or a random forest fitted on the source.
"""

from ._finetune import FineTuning
from ._regular import RegularTransferClassifier, RegularTransferRegressor
from ._tree import ExplicitTree, TransferTreeClassifier, TransferTreeRegressor

__all__ = [
    "FineTuning",
    "RegularTransferClassifier",
    "RegularTransferRegressor",
    "ExplicitTree",
    "TransferTreeClassifier",
    "TransferTreeRegressor",
]
