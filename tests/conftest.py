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

SMALL_WORLD_MEMBERS = 1000
SMALL_WORLD_SEED = 20251231


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    """A 1,000-member world (data + truth/) written once per session (per xdist worker): what notebook executions,
    report runs and round trips use, so that the suite's time does not grow with the default data. Tests that
    execute notebooks in classroom mode point ``MEMBER_WORKBOOK_DATA`` at it (see :func:`small_world_env`)."""
    from helpers.__main__ import main

    folder = tmp_path_factory.mktemp("small-world") / "data"
    rc = main(["generate", "--members", str(SMALL_WORLD_MEMBERS), "--seed", str(SMALL_WORLD_SEED),
               "--out", str(folder), "-q"])
    assert rc == 0 and (folder / "orders.parquet").exists()
    return folder


@pytest.fixture
def small_world_env(small_world, monkeypatch) -> Path:
    """``MEMBER_WORKBOOK_DATA`` set to the small world for this test: a notebook whose ``data_dir`` is empty
    (classroom mode, the nbgrader round trip) reads it, in this process and in every kernel it starts."""
    monkeypatch.setenv("MEMBER_WORKBOOK_DATA", str(small_world))
    return small_world
