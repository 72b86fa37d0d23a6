"""The per-member statistics as backend-neutral ibis expressions: built once, compiled by ibis to DuckDB SQL or
to Spark SQL, so every engine computes the same numbers by the same definitions.

The definitions are those of :func:`helpers.behavior.member_summary` (``repeat_unit="day"``; see its docstring):
a purchase is an order that is not refunded (``status == "refunded"``; a missing status counts as paid) on or
before the as-of calendar day; ``x`` is distinct purchase days − 1; ``recency`` / ``tenure`` whole days to the
reference day (the calibration end when there is one, else the as-of); ``t_x`` / ``T`` in days or weeks;
``monetary_repeat_mean`` is the spend of the repeat purchase days over ``x`` (null when ``x = 0``).

How: one pass groups the purchases by (member, day) — spend and orders per purchase day — and a second groups
those daily rows by member. The first-day spend is ``spend.argmin(day)``, so no self-join is needed. Refunded
orders, channels and the holdout are small separate aggregations left-joined onto the members. Every expression
keeps ``member_id`` and leaves sorting and the pandas index to :mod:`helpers.engine.run`.
"""

from __future__ import annotations

import datetime as _dt

import ibis
import pandas as pd
from ibis import _

__all__ = ["purchases", "summary_expr", "rfm_expr", "SUMMARY_INTS", "UNIT_DAYS"]

#: time_unit → (name in ``attrs["time_unit"]``, days per unit) — as in helpers.behavior
UNIT_DAYS = {"D": ("day", 1.0), "W": ("week", 7.0), "day": ("day", 1.0), "week": ("week", 7.0)}
#: integer columns of the summary (returned as int64)
SUMMARY_INTS = ("recency", "tenure", "frequency", "purchase_days", "x", "refunded_orders", "n_channels",
                "orders_holdout", "x_holdout", "_n_net")


def as_date(value, name: str) -> _dt.date:
    """A calendar day from a date-like value; tz-aware values are taken in Asia/Shanghai (as the loader does)."""
    if value is None:
        raise ValueError(f"{name} is required (a date such as '2025-12-31')")
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("Asia/Shanghai").tz_localize(None)
    return ts.date()


def _with_day(orders: ibis.Table) -> ibis.Table:
    missing = [c for c in ("member_id", "order_ts", "net_amount") if c not in orders.columns]
    if missing:
        raise KeyError(f"orders is missing required column(s) {missing} / 订单表缺少必需列 {missing}")
    return orders.mutate(day=orders.order_ts.date())


def _refunded(t: ibis.Table):
    return t.status.fill_null("") == "refunded"


def purchases(orders: ibis.Table, as_of, *, include_refunds: bool = False) -> ibis.Table:
    """The order rows that count as purchases (已支付订单), with a ``day`` column: refunded orders removed (unless
    ``include_refunds``; without a ``status`` column every order counts) and only days on or before ``as_of``."""
    t = _with_day(orders)
    keep = t.day <= as_date(as_of, "as_of")
    if "status" in t.columns and not include_refunds:
        keep &= ~_refunded(t)
    return t.filter(keep)


