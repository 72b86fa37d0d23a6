"""More per-member work as backend-neutral ibis expressions, each equal to its pandas helper.

* :func:`cohort_retention` — monthly first-purchase cohorts (同期群): :func:`helpers.behavior.cohort_retention`
  (``sizes``, ``active``, ``retention``, ``later``), from two small aggregations computed on the engine —
  (cohort, months since first, members buying) and (cohort, last month reached, members) — pivoted in pandas
  (one row per cohort month: small).
* :func:`qualification_spend` — the rolling ``window_months`` calendar-month qualification value of module 06
  (:func:`helpers.tiers.monthly_panel` + the rolling window of :func:`helpers.tiers.simulate_tiers`) at the as-of
  month, per member; :func:`rolling_expr` the same window at every month a member bought (sparse, long), so the
  member × month panel never has to be dense on the engine; :func:`qualification` the as-of month's value and
  whether the member bought in the window (what module 06 sets the top tier's threshold from).
* :func:`campaign_outcomes` — :func:`helpers.experiments.member_outcomes` (converted, orders, spend, visited per
  contact within each campaign's window).
* :func:`repurchase_intervals` — :func:`helpers.repurchase.interval_table` (every gap between consecutive purchase
  days per member × category, plus the right-censored open spell) from the category visits.
* :func:`category_intervals` — :func:`helpers.behavior.category_repurchase_intervals` (module 02: gaps, members,
  median and mean gap per category) from orders, order lines and products, joined on the engine; the engine
  hands back a histogram (category, gap in days, count), so the median is exact on every engine.

Definitions are the pandas helpers' (see their docstrings); every function takes pandas frames, Parquet paths or
ibis tables (as :func:`helpers.engine.member_summary` does) and ``engine="duckdb" | "spark"`` or an ibis backend.
"""

from __future__ import annotations

import datetime as _dt

import ibis
import numpy as np
import pandas as pd
from ibis import _

from helpers.engine.expressions import as_date, purchases
from helpers.engine.run import connect

__all__ = ["campaign_outcomes", "category_intervals", "cohort_retention", "qualification", "qualification_spend",
           "repurchase_intervals", "rolling_expr"]


def _table(con, obj, columns=None) -> ibis.Table:
    """A pandas frame / Parquet path / ibis table as an ibis table of ``con`` (pandas: only ``columns``, categoricals
    and pandas strings as plain strings, timestamps naive)."""
    if isinstance(obj, ibis.Table):
        return obj
    if isinstance(obj, pd.DataFrame):
        import pyarrow as pa

        df = obj if columns is None else obj[[c for c in columns if c in obj.columns]]
        arrays = {}
        for c in df.columns:
            s = df[c]
            if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s.dtype):
                arrays[c] = pa.array(s.astype("string").to_numpy(dtype=object, na_value=None), pa.string())
            elif pd.api.types.is_datetime64_any_dtype(s.dtype):
                arrays[c] = pa.array(s.to_numpy().astype("datetime64[us]"), pa.timestamp("us"))
            else:
                arrays[c] = pa.array(s, from_pandas=True)
        return ibis.memtable(pa.table(arrays))
    from helpers.engine.run import _table as orders_table

    return orders_table(con, obj)


def _month(ts) -> ibis.Value:
    """Calendar month number (months since 1970-01) of a timestamp or date."""
    return ((ts.year() - 1970) * 12 + ts.month() - 1).cast("int64")


def _month_of(value) -> int:
    d = as_date(value, "as_of")
    return (d.year - 1970) * 12 + d.month - 1


# ---- cohorts ------------------------------------------------------------------------------------------------------
def cohort_exprs(orders: ibis.Table, as_of, *, include_refunds: bool = False) -> tuple[ibis.Table, ibis.Table]:
    """(active, reach): members buying per (first month, months since first ``k``), and members per (first month,
    months from the first to the last purchase month ``last_k``) — the two aggregations of the cohort table."""
    p = purchases(orders, as_of, include_refunds=include_refunds)
    mm = p.select("member_id", m=_month(p.order_ts)).distinct()
    span = mm.group_by("member_id").agg(first=mm.m.min(), last=mm.m.max())
    j = mm.join(span, "member_id")
    active = j.group_by([j.first, (j.m - j.first).name("k")]).agg(members=_.count())
    reach = span.group_by([span.first, (span.last - span.first).name("last_k")]).agg(members=_.count())
    return active, reach


