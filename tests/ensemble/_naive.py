"""Plain references of the boosting-transfer algorithms, written as the papers state them.

They keep the paper's unnormalised weights, loop over rows where the papers sum, and take the
final hypothesis in the papers' own form; the tests compare skt's estimators with them. The
edge-case choices of skt (error floor 1e-10, stop at a weak learner, keep a weak first learner)
are repeated here so that the comparison covers them too.
"""

import math

import numpy as np
from sklearn.base import clone

FLOOR = 1e-10
INT32_MAX = np.iinfo(np.int32).max


def _fit(base, X, y, w, rng):
    learner = clone(base)
    if "random_state" in learner.get_params():
        learner.set_params(random_state=rng.randint(INT32_MAX))
    p = w / w.sum()
    return learner.fit(X, y, sample_weight=p * len(p))


def tradaboost_binary(base, X, y, is_source, n_rounds, w1, seed):
    """Algorithm 1 of Dai et al. (2007); ``y`` in {0, 1}.

    Returns the learners, their beta_t, their errors, and the weights after the last round.
    """
    w = np.array(w1, dtype=float)
    rng = np.random.RandomState(seed)
    n_source = int(is_source.sum())
    beta = 1.0 / (1.0 + math.sqrt(2.0 * math.log(n_source) / n_rounds))
    learners, betas, errors = [], [], []
    for _ in range(n_rounds):
        h = _fit(base, X, y, w, rng)
        miss = np.abs(h.predict(X) - y)
        num = sum(w[i] * miss[i] for i in range(len(y)) if not is_source[i])
        den = sum(w[i] for i in range(len(y)) if not is_source[i])
        eps = num / den
        if eps >= 0.5:
            if not learners:
                learners.append(h)
                betas.append(math.exp(-1.0))  # vote weight 1, as skt keeps it
                errors.append(eps)
            break
        beta_t = max(eps, FLOOR) / (1.0 - max(eps, FLOOR))
        learners.append(h)
        betas.append(beta_t)
        errors.append(eps)
        for i in range(len(y)):
            if is_source[i]:
                w[i] = w[i] * beta ** miss[i]
            else:
                w[i] = w[i] * beta_t ** (-miss[i])
    return learners, np.array(betas), np.array(errors), w / w.sum()


def tradaboost_binary_predict(learners, betas, X):
    """h_f(x) = 1 iff prod_{t=ceil(N/2)}^N beta_t^-h_t(x) >= prod beta_t^-1/2 (in logs), and
    the signed margin of that comparison."""
    N = len(learners)
    first = math.ceil(N / 2) - 1
    margin = np.zeros(X.shape[0])
    for h, beta_t in zip(learners[first:], betas[first:], strict=True):
        margin += -math.log(beta_t) * (h.predict(X) - 0.5)
    return (margin >= 0).astype(int), margin


def tradaboost_samme(base, X, y, is_source, n_rounds, w1, seed, n_classes):
    """The SAMME-style multi-class generalisation, row by row; ``y`` in 0 .. K - 1."""
    w = np.array(w1, dtype=float)
    rng = np.random.RandomState(seed)
    K = n_classes
    beta = 1.0 / (1.0 + math.sqrt(2.0 * math.log(int(is_source.sum())) / n_rounds))
    learners, alphas, errors = [], [], []
    for _ in range(n_rounds):
        h = _fit(base, X, y, w, rng)
        pred = h.predict(X)
        target = [i for i in range(len(y)) if not is_source[i]]
        eps = sum(w[i] for i in target if pred[i] != y[i]) / sum(w[i] for i in target)
        if eps >= 1.0 - 1.0 / K:
            if not learners:
                learners.append(h)
                alphas.append(1.0)
                errors.append(eps)
            break
        e = max(eps, FLOOR)
        beta_t = e / ((1.0 - e) * (K - 1))
        learners.append(h)
        alphas.append(math.log(1.0 / beta_t))
        errors.append(eps)
        for i in range(len(y)):
            if pred[i] != y[i]:
                w[i] = w[i] * (beta if is_source[i] else 1.0 / beta_t)
    return learners, np.array(alphas), np.array(errors), w / w.sum()


def samme_predict(learners, alphas, X, n_classes):
    N = len(learners)
    first = math.ceil(N / 2) - 1
    votes = np.zeros((X.shape[0], n_classes))
    for h, a in zip(learners[first:], alphas[first:], strict=True):
        pred = h.predict(X)
        for i in range(X.shape[0]):
            votes[i, int(pred[i])] += a
    return votes


def weighted_median(values, weights):
    """Lower weighted median of one sample's predictions: the smallest value whose cumulative
    weight (values sorted) reaches half the total."""
    order = sorted(range(len(values)), key=lambda j: (values[j], j))
    half = 0.5 * sum(weights)
    acc = 0.0
    for j in order:
        acc += weights[j]
        if acc >= half:
            return values[j]
    return values[order[-1]]


def tradaboost_r2(base, X, y, is_source, n_rounds, seed, loss="linear"):
    """TrAdaBoost.R2 of Pardoe and Stone (2010), uniform initial weights."""
    n = len(y)
    w = np.full(n, 1.0)
    rng = np.random.RandomState(seed)
    beta = 1.0 / (1.0 + math.sqrt(2.0 * math.log(int(is_source.sum())) / n_rounds))
    learners, alphas, errors = [], [], []
    for _ in range(n_rounds):
        h = _fit(base, X, y, w, rng)
        r = np.abs(h.predict(X) - y)
        D = max(r)
        e = [0.0 if D == 0 else r[i] / D for i in range(n)]
        if loss == "square":
            e = [v * v for v in e]
        elif loss == "exponential":
            e = [1.0 - math.exp(-v) for v in e]
        target = [i for i in range(n) if not is_source[i]]
        eps = sum(e[i] * w[i] for i in target) / sum(w[i] for i in target)
        if eps >= 0.5:
            if not learners:
                learners.append(h)
                alphas.append(1.0)
                errors.append(eps)
            break
        beta_t = max(eps, FLOOR) / (1.0 - max(eps, FLOOR))
        learners.append(h)
        alphas.append(math.log(1.0 / beta_t))
        errors.append(eps)
        for i in range(n):
            w[i] = w[i] * (beta ** e[i] if is_source[i] else beta_t ** (-e[i]))
    return learners, np.array(alphas), np.array(errors), w / w.sum()


