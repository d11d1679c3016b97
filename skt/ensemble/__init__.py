"""Boosting transfer: TrAdaBoost (classification), TrAdaBoost.R2 and two-stage TrAdaBoost.R2."""

from ._tradaboost import TrAdaBoostClassifier, TrAdaBoostRegressor, TwoStageTrAdaBoostRegressor

__all__ = ["TrAdaBoostClassifier", "TrAdaBoostRegressor", "TwoStageTrAdaBoostRegressor"]
