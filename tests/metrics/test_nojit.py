"""Run the kernel-vs-reference tests once with NUMBA_DISABLE_JIT=1.

With the JIT off, the @njit kernels run as plain Python, so that coverage measures their
source and a bug hidden by compilation (or by the intrinsics' pure-Python fallbacks) shows.
When this test run is measured by coverage, the subprocess is measured too (parallel mode).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_kernels_without_jit():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    command = [sys.executable]
    if "coverage" in sys.modules:
        command += ["-m", "coverage", "run", "--parallel-mode", "--rcfile",
                    str(ROOT / "setup.cfg")]
    here = ROOT / "tests" / "metrics"
    command += [
        "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header",
        str(here / "test_kernels.py"),
        f"{here / 'test_mmd.py'}::test_every_kernel_and_estimator_matches_naive",
        f"{here / 'test_mmd_test.py'}::test_dense_and_blockwise_agree",
    ]
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
