"""Modules 02, 06 and 08's per-member work on pandas and on DuckDB, side by side (issue 16, part D).

What: the four dispatch calls of the notebooks — ``behavior.cohorts_for``, ``behavior.category_intervals_for``,
``tiers.qualification_for``, ``experiments.outcomes_for`` — with ``engine="pandas"`` (the helper on frames already
in memory: the load is not counted) and ``engine="duckdb"`` (reading the Parquet files of a snapshot-like folder,
as in ``python -m helpers report --engine duckdb``), on synthetic data: about 10 orders a member over three years,
3 % refunded, one or two lines an order over 60 products in 12 categories, 4 campaigns contacting 10 % of the
members each. Every pair is checked equal (counts exactly, floats to 1e-9 relative) before its time is printed.

    .venv/bin/python benchmarks/bench_engine_dispatch.py                 # 1M orders
    .venv/bin/python benchmarks/bench_engine_dispatch.py --orders 5000000
    .venv/bin/python benchmarks/bench_engine_dispatch.py --quick         # 100k orders

Seconds of one call each, in one process (DuckDB on every core above 2M rows, on one below: see
``helpers/engine/route.py``); the machine's other load moves them, so read the two columns of one run together.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AS_OF = "2025-12-31"


def build(folder: Path, n: int, seed: int = 16) -> None:
    """A snapshot-like folder: orders, order_items, products, campaigns, campaign_contacts (Parquet, µs times)."""
    rng = np.random.default_rng(seed)
    members = max(n // 10, 10)
    weight = rng.gamma(0.8, 1.0, members)
    mem = np.searchsorted(np.cumsum(weight) / weight.sum(), rng.random(n)).clip(0, members - 1)
    ts = np.datetime64("2023-01-01T00:00:00", "s") + rng.integers(0, 3 * 365 * 86400, n).astype("timedelta64[s]")
    orders = pd.DataFrame({"order_id": pd.array([f"O{i:09d}" for i in range(n)], dtype="string"),
                           "member_id": pd.array([f"M{i:08d}" for i in mem], dtype="string"),
                           "order_ts": ts.astype("datetime64[us]"),
                           "net_amount": np.round(rng.gamma(2.0, 60.0, n) + 3, 2),
                           "status": np.where(rng.random(n) < 0.03, "refunded", "paid")})
    lines = 1 + (rng.random(n) < 0.4)
    items = pd.DataFrame({"order_id": np.repeat(orders["order_id"].to_numpy(), lines),
                          "product_id": [f"P{j:02d}" for j in rng.integers(0, 60, int(lines.sum()))]})
    products = pd.DataFrame({"product_id": [f"P{j:02d}" for j in range(60)],
                             "category": [f"品类{j % 12:02d}" for j in range(60)]})
    campaigns = pd.DataFrame({"campaign_id": [f"C{k}" for k in range(4)],
                              "start_date": pd.to_datetime(["2025-03-01", "2025-06-01", "2025-09-01", "2025-11-01"]),
                              "end_date": pd.to_datetime(["2025-03-14", "2025-06-21", "2025-09-10", "2025-11-30"])})
    contacts = pd.concat([pd.DataFrame({"campaign_id": c, "member_id": [f"M{i:08d}" for i in
                                                                       rng.choice(members, members // 10, replace=False)],
                                        "arm": np.where(rng.random(members // 10) < 0.2, "control", "coupon")})
                          for c in campaigns["campaign_id"]], ignore_index=True)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in (("orders", orders), ("order_items", items), ("products", products), ("campaigns", campaigns),
                     ("campaign_contacts", contacts)):
        df.to_parquet(folder / f"{name}.parquet", index=False, coerce_timestamps="us")
    (folder / "snapshot.json").write_text(json.dumps({"bench": True}), encoding="utf-8")


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--quick", action="store_true", help="100,000 orders")
    args = p.parse_args(argv)
    n = 100_000 if args.quick else args.orders
    warnings.filterwarnings("ignore")
    from helpers import behavior, tiers
    from helpers import experiments as X

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "snapshot"
        build(folder, n)
        orders = pd.read_parquet(folder / "orders.parquet")
        items, products = pd.read_parquet(folder / "order_items.parquet"), pd.read_parquet(folder / "products.parquet")
        campaigns = pd.read_parquet(folder / "campaigns.parquet")
        contacts, _ = X.clean_contacts(pd.read_parquet(folder / "campaign_contacts.parquet"), campaigns)
        panel = tiers.monthly_panel(orders, AS_OF)
        rules = tiers.TierRules()
        calls = {
            "cohorts (02)": lambda e: behavior.cohorts_for(orders, AS_OF, engine=e, data_dir=folder, max_months=12),
            "category intervals (02)": lambda e: behavior.category_intervals_for(
                orders, items, products, as_of=AS_OF, engine=e, data_dir=folder),
            "tier window at as-of (06)": lambda e: tiers.qualification_for(orders, AS_OF, rules, engine=e,
                                                                           data_dir=folder, panel=panel),
            "campaign outcomes (08)": lambda e: X.outcomes_for(contacts, orders, campaigns, engine=e, data_dir=folder),
        }
        print(f"{n:,} orders, {orders['member_id'].nunique():,} members, {len(items):,} order lines, "
              f"{len(contacts):,} contacts")
        print(f"{'computation':<28}{'pandas s':>10}{'duckdb s':>10}  equal")
        for name, call in calls.items():
            want, t_pandas = _timed(lambda call=call: call("pandas"))
            got, t_duck = _timed(lambda call=call: call("duckdb"))
            print(f"{name:<28}{t_pandas:>10.2f}{t_duck:>10.2f}  {_equal(got, want)}")
    return 0


def _equal(got, want) -> bool:
    """Counts exactly, floats to 1e-9 relative (sums of money added in another order)."""
    if hasattr(want, "retention"):
        return all(_equal(getattr(got, f), getattr(want, f)) for f in ("sizes", "active", "later", "retention"))
    try:
        if isinstance(want, pd.Series):
            pd.testing.assert_series_equal(got, want, check_exact=False, rtol=1e-9)
        else:
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
    except AssertionError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
