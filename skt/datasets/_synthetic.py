"""Synthetic data sets with a known kind of domain shift."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_domain_shift"]

_KINDS = ("covariate", "prior", "concept", "subspace")
_TASKS = ("classification", "regression")

SOURCE_DOMAIN = 1
TARGET_DOMAIN = -2


def _check_positive_int(value, name, minimum=1):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _class_centers(n_classes, n_features, separation):
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centers = np.zeros((n_classes, n_features))
    centers[:, 0] = separation * np.cos(angles)
    if n_features > 1:
        centers[:, 1] = separation * np.sin(angles)
    return centers


def _nonlinear_score(X):
    """A curved decision score shared by both domains (covariate shift keeps p(y|x))."""
    second = X[:, 1] if X.shape[1] > 1 else 0.0
    return second - 0.35 * X[:, 0] ** 2 + 0.6 * X[:, 0]


def _score_to_classes(score, thresholds):
    return np.searchsorted(thresholds, score).astype(np.int64)


def _rotation(n_features, angle):
    R = np.eye(n_features)
    if n_features > 1:
        c, s = np.cos(angle), np.sin(angle)
        R[:2, :2] = [[c, -s], [s, c]]
    return R


def make_domain_shift(
    kind="covariate",
    *,
    task="classification",
    n_samples_source=200,
    n_samples_target=200,
    n_features=2,
    n_classes=2,
    shift=1.0,
    noise=0.1,
    random_state=None,
):
    """Make a source and a target domain that differ by one known kind of shift.

    Parameters
    ----------
    kind : {"covariate", "prior", "concept", "subspace"}, default="covariate"
        The shift between source and target:

        - ``"covariate"``: p(x) moves, p(y | x) stays. Source rows are drawn around the origin,
          target rows around a point ``shift`` away along the first axis and with a smaller
          spread; the labels of both come from the same curved rule, so a model that fits the
          source region well can be wrong in the target region. Reweighting methods are made
          for it.
        - ``"prior"``: p(y) moves, p(x | y) stays (label shift). Classification: Gaussian
          classes, uniform in the source and increasingly unbalanced in the target as ``shift``
          grows. Regression: y is drawn first, from N(0, 1) in the source and N(shift, 1) in the
          target, and x is generated from y.
        - ``"concept"``: p(y | x) changes, p(x) stays. The target's decision rule (or
          regression coefficients) is the source's rotated by ``shift * 45`` degrees.
        - ``"subspace"``: the target is the source's generative model seen through a rotation
          by ``shift * 45`` degrees, a scaling by ``1 + shift`` and an offset: p(x) and the
          feature space move together. Alignment methods (CORAL, Subspace Alignment) are made
          for it.
    task : {"classification", "regression"}, default="classification"
        Integer labels ``0 .. n_classes - 1`` or a float target.
    n_samples_source, n_samples_target : int, default=200
        Rows in each domain.
    n_features : int, default=2
        Number of features (the shift acts on the first two; the rest are noise features).
    n_classes : int, default=2
        Number of classes (classification only).
    shift : float, default=1.0
        Size of the shift; 0 gives two samples of the same distribution.
    noise : float, default=0.1
        Label noise: the fraction of flipped labels (classification) or the standard deviation
        of additive noise (regression).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_samples_source + n_samples_target, n_features)
        Source rows first, then target rows.
    y : ndarray of shape (n_samples,)
        True labels of every row, target rows included (mask them with
        :func:`skt.mask_target_labels` before training an unsupervised method).
    sample_domain : ndarray of shape (n_samples,)
        ``1`` for source rows and ``-2`` for target rows.

    Examples
    --------
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("subspace", random_state=0)
    >>> X.shape, sorted(set(sample_domain.tolist()))
    ((400, 2), [-2, 1])
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}; got {kind!r}.")
    if task not in _TASKS:
        raise ValueError(f"task must be one of {_TASKS}; got {task!r}.")
    n_s = _check_positive_int(n_samples_source, "n_samples_source")
    n_t = _check_positive_int(n_samples_target, "n_samples_target")
    d = _check_positive_int(n_features, "n_features")
    k = _check_positive_int(n_classes, "n_classes", minimum=2)
    if not np.isfinite(shift) or shift < 0:
        raise ValueError(f"shift must be a finite number >= 0; got {shift!r}.")
    if not np.isfinite(noise) or noise < 0 or (task == "classification" and noise >= 0.5):
        raise ValueError(
            "noise must be >= 0 (and < 0.5 for classification, a flip rate); "
            f"got {noise!r}."
        )
    rng = check_random_state(random_state)
    make = _MAKERS[kind]
    Xs, ys, Xt, yt = make(rng, n_s, n_t, d, k, float(shift), task, float(noise))
    X = np.vstack([Xs, Xt])
    y = np.concatenate([ys, yt])
    sample_domain = np.repeat(np.array([SOURCE_DOMAIN, TARGET_DOMAIN]), [n_s, n_t])
    return X, y, sample_domain


