"""Month-over-month (and year-over-year) KPI checks with the report's own alert rules.

Why no rule engine here: the rules, their YAML format and their evaluation are those of the report run's index
(:mod:`helpers.report.kpis`, ``alerts.yaml``); this module only turns two months of the KPI tree into the KPI dicts
that :func:`helpers.report.kpis.evaluate_alerts` reads, so a rule means the same thing on the index and here.
Only the KPIs a month has are checked: ``members``, ``active_members`` (members with a paid order in the 90 days up
to the month's end, the dashboard's definition), ``sales`` and ``average_order_value``; a rule on another KPI (e.g.
``complaint_sla_rate``) is not checked month by month.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd

from helpers.report import kpis as report_kpis

__all__ = ["MONTHLY_KPIS", "alert_kpis", "month_alerts", "rules_from_text"]

#: KPI ids of helpers.report.kpis.KPIS that a month of the KPI tree provides
MONTHLY_KPIS = ("members", "active_members", "average_order_value", "sales")


def alert_kpis(row: pd.Series | dict) -> dict[str, float | int]:
    """The KPI dict of one month of :func:`helpers.monitoring.monthly_kpis` (ids of the report's dashboard)."""
    values = {"members": row["members"], "active_members": row["active_90d"],
              "average_order_value": round(float(row["order_value"]), 2), "sales": round(float(row["sales"]), 2)}
    out = {}
    for k, v in values.items():
        if v is not None and not (isinstance(v, float) and not math.isfinite(v)):
            out[k] = int(v) if k in ("members", "active_members") else float(v)
    return out


def rules_from_text(text: str) -> list[dict]:
    """Alert rules from YAML text in the format of ``alerts.yaml``, checked by
    :func:`helpers.report.kpis.load_rules` (same messages for a bad rule)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "alerts.yaml"
        path.write_text(text, encoding="utf-8")
        return report_kpis.load_rules(path)


def month_alerts(monthly: pd.DataFrame, rules: list[dict], month=None, against: str = "previous"):
    """(kpis, baseline, alerts) of ``month`` (default: the last complete month) against the previous month
    (``against="previous"``) or the same month a year earlier (``"year"``); ``baseline`` is None when that month
    is not in ``monthly`` (then change rules are not checked). ``alerts``: the rules that fire
    (:func:`helpers.report.kpis.evaluate_alerts`)."""
    if against not in ("previous", "year"):
        raise ValueError("against 只能是 previous 或 year")
    if monthly.empty:
        return {}, None, []
    by_month = monthly.set_index("month")
    if month is None:
        complete = monthly[monthly["complete"]]
        month = (complete if len(complete) else monthly)["month"].iloc[-1]
    month = pd.Period(month, freq="M")
    current = alert_kpis(by_month.loc[month])
    ref = month - (1 if against == "previous" else 12)
    baseline = alert_kpis(by_month.loc[ref]) if ref in by_month.index else None
    return current, baseline, report_kpis.evaluate_alerts(current, baseline, rules)
