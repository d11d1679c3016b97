"""Run the KMM solver tests once with NUMBA_DISABLE_JIT=1.

With the JIT off, the @njit solvers run as plain Python, so that coverage measures their source
and a bug hidden by compilation shows. The problems chosen are small enough for pure Python.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_solver_without_jit():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    command = [sys.executable]
    if "coverage" in sys.modules:
        command += ["-m", "coverage", "run", "--parallel-mode", "--rcfile",
                    str(ROOT / "setup.cfg")]
    tests = ROOT / "tests" / "reweight" / "test_kmm_solver.py"
    command += [
        "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header", str(tests),
        "-k", "projection or frank_wolfe or 50-40-1 or duplicate or active_constraints "
              "or stops_early",
    ]
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert " passed" in proc.stdout
