"""Base classes for the three kinds of skt building blocks.

- :class:`BaseAdapter`: a transformer whose ``fit_transform`` maps source rows into the shared
  space and target rows as target rows, and whose ``transform`` maps new rows as target rows
  unless ``sample_domain`` says otherwise (CORAL, Subspace Alignment, TCA, ...).
- :class:`BaseTransferEstimator`: an estimator that learns from all rows and predicts for target
  rows (TrAdaBoost, baselines).
- :class:`BaseWrappingEstimator`: a transfer estimator that fits one clone of ``estimator`` on a
  selection of rows with optional per-row weights, and delegates prediction to it. The
  reweighting family (KMM, KLIEP, ...) and the baselines build on it.

Every method that takes ``sample_domain`` declares it in class-level metadata requests, so that
``sample_domain=`` can be routed once through ``Pipeline``/``GridSearchCV`` when the user has
turned metadata routing on; with routing off, ``step__sample_domain=`` works as for any fit
parameter. Nothing here changes scikit-learn's global configuration.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    MetaEstimatorMixin,
    TransformerMixin,
    clone,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import _safe_indexing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, has_fit_parameter

from skt._compat import get_tags, validate_data

from . import _sparse
from ._domain import _check_sample_domain, _masked_rows, check_domains
from ._threads import ThreadPolicyMixin, blas_threads, policy_on

__all__ = ["BaseAdapter", "BaseTransferEstimator", "BaseWrappingEstimator"]

_SAMPLE_DOMAIN = {"sample_domain": True}

#: Where the API pages live: autosummary writes ``generated/<module>.<name>.html`` for the
#: names listed in docs/api.rst.
_DOC_URL = "https://skt.readthedocs.io/en/latest"


class _DocLinkMixin:
    """Point the HTML repr's "?" link at skt's API page instead of scikit-learn's.

    scikit-learn links an estimator whose top-level package is ``_doc_link_module`` to
    ``_doc_link_template`` (formatted with ``estimator_module`` and ``estimator_name``). skt
    documents its public estimators under the top-level name (``skt.CORAL``), other classes
    under their public module (``skt.base.BaseAdapter``).
    """

    _doc_link_module = "skt"

    @property
    def _doc_link_template(self):
        import skt

        cls = type(self)
        module = "skt" if getattr(skt, cls.__name__, None) is cls else "{estimator_module}"
        return f"{_DOC_URL}/generated/{module}.{{estimator_name}}.html"


def _accept_sparse(estimator):
    """The sparse formats ``estimator`` takes (its ``_sparse_support``), for ``validate_data``."""
    return _sparse.ACCEPT_SPARSE if estimator._sparse_support else False


def _validate_new_rows(estimator, X):
    """``X`` at predict/transform time, validated against the fit; errors name the estimator.

    scikit-learn's message names ``X`` (and, for NaN, the estimator); for infinity or a wrong
    number of features it does not say which step of a pipeline refused the rows.
    """
    try:
        return validate_data(
            estimator, X, reset=False, dtype=FLOAT_DTYPES, accept_sparse=_accept_sparse(estimator)
        )
    except ValueError as exc:
        name = type(estimator).__name__
        if str(exc).startswith(f"{name}:"):
            raise
        raise ValueError(f"{name}: {exc}") from None


#: Values of ``domain_mode``, the parameter of the adapters that offer a per-domain mode.
DOMAIN_MODES = ("pooled", "per_domain")


def _source_rows_at_predict(X, sample_domain):
    """Rows to treat as source rows after fit: only those ``sample_domain`` marks positive."""
    if sample_domain is None:
        return np.zeros(X.shape[0], dtype=bool)
    return _check_sample_domain(sample_domain, X.shape[0]) > 0


class BaseAdapter(
    ThreadPolicyMixin,
    _DocLinkMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Base class of adapters: transformers that map source and target rows to a shared space.

    Subclasses implement ``_fit(self, domains)`` and ``_transform(self, X, sample_domain)``
    (or the two maps ``_transform_source(X)`` and ``_transform_target(X)``).

    ``fit`` validates ``X`` once (``n_features_in_`` and finiteness) and splits the rows with
    :func:`skt.check_domains`. Unless the subclass sets ``_uses_target_labels = True``, the labels
    of target rows are masked before ``_fit`` sees them, so an unsupervised adapter cannot read
    them. ``_requires_labeled_target = True`` makes ``fit`` demand labeled target rows (and
    therefore ``sample_domain``). ``_sparse_support = True`` makes ``fit`` and ``transform``
    accept ``scipy.sparse`` input (CSR/CSC, kept sparse) and declares it in the tags.

    Output follows scikit-learn: ``set_output(transform="pandas")`` wraps ``transform`` and
    ``fit_transform`` (scikit-learn's ``TransformerMixin``), and ``get_feature_names_out``
    names the output columns. By default they are components named after the class
    (``tca0``, ``tca1``, ..., from ``n_components_``, by scikit-learn's
    ``ClassNamePrefixFeaturesOutMixin``); an adapter whose output columns are its input
    features puts ``OneToOneFeatureMixin`` first among its bases (CORAL), and one with its own
    layout overrides ``get_feature_names_out`` (FeatureAugmentation).

    **Per-domain mode.** An adapter with a ``domain_mode`` parameter (CORAL, SubspaceAlignment,
    LinearOTMapping, OTMapping) gets it from here, implemented once for all of them:
    with ``domain_mode="per_domain"``, ``fit`` fits one clone in the pooled mode per source id,
    on that source's rows against the pooled target rows (the reference), and, when there are
    several target ids, one per target id, on that target's rows (in the role of the source)
    against the pooled target rows. The clones are kept in ``adapters_`` (``{domain id:
    fitted adapter}``). Rows then map into the reference space by their own domain's clone:
    source rows of id ``s`` as the source rows of ``adapters_[s]``, target rows of a fitted
    target id by ``adapters_[t]``, and target rows without ``sample_domain`` or with a target id
    not seen in ``fit`` as rows of the pooled target (the reference map, shared by every clone).
    A source id not seen in ``fit`` is a ValueError at ``transform``: no map was learned for it.
    A subclass whose clones may disagree on the output dimension reconciles them in
    ``_reconcile_adapters`` (SubspaceAlignment with ``n_components="auto"``).
    """

    __metadata_request__fit = _SAMPLE_DOMAIN
    __metadata_request__transform = _SAMPLE_DOMAIN

    _uses_target_labels = False
    _requires_labeled_target = False
    _sparse_support = False
    #: BLAS threads of ``_fit`` at most (None: the call's budget, skt._threads); set where one
    #: thread was measured faster (benchmarks/bench_threads.py)
    _fit_blas_threads = None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._sparse_support
        return tags

    @property
    def _n_features_out(self):
        # read by ClassNamePrefixFeaturesOutMixin; absent (AttributeError) before fit
        return self.n_components_

    def fit(self, X, y=None, *, sample_domain=None):
        """Fit the adapter on source and target rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        y : array-like of shape (n_samples,), default=None
            Labels; ``-1`` (classification) or ``NaN`` (regression) mark target rows when
            ``sample_domain`` is not given.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source rows, negative for target rows.

        Returns
        -------
        self : object
            The fitted adapter.
        """
        self._fit_domains(X, y, sample_domain)
        return self

    def fit_transform(self, X, y=None, *, sample_domain=None):
        """Fit, then map source rows as source and target rows as target.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        y : array-like of shape (n_samples,), default=None
            Labels with masked target rows, see :meth:`fit`.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source rows, negative for target rows.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features_out)
            Every row in the shared space.
        """
        domains = self._fit_domains(X, y, sample_domain)
        Z = self._transform_rows(domains.X, domains.sample_domain, known_domains=True)
        return self._check_output(Z, domains.X)

    def transform(self, X, *, sample_domain=None):
        """Map rows into the shared space; rows are target rows unless ``sample_domain`` > 0.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            New rows. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids; rows with a positive id are mapped as source rows. By default every
            row is a target row.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features_out)
            The rows in the shared space.
        """
        check_is_fitted(self)
        X = _validate_new_rows(self, X)
        known = sample_domain is not None
        if sample_domain is None:
            sample_domain = np.full(X.shape[0], -1, dtype=np.int64)
        else:
            sample_domain = _check_sample_domain(sample_domain, X.shape[0])
        return self._check_output(
            self._transform_rows(X, sample_domain, known_domains=known), X
        )

    def _check_output(self, Z, X):
        """``Z``, unless it holds NaN or infinity: the input was checked finite, so any comes
        from an overflow (data of extreme scale), and is an error rather than a silent result.
        """
        values = Z.data if sp.issparse(Z) else Z
        if not np.isfinite(values).all():
            scale = float(abs(X).max()) if X.shape[0] and X.shape[1] else 0.0
            raise ValueError(
                f"{type(self).__name__}: the output has non-finite values (NaN or infinity) "
                f"although X is finite: the computation overflows {np.dtype(Z.dtype).name} on "
                f"data of this scale (|X| up to {scale:.3g}). Rescale X first, e.g. with "
                "sklearn.preprocessing.StandardScaler."
            )
        return Z

    def _fit_domains(self, X, y, sample_domain):
        # finiteness is checked once, by check_domains (a full pass over X)
        X = validate_data(
            self, X, reset=True, dtype=FLOAT_DTYPES, ensure_all_finite=False,
            accept_sparse=_accept_sparse(self),
        )
        domains = check_domains(
            X,
            y,
            sample_domain,
            require_labeled_target=self._requires_labeled_target,
            mask_target=not self._uses_target_labels,
            caller=type(self).__name__,
            accept_sparse=self._sparse_support,
        )
        with blas_threads(self._fit_blas_threads if policy_on() else None):
            if self._check_domain_mode() == "per_domain":
                self._fit_per_domain(domains)
            else:
                self.__dict__.pop("adapters_", None)  # from an earlier per-domain fit
                self._fit(domains)
        return domains

    # -- per-domain mode (see the class docstring) -------------------------------------------

    def _check_domain_mode(self):
        mode = getattr(self, "domain_mode", "pooled")
        if not isinstance(mode, str) or mode not in DOMAIN_MODES:
            raise ValueError(
                f"{type(self).__name__}: domain_mode must be one of {list(DOMAIN_MODES)}; got "
                f"domain_mode={mode!r}."
            )
        return mode

    def _fit_per_domain(self, domains):
        X, sd, y = domains.X, domains.sample_domain, domains.y
        target = domains.target
        X_target = X[target]
        template = clone(self).set_params(domain_mode="pooled")
        name = type(self).__name__
        target_ids = domains.target_ids
        # each source id, and each target id when there are several, against the pooled target
        ids = [*domains.source_ids, *(target_ids if target_ids.size > 1 else [])]
        adapters = {}
        # every clone has the same target rows (the pooled target): their statistics are
        # computed by the first clone and read by the others (see _target_statistics)
        cache = {}
        for i in ids:
            own = sd == i
            n_own, n_t = int(own.sum()), X_target.shape[0]
            X_pair = (sp.vstack if sp.issparse(X) else np.vstack)([X[own], X_target])
            if sp.issparse(X):
                X_pair = X_pair.asformat(X.format)
            sd_pair = np.r_[np.ones(n_own, np.int64), -np.ones(n_t, np.int64)]
            # a target domain plays the source, without labels (target labels are never read)
            y_pair = None if y is None or i < 0 else np.concatenate([y[own], y[target]])
            role = "source" if i > 0 else "target"
            adapter = clone(template)
            adapter._target_cache = cache
            try:
                adapters[int(i)] = adapter.fit(X_pair, y_pair, sample_domain=sd_pair)
            except ValueError as exc:
                raise ValueError(
                    f"{name}(domain_mode='per_domain'): {role} domain {int(i)} ({n_own} "
                    f"row{'s' * (n_own != 1)}) "
                    f"mapped onto the pooled target rows ({n_t} rows): {exc}"
                ) from None
            finally:
                del adapter._target_cache
        self.adapters_ = self._reconcile_adapters(adapters)
        return self

    def _target_statistics(self, key, fn, X_source, X_target):
        """``(fn(X_source), fn(X_target))``, two domains' statistics (see ``_utils.per_domain``).

        In a per-domain fit the target rows are the pooled target's in every clone: their
        statistics (for this ``key``, which names ``fn`` and its parameters) are computed once
        and shared, so the per-domain fit costs one source statistic per domain plus one
        target statistic, less than the single-source fits together.
        """
        from .alignment._utils import per_domain

        cache = self.__dict__.get("_target_cache")
        if cache is not None and key in cache:
            return fn(X_source), cache[key]
        source, target = per_domain(fn, X_source, X_target)
        if cache is not None:
            cache[key] = target
        return source, target

    def _reconcile_adapters(self, adapters):
        """The fitted per-domain clones, made to agree (the output dimension) if needed."""
        return adapters

    def _transform_rows(self, X, sample_domain, *, known_domains):
        if "adapters_" not in self.__dict__:
            return self._transform(X, sample_domain)
        return self._transform_per_domain(X, sample_domain, known_domains)

    def _transform_per_domain(self, X, sample_domain, known_domains):
        adapters = self.adapters_
        reference = next(iter(adapters.values()))  # every clone has the pooled target's map
        ids = np.unique(sample_domain)
        unseen = [int(i) for i in ids if i > 0 and int(i) not in adapters]
        if unseen:
            fitted = sorted(i for i in adapters if i > 0)
            raise ValueError(
                f"{type(self).__name__}(domain_mode='per_domain'): sample_domain has source "
                f"id(s) {unseen} not seen in fit (source ids seen: {fitted}); a source "
                "domain's rows are mapped by the map learned for that domain. Refit with "
                "these domains, or pass them as target rows (negative ids)."
            )
        out = None
        for i in ids:
            mask = sample_domain == i
            own = adapters.get(int(i)) if (i > 0 or known_domains) else None
            Xi = X if mask.all() else X[mask]
            if own is not None:  # the domain's rows, as the source rows of its own clone
                Z = own._transform(Xi, np.ones(Xi.shape[0], dtype=np.int64))
            else:  # target rows as rows of the pooled target
                Z = reference._transform(Xi, -np.ones(Xi.shape[0], dtype=np.int64))
            if mask.all():
                return Z
            if out is None:
                out = np.empty((X.shape[0], Z.shape[1]), dtype=Z.dtype)
            out[mask] = Z
        return out

    def _transform(self, X, sample_domain):
        source = sample_domain > 0
        if source.all():
            return self._transform_source(X)
        if not source.any():
            return self._transform_target(X)
        Xs, Xt = self._transform_source(X[source]), self._transform_target(X[~source])
        out = np.empty((X.shape[0], Xt.shape[1]), dtype=Xt.dtype)
        out[source], out[~source] = Xs, Xt
        return out


