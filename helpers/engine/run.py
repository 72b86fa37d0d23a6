"""Running the expressions of :mod:`helpers.engine.expressions` on an engine and handing back pandas.

``engine`` is ``"duckdb"`` (embedded, in-process: an export far larger than pandas can hold is streamed from
Parquet), ``"spark"`` (a SparkSession: local for tests and the record, a cluster for billions of orders) or an
ibis backend you connected yourself. ``orders`` is a pandas DataFrame (e.g. ``helpers.data.load(...).orders``), a
Parquet file or folder (read by the engine itself, never through pandas) or an ibis table of that backend.

The result is a pandas DataFrame indexed by ``member_id`` (sorted), with the pandas path's columns, dtypes and
``attrs``, so everything downstream (``helpers.rfm``, ``helpers.clv``) takes it unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from helpers.engine.expressions import SUMMARY_INTS, UNIT_DAYS, as_date, rfm_expr, summary_expr

__all__ = ["connect", "local_spark", "member_summary", "rfm_inputs", "ENGINES"]

ENGINES = ("pandas", "duckdb", "spark")
_NEEDED = ("member_id", "order_ts", "net_amount", "status", "channel")


def local_spark(cores: int = 1, memory: str = "1g", shuffle_partitions: int | None = None, *,
                tiny: bool = False):
    """A local SparkSession (pyspark from PyPI + a Java 17 runtime; nothing is downloaded): ``local[cores]``,
    ``shuffle_partitions`` (default: ``cores``; Spark's 200 only costs time on one machine) and no adaptive
    re-planning (the partitions are fixed anyway), UTC session time (timestamps are naive local times: read and
    written unshifted), no web UI, no console progress bars. ``tiny=True`` (tests, small data) also turns off
    whole-stage code generation: compiling the generated Java costs more than it saves on a few thousand rows
    (measured: the first query of a session on 1,000 members 18 s instead of 33 s, later ones 3 s instead of 4–6 s).
    ``getOrCreate``: a session already running in this process is reused as it is."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", __import__("sys").executable)
    builder = (SparkSession.builder.master(f"local[{cores}]").appName("member-analytics")
               .config("spark.driver.memory", memory)
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions or cores))
               .config("spark.default.parallelism", str(cores))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
               .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.adaptive.enabled", "false"))
    if tiny:
        builder = builder.config("spark.sql.codegen.wholeStage", "false")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def connect(engine="duckdb", *, spark=None, threads: int | None = None):
    """An ibis backend: ``"duckdb"`` (in-memory database; ``threads`` caps DuckDB's threads), ``"spark"`` (on
    ``spark``, a SparkSession, default :func:`local_spark`), or an ibis backend passed through."""
    if not isinstance(engine, str):
        return engine
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        if threads:
            con.raw_sql(f"SET threads = {int(threads)}")
        return con
    if engine == "spark":
        return ibis.pyspark.connect(spark if spark is not None else local_spark())
    raise ValueError(f"engine must be one of {ENGINES[1:]} or an ibis backend, not {engine!r} "
                     "(the pandas path is helpers.behavior.member_summary)")


def _table(con, orders) -> ibis.Table:
    """``orders`` as an ibis table: a pandas frame goes in as Arrow (category / string columns as plain strings),
    a path is read by the engine itself."""
    if isinstance(orders, ibis.Table):
        return orders
    if isinstance(orders, (str, Path)):
        path = str(orders)
        if Path(path).is_dir():
            path = str(Path(path) / "*.parquet") if not Path(path, "orders.parquet").exists() \
                else str(Path(path, "orders.parquet"))
        if getattr(con, "name", "") == "pyspark":
            _check_spark_parquet(path)
        return con.read_parquet(path)
    if isinstance(orders, pd.DataFrame):
        import pyarrow as pa

        cols = [c for c in _NEEDED if c in orders.columns]
        arrays = {}
        for c in cols:
            s = orders[c]
            if c == "order_ts":
                ts = pd.to_datetime(s)
                if ts.dt.tz is not None:  # local (Asia/Shanghai) wall time, as helpers.behavior takes it
                    ts = ts.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
                arr = pa.array(ts.to_numpy().astype("datetime64[us]"), pa.timestamp("us"))
            elif c == "net_amount":
                arr = pa.array(s.to_numpy(dtype=float, na_value=np.nan), pa.float64(), from_pandas=True)
            else:  # ids and codes as Arrow strings without a Python object per row (categoricals decoded)
                try:
                    arr = pa.array(s, from_pandas=True)
                    if not pa.types.is_string(arr.type):
                        arr = arr.cast(pa.string())
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                    arr = pa.array(s.astype("string").to_numpy(dtype=object, na_value=None), pa.string())
            arrays[c] = arr
        return ibis.memtable(pa.table(arrays))
    raise TypeError("orders must be a pandas DataFrame, a Parquet path or an ibis table")


