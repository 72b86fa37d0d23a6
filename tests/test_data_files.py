"""helpers.data, file by file: parsing values by kind (dates, money, booleans, categories), header aliases, and the
file-level errors that stop a load with a message naming the file (and column, row or byte offset).

Row-level quarantine, out-of-scope rows and the Dataset API are in tests/test_data.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import csv_text

from helpers import data
from helpers.data import DataFileError

# ------------------------------------------------------------------------------------------------------------
# parsing by kind
# ------------------------------------------------------------------------------------------------------------
DATES = {
    "2025-03-01 12:00:00": "2025-03-01 12:00:00",
    "2025-03-01 12:00": "2025-03-01 12:00:00",
    "2025/3/1 12:00": "2025-03-01 12:00:00",
    "2025/03/01": "2025-03-01 00:00:00",
    "2025年3月1日 12:00": "2025-03-01 12:00:00",
    "2025年3月1日": "2025-03-01 00:00:00",
    "2025年3月1日 12时05分30秒": "2025-03-01 12:05:30",
    "2025-03-01T12:00:00": "2025-03-01 12:00:00",
    "2025-03-01T04:00:00Z": "2025-03-01 12:00:00",
    "2025-03-01T12:00:00+08:00": "2025-03-01 12:00:00",
    "2025.3.1 8:05:09": "2025-03-01 08:05:09",
    "20250301": "2025-03-01 00:00:00",
    "２０２５－０３－０１ １２:００": "2025-03-01 12:00:00",
    " 2025-03-01 12:00:00 ": "2025-03-01 12:00:00",
}
MONEY = {"¥1,234.50": 1234.5, "1234.5元": 1234.5, "１２３４.５": 1234.5, "￥ 88": 88.0, "RMB 7.10": 7.1,
         "0": 0.0, "1e3": 1000.0, "12,345,678.90": 12345678.9}
BOOLS = {"是": True, "否": False, "Y": True, "n": False, "TRUE": True, "false": False, "1": True, "0": False,
         "": None}


def _orders_with(write_file, column: str, values: list[str], extra: dict[str, str] | None = None):
    header = ["order_id", "member_id", "order_ts", "net_amount", column] if column not in (
        "order_ts", "net_amount") else ["order_id", "member_id", "order_ts", "net_amount"]
    rows = []
    for i, v in enumerate(values):
        r = {"order_id": f"O{i}", "member_id": "M1", "order_ts": "2025-01-01", "net_amount": "1", column: v}
        rows.append([r[h] for h in header])
    return data.load(write_file("orders.csv", csv_text(header, rows)))


def test_datetime_formats(write_file):
    ds = _orders_with(write_file, "order_ts", list(DATES))
    assert ds.quarantine.empty, ds.quarantine
    assert ds.orders.order_ts.tolist() == [pd.Timestamp(v) for v in DATES.values()]


def test_money_formats(write_file):
    ds = _orders_with(write_file, "net_amount", list(MONEY))
    assert ds.quarantine.empty, ds.quarantine
    np.testing.assert_allclose(ds.orders.net_amount, list(MONEY.values()))


def test_bool_formats(write_file):
    header = ["member_id", "sms_consent"]
    ds_path = write_file("members.csv", csv_text(header, [[f"M{i}", v] for i, v in enumerate(BOOLS)]))
    write_file("orders.csv", csv_text(["member_id", "order_ts", "net_amount"], [["M0", "2025-01-01", "1"]]))
    ds = data.load(ds_path.parent)
    assert ds.quarantine.empty
    assert [None if pd.isna(v) else bool(v) for v in ds.members.sms_consent] == list(BOOLS.values())


def test_categoricals_match_case_insensitively(write_file):
    ds = _orders_with(write_file, "status", ["PAID", " Refunded ", "paid"])
    assert ds.quarantine.empty
    assert ds.orders.status.tolist() == ["paid", "refunded", "paid"]


# ------------------------------------------------------------------------------------------------------------
# headers
# ------------------------------------------------------------------------------------------------------------
def test_chinese_headers_load(write_file):
    header = ["订单号", "会员ID", "下单时间", "实付金额(元)", "门店编号", "支付方式", " 订单状态 ", "备注"]
    rows = [["A1", "M1", "2025/3/1 12:00", "¥1,234.50", "S1", "微信支付", "paid", "首单"],
            ["A2", "M2", "2025年3月2日", "99元", "S2", "支付宝", "refunded", ""]]
    ds = data.load(write_file("订单.csv", csv_text(header, rows)))
    o = ds.orders
    assert list(o.columns) == ["order_id", "member_id", "order_ts", "store_id", "payment_method", "net_amount",
                               "status", "备注"]
    assert o.net_amount.tolist() == [1234.5, 99.0]
    assert o.order_ts.tolist() == [pd.Timestamp("2025-03-01 12:00"), pd.Timestamp("2025-03-02")]
    assert ds.extra_columns["orders"] == ["备注"]
    assert "备注" in ds.summary()


def test_header_matching_ignores_case_space_bom_and_full_width(write_file):
    header = ["\ufeffOrder_ID", " MEMBER ID ", "下单时间", "实付金额(元)"]
    ds = data.load(write_file("orders.csv", csv_text(header, [["O1", "M1", "2025-01-01", "3"]])))
    assert list(ds.orders.columns) == ["order_id", "member_id", "order_ts", "net_amount"]


def test_two_candidate_columns_better_match_wins_other_passes_through(write_file):
    header = ["会员ID", "支付时间", "下单时间", "实付金额"]
    ds = data.load(write_file("orders.csv", csv_text(header, [["M1", "2025-01-02", "2025-01-01", "3"]])))
    assert ds.orders.order_ts.tolist() == [pd.Timestamp("2025-01-01")]
    assert ds.orders["支付时间"].tolist() == ["2025-01-02"]


# ------------------------------------------------------------------------------------------------------------
# file-level errors: DataFileError naming the file (and the column)
# ------------------------------------------------------------------------------------------------------------
def test_missing_required_column_names_file_column_and_aliases(write_file):
    p = write_file("orders.csv", csv_text(["会员ID", "下单时间", "金额"], [["M1", "2025-01-01", "3"]]))
    with pytest.raises(DataFileError) as e:
        data.load(p)
    msg = str(e.value)
    assert "orders.csv" in msg and "net_amount" in msg and "实付金额" in msg and "金额" in msg
    assert "缺少" in msg and "missing" in msg
    assert e.value.column == "net_amount" and isinstance(e.value, ValueError)


@pytest.mark.parametrize("content", [b"", b"order_id,member_id,order_ts,net_amount\n", b"\n\n"],
                         ids=["empty", "header-only", "blank-lines"])
def test_empty_or_header_only_file(write_file, content):
    p = write_file("orders.csv", content)
    with pytest.raises(DataFileError, match="orders.csv"):
        data.load(p)


def test_empty_xlsx(tmp_path):
    p = tmp_path / "orders.xlsx"
    pd.DataFrame({"member_id": [], "order_ts": [], "net_amount": []}).to_excel(p, index=False)
    with pytest.raises(DataFileError, match="orders.xlsx"):
        data.load(p)


def test_undecodable_bytes_name_file_and_offset(write_file):
    good = "会员ID,下单时间,实付金额\n" + "会员一号,2025-01-01,3\n" * 3
    raw = good.encode("utf-8") + b"M2,2025-01-02,\xff\xfe\n"
    with pytest.raises(DataFileError) as e:
        data.load(write_file("orders.csv", raw))
    offset = len(good.encode("utf-8")) + len(b"M2,2025-01-02,")
    assert "orders.csv" in str(e.value) and str(offset) in str(e.value) and "line 5" in str(e.value)
    assert "实付金额" in str(e.value) and e.value.column == "实付金额"


def test_undecodable_ascii_file_with_invalid_byte(write_file):
    raw = b"member_id,order_ts,net_amount\nM1,2025-01-01,\x80\xff\n"
    with pytest.raises(DataFileError, match=r"offset \d+"):
        data.load(write_file("orders.csv", raw))


def test_directory_without_orders(tmp_path, write_file):
    write_file("members.csv", csv_text(["member_id"], [["M1"]]))
    with pytest.raises(DataFileError) as e:
        data.load(tmp_path)
    assert "orders" in str(e.value) and "订单" in str(e.value)


def test_unsupported_extension(tmp_path, write_file):
    with pytest.raises(DataFileError, match="orders.json"):
        data.load(write_file("orders.json", "{}"))
    write_file("orders.csv", csv_text(["member_id", "order_ts", "net_amount"], [["M1", "2025-01-01", "1"]]),
               subdir="d")
    write_file("members.xls", b"\xd0\xcf\x11\xe0", subdir="d")
    with pytest.raises(DataFileError, match="members.xls"):
        data.load(tmp_path / "d")


def test_two_files_for_one_table(tmp_path, write_file):
    text = csv_text(["member_id", "order_ts", "net_amount"], [["M1", "2025-01-01", "1"]])
    write_file("orders.csv", text)
    write_file("订单.csv", text)
    with pytest.raises(DataFileError) as e:
        data.load(tmp_path)
    assert "orders.csv" in str(e.value) and "订单.csv" in str(e.value)


@pytest.mark.parametrize("name", ["orders.xlsx", "orders.parquet"])
def test_unreadable_binary_file(write_file, name):
    with pytest.raises(DataFileError, match=name.replace(".", r"\.")):
        data.load(write_file(name, b"this is not a real file"))


def test_missing_path():
    with pytest.raises(DataFileError, match="does not exist"):
        data.load("/nonexistent/dir/for/sure")
