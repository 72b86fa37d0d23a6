"""The report runs shared by the report test files (tests/test_report_runs.py, test_report_pages.py,
test_report_kpis.py).

Why: a report run of every module on the default data costs minutes, so the tests that only read its output share
ONE run per test session (:func:`default_run`): the golden-metrics test compares it, the page and KPI tests read it.
Every such test carries ``@USES_DEFAULT_RUN``.

How it is made once across pytest-xdist workers, without idling a worker: when the first worker (gw0, or a plain
``pytest`` process) has collected the tests and at least one selected test uses the run, tests/conftest.py calls
:func:`start_default_run` and the report starts in the background, in the session's shared temporary folder, while
both workers run other tests. A test that needs it waits for it to finish (usually it has by then). If nothing
started it (a test selected alone in a worker that is not gw0), the first test that needs it runs it under a file
lock, so two workers never run it twice. (pytest-xdist's ``--dist loadgroup`` would pin the tests to one worker,
but it renames node ids through an attribute pytest 9 no longer reads: the groups are silently ignored.)
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "datasets" / "default"

#: the mark of every test that reads :func:`default_run`
USES_DEFAULT_RUN = pytest.mark.default_run

_RUNS: dict[tuple, tuple[Path, str]] = {}  # per test process


def run_report(*args: str | Path, timeout: int = 1500) -> subprocess.CompletedProcess:
    """``python -m helpers report --no-progress ARGS`` in a subprocess, from the repository root."""
    return subprocess.run([sys.executable, "-m", "helpers", "report", "--no-progress", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


# ---- the default run, once per session ---------------------------------------------------------------------------

#: one module at a time: the run shares the machine with both test workers
DEFAULT_RUN_ARGS = ("--data-dir", str(DEFAULT_DATA), "--jobs", "1")


def _session_folder(base: Path) -> Path:
    """The folder of the default run: in the session's temporary root, which every xdist worker shares."""
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return root / "default-report-run"


def start_default_run(base: Path) -> None:
    """Start the default run in the background (called once, by the first worker, after collection)."""
    folder = _session_folder(base)
    folder.mkdir(parents=True, exist_ok=True)
    stderr = open(folder / "stderr.txt", "w", encoding="utf-8")  # noqa: SIM115 - the child writes it
    # the shell writes the exit code when the report ends; the tests wait for that file
    command = " ".join([f'"{sys.executable}"', "-m", "helpers", "report", "--no-progress", *DEFAULT_RUN_ARGS,
                        "--out", f'"{folder / "run"}"', ";", "echo", "$?", ">", f'"{folder / "rc.txt"}"'])
    proc = subprocess.Popen(["/bin/sh", "-c", command], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
                            start_new_session=True)
    (folder / "pid").write_text(str(proc.pid), encoding="utf-8")
    (folder / "started").touch()


def stop_default_run(base: Path) -> None:
    """End the default run's process group if it is still running (called once, at the end of the session)."""
    import signal

    folder = _session_folder(base)
    pid_file = folder / "pid"
    if not pid_file.is_file() or (folder / "rc.txt").is_file():
        return
    try:
        os.killpg(int(pid_file.read_text(encoding="utf-8")), signal.SIGTERM)
    except (ProcessLookupError, PermissionError, ValueError):
        pass


@contextlib.contextmanager
def _file_lock(path: Path):
    try:
        import fcntl
    except ImportError:  # Windows: no lock; at worst two workers each make the run
        yield
        return
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def default_run(factory: pytest.TempPathFactory, timeout: float = 1800) -> tuple[Path, str]:
    """(output folder, stderr) of the full report on the default data (see the module docstring)."""
    key = ("default",)
    if key in _RUNS:
        return _RUNS[key]
    folder = _session_folder(factory.getbasetemp())
    folder.mkdir(parents=True, exist_ok=True)
    rc_file = folder / "rc.txt"
    if not (folder / "started").exists():
        with _file_lock(folder.parent / "default-report-run.lock"):
            if not (folder / "started").exists():
                (folder / "started").touch()
                proc = run_report(*DEFAULT_RUN_ARGS, "--out", folder / "run")
                (folder / "stderr.txt").write_text(proc.stderr, encoding="utf-8")
                rc_file.write_text(str(proc.returncode), encoding="utf-8")
    deadline = time.monotonic() + timeout
    while not (rc_file.exists() and rc_file.read_text(encoding="utf-8").strip()):
        assert time.monotonic() < deadline, f"the default report run did not finish in {timeout:.0f} s: {folder}"
        time.sleep(1.0)
    stderr = (folder / "stderr.txt").read_text(encoding="utf-8")
    assert rc_file.read_text(encoding="utf-8").strip() == "0", f"the default report run failed:\n{stderr[-3000:]}"
    _RUNS[key] = (folder / "run", stderr)
    return _RUNS[key]
