"""The registry of estimators under test, and of every expected failure of sklearn's checks.

Each method family registers its public estimators here (one instance each, with small, fast
parameters): they then run through ``parametrize_with_checks`` in ``tests/test_common.py`` and,
for methods that learn without target labels, through the never-reads-target-labels test.

``EXPECTED_FAILURES`` is the one place where a check of scikit-learn is excused, always with the
reason: skt's domain contract gives some inputs a meaning that the generic checks do not know.
"""

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted
from sklearn_compat.utils import get_tags

import skt

# -- test-only wrapper ------------------------------------------------------------------------


def _inner_has(attr):
    return lambda self: hasattr(self.estimator, attr)


class WithDomains(MetaEstimatorMixin, BaseEstimator):
    """Test-only wrapper that tells ``estimator`` which rows are target rows.

    sklearn's generic checks call ``fit(X, y)`` with no domain information; methods that need
    target rows (or labeled target rows) would rightly refuse such data. This wrapper passes a
    fixed ``sample_domain`` (a fixed random half of the rows are target rows, with their
    labels; with ``several_domains=True``, rows in turn of sources 1 and 2 and targets -2 and
    -3) so that the checks exercise the method itself. Prediction and ``transform`` treat rows
    as target rows, as skt does for new data.
    """

    def __init__(self, estimator, *, several_domains=False):
        self.estimator = estimator
        self.several_domains = several_domains

    def domains_for(self, n_samples):
        if self.several_domains:
            # two source ids and two target ids in turn: every domain has 2 rows from 8 rows on
            return np.resize(np.array([1, -2, 2, -3]), n_samples)
        # a fixed random half of the rows, the first row a source row and the second a target
        sd = np.where(np.random.RandomState(0).rand(n_samples) < 0.5, -2, 1)
        sd[:2] = [1, -2][:n_samples]
        return sd

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.transformer_tags = inner.transformer_tags
        tags.target_tags = inner.target_tags
        tags.input_tags = inner.input_tags
        return tags

    @property
    def _estimator_type(self):
        return getattr(self.estimator, "_estimator_type", None)

    def _more_tags(self):
        return {"requires_y": get_tags(self.estimator).target_tags.required}

    def fit(self, X, y=None):
        sd = self.domains_for(_num_samples(X))
        self.estimator_ = clone(self.estimator).fit(X, y, sample_domain=sd)
        self._copy_fitted()
        return self

    @available_if(_inner_has("fit_transform"))
    def fit_transform(self, X, y=None):
        sd = self.domains_for(_num_samples(X))
        self.estimator_ = clone(self.estimator)
        out = self.estimator_.fit_transform(X, y, sample_domain=sd)
        self._copy_fitted()
        return out

    def _copy_fitted(self):
        for attr in ("classes_", "n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, attr):
                setattr(self, attr, getattr(self.estimator_, attr))

    @available_if(_inner_has("transform"))
    def transform(self, X):
        check_is_fitted(self)
        return self.estimator_.transform(X)

    @available_if(_inner_has("set_output"))
    def set_output(self, *, transform=None):
        # configures the inner adapter, as Pipeline does its steps (clone keeps the setting)
        self.estimator.set_output(transform=transform)
        return self

    @available_if(_inner_has("get_feature_names_out"))
    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self)
        return self.estimator_.get_feature_names_out(input_features)

    @available_if(_inner_has("predict"))
    def predict(self, X):
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X):
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_inner_has("predict_log_proba"))
    def predict_log_proba(self, X):
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X):
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    @available_if(_inner_has("score"))
    def score(self, X, y, sample_weight=None):
        check_is_fitted(self)
        return self.estimator_.score(X, y, sample_weight=sample_weight)


class WithSources(WithDomains):
    """``WithDomains`` with two source ids: rows take the ids 1, 2, -2 in turn (sources 1 and
    2, target rows with their labels), so that the checks exercise the per-source paths
    (``source_weighting``, source selection)."""

    @staticmethod
    def domains_for(n_samples):
        return np.resize(np.array([1, 2, -2]), n_samples)


# -- the registry -----------------------------------------------------------------------------

