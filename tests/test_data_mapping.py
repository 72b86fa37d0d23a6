"""helpers.data: which header feeds which contract column — English aliases, the analyst's column mapping, "did you
mean" for unrecognised headers, and the file-level error when two headers reach one column.

Every test writes its own small files (tests/conftest.py's ``write_file`` / ``csv_text``).
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import csv_text

from helpers import data
from helpers import tables as T
from helpers.data import DataFileError
from helpers.data.discover import norm_name

ORDERS = ["member_id", "order_ts", "net_amount"]


def _one_order(write_file, header, row, name="orders.csv", **kw):
    return data.load(write_file(name, csv_text(header, [row])), **kw)


# ------------------------------------------------------------------------------------------------------------
# the alias data itself
# ------------------------------------------------------------------------------------------------------------
def test_a_normalised_name_belongs_to_one_column_per_table():
    for t in T.TABLES.values():
        owner: dict[str, str] = {}
        for c in (*t.columns, *t.auxiliary):
            for name in (*c.names, *c.weak_aliases):
                key = norm_name(name)
                assert owner.setdefault(key, c.name) == c.name, (t.name, name, owner[key], c.name)


def test_every_contract_column_has_an_english_alias_or_an_english_name():
    # a column is recognised under some English header besides its snake_case name, or its name is plain English
    for t in T.TABLES.values():
        for c in t.columns:
            english = [a for a in c.aliases if a.isascii()]
            assert english or "_" not in c.name, (t.name, c.name)


@pytest.mark.parametrize(("header", "column"), [
    (["customer_id", "order_date", "amount"], None),
    (["user_id", "created_at", "total"], None),
    (["member", "order_time", "paid_amount"], None),
    (["vip_id", "Order Date", "payment_amount"], None),
    (["Customer ID", "transaction_time", "实付金额(元)"], None),
])
def test_common_english_order_headers(write_file, header, column):
    ds = _one_order(write_file, header, ["M1", "2025-03-01 12:00:00", "12.5"])
    assert list(ds.orders.columns) == ORDERS
    assert ds.orders.net_amount.tolist() == [12.5]
    assert ds.columns["orders"] == dict(zip(ORDERS, header, strict=True))
    assert not ds.unrecognised["orders"]


def test_english_register_date_is_used_so_orders_before_registration_are_caught(tmp_path, write_file):
    # before: "register_date" passed through unused and the order before registration went unchecked
    write_file("members.csv", csv_text(["customer_id", "register_date", "sex"], [["M1", "2025-03-10", "女"]]))
    write_file("orders.csv", csv_text(["customer_id", "order_date", "amount"],
                                      [["M1", "2025-03-01", "5"], ["M1", "2025-03-12", "7"]]))
    ds = data.load(tmp_path)
    assert ds.members.register_ts.tolist() == [pd.Timestamp("2025-03-10")]
    assert ds.quarantine[["table", "row", "column", "reason"]].values.tolist() == [
        ["orders", 1, "order_ts", data.R_BEFORE_REGISTRATION]]
    for header in ("signup_date", "join_date", "注册日期"):
        write_file("members.csv", csv_text(["member_id", header], [["M1", "2025-03-10"]]), subdir=header)
        write_file("orders.csv", csv_text(ORDERS, [["M1", "2025-03-01", "5"]]), subdir=header)
        assert data.load(tmp_path / header).quarantine.reason.tolist() == [data.R_BEFORE_REGISTRATION], header


def test_status_value_aliases(write_file):
    header = ["order_id", *ORDERS, "status"]
    rows = [["O1", "M1", "2025-03-01", "1", "已支付"], ["O2", "M1", "2025-03-01", "1", "已退款"],
            ["O3", "M1", "2025-03-01", "1", "交易成功"], ["O4", "M1", "2025-03-01", "1", "Refund"]]
    ds = data.load(write_file("orders.csv", csv_text(header, rows)))
    assert ds.quarantine.empty
    assert ds.orders.status.tolist() == ["paid", "refunded", "paid", "refunded"]


# ------------------------------------------------------------------------------------------------------------
# two headers for one column: a file-level error naming both
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "field", "named"), [
    (["member_id", "order_ts", "net_amount", "实付金额"], "net_amount", ("net_amount", "实付金额")),
    (["member_id", "order_ts", "net_amount", "net_amount"], "net_amount", ("第 3 列", "第 4 列")),
    (["会员ID", "customer_id", "order_ts", "net_amount"], "member_id", ("会员ID", "customer_id")),
    (["member_id", "下单时间", "order_date", "amount"], "order_ts", ("下单时间", "order_date")),
    (["member_id", "order_ts", "Channel", "channel", "amount"], "channel", ("Channel", "channel")),
])
def test_two_columns_for_one_field_is_a_file_error(write_file, header, field, named):
    # before: the second net_amount column was silently ignored
    row = ["M1", "2025-03-01", "5", "6"] if len(header) == 4 else ["M1", "2025-03-01", "门店", "x", "5"]
    with pytest.raises(DataFileError) as e:
        _one_order(write_file, header, row)
    msg = str(e.value)
    assert e.value.column == field and e.value.path.name == "orders.csv"
    assert "orders.csv" in msg and field in msg and all(n in msg for n in named), msg
    assert "两列" in msg and "two columns" in msg


def test_weak_alias_is_used_alone_and_reported_beside_a_better_one(write_file):
    ds = _one_order(write_file, ["member_id", "支付时间", "amount"], ["M1", "2025-03-01 12:00", "5"])
    assert ds.orders.order_ts.tolist() == [pd.Timestamp("2025-03-01 12:00")]
    ds = _one_order(write_file, ["member_id", "支付时间", "下单时间", "amount"],
                    ["M1", "2025-03-02", "2025-03-01", "5"])
    assert ds.orders.order_ts.tolist() == [pd.Timestamp("2025-03-01")]
    assert ds.orders["支付时间"].tolist() == ["2025-03-02"]
    assert ds.unrecognised["orders"] == [("支付时间", "order_ts")]


# ------------------------------------------------------------------------------------------------------------
# unrecognised headers and "did you mean"
# ------------------------------------------------------------------------------------------------------------
def test_unrecognised_headers_are_kept_and_reported_with_a_suggestion(write_file):
    header = ["memebr_id", "member_id", "order_ts", "net_amount", "备注", "paymnt_method"]
    ds = _one_order(write_file, header, ["X", "M1", "2025-03-01", "5", "hi", "现金"])
    assert ds.unrecognised["orders"] == [("memebr_id", "member_id"), ("备注", None),
                                         ("paymnt_method", "payment_method")]
    assert ds.extra_columns["orders"] == ["memebr_id", "备注", "paymnt_method"]
    assert ds.orders["paymnt_method"].tolist() == ["现金"] and "payment_method" not in ds.orders
    s = ds.summary()
    assert "paymnt_method" in s and "did you mean payment_method" in s and "未识别" in s


def test_missing_required_column_suggests_the_near_miss(write_file):
    with pytest.raises(DataFileError) as e:
        _one_order(write_file, ["member_id", "order_ts", "net_amout"], ["M1", "2025-03-01", "5"])
    assert "'net_amout' may be net_amount" in str(e.value) and "“net_amout”可能就是 net_amount" in str(e.value)
    assert "DATA_MAPPING" in str(e.value)


# ------------------------------------------------------------------------------------------------------------
# the analyst's column mapping (load(columns=...))
# ------------------------------------------------------------------------------------------------------------
CUSTOM = ["顾客编号", "成交时刻", "成交额", "门店简称"]
CUSTOM_ROW = ["M1", "2025-03-01 12:00:00", "88", "徐汇"]


def test_per_table_mapping_from_a_dict(write_file):
    with pytest.raises(DataFileError):  # nothing recognisable without a mapping
        _one_order(write_file, CUSTOM, CUSTOM_ROW)
    mapping = {"orders": {"member_id": "顾客编号", "order_ts": "成交时刻", "net_amount": "成交额"}}
    ds = _one_order(write_file, CUSTOM, CUSTOM_ROW, columns=mapping)
    assert list(ds.orders.columns) == [*ORDERS, "门店简称"]
    assert ds.orders.net_amount.tolist() == [88.0]
    assert ds.columns["orders"] == {"member_id": "顾客编号", "order_ts": "成交时刻", "net_amount": "成交额"}


def test_mapping_from_a_yaml_file_flat_and_per_table(tmp_path, write_file):
    write_file("orders.csv", csv_text(CUSTOM, [CUSTOM_ROW]), subdir="export")
    write_file("members.csv", csv_text(["顾客编号", "开户日"], [["M1", "2025-01-01"]]), subdir="export")
    yml = write_file("columns.yml", "# 我们的字段: 导出文件里的表头\nmember_id: 顾客编号\n"
                                    "orders:\n  order_ts: 成交时刻\n  net_amount: 成交额\n"
                                    "members:\n  register_ts: 开户日\n")
    ds = data.load(tmp_path / "export", columns=yml)
    assert ds.present == ("members", "orders") and ds.quarantine.empty
    assert ds.members.register_ts.tolist() == [pd.Timestamp("2025-01-01")]
    assert ds.columns["members"] == {"member_id": "顾客编号", "register_ts": "开户日"}
    assert data.load(tmp_path / "export", columns=str(yml)).orders.net_amount.tolist() == [88.0]


def test_mapping_resolves_two_candidate_columns(write_file):
    header = ["member_id", "order_ts", "net_amount", "实付金额"]
    ds = _one_order(write_file, header, ["M1", "2025-03-01", "5", "6"], columns={"net_amount": "实付金额"})
    assert ds.orders.net_amount.tolist() == [6.0]
    assert ds.orders["net_amount.extra"].tolist() == ["5"]
    assert ds.unrecognised["orders"] == [("net_amount", "net_amount")]


@pytest.mark.parametrize(("mapping", "words"), [
    ({"ordres": {"member_id": "x"}}, ["ordres", "orders"]),
    ({"orders": {"member_idd": "x"}}, ["member_idd", "member_id"]),
    ({"nett_amount": "x"}, ["nett_amount", "net_amount"]),
    ({"orders": {"member_id": "A", "order_id": "a"}}, ["A", "member_id", "order_id"]),
    ({"orders": {"member_id": ""}}, ["member_id"]),
])
def test_bad_mappings_name_the_entry(write_file, mapping, words):
    with pytest.raises(DataFileError) as e:
        _one_order(write_file, ORDERS, ["M1", "2025-03-01", "5"], columns=mapping)
    assert all(w in str(e.value) for w in words), str(e.value)


def test_mapped_header_missing_from_the_file_is_an_error_naming_file_field_and_header(write_file):
    with pytest.raises(DataFileError) as e:
        _one_order(write_file, ORDERS, ["M1", "2025-03-01", "5"], columns={"orders": {"store_id": "门店代號"}})
    msg = str(e.value)
    assert "orders.csv" in msg and "store_id" in msg and "门店代號" in msg and e.value.column == "store_id"
    # a flat entry applies only where the header exists
    ds = _one_order(write_file, ORDERS, ["M1", "2025-03-01", "5"], columns={"store_id": "门店代號"})
    assert "store_id" not in ds.orders


def test_mapping_file_errors(tmp_path, write_file):
    write_file("orders.csv", csv_text(ORDERS, [["M1", "2025-03-01", "5"]]))
    with pytest.raises(DataFileError, match="not found"):
        data.load(tmp_path / "orders.csv", columns=tmp_path / "nope.yml")
    bad = write_file("bad.yml", "orders: [member_id\n")
    with pytest.raises(DataFileError, match="bad.yml"):
        data.load(tmp_path / "orders.csv", columns=bad)
    with pytest.raises(TypeError):
        data.load(tmp_path / "orders.csv", columns=3)
