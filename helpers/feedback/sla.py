"""Response-time SLA: first response and resolution against targets, by channel and category; backlog and overdue.

Targets: first response per channel (a hotline call is answered within the hour, a comment book within two days),
resolution per category (a product-quality case needs a check by 品控, 72 h). Both are parameters.

A missing time is never 0. Without a ``first_response_ts`` / ``resolved_ts`` column the status is ``unknown``;
with the column, an empty value means the case is still open on the as-of date: ``open`` while within the target,
``overdue`` after it. A time before the message (a data error) is ``unknown`` as well.

Status per case (``sla_status``): ``met`` (resolved, both targets met), ``breached`` (resolved or answered late),
``open``, ``overdue``, ``unknown``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["FIRST_RESPONSE_TARGET_H", "RESOLUTION_TARGET_H", "after_feedback", "backlog", "overdue_list",
           "sla_met_rate", "sla_summary", "sla_table"]

#: first-response target per channel, hours
FIRST_RESPONSE_TARGET_H = {"客服热线": 1.0, "小程序": 4.0, "微信公众号": 4.0, "APP评价": 24.0, "电商平台评价": 24.0,  # typography: ignore
                           "门店意见簿": 48.0}
#: resolution target per category, hours (from the message)
RESOLUTION_TARGET_H = {"产品质量": 72.0, "服务态度": 48.0, "营销活动": 48.0, "物流配送": 72.0, "会员权益": 48.0,
                       "其他": 72.0}
DEFAULT_TARGET_H = 24.0
DEFAULT_RESOLUTION_H = 72.0


def _hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    h = (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.total_seconds() / 3600.0
    return h.where(h >= 0).round(4)


def sla_table(feedback: pd.DataFrame, as_of=None, category=None, first_targets: dict | None = None,
              resolution_targets: dict | None = None) -> pd.DataFrame:
    """One row per message (index of ``feedback``): ``channel``, ``category``, ``first_response_h``,
    ``resolution_h`` (from the message; NaN when missing), targets, ``age_h`` on the as-of date, per-step statuses
    ``first_response_status`` / ``resolution_status`` and the overall ``sla_status``.

    ``category``: the category to judge resolution by (e.g. the predicted one); default the ``category`` column.
    ``as_of``: default the last ``created_ts``."""
    ft = {**FIRST_RESPONSE_TARGET_H, **(first_targets or {})}
    rt = {**RESOLUTION_TARGET_H, **(resolution_targets or {})}
    fb = feedback
    created = pd.to_datetime(fb["created_ts"])
    as_of = pd.Timestamp(as_of) if as_of is not None and str(as_of) != "" else created.max()
    if as_of is not pd.NaT and as_of is not None and as_of == as_of.normalize():
        as_of = as_of + pd.Timedelta(days=1)  # a date means the end of that day
    channel = fb["channel"].astype("object") if "channel" in fb else pd.Series(None, index=fb.index, dtype="object")
    if category is None:
        category = fb["category"].astype("object") if "category" in fb else pd.Series(None, index=fb.index)
    category = pd.Series(np.asarray(category, dtype=object), index=fb.index)
    out = pd.DataFrame({"channel": channel, "category": category}, index=fb.index)
    out["first_response_target_h"] = channel.map(ft).astype("float64").fillna(DEFAULT_TARGET_H)
    out["resolution_target_h"] = category.map(rt).astype("float64").fillna(DEFAULT_RESOLUTION_H)
    out["age_h"] = ((as_of - created).dt.total_seconds() / 3600.0).round(4)
    for step, col, target in (("first_response", "first_response_ts", "first_response_target_h"),
                              ("resolution", "resolved_ts", "resolution_target_h")):
        if col not in fb:
            out[f"{step}_h"] = np.nan
            out[f"{step}_status"] = "unknown"
            continue
        ts = pd.to_datetime(fb[col])
        ts = ts.where(ts <= as_of)  # a reply after the as-of date has not happened yet
        h = _hours(ts, created)
        out[f"{step}_h"] = h
        status = np.where(h <= out[target], "met", "breached").astype(object)
        missing = ts.isna().to_numpy()
        status[missing] = np.where(out["age_h"].to_numpy()[missing] > out[target].to_numpy()[missing],
                                   "overdue", "open")
        bad = ts.notna().to_numpy() & h.isna().to_numpy()  # a time before the message
        status[bad] = "unknown"
        status[created.isna().to_numpy()] = "unknown"
        out[f"{step}_status"] = status
    # resolved without a recorded first response: the response time is unknown, the case is not open
    fixed = out["resolution_status"].isin(["met", "breached"]) & out["first_response_status"].isin(["open", "overdue"])
    out.loc[fixed, "first_response_status"] = "unknown"
    fr, rs = out["first_response_status"], out["resolution_status"]
    overall = np.select(
        [(fr == "unknown") & (rs == "unknown"),
         rs.isin(["overdue"]) | fr.isin(["overdue"]),
         rs == "met", rs == "breached",
         rs.isin(["open"]) | fr.isin(["open"]),
         fr == "met", fr == "breached"],
        ["unknown", "overdue", "met", "breached", "open", "met", "breached"], "unknown")
    # a resolved case answered late is breached even when resolution was on time
    overall = np.where((overall == "met") & (fr == "breached"), "breached", overall)
    out["sla_status"] = overall
    return out


def sla_met_rate(status: pd.Series) -> float | None:
    """Share of cases handled within both targets among the cases whose outcome is known (``met`` / ``breached`` /
    ``overdue``); cases still open within target and ``unknown`` ones are left out, never counted as met or missed.
    None when no outcome is known (e.g. an export without response times). The report's complaint-SLA KPI is this
    rate over the negative messages."""
    s = pd.Series(status, dtype="object")
    known = s.isin(["met", "breached", "overdue"])
    return round(float((s[known] == "met").mean()), 4) if known.any() else None


def sla_summary(sla: pd.DataFrame, by: str = "channel") -> pd.DataFrame:
    """Per ``by`` group: cases, median / 90th-percentile first response and resolution hours (known times only),
    the share of first responses and resolutions within target among the cases whose outcome is known
    (met + breached + overdue), and counts of open, overdue and unknown cases."""
    def known_share(s: pd.Series) -> float:
        k = s.isin(["met", "breached", "overdue"])
        return float((s[k] == "met").mean()) if k.any() else float("nan")

    g = sla.groupby(sla[by].astype("object").fillna("（未知）"), sort=True)
    out = pd.DataFrame({
        "cases": g.size(),
        "first_response_median_h": g["first_response_h"].median(),
        "first_response_p90_h": g["first_response_h"].quantile(0.9),
        "first_response_met": g["first_response_status"].apply(known_share),
        "resolution_median_h": g["resolution_h"].median(),
        "resolution_met": g["resolution_status"].apply(known_share),
        "open": g["sla_status"].apply(lambda s: int((s == "open").sum())),
        "overdue": g["sla_status"].apply(lambda s: int((s == "overdue").sum())),
        "unknown": g["sla_status"].apply(lambda s: int((s == "unknown").sum())),
    })
    return out.round(4)


def backlog(sla: pd.DataFrame, by: str = "category") -> pd.DataFrame:
    """Open cases on the as-of date per ``by`` group and age band (<1 天, 1–3 天, 3–7 天, >7 天)."""
    open_ = sla[sla["sla_status"].isin(["open", "overdue"])]
    bands = pd.cut(open_["age_h"], [-np.inf, 24, 72, 168, np.inf], labels=["<1 天", "1-3 天", "3-7 天", ">7 天"])
    tab = pd.crosstab(open_[by].astype("object").fillna("（未知）"), bands, dropna=False)
    tab = tab.reindex(columns=["<1 天", "1-3 天", "3-7 天", ">7 天"], fill_value=0)
    tab["open_total"] = tab.sum(axis=1)
    return tab.astype("int64")


def overdue_list(sla: pd.DataFrame, feedback: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Overdue cases, the longest past target first: id, member, channel, category, age and hours over target."""
    o = sla[sla["sla_status"] == "overdue"].copy()
    target = np.where(o["first_response_status"] == "overdue", o["first_response_target_h"],
                      o["resolution_target_h"])
    o["hours_over_target"] = (o["age_h"] - target).round(1)
    cols = [c for c in ("feedback_id", "member_id") if c in feedback]
    o = feedback.loc[o.index, cols].join(o[["channel", "category", "age_h", "hours_over_target"]])
    o = o.sort_values(["hours_over_target", *cols[:1]], ascending=[False, True][: 1 + len(cols[:1])])
    return o.head(top) if top else o


