"""Loaders of the standard real benchmarks of classical domain adaptation.

Each loader returns ``X, y, sample_domain`` for chosen source and target domains (or every
domain), with the standard preprocessing of the benchmark's published protocol as an option, or a
:class:`~sklearn.utils.Bunch` that also holds the domain names and the class names. Domain ids are
fixed per data set (the first domain is 1, the second 2, ...): positive on source rows and
negative on target rows, so that ``sample_domain`` means the same in every call. Files are read
from the data home (see :func:`skt.datasets.get_data_home`) and downloaded, with a sha256 check,
when missing.
"""

import io
from dataclasses import dataclass

import numpy as np
from scipy.io import loadmat
from sklearn.utils import Bunch

from ._base import RemoteFile, _resolve_data_home, file_status, read_file

__all__ = [
    "load_office_caltech",
    "load_mnist_usps",
    "load_coil20",
    "load_mushroom",
    "list_datasets",
]


def _github(repo, path):
    return f"https://raw.githubusercontent.com/{repo}/HEAD/{path}"


# -- the data sets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """What a loader needs to know about a data set, and what ``list_datasets`` shows."""

    name: str
    title: str
    domains: tuple  # canonical names; the domain id is the position + 1
    aliases: dict  # lower-case alias -> canonical name
    files: dict  # canonical domain name -> RemoteFile (one file may serve several domains)
    tasks: tuple  # the published (source, target) pairs

    def domain_id(self, name):
        return self.domains.index(name) + 1


def _office_file(stem, size, sha256):
    name = f"{stem}_SURF_L10.mat"
    return RemoteFile(
        path=f"office_caltech10_surf/{name}",
        size=size,
        sha256=sha256,
        urls=(
            _github("jtahmores/MDA", f"data/{name}"),
            _github("jtahmores/LSA", f"datasets/office-caltech-surf/{name}"),
        ),
    )


_OFFICE = _Spec(
    name="office_caltech",
    title="Office-Caltech10, SURF 800-bin bag of words",
    domains=("amazon", "caltech", "dslr", "webcam"),
    aliases={"a": "amazon", "c": "caltech", "caltech10": "caltech", "d": "dslr", "w": "webcam"},
    files={
        "amazon": _office_file(
            "amazon", 104970, "df32548b994e18d364c99e1f317e1fae100597259f0423a41b90f4f68187bb1f"
        ),
        "caltech": _office_file(
            "Caltech10", 150751, "4f9334c8ced489d5054de97a5fd51a61f017f3bcd1f38c9a85c6d78cb9d7bda5"
        ),
        "dslr": _office_file(
            "dslr", 18348, "44d673c68e1d07b837893aa74dba3b986e4a6cc3fd66f0dd357683bdef059216"
        ),
        "webcam": _office_file(
            "webcam", 32406, "a6a9c78b4b7181dfbb58bcfd351d4ebd737f171c31247b8884948aa156d3f700"
        ),
    },
    # the 12 ordered pairs, in the order of the published tables (C->A, C->W, ..., D->W)
    tasks=(
        ("caltech", "amazon"),
        ("caltech", "webcam"),
        ("caltech", "dslr"),
        ("amazon", "caltech"),
        ("amazon", "webcam"),
        ("amazon", "dslr"),
        ("webcam", "caltech"),
        ("webcam", "amazon"),
        ("webcam", "dslr"),
        ("dslr", "caltech"),
        ("dslr", "amazon"),
        ("dslr", "webcam"),
    ),
)
_OFFICE_CLASSES = (
    "back_pack",
    "bike",
    "calculator",
    "headphones",
    "keyboard",
    "laptop_computer",
    "monitor",
    "mouse",
    "mug",
    "projector",
)

_MNIST_USPS_FILE = RemoteFile(
    path="mnist_usps/MNIST_vs_USPS.mat",
    size=3303450,
    sha256="2b87e5a793e77826417e6c483e0850d6666c9746717bce2561db43f3f30efd4d",
    urls=(
        _github("jtahmores/LSA", "datasets/Digit/MNIST_vs_USPS.mat"),
        _github("jtahmores/LSA", "datasets/digit/MNIST_vs_USPS.mat"),
    ),
)
_MNIST_USPS = _Spec(
    name="mnist_usps",
    title="MNIST and USPS digits, 16x16 pixels (JDA protocol)",
    domains=("mnist", "usps"),
    aliases={},
    files={"mnist": _MNIST_USPS_FILE, "usps": _MNIST_USPS_FILE},
    tasks=(("usps", "mnist"), ("mnist", "usps")),
)

