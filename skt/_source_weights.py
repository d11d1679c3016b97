"""Weights per source domain, estimated without target labels (MMD, A-distance, two-stage)."""

import itertools
import numbers

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from scipy.optimize import minimize
from sklearn.base import clone, is_classifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import kneighbors_graph

from ._domain import check_domains

__all__ = ["source_weights"]

SOURCE_WEIGHTING_METHODS = ("mmd", "a-distance", "two-stage")

#: Neighbours of each target row in the graph of the two-stage weighting.
N_NEIGHBORS = 10

SOURCE_WEIGHTING_PARAM = """source_weighting : {None, "mmd", "a-distance", "two-stage"} or dict, \
default=None
        How much each source domain (positive id of ``sample_domain``) counts, estimated
        without target labels (see :func:`skt.reweight.source_weights`): the rows of source
        ``s`` are trained with their weight times ``source_weights_[s] * n_source / n_s``
        (``n_s`` rows in ``s``), so the sources keep their total weight and share it as
        ``source_weights_`` says; labeled target rows keep their weight. "mmd" and
        "a-distance" favour the sources closest to the target rows; "two-stage" the sources
        whose classifiers label neighbouring target rows most alike (which can expose a
        source with wrong labels when the target rows cluster by class). A dict
        ``{source_id: weight}`` gives fixed non-negative weights (normalised to sum 1; all
        zero is a ValueError). None: the sources are pooled (each weighs its share of the
        rows)."""

SOURCE_WEIGHTING_ATTRIBUTES = """source_ids_ : ndarray of shape (n_sources,)
        The source ids seen in ``fit``, sorted.
    source_weights_ : ndarray of shape (n_sources,)
        The weight of each source domain, in the order of ``source_ids_``, non-negative and
        summing to 1 (with ``source_weighting=None``, each source's share of the source
        rows)."""


def _softmin(distances):
    """``exp(-d / median(d))``, normalised: the scale-free form of Duan et al.'s weights.

    The closest source gets the most weight, one at the median distance ``1/e`` of what a
    source at distance 0 would get. Equal distances (or all 0) give equal weights.
    """
    d = np.maximum(np.asarray(distances, dtype=np.float64), 0.0)
    scale = np.median(d)
    if not scale > 0:
        scale = d.max() if d.max() > 0 else 1.0
    w = np.exp(-(d - d.min()) / scale)
    return w / w.sum()


def _mmd_weights(Xs_list, Xt, random_state):
    from .metrics import median_heuristic, mmd

    stack = sp.vstack if sp.issparse(Xt) else np.vstack
    gamma = median_heuristic(stack(Xs_list), Xt, random_state=random_state)
    d = [mmd(Xs, Xt, gamma=gamma, estimator="biased") for Xs in Xs_list]
    return _softmin(d), np.asarray(d, dtype=np.float64)


def _a_distance_weights(Xs_list, Xt, random_state):
    from .metrics import proxy_a_distance

    seed = random_state if isinstance(random_state, numbers.Integral) else 0
    if sp.issparse(Xt):
        raise TypeError(
            "source_weighting='a-distance' needs dense rows (its domain classifier standardizes "
            "them); got sparse X. Use 'mmd' or 'two-stage', which accept sparse rows."
        )
    d = []
    for Xs in Xs_list:
        cv = int(min(5, len(Xs), len(Xt)))
        if cv < 2:
            raise ValueError(
                "source_weighting='a-distance' needs at least 2 rows in every source domain "
                f"and in the target; got a domain with {min(len(Xs), len(Xt))}."
            )
        d.append(proxy_a_distance(Xs, Xt, cv=cv, random_state=seed))
    return _softmin(d), np.asarray(d, dtype=np.float64)


def _hypothesis_outputs(estimator, Xs, ys, Xt, classes, source_id):
    """The predictions of ``estimator`` fitted on one source, for the target rows.

    Classifiers give one column per class of ``classes`` (probabilities where the estimator
    has ``predict_proba``, else one-hot predictions); regressors one column.
    """
    if not is_classifier(estimator):
        return clone(estimator).fit(Xs, ys).predict(Xt).reshape(-1, 1)
    if np.unique(ys).shape[0] < 2:
        raise ValueError(
            f"source_weighting='two-stage' fits a classifier on each source domain; source "
            f"{source_id} has a single class ({ys[0]!r}), whose classifier labels every target "
            "row alike and would look perfectly smooth. Drop that source or use 'mmd'."
        )
    model = clone(estimator).fit(Xs, ys)
    out = np.zeros((Xt.shape[0], len(classes)))
    columns = np.searchsorted(classes, model.classes_)
    if hasattr(model, "predict_proba"):
        out[:, columns] = model.predict_proba(Xt)
    else:
        out[np.arange(Xt.shape[0]), np.searchsorted(classes, model.predict(Xt))] = 1.0
    return out


