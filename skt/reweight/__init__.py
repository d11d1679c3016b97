"""Instance reweighting for covariate shift: KMM, KLIEP, uLSIF, discriminative and NN weighting.

Under covariate shift (``p_source(x) != p_target(x)``, the same ``p(y | x)``), training on the
source rows weighted by ``w(x) ~ p_target(x) / p_source(x)`` corrects the bias of the fit. Each
method is a meta-estimator that learns a weight per source row from the source and target rows
and fits a clone of its ``estimator`` with those weights (``weights_``), and a plain function
that computes the weights from ``(X_source, X_target)`` alone. :func:`weight_diagnostics`
reports the effective sample size of weights and the weighted MMD to the target.
"""

from skt._source_weights import source_weights

from ._diagnostics import WeightDiagnostics, weight_diagnostics
from ._discriminative import DiscriminativeReweighting, discriminative_weights
from ._kliep import KLIEP, kliep_weights
from ._kmm import KMM, kmm_weights
from ._nearest_neighbors import NearestNeighborsReweighting, nearest_neighbors_weights
from ._ulsif import RULSIF, ULSIF, rulsif_weights, ulsif_weights

__all__ = [
    "KLIEP",
    "KMM",
    "RULSIF",
    "ULSIF",
    "DiscriminativeReweighting",
    "NearestNeighborsReweighting",
    "WeightDiagnostics",
    "discriminative_weights",
    "kliep_weights",
    "kmm_weights",
    "nearest_neighbors_weights",
    "rulsif_weights",
    "source_weights",
    "ulsif_weights",
    "weight_diagnostics",
]
