"""Report runs shared by the report test files (tests/test_report_pages.py, test_report_kpis.py, test_report_jobs.py).

Why: a report run costs tens of seconds even on the 1,000-member world, so the tests that only read a run's
output share one. The cache lives in this module (imported once per test process), so every test file that asks
for the same run gets the same folder, whatever the order the files run in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_RUNS: dict[tuple, Path] = {}


def run_report(*args: str | Path, timeout: int = 1500) -> subprocess.CompletedProcess:
    """``python -m helpers report --no-progress ARGS`` in a subprocess, from the repository root."""
    return subprocess.run([sys.executable, "-m", "helpers", "report", "--no-progress", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def shared_run(world: Path, factory: pytest.TempPathFactory, *args: str) -> Path:
    """The run of every module on ``world`` with ``args`` (made once per test process); fails if it did not exit 0."""
    key = (str(world), args)
    if key not in _RUNS:
        out = factory.mktemp("report-run") / "run"
        proc = run_report("--data-dir", world, "--out", out, *args)
        assert proc.returncode == 0, proc.stderr[-3000:]
        _RUNS[key] = out
    return _RUNS[key]