_COIL_FILE = RemoteFile(
    path="coil20/COIL_1.mat",
    size=3016148,
    sha256="5001c5bcef8d95217d66a08bdccbcaae2bc8cd3142540ed4ec38ca0796342534",
    urls=(_github("jtahmores/LSA", "datasets/COIL20/COIL_1.mat"),),
)
_COIL = _Spec(
    name="coil20",
    title="COIL20 objects in two halves of the pose circle, 32x32 pixels (JDA protocol)",
    domains=("coil1", "coil2"),
    aliases={"1": "coil1", "2": "coil2"},
    files={"coil1": _COIL_FILE, "coil2": _COIL_FILE},
    tasks=(("coil1", "coil2"), ("coil2", "coil1")),
)

_MUSHROOM_FILE = RemoteFile(
    path="uci_mushroom/agaricus-lepiota.data",
    size=374007,
    sha256="126abef844f76d8484681851a7d02e09e52dc0c6594fc49f1bc7854397c5ebda",
    urls=(_github("Zanderax/ID3", "agaricus-lepiota.data"),),
)
_MUSHROOM = _Spec(
    name="mushroom",
    title="UCI mushroom, domains split by stalk shape (TrAdaBoost protocol)",
    domains=("enlarging", "tapering"),
    aliases={"e": "enlarging", "t": "tapering"},
    files={"enlarging": _MUSHROOM_FILE, "tapering": _MUSHROOM_FILE},
    tasks=(("enlarging", "tapering"),),
)
# the 22 attributes of agaricus-lepiota.data, in file order after the class column
_MUSHROOM_ATTRIBUTES = (
    "cap-shape",
    "cap-surface",
    "cap-color",
    "bruises",
    "odor",
    "gill-attachment",
    "gill-spacing",
    "gill-size",
    "gill-color",
    "stalk-shape",
    "stalk-root",
    "stalk-surface-above-ring",
    "stalk-surface-below-ring",
    "stalk-color-above-ring",
    "stalk-color-below-ring",
    "veil-type",
    "veil-color",
    "ring-number",
    "ring-type",
    "spore-print-color",
    "population",
    "habitat",
)
_STALK_SHAPE = _MUSHROOM_ATTRIBUTES.index("stalk-shape")

_SPECS = {spec.name: spec for spec in (_OFFICE, _MNIST_USPS, _COIL, _MUSHROOM)}


# -- shared helpers ---------------------------------------------------------------------------


def _canonical(spec, name, argument):
    if not isinstance(name, str):
        raise TypeError(
            f"{argument} must hold domain names (str) of {spec.title}; got "
            f"{type(name).__name__} {name!r}."
        )
    key = name.strip().lower()
    key = spec.aliases.get(key, key)
    if key not in spec.domains:
        aliases = ", ".join(f"{a!r}" for a in spec.aliases)
        raise ValueError(
            f"Unknown domain {name!r} in {argument} for {spec.title}: expected one of "
            f"{list(spec.domains)}" + (f" (or the aliases {aliases})" if aliases else "") + "."
        )
    return key


def _as_names(spec, value, argument):
    if value is None:
        return None
    if isinstance(value, str):
        names = [value]
    else:
        try:
            names = list(value)
        except TypeError:
            raise TypeError(
                f"{argument} must be a domain name, a list of names or None; got "
                f"{type(value).__name__} {value!r}."
            ) from None
    if not names:
        raise ValueError(f"{argument} is empty; give a domain name, a list of names, or None.")
    canonical = [_canonical(spec, name, argument) for name in names]
    if len(set(canonical)) != len(canonical):
        raise ValueError(f"{argument} names a domain twice: {names!r}.")
    return canonical


