"""Module 06's answers that must score 0: grade_id -> source of the solution cell. What ``WRONG_ANSWERS``,
``HELPER_ANSWERS`` and ``SABOTAGE_ANSWERS`` hold, and why each must score 0: tests/test_nbgrader_roundtrip.py.
"""

WRONG_ANSWERS = {
    # strictly above the threshold: a member exactly on it stays a level lower
    "ex06_qualify": '''
def qualified_tier(spend, thresholds, window):
    total = spend.iloc[:, -int(window):].sum(axis=1)
    level = sum((total > t).astype("int64") for t in thresholds[1:])
    return pd.Series(level.to_numpy(), index=spend.index)
''',
    # the downgrade goes straight to the qualified level instead of one level at a time
    "ex06_tier_path": '''
def tier_path(spend, thresholds, window=12, period=12, grace=1):
    cur, review, res = 0, None, []
    for t in range(len(spend)):
        total = sum(spend[max(0, t - window + 1):t + 1])
        q = max(k for k in range(len(thresholds)) if total >= thresholds[k])
        if q > cur:
            cur, review = q, t + period + grace
        elif review == t:
            if q < cur:
                cur, review = q, (t + period + grace if q > 0 else None)
            else:
                review += period
        res.append(cur)
    return res
''',
    # a quantile over every member, inactive ones included
    "ex06_top_threshold": '''
def top_tier_threshold(rolling, active, share=0.05):
    return float(rolling.quantile(1 - share))
''',
    # expiry ignored: every point earned and not used is counted
    "ex06_liability": '''
def liability_with_expiry(orders, as_of, expiry_months, value_per_point, breakage):
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    o = orders[(orders["order_ts"] < end) & (orders["status"].astype(str) != "refunded")]
    return float((o["points_earned"].sum() - o["points_redeemed"].sum()) * value_per_point * (1 - breakage))
''',
    # every point in the denominator, young ones included
    "ex06_breakage": '''
def breakage_from_history(orders, as_of, maturity_months=12):
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    o = orders[(orders["order_ts"] < end) & (orders["status"].astype(str) != "refunded")]
    if o["points_earned"].sum() <= 0:
        return float("nan")
    return float(1 - o["points_redeemed"].sum() / o["points_earned"].sum())
''',
    # return over cost without taking the cost away
    "ex06_roi": '''
def roi_by_tier(cost, lift, margin):
    inc = lift.reindex(cost.index) * cost["member_months"] * margin
    c = cost["total_cost"].astype(float)
    return inc / c.where(c > 0)
''',
}

HELPER_ANSWERS = {
    "ex06_qualify": '''
def qualified_tier(spend, thresholds, window):
    p = tiers.Panel(pd.Index(spend.index, dtype="string"), pd.period_range("2000-01", periods=spend.shape[1], freq="M"),
                    spend.to_numpy(float), spend.to_numpy(float), np.zeros(spend.shape, np.int32),
                    np.zeros(len(spend), np.int64))
    path_ = tiers.simulate_tiers(p, tiers.TierRules(tuple(thresholds), tuple(f"t{i}" for i in range(len(thresholds))),
                                                    window_months=window))
    return pd.Series(path_.tier[:, -1].astype("int64"), index=spend.index)
''',
    "ex06_tier_path": '''
def tier_path(spend, thresholds, window=12, period=12, grace=1):
    p = tiers.Panel(pd.Index(["x"], dtype="string"), pd.period_range("2000-01", periods=len(spend), freq="M"),
                    np.asarray([spend], float), np.asarray([spend], float), np.zeros((1, len(spend)), np.int32),
                    np.zeros(1, np.int64))
    rules = tiers.TierRules(tuple(thresholds), tuple(f"t{i}" for i in range(len(thresholds))), window_months=window,
                            period_months=period, grace_months=grace)
    return [int(x) for x in tiers.simulate_tiers(p, rules).tier[0]]
''',
    "ex06_top_threshold": '''
def top_tier_threshold(rolling, active, share=0.05):
    return tiers.threshold_for_share(rolling[active.to_numpy(bool)], share)
''',
    "ex06_liability": '''
def liability_with_expiry(orders, as_of, expiry_months, value_per_point, breakage):
    return tiers.liability(tiers.points_ledger(orders, as_of, expiry_months).outstanding, value_per_point, breakage)
''',
    "ex06_breakage": '''
def breakage_from_history(orders, as_of, maturity_months=12):
    return tiers.breakage_rate(tiers.points_ledger(orders, as_of, 0, maturity_months=maturity_months))
''',
    "ex06_roi": '''
def roi_by_tier(cost, lift, margin):
    return tiers.programme_roi(cost, lift, margin)["roi"]
''',
}

from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

#: for every code exercise: switch the freshly reloaded checker off from inside the answer and return the right type
#: and shape with the wrong content — only the plain asserts at the end of each hidden test can catch it
SABOTAGE_ANSWERS = {
    "ex06_qualify": '''
def qualified_tier(spend, thresholds, window):''' + _CHECKS_OFF + '''
    return pd.Series(0, index=spend.index, dtype="int64")
''',
    "ex06_tier_path": '''
def tier_path(spend, thresholds, window=12, period=12, grace=1):''' + _CHECKS_OFF + '''
    return [0] * len(spend)
''',
    "ex06_top_threshold": '''
def top_tier_threshold(rolling, active, share=0.05):''' + _CHECKS_OFF + '''
    return float(rolling.max()) + 1.0
''',
    "ex06_liability": '''
def liability_with_expiry(orders, as_of, expiry_months, value_per_point, breakage):''' + _CHECKS_OFF + '''
    return 1.0
''',
    "ex06_breakage": '''
def breakage_from_history(orders, as_of, maturity_months=12):''' + _CHECKS_OFF + '''
    return 0.5
''',
    "ex06_roi": '''
def roi_by_tier(cost, lift, margin):''' + _CHECKS_OFF + '''
    return pd.Series(1.0, index=cost.index)
''',
}
