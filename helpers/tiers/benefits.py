"""What the tiers cost and what they earn back (权益成本与投入产出): benefit cost per tier from usage × unit cost,
set against the incremental margin the tiers bring; the programme's ROI by tier.

A benefit applies to purchases made while the member holds the tier: spend in month t is served at the tier held at
the end of month t − 1 (a member upgraded by this month's purchase enjoys the benefits from next month).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.tiers.rules import TierRules, benefits_table
from helpers.tiers.simulate import Panel, TierPath

__all__ = ["benefit_cost", "programme_roi"]


def benefit_cost(panel: Panel, path: TierPath, benefits: pd.DataFrame | None = None,
                 months: int = 12) -> pd.DataFrame:
    """Per tier over the last ``months`` months: member-months, spend, and the cost of each benefit (元):

    * ``discount_cost`` = discount_rate × paid spend of members holding the tier;
    * ``shipping_cost`` = online paid orders × shipping_cost, for tiers with free shipping;
    * ``gift_cost`` = member-months ÷ 12 × birthday_gift × birthday_usage (one gift a year, not all collected).
    """
    rules: TierRules = path.rules
    b = benefits_table(benefits, rules)
    T = panel.spend.shape[1]
    m = max(1, min(int(months), T))
    held = np.zeros_like(path.tier)
    held[:, 1:] = path.tier[:, :-1]
    sl = slice(T - m, T)
    lvl = held[:, sl].astype(np.int64)
    ex = path.exists()[:, sl]
    k = rules.n_tiers
    mm = np.bincount(lvl[ex], minlength=k).astype(np.int64)
    spend = np.bincount(lvl[ex], weights=panel.spend[:, sl][ex], minlength=k)
    online = np.bincount(lvl[ex], weights=panel.online[:, sl][ex].astype(float), minlength=k)
    disc = b["discount_rate"].to_numpy(float) * spend
    ship = np.where(b["free_shipping"].to_numpy(bool), online * b["shipping_cost"].to_numpy(float), 0.0)
    gift = mm / 12.0 * b["birthday_gift"].to_numpy(float) * b["birthday_usage"].to_numpy(float)
    out = pd.DataFrame({"member_months": mm, "spend": spend, "online_orders": online.astype(np.int64),
                        "discount_cost": disc, "shipping_cost": ship, "gift_cost": gift},
                       index=pd.Index(rules.names, name="tier"))
    out["total_cost"] = out[["discount_cost", "shipping_cost", "gift_cost"]].sum(axis=1)
    out["cost_per_member_year"] = np.where(mm > 0, out["total_cost"] / np.maximum(mm, 1) * 12.0, np.nan)
    out["cost_share_of_spend"] = np.where(spend > 0, out["total_cost"] / np.where(spend > 0, spend, 1.0), np.nan)
    return out


def programme_roi(cost: pd.DataFrame, lift: pd.Series, margin: float) -> pd.DataFrame:
    """ROI by tier: ``incremental_margin`` = lift (元 of extra spend per member-month, e.g. the ``lift`` column of
    :func:`helpers.tiers.spend_around_upgrade`) × member-months × margin; ``roi`` = (incremental margin − cost) ÷
    cost (missing where a tier costs nothing or its lift is unknown)."""
    if not 0 < margin <= 1:
        raise ValueError("margin must be in (0, 1] / 毛利率须在 (0, 1] 内")
    lf = pd.Series(lift, dtype="float64").reindex(cost.index)
    inc = lf * cost["member_months"].astype(float) * float(margin)
    c = cost["total_cost"].astype(float)
    roi = (inc - c) / c.where(c > 0)
    return pd.DataFrame({"member_months": cost["member_months"], "total_cost": c, "lift_per_member_month": lf,
                         "incremental_margin": inc, "net": inc - c, "roi": roi}, index=cost.index)
