"""Tree and forest transfer: SER and STRUT (Segev et al., 2017) on an explicit tree.

A fitted scikit-learn tree is read once from its ``tree_`` arrays into plain Python lists
(feature, threshold, children, and the source statistics of every node); SER and STRUT edit
those lists, and the result is frozen into NumPy arrays that predict by a vectorised descent.
scikit-learn's Cython tree is never written to.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, clone
from sklearn.ensemble import BaseEnsemble
from sklearn.tree import (
    BaseDecisionTree,
    DecisionTreeClassifier,
    DecisionTreeRegressor,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..base import BaseTransferEstimator
from ._common import BaseParameterTransfer, _seed_unset

__all__ = ["TransferTreeClassifier", "TransferTreeRegressor"]

_ALGORITHMS = ("ser", "strut")
_LEAF = -1


# -- the explicit tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExplicitTree:
    """A binary decision tree as arrays: a row goes left when ``x[feature] <= threshold``.

    Attributes
    ----------
    feature : ndarray of int of shape (n_nodes,)
        Split feature of each node (-1 at leaves).
    threshold : ndarray of float64 of shape (n_nodes,)
        Split threshold (compared with the row cast to float32, as scikit-learn does).
    children_left, children_right : ndarray of int of shape (n_nodes,)
        Child node ids (-1 at leaves). Node 0 is the root.
    value : ndarray of float64 of shape (n_nodes, n_outputs)
        At the leaves: class probabilities (classifier) or the predicted value (regressor).
    n_node_samples : ndarray of int of shape (n_nodes,)
        Number of labeled target rows that reach each node.
    """

    feature: np.ndarray
    threshold: np.ndarray
    children_left: np.ndarray
    children_right: np.ndarray
    value: np.ndarray
    n_node_samples: np.ndarray

    @property
    def node_count(self):
        return self.feature.shape[0]

    @property
    def max_depth(self):
        depth = np.zeros(self.node_count, dtype=np.intp)
        for node in range(self.node_count):  # children always follow their parent
            if self.children_left[node] != _LEAF:
                depth[self.children_left[node]] = depth[self.children_right[node]] = (
                    depth[node] + 1
                )
        return int(depth.max())

    def apply(self, X):
        """Leaf id of every row of ``X`` (float32), one vectorised step per level."""
        node = np.zeros(X.shape[0], dtype=np.intp)
        active = np.flatnonzero(self.children_left[node] != _LEAF)
        while active.size:
            at = node[active]
            go_left = X[active, self.feature[at]] <= self.threshold[at]
            node[active] = np.where(go_left, self.children_left[at], self.children_right[at])
            active = active[self.children_left[node[active]] != _LEAF]
        return node


def _apply_lists(tree, root, X, rows):
    """Leaf of each of ``rows`` in the subtree of ``root`` of a tree under construction."""
    leaves = np.empty(rows.shape[0], dtype=np.intp)
    stack = [(root, np.arange(rows.shape[0]))]
    while stack:
        node, pos = stack.pop()
        if tree.left[node] == _LEAF:
            leaves[pos] = node
            continue
        go = X[rows[pos], tree.feature[node]] <= tree.threshold[node]
        stack.append((tree.left[node], pos[go]))
        stack.append((tree.right[node], pos[~go]))
    return leaves


class _Builder:
    """A tree under construction: lists that SER and STRUT edit, then :meth:`freeze`."""

    def __init__(self, sk_tree, classifier):
        leaf = sk_tree.children_left == -1
        self.feature = np.where(leaf, _LEAF, sk_tree.feature).tolist()
        self.threshold = np.where(leaf, 0.0, sk_tree.threshold).tolist()
        self.left = sk_tree.children_left.tolist()
        self.right = sk_tree.children_right.tolist()
        # source statistics of each node, for STRUT: a class distribution, or (mean, variance)
        if classifier:
            value = np.asarray(sk_tree.value)[:, 0, :].astype(np.float64)
            total = value.sum(axis=1, keepdims=True)
            self.source = value / np.where(total > 0, total, 1.0)
        else:
            mean = np.asarray(sk_tree.value)[:, 0, 0].astype(np.float64)
            var = np.maximum(np.asarray(sk_tree.impurity, dtype=np.float64), 0.0)
            var = np.maximum(var, 1e-12 * (1.0 + var[0]))
            self.source = np.column_stack([mean, var])

    def make_leaf(self, node):
        self.feature[node] = _LEAF
        self.left[node] = self.right[node] = _LEAF

    def graft(self, sk_tree):
        """Append the nodes of a fitted scikit-learn tree; return the id of its root."""
        offset = len(self.feature)
        leaf = sk_tree.children_left == -1
        self.feature += np.where(leaf, _LEAF, sk_tree.feature).tolist()
        self.threshold += np.where(leaf, 0.0, sk_tree.threshold).tolist()
        self.left += np.where(leaf, _LEAF, sk_tree.children_left + offset).tolist()
        self.right += np.where(leaf, _LEAF, sk_tree.children_right + offset).tolist()
        return offset

    def freeze(self, root, X, target, n_outputs, classifier):
        """Keep the nodes reachable from ``root``, renumbered parents first (``root`` becomes
        node 0), with leaf values from the labeled target rows ``(X, target)`` (encoded classes
        or values)."""
        order = []
        stack = [root]
        while stack:
            node = stack.pop()
            order.append(node)
            if self.left[node] != _LEAF:
                stack.extend((self.right[node], self.left[node]))
        order = np.asarray(order)
        remap = np.full(len(self.feature), _LEAF, dtype=np.intp)
        remap[order] = np.arange(order.size)
        left = np.asarray(self.left)[order]
        right = np.asarray(self.right)[order]
        internal = left != _LEAF
        children_left = np.where(internal, remap[np.where(internal, left, 0)], _LEAF)
        children_right = np.where(internal, remap[np.where(internal, right, 0)], _LEAF)
        feature = np.asarray(self.feature, dtype=np.intp)[order]
        threshold = np.asarray(self.threshold, dtype=np.float64)[order]
        tree = ExplicitTree(
            feature, threshold, children_left, children_right,
            np.zeros((order.size, n_outputs)), np.zeros(order.size, dtype=np.intp),
        )
        leaves = tree.apply(X)
        counts = np.bincount(leaves, minlength=order.size)
        if classifier:
            value = np.zeros((order.size, n_outputs))
            np.add.at(value, (leaves, target), 1.0)
            total = value.sum(axis=1, keepdims=True)
            value = value / np.where(total > 0, total, 1.0)
        else:
            sums = np.bincount(leaves, weights=target, minlength=order.size)
            value = (sums / np.maximum(counts, 1))[:, None]
        # SER and STRUT leave no leaf without target rows; should one remain, a source leaf
        # keeps its source statistics
        empty = (counts == 0) & ~internal & (order < self.source.shape[0])
        if empty.any():
            source = self.source[order[empty]]
            value[empty] = source if classifier else source[:, :1]
        n_node = _node_counts(children_left, children_right, counts)
        return ExplicitTree(feature, threshold, children_left, children_right, value, n_node)


def _node_counts(left, right, leaf_counts):
    counts = leaf_counts.astype(np.intp).copy()
    for node in range(left.shape[0] - 1, -1, -1):  # children come after their parent
        if left[node] != _LEAF:
            counts[node] = counts[left[node]] + counts[right[node]]
    return counts


# -- SER: structure expansion / reduction ------------------------------------------------------


class _Transfer:
    """One source tree adapted to the labeled target rows ``X`` (float32) and ``y``."""

    def __init__(self, sk_tree, X, y, n_classes, random_state):
        self.classifier = n_classes > 0
        self.tree = _Builder(sk_tree, self.classifier)
        self.X, self.y = X, y
        self.n_classes = n_classes
        self.rng = random_state
        if self.classifier:
            self.onehot = np.eye(n_classes)[y]

    # losses on the target rows: misclassified rows, or the sum of squared errors
    def _leaf_loss(self, rows):
        if rows.size == 0:
            return 0.0
        if self.classifier:
            return float(rows.size - np.bincount(self.y[rows], minlength=self.n_classes).max())
        values = self.y[rows]
        return float(np.sum((values - values.mean()) ** 2))

    def _pure(self, rows):
        values = self.y[rows]
        return values.min() == values.max()

    def ser(self, node, rows):
        """SER on the subtree of ``node`` with the target ``rows`` that reach it; returns the
        node that takes its place and the subtree's loss on those rows."""
        tree = self.tree
        if tree.left[node] == _LEAF:
            if rows.size > 1 and not self._pure(rows):
                return self._expand(rows)
            return node, self._leaf_loss(rows)
        go = self.X[rows, tree.feature[node]] <= tree.threshold[node]
        left, loss_left = self.ser(tree.left[node], rows[go])
        right, loss_right = self.ser(tree.right[node], rows[~go])
        tree.left[node], tree.right[node] = left, right
        loss = self._leaf_loss(rows)
        subtree_loss = loss_left + loss_right
        # reduction: a leaf that does no worse on the target rows than the subtree replaces it
        if loss <= subtree_loss * (1 + 1e-12) + 1e-12:
            tree.make_leaf(node)
            return node, loss
        # a branch no target row reaches is cut: the node gives way to the other child
        if not go.any():
            return right, loss_right
        if go.all():
            return left, loss_left
        return node, subtree_loss

    def _expand(self, rows):
        """Expansion: a full tree grown on the target rows of a leaf replaces the leaf."""
        Tree = DecisionTreeClassifier if self.classifier else DecisionTreeRegressor
        seed = self.rng.randint(np.iinfo(np.int32).max)
        sub = Tree(random_state=seed).fit(self.X[rows], self.y[rows])
        root = self.tree.graft(sub.tree_)
        leaves = _apply_lists(self.tree, root, self.X, rows)
        loss = 0.0
        for leaf in np.unique(leaves):
            loss += self._leaf_loss(rows[leaves == leaf])
        return root, loss

    # -- STRUT: structure transfer ------------------------------------------------------------

    def strut(self, node, rows):
        """STRUT on the subtree of ``node`` with the (non-empty) target ``rows``; returns the
        node that takes its place."""
        tree = self.tree
        if tree.left[node] == _LEAF:
            return node
        if self._pure(rows):
            tree.make_leaf(node)
            return node
        feature = tree.feature[node]
        left, right = tree.left[node], tree.right[node]
        threshold, swap = self._threshold(rows, feature, left, right)
        if swap:
            left, right = right, left
        tree.threshold[node] = threshold
        go = self.X[rows, feature] <= threshold
        if not go.any():  # no target row reaches the left branch: the node is cut
            return self.strut(right, rows)
        if go.all():
            return self.strut(left, rows)
        tree.left[node] = self.strut(left, rows[go])
        tree.right[node] = self.strut(right, rows[~go])
        return node

    def _threshold(self, rows, feature, left, right):
        """STRUT's threshold on ``feature``: among the target thresholds that are local maxima
        of the information gain, the one with the largest divergence gain (the argmax of the
        gain when there is no interior local maximum); the children's order is swapped when
        that matches the source children better."""
        values = self.X[rows, feature]
        order = np.argsort(values, kind="stable")
        values = values[order]
        last = np.flatnonzero(np.diff(values) > 0)  # last position of each distinct value
        if last.size == 0:
            return float(values[0]), False  # one value: every row goes left
        candidates = (values[last].astype(np.float64) + values[last + 1]) / 2.0
        n = rows.size
        p_left = (last + 1) / n
        if self.classifier:
            cum = np.cumsum(self.onehot[rows[order]], axis=0)
            q_left = cum[last]
            q_right = cum[-1] - q_left
            gain = _entropy(cum[-1:])[0] - p_left * _entropy(q_left) - (1 - p_left) * _entropy(
                q_right
            )
            src_l, src_r = self.tree.source[left], self.tree.source[right]
            div = p_left * _jsd(q_left, src_l) + (1 - p_left) * _jsd(q_right, src_r)
            div_swap = p_left * _jsd(q_left, src_r) + (1 - p_left) * _jsd(q_right, src_l)
        else:
            y = self.y[rows[order]]
            cum, cum2 = np.cumsum(y), np.cumsum(y**2)
            n_l = last + 1.0
            n_r = n - n_l
            mean_l, mean_r = cum[last] / n_l, (cum[-1] - cum[last]) / n_r
            sse_l = cum2[last] - n_l * mean_l**2
            sse_r = (cum2[-1] - cum2[last]) - n_r * mean_r**2
            gain = (cum2[-1] - n * (cum[-1] / n) ** 2 - sse_l - sse_r) / n
            src_l, src_r = self.tree.source[left], self.tree.source[right]
            div = p_left * _hellinger2(mean_l, src_l) + (1 - p_left) * _hellinger2(mean_r, src_r)
            div_swap = p_left * _hellinger2(mean_l, src_r) + (1 - p_left) * _hellinger2(
                mean_r, src_l
            )
        best = _select(gain, 1.0 - div)
        best_swap = _select(gain, 1.0 - div_swap)
        if 1.0 - div[best] >= 1.0 - div_swap[best_swap]:
            return float(candidates[best]), False
        return float(candidates[best_swap]), True


