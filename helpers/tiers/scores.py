"""The columns module 06 adds to the report's ``member_scores`` and what each one means — a contract with CRM
users (names, units, the as-of day and the rules that made the numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.tiers.points import Ledger
from helpers.tiers.simulate import TierPath

__all__ = ["SCORE_COLUMNS", "member_score_descriptions", "member_scores"]

SCORE_COLUMNS = ("tier", "tier_since", "next_tier", "spend_to_next_tier", "points_balance", "points_expiring_90d")


def member_scores(path: TierPath, ledger: Ledger | None = None) -> pd.DataFrame:
    """One row per member of the simulation: tier at the as-of month end, the day it started, the next tier and
    what is missing to reach it (in the rules' basis: 元 or points; empty at the top tier), points balance and
    points expiring in the next 90 days (empty without a ledger)."""
    f = path.final()
    names = np.asarray(path.rules.names, dtype=object)
    th = np.asarray(path.rules.thresholds)
    lvl = f["level"].to_numpy()
    top = lvl >= path.rules.n_tiers - 1
    nxt = np.where(top, None, names[np.minimum(lvl + 1, len(names) - 1)])
    gap = np.where(top, np.nan, np.maximum(th[np.minimum(lvl + 1, len(th) - 1)] - f["rolling"].to_numpy(), 0.0))
    out = pd.DataFrame({"tier": f["tier"].astype("string"), "tier_since": f["tier_since"],
                        "next_tier": pd.Series(nxt, index=f.index, dtype="string"),
                        "spend_to_next_tier": np.round(gap, 2)}, index=f.index)
    if ledger is not None:
        b = ledger.balances.reindex(out.index)
        out["points_balance"] = b["balance"].astype("Int64")
        out["points_expiring_90d"] = b["expiring_90d"].astype("Int64")
    else:
        out["points_balance"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["points_expiring_90d"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.index.name = "member_id"
    return out


def member_score_descriptions(path: TierPath, as_of, expiry_months: int, points_skipped: bool = False) -> dict:
    day = pd.Timestamp(as_of).date().isoformat()
    r = path.rules
    unit = "元" if r.basis == "spend" else "分"
    skip = "；订单表没有积分列时留空" if points_skipped else ""
    exp = f"积分在获得月份之后第 {expiry_months} 个月的月末过期" if expiry_months else "积分不过期"
    return {
        "tier": f"截至 {day} 所在月月末的会员等级（{r.describe_zh()}） · tier at the as-of month end",
        "tier_since": "当前等级开始的日期（达标或降级那个月的月末） · month-end day the current tier started",
        "next_tier": "上一级的名称；已在最高等级时留空 · next tier up, empty at the top",
        "spend_to_next_tier": (f"距上一级门槛还差多少（近 {r.window_months} 个月，{unit}）；已在最高等级时留空 · "
                               f"what is missing to the next threshold ({unit})"),
        "points_balance": (f"截至 {day} 的积分余额：获得 − 使用 − 过期，退款订单的积分已冲回（{exp}）{skip} · "
                           "points balance: earned − redeemed − expired, refunds reversed"),
        "points_expiring_90d": (f"{day} 之后 90 天内将过期的积分（假设不再使用）{skip} · points expiring in the next "
                                "90 days if none are used"),
    }
