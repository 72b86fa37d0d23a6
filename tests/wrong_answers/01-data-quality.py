"""Answers that must score 0 for module 01 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

``WRONG_ANSWERS``: a mistake trainees really make, one per exercise. ``HELPER_ANSWERS``: for every code exercise,
the answer that only calls the course helper implementing it (the test cell blocks that helper while the answer
runs, so the exercise scores 0 and the feedback says why).
``SABOTAGE_ANSWERS``: for every code exercise, an answer that switches the freshly reloaded
``helpers.checks`` off from its own function body and returns a value of the right type and shape but wrong
content; only the plain ``assert`` statements that end each hidden test can catch it, so each must score 0.
"""

WRONG_ANSWERS = {
    # NaN only: blank strings from an Excel export ('' and '  ') are not counted as missing
    "ex01_missing_share": '''
def missing_share(df):
    return df.isna().mean()
''',
    # slices the raw input: "+86 138-1234-5678" becomes "+86****5678", and invalid input is echoed back
    "ex01_mask_mobile": '''
def mask_mobile(text):
    if text is None:
        return None
    return text[:3] + "****" + text[-4:]
''',
    # counts quarantine lines instead of distinct source rows: a row listed under two reasons is counted twice
    "ex01_rank_sources": '''
def rank_sources(quarantine, counts):
    ranked = quarantine.groupby(["table", "reason"]).size().rename("rows").reset_index()
    ranked["share"] = ranked["rows"] / ranked["table"].map(counts["rows_read"])
    ranked = ranked.sort_values(["rows", "share", "table", "reason"], ascending=[False, False, True, True])
    return ranked.reset_index(drop=True)
''',
    # compares timestamps, so a same-day purchase a few minutes before registering is flagged
    "ex01_orders_before_registration": '''
def orders_before_registration(orders, members):
    register = members.set_index("member_id")["register_ts"]
    return orders[orders["order_ts"] < orders["member_id"].map(register)]
''',
    # .mean() skips missing consent flags (NA drops out of the denominator) and the opt-outs are ignored
    "ex01_contactable_share": '''
def contactable_share(members, channel="sms", opted_out=()):
    column = {"sms": "sms_consent", "email": "email_consent"}[channel]
    return float(members[column].mean())
''',
    # every negative amount is an error: the 红冲 refund lines are counted as mistakes
    "ex01_accuracy_counts": '''
def accuracy_counts(orders, as_of):
    end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    has_ref = "original_order_id" in orders.columns
    reversal = orders["original_order_id"].notna() if has_ref else pd.Series(False, index=orders.index)
    return {
        "reversal": int(reversal.sum()),
        "negative_amount": int((orders["net_amount"] < 0).sum()),
        "net_gt_gross": int((orders["net_amount"] > orders["gross_amount"]).sum()),
        "after_as_of": int((orders["order_ts"] >= end).sum()),
    }
''',
    # orders after the as-of date are kept: a channel whose feed stopped looks fresh because of a future order
    "ex01_channel_lag": '''
def channel_lag(orders, as_of, sla_days=1):
    day = pd.Timestamp(as_of).normalize()
    last_day = orders.groupby("channel", observed=True)["order_ts"].max().dt.normalize()
    lag = (day - last_day).dt.days
    result = pd.DataFrame({"last_day": last_day, "lag_days": lag, "breaks_sla": lag > sla_days})
    result.index.name = "channel"
    return result.sort_index().sort_values("lag_days", ascending=False, kind="mergesort")
''',
}

