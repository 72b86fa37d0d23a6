"""Every member's tier month by month (等级模拟), vectorised over members.

Two steps. :func:`monthly_panel` turns the orders into member × month arrays (paid net spend, points earned on paid
orders, online orders); refunded orders count for nothing. :func:`simulate_tiers` then walks the months once — a loop
of a few dozen steps, each one a handful of NumPy operations over all members — applying a :class:`TierRules`:
at the end of every month the rolling window decides the tier a member qualifies for; a higher one is granted at
once (it may skip levels), a lower one only at the member's review (``period_months`` after reaching the tier plus
``grace_months``) and one level at a time. 1M members × 36 months take a few seconds (benchmarks/bench_tiers.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.tiers.rules import TierRules

__all__ = ["Panel", "TierPath", "monthly_panel", "paid_orders", "qualified_level", "simulate_tiers", "tier_step"]


def paid_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders that count: without a ``status`` column all of them, else those not ``refunded``."""
    if "status" not in orders.columns:
        return orders
    refunded = (orders["status"].astype("string") == "refunded").fillna(False).to_numpy(bool)
    return orders[~refunded]


@dataclass
class Panel:
    """Member × month arrays; ``months`` is a monthly PeriodIndex, ``joined[i]`` the first month member ``i``
    exists (registration, else the first order; clipped to the first month)."""

    members: pd.Index
    months: pd.PeriodIndex
    spend: np.ndarray  # float64 (n, T): paid net amount, 元
    points: np.ndarray  # float64 (n, T): points earned on paid orders
    online: np.ndarray  # int32 (n, T): paid orders outside stores
    joined: np.ndarray  # int64 (n,)

    def values(self, basis: str) -> np.ndarray:
        return self.spend if basis == "spend" else self.points


def monthly_panel(orders: pd.DataFrame, as_of, members: pd.DataFrame | None = None,
                  start=None) -> Panel:
    """Member × month arrays from the first order's month (or ``start``) to the as-of month.

    Orders after the as-of day are ignored. Members are everybody with an order and, when the ``members`` table is
    given, everybody registered by the as-of day (sorted by member id)."""
    as_of = pd.Timestamp(as_of).normalize()
    o = orders[orders["order_ts"] < as_of + pd.Timedelta(days=1)]
    ids = o["member_id"].astype("string")
    reg = None
    if members is not None and "register_ts" in members.columns:
        m = members[members["register_ts"].notna() & (members["register_ts"] < as_of + pd.Timedelta(days=1))]
        reg = pd.Series(m["register_ts"].to_numpy(), index=m["member_id"].astype("string")).groupby(level=0).min()
    all_ids = pd.Index(ids.dropna().unique(), dtype="string")
    if reg is not None:
        all_ids = all_ids.union(reg.index)
    all_ids = all_ids.sort_values()
    all_ids.name = "member_id"
    last = as_of.to_period("M")
    if start is not None:
        first = pd.Timestamp(start).to_period("M")
    elif len(o):
        first = o["order_ts"].min().to_period("M")
    else:
        first = last
    first = min(first, last)
    months = pd.period_range(first, last, freq="M")
    n, T = len(all_ids), len(months)
    p = paid_orders(o)
    row = all_ids.get_indexer(p["member_id"].astype("string"))
    col = (p["order_ts"].dt.year.to_numpy() - first.year) * 12 + (p["order_ts"].dt.month.to_numpy() - first.month)
    keep = (row >= 0) & (col >= 0)
    flat = row[keep].astype(np.int64) * T + col[keep]
    size = n * T

    def acc(values) -> np.ndarray:
        v = np.asarray(pd.Series(values).astype("float64").fillna(0.0).to_numpy())[keep]
        return np.bincount(flat, weights=v, minlength=size).reshape(n, T)

    spend = acc(p["net_amount"])
    points = acc(p["points_earned"]) if "points_earned" in p.columns else np.zeros((n, T))
    if "channel" in p.columns:
        online_flag = (p["channel"].astype("string") != "门店").fillna(False).to_numpy(bool)[keep]
        online = np.bincount(flat[online_flag], minlength=size).reshape(n, T).astype(np.int32)
    else:
        online = np.zeros((n, T), np.int32)
    # first month each member exists: the first order of any status
    arow = all_ids.get_indexer(ids)
    acol = (o["order_ts"].dt.year.to_numpy() - first.year) * 12 + (o["order_ts"].dt.month.to_numpy() - first.month)
    first_any = pd.Series(acol, index=arow).groupby(level=0).min() if len(arow) else pd.Series(dtype="int64")
    joined = np.full(n, T - 1, dtype=np.int64)
    fo = first_any[first_any.index >= 0]
    joined[fo.index.to_numpy()] = np.clip(fo.to_numpy(), 0, T - 1)
    if reg is not None and len(reg):
        r = all_ids.get_indexer(reg.index)
        rm = (reg.dt.year.to_numpy() - first.year) * 12 + (reg.dt.month.to_numpy() - first.month)
        joined[r] = np.minimum(joined[r], np.clip(rm, 0, T - 1))
    return Panel(all_ids, months, spend, points, online, joined)


