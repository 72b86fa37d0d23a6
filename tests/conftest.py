"""Shared pytest fixtures: small, generic helpers to write test input files into ``tmp_path``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]], delimiter: str = ",") -> str:
    """CSV text as Excel writes it (``\\r\\n`` line ends, minimal quoting); ``None`` becomes an empty cell.

    ``\\r\\n`` also makes the csv module quote a value holding a lone ``\\r`` (which is a line break to readers).
    """
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([["" if v is None else v for v in r] for r in rows])
    return buf.getvalue()


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """``write_file("orders.csv", text_or_bytes, encoding="utf-8", subdir="")`` → the written path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8", subdir: str = "") -> Path:
        path = tmp_path / subdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


# ---- a small synthetic world, generated once per test session ------------------------------------------------
# tests/_worlds.py defines it (1,000 members: notebook executions, round trips and report runs use it so the
# suite's time does not grow with the default data); registered here so every test module gets it without an
# import (a module that still imports it from _worlds gets the same world definition).
from _worlds import small_world  # noqa: E402, F401


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the session's one default report run in the background as soon as the first worker knows a selected
    test needs it (tests/_report_runs.py says why and how). After collection, so that ``-k`` / ``-m`` deselection
    counts: running one unrelated test starts no report."""
    import os

    from _report_runs import start_default_run

    first = os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0"
    if first and os.name == "posix" and any(item.get_closest_marker("default_run") for item in session.items):
        start_default_run(session.config._tmp_path_factory.getbasetemp())


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or the only process) stops a default run nobody waited for (a failed or interrupted
    session), so that it does not outlive the tests."""
    import os

    from _report_runs import stop_default_run

    if not os.environ.get("PYTEST_XDIST_WORKER") and hasattr(session.config, "_tmp_path_factory"):
        stop_default_run(session.config._tmp_path_factory.getbasetemp())


@pytest.fixture
def front_end(monkeypatch):
    """Live controls, as in a kernel JupyterLab started (helpers.widgets: tests run headless, like papermill)."""
    from helpers import widgets

    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    monkeypatch.setenv(widgets.LIVE_ENV, "1")
