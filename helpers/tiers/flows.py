"""What the simulated tiers say about the programme: members per tier over time, upgrade / downgrade flows, and
spend before and after an upgrade against members who just missed it (升级前后的消费变化)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.tiers.simulate import Panel, TierPath

__all__ = ["flow_matrix", "monthly_flows", "spend_around_upgrade", "threshold_for_share", "tier_counts",
           "tier_distribution"]


def tier_distribution(path: TierPath) -> pd.DataFrame:
    """Members per tier at every month end (rows: months, columns: tier names); only members who have joined."""
    T, k = len(path.months), path.rules.n_tiers
    ex = path.exists()
    out = np.zeros((T, k), np.int64)
    for lvl in range(k):
        out[:, lvl] = ((path.tier == lvl) & ex).sum(axis=0)
    return pd.DataFrame(out, index=path.months.rename("month"), columns=list(path.rules.names))


def tier_counts(path: TierPath, active_months: int | None = None, panel: Panel | None = None) -> pd.Series:
    """Members per tier at the last month end; with ``active_months`` and ``panel``, only members with a paid
    purchase in the last ``active_months`` months."""
    lvl = path.tier[:, -1] if path.tier.size else np.zeros(0, np.int8)
    mask = path.exists()[:, -1] if path.tier.size else np.zeros(0, bool)
    if active_months is not None and panel is not None:
        mask = mask & (panel.spend[:, -int(active_months):] > 0).any(axis=1)
    counts = np.bincount(lvl[mask].astype(np.int64), minlength=path.rules.n_tiers)
    return pd.Series(counts, index=pd.Index(path.rules.names, name="tier"), name="members")


def monthly_flows(path: TierPath) -> pd.DataFrame:
    """Per month: upgrades and downgrades (members whose level rose / fell at that month end) and members."""
    prev = np.zeros_like(path.tier)
    if path.tier.shape[1] > 1:
        prev[:, 1:] = path.tier[:, :-1]
    up = (path.tier > prev).sum(axis=0)
    down = (path.tier < prev).sum(axis=0)
    return pd.DataFrame({"upgrades": up.astype(np.int64), "downgrades": down.astype(np.int64),
                         "members": path.exists().sum(axis=0).astype(np.int64)},
                        index=path.months.rename("month"))


def flow_matrix(path: TierPath, months_back: int = 12) -> pd.DataFrame:
    """Members by tier ``months_back`` months before the last month end (or at the first month, when the data is
    shorter; rows) and at it (columns); members who had
    not joined yet form the row ``未入会``."""
    T = len(path.months)
    b = max(T - 1 - int(months_back), 0)
    names = list(path.rules.names)
    before = np.where(path.joined <= b, np.asarray(names, dtype=object)[path.tier[:, b]], "未入会")
    after = np.asarray(names, dtype=object)[path.tier[:, -1]]
    rows = ["未入会", *names]
    return (pd.crosstab(pd.Series(before, name="before"), pd.Series(after, name="after"))
            .reindex(index=rows, columns=names, fill_value=0).rename_axis(index="之前", columns="之后"))


def spend_around_upgrade(panel: Panel, path: TierPath, window: int = 3, near: float = 0.8) -> pd.DataFrame:
    """For every tier above the base one: mean monthly spend in the ``window`` months before and after the month a
    member was upgraded into it, against members one level below who came within ``near`` × the threshold that month
    but were not upgraded (the near misses). ``lift`` = upgraders' change − near misses' change, per member-month;
    only months with a full window on both sides count."""
    spend = panel.spend
    T = spend.shape[1]
    th = np.asarray(path.rules.thresholds)
    prev = np.zeros_like(path.tier)
    prev[:, 1:] = path.tier[:, :-1]
    rows = []
    c = np.concatenate([np.zeros((spend.shape[0], 1)), np.cumsum(spend, axis=1)], axis=1)
    for lvl in range(1, path.rules.n_tiers):
        acc = {"upgraded": [0, 0.0, 0.0], "near_miss": [0, 0.0, 0.0]}
        for t in range(window, T - window):
            before = (c[:, t] - c[:, t - window]) / window
            after = (c[:, t + 1 + window] - c[:, t + 1]) / window
            ex = path.joined <= t - window
            up = ex & (path.tier[:, t] == lvl) & (prev[:, t] < lvl)
            miss = (ex & (path.tier[:, t] == lvl - 1) & (prev[:, t] == lvl - 1)
                    & (path.rolling[:, t] >= near * th[lvl]) & (path.rolling[:, t] < th[lvl]))
            for key, m in (("upgraded", up), ("near_miss", miss)):
                acc[key][0] += int(m.sum())
                acc[key][1] += float(before[m].sum())
                acc[key][2] += float(after[m].sum())
        (nu, bu, au), (nm, bm, am) = acc["upgraded"], acc["near_miss"]
        ub, ua = (bu / nu, au / nu) if nu else (np.nan, np.nan)
        mb, ma = (bm / nm, am / nm) if nm else (np.nan, np.nan)
        rows.append({"tier": path.rules.names[lvl], "upgrades": nu, "before": ub, "after": ua,
                     "change": ua - ub, "near_misses": nm, "near_before": mb, "near_after": ma,
                     "near_change": ma - mb, "lift": (ua - ub) - (ma - mb)})
    return pd.DataFrame(rows).set_index("tier") if rows else pd.DataFrame(
        columns=["upgrades", "before", "after", "change", "near_misses", "near_before", "near_after",
                 "near_change", "lift"])


def threshold_for_share(values: pd.Series, share: float) -> float:
    """The threshold that puts the top ``share`` of members (by ``values``, the course's "top X %" rule:
    :func:`helpers.behavior.top_members`) in a tier: the smallest value among them. Members tied with it qualify
    too, so the tier may hold a little more than ``share``. NaN when there are no values."""
    from helpers.behavior import top_members

    v = pd.Series(values).dropna()
    if v.empty:
        return float("nan")
    return float(v.loc[top_members(v, share)].min())