def _entropy(counts):
    total = counts.sum(axis=1, keepdims=True)
    p = counts / np.where(total > 0, total, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p), 0.0)
    return -terms.sum(axis=1)


def _jsd(counts, source):
    """Jensen-Shannon divergence (natural log) between the rows of ``counts`` (normalised)
    and the distribution ``source``."""
    total = counts.sum(axis=1, keepdims=True)
    p = counts / np.where(total > 0, total, 1.0)
    m = (p + source) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log(p / m), 0.0).sum(axis=1)
        kl_q = np.where(source > 0, source * np.log(source / m), 0.0).sum(axis=1)
    return (kl_p + kl_q) / 2.0


def _hellinger2(mean, source):
    """Squared Hellinger distance between N(mean, v) and N(mu, v), ``source = (mu, v)``."""
    return 1.0 - np.exp(-((mean - source[0]) ** 2) / (8.0 * source[1]))


def _select(gain, divergence_gain):
    """Index of the largest divergence gain among the interior local maxima of ``gain``;
    the argmax of ``gain`` when there is none."""
    if gain.size >= 3:
        inner = np.arange(1, gain.size - 1)
        peaks = inner[(gain[inner] >= gain[inner - 1]) & (gain[inner] >= gain[inner + 1])]
        if peaks.size:
            return int(peaks[np.argmax(divergence_gain[peaks])])
    return int(np.argmax(gain))


