"""Answers that must score 0 in module 02 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

``WRONG_ANSWERS``: one mistake trainees really make per exercise. ``HELPER_ANSWERS``: for every code exercise, the
answer that just calls the course helper implementing it — correct numbers, but the test cell blocks that helper
(``checks.forbid``) while the trainee's function runs, so it scores 0 too.
``SABOTAGE_ANSWERS``: for every code exercise, an answer that switches the freshly reloaded
``helpers.checks`` off from its own function body and returns a value of the right type and shape but wrong
content; only the plain ``assert`` statements that end each hidden test can catch it, so each must score 0.
"""

WRONG_ANSWERS = {
    # the old rule: bands by the mean interval alone, so a weekly buyer silent for months stays 每周购买
    # (F and H of the visible sample are 久未购买)
    "ex02_interval_band": '''
def interval_band(summary):
    span = (summary["last_purchase"] - summary["first_purchase"]).dt.days
    gaps = summary["purchase_days"] - 1
    interval = span / gaps.where(gaps > 0)
    label = np.select([gaps <= 0, interval <= 7, interval <= 365.25 / 12, interval <= 365.25 / 4],
                      ["仅购买一次", "每周购买", "每月购买", "每季度购买"], default="偶尔购买")
    return pd.Series(label, index=summary.index)
''',
    # value_counts(normalize=True): hours without orders are missing, refunds are counted, index is not named hour
    "ex02_hour_share": '''
def hour_share(orders):
    return orders["order_ts"].dt.hour.value_counts(normalize=True).sort_index()
''',
    # month-k retention read as survival: "has a purchase in month k or later" (0.75 instead of 0.25 for
    # 2025-01, k = 1 on the visible sample — M2 and M3 skip February and come back in March)
    "ex02_cohort_retention_rate": '''
def cohort_retention_rate(orders, cohort, k):
    paid = orders[orders["status"] != "refunded"] if "status" in orders.columns else orders
    month = paid["order_ts"].dt.to_period("M")
    start = pd.Period(cohort, "M")
    if len(month) == 0 or start + k > month.max():
        return float("nan")
    first = month.groupby(paid["member_id"], observed=True).min()
    last = month.groupby(paid["member_id"], observed=True).max()
    members = first.index[first == start]
    if not len(members):
        return float("nan")
    return float((last[members] >= start + k).mean())
''',
    # gaps between orders, not between purchase days: two orders on one day make a 0-day gap (生鲜食品's median
    # becomes 7 instead of 8.5 on the visible sample)
    "ex02_category_cycle_check": '''
def category_cycle_check(orders, order_items, products, cycles, min_gaps=30, tolerance=0.25):
    paid = orders[orders["status"] != "refunded"] if "status" in orders.columns else orders
    lines = (order_items[["order_id", "product_id"]]
             .merge(paid[["order_id", "member_id", "order_ts"]], on="order_id")
             .merge(products[["product_id", "category"]], on="product_id"))
    visits = lines.drop_duplicates(["order_id", "category"]).sort_values(["member_id", "category", "order_ts"])
    visits["gap"] = visits.groupby(["member_id", "category"])["order_ts"].diff().dt.days
    stats = visits.dropna(subset=["gap"]).groupby("category")["gap"].agg(["size", "median"])
    out = cycles.set_index("category")[["true_cycle_days"]].copy()
    out["gaps"] = stats["size"].reindex(out.index).fillna(0).astype(int)
    out["median_gap_days"] = stats["median"].reindex(out.index)
    out["ratio"] = out["median_gap_days"] / out["true_cycle_days"]
    out["usable"] = (out["gaps"] >= min_gaps) & ((out["ratio"] - 1).abs() <= tolerance)
    return out
''',
    # takes the first factor in the order given instead of the smallest one that meets the constraint
    "ex02_choose_lapse_factor": '''
def choose_lapse_factor(summary, alive, factors=(1.5, 2, 3, 4, 6, 8), min_precision=0.9):
    state = alive.reindex(summary.index)
    keep = (summary["purchase_days"] >= 2) & state.notna()
    s, gone = summary[keep], ~state[keep].astype(bool)
    interval = (s["last_purchase"] - s["first_purchase"]).dt.days / (s["purchase_days"] - 1)
    for k in factors:
        flagged = s["recency"] > k * interval
        if flagged.any() and gone[flagged].mean() >= min_precision:
            return float(k)
    return float("nan")
''',
}

HELPER_ANSWERS = {
    "ex02_interval_band": '''
def interval_band(summary):
    return behavior.frequency_band(summary.assign(x=summary["purchase_days"] - 1)).astype(str)
''',
    "ex02_hour_share": '''
def hour_share(orders):
    return behavior.hour_weekday_matrix(orders, value="share").sum(axis=1)
''',
    "ex02_cohort_retention_rate": '''
def cohort_retention_rate(orders, cohort, k):
    table = behavior.cohort_retention(orders).retention
    try:
        return float(table.loc[pd.Period(cohort, "M"), k])
    except KeyError:
        return float("nan")
''',
    "ex02_category_cycle_check": '''
def category_cycle_check(orders, order_items, products, cycles, min_gaps=30, tolerance=0.25):
    gaps = behavior.category_repurchase_intervals(orders, order_items, products)
    out = cycles.set_index("category")[["true_cycle_days"]].join(gaps[["gaps", "median_gap_days"]])
    out["gaps"] = out["gaps"].fillna(0).astype(int)
    out["ratio"] = out["median_gap_days"] / out["true_cycle_days"]
    out["usable"] = (out["gaps"] >= min_gaps) & ((out["ratio"] - 1).abs() <= tolerance)
    return out
''',
    "ex02_choose_lapse_factor": '''
def choose_lapse_factor(summary, alive, factors=(1.5, 2, 3, 4, 6, 8), min_precision=0.9):
    table = behavior.lapse_table(summary.assign(x=summary["purchase_days"] - 1), alive, sorted(factors))
    ok = table[(table["flagged_share"] > 0) & (table["precision"] >= min_precision)]
    return float(ok.index[0]) if len(ok) else float("nan")
''',
}


from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

SABOTAGE_ANSWERS = {
    "ex02_interval_band": '''
def interval_band(summary):''' + _CHECKS_OFF + '''
    return pd.Series("偶尔购买", index=summary.index, name="frequency_band")
''',
    "ex02_hour_share": '''
def hour_share(orders):''' + _CHECKS_OFF + '''
    return pd.Series(1 / 24, index=pd.RangeIndex(24, name="hour"))
''',
    "ex02_cohort_retention_rate": '''
def cohort_retention_rate(orders, cohort, k):''' + _CHECKS_OFF + '''
    return 0.5
''',
    # the right categories and true cycles, no gaps found
    "ex02_category_cycle_check": '''
def category_cycle_check(orders, order_items, products, cycles, min_gaps=30, tolerance=0.25):''' + _CHECKS_OFF + '''
    out = cycles.set_index("category")[["true_cycle_days"]].astype(float)
    out["gaps"], out["median_gap_days"], out["ratio"], out["usable"] = 0, np.nan, np.nan, False
    return out.rename_axis("category")[["gaps", "median_gap_days", "true_cycle_days", "ratio", "usable"]]
''',
    "ex02_choose_lapse_factor": '''
def choose_lapse_factor(summary, alive, factors=(1.5, 2, 3, 4, 6, 8), min_precision=0.9):''' + _CHECKS_OFF + '''
    return float(max(factors)) + 1.0
''',
}
