"""JCPOT: optimal transport from several sources under target shift (POT's barycentre)."""

import numpy as np
from sklearn.base import clone, is_classifier

from .._pot import check_plan_memory, import_pot
from ..alignment._utils import check_int, check_real
from ._jdot import _PropagatedLabels

__all__ = ["JCPOTLabelPropagation"]


class JCPOTLabelPropagation(_PropagatedLabels):
    """Multi-source OT label propagation under target shift (JCPOT).

    JCPOT (Redko, Courty, Flamary and Tuia, 2019) is made for several labeled sources whose
    class proportions differ from each other and from the unlabeled target's. Each source
    ``k`` gets its own entropic transport plan ``G_k`` onto the target rows; the plans are
    found together, so that the class proportions that the target rows receive from every
    source are the same vector ``h`` (a Wasserstein barycentre, solved by POT's
    ``ot.da.JCPOTTransport``). ``h`` is the estimate of the target's class proportions; the
    plans then carry the source labels to the target rows (each source's propagated class
    masses averaged over the sources, POT's ``transform_labels``), each target row takes the
    class of largest mass, and ``estimator`` is fitted on the target rows with those labels
    so that new target rows are predicted out of sample.

    Parameters
    ----------
    estimator : classifier, default=None
        Fitted on the training target rows with their propagated labels; cloned. None means
        ``KNeighborsClassifier(n_neighbors=1)``.
    reg_e : float > 0, default=0.1
        Weight of the entropic term, relative to the squared Euclidean cost divided by its
        maximum over every (source row, target row) pair. Larger values blur the plans and
        pull ``target_proportions_`` toward the sources' proportions; smaller ones sharpen
        them, but POT's solver works on the Gibbs kernel ``exp(-C / reg_e)``, and values
        below about ``1e-3`` underflow (refused with an error).
    max_iter : int, default=100
        Iterations of the barycentre's Bregman projections (POT warns when they stop before
        ``tol``).
    tol : float > 0, default=1e-9
        Stop when the class proportions change by less than this (Euclidean norm).

    Attributes
    ----------
    target_proportions_ : ndarray of shape (n_source_classes,)
        Estimated class proportions of the target rows (columns: ``source_classes_``).
    label_distributions_ : ndarray of shape (n_target, n_source_classes)
        Propagated class distribution of each training target row.
    transduction_ : ndarray of shape (n_target,)
        Propagated label of each training target row.
    source_classes_ : ndarray of shape (n_source_classes,)
        Classes of the source rows (every source must have every class).
    source_ids_ : ndarray of shape (n_sources,)
        The source domain ids, in the order of ``couplings_``.
    source_weights_ : ndarray of shape (n_sources,)
        Weight of each source in the barycentre and in the label average: uniform, as in the
        paper and in POT.
    couplings_ : list of ndarray of shape (n_source_k, n_target)
        The transport plan of each source.
    classes_ : ndarray of shape (n_classes,)
        Classes of ``estimator_`` (those given to some target row).
    estimator_ : classifier
        The fitted out-of-sample classifier.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    OTLabelPropagation : one pooled source, uniform class proportions.
    MultiSourceTrAdaBoostClassifier : several sources, a few labeled target rows.

    Notes
    -----
    **Several domains.** Several source ids are kept apart: each positive id of
    ``sample_domain`` is one source, with its own plan; all negative ids are pooled into one
    target. Without ``sample_domain`` there is one
    source (the labeled rows) and JCPOT reduces to entropic label propagation with an
    estimate of the target proportions. Every source must contain every source class: the
    barycentre compares class proportions source by source, and a class absent from one
    source is refused with an error naming it.

    **Cost.** One dense ``n_source_k x n_target`` plan per source (memory ``O(n_s n_t)`` in
    all), computed in float64. Source labels and target features are read; target labels
    never. Requires POT (``pip install "skt[ot]"``).

    References
    ----------
    .. [1] I. Redko, N. Courty, R. Flamary and D. Tuia, "Optimal transport for multi-source
       domain adaptation under target shift", AISTATS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> rng = np.random.RandomState(0)
    >>> def domain(n0, n1, shift):
    ...     X = np.r_[rng.randn(n0, 2), rng.randn(n1, 2) + [4.0, 0.0]] + shift
    ...     return X, np.r_[np.zeros(n0, int), np.ones(n1, int)]
    >>> X1, y1 = domain(80, 20, 0.0)          # source 1: 80% class 0
    >>> X2, y2 = domain(20, 80, 0.5)          # source 2: 20% class 0
    >>> Xt, yt = domain(30, 70, 1.0)          # target: 30% class 0, labels unknown
    >>> X = np.vstack([X1, X2, Xt])
    >>> y = np.r_[y1, y2, -np.ones(100, int)]
    >>> sample_domain = np.r_[np.ones(100, int), 2 * np.ones(100, int), -np.ones(100, int)]
    >>> model = skt.JCPOTLabelPropagation().fit(X, y, sample_domain=sample_domain)
    >>> model.target_proportions_.round(2)
    array([0.3, 0.7])
    >>> float(model.score(Xt, yt))
    1.0
    """

    # the plans need POT's dense n_s x n_t cost matrices: sparse rows are refused clearly
    _sparse_support = False

    def __init__(self, estimator=None, *, reg_e=0.1, max_iter=100, tol=1e-9):
        self.estimator = estimator
        self.reg_e = reg_e
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, *, sample_domain=None):
        """Transport every source onto the target rows and fit ``estimator`` on their labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain.
        y : array-like of shape (n_samples,)
            Class labels of the source rows; target rows masked with ``-1`` unless
            ``sample_domain`` tells them. Target labels are never read.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: one positive id per source, negative ids for the target rows.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        ot = import_pot(type(self).__name__)
        reg_e = check_real(self.reg_e, "reg_e", minimum=0.0, strict=True)
        max_iter = check_int(self.max_iter, "max_iter")
        tol = check_real(self.tol, "tol", minimum=0.0, strict=True)
        estimator = self._get_estimator()
        if not is_classifier(estimator):
            raise TypeError(
                "JCPOTLabelPropagation: estimator must be a classifier; got "
                f"{type(estimator).__name__}."
            )
        domains = self._validate_fit_data(X, y, sample_domain)
        # one plan per source, plus the Gibbs kernels POT keeps: the pooled sources' size
        check_plan_memory(domains.n_source, domains.n_target, "JCPOTLabelPropagation")
        classes, code = np.unique(domains.y_source, return_inverse=True)
        source_sd = domains.sample_domain[domains.source]
        source_ids = np.unique(source_sd)
        Xs_all = np.asarray(domains.X_source, dtype=np.float64)
        Xt = np.asarray(domains.X_target, dtype=np.float64)
        Xs, ys = [], []
        for k in source_ids:
            rows = source_sd == k
            missing = np.setdiff1d(np.arange(len(classes)), code[rows])
            if missing.size:
                raise ValueError(
                    f"JCPOTLabelPropagation: source domain {k} has no row of class(es) "
                    f"{classes[missing].tolist()}; JCPOT compares the class proportions of "
                    "every source, so each source must contain every source class. Drop "
                    "those classes or merge that source with another (same id)."
                )
            Xs.append(Xs_all[rows])
            ys.append(code[rows].astype(np.float64))
        # norm="max" over every pair: scaling the rows scales the squared costs alike, and the
        # barycentric quantities are unchanged; POT's JCPOT takes no norm of its own
        top = max(float(ot.dist(x, Xt).max()) for x in Xs)
        scale = 1.0 / np.sqrt(top) if top > 0 else 1.0
        # log=True: with log=False POT 0.9 stores the (proportions, log) pair as proportions_
        transport = ot.da.JCPOTTransport(reg_e=reg_e, max_iter=max_iter, tol=tol, log=True)
        # POT 0.9 unpacks a one-element list of sources into the rows of that source; one
        # source given twice has the same plans and the same barycentre
        twice = 2 if len(Xs) == 1 else 1
        transport.fit(
            Xs=[x * scale for x in Xs] * twice, ys=[v.copy() for v in ys] * twice, Xt=Xt * scale
        )
        couplings = [np.asarray(G) for G in transport.coupling_[: len(Xs)]]
        for k, G in zip(source_ids, couplings, strict=True):
            if not np.all(np.isfinite(G)) or np.any(G.sum(axis=1) <= 0):
                raise ValueError(
                    f"JCPOTLabelPropagation: the plan of source domain {k} underflowed "
                    f"(reg_e={reg_e} is too small for the Gibbs kernel exp(-C / reg_e)); "
                    "increase reg_e (0.01 or more)."
                )
        mass = np.asarray(transport.transform_labels(ys * twice), dtype=np.float64)
        total = mass.sum(axis=1, keepdims=True)
        if not np.all(total > 0):
            raise ValueError(
                "JCPOTLabelPropagation: some target rows received no mass from any source "
                "(the plans underflowed); increase reg_e."
            )
        self.target_proportions_ = np.asarray(transport.proportions_, dtype=np.float64)
        self.label_distributions_ = mass / total
        self.transduction_ = classes[np.argmax(mass, axis=1)]
        self.source_classes_ = classes
        self.source_ids_ = source_ids
        self.source_weights_ = np.full(len(source_ids), 1.0 / len(source_ids))
        self.couplings_ = couplings
        self.estimator_ = clone(estimator).fit(domains.X_target, self.transduction_)
        self.classes_ = self.estimator_.classes_
        return self
