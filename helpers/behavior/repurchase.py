"""Repurchase intervals by category (品类复购间隔): how many days pass between a member's purchases of one category.

Why: a category's repurchase cycle sets when a reminder or a coupon is due (fresh food weekly, appliances yearly).
The interval is measured per member and category, between consecutive *distinct days* on which the member bought
that category in a paid order, and summarised per category. Two caveats the notebook shows against the truth: a
gap is only observed when both purchases fall inside the data window, so long cycles are cut short (right
censoring), and members who buy a category often contribute more gaps than members who buy it rarely.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior.purchases import _days, paid_orders

__all__ = ["category_repurchase_intervals"]


def category_repurchase_intervals(orders: pd.DataFrame, order_items: pd.DataFrame, products: pd.DataFrame, *,
                                  as_of=None, level: str = "category",
                                  include_refunds: bool = False) -> pd.DataFrame:
    """Per category (``level="category"`` or ``"subcategory"``): the days between consecutive purchase days of
    that category by the same member, over paid orders on or before ``as_of``.

    Columns: ``gaps`` (number of intervals observed), ``members`` (members with at least one interval),
    ``median_gap_days``, ``mean_gap_days``; one row per category that appears in the paid orders (NaN and 0 gaps
    where nobody bought it twice), sorted by median gap. Lines whose product has no category count as 未知品类.
    """
    o = paid_orders(orders, as_of, include_refunds=include_refunds)
    o = pd.DataFrame({"order_id": o["order_id"].to_numpy(), "member_id": o["member_id"].to_numpy(),
                      "day": _days(o["order_ts"])})
    li = order_items[["order_id", "product_id"]].merge(o, on="order_id", how="inner").merge(
        products[["product_id", level]], on="product_id", how="left")
    cat = li[level].astype(object).fillna("未知品类")
    visits = pd.DataFrame({"member_id": li["member_id"].astype(str).to_numpy(), "cat": cat.to_numpy(),
                           "day": li["day"].to_numpy(np.int64)}).drop_duplicates()
    visits = visits.sort_values(["member_id", "cat", "day"], kind="mergesort")
    same = (visits["member_id"].to_numpy()[1:] == visits["member_id"].to_numpy()[:-1]) & (
        visits["cat"].to_numpy()[1:] == visits["cat"].to_numpy()[:-1])
    gap_days = np.diff(visits["day"].to_numpy())[same].astype(float)
    gaps = pd.DataFrame({"cat": visits["cat"].to_numpy()[1:][same], "member_id": visits["member_id"].to_numpy()[1:][same],
                         "gap": gap_days})
    g = gaps.groupby("cat").agg(gaps=("gap", "size"), members=("member_id", "nunique"),
                                median_gap_days=("gap", "median"), mean_gap_days=("gap", "mean"))
    everything = pd.Index(sorted(visits["cat"].unique(), key=str), name=level)
    g = g.reindex(everything)
    g[["gaps", "members"]] = g[["gaps", "members"]].fillna(0).astype(np.int64)
    return g.sort_values("median_gap_days", kind="mergesort")
