"""Module 10's widget: the anomaly threshold slider (threshold → how many days are flagged, and which).

Why a slider: the threshold is a trade-off between missed problems and false alarms that the person who has to
check the flagged days should feel. Moving it only re-reads the robust z-scores already computed by
:func:`helpers.monitoring.detect_anomalies` (no refit). Without a widget frontend (report runs, nbgrader, tests:
:mod:`helpers.widgets`) the call prints the view once at the starting threshold and returns its counts.
"""

from __future__ import annotations

import pandas as pd

from helpers import widgets

__all__ = ["threshold_counts", "threshold_explorer"]


def threshold_counts(anomalies: pd.DataFrame, threshold: float, recent_days: int | None = None) -> pd.Series:
    """Days with |z| above ``threshold`` in :func:`detect_anomalies`' table (the last ``recent_days`` days only
    when given): ``outliers``, ``anomalies`` (not on a festival), ``expected`` (on a festival), ``share`` of days
    flagged as anomalies."""
    a = anomalies
    if recent_days is not None and len(a):
        a = a[a["date"] > a["date"].max() - pd.Timedelta(days=recent_days)]
    out = a["z"].abs() > threshold
    fest = a["festival"] != ""
    n_anom = int((out & ~fest).sum())
    return pd.Series({"days": len(a), "outliers": int(out.sum()), "anomalies": n_anom,
                      "expected": int((out & fest).sum()), "share": n_anom / len(a) if len(a) else 0.0})


def _show(anomalies: pd.DataFrame, threshold: float, recent_days: int | None) -> pd.Series:
    c = threshold_counts(anomalies, threshold, recent_days)
    span = f"最近 {recent_days} 天" if recent_days else "全部日期"
    print(f"门槛 |z| > {threshold:.1f}：{span}共 {int(c['days'])} 天，异常 {int(c['anomalies'])} 天（{c['share']:.1%}），"
          f"节日的预期高峰或低谷 {int(c['expected'])} 天")
    return c


def threshold_explorer(anomalies: pd.DataFrame, *, threshold: float = 3.5, recent_days: int | None = 365,
                       interactive: bool = True):
    """A slider for the anomaly threshold over ``anomalies`` (:func:`detect_anomalies`' table). Shows the widget
    box and returns it, or prints and returns the static counts (:func:`threshold_counts`) without a frontend."""
    w = widgets.toolkit(interactive)
    if w is None:
        return _show(anomalies, threshold, recent_days)
    slider = w.FloatSlider(value=threshold, min=2.0, max=8.0, step=0.5, description="门槛 |z|",
                           continuous_update=False)
    return widgets.controls_view(w, [slider], lambda: _show(anomalies, float(slider.value), recent_days),
                                 watch=[slider])
