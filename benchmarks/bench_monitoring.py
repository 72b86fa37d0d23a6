"""Benchmark: module 10's monitoring helpers on large order tables (how the monthly page scales).

Builds an orders table of N rows (members, timestamps over three years, amounts, 3 % refunds; numpy, seeded) and
times each step of module 10: the monthly KPI tree (``monthly_kpis``), the LMDI split of the last month's change,
daily paid sales with gaps filled (``daily_sales``) and STL + robust-z anomaly detection (``detect_anomalies``;
its cost depends on the number of days, not of orders). Prints figures only.

    .venv/bin/python benchmarks/bench_monitoring.py                     # 1M and 10M orders
    .venv/bin/python benchmarks/bench_monitoring.py --sizes 200000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from helpers import monitoring as M


def make_orders(n: int, seed: int = 20251231) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    members = max(1, n // 15)
    start = np.datetime64("2023-01-01T00:00:00")
    seconds = rng.integers(0, 3 * 365 * 86400, n)
    return pd.DataFrame({
        "member_id": pd.array((rng.integers(0, members, n)).astype(str), dtype="string"),
        "order_ts": start + seconds.astype("timedelta64[s]"),
        "net_amount": rng.gamma(2.0, 100.0, n).round(2),
        "status": np.where(rng.random(n) < 0.03, "refunded", "paid"),
    })


def bench(n: int) -> dict:
    orders = make_orders(n)
    row = {"orders": n}
    t = time.perf_counter()
    monthly = M.monthly_kpis(orders)
    row["monthly_kpis_s"] = time.perf_counter() - t
    t = time.perf_counter()
    M.decompose_change(monthly.iloc[-2], monthly.iloc[-1])
    row["lmdi_s"] = time.perf_counter() - t
    t = time.perf_counter()
    daily = M.daily_sales(orders)
    row["daily_sales_s"] = time.perf_counter() - t
    t = time.perf_counter()
    found = M.detect_anomalies(daily)
    row["anomalies_s"] = time.perf_counter() - t
    row["days"] = len(daily)
    row["anomaly_days"] = int(found["anomaly"].sum())
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    args = parser.parse_args(argv)
    rows = [bench(n) for n in args.sizes]
    table = pd.DataFrame(rows).set_index("orders")
    print(table.round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
