"""What every estimator does with several source ids and several target ids (issue 18).

``BEHAVIOUR`` is the table of the user guide (docs/user_guide/multi_source.rst): each public
estimator either pools the source ids into one source and the target ids into one target, or
keeps the domains apart. The tests fit every registered estimator with 3 source ids and 2
target ids: a pooling estimator must give exactly what it gives with the ids merged into one
source id and one target id; the others must show that they saw each domain.
"""

import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn_compat.utils import get_tags

import skt
from skt.datasets import make_domain_shift

from ._registry import CHECKED_ESTIMATORS, WithDomains

POOLED = "pooled"
OPTION = "pooled by default; per-domain with domain_mode='per_domain'"
PER_SOURCE = "source ids kept apart, target ids pooled"
PER_DOMAIN = "one block per domain id"

#: {class name: what it does with several source and target ids}
BEHAVIOUR = {
    **dict.fromkeys(
        ["CORAL", "SubspaceAlignment", "LinearOTMapping", "OTMapping"], OPTION
    ),
    "FeatureAugmentation": PER_DOMAIN,
    "MultiSourceTrAdaBoostClassifier": PER_SOURCE,
    "TaskTrAdaBoostClassifier": PER_SOURCE,
    "JCPOTLabelPropagation": PER_SOURCE,
    "SourceSelector": PER_SOURCE,
    **dict.fromkeys(
        [
            "TCA", "JDA", "BDA", "GFK",
            "KMM", "KLIEP", "ULSIF", "RULSIF", "DiscriminativeReweighting",
            "NearestNeighborsReweighting",
            "TrAdaBoostClassifier", "TrAdaBoostRegressor", "TwoStageTrAdaBoostRegressor",
            "SourceOnly", "TargetOnly", "Pooled",
            "JDOTClassifier", "JDOTRegressor", "OTLabelPropagation",
            "RegularTransferClassifier", "RegularTransferRegressor", "FineTuning",
            "TransferTreeClassifier", "TransferTreeRegressor",
            "EasyTL", "ARTL", "MEDA",
        ],
        POOLED,
    ),
}

SOURCE_IDS, TARGET_IDS = (1, 2, 3), (-1, -2)


def _public_estimators():
    return sorted(
        (obj for name in skt.__all__
         if isinstance(obj := getattr(skt, name), type) and issubclass(obj, BaseEstimator)),
        key=lambda cls: cls.__name__,
    )


def _unwrapped(estimator):
    return estimator.estimator if isinstance(estimator, WithDomains) else estimator


def _instances():
    seen = set()
    for estimator in CHECKED_ESTIMATORS:
        inner = _unwrapped(estimator)
        key = repr(inner)
        if key not in seen:
            seen.add(key)
            yield inner


INSTANCES = list(_instances())


def test_every_public_estimator_has_its_row_in_the_table():
    names = {cls.__name__ for cls in _public_estimators()}
    assert names | {"SourceSelector"} == set(BEHAVIOUR)  # SourceSelector: skt.model_selection


@pytest.mark.parametrize("cls", _public_estimators(), ids=lambda cls: cls.__name__)
def test_the_docstring_says_what_happens_to_several_domains(cls):
    doc = " ".join(cls.__doc__.split()).lower()
    assert "several source" in doc, f"{cls.__name__}: no word on several source ids"
    behaviour = BEHAVIOUR[cls.__name__]
    if behaviour == POOLED:
        assert re.search(r"several (source|target)[^.]*pooled", doc), cls.__name__
    if behaviour == OPTION:
        assert '"pooled": the rows of every source id form one source' in doc
        assert '"per_domain": each source domain is' in doc
    if behaviour in (PER_SOURCE, PER_DOMAIN):
        assert "kept apart" in doc


def _data(estimator):
    """3 source ids, 2 target ids; a third of the target rows labeled (for the methods that
    use labeled target rows; the others mask them)."""
    regressor = get_tags(estimator).estimator_type == "regressor"
    X, y, sd = make_domain_shift(
        "covariate", task="regression" if regressor else "classification",
        n_samples_source=90, n_samples_target=60, n_features=3, random_state=0,
    )
    rng = np.random.RandomState(0)
    source = sd > 0
    sd = sd.copy()
    sd[source] = np.resize(SOURCE_IDS, source.sum())
    sd[~source] = np.resize(TARGET_IDS, (~source).sum())
    y = y.astype(float) if regressor else y.copy()
    unlabeled = ~source & (rng.rand(len(y)) < 2 / 3)
    y[unlabeled] = np.nan if regressor else -1
    merged = np.where(sd > 0, 1, -1)
    return X, y, sd, merged


def _outputs(estimator, X, y, sd):
    if hasattr(estimator, "transform") and not hasattr(estimator, "predict"):
        Z = estimator.fit_transform(X, y, sample_domain=sd)
        return Z, estimator.transform(X)
    estimator.fit(X, y, sample_domain=sd)
    return (estimator.predict(X),)


@pytest.mark.parametrize("estimator", INSTANCES, ids=repr)
def test_three_sources_and_two_targets(estimator):
    X, y, sd, merged = _data(estimator)
    behaviour = BEHAVIOUR[type(estimator).__name__]
    if behaviour == OPTION and estimator.domain_mode == "per_domain":
        fitted = clone(estimator)
        _outputs(fitted, X, y, sd)
        assert sorted(fitted.adapters_) == sorted(SOURCE_IDS + TARGET_IDS)
        behaviour = PER_DOMAIN
    if getattr(estimator, "source_weighting", None) is not None:
        # one weight per source id: not the pooled fit, by design
        fitted = clone(estimator).fit(X, y, sample_domain=sd)
        np.testing.assert_array_equal(fitted.source_ids_, SOURCE_IDS)
        assert fitted.source_weights_.shape == (len(SOURCE_IDS),)
        return
    several = _outputs(clone(estimator), X, y, sd)
    if behaviour in (POOLED, OPTION):
        pooled = _outputs(clone(estimator), X, y, merged)
        for a, b in zip(several, pooled, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
    elif behaviour == PER_SOURCE:
        fitted = clone(estimator).fit(X, y, sample_domain=sd)
        np.testing.assert_array_equal(fitted.source_ids_, SOURCE_IDS)
    elif isinstance(estimator, skt.FeatureAugmentation):
        fitted = clone(estimator).fit(X, y, sample_domain=sd)
        assert len(fitted.domain_ids_) == 5
        assert several[0].shape[1] == X.shape[1] * 6