@dataclass
class TierPath:
    """The simulation's result: ``tier[i, t]`` is member ``i``'s level at the end of month ``t``; ``rolling`` the
    qualification value (window sum) at each month end; ``since[i]`` the month the current tier started."""

    rules: TierRules
    members: pd.Index
    months: pd.PeriodIndex
    tier: np.ndarray  # int8 (n, T)
    rolling: np.ndarray  # float64 (n, T)
    since: np.ndarray  # int64 (n,)
    joined: np.ndarray  # int64 (n,)

    def exists(self) -> np.ndarray:
        """(n, T) True from the month a member joined."""
        return np.arange(len(self.months))[None, :] >= self.joined[:, None]

    def final(self) -> pd.DataFrame:
        """At the last month end: level, tier name, tier_since (the month-end day it started), rolling value."""
        names = np.asarray(self.rules.names, dtype=object)
        lvl = self.tier[:, -1].astype(np.int64) if self.tier.size else np.zeros(len(self.members), np.int64)
        since_day = self.months[np.clip(self.since, 0, max(len(self.months) - 1, 0))].to_timestamp(how="end")
        return pd.DataFrame({"level": lvl, "tier": names[lvl],
                             "tier_since": since_day.normalize().to_numpy(),
                             "rolling": self.rolling[:, -1] if self.rolling.size else 0.0}, index=self.members)


def _rolling(values: np.ndarray, window: int) -> np.ndarray:
    c = np.cumsum(values, axis=1)
    out = c.copy()
    if window < values.shape[1]:
        out[:, window:] -= c[:, :-window]
    return np.round(out, 6)  # cents summed in another order must not flip a comparison with a threshold


NEVER = np.iinfo(np.int64).max  # no review scheduled (the base tier is never reviewed)


def qualified_level(thresholds, rolling) -> np.ndarray:
    """The level each rolling value qualifies for: the highest ``k`` with ``rolling ≥ thresholds[k]`` (int8)."""
    return (np.searchsorted(np.asarray(thresholds), rolling, side="right") - 1).astype(np.int8)


def tier_step(cur: np.ndarray, since: np.ndarray, review: np.ndarray, q: np.ndarray, t, rules: TierRules) -> None:
    """One month end of the programme, in place, for every member of the arrays: ``cur`` the level held (int8),
    ``since`` the month it started, ``review`` the month of the next review (:data:`NEVER` for none), ``q`` the level
    qualified for at month ``t`` (a month index, or one per member). A higher level is granted at once (review
    ``period + grace`` months later); at a review a member below the tier's threshold drops one level, else keeps
    it until the next review ``period`` months on.

    :func:`simulate_tiers` calls it for all members month after month; the synthetic world's loyalty programme
    (:mod:`helpers.synth.loyalty`) calls it for the members whose next order needs their tier — one implementation
    of the rules for both."""
    hold = int(rules.period_months) + int(rules.grace_months)
    t = np.broadcast_to(np.asarray(t, dtype=np.int64), cur.shape)
    up = q > cur
    if up.any():
        cur[up] = q[up]
        since[up] = t[up]
        review[up] = t[up] + hold
    due = review == t
    if due.any():
        down = due & (q < cur)
        cur[down] -= 1
        since[down] = t[down]
        review[down] = np.where(cur[down] > 0, t[down] + hold, NEVER)
        kept = due & ~down
        review[kept] += int(rules.period_months)


def simulate_tiers(panel: Panel, rules: TierRules) -> TierPath:
    """Apply ``rules`` month by month to every member of ``panel`` (see the module docstring)."""
    n, T = panel.spend.shape
    rolling = _rolling(panel.values(rules.basis), int(rules.window_months))
    qual = qualified_level(rules.thresholds, rolling)
    tier = np.zeros((n, T), np.int8)
    cur = np.zeros(n, np.int8)
    since = panel.joined.astype(np.int64).copy()
    review = np.full(n, NEVER, np.int64)
    for t in range(T):
        tier_step(cur, since, review, qual[:, t], t, rules)
        tier[:, t] = cur
    return TierPath(rules, panel.members, panel.months, tier, rolling, since, panel.joined.copy())
