"""Loaders of the real benchmarks: contents, preprocessing, domain selection, files and errors.

Tests marked ``requires_data`` read the real files from the data home (``SKT_DATA_HOME``, see
the root conftest.py) and skip, with the reason, where it lacks them; the others need no file.
None reaches the network.
"""

import hashlib
import re

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

import skt
from skt.datasets import (
    _real,
    list_datasets,
    load_coil20,
    load_mnist_usps,
    load_mushroom,
    load_office_caltech,
)

SPECS = list(_real._SPECS.values())
REMOTES = list(dict.fromkeys(r for spec in SPECS for r in spec.files.values()))
LOADERS = [load_office_caltech, load_mnist_usps, load_coil20, load_mushroom]
requires_data = pytest.mark.requires_data
# every file, marked with the data set it belongs to
REMOTE_PARAMS = [
    pytest.param(r, marks=requires_data(spec.name), id=r.name)
    for spec in SPECS
    for r in dict.fromkeys(spec.files.values())
]


def _one_nn(X, y, sample_domain):
    source, target = sample_domain > 0, sample_domain < 0
    return 100 * KNeighborsClassifier(1).fit(X[source], y[source]).score(X[target], y[target])


# -- the files --------------------------------------------------------------------------------


@pytest.mark.parametrize("remote", REMOTE_PARAMS)
def test_checksums_and_sizes_match_the_real_files(data_home, remote):
    content = (data_home / remote.path).read_bytes()
    assert len(content) == remote.size
    assert hashlib.sha256(content).hexdigest() == remote.sha256


@requires_data()
def test_checksums_are_those_published_in_the_data_readme(data_home):
    readme = (data_home / "README.md").read_text()
    published = set(re.findall(r"\b[0-9a-f]{64}\b", readme))
    assert {r.sha256 for r in REMOTES} <= published


@pytest.mark.parametrize("remote", REMOTES, ids=lambda r: r.name)
def test_every_file_has_public_https_sources(remote):
    assert remote.urls and all(
        u.startswith("https://raw.githubusercontent.com/") for u in remote.urls
    )
    assert all(u.endswith("/" + remote.name) for u in remote.urls)


# -- Office-Caltech10 -------------------------------------------------------------------------

OFFICE_ROWS = {"amazon": 958, "caltech": 1123, "dslr": 157, "webcam": 295}

# 1-NN without adaptation, l1 + z-score per domain (JDA paper, Table 2, as re-reported)
OFFICE_ONE_NN = {
    ("caltech", "amazon"): 23.7,
    ("caltech", "webcam"): 25.8,
    ("caltech", "dslr"): 25.5,
    ("amazon", "caltech"): 26.0,
    ("amazon", "webcam"): 29.8,
    ("amazon", "dslr"): 25.5,
    ("webcam", "caltech"): 19.9,
    ("webcam", "amazon"): 23.0,
    ("webcam", "dslr"): 59.2,
    ("dslr", "caltech"): 26.3,
    ("dslr", "amazon"): 28.5,
    ("dslr", "webcam"): 63.4,
}


@requires_data("office_caltech")
def test_office_caltech_every_domain():
    bunch = load_office_caltech(return_bunch=True)
    assert bunch.data.shape == (sum(OFFICE_ROWS.values()), 800)
    assert bunch.domain_names == {1: "amazon", 2: "caltech", 3: "dslr", 4: "webcam"}
    for domain_id, name in bunch.domain_names.items():
        rows = bunch.sample_domain == domain_id
        assert rows.sum() == OFFICE_ROWS[name]
        assert sorted(np.unique(bunch.target[rows])) == list(range(10))
    assert bunch.target_names[0] == "back_pack" and len(bunch.target_names) == 10
    assert [p.rsplit("/", 1)[-1] for p in bunch.filenames] == [
        "amazon_SURF_L10.mat",
        "Caltech10_SURF_L10.mat",
        "dslr_SURF_L10.mat",
        "webcam_SURF_L10.mat",
    ]
    assert "Office-Caltech10" in bunch.DESCR


@requires_data("office_caltech")
def test_office_caltech_l1_zscore_standardises_each_domain():
    X, _, sample_domain = load_office_caltech("amazon", ["webcam", "dslr"])
    raw, _, _ = load_office_caltech("amazon", ["webcam", "dslr"], preprocess=None)
    assert np.array_equal(raw, np.round(raw)) and raw.min() >= 0
    for domain_id in (1, -4, -3):
        rows = sample_domain == domain_id
        np.testing.assert_allclose(X[rows].mean(axis=0), 0, atol=1e-10)
        std = X[rows].std(axis=0)
        constant = raw[rows].std(axis=0) == 0
        np.testing.assert_allclose(std[~constant], 1)
        np.testing.assert_allclose(std[constant], 0)