def summary_expr(orders: ibis.Table, as_of, *, time_unit: str = "D", calibration_end=None,
                 include_refunds: bool = False) -> ibis.Table:
    """The member summary as one ibis expression (columns as :func:`helpers.behavior.member_summary`, plus
    ``member_id`` and a check column ``_n_net``: the purchases with a non-missing ``net_amount``)."""
    if time_unit not in UNIT_DAYS:
        raise ValueError("time_unit must be 'D' (days) or 'W' (weeks)")
    unit_days = UNIT_DAYS[time_unit][1]
    as_of_day = as_date(as_of, "as_of")
    cal_day = as_date(calibration_end, "calibration_end") if calibration_end is not None else None
    if cal_day is not None and cal_day >= as_of_day:
        raise ValueError("calibration_end must be before as_of")
    ref_day = cal_day if cal_day is not None else as_of_day
    ref = ibis.date(ref_day)

    bought = purchases(orders, as_of, include_refunds=include_refunds)
    period = bought.filter(bought.day <= ref_day) if cal_day is not None else bought
    daily = period.group_by(["member_id", "day"]).agg(spend=period.net_amount.sum(), n=_.count(),
                                                       n_net=period.net_amount.count())
    m = daily.group_by("member_id").agg(
        first=daily.day.min(), last=daily.day.max(), purchase_days=_.count(), frequency=daily.n.sum(),
        monetary_total=daily.spend.sum(), _first_spend=daily.spend.argmin(daily.day), _n_net=daily.n_net.sum())
    x = m.purchase_days - 1
    out = m.mutate(
        first_purchase=m.first, last_purchase=m.last,
        recency=ref.delta(m.last, unit="day"), tenure=ref.delta(m.first, unit="day"),
        monetary_mean=m.monetary_total.cast("float64") / m.frequency,
        monetary_repeat_mean=ibis.ifelse(x > 0, (m.monetary_total - m._first_spend) / x, ibis.null("float64")),
        x=x,
        t_x=m.last.delta(m.first, unit="day").cast("float64") / unit_days,
        T=ref.delta(m.first, unit="day").cast("float64") / unit_days,
    )
    cols = ["member_id", "first_purchase", "last_purchase", "recency", "tenure", "frequency", "purchase_days",
            "monetary_total", "monetary_mean", "monetary_repeat_mean", "x", "t_x", "T"]
    out = out.select(*cols, "_n_net")
    all_rows = _with_day(orders)
    if "status" in all_rows.columns:
        r = all_rows.filter(_refunded(all_rows) & (all_rows.day <= ref_day))
        r = r.group_by("member_id").agg(refunded_orders=_.count())
        out = _left(out, r, {"refunded_orders": 0})
        cols.append("refunded_orders")
    if "channel" in period.columns:
        c = period.group_by("member_id").agg(n_channels=period.channel.nunique())
        out = _left(out, c, {"n_channels": 0})
        cols.append("n_channels")
    if cal_day is not None:
        h = bought.filter(bought.day > cal_day)
        hd = h.group_by(["member_id", "day"]).agg(n=_.count(), spend=h.net_amount.sum())
        hm = hd.group_by("member_id").agg(orders_holdout=hd.n.sum(), spend_holdout=hd.spend.sum(),
                                          x_holdout=_.count())
        out = _left(out, hm, {"orders_holdout": 0, "spend_holdout": 0.0, "x_holdout": 0})
        out = out.mutate(duration_holdout=ibis.literal((as_of_day - cal_day).days / unit_days, "float64"))
        cols += ["orders_holdout", "spend_holdout", "x_holdout", "duration_holdout"]
    return out.select(*cols, "_n_net")


def _left(left: ibis.Table, right: ibis.Table, fill: dict) -> ibis.Table:
    """``left`` with ``right``'s columns joined on ``member_id``; members missing on the right get ``fill``."""
    right = right.rename(_mid="member_id")
    j = left.left_join(right, left.member_id == right._mid)
    return j.drop("_mid").mutate(**{k: j[k].fill_null(v) for k, v in fill.items()})


def rfm_expr(orders: ibis.Table, as_of, *, include_refunds: bool = False) -> ibis.Table:
    """The RFM inputs (what :func:`helpers.rfm.rfm_scores` reads from a member summary): ``recency`` (days from
    the last purchase to ``as_of``), ``frequency`` (orders), ``monetary_total`` and ``monetary_mean`` (元) —
    one aggregation over the purchases, no per-day pass. Same definitions as the summary's columns."""
    t = purchases(orders, as_of, include_refunds=include_refunds)
    m = t.group_by("member_id").agg(last=t.day.max(), frequency=_.count(), monetary_total=t.net_amount.sum(),
                                    _n_net=t.net_amount.count())
    return m.select("member_id", recency=ibis.date(as_date(as_of, "as_of")).delta(m.last, unit="day"),
                    frequency=m.frequency, monetary_total=m.monetary_total,
                    monetary_mean=m.monetary_total.cast("float64") / m.frequency, _n_net=m._n_net)
