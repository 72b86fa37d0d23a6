"""Report runs shared by the report test files (tests/test_report_runs.py, test_report_pages.py, test_report_kpis.py).

Why: a report run of every module costs minutes, so the tests that only read a run's output share ONE: the full run
on the default data (:func:`default_run`), which the golden-metrics test compares and the page and KPI tests read.
The cache lives in this module (imported once per test process); every test that uses it carries
``@DEFAULT_RUN_GROUP`` so that pytest-xdist (``--dist loadgroup`` in the Makefile) sends them all to one worker
and the run is made once per suite, not once per worker.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "datasets" / "default"
_RUNS: dict[tuple, tuple[Path, str]] = {}

#: the mark of every test that reads :func:`default_run`
DEFAULT_RUN_GROUP = pytest.mark.xdist_group("default-run")


def run_report(*args: str | Path, timeout: int = 1500) -> subprocess.CompletedProcess:
    """``python -m helpers report --no-progress ARGS`` in a subprocess, from the repository root."""
    return subprocess.run([sys.executable, "-m", "helpers", "report", "--no-progress", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def shared_run(world: Path, factory: pytest.TempPathFactory, *args: str) -> tuple[Path, str]:
    """(output folder, stderr) of the run of every module on ``world`` with ``args``, made once per test process;
    fails if it did not exit 0."""
    key = (str(world), args)
    if key not in _RUNS:
        out = factory.mktemp("report-run") / "run"
        proc = run_report("--data-dir", world, "--out", out, *args)
        assert proc.returncode == 0, proc.stderr[-3000:]
        _RUNS[key] = (out, proc.stderr)
    return _RUNS[key]


def default_run(factory: pytest.TempPathFactory) -> Path:
    """The output folder of the full report on the default data (see the module docstring)."""
    return shared_run(DEFAULT_DATA, factory)[0]