def _select_domains(spec, source, target):
    """``[(canonical name, signed domain id), ...]``: source domains first, then targets.

    Both None: every domain, as a source (positive ids). One None: every other domain.
    """
    sources = _as_names(spec, source, "source")
    targets = _as_names(spec, target, "target")
    if sources is None and targets is None:
        sources, targets = list(spec.domains), []
    elif sources is None:
        sources = [d for d in spec.domains if d not in targets]
    elif targets is None:
        targets = [d for d in spec.domains if d not in sources]
    both = sorted(set(sources) & set(targets))
    if both:
        raise ValueError(
            f"Domain(s) {both} given as both source and target; a domain is one or the other."
        )
    if not sources:
        raise ValueError(f"No source domain left: target names every domain of {spec.title}.")
    return [(d, spec.domain_id(d)) for d in sources] + [(d, -spec.domain_id(d)) for d in targets]


def _check_option(value, options, argument):
    if value not in options:
        raise ValueError(f"{argument} must be one of {options}; got {value!r}.")


def _pack(parts):
    """Stack ``[(X, y, signed domain id), ...]`` into ``X, y, sample_domain``."""
    X = np.concatenate([X for X, _, _ in parts])
    y = np.concatenate([y for _, y, _ in parts]).astype(np.int64)
    sample_domain = np.concatenate(
        [np.full(X.shape[0], sign_id, dtype=np.int64) for X, _, sign_id in parts]
    )
    return X, y, sample_domain


def _finish(parts, selected, return_bunch, *, target_names, feature_names, files, descr):
    X, y, sample_domain = _pack(parts)
    if not return_bunch:
        return X, y, sample_domain
    return Bunch(
        data=X,
        target=y,
        sample_domain=sample_domain,
        domain_names={sign_id: name for name, sign_id in selected},
        target_names=list(target_names),
        feature_names=None if feature_names is None else list(feature_names),
        filenames=[str(f) for f in files],
        DESCR=descr,
    )


def _l1_rows(X):
    sums = X.sum(axis=1, keepdims=True)
    return np.divide(X, sums, out=np.zeros_like(X), where=sums != 0)


def _l2_rows(X):
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms != 0)


def _zscore(X):
    # MATLAB's zscore(X, 1): population std, and a constant column is centred, not divided
    std = X.std(axis=0)
    std[std == 0] = 1.0
    return (X - X.mean(axis=0)) / std


# -- Office-Caltech10 -------------------------------------------------------------------------

_RETURNS = """Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Rows of the source domains first (in the order given), then of the target domains.
    y : ndarray of int64 of shape (n_samples,)
        True labels of every row, target rows included (mask them with
        :func:`skt.mask_target_labels` before training an unsupervised method).
    sample_domain : ndarray of int64 of shape (n_samples,)
        The domain id of each row (see ``source``): positive on source rows, negative on
        target rows.
    bunch : :class:`~sklearn.utils.Bunch`
        Instead of the tuple when ``return_bunch=True``: ``data``, ``target``,
        ``sample_domain``, ``domain_names`` (signed domain id -> name), ``target_names``
        (class names, indexed by label), ``feature_names`` (or None), ``filenames`` (the
        files read) and ``DESCR``.

    Raises
    ------
    ValueError
        An unknown domain name or preprocessing, or a domain both source and target.
    TypeError
        A domain name that is not a str.
    FileNotFoundError
        A file is missing and ``download_if_missing=False``.
    OSError
        A file is truncated or fails its sha256 check, or its download failed. Every message
        says where the loader looked and how to fix it."""

_DOMAIN_ARGS = """data_home : str or path-like, default=None
        Folder holding the data files; None means the environment variable ``SKT_DATA_HOME``,
        else a per-user cache directory (see :func:`skt.datasets.get_data_home`).
    download_if_missing : bool, default=True
        Download a missing file from its public source (or from the mirror named by the
        environment variable ``SKT_DATA_MIRROR``) and check its sha256. If False, a missing
        file is an error.
    return_bunch : bool, default=False
        Return a :class:`~sklearn.utils.Bunch` instead of ``(X, y, sample_domain)``."""

