"""Member behaviour analysis (会员行为分析): the member summary and the descriptive views built on it.

One job per file; this package re-exports every public name, so ``from helpers import behavior`` and
``behavior.member_summary(...)`` work as they always did.

==========================  ==========================================================================================
``purchases``               which order rows count: :func:`paid_orders` (refunds out, on or before as-of),
                            :func:`refund_impact` (what counting refunded orders would change)
``summary``                 :func:`member_summary` — one row per member: recency, frequency, monetary value, first and
                            last purchase, tenure, channels / categories, the BG/NBD inputs ``x``, ``t_x``, ``T`` and
                            optional holdout counts (``_ids``: the fast member-id factorisation it relies on)
``scale``                   :func:`summary_for`, :func:`cohorts_for`, :func:`category_intervals_for` — the member
                            summary, cohorts and category repurchase intervals on the report's engine (pandas,
                            DuckDB, Spark)
``bands``                   :func:`frequency_band` (每周 / 每月 / 每季度 / 偶尔购买 for members still buying at their own
                            rhythm, 久未购买 for the lapsed, 仅购买一次), :func:`frequency_band_from_interval`,
                            :func:`mean_interval`, :func:`spend_band`, :func:`band_profile`, :func:`band_agreement`,
                            :func:`repeat_rate`
``lapse``                   :func:`lapse_table` — how well "silent for more than k × the own interval" finds members
                            who really left, per k (the evidence behind :data:`LAPSE_FACTOR`)
``repurchase``              :func:`category_repurchase_intervals` — days between a member's purchases of one category,
                            summarised per category (compared with the truth's category cycles in module 02)
``mixes``                   :func:`category_mix`, :func:`mix`, :func:`channel_mix`, :func:`payment_mix`
``timing``                  :func:`hour_weekday_matrix`, :func:`hour_profile`, :func:`timing_metrics`
``cohorts``                 :func:`cohort_retention` (share of a first-purchase cohort that buys *in* month k — not
                            survival), :func:`monthly_activity`
``activity``                :func:`activity_indicators` — 活跃 / 沉睡 / 流失 by recency
``concentration``           :func:`top_members`, :func:`top_share`, :func:`concentration_curve` — the one "top X %" rule
``scores``                  :func:`member_scores`, :func:`member_score_descriptions` — the report's behaviour columns
``display``                 :data:`COLUMNS_ZH`, :func:`display_zh` — Chinese names for tables shown to trainees
``explorer``                :func:`spend_band_explorer` — the spend-band sliders behind one call (static without a
                            widget frontend)
==========================  ==========================================================================================

Why these definitions: a refunded order is not a purchase (``include_refunds=True`` counts it, only for data whose
status column cannot be trusted); a purchase event is a distinct purchase *day* (two tickets on one trip are one
purchase); ``as_of`` is a calendar day and every day count is in whole days on naive local (Asia/Shanghai) time.
"""

from __future__ import annotations

from helpers.behavior.activity import ACTIVITY_STATUS_LABELS, activity_indicators
from helpers.behavior.bands import (
    FREQUENCY_BAND_LABELS,
    FREQUENCY_BANDS,
    LAPSE_FACTOR,
    LAPSED_BAND,
    SPEND_BAND_LABELS,
    band_agreement,
    band_profile,
    frequency_band,
    frequency_band_from_interval,
    mean_interval,
    repeat_rate,
    spend_band,
)
from helpers.behavior.cohorts import CohortRetention, cohort_retention, monthly_activity
from helpers.behavior.concentration import concentration_curve, top_members, top_share
from helpers.behavior.display import COLUMNS_ZH, display_zh
from helpers.behavior.explorer import spend_band_explorer
from helpers.behavior.lapse import lapse_table
from helpers.behavior.mixes import category_mix, channel_mix, mix, payment_mix
from helpers.behavior.purchases import paid_orders, refund_impact
from helpers.behavior.repurchase import category_repurchase_intervals
from helpers.behavior.scale import category_intervals_for, cohorts_for, summary_for
from helpers.behavior.scores import member_score_descriptions, member_scores
from helpers.behavior.summary import member_summary
from helpers.behavior.timing import WEEKDAYS_ZH, hour_profile, hour_weekday_matrix, timing_metrics

__all__ = [
    "member_summary",
    "summary_for",
    "cohorts_for",
    "category_intervals_for",
    "frequency_band",
    "frequency_band_from_interval",
    "mean_interval",
    "spend_band",
    "band_profile",
    "band_agreement",
    "repeat_rate",
    "lapse_table",
    "category_repurchase_intervals",
    "hour_profile",
    "timing_metrics",
    "category_mix",
    "hour_weekday_matrix",
    "mix",
    "channel_mix",
    "payment_mix",
    "cohort_retention",
    "CohortRetention",
    "activity_indicators",
    "monthly_activity",
    "top_members",
    "top_share",
    "concentration_curve",
    "paid_orders",
    "refund_impact",
    "member_scores",
    "member_score_descriptions",
    "spend_band_explorer",
    "ACTIVITY_STATUS_LABELS",
    "FREQUENCY_BANDS",
    "FREQUENCY_BAND_LABELS",
    "LAPSED_BAND",
    "LAPSE_FACTOR",
    "SPEND_BAND_LABELS",
    "WEEKDAYS_ZH",
    "COLUMNS_ZH",
    "display_zh",
]
