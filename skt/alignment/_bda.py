"""Balanced Distribution Adaptation (BDA) and its class-weighted variant (W-BDA).

JDA with a balance factor between the marginal and the class-conditional MMD terms; the rounds,
the MMD matrix and the eigensolvers are JDA's (:mod:`skt.alignment._tca`).
"""

import numbers

import numpy as np

from ._tca import _COMMON_ATTRIBUTES, _COMMON_PARAMS, _BasePseudoLabelled
from ._utils import check_real

__all__ = ["BDA"]

def _a_distance(Z, first, second):
    """``2 (1 - 2 err)`` for the training error ``err`` of a linear SVM telling two row sets apart.

    The authors' estimate (``proxy_a_distance`` in their BDA and MEDA code). Not the
    cross-validated :func:`skt.metrics.proxy_a_distance`: on a class of a few rows a held-out
    error is noise (on webcam -> dslr, whose domains photograph the same objects, it is even
    below chance, a distance of -1.7), while the training error measures how far apart the
    two sets lie in ``Z``, which is what the balance needs.
    """
    from sklearn.svm import LinearSVC

    X = np.vstack([Z[first], Z[second]])
    label = np.r_[np.zeros(first.sum(), int), np.ones(second.sum(), int)]
    err = np.mean(LinearSVC(random_state=0).fit(X, label).predict(X) != label)
    return 2.0 * (1.0 - 2.0 * err)


def estimate_balance(Z, y_source, pseudo, source, target):
    """BDA's balance factor from A-distances (the authors' ``estimate_mu``).

    ``balance = d_c / (d_c + d_m)``, where ``d_m`` is the A-distance between the source and the
    target rows of ``Z`` and ``d_c`` the mean over classes of the distance between the source
    rows of a class and the target rows pseudo-labelled with it (classes without a
    pseudo-labelled row left out). As in the authors' code the result is clipped to 1 and
    values below 1e-3 are 0; distances below 0 count as 0, and when both are 0 the balance is
    0.5.
    """
    d_m = max(_a_distance(Z, source, target), 0.0)
    y_t = np.full(Z.shape[0], -1, dtype=np.int64)
    y_t[target] = pseudo
    y_s = np.full(Z.shape[0], -1, dtype=np.int64)
    y_s[source] = y_source
    d_c = [
        max(_a_distance(Z, y_s == c, y_t == c), 0.0)
        for c in np.unique(y_source)
        if (y_t == c).any()
    ]
    d_c = float(np.mean(d_c)) if d_c else 0.0
    if d_c + d_m == 0.0:
        return 0.5
    balance = min(d_c / (d_c + d_m), 1.0)
    return 0.0 if balance < 1e-3 else balance