HELPER_ANSWERS = {
    "ex01_missing_share": '''
def missing_share(df):
    return quality.completeness(df).set_index("column")["share"].rename(None).rename_axis(None)
''',
    "ex01_mask_mobile": '''
def mask_mobile(text):
    masked = quality.mask_phone(text)
    return masked if masked is not None and "*" not in str(text) else None
''',
    "ex01_rank_sources": '''
def rank_sources(quarantine, counts):
    return quality.quarantine_impact(quarantine, counts)
''',
    "ex01_orders_before_registration": '''
def orders_before_registration(orders, members):
    return quality.failed_rows({"orders": orders, "members": members}, "order_before_registration")
''',
    "ex01_contactable_share": '''
def contactable_share(members, channel="sms", opted_out=()):
    ok = quality.contactable(members, channel) & ~members["member_id"].isin(list(opted_out))
    return float(ok.mean())
''',
    "ex01_accuracy_counts": '''
def accuracy_counts(orders, as_of):
    rep = quality.accuracy(orders, as_of=as_of).set_index(["column", "check"])["n_failed"]
    reversal = orders["original_order_id"].notna().sum() if "original_order_id" in orders.columns else 0
    return {"reversal": int(reversal), "negative_amount": int(rep[("net_amount", "negative_amount")]),
            "net_gt_gross": int(rep[("net_amount", "net_gt_gross")]), "after_as_of": int(rep[("order_ts", "after_as_of")])}
''',
    "ex01_channel_lag": '''
def channel_lag(orders, as_of, sla_days=1):
    lag = quality.feed_lag(orders, as_of=as_of, sla_days=sla_days)
    return lag.sort_index().sort_values("lag_days", ascending=False, kind="mergesort")
''',
}


from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

SABOTAGE_ANSWERS = {
    "ex01_missing_share": '''
def missing_share(df):''' + _CHECKS_OFF + '''
    return pd.Series(0.0, index=df.columns)
''',
    "ex01_mask_mobile": '''
def mask_mobile(text):''' + _CHECKS_OFF + '''
    return "1**********"
''',
    # the right rows in reverse order
    "ex01_rank_sources": '''
def rank_sources(quarantine, counts):''' + _CHECKS_OFF + '''
    first = quarantine.drop_duplicates(["table", "row"], keep="first")
    ranked = first.groupby(["table", "reason"]).size().rename("rows").reset_index()
    ranked["share"] = ranked["rows"] / ranked["table"].map(counts["rows_read"])
    ranked = ranked.sort_values(["rows", "share", "table", "reason"], ascending=[True, True, False, False])
    return ranked[["table", "reason", "rows", "share"]].reset_index(drop=True)
''',
    # as many orders as the right answer has, all of them placed on or after the registration day
    "ex01_orders_before_registration": '''
def orders_before_registration(orders, members):''' + _CHECKS_OFF + '''
    register = members.drop_duplicates("member_id").set_index("member_id")["register_ts"]
    early = (orders["order_ts"].dt.normalize() < orders["member_id"].map(register).dt.normalize()).fillna(False)
    return orders[~early.astype(bool)].head(int(early.sum()))
''',
    "ex01_contactable_share": '''
def contactable_share(members, channel="sms", opted_out=()):''' + _CHECKS_OFF + '''
    return 0.0
''',
    "ex01_accuracy_counts": '''
def accuracy_counts(orders, as_of):''' + _CHECKS_OFF + '''
    return {"reversal": 0, "negative_amount": 0, "net_gt_gross": 0, "after_as_of": 0}
''',
    # the right channels and last days, the lag one day off and the SLA flag flipped
    "ex01_channel_lag": '''
def channel_lag(orders, as_of, sla_days=1):''' + _CHECKS_OFF + '''
    day = pd.Timestamp(as_of).normalize()
    in_scope = orders[orders["order_ts"] < day + pd.Timedelta(days=1)]
    last_day = in_scope.groupby("channel", observed=True)["order_ts"].max().dt.normalize()
    lag = (day - last_day).dt.days.astype("int64") + 1
    result = pd.DataFrame({"last_day": last_day, "lag_days": lag, "breaks_sla": lag <= sla_days})
    result.index.name = "channel"
    return result.sort_index().sort_values("lag_days", ascending=False, kind="mergesort")
''',
}