#: Up to this many sources, the two-stage weights are the exact minimum of their criterion
#: (every support of the simplex is tried); above it, a local minimum from several starts.
EXACT_MAX_SOURCES = 12


def _stationary_points(G, V, support):
    """Positive stationary points of ``b' G b / b' V b`` with ``b`` supported on ``support``.

    On the relative interior of a face of the simplex the quotient is stationary exactly where
    ``b`` is a generalised eigenvector of ``(G_SS, V_SS)``; those of one sign are points of
    the face. Yields ``(quotient, b)`` with ``b`` on the simplex.
    """
    idx = np.asarray(support)
    Gs, Vs = G[np.ix_(idx, idx)], V[np.ix_(idx, idx)]
    # V_SS is a Gram matrix (positive semi-definite); a ridge of 1e-10 of its scale keeps the
    # generalised problem definite when hypotheses are collinear
    Vs = Vs + 1e-10 * max(np.trace(Vs) / len(idx), 1e-300) * np.eye(len(idx))
    values, vectors = linalg.eigh(Gs, Vs)
    for value, v in zip(values, vectors.T, strict=True):
        v = v if v.sum() > 0 else -v
        if np.all(v > 0):
            b = np.zeros(G.shape[0])
            b[idx] = v / v.sum()
            yield value, b


def _rayleigh_simplex(G, V, free):
    """The minimum of ``b' G b / b' V b`` over the simplex, ``b`` zero outside ``free``.

    Exact for up to ``EXACT_MAX_SOURCES`` free sources: the minimum lies in the relative
    interior of some face, where it is a stationary point of the face (see
    ``_stationary_points``), so trying every face finds it. Above that, SLSQP from the
    uniform weights and from each single source, keeping the best.
    """
    free = np.flatnonzero(free)
    if len(free) <= EXACT_MAX_SOURCES:
        best_value, best = np.inf, None
        for size in range(1, len(free) + 1):
            for support in itertools.combinations(free, size):
                for value, b in _stationary_points(G, V, support):
                    # ties (to rounding) keep the smaller support, tried first
                    if best is None or value < best_value - 1e-12 * max(1.0, abs(best_value)):
                        best_value, best = value, b
        return best

    def quotient(b):
        return (b @ G @ b) / (b @ V @ b)

    def gradient(b):
        num, den = b @ G @ b, b @ V @ b
        return 2.0 * (G @ b * den - V @ b * num) / den**2

    k = G.shape[0]
    uniform = np.zeros(k)
    uniform[free] = 1.0 / len(free)
    bounds = [(0.0, 1.0 if u > 0 else 0.0) for u in uniform]
    starts = [uniform] + [0.9 * np.eye(k)[i] + 0.1 * uniform for i in free]
    best = None
    for b0 in starts:
        result = minimize(
            quotient, b0, jac=gradient, bounds=bounds, method="SLSQP",
            constraints=[{"type": "eq", "fun": lambda b: b.sum() - 1.0,
                          "jac": lambda b: np.ones(k)}],
        )
        b = np.clip(result.x, 0.0, None)
        b /= b.sum()
        if best is None or quotient(b) < quotient(best):
            best = b
    return best


def _two_stage_weights(Xs_list, ys_list, Xt, ids, estimator):
    """The source weights of the second stage of Sun et al. (2011).

    ``beta`` minimises the smoothness of the combined hypothesis ``h = sum_s beta_s H_s`` over
    the target rows relative to its own variation, ``sum_ij W_ij ||h(x_i) - h(x_j)||^2 /
    sum_i ||h(x_i) - mean(h)||^2``, over the simplex, where ``H_s`` are the predictions on the
    target rows of a model fitted on source ``s`` and ``W`` a symmetric k-nearest-neighbour
    graph of the target rows. In matrix form the Rayleigh quotient ``beta' G beta / beta' V
    beta`` with ``G_st = trace(H_s' L H_t)`` (``L`` the graph Laplacian) and ``V_st =
    trace(H_s' H_t)`` (each ``H_s`` centred and scaled to unit norm, so ``V_ss = 1``). Returns
    the weights and each source's own quotient ``G_ss``.
    """
    if estimator is None:
        estimator = LogisticRegression()
    classes = np.unique(np.concatenate(ys_list)) if is_classifier(estimator) else None
    H = [
        _hypothesis_outputs(estimator, Xs, ys, Xt, classes, s)
        for Xs, ys, s in zip(Xs_list, ys_list, ids, strict=True)
    ]
    n_t = Xt.shape[0]
    if n_t < 2:
        raise ValueError(
            f"source_weighting='two-stage' needs at least 2 target rows; got {n_t}."
        )
    W = kneighbors_graph(Xt, min(N_NEIGHBORS, n_t - 1), mode="connectivity")
    W = 0.5 * (W + W.T)
    degree = np.asarray(W.sum(axis=1)).ravel()
    # each hypothesis centred and scaled to unit variation over the target rows, so that a
    # weight is the share of the combination a source's predictions make up, whatever the
    # spread of its outputs (a model fitted on noise predicts nearly constant probabilities)
    scaled, free = [], []
    for h in H:
        centred = h - h.mean(axis=0)
        norm = np.sqrt(np.sum(centred**2))
        # a hypothesis that labels every target row alike has no variation to be smooth
        # relative to: weight 0 (equal weights if all do)
        free.append(norm > 1e-12 * max(1.0, np.abs(h).max()))
        scaled.append(centred / norm if free[-1] else centred)
    free = np.array(free)
    k = len(H)
    if not free.any():
        return np.full(k, 1.0 / k), np.zeros(k)
    H = scaled
    LH = [degree[:, None] * h - W @ h for h in H]
    G = np.array([[np.sum(H[s] * LH[t]) for t in range(k)] for s in range(k)])
    V = np.array([[np.sum(H[s] * H[t]) for t in range(k)] for s in range(k)])
    G, V = 0.5 * (G + G.T), 0.5 * (V + V.T)
    quotients = np.where(free, np.diag(G), np.inf)
    return _rayleigh_simplex(G, V, free), quotients