_SOURCE_TARGET = """source : str, list of str or None, default=None
        Source domain(s), by name (case-insensitive).{aliases}
        Domain ids are fixed: {ids}.
        Source rows carry the positive id, target rows the negative id.
    target : str, list of str or None, default=None
        Target domain(s). When one of ``source`` and ``target`` is None it means every other
        domain; when both are None every domain is returned as a source (positive ids)."""


def _doc(template, spec):
    ids = ", ".join(f"{d} {spec.domain_id(d)}" for d in spec.domains)
    aliases = ", ".join(f"``{a}``" for a in spec.aliases)
    aliases = f"\n        Aliases: {aliases}." if aliases else ""
    return template.format(ids=ids, aliases=aliases)


def load_office_caltech(
    source=None,
    target=None,
    *,
    preprocess="l1+zscore",
    data_home=None,
    download_if_missing=True,
    return_bunch=False,
):
    """Load Office-Caltech10 with SURF features: 10 object classes seen in 4 domains.

    Images of 10 classes shared by Office (amazon: product photos from amazon.com, dslr: a
    high-resolution camera, webcam: a low-resolution webcam) and Caltech-256, described by an
    800-bin bag of SURF words (Gong et al., 2012). The 12 ordered pairs of domains are the
    classic tasks; the domains differ in background, resolution, pose and lighting.

    ============== ======= ======= ====== ======
    domain         amazon  caltech dslr   webcam
    ============== ======= ======= ====== ======
    rows           958     1123    157    295
    ============== ======= ======= ====== ======

    Parameters
    ----------
    {source_target}
    preprocess : {"l1+zscore", None}, default="l1+zscore"
        ``"l1+zscore"``, the standard preprocessing of the benchmark: each row is divided by
        its sum, then each domain is z-scored separately with its own mean and population
        standard deviation (this uses the unlabeled target rows, as the published protocol
        does). None returns the raw word counts (as float64).
    {domain_args}

    {returns}

    See Also
    --------
    list_datasets : every data set, its domains, tasks and files.

    References
    ----------
    .. [1] B. Gong, Y. Shi, F. Sha and K. Grauman, "Geodesic flow kernel for unsupervised domain
       adaptation", CVPR 2012.
    .. [2] K. Saenko, B. Kulis, M. Fritz and T. Darrell, "Adapting visual category models to
       new domains", ECCV 2010.

    Examples
    --------
    >>> from skt.datasets import load_office_caltech
    >>> X, y, sample_domain = load_office_caltech(source="amazon", target="webcam")
    >>> X.shape, sorted(set(sample_domain.tolist()))
    ((1253, 800), [-4, 1])
    """
    _check_option(preprocess, ("l1+zscore", None), "preprocess")
    selected = _select_domains(_OFFICE, source, target)
    parts, files = [], []
    for name, sign_id in selected:
        path, content = read_file(
            _OFFICE.files[name], data_home=data_home, download_if_missing=download_if_missing
        )
        mat = loadmat(io.BytesIO(content))
        X = mat["fts"].astype(np.float64)
        if preprocess == "l1+zscore":
            X = _zscore(_l1_rows(X))
        parts.append((X, mat["labels"].ravel().astype(np.int64) - 1, sign_id))
        files.append(path)
    return _finish(
        parts,
        selected,
        return_bunch,
        target_names=_OFFICE_CLASSES,
        feature_names=None,
        files=files,
        descr=_DESCR[_OFFICE.name],
    )


# -- MNIST <-> USPS and COIL20: two domains in one .mat file ------------------------------------


def _load_pair_mat(spec, source, target, preprocess, data_home, download_if_missing):
    """Load a JDA-style .mat file whose X_src / X_tar hold one sample per column."""
    _check_option(preprocess, ("l2", None), "preprocess")
    selected = _select_domains(spec, source, target)
    path, content = read_file(
        spec.files[spec.domains[0]], data_home=data_home, download_if_missing=download_if_missing
    )
    mat = loadmat(io.BytesIO(content))
    by_domain = {
        spec.domains[0]: (mat["X_src"].T, mat["Y_src"]),
        spec.domains[1]: (mat["X_tar"].T, mat["Y_tar"]),
    }
    parts = []
    for name, sign_id in selected:
        X, labels = by_domain[name]
        X = np.ascontiguousarray(X, dtype=np.float64)
        if preprocess == "l2":
            X = _l2_rows(X)
        parts.append((X, labels.ravel().astype(np.int64) - 1, sign_id))
    return parts, selected, path