def cohort_retention(orders, as_of, *, engine="duckdb", include_refunds: bool = False, max_months: int | None = None,
                     spark=None):
    """:func:`helpers.behavior.cohort_retention` on ``engine`` (``as_of`` is required here: the last observed
    month). Returns the same :class:`helpers.behavior.cohorts.CohortRetention`."""
    from helpers.behavior.cohorts import CohortRetention, _month_index

    con = connect(engine, spark=spark)
    t = _table(con, orders, ["member_id", "order_ts", "net_amount", "status"])
    active_e, reach_e = cohort_exprs(t, as_of, include_refunds=include_refunds)
    act = con.to_pyarrow(active_e).to_pandas()
    reach = con.to_pyarrow(reach_e).to_pandas()
    if reach.empty:
        raise ValueError("no purchases on or before as_of / 截止日前没有已支付订单")
    end_month = _month_of(as_of)
    m0 = int(reach["first"].min())
    n_coh = end_month - m0 + 1
    K = n_coh if max_months is None else min(n_coh, max_months + 1)
    active = np.zeros((n_coh, K))
    a = act[act["k"] < K]
    np.add.at(active, (a["first"].to_numpy(np.int64) - m0, a["k"].to_numpy(np.int64)), a["members"].to_numpy(float))
    sizes = np.bincount(reach["first"].to_numpy(np.int64) - m0, weights=reach["members"].to_numpy(float),
                        minlength=n_coh).astype(np.int64)
    observable = (n_coh - 1 - np.arange(n_coh))[:, None] >= np.arange(K)[None, :]
    active[~observable] = np.nan
    counts = np.zeros((n_coh, K))
    np.add.at(counts, (reach["first"].to_numpy(np.int64) - m0, np.minimum(reach["last_k"].to_numpy(np.int64), K - 1)),
              reach["members"].to_numpy(float))
    later = counts[:, ::-1].cumsum(axis=1)[:, ::-1]
    later[~observable] = np.nan
    keep = sizes > 0
    idx = pd.PeriodIndex(_month_index(m0, n_coh, "cohort")[keep], name="cohort")
    cols = pd.RangeIndex(K, name="months_since_first")
    act_df = pd.DataFrame(active[keep], index=idx, columns=cols)
    sz = pd.Series(sizes[keep], index=idx, name="cohort_size")
    return CohortRetention(sizes=sz, active=act_df, retention=act_df.div(sz, axis=0),
                           later=pd.DataFrame(later[keep], index=idx, columns=cols))


# ---- module 06: rolling qualification window ----------------------------------------------------------------------
def _monthly(orders: ibis.Table, as_of, value: str) -> ibis.Table:
    """Paid ``value`` per (member, month) up to the as-of day (refunded orders count for nothing)."""
    cut = ibis.timestamp(_dt.datetime.combine(as_date(as_of, "as_of"), _dt.time()) + _dt.timedelta(days=1))
    o = orders.filter(orders.order_ts < cut)
    if "status" in o.columns:
        o = o.filter(o.status.fill_null("") != "refunded")
    return o.group_by(["member_id", _month(o.order_ts).name("m")]).agg(v=o[value].fill_null(0).cast("float64").sum())


def rolling_expr(orders: ibis.Table, as_of, *, window_months: int = 12, value: str = "net_amount") -> ibis.Table:
    """``member_id``, ``m`` (month number), ``v`` (that month's paid value) and ``rolling`` (the sum over the
    ``window_months`` calendar months ending with ``m``) at every month a member bought."""
    mv = _monthly(orders, as_of, value)
    w = ibis.range_window(preceding=int(window_months) - 1, following=0, group_by=mv.member_id, order_by=mv.m)
    return mv.mutate(rolling=mv.v.sum().over(w))


def qualification_spend(orders, as_of, *, window_months: int = 12, value: str = "net_amount", engine="duckdb",
                        spark=None) -> pd.Series:
    """Per member with a paid order in the window: the rolling qualification value at the as-of month —
    ``helpers.tiers`` ``_rolling(monthly_panel(...).spend, window)[:, -1]`` (``value="points_earned"``: the points
    basis), rounded to 6 decimals like it. Members without one are absent (their value is 0)."""
    con = connect(engine, spark=spark)
    t = _table(con, orders, ["member_id", "order_ts", "status", value])
    mv = _monthly(t, as_of, value)
    last = _month_of(as_of)
    recent = mv.filter(mv.m > last - int(window_months))
    e = recent.group_by("member_id").agg(rolling=recent.v.sum())
    df = con.to_pyarrow(e).to_pandas()
    s = pd.Series(np.round(df["rolling"].to_numpy(float), 6), index=pd.Index(df["member_id"].astype("string"),
                                                                            name="member_id"), name="rolling")
    return s.sort_index()


