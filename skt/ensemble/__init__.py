"""Boosting transfer: TrAdaBoost (classification), TrAdaBoost.R2, two-stage TrAdaBoost.R2, and
MultiSourceTrAdaBoost and TaskTrAdaBoost for several sources."""

from ._multi_source import MultiSourceTrAdaBoostClassifier, TaskTrAdaBoostClassifier
from ._tradaboost import TrAdaBoostClassifier, TrAdaBoostRegressor, TwoStageTrAdaBoostRegressor

__all__ = [
    "MultiSourceTrAdaBoostClassifier",
    "TaskTrAdaBoostClassifier",
    "TrAdaBoostClassifier",
    "TrAdaBoostRegressor",
    "TwoStageTrAdaBoostRegressor",
]
