"""The KPI dashboard of ``index.html``, its comparison with an earlier run, and the alert rules.

Why a declaration: every KPI is read from ``metrics.json`` by module and key (:data:`KPIS`), so a KPI whose module
did not run (or an older run without that metric) is simply absent, never a guessed number. The same functions read
this run and the baseline (``--baseline-run DIR``: an earlier run's folder), so a change is always like for like.
Alert rules live in a YAML file (``--alerts FILE``; the shipped defaults are ``alerts.yaml`` beside this module,
which documents the format); each alert that fires goes to ``metrics.json["alerts"]`` and onto the index.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_ALERTS", "KPIS", "Kpi", "compute_kpis", "dashboard", "evaluate_alerts", "format_value",
           "load_rules", "read_baseline", "run_as_of"]

DEFAULT_ALERTS = Path(__file__).resolve().parent / "alerts.yaml"


def _metric(metrics: dict, module: str, *path: str) -> Any:
    """``metrics[<first key matching module>][path…]`` or None; ``module`` is a regex on the module key (the
    number of a module that has not landed yet may change, its topic word will not)."""
    for key in sorted(metrics):
        if key != "run" and re.search(module, key):
            value: Any = metrics[key]
            for step in path:
                if not isinstance(value, dict) or step not in value:
                    value = None
                    break
                value = value[step]
            if value is not None:
                return value
    return None


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _first(metrics: dict, *sources: tuple[str, ...]) -> float | int | None:
    for module, *path in sources:
        value = _number(_metric(metrics, module, *path))
        if value is not None:
            return value
    return None


def _aov(metrics: dict) -> float | None:
    sales = _first(metrics, ("^00_", "net_amount_total"))
    orders = _first(metrics, ("^00_", "paid_orders"))
    return round(sales / orders, 2) if sales is not None and orders else None


@dataclass(frozen=True)
class Kpi:
    """``kind``: ``count`` (integer), ``money`` (yuan), ``rate`` (a share, shown as a percentage); ``value``
    reads the KPI from a metrics.json object (None when absent); ``source`` says where it comes from."""

    id: str
    label: str
    kind: str
    value: Callable[[dict], float | int | None]
    source: str


def _from(*sources: tuple[str, ...]) -> Callable[[dict], float | int | None]:
    return lambda metrics: _first(metrics, *sources)


#: the dashboard, in display order
KPIS: tuple[Kpi, ...] = (
    Kpi("members", "会员数 members", "count",
        _from(("^00_", "members_on_file"), ("^00_", "members_with_orders")), "00 members_on_file"),
    Kpi("active_members", "活跃会员（近 90 天有购买）active members", "count",
        _from(("^02_", "activity_status_sizes", "活跃")), "02 activity_status_sizes"),
    Kpi("repurchase_rate", "复购率 repurchase rate", "rate", _from(("^02_", "repeat_rate")), "02 repeat_rate"),
    Kpi("average_order_value", "客单价 average order value（元）", "money", _aov,
        "00 net_amount_total ÷ paid_orders"),
    Kpi("sales", "销售额（已支付订单实付金额）sales（元）", "money", _from(("^00_", "net_amount_total")),
        "00 net_amount_total"),
    Kpi("clv_total", "预测期 CLV 合计 CLV over the horizon（元）", "money", _from(("clv", "clv_total")),
        "04 clv_total"),
    Kpi("clv_mean", "人均 CLV CLV per member（元）", "money", _from(("clv", "clv_mean")), "04 clv_mean"),
    Kpi("declining_members", "衰退期会员 declining members", "count",
        _from(("segments", "lifecycle_sizes", "衰退")), "05 lifecycle_sizes"),
    Kpi("churned_members", "流失期会员 churned members", "count",
        _from(("segments", "lifecycle_sizes", "流失")), "05 lifecycle_sizes"),
    Kpi("retention_list_size", "挽留名单人数 retention list", "count",
        _from(("segments", "retention_list_size")), "05 retention_list_size"),
    Kpi("points_liability", "积分负债 points liability（元）", "money",
        _from(("tiers", "points_liability"), ("tiers", "points_liability_yuan")), "06 points_liability"),
    Kpi("complaint_sla_rate", "投诉按时处理率 complaint SLA met", "rate",
        _from(("feedback", "complaint_sla_rate"), ("feedback", "complaint_sla_met_share")),
        "feedback complaint_sla_rate"),
)
_BY_ID = {k.id: k for k in KPIS}


def compute_kpis(metrics: dict) -> dict[str, float | int]:
    """KPI id -> value for the KPIs present in ``metrics`` (a metrics.json object), in dashboard order; values
    exactly as the modules wrote them (derived ones rounded where they are made)."""
    out = {}
    for kpi in KPIS:
        value = kpi.value(metrics)
        if value is not None:
            out[kpi.id] = value
    return out


def read_baseline(run_dir: Path) -> dict:
    """The metrics.json object of an earlier run folder; ValueError naming the file when it cannot be read."""
    path = Path(run_dir) / "metrics.json"
    if not path.is_file():
        raise ValueError(f"{path}: 没有 metrics.json，不是一次报告运行的目录 / not a report run folder")
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: 不是有效的 JSON / not valid JSON: {exc}") from None
    if not isinstance(metrics, dict):
        raise ValueError(f"{path}: 应为一个 JSON 对象 / expected one JSON object")
    return metrics


def run_as_of(metrics: dict) -> str:
    """The as-of date of a run's metrics.json ("" when it does not say)."""
    run = metrics.get("run", {}) if isinstance(metrics.get("run"), dict) else {}
    return str(run.get("parameters", {}).get("as_of") or run.get("data_summary", {}).get("as_of") or "")


