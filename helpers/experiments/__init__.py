"""Module 08 — marketing experiments and effect evaluation (营销实验与效果评估).

What: per campaign and arm the outcomes over the campaign window and each treatment arm's lift against the control
(``outcomes``); test design and checks — power, sample-ratio mismatch, balance, CUPED, peeking (``design``);
uplift models, Qini / AUUC, targeting profit (``uplift``); difference-in-differences for a programme launched in
some cities and a before / after claim re-analysed against a control (``did``); the power-calculator widget
(``explorer``); the outcomes on the report's engine, DuckDB / Spark at scale (``scale``: :func:`outcomes_for`).
Why one package: the same contacts, windows and control group run through every part.

Works on an export with only members, orders, campaigns and campaign_contacts (view events are optional: without
them ``visit_rate`` is null). ``campaign_contacts.arm`` is ``control`` (or a common spelling: 对照组, holdout …) or
the treatment arm's own label.
"""

from helpers.experiments.design import (
    cuped,
    detectable_lift,
    peeking_simulation,
    planned_shares,
    pre_period,
    sample_size,
    srm_check,
    standardized_differences,
)
from helpers.experiments.did import before_after_vs_control, did_estimate, did_panel, parallel_trends
from helpers.experiments.explorer import power_calculator, power_text
from helpers.experiments.outcomes import (
    BINARY_OUTCOMES,
    CONTROL_LABELS,
    OUTCOME_ZH,
    OUTCOMES,
    arm_summary,
    campaign_notes,
    clean_contacts,
    experiment_metrics,
    holm,
    is_control,
    lift_table,
    member_outcomes,
    paid_orders,
    winner,
)
from helpers.experiments.scale import outcomes_for
from helpers.experiments.uplift import (
    UPLIFT_FEATURES,
    auuc,
    class_transformation,
    qini_curve,
    t_learner,
    targeting_profit,
    uplift_at_k,
    uplift_features,
)

__all__ = ["BINARY_OUTCOMES", "CONTROL_LABELS", "OUTCOMES", "OUTCOME_ZH", "UPLIFT_FEATURES", "arm_summary", "auuc",
           "before_after_vs_control", "campaign_notes", "class_transformation", "clean_contacts", "cuped",
           "detectable_lift", "did_estimate", "did_panel", "experiment_metrics", "holm", "is_control", "lift_table",
           "member_outcomes", "outcomes_for", "paid_orders",
           "parallel_trends", "peeking_simulation", "planned_shares", "power_calculator",
           "power_text", "pre_period", "qini_curve", "sample_size", "srm_check", "standardized_differences",
           "t_learner", "targeting_profit", "uplift_at_k", "uplift_features", "winner"]
