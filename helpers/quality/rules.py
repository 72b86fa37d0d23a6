"""The quality rules, one generator per dimension, each yielding ``(table, column, check, checked, failed)``.

Why generators of row masks rather than counts: the same rules serve the aggregated report
(:mod:`helpers.quality.dimensions`), the rows behind a count (:func:`helpers.quality.failed_rows`) and the
"clean rows" that the problem injector plants problems into (:mod:`helpers.quality.inject`). A rule written once
cannot count one thing in the report and another in the exercise answer.

Table-level checks (timeliness of a feed) yield one-element masks: one check, failed or not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.data import isin_str
from helpers.quality._base import (
    MONEY_TOL,
    _b,
    _missing,
    _num,
    _ts,
    cutoff,
    event_column,
    reversal_column,
    reversal_lines,
)
from helpers.tables import TABLES

#: Chinese names of the checks (for summaries and plots)
CHECK_ZH = {
    "missing": "缺失值",
    "missing_required": "必填字段缺失",
    "negative_amount": "金额为负",
    "below_min": "低于下限",
    "implausible_birth_year": "出生年份不合理",
    "out_of_range": "超出取值范围",
    "not_allowed": "不在允许取值内",
    "net_gt_gross": "实付大于应付",
    "after_as_of": "时间晚于截止日",
    "orphan_key": "关联不到主表",
    "order_before_registration": "注册前下单",
    "channel_vs_store": "渠道与门店类型不符",
    "gross_vs_items": "订单金额与明细合计不符",
    "line_vs_qty_price": "行金额≠数量×单价",
    "reversal_exceeds_original": "红冲金额超过原订单",
    "reversal_other_member": "红冲与原订单会员不同",
    "stale_feed": "数据更新滞后",
    "response_before_created": "响应早于提交",
    "resolved_before_created": "解决早于提交",
    "duplicate_key": "主键重复",
    "duplicate_content": "内容重复（疑似重复提交）",
    "duplicate_masked_phone": "脱敏手机号重复（疑似重复会员）",
    "unmasked_mobile": "未脱敏手机号",
    "unmasked_id_card": "未脱敏身份证号",
    "unmasked_email": "未脱敏邮箱",
}

#: tables that arrive as a daily feed, with the largest acceptable lag in days between the as-of date and the
#: table's latest event (T+1: yesterday's rows must be there); other tables (campaigns, stores …) change rarely
FEED_SLA_DAYS = {"orders": 1, "events": 1}


def completeness_rules(frames, as_of=None):
    for name, df in frames.items():
        spec = TABLES.get(name)
        for col in df.columns:
            required = False
            if spec is not None and col in spec.column_names:
                c = spec.column(col)
                required = c.required or not c.nullable
            check = "missing_required" if required else "missing"
            yield name, col, check, np.ones(len(df), dtype=bool), _missing(df[col])


def accuracy_rules(frames, as_of=None, reference=None):
    """``as_of``: the given as-of date (after-as-of check only with one); ``reference``: the day plausibility is
    judged against (birth years), the as-of date or the last order day."""
    end = cutoff(as_of)
    for name, df in frames.items():
        spec = TABLES.get(name)
        if spec is None:
            continue
        reversal = reversal_lines(df, name)  # 红冲 lines: a negative amount that names its original order
        ev = event_column(spec)
        for c in spec.columns:
            if c.name not in df.columns:
                continue
            s = df[c.name]
            if c.kind in ("money", "int", "float") and c.min_value is not None:
                x = _num(s)
                check = "negative_amount" if c.kind == "money" and c.min_value == 0 else "below_min"
                checked = _b(x.notna())
                if c.kind == "money":
                    checked &= ~reversal
                yield name, c.name, check, checked, checked & _b(x < c.min_value)
            elif c.kind == "money" and name == "orders" and c.name == "net_amount":
                # the contract allows negative amounts (红冲): negative is still wrong on a line without a reference
                x = _num(s)
                checked = _b(x.notna()) & ~reversal
                yield name, c.name, "negative_amount", checked, checked & _b(x < 0)
            if c.allowed is not None:
                present = ~_missing(s)
                if isinstance(s.dtype, pd.CategoricalDtype):
                    ok_cat = np.asarray(s.cat.categories.astype(str).isin(c.allowed), dtype=bool)
                    codes = s.cat.codes.to_numpy()
                    allowed = (codes >= 0) & (ok_cat[np.clip(codes, 0, None)] if len(ok_cat) else False)
                else:
                    allowed = isin_str(s, pd.Series(c.allowed))
                yield name, c.name, "not_allowed", present, present & ~allowed
            if c.name == ev and end is not None:
                t = _ts(s)
                yield name, c.name, "after_as_of", _b(t.notna()), _b(t >= end)
        if name == "members" and "birth_year" in df.columns and reference is not None:
            y = _num(df["birth_year"])
            year = reference.year
            yield name, "birth_year", "implausible_birth_year", _b(y.notna()), _b((y < year - 100) | (y > year - 14))
        if name == "feedback" and "rating" in df.columns:
            r = _num(df["rating"])
            yield name, "rating", "out_of_range", _b(r.notna()), _b(r.notna() & ((r < 1) | (r > 5) | (r != r.round())))
        if name == "orders" and {"net_amount", "gross_amount"} <= set(df.columns):
            net, gross = _num(df["net_amount"]), _num(df["gross_amount"])
            both = _b(net.notna() & gross.notna()) & ~reversal
            yield name, "net_amount", "net_gt_gross", both, both & _b(net > gross + MONEY_TOL / 2)


def _lookup(keys: pd.Series, table: pd.DataFrame, key: str, value: str) -> pd.Series:
    """``value`` of the first row of ``table`` whose ``key`` equals each of ``keys`` (as strings)."""
    first = table.drop_duplicates(key)
    mapping = pd.Series(first[value].to_numpy(), index=first[key].astype("string").to_numpy())
    return keys.astype("string").map(mapping)


def consistency_rules(frames, as_of=None):
    for name, df in frames.items():
        spec = TABLES.get(name)
        if spec is None:
            continue
        for col, (ref_table, ref_col) in spec.foreign_keys.items():
            if col not in df.columns or ref_table not in frames or ref_col not in frames[ref_table].columns:
                continue
            present = ~_missing(df[col])
            known = isin_str(df[col], frames[ref_table][ref_col])
            yield name, col, "orphan_key", present, present & ~known

    orders, members = frames.get("orders"), frames.get("members")
    if orders is not None and members is not None and {"member_id", "order_ts"} <= set(orders.columns) \
            and {"member_id", "register_ts"} <= set(members.columns):
        reg = _ts(_lookup(orders["member_id"], members, "member_id", "register_ts"))
        ts = _ts(orders["order_ts"])
        checked = _b(ts.notna() & reg.notna())
        # same rule as the loader: an earlier calendar day than the registration (same day is accepted, POS
        # systems often stamp the registration seconds after the first purchase)
        yield "orders", "order_ts", "order_before_registration", checked, checked & _b(ts.dt.normalize() < reg.dt.normalize())
    stores = frames.get("stores")
    if orders is not None and stores is not None and {"store_id", "channel"} <= set(orders.columns) \
            and {"store_id", "store_type"} <= set(stores.columns):
        kind = _lookup(orders["store_id"], stores, "store_id", "store_type").astype("string")
        ch = orders["channel"].astype("string")
        checked = _b(kind.notna() & ch.notna())
        yield "orders", "channel", "channel_vs_store", checked, checked & _b(ch != kind)
    items = frames.get("order_items")
    if orders is not None and items is not None and {"order_id", "gross_amount"} <= set(orders.columns) \
            and {"order_id", "line_amount"} <= set(items.columns):
        sums = _num(items["line_amount"]).groupby(items["order_id"].astype("string")).sum(min_count=1)
        mapped = orders["order_id"].astype("string").map(sums)
        gross = _num(orders["gross_amount"])
        checked = _b(mapped.notna() & gross.notna())
        yield "orders", "gross_amount", "gross_vs_items", checked, checked & _b((gross - mapped).abs() > MONEY_TOL)
    if items is not None and {"quantity", "unit_price", "line_amount"} <= set(items.columns):
        q, p, line = _num(items["quantity"]), _num(items["unit_price"]), _num(items["line_amount"])
        checked = _b(q.notna() & p.notna() & line.notna())
        yield "order_items", "line_amount", "line_vs_qty_price", checked, checked & _b((q * p - line).abs() > MONEY_TOL)
    ref = reversal_column("orders")
    if orders is not None and ref is not None and {ref, "order_id", "net_amount"} <= set(orders.columns):
        rev = reversal_lines(orders)
        original = _num(_lookup(orders[ref], orders, "order_id", "net_amount"))
        net = _num(orders["net_amount"])
        checked = rev & _b(original.notna() & net.notna())
        yield "orders", "net_amount", "reversal_exceeds_original", checked, checked & _b(net.abs() > original + MONEY_TOL)
        if "member_id" in orders.columns:
            owner = _lookup(orders[ref], orders, "order_id", "member_id").astype("string")
            checked = rev & _b(owner.notna())
            yield "orders", "member_id", "reversal_other_member", checked, checked & _b(owner != orders["member_id"].astype("string"))


def timeliness_rules(frames, as_of=None, reference=None):
    """及时性: each daily feed's latest event lags the reference date by at most its SLA (one table-level check);
    时序性: a reply or a resolution cannot come before the message it answers."""
    for name, sla in FEED_SLA_DAYS.items():
        df = frames.get(name)
        ev = event_column(name)
        if df is None or ev is None or ev not in df.columns or reference is None:
            continue
        t = _ts(df[ev])
        end = cutoff(as_of)
        latest = (t[t < end] if end is not None else t).max()  # a row after the as-of date is not "fresh data"
        lag = np.inf if pd.isna(latest) else (reference - latest.normalize()).days
        yield name, ev, "stale_feed", np.ones(1, dtype=bool), np.array([lag > sla])
    fb = frames.get("feedback")
    if fb is not None and "created_ts" in fb.columns:
        created = _ts(fb["created_ts"])
        for col, check in (("first_response_ts", "response_before_created"), ("resolved_ts", "resolved_before_created")):
            if col in fb.columns:
                t = _ts(fb[col])
                checked = _b(t.notna() & created.notna())
                yield "feedback", col, check, checked, checked & _b(t < created)


def uniqueness_rules(frames, as_of=None):
    """One real-world thing, one row: duplicate keys, the same order under two order numbers, and members who
    share one masked phone (a lead to check, not a proof: masking leaves only 7 digits)."""
    for name, df in frames.items():
        spec = TABLES.get(name)
        if spec is None:
            continue
        key = list(spec.key)
        if key and set(key) <= set(df.columns) and len(df):
            yield name, "+".join(key), "duplicate_key", np.ones(len(df), dtype=bool), _b(df.duplicated(subset=key))
    orders = frames.get("orders")
    content = ["member_id", "order_ts", "net_amount"]
    if orders is not None and set(content) <= set(orders.columns) and len(orders):
        complete = ~(_missing(orders["member_id"]) | orders["order_ts"].isna().to_numpy() | orders["net_amount"].isna().to_numpy())
        same = _b(orders.duplicated(subset=content))
        if "order_id" in orders.columns:  # an exact key duplicate is already counted above
            same &= ~_b(orders.duplicated(subset=[*content, "order_id"]))
        yield "orders", "+".join(content), "duplicate_content", complete, complete & same
    members = frames.get("members")
    if members is not None and "phone_masked" in members.columns:
        ph = members["phone_masked"].astype("string")
        present = ~_missing(ph)
        dup = present & _b(ph.where(present).duplicated(keep="first"))
        yield "members", "phone_masked", "duplicate_masked_phone", present, dup


def security_rules(frames, as_of=None):
    from helpers.quality.pii import _is_text, _scan_pii

    for name, df in frames.items():
        for col in df.columns:
            s = df[col]
            if not _is_text(s):
                continue
            present = _b(s.notna())
            for kind, mask in _scan_pii(s).items():
                yield name, col, f"unmasked_{kind}", present, mask


def rules(dimension: str, frames, as_of=None, reference=None):
    """The rule generator of one dimension with the arguments it takes."""
    if dimension == "accuracy":
        return accuracy_rules(frames, as_of, reference)
    if dimension == "timeliness":
        return timeliness_rules(frames, as_of, reference)
    return RULES[dimension](frames, as_of)


RULES = {
    "completeness": completeness_rules,
    "accuracy": accuracy_rules,
    "consistency": consistency_rules,
    "timeliness": timeliness_rules,
    "uniqueness": uniqueness_rules,
    "security": security_rules,
}