class BDA(_BasePseudoLabelled):
    """Balanced Distribution Adaptation: JDA with a balance between marginal and class terms.

    BDA (Wang et al., 2017) weighs the two MMD terms of JDA against each other:
    ``M = (1 - balance) M_0 + balance sum_c M_c``, where ``M_0`` is the MMD of the marginal
    distributions and ``M_c`` the MMD between the source rows of class ``c`` and the target
    rows pseudo-labelled ``c``. ``balance = 0`` is TCA, ``balance = 0.5`` is JDA (the same
    embedding: ``M`` is scaled to unit norm), ``balance = 1`` keeps the class terms alone.
    ``weighted=True`` is W-BDA: each class term compares the source class mean with the target
    class mean scaled by the class-prior ratio ``alpha_c = P_t(c) / P_s(c)`` (target priors
    from the pseudo-labels), for target domains whose class proportions differ from the
    source's. The embedding solves JDA's eigenproblem ``K H K w = lambda (K M K + mu I) w`` in
    rounds of pseudo-labelling; the solvers (dense, iterative, Nystroem, primal) are JDA's.

    Labels: BDA reads the labels of the source rows and never the labels of target rows.

    Parameters
    ----------
    n_components : int, default=30
        Dimension of the embedding; at most ``n_features`` (primal form) or the number of
        training rows minus one (kernel form), else a ValueError.
    {params}
    balance : float in [0, 1] or "auto", default=0.5
        The paper's balance factor ``mu`` (here ``mu`` is the regulariser, as in TCA and JDA):
        the weight of the class-conditional terms. 0.5, the default of the authors' Python
        code, weighs both kinds of term as JDA does (their MATLAB code defaults to W-BDA with
        1).
        ``"auto"`` estimates it at every round from proxy A-distances on the embedding of the
        previous round (see Notes). The first round has no pseudo-labels, so it is TCA
        whatever the balance.
    weighted : bool, default=False
        W-BDA: weigh each class term by the ratio of the class priors (target priors from the
        pseudo-labels). The authors' code runs W-BDA with ``balance=1``.
    estimator : classifier, default=None
        Produces the target pseudo-labels; cloned and refitted at each round on the embedded
        source rows. None means ``KNeighborsClassifier(n_neighbors=1)``, as in the paper.
    max_iter : int, default=10
        Number of pseudo-labelling rounds ``T`` (the first is TCA). Rounds stop early when the
        pseudo-labels no longer change.

    Attributes
    ----------
    {attributes}
    balance_ : float
        The balance of the last round.
    balances_ : ndarray of shape (n_rounds,)
        The balance of each round run, ``n_rounds = n_iter_`` entries (the first round,
        without pseudo-labels, is TCA whatever its entry).
    estimator_ : classifier
        The pseudo-labeller fitted on the embedded source rows of the last round.
    pseudo_labels_ : ndarray of shape (n_target_rows,)
        The pseudo-labels of the training target rows from the last round.
    classes_ : ndarray of shape (n_classes,)
        The classes of the source rows.
    n_iter_ : int
        The number of rounds run.

    See Also
    --------
    JDA : the class terms and the marginal term with equal weight (``balance=0.5``).
    TCA : the marginal term alone (``balance=0``).

    Notes
    -----
    ``balance="auto"`` follows the authors' ``estimate_mu``: ``balance = d_c / (d_c + d_m)``
    with ``d_m = 2 (1 - 2 err)`` for the training error ``err`` of a linear SVM telling the
    embedded source rows from the embedded target rows, and ``d_c`` its mean over the classes,
    between the source rows of a class and the target rows pseudo-labelled with it. As in the
    authors' code the error is measured on the training rows: a cross-validated error (as
    :func:`skt.metrics.proxy_a_distance`) is noise on classes of a few rows.

    A class without a pseudo-labelled target row keeps the source part of its class term in
    that round, as in the authors' JDA and BDA code (``e(isinf(e)) = 0``); with ``balance=1``
    and no class term at all, the round falls back to the marginal term (TCA). Rows of
    several source (target) domains are pooled (no per-domain mode, as for :class:`TCA`).
    Source and target rows share the embedding, so ``fit_transform(X)`` equals
    ``fit(X).transform(X)``.

    References
    ----------
    .. [1] J. Wang, Y. Chen, S. Hao, W. Feng and Z. Shen, "Balanced distribution adaptation
       for transfer learning", IEEE ICDM 2017, pp. 1129-1134.

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "subspace", n_features=4, random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> bda = skt.BDA(n_components=2, kernel="primal", balance=0.8, max_iter=5)
    >>> Z = bda.fit_transform(X, y_train)
    >>> Z.shape, bda.balance_
    ((400, 2), 0.8)
    """

    def __init__(
        self,
        n_components=30,
        *,
        kernel="linear",
        gamma=None,
        degree=3,
        coef0=1.0,
        mu=1.0,
        balance=0.5,
        weighted=False,
        n_landmarks=None,
        eigen_solver="auto",
        estimator=None,
        max_iter=10,
        random_state=None,
    ):
        self.n_components = n_components
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.mu = mu
        self.balance = balance
        self.weighted = weighted
        self.n_landmarks = n_landmarks
        self.eigen_solver = eigen_solver
        self.estimator = estimator
        self.max_iter = max_iter
        self.random_state = random_state

    @property
    def _weighted(self):
        return bool(self.weighted)

    def _fit(self, domains):
        if isinstance(self.balance, str):
            if self.balance != "auto":
                raise ValueError(
                    f"balance must be a number in [0, 1] or 'auto'; got balance={self.balance!r}."
                )
        elif (
            not isinstance(self.balance, numbers.Real)
            or isinstance(self.balance, bool)
            or check_real(self.balance, "balance", minimum=0.0) > 1.0
        ):
            raise ValueError(
                f"balance must be a number in [0, 1] or 'auto'; got balance={self.balance!r}."
            )
        if not isinstance(self.weighted, (bool, np.bool_)):
            raise ValueError(f"weighted must be True or False; got weighted={self.weighted!r}.")
        return super()._fit(domains)

    def _round_balance(self, Z, y_s, pseudo, source, target):
        if self.balance != "auto":
            return float(self.balance)
        if pseudo is None:  # the first round is TCA whatever the balance
            return 0.0
        return estimate_balance(Z, y_s, pseudo, source, target)

    def _record_balances(self, balances):
        self.balances_ = np.asarray(balances, dtype=np.float64)
        self.balance_ = float(self.balances_[-1])


BDA.__doc__ = BDA.__doc__.format(
    params=_COMMON_PARAMS.format(kernel="linear", mu=1.0), attributes=_COMMON_ATTRIBUTES
)