@requires_data("office_caltech")
def test_office_caltech_reproduces_the_published_one_nn_baseline():
    accuracies = {}
    for source, target in _real._OFFICE.tasks:
        accuracies[(source, target)] = _one_nn(*load_office_caltech(source, target))
    assert set(accuracies) == set(OFFICE_ONE_NN)
    for task, published in OFFICE_ONE_NN.items():
        assert accuracies[task] == pytest.approx(published, abs=0.051), task
    assert np.mean(list(accuracies.values())) == pytest.approx(31.4, abs=0.05)


# -- MNIST <-> USPS and COIL20 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "loader, source, target, n_source, n_target, n_features, published",
    [
        pytest.param(load_mnist_usps, "usps", "mnist", 1800, 2000, 256, 44.70,
                     marks=requires_data("mnist_usps")),
        pytest.param(load_mnist_usps, "mnist", "usps", 2000, 1800, 256, 65.94,
                     marks=requires_data("mnist_usps")),
        pytest.param(load_coil20, "coil1", "coil2", 720, 720, 1024, 83.61,
                     marks=requires_data("coil20")),
        pytest.param(load_coil20, "coil2", "coil1", 720, 720, 1024, 82.78,
                     marks=requires_data("coil20")),
    ],
)
def test_jda_image_benchmarks(
    loader, source, target, n_source, n_target, n_features, published
):
    X, y, sample_domain = loader(source, target)
    assert X.shape == (n_source + n_target, n_features) and X.dtype == np.float64
    assert (sample_domain > 0).sum() == n_source and (sample_domain < 0).sum() == n_target
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1)
    assert _one_nn(X, y, sample_domain) == pytest.approx(published, abs=0.005)
    raw, y_raw, _ = loader(source, target, preprocess=None)
    assert 0 <= raw.min() and raw.max() <= 1 and np.array_equal(y, y_raw)


@requires_data("mnist_usps")
def test_mnist_usps_labels_are_the_digits():
    bunch = load_mnist_usps(return_bunch=True)
    assert bunch.target_names == [str(d) for d in range(10)]
    assert bunch.domain_names == {1: "mnist", 2: "usps"}
    # a "1" is a thin vertical stroke: little ink far from the central columns
    images = bunch.data[bunch.target == 1].reshape(-1, 16, 16)
    eights = bunch.data[bunch.target == 8].reshape(-1, 16, 16)
    assert images.sum(axis=(1, 2)).mean() < eights.sum(axis=(1, 2)).mean()
    assert images.mean(axis=0)[2:14, 7:9].mean() > 2 * images.mean(axis=0)[:, :4].mean()


@requires_data("coil20")
def test_coil20_has_36_images_per_object_and_domain():
    bunch = load_coil20(return_bunch=True)
    for domain_id in (1, 2):
        counts = np.bincount(bunch.target[bunch.sample_domain == domain_id])
        assert counts.tolist() == [36] * 20
    assert bunch.target_names[:2] == ["obj1", "obj2"]


# -- mushroom ---------------------------------------------------------------------------------


@requires_data("mushroom")
def test_mushroom_split_by_stalk_shape():
    bunch = load_mushroom("enlarging", "tapering", return_bunch=True)
    source, target = bunch.sample_domain == 1, bunch.sample_domain == -2
    assert source.sum() == 3516 and target.sum() == 4608
    # class counts of the UCI file: enlarging 1616 edible / 1900 poisonous, tapering 2592 / 2016
    assert np.bincount(bunch.target[source]).tolist() == [1616, 1900]
    assert np.bincount(bunch.target[target]).tolist() == [2592, 2016]
    assert bunch.target_names == ["edible", "poisonous"]
    # one indicator per attribute (21 of them: stalk-shape is the domain and is dropped)
    np.testing.assert_array_equal(bunch.data.sum(axis=1), 21)
    assert set(np.unique(bunch.data)) == {0.0, 1.0}
    assert not any(name.startswith("stalk-shape") for name in bunch.feature_names)
    assert "stalk-root=?" in bunch.feature_names and "odor=n" in bunch.feature_names
    assert len(bunch.feature_names) == bunch.data.shape[1]


