"""scikit-learn's output conventions on every skt estimator (issue 14, item 2).

DataFrame output and feature names on the adapters, label dtype kept by the classifiers, the
HTML repr's link to skt's API pages, and input errors that name the estimator and the
argument. sklearn's own set_output / feature-name checks run in tests/test_common.py.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn_compat.utils import get_tags

import skt
from skt.datasets import make_domain_shift

from ._registry import CHECKED_ESTIMATORS, WithDomains, estimator_name

pd = pytest.importorskip("pandas")


def _unwrapped(estimators):
    """Each registered estimator once, without the test-only wrapper."""
    seen, out = set(), []
    for e in estimators:
        inner = e.estimator if isinstance(e, WithDomains) else e
        if estimator_name(e) not in seen:
            seen.add(estimator_name(e))
            out.append(inner)
    return out


ESTIMATORS = _unwrapped(CHECKED_ESTIMATORS)
ADAPTERS = [e for e in ESTIMATORS if hasattr(e, "transform")]


def _data(n_features=3):
    X, y, sample_domain = make_domain_shift(
        "covariate", n_samples_source=80, n_samples_target=80, n_features=n_features,
        random_state=0,
    )
    return X, y, sample_domain


def _frame(X):
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])],
                        index=[f"r{i}" for i in range(X.shape[0])])


# -- set_output and get_feature_names_out -----------------------------------------------------

def _expected_names(adapter, inputs):
    """Output names: CORAL and the OT maps keep their inputs, FeatureAugmentation prefixes them
    by block, the others name their components after the class."""
    name = type(adapter).__name__
    if name in ("CORAL", "OTMapping", "LinearOTMapping"):
        return list(inputs)
    if name == "FeatureAugmentation":
        return [f"{block}__{f}" for block in ("shared", "source", "target") for f in inputs]
    # GFK's features sqrt(G) x have 2 n_components columns (a low-rank factor of G)
    n = {"SubspaceAlignment": 1, "TCA": 2, "JDA": 1, "BDA": 1, "GFK": 2}[name]
    return [f"{name.lower()}{i}" for i in range(n)]


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda e: type(e).__name__)
def test_pandas_output_with_sample_domain(adapter):
    X, y, sd = _data()
    df = _frame(X)
    est = clone(adapter).set_output(transform="pandas")
    Z = est.fit_transform(df, y, sample_domain=sd)
    names = _expected_names(adapter, df.columns)
    assert isinstance(Z, pd.DataFrame)
    assert list(Z.columns) == names == list(est.get_feature_names_out())
    assert list(Z.index) == list(df.index)
    # the values are those of the default output, source rows adapted by their domain
    expected = clone(adapter).fit_transform(X, y, sample_domain=sd)
    np.testing.assert_allclose(Z.to_numpy(), expected, rtol=1e-6, atol=1e-8)
    new = est.transform(df.iloc[:5], sample_domain=sd[:5])
    assert isinstance(new, pd.DataFrame) and list(new.columns) == names
    np.testing.assert_allclose(new.to_numpy(), expected[:5], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda e: type(e).__name__)
def test_pandas_output_inside_a_pipeline(adapter):
    X, y, sd = _data()
    step = type(adapter).__name__.lower()
    pipe = make_pipeline(StandardScaler(), clone(adapter)).set_output(transform="pandas")
    Z = pipe.fit_transform(_frame(X), y, **{f"{step}__sample_domain": sd})
    assert isinstance(Z, pd.DataFrame)
    assert list(Z.columns) == _expected_names(adapter, ["f0", "f1", "f2"])
    assert list(pipe.get_feature_names_out()) == list(Z.columns)
    assert isinstance(pipe.transform(_frame(X)), pd.DataFrame)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda e: type(e).__name__)
def test_feature_names_without_column_names(adapter):
    X, y, sd = _data()
    est = clone(adapter).fit(X, y, sample_domain=sd)
    assert list(est.get_feature_names_out()) == _expected_names(adapter, ["x0", "x1", "x2"])
    assert list(est.get_feature_names_out(["a", "b", "c"])) == _expected_names(
        adapter, ["a", "b", "c"]
    )
    with pytest.raises(ValueError, match="input_features should have length equal"):
        est.get_feature_names_out(["a", "b"])


def test_feature_augmentation_names_each_domain_when_there_are_several():
    X, y, _ = _data(n_features=2)
    sd = np.repeat([1, 2, -1, -2], 40)
    fa = skt.FeatureAugmentation().fit(X, y, sample_domain=sd)
    assert list(fa.get_feature_names_out(["a", "b"])) == [
        "shared__a", "shared__b", "source1__a", "source1__b", "source2__a", "source2__b",
        "target1__a", "target1__b", "target2__a", "target2__b",
    ]
    assert len(fa.get_feature_names_out()) == fa.transform(X[:2]).shape[1]


# -- predictions keep the label dtype ---------------------------------------------------------


def _as_classifier(estimator):
    """The classifier form of a registered estimator, or None for a regression-only one."""
    if not hasattr(estimator, "predict"):
        return None
    if get_tags(estimator).estimator_type == "classifier":
        return estimator
    if "estimator" in estimator.get_params() and not isinstance(estimator, WithDomains):
        # wrappers registered around a regressor: the same method around a classifier
        if type(estimator).__name__.endswith("Regressor"):  # regression-only methods
            return None
        return clone(estimator).set_params(estimator=LogisticRegression())
    return None


CLASSIFIERS = [c for c in map(_as_classifier, ESTIMATORS) if c is not None]


@pytest.mark.parametrize("classifier", CLASSIFIERS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(
    "classes",
    [np.array(["apple", "pear"]), np.array([3, 7]), np.array([False, True]),
     np.array([3, 7], dtype=np.uint8)],
    ids=["str", "int", "bool", "uint8"],
)
def test_predictions_keep_the_label_dtype(classifier, classes):
    X, y, sd = _data()
    labels = classes[y]
    model = clone(classifier).fit(X, labels, sample_domain=sd)
    pred = model.predict(X[:7])
    assert pred.dtype == labels.dtype
    assert model.classes_.dtype == labels.dtype
    assert set(pred) <= set(classes)


def test_jda_pseudo_labels_keep_the_label_dtype():
    X, y, sd = _data()
    labels = np.array(["apple", "pear"])[y]
    jda = skt.JDA(n_components=1, max_iter=2).fit(X, labels, sample_domain=sd)
    assert jda.pseudo_labels_.dtype == labels.dtype


# -- the HTML repr links to skt's API pages ---------------------------------------------------


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_html_repr_links_to_the_api_page(estimator):
    # docs/api.rst lists the public estimators under skt (autosummary: generated/skt.<Name>),
    # the others under their public module (skt.model_selection.SourceSelector)
    cls = type(estimator)
    name = cls.__name__
    module = ".".join(p for p in cls.__module__.split(".") if not p.startswith("_"))
    module = "skt" if getattr(skt, name, None) is cls else module
    url = f"https://skt.readthedocs.io/en/latest/generated/{module}.{name}.html"
    assert estimator._get_doc_link() == url
    assert url in estimator._repr_html_()


def test_html_repr_links_non_top_level_classes_to_their_module():
    from skt.reweight._common import BaseReweighting

    class Probe(BaseReweighting):
        pass

    Probe.__module__ = "skt.reweight._common"
    assert Probe()._get_doc_link() == (
        "https://skt.readthedocs.io/en/latest/generated/skt.reweight.Probe.html"
    )


# -- errors name the estimator and the argument -----------------------------------------------


def _fitted(estimator, X, y, sd):
    return clone(estimator).fit(X, y, sample_domain=sd)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("bad", [np.nan, np.inf], ids=["nan", "inf"])
def test_non_finite_input_errors_name_the_estimator_and_X(estimator, bad):
    X, y, sd = _data()
    if get_tags(estimator).estimator_type == "regressor":
        y = y.astype(float)
    X_bad = X.copy()
    X_bad[3, 1] = bad
    name = type(estimator).__name__
    what = "NaN" if np.isnan(bad) else "infinity"
    with pytest.raises(ValueError, match=rf"^{name}: Input X contains {what}") as info:
        clone(estimator).fit(X_bad, y, sample_domain=sd)
    if what == "NaN":
        assert f"{name} does not accept missing values" in str(info.value)
    model = _fitted(estimator, X, y, sd)
    method = model.predict if hasattr(model, "predict") else model.transform
    # at predict / transform time too, the message names the estimator and X
    with pytest.raises(ValueError, match=rf"^{name}: Input X contains {what}") as info:
        method(X_bad)
    if what == "NaN":
        assert f"{name} does not accept missing values" in str(info.value)