# -- the estimators ---------------------------------------------------------------------------


def _source_trees(model, what):
    """The fitted scikit-learn trees of a tree or a forest."""
    if isinstance(model, BaseDecisionTree):
        return [model]
    if isinstance(model, BaseEnsemble) and all(
        isinstance(t, BaseDecisionTree) for t in getattr(model, "estimators_", [None])
    ):
        return list(model.estimators_)
    raise TypeError(
        f"{what} must be a decision tree or a forest of decision trees (DecisionTree*, "
        f"RandomForest*, ExtraTrees*); got {type(model).__name__}."
    )


class _BaseTransferTree(BaseParameterTransfer):
    def __init__(self, estimator=None, *, source_model=None, algorithm="strut",
                 random_state=None):
        self.estimator = estimator
        self.source_model = source_model
        self.algorithm = algorithm
        self.random_state = random_state

    def _source(self, domains, rng):
        self._check_one_source()
        if self.algorithm not in _ALGORITHMS:
            raise ValueError(f"algorithm must be one of {_ALGORITHMS}; got {self.algorithm!r}.")
        if self.source_model is not None:
            model, what = self.source_model, "source_model"
            _source_trees(model, what)
            check_is_fitted(model)
            n_in = getattr(model, "n_features_in_", domains.X.shape[1])
            if n_in != domains.X.shape[1]:
                raise ValueError(
                    f"X has {domains.X.shape[1]} features, but source_model "
                    f"({type(model).__name__}) was fitted with {n_in} features."
                )
            return model
        self._check_source_rows(domains)
        base = self._default_estimator() if self.estimator is None else self.estimator
        if not hasattr(base, "fit"):
            raise TypeError(f"estimator must be an estimator; got {base!r}.")
        model = _seed_unset(clone(base), rng).fit(domains.X_source, domains.y_source)
        _source_trees(model, "estimator")
        return model

    def _transfer(self, model, X, y, n_classes, rng):
        X32 = np.asarray(X, dtype=np.float32)
        trees = []
        rows = np.arange(X32.shape[0])
        for sk_tree in _source_trees(model, "source_model"):
            work = _Transfer(sk_tree.tree_, X32, y, n_classes, rng)
            if self.algorithm == "ser":
                root, _ = work.ser(0, rows)
            else:
                root = work.strut(0, rows)
            trees.append(work.tree.freeze(root, X32, y, max(n_classes, 1), n_classes > 0))
        self.trees_ = trees
        self.source_model_ = model

    def _leaf_values(self, X):
        X = self._validate_predict_data(X, None)
        X32 = np.asarray(X, dtype=np.float32)
        return np.mean([tree.value[tree.apply(X32)] for tree in self.trees_], axis=0)


