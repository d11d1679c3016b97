"""Feature augmentation ("frustratingly easy domain adaptation")."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import OneToOneFeatureMixin

from ..base import BaseAdapter

__all__ = ["FeatureAugmentation"]


def _augment_sparse(X, block, n_blocks):
    """The augmented rows of sparse ``X``, in its format, built straight from its arrays.

    Row ``i`` of the CSR output holds the non-zeros of row ``i`` twice: in the shared block
    (column ``j``) and in its domain's block (column ``j + d (block_i + 1)``). No dense array
    and no intermediate matrix: memory is the output and a few arrays of one entry per
    non-zero.
    """
    fmt, (n, d) = X.format, X.shape
    X = X.tocsr()
    if not X.has_canonical_format:  # sorted indices, no duplicates (on a copy: X is the user's)
        X = X.copy()
        X.sum_duplicates()
    n_out = d * (n_blocks + 1)
    index = np.int32 if max(n_out, 2 * X.nnz) < np.iinfo(np.int32).max else np.int64
    counts = np.diff(X.indptr).astype(index)
    row_of = np.repeat(np.arange(n, dtype=index), counts)
    first = X.indptr[:-1].astype(index)[row_of]
    first += np.arange(X.nnz, dtype=index)  # the shared copy of each non-zero
    second = counts[row_of]
    second += first  # ... and its copy in the row's domain block
    indices = np.empty(2 * X.nnz, dtype=index)
    data = np.empty(2 * X.nnz, dtype=X.dtype)
    indices[first], data[first] = X.indices, X.data
    del first
    shift = block.astype(index)[row_of]
    shift += 1
    shift *= d
    shift += X.indices
    indices[second], data[second] = shift, X.data
    del second, shift, row_of
    out = sp.csr_matrix((data, indices, 2 * X.indptr.astype(index)), shape=(n, n_out))
    out.has_sorted_indices = True
    if isinstance(X, sp.sparray):
        out = sp.csr_array(out)
    return out.asformat(fmt)


class FeatureAugmentation(OneToOneFeatureMixin, BaseAdapter):
    """Frustratingly easy domain adaptation: a shared copy and one copy per domain.

    Each row ``x`` becomes ``[x, x, 0]`` in the source and ``[x, 0, x]`` in the target (Daume
    III, 2007): a linear model trained on the augmented rows of source and labeled target rows
    learns shared weights plus a correction per domain. With several source or target ids there
    is one block per domain id, so several source ids are kept apart, as are several target
    ids: ``[x, 0, ..., x, ..., 0]`` with ``x`` in the shared block and in the block of the
    row's domain.

    The method is supervised: it needs labeled target rows, so ``fit`` requires
    ``sample_domain`` (negative ids for target rows) and some target rows with their label.
    The adapter itself never reads a label; the next step (e.g. :class:`skt.Pooled`) trains on
    the source and the labeled target rows.

    Attributes
    ----------
    domain_ids_ : ndarray of int64 of shape (n_domains,)
        The domain id of each block after the shared one: source ids in increasing order, then
        target ids by increasing magnitude (-1, -2, ...).
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    skt.Pooled : train on source and labeled target rows, the natural next step.
    CORAL : unsupervised alignment of second-order statistics.

    Notes
    -----
    ``transform`` maps rows by their ``sample_domain``; without it, every row is a target row.
    A row whose domain id was not seen in ``fit`` is mapped to the only seen domain of the same
    kind (source or target) when there is exactly one, which is how the default id ``-1`` of
    new rows reaches the target block whatever the target's id was in ``fit``; otherwise it is
    a ValueError.

    Sparse input (CSR or CSC) gives sparse output of the same format, with the non-zeros of
    each row stored twice (shared block and domain block): the augmented matrix of text or
    count data is never dense.

    References
    ----------
    .. [1] H. Daume III, "Frustratingly easy domain adaptation", ACL 2007.

    Examples
    --------
    >>> import numpy as np
    >>> import skt
    >>> X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> y = np.array([0, 1, 1])
    >>> fa = skt.FeatureAugmentation().fit(X, y, sample_domain=[1, 1, -1])
    >>> fa.transform(X[:1], sample_domain=[1])
    array([[1., 2., 1., 2., 0., 0.]])
    >>> fa.transform(X[:1])
    array([[1., 2., 0., 0., 1., 2.]])
    >>> fa.get_feature_names_out()
    array(['shared__x0', 'shared__x1', 'source__x0', 'source__x1', 'target__x0',
           'target__x1'], dtype=object)
    """

    _requires_labeled_target = True
    _sparse_support = True

    def __init__(self):
        pass

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _more_tags(self):
        # scikit-learn < 1.6
        return {"preserves_dtype": [np.float64, np.float32]}

    def _fit(self, domains):
        self.domain_ids_ = np.r_[domains.source_ids, domains.target_ids[::-1]]
        return self

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: the input names prefixed by their block.

        The shared block is ``shared__<name>``; with one source and one target domain the
        domain blocks are ``source__<name>`` and ``target__<name>``, with several they carry
        the domain id: ``source1__<name>``, ``source2__<name>``, ``target1__<name>`` (id -1),
        and so on, in the order of ``domain_ids_``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input feature names; by default ``feature_names_in_`` if ``fit`` saw them, else
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``n_features_in_ * (n_domains + 1)`` names.
        """
        names = super().get_feature_names_out(input_features)
        ids = self.domain_ids_
        one_each = int(np.sum(ids > 0)) == 1 and int(np.sum(ids < 0)) == 1
        prefixes = ["shared"] + [
            ("source" if i > 0 else "target") + ("" if one_each else str(abs(i))) for i in ids
        ]
        return np.asarray([f"{p}__{name}" for p in prefixes for name in names], dtype=object)

    def _block_of(self, sample_domain):
        """Index of the domain block (into ``domain_ids_``) of every row."""
        ids = self.domain_ids_
        block = np.empty(sample_domain.shape[0], dtype=np.int64)
        for value in np.unique(sample_domain):
            rows = sample_domain == value
            seen = np.flatnonzero(ids == value)
            if seen.size == 0:
                same_kind = np.flatnonzero(np.sign(ids) == np.sign(value))
                if same_kind.size != 1:
                    kind = "source" if value > 0 else "target"
                    raise ValueError(
                        f"FeatureAugmentation: sample_domain contains the id {value}, which was "
                        f"not seen in fit (seen: {ids.tolist()}), and there is no single "
                        f"{kind} domain to map it to. Pass the ids used in fit."
                    )
                seen = same_kind
            block[rows] = seen[0]
        return block

    def _transform(self, X, sample_domain):
        n, d = X.shape
        block = self._block_of(sample_domain)
        if sp.issparse(X):
            return _augment_sparse(X, block, len(self.domain_ids_))
        out = np.zeros((n, d * (len(self.domain_ids_) + 1)), dtype=X.dtype)
        out[:, :d] = X
        for b in range(len(self.domain_ids_)):
            rows = block == b
            out[rows, d * (b + 1) : d * (b + 2)] = X[rows]
        return out
