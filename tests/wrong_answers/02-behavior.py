"""Typical wrong answers for module 02 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

Each one is a mistake trainees really make, and each must score 0 on its exercise's test cell.
"""

WRONG_ANSWERS = {
    # counts orders, not distinct days, and keeps refunded orders (two tickets on one trip become two purchases)
    "ex02_purchase_days": '''
def purchase_days(orders):
    return orders.groupby("member_id").size()
''',
    # divides the first-to-last span by the number of purchase days instead of the number of gaps (days - 1):
    # a two-day member 181 days apart looks quarterly, and single-day members get interval 0 = weekly
    "ex02_interval_band": '''
def interval_band(summary):
    span = (summary["last_purchase"] - summary["first_purchase"]).dt.days
    interval = span / summary["purchase_days"]
    label = np.select([interval <= 7, interval <= 365.25 / 12, interval <= 365.25 / 4],
                      ["每周购买", "每月购买", "每季度购买"], default="偶尔购买")
    return pd.Series(label, index=summary.index)
''',
    # value_counts(normalize=True): hours without orders are missing, refunds are counted, index is not named hour
    "ex02_hour_share": '''
def hour_share(orders):
    return orders["order_ts"].dt.hour.value_counts(normalize=True).sort_index()
''',
    # right cohort and refund handling, but a month after the data end counted as "nobody came back" (0.0)
    # instead of "not observed yet" (NaN): exactly the 未观察≠0 point of section 7; an empty cohort also gives 0.0
    # where the instructions ask for NaN
    "ex02_cohort_retention_rate": '''
def cohort_retention_rate(orders, cohort, k):
    paid = orders[orders["status"] != "refunded"] if "status" in orders.columns else orders
    month = paid["order_ts"].dt.to_period("M")
    first = month.groupby(paid["member_id"], observed=True).min()
    start = pd.Period(cohort, "M")
    members = first.index[first == start]
    active = set(paid.loc[month == start + k, "member_id"])
    return float(np.mean([m in active for m in members])) if len(members) else 0.0
''',
    # members with two or more orders: same-day orders and refunded orders count as repeat purchases (0.8 instead
    # of 0.5 on the visible sample). Empty input gives NaN as the instructions ask, so the mistake is the only failure
    "ex02_repeat_rate": '''
def repeat_rate(orders):
    n_orders = orders.groupby("member_id").size()
    return float((n_orders >= 2).mean())
''',
}
