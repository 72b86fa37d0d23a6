"""helpers.data: the loader's row-level quarantine, out-of-scope rows and the Dataset API.

Every test builds its own small files in ``tmp_path``, except the one that loads ``datasets/default``. Parsing by
kind, header aliases and file-level errors: tests/test_data_files.py.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
from conftest import csv_text

from helpers import data
from helpers import tables as T
from helpers.data import DataFileError

# a small, fully valid world: members, stores, products, orders, order_items
BASE: dict[str, list[dict[str, object]]] = {
    "members": [
        {"member_id": "M1", "register_ts": "2024-01-01 10:00:00", "gender": "女", "birth_year": "1990",
         "sms_consent": "是"},
        {"member_id": "M2", "register_ts": "2024-06-01 09:30:00", "gender": "男", "birth_year": "1985",
         "sms_consent": "否"},
        {"member_id": "M3", "register_ts": "2025-01-05 18:00:00", "gender": "未知", "birth_year": "",
         "sms_consent": "1"},
    ],
    "stores": [
        {"store_id": "S1", "store_name": "徐汇店", "store_type": "门店", "open_date": "2020-05-01"},
        {"store_id": "S2", "store_name": "线上商城", "store_type": "线上商城", "open_date": "2021-01-01"},
    ],
    "products": [
        {"product_id": "P1", "product_name": "牛奶", "category": "乳品", "price": "12.50"},
        {"product_id": "P2", "product_name": "面包", "category": "烘焙", "price": "8"},
    ],
    "orders": [
        {"order_id": "O1", "member_id": "M1", "order_ts": "2025-03-01 12:00:00", "store_id": "S1",
         "channel": "门店", "net_amount": "25.00", "points_earned": "25", "status": "paid"},
        {"order_id": "O2", "member_id": "M2", "order_ts": "2025-03-02 13:15:00", "store_id": "S2",
         "channel": "线上商城", "net_amount": "8.00", "points_earned": "8", "status": "paid"},
        {"order_id": "O3", "member_id": "M1", "order_ts": "2025-04-10 09:00:00", "store_id": "S1",
         "channel": "门店", "net_amount": "12.50", "points_earned": "12", "status": "refunded"},
        {"order_id": "O4", "member_id": "M3", "order_ts": "2025-05-20 20:45:10", "store_id": "S2",
         "channel": "小程序", "net_amount": "33.00", "points_earned": "", "status": "paid"},
        {"order_id": "O5", "member_id": "M2", "order_ts": "2025-06-01 08:00:00", "store_id": "S1",
         "channel": "门店", "net_amount": "0", "points_earned": "0", "status": "paid"},
    ],
    "order_items": [
        {"order_id": "O1", "line_no": "1", "product_id": "P1", "quantity": "2", "unit_price": "12.50"},
        {"order_id": "O2", "line_no": "1", "product_id": "P2", "quantity": "1", "unit_price": "8.00"},
        {"order_id": "O3", "line_no": "1", "product_id": "P1", "quantity": "1", "unit_price": "12.50"},
        {"order_id": "O4", "line_no": "1", "product_id": "P1", "quantity": "2", "unit_price": "12.50"},
        {"order_id": "O4", "line_no": "2", "product_id": "P2", "quantity": "1", "unit_price": "8.00"},
    ],
}


def write_world(root: Path, world: dict[str, list[dict[str, object]]], ext: str = "csv") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for table, rows in world.items():
        header = list(rows[0])
        (root / f"{table}.{ext}").write_text(csv_text(header, [[r[h] for h in header] for r in rows]),
                                            encoding="utf-8")
    return root


def world(**changes) -> dict[str, list[dict[str, object]]]:
    w = copy.deepcopy(BASE)
    for key, value in changes.items():
        table, row, column = key.split("__")
        w[table][int(row) - 1][column] = value
    return w


def qrows(ds) -> list[tuple[str, int, str, str]]:
    q = ds.quarantine
    return list(zip(q.table, q.row.astype(int), q.column, q.reason, strict=True))


# ------------------------------------------------------------------------------------------------------------
# a clean world loads cleanly, typed as the conventions say
# ------------------------------------------------------------------------------------------------------------
def test_clean_world_loads_without_quarantine(tmp_path):
    ds = data.load(write_world(tmp_path, BASE))
    assert ds.present == ("members", "products", "stores", "orders", "order_items")
    assert ds.quarantine.empty and list(ds.quarantine.columns)[:6] == data.QUARANTINE_COLUMNS
    assert ds.counts.to_dict("index")["orders"] == {"rows_read": 5, "rows_kept": 5, "rows_quarantined": 0,
                                                    "rows_out_of_scope": 0, "rows_reversal": 0}
    o = ds.orders
    assert str(o.order_id.dtype) == "string" and str(o.member_id.dtype) == "string"
    assert o.order_ts.dtype == "datetime64[ns]" and o.net_amount.dtype == "float64"
    assert str(o.points_earned.dtype) == "Int64" and o.points_earned.isna().sum() == 1
    assert isinstance(o.channel.dtype, pd.CategoricalDtype)
    assert list(o.channel.cat.categories) == list(T.CHANNELS)
    assert str(ds.members.sms_consent.dtype) == "boolean"
    assert ds.members.sms_consent.tolist() == [True, False, True]
    assert ds.stores.open_date.dtype == "datetime64[ns]"
    assert o.net_amount.tolist() == [25.0, 8.0, 12.5, 33.0, 0.0]
    for name in ds.present:
        data.schema_for(name).validate(ds[name])


# ------------------------------------------------------------------------------------------------------------
# every bad-row kind: exactly the expected quarantine row and nothing else
# ------------------------------------------------------------------------------------------------------------
R = data
PARENT_ORDER = R.reason_parent_quarantined("orders")
ITEMS_OF_ORDER_ROW = {1: [1], 2: [2], 3: [3], 4: [4, 5], 5: []}  # order_items rows of each orders row in BASE


def with_items(table, row, column, reason):
    """The expected quarantine of one orders row plus its cascaded order lines."""
    return [(table, row, column, reason)] + [("order_items", i, "order_id", PARENT_ORDER)
                                              for i in ITEMS_OF_ORDER_ROW[row]]


BAD_ROWS = {
    "unparseable date": ({"orders__2__order_ts": "2025-02-30 10:00:00"}, with_items("orders", 2, "order_ts", R.R_DATE)),
    "garbage date": ({"orders__3__order_ts": "昨天"}, with_items("orders", 3, "order_ts", R.R_DATE)),
    "negative amount": ({"orders__1__net_amount": "-5.00"},
                        with_items("orders", 1, "net_amount", R.R_NEGATIVE_NO_ORIGINAL)),
    "non-numeric amount": ({"orders__4__net_amount": "十二元"}, with_items("orders", 4, "net_amount", R.R_NUMBER)),
    "decimal comma is not guessed": ({"orders__4__net_amount": "12,5"},
                                     with_items("orders", 4, "net_amount", R.R_NUMBER)),
    "missing member id": ({"orders__5__member_id": ""}, with_items("orders", 5, "member_id", R.R_MISSING)),
    "missing member id NULL": ({"orders__5__member_id": "NULL"}, with_items("orders", 5, "member_id", R.R_MISSING)),
    "missing order ts": ({"orders__5__order_ts": " "}, with_items("orders", 5, "order_ts", R.R_MISSING)),
    # the duplicate's lines point at the kept first O2, so only the duplicate row itself is quarantined
    "duplicate order id": ({"orders__5__order_id": "O2"}, with_items("orders", 5, "order_id", R.R_DUPLICATE)),
    "order before registration": ({"orders__4__order_ts": "2025-01-04 23:59:59"},
                                  with_items("orders", 4, "order_ts", R.R_BEFORE_REGISTRATION)),
    "same day as registration is fine": ({"orders__4__order_ts": "2025-01-05 08:00:00"}, []),
    "unknown member": ({"orders__2__member_id": "M999"},
                       with_items("orders", 2, "member_id", R.reason_unknown("members"))),
    "unknown store": ({"orders__3__store_id": "S9"}, with_items("orders", 3, "store_id", R.reason_unknown("stores"))),
    "channel not allowed": ({"orders__1__channel": "火星"}, with_items("orders", 1, "channel", R.R_NOT_ALLOWED)),
    "status not allowed": ({"orders__2__status": "cancelled"}, with_items("orders", 2, "status", R.R_NOT_ALLOWED)),
    "fractional points": ({"orders__1__points_earned": "2.5"}, with_items("orders", 1, "points_earned", R.R_INTEGER)),
    "negative points": ({"orders__1__points_earned": "-1"}, with_items("orders", 1, "points_earned", R.R_MINIMUM)),
    "unknown product": ({"order_items__2__product_id": "P404"},
                        [("order_items", 2, "product_id", R.reason_unknown("products"))]),
    "unknown order": ({"order_items__3__order_id": "O404"},
                      [("order_items", 3, "order_id", R.reason_unknown("orders"))]),
    "zero quantity": ({"order_items__1__quantity": "0"}, [("order_items", 1, "quantity", R.R_MINIMUM)]),
    "duplicate order line": ({"order_items__5__line_no": "1"},
                             [("order_items", 5, "order_id,line_no", R.R_DUPLICATE)]),
    "gender not allowed": ({"members__3__gender": "X"},
                           [("members", 3, "gender", R.R_NOT_ALLOWED),
                            *with_items("orders", 4, "member_id", R.reason_referenced_quarantined("members"))]),
    "bad boolean": ({"members__3__sms_consent": "maybe"},
                    [("members", 3, "sms_consent", R.R_BOOL),
                     *with_items("orders", 4, "member_id", R.reason_referenced_quarantined("members"))]),
    "birth year too early": ({"members__3__birth_year": "1850"},
                             [("members", 3, "birth_year", R.R_MINIMUM),
                              *with_items("orders", 4, "member_id", R.reason_referenced_quarantined("members"))]),
    "bad register date": ({"members__3__register_ts": "2025-13-01"},
                          [("members", 3, "register_ts", R.R_DATE),
                           *with_items("orders", 4, "member_id", R.reason_referenced_quarantined("members"))]),
    "store type not allowed": ({"stores__2__store_type": "仓库"},
                               [("stores", 2, "store_type", R.R_NOT_ALLOWED),
                                ("orders", 2, "store_id", R.reason_referenced_quarantined("stores")),
                                ("orders", 4, "store_id", R.reason_referenced_quarantined("stores")),
                                ("order_items", 2, "order_id", PARENT_ORDER),
                                ("order_items", 4, "order_id", PARENT_ORDER),
                                ("order_items", 5, "order_id", PARENT_ORDER)]),
    "negative price": ({"products__2__price": "-8"},
                       [("products", 2, "price", R.R_NEGATIVE),
                        ("order_items", 2, "product_id", R.reason_referenced_quarantined("products")),
                        ("order_items", 5, "product_id", R.reason_referenced_quarantined("products"))]),
}


@pytest.mark.parametrize("case", list(BAD_ROWS), ids=list(BAD_ROWS))
def test_each_bad_row_kind_gives_exactly_one_quarantine_row(tmp_path, case):
    changes, expected = BAD_ROWS[case]
    ds = data.load(write_world(tmp_path, world(**changes)))
    assert qrows(ds) == expected
    for table, rows in BASE.items():
        n_bad = sum(e[0] == table for e in expected)
        c = ds.counts.loc[table]
        assert (c.rows_read, c.rows_kept, c.rows_quarantined) == (len(rows), len(rows) - n_bad, n_bad)
        assert len(ds[table]) == len(rows) - n_bad
    assert set(ds.quarantine.reason) <= set(data.REASONS)


def test_quarantine_value_is_the_offending_source_text(tmp_path):
    ds = data.load(write_world(tmp_path, world(orders__1__net_amount="-5.00", orders__3__order_ts="昨天")))
    q = ds.quarantine
    assert q[q.table == "orders"].set_index("row").value.to_dict() == {1: "-5.00", 3: "昨天"}
    assert q[q.table == "order_items"].set_index("row").value.to_dict() == {1: "O1", 3: "O3"}
    assert set(q[q.table == "orders"].file) == {"orders.csv"}


def test_rows_after_as_of_are_out_of_scope_not_quarantined(tmp_path):
    root = write_world(tmp_path, BASE)
    assert data.load(root).counts.rows_out_of_scope.sum() == 0
    ds = data.load(root, as_of="2025-05-20")  # a date-only as-of includes that whole day
    assert ds.quarantine.empty
    assert ds.orders.order_id.tolist() == ["O1", "O2", "O3", "O4"]
    assert ds.counts.loc["orders"].tolist() == [5, 4, 0, 1, 0]
    assert ds.as_of == pd.Timestamp("2025-05-20")
    ds = data.load(root, as_of=pd.Timestamp("2025-05-20 20:00"))
    assert ds.quarantine.empty and ds.orders.order_id.tolist() == ["O1", "O2", "O3"]
    # O4's two lines are out of scope with their order, not orphans; members M3 registered before the as-of
    assert ds.counts.loc["order_items"].tolist() == [5, 3, 0, 2, 0]
    assert ds.counts.loc["members"].tolist() == [3, 3, 0, 0, 0]
    oos = ds.out_of_scope.set_index("table")
    assert oos.loc["orders", "rows"] == 2 and oos.loc["orders", "column"] == "order_ts"
    assert oos.loc["orders", "reason"] == data.R_AFTER_AS_OF
    assert (oos.loc["orders", "first"], oos.loc["orders", "last"]) == (pd.Timestamp("2025-05-20 20:45:10"),
                                                                      pd.Timestamp("2025-06-01 08:00:00"))
    assert oos.loc["order_items", "reason"] == data.reason_reference_out_of_scope("order_items", "order_id")
    assert set(oos.reason) <= set(data.SCOPE_REASONS) and not set(data.SCOPE_REASONS) & set(data.QUARANTINE_REASONS)
    assert "截止日" in ds.summary() and "rows_out_of_scope" in ds.summary()


def test_member_registered_after_as_of_takes_its_rows_out_of_scope(tmp_path):
    # M3 registers after the as-of; its order O4 (by its own time also later) and a feedback row referencing M3
    # before the as-of are out of scope through the member, not "unknown member"
    w = world(members__3__register_ts="2025-05-25 10:00:00", orders__4__order_ts="2025-05-26 09:00:00")
    root = write_world(tmp_path, w)
    (root / "feedback.csv").write_text(csv_text(
        ["feedback_id", "member_id", "created_ts", "text"],
        [["F1", "M3", "2025-05-10 10:00:00", "好"], ["F2", "M1", "2025-05-10 10:00:00", "好"]]), encoding="utf-8")
    ds = data.load(root, as_of="2025-05-20")
    assert ds.quarantine.empty, ds.quarantine
    assert ds.members.member_id.tolist() == ["M1", "M2"]
    assert ds.feedback.feedback_id.tolist() == ["F2"]
    oos = ds.out_of_scope.set_index("table")
    assert oos.loc["feedback", "reason"] == data.reason_reference_out_of_scope("feedback", "member_id")
    assert oos.loc["feedback", "reason"] == "referenced member after as-of date / 关联的会员晚于截止日"
    assert ds.counts.loc["feedback"].tolist() == [2, 1, 0, 1, 0]
    c = ds.counts
    assert (c.rows_read == c.rows_kept + c.rows_quarantined + c.rows_out_of_scope + c.rows_reversal).all()


def test_out_of_scope_is_decided_before_value_checks(tmp_path):
    # a later order with a bad channel is simply out of scope; an unparseable time cannot be placed: quarantined
    w = world(orders__5__channel="火星", orders__3__order_ts="昨天")
    ds = data.load(write_world(tmp_path, w), as_of="2025-05-31")
    assert qrows(ds) == with_items("orders", 3, "order_ts", data.R_DATE)
    assert ds.counts.loc["orders"].tolist() == [5, 3, 1, 1, 0]


def test_contacts_of_a_campaign_starting_after_as_of_are_out_of_scope(tmp_path):
    root = write_world(tmp_path, BASE)
    (root / "campaigns.csv").write_text(csv_text(["campaign_id", "start_date"], [["C1", "2025-03-01"],
                                                                                 ["C2", "2025-06-15"]]), "utf-8")
    (root / "campaign_contacts.csv").write_text(csv_text(
        ["campaign_id", "member_id", "arm"], [["C1", "M1", "treatment"], ["C2", "M2", "control"],
                                              ["C2", "M1", "treatment"], ["C9", "M1", "control"]]), "utf-8")
    ds = data.load(root, as_of="2025-06-01")
    assert ds.campaigns.campaign_id.tolist() == ["C1"]
    assert ds.campaign_contacts.campaign_id.tolist() == ["C1"]
    assert qrows(ds) == [("campaign_contacts", 4, "campaign_id", data.reason_unknown("campaigns"))]
    assert ds.counts.loc["campaign_contacts"].tolist() == [4, 1, 1, 2, 0]


def test_order_items_of_a_quarantined_order_cascade(tmp_path):
    ds = data.load(write_world(tmp_path, world(orders__4__net_amount="abc")))
    assert qrows(ds) == [
        ("orders", 4, "net_amount", data.R_NUMBER),
        ("order_items", 4, "order_id", data.reason_parent_quarantined("orders")),
        ("order_items", 5, "order_id", data.reason_parent_quarantined("orders")),
    ]
    assert "O4" not in set(ds.order_items.order_id)


def test_duplicate_keeps_first_valid_occurrence(tmp_path):
    # row 1 is broken, so its later duplicate (row 2) is the one that is kept
    w = world(orders__1__net_amount="abc", orders__2__order_id="O1", order_items__2__order_id="O1",
              order_items__2__line_no="2")
    ds = data.load(write_world(tmp_path, w))
    assert qrows(ds) == [("orders", 1, "net_amount", data.R_NUMBER)]
    assert ds.orders.order_id.tolist() == ["O1", "O3", "O4", "O5"]


def test_a_row_with_several_problems_is_quarantined_once_with_its_first_problem(tmp_path):
    ds = data.load(write_world(tmp_path, world(orders__5__member_id="", orders__5__order_ts="x",
                                               orders__5__net_amount="-1")))
    assert qrows(ds) == [("orders", 5, "member_id", data.R_MISSING)]  # contract column order
    assert ds.counts.loc["orders", "rows_quarantined"] == 1


def test_self_reference_referrer(tmp_path):
    w = copy.deepcopy(BASE)
    for i, ref in enumerate(["", "M1", "M77"]):
        w["members"][i]["referrer_id"] = ref
    ds = data.load(write_world(tmp_path, w))
    assert qrows(ds)[0] == ("members", 3, "referrer_id", data.reason_unknown("members"))
    # orders of the quarantined member M3 then fail as "referenced member quarantined" (an order is not part of
    # its member, so not "parent")
    assert ("orders", 4, "member_id", data.reason_referenced_quarantined("members")) in qrows(ds)


def test_wrong_number_of_fields_is_a_row_level_problem(write_file):
    text = "order_id,member_id,order_ts,net_amount\nO1,M1,2025-01-01,1\nO2,M2,2025-01-02\nO3,M3,2025-01-03,3,extra\n" \
           "O4,M4,2025-01-04,4\n"
    ds = data.load(write_file("orders.csv", text))
    assert qrows(ds) == [("orders", 2, "", data.R_FIELDS), ("orders", 3, "", data.R_FIELDS)]
    assert ds.quarantine.value.tolist() == ["O2,M2,2025-01-02", "O3,M3,2025-01-03,3,extra"]
    assert ds.orders.order_id.tolist() == ["O1", "O4"]


def test_row_numbers_count_records_not_lines(write_file):
    text = 'order_id,member_id,order_ts,net_amount,note\nO1,M1,2025-01-01,1,"two\nlines"\n\nO2,M2,bad,2,x\n'
    ds = data.load(write_file("orders.csv", text))
    assert qrows(ds) == [("orders", 2, "order_ts", data.R_DATE)]
    assert ds.orders.note.tolist() == ["two\nlines"]


# ------------------------------------------------------------------------------------------------------------
# directory layout and the Dataset API
# ------------------------------------------------------------------------------------------------------------
def test_orders_only_directory_and_absent_tables(tmp_path, write_file):
    write_file("orders.csv", csv_text(["member_id", "order_ts", "net_amount"], [["M1", "2025-01-01", "1"]]))
    write_file("README.md", "notes")
    write_file("whatever.csv", "a,b\n1,2\n")
    write_file("members.csv", "not,even,read\n", subdir="truth")
    ds = data.load(tmp_path)
    assert ds.present == ("orders",)
    assert ds.members is None and ds.get("members") is None and "members" not in ds and "orders" in ds
    assert len(ds.orders) == 1 and ds.orders is ds["orders"] is ds.get("orders")
    with pytest.raises(KeyError) as e:
        ds["members"]
    assert "members" in str(e.value) and "会员档案" in str(e.value)
    with pytest.raises(KeyError, match="unknown table"):
        ds["nope"]
    with pytest.raises(AttributeError):
        ds.nope  # noqa: B018
    assert ds.sources == {"orders": tmp_path / "orders.csv"}
    assert list(ds.counts.index) == ["orders"] and list(ds.counts.columns) == data.COUNT_COLUMNS


def test_single_file_is_orders_and_file_aliases_are_recognised(tmp_path, write_file):
    text = csv_text(["member_id", "order_ts", "net_amount"], [["M1", "2025-01-01", "1"]])
    ds = data.load(write_file("export_2025.csv", text))
    assert ds.present == ("orders",)
    write_file("交易.csv", text, subdir="zh")
    write_file("会员档案.csv", csv_text(["会员编号", "注册时间"], [["M1", "2024-01-01"]]), subdir="zh")
    ds = data.load(tmp_path / "zh")
    assert ds.present == ("members", "orders") and ds.sources["members"].name == "会员档案.csv"


def test_summary_mentions_counts_reasons_and_absent_tables(tmp_path):
    ds = data.load(write_world(tmp_path, world(orders__1__net_amount="-5")), as_of="2025-12-31")
    s = ds.summary()
    assert "orders" in s and "order_items" in s and "rows_quarantined" in s
    assert data.R_NEGATIVE_NO_ORIGINAL in s and "events" in s and "2025-12-31" in s
    assert "隔离" in s and "quarantined" in s
    assert repr(ds).startswith("<Dataset")


def test_reason_vocabulary_is_fixed_and_bilingual():
    assert len(set(data.REASONS)) == len(data.REASONS)
    for r in data.REASONS:
        en, zh = r.split(" / ")
        assert en.isascii() and not zh.isascii()


def test_foreign_key_reason_wording():
    """The wording analysts see in quarantine files (derived from the contract's names): pinned literally."""
    assert data.reason_parent_quarantined("orders") == "parent order quarantined / 所属订单已隔离"
    assert data.reason_unknown("members") == "unknown member / 未知会员"
    assert data.reason_referenced_quarantined("members") == "referenced member quarantined / 关联的会员已隔离"
    assert data.reason_reference_quarantined("order_items", "order_id") == "parent order quarantined / 所属订单已隔离"
    assert data.reason_reference_quarantined("orders", "member_id") == "referenced member quarantined / 关联的会员已隔离"
    assert {"unknown member / 未知会员", "parent order quarantined / 所属订单已隔离",
            "referenced member quarantined / 关联的会员已隔离"} <= set(data.REASONS)


def test_isin_str_compares_as_strings():
    values = pd.Series(["a", None, "c", "b"], dtype="string")
    assert data.isin_str(values, pd.Series(["b", "a", None])).tolist() == [True, False, False, True]
    assert data.isin_str(values, pd.Series([], dtype="string")).tolist() == [False] * 4
    assert data.isin_str(pd.Series(pd.Categorical(["x", "y"])), pd.Series(["y"])).tolist() == [False, True]
    assert data.isin_str(pd.Series([1, 2], dtype="Int64"), pd.Series(["2"])).tolist() == [False, True]


def test_schema_for_every_table():
    for name, table in T.TABLES.items():
        schema = data.schema_for(name)
        assert set(schema.columns) == set(table.column_names)
        assert all(schema.columns[c.name].required == c.required for c in table.columns)


def test_default_path(monkeypatch, tmp_path, write_file):
    write_file("orders.csv", csv_text(["member_id", "order_ts", "net_amount"], [["M1", "2025-01-01", "1"]]))
    monkeypatch.setattr(data, "DEFAULT_DATA_DIR", tmp_path)
    assert data.load().present == data.load("").present == ("orders",)


def test_single_file_with_dots_in_its_name(write_file):
    text = csv_text(["member_id", "order_ts", "net_amount"], [["M1", "2025-01-01", "1"]])
    assert data.load(write_file("export.2025-12.csv", text)).present == ("orders",)


def test_table_file_with_compound_extension_is_refused(tmp_path, write_file):
    write_file("orders.csv", csv_text(["member_id", "order_ts", "net_amount"], [["M1", "2025-01-01", "1"]]))
    write_file("members.csv.gz", b"\x1f\x8b")
    with pytest.raises(DataFileError, match=r"members\.csv\.gz"):
        data.load(tmp_path)


def test_all_missing_required_columns_are_listed(write_file):
    with pytest.raises(DataFileError) as e:
        data.load(write_file("orders.csv", csv_text(["会员ID", "备注"], [["M1", "x"]])))
    assert "order_ts" in str(e.value) and "net_amount" in str(e.value) and "下单时间" in str(e.value)


def test_extra_column_never_overwrites_a_contract_column(write_file):
    # the analyst maps channel to 渠道; the file's own "channel" column then passes through as channel.extra
    header = ["渠道", "channel", "member_id", "order_ts", "net_amount"]
    p = write_file("orders.csv", csv_text(header, [["门店", "whatever", "M1", "2025-01-01", "1"]]))
    ds = data.load(p, columns={"orders": {"channel": "渠道"}})
    assert ds.orders.channel.tolist() == ["门店"] and ds.orders["channel.extra"].tolist() == ["whatever"]
    assert ds.extra_columns["orders"] == ["channel.extra"]
    assert ds.unrecognised["orders"] == [("channel", "channel")]


def test_default_dataset_loads_with_zero_quarantine():
    ds = data.load(data.DEFAULT_DATA_DIR, as_of="2025-12-31")
    assert ds.quarantine.empty, ds.summary()
    assert set(ds.present) == set(T.TABLES)
    assert (ds.counts.rows_read == ds.counts.rows_kept).all() and (ds.counts.rows_kept > 0).all()
    assert ds.out_of_scope.empty and ds.reversals.empty
    assert not any(ds.unrecognised.values()), ds.unrecognised
    for name in ds.present:
        data.schema_for(name).validate(ds[name])
        assert not ds.extra_columns[name], (name, ds.extra_columns[name])


def test_pandera_safety_net_quarantines_what_the_schema_still_rejects(tmp_path, monkeypatch):
    import pandera.pandas as pa_

    real = data.schema_for

    def stricter(name):
        s = real(name)
        if name == "orders":
            s = s.update_column("net_amount", checks=[pa_.Check.le(30)])
        return s

    monkeypatch.setattr(data.schema, "schema_for", stricter)  # the module the loader's safety net calls
    ds = data.load(write_world(tmp_path, BASE))
    assert qrows(ds)[0] == ("orders", 4, "net_amount", data.R_SCHEMA)  # 33.00 > 30
    assert ds.counts.loc["orders"].tolist() == [5, 4, 1, 0, 0]
    assert ds.orders.order_id.tolist() == ["O1", "O2", "O3", "O5"]


def test_damaged_gbk_file_reports_the_gbk_offset_and_column(write_file):
    good = "会员ID,下单时间,实付金额\r\nM1,2025-01-01,3\r\n".encode("gbk")
    with pytest.raises(DataFileError) as e:
        data.load(write_file("orders.csv", good + b"M2,2025-01-02,5\xff\r\n"))
    assert f"offset {len(good) + 15}" in str(e.value) and "line 3" in str(e.value) and e.value.column == "实付金额"


def test_load_only_some_tables_keeps_orders_and_reconciles(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,member_id,order_ts,net_amount\nO1,M1,2025-01-02 10:00:00,10\nO2,M9,2025-01-03 10:00:00,20\n",
        encoding="utf-8")
    (tmp_path / "members.csv").write_text("member_id,register_ts\nM1,2024-12-01 09:00:00\n", encoding="utf-8")
    full = data.load(tmp_path)
    assert full.present == ("members", "orders") and len(full.quarantine) == 1  # M9 is unknown
    only_orders = data.load(tmp_path, tables=["members"])
    assert only_orders.present == ("members", "orders")
    partial = data.load(tmp_path, tables=())
    assert partial.present == ("orders",) and len(partial.orders) == 2 and partial.quarantine.empty
    assert int(partial.counts.loc["orders", "rows_read"]) == 2
    with pytest.raises(ValueError, match="ordres"):
        data.load(tmp_path, tables=["ordres"])


def test_analysis_date_is_the_as_of_day_or_the_last_order_day(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "order_id,member_id,order_ts,net_amount\nO1,M1,2025-03-01 10:00:00,5\nO2,M1,2025-03-04 21:30:00,7\n",
        encoding="utf-8")
    assert data.load(tmp_path).analysis_date == pd.Timestamp("2025-03-04")
    assert data.load(tmp_path, as_of="2025-03-02").analysis_date == pd.Timestamp("2025-03-02")
    assert data.load(tmp_path, as_of="2025-03-02 18:00").analysis_date == pd.Timestamp("2025-03-02")


def test_report_snapshot_hands_back_the_source_quarantine_and_counts(tmp_path, write_file):
    """A module reading the report's clean snapshot still reports the analyst's own bad rows (not zeros)."""
    from helpers.report import snapshot

    write_file("orders.csv", csv_text(["member_id", "order_ts", "net_amount"],
                                      [["M1", "2025-01-02 10:00:00", 10.0], ["", "2025-01-03 10:00:00", 5.0],
                                       ["M2", "not a time", 7.0], ["M3", "2025-01-04 09:00:00", 8.0]]),
               subdir="src")
    source = data.load(tmp_path / "src")
    assert source.counts.loc["orders", "rows_quarantined"] == 2
    snap = snapshot.write_snapshot(source, tmp_path / "src", tmp_path / "snap", None)

    again = data.load(snap)
    assert len(again.orders) == 2
    assert again.counts.loc["orders"].to_dict() == source.counts.loc["orders"].to_dict()
    assert sorted(again.quarantine["row"].tolist()) == sorted(source.quarantine["row"].tolist())
    plain = data.load(tmp_path / "src")  # no snapshot.json: the directory's own load
    assert plain.counts.loc["orders", "rows_read"] == 4
