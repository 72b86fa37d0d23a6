"""helpers.data: the same table loads identically from every supported file format and encoding.

CSV in UTF-8 / UTF-8-SIG / GBK / GB18030 (comma and tab separated), UTF-16 with BOM, Parquet (text columns and
typed columns) and xlsx (native Excel dates and numbers, text cells, Excel serial dates); plus round trips of a
loaded frame through CSV ↔ Parquet ↔ xlsx.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from helpers import data

TEXT = pd.DataFrame({
    "订单号": ["A001", "A002", "A003", "A004"],
    "会员ID": ["M1", "M2", "M1", "M3"],
    "下单时间": ["2025-03-01 12:00:00", "2025-03-02 08:30:15", "2025-04-10 23:59:59", "2025-05-20 00:00:00"],
    "门店ID": ["S1", "S2", "S1", ""],
    "渠道": ["门店", "线上商城", "门店", "小程序"],
    "支付方式": ["微信支付", "支付宝", "现金", "储值卡"],
    "应付金额": ["1234.5", "99", "0.1", "50"],
    "实付金额": ["1200.25", "88", "0.1", "45.5"],
    "获得积分": ["1200", "88", "", "45"],
    "订单状态": ["paid", "paid", "refunded", "paid"],
    "备注": ["周年庆·满减", "", "退货:质量问题", "新会员"],
})
CONTRACT = ["order_id", "member_id", "order_ts", "store_id", "channel", "payment_method", "gross_amount",
            "net_amount", "points_earned", "status"]


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The same data with native types, as a warehouse Parquet export would carry it."""
    t = frame.copy()
    t["下单时间"] = pd.to_datetime(t["下单时间"])
    for c in ("应付金额", "实付金额"):
        t[c] = t[c].astype(float)
    t["获得积分"] = pd.to_numeric(t["获得积分"]).astype("Int64")
    t["门店ID"] = t["门店ID"].replace("", None)
    return t


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "orders.csv"
    TEXT.to_csv(path, index=False, encoding="utf-8")
    ds = data.load(path)
    assert ds.quarantine.empty
    return ds.orders


def assert_same(ds, reference):
    assert ds.quarantine.empty, ds.quarantine
    pd.testing.assert_frame_equal(ds.orders[CONTRACT], reference[CONTRACT])
    assert ds.orders["备注"].fillna("").astype(str).tolist() == reference["备注"].fillna("").astype(str).tolist()


def test_reference_is_typed(reference):
    assert reference.order_ts.iloc[1] == pd.Timestamp("2025-03-02 08:30:15")
    assert reference.net_amount.tolist() == [1200.25, 88.0, 0.1, 45.5]
    assert reference.points_earned.isna().tolist() == [False, False, True, False]
    assert reference.store_id.isna().tolist() == [False, False, False, True]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
@pytest.mark.parametrize("sep", [",", "\t"], ids=["comma", "tab"])
def test_csv_encodings(tmp_path, reference, encoding, sep):
    path = tmp_path / ("orders.tsv" if sep == "\t" else "orders.csv")
    TEXT.to_csv(path, index=False, encoding=encoding, sep=sep)
    assert_same(data.load(path), reference)


def test_gbk_bytes_really_differ_from_utf8(tmp_path, reference):
    path = tmp_path / "orders.txt"
    TEXT.to_csv(path, index=False, encoding="gbk")
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert_same(data.load(path), reference)


@pytest.mark.parametrize("kind", ["text", "typed"])
def test_parquet(tmp_path, reference, kind):
    path = tmp_path / "orders.parquet"
    (TEXT if kind == "text" else typed(TEXT)).to_parquet(path, index=False)
    assert_same(data.load(path), reference)


@pytest.mark.parametrize("kind", ["text", "typed"])
def test_xlsx(tmp_path, reference, kind):
    path = tmp_path / "orders.xlsx"
    (TEXT if kind == "text" else typed(TEXT)).to_excel(path, index=False)
    assert_same(data.load(path), reference)


