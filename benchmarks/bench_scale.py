"""Benchmark: the member summary on the scale path — our path (``helpers.engine.columnar``: pyarrow reads only the
needed columns, then the numpy path) and the numpy path after ``pd.read_parquet`` vs ibis on DuckDB (helpers.engine) vs plain
DuckDB SQL vs polars, and Spark local "for the record", side by side in one run.

Input: the synthetic orders of ``bench_summary.py`` (about 10 orders per member over three years, 3 % refunded),
written once to ``benchmarks/out/orders_<n>.parquet``. Unlike ``bench_summary.py`` (compute only, after a pandas
load), every measurement here is the whole path an analyst pays for a big export: **Parquet file → per-member
summary as a pandas DataFrame** (refunds removed, as-of 2025-12-31; first / last purchase, frequency, purchase
days, monetary total / mean / repeat mean, x, t_x, T; ibis-on-DuckDB and Spark also count refunded orders per
member, as the numpy path does). Each engine runs in a fresh subprocess; Spark reads a copy of the file with
microsecond timestamps (it cannot read nanoseconds) and its JVM start is not timed.

Columns: ``s`` wall time; ``vs ours`` that time over our path's; ``peak GiB`` the process's peak resident
memory (VmHWM) minus what the interpreter and libraries held before reading (Spark: the Python driver only — the
JVM is a separate process, its heap is capped by ``spark.driver.memory``); ``members`` rows of the result;
``x_sum`` the sum of ``x`` (the same on every engine, or a column says ``DIFFERS``).

    .venv/bin/python benchmarks/bench_scale.py                         # 1M and 10M; Spark at 1M
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000000         # quick
    .venv/bin/python benchmarks/bench_scale.py --with-50m              # adds 50M (about 2 GB of Parquet)
    .venv/bin/python benchmarks/bench_scale.py --sizes 50000000 --layout member --skip spark,ibis-duckdb

``--layout member``: every engine reads the file the project's loader writes in its member layout
(``engine.load_to_parquet(..., layout="member")``: orders clustered by member then time, ids dictionary-encoded;
``benchmarks/out/orders_<n>.member/orders.parquet``), the file a report on the scale path would hand them. The
loader's cost of that layout is measured apart and printed first (``# loader``): the same load with
``layout="source"`` (source-row order, as the report writes today) and with ``layout="member"``, each in a fresh
process (seconds · peak GiB); the difference is what the layout costs. ``--layout source`` (default): the
generated file as it is (rows in random member order, ids plain-encoded).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from _common import run_worker
from bench_summary import AS_OF, DUCKDB_SQL, OUT, ROOT, _hwm_bytes, _rss_bytes, build_orders

KINDS = ("ours", "numpy", "ibis-duckdb", "duckdb-sql", "polars", "spark")


def _polars_summary(path: str):
    import datetime as dt

    import polars as pl

    as_of = dt.date.fromisoformat(AS_OF)
    o = (pl.scan_parquet(path)
         .with_columns(d=pl.col("order_ts").dt.date())
         .filter((pl.col("status").cast(pl.String) != "refunded") & (pl.col("d") <= as_of)))
    daily = o.group_by("member_id", "d").agg(spend=pl.col("net_amount").sum(), n=pl.len())
    m = daily.group_by("member_id").agg(
        first=pl.col("d").min(), last=pl.col("d").max(), purchase_days=pl.len(), frequency=pl.col("n").sum(),
        monetary_total=pl.col("spend").sum(), first_spend=pl.col("spend").sort_by("d").first())
    days = lambda a, b: (a - b).dt.total_days()  # noqa: E731
    res = m.select(
        "member_id", first_purchase="first", last_purchase="last",
        recency=days(pl.lit(as_of), pl.col("last")), tenure=days(pl.lit(as_of), pl.col("first")),
        frequency="frequency", purchase_days="purchase_days", monetary_total="monetary_total",
        monetary_mean=pl.col("monetary_total") / pl.col("frequency"),
        monetary_repeat_mean=pl.when(pl.col("purchase_days") > 1).then(
            (pl.col("monetary_total") - pl.col("first_spend")) / (pl.col("purchase_days") - 1)),
        x=pl.col("purchase_days") - 1, t_x=days(pl.col("last"), pl.col("first")).cast(pl.Float64),
        T=days(pl.lit(as_of), pl.col("first")).cast(pl.Float64),
    ).sort("member_id")
    return res.collect().to_pandas().set_index("member_id")


def load_worker(layout: str, path: str) -> dict:
    """The loader on the bench file (a typed orders-only export), writing ``layout``; seconds and peak."""
    import shutil

    sys.path.insert(0, str(ROOT))
    from helpers import engine
    from helpers.engine import load  # noqa: F401  (imported before the baseline)

    out = _layout_dir(path, layout)
    shutil.rmtree(out, ignore_errors=True)
    baseline = _rss_bytes()
    t0 = time.perf_counter()
    res = engine.load_to_parquet(path, out, layout=layout)
    seconds = time.perf_counter() - t0
    if layout == "source":
        shutil.rmtree(out, ignore_errors=True)  # only its time is wanted
    return {"kind": f"load-{layout}", "s": seconds, "peak_bytes": max(_hwm_bytes() - baseline, 0),
            "rows_kept": int(res.counts.loc["orders", "rows_kept"])}


def _layout_dir(path, layout: str):
    from pathlib import Path

    return Path(str(path).replace(".parquet", f".{layout}"))


def worker(kind: str, path: str) -> dict:
    if kind.startswith("load-"):
        return load_worker(kind[len("load-"):], path)
    sys.path.insert(0, str(ROOT))
    import pandas as pd  # noqa: F401  (imported before the baseline: every engine hands back pandas)

    if kind == "numpy":
        from helpers.behavior import member_summary
    elif kind == "ours":
        import helpers.behavior  # noqa: F401  (imported before the baseline, as for the numpy path)
        from helpers.engine.columnar import member_summary_parquet
    elif kind in ("ibis-duckdb", "spark"):
        from helpers import engine
        from helpers.engine import run  # noqa: F401  (ibis imported before the baseline)
    elif kind == "duckdb-sql":
        import duckdb
    elif kind == "polars":
        import polars  # noqa: F401
    spark = None
    if kind == "spark":
        spark = engine.local_spark(cores=2, memory="4g")
        spark.range(1).count()  # the JVM is up: its start is not part of the figure
    baseline = _rss_bytes()
    t0 = time.perf_counter()
    if kind == "numpy":
        res = member_summary(pd.read_parquet(path), AS_OF)
    elif kind == "ours":
        res = member_summary_parquet(path, AS_OF)
    elif kind == "ibis-duckdb":
        res = engine.member_summary(path, AS_OF, engine="duckdb")
    elif kind == "duckdb-sql":
        con = duckdb.connect()
        con.execute(f"CREATE VIEW orders AS SELECT * FROM read_parquet('{path}')")
        res = con.execute(DUCKDB_SQL.format(as_of=AS_OF)).df()
    elif kind == "polars":
        res = _polars_summary(path)
    elif kind == "spark":
        res = engine.member_summary(path.replace(".parquet", ".us.parquet"), AS_OF, engine="spark", spark=spark)
    else:
        raise ValueError(kind)
    seconds = time.perf_counter() - t0
    return {"kind": kind, "members": len(res), "s": seconds, "peak_bytes": max(_hwm_bytes() - baseline, 0),
            "x_sum": int(res["x"].sum()), "total_sum": float(res["monetary_total"].sum())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--with-50m", action="store_true", help="also 50M orders")
    ap.add_argument("--spark-max", type=int, default=1_000_000, help="Spark local only up to this many orders")
    ap.add_argument("--skip", default="", help="comma-separated: " + ",".join(KINDS))
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds over every engine (interleaved); the fastest round of each is shown — on a shared "
                         "machine the load moves between rounds")
    ap.add_argument("--layout", choices=("source", "member"), default="source",
                    help="the file every engine reads: the generated file ('source') or the loader's member layout")
    ap.add_argument("--reuse-layout", action="store_true",
                    help="with --layout member: read the member-layout file of an earlier run, loader not timed")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.file)))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, a.skip.split(",")))
    sizes = [int(s) for s in a.sizes.split(",")] + ([50_000_000] if a.with_50m else [])
    rows = []
    print(f"{'orders':>11} {'engine':<12} {'s':>8} {'vs ours':>9} {'peak GiB':>9} {'members':>10} {'x_sum':>12}",
          flush=True)
    for n in sizes:
        path = OUT / f"orders_{n}.parquet"
        if not path.exists():
            t0 = time.perf_counter()
            build_orders(n, path)
            print(f"# built {path.name} in {time.perf_counter() - t0:.0f} s", flush=True)
        print(f"# {time.strftime('%H:%M', time.gmtime())} UTC, load average (1/5/15 min) "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
        member_file = _layout_dir(path, "member") / "orders.parquet"
        if a.layout == "member" and a.reuse_layout and member_file.exists():
            print(f"# loader not re-run (--reuse-layout): {member_file} exists", flush=True)
            path = member_file
        elif a.layout == "member":  # the loader writes the layout; its cost apart, both layouts in fresh processes
            for lay in ("source", "member"):
                r = run_worker(__file__, f"load-{lay}", path, sys.executable, a.timeout)
                rows.append({"orders": n, **r})
                print(f"# loader {n:,} orders, layout={lay}: " + (r["error"] if "error" in r else
                      f"{r['s']:.1f} s · peak {r['peak_bytes'] / 2**30:.2f} GiB"), flush=True)
            path = _layout_dir(path, "member") / "orders.parquet"
        us = path.with_suffix(".us.parquet")  # Spark reads no nanosecond timestamps: a microsecond copy
        if "spark" not in skip and n <= a.spark_max and not us.exists():
            import pyarrow.parquet as pq

            pq.write_table(pq.read_table(path), us, coerce_timestamps="us", compression="zstd")
        res = {}
        for _ in range(max(a.repeat, 1)):
            for kind in KINDS:
                if kind in skip:
                    continue
                if kind == "spark" and n > a.spark_max:
                    res[kind] = {"kind": kind, "error": f"not run above {a.spark_max:,} orders (--spark-max)"}
                    continue
                r = run_worker(__file__, kind, path, sys.executable, a.timeout)
                if kind not in res or "error" in res[kind] or ("s" in r and r["s"] < res[kind]["s"]):
                    res[kind] = r
        base = res.get("ours") or res.get("numpy", {})  # the reference column: our path
        for kind, r in res.items():
            if "error" in r:
                print(f"{n:>11,} {kind:<12} {r['error']}", flush=True)
            else:
                rel = f"{r['s'] / base['s']:.2f}x" if "s" in base else "-"
                same = "" if "x_sum" not in base or (r["x_sum"] == base["x_sum"] and abs(
                    r["total_sum"] - base["total_sum"]) <= 1e-9 * abs(base["total_sum"])) else "  DIFFERS"
                print(f"{n:>11,} {kind:<12} {r['s']:>8.2f} {rel:>9} {r['peak_bytes'] / 2**30:>9.3f} "
                      f"{r['members']:>10,} {r['x_sum']:>12,}{same}", flush=True)
            rows.append({"orders": n, **r})
        print(f"# {time.strftime('%H:%M', time.gmtime())} UTC, load average (1/5/15 min) "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    (OUT / "bench_scale.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