def qualification_expr(orders: ibis.Table, as_of, *, window_months: int = 12, value: str = "net_amount") -> ibis.Table:
    """Per member with a paid order in the last ``window_months`` calendar months up to the as-of day:
    ``rolling`` (paid ``value`` summed over those months) and ``active`` (some month of the window with paid net
    spend above 0) — module 06's ``rolling_now`` and ``active_now``."""
    cut = ibis.timestamp(_dt.datetime.combine(as_date(as_of, "as_of"), _dt.time()) + _dt.timedelta(days=1))
    o = orders.filter(orders.order_ts < cut)
    if "status" in o.columns:
        o = o.filter(o.status.fill_null("") != "refunded")
    v = o[value].fill_null(0).cast("float64") if value in o.columns else ibis.literal(0.0, "float64")
    g = o.group_by(["member_id", _month(o.order_ts).name("m")]).agg(
        v=v.sum(), s=o.net_amount.fill_null(0).cast("float64").sum())
    recent = g.filter(g.m > _month_of(as_of) - int(window_months))
    return recent.group_by("member_id").agg(rolling=recent.v.sum(), active=(recent.s > 0).any())


def qualification(orders, as_of, *, window_months: int = 12, value: str = "net_amount", engine="duckdb",
                  spark=None) -> pd.DataFrame:
    """:func:`qualification_expr` on ``engine``, indexed by ``member_id`` (as strings, sorted): ``rolling``
    rounded to 6 decimals like ``helpers.tiers``' rolling window, ``active`` bool. Members without a paid order
    in the window are absent (their value is 0, and they are not active)."""
    con = connect(engine, spark=spark)
    t = _table(con, orders, list(dict.fromkeys(["member_id", "order_ts", "status", "net_amount", value])))
    df = con.to_pyarrow(qualification_expr(t, as_of, window_months=window_months, value=value)).to_pandas()
    df = df[df["member_id"].notna()]
    out = pd.DataFrame({"rolling": np.round(df["rolling"].to_numpy(float), 6),
                        "active": df["active"].fillna(False).to_numpy(bool)},
                       index=pd.Index(df["member_id"].astype("string"), name="member_id"))
    return out.sort_index()


# ---- module 08: campaign outcomes ---------------------------------------------------------------------------------
def outcomes_expr(contacts: ibis.Table, orders: ibis.Table, campaigns: ibis.Table,
                  events: ibis.Table | None = None) -> ibis.Table:
    """One row per contact with ``orders``, ``spend``, ``converted`` (and ``visited`` with events) in its
    campaign's window [start_date, end_date + 1 day)."""
    camp = campaigns.select(cid=campaigns.campaign_id.cast("string"), lo=campaigns.start_date.cast("date"),
                            hi=campaigns.end_date.cast("date")).distinct(on="cid", keep="first")
    c = contacts.mutate(campaign_id=contacts.campaign_id.cast("string"), member_id=contacts.member_id.cast("string"),
                        arm=contacts.arm.cast("string"))
    paid = orders
    if "status" in orders.columns:
        paid = orders.filter(orders.status.fill_null("paid") == "paid")
    paid = paid.select(mid=paid.member_id.cast("string"), day=paid.order_ts.date(), net_amount=paid.net_amount)
    w = paid.join(camp, (paid.day >= camp.lo) & (paid.day <= camp.hi))
    agg = w.group_by([w.cid, w.mid]).agg(n=_.count(), s=w.net_amount.sum())
    out = c.left_join(agg, (c.campaign_id == agg.cid) & (c.member_id == agg.mid)).select(
        *c.columns, orders=_.n.fill_null(0).cast("float64"),
        spend=_.s.fill_null(0).cast("float64"))
    out = out.mutate(converted=(out.orders > 0).cast("float64"))
    if events is not None and "event_type" in events.columns:
        start = events.event_ts.min().as_scalar()
        views = events.filter(events.event_type.cast("string") == "view")
        views = views.select(vmid=views.member_id.cast("string"), day=views.event_ts.date())
        seen = views.join(camp, (views.day >= camp.lo) & (views.day <= camp.hi)).select("cid", "vmid").distinct()
        covered = camp.select(ccid=camp.cid, ok=start <= camp.lo.cast("timestamp"))
        out = (out.left_join(seen, (out.campaign_id == seen.cid) & (out.member_id == seen.vmid))
               .left_join(covered, _.campaign_id == covered.ccid))
        out = out.mutate(visited=ibis.ifelse(out.ok.fill_null(False), out.vmid.notnull().cast("float64"),
                                             ibis.null("float64"))).drop("cid", "vmid", "ccid", "ok")
    return out


