"""Typical wrong answers for module 00 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

Each one must score 0 on its exercise's test cell(s): the visible checks or, where they would let it pass, the hidden
tests catch it.
"""

WRONG_ANSWERS = {
    # counts every member in the table, refund-only members included (the visible sample catches it)
    "ex00_count_buyers": '''
def count_buyers(orders):
    return int(orders["member_id"].nunique())
''',
    # total per channel instead of the average, refunds included
    "ex00_aov_by_channel": '''
def avg_order_value_by_channel(orders):
    aov = orders.groupby("channel", observed=True)["net_amount"].sum().round(2)
    return aov.sort_values(ascending=False)
''',
}
