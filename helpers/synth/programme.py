"""The loyalty programme of the synthetic world: its rules as data, and the truth written about it
(``truth/loyalty_programme.json``, ``truth/member_points.parquet``).

Why: module 06 analyses tiers and points; to check a points ledger, a tier simulation and a breakage estimate, the
world must run a programme with known rules and say what really happened. The rules:

* **Tiers** — the retailer's programme is the course's default :class:`helpers.tiers.TierRules` (rolling 12-month
  paid net spend; 银卡 1,000 元, 金卡 3,000 元, 钻石卡 10,000 元; immediate upgrade, review 12 months later with one
  month of grace, one level down at a time). The generator applies it month by month with the same code module 06
  uses (:func:`helpers.tiers.tier_step`), so the tier a member holds when ordering is the one module 06 finds.
* **Earning** — a paid order earns ⌊net amount × rate⌋ points, the rate set by the tier held when ordering (the tier
  at the end of the previous month): 1, 1.2, 1.5, 2 points per 元. Refunded orders earn nothing.
* **Redemption** — 100 points = 1 元, used in whole 元 at a paid order, at most 20 % of the order and never more than
  the valid balance, only once the balance reaches 1,000 points. At an eligible order a member redeems with a
  probability that rises with the tier (15 %–30 %) and with the balance (× √(balance / 1,000), at most 80 %), and
  is at least 60 % when points are about to expire (≥ 100 points expiring by the end of the next month — the
  reminder a retailer sends): members use points before they lose them.
* **Expiry** — each order's points expire at the end of the 12th month after the month they were earned; redemptions
  use the oldest points first (FIFO). What expires is breakage.

The draws have their own random stream (``loyalty``), :mod:`helpers.synth.loyalty` runs the rules inside the basket
loop (a redemption enlarges the basket by its value, as before: ``net_amount`` stays the member's own spend).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helpers.synth.arrow import with_pandas_metadata

__all__ = ["BREAKAGE_DEFINITION", "MEMBER_POINTS_SCHEMA", "POINTS_RULES", "TIER_PROGRAMME", "member_points_arrays",
           "tier_rules", "write_programme_truth"]

#: the programme the world's retailer runs (same numbers as helpers.tiers.DEFAULT_RULES; a test checks they agree)
TIER_PROGRAMME = {
    "tiers": ["普通会员", "银卡", "金卡", "钻石卡"],
    "thresholds_yuan": [0, 1000, 3000, 10000],
    "basis": "rolling paid net spend",
    "window_months": 12,
    "upgrade": "at the end of the month the member qualifies (may skip levels)",
    "review_period_months": 12,
    "grace_months": 1,
    "downgrade": "one level at a review, when the window does not reach the tier's threshold",
}

POINTS_RULES = {
    "earn_points_per_yuan_by_tier": {"普通会员": 1.0, "银卡": 1.2, "金卡": 1.5, "钻石卡": 2.0},
    "earn_tier": "the tier held when ordering: the tier at the end of the previous month",
    "earn_rounding": "floor of paid net amount × the tier's rate",
    "refunded_orders_earn": False,
    "value_per_point_yuan": 0.01,
    "redeem_unit_points": 100,
    "redeem_min_balance": 1000,
    "redeem_max_share_of_order": 0.2,
    "redeem_probability_by_tier": {"普通会员": 0.15, "银卡": 0.2, "金卡": 0.25, "钻石卡": 0.3},
    "redeem_balance_effect": "probability × sqrt(balance / redeem_min_balance), at most redeem_probability_max",
    "redeem_probability_max": 0.8,
    "redeem_expiry_pressure_probability": 0.6,
    "redeem_expiry_pressure": "at least redeem_expiry_pressure_probability when ≥ 100 points of the balance expire "
                              "by the end of the month after the order's month",
    "redeem_amount": "as much as allowed: min(balance, redeem_max_share_of_order × order) in whole 元",
    "points_expiry_months": 12,
    "expiry_rule": "a paid order's points expire at the end of the points_expiry_months-th month after the month "
                   "they were earned; redemptions use the oldest points first (FIFO)",
}

#: ``truth/member_points.parquet``: one row per member (meanings: :data:`helpers.truth.MEMBER_POINTS_COLUMNS`)
MEMBER_POINTS_SCHEMA = with_pandas_metadata(pa.schema([
    ("member_id", pa.string()), ("tier", pa.dictionary(pa.int32(), pa.string())), ("points_earned", pa.int64()),
    ("points_redeemed", pa.int64()), ("points_expired", pa.int64()), ("points_balance", pa.int64())]))

BREAKAGE_DEFINITION = (
    "settled points only: points earned on paid orders whose expiry instant (end of the points_expiry_months-th "
    "month after the month earned) is not after the end of the as-of day, so each of them was either redeemed or "
    "expired; breakage_rate = expired ÷ earned over those points (every expired point is a settled one). "
    "expired_share_of_all_earned divides the same expired points by everything earned, young points included.")


def tier_rules():
    """The world's tier programme as a :class:`helpers.tiers.TierRules`."""
    from helpers.tiers import TierRules

    p = TIER_PROGRAMME
    return TierRules(thresholds=tuple(float(x) for x in p["thresholds_yuan"]), names=tuple(p["tiers"]),
                     window_months=p["window_months"], period_months=p["review_period_months"],
                     grace_months=p["grace_months"])


