"""The `skt` command: compare, datasets, methods, its user errors, and the work it keeps."""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import joblib
import pytest

from skt.cli import main
from skt.datasets import list_datasets


def test_compare_prints_table_and_writes_files(tmp_path, capsys):
    out_csv, out_json, out_png = tmp_path / "r.csv", tmp_path / "r.json", tmp_path / "r.png"
    code = main(["compare", "--dataset", "synthetic", "--task", "subspace", "--methods",
                 "coral,sa", "--n-splits", "2", "--quiet", "--csv", str(out_csv), "--json",
                 str(out_json), "--plot", str(out_png)])
    assert code == 0
    printed = capsys.readouterr().out
    for word in ("source-only", "target-only", "coral", "sa", "target acc"):
        assert word in printed
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["method"] for r in rows] == ["source-only", "target-only", "coral", "sa"]
    data = json.loads(out_json.read_text())
    assert all(0 <= r["score"] <= 1 for r in data)
    assert out_png.stat().st_size > 1000


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compare", "--dataset", "nope"], "unknown --dataset 'nope'"),
        (["compare", "--methods", "coral,foo"], "unknown method 'foo'"),
        (["compare", "--methods", ""], "--methods is empty"),
        (["compare", "--task", "X:Y"], "unknown --task 'X:Y' for digits_shift"),
        (["compare", "--estimator", "forest"], "unknown --estimator 'forest'"),
        (["compare", "--n-splits", "1"], "--n-splits must be >= 2"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("skt: error: ") and message in err and "\n" not in err


def test_missing_files_print_the_loaders_whole_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SKT_DATA_MIRROR", (tmp_path / "no-mirror").as_uri())
    code = main(["compare", "--dataset", "coil20", "--data-home", str(tmp_path), "--quiet",
                 "--methods", "coral"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("skt: error: ") and str(tmp_path) in err
    # where it looked, where the data home came from, how to fix it: not only the first line
    assert f"looked for {tmp_path / 'coil20' / 'COIL_1.mat'}" in err
    assert "(data home from the data_home argument)" in err
    assert "To fix it: set SKT_DATA_HOME" in err


def test_missing_files_message_through_the_module(tmp_path):
    env = {**os.environ, "SKT_DATA_MIRROR": (tmp_path / "no-mirror").as_uri()}
    out = subprocess.run([sys.executable, "-m", "skt.cli", "compare", "--dataset", "mnist_usps",
                          "--data-home", str(tmp_path), "--quiet"],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "To fix it: set SKT_DATA_HOME" in out.stderr and "MNIST_vs_USPS.mat" in out.stderr


def test_datasets_and_methods_listings(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "data home:" in out
    # the names of skt.datasets, mushroom included, and the synthetic generator
    listed = re.findall(r"^(\w+): ", out, flags=re.M)
    assert listed == ["digits_shift", "synthetic", "office_caltech", "mnist_usps", "coil20",
                      "mushroom"]
    assert set(listed) >= {d.name for d in list_datasets()}
    assert "uci_mushroom/agaricus-lepiota.data" in out
    assert main(["methods"]) == 0
    assert "coral" in capsys.readouterr().out


@pytest.mark.parametrize(
    "spelling, canonical",
    [("digits-shift", "digits_shift"), ("digits_shift", "digits_shift"),
     ("office-caltech-surf", "office_caltech"), ("office_caltech", "office_caltech"),
     ("Office-Caltech", "office_caltech"), ("mnist-usps", "mnist_usps"),
     ("mushroom", "mushroom")],
)
def test_dataset_names_are_those_of_python_in_either_spelling(spelling, canonical, capsys):
    # a bad task stops before any file is read, and the message names the data set
    assert main(["compare", "--dataset", spelling, "--task", "nope"]) == 2
    assert f"unknown --task 'nope' for {canonical};" in capsys.readouterr().err


def test_unknown_dataset_lists_the_python_names(capsys):
    assert main(["compare", "--dataset", "office"]) == 2
    err = capsys.readouterr().err
    assert "digits_shift, synthetic, office_caltech, mnist_usps, coil20, mushroom" in err


def test_datasets_listing_through_the_module():
    out = subprocess.run([sys.executable, "-m", "skt.cli", "datasets"], capture_output=True,
                         text=True, check=True)
    assert "\nmushroom: " in out.stdout and "\noffice_caltech: " in out.stdout


@pytest.mark.requires_data("mushroom")
def test_compare_on_mushroom(tmp_path):
    code = main(["compare", "--dataset", "mushroom", "--methods", "coral", "--n-splits", "2",
                 "--quiet", "--json", str(tmp_path / "r.json")])
    assert code == 0
    rows = json.loads((tmp_path / "r.json").read_text())
    assert [r["task"] for r in rows] == ["E:T"] * 3


# -- a failure keeps the finished work --------------------------------------------------------

# TCA's default 30 components cannot exist on the 5 features of the synthetic data set
FAILING = ["compare", "--dataset", "synthetic", "--task", "concept", "--task", "prior",
           "--methods", "sa30,coral", "--n-splits", "2", "--quiet"]

# a method that fails on every task, on purpose: Subspace Alignment asked for more components
# than the 5 features of the synthetic data (TCA and JDA clip such a request with a warning)
_FAILING_METHOD = """
import sys

from sklearn.pipeline import make_pipeline

import skt
import skt.cli

_methods = skt.cli._methods


def methods():
    out = _methods()
    out["sa30"] = ("Subspace Alignment with 30 components (fails on 5 features)",
                   lambda est: make_pipeline(skt.SubspaceAlignment(n_components=30),
                                             skt.SourceOnly(est)))
    return out


skt.cli._methods = methods
"""


@pytest.fixture
def failing_method(monkeypatch):
    namespace = {}
    exec(_FAILING_METHOD, namespace)
    monkeypatch.setattr("skt.cli._methods", namespace["methods"])


def test_a_failing_method_keeps_every_other_row(tmp_path, capsys, failing_method):
    files = ["--csv", str(tmp_path / "r.csv"), "--json", str(tmp_path / "r.json"), "--plot",
             str(tmp_path / "r.png")]
    assert main([*FAILING, *files]) == 1
    out, err = capsys.readouterr()
    assert "FAILED: ValueError: SubspaceAlignment: n_components=30" in out
    assert "skt: 2 of 8 runs failed" in err
    rows = json.loads((tmp_path / "r.json").read_text())
    assert [(r["task"], r["method"]) for r in rows] == [
        (task, method) for task in ("concept", "prior")
        for method in ("source-only", "target-only", "sa30", "coral")
    ]
    for r in rows:
        assert ("n_components=30" in r["error"]) == (r["method"] == "sa30")
        assert (r["score"] is None) == (r["method"] == "sa30")
    assert [r["method"] for r in csv.DictReader((tmp_path / "r.csv").open())][:4] == [
        "source-only", "target-only", "sa30", "coral"]
    assert (tmp_path / "r.png").stat().st_size > 1000


def test_a_failing_method_through_the_module(tmp_path):
    # the skt command's main in a process of its own, with the failing method registered
    code = _FAILING_METHOD + "sys.exit(skt.cli.main(sys.argv[1:]))\n"
    out = subprocess.run([sys.executable, "-c", code, *FAILING, "--json",
                          str(tmp_path / "r.json")], capture_output=True, text=True)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "FAILED: ValueError" in out.stdout and "coral" in out.stdout
    assert len(json.loads((tmp_path / "r.json").read_text())) == 8


@pytest.mark.parametrize(
    "option, path, message",
    [
        ("--json", "no-such-folder/r.json", "the folder {tmp}/no-such-folder does not exist"),
        ("--csv", ".", "is a folder; give a file name"),
        ("--plot", "missing/r.png", "does not exist; create it first"),
    ],
)
def test_output_paths_are_checked_before_any_work(option, path, message, tmp_path, monkeypatch,
                                                  capsys):
    def no_work(*args, **kwargs):
        raise AssertionError("the comparison started before the output paths were checked")

    monkeypatch.setattr("skt.cli._run_all", no_work)
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "--dataset", "synthetic", "--quiet", option, path]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"skt: error: {option} ") and message.format(tmp=tmp_path) in err


def test_two_outputs_on_one_file_are_refused(tmp_path, capsys):
    same = str(tmp_path / "r.out")
    assert main(["compare", "--quiet", "--csv", same, "--json", same]) == 2
    assert "--csv and --json name the same file" in capsys.readouterr().err


def test_output_paths_through_the_module(tmp_path):
    out = subprocess.run([sys.executable, "-m", "skt.cli", "compare", "--quiet", "--csv",
                          str(tmp_path / "nowhere" / "r.csv")], capture_output=True, text=True)
    assert out.returncode == 2 and "does not exist" in out.stderr and out.stdout == ""


# -- what the columns mean --------------------------------------------------------------------


def test_neg_transfer_is_worse_than_source_only_with_honest_intervals(tmp_path, capsys):
    # two folds where SA is one test row worse than source-only in each: a zero sample
    # variance, which made a zero-width interval [-0.40, -0.40] flagged as significant
    assert main(["compare", "--dataset", "synthetic", "--task", "concept", "--task",
                 "covariate", "--methods", "sa,coral", "--n-splits", "2", "--quiet", "--json",
                 str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    rows = json.loads((tmp_path / "r.json").read_text())
    sa = next(r for r in rows if r["task"] == "concept" and r["method"] == "sa")
    assert sa["gain"] == pytest.approx(-0.004)
    assert sa["gain_low"] < sa["gain"] - 0.01 and sa["gain_high"] > 0
    for r in rows:
        # the flag of the table and the files is the one against source-only
        assert r["negative_transfer"] == (r["method"] != "target-only" and r["gain_high"] < 0)
        assert r["gain_low"] < r["gain_high"] or r["method"] == "source-only"
    source_only = next(line for line in out.splitlines() if line.startswith("covariate  source"))
    assert source_only.split()[-2] == "--"  # no flag on the baseline itself
    assert "neg.transfer: YES when the\nmethod is significantly worse than source-only" in out


def test_getting_started_defines_neg_transfer_as_the_table_does():
    text = (Path(__file__).parents[1] / "docs" / "getting_started.rst").read_text()
    assert "``neg.transfer``" in text and "significantly *worse* than source-only" in text


@pytest.mark.skipif(shutil.which("skt") is None, reason="console script not installed "
                    "(pip install -e . creates it)")
def test_console_script_help():
    for sub in ([], ["compare"], ["datasets"], ["methods"]):
        out = subprocess.run(["skt", *sub, "--help"], capture_output=True, text=True,
                             check=True)
        assert "usage: skt" in out.stdout


def test_module_entry_point_help():
    out = subprocess.run([sys.executable, "-m", "skt.cli", "compare", "--help"],
                         capture_output=True, text=True, check=True)
    assert "--dataset" in out.stdout


@pytest.mark.requires_data("office_caltech")
def test_transductive_protocol_matches_the_published_1nn_baseline(tmp_path):
    # Office-Caltech A->W, 1-NN without adaptation: 29.8% in the JDA paper's table
    code = main(["compare", "--dataset", "office_caltech", "--task", "A:W", "--methods",
                 "coral", "--estimator", "1nn", "--protocol", "transductive", "--quiet",
                 "--json", str(tmp_path / "r.json")])
    assert code == 0
    rows = json.loads((tmp_path / "r.json").read_text())
    source_only = next(r for r in rows if r["method"] == "source-only")
    assert round(100 * source_only["score"], 1) == 29.8
    assert "target-only" not in {r["method"] for r in rows}


def test_transductive_json_is_strict_json(tmp_path):
    # one split: no spread and no interval; NaN tokens are not JSON (strict parsers reject
    # them), so those values are written as null
    out = tmp_path / "r.json"
    code = main(["compare", "--dataset", "synthetic", "--task", "subspace", "--methods", "coral",
                 "--protocol", "transductive", "--quiet", "--json", str(out)])
    assert code == 0

    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")

    rows = json.loads(out.read_text(), parse_constant=refuse)
    assert [r["method"] for r in rows] == ["source-only", "coral"]
    assert all(r["score_std"] is None and r["gain_low"] is None for r in rows)
    assert all(0 <= r["score"] <= 1 and r["negative_transfer"] in (None, False, True)
               for r in rows)


def test_joint_and_balanced_methods_are_listed_and_run(capsys):
    assert main(["methods"]) == 0
    listing = capsys.readouterr().out
    for name in ("bda", "w-bda", "easytl"):
        assert f"\n{name} " in listing
    # EasyTL is a classifier of its own: it runs whatever --estimator says
    code = main(["compare", "--dataset", "synthetic", "--task", "covariate", "--methods",
                 "easytl", "--n-splits", "2", "--quiet"])
    assert code == 0
    assert "easytl" in capsys.readouterr().out


def test_one_batch_of_fits_baselines_once_per_task(tmp_path, monkeypatch):
    """Every (task, method, fold) is one job of one batch, the baselines fitted once per task,
    and the table does not depend on the number of workers."""
    import skt.cli

    calls = []
    real = skt.cli._safe_fit_and_score

    def counting(*job):
        calls.append(type(job[0]).__name__)
        return real(*job)

    monkeypatch.setattr(skt.cli, "_safe_fit_and_score", counting)
    argv = ["compare", "--dataset", "synthetic", "--task", "concept", "--task", "prior",
            "--methods", "coral,sa", "--n-splits", "3", "--quiet"]
    assert main([*argv, "--json", str(tmp_path / "one.json")]) == 0
    # 2 tasks x (2 methods + source-only + target-only) x 3 folds
    assert len(calls) == 2 * 4 * 3
    monkeypatch.setattr(skt.cli, "_safe_fit_and_score", real)
    with joblib.parallel_config(backend="threading"):
        assert main([*argv, "--n-jobs", "2", "--json", str(tmp_path / "two.json")]) == 0
    one = json.loads((tmp_path / "one.json").read_text())
    two = json.loads((tmp_path / "two.json").read_text())
    keys = ("task", "method", "score", "gain", "gain_low", "gain_high")
    assert [[r[k] for k in keys] for r in one] == [[r[k] for k in keys] for r in two]
