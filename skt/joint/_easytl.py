"""Easy Transfer Learning (EasyTL): intra-domain alignment and intra-domain programming."""

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from sklearn.base import ClassifierMixin
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.utils.multiclass import check_classification_targets

from ..alignment import CORAL
from ..base import BaseTransferEstimator

__all__ = ["EasyTL", "intra_domain_programming"]

_INTRA_ALIGN = ("coral", "raw")


def intra_domain_programming(distances):
    """The linear program of EasyTL: class memberships of target rows at least cost.

    Solves ``min sum_jc D_jc M_jc`` subject to ``sum_c M_jc = 1`` for every row ``j``,
    ``sum_j M_jc >= 1`` for every class ``c`` and ``M >= 0`` (so ``M <= 1``), with SciPy's
    HiGHS dual simplex on sparse constraint matrices. Without the class constraints the
    solution is the nearest-centre rule; with them every class receives at least one row's
    worth of membership, which is what lets the target's own structure move rows between
    classes.

    Parameters
    ----------
    distances : ndarray of shape (n_rows, n_classes)
        ``D_jc``, the distance of row ``j`` to the centre of class ``c``; ``n_rows`` must be at
        least ``n_classes`` (else the class constraints cannot hold).

    Returns
    -------
    M : ndarray of shape (n_rows, n_classes)
        An optimal vertex of the program: each row is a probability vector over the classes,
        and at most ``n_classes`` rows are not one-hot (a vertex has at most as many fractional
        rows as binding class constraints).

    Raises
    ------
    RuntimeError
        When HiGHS does not report an optimal solution (the message is HiGHS's).
    """
    D = np.asarray(distances, dtype=np.float64)
    n, C = D.shape
    if n < C:
        raise ValueError(
            f"intra_domain_programming: {n} rows cannot give each of {C} classes a row's worth "
            "of membership; at least as many rows as classes are needed."
        )
    # variables row-major: M[j, c] is x[j * C + c]
    rows_sum = sparse.kron(sparse.eye(n, format="csr"), np.ones((1, C)), format="csr")
    class_sum = sparse.kron(np.ones((1, n)), sparse.eye(C, format="csr"), format="csr")
    result = linprog(
        D.ravel(),
        A_ub=-class_sum,
        b_ub=-np.ones(C),
        A_eq=rows_sum,
        b_eq=np.ones(n),
        bounds=(0, None),
        method="highs-ds",
    )
    if result.status != 0:
        raise RuntimeError(f"EasyTL's linear program was not solved: {result.message}")
    M = result.x.reshape(n, C)
    # the simplex vertex is exact up to the solver's feasibility tolerance (1e-7)
    np.clip(M, 0.0, 1.0, out=M)
    M /= M.sum(axis=1, keepdims=True)
    return M


