"""Module 08 helpers: expectations worked out by hand or with textbook formulas written here, and simulated worlds
whose true effects are known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import experiments as X


def _world(n_per_arm=400, seed=1, effects=(("control", 0.0), ("a", 0.3), ("b", 0.0)), base=0.5):
    """Contacts, campaigns and orders of one campaign: each member orders Poisson(base + effect) times in the
    window (a known true lift in orders per member), one order of 100 元 each."""
    rng = np.random.default_rng(seed)
    rows, orders = [], []
    k = 0
    for arm, eff in effects:
        for _ in range(n_per_arm):
            k += 1
            mid = f"M{k:05d}"
            rows.append(("C1", mid, arm))
            for j in range(rng.poisson(base + eff)):
                orders.append((mid, pd.Timestamp("2025-03-02") + pd.Timedelta(hours=j + 1), 100.0, "paid"))
            orders.append((mid, pd.Timestamp("2025-02-01"), 50.0, "paid"))  # before the window: not counted
    contacts = pd.DataFrame(rows, columns=["campaign_id", "member_id", "arm"])
    campaigns = pd.DataFrame({"campaign_id": ["C1"], "start_date": [pd.Timestamp("2025-03-01")],
                              "end_date": [pd.Timestamp("2025-03-10")]})
    o = pd.DataFrame(orders, columns=["member_id", "order_ts", "net_amount", "status"])
    return contacts, campaigns, o


def test_outcomes_count_paid_orders_inside_the_window_only():
    contacts = pd.DataFrame({"campaign_id": ["C1"] * 4, "member_id": ["A", "B", "C", "D"],
                             "arm": ["control", "control", "offer", "offer"]})
    campaigns = pd.DataFrame({"campaign_id": ["C1"], "start_date": [pd.Timestamp("2025-03-01")],
                              "end_date": [pd.Timestamp("2025-03-10")]})
    orders = pd.DataFrame({"member_id": ["A", "C", "C", "C", "D", "D"],
                           "order_ts": pd.to_datetime(["2025-03-10 23:59", "2025-03-01 00:00", "2025-03-05 12:00",
                                                       "2025-03-11 00:00", "2025-02-28 23:59", "2025-03-03 09:00"]),
                           "net_amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
                           "status": ["paid", "paid", "refunded", "paid", "paid", "paid"]})
    oc = X.member_outcomes(contacts, orders, campaigns).set_index("member_id")
    # A: the last minute of the end day counts; C: the refund and the next day do not; D: the day before does not
    assert oc["orders"].to_dict() == {"A": 1, "B": 0, "C": 1, "D": 1}
    assert oc["spend"].to_dict() == {"A": 10.0, "B": 0.0, "C": 20.0, "D": 60.0}
    assert oc["visited"].isna().all()  # no events: visit rate is null
    s = X.arm_summary(X.member_outcomes(contacts, orders, campaigns)).set_index("arm")
    assert s.loc["control", "conversion_rate"] == 0.5 and s.loc["offer", "spend_per_member"] == 40.0


def test_lift_of_proportions_and_means_match_the_textbook_formulas():
    contacts, campaigns, orders = _world(n_per_arm=300, seed=3)
    oc = X.member_outcomes(contacts, orders, campaigns)
    lt = X.lift_table(oc).set_index(["arm", "outcome"])
    t, c = oc[oc.arm == "a"], oc[oc.arm == "control"]
    # difference of proportions, unpooled Wald interval and z-test
    p1, p0, n1, n0 = t.converted.mean(), c.converted.mean(), len(t), len(c)
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    z = stats.norm.ppf(0.975)
    row = lt.loc[("a", "conversion_rate")]
    assert row.estimate == pytest.approx(p1 - p0, abs=1e-12)
    assert (row.ci_low, row.ci_high) == pytest.approx((p1 - p0 - z * se, p1 - p0 + z * se), abs=1e-9)
    assert row.p_value == pytest.approx(2 * stats.norm.sf(abs(p1 - p0) / se), rel=1e-6)
    # Welch: Satterthwaite degrees of freedom
    x1, x0 = t.orders.to_numpy(), c.orders.to_numpy()
    v1, v0 = x1.var(ddof=1) / len(x1), x0.var(ddof=1) / len(x0)
    df = (v1 + v0) ** 2 / (v1 ** 2 / (len(x1) - 1) + v0 ** 2 / (len(x0) - 1))
    d, se = x1.mean() - x0.mean(), math.sqrt(v1 + v0)
    row = lt.loc[("a", "orders_per_member")]
    assert (row.ci_low, row.ci_high) == pytest.approx((d - stats.t.ppf(0.975, df) * se,
                                                      d + stats.t.ppf(0.975, df) * se), abs=1e-9)
    assert row.p_value == pytest.approx(2 * stats.t.sf(abs(d) / se, df), rel=1e-6)


def test_holm_multiplies_the_smallest_p_by_the_number_of_arms():
    contacts, campaigns, orders = _world(seed=5)
    lt = X.lift_table(X.member_outcomes(contacts, orders, campaigns))
    o = lt[lt.outcome == "orders_per_member"].sort_values("p_value")
    p = o.p_value.to_numpy()
    expected = [min(1.0, 2 * p[0]), min(1.0, max(2 * p[0], p[1]))]
    assert o.p_holm.to_numpy() == pytest.approx(expected)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_estimated_lift_is_within_three_standard_errors_of_the_true_effect(seed):
    contacts, campaigns, orders = _world(n_per_arm=600, seed=seed)
    lt = X.lift_table(X.member_outcomes(contacts, orders, campaigns))
    for arm, true in (("a", 0.3), ("b", 0.0)):
        r = lt[(lt.arm == arm) & (lt.outcome == "orders_per_member")].iloc[0]
        se = (r.ci_high - r.ci_low) / 2 / stats.norm.ppf(0.975)  # close to the t quantile at these sizes
        assert abs(r.estimate - true) < 3 * se


def test_metrics_have_the_fixed_shape():
    contacts, campaigns, orders = _world(n_per_arm=50)
    oc = X.member_outcomes(contacts, orders, campaigns)
    m = X.experiment_metrics(X.arm_summary(oc), X.lift_table(oc))
    arms = m["campaigns"]["C1"]["arms"]
    assert set(arms) == {"control", "a", "b"}
    assert set(arms["a"]) == {"n", "conversion_rate", "orders_per_member", "spend_per_member", "visit_rate", "lift"}
    assert arms["control"]["lift"] == {} and arms["a"]["n"] == 50 and arms["a"]["visit_rate"] is None
    lift = arms["a"]["lift"]["orders_per_member"]
    assert set(lift) == {"estimate", "ci95", "p_value"} and len(lift["ci95"]) == 2
    assert "visit_rate" not in arms["a"]["lift"]


def test_degenerate_campaigns_get_one_sentence_each_and_bad_contacts_are_quarantined():
    contacts = pd.DataFrame({"campaign_id": ["C1", "C1", "C2", "C9", "C3"], "member_id": ["A", "B", "A", "A", "B"],
                             "arm": ["offer", "offer", "control", None, "对照组"]})
    campaigns = pd.DataFrame({"campaign_id": ["C1", "C2", "C3"], "start_date": pd.to_datetime(["2025-01-01"] * 3),
                              "end_date": pd.to_datetime(["2025-01-05"] * 3)})
    orders = pd.DataFrame({"member_id": ["A"], "order_ts": pd.to_datetime(["2025-06-01"]), "net_amount": [5.0]})
    kept, q = X.clean_contacts(contacts, campaigns)
    assert len(kept) + len(q) == len(contacts) and q.row.tolist() == [4] and q.column.tolist() == ["campaign_id"]
    oc = X.member_outcomes(kept, orders, campaigns)
    assert oc.set_index("campaign_id").loc["C3", "is_control"]  # 对照组 is the control
    s = X.arm_summary(oc, arms={"C2": ["control", "offer"]})
    assert s.set_index(["campaign_id", "arm"]).loc[("C2", "offer"), "n"] == 0
    notes = X.campaign_notes(s, q)
    assert any("C1" in n and "对照组" in n for n in notes)          # no control arm
    assert any("C2" in n and "offer" in n for n in notes)           # empty arm
    assert any("C1" in n and "没有已支付订单" in n for n in notes)    # window without orders
    assert any("C9" in n for n in notes)                            # unknown campaign
    assert X.lift_table(oc).empty  # no arm has both a control and members


def test_power_matches_the_normal_approximation_and_inverts():
    p0, p1 = 0.20, 0.22
    h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p0))
    n = 2 * ((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) / h) ** 2  # var(2·asin√p̂) ≈ 1/n per arm
    assert X.sample_size(p0, 0.02) == math.ceil(n)
    assert X.detectable_lift(p0, math.ceil(n), math.ceil(n)) == pytest.approx(0.02, abs=2e-4)
    assert X.detectable_lift(p0, 4 * math.ceil(n), 4 * math.ceil(n)) < 0.011  # 4× the members: about half


def test_srm_flags_a_broken_split_and_passes_a_fair_one():
    assert not X.srm_check(pd.Series({"control": 5000, "a": 5050}))["mismatch"]
    r = X.srm_check(pd.Series({"control": 5000, "a": 5400}))
    assert r["mismatch"] and r["p_value"] == pytest.approx(stats.chi2.sf(2 * 200 ** 2 / 5200, 1))
    assert not X.srm_check(pd.Series({"control": 2000, "t": 8000}), {"control": 0.2, "t": 0.8})["mismatch"]


def test_standardised_difference_by_hand():
    f = pd.DataFrame({"arm": ["control"] * 3 + ["a"] * 3, "x": [1.0, 2.0, 3.0, 2.0, 3.0, 4.0]})
    d = X.standardized_differences(f, ["x"]).iloc[0]
    assert d.std_diff == pytest.approx(1.0)  # means differ by 1, both variances 1


def test_cuped_keeps_the_estimate_unbiased_and_cuts_the_variance():
    rng = np.random.default_rng(0)
    n = 4000
    x = rng.gamma(2.0, 50.0, n)
    t = rng.random(n) < 0.5
    y = 0.8 * x + rng.normal(0, 30, n) + 10.0 * t
    r = X.cuped(y, x, t)
    assert r["variance_reduction"] > 0.7 and r["se_cuped"] < 0.6 * r["se"]
    assert abs(r["estimate_cuped"] - 10.0) < 3 * r["se_cuped"]


def test_peeking_inflates_false_positives():
    r = X.peeking_simulation(n_sims=300, seed=1)
    assert r["false_positive_final"] < 0.09 and r["false_positive_peeking"] > 2 * r["false_positive_final"]


def test_qini_and_auuc_by_hand():
    idx = pd.Index(["m1", "m2", "m3", "m4"])
    score = pd.Series([0.9, 0.8, 0.1, 0.05], idx)
    y = pd.Series([1.0, 0.0, 0.0, 1.0], idx)
    t = pd.Series([True, False, True, False], idx)
    q = X.qini_curve(score, y, t)
    # k=1: Yt=1, no control → 1; k=2: 1 − 0·1/1 = 1; k=3: 1 − 0·2/1 = 1; k=4: 1 − 1·2/2 = 0
    assert q["qini"].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert X.auuc(score, y, t) == pytest.approx(np.mean([1, 1, 1, 0]) / 2)
    assert X.uplift_at_k(score, y, t, 0.5) == 1.0  # top 2: treated m1 bought, control m2 did not


def test_uplift_models_rank_members_by_their_true_uplift():
    rng = np.random.default_rng(7)
    n = 6000
    X_ = pd.DataFrame({"x1": rng.random(n), "x2": rng.random(n)})
    t = rng.random(n) < 0.5
    true = 0.3 * (X_.x1 > 0.5)
    y = (rng.random(n) < 0.1 + t * true).astype(float)
    for s in (X.t_learner(X_, y, t, seed=0), X.class_transformation(X_, y, t, seed=0)):
        s = pd.Series(s)
        assert s[X_.x1 > 0.5].mean() > s[X_.x1 <= 0.5].mean() + 0.15
        assert X.auuc(s, pd.Series(y), pd.Series(t)) > 0


def test_targeting_profit_none_is_zero_and_costs_add_up():
    idx = pd.Index([f"m{i}" for i in range(10)])
    score = pd.Series(np.arange(10, 0, -1.0), idx)
    t = pd.Series([True, False] * 5, idx)
    spend = pd.Series([100.0, 0.0] * 5, idx)
    conv = (spend > 0).astype(float)
    p = X.targeting_profit(score, spend, t, conv, shares=(0.2, 1.0), margin=0.5, contact_cost=1.0, coupon_cost=10.0)
    assert p.iloc[0].profit == 0
    top2 = p[p.share == 0.2].iloc[0]  # 2 members, spend uplift 100, margin 50 each; cost 2 + 10 · 1 · 2
    assert top2.incremental_margin == 100.0 and top2.cost == 22.0 and top2.profit == 78.0


def _panel_world(effect=0.5, seed=0):
    rng = np.random.default_rng(seed)
    members = pd.DataFrame({"member_id": [f"M{i:04d}" for i in range(800)],
                            "city": ["广州"] * 300 + ["北京"] * 500, "register_ts": pd.Timestamp("2024-01-01")})
    rows = []
    months = pd.period_range("2024-10", "2025-09", freq="M")
    for mid, city in zip(members.member_id, members.city, strict=True):
        level = 1.5 if city == "广州" else 1.0  # different level, same trend
        for m in months:
            lam = level + 0.05 * (m - months[0]).n + (effect if city == "广州" and m >= pd.Period("2025-04") else 0)
            for _ in range(rng.poisson(lam)):
                rows.append((mid, m.start_time + pd.Timedelta(days=3), 10.0))
    return members, pd.DataFrame(rows, columns=["member_id", "order_ts", "net_amount"])


def test_did_recovers_a_known_effect_and_trends_look_parallel():
    members, orders = _panel_world(effect=0.5)
    panel = X.did_panel(orders, members, ["广州"], "2025-04-01", as_of="2025-09-30")
    d = X.did_estimate(panel)
    assert d["ci95"][0] < 0.5 < d["ci95"][1] and abs(d["estimate"] - 0.5) < 0.15
    pt = X.parallel_trends(panel)
    assert abs(pt["slope"]) < 0.05
    none = X.did_estimate(X.did_panel(*reversed(_panel_world(effect=0.0, seed=2)), ["广州"], "2025-04-01",
                                      as_of="2025-09-30"))
    assert none["ci95"][0] < 0 < none["ci95"][1]


def test_before_after_overstates_what_the_control_shows():
    contacts, campaigns, orders = _world(effects=(("control", 0.0), ("treatment", 0.2)), base=0.5)
    oc = X.member_outcomes(contacts, orders, campaigns)
    r = X.before_after_vs_control(oc, orders, campaigns, "C1")
    assert r["orders_before"] == 0  # nobody ordered in the 10 days before
    assert r["naive_increase"] > r["controlled_lift"] + 0.3


def test_power_calculator_static_and_live(monkeypatch, capsys):
    from helpers import widgets

    text = X.power_calculator(0.2, 0.02, interactive=False)
    assert isinstance(text, str) and f"{X.sample_size(0.2, 0.02):,}" in text and text in capsys.readouterr().out
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    monkeypatch.setenv(widgets.LIVE_ENV, "1")  # as under a front end
    box = X.power_calculator(0.2, 0.02, interactive=True)
    assert not isinstance(box, str)  # the widget box
    sliders = {c.description: c for c in box.children if hasattr(c, "description")}
    sliders["目标提升"].value = 0.01  # releasing a slider redraws the answer with the new lift
    assert f"{X.sample_size(0.2, 0.01):,}" in X.power_text(0.2, 0.01)
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    assert isinstance(X.power_calculator(0.2, 0.02, interactive=True), str)  # a static run draws once


# ---- the generated world: the truth written by the generator is recovered -------------------------------------

@pytest.fixture(scope="module")
def default_world():
    from helpers import data
    from helpers.paths import resource

    root = resource("datasets") / "default"
    ds = data.load(root, tables=("members", "campaigns", "campaign_contacts"))
    return ds, root


def test_generated_multi_arm_lifts_are_within_three_standard_errors_of_the_truth(default_world):
    ds, root = default_world
    kept, q = X.clean_contacts(ds.campaign_contacts, ds.campaigns)
    assert q.empty
    oc = X.member_outcomes(kept, ds.orders, ds.campaigns)
    fx = pd.read_parquet(root / "truth" / "campaign_effects.parquet")
    lt = X.lift_table(oc)
    multi = lt[(lt.campaign_id == "C2503") & (lt.outcome == "orders_per_member")]
    assert set(multi.arm) == {"coupon_20", "double_points"}
    for r in lt[lt.outcome == "orders_per_member"].itertuples():
        true = fx[(fx.campaign_id == r.campaign_id) & (fx.arm == r.arm)].true_uplift.mean()
        t, c = oc[(oc.campaign_id == r.campaign_id) & (oc.arm == r.arm)], oc[(oc.campaign_id == r.campaign_id)
                                                                            & oc.is_control]
        se = math.sqrt(t.orders.var() / len(t) + c.orders.var() / len(c))
        assert abs(r.estimate - true) < 3 * se, (r.campaign_id, r.arm, r.estimate, true, se)
    sizes = kept[kept.campaign_id == "C2503"].arm.value_counts()
    assert not X.srm_check(sizes)["mismatch"]


def test_generated_city_programme_is_recovered_by_did(default_world):
    ds, root = default_world
    params = pd.read_json(root / "truth" / "params.json", typ="series")["city_programme"]
    panel = X.did_panel(ds.orders, ds.members, params["cities"], params["launch"])
    d = X.did_estimate(panel)
    inc = pd.read_parquet(root / "truth" / "incremental_orders.parquet")
    post = panel[panel.treated & panel.post]
    lo, hi = post.month.min().start_time, post.month.max().end_time
    caused = inc[(inc.source == params["programme_id"]) & inc.member_id.isin(set(post.member_id))
                 & (inc.order_ts >= lo) & (inc.order_ts <= hi)]
    att = len(caused) / (post.member_id.nunique() * post.month.nunique())  # refunds (3 %) ignored
    se = (d["ci95"][1] - d["ci95"][0]) / 2 / 1.96
    assert abs(d["estimate"] - att) < 3 * se, (d["estimate"], att, se)
    assert X.parallel_trends(panel)["p_value"] > 0.01


def test_planned_shares_pick_the_usual_design_nearest_to_what_was_observed():
    s = X.planned_shares(pd.Series({"control": 190, "treatment": 810}))
    assert s["control"] == 0.2 and s["treatment"] == 0.8
    s = X.planned_shares(pd.Series({"control": 330, "a": 340, "b": 330}))
    assert s.to_numpy() == pytest.approx([1 / 3] * 3)
    # a broken 20 / 80 split is still judged against 20 / 80, and flagged
    assert X.srm_check(pd.Series({"control": 1800, "t": 8200}),
                       X.planned_shares(pd.Series({"control": 1800, "t": 8200})))["mismatch"]


def test_visits_are_null_when_the_events_log_starts_after_the_window():
    contacts, campaigns, orders = _world(n_per_arm=5)
    ev = pd.DataFrame({"member_id": contacts.member_id[:3], "event_ts": pd.Timestamp("2025-03-03"),
                       "event_type": "view"})
    oc = X.member_outcomes(contacts, orders, campaigns, ev)
    assert oc.visited.isna().all()  # the log starts 2025-03-03, after the window's first day
    ev.loc[len(ev)] = ["M99999", pd.Timestamp("2025-01-01"), "search"]
    oc = X.member_outcomes(contacts, orders, campaigns, ev)
    assert oc.visited.sum() == 3 and oc.visited.notna().all()


def test_winner_needs_holm_significance_and_a_positive_lift():
    r = pd.DataFrame({"arm": ["coupon", "points", "gift"], "estimate": [0.030, 0.045, 0.010],
                      "p_value": [0.004, 0.030, 0.026]})
    # Holm by hand: 0.004·3 = 0.012, 0.026·2 = 0.052, max(0.052, 0.030·1) = 0.052 → only coupon stays significant
    assert X.winner(r) == "coupon"
    assert X.winner(r.assign(estimate=[-0.03, 0.045, 0.01])) is None  # significant, but it lowers orders
    assert X.winner(r.assign(p_value=[0.2, 0.3, 0.4])) is None


def test_the_loader_accepts_any_arm_label(tmp_path):
    from helpers import data

    pd.DataFrame({"member_id": ["M1", "M2", "M3"], "order_ts": ["2025-03-02 10:00:00"] * 3,
                  "net_amount": [10.0, 20.0, 30.0]}).to_csv(tmp_path / "orders.csv", index=False)
    pd.DataFrame({"campaign_id": ["C1"], "start_date": ["2025-03-01"], "end_date": ["2025-03-10"]}).to_csv(
        tmp_path / "campaigns.csv", index=False)
    pd.DataFrame({"campaign_id": ["C1"] * 3, "member_id": ["M1", "M2", "M3"],
                  "arm": ["对照组", "coupon_20", "Double Points"]}).to_csv(tmp_path / "campaign_contacts.csv", index=False)
    ds = data.load(tmp_path)
    assert ds.quarantine.empty
    assert sorted(ds.campaign_contacts["arm"].astype(str)) == ["Double Points", "coupon_20", "对照组"]
    oc = X.member_outcomes(ds.campaign_contacts, ds.orders, ds.campaigns)
    assert oc.set_index("member_id")["is_control"].to_dict() == {"M1": True, "M2": False, "M3": False}


def test_holm_matches_the_textbook_step_down():
    """Holm by hand: sorted p times (m, m-1, …), running maximum, capped at 1, back in the input order."""
    from helpers import experiments as X

    p = np.array([0.04, 0.01, 0.03, 0.20])
    # sorted 0.01 0.03 0.04 0.20 -> ×4 ×3 ×2 ×1 = 0.04 0.09 0.08 0.20 -> running max 0.04 0.09 0.09 0.20
    assert np.allclose(X.holm(p), [0.09, 0.04, 0.09, 0.20])
    import gc

    before = gc.get_freeze_count()
    X.holm(p)
    assert gc.get_freeze_count() == before
