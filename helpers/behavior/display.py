"""Chinese display names (中文列名) for the English columns of the behaviour tables.

Why separate: exported CSVs keep English names (machines read them); a notebook renames only what it shows trainees.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["COLUMNS_ZH", "display_zh"]


#: Chinese display names of the English columns (and index names) of the tables this module returns. Exported CSVs
#: keep the English names; a notebook renames only what it shows trainees, with :func:`display_zh`.
COLUMNS_ZH: dict[str, str] = {
    # mix / channel_mix / payment_mix / category_mix
    "channel": "渠道", "payment_method": "支付方式", "category": "品类", "subcategory": "子品类",
    "items": "件数", "orders": "订单数", "members": "会员数", "net_amount": "实付金额（元）", "spend": "销售额（元）",
    "avg_order_value": "客单价（元）", "order_share": "订单占比", "spend_share": "金额占比",
    # band_profile
    "member_share": "会员占比", "mean_orders": "平均订单数", "mean_order_value": "平均客单价（元）",
    "mean_spend": "平均消费金额（元）", "mean_recency_days": "平均最近购买天数",
    "frequency_band": "频次层", "spend_band": "金额层",
    # category_repurchase_intervals / lapse_table
    "gaps": "间隔数", "median_gap_days": "间隔中位数（天）", "mean_gap_days": "平均间隔（天）",
    "true_cycle_days": "真实周期（天）", "ratio": "观察 ÷ 真实", "lapse_factor": "倍数",
    "flagged_share": "判为久未购买的比例", "precision": "其中真实已脱离", "recall": "真实已脱离中被找出",
    # activity_indicators / monthly_activity
    "active_30d": "近 30 天有购买", "active_90d": "近 90 天有购买", "active_180d": "近 180 天有购买",
    "active_365d": "近 365 天有购买", "activity_status": "活跃状态", "active_members": "当月活跃会员",
    "new_members": "当月新会员（首购）", "orders_per_active": "活跃会员人均订单数",
}


def display_zh(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with the column and index names translated by :data:`COLUMNS_ZH` (names it does not know
    stay as they are) — for tables shown to trainees; keep the English names for anything exported."""
    out = df.rename(columns=lambda c: COLUMNS_ZH.get(c, c))
    return out.rename_axis(index=[COLUMNS_ZH.get(n, n) if isinstance(n, str) else n for n in out.index.names])