def test_xlsx_excel_serial_dates_and_row_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["会员ID", "下单时间", "实付金额"])
    serial = (pd.Timestamp("2025-03-01 12:00") - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
    ws.append(["M1", serial, 10])
    ws.append([None, None, None])  # an empty sheet row is not a record
    ws.append(["M2", "2025年3月2日", "¥5"])
    ws.append(["M3", "not a date", 1])
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    ds = data.load(path)
    assert ds.orders.order_ts.tolist() == [pd.Timestamp("2025-03-01 12:00"), pd.Timestamp("2025-03-02")]
    assert ds.orders.net_amount.tolist() == [10.0, 5.0]
    # row = data-row position below the header, i.e. Excel sheet row 5 → row 4
    assert ds.quarantine[["row", "column", "reason"]].values.tolist() == [[4, "order_ts", data.R_DATE]]
    assert ds.counts.loc["orders"].tolist() == [3, 2, 1, 0, 0]


def test_round_trip_csv_parquet_xlsx(tmp_path, reference):
    # loaded frame → Parquet → load → xlsx → load → GBK CSV → load: identical every time
    p = tmp_path / "a" / "orders.parquet"
    p.parent.mkdir()
    reference.to_parquet(p, index=False)
    from_parquet = data.load(p)
    assert_same(from_parquet, reference)
    x = tmp_path / "b" / "orders.xlsx"
    x.parent.mkdir()
    from_parquet.orders.to_excel(x, index=False)
    from_xlsx = data.load(x)
    assert_same(from_xlsx, reference)
    c = tmp_path / "c" / "orders.csv"
    c.parent.mkdir()
    from_xlsx.orders.to_csv(c, index=False, encoding="gbk")
    assert_same(data.load(c), reference)


def test_bool_and_category_round_trip_through_parquet_and_xlsx(tmp_path):
    members = pd.DataFrame({"会员ID": ["M1", "M2", "M3"], "性别": ["女", "男", "未知"],
                            "短信授权": ["是", "否", ""], "出生年份": ["1990", "", "1975"]})
    orders = pd.DataFrame({"member_id": ["M1"], "order_ts": ["2025-01-01"], "net_amount": ["1"]})
    frames = {}
    for fmt in ("csv", "parquet", "xlsx"):
        d = tmp_path / fmt
        d.mkdir()
        src = members if fmt == "csv" else frames["csv"]
        getattr(src, "to_csv" if fmt == "csv" else f"to_{'excel' if fmt == 'xlsx' else fmt}")(
            d / f"members.{fmt}", index=False)
        orders.to_csv(d / "orders.csv", index=False)
        ds = data.load(d)
        assert ds.quarantine.empty, ds.quarantine
        frames[fmt] = ds.members
    pd.testing.assert_frame_equal(frames["csv"], frames["parquet"])
    pd.testing.assert_frame_equal(frames["csv"], frames["xlsx"])
    assert frames["csv"].sms_consent.tolist()[:2] == [True, False]


def test_gbk_that_happens_to_be_valid_utf8_is_read_as_gbk(tmp_path):
    # "元" in GBK is D4 AA, which is also valid UTF-8 (U+052A "Ԫ"): the Chinese reading must win
    path = tmp_path / "orders.csv"
    path.write_bytes("order_id,member_id,order_ts,net_amount\r\nO1,M1,2025-01-01,12.5元\r\n".encode("gbk"))
    ds = data.load(path)
    assert ds.quarantine.empty and ds.orders.net_amount.tolist() == [12.5]


def test_semicolon_separated_csv(tmp_path, reference):
    path = tmp_path / "orders.csv"
    TEXT.to_csv(path, index=False, sep=";", encoding="utf-8-sig")
    assert_same(data.load(path), reference)


@pytest.mark.parametrize("note", ["Café Müller", "\x80\x80 junk", "线上 Ԫ"])
def test_utf8_without_chinese_is_not_mistaken_for_gbk(tmp_path, note):
    path = tmp_path / "orders.csv"
    path.write_bytes(f"order_id,member_id,order_ts,net_amount,note\r\nO1,M1,2025-01-01,1,{note}\r\n".encode())
    ds = data.load(path)
    assert ds.orders.note.tolist() == [note]
