"""The one-page management summary (管理层摘要): short Chinese sentences computed from the module's results.

Why a function and not prose in the notebook: every number in it changes with the data (another export, another
as-of), so the text is built from the results; the same function serves the classroom and the report page.
"""

from __future__ import annotations

import math

import pandas as pd

from .kpi_tree import FACTOR_ZH

__all__ = ["management_summary"]


def _pct(now: float, before: float | None) -> str:
    if before is None or not math.isfinite(before) or before == 0 or not math.isfinite(now):
        return "无可比数据"
    return f"{(now - before) / abs(before):+.1%}"


def management_summary(monthly: pd.DataFrame, month, decomposition: pd.DataFrame | None,
                       anomalies: pd.DataFrame | None, alerts: list[dict], effects: pd.DataFrame | None,
                       anomaly_days: int = 90, notes: list[str] | None = None) -> list[str]:
    """Sentences of the summary, in order: the month's KPI tree against the previous month and the same month a
    year earlier; the decomposition of the sales change; anomalies of the last ``anomaly_days`` days; the alerts
    that fired (an alert's optional ``basis``, e.g. "环比", prefixes its rule); the first programme effect of each
    module and every winning campaign arm; then ``notes`` (what could not be computed)."""
    lines: list[str] = []
    if monthly is None or monthly.empty:
        return ["没有已支付订单，无法生成经营摘要。"]
    by = monthly.set_index("month")
    m = pd.Period(month, freq="M")
    row = by.loc[m]
    prev = by.loc[m - 1] if (m - 1) in by.index else None
    year = by.loc[m - 12] if (m - 12) in by.index else None
    lines.append(
        f"{m.year} 年 {m.month} 月销售额 {row['sales']:,.0f} 元，比上月 {_pct(row['sales'], None if prev is None else prev['sales'])}，"
        f"比去年同月 {_pct(row['sales'], None if year is None else year['sales'])}；月末会员 {int(row['members']):,} 人，"
        f"当月购买 {int(row['buyers']):,} 人（占 {row['active_share']:.1%}），每位购买会员 {row['frequency']:.2f} 单，"
        f"客单价 {row['order_value']:.2f} 元。" if row["buyers"] > 0 else
        f"{m.year} 年 {m.month} 月没有已支付订单；月末会员 {int(row['members']):,} 人。")
    if decomposition is not None and len(decomposition) and decomposition["contribution"].notna().all():
        total = float(decomposition["contribution"].sum())
        parts = "，".join(f"{FACTOR_ZH[f]} {v:+,.0f} 元" for f, v in decomposition["contribution"].items())
        top = decomposition["contribution"].abs().idxmax()
        lines.append(f"与上月相比销售额变化 {total:+,.0f} 元，按 KPI 树分解：{parts}；影响最大的是{FACTOR_ZH[top]}。")
    elif decomposition is not None:
        lines.append("本月或上月有一个因素为 0（例如没有购买会员），销售额变化无法按 KPI 树分解。")
    if anomalies is not None and len(anomalies):
        last = anomalies["date"].max()
        recent = anomalies[anomalies["date"] > last - pd.Timedelta(days=anomaly_days)]
        bad = recent[recent["anomaly"]]
        fest = recent[recent["expected"]]
        if len(bad):
            shown = "、".join(f"{d:%m-%d}（{'偏高' if z > 0 else '偏低'}）" for d, z in zip(bad["date"].head(6), bad["z"].head(6), strict=True))
            more = f" 等 {len(bad)} 天" if len(bad) > 6 else ""
            lines.append(f"最近 {anomaly_days} 天日销售额有 {len(bad)} 天异常：{shown}{more}，需要核对数据和当天的经营活动。")
        else:
            lines.append(f"最近 {anomaly_days} 天日销售额没有节日以外的异常。")
        if len(fest):
            lines.append(f"节日的预期高峰或低谷 {len(fest)} 天（{'、'.join(sorted(set(fest['festival'])))}），不算异常。")
    if alerts:
        text = "；".join(f"{a.get('basis', '')}{a['rule']}（{a['severity']}）" for a in alerts)
        lines.append(f"触发告警 {len(alerts)} 条：{text}。")
    else:
        lines.append("没有触发告警。")
    if effects is not None and len(effects):
        # one line per module (its first effect) plus every winning campaign arm
        shown = effects[~effects["module"].duplicated() | effects["detail"].astype(str).str.contains("胜出")]
        for r in shown.itertuples():
            value = f"{r.value:,.2f}" if r.unit == "元" else (f"{r.value:.1%}" if r.unit == "比例" else f"{r.value:+.3f}")
            lines.append(f"{r.effect}：{value}{'' if r.unit in ('比例', '') else ' ' + r.unit}（{r.module}）。")
    lines += list(notes or [])
    return lines
