"""Browsing funnel and word of mouth (浏览漏斗与口碑传播): view → cart → purchase from the events table, abandoned
carts, and the referral network from ``members.referrer_id`` with share events.

Why together: both read the optional behaviour tables (events, members) beside the orders and both end in a list
for marketing (cart reminders, referral rewards for key opinion consumers, KOC). The funnel unit is a member ×
product pair: a viewed product counts as carted when the member put it in the cart within ``window_days`` of the
first view, and as bought when a paid order line of that product followed within ``window_days`` — events carry
no order id, so this is the usual attribution window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["abandoned_carts", "funnel", "koc_candidates", "referral_comparison", "referral_edges"]


def _purchases(lines: pd.DataFrame | None, since=None) -> pd.DataFrame:
    if lines is None:
        return pd.DataFrame({"member_id": pd.Series(dtype=object), "product_id": pd.Series(dtype=object),
                             "ts": pd.Series(dtype="datetime64[ns]")})
    li = lines if since is None else lines[lines["ts"] >= since]
    return li[["member_id", "product_id", "ts"]]


def _first_after(left: pd.DataFrame, right: pd.DataFrame, window_days: int) -> np.ndarray:
    """For each (member, product, ts) row of ``left``: is there a ``right`` row of the same pair at or after ts,
    within ``window_days``?"""
    if left.empty or right.empty:
        return np.zeros(len(left), dtype=bool)
    lft = left.reset_index(drop=True).assign(_row=np.arange(len(left)))
    m = lft.merge(right.rename(columns={"ts": "ts_r"}), on=["member_id", "product_id"], how="inner")
    hit = (m["ts_r"] >= m["ts"]) & (m["ts_r"] <= m["ts"] + pd.Timedelta(days=int(window_days)))
    out = np.zeros(len(left), dtype=bool)
    out[m.loc[hit, "_row"].to_numpy()] = True
    return out


def funnel(events: pd.DataFrame, lines: pd.DataFrame | None, products: pd.DataFrame | None, as_of, *,
           window_days: int = 7, by=("category", "channel")) -> pd.DataFrame:
    """Viewed, carted and bought member × product pairs (purchases from the paid order lines ``lines`` of
    :func:`helpers.bundles.paid_lines`) (first view up to ``as_of − window_days``, so every pair
    had its full window) grouped by ``by`` (product ``category`` and the view's ``channel``), with the rates
    ``cart_rate`` (carted ÷ viewed), ``buy_after_cart`` (bought among carted) and ``view_to_buy``."""
    a = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    e = events[(events["event_ts"] < a - pd.Timedelta(days=int(window_days))) | (events["event_type"] != "view")]
    e = e[e["event_ts"] < a]
    ev = pd.DataFrame({"member_id": e["member_id"].astype(str).to_numpy(), "product_id": e["product_id"].astype(str).to_numpy(),
                       "ts": e["event_ts"].to_numpy(), "type": e["event_type"].astype(str).to_numpy(),
                       "channel": e["channel"].astype(str).to_numpy() if "channel" in e.columns else "未知"})
    views = ev[(ev["type"] == "view") & (ev["ts"] < a - pd.Timedelta(days=int(window_days)))]
    views = views.sort_values("ts", kind="mergesort").drop_duplicates(["member_id", "product_id"])
    carts = ev.loc[ev["type"] == "cart", ["member_id", "product_id", "ts"]]
    v = views[["member_id", "product_id", "ts", "channel"]].copy()
    v["carted"] = _first_after(v, carts, window_days)
    buys = _purchases(lines, v["ts"].min() if len(v) else None)
    v["bought"] = _first_after(v, buys, window_days)
    if products is not None and "category" in products.columns:
        cat = products.assign(product_id=products["product_id"].astype(str)).set_index("product_id")["category"]
        v["category"] = cat.reindex(v["product_id"]).astype(object).fillna("未知品类").to_numpy()
    else:
        v["category"] = "全部"
    keys = [k for k in by if k in v.columns]
    v["both"] = v["carted"] & v["bought"]
    g = v.groupby(keys, observed=True).agg(viewed=("carted", "size"), carted=("carted", "sum"),
                                           bought=("bought", "sum"), bought_after_cart=("both", "sum"))
    g["cart_rate"] = g["carted"] / g["viewed"]
    g["buy_after_cart"] = g["bought_after_cart"] / g["carted"].where(g["carted"] > 0)
    g["view_to_buy"] = g["bought"] / g["viewed"]
    return g.sort_index()


def abandoned_carts(events: pd.DataFrame, lines: pd.DataFrame | None, as_of, *, window_days: int = 7,
                    recent_days: int = 14) -> pd.DataFrame:
    """Cart events of the last ``recent_days`` days up to ``as_of`` not followed by a paid purchase of the product
    by the member within ``window_days`` (or until ``as_of``): one row per member × product (latest cart),
    newest first, ties by member and product id."""
    a = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    e = events[(events["event_type"].astype(str) == "cart") & (events["event_ts"] < a)
               & (events["event_ts"] >= a - pd.Timedelta(days=int(recent_days)))]
    c = pd.DataFrame({"member_id": e["member_id"].astype(str).to_numpy(), "product_id": e["product_id"].astype(str).to_numpy(),
                      "ts": e["event_ts"].to_numpy()})
    c = c.sort_values("ts", kind="mergesort").drop_duplicates(["member_id", "product_id"], keep="last")
    buys = _purchases(lines, c["ts"].min() if len(c) else None)
    c = c[~_first_after(c, buys, window_days)]
    c = c.sort_values(["member_id", "product_id"], kind="mergesort").sort_values("ts", ascending=False, kind="mergesort")
    return c.rename(columns={"ts": "cart_ts"}).reset_index(drop=True)


def referral_edges(members: pd.DataFrame) -> pd.DataFrame:
    """Referrer → referred member pairs (``referrer_id``, ``member_id``) where the referrer is a known member;
    self-referrals dropped."""
    m = members[["member_id", "referrer_id"]].dropna()
    m = pd.DataFrame({"referrer_id": m["referrer_id"].astype(str).to_numpy(), "member_id": m["member_id"].astype(str).to_numpy()})
    known = set(members["member_id"].astype(str))
    m = m[m["referrer_id"].isin(known) & (m["referrer_id"] != m["member_id"])]
    return m.sort_values(["referrer_id", "member_id"], kind="mergesort").reset_index(drop=True)


def referral_comparison(members: pd.DataFrame, summary: pd.DataFrame, *, active_days: int = 180) -> pd.DataFrame:
    """Referred members against the others: members, buyers (share with a paid order), retained (share of buyers
    who bought in the last ``active_days`` days), mean spend and mean paid orders per buyer. ``summary`` is
    :func:`helpers.behavior.member_summary` (``recency``, ``monetary_total``, ``frequency``)."""
    referred = members["referrer_id"].notna().to_numpy()
    ids = members["member_id"].astype(str)
    rows = {}
    for name, mask in (("referred", referred), ("others", ~referred)):
        s = summary.reindex(pd.Index(ids[mask]).intersection(summary.index))
        rows[name] = {"members": int(mask.sum()), "buyers": len(s),
                      "buyer_share": len(s) / mask.sum() if mask.sum() else np.nan,
                      "retained": float((s["recency"] <= active_days).mean()) if len(s) else np.nan,
                      "mean_spend": float(s["monetary_total"].mean()) if len(s) else np.nan,
                      "mean_orders": float(s["frequency"].mean()) if len(s) else np.nan}
    return pd.DataFrame.from_dict(rows, orient="index")


def koc_candidates(members: pd.DataFrame, summary: pd.DataFrame, events: pd.DataFrame | None = None, *,
                   active_days: int = 180, top: int = 50) -> pd.DataFrame:
    """Referral-reward candidates (KOC): active members first (a reward for someone who left reaches nobody), then
    by referred members who became buyers, share events and their own spend, ties by member id. Columns ``referred``, ``referred_buyers``,
    ``referred_spend`` (元), ``shares``, ``own_spend``, ``active`` (bought in the last ``active_days`` days)."""
    e = referral_edges(members)
    spend = summary["monetary_total"] if len(summary) else pd.Series(dtype=float)
    e["buyer"] = e["member_id"].isin(summary.index)
    e["spend"] = spend.reindex(e["member_id"]).fillna(0).to_numpy()
    g = e.groupby("referrer_id").agg(referred=("member_id", "size"), referred_buyers=("buyer", "sum"),
                                     referred_spend=("spend", "sum"))
    if events is not None and "event_type" in events.columns:
        sh = events.loc[events["event_type"].astype(str) == "share", "member_id"].astype(str).value_counts()
        g = g.reindex(g.index.union(sh.index)).fillna(0)
        g["shares"] = sh.reindex(g.index).fillna(0)
    else:
        g["shares"] = 0.0
    g["own_spend"] = spend.reindex(g.index).fillna(0).to_numpy()
    g["active"] = (summary["recency"].reindex(g.index) <= active_days).fillna(False).to_numpy(bool)
    g = g.astype({"referred": "int64", "referred_buyers": "int64", "shares": "int64"})
    g.index.name = "member_id"
    g = g.sort_index(kind="mergesort").sort_values(["active", "referred_buyers", "shares", "own_spend"], ascending=False,
                                                    kind="mergesort")
    return g.head(top)
