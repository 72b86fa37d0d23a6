"""The behaviour columns of the report's ``member_scores`` table and their Chinese descriptions.

Why the descriptions are generated: a CRM user reads ``member_scores_columns.csv``, not the notebook; writing each
column's meaning from the very rules (band edges, spend cut-offs, activity thresholds) that made it keeps the two
from drifting apart.
"""

from __future__ import annotations

import pandas as pd

from helpers.behavior.activity import ACTIVITY_STATUS_LABELS, activity_indicators
from helpers.behavior.bands import (
    FREQUENCY_BANDS,
    LAPSE_FACTOR,
    LAPSED_BAND,
    SPEND_BAND_LABELS,
    frequency_band,
    spend_band,
)

__all__ = ["member_score_descriptions", "member_scores"]


def member_scores(summary: pd.DataFrame, *, freq_band: pd.Series | None = None, spend: pd.Series | None = None,
                  activity_status: pd.Series | None = None) -> pd.DataFrame:
    """The behaviour columns of the report's ``member_scores`` (indexed by member id, as ``summary``):
    ``recency_days``, ``frequency``, ``purchase_days``, ``monetary_total`` and ``monetary_mean`` (元, 2 decimals),
    ``first_purchase`` / ``last_purchase`` (dates), ``tenure_days``, ``frequency_band``, ``spend_band`` and
    ``activity_status`` (text). The bands default to :func:`frequency_band`, :func:`spend_band` and
    :func:`activity_indicators` with their default rules; pass the Series a notebook already has to reuse them.
    Described column by column by :func:`member_score_descriptions`."""
    freq_band = frequency_band(summary) if freq_band is None else freq_band
    spend = spend_band(summary) if spend is None else spend
    if activity_status is None:
        activity_status = activity_indicators(summary)["activity_status"]
    return pd.DataFrame({
        "recency_days": summary["recency"],
        "frequency": summary["frequency"],
        "purchase_days": summary["purchase_days"],
        "monetary_total": summary["monetary_total"].round(2),
        "monetary_mean": summary["monetary_mean"].round(2),
        "first_purchase": summary["first_purchase"].dt.date,
        "last_purchase": summary["last_purchase"].dt.date,
        "tenure_days": summary["tenure"],
        "frequency_band": freq_band.astype(str),
        "spend_band": spend.astype(str),
        "activity_status": activity_status.astype(str),
    })


def _days_text(value: float) -> str:
    return f"{round(float(value), 1):g}"


def member_score_descriptions(as_of, spend_edges, *, spend_quantiles=(0.5, 0.8), active_days: int = 90,
                              lapsed_days: int = 180, bands: dict[str, float] | None = None,
                              lapse_factor: float | None = LAPSE_FACTOR) -> dict[str, str]:
    """Chinese description (meaning, unit, as-of day) of every column of :func:`member_scores`, written from the
    rules that made them: the frequency band edges (``bands``, default :data:`FREQUENCY_BANDS`) and the lapse rule
    (``lapse_factor``, as given to :func:`frequency_band`; ``None`` = no lapsed band), the spend band cut-offs
    ``spend_edges`` (元, e.g. ``spend_band(...).attrs["edges"]``) with the ``spend_quantiles`` they were cut at
    (``None`` for fixed business cut-offs) and the activity thresholds of :func:`activity_indicators`."""
    day = pd.Timestamp(as_of).date()
    bands = FREQUENCY_BANDS if bands is None else bands
    labels = list(bands)
    freq_rule = "，".join(f"≤ {_days_text(bands[k])} 天为{k}" for k in labels[:3])
    if lapse_factor is None:
        habit = f"{freq_rule}，更长为{labels[3]}"
    else:
        habit = (f"最近一次购买距截止日不超过自己平均购买间隔 {_days_text(lapse_factor)} 倍的会员按间隔分层："
                 f"{freq_rule}，更长为{labels[3]}；超过 {_days_text(lapse_factor)} 倍的为{LAPSED_BAND}")
    spend_labels = list(SPEND_BAND_LABELS) if len(spend_edges) == 2 else [f"band {i + 1}"
                                                                         for i in range(len(spend_edges) + 1)]
    if spend_quantiles is None:
        cuts = "，".join(f"< {e:,.2f} 元为{lab}" for e, lab in zip(spend_edges, spend_labels[:-1], strict=True))
        spend_text = f"消费金额层：按固定门槛切分，{cuts}，其余为{spend_labels[-1]}"
    else:
        cuts = "，".join(f"< {e:,.2f} 元（{q:.0%} 分位数）为{lab}"
                        for e, q, lab in zip(spend_edges, spend_quantiles, spend_labels[:-1], strict=True))
        spend_text = (f"消费金额层：按本次数据中全部有购买会员的消费金额（monetary_total）分位数切分，{cuts}，"
                      f"其余（最高约 {1 - spend_quantiles[-1]:.0%}）为{spend_labels[-1]}；门槛随数据变化")
    active, lapsed, lost = ACTIVITY_STATUS_LABELS
    return {
        "recency_days": f"最近一次已支付购买日到截止日 {day} 的天数（天）；退款订单不算购买",
        "frequency": f"截止日 {day} 前（含当天）的已支付订单数（次），不含退款订单",
        "purchase_days": "有已支付订单的不同日期数（天）；同一天多笔订单算 1 天",
        "monetary_total": f"截止日 {day} 前的已支付订单实付金额合计（元）",
        "monetary_mean": "每笔已支付订单的平均实付金额，即客单价（元）",
        "first_purchase": "首次已支付购买日期（YYYY-MM-DD）",
        "last_purchase": "最近一次已支付购买日期（YYYY-MM-DD）",
        "tenure_days": f"首次购买日到截止日 {day} 的天数（天），即首购至今天数；入会（注册）可能更早",
        "frequency_band": ("消费频次层（间隔口径）：平均购买间隔 = （末购日期 − 首购日期）÷（购买天数 − 1）天；"
                           f"{habit}；只有一个购买日为{labels[4]}"),
        "spend_band": spend_text,
        "activity_status": (f"活跃状态（按 recency_days）：≤ {active_days} 天为{active}，"
                            f"{active_days + 1}–{lapsed_days} 天为{lapsed}，> {lapsed_days} 天为{lost}"),
    }
