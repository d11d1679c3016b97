"""Sparse input (CSR/CSC): same results as dense input, and no dense n x d array (issue 15)."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils.fixes import parse_version
from sklearn_compat.utils import get_tags

import skt
from skt import _sparse
from skt.metrics import domain_mmd, median_heuristic, mmd, mmd_test
from skt.reweight import (
    discriminative_weights,
    kliep_weights,
    kmm_weights,
    nearest_neighbors_weights,
    ulsif_weights,
)

# scikit-learn < 1.6 has no sparse input tag: there the inner estimators' tags (read through
# sklearn-compat) say False, and so do skt's, which follow them
SPARSE_TAGS = parse_version(sklearn.__version__) >= parse_version("1.6")

FORMATS = ["csr", "csc"]
TOL = 1e-10


def _data(n=240, d=30, density=0.2, seed=0):
    """Sparse rows with a shift between the domains, labels, domain ids."""
    rng = np.random.RandomState(seed)
    X = sp.random(n, d, density=density, random_state=rng, format="csr")
    sample_domain = np.where(rng.rand(n) < 0.5, 1, -1)
    sample_domain[:2] = [1, -1]
    X = (X + sp.diags(np.where(sample_domain < 0, 0.5, 0.0)) @ X).tocsr()  # target rows scaled
    score = np.asarray(X[:, :5].sum(axis=1)).ravel()
    y = (score > np.median(score)).astype(int)
    return X, y, sample_domain


def _close(a, b, tol=TOL):
    a = a.toarray() if sp.issparse(a) else np.asarray(a)
    b = b.toarray() if sp.issparse(b) else np.asarray(b)
    assert a.shape == b.shape
    scale = max(1.0, float(np.abs(b).max()))
    np.testing.assert_allclose(a, b, rtol=0, atol=tol * scale)


# -- estimators: sparse and dense input give the same model ------------------------------------

PREDICTORS = [
    skt.SourceOnly(LogisticRegression()),
    skt.TargetOnly(LogisticRegression()),
    skt.Pooled(LogisticRegression()),
    skt.KMM(LogisticRegression(), reg=1.0, approximation="nystroem", n_components=40,
            random_state=0),
    # KLIEP's L-BFGS-B stops anywhere within tol of the optimum; at the default tol=1e-4 the
    # last-bit differences of sparse and dense kernel products led it to stop 3e-3 apart in a
    # weight (SciPy 1.17); at 1e-8 both reach the optimum to rounding
    skt.KLIEP(LogisticRegression(), random_state=0, tol=1e-8),
    skt.ULSIF(LogisticRegression(), random_state=0),
    skt.DiscriminativeReweighting(LogisticRegression()),
    skt.NearestNeighborsReweighting(LogisticRegression(), n_neighbors=3),
    skt.TrAdaBoostClassifier(LogisticRegression(), n_estimators=4, random_state=0),
    skt.TrAdaBoostClassifier(n_estimators=4, random_state=0),
]


def _semi_labels(y, sample_domain):
    """Labels with two thirds of the target rows masked (a few labeled target rows)."""
    y = y.copy()
    target = np.flatnonzero(sample_domain < 0)
    y[target[np.arange(target.size) % 3 != 0]] = -1
    return y


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("estimator", PREDICTORS, ids=lambda e: repr(e)[:60])
def test_predictors_sparse_equals_dense(estimator, fmt):
    X, y, sd = _data()
    y_train = _semi_labels(y, sd)
    Xs = X.asformat(fmt)
    sparse_fit = clone(estimator).fit(Xs, y_train, sample_domain=sd)
    dense_fit = clone(estimator).fit(
        X.toarray(), y_train, sample_domain=sd
    )
    for attr in ("weights_", "source_weights_", "target_weights_"):
        if hasattr(dense_fit, attr):
            _close(getattr(sparse_fit, attr), getattr(dense_fit, attr))
    _close(sparse_fit.predict_proba(Xs), dense_fit.predict_proba(X.toarray()))
    assert get_tags(estimator).input_tags.sparse or not SPARSE_TAGS


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "estimator",
    [skt.TrAdaBoostRegressor(n_estimators=3, random_state=0),
     skt.TwoStageTrAdaBoostRegressor(n_steps=2, n_estimators=2, cv=2, random_state=0)],
    ids=lambda e: type(e).__name__,
)
def test_boosting_regressors_sparse_equals_dense(estimator, fmt):
    X, _, sd = _data()
    y = np.asarray(X[:, :5].sum(axis=1)).ravel()
    y_train = np.where((sd < 0) & (np.arange(len(y)) % 3 != 0), np.nan, y)
    sparse_fit = clone(estimator).fit(X.asformat(fmt), y_train, sample_domain=sd)
    dense_fit = clone(estimator).fit(X.toarray(), y_train, sample_domain=sd)
    _close(sparse_fit.predict(X.asformat(fmt)), dense_fit.predict(X.toarray()))


@pytest.mark.parametrize("fmt", FORMATS)
def test_kmm_exact_sparse_close_to_dense(fmt):
    # the exact solver holds the kernel matrix in float32: sparse rows (not centred) and dense
    # rows (centred) round it differently, so the weights agree to the solver's tolerance only
    X, y, sd = _data()
    Xs, Xt = X[sd > 0], X[sd < 0]
    w_sparse = kmm_weights(Xs.asformat(fmt), Xt.asformat(fmt), reg=1.0, random_state=0)
    w_dense = kmm_weights(Xs.toarray(), Xt.toarray(), reg=1.0, random_state=0)
    np.testing.assert_allclose(w_sparse, w_dense, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "weights",
    [
        lambda a, b: kmm_weights(a, b, approximation="nystroem", n_components=30, reg=1.0,
                                 random_state=0),
        lambda a, b: kmm_weights(a, b, kernel="laplacian", approximation="nystroem",
                                 n_components=30, reg=1.0, random_state=0),
        lambda a, b: kmm_weights(a, b, approximation="random_features", n_components=30,
                                 reg=1.0, random_state=0),
        lambda a, b: kliep_weights(a, b, random_state=0, tol=1e-8),  # see KLIEP above
        lambda a, b: ulsif_weights(a, b, random_state=0),
        lambda a, b: discriminative_weights(a, b),
        lambda a, b: nearest_neighbors_weights(a, b, n_neighbors=2),
    ],
    ids=["kmm-nystroem", "kmm-nystroem-laplacian", "kmm-rff", "kliep", "ulsif",
         "discriminative", "nearest-neighbors"],
)
def test_weight_functions_sparse_equals_dense(weights, fmt):
    X, _, sd = _data()
    Xs, Xt = X[sd > 0], X[sd < 0]
    _close(weights(Xs.asformat(fmt), Xt.asformat(fmt)), weights(Xs.toarray(), Xt.toarray()))


ADAPTERS = [
    skt.CORAL(),
    skt.CORAL(reg="auto", match_mean=True),
    skt.SubspaceAlignment(n_components=4),
    skt.TCA(n_components=3, kernel="primal"),
    skt.TCA(n_components=3, kernel="linear"),
    skt.TCA(n_components=3, kernel="rbf", gamma=0.3),
    skt.TCA(n_components=3, kernel="laplacian", gamma=0.3),
    skt.TCA(n_components=3, kernel="rbf", n_landmarks=40, random_state=0),
    skt.JDA(n_components=3, kernel="primal", max_iter=3),
    skt.FeatureAugmentation(),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda e: repr(e)[:60])
def test_adapters_sparse_equals_dense(adapter, fmt):
    X, y, sd = _data()
    y_train = _semi_labels(y, sd)
    Xs = X.asformat(fmt)
    fitted = clone(adapter)
    Z_sparse = fitted.fit_transform(Xs, y_train, sample_domain=sd)
    dense = clone(adapter)
    Z_dense = dense.fit_transform(X.toarray(), y_train, sample_domain=sd)
    _close(Z_sparse, Z_dense)
    _close(fitted.transform(Xs[:7]), dense.transform(X[:7].toarray()))
    assert get_tags(adapter).input_tags.sparse or not SPARSE_TAGS


@pytest.mark.parametrize("fmt", FORMATS)
def test_feature_augmentation_keeps_the_format(fmt):
    X, y, sd = _data()
    Xs = X.asformat(fmt).astype(np.float32)
    Z = skt.FeatureAugmentation().fit_transform(Xs, y, sample_domain=sd)
    assert sp.issparse(Z) and Z.format == fmt and Z.dtype == np.float32
    # the shared block and the row's own block: every non-zero twice, no stored zeros
    assert Z.nnz == 2 * Xs.nnz


@pytest.mark.parametrize("estimator", ["TCA", "JDA", "SubspaceAlignment"])
def test_implicit_centring_operator_path(estimator, monkeypatch):
    # above MAX_DENSE_FEATURES the covariance is never formed: ARPACK on an operator
    X, y, sd = _data(d=40)
    y_train = np.where(sd > 0, y, -1)
    make = {
        "TCA": lambda: skt.TCA(n_components=3, kernel="primal"),
        "JDA": lambda: skt.JDA(n_components=3, kernel="primal", max_iter=2),
        "SubspaceAlignment": lambda: skt.SubspaceAlignment(n_components=3),
    }[estimator]
    Z_dense = make().fit_transform(X.toarray(), y_train, sample_domain=sd)
    monkeypatch.setattr(_sparse, "MAX_DENSE_FEATURES", 10)
    Z_sparse = make().fit_transform(X, y_train, sample_domain=sd)
    _close(Z_sparse, Z_dense, tol=1e-8)  # ARPACK's convergence tolerance


def test_coral_refuses_too_many_sparse_features_before_allocating():
    d = _sparse.MAX_DENSE_FEATURES + 1
    X = sp.random(40, d, density=0.01, random_state=0, format="csr")
    sd = np.r_[np.ones(20, int), -np.ones(20, int)]
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="TruncatedSVD"):
            skt.CORAL().fit(X, sample_domain=sd)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * d * 100  # far below one d x d matrix (8 d^2 bytes)


@pytest.mark.skipif(not SPARSE_TAGS, reason="scikit-learn < 1.6 has no sparse input tag")
def test_sparse_tag_follows_the_inner_estimator():
    assert get_tags(skt.KMM(LogisticRegression())).input_tags.sparse
    assert not get_tags(skt.KMM(HistGradientBoostingClassifier())).input_tags.sparse
    assert not get_tags(skt.SourceOnly(HistGradientBoostingClassifier())).input_tags.sparse
    assert get_tags(skt.TrAdaBoostClassifier()).input_tags.sparse  # decision trees
    # the domain classifier reads X too
    hist = HistGradientBoostingClassifier()
    assert not get_tags(skt.DiscriminativeReweighting(classifier=hist)).input_tags.sparse


# -- metrics ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("estimator", ["biased", "unbiased", "linear"])
@pytest.mark.parametrize(
    "kernel, gamma",
    [("rbf", 0.5), ("rbf", [0.1, 1.0]), ("laplacian", 0.3), ("linear", None),
     ("polynomial", 0.2)],
)
def test_mmd_sparse_equals_dense(kernel, gamma, estimator, fmt):
    X, _, sd = _data(n=700)  # more than one block of 512 rows
    Xs, Xt = X[sd > 0].asformat(fmt), X[sd < 0].asformat(fmt)
    weights = None
    if estimator == "biased":
        weights = np.random.RandomState(0).rand(Xs.shape[0])
    a = mmd(Xs, Xt, kernel=kernel, gamma=gamma, estimator=estimator, weights_x=weights)
    b = mmd(Xs.toarray(), Xt.toarray(), kernel=kernel, gamma=gamma, estimator=estimator,
            weights_x=weights)
    _close(a, b)


@pytest.mark.parametrize("method", ["dense", "blockwise"])
@pytest.mark.parametrize("kernel, gamma", [("rbf", 0.5), ("laplacian", 0.3), ("linear", None)])
def test_mmd_test_sparse_equals_dense(kernel, gamma, method):
    X, _, sd = _data(n=160)
    Xs, Xt = X[sd > 0].tocsc(), X[sd < 0]
    a = mmd_test(Xs, Xt, kernel=kernel, gamma=gamma, method=method, n_permutations=30,
                 random_state=0)
    b = mmd_test(Xs.toarray(), Xt.toarray(), kernel=kernel, gamma=gamma, method=method,
                 n_permutations=30, random_state=0)
    _close(a.statistic, b.statistic)
    _close(a.null_distribution, b.null_distribution)
    assert a.pvalue == b.pvalue


def test_linear_time_mmd_test_and_heuristic_and_domain_mmd_take_sparse():
    X, _, sd = _data(n=160)
    Xs, Xt = X[sd > 0], X[sd < 0]
    for method in ("asymptotic", "blockwise"):
        a = mmd_test(Xs, Xt, gamma=0.5, estimator="linear", method=method, n_permutations=20,
                     random_state=0)
        b = mmd_test(Xs.toarray(), Xt.toarray(), gamma=0.5, estimator="linear", method=method,
                     n_permutations=20, random_state=0)
        _close(a.statistic, b.statistic)
        _close(a.pvalue, b.pvalue)
    for kernel in ("rbf", "laplacian"):
        _close(median_heuristic(Xs, Xt, kernel=kernel),
               median_heuristic(Xs.toarray(), Xt.toarray(), kernel=kernel))
    _close(domain_mmd(X.tocsc(), sample_domain=sd, gamma=0.5),
           domain_mmd(X.toarray(), sample_domain=sd, gamma=0.5))


# -- no dense n x d array on the big-n paths --------------------------------------------------

N_ROWS, N_FEATURES = 2000, 12000  # a dense copy: 192 MB in float64


def random_csr(n_rows, n_features, nnz_per_row, rng):
    """CSR rows with about ``nnz_per_row`` uniform non-zeros each (fast for wide matrices)."""
    indices = rng.randint(0, n_features, size=n_rows * nnz_per_row)
    indptr = np.arange(0, n_rows * nnz_per_row + 1, nnz_per_row)
    X = sp.csr_matrix((rng.rand(indices.size), indices, indptr), shape=(n_rows, n_features))
    X.sum_duplicates()
    return X


@pytest.fixture(scope="module")
def wide_data():
    rng = np.random.RandomState(0)
    X = random_csr(N_ROWS, N_FEATURES, 20, rng)
    sd = np.where(np.arange(N_ROWS) < N_ROWS // 2, 1, -1)
    y = (np.asarray(X[:, :2000].sum(axis=1)).ravel() > 0.5).astype(int)
    y_train = np.where(sd < 0, -1, y)
    y_train[N_ROWS // 2 : N_ROWS // 2 + 100] = y[N_ROWS // 2 : N_ROWS // 2 + 100]
    return X, y_train, sd


def _forbid_wide_dense(monkeypatch, n_features):
    """Make any dense copy of more than a block of rows of the full width an error."""
    original = sp.csr_matrix.toarray

    def guarded(self, *args, **kwargs):
        if self.shape[1] == n_features and self.shape[0] > _sparse.ROWS_PER_BLOCK:
            raise AssertionError(f"a dense copy of {self.shape} sparse rows was made")
        return original(self, *args, **kwargs)

    for cls in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix):
        monkeypatch.setattr(cls, "toarray", guarded)
        monkeypatch.setattr(cls, "todense", guarded)


WIDE = {
    "SourceOnly": lambda: skt.SourceOnly(LogisticRegression(max_iter=20)),
    "KMM-nystroem": lambda: skt.KMM(LogisticRegression(max_iter=20), approximation="nystroem",
                                    n_components=50, random_state=0),
    "KMM-rff": lambda: skt.KMM(LogisticRegression(max_iter=20),
                               approximation="random_features", n_components=50,
                               random_state=0),
    "Discriminative": lambda: skt.DiscriminativeReweighting(LogisticRegression(max_iter=20)),
    "TrAdaBoost": lambda: skt.TrAdaBoostClassifier(LogisticRegression(max_iter=20),
                                                   n_estimators=3, random_state=0),
    "FeatureAugmentation": lambda: skt.FeatureAugmentation(),
    "SubspaceAlignment": lambda: skt.SubspaceAlignment(n_components=3),
    "TCA-primal": lambda: skt.TCA(n_components=3, kernel="primal"),
    "mmd": None,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(WIDE))
def test_big_paths_never_form_the_dense_matrix(name, wide_data, monkeypatch):
    X, y_train, sd = wide_data
    _forbid_wide_dense(monkeypatch, N_FEATURES)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if name == "mmd":
                mmd(X[sd > 0], X[sd < 0])
            elif hasattr(WIDE[name](), "transform"):
                WIDE[name]().fit_transform(X, y_train, sample_domain=sd)
            else:
                WIDE[name]().fit(X, y_train, sample_domain=sd).predict(X[:10])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    dense_bytes = 8 * N_ROWS * N_FEATURES
    # fixed costs (the median heuristic's 1000 x 1000 distances, the solvers) aside, memory
    # grows with the non-zeros: far below the dense copy
    assert peak < dense_bytes / 4, f"peak {peak / 2**20:.0f} MiB"
