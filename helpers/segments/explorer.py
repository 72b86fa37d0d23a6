"""Module 05's two widgets, each behind one call: the segment explorer (features and k → cluster profiles) and the
churn-threshold slider (threshold → list size and expected saved value).

Why in helpers: controls and callbacks are plumbing, not analysis. Without a widget frontend (report runs,
nbgrader, tests: :mod:`helpers.widgets`) each call draws its view once, statically, at the starting values, and never fails.
"""

from __future__ import annotations

import pandas as pd

from helpers import widgets
from helpers.segments.clustering import CLUSTER_FEATURES, MemberSegments
from helpers.segments.features import FEATURE_LABELS_ZH
from helpers.segments.retention import threshold_summary

__all__ = ["churn_threshold_explorer", "segment_explorer"]


def _show_segments(features: pd.DataFrame, columns, k: int, seed: int) -> pd.DataFrame | None:
    from IPython.display import display

    cols = [c for c in columns if c in features.columns]
    if not cols:
        print("请至少选择一个特征。")
        return None
    seg = MemberSegments(k, features=cols, seed=seed).fit(features)
    table = seg.profile_zh()
    print(f"k = {k}，特征：{'、'.join(FEATURE_LABELS_ZH.get(c, c) for c in cols)}；轮廓系数 {seg.silhouette_:.3f}")
    display(table.round(2))
    return table


def segment_explorer(features: pd.DataFrame, *, columns=CLUSTER_FEATURES, k: int = 4, seed: int = 0,
                     interactive: bool = True):
    """Pick clustering features and k; the clusters' profiles (ordered by value, named in Chinese) are redrawn.
    Shows the widget box and returns it; without a widget frontend shows and returns the static profile table."""
    w = widgets.toolkit(interactive)
    available = [c for c in FEATURE_LABELS_ZH if c in features.columns]
    start = [c for c in columns if c in available]
    if w is None:
        return _show_segments(features, start, k, seed)
    pick = w.SelectMultiple(options=[(FEATURE_LABELS_ZH[c], c) for c in available], value=tuple(start),
                            rows=8, description="特征")
    k_slider = w.IntSlider(value=k, min=2, max=8, description="k", continuous_update=False)
    return widgets.controls_view(
        w, [w.HBox([pick, k_slider])], lambda: _show_segments(features, list(pick.value), int(k_slider.value), seed),
        watch=[pick, k_slider])


def _show_threshold(table: pd.DataFrame, threshold: float) -> pd.Series:
    row = table.loc[table.index[table.index <= threshold + 1e-9].max()]
    print(f"流失风险 ≥ {threshold:.2f}：名单 {int(row['members']):,} 人，期望挽回毛利 {row['expected_saved']:,.0f} 元，"
          f"触达成本 {row['cost']:,.0f} 元，净值 {row['net']:,.0f} 元")
    return row


def churn_threshold_explorer(churn_risk: pd.Series, value: pd.Series, *, threshold: float = 0.6,
                             save_rate: float = 0.2, contact_cost: float = 2.0, interactive: bool = True):
    """A slider for the churn-risk threshold: how many members the list holds and the expected saved margin,
    cost and net value (:func:`threshold_summary`). Shows the widget box and returns it, or prints and returns the
    static row without a widget frontend."""
    table = threshold_summary(churn_risk, value, save_rate=save_rate, contact_cost=contact_cost)
    w = widgets.toolkit(interactive)
    if w is None:
        return _show_threshold(table, threshold)
    slider = w.FloatSlider(value=threshold, min=0.0, max=0.95, step=0.05, description="风险阈值",
                           continuous_update=False)
    return widgets.controls_view(w, [slider], lambda: _show_threshold(table, float(slider.value)), watch=[slider])