def after_feedback(scored: pd.DataFrame, orders: pd.DataFrame, created_ts, as_of=None,
                   window_days: int = 90, by: str = "sentiment") -> pd.DataFrame:
    """Paid orders of the writer in the ``window_days`` before and after each message, per ``by`` group.

    Only messages with a member and a full window after them (``created + window ≤ as_of``) count. Returns per
    group: messages, mean orders before / after, the change, and the share of writers who bought again. A
    comparison, not an effect: members who complain may differ in other ways (module 08 on causal questions)."""
    if "member_id" not in scored or orders is None or orders.empty:
        return pd.DataFrame()
    created = pd.to_datetime(pd.Series(np.asarray(created_ts), index=scored.index))
    paid = orders
    if "status" in paid:
        paid = paid[paid["status"].astype("object") != "refunded"]
    as_of = pd.Timestamp(as_of) if as_of else pd.to_datetime(paid["order_ts"]).max()
    w = pd.Timedelta(days=window_days)
    fb = pd.DataFrame({"member_id": scored["member_id"].astype("object"), "created": created,
                       "group": scored[by].astype("object")}).dropna(subset=["member_id", "created"])
    fb = fb[fb["created"] + w <= as_of]
    if fb.empty:
        return pd.DataFrame()
    od = pd.DataFrame({"member_id": paid["member_id"].astype("object"), "t": pd.to_datetime(paid["order_ts"])})
    m = fb.reset_index().merge(od, on="member_id", how="left")
    before = (m["t"] < m["created"]) & (m["t"] >= m["created"] - w)
    after = (m["t"] > m["created"]) & (m["t"] <= m["created"] + w)
    idx = m.columns[0]
    per = pd.DataFrame({"before": before.groupby(m[idx]).sum(), "after": after.groupby(m[idx]).sum()})
    per = per.join(fb["group"])
    g = per.groupby(per["group"].fillna("（未评分）"), sort=True)
    out = pd.DataFrame({"messages": g.size(), "orders_before": g["before"].mean(), "orders_after": g["after"].mean()})
    out["change"] = out["orders_after"] - out["orders_before"]
    out["bought_again"] = g["after"].apply(lambda s: float((s > 0).mean()))
    return out.round(4)
