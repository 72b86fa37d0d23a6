"""helpers.segments segmentation: clusters stable and ordered by value, k chosen by silhouette, Chinese names; tags
with coverage and overlap; loyalty quadrants and their agreement with a truth on hand-made data; lifecycle stages
and transitions on hand-made orders; the retention list and the report columns; widgets without a frontend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.segments import (
    LIFECYCLE_STAGES,
    NOT_YET,
    MemberSegments,
    annual_spend,
    brand_loyalty,
    choose_k,
    churn_threshold_explorer,
    cluster_names,
    compare_gmm,
    k_selection,
    lifecycle_stages,
    lifecycle_transitions,
    loyalty_quadrants,
    member_score_descriptions,
    member_scores,
    member_tags,
    order_by_value,
    quadrant_agreement,
    retention_list,
    risk_band,
    scaled,
    segment_explorer,
    tag_coverage,
    tag_overlap,
    threshold_summary,
)


def _blobs(seed=0, n=150):
    """Three well-separated groups of members: big spenders, mid, small (features as member_features names)."""
    rng = np.random.default_rng(seed)
    groups = [(20, 30, 300.0, 700), (200, 5, 120.0, 400), (500, 1, 40.0, 600)]  # recency, frequency, aov, tenure
    rows = []
    for g, (r, f, m, t) in enumerate(groups):
        for _ in range(n):
            freq = max(1, int(f * rng.uniform(0.8, 1.2)))
            aov = m * rng.uniform(0.9, 1.1)
            rows.append({"recency": r * rng.uniform(0.8, 1.2), "frequency": freq, "monetary_mean": aov,
                         "tenure": t * rng.uniform(0.9, 1.1), "online_share": rng.uniform(0, 0.2) + 0.3 * g,
                         "trend_90d": 0.0, "monetary_total": freq * aov, "group": g})
    f = pd.DataFrame(rows, index=pd.Index([f"M{i:04d}" for i in range(len(rows))], name="member_id"))
    return f


def test_order_by_value_relabels_by_mean_value():
    lab = pd.Series([0, 0, 1, 1, 2], index=list("abcde"))
    val = pd.Series([10.0, 20.0, 100.0, 80.0, 50.0], index=list("abcde"))
    assert order_by_value(lab, val).tolist() == [3, 3, 1, 1, 2]


def test_clusters_are_ordered_by_value_and_stable_under_shuffling():
    f = _blobs()
    a = MemberSegments(3, seed=1).fit(f)
    # the big spenders are cluster 1, the small ones cluster 3, whatever k-means numbered them
    assert (a.labels_.groupby(f["group"]).agg(lambda s: s.mode()[0]).tolist()) == [1, 2, 3]
    shuffled = f.sample(frac=1.0, random_state=3)
    b = MemberSegments(3, seed=99).fit(shuffled)
    pd.testing.assert_series_equal(a.labels_.sort_index(), b.labels_.sort_index())
    assert a.names_.tolist()[0].startswith("高价值") and a.names_.tolist()[-1].startswith("低价值")
    assert a.names_.is_unique
    assert a.predict(f.iloc[:20]).tolist() == a.labels_.iloc[:20].tolist()
    assert 0.3 < a.silhouette_ <= 1


def test_k_selection_finds_the_three_groups():
    X = scaled(_blobs(), ["recency", "frequency", "monetary_mean", "tenure"])
    sel = k_selection(X, range(2, 7), seed=0)
    assert list(sel.index) == [2, 3, 4, 5, 6]
    assert (np.diff(sel["inertia"].to_numpy()) < 0).all()  # more clusters, smaller within-cluster sum of squares
    assert choose_k(sel, min_k=2, max_k=6) == 3
    assert choose_k(pd.DataFrame({"silhouette": [0.5, 0.4, 0.4]}, index=[2, 3, 4]), min_k=3) == 3  # tie → smaller k


def test_gmm_agrees_on_separated_groups():
    f = _blobs()
    X = scaled(f, ["recency", "frequency", "monetary_mean", "tenure"])
    seg = MemberSegments(3, features=X.columns, seed=0).fit(f)
    g = compare_gmm(X, seg.labels_, 3, seed=0)
    assert g["ari"] > 0.95 and sum(g["sizes"]) == len(f)


def test_cluster_names_from_profiles():
    prof = pd.DataFrame({"recency": [30, 150, 400, 20], "tenure": [500, 400, 600, 40], "frequency": [20, 5, 2, 2]},
                        index=pd.Index([1, 2, 3, 4], name="cluster"))
    names = cluster_names(prof)
    assert names.tolist() == ["高价值活跃", "中价值沉睡", "中价值流失", "低价值新客"]


def test_cluster_names_are_unique_when_profiles_look_alike():
    prof = pd.DataFrame({"recency": [20, 20, 20, 20, 20], "tenure": [40] * 5, "frequency": [9, 5, 2, 2, 1]},
                        index=pd.Index([1, 2, 3, 4, 5], name="cluster"))
    names = cluster_names(prof)
    assert names.tolist() == ["高价值新客", "中价值新客高频", "中价值新客低频 1", "中价值新客低频 2", "低价值新客"]
    assert names.is_unique


def test_scaling_logs_counts_and_reuses_a_fitted_scaling():
    f = pd.DataFrame({"frequency": [1.0, 10.0, 100.0, np.nan], "online_share": [0.0, 0.5, 1.0, 0.5]})
    s = scaled(f)
    assert s.mean().abs().max() < 1e-12
    lf = np.log1p([1.0, 10.0, 100.0])
    assert s["frequency"].iloc[1] == pytest.approx((lf[1] - np.r_[lf, lf[1]].mean()) / np.r_[lf, lf[1]].std())
    again = scaled(f, center=s.attrs["center"], scale=s.attrs["scale"])
    pd.testing.assert_frame_equal(s, again)


def _lines():
    """Orders and lines: X buys brand p four times of five in 零食; Y alternates brands; Z bought one line."""
    orders = pd.DataFrame({
        "order_id": [f"O{i}" for i in range(11)],
        "member_id": pd.array(["X"] * 5 + ["Y"] * 4 + ["Z"] + ["X"], dtype="string"),
        "order_ts": pd.to_datetime([f"2025-0{m}-01" for m in (1, 2, 3, 4, 5)] + [f"2025-0{m}-02" for m in (1, 2, 3, 4)]
                                   + ["2025-03-03", "2025-06-01"]),
        "net_amount": [10.0] * 11,
        "status": pd.Categorical(["paid"] * 10 + ["refunded"]),
    })
    items = pd.DataFrame({"order_id": [f"O{i}" for i in range(11)], "line_no": [1] * 11,
                          "product_id": ["p", "p", "q", "p", "p", "p", "q", "p", "q", "p", "q"]})
    products = pd.DataFrame({"product_id": ["p", "q"], "category": ["零食", "零食"], "brand": ["甲", "乙"]})
    return orders, items, products


def test_brand_loyalty_two_ways_on_hand_made_lines():
    b = brand_loyalty(*_lines(), as_of="2025-12-31")
    assert b.loc["X", "brand_share"] == pytest.approx(0.8)  # the refunded 乙 line does not count
    assert b.loc["X", "repeat_share"] == pytest.approx(3 / 4)  # lines 2..5: p, q(new), p, p -> 3 repeats of 4
    assert b.loc["Y", "brand_share"] == pytest.approx(0.5) and b.loc["Y", "repeat_share"] == pytest.approx(2 / 3)
    assert "Z" not in b.index  # one line: loyalty not measurable


def test_quadrant_rules_on_hand_made_data():
    spend = pd.Series([3000.0, 2999.9, 5000.0, 100.0, 4000.0], index=list("abcde"))
    loyal = pd.Series([0.6, 0.9, 0.59, 0.1, np.nan], index=list("abcde"))
    q = loyalty_quadrants(spend, loyal)
    assert q.tolist()[:4] == ["重度忠诚", "轻度忠诚", "重度摇摆", "轻度摇摆"]
    assert pd.isna(q["e"])
    truth = pd.Series(["heavy_loyal", "light_switching", "heavy_switching", "light_switching", "heavy_loyal"],
                      index=list("abcde"))
    a = quadrant_agreement(q, truth)
    assert a["members"] == 4 and a["accuracy"] == pytest.approx(0.75)
    assert a["heavy_accuracy"] == pytest.approx(1.0) and a["loyal_accuracy"] == pytest.approx(0.75)
    assert a["table"].loc["轻度摇摆", "轻度忠诚"] == 1


def test_annual_spend_uses_the_active_span():
    s = pd.DataFrame({"first_purchase": pd.to_datetime(["2024-01-01", "2025-01-01"]),
                      "last_purchase": pd.to_datetime(["2024-12-31", "2025-01-01"]),
                      "x": [4, 0], "monetary_total": [3650.0, 100.0]}, index=["a", "b"])
    got = annual_spend(s)
    # a: span 365 days + mean interval 365 / 4 -> 3650 * 365 / 456.25; b: one day -> judged over 90 days
    assert got["a"] == pytest.approx(3650 * 365 / 456.25) and got["b"] == pytest.approx(100 * 365 / 90)


def _features(**cols):
    n = len(next(iter(cols.values())))
    base = {"recency": [10] * n, "tenure": [200] * n, "orders_90d": [3] * n, "orders_prev_90d": [3] * n}
    base.update(cols)
    return pd.DataFrame(base, index=[f"M{i}" for i in range(n)]).astype(float)


def test_lifecycle_rules_on_hand_made_features():
    f = _features(recency=[10, 10, 10, 10, 90, 91, 180, 181, 10],
                  tenure=[30, 200, 400, 400, 400, 400, 400, 400, 89],
                  orders_90d=[1, 3, 3, 1, 1, 0, 0, 0, 1], orders_prev_90d=[0, 3, 3, 2, 1, 4, 4, 4, 5])
    assert lifecycle_stages(f).tolist() == ["新客", "成长", "成熟", "衰退", "成熟", "沉睡", "沉睡", "流失", "新客"]
    assert list(lifecycle_stages(f).cat.categories) == list(LIFECYCLE_STAGES)


def test_lifecycle_transitions_on_hand_made_orders():
    o = pd.DataFrame({"member_id": pd.array(["A", "A", "B", "C"], dtype="string"),
                      "order_ts": pd.to_datetime(["2025-01-01", "2025-06-25", "2025-05-01", "2025-09-01"]),
                      "net_amount": [1.0, 1.0, 1.0, 1.0]})
    t = lifecycle_transitions(o, "2025-06-30", "2025-12-31")
    assert t.loc["成长", "流失"] == 1  # A: active, first purchase 180 days before Jun 30; silent 189 days on Dec 31
    assert t.loc["新客", "流失"] == 1  # B: first purchase 60 days before Jun 30; silent 244 days on Dec 31
    assert t.loc[NOT_YET, "沉睡"] == 1  # C: bought after Jun 30, silent 121 days on Dec 31
    assert int(t.to_numpy().sum()) == 3
    shares = lifecycle_transitions(o, "2025-06-30", "2025-12-31", normalize=True)
    assert shares.loc["成长"].sum() == pytest.approx(1.0)


def _tag_orders():
    ts = ["2025-06-05 22:00", "2025-06-10 23:00", "2025-11-11 10:00", "2025-03-01 10:00",  # P: 3 festival, 2 night
          "2025-03-02 10:00", "2025-03-03 10:00", "2025-03-04 10:00",  # Q: three daytime orders, all discounted
          "2025-06-01 22:00"]  # R: a single order
    return pd.DataFrame({"order_id": [f"O{i}" for i in range(8)],
                         "member_id": pd.array(["P"] * 4 + ["Q"] * 3 + ["R"], dtype="string"),
                         "order_ts": pd.to_datetime(ts), "net_amount": [10.0] * 8,
                         "discount_amount": [0, 0, 0, 1, 1, 1, 1, 1.0],
                         "channel": pd.Categorical(["小程序"] * 4 + ["门店"] * 3 + ["小程序"])})


def test_tags_rules_coverage_and_overlap():
    tags, skipped = member_tags(_tag_orders(), "2025-12-31")
    assert tags.loc["P"].to_dict() == {"价格敏感": False, "夜间下单": True, "节日型": True, "线上为主": True}
    assert tags.loc["Q"].to_dict() == {"价格敏感": True, "夜间下单": False, "节日型": False, "线上为主": False}
    assert not tags.loc["R"].any()  # fewer than 3 orders: no tag
    assert set(skipped) == {"母婴", "美妆"}
    cov = tag_coverage(tags)
    assert cov.loc["夜间下单", "members"] == 1 and cov.loc["夜间下单", "coverage"] == pytest.approx(1 / 3)
    ov = tag_overlap(tags)
    assert ov.loc["夜间下单", "节日型"] == 1.0 and ov.loc["价格敏感", "夜间下单"] == 0.0


def test_tag_overlap_is_jaccard():
    t = pd.DataFrame({"a": [True, True, False, False], "b": [True, False, True, False], "c": [False] * 4})
    ov = tag_overlap(t)
    assert ov.loc["a", "b"] == pytest.approx(1 / 3) and ov.loc["a", "a"] == 1.0 and np.isnan(ov.loc["c", "c"])


def test_retention_list_ranks_by_expected_value_with_consent_and_budget():
    idx = pd.Index(["m1", "m2", "m3", "m4", "m5"], name="member_id")
    risk = pd.Series([0.9, 0.5, 0.5, 0.1, 0.8], index=idx)
    value = pd.Series([10.0, 200.0, 200.0, 1000.0, 500.0], index=idx)
    consent = pd.Series([True, True, True, True, False], index=idx)
    t = retention_list(risk, value, consent=consent, save_rate=0.2, contact_cost=2.0)
    # ev: m1 -0.2 (out), m2 18, m3 18, m4 18, m5 78 but no consent (out)
    assert t.index.tolist() == ["m2", "m3", "m4"]
    assert t["expected_value"].tolist() == pytest.approx([18.0, 18.0, 18.0])
    assert retention_list(risk, value, consent=consent, budget=5.0).index.tolist() == ["m2", "m3"]
    assert retention_list(risk, value).index[0] == "m5"  # without a consent column nobody is excluded


def test_threshold_summary_counts_and_values():
    idx = pd.Index(list("abc"), name="member_id")
    t = threshold_summary(pd.Series([0.2, 0.5, 0.8], index=idx), pd.Series([100.0, 100.0, 100.0], index=idx),
                          thresholds=[0.0, 0.5, 0.9], save_rate=0.5, contact_cost=1.0)
    assert t["members"].tolist() == [3, 2, 0]
    assert t.loc[0.5, "expected_saved"] == pytest.approx(65.0) and t.loc[0.5, "net"] == pytest.approx(63.0)


def test_risk_bands_and_member_scores_columns():
    r = pd.Series([0.0, 0.29, 0.3, 0.6, 1.0, np.nan])
    assert risk_band(r).tolist()[:5] == ["低风险", "低风险", "中风险", "高风险", "高风险"]
    assert pd.isna(risk_band(r).iloc[5])
    idx = pd.Index(["a", "b"])
    ms = member_scores(idx, cluster=pd.Series([1], index=["a"]), churn_risk=pd.Series([0.7, 0.1], index=idx))
    assert list(ms.columns) == ["cluster", "cluster_name", "loyalty_quadrant", "lifecycle_stage", "churn_risk",
                                "churn_risk_band"]
    assert ms["cluster"].dtype == "Int64" and pd.isna(ms.loc["b", "cluster"])
    assert ms["churn_risk_band"].tolist() == ["高风险", "低风险"]
    d = member_score_descriptions("2025-12-31", 180, k=4, heavy_threshold=3000, loyal_threshold=0.6, model="hgb")
    assert set(d) == set(ms.columns) and all("2025-12-31" in d[c] for c in ("cluster", "churn_risk"))


def test_widgets_without_a_frontend_draw_once(capsys, front_end):
    f = _blobs(n=40)
    table = segment_explorer(f, k=3, interactive=False)
    assert len(table) == 3 and "名称" in table.columns
    idx = f.index
    row = churn_threshold_explorer(pd.Series(np.linspace(0, 1, len(idx)), index=idx),
                                   pd.Series(100.0, index=idx), threshold=0.5, interactive=False)
    assert row["members"] == int((np.linspace(0, 1, len(idx)) >= 0.5).sum())
    assert "名单" in capsys.readouterr().out
    box = segment_explorer(f, k=3, interactive=True)
    assert box.__class__.__name__ == "VBox"


def test_scaling_and_clusters_do_not_change_when_log1p_is_one_ulp_off(monkeypatch):
    """Another CPU's log1p kernel may differ in the last bit; the rounding rule keeps the scaled features (and so
    the clusters) identical (docs/CONVENTIONS.md, determinism on every CPU)."""
    f = _blobs()
    cols = ["recency", "frequency", "monetary_mean", "tenure"]
    a = scaled(f, cols)
    labels = MemberSegments(3, features=cols, seed=2).fit(f).labels_
    real = np.log1p
    values = f["frequency"].to_numpy(float)
    assert not np.array_equal(real(values), np.nextafter(real(values), np.inf))  # the perturbation is real
    monkeypatch.setattr(np, "log1p", lambda x: np.nextafter(real(x), np.inf))
    pd.testing.assert_frame_equal(scaled(f, cols), a)
    pd.testing.assert_series_equal(MemberSegments(3, features=cols, seed=2).fit(f).labels_, labels)
