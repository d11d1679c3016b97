"""The per-domain mode of the adapters (``domain_mode="per_domain"``, issue 18)."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

import skt


def _adapters():
    out = [skt.CORAL(), skt.CORAL(reg="auto", match_mean=True),
           skt.SubspaceAlignment(n_components=2), skt.SubspaceAlignment()]
    try:
        import ot  # noqa: F401
    except ImportError:
        return out
    return out + [skt.LinearOTMapping(), skt.OTMapping(), skt.OTMapping("sinkhorn", reg_e=0.5)]


ADAPTERS = _adapters()
IDS = [repr(a) for a in ADAPTERS]


def _several(seed=0, n=40, d=4):
    """Three source ids and two target ids, each domain with its own shift and scale."""
    rng = np.random.RandomState(seed)
    ids = [1, 2, 3, -1, -2]
    X = np.vstack([rng.randn(n, d) * (1 + k) @ rng.randn(d, d) + k for k in range(len(ids))])
    sd = np.repeat(ids, n)
    y = np.where(sd > 0, (X[:, 0] > X[:, 0].mean()).astype(int), -1)
    return X, y, sd


def _per_domain(adapter):
    return clone(adapter).set_params(domain_mode="per_domain")


def _pair(X, y, sd, own):
    """The rows of domain ``own`` as a source against the pooled target rows."""
    rows = sd == own
    Xp = np.vstack([X[rows], X[sd < 0]])
    sdp = np.r_[np.ones(rows.sum(), int), -np.ones((sd < 0).sum(), int)]
    yp = None if own < 0 else np.r_[y[rows], y[sd < 0]]
    return Xp, yp, sdp, rows


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_one_source_one_target_is_the_pooled_map(adapter):
    X, y, sd = _several()
    keep = (sd == 2) | (sd == -1)
    X, y, sd = X[keep], y[keep], sd[keep]
    pooled = clone(adapter).fit_transform(X, y, sample_domain=sd)
    per = _per_domain(adapter)
    np.testing.assert_allclose(per.fit_transform(X, y, sample_domain=sd), pooled, atol=1e-10)
    assert sorted(per.adapters_) == [2]
    X_new = X[:7] + 0.1
    np.testing.assert_allclose(
        per.transform(X_new), clone(adapter).fit(X, y, sample_domain=sd).transform(X_new),
        atol=1e-10,
    )


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_each_domain_is_mapped_as_its_own_single_source_fit(adapter):
    X, y, sd = _several()
    per = _per_domain(adapter)
    Z = per.fit_transform(X, y, sample_domain=sd)
    assert sorted(per.adapters_) == [-2, -1, 1, 2, 3]
    k = Z.shape[1]
    for own in (1, 2, 3, -1, -2):
        Xp, yp, sdp, rows = _pair(X, y, sd, own)
        single = clone(adapter)
        if isinstance(single, skt.SubspaceAlignment):
            single.set_params(n_components=k)  # "auto": every domain keeps the smallest bound
        expected = single.fit_transform(Xp, yp, sample_domain=sdp)[: rows.sum()]
        np.testing.assert_allclose(Z[rows], expected, atol=1e-8, err_msg=f"domain {own}")
    # transform with the same ids maps the rows as fit_transform did
    np.testing.assert_allclose(per.transform(X, sample_domain=sd), Z, atol=1e-8)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_target_rows_without_ids_or_with_unseen_ids_map_as_the_pooled_target(adapter):
    X, y, sd = _several()
    per = _per_domain(adapter).fit(X, y, sample_domain=sd)
    # the reference: the target map of a single-source fit (its target is the pooled target)
    Xp, yp, sdp, _ = _pair(X, y, sd, 1)
    single = clone(adapter).fit(Xp, yp, sample_domain=sdp)
    X_new = X[sd == -2][:9]
    reference = per.transform(X_new)
    if not isinstance(single, skt.SubspaceAlignment) or single.n_components_ == reference.shape[1]:
        np.testing.assert_allclose(reference, single.transform(X_new), atol=1e-10)
    unseen = per.transform(X_new, sample_domain=np.full(9, -7))
    np.testing.assert_array_equal(unseen, reference)
    # with its fitted target id, the rows are mapped by that target's own statistics
    own = per.transform(X_new, sample_domain=np.full(9, -2))
    np.testing.assert_allclose(own, per.adapters_[-2].transform(X_new, sample_domain=np.ones(9)))
    assert not np.allclose(own, reference)


@pytest.mark.parametrize("adapter", ADAPTERS[:3], ids=IDS[:3])
def test_source_id_not_seen_in_fit_is_an_error(adapter):
    X, y, sd = _several()
    per = _per_domain(adapter).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match=r"source id\(s\) \[4\] not seen in fit.*\[1, 2, 3\]"):
        per.transform(X[:5], sample_domain=[1, 2, 4, -1, 4])
    # the pooled mode has one source map, for any positive id
    pooled = clone(adapter).fit(X, y, sample_domain=sd)
    assert pooled.transform(X[:5], sample_domain=[1, 2, 4, -1, 4]).shape[0] == 5


@pytest.mark.parametrize("adapter", ADAPTERS[:3], ids=IDS[:3])
def test_a_source_domain_with_one_row_is_an_error_naming_it(adapter):
    X, y, sd = _several()
    sd = sd.copy()
    sd[np.flatnonzero(sd == 3)[1:]] = 2  # source 3 keeps one row
    with pytest.raises(ValueError, match=r"per_domain'\): source domain 3 \(1 row\)"):
        _per_domain(adapter).fit(X, y, sample_domain=sd)


def test_a_source_domain_with_one_class_is_mapped_as_any_other():
    # the adapters never read labels: a domain of one class is aligned like any other
    X, y, sd = _several()
    y = y.copy()
    y[sd == 3] = 1
    per = skt.CORAL(domain_mode="per_domain").fit(X, y, sample_domain=sd)
    other = skt.CORAL(domain_mode="per_domain").fit(X, np.where(sd > 0, 0, -1), sample_domain=sd)
    np.testing.assert_array_equal(
        per.transform(X, sample_domain=sd), other.transform(X, sample_domain=sd)
    )


def test_each_source_gets_the_pooled_target_covariance():
    X, y, sd = _several(n=200)
    Z = skt.CORAL(reg=0, domain_mode="per_domain").fit_transform(X, sample_domain=sd)
    target_cov = np.cov(X[sd < 0].T)
    for own in (1, 2, 3, -1, -2):
        np.testing.assert_allclose(np.cov(Z[sd == own].T), target_cov, atol=1e-8)
    # pooled CORAL matches the covariance of the pooled sources only, not of each source
    Zp = skt.CORAL(reg=0).fit_transform(X, sample_domain=sd)
    assert not np.allclose(np.cov(Zp[sd == 1].T), target_cov, atol=1e-2)


def test_subspace_auto_keeps_the_smallest_dimension():
    X, y, sd = _several(n=60, d=6)
    per = skt.SubspaceAlignment(domain_mode="per_domain").fit(X, sample_domain=sd)
    bounds = []
    for own in (1, 2, 3, -1, -2):
        Xp, _, sdp, _ = _pair(X, y, sd, own)
        bounds.append(skt.SubspaceAlignment().fit(Xp, sample_domain=sdp).n_components_)
    assert per.n_components_ == min(bounds)
    assert {a.n_components_ for a in per.adapters_.values()} == {min(bounds)}
    assert per.get_feature_names_out().shape == (min(bounds),)


def test_sparse_rows_map_as_dense_rows():
    X, y, sd = _several()
    for adapter in (skt.CORAL(domain_mode="per_domain"),
                    skt.SubspaceAlignment(2, domain_mode="per_domain")):
        dense = clone(adapter).fit_transform(X, sample_domain=sd)
        sparse = clone(adapter).fit_transform(sp.csr_matrix(X), sample_domain=sd)
        np.testing.assert_allclose(sparse, dense, atol=1e-8)


def test_refit_in_pooled_mode_forgets_the_clones():
    X, y, sd = _several()
    coral = skt.CORAL(domain_mode="per_domain").fit(X, sample_domain=sd)
    coral.set_params(domain_mode="pooled").fit(X, sample_domain=sd)
    assert not hasattr(coral, "adapters_")
    np.testing.assert_array_equal(
        coral.transform(X, sample_domain=sd),
        skt.CORAL().fit(X, sample_domain=sd).transform(X, sample_domain=sd),
    )


@pytest.mark.parametrize("mode", ["per_source", None, 1])
def test_bad_domain_mode(mode):
    X, y, sd = _several()
    with pytest.raises(ValueError, match="domain_mode must be one of"):
        skt.CORAL(domain_mode=mode).fit(X, sample_domain=sd)


def test_pipeline_with_pandas_output_and_masked_labels():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X, y, sd = _several()
    pipe = make_pipeline(
        skt.SubspaceAlignment(2, domain_mode="per_domain"), skt.SourceOnly(LogisticRegression())
    )
    pipe.fit(X, y, subspacealignment__sample_domain=sd)
    assert pipe.predict(X[sd < 0]).shape == ((sd < 0).sum(),)
    coral = skt.CORAL(domain_mode="per_domain").set_output(transform="pandas")
    out = coral.fit_transform(X, y, sample_domain=sd)
    assert list(out.columns) == ["x0", "x1", "x2", "x3"]


def test_the_pooled_target_statistics_are_computed_once(monkeypatch):
    # the clones share the pooled target's statistics: one computation per source domain plus
    # one for the target, instead of two per domain
    from skt.alignment import _coral

    calls = []
    real = _coral._statistics

    def counting(X, reg):
        calls.append(X.shape[0])
        return real(X, reg)

    monkeypatch.setattr(_coral, "_statistics", counting)
    X, y, sd = _several()
    coral = skt.CORAL(domain_mode="per_domain").fit(X, sample_domain=sd)
    assert len(calls) == 5 + 1
    assert calls.count((sd < 0).sum()) == 1
    assert not any(hasattr(a, "_target_cache") for a in coral.adapters_.values())


def test_class_regularised_ot_cannot_map_a_target_domain():
    pytest.importorskip("ot")
    X, y, sd = _several()
    with pytest.raises(ValueError, match=r"target domain -2 .*classes of the source rows"):
        skt.OTMapping("lpl1", domain_mode="per_domain").fit(X, y, sample_domain=sd)
    one_target = sd != -2
    fitted = skt.OTMapping("lpl1", domain_mode="per_domain").fit(
        X[one_target], y[one_target], sample_domain=sd[one_target]
    )
    assert sorted(fitted.adapters_) == [1, 2, 3]