def load_mnist_usps(
    source=None,
    target=None,
    *,
    preprocess="l2",
    data_home=None,
    download_if_missing=True,
    return_bunch=False,
):
    """Load the MNIST and USPS digits as two domains (JDA protocol): 10 classes, 256 features.

    2000 MNIST and 1800 USPS images of the digits 0-9, rescaled to 16x16 grey levels in
    [0, 1] (Long et al., 2013). Row ``i`` reshaped with ``X[i].reshape(16, 16)`` is the upright
    image. The label is the digit. The domains differ in stroke width, centring and the
    writers' population; USPS -> MNIST and MNIST -> USPS are the classic tasks.

    Parameters
    ----------
    {source_target}
    preprocess : {"l2", None}, default="l2"
        ``"l2"`` scales each row to unit Euclidean norm, as the published JDA code does (and
        reproduces its nearest-neighbour baseline). None returns the raw grey levels.
    {domain_args}

    {returns}

    See Also
    --------
    load_coil20 : the other two-domain image benchmark of the JDA protocol.

    References
    ----------
    .. [1] M. Long, J. Wang, G. Ding, J. Sun and P. S. Yu, "Transfer feature learning with
       joint distribution adaptation", ICCV 2013.

    Examples
    --------
    >>> from skt.datasets import load_mnist_usps
    >>> X, y, sample_domain = load_mnist_usps(source="usps", target="mnist")
    >>> X.shape, sorted(set(sample_domain.tolist())), sorted(set(y.tolist()))[:3]
    ((3800, 256), [-1, 2], [0, 1, 2])
    """
    parts, selected, path = _load_pair_mat(
        _MNIST_USPS, source, target, preprocess, data_home, download_if_missing
    )
    return _finish(
        parts,
        selected,
        return_bunch,
        target_names=[str(d) for d in range(10)],
        feature_names=None,
        files=[path],
        descr=_DESCR[_MNIST_USPS.name],
    )


def load_coil20(
    source=None,
    target=None,
    *,
    preprocess="l2",
    data_home=None,
    download_if_missing=True,
    return_bunch=False,
):
    """Load COIL20 split in two domains (JDA protocol): 20 objects, 1024 features.

    The Columbia Object Image Library holds 72 images of each of 20 objects, one every 5
    degrees of a turntable, as 32x32 grey levels in [0, 1]. COIL1 holds the poses of the
    quadrants [0, 85] and [180, 265] degrees, COIL2 those of [90, 175] and [270, 355]
    (Long et al., 2013): 720 images each, 36 per object. The label is the object number
    minus one.

    Parameters
    ----------
    {source_target}
    preprocess : {"l2", None}, default="l2"
        ``"l2"`` scales each row to unit Euclidean norm, as the published JDA code does (and
        reproduces its nearest-neighbour baseline). None returns the raw grey levels.
    {domain_args}

    {returns}

    See Also
    --------
    load_mnist_usps : the other two-domain image benchmark of the JDA protocol.

    References
    ----------
    .. [1] S. A. Nene, S. K. Nayar and H. Murase, "Columbia Object Image Library (COIL-20)",
       Technical Report CUCS-005-96, 1996.
    .. [2] M. Long, J. Wang, G. Ding, J. Sun and P. S. Yu, "Transfer feature learning with
       joint distribution adaptation", ICCV 2013.

    Examples
    --------
    >>> from skt.datasets import load_coil20
    >>> bunch = load_coil20(source="coil1", target="coil2", return_bunch=True)
    >>> bunch.data.shape, bunch.domain_names
    ((1440, 1024), {1: 'coil1', -2: 'coil2'})
    """
    parts, selected, path = _load_pair_mat(
        _COIL, source, target, preprocess, data_home, download_if_missing
    )
    return _finish(
        parts,
        selected,
        return_bunch,
        target_names=[f"obj{k}" for k in range(1, 21)],
        feature_names=None,
        files=[path],
        descr=_DESCR[_COIL.name],
    )


# -- UCI mushroom -----------------------------------------------------------------------------


