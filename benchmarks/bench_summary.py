"""Benchmark: ``helpers.behavior.member_summary`` vs DuckDB SQL vs lifetimes' ``summary_data_from_transaction_data``.

Synthetic orders (about 10 orders per member over three years; 3 % refunded) of 1M, 10M and 50M rows are written
once to Parquet under ``benchmarks/out/`` (git-ignored). Every measurement runs in a fresh subprocess that loads the
Parquet file into pandas and then computes the per-member summary (refunds removed, as-of 2025-12-31, purchase days,
first / last purchase, frequency, monetary total and mean, x / t_x / T). The table reports, for the compute step
only (the load is the same for all three engines and excluded):

- ``compute s``: wall time; ``vs duckdb``: that time over DuckDB's.
- ``input GiB``: the orders DataFrame's in-memory size (``memory_usage(deep=True)``).
- ``working GiB``: the most memory the compute step added on top of the loaded process (peak resident memory
  during the step, read from ``VmHWM`` after resetting it with ``/proc/self/clear_refs`` once the data is loaded,
  minus the resident memory before the step).
- ``peak/input``: (input + working) / input — the step's peak footprint including the data it reads, in units of
  that data. **This is the column the ≤ 3× memory target applies to.**
- ``proc peak/input``: the whole process's peak over the run minus the interpreter and libraries, over the input.
  It includes what ``read_parquet`` leaves behind (Arrow's allocator keeps freed pages), which dominates at 1M rows
  (about 3.5× the frame for the load alone) and says nothing about the engine; shown for transparency.

lifetimes runs in its own environment (``benchmarks/requirements.txt``: old pandas / numpy / scipy it still works
with) and never in the project's ``.venv``:

    python3.11 -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install -r benchmarks/requirements.txt
    .venv/bin/python benchmarks/bench_summary.py --lifetimes-python /tmp/benchvenv/bin/python
    .venv/bin/python benchmarks/bench_summary.py --sizes 1000000 --skip lifetimes      # quick run

lifetimes is only run up to ``--lifetimes-max`` rows (default 10M; it builds Python-object columns and is far
slower), and each run has a ``--timeout``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _common import LIFETIMES_PYTHON, run_worker

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
AS_OF = "2025-12-31"


# ----------------------------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------------------------
def build_orders(n: int, path: Path, seed: int = 11, chunk: int = 5_000_000) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    members = max(n // 10, 1)
    dictionary = pa.array([f"M{i:08d}" for i in range(members)], pa.string())
    start = np.datetime64("2023-01-01T00:00:00", "s")
    span = 3 * 365 * 86400
    # member activity is skewed: a Gamma-distributed weight per member
    weight = rng.gamma(0.8, 1.0, members)
    cdf = np.cumsum(weight) / weight.sum()
    schema = pa.schema([("member_id", pa.string()), ("order_ts", pa.timestamp("ns")), ("net_amount", pa.float64()),
                        ("status", pa.dictionary(pa.int8(), pa.string()))])
    status_dict = pa.array(["paid", "refunded"], pa.string())
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as w:
        for lo in range(0, n, chunk):
            k = min(chunk, n - lo)
            mem = np.searchsorted(cdf, rng.random(k)).clip(0, members - 1).astype(np.int32)
            ts = (start + rng.integers(0, span, k).astype("timedelta64[s]")).astype("datetime64[ns]")
            net = np.round(rng.gamma(2.0, 60.0, k) + 3, 2)
            st = (rng.random(k) < 0.03).astype(np.int8)
            ids = pa.DictionaryArray.from_arrays(pa.array(mem), dictionary).cast(pa.string())
            tbl = pa.table({"member_id": ids, "order_ts": pa.array(ts, pa.timestamp("ns")), "net_amount": net,
                            "status": pa.DictionaryArray.from_arrays(pa.array(st), status_dict)}, schema=schema)
            w.write_table(tbl)
    tmp.rename(path)


# ----------------------------------------------------------------------------------------------------------------
# workers (run in a subprocess)
# ----------------------------------------------------------------------------------------------------------------
def _status_bytes(field: str) -> int:
    """A memory figure of this process from /proc/self/status (``VmHWM`` peak, ``VmRSS`` current), in bytes."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _hwm_bytes() -> int:
    return _status_bytes("VmHWM")


def _rss_bytes() -> int:
    return _status_bytes("VmRSS")


def _reset_hwm() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS (Linux ≥ 4.0), so the next reading is the peak
    of what follows. False where not allowed: the compute peak then includes the load's peak."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


DUCKDB_SQL = """
WITH o AS (
    SELECT member_id, CAST(order_ts AS DATE) AS d, net_amount
    FROM orders
    WHERE status <> 'refunded' AND CAST(order_ts AS DATE) <= DATE '{as_of}'
), daily AS (
    SELECT member_id, d, SUM(net_amount) AS spend, COUNT(*) AS n FROM o GROUP BY member_id, d
), m AS (
    SELECT member_id, MIN(d) AS first_day, MAX(d) AS last_day, COUNT(*) AS purchase_days, SUM(n) AS frequency,
           SUM(spend) AS monetary_total, ARG_MIN(spend, d) AS first_day_spend
    FROM daily GROUP BY member_id
)
SELECT member_id, first_day AS first_purchase, last_day AS last_purchase,
       DATE '{as_of}' - last_day AS recency, DATE '{as_of}' - first_day AS tenure,
       frequency, purchase_days, monetary_total, monetary_total / frequency AS monetary_mean,
       CASE WHEN purchase_days > 1 THEN (monetary_total - first_day_spend) / (purchase_days - 1) END
           AS monetary_repeat_mean,
       purchase_days - 1 AS x, CAST(last_day - first_day AS DOUBLE) AS t_x,
       CAST(DATE '{as_of}' - first_day AS DOUBLE) AS "T"
FROM m ORDER BY member_id
"""


