"""Benchmark: module 06 at scale — the month-by-month tier simulation and the points ledger.

The issue's target: 1M members × 36 months of tier simulation in ≤ 30 s. Members are simulated directly as a
member × month spend panel (Gamma purchase rates, log-normal order values, members joining over the period), the
form :func:`helpers.tiers.monthly_panel` returns; the ledger gets a matching orders frame (points earned = whole 元
of each order, about one order in five redeeming up to the balance). For each size the table shows the time of the
simulation, of the flows and benefit cost, and of the FIFO ledger with 24-month expiry.

    .venv/bin/python benchmarks/bench_tiers.py                     # 1M members × 36 months (the issue's figure)
    .venv/bin/python benchmarks/bench_tiers.py --sizes 100000      # quick run
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from helpers import tiers


def simulate_panel(n: int, months: int, seed: int) -> tiers.Panel:
    rng = np.random.default_rng(seed)
    joined = rng.integers(0, months, n)
    rate = rng.gamma(0.8, 1.5, n)  # orders a month
    orders = rng.poisson(rate[:, None] * np.ones(months)[None, :]) * (np.arange(months)[None, :] >= joined[:, None])
    spend = orders * np.exp(rng.normal(5.0, 0.6, n))[:, None]
    ids = pd.Index([f"B{i:08d}" for i in range(n)], name="member_id", dtype="string")
    return tiers.Panel(ids, pd.period_range("2023-01", periods=months, freq="M"), np.round(spend, 2),
                       np.floor(spend), (orders // 2).astype(np.int32), joined.astype(np.int64))


def simulate_orders(panel: tiers.Panel, seed: int, max_orders: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    member, month = np.nonzero(panel.spend > 0)
    take = slice(0, max_orders)
    member, month = member[take], month[take]
    amount = panel.spend[member, month]
    ts = panel.months[month].to_timestamp() + pd.to_timedelta(rng.integers(0, 27 * 86400, len(member)), unit="s")
    earned = np.floor(amount).astype(np.int64)
    redeemed = np.where(rng.random(len(member)) < 0.2, earned // 2, 0)
    return pd.DataFrame({"member_id": panel.members[member], "order_ts": ts, "net_amount": amount,
                         "points_earned": earned, "points_redeemed": redeemed, "status": "paid"})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000", help="comma-separated member counts (default 1000000)")
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--ledger-orders", type=int, default=5_000_000, help="at most this many orders in the ledger")
    args = ap.parse_args()
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        panel = simulate_panel(n, args.months, 20251231)
        t0 = time.perf_counter()
        path = tiers.simulate_tiers(panel, tiers.DEFAULT_RULES)
        t1 = time.perf_counter()
        tiers.monthly_flows(path)
        tiers.benefit_cost(panel, path)
        t2 = time.perf_counter()
        orders = simulate_orders(panel, 7, args.ledger_orders)
        t3 = time.perf_counter()
        led = tiers.points_ledger(orders, "2025-12-31", 24)
        t4 = time.perf_counter()
        rows.append({"members": n, "months": args.months, "simulate_s": round(t1 - t0, 2),
                     "flows_cost_s": round(t2 - t1, 2), "ledger_orders": len(orders), "ledger_s": round(t4 - t3, 2),
                     "top_tier_share": round(float((path.tier[:, -1] == 3).mean()), 4),
                     "outstanding": led.outstanding})
        print(pd.DataFrame(rows).to_string(index=False), flush=True)


if __name__ == "__main__":
    main()
