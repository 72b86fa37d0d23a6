"""Member tiers and points (会员等级与积分), module 06.

One job per file; this package re-exports every public name (``from helpers import tiers``).

=============  =====================================================================================================
``rules``      :class:`TierRules` (tiers, thresholds on a rolling window of paid spend or points, review period,
               grace), :data:`DEFAULT_RULES`, :data:`DEFAULT_BENEFITS`, :func:`benefits_table`,
               :func:`parse_thresholds` — the programme as data
``simulate``   :func:`monthly_panel` (member × month arrays), :func:`simulate_tiers` (vectorised month-by-month
               tiers: immediate upgrade, downgrade one level at a review with grace), :class:`TierPath`;
               :func:`qualified_level` and :func:`tier_step` (one month end), which the synthetic world's
               programme also uses
``flows``      :func:`tier_distribution`, :func:`tier_counts`, :func:`monthly_flows`, :func:`flow_matrix`,
               :func:`spend_around_upgrade` (upgraders against near misses),
               :func:`threshold_for_share` (the threshold that puts the top X % in a tier)
``benefits``   :func:`benefit_cost` (discount, free shipping, birthday gift: usage × unit cost),
               :func:`programme_roi`
``points``     :func:`points_ledger` (refunds reversed, FIFO expiry, balances, points expiring in 90 days),
               :func:`breakage_rate`, :func:`liability`, :func:`burn_earn_by_tier`
``designer``   :func:`compare_designs`, :func:`tier_designer` (threshold boxes, window slider, 应用 button)
``scores``     :func:`member_scores`, :func:`member_score_descriptions` — the report columns
``scale``      :func:`qualification_for` — every member's window value at the as-of month on the report's engine
               (pandas, DuckDB, Spark)
=============  =====================================================================================================

Terms (docs/GLOSSARY.md): 等级, 升级, 降级, 保级, 积分, 积分余额, 积分过期, 沉淀率 (breakage), 积分负债.
"""

from __future__ import annotations

from helpers.tiers.benefits import benefit_cost, programme_roi
from helpers.tiers.designer import DesignComparison, compare_designs, tier_designer
from helpers.tiers.flows import (
    flow_matrix,
    monthly_flows,
    spend_around_upgrade,
    threshold_for_share,
    tier_counts,
    tier_distribution,
)
from helpers.tiers.points import (
    Ledger,
    breakage_rate,
    burn_earn_by_tier,
    expiry_time,
    liability,
    points_ledger,
)
from helpers.tiers.rules import (
    DEFAULT_BENEFITS,
    DEFAULT_RULES,
    TIER_NAMES,
    TierRules,
    benefits_table,
    parse_thresholds,
)
from helpers.tiers.scale import qualification_for
from helpers.tiers.scores import SCORE_COLUMNS, member_score_descriptions, member_scores
from helpers.tiers.simulate import (
    Panel,
    TierPath,
    monthly_panel,
    paid_orders,
    qualified_level,
    simulate_tiers,
    tier_step,
)

__all__ = [
    "DEFAULT_BENEFITS", "DEFAULT_RULES", "SCORE_COLUMNS", "TIER_NAMES", "DesignComparison", "Ledger", "Panel",
    "TierPath", "TierRules", "benefit_cost", "benefits_table", "breakage_rate", "burn_earn_by_tier",
    "compare_designs", "expiry_time", "flow_matrix", "liability", "member_score_descriptions", "member_scores",
    "monthly_flows", "monthly_panel", "paid_orders", "parse_thresholds", "points_ledger", "programme_roi",
    "qualification_for", "qualified_level",
    "simulate_tiers", "spend_around_upgrade", "threshold_for_share", "tier_counts", "tier_designer", "tier_distribution",
    "tier_step",
]