def worker(kind: str, path: str) -> dict:
    import pandas as pd

    if kind == "ours":
        sys.path.insert(0, str(ROOT))
        from helpers.behavior import member_summary
    elif kind == "duckdb":
        import duckdb
    elif kind == "lifetimes":
        from lifetimes.utils import summary_data_from_transaction_data
    import gc

    baseline = _rss_bytes()  # interpreter + libraries, before any data
    t0 = time.perf_counter()
    df = pd.read_parquet(path)
    if kind == "lifetimes":
        df["status"] = df["status"].astype(str)
    t_load = time.perf_counter() - t0
    input_bytes = int(df.memory_usage(deep=True).sum())
    gc.collect()
    load_peak = _hwm_bytes()
    hwm_reset = _reset_hwm()
    rss_before = _rss_bytes()
    t0 = time.perf_counter()
    if kind == "ours":
        res = member_summary(df, AS_OF)
    elif kind == "duckdb":
        con = duckdb.connect()
        con.register("orders", df)
        res = con.execute(DUCKDB_SQL.format(as_of=AS_OF)).df()
    elif kind == "lifetimes":
        paid = df[df["status"] != "refunded"]
        res = summary_data_from_transaction_data(paid, "member_id", "order_ts", monetary_value_col="net_amount",
                                                 observation_period_end=AS_OF, freq="D")
    else:
        raise ValueError(kind)
    seconds = time.perf_counter() - t0
    return {"kind": kind, "rows": len(df), "members": len(res), "load_s": t_load, "compute_s": seconds,
            "input_bytes": input_bytes, "baseline_bytes": baseline, "rss_before_compute": rss_before,
            "compute_peak_bytes": _hwm_bytes(), "hwm_reset": hwm_reset,
            "process_peak_bytes": max(load_peak, _hwm_bytes()),
            "x_sum": float(res["x" if "x" in res else "frequency"].sum())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000000,10000000,50000000")
    ap.add_argument("--lifetimes-python", default=LIFETIMES_PYTHON)
    ap.add_argument("--lifetimes-max", type=int, default=10_000_000)
    ap.add_argument("--skip", default="", help="comma-separated: ours,duckdb,lifetimes")
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker, a.file)))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, a.skip.split(",")))
    rows = []
    print(f"{'orders':>11} {'engine':<10} {'compute s':>10} {'vs duckdb':>10} {'input GiB':>10} {'working GiB':>12} "
          f"{'peak/input':>10} {'proc peak/input':>15} {'members':>10}", flush=True)
    for n in (int(s) for s in a.sizes.split(",")):
        path = OUT / f"orders_{n}.parquet"
        if not path.exists():
            t0 = time.perf_counter()
            build_orders(n, path)
            print(f"# built {path.name} in {time.perf_counter() - t0:.0f} s", flush=True)
        res = {}
        for kind in ("ours", "duckdb", "lifetimes"):
            if kind in skip:
                continue
            if kind == "lifetimes" and n > a.lifetimes_max:
                res[kind] = {"kind": kind, "error": f"not run above {a.lifetimes_max:,} rows"}
            else:
                py = a.lifetimes_python if kind == "lifetimes" else sys.executable
                res[kind] = run_worker(__file__, kind, path, py, a.timeout)
        duck = res.get("duckdb", {}).get("compute_s")
        for kind, r in res.items():
            if "error" in r:
                print(f"{n:>11,} {kind:<10} {r['error']}", flush=True)
            else:
                rel = f"{r['compute_s'] / duck:.2f}x" if duck else "-"
                working = max(r["compute_peak_bytes"] - r["rss_before_compute"], 0)
                note = "" if r["hwm_reset"] else "  (peak mark not resettable: working includes the load)"
                print(f"{n:>11,} {kind:<10} {r['compute_s']:>10.2f} {rel:>10} {r['input_bytes'] / 2**30:>10.3f} "
                      f"{working / 2**30:>12.3f} {(r['input_bytes'] + working) / r['input_bytes']:>10.2f} "
                      f"{(r['process_peak_bytes'] - r['baseline_bytes']) / r['input_bytes']:>15.2f} "
                      f"{r['members']:>10,}{note}", flush=True)
            rows.append({"orders": n, **r})
        ours = res.get("ours", {})
        if "compute_s" in ours and duck:
            ratio = ours["compute_s"] / duck
            mem = (ours["input_bytes"] + max(ours["compute_peak_bytes"] - ours["rss_before_compute"], 0)) \
                / ours["input_bytes"]
            print(f"{'':>11} targets: time <= 2x DuckDB {'met' if ratio <= 2 else 'MISSED'} ({ratio:.2f}x); "
                  f"peak/input <= 3 {'met' if mem <= 3 else 'MISSED'} ({mem:.2f})", flush=True)
    (OUT / "bench_summary.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