@requires_data("mushroom")
def test_mushroom_columns_do_not_depend_on_the_domains_chosen():
    one = load_mushroom("tapering", return_bunch=True)
    both = load_mushroom(return_bunch=True)
    assert one.feature_names == both.feature_names
    np.testing.assert_array_equal(
        one.data[one.sample_domain == 2], both.data[both.sample_domain == 2]
    )


@requires_data("mushroom")
def test_mushroom_without_preprocessing_returns_the_letters():
    X, y, sample_domain = load_mushroom("e", "t", preprocess=None)
    assert X.shape == (8124, 21) and X.dtype == object
    onehot = load_mushroom("e", "t", return_bunch=True)
    odor = onehot.feature_names.index("odor=n")
    kept = [name for name in _real._MUSHROOM_ATTRIBUTES if name != "stalk-shape"]
    column = kept.index("odor")
    np.testing.assert_array_equal(X[:, column] == "n", onehot.data[:, odor] == 1)


# -- domain selection (no file needed: names are checked before any file is read) ------------


@requires_data("office_caltech")
def test_source_or_target_none_means_every_other_domain():
    _, _, sd = load_office_caltech(target="webcam")
    assert sorted(np.unique(sd)) == [-4, 1, 2, 3]
    _, _, sd = load_office_caltech(source=["dslr", "A"])
    assert list(dict.fromkeys(sd.tolist())) == [3, 1, -2, -4]  # sources first, in the order given


@requires_data("office_caltech")
def test_names_are_case_insensitive_and_have_aliases():
    X1, y1, sd1 = load_office_caltech("A", "w")
    X2, y2, sd2 = load_office_caltech(" Amazon", "WEBCAM")
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(sd1, sd2)
    _, _, sd = load_office_caltech("Caltech10", "d")
    assert sorted(np.unique(sd)) == [-3, 2]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_unknown_domain_lists_the_valid_names(loader):
    spec = _real._SPECS[loader.__name__.removeprefix("load_")]
    with pytest.raises(
        ValueError, match="Unknown domain 'nowhere' in target for .*expected one of"
    ):
        loader(spec.domains[0], "nowhere")
    with pytest.raises(ValueError, match=re.escape(str(list(spec.domains)))):
        loader(["nowhere"])


@pytest.mark.parametrize(
    "source, target, error, message",
    [
        ("amazon", "A", ValueError, r"Domain\(s\) \['amazon'\] given as both source and target"),
        ([], "webcam", ValueError, "source is empty"),
        (["amazon", "a"], "webcam", ValueError, "source names a domain twice"),
        (None, ["amazon", "caltech", "dslr", "webcam"], ValueError, "No source domain left"),
        (["amazon", "caltech"], [], ValueError, "target is empty"),
        (1, "webcam", TypeError, "source must be a domain name, a list of names or None; got int"),
        ([1], "webcam", TypeError, "source must hold domain names .* got int 1"),
    ],
)
def test_bad_domain_selection(source, target, error, message):
    with pytest.raises(error, match=message):
        load_office_caltech(source, target)


@pytest.mark.parametrize(
    "loader, valid",
    [
        (load_office_caltech, "('l1+zscore', None)"),
        (load_mnist_usps, "('l2', None)"),
        (load_coil20, "('l2', None)"),
        (load_mushroom, "('onehot', None)"),
    ],
    ids=lambda v: getattr(v, "__name__", "options"),
)
def test_unknown_preprocessing(loader, valid):
    with pytest.raises(
        ValueError, match=re.escape(f"preprocess must be one of {valid}; got 'pca'")
    ):
        loader(preprocess="pca")


# -- files missing, corrupt, downloaded -------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_missing_files_without_download(loader, tmp_path):
    with pytest.raises(FileNotFoundError, match="download_if_missing=False") as info:
        loader(data_home=tmp_path, download_if_missing=False)
    assert str(tmp_path) in str(info.value) and "SKT_DATA_HOME" in str(info.value)


def test_missing_files_and_no_network(monkeypatch, tmp_path):
    # a mirror that does not hold the file stands for an unreachable network
    monkeypatch.setenv("SKT_DATA_MIRROR", (tmp_path / "empty-mirror").as_uri())
    with pytest.raises(OSError, match="Could not download 'MNIST_vs_USPS.mat'") as info:
        load_mnist_usps(data_home=tmp_path / "home")
    assert f"looked for {tmp_path / 'home' / 'mnist_usps' / 'MNIST_vs_USPS.mat'}" in str(
        info.value
    )
    assert not (tmp_path / "home" / "mnist_usps" / "MNIST_vs_USPS.mat").exists()


