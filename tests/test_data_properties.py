"""helpers.data: property tests (hypothesis). Whatever mix of good and bad rows, no row is ever lost.

For any generated orders file: ``rows_read`` equals the number of records written, ``rows_kept + rows_quarantined +
rows_out_of_scope + rows_reversal`` reconciles, quarantined row numbers are unique and in range, kept, quarantined
and out-of-scope rows partition the file, every deliberately broken row is quarantined with the expected column and
reason, every row after the as-of is out of scope (never quarantined), every good row is kept, and the kept frame
passes its pandera schema.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from conftest import csv_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import data
from helpers import tables as T

# DATA_PROPERTY_EXAMPLES=1000 for a deeper hunt; the suite default stays fast
SETTINGS = settings(max_examples=int(os.environ.get("DATA_PROPERTY_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
AS_OF = "2025-12-31"
MEMBERS = [f"M{i}" for i in range(8)]
HEADER = ["order_id", "member_id", "order_ts", "net_amount", "channel", "status", "points_earned", "tag"]
GARBAGE_COLUMNS = ["member_id", "order_ts", "net_amount", "channel", "status", "points_earned"]

# expected (column, reason) for each deliberately broken row kind; None = must be kept
KINDS = {
    "good": None,
    "negative": ("net_amount", data.R_NEGATIVE_NO_ORIGINAL),
    "no_member": ("member_id", data.R_MISSING),
    "unknown_member": ("member_id", data.reason_unknown("members")),
    "future": "out of scope",
    "bad_date": ("order_ts", data.R_DATE),
    "bad_amount": ("net_amount", data.R_NUMBER),
    "bad_channel": ("channel", data.R_NOT_ALLOWED),
    "dup": ("order_id", data.R_DUPLICATE),
    "garbage": "?",
}


def money_text(x: float, style: int) -> str:
    return [f"{x:.2f}", f"¥{x:,.2f}", f"{x}元", f"{x:.1f}", f"￥{x:,.2f}"][style]


row_strategy = st.fixed_dictionaries({
    "kind": st.sampled_from(list(KINDS)),
    "member": st.sampled_from(MEMBERS),
    "ts": st.datetimes(min_value=pd.Timestamp("2021-01-01").to_pydatetime(),
                       max_value=pd.Timestamp("2025-12-31 23:59:59").to_pydatetime()).map(
        lambda d: d.replace(microsecond=0)),
    "ts_style": st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H:%M:%S",
                                 "%Y-%m-%dT%H:%M:%S"]),
    "amount": st.integers(0, 10**8).map(lambda c: c / 100),
    "money_style": st.integers(0, 4),
    "channel": st.sampled_from([*T.CHANNELS, ""]),
    "status": st.sampled_from(["paid", "refunded", "PAID", ""]),
    "points": st.one_of(st.just(""), st.integers(0, 10**6).map(str)),
    "garbage_column": st.sampled_from(GARBAGE_COLUMNS),
    "garbage": st.text(max_size=12),
})


def render(rows: list[dict]) -> tuple[list[list[str]], list[tuple[str, str] | None | str]]:
    out, expected, good_ids = [], [], []
    for i, r in enumerate(rows):
        kind = r["kind"]
        if kind == "dup" and not good_ids:
            kind = "good"
        rec = {"order_id": f"O{i}", "member_id": r["member"], "order_ts": r["ts"].strftime(r["ts_style"]),
               "net_amount": money_text(r["amount"], r["money_style"]), "channel": r["channel"],
               "status": r["status"], "points_earned": r["points"], "tag": str(i + 1)}
        if kind == "negative":
            rec["net_amount"] = f"-{max(r['amount'], 0.01)}"
        elif kind == "no_member":
            rec["member_id"] = ""
        elif kind == "unknown_member":
            rec["member_id"] = "X" + r["member"]
        elif kind == "future":
            rec["order_ts"] = "2026-01-01 00:00:00"
        elif kind == "bad_date":
            rec["order_ts"] = "2025-02-30 12:00:00"
        elif kind == "bad_amount":
            rec["net_amount"] = "12.3.4"
        elif kind == "bad_channel":
            rec["channel"] = "电视购物"
        elif kind == "dup":
            rec["order_id"] = good_ids[0]
        elif kind == "garbage":
            rec[r["garbage_column"]] = r["garbage"]
        if kind == "good":
            good_ids.append(rec["order_id"])
        out.append([rec[h] for h in HEADER])
        expected.append(("garbage", r["garbage_column"]) if kind == "garbage" else KINDS[kind])
    return out, expected


def write_and_load(tmp_path, rows):
    (tmp_path / "members.csv").write_text(
        csv_text(["member_id", "register_ts"], [[m, "2020-01-01"] for m in MEMBERS]), encoding="utf-8")
    (tmp_path / "orders.csv").write_text(csv_text(HEADER, rows), encoding="utf-8")
    return data.load(tmp_path, as_of=AS_OF)


@SETTINGS
@given(rows=st.lists(row_strategy, min_size=1, max_size=40))
def test_no_row_is_ever_lost(tmp_path_factory, rows):
    tmp_path = tmp_path_factory.mktemp("prop")
    records, expected = render(rows)
    ds = write_and_load(tmp_path, records)
    n = len(records)

    c = ds.counts.loc["orders"]
    assert c.rows_read == n and c.rows_reversal == 0  # no row names an original order
    assert c.rows_read == c.rows_kept + c.rows_quarantined + c.rows_out_of_scope
    cs = ds.counts
    assert (cs.rows_read == cs.rows_kept + cs.rows_quarantined + cs.rows_out_of_scope + cs.rows_reversal).all()
    q = ds.quarantine[ds.quarantine.table == "orders"]
    assert len(q) == c.rows_quarantined
    assert q.row.is_unique and q.row.between(1, n).all()
    kept_rows = ds.orders.tag.astype(int)
    future = {i for i, e in enumerate(expected, start=1) if e == "out of scope"}
    assert c.rows_out_of_scope >= len(future)  # garbage never parses as a later date, but stays allowed to
    assert set(kept_rows).isdisjoint(set(q.row)) and not (set(kept_rows) | set(q.row)) & future
    assert len(set(kept_rows) | set(q.row)) == n - c.rows_out_of_scope
    assert set(q.reason) <= set(data.QUARANTINE_REASONS)

    by_row = q.set_index("row")
    for i, exp in enumerate(expected, start=1):
        if exp is None:
            assert i not in by_row.index, (i, records[i - 1], by_row.loc[i].to_dict())
        elif exp == "out of scope":
            assert i not in by_row.index and i not in set(kept_rows)
        elif exp[0] == "garbage":  # kept, or quarantined for the garbage column
            if i in by_row.index:
                assert by_row.loc[i, "column"] == exp[1], (records[i - 1], by_row.loc[i].to_dict())
        else:
            assert i in by_row.index, (i, records[i - 1], exp)
            assert (by_row.loc[i, "column"], by_row.loc[i, "reason"]) == exp

    o = ds.orders
    data.schema_for("orders").validate(o)
    assert o.order_id.is_unique and o.member_id.notna().all() and o.member_id.isin(MEMBERS).all()
    assert (o.net_amount >= 0).all() and o.order_ts.notna().all()
    assert (o.order_ts < pd.Timestamp(AS_OF) + pd.Timedelta(days=1)).all()
    assert o.channel.dropna().isin(T.CHANNELS).all()


@SETTINGS
@given(cents=st.lists(st.integers(0, 10**9), min_size=1, max_size=20), style=st.integers(0, 4),
       full_width=st.booleans())
def test_money_text_round_trips(tmp_path_factory, cents, style, full_width):
    amounts = [c / 100 for c in cents]
    texts = [money_text(a, style) for a in amounts]
    if full_width:
        texts = [t.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}) for t in texts]
    rows = [[f"O{i}", "M1", "2025-01-01", t] for i, t in enumerate(texts)]
    path = tmp_path_factory.mktemp("money") / "orders.csv"
    path.write_text(csv_text(["order_id", "member_id", "order_ts", "net_amount"], rows), encoding="gb18030")
    ds = data.load(path)
    assert ds.quarantine.empty
    np.testing.assert_allclose(ds.orders.net_amount.to_numpy(), amounts, rtol=0, atol=0.051 if style == 3 else 1e-9)


@SETTINGS
@given(stamps=st.lists(st.datetimes(min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
                                    max_value=pd.Timestamp("2030-12-31").to_pydatetime()),
                       min_size=1, max_size=20),
       style=st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H:%M:%S", "%Y%m%d",
                              "%Y-%m-%dT%H:%M:%S", "%Y.%m.%d %H:%M"]),
       strip_zeros=st.booleans())
def test_datetime_text_round_trips(tmp_path_factory, stamps, style, strip_zeros):
    texts = [s.strftime(style) for s in stamps]
    if strip_zeros and style.startswith(("%Y/", "%Y年", "%Y.")):
        texts = [t.replace("/0", "/").replace("年0", "年").replace("月0", "月").replace(".0", ".") for t in texts]
    rows = [[f"O{i}", "M1", t, "1"] for i, t in enumerate(texts)]
    path = tmp_path_factory.mktemp("dates") / "orders.csv"
    path.write_text(csv_text(["order_id", "member_id", "order_ts", "net_amount"], rows), encoding="utf-8")
    ds = data.load(path)
    assert ds.quarantine.empty, ds.quarantine
    expected = [pd.Timestamp(s.strftime("%Y-%m-%d %H:%M:%S" if "%H" in style else "%Y-%m-%d")) for s in stamps]
    if "%S" not in style and "%H" in style:
        expected = [e.floor("min") for e in expected]
    assert ds.orders.order_ts.tolist() == expected


world_strategy = st.fixed_dictionaries({
    "members": st.lists(st.sampled_from(["ok", "ok", "ok", "bad_date", "dup", "bad_gender"]), min_size=1, max_size=8),
    "orders": st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["ok", "ok", "ok", "neg", "dup", "early"])),
                       min_size=1, max_size=25),
    "items": st.lists(st.tuples(st.integers(0, 30), st.integers(1, 3), st.sampled_from(["ok", "ok", "zero"])),
                      min_size=1, max_size=40),
})


@SETTINGS
@given(w=world_strategy)
def test_kept_tables_are_referentially_whole(tmp_path_factory, w):
    """Across members → orders → order_items with bad rows anywhere, the kept frames never hold a dangling
    reference, each table reconciles, and every rejected row is in the quarantine exactly once."""
    tmp_path = tmp_path_factory.mktemp("world")
    members = []
    for i, kind in enumerate(w["members"]):
        mid = "M0" if kind == "dup" else f"M{i}"
        members.append([mid, "2025-13-01" if kind == "bad_date" else "2024-01-01",
                        "火星人" if kind == "bad_gender" else "女"])
    orders = []
    for i, (m, kind) in enumerate(w["orders"]):
        orders.append(["O0" if kind == "dup" else f"O{i}", f"M{m}",
                       "2023-06-01 10:00:00" if kind == "early" else "2025-02-01 10:00:00",
                       "-1" if kind == "neg" else "10"])
    items = [[f"O{o}", str(line), "P1", "0" if kind == "zero" else "1"] for o, line, kind in w["items"]]
    (tmp_path / "members.csv").write_text(csv_text(["member_id", "register_ts", "gender"], members), "utf-8")
    (tmp_path / "orders.csv").write_text(csv_text(["order_id", "member_id", "order_ts", "net_amount"], orders), "utf-8")
    (tmp_path / "order_items.csv").write_text(csv_text(["order_id", "line_no", "product_id", "quantity"], items), "utf-8")
    ds = data.load(tmp_path)

    sizes = {"members": len(members), "orders": len(orders), "order_items": len(items)}
    for table, n in sizes.items():
        c = ds.counts.loc[table]
        # a negative order repeating another order's number is a 红冲 reversal of it (rows_reversal)
        assert c.rows_read == n == c.rows_kept + c.rows_quarantined + c.rows_reversal and c.rows_out_of_scope == 0
        q = ds.quarantine[ds.quarantine.table == table]
        assert len(q) == c.rows_quarantined and q.row.is_unique and q.row.between(1, n).all()
    assert ds.orders.member_id.isin(ds.members.member_id).all()
    assert ds.order_items.order_id.isin(ds.orders.order_id).all()
    assert ds.members.member_id.is_unique and ds.orders.order_id.is_unique
    assert not ds.order_items.duplicated(["order_id", "line_no"]).any()
    reg = ds.members.set_index("member_id").register_ts.reindex(pd.Index(ds.orders.member_id))
    assert (ds.orders.order_ts.dt.normalize().to_numpy() >= reg.dt.normalize().to_numpy()).all()
    # an order line whose order id only exists among quarantined orders is quarantined as "parent order
    # quarantined" (unless an earlier check, a duplicate (order_id, line_no), caught it first)
    q_items = ds.quarantine[(ds.quarantine.table == "order_items")].set_index("row")
    kept_ids = set(ds.orders.order_id)
    all_ids = {o[0] for o in orders}
    for row, (oid, _, _, qty) in enumerate(items, start=1):
        if qty == "1" and oid in all_ids and oid not in kept_ids:
            assert q_items.loc[row, "reason"] in {data.reason_parent_quarantined("orders"), data.R_DUPLICATE}
        if oid not in all_ids:
            assert q_items.loc[row, "reason"] in {data.reason_unknown("orders"), data.R_MINIMUM, data.R_DUPLICATE}


@SETTINGS
@given(days=st.lists(st.integers(0, 60), min_size=1, max_size=20), cut=st.integers(0, 60),
       items=st.lists(st.integers(0, 25), max_size=30))
def test_the_as_of_splits_rows_into_kept_and_out_of_scope(tmp_path_factory, days, cut, items):
    """Whatever the as-of: an order is kept iff its day is on or before it, every line of a later order is out of
    scope with it (never an orphan, never quarantined), and every table reconciles."""
    tmp_path = tmp_path_factory.mktemp("scope")
    start = pd.Timestamp("2025-01-01 09:30:00")
    orders = [[f"O{i}", "M1", str(start + pd.Timedelta(days=d)), "10"] for i, d in enumerate(days)]
    lines = [[f"O{o}", str(k + 1), "P1", "1"] for k, o in enumerate(items)]
    (tmp_path / "orders.csv").write_text(csv_text(["order_id", "member_id", "order_ts", "net_amount"], orders), "utf-8")
    if lines:
        (tmp_path / "order_items.csv").write_text(
            csv_text(["order_id", "line_no", "product_id", "quantity"], lines), "utf-8")
    as_of = (start + pd.Timedelta(days=cut)).normalize()
    ds = data.load(tmp_path, as_of=str(as_of.date()))
    later = {f"O{i}" for i, d in enumerate(days) if d > cut}
    assert set(ds.orders.order_id) == {f"O{i}" for i in range(len(days))} - later
    assert ds.counts.loc["orders", "rows_out_of_scope"] == len(later)
    if lines:
        oos_lines = sum(o[0] in later for o in lines)
        unknown = sum(o[0] not in {r[0] for r in orders} for o in lines)
        assert ds.counts.loc["order_items"].tolist() == [len(lines), len(lines) - oos_lines - unknown, unknown,
                                                         oos_lines, 0]
    assert set(ds.quarantine.reason) <= {data.reason_unknown("orders")}
    c = ds.counts
    assert (c.rows_read == c.rows_kept + c.rows_quarantined + c.rows_out_of_scope + c.rows_reversal).all()
