"""Module 08's answers that must score 0: grade_id -> source of the solution cell. What ``WRONG_ANSWERS``,
``HELPER_ANSWERS`` and ``SABOTAGE_ANSWERS`` hold, and why each must score 0: tests/test_nbgrader_roundtrip.py.
"""

WRONG_ANSWERS = {
    # the end day compared as a timestamp (midnight): orders later that day are lost, and refunds count
    "ex08_window": '''
def window_outcomes(members, orders, start, end):
    o = orders[(orders["order_ts"] >= pd.Timestamp(start)) & (orders["order_ts"] <= pd.Timestamp(end))]
    agg = o.groupby("member_id")["net_amount"].agg(["size", "sum"])
    idx = pd.Index(list(members), name="member_id")
    res = pd.DataFrame({"orders": agg["size"].reindex(idx).fillna(0).astype(float),
                        "spend": agg["sum"].reindex(idx).fillna(0.0).astype(float)}, index=idx)
    res["converted"] = (res["orders"] > 0).astype(float)
    return res
''',
    # Student's t with pooled variance and n1 + n2 − 2 degrees of freedom instead of Welch
    "ex08_welch": '''
def welch_lift(x_t, x_c, alpha=0.05):
    from scipy import stats
    a, b = np.asarray(x_t, float), np.asarray(x_c, float)
    n1, n0 = len(a), len(b)
    sp = ((n1 - 1) * a.var(ddof=1) + (n0 - 1) * b.var(ddof=1)) / (n1 + n0 - 2)
    se = math.sqrt(sp * (1 / n1 + 1 / n0))
    d, df = a.mean() - b.mean(), n1 + n0 - 2
    q = stats.t.ppf(1 - alpha / 2, df)
    return float(d), float(d - q * se), float(d + q * se), float(2 * stats.t.sf(abs(d) / se, df))
''',
    # the correlation used as θ: right only when x and y have the same spread
    "ex08_cuped": '''
def cuped_adjust(y, x):
    theta = x.astype(float).corr(y.astype(float))
    return y.astype(float) - theta * (x - x.mean())
''',
    # the one-sample formula (no factor 2), and the whole budget put in each arm
    "ex08_power": '''
def members_needed(p0, lift, alpha=0.05, power=0.8):
    from scipy.stats import norm
    h = abs(2 * math.asin(math.sqrt(p0 + lift)) - 2 * math.asin(math.sqrt(p0)))
    return int(math.ceil(((norm.ppf(1 - alpha / 2) + norm.ppf(power)) / h) ** 2))


def affordable_lift(p0, budget_members, alpha=0.05, power=0.8):
    from scipy.stats import norm
    h = (norm.ppf(1 - alpha / 2) + norm.ppf(power)) * math.sqrt(2 / budget_members)
    return float(math.sin(math.asin(math.sqrt(p0)) + h / 2) ** 2 - p0)
''',
    # raw p-values: with several arms one of them "wins" far too often
    "ex08_winner": '''
def pick_winner(results, alpha=0.05):
    ok = results[(results["p_value"] < alpha) & (results["estimate"] > 0)]
    if ok.empty:
        return None
    return ok.sort_values("estimate", ascending=False)["arm"].iloc[0]
''',
    # before / after in the programme cities only: the common trend is counted as the effect
    "ex08_did": '''
def did_effect(panel):
    t = panel[panel["treated"]]
    return float(t.loc[t["post"], "orders"].mean() - t.loc[~t["post"], "orders"].mean())
''',
}

HELPER_ANSWERS = {
    "ex08_window": '''
def window_outcomes(members, orders, start, end):
    contacts = pd.DataFrame({"campaign_id": "C", "member_id": list(members), "arm": "control"})
    camp = pd.DataFrame({"campaign_id": ["C"], "start_date": [pd.Timestamp(start)], "end_date": [pd.Timestamp(end)]})
    o = X.member_outcomes(contacts, orders, camp).set_index("member_id")
    return o[["orders", "spend", "converted"]]
''',
    "ex08_welch": '''
def welch_lift(x_t, x_c, alpha=0.05):
    from helpers.experiments.outcomes import _welch
    return _welch(np.asarray(x_t, float), np.asarray(x_c, float), alpha)
''',
    "ex08_cuped": '''
def cuped_adjust(y, x):
    theta = X.cuped(y, x, np.ones(len(y), bool))["theta"]
    return y.astype(float) - theta * (x - x.mean())
''',
    "ex08_power": '''
def members_needed(p0, lift, alpha=0.05, power=0.8):
    return X.sample_size(p0, lift, alpha, power)


def affordable_lift(p0, budget_members, alpha=0.05, power=0.8):
    return X.detectable_lift(p0, budget_members // 2, budget_members // 2, alpha, power)
''',
    "ex08_winner": '''
def pick_winner(results, alpha=0.05):
    return X.winner(results, alpha)
''',
    "ex08_did": '''
def did_effect(panel):
    return X.did_estimate(panel)["estimate"]
''',
}

from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

#: for every code exercise: switch the freshly reloaded checker off from inside the answer and return the right type
#: and shape with the wrong content — only the plain asserts at the end of each hidden test can catch it
SABOTAGE_ANSWERS = {
    "ex08_window": '''
def window_outcomes(members, orders, start, end):''' + _CHECKS_OFF + '''
    idx = pd.Index(list(members), name="member_id")
    return pd.DataFrame({"orders": 0.0, "spend": 0.0, "converted": 0.0}, index=idx)
''',
    "ex08_welch": '''
def welch_lift(x_t, x_c, alpha=0.05):''' + _CHECKS_OFF + '''
    return 0.0, 0.0, 0.0, 1.0
''',
    "ex08_cuped": '''
def cuped_adjust(y, x):''' + _CHECKS_OFF + '''
    return y.astype(float) + 1.0
''',
    "ex08_power": '''
def members_needed(p0, lift, alpha=0.05, power=0.8):''' + _CHECKS_OFF + '''
    return 1000


def affordable_lift(p0, budget_members, alpha=0.05, power=0.8):''' + _CHECKS_OFF + '''
    return 0.02
''',
    "ex08_winner": '''
def pick_winner(results, alpha=0.05):''' + _CHECKS_OFF + '''
    return str(results["arm"].iloc[0])
''',
    "ex08_did": '''
def did_effect(panel):''' + _CHECKS_OFF + '''
    return 0.0
''',
}
