"""Effects without randomisation: difference-in-differences (DiD) for a programme launched in some cities only, with
a parallel-trends check, and a before / after claim re-analysed against a control.

Why: a programme rolled out by region is not a randomised test — the chosen cities differ in level from the others.
DiD removes that level difference (and every shock common to all cities, such as 双11) by comparing the *change*
in the programme cities with the *change* elsewhere; it is only right when both groups would have moved in parallel
without the programme, which the months before the launch can check (not prove).

The panel: members registered before the first pre-period month, paid orders per member per calendar month, months
``pre_months`` before and ``post_months`` from the launch month on (the launch month counts as post). The
estimate is the member-level DiD, (post − pre) in the programme cities minus (post − pre) elsewhere, with a Welch
interval on the members' changes (members are the independent units, so month-to-month correlation within a member
is accounted for).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.experiments.outcomes import _welch, paid_orders

__all__ = ["before_after_vs_control", "did_estimate", "did_panel", "parallel_trends"]


def did_panel(orders: pd.DataFrame, members: pd.DataFrame, cities, launch, pre_months: int = 6,
              post_months: int = 6, as_of=None) -> pd.DataFrame:
    """Member × month panel: ``member_id``, ``treated`` (lives in one of ``cities``), ``month`` (period start),
    ``rel`` (months from the launch month, negative = before), ``post``, ``orders`` (paid). Months after the last
    complete month before ``as_of`` (default: the last order day) are left out."""
    launch_m = pd.Timestamp(launch).to_period("M")
    end = pd.Timestamp(as_of) if as_of is not None else orders["order_ts"].max()
    last_full = (end + pd.Timedelta(days=1)).to_period("M") - 1
    months = pd.period_range(launch_m - pre_months, min(launch_m + post_months - 1, last_full), freq="M")
    m = members[["member_id", "city", "register_ts"]].copy() if "register_ts" in members else members[
        ["member_id", "city"]].assign(register_ts=pd.NaT)
    m = m[m["register_ts"].isna() | (m["register_ts"] < months[0].start_time)]
    m = m[m["city"].notna()]
    treated = m["city"].astype(str).isin(set(map(str, cities)))
    o = paid_orders(orders)
    o = o[(o["order_ts"] >= months[0].start_time) & (o["order_ts"] < months[-1].end_time)]
    cnt = o.assign(month=o["order_ts"].dt.to_period("M")).groupby(["member_id", "month"], observed=True).size()
    idx = pd.MultiIndex.from_product([m["member_id"].astype(str), months], names=["member_id", "month"])
    cnt.index = cnt.index.set_levels(cnt.index.levels[0].astype(str), level=0)
    panel = pd.Series(0, index=idx).add(cnt.reindex(idx), fill_value=0).rename("orders").reset_index()
    panel["treated"] = panel["member_id"].map(dict(zip(m["member_id"].astype(str), treated, strict=True))).astype(bool)
    panel["rel"] = (panel["month"] - launch_m).map(lambda x: x.n).astype(int)
    panel["post"] = panel["rel"] >= 0
    return panel[["member_id", "treated", "month", "rel", "post", "orders"]]


def did_estimate(panel: pd.DataFrame, alpha: float = 0.05) -> dict:
    """DiD of orders per member per month: the four means, the estimate and a Welch interval on the members'
    (post − pre) changes. NaN when a group or a period is empty."""
    per = panel.groupby(["member_id", "treated", "post"])["orders"].mean().unstack("post")
    means = panel.groupby(["treated", "post"])["orders"].mean()
    if per.shape[1] < 2 or per.index.get_level_values("treated").nunique() < 2:
        return {"estimate": float("nan"), "ci95": [float("nan"), float("nan")], "p_value": float("nan"),
                "means": {}}
    change = (per[True] - per[False]).dropna()
    tr = np.asarray(change.index.get_level_values("treated"), bool)
    est, lo, hi, p = _welch(change[tr].to_numpy(float), change[~tr].to_numpy(float), alpha)
    return {"estimate": est, "ci95": [lo, hi], "p_value": p,
            "n_treated": int(tr.sum()), "n_control": int((~tr).sum()),
            "means": {f"{'treated' if t else 'control'}_{'post' if q else 'pre'}": float(v)
                      for (t, q), v in means.items()}}


def parallel_trends(panel: pd.DataFrame) -> dict:
    """Pre-period check: the monthly gap (programme cities − others) regressed on the month (least squares,
    ``scipy.stats.linregress``: slope and its t-test); a slope near 0 with a large p-value is consistent with
    parallel trends. Also returns the monthly means."""
    from scipy.stats import linregress

    by = panel.groupby(["rel", "treated"])["orders"].mean().unstack("treated")
    pre = by[by.index < 0].dropna()
    if len(pre) < 3 or True not in pre or False not in pre:
        return {"slope": float("nan"), "p_value": float("nan"), "monthly": by}
    gap = pre[True] - pre[False]
    fit = linregress(gap.index.to_numpy(float), gap.to_numpy(float))
    return {"slope": float(fit.slope), "p_value": float(fit.pvalue), "monthly": by}


def before_after_vs_control(outcomes: pd.DataFrame, orders: pd.DataFrame, campaigns: pd.DataFrame,
                            campaign_id: str) -> dict:
    """A campaign judged two ways: the naive before / after growth of the contacted members (orders per member in
    the window vs the same number of days just before it, as the seed case reports "July vs June") and the honest
    treated − control difference in the window. The gap between the two is what the control group removes:
    season, regression to the mean of who was selected, everything that would have happened anyway."""
    camp = campaigns.assign(campaign_id=campaigns["campaign_id"].astype(str)).set_index("campaign_id")
    lo = pd.Timestamp(camp.loc[campaign_id, "start_date"]).normalize()
    hi = pd.Timestamp(camp.loc[campaign_id, "end_date"]).normalize() + pd.Timedelta(days=1)
    days = hi - lo
    o = outcomes[outcomes["campaign_id"] == campaign_id]
    treated = o[~o["is_control"]]
    paid = paid_orders(orders)
    before = paid[(paid["order_ts"] >= lo - days) & (paid["order_ts"] < lo)]
    n_before = before[before["member_id"].astype(str).isin(set(treated["member_id"]))].shape[0]
    pre = n_before / max(len(treated), 1)
    post = float(treated["orders"].mean()) if len(treated) else float("nan")
    ctrl = o[o["is_control"]]
    lift = post - float(ctrl["orders"].mean()) if len(ctrl) and len(treated) else float("nan")
    growth = (post - pre) / pre if pre > 0 else float("inf") if post > 0 else float("nan")
    return {"days": int(days.days), "orders_before": pre, "orders_during": post, "naive_growth": growth,
            "naive_increase": post - pre, "controlled_lift": lift,
            "control_orders_during": float(ctrl["orders"].mean()) if len(ctrl) else float("nan")}
