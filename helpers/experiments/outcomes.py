"""Per campaign and arm: who was in each arm, what they did in the campaign window, and the lift of every treatment
arm against the control with a 95 % interval, a p-value and Holm's correction across arms.

Why these definitions: the window is the campaign's own [start_date, end_date] (both days included), outcomes count
*paid* orders only (a refunded order is not a purchase), and every arm is compared with the same control, so with
several offers the family of comparisons is corrected (Holm) — a trainee who tests three offers at 5 % each will
otherwise "find" a winner one time in seven when nothing works.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["BINARY_OUTCOMES", "CONTROL_LABELS", "OUTCOMES", "OUTCOME_ZH", "arm_summary", "campaign_notes", "clean_contacts",
           "experiment_metrics", "is_control", "lift_table", "member_outcomes", "paid_orders", "winner"]

#: spellings of the control arm in exports (compared case-insensitively, spaces trimmed)
CONTROL_LABELS = frozenset({"control", "ctrl", "holdout", "hold-out", "hold_out", "对照组", "对照", "控制组",  # glossary: allow
                            "空白组"})
OUTCOMES = ("conversion_rate", "orders_per_member", "spend_per_member", "visit_rate")
BINARY_OUTCOMES = ("conversion_rate", "visit_rate")
OUTCOME_ZH = {"conversion_rate": "转化率", "orders_per_member": "人均订单数", "spend_per_member": "人均消费金额（元）",
              "visit_rate": "访问率"}


def is_control(label) -> bool:
    """Whether an arm label names the control (held-out) group."""
    return str(label).strip().lower() in CONTROL_LABELS


def paid_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Paid orders (all orders when the export has no ``status`` column)."""
    if "status" in orders:
        return orders[orders["status"].astype("string").fillna("paid") == "paid"]
    return orders


def clean_contacts(contacts: pd.DataFrame, campaigns: pd.DataFrame | None):
    """Contacts that can be analysed, and the quarantined rest with a reason.

    A contact of a campaign that is not in ``campaigns`` (no window to measure), or with an empty arm, is
    quarantined (``table``, ``row``, ``column``, ``reason``, ``value``; ``row`` is the 1-based row of the
    contacts frame as given). Returns ``(kept, quarantined)``; ``len(kept) + len(quarantined) == len(contacts)``.
    """
    c = contacts.reset_index(drop=True)
    known = set() if campaigns is None else set(campaigns["campaign_id"].astype(str))
    cid = c["campaign_id"].astype(str)
    arm = c["arm"].astype("string")
    unknown = ~cid.isin(known)
    no_arm = arm.isna() | (arm.str.strip() == "")
    bad = unknown | no_arm
    reason = np.where(unknown, "campaign not in campaigns / 活动表中没有该活动", "arm missing / 分组为空")
    q = pd.DataFrame({"table": "campaign_contacts", "row": (np.nonzero(bad.to_numpy())[0] + 1).astype(int),
                      "column": np.where(unknown[bad], "campaign_id", "arm"), "reason": reason[bad.to_numpy()],
                      "value": np.where(unknown[bad], cid[bad], "")})
    kept = c[~bad].copy()
    kept["campaign_id"] = kept["campaign_id"].astype(str)
    kept["arm"] = kept["arm"].astype(str).str.strip()
    return kept.reset_index(drop=True), q.reset_index(drop=True)