#: Instances run through sklearn's estimator checks (families append theirs).
CHECKED_ESTIMATORS = [
    skt.SourceOnly(LogisticRegression()),
    skt.SourceOnly(Ridge()),
    WithDomains(skt.TargetOnly(LogisticRegression())),
    WithDomains(skt.Pooled(Ridge())),
    # source weighting and selection (issue 18): two source ids through WithSources
    WithSources(skt.SourceOnly(LogisticRegression(), source_weighting="mmd")),
    WithSources(skt.Pooled(Ridge(), source_weighting="two-stage")),
    WithSources(skt.KMM(LogisticRegression(), gamma=1.0, source_weighting="mmd")),
    WithSources(skt.model_selection.SourceSelector(random_state=0)),
    # feature alignment (issue 5): every adapter needs source and target rows
    WithDomains(skt.CORAL()),
    WithDomains(skt.SubspaceAlignment(n_components=1)),
    WithDomains(skt.TCA(n_components=2, kernel="rbf", random_state=0)),
    WithDomains(skt.JDA(n_components=1, max_iter=3)),
    WithDomains(skt.BDA(n_components=1, balance="auto", weighted=True, max_iter=3)),
    WithDomains(skt.FeatureAugmentation()),
    # boosting transfer (issue 6): labeled target rows only come through WithDomains
    WithDomains(skt.TrAdaBoostClassifier(n_estimators=5, random_state=0)),
    WithDomains(skt.TrAdaBoostRegressor(n_estimators=5, random_state=0)),
    WithDomains(
        skt.TwoStageTrAdaBoostRegressor(n_steps=3, n_estimators=3, cv=2, random_state=0)
    ),
    # multi-source boosting (issue 18); WithDomains gives one source id, which they accept
    WithDomains(skt.MultiSourceTrAdaBoostClassifier(n_estimators=5, random_state=0)),
    WithDomains(
        skt.TaskTrAdaBoostClassifier(n_estimators=5, n_source_estimators=3, random_state=0)
    ),
    # instance reweighting (issue 4): the weights need target rows
    WithDomains(skt.KMM(LogisticRegression(), gamma=1.0)),
    WithDomains(skt.KMM(Ridge(), approximation="nystroem", n_components=20, random_state=0)),
    WithDomains(skt.KLIEP(LogisticRegression(), cv=2, random_state=0)),
    WithDomains(skt.ULSIF(Ridge(), random_state=0)),
    WithDomains(skt.RULSIF(Ridge(), cv=2, random_state=0)),
    WithDomains(skt.DiscriminativeReweighting(LogisticRegression(), clip=100.0)),
    WithDomains(skt.NearestNeighborsReweighting(Ridge())),
    # optimal transport (issue 19): the plan needs source and target rows
    WithDomains(skt.OTMapping()),
    WithDomains(skt.OTMapping("sinkhorn", reg_e=0.1)),
    WithDomains(skt.OTMapping("sinkhorn_laplace", reg_e=0.1, n_neighbors=3)),
    WithDomains(skt.LinearOTMapping()),
    # per-domain mode of the adapters (issue 18): two source ids and two target ids
    *(WithDomains(adapter, several_domains=True) for adapter in (
        skt.CORAL(domain_mode="per_domain"),
        skt.SubspaceAlignment(n_components=1, domain_mode="per_domain"),
        skt.LinearOTMapping(domain_mode="per_domain"),
        skt.OTMapping(domain_mode="per_domain"),
    )),
    WithDomains(skt.JDOTClassifier(max_iter=2)),
    WithDomains(skt.JDOTRegressor(max_iter=2)),
    WithDomains(skt.OTLabelPropagation()),
    WithDomains(skt.JCPOTLabelPropagation()),
    # parameter-based transfer (issue 17): the source model comes from the source rows
    WithDomains(skt.RegularTransferClassifier(lam=0.1)),
    WithDomains(skt.RegularTransferRegressor(lam=0.1)),
    WithDomains(skt.FineTuning(SGDClassifier(random_state=0), random_state=0)),
    WithDomains(skt.FineTuning(GradientBoostingRegressor(n_estimators=10, random_state=0))),
    WithDomains(skt.TransferTreeClassifier(algorithm="ser", random_state=0)),
    WithDomains(skt.TransferTreeClassifier(algorithm="strut", random_state=0)),
    WithDomains(skt.TransferTreeRegressor(algorithm="strut", random_state=0)),
    # joint estimators (issue 16)
    WithDomains(skt.EasyTL()),
    # joint objective (issue 16): GFK adapter, ARTL and MEDA classifiers
    WithDomains(skt.GFK(n_components=1)),
    # gamma given: on one feature, rows scaled to unit length are all +-1 and the median
    # heuristic rightly finds no bandwidth (a clear error, tested in tests/joint)
    WithDomains(skt.ARTL(gamma=1.0, n_neighbors=3, max_iter=3, random_state=0)),
    WithDomains(skt.MEDA(n_components=1, gamma=1.0, n_neighbors=3, max_iter=3, random_state=0)),
]

