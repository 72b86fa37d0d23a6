"""Benchmark of ``helpers.data.load`` on large synthetic orders tables: CSV vs Parquet, side by side.

Builds an orders table of N rows (default 1M and 10M) with the contract's column names in a temporary directory,
writes it as UTF-8 CSV and as Parquet, then loads each in a fresh subprocess (so peak memory is that load's own)
and prints load time, rows/s and peak RSS.

    .venv/bin/python benchmarks/bench_load.py                  # 1M and 10M orders
    .venv/bin/python benchmarks/bench_load.py --sizes 200000   # quick run
    .venv/bin/python benchmarks/bench_load.py --sizes 1000000 --as-of 2024-06-30   # about half out of scope
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers import tables as T  # noqa: E402


def build_orders(n: int, seed: int = 7) -> pa.Table:
    """An orders table of n rows with every contract column; values all valid."""
    rng = np.random.default_rng(seed)
    members = max(n // 20, 1)
    start = np.datetime64("2023-01-01T00:00:00", "s")
    ts = start + rng.integers(0, 3 * 365 * 86400, n).astype("timedelta64[s]")
    gross = np.round(rng.gamma(2.0, 80.0, n), 2)
    discount = np.round(gross * rng.uniform(0, 0.3, n), 2)
    o = T.ORDERS
    cols = {
        "order_id": pa.array(np.char.add("O", np.arange(n).astype(str))),
        "member_id": pa.array(np.char.add("M", rng.integers(0, members, n).astype(str))),
        "order_ts": pa.array(ts),
        "store_id": pa.array(np.char.add("S", rng.integers(0, 200, n).astype(str))),
        "channel": pa.array(np.asarray(o.column("channel").allowed)[rng.integers(0, 3, n)]),
        "payment_method": pa.array(np.asarray(o.column("payment_method").allowed)[rng.integers(0, 5, n)]),
        "gross_amount": pa.array(gross),
        "discount_amount": pa.array(discount),
        "net_amount": pa.array(np.round(gross - discount, 2)),
        "points_earned": pa.array(np.floor(gross - discount).astype("int64")),
        "points_redeemed": pa.array(rng.integers(0, 50, n)),
        "status": pa.array(np.where(rng.random(n) < 0.03, "refunded", "paid")),
    }
    return pa.table(cols)


def _child(path: str, as_of: str | None) -> None:
    import resource

    import pandera.pandas  # noqa: F401  (import cost is not load cost)

    from helpers import data

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    ds = data.load(path, as_of=as_of)
    dt = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    peak_kb = r1.ru_maxrss
    print(json.dumps({"seconds": dt, "cpu": cpu, "rows": int(ds.counts.loc["orders", "rows_read"]),
                      "kept": int(ds.counts.loc["orders", "rows_kept"]),
                      "out_of_scope": int(ds.counts.loc["orders", "rows_out_of_scope"]), "peak_mib": peak_kb / 1024}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--as-of", default=None, help="load with this as-of (orders span 2023-01-01 … 2025-12-31)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.as_of)
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        for n in args.sizes:
            table = build_orders(n)
            for fmt in ("csv", "parquet"):
                path = Path(tmp) / f"orders_{n}.{fmt}"
                t0 = time.perf_counter()
                if fmt == "csv":
                    pacsv.write_csv(table, path)
                else:
                    pq.write_table(table, path)
                build_s = time.perf_counter() - t0
                cmd = [sys.executable, __file__, "--child", str(path)] + (["--as-of", args.as_of] if args.as_of else [])
                out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                assert r["kept"] + r["out_of_scope"] == n, r
                r.update(n=n, fmt=fmt, mib=path.stat().st_size / 2**20, build_s=build_s)
                results.append(r)
                print(f"  {n:>11,} {fmt:<8} {r['seconds']:7.2f} s", file=sys.stderr, flush=True)
                path.unlink()
            del table
    # wall time depends on what else runs on the machine; CPU time (user + sys, all threads) much less so
    print(f"{'orders':>11} {'format':<8} {'file MiB':>9} {'load s':>8} {'cpu s':>8} {'rows/s':>12} {'peak MiB':>9} "
          f"{'out of scope':>13}")
    for r in results:
        print(f"{r['n']:>11,} {r['fmt']:<8} {r['mib']:>9.0f} {r['seconds']:>8.2f} {r['cpu']:>8.2f} "
              f"{r['n'] / r['seconds']:>12,.0f} {r['peak_mib']:>9.0f} {r['out_of_scope']:>13,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
