"""Typical wrong answers for module 04 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

Each one is a mistake trainees really make, and each must score 0 on its exercise's test cell.
"""

WRONG_ANSWERS = {
    # counts orders instead of purchase days (two tickets on one day = two purchases) and keeps refunded orders
    "ex04_bgnbd_inputs": '''
def bgnbd_inputs(orders, as_of):
    end = pd.Timestamp(as_of).normalize()
    paid = orders[orders["order_ts"].dt.normalize() <= end]
    g = paid.groupby("member_id")["order_ts"]
    first, last = g.min().dt.normalize(), g.max().dt.normalize()
    result = pd.DataFrame({
        "x": g.size() - 1,
        "t_x": (last - first).dt.days.astype(float),
        "T": (end - first).dt.days.astype(float),
    })
    result.index.name = "member_id"
    return result.sort_index()
''',
    # refunded orders counted as spend
    "ex04_historical_value": '''
def historical_value(orders, margin):
    return (orders.groupby("member_id")["net_amount"].sum() * margin).sort_index()
''',
    # monthly rate d / 12 instead of (1 + d) ** (1 / 12) - 1
    "ex04_discount_factor_sum": '''
def discount_factor_sum(months, annual_rate):
    return float(sum(1 / (1 + annual_rate / 12) ** k for k in range(1, months + 1)))
''',
    # the formula for every member: forgets that x = 0 means P(alive) = 1 in BG/NBD
    "ex04_p_alive": '''
def p_alive_bgnbd(x, t_x, T, r, alpha, a, b):
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
''',
    # a quantile threshold: ties at the cut-off all come in, so the count is not the top_members rule ceil(10 % x n)
    "ex04_top_decile": '''
def top_decile(clv_values):
    cut = clv_values.quantile(0.9)
    return clv_values[clv_values >= cut].sort_values(ascending=False)
''',
}
