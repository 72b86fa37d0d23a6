"""Module 02's heavy per-member work on the report's engine: one call each for the notebooks, pandas in class,
DuckDB / Spark at scale.

* :func:`summary_for` — the member summary (modules 02–05);
* :func:`cohorts_for` — monthly first-purchase cohorts (:func:`helpers.behavior.cohort_retention`);
* :func:`category_intervals_for` — repurchase intervals per category
  (:func:`helpers.behavior.category_repurchase_intervals`).

Why a helper and not an ``if`` in every notebook: the report passes the modules the engine it resolved
(``--engine``, the shared parameter ``engine``; docs/SCALE.md), and the rule — which file the engine reads, how many
threads — is written once (:mod:`helpers.engine.route`). The exercises keep pandas; these calls are the lines of a
notebook that scale. The result is the same table either way (same index, columns, dtypes; integers exactly, sums of
money up to the order of floating-point addition — ``tests/test_engine.py``, ``tests/test_engine_expressions.py``).
An exercise that forbids the pandas helper forbids its route too, on every engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior.cohorts import CohortRetention, cohort_retention
from helpers.behavior.purchases import _as_day, _days, _refunded_mask
from helpers.behavior.repurchase import category_repurchase_intervals
from helpers.behavior.summary import _n_categories, member_summary
from helpers.engine import route

__all__ = ["category_intervals_for", "cohorts_for", "summary_for"]

#: the pandas helpers' own code: an exercise that forbids one (helpers.checks.forbid swaps the code object) forbids
#: the route to the same table too, on every engine
_OWN_CODE = member_summary.__code__
_OWN_COHORTS = cohort_retention.__code__
_OWN_INTERVALS = category_repurchase_intervals.__code__


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

    route.check(engine)
    source = route.snapshot_file(data_dir, "orders") if engine == "duckdb" else None
    # course-size data on one thread / one partition: sums of money then add up in one order on every run, so a
    # model fitted on them (Gamma-Gamma's flat likelihood moves in the 6th digit with the last bit of a sum) is
    # the same every time; big exports get every core
    out = heng.member_summary(orders if source is None else source, as_of,
                              engine=route.backend(engine, len(orders), spark), time_unit=time_unit,
                              calibration_end=calibration_end, include_refunds=include_refunds)
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


def cohorts_for(orders: pd.DataFrame, as_of, *, engine: str = "pandas", data_dir=None, include_refunds: bool = False,
                max_months: int | None = None, spark=None) -> CohortRetention:
    """:func:`helpers.behavior.cohort_retention` of ``orders`` computed on ``engine`` (``"pandas"``: that function;
    ``"duckdb"``: :func:`helpers.engine.cohort_retention`, reading the report snapshot's ``orders.parquet`` when
    ``data_dir`` is one; ``"spark"``: the same expression on ``spark``, default a local session). Same
    :class:`~helpers.behavior.CohortRetention`: sizes and counts exactly, retention to the last bit of a division."""
    if engine == "pandas" or cohort_retention.__code__ is not _OWN_COHORTS:
        return cohort_retention(orders, as_of, include_refunds=include_refunds, max_months=max_months)
    from helpers import engine as heng

    route.check(engine)
    source = route.snapshot_file(data_dir, "orders") if engine == "duckdb" else None
    return heng.cohort_retention(orders if source is None else source, as_of,
                                 engine=route.backend(engine, len(orders), spark), include_refunds=include_refunds,
                                 max_months=max_months)


def category_intervals_for(orders: pd.DataFrame, order_items: pd.DataFrame, products: pd.DataFrame, *, as_of,
                           engine: str = "pandas", data_dir=None, level: str = "category",
                           include_refunds: bool = False, spark=None) -> pd.DataFrame:
    """:func:`helpers.behavior.category_repurchase_intervals` computed on ``engine`` (``"pandas"``: that function;
    ``"duckdb"`` / ``"spark"``: :func:`helpers.engine.category_intervals`, which joins orders, order lines and
    products on the engine — DuckDB reads the report snapshot's Parquet files when ``data_dir`` is one). Same table:
    counts exactly, the median and mean gap too (whole days: the engine returns a histogram)."""
    if engine == "pandas" or category_repurchase_intervals.__code__ is not _OWN_INTERVALS:
        return category_repurchase_intervals(orders, order_items, products, as_of=as_of, level=level,
                                             include_refunds=include_refunds)
    from helpers import engine as heng

    route.check(engine)
    files = {t: route.snapshot_file(data_dir, t) if engine == "duckdb" else None
             for t in ("orders", "order_items", "products")}
    return heng.category_intervals(orders if files["orders"] is None else files["orders"],
                                   order_items if files["order_items"] is None else files["order_items"],
                                   products if files["products"] is None else files["products"], as_of,
                                   level=level, include_refunds=include_refunds,
                                   engine=route.backend(engine, len(orders) + len(order_items), spark))
