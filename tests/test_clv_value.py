"""Unit tests of helpers.clv's value, scores and validation parts, worked by hand on tiny inputs: historical CLV,
discount factors, CLV without Gamma-Gamma, monthly margin by step, week vs day units, member_scores, naive forecast
and error figures, holdout comparison and tracking, simulation details, dropout quantiles, AUC.

(The CDNOW reproduction and the likelihood / optimiser tests are in tests/test_clv.py.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import clv
from helpers.clv import BGNBD, GammaGamma, discounted_clv, historical_clv, holdout_comparison


def test_historical_clv_by_hand():
    s = pd.DataFrame({"monetary_total": [100.0, 0.0, 250.5]}, index=pd.Index(["m2", "m1", "m3"], name="member_id"))
    h = historical_clv(s, 0.3)
    assert h.name == "historical_clv" and list(h.index) == ["m2", "m1", "m3"]
    np.testing.assert_allclose(h.to_numpy(), [30.0, 0.0, 75.15])
    np.testing.assert_allclose(historical_clv(s).to_numpy(), [100.0, 0.0, 250.5])  # default margin 1


def test_discount_factors_by_hand():
    f = clv.discount_factors(12, 0.12)
    np.testing.assert_allclose(f, [1.12 ** (-k / 12) for k in range(1, 13)], rtol=1e-12)
    assert f[-1] == pytest.approx(1 / 1.12)
    d = clv.discount_factors(3, 0.10, step="day")
    np.testing.assert_allclose(d, [1.1 ** (-k / 365.25) for k in (1, 2, 3)], rtol=1e-12)
    np.testing.assert_array_equal(clv.discount_factors(4, 0.0), np.ones(4))
    assert clv.discount_factors(0, 0.1).shape == (0,)
    with pytest.raises(ValueError):
        clv.discount_factors(3, 0.1, step="week")


def _fixed_model(params=(0.5, 6.0, 0.8, 3.0), unit="day"):
    m = BGNBD(time_unit=unit)
    m.log_params_ = np.log(params)
    return m


def test_credibility_weight_by_hand():
    g = GammaGamma()
    g.log_params_ = np.log([2.0, 3.0, 10.0])  # p=2, q=3, γ=10: population mean p·γ/(q−1) = 10
    # x=1: weight 2/(2+2) = 0.5; x=4: 8/10 = 0.8; x=0: 0
    np.testing.assert_allclose(g.credibility_weight([0, 1, 4]), [0.0, 0.5, 0.8])
    # the conditional expectation is the weighted mix: x=1, m=30 -> 0.5·30 + 0.5·10 = 20; x=4, m=5 -> 0.8·5+0.2·10 = 6
    np.testing.assert_allclose(g.conditional_expected_spend([1, 4], [30.0, 5.0]), [20.0, 6.0])


def test_simulate_bgnbd_return_times_is_consistent():
    T = np.full(300, 40.0)
    x0, t0, a0 = clv.simulate_bgnbd(T, 1.0, 5.0, 1.0, 4.0, np.random.default_rng(3))
    x, t_x, alive, det = clv.simulate_bgnbd(T, 1.0, 5.0, 1.0, 4.0, np.random.default_rng(3), return_times=True)
    np.testing.assert_array_equal(x, x0)  # same random draws
    np.testing.assert_array_equal(t_x, t0)
    np.testing.assert_array_equal(alive, a0)
    assert len(det) == 300 and set(det.columns) == {"lam", "p", "purchase_times", "dropout_time"}
    for i in range(300):
        times = det["purchase_times"].iloc[i]
        assert len(times) == x[i] + 1 and times[0] == 0.0 and times[-1] == t_x[i]
        assert np.all(np.diff(times) > 0) and times[-1] < 40
    assert det["dropout_time"].isna().to_numpy().tolist() == alive.tolist()
    np.testing.assert_array_equal(det.loc[~alive, "dropout_time"], t_x[~alive])
    assert (x[~alive] > 0).all()  # dropout only after a repeat purchase


def test_dropout_purchases_quantile():
    # a = b = 1 (p uniform): P(N > n) = B(1, 1+n) / B(1, 1) = 1 / (1 + n)
    assert clv.dropout_purchases_quantile(1.0, 1.0, 0.5) == 1
    assert clv.dropout_purchases_quantile(1.0, 1.0, 0.9) == 9
    # against a simulation of the story: p ~ Beta, N ~ Geometric(p) on {1, 2, ...}
    rng = np.random.default_rng(0)
    a, b = 0.8, 11.4
    n = rng.geometric(rng.beta(a, b, 400_000))
    for q in (0.25, 0.5, 0.75):
        sim = int(np.quantile(n, q, method="inverted_cdf"))
        assert abs(clv.dropout_purchases_quantile(a, b, q) - sim) <= 1
    with pytest.raises(ValueError):
        clv.dropout_purchases_quantile(1, 1, 1.0)
    # P(N > n) ≈ Γ(a+b)/Γ(b) · n^(-a): with a = 0.05 the 99 % quantile is astronomically large -> a clear error
    with pytest.raises(ValueError, match="exceeds"):
        clv.dropout_purchases_quantile(0.05, 0.5, 0.99)
    with pytest.raises(ValueError, match="positive"):
        clv.dropout_purchases_quantile(0.0, 1.0, 0.5)
    # large but inside the limit: a = b = 1 gives P(N > n) = 1/(1+n), so q = 1 - 1e-8 has quantile 1e8 - 1
    # (up to the rounding of q and betaln at this size)
    assert abs(clv.dropout_purchases_quantile(1.0, 1.0, 1 - 1e-8) - (10**8 - 1)) <= 100


def test_auc_counts_ties_one_half_like_all_pairs():
    rng = np.random.default_rng(2)
    y = rng.random(200) < 0.3
    s = rng.integers(0, 5, 200).astype(float)  # many ties
    pos, neg = s[y], s[~y]
    brute = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
    assert clv.auc(y, s) == pytest.approx(brute, rel=1e-12)
    assert clv.auc([True, False], [1.0, 0.0]) == 1.0
    assert clv.auc([True, False], [0.0, 1.0]) == 0.0
    assert math.isnan(clv.auc([True, True], [0.0, 1.0]))
    with pytest.raises(ValueError, match="NaN"):
        clv.auc([True, False, True], [0.9, np.nan, 0.1])
    with pytest.raises(ValueError, match="length"):
        clv.auc([True, False], [0.9, 0.5, 0.1])


def _tiny_summary():
    return pd.DataFrame({"x": [0, 2, 5], "t_x": [0.0, 20.0, 80.0], "T": [30.0, 60.0, 90.0],
                         "purchase_days": [1, 3, 6], "monetary_total": [90.0, 300.0, 240.0],
                         "monetary_mean": [45.0, 50.0, 20.0],  # per order (two orders on some days)
                         "monetary_repeat_mean": [np.nan, 105.0, 40.0]},
                        index=pd.Index(["A", "B", "C"], name="member_id"))


def test_clv_without_gamma_gamma_uses_spend_per_purchase_day():
    s = _tiny_summary()
    np.testing.assert_allclose(clv.spend_per_purchase_day(s), [90.0, 100.0, 40.0])
    m = _fixed_model()
    e = m.expected_purchases(100, s["x"], s["t_x"], s["T"])
    got = discounted_clv(m, None, s, horizon_days=100, margin=0.5, annual_discount_rate=0.0)
    np.testing.assert_allclose(got, 0.5 * np.array([90.0, 100.0, 40.0]) * e, rtol=5e-10)  # CLV: 32 significant bits
    t = clv.clv_table(m, None, s, horizon_days=100, margin=0.5, annual_discount_rate=0.0)
    np.testing.assert_allclose(t["expected_spend"], [90.0, 100.0, 40.0])


def _week_model(day_params=(0.5, 6.0, 0.8, 3.0)):
    """The same BG/NBD model as ``_fixed_model(day_params)``, written in weeks: r, a, b unchanged, α / 7."""
    r, alpha, a, b = day_params
    return _fixed_model((r, alpha / 7, a, b), unit="week")


def _in_weeks(summary):
    return summary.assign(t_x=summary["t_x"] / 7, T=summary["T"] / 7)


def test_monthly_expected_margin_by_step():
    s = _tiny_summary()
    m = _fixed_model()
    g = GammaGamma()
    g.log_params_ = np.log([2.0, 3.0, 10.0])
    mm = clv.monthly_expected_margin(m, g, s, horizon_days=100, margin=0.3)
    assert mm.shape == (4, 3) and list(mm.columns) == ["A", "B", "C"]  # 100 days = 3 full months + a partial one
    np.testing.assert_allclose(mm.index, [365.25 / 12, 365.25 / 6, 365.25 / 4, 100.0])
    # step k = margin × spend × (E[purchases by the end of step k] − E[… by the end of step k−1]), member by member,
    # with the spend from the Gamma-Gamma formula by hand (p=2, q=3, γ=10: (γ + x·m)·p / (p·x + q − 1); x=0 -> 10)
    spend = {"A": 10.0, "B": (10 + 2 * 105.0) * 2 / (2 * 2 + 2), "C": (10 + 5 * 40.0) * 2 / (2 * 5 + 2)}
    ends = [0.0, 365.25 / 12, 365.25 / 6, 365.25 / 4, 100.0]
    for member, row in s.iterrows():
        cum = [0.0 if e == 0 else float(m.expected_purchases(e, row["x"], row["t_x"], row["T"])) for e in ends]
        want = 0.3 * spend[member] * np.diff(cum)
        np.testing.assert_allclose(mm[member].to_numpy(), want, rtol=1e-12)
        assert (np.diff(cum) > 0).all()  # every month adds something: a wrong step would change the figures
    # undiscounted total = margin × spend × E[purchases over the horizon]
    total = discounted_clv(m, g, s, horizon_days=100, margin=0.3, annual_discount_rate=0.0)
    np.testing.assert_allclose(total, [0.3 * spend[k] * float(m.expected_purchases(100, *s.loc[k, ["x", "t_x", "T"]]))
                                       for k in s.index], rtol=5e-10)  # CLV: 32 significant bits
    # discounting month k by (1.12)^(k/12) by hand
    d = (1.12 ** (-np.arange(1, 5) / 12)) @ mm.to_numpy()
    np.testing.assert_allclose(discounted_clv(m, g, s, horizon_days=100, margin=0.3, annual_discount_rate=0.12), d,
                               rtol=5e-10)


def test_week_unit_model_gives_the_same_money_and_tracking():
    """Horizons are in days; a model in weeks (α / 7, t_x / 7, T / 7) must give the same figures as in days."""
    s = _tiny_summary()
    m_day, m_week, s_week = _fixed_model(), _week_model(), _in_weeks(_tiny_summary())
    np.testing.assert_allclose(m_week.expected_purchases(100 / 7, s_week["x"], s_week["t_x"], s_week["T"]),
                               m_day.expected_purchases(100, s["x"], s["t_x"], s["T"]), rtol=1e-10)
    g = GammaGamma()
    g.log_params_ = np.log([2.0, 3.0, 10.0])
    np.testing.assert_allclose(clv.monthly_expected_margin(m_week, g, s_week, horizon_days=100, margin=0.3),
                               clv.monthly_expected_margin(m_day, g, s, horizon_days=100, margin=0.3), rtol=1e-10)
    pd.testing.assert_frame_equal(clv.clv_table(m_week, g, s_week, horizon_days=100),
                                  clv.clv_table(m_day, g, s, horizon_days=100), rtol=1e-9)
    orders, s2 = _tracking_orders()
    _, steps_day = clv.holdout_tracking(_fixed_model(), s2, orders, "2025-01-01", "2025-01-16", step_days=7)
    _, steps_week = clv.holdout_tracking(_week_model(), _in_weeks(s2), orders, "2025-01-01", "2025-01-16",
                                         step_days=7)
    pd.testing.assert_frame_equal(steps_week, steps_day, rtol=1e-10)
    # and the week model really differs from a day model fed the week figures (so the test can fail)
    assert not np.allclose(_fixed_model().expected_purchases(100 / 7, s_week["x"], s_week["t_x"], s_week["T"]),
                           m_day.expected_purchases(100, s["x"], s["t_x"], s["T"]))


def test_member_scores_blank_p_alive_for_one_time_buyers():
    s = _tiny_summary()
    m = _fixed_model()
    t = clv.clv_table(m, None, s, horizon_days=100)
    assert t.loc["A", "p_alive"] == 1.0  # the model value
    sc = clv.member_scores(t, s)
    assert list(sc.columns) == ["p_alive", "expected_purchases", "expected_spend", "clv"]
    assert math.isnan(sc.loc["A", "p_alive"])
    np.testing.assert_allclose(sc.loc[["B", "C"], "p_alive"], t.loc[["B", "C"], "p_alive"])
    pd.testing.assert_frame_equal(sc.drop(columns="p_alive"), t[["expected_purchases", "expected_spend", "clv"]])
    desc = clv.member_score_descriptions(180, as_of=pd.Timestamp("2025-12-31 00:00"), margin=0.3,
                                         annual_discount_rate=0.1)
    assert set(desc) == set(sc.columns)
    assert "截至 2025-12-31 的存活概率" in desc["p_alive"]
    for col in ("expected_purchases", "clv"):
        assert "2025-12-31 之后 180 天" in desc[col]
    assert "元" in desc["clv"] and "30%" in desc["clv"] and "10%" in desc["clv"]
    # p_alive is blank for one-day buyers and for members without a paid order (the runner joins every member)
    assert "留空：只买过一天（x = 0），或截止日前没有已支付订单的会员" in desc["p_alive"]
    assert "元/购买日" in desc["expected_spend"] and "客单价" not in desc["expected_spend"]
    assert "pγ/(q − 1)" in desc["expected_spend"]  # x = 0: the population mean
    other = clv.member_score_descriptions(90, as_of="2024-06-30", margin=0.25, annual_discount_rate=0.05,
                                          gamma_gamma_fitted=False)
    assert "2024-06-30 之后 90 天" in other["expected_purchases"] and "截至 2024-06-30" in other["p_alive"]
    assert "25%" in other["clv"] and "2025" not in "".join(other.values())
    assert "条件期望" not in other["expected_spend"] and "元/购买日" in other["expected_spend"]


def test_naive_forecast_and_errors_by_hand():
    s = pd.DataFrame({"x": [0, 3, 4], "T": [0.0, 30.0, 10.0]})
    np.testing.assert_allclose(clv.naive_forecast(s, 10.0), [0.0, 1.0, 4.0])
    np.testing.assert_allclose(clv.naive_forecast(s, [5.0, 20.0, 5.0]), [0.0, 2.0, 2.0])
    e = clv.forecast_errors([0.0, 1.0, 4.0], [1.0, 1.0, 2.0])
    assert e["mae"] == pytest.approx(1.0) and e["rmse"] == pytest.approx(math.sqrt(5 / 3))
    assert e["total_actual"] == 4 and e["total_predicted"] == 5 and e["aggregate_pct_error"] == pytest.approx(25.0)


def test_holdout_comparison_bias_has_a_sign():
    m = _fixed_model()
    s = _tiny_summary().assign(x_holdout=[0, 0, 9], duration_holdout=[50.0, 50.0, 50.0])
    table, err = holdout_comparison(m, s, max_bucket=3)
    pred = m.expected_purchases(50, s["x"], s["t_x"], s["T"])
    assert table.loc["0", "bias"] == pytest.approx(pred[0])  # actual 0: over-predicted, positive
    assert table.loc["≥3", "bias"] == pytest.approx(pred[2] - 9) and table.loc["≥3", "bias"] < 0
    assert math.isnan(table.loc["1", "bias"])  # empty bucket
    assert err["bucket_mae"] == pytest.approx(np.mean(np.abs([pred[0], pred[1], pred[2] - 9])))


def _tracking_orders():
    orders = pd.DataFrame({
        "member_id": ["A", "A", "A", "B", "B", "B", "Z"],
        "order_ts": pd.to_datetime(["2025-01-02 09:00", "2025-01-02 18:00", "2025-01-09 10:00", "2025-01-03 10:00",
                                    "2025-01-12 10:00", "2025-01-13 10:00", "2025-01-04 10:00"]),
        "net_amount": 10.0,
        "status": ["paid", "paid", "paid", "paid", "refunded", "paid", "paid"],
    })
    s = pd.DataFrame({"x": [1, 0], "t_x": [5.0, 0.0], "T": [10.0, 3.0]}, index=pd.Index(["A", "B"]))
    return orders, s


def test_holdout_tracking_counts_paid_purchase_days():
    orders, s = _tracking_orders()
    m = _fixed_model()
    daily, steps = clv.holdout_tracking(m, s, orders, "2025-01-01", "2025-01-16", step_days=7)
    # A: Jan 2 (two orders = one day) and Jan 9; B: Jan 3 and Jan 13 (Jan 12 refunded); Z is not a cal member
    assert len(daily) == 15 and daily.iloc[-1] == 4
    assert daily.loc["2025-01-02"] == 1 and daily.loc["2025-01-03"] == 2 and daily.loc["2025-01-09"] == 3
    assert list(steps.index) == list(pd.to_datetime(["2025-01-08", "2025-01-15"]))  # the 1-day tail is dropped
    np.testing.assert_allclose(steps["actual"], [2, 2])  # Jan 2-8: A, B; Jan 9-15: A, B
    tot = m.expected_purchases(14, s["x"], s["t_x"], s["T"]).sum()
    assert steps["predicted"].sum() == pytest.approx(tot) and steps["predicted_cum"].iloc[-1] == pytest.approx(tot)
    assert steps["predicted"].iloc[0] == pytest.approx(m.expected_purchases(7, s["x"], s["t_x"], s["T"]).sum())
