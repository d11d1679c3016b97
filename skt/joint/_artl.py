"""Adaptation Regularization based Transfer Learning (ARTL), kernel least-squares form."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets

from ..alignment._tca import _nystroem_features
from ..alignment._utils import check_int, check_real
from ..base import BaseTransferEstimator
from ._solver import JointSolver, kernel_diagonal, knn_laplacian, mmd_factor

__all__ = ["ARTL"]


class _BaseJointClassifier(ClassifierMixin, BaseTransferEstimator):
    """Shared fit and prediction of ARTL and MEDA (private).

    Subclasses set the feature map (``_fit_features`` / ``_features``) and the balance factor
    of each round (``_balance``: None for ARTL's fixed sum of the MMD terms).
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.sparse = False
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"requires_y": True}

    # the domain-aware score (target rows only, masked labels left out), not ClassifierMixin's
    score = BaseTransferEstimator.score

    # -- hooks -------------------------------------------------------------------------------

    def _fit_features(self, domains):
        return np.asarray(domains.X, dtype=np.float64)

    def _features(self, X):
        return np.asarray(X, dtype=np.float64)

    def _balance(self, Z, source, target, y_idx, pseudo, rng):
        return None

    # -- parameters ----------------------------------------------------------------------------

    def _check_params(self):
        self.alpha_ = check_real(self.alpha, "alpha", minimum=0.0, strict=True)
        self.mmd_weight_ = check_real(self.mmd_weight, "mmd_weight", minimum=0.0)
        self.manifold_weight_ = check_real(self.manifold_weight, "manifold_weight", minimum=0.0)
        check_int(self.n_neighbors, "n_neighbors", 1)
        check_int(self.max_iter, "max_iter", 1)
        if self.n_landmarks is not None:
            check_int(self.n_landmarks, "n_landmarks", 2)
        if not isinstance(self.normalize, (bool, np.bool_)):
            raise ValueError(f"normalize must be True or False; got normalize={self.normalize!r}.")

    def _kernel(self, Z, source, target, rng):
        from ..metrics._kernel_sums import _check_kernel_params

        if self.kernel == "primal":
            raise ValueError(
                "kernel='primal' is not supported: ARTL and MEDA here solve the kernel form; "
                "use kernel='linear' for the linear predictor."
            )
        return _check_kernel_params(
            self.kernel,
            self.gamma,
            self.degree,
            self.coef0,
            X=Z[source],
            Y=Z[target],
            random_state=rng.randint(np.iinfo(np.int32).max),
            multiple=False,
        )

    # -- fit -----------------------------------------------------------------------------------

    def fit(self, X, y, *, sample_domain=None):
        """Fit the predictor on the labeled source rows and the unlabeled target rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain.
        y : array-like of shape (n_samples,)
            Class labels; ``-1`` marks target rows when ``sample_domain`` is not given. Target
            labels are never read.
        sample_domain : array-like of int of shape (n_samples,), default=None
            Domain ids: positive for source rows, negative for target rows.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        from ..metrics._kernel_sums import kernel_matrix

        domains = self._validate_fit_data(X, y, sample_domain)
        self._check_params()
        name = type(self).__name__
        y_s = domains.y_source
        check_classification_targets(y_s)
        self.classes_, y_idx_s = np.unique(y_s, return_inverse=True)
        y_dtype = np.asarray(y).dtype
        if self.classes_.dtype != y_dtype and y_dtype.kind in "USiub":
            # masking target rows made the labels objects; predictions keep the user's dtype
            self.classes_ = self.classes_.astype(y_dtype)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{name} needs at least 2 classes among the source labels (y); the source rows "
                f"hold only the class {self.classes_.tolist()[0]!r}."
            )
        n_classes = len(self.classes_)
        rng = check_random_state(self.random_state)
        source, target = domains.source, domains.target
        n = source.shape[0]

        Z = self._fit_features(domains)
        if self.normalize:
            Z = normalize(Z)
        self.kernel_params_ = self._kernel(Z, source, target, rng)
        self.gamma_ = self.kernel_params_.gamma
        L = None
        if self.manifold_weight_ > 0:
            L = knn_laplacian(Z, self.n_neighbors)
        if self.n_landmarks is None:
            K = kernel_matrix(np.ascontiguousarray(Z), kernel=self.kernel_params_)
            solver = JointSolver(
                K=K, source=source, L=L, lam=self.mmd_weight_, rho=self.manifold_weight_,
                sigma=self.alpha_,
            )
            self.X_fit_, T = Z, None
        else:
            m = min(self.n_landmarks, n)
            idx = np.sort(rng.choice(n, m, replace=False))
            landmarks = np.ascontiguousarray(Z[idx])
            K_nm = kernel_matrix(np.ascontiguousarray(Z), landmarks, kernel=self.kernel_params_)
            Phi, T = _nystroem_features(K_nm, K_nm[idx])
            del K_nm
            # the diagonal that the landmarks do not span (zero on the landmarks themselves);
            # kept, so that the low-rank model stays the exact one (see _solver.py)
            k_diag = kernel_diagonal(Z, self.kernel_params_)
            lost = k_diag - np.einsum("ij,ij->i", Phi, Phi)
            lost[lost <= 1e-10 * np.abs(k_diag)] = 0.0
            self.nystroem_residual_ = float(lost.sum() / max(np.abs(k_diag).sum(), 1e-300))
            solver = JointSolver(
                Phi=Phi, diagonal=lost, source=source, L=L, lam=self.mmd_weight_,
                rho=self.manifold_weight_, sigma=self.alpha_,
            )
            self.X_fit_ = landmarks

        y_all = np.full(n, -1, dtype=np.int64)
        y_all[source] = y_idx_s
        Y = np.zeros((n, n_classes))
        Y[np.flatnonzero(source), y_idx_s] = 1.0
        # first pseudo-labels: 1-nearest-neighbour on the (normalised) features, as the authors
        nn = KNeighborsClassifier(n_neighbors=1).fit(Z[source], y_idx_s)
        pseudo = nn.predict(Z[target])
        balances = []
        for it in range(self.max_iter):
            mu = self._balance(Z, source, target, y_all, pseudo, rng)
            balances.append(mu)
            U = mmd_factor(source, target, y_all, pseudo, self.classes_, mu)
            coef, F = solver.solve(U, Y)
            new = np.argmax(F[target], axis=1)
            self.n_iter_ = it + 1
            done = np.array_equal(new, pseudo)
            pseudo = new
            if done:  # the next round would solve the same system again
                break
        self.dual_coef_ = coef if T is None else T @ coef
        self.pseudo_labels_ = self.classes_[pseudo]
        self._balances = balances
        return self

    # -- prediction ----------------------------------------------------------------------------

    def _scores(self, X):
        from ..metrics._kernel_sums import kernel_matvec

        Z = self._features(X)
        if self.normalize:
            Z = normalize(Z)
        return kernel_matvec(
            np.ascontiguousarray(Z), self.X_fit_, self.dual_coef_, kernel=self.kernel_params_
        )

    def decision_function(self, X, *, sample_domain=None):
        """The predictor ``f(x) = sum_i alpha_i k(x_i, x)``, one column per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the scores do not depend on it.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The least-squares fit of the one-hot labels; binary problems return the
            difference ``f_1 - f_0`` (positive for ``classes_[1]``).
        """
        X = self._validate_predict_data(X, sample_domain)
        F = self._scores(X)
        return F[:, 1] - F[:, 0] if F.shape[1] == 2 else F

    def predict(self, X, *, sample_domain=None):
        """The class of largest score.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted class labels.
        """
        X = self._validate_predict_data(X, sample_domain)
        return self.classes_[np.argmax(self._scores(X), axis=1)]


_COMMON_PARAMS = """alpha : float > 0, default=0.1
        Weight ``sigma`` of the kernel norm ``||f||_K^2`` (MEDA's ``eta``), as
        :class:`~sklearn.kernel_ridge.KernelRidge`'s ``alpha``. It must be positive: with 0
        the system is singular as soon as the kernel matrix is (a ValueError names it).
    mmd_weight : float >= 0, default=10.0
        Weight ``lambda`` of the MMD term. The MMD matrix is scaled to unit Frobenius norm, as
        in the authors' code, so the weight does not depend on the domain sizes.
    manifold_weight : float >= 0, default=1.0
        Weight of the manifold term (ARTL's ``gamma``, MEDA's ``rho``); 0 leaves it out (no
        graph is built).
    n_neighbors : int, default=10
        Neighbours ``p`` of each row in the cosine kNN graph of the manifold term (each row is
        also joined to itself, as in the authors' ``lapgraph``). With fewer training rows, all
        other rows are neighbours.
    kernel : str, default="rbf"
        A kernel of :mod:`skt.metrics`: "rbf" (or "gaussian"), "laplacian", "linear" or
        "polynomial".
    gamma : float, default=None
        Kernel bandwidth; None means the median heuristic of :func:`skt.metrics.median_heuristic`
        on the (normalised) training rows (rbf, laplacian) or ``1 / n_features``
        (polynomial). The authors' code uses ``exp(-||x - y||^2 / 2)`` on unit rows, i.e.
        ``gamma=0.5``; the median heuristic gives about that on unit rows in many dimensions.
        0 or a negative value is a ValueError.
    degree : float, default=3
        Degree of the polynomial kernel.
    coef0 : float, default=1.0
        Constant of the polynomial kernel.
    normalize : bool, default=True
        Scale each row (features) to unit Euclidean norm before the kernel and the graph, as
        the authors' code does.
    max_iter : int, default=10
        Pseudo-labelling rounds ``T``; they stop early when the pseudo-labels of the target
        rows no longer change (the next round would solve the same system).
    n_landmarks : int, default=None
        Approximate the kernel with this many Nystroem landmarks (a random subset of the
        training rows) plus the diagonal they miss, ``K ~ Phi Phi' + D`` with ``D_ii =
        k(x_i, x_i) - ||phi_i||^2``: time ``O(n m^2)`` and memory ``O(n m)``, no ``n x n``
        matrix. Keeping ``D`` is what keeps the low-rank model the exact one where the kernel
        has a large diagonal (RBF on unit rows in many dimensions): on Office-Caltech
        without it ARTL's labels moved by +8.5 points on Caltech -> Amazon, with it by +0.3.
        The training target rows' labels (``pseudo_labels_``) use ``D``; ``predict`` treats
        its rows as new rows, ``f(x) = phi(x)' w``. None solves the exact ``n x n`` system
        (one LU factorisation per fit).
    random_state : int, RandomState instance or None, default=None
        Seeds the median heuristic's subsample and the landmarks."""

_COMMON_ATTRIBUTES = """classes_ : ndarray of shape (n_classes,)
        The classes of the source rows.
    dual_coef_ : ndarray of shape (n_fit, n_classes)
        ``alpha`` (exact form) or the coefficients on the landmarks: ``f(x) = k(x, X_fit_)
        dual_coef_``.
    X_fit_ : ndarray of shape (n_fit, n_features_out)
        The (normalised) training rows, or the landmarks.
    pseudo_labels_ : ndarray of shape (n_target_rows,)
        The training target rows' labels from the last round's solve (the transductive
        labels; with the exact form, ``predict`` on the same rows returns them).
    n_iter_ : int
        The number of rounds run.
    nystroem_residual_ : float
        With ``n_landmarks``: the share of the kernel's trace that the landmarks miss,
        ``sum(D) / sum_i k(x_i, x_i)`` (0 when every row is a landmark).
    gamma_ : float or None
        The kernel bandwidth used.
    kernel_params_ : object
        The validated kernel.
    alpha_, mmd_weight_, manifold_weight_ : float
        The validated weights.
    n_features_in_ : int
        Number of features seen in ``fit``."""


class ARTL(_BaseJointClassifier):
    """Adaptation Regularization based Transfer Learning (ARRLS): one joint closed form.

    ARTL (Long, Wang, Ding, Pan and Yu, 2014) learns a kernel predictor
    ``f(x) = sum_i alpha_i k(x_i, x)`` over all training rows (source and target) by
    minimising, with one-hot source labels ``Y`` and ``F = K alpha``,

        ||E (Y - F)||^2 + sigma ||f||_K^2 + lambda tr(F' M F) + gamma tr(F' L F):

    squared loss on the source rows (the structural risk of kernel regularised least
    squares), the MMD between the domains of the marginals and of the class conditionals
    (``M = n_classes M_0 + sum_c M_c``, the class terms with the target pseudo-labels) and a
    manifold term (``L`` the normalised Laplacian of the cosine kNN graph of all rows). The
    minimiser is ``alpha = ((E + lambda M + gamma L) K + sigma I)^(-1) E Y`` (the paper's
    equation 20); the pseudo-labels (1-nearest-neighbour first, then ``argmax f``) are
    refined for ``max_iter`` rounds. This is skt's joint objective
    ``L_source + L_target + lambda d(D_source, D_target)`` with the manifold term as the
    target loss.

    Labels: ARTL reads the labels of the source rows and never the labels of target rows,
    even when they are present.

    Parameters
    ----------
    {params}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MEDA : ARTL on GFK features, with a balance factor between the MMD terms.
    JDA : the same MMD terms as a feature embedding, for any learner.

    Notes
    -----
    With ``mmd_weight=0`` and ``manifold_weight=0`` the target rows get ``alpha = 0`` and
    ARTL is kernel ridge regression of the one-hot labels on the source rows
    (:class:`~sklearn.kernel_ridge.KernelRidge` with the same ``alpha``). Only ``M`` changes
    between rounds and it has rank at most ``n_classes + 1``: the ``n x n`` system is
    factored once and each round costs ``O(n^2 n_classes)`` (Woodbury identity). The exact
    form keeps two ``n x n`` matrices (16 n^2 bytes); use ``n_landmarks`` beyond a few
    thousand rows. A class with no pseudo-labelled target row keeps the source part of its
    conditional term that round, as in the authors' code. The classes are those of the source
    rows: a class that only target rows carry cannot be predicted (target labels are never
    read, so it is not even seen), and one source class alone is a ValueError. Several source
    (target) domains are pooled. ``predict_proba`` is not offered: the scores are a
    least-squares fit of one-hot labels, not probabilities. The published ARTL also has a
    hinge-loss (SVM) form; this is the least-squares one (ARRLS), the one with a closed form.

    References
    ----------
    .. [1] M. Long, J. Wang, G. Ding, S. J. Pan and P. S. Yu, "Adaptation regularization: a
       general framework for transfer learning", IEEE Transactions on Knowledge and Data
       Engineering 26(5), 2014.

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("covariate", random_state=0)
    >>> y_train = skt.mask_target_labels(y, sample_domain)
    >>> artl = skt.ARTL(random_state=0).fit(X, y_train)
    >>> target = sample_domain < 0
    >>> bool(artl.score(X[target], y[target]) > 0.7)  # source-only logistic regression: 0.66
    True
    """

    def __init__(
        self,
        *,
        alpha=0.1,
        mmd_weight=10.0,
        manifold_weight=1.0,
        n_neighbors=10,
        kernel="rbf",
        gamma=None,
        degree=3,
        coef0=1.0,
        normalize=True,
        max_iter=10,
        n_landmarks=None,
        random_state=None,
    ):
        self.alpha = alpha
        self.mmd_weight = mmd_weight
        self.manifold_weight = manifold_weight
        self.n_neighbors = n_neighbors
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.normalize = normalize
        self.max_iter = max_iter
        self.n_landmarks = n_landmarks
        self.random_state = random_state


ARTL.__doc__ = ARTL.__doc__.format(params=_COMMON_PARAMS, attributes=_COMMON_ATTRIBUTES)
