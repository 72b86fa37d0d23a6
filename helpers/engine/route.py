"""Where a module's per-member computation runs: the plumbing shared by the ``*_for`` calls of the notebooks.

The notebooks make one call per heavy computation — :func:`helpers.behavior.summary_for`,
:func:`helpers.behavior.cohorts_for`, :func:`helpers.behavior.category_intervals_for`,
:func:`helpers.tiers.qualification_for`, :func:`helpers.experiments.outcomes_for` — and pass the report's
``engine`` parameter (``pandas`` in class; ``duckdb`` / ``spark`` from ``python -m helpers report --engine``,
docs/SCALE.md). Each call runs its pandas helper on ``pandas`` and its ibis expression (:mod:`helpers.engine`)
otherwise. What they share lives here, so the rule is written once:

* the engine name is checked (:func:`check`);
* on DuckDB the engine reads the report snapshot's own Parquet file of a table (:func:`snapshot_file`) instead
  of the frame the kernel loaded, when ``data_dir`` is a snapshot (the folder the runner passes every module);
* course-size data runs on one DuckDB thread / one Spark partition (:func:`backend`), so sums of money add up in
  one order on every run and a report on an engine is reproducible; big exports get every core.

Nothing here imports ibis or pyspark at import time (``import helpers.tiers`` must work without the ``[scale]``
extra).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ONE_THREAD_BELOW", "backend", "check", "snapshot_file"]

#: below this many rows the engines run on one thread (DuckDB) / one partition (Spark): deterministic sums
ONE_THREAD_BELOW = 2_000_000


def check(engine: str) -> None:
    """``engine`` is one of :data:`helpers.engine.ENGINES`, else a ValueError naming the choices."""
    from helpers.engine import ENGINES

    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r} / 计算引擎只能是 {'、'.join(ENGINES)}")


def snapshot_file(data_dir, table: str) -> Path | None:
    """The report snapshot's ``<table>.parquet`` (validated rows, written by the runner), when ``data_dir`` is a
    snapshot folder holding that table; else ``None``."""
    if not data_dir:
        return None
    from helpers.data.dataset import SNAPSHOT_MARKER

    folder = Path(data_dir)
    path = folder / f"{table}.parquet"
    return path if (folder / SNAPSHOT_MARKER).is_file() and path.is_file() else None


def backend(engine: str, rows: int, spark=None):
    """The ibis backend a ``*_for`` call runs on: DuckDB in memory (one thread below :data:`ONE_THREAD_BELOW`
    ``rows``), or Spark on ``spark`` (default: a local session with one core below that size, else this machine's
    cores)."""
    from helpers import engine as heng

    small = rows < ONE_THREAD_BELOW
    if engine == "duckdb":
        return heng.connect("duckdb", threads=1 if small else None)
    if spark is None:
        spark = heng.local_spark(cores=1 if small else os.cpu_count() or 1, memory="2g", tiny=small)
    return heng.connect("spark", spark=spark)