def tradaboost_r2_predict(learners, alphas, X):
    N = len(learners)
    first = math.ceil(N / 2) - 1
    preds = np.array([h.predict(X) for h in learners[first:]])
    a = list(alphas[first:])
    return np.array([weighted_median(list(preds[:, i]), a) for i in range(X.shape[0])])


# -- Yao and Doretto (2010): several sources ---------------------------------------------------


def multi_source_tradaboost_binary(base, X, y, domain, n_rounds, w1, seed):
    """Algorithm 1 (MultiSourceTrAdaBoost) of Yao and Doretto (2010), ``y`` in {-1, +1}.

    ``domain`` holds a positive id per source row and a negative one for labeled target rows.
    Returns the kept learners, their alpha_t, errors and chosen source ids, and the final
    weights (normalised).
    """
    w = np.array(w1, dtype=float)
    rng = np.random.RandomState(seed)
    n = len(y)
    sources = sorted({int(d) for d in domain if d > 0})
    target = [i for i in range(n) if domain[i] < 0]
    n_s = n - len(target)
    alpha_s = 0.5 * math.log(1.0 + math.sqrt(2.0 * math.log(n_s) / n_rounds))
    learners, alphas, errors, chosen = [], [], [], []
    for _ in range(n_rounds):
        w = w / w.sum()
        F = []
        for k in sources:
            rows = [i for i in range(n) if domain[i] == k or domain[i] < 0]
            h = _fit(base, X[rows], y[rows], w[rows], rng)
            pred = h.predict(X[target])
            eps = sum(w[j] * (pred[a] != y[j]) for a, j in enumerate(target))
            eps /= sum(w[j] for j in target)
            F.append((eps, k, h))
        eps, k, h = min(F, key=lambda item: (item[0], item[1]))
        if eps >= 0.5:
            if not learners:
                learners.append(h)
                alphas.append(0.5)  # vote weight 1 on skt's scale (twice the paper's alpha)
                errors.append(eps)
                chosen.append(k)
            break
        e = max(eps, FLOOR)
        alpha_t = 0.5 * math.log((1.0 - e) / e)
        learners.append(h)
        alphas.append(alpha_t)
        errors.append(eps)
        chosen.append(k)
        pred = h.predict(X)
        for i in range(n):
            if domain[i] > 0:
                w[i] = w[i] * math.exp(-alpha_s * abs(pred[i] - y[i]))
            else:
                w[i] = w[i] * math.exp(alpha_t * abs(pred[i] - y[i]))
    return learners, np.array(alphas), np.array(errors), np.array(chosen), w / w.sum()


def sign_vote(learners, alphas, X):
    """h_f(x) = sign(sum_t alpha_t h_t(x)) over all rounds, and the sum."""
    total = np.zeros(X.shape[0])
    for h, a in zip(learners, alphas, strict=True):
        total += a * h.predict(X)
    return np.where(total >= 0, 1, -1), total


def task_tradaboost_binary(base, X, y, domain, n_rounds, n_source_rounds, gamma, seed):
    """Algorithms 2 and 3 (TaskTrAdaBoost) of Yao and Doretto (2010), ``y`` in {-1, +1}.

    Returns the candidates, the picks' indices, their alpha_t and errors.
    """
    rng = np.random.RandomState(seed)
    H = []
    for k in sorted({int(d) for d in domain if d > 0}):
        Xk, yk = X[domain == k], y[domain == k]
        w = np.ones(len(yk))
        for _ in range(n_source_rounds):
            w = w / w.sum()
            h = _fit(base, Xk, yk, w, rng)
            pred = h.predict(Xk)
            eps = sum(w[i] for i in range(len(yk)) if pred[i] != yk[i])
            if eps >= 0.5:
                break
            alpha = 0.5 * math.log((1.0 - max(eps, FLOOR)) / max(eps, FLOOR))
            if alpha > gamma:
                H.append(h)
            if eps == 0:
                break
            for i in range(len(yk)):
                w[i] = w[i] * math.exp(-alpha * yk[i] * pred[i])
    target = domain < 0
    Xt, yt = X[target], y[target]
    preds = [h.predict(Xt) for h in H]
    w = np.ones(len(yt))
    picks, alphas, errors = [], [], []
    for _ in range(n_rounds):
        w = w / w.sum()
        eps_all = [sum(w[j] for j in range(len(yt)) if p[j] != yt[j]) for p in preds]
        best = min(range(len(H)), key=lambda c: (eps_all[c], c))
        eps = eps_all[best]
        if eps >= 0.5:
            if not picks:
                picks.append(best)
                alphas.append(0.5)
                errors.append(eps)
            break
        alpha = 0.5 * math.log((1.0 - max(eps, FLOOR)) / max(eps, FLOOR))
        picks.append(best)
        alphas.append(alpha)
        errors.append(eps)
        if eps == 0:
            break
        for j in range(len(yt)):
            w[j] = w[j] * math.exp(-alpha * yt[j] * preds[best][j])
    return H, picks, np.array(alphas), np.array(errors)
