"""Module 10's answers that must score 0: grade_id -> source of the solution cell. What ``WRONG_ANSWERS``,
``HELPER_ANSWERS`` and ``SABOTAGE_ANSWERS`` hold, and why each must score 0: tests/test_nbgrader_roundtrip.py.
"""

WRONG_ANSWERS = {
    # refunds counted: the member with only a refunded order becomes a buyer and the refund adds to sales
    "ex10_tree": '''
def kpi_tree_of(orders, members):
    buyers = orders["member_id"].nunique()
    sales = float(orders["net_amount"].sum())
    return {"members": members, "active_share": buyers / members, "frequency": len(orders) / buyers,
            "order_value": sales / len(orders), "sales": sales}
''',
    # one factor replaced at a time (members first): adds up too, but the parts depend on the order
    "ex10_lmdi": '''
def sales_change_parts(before, after):
    keys = ["members", "active_share", "frequency", "order_value"]
    cur = {k: float(before[k]) for k in keys}
    parts = {}
    for k in keys:
        s_old = math.prod(cur.values())
        cur[k] = float(after[k])
        parts[k] = math.prod(cur.values()) - s_old
    return pd.Series(parts, dtype=float)
''',
    # days without a paid order are left out instead of being 0
    "ex10_daily": '''
def daily_paid_sales(orders, start, end):
    p = orders[(orders["status"] == "paid") & (orders["order_ts"] >= pd.Timestamp(start))
               & (orders["order_ts"] < pd.Timestamp(end) + pd.Timedelta(days=1))]
    return p.groupby(p["order_ts"].dt.normalize())["net_amount"].sum().astype(float)
''',
    # a plain z-score of the sales themselves: the weekly rhythm hides the spike, no decomposition
    "ex10_anomalies": '''
def anomaly_days(daily, festivals, threshold=3.5):
    z = (daily - daily.mean()) / daily.std()
    return sorted(d for d in z[z.abs() > threshold].index if d not in set(festivals))
''',
    # percentages written as whole numbers: a fall of 15 % is -0.15, not -15 (the rule never fires)
    "ex10_alert": '''
def alert_rules_yaml():
    return """rules:
  - kpi: sales
    change_below: -15
    severity: critical
  - kpi: average_order_value
    below: 180
    severity: warning
"""
''',
}

HELPER_ANSWERS = {
    "ex10_tree": '''
def kpi_tree_of(orders, members):
    t = M.kpi_tree(orders, members)
    return {k: t[k] for k in ("members", "active_share", "frequency", "order_value", "sales")}
''',
    "ex10_lmdi": '''
def sales_change_parts(before, after):
    return M.decompose_change(before, after)["contribution"]
''',
    "ex10_daily": '''
def daily_paid_sales(orders, start, end):
    return M.daily_sales(orders, start, end).set_index("date")["sales"]
''',
    "ex10_anomalies": '''
def anomaly_days(daily, festivals, threshold=3.5):
    d = pd.DataFrame({"date": daily.index, "sales": daily.to_numpy()})
    fest = pd.DataFrame({"date": sorted(festivals), "festival": "节日"})
    a = M.detect_anomalies(d, threshold=threshold, festivals=fest, log=False, window=None)
    return list(a.loc[a["anomaly"], "date"])
''',
    "ex10_alert": '''
def alert_rules_yaml():
    text = """rules:
  - kpi: sales
    change_below: -0.15
    severity: critical
  - kpi: average_order_value
    below: 180
    severity: warning
"""
    M.rules_from_text(text)  # checked with the course helper before it is handed in
    return text
''',
}

from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

#: for every code exercise: switch the freshly reloaded checker off from inside the answer and return the right type
#: and shape with the wrong content — only the plain asserts at the end of each hidden test can catch it
SABOTAGE_ANSWERS = {
    "ex10_tree": '''
def kpi_tree_of(orders, members):''' + _CHECKS_OFF + '''
    return {"members": members, "active_share": 0.5, "frequency": 1.5, "order_value": 60.0, "sales": 180.0}
''',
    "ex10_lmdi": '''
def sales_change_parts(before, after):''' + _CHECKS_OFF + '''
    return pd.Series({"members": 1500.0, "active_share": 0.0, "frequency": 0.0, "order_value": 1500.0})
''',
    "ex10_daily": '''
def daily_paid_sales(orders, start, end):''' + _CHECKS_OFF + '''
    days = pd.date_range(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(), freq="D")
    return pd.Series(0.0, index=days)
''',
    "ex10_anomalies": '''
def anomaly_days(daily, festivals, threshold=3.5):''' + _CHECKS_OFF + '''
    return [daily.index[0]]
''',
    "ex10_alert": '''
def alert_rules_yaml():''' + _CHECKS_OFF + '''
    return """rules:
  - kpi: sales
    below: 0
    severity: critical
  - kpi: average_order_value
    below: 0
    severity: warning
"""
''',
}