_DOC_PARAMS = """estimator : DecisionTree{kind} or a forest of them, default=None
        Fitted (a clone) on the source rows when ``source_model`` is None. None means
        ``DecisionTree{kind}()``. A forest (``RandomForest{kind}``, ``ExtraTrees{kind}``) is
        transferred tree by tree, every tree with all
        the labeled target rows.
    source_model : fitted tree or forest, default=None
        A model already trained on the source; read, never modified. When given,
        ``estimator`` must be None and source rows in ``X`` are ignored.
    algorithm : {{"strut", "ser"}}, default="strut"
        ``"ser"``: structure expansion / reduction; ``"strut"``: structure transfer (see
        the class description). A hyper-parameter for cross-validation over the labeled
        target rows, with :class:`skt.TargetOnly` and :class:`skt.SourceOnly` as the
        other candidates.
    random_state : int, RandomState instance or None, default=None
        Seeds the source fit (when ``estimator``'s own ``random_state`` is None) and the
        trees SER grows at the leaves (ties between equally good splits)."""

_DOC_ALGORITHMS = """**SER** (structure expansion / reduction) sends the labeled target rows
    down the source tree. *Expansion*: at a leaf reached by target rows of more than one class
    (values), a full tree grown on those rows replaces the leaf. *Reduction*, bottom-up: a node
    whose target error as a leaf is no larger than its subtree's becomes a leaf, and a node
    one of whose branches no target row reaches gives way to the other branch.

    **STRUT** (structure transfer) keeps the source's features and re-learns every threshold
    on the target rows, top-down. Among the thresholds between consecutive target values, it
    takes, among the local maxima of the information gain, the one with the largest
    *divergence gain* ``DG = 1 - sum_c p_c JSD(Q_c^target, Q_c^source)`` (the children's
    target class distributions against their source distributions); with the children swapped
    when that matches better. A node reached by target rows of one class becomes a leaf; a
    node one of whose branches receives no target row gives way to the other branch.

    Leaf predictions are the labeled target rows' {leaf}."""