class EasyTL(ClassifierMixin, BaseTransferEstimator):
    """Easy Transfer Learning: nearest class centres under a linear program, no hyper-parameter.

    EasyTL (Wang et al., 2019) labels target rows from the structure of each domain alone:

    1. *Intra-domain alignment*: the source rows are recoloured with the target covariance
       (:class:`~skt.CORAL` with ``reg=1``, the authors' ``CORAL_map``), or left as they are
       (``intra_align="raw"``, the paper's EasyTL(c)).
    2. *Intra-domain programming*: with ``D_jc`` the Euclidean distance from target row ``j``
       to the mean of the (aligned) source rows of class ``c``, the memberships ``M`` solve the
       linear program ``min sum_jc D_jc M_jc`` subject to ``sum_c M_jc = 1``,
       ``sum_j M_jc >= 1`` and ``M >= 0`` (:func:`intra_domain_programming`, SciPy's HiGHS).
       A row's label is its class of largest membership.

    Nothing is tuned: no regulariser, kernel, dimension or iteration count, which matters when
    no target label exists to tune on. Labels: EasyTL reads the labels of the source rows
    only, never those of target rows.

    Parameters
    ----------
    intra_align : {"coral", "raw"}, default="coral"
        The intra-domain alignment: "coral" recolours the source rows with
        ``(C_s + I)^(-1/2) (C_t + I)^(1/2)`` before the class centres are taken (EasyTL);
        "raw" uses the features as they are (EasyTL(c) in the paper).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The classes of the source rows.
    centers_ : ndarray of shape (n_classes, n_features)
        The class means of the (aligned) source rows.
    aligner_ : CORAL or None
        The fitted intra-domain alignment (None for "raw").
    annotation_ : ndarray of shape (n_target_rows, n_classes)
        The memberships ``M`` of the training target rows (the paper's probability annotation
        matrix): an optimal vertex of the program, so nearly every row is one-hot.
    pseudo_labels_ : ndarray of shape (n_target_rows,)
        The labels of the training target rows (largest membership).
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    intra_domain_programming : the linear program alone.
    CORAL : the intra-domain alignment.

    Notes
    -----
    EasyTL is transductive: the class constraints couple the target rows. ``fit`` labels the
    training target rows (``pseudo_labels_``); ``predict`` solves the program again over the
    rows it is given, as one batch of target rows, with the class centres of ``fit``. On the
    training target rows it returns ``pseudo_labels_``; on another batch the labels depend on
    the batch (a row predicted alone can differ from the same row predicted among others). A
    batch with fewer rows than classes cannot meet the class constraints: its rows go to their
    nearest class centre (the program without them). There is no ``predict_proba``: the
    memberships are a vertex of a linear program, 0 or 1 for nearly every row, not calibrated
    probabilities.

    Classes are those of the source rows; a class seen only among target rows cannot be
    predicted. With a single source class every row gets it. Rows of several source (target)
    domains are pooled. Memory: the program has ``n_rows x n_classes`` variables; HiGHS solves
    20,000 rows x 10 classes in seconds (see ``benchmarks/bench_joint.py``). CORAL forms
    ``d x d`` covariances, so sparse input is not accepted.

    References
    ----------
    .. [1] J. Wang, Y. Chen, H. Yu, M. Huang and Q. Yang, "Easy transfer learning by exploiting
       intra-domain structures", IEEE ICME 2019.

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("covariate", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> target = sample_domain < 0
    >>> easytl = skt.EasyTL().fit(X, y_train)
    >>> easytl.annotation_.shape
    (200, 2)
    >>> bool((easytl.predict(X[target]) == easytl.pseudo_labels_).all())
    True
    """

    def __init__(self, intra_align="coral"):
        self.intra_align = intra_align

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.sparse = False
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"requires_y": True}

    # skt's score (target rows only, a warning on masked labels), not ClassifierMixin's
    score = BaseTransferEstimator.score

    def fit(self, X, y, *, sample_domain=None):
        """Align the domains, take the source class centres and label the target rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain.
        y : array-like of shape (n_samples,)
            Class labels; ``-1`` marks the target rows when ``sample_domain`` is not given.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source rows, negative for target rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if self.intra_align not in _INTRA_ALIGN:
            raise ValueError(
                f"intra_align must be one of {', '.join(map(repr, _INTRA_ALIGN))}; got "
                f"intra_align={self.intra_align!r}."
            )
        domains = self._validate_fit_data(X, y, sample_domain)
        y_s = domains.y_source
        check_classification_targets(y_s)
        self.classes_, y_idx = np.unique(y_s, return_inverse=True)
        X_s = domains.X_source
        if self.intra_align == "coral":
            self.aligner_ = CORAL(reg=1.0).fit(domains.X, sample_domain=domains.sample_domain)
            X_s = X_s @ self.aligner_.transform_matrix_.astype(X_s.dtype, copy=False)
        else:
            self.aligner_ = None
        counts = np.bincount(y_idx)
        self.centers_ = np.zeros((len(self.classes_), X_s.shape[1]))
        np.add.at(self.centers_, y_idx, X_s)
        self.centers_ /= counts[:, None]
        self.annotation_ = self._memberships(domains.X_target)
        self.pseudo_labels_ = self.classes_[np.argmax(self.annotation_, axis=1)]
        return self

    def _memberships(self, X):
        """Memberships of the rows of ``X`` taken as one batch of target rows."""
        D = euclidean_distances(X, self.centers_)
        if X.shape[0] >= D.shape[1]:
            return intra_domain_programming(D)
        # too few rows for the class constraints: the nearest centre (the program without them)
        M = np.zeros_like(D)
        M[np.arange(D.shape[0]), np.argmin(D, axis=1)] = 1.0
        return M

    def predict(self, X, *, sample_domain=None):
        """Label a batch of target rows by the linear program over the batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Target rows, labelled together (see Notes of the class).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; every row is labelled as a target row.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted class labels.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.classes_[np.argmax(self._memberships(X), axis=1)]