def change(value: float | int | None, baseline: float | int | None) -> float | None:
    """Relative change (value − baseline) / |baseline|; None without a baseline or when it is 0."""
    if value is None or baseline is None or baseline == 0:
        return None
    return round((value - baseline) / abs(baseline), 6)


def format_value(value: float | int | None, kind: str) -> str:
    """A plain display value: 12,345 · 1,234.56 · 86.9%; "—" when absent."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"{value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _format_change(kpi: Kpi, value, baseline) -> str:
    if value is None or baseline is None:
        return "基线没有这个指标 not in the baseline"
    if value == baseline:
        return "无变化 no change"
    if kpi.kind == "rate":
        return f"{(value - baseline) * 100:+.1f} 个百分点 pp"
    rel = change(value, baseline)
    diff = value - baseline
    diff_text = f"{diff:+,.2f}" if kpi.kind == "money" else f"{diff:+,.0f}"
    return diff_text if rel is None else f"{diff_text}（{rel * 100:+.1f}%）"


def dashboard(kpis: dict, baseline: dict | None) -> list[dict[str, str]]:
    """Rows of the index dashboard: label, value, baseline, change, source (only the KPIs of this run)."""
    rows = []
    for kpi in KPIS:
        if kpi.id not in kpis:
            continue
        value = kpis[kpi.id]
        base = None if baseline is None else baseline.get(kpi.id)
        rows.append({"id": kpi.id, "label": kpi.label, "value": format_value(value, kpi.kind),
                     "baseline": "" if baseline is None else format_value(base, kpi.kind),
                     "change": _format_change(kpi, value, base), "source": kpi.source,
                     "trend": "" if base is None or value == base else ("up" if value > base else "down")})
    return rows


# ---- alert rules ------------------------------------------------------------------------------------------------

CONDITIONS = {"below": "<", "above": ">", "change_below": "<", "change_above": ">"}
SEVERITIES = ("info", "warning", "critical")


def load_rules(path: Path | None = None) -> list[dict]:
    """The rules of an alerts YAML file (default: the shipped ``alerts.yaml``), checked: ValueError naming the file
    and the rule for an unknown KPI, field or severity, or not exactly one condition."""
    import yaml

    path = Path(path) if path is not None else DEFAULT_ALERTS
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: 无法读取告警规则 / cannot read the alert rules: {exc}") from None
    rules = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(rules, list):
        raise ValueError(f"{path}: 需要顶层键 rules: 规则列表 / expected a top-level 'rules:' list")
    problems, out = [], []
    for i, rule in enumerate(rules, start=1):
        where = f"{path} 规则 rule {i}"
        if not isinstance(rule, dict):
            problems.append(f"{where}: 应为映射 / expected a mapping")
            continue
        unknown = sorted(set(rule) - {"kpi", "severity", "note", *CONDITIONS})
        conditions = [c for c in CONDITIONS if c in rule]
        if rule.get("kpi") not in _BY_ID:
            problems.append(f"{where}: 未知 KPI {rule.get('kpi')!r}；可用 available: {', '.join(_BY_ID)}")
        elif unknown:
            problems.append(f"{where}：未知字段 unknown field(s) {unknown}")
        elif len(conditions) != 1:
            problems.append(f"{where}：需要且只能有一个条件 exactly one of {', '.join(CONDITIONS)}")
        elif _number(rule[conditions[0]]) is None:
            problems.append(f"{where}: {conditions[0]} 需要一个数字 / needs a number")
        elif rule.get("severity", "warning") not in SEVERITIES:
            problems.append(f"{where}: severity 取值 one of {', '.join(SEVERITIES)}")
        else:
            out.append({"kpi": rule["kpi"], "condition": conditions[0], "limit": rule[conditions[0]],
                         "severity": rule.get("severity", "warning"), "note": str(rule.get("note", ""))})
    if problems:
        raise ValueError("；".join(problems))
    return out


def _rule_text(rule: dict) -> str:
    kpi = _BY_ID[rule["kpi"]]
    op = CONDITIONS[rule["condition"]]
    if rule["condition"].startswith("change"):
        return f"{kpi.id} change {op} {rule['limit'] * 100:+g}%"
    limit = f"{rule['limit'] * 100:g}%" if kpi.kind == "rate" else f"{rule['limit']:,}"
    return f"{kpi.id} {op} {limit}"


def evaluate_alerts(kpis: dict, baseline: dict | None, rules: list[dict]) -> list[dict]:
    """The rules that fire: [{kpi, value, baseline, change, rule, severity, note}] in rule order. A rule on an
    absent KPI, or a change rule without a baseline value, is not checked."""
    fired = []
    for rule in rules:
        value = kpis.get(rule["kpi"])
        base = None if baseline is None else baseline.get(rule["kpi"])
        rel = change(value, base)
        subject = rel if rule["condition"].startswith("change") else value
        if value is None or subject is None:
            continue
        hit = subject < rule["limit"] if CONDITIONS[rule["condition"]] == "<" else subject > rule["limit"]
        if hit:
            fired.append({"kpi": rule["kpi"], "value": value, "baseline": base, "change": rel,
                          "rule": _rule_text(rule), "severity": rule["severity"], "note": rule["note"]})
    return fired
