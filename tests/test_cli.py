"""The `skt` command: compare, datasets, methods, and its one-line user errors."""

import csv
import json
import shutil
import subprocess
import sys

import pytest

from skt.cli import main


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
        (["compare", "--task", "X:Y"], "unknown --task 'X:Y' for digits-shift"),
        (["compare", "--estimator", "forest"], "unknown --estimator 'forest'"),
        (["compare", "--n-splits", "1"], "--n-splits must be >= 2"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("skt: error: ") and message in err and "\n" not in err


def test_missing_files_are_a_user_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SKT_DATA_MIRROR", (tmp_path / "no-mirror").as_uri())
    code = main(["compare", "--dataset", "coil20", "--data-home", str(tmp_path), "--quiet",
                 "--methods", "coral"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("skt: error: ") and str(tmp_path) in err


def test_datasets_and_methods_listings(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "office-caltech-surf" in out and "data home:" in out
    assert main(["methods"]) == 0
    assert "coral" in capsys.readouterr().out


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
    code = main(["compare", "--dataset", "office-caltech-surf", "--task", "A:W", "--methods",
                 "coral", "--estimator", "1nn", "--protocol", "transductive", "--quiet",
                 "--json", str(tmp_path / "r.json")])
    assert code == 0
    rows = json.loads((tmp_path / "r.json").read_text())
    source_only = next(r for r in rows if r["method"] == "source-only")
    assert round(100 * source_only["score"], 1) == 29.8
    assert "target-only" not in {r["method"] for r in rows}