def _read_mushroom(content):
    """The class letters and the (n, 22) array of attribute letters of agaricus-lepiota.data."""
    lines = [line for line in content.decode("ascii").splitlines() if line.strip()]
    if lines and lines[0].startswith("edibility"):  # this copy has a header line
        lines = lines[1:]
    table = np.array([line.strip().split(",") for line in lines], dtype=object)
    return table[:, 0], table[:, 1:]


def _one_hot(attributes, names):
    """Indicator columns of every category present in the file, in sorted order."""
    columns, feature_names = [], []
    for j, name in enumerate(names):
        values = attributes[:, j].astype(str)
        categories = np.unique(values)
        columns.append((values[:, None] == categories[None, :]).astype(np.float64))
        feature_names += [f"{name}={c}" for c in categories]
    return np.hstack(columns), feature_names


def load_mushroom(
    source=None,
    target=None,
    *,
    preprocess="onehot",
    data_home=None,
    download_if_missing=True,
    return_bunch=False,
):
    """Load UCI mushroom with domains split by stalk shape (TrAdaBoost protocol): 2 classes.

    8124 mushrooms described by 22 categorical attributes, labeled edible (0) or poisonous
    (1). Dai et al. (2007) make two domains of it with the attribute stalk-shape: enlarging
    (3516 rows) and tapering (4608 rows). The attribute is then constant within a domain and is
    dropped; the other 21 attributes keep their meaning, but their distribution differs between
    the domains, and a model trained on one loses accuracy on the other. The published task is
    enlarging -> tapering; the reverse is loaded with ``source="tapering"``.

    Parameters
    ----------
    {source_target}
    preprocess : {"onehot", None}, default="onehot"
        ``"onehot"``: one indicator column (float64) per category of each of the 21
        attributes, with the categories found in the whole file (so the columns do not depend
        on the domains chosen); ``feature_names`` of the Bunch reads ``"odor=a"`` and so on.
        The missing value of stalk-root (``"?"``) is a category of its own. None returns the
        attribute letters as an array of str objects.
    {domain_args}

    {returns}

    See Also
    --------
    load_office_caltech : the standard benchmark of unsupervised domain adaptation.

    References
    ----------
    .. [1] W. Dai, Q. Yang, G.-R. Xue and Y. Yu, "Boosting for transfer learning", ICML 2007.
    .. [2] J. Schlimmer, "Mushroom", UCI Machine Learning Repository, 1987.

    Examples
    --------
    >>> from skt.datasets import load_mushroom
    >>> X, y, sample_domain = load_mushroom(source="enlarging", target="tapering")
    >>> X.shape, int((sample_domain > 0).sum()), int((sample_domain < 0).sum())
    ((8124, 115), 3516, 4608)
    """
    _check_option(preprocess, ("onehot", None), "preprocess")
    selected = _select_domains(_MUSHROOM, source, target)
    path, content = read_file(
        _MUSHROOM_FILE, data_home=data_home, download_if_missing=download_if_missing
    )
    classes, attributes = _read_mushroom(content)
    keep = [j for j in range(len(_MUSHROOM_ATTRIBUTES)) if j != _STALK_SHAPE]
    names = [_MUSHROOM_ATTRIBUTES[j] for j in keep]
    if preprocess == "onehot":
        X, feature_names = _one_hot(attributes[:, keep], names)
    else:
        X, feature_names = attributes[:, keep].astype(str).astype(object), names
    y = (classes == "p").astype(np.int64)
    shape = attributes[:, _STALK_SHAPE]
    parts = []
    for name, sign_id in selected:
        rows = shape == name[0]  # "e" (enlarging) or "t" (tapering)
        parts.append((X[rows], y[rows], sign_id))
    return _finish(
        parts,
        selected,
        return_bunch,
        target_names=["edible", "poisonous"],
        feature_names=feature_names,
        files=[path],
        descr=_DESCR[_MUSHROOM.name],
    )


