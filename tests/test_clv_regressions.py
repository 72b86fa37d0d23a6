"""Regression tests for bugs a code review found in helpers.clv, and for the helpers module 04 uses on degenerate
data (nobody bought twice, a single member, a single day, every amount equal) and for its decisions."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from helpers import clv
from helpers.clv._mle import _unique_rows


def _fixed_model(r=0.5, alpha=6.0, a=0.8, b=2.5, unit="week"):
    m = clv.BGNBD(time_unit=unit)
    m.log_params_ = np.log([r, alpha, a, b])
    return m


def test_expected_purchases_is_nan_where_an_input_is_missing():
    # the row with t_x = NaN used to share a group code with another row (here rows 1 and 2), so one of them got
    # the other's number
    m = _fixed_model()
    x = np.array([2.0, 5.0, 2.0, 2.0])
    t_x = np.array([10.0, np.nan, 20.0, 10.0])
    T = np.array([30.0, 30.0, 30.0, 30.0])
    pa = m.p_alive(x, t_x, T)
    e = m.expected_purchases(12.0, x, t_x, T)
    assert math.isnan(pa[1]) and math.isnan(e[1])
    assert np.isfinite(e[[0, 2, 3]]).all()
    assert e[0] == e[3] and e[0] != e[2]
    alone = [m.expected_purchases(12.0, x[i:i + 1], t_x[i:i + 1], T[i:i + 1])[0] for i in (0, 2)]
    np.testing.assert_allclose(e[[0, 2]], alone, rtol=1e-12)


def test_unique_rows_first_appearance_and_inverse_with_missing_values():
    rng = np.random.default_rng(5)
    a = rng.integers(0, 4, 5000).astype(float)
    b = rng.integers(0, 3, 5000).astype(float)
    b[rng.random(5000) < 0.1] = np.nan
    (ua, ub), inv = _unique_rows(a, b)
    # every row maps back to itself (NaN only to NaN), and each distinct row is taken from its first appearance
    np.testing.assert_array_equal(ua[inv], a)
    np.testing.assert_array_equal(ub[inv], b)
    seen = {}
    for i, row in enumerate(zip(a, np.where(np.isnan(b), -1.0, b), strict=True)):
        seen.setdefault(row, i)
    firsts = sorted(seen.values())
    assert len(ua) == len(firsts)
    np.testing.assert_array_equal(inv[firsts], np.arange(len(firsts)))  # numbered in order of first appearance
    (e,), inv0 = _unique_rows(np.zeros(0))
    assert len(e) == 0 and len(inv0) == 0


def test_expected_purchases_new_at_a_equal_one_is_the_limit():
    near = [_fixed_model(a=a).expected_purchases_new(np.array([5.0, 40.0])) for a in (1 - 1e-6, 1 + 1e-6)]
    at_one = _fixed_model(a=1.0).expected_purchases_new(np.array([5.0, 40.0]))
    assert np.isfinite(at_one).all()
    np.testing.assert_allclose(at_one, (near[0] + near[1]) / 2, rtol=1e-5)


def test_expected_purchases_new_matches_direct_integration():
    # E[X(t)] of a new member = E[(1 - exp(-λ p t)) / p] over λ ~ Gamma(r, α), p ~ Beta(a, b) (here a = 1)
    r, alpha, a, b, t = 0.5, 6.0, 1.0, 2.5, 30.0
    def inner(p):
        return (1 - (alpha / (alpha + p * t)) ** r) / p * stats.beta(a, b).pdf(p)
    want = integrate.quad(inner, 0, 1, limit=200)[0]
    assert _fixed_model(r, alpha, a, b).expected_purchases_new(t) == pytest.approx(want, rel=1e-7)


def _heavy_tailed_spend(n=3000, p=4.0, q=0.7, gamma=60.0, seed=11):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 12, n).astype(float)
    nu = rng.gamma(q, 1 / gamma, n)
    m = rng.gamma(p * x, 1 / (nu * x))  # mean of x Gamma(p, nu) spends
    return x, m


def test_gamma_gamma_q_below_one_warns_and_uses_a_finite_fallback():
    x, m = _heavy_tailed_spend()
    with pytest.warns(RuntimeWarning, match="infinite"):
        g = clv.GammaGamma().fit(x, m)
    assert g.params_["q"] <= 1
    assert g.population_mean_spend == math.inf
    assert g.prior_spend == pytest.approx(m.mean(), rel=1e-12)  # documented fallback: the sample mean
    spend = g.conditional_expected_spend(np.r_[0.0, x[:50]], np.r_[np.nan, m[:50]])
    assert np.isfinite(spend).all() and spend[0] == pytest.approx(m.mean())
    pp, qq, gg = g.params_["p"], g.params_["q"], g.params_["gamma"]
    by_hand = (gg + x[:50] * m[:50]) * pp / (pp * x[:50] + qq - 1)  # the posterior mean is still finite for x > 0
    np.testing.assert_allclose(spend[1:], by_hand, rtol=1e-12)


def test_clv_of_one_time_buyers_finite_when_spend_mean_is_infinite():
    x, m = _heavy_tailed_spend()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = clv.GammaGamma().fit(x, m)
    summary = pd.DataFrame({"x": [0, 3], "t_x": [0.0, 20.0], "T": [30.0, 40.0], "monetary_repeat_mean": [np.nan, 80.0],
                            "monetary_total": [50.0, 300.0], "purchase_days": [1, 4]},
                           index=pd.Index(["A", "B"], name="member_id"))
    value = clv.discounted_clv(_fixed_model(), g, summary, horizon_days=180)
    assert np.isfinite(value).all() and (value > 0).all()
    desc = clv.member_score_descriptions(180, as_of="2025-12-31", margin=0.3, annual_discount_rate=0.1,
                                         population_mean_finite=False)
    assert "无穷大" in desc["expected_spend"]


def _summary(x, t_x, T, m=None):
    n = len(x)
    m = np.full(n, np.nan) if m is None else np.asarray(m, float)
    return pd.DataFrame({"x": x, "t_x": t_x, "T": T, "monetary_repeat_mean": m},
                        index=pd.Index([f"M{i}" for i in range(n)], name="member_id"))


@pytest.mark.parametrize("case", ["no_repeat", "single_member", "single_day"])
def test_fit_bgnbd_declines_degenerate_data_with_a_sentence(case):
    s = {"no_repeat": _summary([0] * 50, [0.0] * 50, np.linspace(1, 300, 50)),
         "single_member": _summary([4], [30.0], [60.0], [50.0]),
         "single_day": _summary([0] * 20, [0.0] * 20, [0.0] * 20)}[case]
    model, reason = clv.fit_bgnbd(s, "day")
    assert model is None and reason.endswith("。") and "BG/NBD" in reason
    gg, gg_reason = clv.fit_gamma_gamma(s)
    assert gg is None and "Gamma-Gamma" in gg_reason


def test_fit_models_on_equal_amounts_complete():
    rng = np.random.default_rng(3)
    T = rng.uniform(20, 100, 400)
    x, t_x, _ = clv.simulate_bgnbd(T, 0.8, 5.0, 0.7, 3.0, rng)
    s = _summary(x, t_x, T, np.where(x > 0, 50.0, np.nan))  # every amount the same
    model, reason = clv.fit_bgnbd(s, "week")
    assert model is not None and reason == ""
    gg, gg_reason = clv.fit_gamma_gamma(s)
    assert gg is None and "都相同" in gg_reason and gg_reason.endswith("。")


def test_gamma_gamma_with_little_spread_fits_in_bounded_work():
    # nearly every repeat day costs the same (a real export with fixed-price products): the likelihood is flat in
    # p and q; the fallback search is capped, so a module on such data stays fast, and the answer is still sane
    rng = np.random.default_rng(8)
    x = rng.integers(1, 30, 600).astype(float)
    m = 100 + 100 * rng.binomial(x.astype(int), 0.05) / x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = clv.GammaGamma().fit(x, m)
    assert g.fit_info_.n_iterations <= 3000 + 3 * 2000
    spend = g.conditional_expected_spend(x, m)
    assert np.all((spend - m) * (spend - g.population_mean_spend) <= 1e-9)  # between own mean and population mean


def test_gradient_at_the_search_bound_does_not_count():
    from helpers.clv._mle import _LOG_BOUND, _free_grad_norm

    assert _free_grad_norm(np.array([0.3, 1e-8]), np.array([_LOG_BOUND, 0.0])) == pytest.approx(1e-8)
    assert _free_grad_norm(np.array([0.3, 0.2]), np.array([-_LOG_BOUND, _LOG_BOUND])) == 0.0
    assert _free_grad_norm(np.array([0.3, -0.5]), np.array([1.0, 2.0])) == 0.5


def test_contact_list_by_hand():
    values = pd.Series([500.0, 80.0, 300.0, 300.0, 20.0, 1000.0],
                       index=pd.Index(["E", "A", "D", "C", "B", "F"], name="member_id"))
    # gain = 10 % of CLV: F 100, E 50, C 30, D 30, A 8, B 2; cost 10 -> A and B not worth it; budget for 3
    got = clv.contact_list(values, budget=35.0, cost=10.0, uplift=0.1)
    assert list(got.index) == ["F", "E", "C"] and got.name == "gain"
    np.testing.assert_allclose(got.to_numpy(), [100.0, 50.0, 30.0])
    assert len(clv.contact_list(values, budget=1000.0, cost=10.0, uplift=0.1)) == 4  # value limits, not budget
    assert clv.contact_list(values, budget=9.0, cost=10.0, uplift=0.1).empty
    with pytest.raises(ValueError):
        clv.contact_list(values, budget=10.0, cost=0.0, uplift=0.1)


def test_p_alive_calibration_by_hand():
    pa = np.array([0.1, 0.15, 0.5, 0.9, 0.95, 1.0, np.nan])
    alive = np.array([False, True, True, True, False, True, True])
    t = clv.p_alive_calibration(pa, alive, bins=(0.0, 0.5, 1.0))
    assert list(t["n_members"]) == [3, 3]  # 0.5 falls in the first (right-closed) band; NaN left out
    np.testing.assert_allclose(t["mean_p_alive"], [0.25, 0.95])
    np.testing.assert_allclose(t["alive_share"], [2 / 3, 2 / 3])
    np.testing.assert_allclose(t["gap"], [0.25 - 2 / 3, 0.95 - 2 / 3])


def test_explorer_draws_statically_without_widgets(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda: None)
    margin = np.array([100.0, 90.0, 80.0])
    assert clv.clv_explorer(margin, months=12, rate=0.1, interactive=False) is None
    fig = plt.gcf()
    bars = fig.axes[0].patches
    assert len(bars) == 3  # months capped at the months available
    np.testing.assert_allclose([b.get_height() for b in bars], margin * clv.discount_factors(3, 0.1) / 1e4)
    plt.close("all")


def test_clv_and_scores_are_rounded_so_every_cpu_ranks_alike():
    # a 1-ulp difference in exp / log / hyp2f1 (another CPU's SIMD kernel) must not change a ranking or a threshold:
    # CLV, the contact gain and the written member_scores carry 32 significant bits (helpers.synth.stable)
    from helpers.synth.stable import stable

    s = pd.DataFrame({"x": [0, 2, 5], "t_x": [0.0, 20.0, 80.0], "T": [30.0, 60.0, 90.0], "purchase_days": [1, 3, 6],
                      "monetary_total": [90.0, 300.0, 240.0], "monetary_repeat_mean": [np.nan, 105.0, 40.0]},
                     index=pd.Index(["A", "B", "C"], name="member_id"))
    m = _fixed_model(unit="day")
    value = clv.discounted_clv(m, None, s, horizon_days=100)
    np.testing.assert_array_equal(value.to_numpy(), stable(value.to_numpy()))
    scores = clv.member_scores(clv.clv_table(m, None, s, horizon_days=100), s)
    for col in clv.SCORE_COLUMNS:
        v = scores[col].dropna().to_numpy()
        np.testing.assert_array_equal(v, stable(v))
    one_ulp_up = pd.Series(np.nextafter(np.full(3, 100.0), 200.0), index=["A", "B", "C"])
    # 10 % of a CLV one ulp above 100 is "10.000000000000002" unrounded: still not above a cost of 10 once rounded
    assert clv.contact_list(one_ulp_up, budget=100.0, cost=10.0, uplift=0.1).empty


def test_fit_gamma_gamma_declines_a_fit_that_did_not_converge():
    """Orders all of one price but several on some days: per-day spend varies a little, p runs to the bound and the
    optimiser stops unconverged — the module must not use that fit (a population mean above every order's price)."""
    rng = np.random.default_rng(5)
    x = rng.integers(1, 12, 500).astype(float)
    two_orders_days = rng.binomial(x.astype(int), 0.01)
    m = 100.0 * (x + two_orders_days) / x  # a day with two orders of 100 costs 200
    s = _summary(x, x * 3.0, x * 3.0 + 10.0, m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        direct = clv.GammaGamma().fit(x, m)
        gg, reason = clv.fit_gamma_gamma(s)
    if direct.fit_info_.success:  # the premise of the test: this input really does not converge
        pytest.fail(f"the input converged ({direct.params_}); choose an input that does not")
    assert gg is None and "没有收敛" in reason and reason.endswith("。")
