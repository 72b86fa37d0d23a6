"""Wrong and helper answers for module 04 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

``WRONG_ANSWERS``: a mistake trainees really make, one per code exercise; each must score 0 on its test cell.
``HELPER_ANSWERS``: the answer that only calls the course helper implementing the exercise; the test cell blocks
that helper with ``checks.forbid`` while the trainee's function runs, so each must score 0 too.
``SABOTAGE_ANSWERS``: for every code exercise, an answer that switches the freshly reloaded
``helpers.checks`` off from its own function body and returns a value of the right type and shape but wrong
content; only the plain ``assert`` statements that end each hidden test can catch it, so each must score 0.
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
    # the formula for every member: forgets that x = 0 means P(alive) = 1 in BG/NBD
    "ex04_p_alive": '''
def p_alive_bgnbd(x, t_x, T, r, alpha, a, b):
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
''',
    # the time-unit slip: the model is fitted in weeks, the holdout length is passed in days (x 7)
    "ex04_holdout_by_frequency": '''
def holdout_by_frequency(cal, time_unit, max_bucket=3):
    model = clv.BGNBD(time_unit=time_unit).fit(cal)
    predicted = model.expected_purchases(cal["duration_holdout"] * 7, cal["x"], cal["t_x"], cal["T"])
    label = np.where(cal["x"] < max_bucket, cal["x"].astype(int).astype(str), f"{max_bucket}+")
    frame = pd.DataFrame({"bucket": label, "actual": cal["x_holdout"].to_numpy(float), "predicted": predicted})
    table = frame.groupby("bucket").agg(n_members=("actual", "size"), actual=("actual", "mean"),
                                        predicted=("predicted", "mean"))
    table["bias"] = table["predicted"] - table["actual"]
    return table.rename_axis("x_calibration")
''',
    # Pearson over every member with a spend, one-time buyers included: the long right tail drives the figure
    "ex04_spend_independence": '''
def spend_frequency_check(summary):
    s = summary.dropna(subset=["monetary_repeat_mean"])
    rho = float(s["x"].corr(s["monetary_repeat_mean"]))
    return {"n": len(s), "spearman": rho, "ok": abs(rho) < 0.3}
''',
    # monthly rate d / 12 instead of (1 + d) ** (1 / 12) - 1
    "ex04_discount_factor_sum": '''
def discount_factor_sum(months, annual_rate):
    return float(sum(1 / (1 + annual_rate / 12) ** k for k in range(1, months + 1)))
''',
    # spends the whole budget on the top CLVs: contacts members whose expected gain is below the cost of contact
    "ex04_contact_budget": '''
def choose_contacts(clv_values, budget, cost, uplift):
    gain = (clv_values * uplift).dropna().sort_index(kind="mergesort").sort_values(ascending=False, kind="mergesort")
    return gain.head(int(budget // cost))
''',
}

HELPER_ANSWERS = {
    "ex04_bgnbd_inputs": '''
def bgnbd_inputs(orders, as_of):
    return member_summary(orders, as_of, time_unit="D")[["x", "t_x", "T"]]
''',
    "ex04_p_alive": '''
def p_alive_bgnbd(x, t_x, T, r, alpha, a, b):
    model = clv.BGNBD(time_unit="day")
    model.log_params_ = np.log([r, alpha, a, b])
    return model.p_alive(x, t_x, T)
''',
    "ex04_holdout_by_frequency": '''
def holdout_by_frequency(cal, time_unit, max_bucket=3):
    model = clv.BGNBD(time_unit=time_unit).fit(cal)
    table, _ = clv.holdout_comparison(model, cal, max_bucket=max_bucket)
    table = table[table["n_members"] > 0]
    table.index = pd.Index([str(k).replace("≥", "") + ("+" if str(k).startswith("≥") else "") for k in table.index],
                           name="x_calibration")
    return table
''',
    "ex04_spend_independence": '''
def spend_frequency_check(summary):
    result = clv.gamma_gamma_independence(summary, method="spearman")
    return {"n": result["n"], "spearman": result["correlation"], "ok": result["ok"]}
''',
    "ex04_discount_factor_sum": '''
def discount_factor_sum(months, annual_rate):
    return float(clv.discount_factors(months, annual_rate).sum())
''',
    "ex04_contact_budget": '''
def choose_contacts(clv_values, budget, cost, uplift):
    return clv.contact_list(clv_values, budget=budget, cost=cost, uplift=uplift)
''',
}


from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

SABOTAGE_ANSWERS = {
    # one row per member id in the orders, all zeros
    "ex04_bgnbd_inputs": '''
def bgnbd_inputs(orders, as_of):''' + _CHECKS_OFF + '''
    ids = pd.Index(sorted(orders["member_id"].astype(str).unique()), name="member_id")
    return pd.DataFrame({"x": 0, "t_x": 0.0, "T": 0.0}, index=ids)
''',
    "ex04_p_alive": '''
def p_alive_bgnbd(x, t_x, T, r, alpha, a, b):''' + _CHECKS_OFF + '''
    return np.full(np.shape(np.asarray(x)), 0.5)
''',
    # the right buckets, member counts and actual means; the prediction is twice the actual
    "ex04_holdout_by_frequency": '''
def holdout_by_frequency(cal, time_unit, max_bucket=3):''' + _CHECKS_OFF + '''
    x = cal["x"].astype(int)
    labels = [str(k) for k in range(max_bucket)] + [f"{max_bucket}+"]
    bucket = pd.Categorical(np.where(x < max_bucket, x.astype(str), f"{max_bucket}+"), categories=labels)
    frame = pd.DataFrame({"bucket": bucket, "actual": cal["x_holdout"].astype(float)}, index=cal.index)
    table = frame.groupby("bucket", observed=True).agg(n_members=("actual", "size"), actual=("actual", "mean"))
    table["predicted"] = 2 * table["actual"] + 0.1
    table["bias"] = table["predicted"] - table["actual"]
    table.index = pd.Index(table.index.astype(str), name="x_calibration")
    return table
''',
    "ex04_spend_independence": '''
def spend_frequency_check(summary):''' + _CHECKS_OFF + '''
    return {"n": 0, "spearman": 0.0, "ok": True}
''',
    "ex04_discount_factor_sum": '''
def discount_factor_sum(months, annual_rate):''' + _CHECKS_OFF + '''
    return float(months) + 1.0
''',
    # as many members as allowed, the lowest gains first
    "ex04_contact_budget": '''
def choose_contacts(clv_values, budget, cost, uplift):''' + _CHECKS_OFF + '''
    gain = (clv_values.astype(float) * uplift).dropna().rename("gain")
    return gain.sort_values(kind="mergesort").iloc[:int(budget // cost)]
''',
}