_DESCR = {
    "office_caltech": "Office-Caltech10, SURF 800-bin bag of words (Gong et al., CVPR 2012): 10 "
    "classes in 4 domains, amazon (958 rows), caltech (1123), dslr (157), webcam (295). Files: "
    "office_caltech10_surf/{amazon,Caltech10,dslr,webcam}_SURF_L10.mat (keys fts, labels). "
    "Published 1-NN accuracy without adaptation, l1+zscore: mean 31.4% over the 12 tasks.",
    "mnist_usps": "MNIST (2000 rows) and USPS (1800 rows) digits at 16x16 pixels, JDA protocol "
    "(Long et al., ICCV 2013). File: mnist_usps/MNIST_vs_USPS.mat (keys X_src, Y_src: MNIST; "
    "X_tar, Y_tar: USPS). Published 1-NN accuracy without adaptation, l2: USPS->MNIST 44.70%, "
    "MNIST->USPS 65.94%.",
    "coil20": "COIL20 objects at 32x32 pixels in two halves of the pose circle, 720 rows each, "
    "JDA protocol (Long et al., ICCV 2013). File: coil20/COIL_1.mat (keys X_src, Y_src: COIL1; "
    "X_tar, Y_tar: COIL2). Published 1-NN accuracy without adaptation, l2: COIL1->COIL2 "
    "83.61%, COIL2->COIL1 82.78%.",
    "mushroom": "UCI mushroom, edible or poisonous, domains split by stalk-shape as in "
    "TrAdaBoost (Dai et al., ICML 2007): enlarging (3516 rows) and tapering (4608 rows). File: "
    "uci_mushroom/agaricus-lepiota.data (one header line, then 8124 rows: class e/p and 22 "
    "attribute letters).",
}

for _loader, _spec in (
    (load_office_caltech, _OFFICE),
    (load_mnist_usps, _MNIST_USPS),
    (load_coil20, _COIL),
    (load_mushroom, _MUSHROOM),
):
    if _loader.__doc__:  # None under python -OO
        _loader.__doc__ = (
            _loader.__doc__.replace("{source_target}", _doc(_SOURCE_TARGET, _spec))
            .replace("{domain_args}", _DOMAIN_ARGS)
            .replace("{returns}", _RETURNS)
        )


# -- the catalogue ----------------------------------------------------------------------------

_LOADERS = {
    "office_caltech": load_office_caltech,
    "mnist_usps": load_mnist_usps,
    "coil20": load_coil20,
    "mushroom": load_mushroom,
}


def list_datasets(data_home=None):
    """The data sets skt can load, their domains and tasks, and where their files are.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home to inspect (see :func:`get_data_home`).

    Returns
    -------
    datasets : list of :class:`~sklearn.utils.Bunch`
        One per data set, the embedded one first, with ``name``, ``title``, ``loader`` (the
        function), ``domains`` (names, in the order of their ids), ``tasks`` (the published
        ``(source, target)`` pairs), ``embedded`` (True when no file is needed) and ``files``:
        a list of Bunch with ``path`` (where the file is expected), ``url`` (its first public
        source) and ``status`` (``"ok"`` once its size and sha256 check, ``"missing"``, or
        ``"corrupt: ..."``).

    See Also
    --------
    get_data_home : where the files are looked for.

    Examples
    --------
    >>> from skt.datasets import list_datasets
    >>> [d.name for d in list_datasets()]
    ['digits_shift', 'office_caltech', 'mnist_usps', 'coil20', 'mushroom']
    """
    from ._embedded import _KINDS, load_digits_shift

    home, _ = _resolve_data_home(data_home)
    out = [
        Bunch(
            name="digits_shift",
            title="scikit-learn digits, target digits transformed (embedded, no download)",
            loader=load_digits_shift,
            domains=("original",) + _KINDS,
            tasks=tuple(("original", kind) for kind in _KINDS),
            embedded=True,
            files=[],
        )
    ]
    for name, spec in _SPECS.items():
        remotes = list(dict.fromkeys(spec.files.values()))  # distinct, in domain order
        out.append(
            Bunch(
                name=name,
                title=spec.title,
                loader=_LOADERS[name],
                domains=spec.domains,
                tasks=spec.tasks,
                embedded=False,
                files=[
                    Bunch(
                        path=str(home / r.path),
                        url=r.urls[0],
                        status=file_status(r, data_home),
                    )
                    for r in remotes
                ],
            )
        )
    return out
