"""The retention list (挽留名单): whom to contact, ranked by the expected value of contacting, consent respected.

Why expected value and not risk alone: the members most certain to churn are often those with little left to lose
(one purchase two years ago), and a contact costs money. For each member

    expected value = churn_risk × value_at_risk × save_rate − contact_cost

with ``value_at_risk`` the margin the member would bring over the horizon if kept (:func:`value_at_risk`: their
spend in the last 180 days scaled to the horizon, times the margin) and ``save_rate`` the share of would-be
churners a contact keeps (from a past campaign's test; module 07 measures it). Only members who consented to the
channel are on the list (PIPL: automated marketing needs consent and an easy opt-out); the list is sorted by
expected value, ties in member-id order, and cut at the budget.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["retention_list", "threshold_summary", "value_at_risk"]


def value_at_risk(features: pd.DataFrame, horizon_days: int, *, margin: float = 0.3) -> pd.Series:
    """Margin (元) a member would bring in the next ``horizon_days`` at the pace of their last 180 days:
    ``spend_180d × horizon_days / 180 × margin``."""
    return (features["spend_180d"].astype(float) * horizon_days / 180.0 * margin).rename("value_at_risk")


def retention_list(churn_risk: pd.Series, value: pd.Series, *, consent: pd.Series | None = None,
                   save_rate: float = 0.2, contact_cost: float = 2.0, budget: float | None = None) -> pd.DataFrame:
    """Members worth contacting, best first: ``churn_risk``, ``value_at_risk``, ``expected_value`` (see the module
    docstring) and ``consent``; only members with consent (``consent`` True; without a consent column nobody is
    excluded, and the column says so with ``<NA>``) and ``expected_value > 0``; at most ``budget // contact_cost``
    of them when a budget is given. Ties in member-id order."""
    risk = pd.Series(churn_risk).astype(float)
    v = pd.Series(value).reindex(risk.index).astype(float)
    ev = risk * v * save_rate - contact_cost
    c = (pd.Series(pd.NA, index=risk.index, dtype="boolean") if consent is None
         else pd.Series(consent).reindex(risk.index).astype("boolean"))
    t = pd.DataFrame({"churn_risk": risk, "value_at_risk": v, "expected_value": ev, "consent": c})
    ok = t["expected_value"].to_numpy(float) > 0
    if consent is not None:
        ok &= t["consent"].fillna(False).to_numpy(bool)
    t = t[ok].sort_index(kind="mergesort").sort_values("expected_value", ascending=False, kind="mergesort")
    if budget is not None:
        t = t.iloc[:max(int(budget // contact_cost), 0)]
    t.index.name = "member_id"
    return t


def threshold_summary(churn_risk: pd.Series, value: pd.Series, thresholds=None, *, save_rate: float = 0.2,
                      contact_cost: float = 2.0) -> pd.DataFrame:
    """For each churn-risk threshold: ``members`` at or above it, ``expected_saved`` (元: Σ risk × value ×
    save_rate), ``cost`` and ``net`` = expected_saved − cost — the trade-off behind the threshold slider."""
    risk = pd.Series(churn_risk).astype(float)
    v = pd.Series(value).reindex(risk.index).astype(float).fillna(0.0)
    ths = np.round(np.arange(0.0, 1.0, 0.05), 2) if thresholds is None else thresholds
    rows = []
    for th in ths:
        m = risk.to_numpy() >= th
        saved = float((risk[m] * v[m] * save_rate).sum())
        rows.append({"threshold": float(th), "members": int(m.sum()), "expected_saved": saved,
                     "cost": float(m.sum() * contact_cost), "net": saved - float(m.sum() * contact_cost)})
    return pd.DataFrame(rows).set_index("threshold")
