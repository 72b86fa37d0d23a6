"""The member summary on the report's engine: one call for the notebooks, pandas in class, DuckDB / Spark at scale.

Why a helper and not an ``if`` in every notebook: modules 02–05 compute the same per-member summary, and the report
passes them the engine it resolved (``--engine``, the shared parameter ``engine``; docs/SCALE.md). The teaching cells
keep using :func:`helpers.behavior.member_summary` on pandas; this call is the one line of each notebook that scales.
The result is the same table either way (same index, columns, dtypes and ``attrs``; integers exactly, sums of money
up to the order of floating-point addition — ``tests/test_engine.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.behavior.purchases import _as_day, _days, _refunded_mask
from helpers.behavior.summary import _n_categories, member_summary

__all__ = ["summary_for"]

#: member_summary's own code: an exercise that forbids member_summary (helpers.checks.forbid swaps the code object)
#: forbids this route to the same table too, on every engine
_OWN_CODE = member_summary.__code__
#: below this many order rows the engines run on one thread (DuckDB) / one partition (Spark): deterministic sums
_ONE_THREAD_BELOW = 2_000_000


def _snapshot_orders(data_dir) -> Path | None:
    """The report snapshot's ``orders.parquet`` (validated rows, written by the runner), when ``data_dir`` is one."""
    if not data_dir:
        return None
    folder = Path(data_dir)
    path = folder / "orders.parquet"
    return path if (folder / "snapshot.json").is_file() and path.is_file() else None


def summary_for(orders: pd.DataFrame, as_of, *, engine: str = "pandas", data_dir=None, time_unit: str = "D",
                calibration_end=None, include_refunds: bool = False, order_items: pd.DataFrame | None = None,
                products: pd.DataFrame | None = None, spark=None) -> pd.DataFrame:
    """:func:`helpers.behavior.member_summary` of ``orders`` computed on ``engine``.

    * ``"pandas"``: :func:`~helpers.behavior.member_summary` itself.
    * ``"duckdb"``: :func:`helpers.engine.member_summary`; when ``data_dir`` is a report snapshot (the folder the
      runner passes every module) DuckDB reads its ``orders.parquet`` directly, else the frame ``orders``.
    * ``"spark"``: :func:`helpers.engine.member_summary` on ``spark`` (default: a local session with this
      machine's cores, :func:`helpers.engine.local_spark`), from the frame ``orders``.

    ``n_categories`` (with ``order_items`` and ``products``) is computed on pandas in every case. The index takes
    ``orders["member_id"]``'s dtype, as the pandas path's does."""
    if engine == "pandas" or member_summary.__code__ is not _OWN_CODE:
        return member_summary(orders, as_of, time_unit=time_unit, calibration_end=calibration_end,
                              include_refunds=include_refunds, order_items=order_items, products=products)
    from helpers import engine as heng

    if engine not in heng.ENGINES:
        raise ValueError(f"engine must be one of {heng.ENGINES}, not {engine!r}")
    source = _snapshot_orders(data_dir) if engine == "duckdb" else None
    # course-size data on one thread / one partition: sums of money then add up in one order on every run, so a
    # model fitted on them (Gamma-Gamma's flat likelihood moves in the 6th digit with the last bit of a sum) is
    # the same every time; big exports get every core
    small = len(orders) < _ONE_THREAD_BELOW
    if engine == "spark" and spark is None:
        spark = heng.local_spark(cores=1 if small else os.cpu_count() or 1, memory="2g", tiny=small)
    backend = heng.connect("duckdb", threads=1 if small else None) if engine == "duckdb" else engine
    out = heng.member_summary(orders if source is None else source, as_of, engine=backend, time_unit=time_unit,
                              calibration_end=calibration_end, include_refunds=include_refunds, spark=spark)
    out.attrs["engine"] = engine
    ids = orders["member_id"]
    if not isinstance(ids.dtype, pd.CategoricalDtype) and out.index.dtype != ids.dtype:
        out.index = pd.Index(out.index.astype(ids.dtype), name="member_id")
    if order_items is not None and products is not None and "order_id" in orders.columns:
        ref = calibration_end if calibration_end is not None else as_of
        mask = _days(orders["order_ts"]) <= _as_day(ref, "as_of")
        refunded = None if include_refunds else _refunded_mask(orders)
        if refunded is not None:
            mask &= ~refunded
        out["n_categories"] = _n_categories(orders, order_items, products, np.asarray(mask), out.index)
    return out
