"""Model selection for transfer: domain-aware splitters, scorers without target labels, reports.

- Splitters (:class:`SourceTargetShuffleSplit`, :class:`TargetKFold`,
  :class:`LeaveOneDomainOut` and stratified variants) take the domains from
  ``groups=sample_domain``, from routed ``sample_domain`` or from masked labels, and keep the
  source rows in training.
- Scorers usable as ``scoring=`` in ``GridSearchCV``/``cross_validate`` (greater is better):
  the oracle :class:`TargetScorer` and the unsupervised :class:`ImportanceWeightedScorer`,
  :class:`PredictionEntropyScorer`, :class:`ReverseValidationScorer`,
  :class:`SoftNeighborhoodDensityScorer` and :class:`DeepEmbeddedValidationScorer`.
- :func:`transfer_report` compares transfer pipelines with the source-only and target-only
  baselines on the same folds; :func:`select_sources` ranks candidate source domains.
"""

from ._report import ReportTable, transfer_report
from ._scorers import (
    DeepEmbeddedValidationScorer,
    ImportanceWeightedScorer,
    PredictionEntropyScorer,
    ReverseValidationScorer,
    SoftNeighborhoodDensityScorer,
    TargetScorer,
    make_target_scorer,
)
from ._sources import SourceSelector, select_sources
from ._split import (
    LeaveOneDomainOut,
    SourceTargetShuffleSplit,
    StratifiedSourceTargetShuffleSplit,
    StratifiedTargetKFold,
    TargetKFold,
)

__all__ = [
    "DeepEmbeddedValidationScorer",
    "ImportanceWeightedScorer",
    "PredictionEntropyScorer",
    "ReverseValidationScorer",
    "SoftNeighborhoodDensityScorer",
    "TargetScorer",
    "make_target_scorer",
    "LeaveOneDomainOut",
    "ReportTable",
    "select_sources",
    "transfer_report",
    "SourceSelector",
    "SourceTargetShuffleSplit",
    "StratifiedSourceTargetShuffleSplit",
    "StratifiedTargetKFold",
    "TargetKFold",
]
