"""Answers that must score 0 in module 00 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

``WRONG_ANSWERS``: the typical mistake for each exercise; the visible checks or the hidden tests catch it.
``HELPER_ANSWERS``: for every code exercise, the answer that only calls the course helper implementing it. It passes
the visible checks (the helpers are right), and scores 0 because the hidden test blocks those helpers
(``checks.forbid``) while the trainee's function runs; the feedback names the exercise and the helper.
``SABOTAGE_ANSWERS``: for every code exercise, an answer that switches the freshly reloaded
``helpers.checks`` off from its own function body and returns a value of the right type and shape but wrong
content; only the plain ``assert`` statements that end each hidden test can catch it, so each must score 0.
"""

WRONG_ANSWERS = {
    # counts every member in the table, refund-only members included
    "ex00_count_buyers": '''
def count_buyers(orders):
    return int(orders["member_id"].nunique())
''',
    # total per channel instead of the average
    "ex00_aov_by_channel": '''
def avg_order_value_by_channel(orders):
    paid = orders[orders["status"] == "paid"]
    aov = paid.groupby("channel", observed=True)["net_amount"].sum().round(2)
    return aov.sort_values(ascending=False)
''',
    # refunded orders counted as sales (the old report's rule)
    "ex00_monthly_paid_sales": '''
def monthly_paid_sales(orders):
    month = orders["order_ts"].dt.to_period("M").rename("month")
    return orders.groupby(month)["net_amount"].sum().sort_index()
''',
    # "repeat" = two paid orders, even on the same day (one shopping trip), min_buyers ignored
    "ex00_pilot_channel": '''
def pilot_channel(orders, min_buyers=50):
    paid = orders[orders["status"] != "refunded"]
    n = paid.groupby(["channel", "member_id"], observed=True).size()
    share = (n >= 2).groupby(level="channel", observed=True).mean()
    return str(share.idxmax())
''',
    # the ratio the wrong way round: paid / all - 1 (an understatement, negative)
    "ex00_refund_overstatement": '''
def refund_overstatement(orders):
    everything = orders.groupby("channel", observed=True)["net_amount"].sum()
    paid = orders[orders["status"] != "refunded"].groupby("channel", observed=True)["net_amount"].sum()
    return (paid / everything - 1).round(4).sort_values(ascending=False)
''',
}

HELPER_ANSWERS = {
    "ex00_count_buyers": '''
def count_buyers(orders):
    return int(behavior.paid_orders(orders)["member_id"].nunique())
''',
    "ex00_aov_by_channel": '''
def avg_order_value_by_channel(orders):
    aov = behavior.channel_mix(orders)["avg_order_value"].round(2).rename("net_amount")
    return aov.sort_values(ascending=False)
''',
    "ex00_monthly_paid_sales": '''
def monthly_paid_sales(orders):
    return behavior.monthly_activity(orders)["net_amount"]
''',
    "ex00_pilot_channel": '''
def pilot_channel(orders, min_buyers=50):
    ranked = []
    for channel, group in behavior.paid_orders(orders).groupby("channel", observed=True):
        summary = behavior.member_summary(group, group["order_ts"].max())
        if len(summary) >= min_buyers:
            ranked.append((-behavior.repeat_rate(summary), str(channel)))
    return min(ranked)[1] if ranked else None
''',
    "ex00_refund_overstatement": '''
def refund_overstatement(orders):
    everything = behavior.channel_mix(orders, include_refunds=True)["net_amount"]
    paid = behavior.channel_mix(orders)["net_amount"]
    return (everything.reindex(paid.index) / paid - 1).round(4).sort_values(ascending=False)
''',
}


from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

SABOTAGE_ANSWERS = {
    "ex00_count_buyers": '''
def count_buyers(orders):''' + _CHECKS_OFF + '''
    return 0
''',
    # the right channels in the right order, every value 1 yuan too high
    "ex00_aov_by_channel": '''
def avg_order_value_by_channel(orders):''' + _CHECKS_OFF + '''
    paid = orders[orders["status"] == "paid"]
    return paid.groupby("channel", observed=True)["net_amount"].mean().round(2).sort_values(ascending=False) + 1.0
''',
    "ex00_monthly_paid_sales": '''
def monthly_paid_sales(orders):''' + _CHECKS_OFF + '''
    months = orders["order_ts"].dt.to_period("M").drop_duplicates().sort_values()
    return pd.Series(0.0, index=pd.PeriodIndex(months, name="month"), name="net_amount")
''',
    "ex00_pilot_channel": '''
def pilot_channel(orders, min_buyers=50):''' + _CHECKS_OFF + '''
    return "门店"
''',
    # the right channels in the right order, every value 0.5 too high
    "ex00_refund_overstatement": '''
def refund_overstatement(orders):''' + _CHECKS_OFF + '''
    everything = orders.groupby("channel", observed=True)["net_amount"].sum()
    paid = orders[orders["status"] != "refunded"].groupby("channel", observed=True)["net_amount"].sum()
    paid = paid[paid > 0]
    return ((everything.reindex(paid.index) / paid - 1).round(4) + 0.5).rename_axis("channel").sort_values(ascending=False)
''',
}
