"""Programme effects from modules 06–08, read from the report run or computed lightly in class.

In a report run (``output_dir`` set) modules 06 (tiers and points), 07 (marketing) and 08 (experiments) have
written their metrics to ``<output_dir>/parts/<key>/metrics.json`` before module 10 starts (module 10 declares them
in ``helpers.report.params.MODULE_DEPENDS``, so ``--jobs N`` waits for them); module 10 reads those numbers instead
of refitting the models. In class (no run folder), or when one of them did not run, the campaign lifts are
recomputed from the data with :mod:`helpers.experiments` (cheap: means and intervals per arm); the tier simulation,
points ledger and recommender are not rerun, and the summary says so in one sentence each.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from helpers.report.outputs import PARTS

__all__ = ["EFFECT_MODULES", "campaign_metrics", "programme_effects", "read_module_metrics"]

#: the modules whose effects module 10 summarises (their metrics.json keys)
EFFECT_MODULES = ("06_tiers", "07_marketing", "08_experiments")
_MODULE_ZH = {"06_tiers": "06 会员等级与积分", "07_marketing": "07 个性化推荐与精准营销", "08_experiments": "08 营销实验与效果评估"}
COLUMNS = ["module", "effect", "value", "unit", "detail"]


def read_module_metrics(output_dir: str | Path, key: str) -> dict | None:
    """The metrics module ``key`` wrote in this report run (``<output_dir>/parts/<key>/metrics.json``), or None
    (classroom mode, module not run, unreadable file)."""
    if not output_dir:
        return None
    path = Path(output_dir) / PARTS / key / "metrics.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def campaign_metrics(orders: pd.DataFrame, campaigns: pd.DataFrame | None, contacts: pd.DataFrame | None,
                     alpha: float = 0.05) -> dict | None:
    """Module 08's campaign metrics ({"campaigns": …, "winners": …}) computed from the data, or None without
    campaigns or contacts: the light classroom version of the experiment results."""
    from helpers import experiments as X

    if campaigns is None or contacts is None or campaigns.empty or contacts.empty:
        return None
    kept, _bad = X.clean_contacts(contacts, campaigns)
    if kept.empty:
        return None
    outcomes = X.member_outcomes(kept, orders, campaigns)
    summary = X.arm_summary(outcomes)
    lifts = X.lift_table(outcomes, alpha=alpha)  # Holm without statsmodels' full collection: experiments.holm
    metrics = X.experiment_metrics(summary, lifts)
    if len(lifts):
        opm = lifts[lifts["outcome"] == "orders_per_member"]
        metrics["winners"] = {c: X.winner(g, alpha) for c, g in opm.groupby("campaign_id")}
    return metrics


def _num(x) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return None
    return float(x)


def _tier_rows(m: dict) -> list[dict]:
    rows = []
    liab = _num(m.get("points_liability_yuan", m.get("points_liability")))
    if liab is not None:
        rows.append({"effect": "积分负债", "value": liab, "unit": "元",
                     "detail": f"未兑换积分 {m.get('points_outstanding', '—')} 分，按沉淀率折算"})
    brk = _num(m.get("breakage_rate"))
    if brk is not None:
        rows.append({"effect": "积分沉淀率", "value": brk, "unit": "比例", "detail": "预计永远不会兑换的积分占比"})
    roi = m.get("roi_by_tier")
    if isinstance(roi, dict):
        for tier, v in roi.items():
            if _num(v) is not None:
                rows.append({"effect": f"等级权益 ROI：{tier}", "value": float(v), "unit": "倍",
                             "detail": "（升级带来的毛利增量 − 权益成本）÷ 权益成本"})
    return rows


def _marketing_rows(m: dict) -> list[dict]:
    rows = []
    for key, label, unit, detail in (
            ("campaign_selected", "入选营销名单的会员", "人", "预算、同意和触达频次上限之内"),
            ("campaign_expected_value", "名单的期望增量价值", "元", "按购买概率和假设的增量购买率"),
            ("p_buy_auc", "近期购买预测 AUC", "", "验证期"),
            ("precision_at_10", "推荐前 10 位的精确率", "比例", f"推荐器 {m.get('recommender', '—')}")):
        v = _num(m.get(key))
        if v is not None:
            rows.append({"effect": label, "value": v, "unit": unit, "detail": detail})
    return rows


def _experiment_rows(m: dict) -> list[dict]:
    rows = []
    winners = m.get("winners") if isinstance(m.get("winners"), dict) else {}
    for cid, camp in sorted((m.get("campaigns") or {}).items()):
        for arm, a in sorted((camp.get("arms") or {}).items()):
            lift = (a.get("lift") or {}).get("orders_per_member") or {}
            est = _num(lift.get("estimate"))
            if est is None:
                continue
            ci = lift.get("ci95") or [None, None]
            holm = _num(((camp.get("holm") or {}).get(arm) or {}).get("orders_per_member"))
            spend = _num(((a.get("lift") or {}).get("spend_per_member") or {}).get("estimate"))
            lo, hi = _num(ci[0]), _num(ci[1])
            interval = f"95% 区间 {lo:+.3f} 至 {hi:+.3f}" if lo is not None and hi is not None else "无区间"
            detail = f"{interval}，Holm p {holm:.3g}" if holm is not None else interval
            if spend is not None:
                detail += f"；人均消费金额 {spend:+.2f} 元"
            if winners.get(cid) == arm:
                detail += "；胜出"
            rows.append({"effect": f"活动 {cid} · {arm}：人均订单提升", "value": est, "unit": "单/人", "detail": detail})
    did = m.get("did")
    if isinstance(did, dict) and _num(did.get("estimate")) is not None:
        ci = did.get("ci95") or [None, None]
        rng = (f"95% 区间 {ci[0]:+.3f} 至 {ci[1]:+.3f}" if _num(ci[0]) is not None and _num(ci[1]) is not None
               else "无区间")
        rows.append({"effect": "城市会员日计划（双重差分）", "value": float(did["estimate"]), "unit": "单/人/月",
                     "detail": f"上线 {did.get('launch', '—')}，{rng}"})
    return rows


def programme_effects(found: dict[str, dict | None], light: dict[str, dict | None] | None = None):
    """(table, notes): one row per effect (``module``, ``effect``, ``value``, ``unit``, ``detail``) from the
    modules' metrics in ``found`` (key -> metrics or None), falling back to ``light`` (key -> metrics computed in
    class, e.g. :func:`campaign_metrics` for ``08_experiments``); ``notes``: one Chinese sentence per module whose
    effects are not available, or that were recomputed."""
    light = light or {}
    makers = {"06_tiers": _tier_rows, "07_marketing": _marketing_rows, "08_experiments": _experiment_rows}
    rows, notes = [], []
    for key in EFFECT_MODULES:
        m, source = found.get(key), "report"
        if not m and light.get(key):
            m, source = light[key], "light"
        if not m:
            notes.append(f"模块 {_MODULE_ZH[key]} 的结果不可用（本次没有运行，或课堂模式下不重新计算），"
                         "这里不列它的效果。")
            continue
        made = makers[key](m)
        if source == "light":
            notes.append(f"模块 {_MODULE_ZH[key]} 的结果由本模块从数据直接计算（简化版）。")
        if not made:
            notes.append(f"模块 {_MODULE_ZH[key]} 没有可汇总的效果数字（数据里缺少相应的表或结果）。")
        rows += [{"module": _MODULE_ZH[key], **r} for r in made]
    return pd.DataFrame(rows, columns=COLUMNS), notes