class TransferTreeClassifier(ClassifierMixin, _BaseTransferTree):
    """Transfer a decision tree or random forest to the target: SER or STRUT.

    Segev, Harel, Mannor, Crammer and El-Yaniv (2017). A tree fitted on the source (or given,
    fitted elsewhere) is adapted with the labeled target rows:

    {algorithms}

    Training rows come from one ``X``: ``sample_domain`` tells source rows (positive ids) from
    target rows (negative ids); target rows with a label are the labeled target rows, those
    with a masked label (``-1``) are ignored. Without ``sample_domain`` or without a labeled
    target row ``fit`` raises a ValueError. At predict time every row is a target row. Several
    source ids are pooled into one source (one source model), several target ids into one
    target.

    Parameters
    ----------
    {params}

    Attributes
    ----------
    trees_ : list of ExplicitTree
        The transferred trees (one for a tree, one per tree of a forest), as arrays.
    source_model_ : estimator object
        The source tree or forest (the user's, or the fitted clone of ``estimator``).
    classes_ : ndarray of shape (n_classes,)
        The source model's classes.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    TransferTreeRegressor : the same for regression trees.
    skt.TrAdaBoostClassifier : boosting transfer with the source rows themselves.

    Notes
    -----
    Faithfulness: the algorithms follow the paper and ADAPT's ``TransferTreeClassifier``
    (``original_ser=True``, no class-imbalance options); one difference is STRUT's choice
    among the local maxima of the information gain, the largest divergence gain here, where
    ADAPT's loop only accepts a local maximum that beats the first candidate threshold.
    A labeled target row of a class the source does not know is a ValueError; a source class
    absent from the target rows stays a class, with probability 0 wherever target rows decide
    the leaf. Rows are compared in float32, as scikit-learn's trees do.

    References
    ----------
    .. [1] N. Segev, M. Harel, S. Mannor, K. Crammer and R. El-Yaniv, "Learn on source, refine
       on target: a model transfer learning framework with random forests", IEEE TPAMI 39(9),
       2017.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift("concept", random_state=0)
    >>> y_train = y.copy()
    >>> y_train[(sample_domain < 0) & (np.arange(len(y)) % 10 != 0)] = -1
    >>> model = skt.TransferTreeClassifier(algorithm="strut")
    >>> model = model.fit(X, y_train, sample_domain=sample_domain)
    >>> model.predict_proba(X[:2]).shape
    (2, 2)
    """

    # the mixin's score would come first: skt's scores target rows only
    score = BaseTransferEstimator.score

    def _default_estimator(self):
        return DecisionTreeClassifier()

    def _inner_estimator_type(self):
        return "classifier"

    def fit(self, X, y, *, sample_domain=None):
        """Fit (or take) the source tree, then adapt it to the labeled target rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain (only target rows when ``source_model`` is given).
        y : array-like of shape (n_samples,)
            Labels; ``-1`` marks unlabeled target rows.
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: positive for source rows, negative for target rows. Required.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        domains = self._validate_fit_data(X, y, sample_domain)
        rng = check_random_state(self.random_state)
        model = self._source(domains, rng)
        classes = np.asarray(model.classes_)
        if classes.ndim != 1:
            raise ValueError("TransferTreeClassifier adapts single-output classifiers only.")
        yt = domains.y_labeled_target
        unknown = ~np.isin(yt, classes)
        if unknown.any():
            raise ValueError(
                f"y holds target classes the source model does not know: "
                f"{np.unique(yt[unknown]).tolist()}; the source classes are {classes.tolist()}."
            )
        lookup = {c: i for i, c in enumerate(classes.tolist())}
        encoded = np.array([lookup[v] for v in yt.tolist()], dtype=np.intp)
        self._transfer(model, domains.X_labeled_target, encoded, len(classes), rng)
        self.classes_ = classes
        return self

    def predict_proba(self, X, *, sample_domain=None):
        """Class probabilities: the target class frequencies at the leaves (averaged over the
        trees of a forest).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        return self._leaf_values(X)

    def predict(self, X, *, sample_domain=None):
        """Most probable class of every row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        return self.classes_[np.argmax(self._leaf_values(X), axis=1)]


class TransferTreeRegressor(RegressorMixin, _BaseTransferTree):
    """Transfer a regression tree or forest to the target: SER or STRUT.

    The regression counterpart of :class:`TransferTreeClassifier` (Segev et al., 2017, define
    the algorithms for classification; ADAPT has none for regression). Errors are squared
    errors, a node is "pure" when its target values are all equal, and STRUT's information gain
    is the reduction of the squared error. The divergence between a child's source and target
    statistics is the squared Hellinger distance between the normal distributions
    ``N(mu_target, v_source)`` and ``N(mu_source, v_source)``,
    ``1 - exp(-(mu_target - mu_source)^2 / (8 v_source))``, with ``mu_source`` the source
    node's value and ``v_source`` its impurity (its variance for the squared-error criterion).

    {algorithms}

    Training rows come from one ``X`` as for :class:`TransferTreeClassifier`; ``NaN`` marks
    unlabeled target rows. Several source ids are pooled into one source, several target ids
    into one target.

    Parameters
    ----------
    {params}

    Attributes
    ----------
    trees_ : list of ExplicitTree
        The transferred trees (one for a tree, one per tree of a forest), as arrays.
    source_model_ : estimator object
        The source tree or forest.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    TransferTreeClassifier : the classification version.

    References
    ----------
    .. [1] N. Segev, M. Harel, S. Mannor, K. Crammer and R. El-Yaniv, "Learn on source, refine
       on target: a model transfer learning framework with random forests", IEEE TPAMI 39(9),
       2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> import skt
    >>> X, y, sample_domain = skt.datasets.make_domain_shift(
    ...     "concept", task="regression", random_state=0)
    >>> y_train = y.copy()
    >>> y_train[(sample_domain < 0) & (np.arange(len(y)) % 10 != 0)] = np.nan
    >>> forest = RandomForestRegressor(n_estimators=5, random_state=0)
    >>> model = skt.TransferTreeRegressor(forest, algorithm="ser", random_state=0)
    >>> len(model.fit(X, y_train, sample_domain=sample_domain).trees_)
    5
    """

    # the mixin's score would come first: skt's scores target rows only
    score = BaseTransferEstimator.score

    def _default_estimator(self):
        return DecisionTreeRegressor()

    def _inner_estimator_type(self):
        return "regressor"

    def fit(self, X, y, *, sample_domain=None):
        """Fit (or take) the source tree, then adapt it to the labeled target rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of every domain (only target rows when ``source_model`` is given).
        y : array-like of shape (n_samples,)
            Values; ``NaN`` marks unlabeled target rows.
        sample_domain : array-like of int of shape (n_samples,)
            Domain ids: positive for source rows, negative for target rows. Required.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        domains = self._validate_fit_data(X, y, sample_domain)
        rng = check_random_state(self.random_state)
        model = self._source(domains, rng)
        if getattr(model, "n_outputs_", 1) != 1:
            raise ValueError("TransferTreeRegressor adapts single-output regressors only.")
        yt = domains.y_labeled_target.astype(np.float64)
        self._transfer(model, domains.X_labeled_target, yt, 0, rng)
        return self

    def predict(self, X, *, sample_domain=None):
        """Predicted values: the target mean at the leaves (averaged over a forest's trees).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (target rows).
        sample_domain : array-like of int of shape (n_samples,), default=None
            Accepted for routing; the prediction does not depend on it.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted values.
        """
        return self._leaf_values(X)[:, 0]


for _cls, _kind, _leaf in (
    (TransferTreeClassifier, "Classifier", "class frequencies"),
    (TransferTreeRegressor, "Regressor", "mean values"),
):
    _cls.__doc__ = (
        _cls.__doc__.replace("{algorithms}", _DOC_ALGORITHMS.replace("{leaf}", _leaf))
        .replace("{params}", _DOC_PARAMS.replace("{kind}", _kind).replace("{{", "{")
                 .replace("}}", "}"))
    )
del _cls, _kind, _leaf
