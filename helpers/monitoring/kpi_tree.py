"""The KPI tree of member sales and the decomposition of its change between two periods.

Sales of a month is the product of four factors an operator can act on one by one::

    sales = members × active share × frequency × order value
          = members × (buyers / members) × (paid orders / buyers) × (sales / paid orders)

* ``members``: the member base at the end of the month — members who joined on or before its last day (joined =
  the earlier of the registration time in ``members`` and the first paid order; a member on file with neither is
  not counted);
* ``buyers``: members with at least one paid order in the month (``active_share`` = buyers / members);
* ``frequency``: paid orders per buyer in the month (消费频次);
* ``order_value``: net amount per paid order (客单价).

The product is exact (every factor's denominator is the previous one's numerator), so the change of sales between
two months splits into four parts that add up to it. The split is the additive **LMDI-I** (logarithmic mean Divisia
index, Ang 2004): part_i = L(S₁, S₀) · ln(x_i,1 / x_i,0) with the logarithmic mean L(a, b) = (a − b) / (ln a − ln b)
(L(a, a) = a). Because the logs of the factor ratios add up to ln(S₁ / S₀), the parts add up to S₁ − S₀ exactly,
with no residual term and no dependence on the order of the factors (a chained "replace one factor at a time"
decomposition has both problems). It needs every factor positive in both months; otherwise no part is given.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.synth.stable import stable

__all__ = ["FACTORS", "FACTOR_ZH", "decompose_change", "join_dates", "kpi_tree", "monthly_kpis", "paid"]

#: the four factors of the tree, in multiplication order
FACTORS = ("members", "active_share", "frequency", "order_value")
FACTOR_ZH = {"members": "会员数", "active_share": "购买会员占比", "frequency": "消费频次", "order_value": "客单价",
             "sales": "销售额"}


def paid(orders: pd.DataFrame) -> pd.DataFrame:
    """Paid orders (every order when the export has no ``status`` column)."""
    if "status" in orders:
        return orders[orders["status"].astype("string").fillna("paid") == "paid"]
    return orders


def join_dates(orders: pd.DataFrame, members: pd.DataFrame | None = None) -> pd.Series:
    """member_id -> the day the member joined: the earlier of ``members.register_ts`` and the first paid order."""
    first = paid(orders).groupby(orders["member_id"].astype(str), observed=True)["order_ts"].min()
    if members is not None and "register_ts" in members:
        reg = members.dropna(subset=["register_ts"])
        reg = reg.groupby(reg["member_id"].astype(str))["register_ts"].min()
        first = pd.concat([first, reg], axis=1).min(axis=1)
    return first.dt.normalize().rename("joined")


def kpi_tree(orders: pd.DataFrame, members: int) -> dict[str, float]:
    """The tree of one period: ``orders`` are that period's orders (refunds dropped here), ``members`` the member
    base. {members, buyers, paid_orders, sales, active_share, frequency, order_value}; a ratio with a zero
    denominator is NaN."""
    p = paid(orders)
    buyers = int(p["member_id"].nunique())
    n_orders = len(p)
    sales = float(p["net_amount"].sum())
    return {"members": int(members), "buyers": buyers, "paid_orders": n_orders, "sales": sales,
            "active_share": buyers / members if members else math.nan,
            "frequency": n_orders / buyers if buyers else math.nan,
            "order_value": sales / n_orders if n_orders else math.nan}


def monthly_kpis(orders: pd.DataFrame, members: pd.DataFrame | None = None, as_of=None) -> pd.DataFrame:
    """One row per calendar month from the first paid order's month to the as-of month (default: the last order
    day): the KPI tree (:func:`kpi_tree`) plus ``active_90d`` (members with a paid order in the 90 days ending on
    the month's last day, or on the as-of day for the last month — the dashboard's "active members") and
    ``complete`` (the month lies wholly inside the data: from the first order day to the as-of day)."""
    p = paid(orders)
    cols = ["month", "members", "buyers", "paid_orders", "sales", "active_share", "frequency", "order_value",
            "active_90d", "complete"]
    if p.empty:
        return pd.DataFrame(columns=cols)
    ts = p["order_ts"]
    end_day = (pd.Timestamp(as_of) if as_of is not None else ts.max()).normalize()
    first_day = ts.min().normalize()
    months = pd.period_range(first_day.to_period("M"), end_day.to_period("M"), freq="M")
    joined = np.sort(join_dates(orders, members).to_numpy("datetime64[ns]"))
    per = ts.dt.to_period("M")
    mids = p["member_id"]
    codes = None
    if not mids.isna().any():  # distinct members in a window from integer codes, not id strings, once per month
        from helpers.behavior._ids import _factorize

        codes, distinct = _factorize(mids)
    by_month = {m: g for m, g in p.assign(_m=per).groupby("_m", observed=True)}
    rows = []
    for m in months:
        last = min(m.end_time.normalize(), end_day)
        base = int(np.searchsorted(joined, np.datetime64(last), side="right"))
        tree = kpi_tree(by_month.get(m, p.iloc[:0]), base)
        window = (ts > last - pd.Timedelta(days=89)) & (ts < last + pd.Timedelta(days=1))
        if codes is None:
            tree["active_90d"] = int(mids[window].astype(str).nunique())
        else:
            tree["active_90d"] = int(np.count_nonzero(np.bincount(codes[window.to_numpy(bool)],
                                                                  minlength=len(distinct))))
        tree["complete"] = bool(m.start_time >= first_day and m.end_time.normalize() <= end_day)
        rows.append({"month": m, **tree})
    return pd.DataFrame(rows, columns=cols)


def _logmean(a: float, b: float) -> float:
    return a if a == b else (a - b) / (math.log(a) - math.log(b))


def decompose_change(before: dict | pd.Series, after: dict | pd.Series) -> pd.DataFrame:
    """LMDI-I split of the sales change from ``before`` to ``after`` (each with the four :data:`FACTORS`).

    One row per factor (index = factor): ``factor_zh``, ``before``, ``after``, ``ratio`` (after / before),
    ``contribution`` (yuan; the four add up to sales after − sales before) and ``share`` (contribution / change;
    NaN when sales did not change). Every factor must be positive in both periods, else the contributions are NaN
    (a month without buyers has no order value to compare)."""
    b = {f: float(before[f]) for f in FACTORS}
    a = {f: float(after[f]) for f in FACTORS}
    s0, s1 = math.prod(b.values()), math.prod(a.values())
    ok = all(np.isfinite(v) and v > 0 for v in (*b.values(), *a.values()))
    weight = _logmean(s1, s0) if ok else math.nan
    rows = []
    for f in FACTORS:
        part = float(stable(weight * math.log(a[f] / b[f]))) if ok else math.nan
        rows.append({"factor": f, "factor_zh": FACTOR_ZH[f], "before": b[f], "after": a[f],
                     "ratio": a[f] / b[f] if b[f] else math.nan, "contribution": part})
    out = pd.DataFrame(rows).set_index("factor")
    change = s1 - s0
    out["share"] = out["contribution"] / change if ok and change != 0 else math.nan
    return out