def _copy(data_home, remote, folder, *, keep=None):
    target = folder / remote.path
    target.parent.mkdir(parents=True, exist_ok=True)
    content = (data_home / remote.path).read_bytes()
    target.write_bytes(content if keep is None else content[:keep])
    return target


@requires_data("office_caltech")
def test_loader_downloads_missing_files_from_a_mirror(data_home, monkeypatch, tmp_path):
    mirror, home = tmp_path / "mirror", tmp_path / "home"
    for name in ("dslr", "webcam"):
        _copy(data_home, _real._OFFICE.files[name], mirror)
    monkeypatch.setenv("SKT_DATA_MIRROR", mirror.as_uri())
    downloaded = load_office_caltech("dslr", "webcam", data_home=home, return_bunch=True)
    expected = load_office_caltech("dslr", "webcam", data_home=data_home, return_bunch=True)
    np.testing.assert_array_equal(downloaded.data, expected.data)
    np.testing.assert_array_equal(downloaded.target, expected.target)
    assert sorted(p.name for p in (home / "office_caltech10_surf").iterdir()) == [
        "dslr_SURF_L10.mat",
        "webcam_SURF_L10.mat",
    ]
    # only the files of the chosen domains are fetched
    assert not (home / "office_caltech10_surf" / "amazon_SURF_L10.mat").exists()


@requires_data("mushroom")
def test_truncated_file_in_the_data_home(data_home, tmp_path):
    _copy(data_home, _real._MUSHROOM_FILE, tmp_path, keep=1000)
    with pytest.raises(OSError, match="is truncated: 1000 bytes of the expected 374007") as info:
        load_mushroom(data_home=tmp_path)
    assert "Delete it" in str(info.value) and "SKT_DATA_HOME" in str(info.value)


@requires_data("mushroom")
def test_corrupt_download_from_a_mirror_leaves_nothing(data_home, monkeypatch, tmp_path):
    mirror, home = tmp_path / "mirror", tmp_path / "home"
    source = _copy(data_home, _real._MUSHROOM_FILE, mirror)
    content = bytearray(source.read_bytes())
    content[500] ^= 1
    source.write_bytes(bytes(content))
    monkeypatch.setenv("SKT_DATA_MIRROR", mirror.as_uri())
    with pytest.raises(OSError, match="the downloaded file fails its checksum"):
        load_mushroom(data_home=home)
    assert list((home / "uci_mushroom").iterdir()) == []


# -- the catalogue ----------------------------------------------------------------------------


@requires_data()
def test_list_datasets_reports_where_files_are(data_home, tmp_path):
    found = {d.name: d for d in list_datasets()}
    assert list(found) == ["digits_shift", "office_caltech", "mnist_usps", "coil20", "mushroom"]
    assert found["digits_shift"].embedded and found["digits_shift"].files == []
    assert len(found["office_caltech"].tasks) == 12
    assert all(f.status == "ok" for d in found.values() for f in d.files)
    assert found["coil20"].files[0].path == str(data_home / "coil20" / "COIL_1.mat")

    _copy(data_home, _real._COIL_FILE, tmp_path, keep=10)
    elsewhere = {d.name: d for d in list_datasets(tmp_path)}
    assert elsewhere["coil20"].files[0].status.startswith("corrupt: is truncated")
    assert elsewhere["mushroom"].files[0].status == "missing"


@pytest.mark.parametrize(
    "info",
    [
        pytest.param(d, marks=() if d.embedded else requires_data(d.name), id=d.name)
        for d in list_datasets()
    ],
)
def test_every_listed_task_loads(info):
    source, target = info.tasks[0]
    if info.embedded:
        X, y, sample_domain = info.loader(target)
    else:
        X, y, sample_domain = info.loader(source, target)
    assert X.shape[0] == y.shape[0] == sample_domain.shape[0]
    assert (sample_domain > 0).any() and (sample_domain < 0).any()


@requires_data("coil20")
def test_loaded_data_feeds_the_domain_contract():
    X, y, sample_domain = load_coil20("coil1", "coil2")
    y_train = skt.mask_target_labels(y, sample_domain)
    domains = skt.check_domains(X, y_train)
    assert domains.source.sum() == 720 and domains.target.sum() == 720