def member_points_arrays(m0: int, m1: int, points: dict) -> dict:
    """Columns of ``truth/member_points`` for members ``m0 … m1 - 1`` from :meth:`helpers.synth.loyalty.Loyalty.finish`."""
    from helpers.synth.arrow import dict_array, id_strings

    return {"member_id": pa.array(id_strings("M", np.arange(m0 + 1, m1 + 1), 8), pa.string()),
            "tier": dict_array(points["tier"], tuple(TIER_PROGRAMME["tiers"])),
            "points_earned": pa.array(points["earned"], pa.int64()),
            "points_redeemed": pa.array(points["redeemed"], pa.int64()),
            "points_expired": pa.array(points["expired"], pa.int64()),
            "points_balance": pa.array(points["balance"], pa.int64())}


def write_programme_truth(out_dir: Path, as_of: str) -> Path:
    """Write ``truth/loyalty_programme.json`` from the written ``orders.parquet`` and ``truth/member_points.parquet``:
    the rules, the totals, the true outstanding points and the true breakage (:data:`BREAKAGE_DEFINITION`)."""
    out = Path(out_dir)
    o = pq.read_table(out / "orders.parquet", columns=["order_ts", "points_earned", "points_redeemed", "status"])
    paid = pc.not_equal(o["status"].cast(pa.string()), "refunded").to_numpy(zero_copy_only=False)
    earned = o["points_earned"].to_numpy()[paid]
    redeemed = int(o["points_redeemed"].to_numpy()[paid].sum())
    month = o["order_ts"].to_numpy()[paid].astype("datetime64[M]")
    n = int(POINTS_RULES["points_expiry_months"])
    end_month = (np.datetime64(as_of, "D") + 1).astype("datetime64[M]")  # months before it ended by the as-of day
    settled = (month + n + 1 <= end_month) if n > 0 else np.zeros(len(month), bool)
    mp = pq.read_table(out / "truth" / "member_points.parquet", columns=["points_expired", "points_balance"])
    expired = int(pc.sum(mp["points_expired"]).as_py() or 0)
    total, settled_earned = int(earned.sum()), int(earned[settled].sum())
    outstanding = int(pc.sum(mp["points_balance"]).as_py() or 0)
    if outstanding != total - redeemed - expired:
        raise AssertionError("member_points does not add up to the orders")  # a generator bug, never data
    doc = {"as_of": as_of, "points": POINTS_RULES, "tiers": TIER_PROGRAMME,
           "points_earned_total": total, "points_redeemed_total": redeemed, "points_expired_total": expired,
           "points_outstanding": outstanding,
           "breakage": {"rate": round(expired / settled_earned, 12) if settled_earned else None,
                        "settled_points_earned": settled_earned, "settled_points_expired": expired,
                        "expired_share_of_all_earned": round(expired / total, 12) if total else None,
                        "definition": BREAKAGE_DEFINITION}}
    path = out / "truth" / "loyalty_programme.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