def _flip(rng, y, k, noise):
    flip = rng.random_sample(y.shape[0]) < noise
    y = y.copy()
    y[flip] = (y[flip] + rng.randint(1, k, size=flip.sum())) % k
    return y


def _covariate(rng, n_s, n_t, d, k, shift, task, noise):
    Xs = rng.normal(size=(n_s, d))
    center = np.zeros(d)
    center[0] = 1.5 * shift
    Xt = center + 0.6 * rng.normal(size=(n_t, d))
    score_s, score_t = _nonlinear_score(Xs), _nonlinear_score(Xt)
    if task == "regression":
        ys = np.sin(1.5 * Xs[:, 0]) + 0.5 * score_s + noise * rng.normal(size=n_s)
        yt = np.sin(1.5 * Xt[:, 0]) + 0.5 * score_t + noise * rng.normal(size=n_t)
        return Xs, ys, Xt, yt
    # class thresholds from the pooled scores so that both domains see several classes
    thresholds = np.quantile(np.concatenate([score_s, score_t]), np.arange(1, k) / k)
    ys = _flip(rng, _score_to_classes(score_s, thresholds), k, noise)
    yt = _flip(rng, _score_to_classes(score_t, thresholds), k, noise)
    return Xs, ys, Xt, yt


def _prior(rng, n_s, n_t, d, k, shift, task, noise):
    if task == "regression":
        w = np.ones(d) / np.sqrt(d)
        ys = rng.normal(size=n_s)
        yt = rng.normal(loc=shift, size=n_t)
        Xs = np.outer(ys, w) + rng.normal(size=(n_s, d))
        Xt = np.outer(yt, w) + rng.normal(size=(n_t, d))
        return Xs, ys + noise * rng.normal(size=n_s), Xt, yt + noise * rng.normal(size=n_t)
    centers = _class_centers(k, d, 2.5)
    prior_t = np.exp(-shift * np.arange(k))
    prior_t /= prior_t.sum()
    ys = rng.randint(k, size=n_s)
    yt = rng.choice(k, size=n_t, p=prior_t)
    Xs = centers[ys] + rng.normal(size=(n_s, d))
    Xt = centers[yt] + rng.normal(size=(n_t, d))
    return Xs, _flip(rng, ys, k, noise), Xt, _flip(rng, yt, k, noise)


def _concept(rng, n_s, n_t, d, k, shift, task, noise):
    Xs = rng.normal(size=(n_s, d))
    Xt = rng.normal(size=(n_t, d))
    R = _rotation(d, shift * np.pi / 4)
    if task == "regression":
        beta = np.zeros(d)
        beta[0] = 1.0
        ys = Xs @ beta + noise * rng.normal(size=n_s)
        yt = Xt @ (R @ beta) + noise * rng.normal(size=n_t)
        return Xs, ys, Xt, yt
    centers = _class_centers(k, d, 1.0)
    ys = np.argmax(Xs @ centers.T, axis=1)
    yt = np.argmax(Xt @ (R @ centers.T), axis=1)
    return Xs, _flip(rng, ys, k, noise), Xt, _flip(rng, yt, k, noise)


def _subspace(rng, n_s, n_t, d, k, shift, task, noise):
    A = np.eye(d)
    A[0, 0] = 2.0  # anisotropic, so that a rotation changes the covariance
    R = _rotation(d, shift * np.pi / 4)
    offset = np.zeros(d)
    offset[:2] = shift
    if task == "regression":
        Zs, Zt = rng.normal(size=(n_s, d)), rng.normal(size=(n_t, d))
        ys = np.sin(Zs[:, 0]) + 0.5 * Zs[:, -1] + noise * rng.normal(size=n_s)
        yt = np.sin(Zt[:, 0]) + 0.5 * Zt[:, -1] + noise * rng.normal(size=n_t)
    else:
        centers = _class_centers(k, d, 2.0)
        ys, yt = rng.randint(k, size=n_s), rng.randint(k, size=n_t)
        Zs = centers[ys] + 0.7 * rng.normal(size=(n_s, d))
        Zt = centers[yt] + 0.7 * rng.normal(size=(n_t, d))
        ys, yt = _flip(rng, ys, k, noise), _flip(rng, yt, k, noise)
    Xs = Zs @ A.T
    Xt = (1.0 + shift) * (Zt @ A.T) @ R.T + offset
    return Xs, ys, Xt, yt


_MAKERS = {
    "covariate": _covariate,
    "prior": _prior,
    "concept": _concept,
    "subspace": _subspace,
}
