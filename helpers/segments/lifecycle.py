"""Lifecycle stages (会员生命周期阶段): 新客 / 成长 / 成熟 / 衰退 / 沉睡 / 流失, by explicit rules, and how members
move between stages from one as-of day to another (the transition matrix).

Why rules and not a model: a stage is a label a store acts on (welcome journey, nurture, keep, win back), so every
member's stage must be explainable in one sentence. The rules, checked in this order:

1. 沉睡 / 流失 — the rule-based activity status of module 02 (:func:`helpers.behavior.activity_indicators`):
   recency > ``active_days`` (90) is 沉睡, > ``lapsed_days`` (180) is 流失;
2. the rest is active; 新客 — first purchase less than ``new_days`` (90) days ago;
3. 衰退 — at least ``decline_min`` (2) orders in the 90 days before the last 90, and in the last 90 days at most
   ``decline_ratio`` (½) as many: still buying, but clearly less;
4. 成熟 — first purchase at least ``mature_days`` (365) days ago;
5. 成长 — everyone else (active, past the first 90 days, not yet a year, not declining).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior import activity_indicators
from helpers.segments.features import member_features

__all__ = ["LIFECYCLE_STAGES", "NOT_YET", "lifecycle_stages", "lifecycle_transitions"]

#: the stages, from the start of a relationship to its end
LIFECYCLE_STAGES = ("新客", "成长", "成熟", "衰退", "沉睡", "流失")
#: the row of the transition matrix for members who had not bought yet at the first as-of day
NOT_YET = "尚未购买"


def lifecycle_stages(features: pd.DataFrame, *, new_days: int = 90, active_days: int = 90, lapsed_days: int = 180,
                     mature_days: int = 365, decline_ratio: float = 0.5, decline_min: int = 2) -> pd.Series:
    """The stage of each member of a :func:`member_features` table (columns ``recency``, ``tenure``,
    ``orders_90d``, ``orders_prev_90d``) by the rules of the module docstring. Ordered categorical with
    :data:`LIFECYCLE_STAGES` as categories, same index."""
    status = activity_indicators(features, active_days=active_days, lapsed_days=lapsed_days)["activity_status"]
    tenure = features["tenure"].to_numpy(float)
    last, before = features["orders_90d"].to_numpy(float), features["orders_prev_90d"].to_numpy(float)
    declining = (before >= decline_min) & (last <= decline_ratio * before)
    active_stage = np.where(tenure < new_days, "新客",
                            np.where(declining, "衰退", np.where(tenure >= mature_days, "成熟", "成长")))
    stage = np.where(status.astype(str).to_numpy() == "活跃", active_stage, status.astype(str).to_numpy())
    return pd.Series(pd.Categorical(stage, categories=list(LIFECYCLE_STAGES), ordered=True), index=features.index,
                     name="lifecycle_stage")


def lifecycle_transitions(orders: pd.DataFrame, first, second, *, normalize: bool = False, **rules) -> pd.DataFrame:
    """Members by stage at ``first`` (rows) and at ``second`` (columns), a later as-of day; members who had not
    bought by ``first`` are the row :data:`NOT_YET`. ``normalize=True``: each row as shares (a row sums to 1).
    ``rules`` go to :func:`lifecycle_stages`."""
    if pd.Timestamp(second) <= pd.Timestamp(first):
        raise ValueError("second must be a later as-of day than first")
    a = lifecycle_stages(member_features(orders, first), **rules)
    b = lifecycle_stages(member_features(orders, second), **rules)
    rows = pd.Categorical(a.reindex(b.index).astype(object).fillna(NOT_YET).to_numpy(),
                          categories=[*LIFECYCLE_STAGES, NOT_YET])
    t = pd.crosstab(pd.Series(rows, name="from"), pd.Series(b.to_numpy(), name="to"), dropna=False)
    t = t.reindex(index=[*LIFECYCLE_STAGES, NOT_YET], columns=list(LIFECYCLE_STAGES), fill_value=0)
    if normalize:
        t = t.div(t.sum(axis=1).replace(0, np.nan), axis=0)
    t.index.name, t.columns.name = f"{pd.Timestamp(first).date()} 阶段", f"{pd.Timestamp(second).date()} 阶段"
    return t