#: Estimators that learn without target labels: changing target labels in the training rows
#: must change no prediction. Families append theirs.
UNSUPERVISED_ESTIMATORS = [
    skt.SourceOnly(LogisticRegression()),
    skt.SourceOnly(LogisticRegression(), source_weighting="two-stage"),
    skt.KMM(LogisticRegression(), source_weighting="mmd"),
    skt.model_selection.SourceSelector(n_sources=1, random_state=0),
    skt.CORAL(),
    skt.SubspaceAlignment(n_components=1),
    skt.TCA(n_components=2, random_state=0),
    # JDA reads source labels and target pseudo-labels, never target labels
    skt.JDA(n_components=2, kernel="rbf", max_iter=3, random_state=0),
    skt.BDA(n_components=2, kernel="rbf", balance="auto", weighted=True, max_iter=3,
            random_state=0),
    # feature augmentation needs labeled target rows for the next step, but never reads a label
    skt.FeatureAugmentation(),
    # instance reweighting (issue 4): weights from source and target rows, labels of source rows
    skt.KMM(LogisticRegression()),
    skt.KMM(Ridge(), approximation="random_features", n_components=50, random_state=0),
    skt.KLIEP(LogisticRegression(), random_state=0),
    skt.ULSIF(Ridge(), random_state=0),
    skt.RULSIF(LogisticRegression(), random_state=0),
    skt.DiscriminativeReweighting(LogisticRegression(), cv=3, random_state=0),
    skt.NearestNeighborsReweighting(LogisticRegression(), n_neighbors=3),
    # optimal transport (issue 19): class-regularised plans read source labels only
    skt.OTMapping(),
    skt.OTMapping("l1l2", reg_e=0.1),
    skt.OTMapping("sinkhorn_laplace", reg_e=0.1),
    skt.LinearOTMapping(),
    # per-domain mode (issue 18)
    skt.CORAL(domain_mode="per_domain"),
    skt.SubspaceAlignment(n_components=1, domain_mode="per_domain"),
    skt.OTMapping("l1l2", reg_e=0.1, domain_mode="per_domain"),
    skt.JDOTClassifier(max_iter=3),
    skt.OTLabelPropagation(),
    skt.JCPOTLabelPropagation(),
    # joint estimators (issue 16): source labels and target rows, never target labels
    skt.EasyTL(),
    skt.EasyTL(intra_align="raw"),
    # joint objective (issue 16): source labels and target pseudo-labels, never target labels
    skt.GFK(n_components=2),
    skt.ARTL(max_iter=3, random_state=0),
    skt.MEDA(n_components=2, max_iter=3, random_state=0),
]

_MINUS_ONE = (
    "-1 is the mask of unlabeled target rows (the domain contract): the check feeds -1 as a "
    "class label, and skt rightly treats those rows as target rows"
)

_ONE_ROW = (
    "with a single row there cannot be both a source and a labeled target row; skt says "
    "'no target rows', which the check does not list among its accepted messages"
)

_ADAPTS_SOURCE = (
    "an adapter's fit_transform maps the training rows by their domain (source rows adapted, "
    "target rows as target rows) while transform maps new rows as target rows (the domain "
    "contract); the check expects fit_transform(X) == fit(X).transform(X)"
)

