"""Module 05's answers that must score 0: grade_id -> source of the solution cell. What ``WRONG_ANSWERS``,
``HELPER_ANSWERS`` and ``SABOTAGE_ANSWERS`` hold, and why each must score 0: tests/test_nbgrader_roundtrip.py.
"""

WRONG_ANSWERS = {
    # the cut-off compared as a timestamp (midnight): an order on the cut-off day after 00:00 is lost, and refunds
    # count as purchases
    "ex05_churn_labels": '''
def churn_labels_oot(orders, cutoff, horizon_days):
    c = pd.Timestamp(cutoff)
    before = orders[orders["order_ts"] <= c]
    after = orders[(orders["order_ts"] > c) & (orders["order_ts"] <= c + pd.Timedelta(days=horizon_days))]
    population = sorted(set(before["member_id"]))
    back = set(after["member_id"])
    return pd.Series([m not in back for m in population], index=pd.Index(population, name="member_id"))
''',
    # a quantile cut: with ties at the cut it selects more than the top share
    "ex05_lift_at": '''
def lift_at_top(y, score, top=0.1):
    s = score.reindex(y.index)
    chosen = y[s >= s.quantile(1 - top)]
    return float(chosen.mean() / y.mean())
''',
    # strict thresholds: a member exactly on the line falls on the wrong side
    "ex05_quadrant": '''
def quadrant(spend, loyalty, heavy_threshold=3000.0, loyal_threshold=0.6):
    lo = loyalty.reindex(spend.index)
    heavy = spend > heavy_threshold
    loyal = lo > loyal_threshold
    names = np.where(heavy, np.where(loyal, "重度忠诚", "重度摇摆"), np.where(loyal, "轻度忠诚", "轻度摇摆"))
    out = pd.Series(names, index=spend.index, dtype=object)
    out[(spend.isna() | lo.isna()).to_numpy()] = None
    return out
''',
    # the rules out of order: a member a year in who is declining is called mature
    "ex05_lifecycle": '''
def lifecycle_stage(features, new_days=90, active_days=90, lapsed_days=180, mature_days=365):
    r, t = features["recency"], features["tenure"]
    last, before = features["orders_90d"], features["orders_prev_90d"]
    conditions = [r > lapsed_days, r > active_days, t < new_days, t >= mature_days,
                  (before >= 2) & (last <= 0.5 * before)]
    names = ["流失", "沉睡", "新客", "成熟", "衰退"]
    return pd.Series(np.select(conditions, names, default="成长"), index=features.index)
''',
    # total value per cluster instead of value per member: a big low-value cluster comes first
    "ex05_order_clusters": '''
def order_clusters(labels, value):
    totals = value.reindex(labels.index).groupby(labels.to_numpy()).sum()
    order = sorted(totals.index, key=lambda c: (-totals[c], c))
    return labels.map({c: i + 1 for i, c in enumerate(order)}).astype("int64")
''',
    # ranked by churn risk alone: the budget goes to members with little left to lose
    "ex05_retention": '''
def retention_pick(candidates, budget, contact_cost, save_rate):
    ev = candidates["churn_risk"] * candidates["value_at_risk"] * save_rate - contact_cost
    ok = candidates["sms_consent"].astype("boolean").fillna(False).to_numpy(bool)
    c = candidates[ok].sort_index().sort_values("churn_risk", ascending=False, kind="mergesort")
    return ev.loc[c.index].iloc[:int(budget // contact_cost)]
''',
}

HELPER_ANSWERS = {
    "ex05_churn_labels": '''
def churn_labels_oot(orders, cutoff, horizon_days):
    return segments.churn_labels(orders, cutoff, horizon_days)
''',
    "ex05_lift_at": '''
def lift_at_top(y, score, top=0.1):
    return segments.lift_at(y, score, top)
''',
    "ex05_quadrant": '''
def quadrant(spend, loyalty, heavy_threshold=3000.0, loyal_threshold=0.6):
    return segments.loyalty_quadrants(spend, loyalty, heavy_threshold=heavy_threshold,
                                      loyal_threshold=loyal_threshold).astype(object)
''',
    "ex05_lifecycle": '''
def lifecycle_stage(features, new_days=90, active_days=90, lapsed_days=180, mature_days=365):
    return segments.lifecycle_stages(features, new_days=new_days, active_days=active_days, lapsed_days=lapsed_days,
                                     mature_days=mature_days).astype(str)
''',
    "ex05_order_clusters": '''
def order_clusters(labels, value):
    return segments.order_by_value(labels, value)
''',
    "ex05_retention": '''
def retention_pick(candidates, budget, contact_cost, save_rate):
    return segments.retention_list(candidates["churn_risk"], candidates["value_at_risk"],
                                   consent=candidates["sms_consent"], save_rate=save_rate,
                                   contact_cost=contact_cost, budget=budget)["expected_value"]
''',
}

from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

#: for every code exercise: switch the freshly reloaded checker off from inside the answer and return the right type
#: and shape with the wrong content — only the plain asserts at the end of each hidden test can catch it
SABOTAGE_ANSWERS = {
    # the right population, nobody churned
    "ex05_churn_labels": '''
def churn_labels_oot(orders, cutoff, horizon_days):''' + _CHECKS_OFF + '''
    paid = orders if "status" not in orders.columns else orders[orders["status"].astype(str) != "refunded"]
    ids = sorted(set(paid.loc[paid["order_ts"].dt.normalize() <= pd.Timestamp(cutoff), "member_id"].astype(str)))
    return pd.Series(False, index=pd.Index(ids, name="member_id"))
''',
    "ex05_lift_at": '''
def lift_at_top(y, score, top=0.1):''' + _CHECKS_OFF + '''
    return 1.0
''',
    # everybody heavy and loyal, missing values in the right places
    "ex05_quadrant": '''
def quadrant(spend, loyalty, heavy_threshold=3000.0, loyal_threshold=0.6):''' + _CHECKS_OFF + '''
    lo = loyalty.reindex(spend.index)
    out = pd.Series("重度忠诚", index=spend.index, dtype=object)
    out[(spend.isna() | lo.isna()).to_numpy()] = None
    return out
''',
    "ex05_lifecycle": '''
def lifecycle_stage(features, new_days=90, active_days=90, lapsed_days=180, mature_days=365):''' + _CHECKS_OFF + '''
    return pd.Series("成长", index=features.index)
''',
    # the original labels shifted by one: the right values set, the wrong mapping
    "ex05_order_clusters": '''
def order_clusters(labels, value):''' + _CHECKS_OFF + '''
    return (labels + 1).astype("int64")
''',
    # as many members as allowed, the lowest expected values first
    "ex05_retention": '''
def retention_pick(candidates, budget, contact_cost, save_rate):''' + _CHECKS_OFF + '''
    ev = candidates["churn_risk"] * candidates["value_at_risk"] * save_rate - contact_cost
    return ev.sort_values(kind="mergesort").iloc[:int(budget // contact_cost)]
''',
}