def _delegate_type_tags(tags, inner_tags):
    tags.estimator_type = inner_tags.estimator_type
    tags.classifier_tags = inner_tags.classifier_tags
    tags.regressor_tags = inner_tags.regressor_tags
    tags.target_tags.required = True
    return tags


class BaseTransferEstimator(ThreadPolicyMixin, _DocLinkMixin, MetaEstimatorMixin, BaseEstimator):
    """Base class of estimators that learn from every domain and predict for target rows.

    Subclasses implement ``_fit(self, domains, **fit_params)`` and ``predict``; ``fit``
    validates ``X`` and the domains once. Class attributes set what the method needs:
    ``_requires_target`` (unlabeled or labeled target rows must be present),
    ``_requires_labeled_target`` (labeled target rows, hence ``sample_domain``) and
    ``_uses_target_labels`` (when False, target labels are masked before ``_fit``).
    ``_sparse_support = True`` makes ``fit`` and prediction accept ``scipy.sparse`` input
    (CSR/CSC), passed on sparse to the inner estimators; the ``sparse`` input tag is then that
    of the inner estimator (``_inner_estimator_for_tags``).
    """

    __metadata_request__fit = _SAMPLE_DOMAIN
    __metadata_request__predict = _SAMPLE_DOMAIN
    __metadata_request__predict_proba = _SAMPLE_DOMAIN
    __metadata_request__predict_log_proba = _SAMPLE_DOMAIN
    __metadata_request__decision_function = _SAMPLE_DOMAIN
    __metadata_request__score = _SAMPLE_DOMAIN

    _requires_target = True
    _requires_labeled_target = False
    _uses_target_labels = False
    _sparse_support = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self._inner_estimator_for_tags()
        tags.input_tags.sparse = self._sparse_support and (
            inner is None or get_tags(inner).input_tags.sparse
        )
        return tags

    def _inner_estimator_for_tags(self):
        """The estimator that receives ``X`` (None: no inner estimator reads ``X``)."""
        return None

    def _validate_fit_data(self, X, y, sample_domain):
        # finiteness is checked once, by check_domains, whose errors name the estimator
        X = validate_data(
            self, X, reset=True, dtype=FLOAT_DTYPES, ensure_all_finite=False,
            accept_sparse=_accept_sparse(self),
        )
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        return check_domains(
            X,
            y,
            sample_domain,
            require_target=self._requires_target,
            require_labeled_target=self._requires_labeled_target,
            mask_target=not self._uses_target_labels,
            estimator_type=self._inner_estimator_type(),
            caller=type(self).__name__,
            accept_sparse=self._sparse_support,
        )

    def _inner_estimator_type(self):
        return get_tags(self).estimator_type

    def _validate_predict_data(self, X, sample_domain):
        check_is_fitted(self)
        X = _validate_new_rows(self, X)
        if sample_domain is not None:
            _check_sample_domain(sample_domain, X.shape[0])
        return X

    def score(self, X, y, sample_weight=None, *, sample_domain=None):
        """Accuracy (classifier) or R^2 (regressor) on the labeled target rows.

        Rows with a masked label carry no label and are left out. When ``sample_domain`` is
        given, only rows with a negative id (target rows) are scored. Without it, rows with a
        masked label among labeled ones mean that the labeled rows are source rows: the score
        then measures the source rows, and a UserWarning says so (and names the fix: a
        domain-adaptation scorer, or target labels with ``sample_domain``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test rows. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids; when given, source rows are not scored.

        Returns
        -------
        score : float
            Accuracy or R^2 of ``self.predict(X)`` on the scored rows.
        """
        X_given = X
        X = self._validate_predict_data(X, sample_domain)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and y have different lengths: X has {X.shape[0]} rows, y has {y.shape[0]}."
            )
        is_classifier = self._inner_estimator_type() == "classifier"
        rows = ~_masked_rows(y) if is_classifier or y.dtype.kind == "f" else np.ones(len(y), bool)
        if sample_domain is None and not rows.all() and rows.any():
            _warn_source_score(type(self).__name__, int((~rows).sum()), len(rows))
        if sample_domain is not None:
            rows &= _check_sample_domain(sample_domain, X.shape[0]) < 0
        if not rows.any():
            raise ValueError(
                "score: no row to score; every row is a source row or has a masked label."
            )
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)[rows]
        # the rows as given (a DataFrame keeps its column names for predict's name check)
        y_pred = self.predict(_safe_indexing(X_given, rows))
        metric = accuracy_score if is_classifier else r2_score
        return metric(y[rows], y_pred, sample_weight=sample_weight)


