"""Baselines every transfer method is compared with: source-only, target-only and pooled.

They also make a plain scikit-learn model usable as the last step of a pipeline fed with masked
labels: a plain classifier there would learn ``-1`` as a class.
"""

from ._source_weights import SOURCE_WEIGHTING_ATTRIBUTES, SOURCE_WEIGHTING_PARAM
from .base import BaseWrappingEstimator

__all__ = ["SourceOnly", "TargetOnly", "Pooled"]

_ESTIMATOR_PARAM = """estimator : estimator object, default=None
        Any scikit-learn classifier or regressor; cloned in ``fit``. None means
        ``LogisticRegression()``. Sparse ``X`` (CSR/CSC) reaches it as it is (the ``sparse``
        input tag is the estimator's)."""


class SourceOnly(BaseWrappingEstimator):
    """Train ``estimator`` on the source rows only: the "no adaptation" baseline.

    Target rows (masked labels, or negative ``sample_domain``) are ignored in ``fit``; there may
    be none. Several source ids are pooled into one source.

    Parameters
    ----------
    {estimator}
    {source_weighting}

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    n_features_in_ : int
        Number of features seen in ``fit``.
    {source_attributes}

    See Also
    --------
    TargetOnly : train on the labeled target rows.
    Pooled : train on source and labeled target rows together.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> pipe = make_pipeline(StandardScaler(), skt.SourceOnly(LogisticRegression()))
    >>> pipe.fit(X, y_train).predict(X[:3]).shape
    (3,)
    """

    _requires_target = False

    def __init__(self, estimator=None, *, source_weighting=None):
        self.estimator = estimator
        self.source_weighting = source_weighting

    def _select(self, domains):
        return domains.source, None


class TargetOnly(BaseWrappingEstimator):
    """Train ``estimator`` on the labeled target rows only.

    Labeled target rows can only be told from source rows by ``sample_domain`` (negative ids,
    label present); ``fit`` raises a ValueError without it. Several target ids are pooled into
    one target; the rows of several source ids are ignored, as every source row is.

    Parameters
    ----------
    {estimator}

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    SourceOnly : train on the source rows.
    Pooled : train on source and labeled target rows together.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> model = skt.TargetOnly().fit(X, y, sample_domain=sample_domain)
    >>> model.score(X, y, sample_domain=sample_domain) > 0.5
    True
    """

    _requires_labeled_target = True
    _uses_target_labels = True

    def _select(self, domains):
        return domains.labeled_target, None


class Pooled(BaseWrappingEstimator):
    """Train ``estimator`` on source rows and labeled target rows together.

    Labeled target rows can only be told from source rows by ``sample_domain``; ``fit`` raises
    a ValueError without it. Unlabeled target rows are ignored. Several source ids are pooled
    into one source, several target ids into one target.

    Parameters
    ----------
    {estimator}
    {source_weighting}

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    n_features_in_ : int
        Number of features seen in ``fit``.
    {source_attributes}

    See Also
    --------
    SourceOnly : train on the source rows.
    TargetOnly : train on the labeled target rows.

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(random_state=0)
    >>> model = skt.Pooled().fit(X, y, sample_domain=sample_domain)
    >>> int(model.estimator_.n_features_in_)
    2
    """

    _requires_labeled_target = True
    _uses_target_labels = True

    def __init__(self, estimator=None, *, source_weighting=None):
        self.estimator = estimator
        self.source_weighting = source_weighting

    def _select(self, domains):
        return domains.source | domains.labeled_target, None


for _cls in (SourceOnly, TargetOnly, Pooled):
    _cls.__doc__ = _cls.__doc__.format(
        estimator=_ESTIMATOR_PARAM,
        source_weighting=SOURCE_WEIGHTING_PARAM,
        source_attributes=SOURCE_WEIGHTING_ATTRIBUTES,
    )
del _cls
