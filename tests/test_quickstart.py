"""examples/quickstart.py runs and shows a real gain of every method over no adaptation."""

import runpy
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parents[1] / "examples" / "quickstart.py"


def test_quickstart_shows_a_gain(capsys):
    runpy.run_path(str(QUICKSTART), run_name="__main__")
    lines = capsys.readouterr().out.strip().splitlines()[1:]
    accuracy = {line[:20].strip(): float(line[20:]) for line in lines}
    baseline = accuracy.pop("no adaptation")
    assert accuracy and all(value >= baseline + 0.05 for value in accuracy.values()), accuracy
