"""Domain-aware cross-validation splitters.

Every splitter here learns the domain of each row from one of three sources, in this order:

1. ``sample_domain`` routed by scikit-learn's metadata routing (``sample_domain=`` passed once to
   ``GridSearchCV.fit`` or ``cross_validate`` with ``enable_metadata_routing=True``);
2. ``groups`` (``GridSearchCV.fit(X, y, groups=sample_domain)``: works with routing off, which
   is scikit-learn's default);
3. the mask in ``y``: rows labeled ``-1`` (classification) or ``NaN`` (regression) are target
   rows, all others source rows.

The splits keep every source row in the training set and hold out target rows (or, for
:class:`LeaveOneDomainOut`, one source domain at a time), so that a transfer method trains on the
source domain plus part of the target domain and is scored on target rows it has not seen.
"""

import numbers
from abc import abstractmethod

import numpy as np
from sklearn.model_selection import (
    BaseCrossValidator,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
)
from sklearn.utils import indexable
from sklearn.utils.validation import _num_samples

from .._domain import _check_id_range, _masked_rows, infer_sample_domain

__all__ = [
    "SourceTargetShuffleSplit",
    "StratifiedSourceTargetShuffleSplit",
    "TargetKFold",
    "StratifiedTargetKFold",
    "LeaveOneDomainOut",
]

_HOW_TO_PASS = (
    "pass the domain ids as groups (GridSearchCV.fit(X, y, groups=sample_domain), "
    "cross_validate(..., groups=sample_domain)), or as sample_domain= with scikit-learn's "
    "metadata routing enabled, or mark the target rows with masked labels (-1 or NaN) in y"
)