def member_outcomes(contacts: pd.DataFrame, orders: pd.DataFrame, campaigns: pd.DataFrame,
                    events: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per contact: ``campaign_id``, ``member_id``, ``arm``, ``is_control`` and the window's outcomes
    ``converted`` (≥ 1 paid order), ``orders`` (paid), ``spend`` (paid net_amount), ``visited`` (≥ 1 "view"
    event; NaN without events or when the events log starts after the window's first day — tracking logs are
    kept for a limited time). The window is [start_date 00:00, end_date + 1 day) of the campaign.
    """
    camp = campaigns.assign(campaign_id=campaigns["campaign_id"].astype(str)).drop_duplicates("campaign_id")
    camp = camp.set_index("campaign_id")
    paid = paid_orders(orders)[["member_id", "order_ts", "net_amount"]]
    views, log_start = None, None
    if events is not None and len(events) and "event_type" in events:
        views = events.loc[events["event_type"].astype("string") == "view", ["member_id", "event_ts"]]
        log_start = events["event_ts"].min()  # the tracking log is kept for a limited time only
    parts = []
    for cid, c in contacts.groupby("campaign_id", sort=True):
        c = c[["campaign_id", "member_id", "arm"]].copy()
        lo = pd.Timestamp(camp.loc[cid, "start_date"]).normalize()
        hi = pd.Timestamp(camp.loc[cid, "end_date"]).normalize() + pd.Timedelta(days=1)
        win = paid[(paid["order_ts"] >= lo) & (paid["order_ts"] < hi)]
        agg = win.groupby("member_id", observed=True).agg(orders=("net_amount", "size"), spend=("net_amount", "sum"))
        c["orders"] = c["member_id"].map(agg["orders"]).fillna(0).astype(float).to_numpy()
        c["spend"] = c["member_id"].map(agg["spend"]).fillna(0.0).astype(float).to_numpy()
        c["converted"] = (c["orders"] > 0).astype(float)
        if views is not None and log_start <= lo:  # visits only where the log covers the whole window
            seen = set(views.loc[(views["event_ts"] >= lo) & (views["event_ts"] < hi), "member_id"].astype(str))
            c["visited"] = c["member_id"].astype(str).isin(seen).astype(float)
        else:
            c["visited"] = np.nan
        parts.append(c)
    cols = ["campaign_id", "member_id", "arm", "is_control", "converted", "orders", "spend", "visited"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["member_id"] = out["member_id"].astype(str)
    out["is_control"] = out["arm"].map(is_control).astype(bool)
    return out[cols]


def arm_summary(outcomes: pd.DataFrame, arms: dict | None = None) -> pd.DataFrame:
    """Per campaign × arm: ``n``, ``conversion_rate``, ``orders_per_member``, ``spend_per_member``, ``visit_rate``.

    ``arms`` (campaign → labels) adds arms that lost every member (n = 0, rates NaN), e.g. after quarantine.
    """
    g = outcomes.groupby(["campaign_id", "arm"], sort=True)
    s = pd.DataFrame({"n": g.size(), "conversion_rate": g["converted"].mean(), "orders_per_member": g["orders"].mean(),
                      "spend_per_member": g["spend"].mean(), "visit_rate": g["visited"].mean()})
    if arms:
        full = pd.MultiIndex.from_tuples(sorted({(c, a) for c, labels in arms.items() for a in labels}
                                                | set(s.index)), names=["campaign_id", "arm"])
        s = s.reindex(full)
        s["n"] = s["n"].fillna(0)
    s["n"] = s["n"].astype(int)
    s = s.reset_index()
    s.insert(2, "is_control", s["arm"].map(is_control).astype(bool))
    return s


def _welch(x1: np.ndarray, x0: np.ndarray, alpha: float):
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    est = float(x1.mean() - x0.mean())
    if len(x1) < 2 or len(x0) < 2:
        return est, np.nan, np.nan, np.nan
    if x1.var() == 0 and x0.var() == 0:
        return est, est, est, (1.0 if est == 0 else 0.0)
    cm = CompareMeans(DescrStatsW(x1), DescrStatsW(x0))
    lo, hi = cm.tconfint_diff(alpha=alpha, usevar="unequal")
    _, p, _ = cm.ttest_ind(usevar="unequal")
    return est, float(lo), float(hi), float(p)


def _proportions(x1: np.ndarray, x0: np.ndarray, alpha: float):
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    n1, n0, k1, k0 = len(x1), len(x0), float(x1.sum()), float(x0.sum())
    est = k1 / n1 - k0 / n0
    se = np.sqrt((k1 / n1) * (1 - k1 / n1) / n1 + (k0 / n0) * (1 - k0 / n0) / n0)
    if se == 0:
        return est, est, est, (1.0 if est == 0 else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # statsmodels also computes ratios we do not use
        lo, hi = confint_proportions_2indep(k1, n1, k0, n0, method="wald", compare="diff", alpha=alpha)
        p = test_proportions_2indep(k1, n1, k0, n0, method="wald", compare="diff").pvalue
    return est, float(lo), float(hi), float(p)


def lift_table(outcomes: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Every treatment arm against its campaign's control, per outcome.

    Rates (conversion, visit): difference of proportions, Wald interval with unpooled variance and the Wald
    z-test (statsmodels); per-member means (orders, spend): Welch's t interval and test. ``p_holm``: Holm's
    correction across the treatment arms of one campaign, per outcome. Campaigns without a control, empty arms and
    outcomes without data (visit rate without events) give no row.
    """
    rows = []
    for cid, c in outcomes.groupby("campaign_id", sort=True):
        ctrl = c[c["is_control"]]
        if ctrl.empty:
            continue
        for arm, t in c[~c["is_control"]].groupby("arm", sort=True):
            if t.empty:
                continue
            for out, col in (("conversion_rate", "converted"), ("orders_per_member", "orders"),
                             ("spend_per_member", "spend"), ("visit_rate", "visited")):
                x1, x0 = t[col].to_numpy(float), ctrl[col].to_numpy(float)
                if np.isnan(x1).any() or np.isnan(x0).any():
                    continue
                f = _proportions if out in BINARY_OUTCOMES else _welch
                est, lo, hi, p = f(x1, x0, alpha)
                rows.append(dict(campaign_id=cid, arm=arm, outcome=out, n_treatment=len(x1), n_control=len(x0),
                                 estimate=est, ci_low=lo, ci_high=hi, p_value=p))
    cols = ["campaign_id", "arm", "outcome", "n_treatment", "n_control", "estimate", "ci_low", "ci_high", "p_value",
            "p_holm"]
    if not rows:
        return pd.DataFrame(columns=cols)
    lt = pd.DataFrame(rows)
    lt["p_holm"] = np.nan
    for _, idx in lt.groupby(["campaign_id", "outcome"]).groups.items():
        p = lt.loc[idx, "p_value"]
        ok = p.notna()
        if ok.any():
            lt.loc[p[ok].index, "p_holm"] = holm(p[ok].to_numpy())
    return lt[cols]


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values (statsmodels' ``multipletests(method="holm")``).

    statsmodels runs ``gc.collect()`` inside every Holm call: a full collection of everything the kernel holds
    (0.2 s a call in a notebook with the data loaded, seconds per module). Objects alive before the call are frozen
    for its duration so the collector skips them; the result is the same.
    """
    import gc

    from statsmodels.stats.multitest import multipletests

    gc.freeze()
    try:
        return multipletests(np.asarray(p_values, dtype=float), method="holm")[1]
    finally:
        gc.unfreeze()


def _num(x):
    return None if x is None or (isinstance(x, float) and not np.isfinite(x)) or pd.isna(x) else float(x)


def experiment_metrics(summary: pd.DataFrame, lifts: pd.DataFrame, digits: int = 6) -> dict:
    """``{"campaigns": {campaign_id: {"arms": {arm: {n, conversion_rate, orders_per_member, spend_per_member,
    visit_rate, lift: {outcome: {estimate, ci95: [lo, hi], p_value}}}}, "holm": {arm: {outcome: p}}}}}`` —
    the fixed metrics.json shape of module 08 (null where a figure does not exist)."""
    def r(x):
        v = _num(x)
        return None if v is None else round(v, digits)

    camps: dict = {}
    for row in summary.itertuples(index=False):
        c = camps.setdefault(str(row.campaign_id), {"arms": {}, "holm": {}})
        c["arms"][str(row.arm)] = {"n": int(row.n), "conversion_rate": r(row.conversion_rate),
                                   "orders_per_member": r(row.orders_per_member),
                                   "spend_per_member": r(row.spend_per_member), "visit_rate": r(row.visit_rate),
                                   "lift": {}}
    for row in lifts.itertuples(index=False):
        arm = camps.setdefault(str(row.campaign_id), {"arms": {}, "holm": {}})["arms"].get(str(row.arm))
        if arm is None:
            continue
        arm["lift"][row.outcome] = {"estimate": r(row.estimate), "ci95": [r(row.ci_low), r(row.ci_high)],
                                    "p_value": r(row.p_value)}
        camps[str(row.campaign_id)]["holm"].setdefault(str(row.arm), {})[row.outcome] = r(row.p_holm)
    return {"campaigns": camps}


def campaign_notes(summary: pd.DataFrame, quarantined: pd.DataFrame | None = None) -> list[str]:
    """One Chinese sentence per situation the analysis cannot handle as usual: a campaign without a control arm
    (rates only, no lift), an arm without members, a window without paid orders, contacts of unknown campaigns."""
    notes = []
    for cid, s in summary.groupby("campaign_id", sort=True):
        if not s["is_control"].any():
            notes.append(f"活动 {cid} 没有对照组（control），只报告各组的比率，不计算提升。")
        for arm in s.loc[s["n"] == 0, "arm"]:
            notes.append(f"活动 {cid} 的分组 {arm} 没有会员，跳过该组。")
        if s["n"].sum() > 0 and (s["orders_per_member"].fillna(0) == 0).all():
            notes.append(f"活动 {cid} 的活动窗口内没有已支付订单，各组比率均为 0，提升无法区分。")
    if quarantined is not None and len(quarantined):
        unknown = quarantined[quarantined["column"] == "campaign_id"]
        if len(unknown):
            ids = "、".join(sorted(set(unknown["value"].astype(str)))[:5])
            notes.append(f"{len(unknown):,} 条触达记录的活动（{ids}）不在活动表中，已隔离（quarantine）。")
        n_arm = int((quarantined["column"] == "arm").sum())
        if n_arm:
            notes.append(f"{n_arm:,} 条触达记录没有分组，已隔离（quarantine）。")
    return notes


def winner(results: pd.DataFrame, alpha: float = 0.05):
    """The arm to roll out from one campaign's comparisons (``arm``, ``estimate``, ``p_value``; one row per
    treatment arm and one outcome): the largest positive lift among the arms significant after Holm's correction
    (statsmodels), else ``None`` — better no winner than a false one."""
    r = results.dropna(subset=["p_value"])
    if r.empty:
        return None
    ok = r[(holm(r["p_value"].to_numpy(float)) < alpha) & (r["estimate"].to_numpy(float) > 0)]
    if ok.empty:
        return None
    return str(ok.sort_values("estimate", ascending=False, kind="mergesort")["arm"].iloc[0])
