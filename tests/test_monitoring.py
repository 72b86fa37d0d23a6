"""helpers.monitoring (module 10): KPI tree and its LMDI split, daily sales and festivals, STL + robust-z anomalies,
month-over-month alerts through the report's rules, programme effects from a run folder, the management summary.
Expectations are worked by hand in the comments."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from helpers import monitoring as M


def _orders(rows):
    df = pd.DataFrame(rows, columns=["member_id", "order_ts", "net_amount", "status"])
    df["order_ts"] = pd.to_datetime(df["order_ts"])
    return df


def test_kpi_tree_of_one_period_multiplies_back_to_sales():
    o = _orders([("A", "2025-03-01 10:00", 100.0, "paid"), ("A", "2025-03-05 10:00", 50.0, "paid"),
                 ("B", "2025-03-09 10:00", 30.0, "paid"), ("C", "2025-03-09 11:00", 20.0, "refunded")])
    t = M.kpi_tree(o, members=4)
    # buyers A, B (C only refunded); 3 paid orders; sales 180
    assert (t["buyers"], t["paid_orders"], t["sales"]) == (2, 3, 180.0)
    assert (t["active_share"], t["frequency"], t["order_value"]) == (0.5, 1.5, 60.0)
    assert 4 * 0.5 * 1.5 * 60.0 == t["sales"]
    empty = M.kpi_tree(o.iloc[:0], members=0)
    assert empty["sales"] == 0 and math.isnan(empty["active_share"]) and math.isnan(empty["order_value"])


def test_monthly_kpis_member_base_gap_month_active_90d_and_completeness():
    o = _orders([("A", "2025-01-01 09:00", 10.0, "paid"), ("B", "2025-01-20 09:00", 30.0, "paid"),
                 ("A", "2025-03-15 09:00", 20.0, "paid"), ("C", "2025-03-16 09:00", 5.0, "refunded")])
    members = pd.DataFrame({"member_id": ["A", "B", "C", "D"],
                            "register_ts": pd.to_datetime(["2024-12-01", "2025-01-20", "2025-02-10", None])})
    m = M.monthly_kpis(o, members, as_of="2025-03-20")
    assert [str(p) for p in m["month"]] == ["2025-01", "2025-02", "2025-03"]
    # joined: A 2024-12-01, B 2025-01-20, C 2025-02-10 (registered; its order was refunded); D has no date at all
    assert m["members"].tolist() == [2, 3, 3]
    assert m["buyers"].tolist() == [2, 0, 1]
    assert m["sales"].tolist() == [40.0, 0.0, 20.0]
    assert math.isnan(m.loc[1, "frequency"]) and m.loc[1, "active_share"] == 0
    # 90 days up to 2025-01-31: A, B; up to 2025-02-28: A, B; up to the as-of 2025-03-20: A (B's 01-20 is 59 days back)
    assert m["active_90d"].tolist() == [2, 2, 2]
    assert m["complete"].tolist() == [True, True, False]  # March ends after the as-of day
    only = M.monthly_kpis(o[o["member_id"] == "B"])  # orders only, one order
    assert only["members"].tolist() == [1] and only["order_value"].tolist() == [30.0]


def test_lmdi_split_adds_up_exactly_and_is_hand_checkable():
    before = {"members": 100, "active_share": 0.5, "frequency": 2.0, "order_value": 10.0}  # sales 1000
    only_value = M.decompose_change(before, {**before, "order_value": 20.0})  # sales 2000: all from order value
    assert only_value.loc["order_value", "contribution"] == pytest.approx(1000.0)
    assert only_value.drop("order_value")["contribution"].tolist() == [0.0, 0.0, 0.0]
    # members and order value both double: sales 4000, L = 3000 / ln 4, each part L · ln 2 = 1500
    both = M.decompose_change(before, {**before, "members": 200, "order_value": 20.0})
    assert both.loc["members", "contribution"] == pytest.approx(1500.0, rel=1e-8)
    assert both.loc["order_value", "contribution"] == pytest.approx(1500.0, rel=1e-8)
    assert both["share"].sum() == pytest.approx(1.0)
    mixed = M.decompose_change(before, {"members": 120, "active_share": 0.4, "frequency": 2.5, "order_value": 9.0})
    assert mixed["contribution"].sum() == pytest.approx(120 * 0.4 * 2.5 * 9.0 - 1000.0, abs=1e-6)
    none = M.decompose_change(before, {**before, "active_share": 0.0})  # no buyers: not defined
    assert none["contribution"].isna().all()


def test_festival_days_from_the_table_and_missing_years_named():
    cal, missing = M.festival_days("2025-01-01", "2025-12-31")
    spring = cal.loc[cal["festival"] == "春节", "date"]
    # 2025 春节 is 2025-01-29: 除夕 01-28 to 初六 02-04
    assert spring.min() == pd.Timestamp("2025-01-28") and spring.max() == pd.Timestamp("2025-02-04") and len(spring) == 8
    assert set(cal.loc[cal["festival"] != "春节", "date"]) == {pd.Timestamp("2025-06-18"), pd.Timestamp("2025-11-11"),
                                                                pd.Timestamp("2025-12-12")}
    assert missing == []
    cal2, missing2 = M.festival_days("2031-06-01", "2031-12-31")
    assert missing2 == [2031] and "春节" not in set(cal2["festival"]) and len(cal2) == 3


def test_daily_sales_fills_gaps_with_zero_and_drops_refunds():
    o = _orders([("A", "2025-03-01 10:00", 10.0, "paid"), ("B", "2025-03-01 23:59", 5.0, "paid"),
                 ("A", "2025-03-03 00:00", 7.0, "refunded"), ("B", "2025-03-04 12:00", 1.0, "paid")])
    d = M.daily_sales(o)
    assert d["date"].dt.strftime("%m-%d").tolist() == ["03-01", "03-02", "03-03", "03-04"]
    assert d["sales"].tolist() == [15.0, 0.0, 0.0, 1.0]
    assert d["paid_orders"].tolist() == [2, 0, 0, 1]
    assert d["no_orders"].tolist() == [False, True, True, False]
    assert len(M.daily_sales(o, "2025-03-01", "2025-03-10")) == 10


def test_robust_z_hand_worked():
    # median 3, |deviations| 2 1 0 1 97 -> MAD 1
    assert np.allclose(M.robust_z([1, 2, 3, 4, 100]), (np.array([1, 2, 3, 4, 100]) - 3) / 1.4826)
    # MAD 0 (four equal values): mean absolute deviation 0.8, z(9) = 4 / (1.2533 · 0.8)
    z = M.robust_z([5, 5, 5, 5, 9])
    assert z[-1] == pytest.approx(4 / (1.2533 * 0.8)) and (z[:4] == 0).all()
    assert (M.robust_z([7.0] * 6) == 0).all()
    assert M.robust_z([]).size == 0


def _weekly(days=56, start="2025-10-20", spike=None, factor=3.0):
    dates = pd.date_range(start, periods=days, freq="D")
    pattern = np.array([100.0, 90, 95, 100, 110, 150, 140])
    rng = np.random.default_rng(1)
    sales = pattern[dates.day_of_week] * (1 + 0.01 * rng.standard_normal(days))
    d = pd.DataFrame({"date": dates, "sales": sales.round(2), "paid_orders": 10, "no_orders": False})
    for day in spike or []:
        d.loc[d["date"] == pd.Timestamp(day), "sales"] *= factor
    return d


def test_anomalies_flag_a_spike_and_mark_festival_days_as_expected():
    d = _weekly(spike=["2025-11-05", "2025-11-11"])
    # 1 % noise around a fixed weekly pattern: the tripled days have |z| in the hundreds, noise days stay below 8
    a = M.detect_anomalies(d, threshold=8)
    assert set(a.loc[a["anomaly"], "date"]) == {pd.Timestamp("2025-11-05")}
    assert set(a.loc[a["expected"], "date"]) == {pd.Timestamp("2025-11-11")}
    assert a.loc[a["date"] == pd.Timestamp("2025-11-05"), "direction"].item() == "high"
    assert set(a["festival"]) == {"", "双 11", "双 12"}  # the 56 days run to 12-14


def test_anomalies_zero_day_gap_is_low_short_series_is_refused_with_a_sentence():
    d = _weekly()
    d.loc[20, "sales"] = 0.0  # a day with no paid order, filled with 0 by daily_sales
    a = M.detect_anomalies(d, threshold=8)
    assert a.loc[a["anomaly"], "date"].tolist() == [d.loc[20, "date"]] and a.loc[20, "direction"] == "low"
    assert M.anomaly_note(13) is not None and "13" in M.anomaly_note(13) and M.anomaly_note(14) is None
    with pytest.raises(ValueError, match="跳过异常检测"):
        M.detect_anomalies(d.head(10))
    one_day = M.daily_sales(_orders([("A", "2025-03-01 10:00", 10.0, "paid")]))
    assert len(one_day) == 1 and M.anomaly_note(len(one_day))
    sparse = d.assign(sales=np.where(np.arange(len(d)) % 3 == 0, 80.0, 0.0))  # two days in three without a sale
    assert "太稀疏" in M.anomaly_note(len(sparse), 7, int((sparse["sales"] == 0).sum()))
    with pytest.raises(ValueError, match="太稀疏"):
        M.detect_anomalies(sparse)
    assert M.anomaly_note(56, 7, 11) is None and M.anomaly_note(56, 7, 12) is not None  # 20 % of 56 days is 11.2
    flat = d.assign(sales=50.0)  # equal amounts every day: nothing stands out
    assert not M.detect_anomalies(flat)["outlier"].any()
    with pytest.raises(ValueError, match="连续"):
        M.detect_anomalies(d.drop(index=5))


def _monthly(sales_prev, sales_now, months=("2025-11", "2025-12")):
    rows = []
    for m, s in zip(months, (sales_prev, sales_now), strict=True):
        rows.append({"month": pd.Period(m, "M"), "members": 100, "buyers": 50, "paid_orders": 100, "sales": s,
                     "active_share": 0.5, "frequency": 2.0, "order_value": s / 100, "active_90d": 60,
                     "complete": True})
    return pd.DataFrame(rows)


def test_month_alerts_use_the_report_rules():
    rules = M.rules_from_text("rules:\n  - kpi: sales\n    change_below: -0.1\n    severity: critical\n"
                              "  - kpi: average_order_value\n    below: 50\n")
    cur, base, fired = M.month_alerts(_monthly(1000.0, 850.0), rules)  # -15 %, order value 8.5 < 50
    assert cur["sales"] == 850.0 and base["sales"] == 1000.0 and cur["active_members"] == 60
    assert [(a["kpi"], a["severity"]) for a in fired] == [("sales", "critical"), ("average_order_value", "warning")]
    assert fired[0]["change"] == pytest.approx(-0.15)
    _, _, calm = M.month_alerts(_monthly(1000.0, 950.0), rules[:1])  # -5 %: quiet
    assert calm == []
    _, none, only_level = M.month_alerts(_monthly(1000.0, 850.0), rules, against="year")  # no month a year back
    assert none is None and [a["kpi"] for a in only_level] == ["average_order_value"]
    with pytest.raises(ValueError, match="未知 KPI"):
        M.rules_from_text("rules:\n  - kpi: nonsense\n    below: 1\n")


def test_programme_effects_from_run_parts_and_never_crash_on_missing(tmp_path):
    part = tmp_path / "parts" / "06_tiers"
    part.mkdir(parents=True)
    (part / "metrics.json").write_text(json.dumps({"points_liability_yuan": 1234.5, "breakage_rate": 0.2,
                                                   "roi_by_tier": {"银卡": 2.5, "普通会员": None}}), encoding="utf-8")
    (tmp_path / "parts" / "07_marketing").mkdir()
    (tmp_path / "parts" / "07_marketing" / "metrics.json").write_text("{not json", encoding="utf-8")
    found = {k: M.read_module_metrics(tmp_path, k) for k in M.EFFECT_MODULES}
    assert found["07_marketing"] is None and found["08_experiments"] is None
    assert M.read_module_metrics("", "06_tiers") is None
    m08 = {"campaigns": {"C1": {"arms": {"control": {"lift": {}}, "t": {"lift": {"orders_per_member": {
        "estimate": 0.1, "ci95": [0.02, 0.18], "p_value": 0.01}}}}, "holm": {"t": {"orders_per_member": 0.01}}}},
        "winners": {"C1": "t"}}
    table, notes = M.programme_effects(found, light={"08_experiments": m08})
    assert table["effect"].tolist() == ["积分负债", "积分沉淀率", "等级权益 ROI：银卡", "活动 C1 · t：人均订单提升"]
    assert table["value"].tolist() == [1234.5, 0.2, 2.5, 0.1]
    assert "胜出" in table["detail"].iloc[-1]
    assert len(notes) == 2 and "07" in notes[0] and "简化版" in notes[1]
    empty, notes2 = M.programme_effects({"06_tiers": {"unexpected": 1}})
    assert empty.empty and len(notes2) == 3


def test_management_summary_states_the_computed_numbers():
    monthly = _monthly(1000.0, 850.0)
    dec = M.decompose_change(monthly.iloc[0], monthly.iloc[1])
    d = _weekly(spike=["2025-11-05", "2025-11-11"])
    a = M.detect_anomalies(d, threshold=8)
    fired = [{"rule": "sales change < -10%", "severity": "critical", "basis": "环比 "}]
    effects = pd.DataFrame({"module": ["06", "06", "08", "08"], "effect": ["积分负债", "沉淀率", "活动 A", "活动 B"],
                            "value": [100.0, 0.2, 0.1, 0.05], "unit": ["元", "比例", "单/人", "单/人"],
                            "detail": ["", "", "", "胜出"]})
    lines = M.management_summary(monthly, "2025-12", dec, a, fired, effects, notes=["说明。"])
    text = "\n".join(lines)
    assert "2025 年 12 月销售额 850 元" in text and "比上月 -15.0%" in text and "比去年同月 无可比数据" in text
    assert "-150 元" in text and "客单价" in lines[1] and "11-05（偏高）" in text and "双 11" in text
    assert "触发告警 1 条：环比 sales change < -10%（critical）" in text and lines[-1] == "说明。"
    # one line per module's first effect, plus the winning arm; the second 06 line is left to the table
    assert "积分负债：100.00 元（06）。" in lines and "活动 A：+0.100 单/人（08）。" in lines
    assert "活动 B：+0.050 单/人（08）。" in lines and not any(ln.startswith("沉淀率") for ln in lines)
    assert M.management_summary(monthly.iloc[:0], "2025-12", None, None, [], None) == ["没有已支付订单，无法生成经营摘要。"]


def test_threshold_counts_and_the_explorer_static_and_live(monkeypatch, capsys):
    from helpers import plots, widgets

    plots.use_theme()
    a = pd.DataFrame({"date": pd.date_range("2025-01-01", periods=5, freq="D"), "z": [0.5, -4.0, 6.0, 3.0, 9.0],
                      "festival": ["", "", "双 11", "", ""]})
    c = M.threshold_counts(a, 3.5)
    # |z| > 3.5: days 2, 3 (festival), 5 -> two anomalies, one expected
    assert (c["outliers"], c["anomalies"], c["expected"], c["share"]) == (3, 2, 1, 0.4)
    assert M.threshold_counts(a, 3.5, recent_days=2)["anomalies"] == 1  # the last two days: 3.0 and 9.0
    assert M.threshold_counts(a, 2.5)["anomalies"] == 3
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    static = M.threshold_explorer(a, threshold=3.5, recent_days=None)
    assert isinstance(static, pd.Series) and static["anomalies"] == 2 and "异常 2 天" in capsys.readouterr().out
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    monkeypatch.setenv(widgets.LIVE_ENV, "1")  # as under a front end
    box = M.threshold_explorer(a, threshold=3.5, recent_days=None)
    assert not isinstance(box, pd.Series) and box.children[0].value == 3.5


def test_alerts_file_parameter_is_checked_before_the_run(tmp_path):
    from helpers.report import params

    spec = params.MODULE_PARAMETERS["10_report"]["alerts_file"]
    assert params.check_value("", spec) == ""
    with pytest.raises(ValueError, match="无法读取告警规则"):
        params.check_value(str(tmp_path / "missing.yaml"), spec)
    good = tmp_path / "rules.yaml"
    good.write_text("rules:\n  - kpi: sales\n    below: 1\n", encoding="utf-8")
    assert params.check_value(str(good), spec) == str(good)
    assert "10_report" in params.MODULE_DEPENDS and "08_experiments" in params.depends_on("10_report")
