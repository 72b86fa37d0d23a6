"""Module 06 tiers: rules, the month-by-month simulation (hand-worked paths), flows, benefit cost, the designer and
the report columns. Expectations are worked out by hand from the rules, not read from the code."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers import tiers
from helpers.paths import DEFAULT_DATA_DIR
from helpers.tiers import Panel, TierRules
from helpers.widgets import LIVE_ENV, STATIC_ENV

RULES = TierRules(thresholds=(0, 100, 200), names=("基础", "银", "金"), window_months=2, period_months=3,
                  grace_months=1)


def _panel(spend_rows, joined=None, online=None) -> Panel:
    s = np.asarray(spend_rows, float)
    n, T = s.shape
    return Panel(pd.Index([f"M{i}" for i in range(n)], name="member_id", dtype="string"),
                 pd.period_range("2024-01", periods=T, freq="M"), s, s.copy(),
                 np.zeros((n, T), np.int32) if online is None else np.asarray(online, np.int32),
                 np.zeros(n, np.int64) if joined is None else np.asarray(joined, np.int64))


HAND = [
    # up at once, dropped at the review (month 0 + 3 + 1 grace), then a jump of two levels, then down one level
    ([150, 0, 0, 0, 0, 0, 250, 0, 0, 0, 0, 0], [1, 1, 1, 1, 0, 0, 2, 2, 2, 2, 1, 1]),
    # re-qualifies by the review (window months 3-4): kept, next review 3 months later
    ([150, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]),
    # qualifies only inside the grace month (month 4): kept
    ([150, 0, 0, 0, 120, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]),
    # exactly on a threshold qualifies; 99.99 + 0.01 in the window too
    ([99.99, 0.01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]),
]


def test_hand_worked_tier_paths():
    path = tiers.simulate_tiers(_panel([h[0] for h in HAND]), RULES)
    for i, (_, want) in enumerate(HAND):
        assert path.tier[i].tolist() == want, i
    assert path.since.tolist() == [10, 7, 7, 5]
    f = path.final()
    assert f["tier_since"].iloc[0] == pd.Timestamp("2024-11-30")


def test_no_grace_drops_at_the_anniversary():
    path = tiers.simulate_tiers(_panel([HAND[2][0]]), TierRules(thresholds=(0, 100, 200), names=("a", "b", "c"),
                                                                window_months=2, period_months=3, grace_months=0))
    assert path.tier[0].tolist() == [1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0]


def test_points_basis_uses_points():
    p = _panel([[0, 0, 0]])
    p.points[:] = [[0, 150, 0]]
    assert tiers.simulate_tiers(p, TierRules((0, 100, 200), ("a", "b", "c"), basis="points")).tier[0].tolist() == [0, 1, 1]
    assert tiers.simulate_tiers(p, TierRules((0, 100, 200), ("a", "b", "c"))).tier[0].tolist() == [0, 0, 0]


def test_rules_reject_bad_thresholds():
    for bad in [(0,), (10, 100), (0, 100, 100), (0, 200, 100)]:
        with pytest.raises(ValueError):
            TierRules(thresholds=bad, names=tuple("abcd"[:len(bad)]))
    assert tiers.parse_thresholds("0，1000, 3000") == (0.0, 1000.0, 3000.0)
    with pytest.raises(ValueError, match="递增"):
        tiers.parse_thresholds("0,500,400")


def test_monthly_panel_from_orders_skips_refunds_and_counts_online():
    o = pd.DataFrame({
        "member_id": ["A", "A", "A", "B", "B"],
        "order_ts": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-03-01", "2024-02-10", "2024-02-11"]),
        "net_amount": [10.0, 20.0, 5.0, 7.0, 100.0],
        "status": ["paid", "paid", "paid", "paid", "refunded"],
        "channel": ["门店", "小程序", "线上商城", "门店", "小程序"],
        "points_earned": [10, 20, 5, 7, 100]})
    m = pd.DataFrame({"member_id": ["C", "B"], "register_ts": pd.to_datetime(["2024-02-15", "2023-06-01"])})
    p = tiers.monthly_panel(o, "2024-03-31", members=m)
    assert list(p.members) == ["A", "B", "C"] and [str(x) for x in p.months] == ["2024-01", "2024-02", "2024-03"]
    assert p.spend.tolist() == [[30, 0, 5], [0, 7, 0], [0, 0, 0]]
    assert p.points.tolist() == [[30, 0, 5], [0, 7, 0], [0, 0, 0]]
    assert p.online.tolist() == [[1, 0, 1], [0, 0, 0], [0, 0, 0]]
    assert p.joined.tolist() == [0, 0, 1]
    orders_only = tiers.monthly_panel(o.drop(columns=["status", "channel", "points_earned"]), "2024-02-28")
    assert orders_only.spend.tolist() == [[30, 0], [0, 107]] and orders_only.points.sum() == 0


def test_distribution_flows_and_flow_matrix():
    path = tiers.simulate_tiers(_panel([h[0] for h in HAND], joined=[0, 0, 0, 3]), RULES)
    dist = tiers.tier_distribution(path)
    assert dist.iloc[0].tolist() == [0, 3, 0]  # member 3 joins in month 3
    assert dist.iloc[-1].tolist() == [3, 1, 0]
    fl = tiers.monthly_flows(path)
    assert fl["upgrades"].tolist() == [3, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert fl["downgrades"].tolist() == [0, 0, 0, 0, 1, 1, 0, 2, 0, 0, 1, 0]
    fm = tiers.flow_matrix(path, months_back=6)  # month 5 -> month 11
    assert fm.loc["基础", "银"] == 1 and fm.loc["银", "基础"] == 2 and fm.loc["基础", "基础"] == 1
    counts = tiers.tier_counts(path)
    assert counts.tolist() == [3, 1, 0]


def test_spend_around_upgrade_against_near_misses():
    # member 0 upgrades to tier 1 in month 3: 10/month before, 40/month after; member 1 comes within 80 % in
    # month 3 (rolling 85) and is not upgraded: 5 before, 15 after
    rules = TierRules((0, 100), ("a", "b"), window_months=1, period_months=12)
    s = [[10, 10, 10, 120, 40, 40, 40, 0], [5, 5, 5, 85, 15, 15, 15, 0]]
    t = tiers.spend_around_upgrade(_panel(s), tiers.simulate_tiers(_panel(s), rules), window=3, near=0.8)
    row = t.loc["b"]
    assert row["upgrades"] == 1 and row["before"] == 10 and row["after"] == 40
    assert row["near_misses"] == 1 and row["near_change"] == 10 and row["lift"] == 20


def test_benefit_cost_uses_the_tier_held_before_the_month():
    rules = TierRules((0, 100), ("a", "b"), window_months=12, period_months=12)
    b = pd.DataFrame({"discount_rate": [0.0, 0.1], "free_shipping": [False, True], "shipping_cost": [8.0, 8.0],
                      "birthday_gift": [0.0, 120.0], "birthday_usage": [0.0, 0.5]})
    p = _panel([[200, 50, 30]], online=[[1, 2, 1]])
    c = tiers.benefit_cost(p, tiers.simulate_tiers(p, rules), b, months=12)
    # month 0 served at the base tier, months 1-2 at tier b: spend 80, 3 online orders, 2 member-months
    assert c.loc["b", "member_months"] == 2 and c.loc["b", "spend"] == 80
    assert c.loc["b", "discount_cost"] == pytest.approx(8.0)
    assert c.loc["b", "shipping_cost"] == pytest.approx(24.0)
    assert c.loc["b", "gift_cost"] == pytest.approx(2 / 12 * 120 * 0.5)
    assert c.loc["a", "total_cost"] == 0
    roi = tiers.programme_roi(c, pd.Series({"a": 0.0, "b": 100.0}), margin=0.3)
    assert roi.loc["b", "incremental_margin"] == pytest.approx(60.0)
    assert roi.loc["b", "roi"] == pytest.approx((60 - 42) / 42)
    assert np.isnan(roi.loc["a", "roi"])


def test_designer_compares_and_warns(capsys):
    s = [[300, 0, 0, 0], [150, 0, 0, 0], [50, 0, 0, 0], [0, 0, 0, 0]]
    p = _panel(s)
    same = tiers.compare_designs(p, RULES, RULES)
    assert same.moved == 0 and same.warning is None and same.members == 4
    lower = RULES.with_thresholds((0, 40, 140))
    cmp = tiers.compare_designs(p, RULES, lower, benefits=pd.DataFrame({
        "discount_rate": [0, 0, 0], "free_shipping": [False] * 3, "shipping_cost": [0.0] * 3,
        "birthday_gift": [0.0] * 3, "birthday_usage": [0.0] * 3}), warn_share=0.3)
    assert cmp.table["members_current"].tolist() == [2, 1, 1]
    assert cmp.table["members_proposed"].tolist() == [1, 1, 2]
    assert cmp.moved == 2 and cmp.moved_share == 0.5 and "50.0%" in cmp.warning
    static = tiers.tier_designer(p, RULES, lower, interactive=False, warn_share=0.3)
    assert static.moved == 2 and "提醒线" in capsys.readouterr().out


def test_designer_live_has_an_apply_button(monkeypatch):
    monkeypatch.delenv(STATIC_ENV, raising=False)
    monkeypatch.setenv(LIVE_ENV, "1")  # as under a front end
    box = tiers.tier_designer(_panel([[300, 0], [0, 0]]), RULES)
    assert box.__class__.__name__ == "VBox"
    buttons = [w for h in box.children for w in getattr(h, "children", ()) if w.__class__.__name__ == "Button"]
    assert [b.description for b in buttons] == ["应用"]
    sliders = [w for h in box.children for w in getattr(h, "children", ()) if hasattr(w, "continuous_update")]
    assert sliders and all(not w.continuous_update for w in sliders if w.__class__.__name__ == "IntSlider")


def test_member_scores_columns():
    path = tiers.simulate_tiers(_panel([h[0] for h in HAND]), RULES)
    ms = tiers.member_scores(path)
    assert tuple(ms.columns) == tiers.SCORE_COLUMNS
    assert ms["tier"].tolist() == ["银", "基础", "基础", "基础"]
    assert ms["next_tier"].tolist() == ["金", "银", "银", "银"]
    # member 0 holds 银 with 0 in the window: 200 to 金
    assert ms["spend_to_next_tier"].tolist() == [200, 100, 100, 100]
    assert ms["points_balance"].isna().all()
    d = tiers.member_score_descriptions(path, "2024-12-31", 24)
    assert set(d) == set(tiers.SCORE_COLUMNS) and "2024-12-31" in d["points_balance"]


def test_default_rules_match_the_world_programme():
    truth = json.loads((DEFAULT_DATA_DIR / "truth" / "loyalty_programme.json").read_text(encoding="utf-8"))
    assert truth["tiers"]["tiers"] == list(tiers.DEFAULT_RULES.names)
    assert truth["tiers"]["thresholds_yuan"] == [int(x) for x in tiers.DEFAULT_RULES.thresholds]
    assert truth["tiers"]["window_months"] == tiers.DEFAULT_RULES.window_months
    assert truth["tiers"]["grace_months"] == tiers.DEFAULT_RULES.grace_months


def test_threshold_for_share_takes_the_top_members():
    v = pd.Series([50.0, 400.0, 300.0, 300.0, 10.0, 0.0, 900.0, 20.0, 30.0, 40.0], index=[f"m{i}" for i in range(10)])
    assert tiers.threshold_for_share(v, 0.1) == 900.0  # ceil(0.1 × 10) = 1 member
    assert tiers.threshold_for_share(v, 0.25) == 300.0  # 3 members: 900, 400, 300
    assert tiers.threshold_for_share(v, 0.21) == 300.0
    assert np.isnan(tiers.threshold_for_share(pd.Series(dtype=float), 0.05))


def test_one_member_one_order_without_optional_columns():
    o = pd.DataFrame({"member_id": ["M1"], "order_ts": pd.to_datetime(["2025-06-01 10:00"]), "net_amount": [1200.0]})
    p = tiers.monthly_panel(o, "2025-06-01")
    path = tiers.simulate_tiers(p, tiers.DEFAULT_RULES)
    assert path.tier.tolist() == [[1]] and tiers.tier_counts(path).tolist() == [0, 1, 0, 0]
    assert tiers.spend_around_upgrade(p, path).empty or tiers.spend_around_upgrade(p, path)["upgrades"].sum() == 0
    assert tiers.flow_matrix(path).loc["银卡", "银卡"] == 1  # data shorter than a year: compared with the first month
    cost = tiers.benefit_cost(p, path)
    assert cost["member_months"].tolist() == [1, 0, 0, 0] and cost["total_cost"].sum() == 0
    ms = tiers.member_scores(path)
    assert ms.loc["M1", "next_tier"] == "金卡" and ms.loc["M1", "spend_to_next_tier"] == 1800.0
    with pytest.raises(ValueError, match="points_earned"):
        tiers.points_ledger(o, "2025-06-01", 0)
