"""helpers.rfm: quantile scores and their tie handling, custom edges, M as total or average order value, the eight
segments, actions and summary, the budgeted contact plan, the check against the truth and the segment explorer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helpers.rfm as rfm_module
from helpers.rfm import (
    SEGMENTS,
    contact_plan,
    expected_gain,
    fm_spearman,
    high_cutoffs,
    lapse_check,
    member_score_descriptions,
    member_scores,
    parse_edges,
    parse_threshold,
    plot_shares,
    rfm_scores,
    rfm_segments,
    rfm_table,
    score_ranges,
    score_ranges_dict,
    segment_actions,
    segment_explorer,
    segment_summary,
    segment_truth,
    target_list,
)


def _summary(recency, frequency, monetary, index=None):
    return pd.DataFrame({"recency": recency, "frequency": frequency, "monetary_total": monetary},
                        index=index or [f"M{i}" for i in range(len(recency))])


def test_shared_ties_give_equal_values_equal_scores():
    f = [1, 1, 1, 1, 1, 1, 2, 2, 3, 10]
    s = _summary([5] * 10, f, np.arange(10.0))
    sc = rfm_scores(s)
    # score = 1 + floor(5 × share strictly below): 1 → 0 % → 1; 2 → 60 % → 4; 3 → 80 % → 5; 10 → 90 % → 5
    assert sc["F"].tolist() == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    assert sc["R"].nunique() == 1  # everybody equally recent
    assert sc["M"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert sc.loc["M9", "rfm_code"] == "155" and sc.loc["M9", "rfm_total"] == 11


def test_recency_scored_so_that_recent_is_high():
    s = _summary([1, 5, 5, 100, 30, 60, 7, 200, 15, 3], [1] * 10, [1.0] * 10)
    sc = rfm_scores(s)
    r = sc["R"]
    assert r["M0"] == 5 and r["M7"] == 1  # most recent → 5, least recent → 1
    assert r["M1"] == r["M2"]  # tie
    assert np.all(np.diff(r.to_numpy()[np.argsort(s["recency"].to_numpy(), kind="stable")]) <= 0)


def test_shared_scores_do_not_depend_on_row_order():
    rng = np.random.default_rng(0)
    s = _summary(rng.integers(0, 400, 500), rng.integers(1, 6, 500), rng.gamma(2, 100, 500).round(0))
    a = rfm_scores(s)
    shuffled = s.sample(frac=1, random_state=1)
    b = rfm_scores(shuffled).loc[s.index]
    pd.testing.assert_frame_equal(a, b)


def test_first_ties_give_equal_sized_groups():
    rng = np.random.default_rng(1)
    s = _summary(rng.integers(0, 50, 1000), rng.integers(1, 4, 1000), rng.gamma(2, 100, 1000))
    sc = rfm_scores(s, ties="first")
    for d in "RFM":
        assert sc[d].value_counts().tolist() == [200] * 5
    with pytest.raises(ValueError, match="ties"):
        rfm_scores(s, ties="random")


def test_custom_edges():
    s = _summary([0, 30, 31, 90, 91, 400], [1, 2, 4, 5, 9, 20], [0.0, 999.99, 1000.0, 2999.0, 3000.0, 1e5])
    sc = rfm_scores(s, edges={"R": [30, 90], "F": [2, 5], "M": [1000, 3000]})
    assert sc["R"].tolist() == [3, 3, 2, 2, 1, 1]  # recency on an edge stays in the more recent band
    assert sc["F"].tolist() == [1, 2, 2, 3, 3, 3]  # frequency on an edge moves up
    assert sc["M"].tolist() == [1, 1, 2, 2, 3, 3]
    mixed = rfm_scores(s, bins=5, edges={"M": [1000]})
    assert set(mixed["M"]) == {1, 2} and mixed["R"].max() <= 5
    with pytest.raises(ValueError, match="increasing"):
        rfm_scores(s, edges={"R": [90, 30]})
    with pytest.raises(ValueError, match="'R', 'F', 'M'"):
        rfm_scores(s, edges={"X": [1]})


def test_eight_segments_from_high_low():
    # one member per R/F/M high-low combination (scores 1 or 5; mean = 3 for each dimension)
    combos = [(r, f, m) for r in (5, 1) for f in (5, 1) for m in (5, 1)]
    sc = pd.DataFrame(combos, columns=["R", "F", "M"], index=[f"M{i}" for i in range(8)])
    seg = rfm_segments(sc)
    expected = {(5, 5, 5): "重要价值", (5, 1, 5): "重要发展", (1, 5, 5): "重要保持", (1, 1, 5): "重要挽留",
                (5, 5, 1): "一般价值", (5, 1, 1): "一般发展", (1, 5, 1): "一般保持", (1, 1, 1): "一般挽留"}
    for i, c in enumerate(combos):
        assert seg.iloc[i] == expected[c]
    assert list(seg.cat.categories) == list(SEGMENTS)
    # threshold: "high" is strictly above it
    three = pd.DataFrame({"R": [3], "F": [3], "M": [3]})
    assert rfm_segments(three, threshold=3).iloc[0] == "一般挽留"
    assert rfm_segments(three, threshold=2).iloc[0] == "重要价值"
    assert rfm_segments(three, threshold={"R": 2, "F": 3, "M": 2}).iloc[0] == "重要发展"


def test_actions_and_summary():
    acts = segment_actions()
    assert list(acts.index) == list(SEGMENTS)
    assert {"R", "F", "M", "description", "action", "strategy"} <= set(acts.columns)
    assert acts.loc["重要挽留", ["R", "F", "M"]].tolist() == ["低", "低", "高"]
    assert all(isinstance(a, str) and len(a) > 5 for a in acts["action"])
    rng = np.random.default_rng(2)
    s = _summary(rng.integers(0, 400, 300), rng.integers(1, 10, 300), rng.gamma(2, 100, 300))
    t = rfm_table(s)
    assert {"R", "F", "M", "rfm_code", "rfm_total", "segment"} <= set(t.columns)
    summ = segment_summary(t["segment"], s)
    assert list(summ.index) == list(SEGMENTS)
    assert summ["members"].sum() == 300
    assert summ["member_share"].sum() == pytest.approx(1) and summ["value_share"].sum() == pytest.approx(1)
    assert summ.loc["重要价值", "mean_monetary"] > summ.loc["一般挽留", "mean_monetary"]


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match="monetary_total"):
        rfm_scores(pd.DataFrame({"recency": [1], "frequency": [1]}))


def test_middle_rule_is_default_and_does_not_flip_on_the_mean():
    # 5 quantile levels: scores 4-5 are high whatever the mean score is (the mean rule flips the whole
    # score-3 band when the mean moves from 3.0000 to 2.9998)
    sc = pd.DataFrame({"R": [1, 2, 3, 4, 5, 3], "F": [3, 3, 3, 3, 3, 3], "M": [5, 4, 3, 2, 1, 3]},
                      index=[f"M{i}" for i in range(6)])
    sc.attrs["levels"] = {"R": 5, "F": 5, "M": 5}
    assert high_cutoffs(sc) == {"R": 3.0, "F": 3.0, "M": 3.0}
    seg = rfm_segments(sc)
    assert seg["M3"] == "一般发展" and seg["M0"] == "重要挽留" and seg["M2"] == "一般挽留"
    # under "mean" the F mean of 3 makes nobody high-F; nudging one F score changes that for everyone at 3
    nudged = sc.assign(F=[3, 3, 3, 3, 3, 2])
    assert (rfm_segments(nudged, threshold="mean") != rfm_segments(sc, threshold="mean")).sum() >= 4
    assert (rfm_segments(nudged) != rfm_segments(sc)).sum() == 0


def test_middle_rule_uses_the_scale_of_custom_edges():
    summary = pd.DataFrame({"recency": [10, 100, 400], "frequency": [1, 3, 9], "monetary_total": [50.0, 500.0, 5000.0]},
                           index=["A", "B", "C"])
    scores = rfm_scores(summary, edges={"R": [30, 180], "F": [2, 5], "M": [100, 1000]})
    assert scores.attrs["levels"] == {"R": 3, "F": 3, "M": 3}
    assert high_cutoffs(scores) == {"R": 2.0, "F": 2.0, "M": 2.0}
    # A: recent, 1 order, 50 元; B: all scores 2 (= the cut-off, so low); C: long ago, 9 orders, 5000 元
    assert list(rfm_segments(scores)) == ["一般发展", "一般挽留", "重要保持"]


def test_parse_report_parameters():
    assert parse_edges("R:30,90;F：2，4") == {"R": [30.0, 90.0], "F": [2.0, 4.0]}
    assert parse_edges("") == {}
    with pytest.raises(ValueError, match="R:90,30"):
        parse_edges("R:90,30")
    assert parse_threshold(" Middle ") == "middle" and parse_threshold("3.5") == 3.5
    with pytest.raises(ValueError, match="rfm_threshold"):
        parse_threshold("high")


def test_every_public_function_is_exported():
    # a new public function left out of __all__ (or a name in __all__ that does not exist) fails here
    public = {n for n, v in vars(rfm_module).items()
              if callable(v) and not n.startswith("_") and getattr(v, "__module__", None) == rfm_module.__name__}
    assert public <= set(rfm_module.__all__)
    assert all(hasattr(rfm_module, n) for n in rfm_module.__all__)


def test_member_scores_and_descriptions_follow_the_scoring():
    s = _summary([0, 3, 10, 40, 200], [1, 1, 2, 5, 9], [10.0, 20.0, 300.0, 50.0, 1000.0],
                 index=["A", "B", "C", "D", "E"])
    table = rfm_table(s, edges={"F": [2, 5]})
    ms = member_scores(table)
    assert list(ms.columns) == ["r_score", "f_score", "m_score", "rfm_code", "rfm_segment"]
    # E: most frequent (9 ≥ 5 → F 3 of 3), top spend (M 5), least recent (R 1) → R low, F high, M high
    assert ms.loc["E"].tolist() == [1, 3, 5, "135", "重要保持"]
    levels, cut = table.attrs["levels"], high_cutoffs(table)
    notes = member_score_descriptions("2025-12-31", levels, cut, edges={"F": [2, 5]})
    assert set(notes) == set(ms.columns)
    assert "1–3 分" in notes["f_score"] and "按业务阈值 2、5 单打分" in notes["f_score"]
    assert "1–5 分" in notes["r_score"] and "按分位数打分" in notes["r_score"]
    assert "（中间档：R>3、F>2、M>3）" in notes["rfm_segment"]
    assert all("截止日 2025-12-31" in t for t in notes.values())
    # other edges / threshold → other text
    other = member_score_descriptions("2025-12-31", {"R": 4, "F": 5, "M": 5}, {"R": 2.5, "F": 3.0, "M": 3.0},
                                      edges={"R": [30, 90, 180]}, threshold=3)
    assert "按业务阈值 30、90、180 天打分" in other["r_score"] and "1–4 分" in other["r_score"]
    assert "（分数 3：R>2.5、F>3、M>3）" in other["rfm_segment"]


def test_score_ranges_report_the_raw_values_behind_each_score():
    summary = _summary([0, 3, 10, 40, 200], [1, 1, 2, 5, 9], [10.0, 20.0, 300.0, 50.0, 1000.0],
                       index=["A", "B", "C", "D", "E"])
    scores = pd.DataFrame({"R": [3, 3, 2, 1, 1], "F": [1, 1, 2, 2, 3], "M": [1, 1, 2, 1, 3]}, index=summary.index)
    got = score_ranges(summary, scores.sample(frac=1, random_state=0))  # row order of the scores is irrelevant
    assert list(got.columns) == ["dimension", "score", "min", "max", "members"]
    # R: score 1 = D, E (40 and 200 days); 2 = C (10); 3 = A, B (0 and 3) — listed by score ascending
    r = got[got["dimension"] == "R"]
    assert r[["score", "min", "max", "members"]].values.tolist() == [[1, 40, 200, 2], [2, 10, 10, 1], [3, 0, 3, 2]]
    f = got[got["dimension"] == "F"]
    assert f[["score", "min", "max", "members"]].values.tolist() == [[1, 1, 1, 2], [2, 2, 5, 2], [3, 9, 9, 1]]
    m = got[got["dimension"] == "M"]
    assert m[["score", "min", "max", "members"]].values.tolist() == [[1, 10, 50, 3], [2, 300, 300, 1],
                                                                     [3, 1000, 1000, 1]]
    assert got["dimension"].tolist() == ["R"] * 3 + ["F"] * 3 + ["M"] * 3
    d = score_ranges_dict(got)
    assert d["F"]["2"] == {"min": 2.0, "max": 5.0, "members": 2}
    assert set(d) == {"R", "F", "M"} and set(d["M"]) == {"1", "2", "3"}
    assert isinstance(d["R"]["1"]["members"], int)


def _target_table():
    # five members; segments and totals chosen by hand (rfm_total is what orders within a segment)
    return pd.DataFrame({
        "segment": ["一般挽留", "重要价值", "重要价值", "重要保持", "重要价值"],
        "rfm_code": ["111", "545", "554", "255", "455"],
        "rfm_total": [3, 14, 14, 12, 14 - 1],
    }, index=pd.Index(["M05", "M03", "M01", "M04", "M02"], name="member_id"))


def test_target_list_order_and_columns_without_members():
    got = target_list(_target_table())
    assert list(got.columns) == ["member_id", "segment", "rfm_code", "strategy", "action"]
    # 重要价值 first (M01 and M03 both total 14 → member id order; M02 has 13), then 重要保持, last 一般挽留
    assert got["member_id"].tolist() == ["M01", "M03", "M02", "M04", "M05"]
    assert got["segment"].astype(str).tolist() == ["重要价值", "重要价值", "重要价值", "重要保持", "一般挽留"]
    assert got["strategy"].tolist() == ["维护", "维护", "维护", "挽回", "低优先级"]
    assert got["rfm_code"].tolist() == ["554", "545", "455", "255", "111"]
    assert list(got.index) == [0, 1, 2, 3, 4]
    assert "sms_contactable" not in target_list(_target_table(), members=pd.DataFrame({"member_id": ["M01"]})).columns


def test_target_list_marks_sms_consent_conservatively():
    members = pd.DataFrame({
        "member_id": ["M01", "M02", "M03", "M04", "M04"],
        "sms_consent": pd.array([True, None, False, True, True], dtype="boolean"),
        "phone_masked": ["138****0001", "139****0002", "137****0003", "136****0004", None],
    })
    got = target_list(_target_table(), segment_actions(), members).set_index("member_id")["sms_contactable"]
    # M01 consent + phone → yes; M02 consent missing → no; M03 said no; M04 listed twice, one row without a phone
    # → no; M05 is not in the member table → no
    assert got.to_dict() == {"M01": True, "M03": False, "M02": False, "M04": False, "M05": False}
    assert got.dtype == bool
    with pytest.raises(ValueError, match="channel"):
        target_list(_target_table(), members=members, channel="fax")


def test_segment_truth_counts_alive_members_per_segment():
    idx = pd.Index(["A", "B", "C", "D", "E"], name="member_id")
    segments = pd.Series(pd.Categorical(["重要价值", "重要价值", "重要价值", "一般挽留", "一般挽留"],
                                        categories=list(SEGMENTS), ordered=True), index=idx)
    # E has no truth row (e.g. a member created after the simulation); Z is in the truth but was not scored
    truth = pd.DataFrame({"alive_at_as_of": [True, False, True, False, True],
                          "expected_order_value": [100.0, 200.0, 300.0, 50.0, 999.0]},
                         index=pd.Index(["A", "B", "C", "D", "Z"], name="member_id"))
    summary = pd.DataFrame({"monetary_mean": [110.0, 190.0, 330.0, 40.0, 60.0]}, index=idx)
    got = segment_truth(segments, truth, summary)
    assert list(got.index) == list(SEGMENTS)
    assert got.loc["重要价值", "members"] == 3 and got.loc["一般挽留", "members"] == 1
    assert got.loc["重要价值", "alive_share"] == pytest.approx(2 / 3)
    assert got.loc["一般挽留", "alive_share"] == 0.0
    assert got.loc["重要价值", "true_order_value"] == pytest.approx(200.0)
    assert got.loc["重要价值", "observed_order_value"] == pytest.approx(210.0)
    assert got.loc["一般挽留", "observed_order_value"] == pytest.approx(50.0)  # E counts here: (40 + 60) / 2
    assert got.loc["重要发展", "members"] == 0 and np.isnan(got.loc["重要发展", "alive_share"])
    assert "alive_share" not in segment_truth(segments, truth, alive=False).columns


def test_monetary_aov_scores_m_on_the_average_order_value():
    # A: many small orders (high total, low AOV); B: one big order (low total... but high AOV)
    s = pd.DataFrame({"recency": [5, 5, 5, 5], "frequency": [10, 1, 2, 4],
                      "monetary_total": [1000.0, 300.0, 60.0, 400.0], "monetary_mean": [100.0, 300.0, 30.0, 100.0]},
                     index=["A", "B", "C", "D"])
    total = rfm_scores(s, bins=4)
    aov = rfm_scores(s, bins=4, monetary="aov")
    # totals 1000 > 400 > 300 > 60; AOVs 300 > 100 = 100 > 30 (A and D tie: one strictly worse → 1 + ⌊4 × 1/4⌋)
    assert total["M"].tolist() == [4, 2, 1, 3]
    assert aov["M"].tolist() == [2, 4, 1, 2]
    assert total["F"].tolist() == aov["F"].tolist() and aov.attrs["monetary"] == "aov"
    table = rfm_table(s, bins=4, monetary="aov")
    assert table["M"].tolist() == [2, 4, 1, 2]
    ranges = score_ranges(s, aov)  # M ranges read from monetary_mean, the column the scores came from
    assert ranges[ranges["dimension"] == "M"][["score", "min", "max"]].values.tolist() == [[1, 30, 30], [2, 100, 100],
                                                                                          [4, 300, 300]]
    notes = member_score_descriptions("2025-12-31", aov.attrs["levels"], high_cutoffs(aov), monetary="aov")
    assert "客单价" in notes["m_score"] and "客单价" in notes["rfm_segment"]
    assert "消费金额" in member_score_descriptions("2025-12-31", total.attrs["levels"], high_cutoffs(total))["m_score"]
    with pytest.raises(ValueError, match="monetary"):
        rfm_scores(s, monetary="median")


def test_fm_spearman_ranks_f_against_the_chosen_m():
    s = pd.DataFrame({"frequency": [1, 2, 3, 4], "monetary_total": [10.0, 20.0, 30.0, 45.0],
                      "monetary_mean": [40.0, 30.0, 20.0, 10.0]})
    assert fm_spearman(s) == pytest.approx(1.0)
    assert fm_spearman(s, "aov") == pytest.approx(-1.0)
    assert np.isnan(fm_spearman(s.iloc[:1]))


def _candidates():
    return pd.DataFrame({
        "segment": ["重要发展", "重要发展", "一般挽留", "重要价值", "重要保持", "重要发展"],
        "monetary_mean": [200.0, 100.0, 1000.0, 500.0, 300.0, 200.0],
        "sms_contactable": [True, True, True, True, False, True],
    }, index=pd.Index(["M6", "M2", "M3", "M4", "M5", "M1"], name="member_id"))


def test_expected_gain_is_uplift_times_order_value_times_margin_minus_cost():
    uplift = {"重要发展": 0.1, "重要价值": 0.01, "重要保持": 0.05}  # 一般挽留 missing → uplift 0
    got = expected_gain(_candidates(), uplift, margin=0.5, cost=2.0)
    # M6: 0.1 × 200 × 0.5 − 2 = 8; M2: 0.1 × 100 × 0.5 − 2 = 3; M3: 0 − 2; M4: 0.01 × 500 × 0.5 − 2 = 0.5; M5: 5.5
    assert got.round(9).tolist() == [8.0, 3.0, -2.0, 0.5, 5.5, 8.0]
    assert got.name == "expected_gain"


def test_contact_plan_keeps_the_best_positive_contactable_members_within_budget():
    uplift = {"重要发展": 0.1, "重要价值": 0.01, "重要保持": 0.05}
    plan = contact_plan(_candidates(), uplift, budget=3, margin=0.5, cost=2.0)
    # M5 (5.5) has no consent; M1 and M6 tie at 8 → member id order; then M2 (3); M4 (0.5) is over the budget
    assert plan.index.tolist() == ["M1", "M6", "M2"]
    assert plan["expected_gain"].tolist() == [8.0, 8.0, 3.0]
    wide = contact_plan(_candidates(), uplift, budget=100, margin=0.5, cost=2.0)
    assert wide.index.tolist() == ["M1", "M6", "M2", "M4"]  # M3's gain is negative: not worth a message
    # no consent column: nobody may be contacted
    assert contact_plan(_candidates().drop(columns="sms_contactable"), uplift, budget=3).empty
    assert contact_plan(_candidates(), uplift, budget=0).empty


def test_lapse_check_precision_and_recall_of_r_low_segments():
    idx = [f"M{i}" for i in range(7)]
    segments = pd.Series(["重要保持", "一般挽留", "重要挽留", "一般保持", "重要价值", "一般发展", "重要发展"], index=idx)
    # M6 has no truth row; Z is in the truth only: both are left out
    alive = pd.Series([False, False, True, True, False, True, False], index=[*idx[:6], "Z"])
    got = lapse_check(segments, alive)
    # flagged (R low): M0–M3, of which M0, M1 dropped out → precision 2/4; dropped out: M0, M1, M4 → recall 2/3
    assert got["precision"] == pytest.approx(0.5) and got["recall"] == pytest.approx(2 / 3)
    assert got["lapsed_share"] == pytest.approx(3 / 6) and got["members"] == 6
    nobody_lapsed = lapse_check(segments, pd.Series(True, index=idx))
    assert np.isnan(nobody_lapsed["recall"]) and nobody_lapsed["precision"] == 0


def test_plot_shares_draws_one_bar_pair_per_segment():
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(4)
    s = _summary(rng.integers(0, 400, 200), rng.integers(1, 10, 200), rng.gamma(2, 100, 200))
    shares = segment_summary(rfm_table(s)["segment"], s)
    ax = plot_shares(shares, "测试")
    heights = sorted(round(p.get_height(), 9) for p in ax.patches)
    expected = sorted([round(v, 9) for v in shares["member_share"]] + [round(v, 9) for v in shares["value_share"]])
    assert heights == expected and ax.get_title() == "测试"


def test_segment_explorer_runs_without_a_widget_frontend(capsys, front_end):
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(5)
    s = _summary(rng.integers(0, 400, 120), rng.integers(1, 10, 120), rng.gamma(2, 100, 120)).assign(
        monetary_mean=lambda d: d["monetary_total"] / d["frequency"])
    assert segment_explorer(s, interactive=False) is None
    assert "不显示交互控件" in capsys.readouterr().out
    box = segment_explorer(s, threshold="mean", monetary="aov")  # live controls, built without a browser
    assert box is not None
    controls = {getattr(w, "description", ""): w for row in box.children[:2] for w in row.children}
    assert controls["M 的口径"].value == "aov" and controls["R 阈值（天）"].disabled
    controls["打分方式"].value = "edges"  # switching the mode enables the edge boxes and disables the slider
    assert not controls["R 阈值（天）"].disabled and controls["分位数档数"].disabled


def test_contact_plan_reaches_the_brute_force_optimum():
    from itertools import combinations

    rng = np.random.default_rng(6)
    uplift = {s: float(u) for s, u in zip(SEGMENTS, rng.uniform(0, 0.05, len(SEGMENTS)), strict=True)}
    for trial in range(5):
        cand = pd.DataFrame({"segment": rng.choice(list(SEGMENTS), 9), "monetary_mean": rng.gamma(2, 80, 9),
                             "sms_contactable": rng.random(9) < 0.7}, index=[f"T{trial}{i}" for i in range(9)])
        gain = expected_gain(cand, uplift)
        ok = cand.index[cand["sms_contactable"]]
        best = max((sum(gain[list(c)]) for k in range(4) for c in combinations(ok, k)), default=0.0)
        plan = contact_plan(cand, uplift, budget=3)
        assert len(plan) <= 3 and plan["sms_contactable"].all()
        assert plan["expected_gain"].sum() == pytest.approx(best)