#: {estimator name: {check name: reason}}; the estimator name is the class name, or
#: "WithDomains(<inner class name>)".
EXPECTED_FAILURES = {
    "SourceOnly": {
        "check_classifiers_classes": _MINUS_ONE,
    },
    "WithDomains(TargetOnly)": {
        "check_classifiers_classes": _MINUS_ONE,
        "check_fit2d_1sample": _ONE_ROW,
    },
    "WithDomains(Pooled)": {
        "check_fit2d_1sample": _ONE_ROW,
    },
    "WithDomains(SourceOnly)": {
        "check_classifiers_classes": _MINUS_ONE,
    },
    "WithDomains(SourceSelector)": {
        "check_classifiers_classes": _MINUS_ONE,
        "check_fit2d_1sample": _ONE_ROW,
    },
    # feature alignment (issue 5); TCA and JDA embed source and target rows alike, so only the
    # one-row check is excused for them
    **{
        f"WithDomains({name})": {
            "check_transformer_general": _ADAPTS_SOURCE,
            "check_transformer_data_not_an_array": _ADAPTS_SOURCE,
            "check_fit2d_1sample": _ONE_ROW,
        }
        for name in (
            "CORAL", "SubspaceAlignment", "FeatureAugmentation", "OTMapping", "LinearOTMapping"
        )
    },
    "WithDomains(TCA)": {"check_fit2d_1sample": _ONE_ROW},
    "WithDomains(JDA)": {"check_fit2d_1sample": _ONE_ROW},
    "WithDomains(BDA)": {"check_fit2d_1sample": _ONE_ROW},
    "WithDomains(TrAdaBoostClassifier)": {
        "check_classifiers_classes": _MINUS_ONE,
        "check_fit2d_1sample": _ONE_ROW,
    },
    "WithDomains(MultiSourceTrAdaBoostClassifier)": {
        "check_classifiers_classes": _MINUS_ONE,
        "check_fit2d_1sample": _ONE_ROW,
    },
    "WithDomains(TaskTrAdaBoostClassifier)": {
        "check_classifiers_classes": _MINUS_ONE,
        "check_fit2d_1sample": _ONE_ROW,
    },
    "WithDomains(TrAdaBoostRegressor)": {
        "check_fit2d_1sample": _ONE_ROW,
    },
    "WithDomains(TwoStageTrAdaBoostRegressor)": {
        "check_fit2d_1sample": _ONE_ROW,
    },
    # instance reweighting (issue 4): the weights of the source rows need target rows
    **{
        f"WithDomains({name})": {
            "check_classifiers_classes": _MINUS_ONE,
            "check_fit2d_1sample": _ONE_ROW,
        }
        for name in ("KMM", "KLIEP", "DiscriminativeReweighting")
    },
    "WithDomains(ULSIF)": {"check_fit2d_1sample": _ONE_ROW},
    # optimal transport (issue 19)
    **{
        f"WithDomains({name})": {
            "check_classifiers_classes": _MINUS_ONE,
            "check_fit2d_1sample": _ONE_ROW,
        }
        for name in ("JDOTClassifier", "OTLabelPropagation", "JCPOTLabelPropagation")
    },
    "WithDomains(JDOTRegressor)": {"check_fit2d_1sample": _ONE_ROW},
    # joint estimators (issue 16)
    "WithDomains(EasyTL)": {
        "check_classifiers_classes": _MINUS_ONE,
        "check_fit2d_1sample": _ONE_ROW,
    },
    "WithDomains(RULSIF)": {"check_fit2d_1sample": _ONE_ROW},
    "WithDomains(NearestNeighborsReweighting)": {"check_fit2d_1sample": _ONE_ROW},
    # joint objective (issue 16); GFK embeds source and target rows alike
    "WithDomains(GFK)": {"check_fit2d_1sample": _ONE_ROW},
    **{
        f"WithDomains({name})": {
            "check_classifiers_classes": _MINUS_ONE,
            "check_fit2d_1sample": _ONE_ROW,
        }
        for name in ("ARTL", "MEDA")
    },
    # parameter-based transfer (issue 17): labeled target rows and a source model are needed
    **{
        f"WithDomains({name})": {
            "check_classifiers_classes": _MINUS_ONE,
            "check_fit2d_1sample": _ONE_ROW,
        }
        for name in ("RegularTransferClassifier", "FineTuning", "TransferTreeClassifier")
    },
    "WithDomains(RegularTransferRegressor)": {"check_fit2d_1sample": _ONE_ROW},
    "WithDomains(TransferTreeRegressor)": {"check_fit2d_1sample": _ONE_ROW},
}


def estimator_name(estimator):
    if isinstance(estimator, WithDomains):
        return f"WithDomains({type(estimator.estimator).__name__})"
    return type(estimator).__name__


def expected_failure(estimator, check_name):
    """The reason a check is expected to fail for ``estimator``, or None."""
    return EXPECTED_FAILURES.get(estimator_name(estimator), {}).get(check_name)
