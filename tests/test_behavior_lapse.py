"""The lapsed band's evidence (lapse_table), category repurchase intervals and the spend-band explorer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from helpers.behavior import (
    LAPSE_FACTOR,
    category_repurchase_intervals,
    frequency_band,
    lapse_table,
    mean_interval,
    spend_band_explorer,
)


def _summary():
    # mean intervals 10, 10, 30, 30 days and one single-day member (no interval)
    return pd.DataFrame({
        "first_purchase": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-01", "2025-01-01", "2025-06-01"]),
        "last_purchase": pd.to_datetime(["2025-01-21", "2025-01-21", "2025-03-02", "2025-03-02", "2025-06-01"]),
        "x": [2, 2, 2, 2, 0],
        "purchase_days": [3, 3, 3, 3, 1],
        "recency": [25, 45, 80, 200, 300],
        "tenure": [45, 65, 140, 260, 300],
    }, index=pd.Index(list("abcde"), name="member_id"))


def test_mean_interval_and_the_lapsed_band_by_hand():
    s = _summary()
    assert mean_interval(s).tolist()[:4] == [10.0, 10.0, 30.0, 30.0] and np.isnan(mean_interval(s).iloc[4])
    assert LAPSE_FACTOR == 3.0
    # 25 ≤ 30 stays weekly-ish (10 days → 每月购买); 45 > 30 lapses; 80 ≤ 90 stays; 200 > 90 lapses; single day once
    assert list(frequency_band(s)) == ["每月购买", "久未购买", "每月购买", "久未购买", "仅购买一次"]
    assert list(frequency_band(s, lapse_factor=5)) == ["每月购买", "每月购买", "每月购买", "久未购买", "仅购买一次"]
    assert "久未购买" not in set(frequency_band(s, lapse_factor=None))
    with pytest.raises(ValueError):
        frequency_band(s, lapse_factor=0)


def test_lapse_table_by_hand():
    s = _summary()
    alive = pd.Series([True, False, False, False, True], index=list("edcba"))  # a alive, b–d gone, e alive
    t = lapse_table(s, alive, factors=(2, 3, 10))
    assert list(t.index) == [2.0, 3.0, 10.0] and t.index.name == "lapse_factor"
    # k = 2: a (25 > 20) b c (80 > 60) d flagged; 3 of them gone of 4; all 3 gone members found
    assert t.loc[2.0].tolist() == pytest.approx([1.0, 0.75, 1.0])
    # k = 3: b and d flagged, both gone; 2 of 3 gone members found
    assert t.loc[3.0].tolist() == pytest.approx([0.5, 1.0, 2 / 3])
    # k = 10: nobody flagged (200 ≤ 300): precision has no meaning
    assert t.loc[10.0, "flagged_share"] == 0.0 and np.isnan(t.loc[10.0, "precision"])
    assert t.loc[10.0, "recall"] == 0.0
    # a member the truth does not know is left out
    t2 = lapse_table(s, alive.drop("a"), factors=(2,))
    assert t2.loc[2.0, "precision"] == 1.0


def _basket_data():
    orders = pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4", "O5", "O6"],
        "member_id": ["M1", "M1", "M1", "M1", "M2", "M2"],
        "order_ts": pd.to_datetime(["2025-01-01 09:00", "2025-01-08 10:00", "2025-01-08 18:00", "2025-01-22 10:00",
                                    "2025-01-03 12:00", "2025-01-13 12:00"]),
        "net_amount": [10.0] * 6,
        "status": ["paid", "paid", "paid", "refunded", "paid", "paid"],
    })
    items = pd.DataFrame({"order_id": ["O1", "O2", "O2", "O3", "O4", "O5", "O6"],
                          "product_id": ["F", "F", "S", "F", "S", "F", "F"]})
    products = pd.DataFrame({"product_id": ["F", "S"], "category": ["生鲜食品", "休闲零食"]})
    return orders, items, products


def test_category_repurchase_intervals_by_hand():
    orders, items, products = _basket_data()
    got = category_repurchase_intervals(orders, items, products)
    # 生鲜食品: M1 on days 1 and 8 (two orders on the 8th are one day) → 7; M2 on days 3 and 13 → 10
    assert got.loc["生鲜食品"].tolist() == [2, 2, 8.5, 8.5]
    # 休闲零食: M1 on the 8th only (the 22nd was refunded) → no interval
    assert got.loc["休闲零食", "gaps"] == 0 and np.isnan(got.loc["休闲零食", "median_gap_days"])
    assert list(got.columns) == ["gaps", "members", "median_gap_days", "mean_gap_days"]
    # counting the refund as a purchase adds the 14-day 休闲零食 gap
    with_refunds = category_repurchase_intervals(orders, items, products, include_refunds=True)
    assert with_refunds.loc["休闲零食", "median_gap_days"] == 14.0
    # as-of cuts the later days off
    early = category_repurchase_intervals(orders, items, products, as_of="2025-01-10")
    assert early.loc["生鲜食品"].tolist() == [1, 1, 7.0, 7.0]


def test_spend_band_explorer_runs_without_a_widget_frontend(capsys, monkeypatch):
    from helpers import plots, widgets

    plots.use_theme()
    s = pd.DataFrame({"monetary_total": [100.0, 900.0, 2500.0, 6000.0]}, index=list("abcd"))
    table = spend_band_explorer(s, [1000, 5000], interactive=False)
    assert table["会员数"].tolist() == [2, 1, 1]
    assert table["金额占比"].tolist() == pytest.approx([1000 / 9500, 2500 / 9500, 6000 / 9500])
    assert spend_band_explorer(s, [5000, 1000], interactive=False) is None
    assert "必须大于" in capsys.readouterr().out
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    monkeypatch.setenv(widgets.LIVE_ENV, "1")  # as under a front end
    box = spend_band_explorer(s, [1000, 5000])  # the widget box, built and drawn once without a browser
    assert [w.value for w in box.children[0].children] == [1000, 5000]


def test_lapsed_band_keeps_members_who_left_out_of_the_habit_bands():
    """A simulated population of weekly buyers (exponential gaps, mean 5 days) over two years, half of whom stop
    at a random day: the old habit-only rule keeps the leavers in 每周购买, the lapse rule moves them out."""
    from helpers.behavior import member_summary

    rng = np.random.default_rng(11)
    start, end = pd.Timestamp("2024-01-01"), pd.Timestamp("2025-12-31")
    horizon = (end - start).days
    rows, left = [], {}
    for m in range(600):
        stop = int(rng.integers(60, horizon - 90)) if m % 2 else horizon + 1  # odd members leave
        t = np.cumsum(rng.exponential(5.0, 400))
        t = t[t < min(stop, horizon)]
        rows.append(pd.DataFrame({"member_id": f"M{m:04d}", "order_ts": start + pd.to_timedelta(t, unit="D")}))
        left[f"M{m:04d}"] = stop <= horizon
    orders = pd.concat(rows, ignore_index=True).assign(net_amount=50.0)
    s = member_summary(orders, end)
    gone = pd.Series(left).reindex(s.index)
    habit, band = frequency_band(s, lapse_factor=None), frequency_band(s)
    # habit alone: leavers are just as "weekly" as stayers
    assert gone[habit == "每周购买"].mean() > 0.45
    # with the lapse rule nearly every leaver is 久未购买, and most stayers keep a habit band
    assert gone[band == "每周购买"].mean() < 0.02
    assert (band[gone] == "久未购买").mean() > 0.98
    # a stayer's silence exceeds 3 mean gaps with a chance of about e^-3 = 5 %
    assert (band[~gone] == "久未购买").mean() < 0.1