def _check_spark_parquet(path: str) -> None:
    """Spark cannot read Parquet timestamps in nanoseconds (pandas' default): say so, and how to fix it."""
    import glob

    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted(glob.glob(path))[:1]
    for f in files:
        schema = pq.read_schema(f)
        ns = [fld.name for fld in schema if pa.types.is_timestamp(fld.type) and fld.type.unit == "ns"]
        if ns:
            raise ValueError(
                f"{f}: column(s) {ns} hold nanosecond timestamps, which Spark cannot read; write the file with "
                "microseconds (pyarrow: pq.write_table(table, path, coerce_timestamps='us'); pandas: "
                f"df.to_parquet(path, coerce_timestamps='us')) / Spark 无法读取纳秒精度的时间戳列 {ns}，"
                "请以微秒精度重写该 Parquet 文件")


def _to_pandas(con, expr, orders, int_cols) -> pd.DataFrame:
    # through Arrow ourselves: ibis's own pandas conversion (con.execute) took a third of the time at 10M orders
    df = con.to_pyarrow(expr).to_pandas(date_as_object=False)
    if (df["_n_net"] != df["frequency"]).any():
        raise ValueError("net_amount has missing values; load the data with helpers.data.load (it quarantines them)")
    df = df.drop(columns="_n_net")
    for c in ("first_purchase", "last_purchase"):
        if c in df:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    for c in df.columns:
        if c in int_cols:
            df[c] = df[c].astype(np.int64)
        elif c not in ("member_id", "first_purchase", "last_purchase"):
            df[c] = df[c].astype(np.float64)
    ids = df.pop("member_id")
    if isinstance(orders, pd.DataFrame) and not isinstance(orders["member_id"].dtype, pd.CategoricalDtype):
        ids = ids.astype(orders["member_id"].dtype)
    else:
        ids = ids.astype("string")
    df.index = pd.Index(ids, name="member_id")
    return df.sort_index()


def member_summary(orders, as_of, *, engine="duckdb", time_unit: str = "D", calibration_end=None,
                   include_refunds: bool = False, spark=None) -> pd.DataFrame:
    """:func:`helpers.behavior.member_summary` (``repeat_unit="day"``) computed on ``engine``: same index,
    columns, dtypes and ``attrs``; ``refunded_orders`` / ``n_channels`` when ``orders`` has ``status`` /
    ``channel``; the holdout columns with ``calibration_end``. Integers equal the pandas path's exactly, sums of
    money up to the order of floating-point addition."""
    con = connect(engine, spark=spark)
    expr = summary_expr(_table(con, orders), as_of, time_unit=time_unit, calibration_end=calibration_end,
                        include_refunds=include_refunds)
    out = _to_pandas(con, expr, orders, SUMMARY_INTS)
    out.attrs.update({"time_unit": UNIT_DAYS[time_unit][0], "as_of": str(as_date(as_of, "as_of")),
                      "calibration_end": None if calibration_end is None
                      else str(as_date(calibration_end, "calibration_end")),
                      "include_refunds": include_refunds, "repeat_unit": "day",
                      "engine": engine if isinstance(engine, str) else getattr(engine, "name", "ibis")})
    return out


def rfm_inputs(orders, as_of, *, engine="duckdb", include_refunds: bool = False, spark=None) -> pd.DataFrame:
    """The RFM inputs on ``engine``: ``recency``, ``frequency``, ``monetary_total``, ``monetary_mean`` per member
    (indexed by ``member_id``), equal to those columns of the member summary — what :func:`helpers.rfm.rfm_scores`
    needs, from one aggregation."""
    con = connect(engine, spark=spark)
    out = _to_pandas(con, rfm_expr(_table(con, orders), as_of, include_refunds=include_refunds), orders,
                     SUMMARY_INTS)
    out.attrs.update({"as_of": str(as_date(as_of, "as_of")), "include_refunds": include_refunds})
    return out
