"""Typical wrong answers for module 01 (tests/test_nbgrader_roundtrip.py): grade_id -> source of the solution cell.

Each one is a mistake trainees really make, and each must score 0 on its exercise's test cell.
"""

WRONG_ANSWERS = {
    # NaN only: blank strings from an Excel export ('' and '  ') are not counted as missing
    "ex01_missing_share": '''
def missing_share(df):
    return df.isna().mean()
''',
    # slices the raw input: "+86 138-1234-5678" becomes "+86****5678", and invalid input is echoed back
    "ex02_mask_mobile": '''
def mask_mobile(text):
    if text is None:
        return None
    return text[:3] + "****" + text[-4:]
''',
    # counts quarantine lines instead of distinct source rows, and tables without quarantine get NaN
    "ex03_reconcile": '''
def reconcile(rows_read, kept, quarantine):
    tables = list(rows_read)
    result = pd.DataFrame({
        "rows_read": [rows_read[t] for t in tables],
        "rows_kept": [len(kept[t]) for t in tables],
    }, index=pd.Index(tables, name="table"))
    result["rows_quarantined"] = quarantine.groupby("table").size()
    result["balanced"] = result["rows_read"] == result["rows_kept"] + result["rows_quarantined"]
    return result
''',
    # compares timestamps, so a same-day purchase a few minutes before registering is flagged
    "ex04_orders_before_registration": '''
def orders_before_registration(orders, members):
    register = members.set_index("member_id")["register_ts"]
    return orders[orders["order_ts"] < orders["member_id"].map(register)]
''',
    # .mean() skips missing consent flags, so NA drops out of the denominator and the share is too high
    "ex05_contactable_share": '''
def contactable_share(members, channel="sms"):
    column = {"sms": "sms_consent", "email": "email_consent"}[channel]
    return float(members[column].mean())
''',
    # compares with midnight at the start of the as-of day, so that day's own orders count as "after"
    "ex06_accuracy_counts": '''
def accuracy_counts(orders, as_of):
    return {
        "negative_amount": int((orders["net_amount"] < 0).sum()),
        "net_gt_gross": int((orders["net_amount"] > orders["gross_amount"]).sum()),
        "after_as_of": int((orders["order_ts"] > pd.Timestamp(as_of)).sum()),
    }
''',
}