def campaign_outcomes(contacts, orders, campaigns, events=None, *, engine="duckdb", spark=None) -> pd.DataFrame:
    """:func:`helpers.experiments.member_outcomes` on ``engine``: ``campaign_id, member_id, arm, is_control,
    converted, orders, spend, visited`` (``visited`` NaN without events or when the log starts after the window),
    sorted like it (by campaign, then the contacts' order within a campaign)."""
    from helpers.experiments.outcomes import is_control

    con = connect(engine, spark=spark)
    c = contacts.reset_index(drop=True).assign(_pos=np.arange(len(contacts))) if isinstance(contacts, pd.DataFrame) \
        else contacts
    ct = _table(con, c, ["campaign_id", "member_id", "arm", "_pos"])
    e = outcomes_expr(ct, _table(con, orders, ["member_id", "order_ts", "net_amount", "status"]),
                      _table(con, campaigns, ["campaign_id", "start_date", "end_date"]),
                      None if events is None else _table(con, events, ["member_id", "event_ts", "event_type"]))
    df = con.to_pyarrow(e).to_pandas()
    if "visited" not in df:
        df["visited"] = np.nan
    df["is_control"] = df["arm"].map(is_control).astype(bool)
    order = ["campaign_id", "_pos"] if "_pos" in df else ["campaign_id", "member_id", "arm"]
    df = df.sort_values(order, kind="mergesort").reset_index(drop=True)
    return df[["campaign_id", "member_id", "arm", "is_control", "converted", "orders", "spend", "visited"]]


# ---- repurchase intervals -----------------------------------------------------------------------------------------
def intervals_expr(visits: ibis.Table, as_of, *, active_days: int | None = 365) -> ibis.Table:
    """Every gap between consecutive purchase days per (member, category) (``observed`` True) and the open spell
    from the last one to ``as_of`` (``observed`` False; left out when 0 days, and — with ``active_days`` — for
    members without any purchase in the last ``active_days`` days)."""
    day0 = (as_date(as_of, "as_of") - _dt.date(1970, 1, 1)).days
    w = ibis.window(group_by=[visits.member_id, visits.category], order_by=visits.day)
    v = visits.mutate(nxt=visits.day.lead().over(w))
    gaps = v.filter(v.nxt.notnull()).select("member_id", "category", duration=(v.nxt - v.day).cast("int64"),
                                            observed=ibis.literal(True))
    last = v.filter(v.nxt.isnull())
    open_ = last.select("member_id", "category", duration=(ibis.literal(day0) - last.day).cast("int64"),
                        observed=ibis.literal(False))
    open_ = open_.filter(open_.duration > 0)
    if active_days is not None:
        recent = visits.filter(visits.day > day0 - int(active_days)).select(rid="member_id").distinct()
        open_ = open_.join(recent, open_.member_id == recent.rid).drop("rid")
    return gaps.union(open_)


def repurchase_intervals(visits, as_of, *, active_days: int | None = 365, engine="duckdb", spark=None) -> pd.DataFrame:
    """:func:`helpers.repurchase.interval_table` on ``engine`` from the category visits (``member_id``,
    ``category``, ``day`` as integer days since 1970-01-01, e.g. :func:`helpers.repurchase.category_visits`)."""
    con = connect(engine, spark=spark)
    df = con.to_pyarrow(intervals_expr(_table(con, visits, ["member_id", "category", "day"]), as_of,
                                       active_days=active_days)).to_pandas()
    df = df.astype({"member_id": object, "category": object, "duration": "int64", "observed": bool})
    return df.sort_values(["category", "member_id", "observed", "duration"], kind="mergesort").reset_index(drop=True)


