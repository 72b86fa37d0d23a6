"""The loyalty programme of the synthetic world, written as truth (``truth/loyalty_programme.json``).

Why: module 06 analyses tiers and points. The world's points already follow fixed rules (drawn in
:mod:`helpers.synth.baskets`: 1 point per whole 元 of a paid order, none on refunded orders, 100 points = 1 元,
a 20 % chance to redeem at an order once the balance reaches 1,000, at most 20 % of the order, no expiry). This file
states those rules and the tier programme the retailer runs (rolling 12-month paid spend, the course's default
:class:`helpers.tiers.TierRules`), with the true outstanding points on the as-of day, so a ledger built from the
orders can be checked against what the generator itself booked. It reads the written orders back and never changes
how orders, amounts or points are drawn (other modules' numbers stay put).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["POINTS_RULES", "TIER_PROGRAMME", "write_programme_truth"]

POINTS_RULES = {
    "earn_points_per_yuan": 1,
    "earn_rounding": "floor of the paid net amount in whole 元",
    "refunded_orders_earn": False,
    "value_per_point_yuan": 0.01,
    "redeem_min_balance": 1000,
    "redeem_probability_per_order": 0.2,
    "redeem_max_share_of_order": 0.2,
    "redeem_unit_points": 100,
    "points_expiry_months": 0,
}

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


def write_programme_truth(out_dir: Path, as_of: str) -> Path:
    """Write ``truth/loyalty_programme.json`` beside the generated ``orders.parquet``; returns its path."""
    out = Path(out_dir)
    o = pq.read_table(out / "orders.parquet", columns=["points_earned", "points_redeemed", "status"])
    paid = pc.not_equal(o["status"].cast("string"), "refunded")
    earned = int(pc.sum(pc.filter(o["points_earned"], paid)).as_py() or 0)
    redeemed = int(pc.sum(pc.filter(o["points_redeemed"], paid)).as_py() or 0)
    doc = {"as_of": as_of, "points": POINTS_RULES, "tiers": TIER_PROGRAMME,
           "points_earned_total": earned, "points_redeemed_total": redeemed,
           "points_outstanding": earned - redeemed}
    path = out / "truth" / "loyalty_programme.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