def _check_fixed(weights, ids, who):
    missing = [int(s) for s in ids if s not in weights]
    if missing:
        raise ValueError(
            f"{who}: source_weighting as a dict must give a weight to every source id; "
            f"missing {missing} (source ids seen: {[int(s) for s in ids]})."
        )
    w = np.array([weights[s] for s in ids], dtype=np.float64)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(
            f"{who}: source_weighting weights must be finite and non-negative; got {weights!r}."
        )
    return w


def _check_method(method, who):
    if method is None or isinstance(method, dict):
        return
    if not (isinstance(method, str) and method in SOURCE_WEIGHTING_METHODS):
        choices = ", ".join(repr(m) for m in (None, *SOURCE_WEIGHTING_METHODS))
        raise ValueError(
            f"{who}: source_weighting must be one of {choices} or a dict {{source_id: "
            f"weight}}; got source_weighting={method!r}."
        )


def domain_weights(domains, method, *, estimator=None, random_state=None, who="source_weights"):
    """``(source_ids, weights, distances)`` of the source domains of ``domains``.

    ``distances`` are what the weights come from (MMD^2, proxy A-distance, or the
    roughness quotient ``G_ss`` of each source's hypothesis), None for pooling or fixed weights.
    """
    _check_method(method, who)
    sd = domains.sample_domain
    ids = domains.source_ids
    n = np.array([np.sum(sd == s) for s in ids], dtype=np.float64)
    if method is None:
        return ids, n / n.sum(), None
    if isinstance(method, dict):
        w = _check_fixed(method, ids, who)
        distances = None
    elif len(ids) == 1:
        w, distances = np.ones(1), None
    else:
        if domains.n_target == 0:
            raise ValueError(
                f"{who}: source_weighting={method!r} compares each source domain with the "
                "target rows, and there are none (mark them with a negative sample_domain "
                "or a masked label)."
            )
        X = domains.X
        Xt = X[domains.target]
        Xs_list = [X[sd == s] for s in ids]
        if method == "mmd":
            w, distances = _mmd_weights(Xs_list, Xt, random_state)
        elif method == "a-distance":
            w, distances = _a_distance_weights(Xs_list, Xt, random_state)
        else:
            ys_list = [domains.labels(sd == s) for s in ids]
            w, distances = _two_stage_weights(Xs_list, ys_list, Xt, ids, estimator)
    if not w.sum() > 0:
        raise ValueError(
            f"{who}: every source weight is zero (source_weighting={method!r}); at least one "
            "source domain must have a positive weight."
        )
    return ids, w / w.sum(), distances


def row_multipliers(sample_domain, ids, weights):
    """Per-row factor ``weights[s] * n_source / n_s`` of the source rows (1 elsewhere)."""
    factor = np.ones(sample_domain.shape[0])
    n_source = np.sum(sample_domain > 0)
    for s, w in zip(ids, weights, strict=True):
        rows = sample_domain == s
        factor[rows] = w * n_source / rows.sum()
    return factor