# ---- module 02: repurchase intervals per category -----------------------------------------------------------------
UNKNOWN_CATEGORY = "未知品类"


def category_gaps_expr(orders: ibis.Table, order_items: ibis.Table, products: ibis.Table, as_of, *,
                       level: str = "category", include_refunds: bool = False) -> ibis.Table:
    """Rows ``cat, gap, n, starts``, one per category and gap length: ``n`` gaps of ``gap`` days between
    consecutive purchase days of category ``cat`` by one member, ``starts`` how many of them are a member's first
    gap in the category (their sum over a category: members with a gap). A member's last purchase day of a
    category has no gap: those rows have ``gap`` null, so every category bought at all appears. Purchases as in
    :func:`helpers.engine.purchases`; a line whose product has no category counts as 未知品类. One window (lead and
    lag over the same order) and one aggregation: small on every engine."""
    p = purchases(orders, as_of, include_refunds=include_refunds)
    p = p.select(oid=p.order_id.cast("string"), mid=p.member_id.cast("string"), day=p.day)
    li = order_items.select(oid=order_items.order_id.cast("string"), pid=order_items.product_id.cast("string"))
    pr = products.select(ppid=products.product_id.cast("string"), pcat=products[level].cast("string"))
    lines = li.join(p, "oid").left_join(pr, _.pid == pr.ppid)
    visits = lines.select("mid", "day", cat=lines.pcat.fill_null(UNKNOWN_CATEGORY)).distinct()
    w = ibis.window(group_by=[visits.mid, visits.cat], order_by=visits.day)
    v = visits.mutate(nxt=visits.day.lead().over(w), prv=visits.day.lag().over(w))
    v = v.mutate(gap=v.nxt.delta(v.day, unit="day").cast("int64"),
                 start=(v.prv.isnull() & v.nxt.notnull()).cast("int64"))
    return v.group_by(["cat", "gap"]).agg(n=_.count(), starts=v.start.sum())


def _median_from_counts(gap: np.ndarray, n: np.ndarray) -> float:
    """The median of a sample given as distinct values and their counts (sorted by value): the middle value, or
    the mean of the two middle ones — numpy's / pandas' median of the expanded sample."""
    order = np.argsort(gap, kind="stable")
    gap, cum = gap[order], np.cumsum(n[order])
    total = int(cum[-1])
    lo = gap[np.searchsorted(cum, (total - 1) // 2, side="right")]
    hi = gap[np.searchsorted(cum, total // 2, side="right")]
    return (float(lo) + float(hi)) / 2


def category_intervals(orders, order_items, products, as_of, *, level: str = "category",
                       include_refunds: bool = False, engine="duckdb", spark=None) -> pd.DataFrame:
    """:func:`helpers.behavior.category_repurchase_intervals` on ``engine``: ``gaps``, ``members``,
    ``median_gap_days``, ``mean_gap_days`` per category (index named ``level``), every category bought at all (0
    gaps and NaN where nobody bought it twice), sorted by median gap. Counts exactly; the mean is the exact integer
    total over the count, the median read off the (gap, count) histogram — both equal the pandas helper's."""
    con = connect(engine, spark=spark)
    e = category_gaps_expr(_table(con, orders, ["order_id", "member_id", "order_ts", "net_amount", "status"]),
                           _table(con, order_items, ["order_id", "product_id"]),
                           _table(con, products, ["product_id", level]), as_of, level=level,
                           include_refunds=include_refunds)
    df = con.to_pyarrow(e).to_pandas()
    cats = sorted(df["cat"].astype(object).unique(), key=str)
    out = pd.DataFrame({"gaps": 0, "members": 0, "median_gap_days": np.nan, "mean_gap_days": np.nan},
                       index=pd.Index(cats, name=level))
    hist = df[df["gap"].notna()]
    for cat, h in hist.groupby("cat", sort=False):
        gap, n = h["gap"].to_numpy(np.int64), h["n"].to_numpy(np.int64)
        out.loc[cat, ["gaps", "members", "median_gap_days", "mean_gap_days"]] = [
            int(n.sum()), int(h["starts"].sum()), _median_from_counts(gap, n), int((gap * n).sum()) / int(n.sum())]
    out = out.astype({"gaps": np.int64, "members": np.int64, "median_gap_days": float, "mean_gap_days": float})
    return out.sort_values("median_gap_days", kind="mergesort")
