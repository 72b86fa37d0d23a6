"""helpers.behavior: the member summary (hand-checked cases and a pandas reference), bands, mixes, cohorts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.behavior import (
    FREQUENCY_BAND_LABELS,
    activity_indicators,
    band_profile,
    category_mix,
    channel_mix,
    cohort_retention,
    concentration_curve,
    frequency_band,
    hour_weekday_matrix,
    member_score_descriptions,
    member_scores,
    member_summary,
    mix,
    monthly_activity,
    payment_mix,
    refund_impact,
    spend_band,
    top_share,
)


def _orders(rows):
    df = pd.DataFrame(rows, columns=["order_id", "member_id", "order_ts", "net_amount", "status", "channel"])
    df["order_ts"] = pd.to_datetime(df["order_ts"])
    df["member_id"] = df["member_id"].astype("string")
    df["status"] = pd.Categorical(df["status"], categories=["paid", "refunded"])
    return df


@pytest.fixture
def tiny():
    return _orders([
        ("O1", "A", "2025-01-01 10:00:00", 100.0, "paid", "门店"),
        ("O2", "A", "2025-01-01 15:00:00", 50.0, "paid", "小程序"),   # same day: one purchase day
        ("O3", "A", "2025-01-10 09:30:00", 30.0, "paid", "门店"),
        ("O4", "A", "2025-02-01 12:00:00", 999.0, "refunded", "门店"),  # refunded: not a purchase
        ("O5", "B", "2025-03-01 20:00:00", 20.0, "paid", "线上商城"),
        ("O6", "C", "2025-02-15 11:00:00", 60.0, "refunded", "门店"),   # only a refund: no row
        ("O7", "D", "2025-04-02 11:00:00", 80.0, "paid", "门店"),       # after as_of: no row
    ])


def test_member_summary_hand_checked(tiny):
    s = member_summary(tiny, "2025-03-31")
    assert list(s.index) == ["A", "B"]
    a, b = s.loc["A"], s.loc["B"]
    assert (a.frequency, a.purchase_days, a.x) == (3, 2, 1)
    assert (a.t_x, a["T"], a.recency, a.tenure) == (9.0, 89.0, 80, 89)
    assert a.monetary_total == 180.0 and a.monetary_mean == 60.0
    assert a.monetary_repeat_mean == 30.0  # the repeat day (Jan 10) only
    assert a.first_purchase == pd.Timestamp("2025-01-01") and a.last_purchase == pd.Timestamp("2025-01-10")
    assert a.refunded_orders == 1 and a.n_channels == 2
    assert (b.x, b.t_x, b["T"], b.recency) == (0, 0.0, 30.0, 30)
    assert np.isnan(b.monetary_repeat_mean)
    assert s.attrs["time_unit"] == "day" and s.attrs["as_of"] == "2025-03-31"


def test_member_summary_refunds_weeks_and_orders(tiny):
    inc = member_summary(tiny, "2025-03-31", include_refunds=True)
    assert list(inc.index) == ["A", "B", "C"]
    assert (inc.loc["A", "frequency"], inc.loc["A", "x"], inc.loc["A", "t_x"]) == (4, 2, 31.0)
    w = member_summary(tiny, "2025-03-31", time_unit="W")
    assert w.attrs["time_unit"] == "week"
    assert w.loc["A", "T"] == pytest.approx(89 / 7) and w.loc["A", "recency"] == 80  # recency stays in days
    o = member_summary(tiny, "2025-03-31", repeat_unit="order")
    assert o.loc["A", "x"] == 2  # three orders
    assert o.loc["A", "t_x"] == pytest.approx(9 - 0.5 / 24)  # 2025-01-01 10:00 → 2025-01-10 09:30
    assert o.loc["A", "T"] == pytest.approx(90 - 10 / 24)  # to the end of the as-of day
    assert o.loc["A", "monetary_repeat_mean"] == 40.0  # (50 + 30) / 2


def test_member_summary_calibration_holdout(tiny):
    s = member_summary(tiny, "2025-03-31", calibration_end="2025-01-05")
    assert list(s.index) == ["A"]  # B first bought after the calibration period
    a = s.loc["A"]
    assert (a.x, a["T"], a.frequency) == (0, 4.0, 2)
    assert (a.x_holdout, a.orders_holdout, a.spend_holdout) == (1, 1, 30.0)  # the refund is not a purchase
    assert a.duration_holdout == 85.0
    with pytest.raises(ValueError, match="before as_of"):
        member_summary(tiny, "2025-03-31", calibration_end="2025-04-30")


def test_member_summary_empty_holdout_spend_is_float(tiny):
    """No order after calibration_end: spend_holdout is 0.0 yuan (float), not the int64 zeros np.bincount gives."""
    early = tiny[tiny["order_ts"] < pd.Timestamp("2025-01-06")]
    s = member_summary(early, "2025-03-31", calibration_end="2025-01-05")
    assert s["spend_holdout"].dtype == np.float64 and (s["spend_holdout"] == 0.0).all()
    assert (s["orders_holdout"] == 0).all()


def test_member_summary_errors(tiny):
    with pytest.raises(KeyError, match="net_amount"):
        member_summary(tiny.drop(columns="net_amount"), "2025-03-31")
    with pytest.raises(ValueError, match="time_unit"):
        member_summary(tiny, "2025-03-31", time_unit="M")


def test_member_summary_matches_pandas_reference():
    rng = np.random.default_rng(7)
    n = 20_000
    df = pd.DataFrame({
        "member_id": pd.array([f"M{i:04d}" for i in rng.integers(0, 1500, n)], dtype="string"),
        "order_ts": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 800 * 86400, n), unit="s"),
        "net_amount": rng.gamma(2, 40, n).round(2),
        "status": pd.Categorical(np.where(rng.random(n) < 0.05, "refunded", "paid")),
        "channel": pd.Categorical(rng.choice(["门店", "线上商城", "小程序"], n)),
    })
    as_of = pd.Timestamp("2025-12-31")
    s = member_summary(df, as_of)
    # the obvious (slow) pandas computation
    p = df[(df.status == "paid") & (df.order_ts < as_of + pd.Timedelta(days=1))].copy()
    p["day"] = p.order_ts.dt.normalize()
    daily = p.groupby(["member_id", "day"]).net_amount.sum().reset_index()
    g = daily.groupby("member_id")
    first, last = g.day.min(), g.day.max()
    ref = pd.DataFrame({
        "frequency": p.groupby("member_id").size(),
        "purchase_days": g.size(),
        "monetary_total": g.net_amount.sum(),
        "recency": (as_of - last).dt.days,
        "t_x": (last - first).dt.days.astype(float),
        "T": (as_of - first).dt.days.astype(float),
        "n_channels": p.groupby("member_id").channel.nunique(),
    })
    ref["x"] = ref.purchase_days - 1
    first_day = daily.merge(first.rename("f"), left_on="member_id", right_index=True)
    rep = first_day[first_day.day > first_day.f].groupby("member_id").net_amount.mean()
    ref["monetary_repeat_mean"] = rep.reindex(ref.index)
    ref.index = ref.index.astype("string")
    got = s[ref.columns].copy()
    pd.testing.assert_frame_equal(got, ref.loc[got.index], check_dtype=False, check_names=False, atol=1e-9)
    assert len(got) == len(ref)


def _id_cases():
    rng = np.random.default_rng(3)
    digits = [f"M{i:08d}" for i in rng.integers(0, 5000, 3000)]
    return {
        "one prefix, 9 bytes": digits,
        "several prefixes": [f"{p}{i:05d}" for p, i in zip(rng.choice(list("ABCZ"), 3000), rng.integers(0, 99, 3000),
                                                             strict=True)],
        "phone numbers (11)": [f"1{i:010d}" for i in rng.integers(3_000_000_000, 9_999_999_999, 3000)],
        "8 bytes": [f"{i:08d}" for i in rng.integers(0, 10**8, 3000)],
        "16 digits": [f"{i:016d}" for i in rng.integers(0, 10**16, 3000)],
        "hex 16 (string path: bases too large)": [f"{i:016x}" for i in rng.integers(0, 2**62, 3000)],
        "1 byte": list(rng.choice(list("qwerty"), 3000)),
        "Chinese (6 bytes each)": list(rng.choice(["会员甲", "会员乙", "会员丙", "贵宾一"], 3000)),
        "17 bytes": [f"M{i:016d}" for i in rng.integers(0, 50, 3000)],
        "mixed widths (string path)": [f"M{i}" for i in rng.integers(0, 2000, 3000)],
    }


@pytest.mark.parametrize("case", list(_id_cases()))
@pytest.mark.parametrize("arrow_type", ["string", "large_string"])
def test_member_id_factorisation_equals_pandas_sorted_factorize(case, arrow_type):
    import pyarrow as pa

    from helpers.behavior._ids import _factorize, _factorize_fixed_width

    values = _id_cases()[case]
    # several chunks, one starting at an offset, as read_parquet and slicing produce
    arr = pa.array(values, getattr(pa, arrow_type)())
    chunked = pa.chunked_array([arr.slice(0, 1000), arr.slice(1000, 1), arr.slice(1001)])
    ids = pd.Series(pd.arrays.ArrowStringArray(chunked) if arrow_type == "string" else
                    pd.array(chunked, dtype=pd.ArrowDtype(pa.large_string())))
    fast = _factorize_fixed_width(ids)
    assert (fast is None) == ("string path" in case), "the packed-integer path must take exactly the fixed-width ids"
    codes, uniques = _factorize(ids)
    ref_codes, ref_uniques = pd.factorize(pd.Series(values, dtype=object), sort=True)
    np.testing.assert_array_equal(codes, ref_codes)
    assert list(uniques) == list(ref_uniques)


def test_member_summary_categorical_ids_and_categories():
    orders = _orders([
        ("O1", "B", "2025-01-01 10:00", 10.0, "paid", "门店"),
        ("O2", "A", "2025-01-02 10:00", 20.0, "paid", "门店"),
        ("O3", "A", "2025-01-03 10:00", 30.0, "paid", "门店"),
    ])
    orders["member_id"] = orders["member_id"].astype("category").cat.add_categories(["Z"])
    items = pd.DataFrame({"order_id": ["O1", "O2", "O2", "O3"], "line_no": [1, 1, 2, 1],
                          "product_id": ["P1", "P1", "P2", "P3"], "quantity": [1, 1, 2, 1],
                          "unit_price": [10.0, 10.0, 5.0, 30.0], "line_amount": [10.0, 10.0, 10.0, 30.0]})
    products = pd.DataFrame({"product_id": ["P1", "P2", "P3"], "category": ["生鲜食品", "日用百货", "生鲜食品"]})
    s = member_summary(orders, "2025-01-31", order_items=items, products=products)
    assert list(s.index) == ["A", "B"]  # sorted, unused category Z dropped
    assert s.loc["A", "n_categories"] == 2 and s.loc["B", "n_categories"] == 1
    mixall = category_mix(orders, items, products)
    assert mixall.loc["生鲜食品", "spend"] == 50.0 and mixall["spend_share"].sum() == pytest.approx(1)
    per = category_mix(orders, items, products, per_member=True)
    np.testing.assert_allclose(per.sum(axis=1), 1.0)
    assert per.loc["A", "日用百货"] == pytest.approx(10 / 50)


def test_frequency_band_follows_the_seed_definition():
    s = pd.DataFrame({
        "first_purchase": pd.to_datetime(["2025-01-01"] * 6),
        "last_purchase": pd.to_datetime(["2025-01-01", "2025-01-29", "2025-03-01", "2025-07-01", "2025-12-01",
                                         "2025-01-08"]),
        "x": [0, 4, 2, 2, 1, 1],
        "purchase_days": [1, 5, 3, 3, 2, 2],
        "tenure": [364] * 6,
        "recency": [364, 336, 305, 183, 30, 357],  # as-of 2025-12-31
    })
    # mean intervals: –, 7, 29.5, 90.5, 334, 7 days
    habit = frequency_band(s, lapse_factor=None)
    assert list(habit) == ["仅购买一次", "每周购买", "每月购买", "每季度购买", "偶尔购买", "每周购买"]
    assert list(habit.cat.categories) == list(FREQUENCY_BAND_LABELS)
    # silent for more than 3 × the own interval: 336 > 21, 305 > 88.5, 357 > 21 lapse; 183 ≤ 271.5 and 30 ≤ 1002 do not
    band = frequency_band(s)
    assert list(band) == ["仅购买一次", "久未购买", "久未购买", "每季度购买", "偶尔购买", "久未购买"]
    assert list(band.cat.categories) == ["每周购买", "每月购买", "每季度购买", "偶尔购买", "久未购买", "仅购买一次"]
    rate = frequency_band(s, basis="rate")
    assert rate.iloc[5] == "偶尔购买"  # 2 purchase days in a year is not a weekly buyer
    assert rate.iloc[1] == "每季度购买"  # 364 / 5 = 72.8 days


def test_spend_band_quantiles_and_edges():
    v = pd.Series(np.arange(1, 101, dtype=float))
    b = spend_band(v)
    assert b.value_counts().to_dict() == {"低价值": 50, "中价值": 30, "高价值": 20}
    e = spend_band(pd.Series([999.0, 1000.0, 2999.0, 3000.0, 5000.0]), edges=[1000, 3000, 5000],
                   labels=["普通", "银卡", "金卡", "钻石"])
    assert list(e) == ["普通", "银卡", "银卡", "金卡", "钻石"]  # a value on an edge moves up
    with pytest.raises(ValueError, match="labels"):
        spend_band(v, edges=[10, 20], labels=["a", "b"])


def test_hour_weekday_mix_and_activity(tiny):
    m = hour_weekday_matrix(tiny)
    assert m.shape == (24, 7) and list(m.columns) == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    assert m.to_numpy().sum() == 5  # five paid orders
    assert m.loc[10, "周三"] == 1  # 2025-01-01 was a Wednesday
    assert hour_weekday_matrix(tiny, value="share").to_numpy().sum() == pytest.approx(1)
    assert hour_weekday_matrix(tiny, value="net_amount").to_numpy().sum() == pytest.approx(280)
    ch = channel_mix(tiny)
    assert ch.loc["门店", "orders"] == 3 and ch["order_share"].sum() == pytest.approx(1)
    assert mix(tiny, "channel", as_of="2025-03-31")["orders"].sum() == 4
    with pytest.raises(KeyError):
        payment_mix(tiny)
    s = member_summary(tiny, "2025-03-31")
    act = activity_indicators(s)
    assert bool(act.loc["B", "active_30d"]) and not bool(act.loc["A", "active_30d"])
    assert list(act["activity_status"]) == ["活跃", "活跃"]
    assert activity_indicators(s, active_days=60)["activity_status"].tolist() == ["沉睡", "活跃"]


def test_cohort_retention_and_monthly_activity():
    orders = _orders([
        ("1", "A", "2025-01-05", 1.0, "paid", "门店"), ("2", "A", "2025-02-05", 1.0, "paid", "门店"),
        ("3", "B", "2025-01-20", 1.0, "paid", "门店"), ("4", "B", "2025-03-01", 1.0, "paid", "门店"),
        ("5", "C", "2025-02-10", 1.0, "paid", "门店"), ("6", "C", "2025-02-11", 1.0, "paid", "门店"),
        ("7", "C", "2025-03-10", 1.0, "refunded", "门店"),
    ])
    c = cohort_retention(orders, as_of="2025-03-31")
    # nobody's first purchase is in March (C's March order was refunded): no March cohort row
    assert c.sizes.to_dict() == {pd.Period("2025-01", "M"): 2, pd.Period("2025-02", "M"): 1}
    r = c.retention
    assert r.loc[pd.Period("2025-01", "M"), 0] == 1.0
    assert r.loc[pd.Period("2025-01", "M"), 1] == 0.5 and r.loc[pd.Period("2025-01", "M"), 2] == 0.5
    assert r.loc[pd.Period("2025-02", "M"), 1] == 0.0  # C's March order was refunded
    assert np.isnan(r.loc[pd.Period("2025-02", "M"), 2])  # not observable yet
    # month 1: A back (Jan cohort, 1 of 2), C not back (Feb cohort, 0 of 1) -> 1 / 3 weighted by size;
    # month 2: only the Jan cohort is observed -> 1 / 2; month 5 has no column
    assert c.average_retention(1) == 1 / 3 and c.average_retention(2) == 0.5
    assert np.isnan(c.average_retention(5))
    ma = monthly_activity(orders)
    assert ma["active_members"].tolist() == [2, 2, 1] and ma["new_members"].tolist() == [2, 1, 0]


def test_cohort_retention_is_a_purchase_share_not_survival():
    # B skips February and buys in March: not in month 1's retention, yet not gone either
    orders = _orders([
        ("1", "A", "2025-01-05", 1.0, "paid", "门店"), ("2", "A", "2025-02-05", 1.0, "paid", "门店"),
        ("3", "B", "2025-01-20", 1.0, "paid", "门店"), ("4", "B", "2025-03-01", 1.0, "paid", "门店"),
        ("5", "D", "2025-01-25", 1.0, "paid", "门店"),
    ])
    c = cohort_retention(orders, as_of="2025-04-30")
    jan = pd.Period("2025-01", "M")
    assert c.retention.loc[jan, [0, 1, 2, 3]].tolist() == pytest.approx([1.0, 1 / 3, 1 / 3, 0.0])
    # in month k or later: month 1 A and B, month 2 B only, month 3 nobody
    assert c.later.loc[jan, [0, 1, 2, 3]].tolist() == [3.0, 2.0, 1.0, 0.0]
    assert c.average_later(1) == pytest.approx(2 / 3) and c.average_retention(1) == pytest.approx(1 / 3)
    assert (c.later.fillna(0).to_numpy() >= c.active.fillna(0).to_numpy()).all()
    # the table cut at max_months still counts a member whose last purchase lies beyond it
    short = cohort_retention(orders, as_of="2025-04-30", max_months=1)
    assert short.later.loc[jan].tolist() == [3.0, 2.0]


def test_top_members_and_share_one_rule():
    from helpers.behavior import top_members, top_share

    v = pd.Series([5.0, 1.0, 5.0, 3.0, np.nan, 2.0, 0.0, 4.0, 1.0, 1.0, 9.0],
                  index=[f"M{i:02d}" for i in [3, 1, 2, 4, 11, 5, 6, 7, 8, 9, 10]])
    # 10 members with a value: top 20 % = 2 members; top 25 % = ceil(2.5) = 3; the tie at 5.0 goes to M02 before M03
    assert list(top_members(v, 0.2)) == ["M10", "M02"]
    assert list(top_members(v, 0.25)) == ["M10", "M02", "M03"]
    assert list(top_members(v, 0.1)) == ["M10"]
    assert len(top_members(v.iloc[:3], 0.1)) == 1  # never zero members out of some
    assert len(top_members(pd.Series([1.0] * 30), 0.1)) == 3  # 0.1 * 30 is not 4 by floating-point accident
    # a quantile cut would include every member tied at the cut; the rule does not
    ties = pd.Series([1.0] * 10, index=[f"M{i}" for i in range(10)])
    assert len(top_members(ties, 0.2)) == 2 and (ties >= ties.quantile(0.8)).sum() == 10
    assert top_share(v, 0.2) == pytest.approx((9 + 5) / 31)
    assert np.isnan(top_share(pd.Series([0.0, 0.0]), 0.2))
    with pytest.raises(ValueError):
        top_members(v, 0)


def test_paid_orders_removes_refunds_and_later_days(tiny):
    from helpers.behavior import paid_orders

    assert list(paid_orders(tiny)["order_id"]) == ["O1", "O2", "O3", "O5", "O7"]
    assert list(paid_orders(tiny, "2025-01-31")["order_id"]) == ["O1", "O2", "O3"]
    assert len(paid_orders(tiny, include_refunds=True)) == len(tiny)
    assert len(paid_orders(tiny.drop(columns="status"))) == len(tiny)


def test_frequency_band_rate_basis_keeps_single_day_members_as_once():
    s = pd.DataFrame({
        "first_purchase": pd.to_datetime(["2025-12-29", "2025-12-29", "2024-01-01", "2025-12-31"]),
        "last_purchase": pd.to_datetime(["2025-12-29", "2025-12-31", "2024-01-01", "2025-12-31"]),
        "x": [0, 1, 0, 0],
        "purchase_days": [1, 2, 1, 1],
        "tenure": [2, 2, 730, 0],
        "recency": [2, 0, 730, 0],
    })
    rate = frequency_band(s, basis="rate")
    # a first purchase two days ago (tenure 2 / 1 day = "every 2 days") is not a weekly buyer: there is one purchase
    assert list(rate) == ["仅购买一次", "每周购买", "仅购买一次", "仅购买一次"]
    assert list(frequency_band(s)) == ["仅购买一次", "每周购买", "仅购买一次", "仅购买一次"]
    assert list(rate.cat.categories) == list(FREQUENCY_BAND_LABELS)


def test_frequency_band_from_interval_edges_by_hand():
    from helpers.behavior import frequency_band_from_interval

    iv = pd.Series([0.5, 7.0, 7.01, 30.4375, 30.44, 91.3125, 91.32, np.inf, np.nan],
                   index=list("abcdefghi"))
    got = frequency_band_from_interval(iv)
    assert list(got.index) == list("abcdefghi")  # 365.25 / 12 = 30.4375, 365.25 / 4 = 91.3125: edges stay in the band
    assert list(got) == ["每周购买", "每周购买", "每月购买", "每月购买", "每季度购买", "每季度购买", "偶尔购买",
                         "偶尔购买", "仅购买一次"]
    # the same edges as a right-closed pd.cut on random positive intervals
    rng = np.random.default_rng(5)
    r = pd.Series(rng.gamma(1.0, 40.0, 2000) + 1e-3)
    ref = pd.cut(r, [0, 7, 365.25 / 12, 365.25 / 4, np.inf], labels=["每周购买", "每月购买", "每季度购买", "偶尔购买"])
    assert (frequency_band_from_interval(r).astype(str) == ref.astype(str)).all()
    # frequency_band uses it: span / gaps = 30.4375 exactly is still monthly
    s = pd.DataFrame({"first_purchase": pd.to_datetime(["2025-01-01"]), "last_purchase": pd.to_datetime(["2025-12-31"]),
                      "x": [12], "purchase_days": [13], "tenure": [364], "recency": [0]})
    assert frequency_band(s).iloc[0] == "每月购买"  # 364 / 12 = 30.33 days


def test_spend_band_records_its_edges():
    v = pd.Series(np.arange(1, 101, dtype=float))
    b = spend_band(v)
    # linear interpolation by hand: position 0.5 × 99 = 49.5 → 50.5; 0.8 × 99 = 79.2 → 80.2
    assert b.attrs["edges"] == pytest.approx([50.5, 80.2])
    assert (b == "高价值").sum() == 20 and v[b == "中价值"].min() == 51  # 50.5 ≤ 51
    e = spend_band(v, edges=[10, 60])
    assert e.attrs["edges"] == [10.0, 60.0]
    assert e.value_counts().to_dict() == {"低价值": 9, "中价值": 50, "高价值": 41}


def test_band_profile_by_hand():
    from helpers.behavior import band_profile

    s = pd.DataFrame({"frequency": [2, 4, 1, 3], "monetary_mean": [10.0, 30.0, 50.0, 20.0],
                      "monetary_total": [20.0, 120.0, 50.0, 60.0], "recency": [10, 30, 200, 40]},
                     index=pd.Index(["A", "B", "C", "D"], name="member_id"))
    bands = pd.Series(pd.Categorical(["hi", "hi", "lo", "hi"], categories=["lo", "mid", "hi"]), index=s.index,
                      name="band")
    p = band_profile(s, bands)
    assert list(p.index) == ["lo", "mid", "hi"]
    assert list(p.columns) == ["members", "member_share", "mean_orders", "mean_order_value", "mean_spend",
                               "mean_recency_days", "spend_share"]
    assert p["members"].tolist() == [1, 0, 3]
    hi = p.loc["hi"]
    assert hi.member_share == 0.75 and hi.mean_orders == 3.0 and hi.mean_order_value == 20.0
    assert hi.mean_spend == pytest.approx(200 / 3) and hi.mean_recency_days == pytest.approx(80 / 3)
    assert hi.spend_share == pytest.approx(200 / 250) and p.loc["lo", "spend_share"] == pytest.approx(50 / 250)
    assert np.isnan(p.loc["mid", "mean_orders"])


def test_band_agreement_repeat_rate_and_display_names():
    from helpers.behavior import band_agreement, display_zh, repeat_rate

    obs = pd.Series(["每周购买", "每月购买", "仅购买一次", "偶尔购买", "每月购买", "久未购买"], index=list("abcdef"))
    ref = pd.Series(["每周购买", "每周购买", "每周购买", "偶尔购买", None, "每周购买"], index=list("abcdxf"))
    # a, b, d compared; c is single-day and f lapsed (no current habit), e has no reference
    assert band_agreement(obs, ref) == pytest.approx(2 / 3)
    assert band_agreement(obs, ref, exclude=()) == pytest.approx(2 / 5)
    assert repeat_rate(pd.DataFrame({"x": [0, 1, 5, 0]})) == 0.5
    assert np.isnan(repeat_rate(pd.DataFrame({"x": []})))
    m = pd.DataFrame({"orders": [3], "avg_order_value": [1.0]}, index=pd.Index(["门店"], name="channel"))
    d = display_zh(m)
    assert list(d.columns) == ["订单数", "客单价（元）"] and d.index.name == "渠道"
    assert list(m.columns) == ["orders", "avg_order_value"]  # the original (exported) frame keeps English names


def test_hour_profile_and_timing_metrics(tiny):
    from helpers.behavior import hour_profile, timing_metrics

    more = pd.concat([tiny, _orders([
        ("O8", "E", "2025-03-01 10:15", 5.0, "paid", "门店"),   # Saturday 10:00
        ("O9", "E", "2025-03-02 10:45", 5.0, "paid", "门店"),   # Sunday 10:00
        ("O10", "F", "2025-03-03 10:05", 5.0, "paid", "门店"),  # Monday 10:00
    ])], ignore_index=True)
    m = hour_weekday_matrix(more)
    # paid orders: Wed 10, Wed 15, Fri 09, Sat 20 (O5), Wed 11 (O7 2025-04-02), Sat 10, Sun 10, Mon 10
    t = timing_metrics(m)
    assert t["peak_hour"] == 10 and t["weekend_order_share"] == pytest.approx(3 / 8)
    assert timing_metrics(hour_weekday_matrix(more, value="share")) == pytest.approx(t)
    hp = hour_profile(m)
    assert list(hp.columns) == ["工作日", "周末"] and hp.sum().tolist() == pytest.approx([1.0, 1.0])
    assert hp.loc[10, "工作日"] == pytest.approx(2 / 5) and hp.loc[10, "周末"] == pytest.approx(2 / 3)
    assert hp.loc[20, "周末"] == pytest.approx(1 / 3)


def test_band_profile_display_names_cover_every_column():
    # band_profile's docstring sends readers to COLUMNS_ZH / display_zh: every column and the band index name of a
    # frequency- or spend-band profile must get a Chinese name (the names below are the course's wording)
    from helpers.behavior import band_profile, display_zh

    s = pd.DataFrame({"frequency": [2, 4, 1], "monetary_mean": [10.0, 30.0, 50.0],
                      "monetary_total": [20.0, 120.0, 50.0], "recency": [10, 30, 200], "x": [1, 3, 0],
                      "first_purchase": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-03-01"]),
                      "last_purchase": pd.to_datetime(["2025-01-05", "2025-01-22", "2025-03-01"]),
                      "purchase_days": [2, 4, 1]},
                     index=pd.Index(["A", "B", "C"], name="member_id"))
    for bands, index_zh in [(frequency_band(s), "频次层"), (spend_band(s, edges=[30, 100]), "金额层")]:
        d = display_zh(band_profile(s, bands))
        assert d.index.name == index_zh
        assert list(d.columns) == ["会员数", "会员占比", "平均订单数", "平均客单价（元）", "平均消费金额（元）",
                                   "平均最近购买天数", "金额占比"]


def test_repeat_rate_is_nan_without_paid_purchases(tiny):
    # the rule exercise 5 of the notebook states: no member with a paid purchase -> NaN, not 0
    from helpers.behavior import repeat_rate

    only_refunds = tiny[tiny["status"] == "refunded"]
    assert np.isnan(repeat_rate(member_summary(only_refunds, "2025-03-31")))
    # A bought on 2 days (the refund on a third day does not count), B once: 1 of 2 members repeat
    assert repeat_rate(member_summary(tiny, "2025-03-31")) == 0.5


def test_refund_impact_by_hand(tiny):
    # up to 2025-03-31: O1-O5 and O6; O4 (A, 999 元, Feb 1) and O6 (C, 60 元) refunded; D's order is later
    r = refund_impact(tiny, "2025-03-31")
    assert r["paid_orders"] == 4 and r["refunded_orders"] == 2
    assert r["refunded_share"] == pytest.approx(2 / 6)
    assert r["refund_only_members"] == 1  # C
    assert r["later_last_purchase"] == 1  # A: Jan 10 -> Feb 1; B unchanged
    assert r["extra_spend"] == pytest.approx(1059.0)
    # the same numbers from two member summaries (with and without refunds)
    paid, both = member_summary(tiny, "2025-03-31"), member_summary(tiny, "2025-03-31", include_refunds=True)
    assert r["refund_only_members"] == len(both) - len(paid)
    assert r["later_last_purchase"] == int((both.loc[paid.index, "recency"] != paid["recency"]).sum())
    assert r["paid_orders"] == paid["frequency"].sum()
    assert r["extra_spend"] == pytest.approx(both["monetary_total"].sum() - paid["monetary_total"].sum())
    # an earlier as-of leaves A's refund out; without a status column nothing is refunded
    assert refund_impact(tiny, "2025-01-31")["refunded_orders"] == 0
    none = refund_impact(tiny.drop(columns="status"), "2025-03-31")
    assert none["refunded_orders"] == 0 and none["paid_orders"] == 6 and none["refund_only_members"] == 0


def test_concentration_curve_matches_top_share():
    v = pd.Series([5.0, 1.0, 5.0, 3.0, np.nan, 2.0, 4.0], index=list("gfedcba"))
    curve = concentration_curve(v)
    # value descending, ties (e and g: 5) in member-id order; the missing value is left out
    assert list(curve.index) == ["e", "g", "a", "d", "b", "f"]
    assert curve["member_share"].tolist() == pytest.approx([1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1.0])
    assert curve["value_share"].tolist() == pytest.approx([5 / 20, 10 / 20, 14 / 20, 17 / 20, 19 / 20, 1.0])
    rng = np.random.default_rng(7)
    w = pd.Series(rng.integers(1, 20, 103).astype(float), index=[f"M{i:03d}" for i in rng.permutation(103)])
    c = concentration_curve(w)
    for top in (0.05, 0.2, 0.5):
        k = int(np.ceil(top * len(w)))
        assert c["value_share"].iloc[k - 1] == pytest.approx(top_share(w, top))
    assert concentration_curve(pd.Series([], dtype=float)).empty


def test_behavior_member_scores_and_descriptions_follow_the_rules(tiny):
    s = member_summary(tiny, "2025-03-31")
    scores = member_scores(s)
    assert scores.loc["A"].to_dict() == {
        "recency_days": 80, "frequency": 3, "purchase_days": 2, "monetary_total": 180.0, "monetary_mean": 60.0,
        "first_purchase": pd.Timestamp("2025-01-01").date(), "last_purchase": pd.Timestamp("2025-01-10").date(),
        "tenure_days": 89, "frequency_band": "久未购买", "spend_band": "高价值", "activity_status": "活跃"}
    notes = member_score_descriptions("2025-03-31", [1000.0, 5000.0])
    assert set(notes) == set(scores.columns)
    assert "2025-03-31" in notes["recency_days"]
    assert "≤ 7 天为每周购买，≤ 30.4 天为每月购买，≤ 91.3 天为每季度购买" in notes["frequency_band"]
    assert "超过 3 倍的为久未购买" in notes["frequency_band"]
    assert "< 1,000.00 元（50% 分位数）为低价值，< 5,000.00 元（80% 分位数）为中价值" in notes["spend_band"]
    assert "最高约 20%" in notes["spend_band"]
    assert "≤ 90 天为活跃，91–180 天为沉睡，> 180 天为流失" in notes["activity_status"]
    # the text follows the rules it is given
    bands = {"每周购买": 10.0, "每月购买": 40.0, "每季度购买": 100.0, "偶尔购买": np.inf, "仅购买一次": np.nan}
    other = member_score_descriptions("2025-03-31", [1000.0, 5000.0], spend_quantiles=(0.6, 0.9),
                                      active_days=30, lapsed_days=60, bands=bands, lapse_factor=2.5)
    assert "≤ 10 天为每周购买，≤ 40 天为每月购买，≤ 100 天为每季度购买" in other["frequency_band"]
    assert "超过 2.5 倍的为久未购买" in other["frequency_band"]
    assert "（60% 分位数）" in other["spend_band"] and "最高约 10%" in other["spend_band"]
    assert "≤ 30 天为活跃，31–60 天为沉睡，> 60 天为流失" in other["activity_status"]
    assert "久未购买" not in member_score_descriptions("2025-03-31", [1.0, 2.0], lapse_factor=None)["frequency_band"]
    fixed = member_score_descriptions("2025-03-31", [800.0, 2000.0], spend_quantiles=None)
    assert "分位数" not in fixed["spend_band"] and "< 800.00 元为低价值" in fixed["spend_band"]


def test_band_profile_gives_the_spend_band_shares_by_hand(tiny):
    s = member_summary(tiny, "2025-03-31")  # A 180 元, B 20 元
    prof = band_profile(s, spend_band(s, edges=[100.0, 1000.0]))
    assert prof["members"].tolist() == [1, 1, 0]
    assert prof["member_share"].tolist() == [0.5, 0.5, 0.0]
    assert prof["spend_share"].tolist() == pytest.approx([0.1, 0.9, 0.0])

