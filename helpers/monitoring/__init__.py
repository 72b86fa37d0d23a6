"""Module 10 — member report and monitoring (会员经营报告与监控).

What: the KPI tree of sales (members × active share × frequency × order value) per month and the LMDI split of its
change (``kpi_tree``); daily paid sales with the festival calendar and STL + robust-z anomaly detection
(``anomalies``); month-over-month and year-over-year checks with the report's own alert rules (``alerts``, no
second rule engine); the anomaly-threshold slider (``explorer``); programme effects of modules 06–08 read from the report run or recomputed lightly in class
(``effects``); the management summary text (``summary``). Why one package: the capstone an analyst re-runs every
month reads the same monthly table through every part.

Works on orders-only data (``members`` only improves the member base), on one day of data (anomaly detection then
says why it skips) and on gaps (missing days are zero-sales days, explicitly).
"""

from helpers.monitoring.alerts import MONTHLY_KPIS, alert_kpis, month_alerts, rules_from_text
from helpers.monitoring.anomalies import (
    FESTIVALS,
    anomaly_note,
    daily_sales,
    detect_anomalies,
    festival_days,
    robust_z,
)
from helpers.monitoring.effects import (
    EFFECT_MODULES,
    campaign_metrics,
    programme_effects,
    read_module_metrics,
)
from helpers.monitoring.explorer import threshold_counts, threshold_explorer
from helpers.monitoring.kpi_tree import (
    FACTOR_ZH,
    FACTORS,
    decompose_change,
    join_dates,
    kpi_tree,
    monthly_kpis,
    paid,
)
from helpers.monitoring.summary import management_summary

__all__ = ["EFFECT_MODULES", "FACTORS", "FACTOR_ZH", "FESTIVALS", "MONTHLY_KPIS", "alert_kpis", "anomaly_note",
           "campaign_metrics", "daily_sales", "decompose_change", "detect_anomalies", "festival_days", "join_dates",
           "kpi_tree", "management_summary", "month_alerts", "monthly_kpis", "paid", "programme_effects",
           "read_module_metrics", "robust_z", "rules_from_text", "threshold_counts", "threshold_explorer"]