def _warn_source_score(who, n_masked, n_rows):
    """The warning of ``score`` on rows whose labels are masked (see its docstring)."""
    warnings.warn(
        f"{who}.score: {n_masked} of {n_rows} rows have a masked label (-1 or NaN) and are left "
        "out, so the score is measured on the labeled rows only, which are SOURCE rows: it is "
        "not the accuracy on the target domain. This happens with cross_validate or "
        "GridSearchCV on labels with masked target rows and the default scoring. To estimate "
        "target accuracy without target labels, pass scoring= a domain-adaptation scorer "
        "(skt.model_selection.ImportanceWeightedScorer, ...); with true target labels, pass "
        "them in y with sample_domain (groups=sample_domain and a domain-aware splitter such "
        "as skt.model_selection.SourceTargetShuffleSplit).",
        UserWarning,
        stacklevel=3,
    )


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self._get_estimator(), attr)

    return check


class BaseWrappingEstimator(BaseTransferEstimator):
    """Transfer estimator that fits one clone of ``estimator`` and delegates to it.

    Subclasses implement ``_select(self, domains)`` returning ``(rows, sample_weight)``: the
    boolean mask of the rows to train on and their weights (or None).

    The estimator type (classifier or regressor) and its tags are the inner estimator's; the
    default inner estimator, created in ``fit``, is ``LogisticRegression()``. Sparse input
    reaches the inner estimator sparse.
    """

    _sparse_support = True

    def __init__(self, estimator=None):
        self.estimator = estimator

    def _get_estimator(self):
        return LogisticRegression() if self.estimator is None else self.estimator

    @property
    def _estimator_type(self):
        # scikit-learn < 1.6 reads the estimator type from this attribute
        return getattr(self._get_estimator(), "_estimator_type", None)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._get_estimator())
        return _delegate_type_tags(tags, inner)

    def _inner_estimator_for_tags(self):
        return self._get_estimator()

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"requires_y": True}

    def _inner_estimator_type(self):
        return get_tags(self._get_estimator()).estimator_type

    def fit(self, X, y, *, sample_domain=None):
        """Fit a clone of ``estimator`` on the rows this method selects.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows of every domain. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        y : array-like of shape (n_samples,)
            Labels; ``-1`` (classification) or ``NaN`` (regression) mark unlabeled target rows.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source rows, negative for target rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        domains = self._validate_fit_data(X, y, sample_domain)
        rows, weight = self._select(domains)
        weight = self._weigh_sources(domains, rows, weight)
        estimator = self._get_estimator()
        if weight is not None and not has_fit_parameter(estimator, "sample_weight"):
            raise TypeError(
                f"{type(self).__name__}: estimator {type(estimator).__name__} does not accept "
                "sample_weight in fit, and this method trains it with per-row weights. Use an "
                "estimator whose fit takes sample_weight."
            )
        fit_params = {} if weight is None else {"sample_weight": weight}
        self.estimator_ = clone(estimator).fit(domains.X[rows], domains.labels(rows), **fit_params)
        if hasattr(self.estimator_, "classes_"):
            self.classes_ = self.estimator_.classes_
        return self

    def _weigh_sources(self, domains, rows, weight):
        """``weight`` times the per-source factor of ``source_weighting`` (if a parameter).

        Sets ``source_ids_`` and ``source_weights_``; the rows of source ``s`` are multiplied
        by ``source_weights_[s] * n_source / n_s``, other rows are left as they are.
        """
        if "source_weighting" not in self.get_params(deep=False):
            return weight
        from ._source_weights import domain_weights, row_multipliers

        method = self.source_weighting
        ids, w, _ = domain_weights(
            domains, method, estimator=self._get_estimator(),
            random_state=getattr(self, "random_state", None), who=type(self).__name__,
        )
        self.source_ids_, self.source_weights_ = ids, w
        if method is None:
            return weight
        factor = row_multipliers(domains.sample_domain, ids, w)[rows]
        return factor if weight is None else np.asarray(weight, dtype=np.float64) * factor

    @available_if(_estimator_has("predict"))
    def predict(self, X, *, sample_domain=None):
        """Predict with the inner estimator (rows are target rows).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels or values.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X, *, sample_domain=None):
        """Class probabilities from the inner estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X, *, sample_domain=None):
        """Log class probabilities from the inner estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X, *, sample_domain=None):
        """Decision function of the inner estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to predict. Sparse rows (CSR/CSC) where the class accepts
            them (see the class docstring), kept sparse.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision values.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.estimator_.decision_function(X)
