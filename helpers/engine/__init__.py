"""The scale path (规模化计算): the heavy per-member work written once as backend-neutral expressions and run on
DuckDB (an embedded engine for exports larger than pandas can hold) or on Spark (beyond one machine), with the
same numbers as the pandas path.

What
----
* :func:`member_summary` — :func:`helpers.behavior.member_summary` (``repeat_unit="day"``, days or weeks,
  refunds removed, the as-of cut, calibration / holdout columns) on ``engine="duckdb"`` or ``"spark"``; a pandas
  DataFrame indexed by ``member_id`` like the pandas path's.
* :func:`rfm_inputs` — recency, frequency, monetary total and mean per member (the inputs of ``helpers.rfm``).
* :func:`summary_expr`, :func:`rfm_expr`, :func:`purchases` — the ibis expressions themselves (compose them, or
  ``ibis.to_sql(expr, dialect="duckdb")`` to see the SQL).
* :func:`connect`, :func:`local_spark` — an ibis backend; a small local SparkSession (UTC, local[n]).
* :func:`choose_engine` / :func:`estimate_orders` — the automatic choice by size: pandas below
  :data:`DUCKDB_FROM_ORDERS` orders, DuckDB above (docs/SCALE.md).

Why ibis
--------
One expression, two engines: ibis 12 compiles the same table expression to DuckDB SQL and to Spark SQL (through
sqlglot), runs on an in-process DuckDB or on a SparkSession, reads Parquet on both without pandas, and hands back
pandas. What decided it against the alternatives tried:

* narwhals (tried: the summary ran on its DuckDB lazy frames): a thin dataframe API over many engines, but it has
  no "value at the minimum of another column" aggregate, so the first purchase day's spend needs a self-join, and
  its PySpark support is a translation of its own rather than SQL compiled by one tested compiler.
* sqlframe (read about, not installed or tried): the PySpark API on DuckDB and other engines — it would make
  Spark's API the source and the other engines its emulation; ibis keeps neither engine's dialect in our code.
* hand-written SQL per engine: two texts to keep equal (benchmarks/bench_scale.py keeps a plain DuckDB SQL only
  as the speed reference).

ibis's ``arg_min`` (an ordered ``FIRST`` on DuckDB, an arg-min aggregate on Spark), ``nunique`` and ``DateValue.delta(unit="day")``
map to both engines; its PySpark backend sets the session to UTC, so naive local timestamps keep their day.

Layout: ``expressions`` the ibis expressions (the definitions) · ``run`` backends, input, pandas output ·
``cohorts`` the other per-member expressions (cohorts, category intervals, the tier window, campaign outcomes) ·
``route`` where the notebooks' ``*_for`` calls run (engine check, the snapshot's Parquet, threads) ·
``choose`` the engine by size · ``score`` CLV scoring on Spark (``mapInPandas``, models fitted in-process) ·
``columnar`` the one-machine fast path (only the needed Parquet columns, then the numpy path; a file in the
loader's member layout, ``load_to_parquet(..., layout="member")``, without decoding its ids). ibis and pyspark are imported on first use, so
``import helpers.engine`` and :func:`choose_engine` work without the ``[scale]`` extra.
"""

from __future__ import annotations

from helpers.engine.choose import CSV_BYTES_PER_ORDER, DUCKDB_FROM_ORDERS, choose_engine, estimate_orders

#: public name -> the submodule that defines it; imported on first use (ibis / pyspark are the [scale] extra)
_LAZY = {
    **dict.fromkeys(("member_summary", "rfm_inputs", "connect", "local_spark"), "run"),
    **dict.fromkeys(("summary_expr", "rfm_expr", "purchases"), "expressions"),
    **dict.fromkeys(("load_to_parquet", "EngineLoad"), "load"),
    **dict.fromkeys(("cohort_retention", "qualification_spend", "campaign_outcomes", "repurchase_intervals",
                     "category_intervals", "qualification"),
                    "cohorts"),
}

__all__ = [*_LAZY, "choose_engine", "estimate_orders", "DUCKDB_FROM_ORDERS", "CSV_BYTES_PER_ORDER", "ENGINES"]

ENGINES = ("pandas", "duckdb", "spark")


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"helpers.engine.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'helpers.engine' has no attribute {name!r}")
