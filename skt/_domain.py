"""The domain contract: how source and target rows travel through skt.

One ``X`` holds the rows of every domain. Which rows are which is told either by masked labels
(``-1`` for classification, ``NaN`` for regression: those rows are unlabeled target rows) or by
``sample_domain`` (positive ids are source domains, negative ids target domains). When both are
given, ``sample_domain`` wins. This module validates that information once and hands estimators
boolean masks and views of the source, target and labeled-target rows.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from skt._compat import check_array

__all__ = ["Domains", "check_domains", "mask_target_labels", "infer_sample_domain"]

#: Label that marks an unlabeled (target) row for classification.
CLASSIFICATION_MASK = -1

#: Domain id given to source rows and target rows inferred from masked labels.
SOURCE_ID = 1
TARGET_ID = -1


def _is_float_labels(y):
    return y.dtype.kind == "f"


def _masked_rows(y):
    """Boolean mask of the rows whose label is masked (``-1`` or ``NaN``)."""
    if y.dtype.kind == "f":
        return np.isnan(y) | (y == CLASSIFICATION_MASK)
    if y.dtype.kind in "iu":
        return y == CLASSIFICATION_MASK
    if y.dtype.kind == "b":
        return np.zeros(y.shape[0], dtype=bool)
    # strings or objects: a -1 integer or a None/NaN among them is a mask
    return np.array(
        [v is None or (isinstance(v, float) and np.isnan(v)) or _is_minus_one(v) for v in y],
        dtype=bool,
    )


def _is_minus_one(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value == -1


def _check_y(y, n_samples, *, estimator_type=None):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per row); got an array of shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and y have different lengths: X has {n_samples} rows, y has {y.shape[0]}."
        )
    if y.dtype.kind == "f" and np.isinf(y).any():
        raise ValueError(
            "Input y contains infinity; only NaN may mark unlabeled target rows (regression)."
        )
    if estimator_type == "regressor" and y.dtype.kind not in "fiub":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"Unknown label type: y must be numeric for a regressor; got labels of dtype "
                f"{y.dtype}. Unlabeled target rows of a regression problem are marked with NaN."
            ) from None
    return y


_INT64_LIMIT = 2**63  # ids are int64: |id| < 2**63 (-2**63 itself has no positive twin)


def _check_id_range(sd, name="sample_domain"):
    """Refuse ids that int64 cannot hold: a cast would wrap them (uint64 above 2**63 to
    negative ids, turning source rows into target rows) or saturate them (floats)."""
    if sd.size == 0 or sd.dtype.kind == "i":
        return
    largest = sd.max()
    smallest = sd.min()
    if largest >= _INT64_LIMIT or smallest <= -_INT64_LIMIT:
        worst = largest if largest >= _INT64_LIMIT else smallest
        raise ValueError(
            f"{name} ids must fit in a 64-bit signed integer (|id| < 2**63); got "
            f"{worst.item()!r} (dtype {sd.dtype}). Use small ids: 1, 2, ... for source "
            "domains, -1, -2, ... for target domains."
        )


def _check_sample_domain(sample_domain, n_samples):
    sd = np.asarray(sample_domain)
    if sd.ndim != 1:
        raise ValueError(
            f"sample_domain must be 1-D (one domain id per row); got shape {sd.shape}."
        )
    if sd.shape[0] != n_samples:
        raise ValueError(
            "X and sample_domain have different lengths: X has "
            f"{n_samples} rows, sample_domain has {sd.shape[0]}."
        )
    if sd.dtype.kind == "f":
        if not np.all(np.isfinite(sd)) or not np.all(sd == np.round(sd)):
            raise ValueError(
                "sample_domain must hold integer domain ids (positive: source, negative: "
                "target); found non-integer values."
            )
    elif sd.dtype.kind not in "iu":
        raise ValueError(
            "sample_domain must hold integer domain ids (positive: source, negative: target); "
            f"got dtype {sd.dtype}."
        )
    _check_id_range(sd)
    sd = sd.astype(np.int64, copy=False)
    if np.any(sd == 0):
        raise ValueError(
            "sample_domain contains 0; domain ids must be non-zero (positive: source, "
            "negative: target)."
        )
    return sd


def infer_sample_domain(y):
    """Domain ids inferred from masked labels.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels where unlabeled target rows carry ``-1`` (classification) or ``NaN``
        (regression).

    Returns
    -------
    sample_domain : ndarray of shape (n_samples,)
        ``1`` for source rows (label present), ``-1`` for target rows (label masked).

    Examples
    --------
    >>> import numpy as np
    >>> from skt import infer_sample_domain
    >>> infer_sample_domain(np.array([0, 1, -1, -1]))
    array([ 1,  1, -1, -1])
    """
    y = _check_y(y, np.shape(y)[0])
    return np.where(_masked_rows(y), TARGET_ID, SOURCE_ID).astype(np.int64)


def mask_target_labels(y, sample_domain):
    """Copy of ``y`` with the labels of target rows masked.

    The mask is ``-1`` for integer labels (scikit-learn's semi-supervised convention) and ``NaN``
    for float labels (regression). Boolean labels become integers (0 and 1) so that they can
    hold the mask; to keep them boolean (``classes_`` and predictions), keep ``y`` and pass
    ``sample_domain``. String labels cannot hold either mask: encode them first
    (``sklearn.preprocessing.LabelEncoder``) or keep ``y`` and pass ``sample_domain``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        True labels of every row.
    sample_domain : array-like of int of shape (n_samples,)
        Domain ids; rows with a negative id are target rows.

    Returns
    -------
    y_masked : ndarray of shape (n_samples,)
        ``y`` with target labels replaced by the mask.

    Examples
    --------
    >>> import numpy as np
    >>> from skt import mask_target_labels
    >>> mask_target_labels(np.array([0, 1, 1, 0]), np.array([1, 1, -2, -2]))
    array([ 0,  1, -1, -1])
    >>> mask_target_labels(np.array([0.5, 1.5, 2.5]), np.array([1, -1, -1]))
    array([0.5, nan, nan])
    """
    y = _check_y(y, np.shape(y)[0])
    sd = _check_sample_domain(sample_domain, y.shape[0])
    target = sd < 0
    if y.dtype.kind == "f":
        y_masked = y.copy()
        y_masked[target] = np.nan
        return y_masked
    if y.dtype.kind in "iub":
        if y.dtype.kind != "i":  # unsigned and boolean labels cannot hold -1
            y = y.astype(np.int64)
        if np.any(y[~target] == CLASSIFICATION_MASK):
            raise ValueError(
                "y contains the label -1 on source rows; -1 is the mask of unlabeled target "
                "rows. Re-encode the classes (e.g. with LabelEncoder) or pass sample_domain."
            )
        y_masked = y.copy()
        y_masked[target] = CLASSIFICATION_MASK
        return y_masked
    raise ValueError(
        f"Cannot mask labels of dtype {y.dtype}: the mask of unlabeled rows is -1 (integer "
        "labels) or NaN (float labels). Encode string labels with "
        "sklearn.preprocessing.LabelEncoder, or keep y as it is and pass sample_domain to tell "
        "target rows apart."
    )


@dataclass(frozen=True, eq=False)
class Domains:
    """Validated domain information for the rows of ``X``.

    Built by :func:`check_domains`; estimators read the boolean masks and the views.

    Attributes
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or None
        Labels; target labels are masked when the caller asked for it.
    sample_domain : ndarray of int64 of shape (n_samples,)
        Given or inferred domain ids (positive: source, negative: target).
    source, target, labeled_target : ndarray of bool of shape (n_samples,)
        Row masks. ``labeled_target`` is the target rows whose label is present.
    label_dtype : numpy dtype or None
        The dtype of the labels as given. Masking may widen ``y`` (to int64 to hold ``-1``,
        to object to hold ``None``); :meth:`labels` gives the labels of labeled rows back in
        this dtype, so that predictions keep the label dtype.
    """

    X: np.ndarray
    y: np.ndarray | None
    sample_domain: np.ndarray
    source: np.ndarray
    target: np.ndarray
    labeled_target: np.ndarray
    label_dtype: np.dtype | None = None

    def labels(self, rows):
        """Labels of ``rows`` (a mask or indices of rows that carry a label), in ``label_dtype``.

        Parameters
        ----------
        rows : ndarray of bool or int
            Rows to select; each must carry its label (source or labeled target rows).

        Returns
        -------
        y : ndarray
            ``y[rows]`` in the dtype the labels were given in.
        """
        if self.y is None:
            return None
        y = self.y[rows]
        if self.label_dtype is not None and y.dtype != self.label_dtype:
            y = y.astype(self.label_dtype)
        return y

    @property
    def X_source(self):
        return self.X[self.source]

    @property
    def X_target(self):
        return self.X[self.target]

    @property
    def y_source(self):
        return None if self.y is None else self.labels(self.source)

    @property
    def X_labeled_target(self):
        return self.X[self.labeled_target]

    @property
    def y_labeled_target(self):
        return None if self.y is None else self.labels(self.labeled_target)

    @property
    def n_source(self):
        return int(self.source.sum())

    @property
    def n_target(self):
        return int(self.target.sum())

    @property
    def source_ids(self):
        """Sorted ids of the source domains."""
        return np.unique(self.sample_domain[self.source])

    @property
    def target_ids(self):
        """Sorted ids of the target domains."""
        return np.unique(self.sample_domain[self.target])


def check_domains(
    X,
    y=None,
    sample_domain=None,
    *,
    require_source=True,
    require_target=True,
    require_labeled_target=False,
    mask_target=False,
    estimator_type=None,
    caller=None,
    accept_sparse=False,
):
    """Validate ``X, y, sample_domain`` and split the rows into domains.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows of every domain. Must be finite.
    y : array-like of shape (n_samples,), default=None
        Labels; ``-1`` (classification) or ``NaN`` (regression) mark unlabeled target rows.
    sample_domain : array-like of int of shape (n_samples,), default=None
        Domain ids, positive for source and negative for target rows; wins over the mask in
        ``y``. When both are None, every row is a target row (new data at predict time).
    require_source, require_target : bool, default=True
        Raise a ValueError when there is no source (target) row.
    require_labeled_target : bool, default=False
        Raise a ValueError unless ``sample_domain`` is given and some target rows carry labels.
    mask_target : bool, default=False
        Mask the labels of target rows in the returned ``y``, so that a method that must not
        read them cannot.
    estimator_type : {"classifier", "regressor"} or None, default=None
        Used to check the kind of ``y``.
    caller : str, default=None
        Name used in error messages (e.g. the estimator's class name).
    accept_sparse : bool, default=False
        Accept a ``scipy.sparse`` ``X`` (CSR or CSC; other formats become CSR). It stays
        sparse in the returned views. False: sparse input is a TypeError.

    Returns
    -------
    domains : Domains
        Validated arrays and row masks.

    Examples
    --------
    >>> import numpy as np
    >>> from skt import check_domains
    >>> X = np.arange(8.0).reshape(4, 2)
    >>> d = check_domains(X, np.array([0, 1, -1, -1]))
    >>> d.source, d.n_target
    (array([ True,  True, False, False]), 2)
    """
    who = f"{caller}: " if caller else ""
    try:
        X = check_array(
            X, accept_sparse=("csr", "csc") if accept_sparse else False, ensure_all_finite=True,
            dtype="numeric", input_name="X", estimator=caller,
        )
    except ValueError as exc:
        # scikit-learn names the argument (and, for NaN, the estimator); say who is asking
        raise ValueError(f"{who}{exc}") from None
    n = X.shape[0]
    masked = np.zeros(n, dtype=bool)
    if y is not None:
        y = _check_y(y, n, estimator_type=estimator_type)
        if estimator_type == "regressor":
            # -1 is a valid regression target; only NaN masks a regression label
            masked = np.isnan(y) if y.dtype.kind == "f" else masked
        else:
            masked = _masked_rows(y)
    if sample_domain is not None:
        sd = _check_sample_domain(sample_domain, n)
    elif y is not None:
        sd = np.where(masked, TARGET_ID, SOURCE_ID).astype(np.int64)
    else:
        sd = np.full(n, TARGET_ID, dtype=np.int64)

    source = sd > 0
    target = ~source
    # without sample_domain every labeled row is a source row, so no target row has a label
    labeled_target = target & ~masked if sample_domain is not None else np.zeros(n, bool)

    if require_source and not source.any():
        if sample_domain is None and y is not None:
            how = (
                "every label in y is masked (-1 or NaN); source rows need their labels"
            )
        elif sample_domain is None:
            how = "no y and no sample_domain were given, so every row counts as a target row"
        else:
            how = "sample_domain has no positive id"
        raise ValueError(f"{who}no source rows: {how}.")
    if require_target and not target.any():
        if sample_domain is None:
            how = (
                "no label in y is masked. Mark unlabeled target rows with -1 "
                "(classification) or NaN (regression), or pass sample_domain with negative "
                "ids for target rows"
            )
        else:
            how = "sample_domain has no negative id"
        raise ValueError(f"{who}no target rows: {how}.")
    if y is not None and sample_domain is not None and masked[source].any():
        raise ValueError(
            f"{who}some source rows (positive sample_domain) have a masked label "
            "(-1 or NaN); every source row needs its label."
        )
    if require_labeled_target:
        if sample_domain is None:
            raise ValueError(
                f"{who}labeled target rows are needed, and only sample_domain tells them from "
                "source rows: pass sample_domain (negative ids for target rows) with the "
                "known target labels in y."
            )
        if not labeled_target.any():
            raise ValueError(
                f"{who}no labeled target rows: every target row (negative sample_domain) has "
                "a masked label."
            )
    if y is not None and estimator_type == "classifier":
        _check_classification_labels(y[source | labeled_target], who)

    label_dtype = None if y is None else y.dtype
    if mask_target and y is not None and target.any():
        y = _masked_copy(y, target)
        labeled_target = np.zeros(n, dtype=bool)
    return Domains(X, y, sd, source, target, labeled_target, label_dtype)


def _masked_copy(y, rows):
    if y.dtype.kind == "f":
        y = y.copy()
        y[rows] = np.nan
    elif y.dtype.kind in "iub":  # booleans as 0/1 (see Domains.labels)
        y = y.astype(np.int64, copy=True)
        y[rows] = CLASSIFICATION_MASK
    else:
        y = y.astype(object, copy=True)
        y[rows] = None
    return y


def _check_classification_labels(y_labeled, who):
    if y_labeled.size == 0:
        return
    if y_labeled.dtype.kind == "f":
        kind = type_of_target(y_labeled)
        if kind == "continuous":
            raise ValueError(
                f"{who}Unknown label type: continuous values in y. A classifier needs class "
                "labels; use a regressor for continuous targets."
            )