def _check_ids(ids, n_samples, name):
    """Validate domain ids given as ``groups`` or ``sample_domain``."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.shape[0] != n_samples:
        raise ValueError(
            f"{name} must hold one domain id per row of X ({n_samples} rows); got an array "
            f"of shape {ids.shape}."
        )
    if ids.dtype.kind == "f" and np.all(np.isfinite(ids)) and np.all(ids == np.round(ids)):
        _check_id_range(ids, name)
        ids = ids.astype(np.int64)
    if ids.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must hold integer domain ids (positive: source, negative: target); got "
            f"values of dtype {ids.dtype}. With routing off, pass groups=sample_domain."
        )
    _check_id_range(ids, name)
    ids = ids.astype(np.int64, copy=False)
    if np.any(ids == 0):
        raise ValueError(
            f"{name} contains 0; domain ids must be non-zero (positive: source, negative: target)."
        )
    return ids


def _domain_ids(splitter, X, y, groups, sample_domain):
    """Domain id of every row, from ``sample_domain``, ``groups`` or the mask in ``y``."""
    who = type(splitter).__name__
    n_samples = _num_samples(X)
    if sample_domain is not None:
        sd = _check_ids(sample_domain, n_samples, "sample_domain")
        if groups is not None and not np.array_equal(_check_ids(groups, n_samples, "groups"), sd):
            raise ValueError(
                f"{who}: groups and sample_domain were both given and differ; pass the domain "
                "ids once (groups=sample_domain with routing off, or sample_domain= with "
                "metadata routing on)."
            )
        return sd, "sample_domain"
    if groups is not None:
        return _check_ids(groups, n_samples, "groups"), "groups"
    if y is None:
        raise ValueError(f"{who} needs the domain of each row and got none: {_HOW_TO_PASS}.")
    return infer_sample_domain(y), "masked labels in y"


class _DomainSplitter(BaseCrossValidator):
    """Base of the splitters that read domains from ``groups``, ``sample_domain`` or ``y``.

    Subclasses implement ``_split_domains(indices, sample_domain, y)`` yielding ``(train, test)``
    index arrays.
    """

    # GridSearchCV / cross_validate route both to ``split`` when metadata routing is on
    __metadata_request__split = {"groups": True, "sample_domain": True}

    def split(self, X, y=None, groups=None, *, sample_domain=None):
        """Generate indices of the training and test rows of each split.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain.
        y : array-like of shape (n_samples,), default=None
            Labels. Without ``groups`` and ``sample_domain``, rows with a masked label
            (``-1`` or ``NaN``) are the target rows.
        groups : array-like of int of shape (n_samples,), default=None
            Domain ids (positive: source, negative: target): pass ``groups=sample_domain``
            when scikit-learn's metadata routing is off.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids, routed here when metadata routing is on.

        Yields
        ------
        train : ndarray of int
            Indices of the training rows of the split.
        test : ndarray of int
            Indices of the test rows of the split.
        """
        X, y = indexable(X, y)
        sd, origin = _domain_ids(self, X, y, groups, sample_domain)
        self._check_domains(sd, origin)
        y_arr = None if y is None else np.asarray(y)
        for train, test in self._split_domains(sd, y_arr):
            yield np.sort(train), np.sort(test)

    def get_n_splits(self, X=None, y=None, groups=None, *, sample_domain=None):
        """Number of splits.

        Parameters
        ----------
        X, y, groups, sample_domain : object
            Ignored; present for API consistency.

        Returns
        -------
        n_splits : int
            The number of splits.
        """
        return self.n_splits

    def _check_domains(self, sd, origin):
        who = type(self).__name__
        if not np.any(sd < 0):
            raise ValueError(
                f"{who}: no target rows (domains from {origin}); target rows carry a negative "
                f"domain id. To tell target rows apart, {_HOW_TO_PASS}."
            )
        if not np.any(sd > 0):
            raise ValueError(
                f"{who}: no source rows (domains from {origin}), so no training split would "
                "hold a source row; source rows carry a positive domain id."
            )

    @abstractmethod
    def _split_domains(self, sd, y):
        """Yield ``(train, test)`` index arrays."""


def _target_labels(splitter, y, target):
    who = type(splitter).__name__
    if y is None:
        raise ValueError(
            f"{who} stratifies the held-out target rows by their labels, and y is None. Pass "
            "the true labels in y (with the domains as groups=sample_domain), or use the "
            "non-stratified splitter."
        )
    y_target = y[target]
    if np.any(_masked_rows(y_target)):
        raise ValueError(
            f"{who} stratifies the held-out target rows by their labels, but some target labels "
            "are masked (-1 or NaN). Pass the true labels in y with groups=sample_domain, or use "
            "the non-stratified splitter."
        )
    return y_target


class _BaseSourceTargetShuffleSplit(_DomainSplitter):
    def __init__(self, n_splits=5, *, test_size=0.5, random_state=None):
        self.n_splits = n_splits
        self.test_size = test_size
        self.random_state = random_state

    def _split_domains(self, sd, y):
        source = np.flatnonzero(sd > 0)
        target = np.flatnonzero(sd < 0)
        n_target = target.shape[0]
        _check_test_size(self, n_target)
        labels = self._labels(y, sd < 0)
        inner = self._inner_splitter()
        for train, test in inner.split(np.zeros((n_target, 1)), labels):
            yield np.concatenate([source, target[train]]), target[test]

    def _labels(self, y, target):
        return None


def _check_test_size(splitter, n_target):
    who = type(splitter).__name__
    test_size = splitter.test_size
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        if not 1 <= test_size < n_target:
            raise ValueError(
                f"{who}: test_size={test_size} held-out target rows leaves no target row for "
                f"training or none for testing; there are {n_target} target rows, so an "
                f"integer test_size must lie in [1, {n_target - 1}]."
            )
    elif isinstance(test_size, numbers.Real) and not isinstance(test_size, bool):
        if not 0 < test_size < 1:
            raise ValueError(
                f"{who}: test_size must be a fraction of the target rows in (0, 1) or an "
                f"integer number of rows; got {test_size!r}."
            )
    else:
        raise ValueError(
            f"{who}: test_size must be a float in (0, 1) or an int; got {test_size!r}."
        )


class SourceTargetShuffleSplit(_BaseSourceTargetShuffleSplit):
    """Random splits that hold out target rows and keep every source row for training.

    Each split trains on all source rows plus the target rows that are not held out, and tests
    on the held-out target rows. This is the honest oracle protocol for unsupervised domain
    adaptation: the transfer method sees every target row of the training split (it needs them
    to adapt), and is scored on target rows it has never seen, with their true labels.

    The domains come from ``groups=sample_domain`` (metadata routing off), from routed
    ``sample_domain`` (routing on), or from the mask in ``y`` (``-1`` or ``NaN`` mark target
    rows).

    Parameters
    ----------
    n_splits : int, default=5
        Number of random splits.
    test_size : float or int, default=0.5
        Held-out target rows: a fraction of the target rows in (0, 1), or a number of rows.
        At least one target row always stays in the training split.
    random_state : int, RandomState instance or None, default=None
        Seed of the permutations of the target rows.

    See Also
    --------
    StratifiedSourceTargetShuffleSplit : the same, stratified by the target labels.
    TargetKFold : k-fold over the target rows.
    LeaveOneDomainOut : hold out one source domain at a time.

    Notes
    -----
    A scorer that needs labeled source rows in the validation fold (importance-weighted,
    reverse and deep embedded validation) cannot run on these splits: their test rows are all
    target rows. Use ``cv=KFold(...)`` or ``StratifiedKFold(...)`` on masked labels for those.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.model_selection import SourceTargetShuffleSplit
    >>> X = np.zeros((8, 1))
    >>> sample_domain = np.array([1, 1, 1, 1, -2, -2, -2, -2])
    >>> cv = SourceTargetShuffleSplit(n_splits=2, test_size=0.5, random_state=0)
    >>> for train, test in cv.split(X, groups=sample_domain):
    ...     print(train, test)
    [0 1 2 3 4 5] [6 7]
    [0 1 2 3 5 7] [4 6]
    """

    def _inner_splitter(self):
        return ShuffleSplit(
            n_splits=self.n_splits, test_size=self.test_size, random_state=self.random_state
        )


class StratifiedSourceTargetShuffleSplit(_BaseSourceTargetShuffleSplit):
    """Random splits holding out target rows, stratified by their labels.

    As :class:`SourceTargetShuffleSplit`, but the held-out target rows keep the class
    proportions of the target domain. It needs the true target labels in ``y`` (an oracle
    protocol, for benchmarks) and the domains in ``groups`` or ``sample_domain``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of random splits.
    test_size : float or int, default=0.5
        Held-out target rows: a fraction of the target rows in (0, 1), or a number of rows.
    random_state : int, RandomState instance or None, default=None
        Seed of the permutations.

    See Also
    --------
    SourceTargetShuffleSplit : the non-stratified splitter.
    StratifiedTargetKFold : stratified k-fold over the target rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.model_selection import StratifiedSourceTargetShuffleSplit
    >>> X = np.zeros((8, 1))
    >>> y = np.array([0, 1, 0, 1, 0, 0, 1, 1])
    >>> sample_domain = np.array([1, 1, 1, 1, -2, -2, -2, -2])
    >>> cv = StratifiedSourceTargetShuffleSplit(n_splits=1, test_size=2, random_state=0)
    >>> train, test = next(cv.split(X, y, groups=sample_domain))
    >>> sorted(y[test].tolist())
    [0, 1]
    """

    def _inner_splitter(self):
        return StratifiedShuffleSplit(
            n_splits=self.n_splits, test_size=self.test_size, random_state=self.random_state
        )

    def _labels(self, y, target):
        return _target_labels(self, y, target)


class _BaseTargetKFold(_DomainSplitter):
    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def _labels(self, y, target):
        return None

    def _split_domains(self, sd, y):
        who = type(self).__name__
        source = np.flatnonzero(sd > 0)
        target = np.flatnonzero(sd < 0)
        if not isinstance(self.n_splits, numbers.Integral) or self.n_splits < 2:
            raise ValueError(f"{who}: n_splits must be an integer >= 2; got {self.n_splits!r}.")
        if target.shape[0] < self.n_splits:
            raise ValueError(
                f"{who}: n_splits={self.n_splits} folds need at least {self.n_splits} target "
                f"rows; found {target.shape[0]}."
            )
        labels = self._labels(y, sd < 0)
        inner = self._inner_splitter()
        for train, test in inner.split(np.zeros((target.shape[0], 1)), labels):
            yield np.concatenate([source, target[train]]), target[test]


class TargetKFold(_BaseTargetKFold):
    """K-fold over the target rows; every source row is in every training set.

    Each target row is held out exactly once. Training sets hold all source rows plus the
    target rows of the other folds.

    The domains come from ``groups=sample_domain`` (metadata routing off), from routed
    ``sample_domain`` (routing on), or from the mask in ``y``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds over the target rows (at least 2).
    shuffle : bool, default=False
        Shuffle the target rows before cutting them into folds.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle (used only when ``shuffle=True``).

    See Also
    --------
    StratifiedTargetKFold : the same, stratified by the target labels.
    SourceTargetShuffleSplit : random held-out target rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.model_selection import TargetKFold
    >>> X = np.zeros((6, 1))
    >>> y = np.array([0, 1, 0, -1, -1, -1])      # masked labels mark the target rows
    >>> for train, test in TargetKFold(n_splits=3).split(X, y):
    ...     print(train, test)
    [0 1 2 4 5] [3]
    [0 1 2 3 5] [4]
    [0 1 2 3 4] [5]
    """

    def _inner_splitter(self):
        return KFold(self.n_splits, shuffle=self.shuffle, random_state=self.random_state)


class StratifiedTargetKFold(_BaseTargetKFold):
    """K-fold over the target rows, stratified by their labels.

    As :class:`TargetKFold`, but each fold keeps the class proportions of the target domain.
    It needs the true target labels in ``y`` (an oracle protocol, for benchmarks) and the
    domains in ``groups`` or ``sample_domain``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds over the target rows (at least 2).
    shuffle : bool, default=False
        Shuffle each class's target rows before cutting them into folds.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle (used only when ``shuffle=True``).

    See Also
    --------
    TargetKFold : the non-stratified splitter.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.model_selection import StratifiedTargetKFold
    >>> X = np.zeros((8, 1))
    >>> y = np.array([0, 1, 0, 1, 0, 0, 1, 1])
    >>> sample_domain = np.array([1, 1, 1, 1, -2, -2, -2, -2])
    >>> cv = StratifiedTargetKFold(n_splits=2)
    >>> [sorted(y[test].tolist()) for _, test in cv.split(X, y, groups=sample_domain)]
    [[0, 1], [0, 1]]
    """

    def _inner_splitter(self):
        return StratifiedKFold(self.n_splits, shuffle=self.shuffle, random_state=self.random_state)

    def _labels(self, y, target):
        return _target_labels(self, y, target)


class LeaveOneDomainOut(_DomainSplitter):
    """Hold out each source domain in turn; the target rows are always in training.

    For data with several source domains: each split tests on the labeled rows of one source
    domain, used as a stand-in for the target, and trains on the other source domains plus all
    target rows (whose labels the methods never read). This validates a transfer method
    without any target label, on a domain the model has not been trained on.

    The domains come from ``groups=sample_domain`` (routing off) or routed ``sample_domain``
    (routing on); masked labels tell only one source domain apart, too few for this splitter.

    Scoring: with routing off, the default ``estimator.score`` scores the held-out rows as
    rows of a new domain. With routing on, the held-out rows keep their (positive) source id
    in the routed ``sample_domain``, which skt's ``score`` and :class:`TargetScorer` leave
    out; score them with a plain scikit-learn scorer instead (``scoring="accuracy"``), which
    takes no ``sample_domain``.

    See Also
    --------
    SourceTargetShuffleSplit : hold out target rows (needs target labels to score).

    Examples
    --------
    >>> import numpy as np
    >>> from skt.model_selection import LeaveOneDomainOut
    >>> X = np.zeros((6, 1))
    >>> sample_domain = np.array([1, 1, 2, 2, -3, -3])
    >>> for train, test in LeaveOneDomainOut().split(X, groups=sample_domain):
    ...     print(train, test)
    [2 3 4 5] [0 1]
    [0 1 4 5] [2 3]
    """

    def __init__(self):
        pass

    def get_n_splits(self, X=None, y=None, groups=None, *, sample_domain=None):
        """Number of splits: the number of source domains.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain.
        y : array-like of shape (n_samples,), default=None
            Labels (ignored).
        groups : array-like of int of shape (n_samples,), default=None
            Domain ids (routing off).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids (routing on).

        Returns
        -------
        n_splits : int
            The number of source domains.
        """
        if X is None:
            ids = sample_domain if sample_domain is not None else groups
            if ids is None:
                raise ValueError(
                    "LeaveOneDomainOut.get_n_splits needs the domain ids: pass "
                    "groups=sample_domain (or sample_domain= with metadata routing on)."
                )
            X = np.zeros((np.shape(ids)[0], 1))
        sd, origin = _domain_ids(self, X, y, groups, sample_domain)
        self._check_domains(sd, origin)
        return int(np.unique(sd[sd > 0]).shape[0])

    def _check_domains(self, sd, origin):
        super()._check_domains(sd, origin)
        n_sources = np.unique(sd[sd > 0]).shape[0]
        if n_sources < 2:
            hint = (
                " Masked labels tell only one source domain apart; pass groups=sample_domain."
                if origin == "masked labels in y"
                else ""
            )
            raise ValueError(
                f"LeaveOneDomainOut needs at least 2 source domains, so that every training "
                f"split keeps source rows; found {n_sources} (domains from {origin}).{hint}"
            )

    def _split_domains(self, sd, y):
        for domain in np.unique(sd[sd > 0]):
            test = np.flatnonzero(sd == domain)
            train = np.flatnonzero(sd != domain)
            yield train, test
