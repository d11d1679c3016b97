"""skt: scikit-learn compatible transfer learning and domain adaptation.

Every method is an ordinary scikit-learn estimator or transformer. Source and target rows travel
in one ``X``: target rows carry a masked label (``-1`` for classification, ``NaN`` for
regression), or ``sample_domain`` says which rows belong to which domain (positive ids: source,
negative ids: target). Importing skt changes no global configuration and compiles no kernel;
public names load their module on first use, so ``import skt`` stays fast.
"""

import importlib

__version__ = "0.1.0.dev0"

# public name -> module that defines it (loaded on first attribute access, PEP 562)
_PUBLIC = {
    "Domains": "._domain",
    "check_domains": "._domain",
    "infer_sample_domain": "._domain",
    "mask_target_labels": "._domain",
    "SourceOnly": "._baselines",
    "TargetOnly": "._baselines",
    "Pooled": "._baselines",
    "CORAL": ".alignment",
    "SubspaceAlignment": ".alignment",
    "TCA": ".alignment",
    "JDA": ".alignment",
    "BDA": ".alignment",
    "FeatureAugmentation": ".alignment",
    "OTMapping": ".alignment",
    "LinearOTMapping": ".alignment",
    "JDOTClassifier": ".joint",
    "JDOTRegressor": ".joint",
    "OTLabelPropagation": ".joint",
    "JCPOTLabelPropagation": ".joint",
    "GFK": ".alignment",
    "ARTL": ".joint",
    "MEDA": ".joint",
    "TrAdaBoostClassifier": ".ensemble",
    "TrAdaBoostRegressor": ".ensemble",
    "TwoStageTrAdaBoostRegressor": ".ensemble",
    "MultiSourceTrAdaBoostClassifier": ".ensemble",
    "TaskTrAdaBoostClassifier": ".ensemble",
    "KMM": ".reweight",
    "KLIEP": ".reweight",
    "ULSIF": ".reweight",
    "RULSIF": ".reweight",
    "DiscriminativeReweighting": ".reweight",
    "NearestNeighborsReweighting": ".reweight",
    "RegularTransferClassifier": ".parameter",
    "RegularTransferRegressor": ".parameter",
    "FineTuning": ".parameter",
    "TransferTreeClassifier": ".parameter",
    "TransferTreeRegressor": ".parameter",
    "EasyTL": ".joint",
}
_SUBPACKAGES = [
    "alignment", "base", "datasets", "ensemble", "joint", "metrics", "model_selection",
    "parameter", "reweight",
]

__all__ = sorted(_PUBLIC) + sorted(_SUBPACKAGES)


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'skt' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
