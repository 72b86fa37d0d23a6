"""Benchmark: module 07's association rules (``helpers.bundles.mine_rules``: mlxtend FP-growth on small data, exact
pair counts from one sparse matrix product beyond :data:`helpers.bundles.DENSE_LIMIT` one-hot cells) and recommender
(``helpers.recommend``: count matrix, item-item similarity, single-thread float64 implicit ALS, hybrid weights tuned
on a deterministic sample of at most 20,000 members over three validation months, top-3 for every member and a
time-split evaluation) on many members.

Order lines are simulated directly in the shape :func:`helpers.bundles.paid_lines` returns, then coded once with
:func:`helpers.recommend.encode` (``encode_s``) as the notebook does: each member buys
Poisson(12) orders in a year of 3 lines on average; 500 products in 10 categories with Zipf popularity; a member
draws most lines from two favourite categories and re-buys her own favourite products (so buy-again is a strong
baseline, as in a supermarket); a few product pairs are bought together (real rules to find). The table shows
rows, basket building (distinct order × product) and mining time, the mining method and rules found, weight tuning (on the month before the test month) / fit / recommend /
evaluate times and the hybrid's recall@10 against the popularity and buy-again baselines (a sanity check, not a
quality claim; no products table here, so the hybrid has no content part).

    .venv/bin/python benchmarks/bench_marketing.py                    # 1M members (~15 min, 13M orders, 10 GB)
    .venv/bin/python benchmarks/bench_marketing.py --sizes 20000      # quick run
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from helpers import bundles, recommend

AS_OF = pd.Timestamp("2025-12-31")
N_ITEMS, N_CATS = 500, 10


def simulate(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    orders_per = rng.poisson(12, n) + 1
    member = np.repeat(np.arange(n), orders_per)
    n_orders = len(member)
    day = rng.integers(0, 365, n_orders)
    lines_per = rng.poisson(2, n_orders) + 1
    order = np.repeat(np.arange(n_orders), lines_per)
    m = member[order]
    cat_pref = rng.integers(0, N_CATS, (n, 2))
    fav_items = rng.integers(0, N_ITEMS, (n, 4))
    u = rng.random(len(order))
    pop = 1 / np.arange(1, N_ITEMS // N_CATS + 1) ** 1.1
    pop /= pop.sum()
    within = rng.choice(N_ITEMS // N_CATS, len(order), p=pop)
    cat = np.where(u < 0.7, cat_pref[m, rng.integers(0, 2, len(order))], rng.integers(0, N_CATS, len(order)))
    item = np.where(u < 0.35, fav_items[m, rng.integers(0, 4, len(order))], cat * (N_ITEMS // N_CATS) + within)
    pair = rng.random(len(order)) < 0.05  # a partner product: item + 1 in the same category
    extra_order, extra_item = order[pair], np.minimum(item[pair] + 1, N_ITEMS - 1)
    order, item = np.r_[order, extra_order], np.r_[item, extra_item]
    days = (AS_OF - pd.Timestamp("1970-01-01")).days - 364 + day[order]
    # plain str ids as paid_lines gives them, one str object per distinct id shared by its rows (a million members'
    # order lines would otherwise hold a separate str per row and cell: several GB)
    def ids(prefix, codes, n_ids):
        return np.array([f"{prefix}{i}" for i in range(n_ids)], dtype=object)[codes]

    return pd.DataFrame({"order_id": ids("O", order, n_orders), "member_id": ids("M", member[order], n),
                         "product_id": ids("P", 1000 + item, 1000 + N_ITEMS),
                         "ts": pd.to_datetime(days, unit="D"), "day": days})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000", help="comma-separated member counts (default 1000000)")
    args = ap.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        lines = simulate(n, 1)
        row = {"members": n, "order_lines": len(lines), "orders": lines["order_id"].nunique()}
        t0 = time.perf_counter()
        lines = recommend.encode(lines)  # ids coded once, as the notebook does: baskets and matrices use the codes
        row["encode_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        baskets = bundles.baskets(lines)
        row["baskets_s"] = round(time.perf_counter() - t0, 2)
        cells = row["orders"] * baskets["product_id"].nunique()
        t0 = time.perf_counter()
        rules = bundles.mine_rules(baskets, min_support=0.002, min_confidence=0.1)
        row.update({"rules_s": round(time.perf_counter() - t0, 2), "rules": len(rules),
                    "rules_method": "pairs" if cells > bundles.DENSE_LIMIT else "mlxtend"})
        del baskets
        cut = AS_OF - pd.Timedelta(days=30)
        t0 = time.perf_counter()
        weights, _, tuned = recommend.tune_weights(lines, None, cut - pd.Timedelta(days=30), cut,
                                                   return_model=True)  # as the notebook does
        row["tune_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        train = recommend.interactions(lines, cut)
        model = recommend.Recommender(seed=0, weights=weights).fit(train, warm=tuned)  # ALS warm-started
        row["fit_s"] = round(time.perf_counter() - t0, 2)
        test = recommend.held_out(lines, cut, AS_OF)
        test = test.iloc[:: max(1, len(test) // 20000)]  # evaluate on at most ~20,000 members
        t0 = time.perf_counter()
        ev = recommend.evaluate(model, test, methods=("popularity", "personal_frequency", "hybrid"))
        row["evaluate_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        top3 = model.recommend("hybrid", train.members, 3)
        row.update({"top3_all_s": round(time.perf_counter() - t0, 2), "top3_rows": len(top3),
                    "recall_hybrid": round(ev.loc["hybrid", "recall_at_10"], 4),
                    "recall_popularity": round(ev.loc["popularity", "recall_at_10"], 4),
                    "recall_buy_again": round(ev.loc["personal_frequency", "recall_at_10"], 4)})
        rows.append(row)
        print(row, flush=True)
    print()
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
