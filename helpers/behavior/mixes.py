"""Structure views (结构分析): what members buy (category mix) and where and how they pay (channel / payment mix).

Why here: each is a table a module shows and the report exports; all of them count only paid orders up to the
as-of day (:func:`helpers.behavior.paid_orders`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior.purchases import paid_orders

__all__ = ["category_mix", "channel_mix", "mix", "payment_mix"]


def category_mix(orders: pd.DataFrame, order_items: pd.DataFrame, products: pd.DataFrame, *,
                 per_member: bool = False, level: str = "category", as_of=None,
                 include_refunds: bool = False) -> pd.DataFrame:
    """Spend by product category (``level="category"`` or ``"subcategory"``).

    Overall (default): one row per category with ``items`` (quantity), ``orders``, ``members``, ``spend``
    (line amounts, 元) and ``spend_share``, sorted by spend. ``per_member=True``: a member × category matrix of
    spend shares (rows sum to 1) — the input for preference tags and clustering. Refunded orders are excluded.
    """
    o = paid_orders(orders, as_of, include_refunds=include_refunds)[["order_id", "member_id"]]
    li = order_items.merge(o, on="order_id", how="inner").merge(
        products[["product_id", level]], on="product_id", how="left")
    amount = li["line_amount"] if "line_amount" in li else li["quantity"] * li["unit_price"]
    li = li.assign(_amount=amount.astype(float), _qty=li.get("quantity", 1))
    li[level] = li[level].astype(object).fillna("未知品类")
    if per_member:
        m = li.pivot_table(index="member_id", columns=level, values="_amount", aggfunc="sum", fill_value=0.0,
                           observed=True)
        return m.div(m.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    g = li.groupby(level, observed=True).agg(items=("_qty", "sum"), orders=("order_id", "nunique"),
                                             members=("member_id", "nunique"), spend=("_amount", "sum"))
    g["spend_share"] = g["spend"] / g["spend"].sum()
    return g.sort_values("spend", ascending=False)


def mix(orders: pd.DataFrame, column: str, *, as_of=None, include_refunds: bool = False) -> pd.DataFrame:
    """Orders, members, spend and their shares by the values of ``column`` (e.g. channel, payment_method).

    Columns: ``orders``, ``members`` (distinct members using it), ``net_amount``, ``avg_order_value``,
    ``order_share``, ``spend_share``; sorted by orders. Missing values are shown as 未知.
    """
    o = paid_orders(orders, as_of, include_refunds=include_refunds)
    if column not in o.columns:
        raise KeyError(f"orders has no column {column!r}")
    key = o[column].astype(object).fillna("未知")
    g = o.assign(_k=key).groupby("_k", observed=True).agg(
        orders=("member_id", "size"), members=("member_id", "nunique"), net_amount=("net_amount", "sum"))
    g.index.name = column
    g["avg_order_value"] = g["net_amount"] / g["orders"]
    g["order_share"] = g["orders"] / g["orders"].sum()
    g["spend_share"] = g["net_amount"] / g["net_amount"].sum()
    return g.sort_values("orders", ascending=False)


def channel_mix(orders: pd.DataFrame, **kw) -> pd.DataFrame:
    """:func:`mix` by ``channel`` (门店 / 线上商城 / 小程序)."""
    return mix(orders, "channel", **kw)


def payment_mix(orders: pd.DataFrame, **kw) -> pd.DataFrame:
    """:func:`mix` by ``payment_method`` (微信支付 / 支付宝 / …)."""
    return mix(orders, "payment_method", **kw)