def source_weights(
    X, y, sample_domain, *, method="mmd", estimator=None, random_state=None
):
    """Weight each source domain by how well it suits the target, without target labels.

    Three estimates, each returning non-negative weights that sum to 1:

    - ``"mmd"``: the biased squared MMD ``d_s`` between the rows of source ``s`` and the
      target rows (Gaussian kernel, one median-heuristic bandwidth for all sources), turned
      into weights ``exp(-d_s / median(d))`` (normalised), the form of Duan, Tsang, Xu and
      Chua (ICML 2009), ``gamma_s ~ exp(-beta d_s)``, with the scale ``1/beta`` set to the
      median distance so that the weights do not depend on the units of ``X``;
    - ``"a-distance"``: the same with the proxy A-distance (Ben-David et al., 2007) of each
      source to the target (a cross-validated logistic regression tells the rows apart);
    - ``"two-stage"``: the second stage of Sun, Chattopadhyay, Panchanathan and Ye (NIPS
      2011): a clone of ``estimator`` is fitted on each source, and the weights ``beta``
      minimise the roughness of the combined hypothesis ``h = sum_s beta_s H_s`` on the
      target rows relative to its own variation, ``sum_ij W_ij ||h(x_i) - h(x_j)||^2 /
      sum_i ||h(x_i) - mean(h)||^2``, over the simplex, where ``H_s(x)`` are the class
      probabilities source ``s``'s model gives the target row ``x`` and ``W`` is a symmetric
      10-nearest-neighbour graph of the target rows: the combination that labels neighbouring
      target rows alike and distant ones differently. Unlike the two distances, it sees a
      source whose marginal matches the target but whose labels do not (its model labels
      neighbours at random). The paper's first stage (instance weights per source by kernel
      mean matching) is left to the estimator the weights are used in
      (``skt.KMM(source_weighting="two-stage")``). Each hypothesis' outputs are centred and
      scaled to unit norm over the target rows, so a weight is the share a source's
      predictions make up of the combination. The paper minimises the numerator alone
      (a quadratic over the simplex); skt divides by the variation of the combination because
      the numerator alone favours whatever moves least: a spread of weight over many sources,
      whose disagreements average out, looks smoothest, and a source with shuffled labels got
      the largest weight on Office-Caltech (0.28-0.31 of 4; with the quotient, 0.00-0.05).
      The quotient is a ratio of quadratics; its minimum over the simplex is found exactly
      (every face tried, a generalised eigenproblem each) for up to 12 sources, and locally
      (SLSQP from several starts) above. A hypothesis that gives every target row the same
      output gets weight 0; if all do, the weights are equal.

    The MMD and A-distance see only ``X``; the two-stage weighting reads the source labels,
    never a target label.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows of every domain.
    y : array-like of shape (n_samples,) or None
        Labels of the source rows (read by "two-stage" only; target labels are masked before
        use). None is accepted for "mmd" and "a-distance".
    sample_domain : array-like of int of shape (n_samples,)
        Domain ids: positive for source domains, negative for target rows.
    method : {"mmd", "a-distance", "two-stage"}, default="mmd"
        The estimate.
    estimator : estimator object, default=None
        The model fitted on each source by "two-stage" (None: ``LogisticRegression()``).
    random_state : int, RandomState instance or None, default=None
        Seed of the median heuristic's subsample ("mmd") or of the folds ("a-distance").

    Returns
    -------
    source_ids : ndarray of shape (n_sources,)
        The source ids, sorted.
    weights : ndarray of shape (n_sources,)
        Their weights, non-negative, summing to 1.

    See Also
    --------
    skt.model_selection.select_sources : rank the sources and drop those that hurt.

    References
    ----------
    .. [1] Q. Sun, R. Chattopadhyay, S. Panchanathan and J. Ye, "A two-stage weighting
       framework for multi-source domain adaptation", NIPS 2011.
    .. [2] L. Duan, I. W. Tsang, D. Xu and T.-S. Chua, "Domain adaptation from multiple
       sources via auxiliary classifiers", ICML 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from skt.reweight import source_weights
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 1, (100, 2)),      # source 1: like the target
    ...                rng.normal(4, 1, (100, 2)),      # source 2: far away
    ...                rng.normal(0, 1, (100, 2))])     # target
    >>> sd = np.repeat([1, 2, -1], 100)
    >>> ids, w = source_weights(X, None, sd, method="mmd", random_state=0)
    >>> ids, w.round(3)
    (array([1, 2]), array([0.879, 0.121]))
    """
    _check_method(method, "source_weights")
    if method is None:
        raise ValueError("source_weights: method must be given; got method=None.")
    if y is None:
        if method == "two-stage":
            raise ValueError("source_weights: method='two-stage' needs the source labels y.")
        y = np.zeros(np.shape(X)[0])
    domains = check_domains(
        np.asarray(X, dtype=np.float64), y, sample_domain, require_target=True,
        mask_target=True, caller="source_weights",
    )
    ids, w, _ = domain_weights(
        domains, method, estimator=estimator, random_state=random_state
    )
    return ids, w
