"""helpers.engine.load_to_parquet (raw export → validated Parquet on DuckDB) equals the pandas loader.

Every case loads the same input with ``helpers.data.load`` and with ``engine.load_to_parquet`` and compares, exactly:
the counts, every quarantine row (table, file, row, column, reason, value), every kept value of every table, the
out-of-scope summary and the 红冲 listing. Inputs: the bad-row kinds of tests/test_data.py (their cascades; the others are planted in the dirty world), the reversal cases of
tests/test_data_reversals.py, scope cases, broken CSV records, the 1,000-member test world (typed Parquet) and a
dirty CSV copy of it (GB18030, Chinese dates, ``¥1,234.50``, full-width digits, status spellings, duplicates, 红冲
lines full / partial / exceeding / unknown, bad booleans, order lines of unknown orders, a broken record).

Compared as values, not dtypes: the engine writes ids and categories as strings and timestamps in microseconds (so
Spark reads them), pandas holds ``category`` and nanoseconds; integers are compared as numbers. The pandera
safety net ("schema check failed") is not ported: it never fires on either loader's output here.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import test_data_reversals as REV
from conftest import csv_text
from test_data import BAD_ROWS, BASE, world, write_world

from helpers import data, engine
from helpers.behavior import member_summary

pytestmark = [pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
              pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")]


def _values(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype("string")
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return [None if pd.isna(v) else pd.Timestamp(v) for v in s]
    out = []
    for v in s.astype(object):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
        elif isinstance(v, (int, np.integer, float, np.floating)) and not isinstance(v, (bool, np.bool_)):
            out.append(float(v))
        else:
            out.append(bool(v) if isinstance(v, np.bool_) else v)
    return out


def _rows(df: pd.DataFrame) -> list[list]:
    return df.astype(object).where(df.notna(), None).values.tolist()


def assert_same_load(ds: data.Dataset, got: engine.EngineLoad) -> None:
    pd.testing.assert_frame_equal(got.counts, ds.counts)
    c = got.counts
    assert (c.rows_read == c.rows_kept + c.rows_quarantined + c.rows_out_of_scope + c.rows_reversal).all()
    assert _rows(got.read_quarantine()) == _rows(ds.quarantine[data.QUARANTINE_COLUMNS])
    assert set(got.tables) == set(ds.present)
    for name in ds.present:
        want, have = ds[name], got.read(name)
        assert sorted(have.columns) == sorted(want.columns), name
        for col in want.columns:
            assert _values(have[col]) == _values(want[col]), f"{name}.{col}"
    assert _rows(pd.read_parquet(got.out_dir / "reversals.parquet")) == _rows(ds.reversals)
    assert _rows(pd.read_parquet(got.out_dir / "out_of_scope.parquet")) == _rows(ds.out_of_scope)


def both(src, out, **kw) -> tuple[data.Dataset, engine.EngineLoad]:
    ds = data.load(src, **kw)
    got = engine.load_to_parquet(src, out, **kw)
    assert_same_load(ds, got)
    return ds, got


# ---- tests/test_data.py's bad-row kinds and scope cases -----------------------------------------------------------
# the kinds the dirty world below does not plant (cascades from stores / products / members, order lines, …)
CASCADES = ["unknown store", "store type not allowed", "negative price", "unknown product", "zero quantity",
            "duplicate order line", "order before registration", "same day as registration is fine",
            "birth year too early", "decimal comma is not guessed", "missing order ts", "gender not allowed"]


@pytest.mark.parametrize("case", CASCADES, ids=CASCADES)
def test_bad_row_kinds_and_their_cascades_equal_pandas(tmp_path, case):
    changes, expected = BAD_ROWS[case]
    ds, got = both(write_world(tmp_path / "in", world(**changes)), tmp_path / "out")
    q = got.read_quarantine()
    assert list(zip(q.table, q.row, q["column"], q.reason, strict=True)) == expected  # the hand-written truth


def test_scope_self_reference_and_campaigns_equal_pandas(tmp_path):
    root = write_world(tmp_path / "a", BASE)
    ds, _ = both(root, tmp_path / "a2", as_of=pd.Timestamp("2025-05-20 20:00"))
    assert ds.counts.loc["order_items"].tolist() == [5, 3, 0, 2, 0]
    w = world(members__3__register_ts="2025-05-25 10:00:00", orders__4__order_ts="2025-05-26 09:00:00")
    for i, ref in enumerate(["M3", "M1", "M404"]):
        w["members"][i]["referrer_id"] = ref
    root = write_world(tmp_path / "b", w)
    (root / "feedback.csv").write_text(csv_text(["feedback_id", "member_id", "created_ts", "text"], [
        ["F1", "M3", "2025-05-10 10:00:00", "好"], ["F2", "M1", "2025-05-10 10:00:00", "好"]]), encoding="utf-8")
    (root / "campaigns.csv").write_text(csv_text(["campaign_id", "start_date"], [["C1", "2025-03-01"],
                                                                                 ["C2", "2025-06-15"]]), "utf-8")
    (root / "campaign_contacts.csv").write_text(csv_text(["campaign_id", "member_id", "arm"], [
        ["C1", "M1", "treatment"], ["C2", "M2", "control"], ["C9", "M1", "control"], ["C1", "M3", "x"]]), "utf-8")
    ds, got = both(root, tmp_path / "b1", as_of="2025-05-20")
    assert ds.out_of_scope["rows"].sum() > 0 and len(ds.quarantine) > 0


def test_broken_csv_records_keep_their_row_numbers(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text('order_id,member_id,order_ts,net_amount,note\nO1,M1,2025-01-01,1,"two\nlines"\n'
                    "O2,M2,2025-01-02\nO3,M3,x,3,\nO4,M4,2025-01-04,4,,extra\nO5,M5,2025-01-05,5,ok\n", "utf-8")
    _, got = both(path, tmp_path / "out")
    assert got.read_quarantine()["row"].tolist() == [2, 3, 4] and got.read("orders").order_id.tolist() == ["O1", "O5"]


# ---- tests/test_data_reversals.py's 红冲 cases ----------------------------------------------------------------------
P = REV.PAID
NO_REF = ["order_id", "member_id", "order_ts", "net_amount", "status"]
REVERSALS = {
    "full": ([*P, ["H1", "M1", "2025-03-05 09:00:00", "-100.00", "红冲", "O1"]], REV.HEADER, {}),
    "exceeds": ([*P, ["H1", "M2", "2025-03-05", "-30", "红冲", "O2"], ["H2", "M2", "2025-03-06", "-30", "红冲", "O2"]],
                REV.HEADER, {}),
    "partial": ([*P, ["H1", "M2", "2025-03-05", "-20", "paid", "O2"], ["H2", "M2", "2025-03-06", "-10.5", "", "O2"]],
                REV.HEADER, {}),
    "same number": ([["O1", "M1", "2025-03-01", "100", "paid"], ["O1", "M1", "2025-03-04", "-100", "reversal"],
                     ["O2", "M1", "2025-03-02", "40", "paid"]], NO_REF, {}),
    "no status column": ([["O1", "M1", "2025-03-01", "10", ""], ["O2", "M1", "2025-03-01", "12", ""],
                          ["R1", "M1", "2025-03-02", "-10", "O1"]],
                         ["order_id", "member_id", "order_ts", "net_amount", "original_order_id"], {}),
    "unusable": ([*P, ["X1", "M1", "2025-03-05", "-5", "paid", ""], ["X2", "M1", "2025-03-05", "5", "红冲", ""],
                  ["X3", "M1", "2025-03-05", "-5", "红冲", "O404"], ["X4", "M9", "2025-03-05", "-50", "红冲", "O2"],
                  ["X5", "M3", "2025-03-05", "-30.01", "红冲", "O3"]], REV.HEADER, {}),
    "quarantined original": ([["O1", "M1", "2025-13-01", "100", "paid", ""], *P[1:],
                              ["H1", "M1", "2025-03-05", "-100", "红冲", "O1"]], REV.HEADER, {}),
    "as-of": ([*P, ["H1", "M1", "2025-04-05", "-100", "红冲", "O1"], ["O9", "M1", "2025-05-01", "70", "paid", ""],
               ["H9", "M1", "2025-03-31", "-70", "红冲", "O9"]], REV.HEADER, {"as_of": "2025-03-31"}),
    "same number, quarantined": ([["O1", "M1", "2025-03-04", "-10"], ["O1", "", "2025-03-01", "10"],
                                  ["O2", "M1", "2025-03-01", "5"]], NO_REF[:4], {}),
}


@pytest.mark.parametrize("case", list(REVERSALS), ids=list(REVERSALS))
def test_reversal_cases_equal_pandas(tmp_path, case):
    rows, header, kw = REVERSALS[case]
    path = tmp_path / "orders.csv"
    path.write_text(csv_text(header, rows), encoding="utf-8")
    both(path, tmp_path / "out", **kw)


def test_lines_of_folded_and_refunded_orders_equal_pandas(tmp_path):
    (tmp_path / "orders.csv").write_text(csv_text(REV.HEADER, [*P, ["H1", "M1", "2025-03-05", "-30", "红冲", "O3"]]),
                                         encoding="utf-8")
    (tmp_path / "order_items.csv").write_text(csv_text(["order_id", "line_no", "product_id", "quantity"], [
        ["O3", "1", "P1", "1"], ["H1", "1", "P1", "-1"], ["H9", "1", "P1", "1"], ["O1", "1", "P1", "2"]]), "utf-8")
    ds, got = both(tmp_path, tmp_path / "out")
    assert got.counts.loc["order_items"].tolist() == [4, 2, 1, 0, 1]
    assert got.read("orders").set_index("order_id").status["O3"] == "refunded"


# ---- the 1,000-member world: typed Parquet, and a dirty CSV copy ----------------------------------------------------
def dirty_copy(src: Path, root: Path, seed: int, n_orders: int) -> Path:
    """members / orders / order_items of ``src`` as CSV text (orders in GB18030) with planted dirt of every kind."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True)

    def text(name):
        return pd.read_parquet(src / f"{name}.parquet").astype(str).replace({"<NA>": "", "NaT": "", "nan": ""})

    m, o, it = text("members"), text("orders").iloc[:n_orders], text("order_items")
    it = it[it.order_id.isin(set(o.order_id))].copy()

    def plant(df, col, values, rate=0.02):
        idx = rng.choice(len(df), max(1, int(rate * len(df))), replace=False)
        df.iloc[idx, df.columns.get_loc(col)] = rng.choice(values, len(idx))

    plant(o, "order_ts", ["2025年3月1日 12:00", "2025/3/1 9:05", "2025-03-01T12:00:00+08:00", "20250301", "昨天",  # typography: ignore
                          "2025-02-30 10:00:00", " 2025-03-02 10:00:00 ", "2025-3-1 1:2:3", "1899-12-31", "", "NULL"])
    plant(o, "net_amount", ["¥1,234.50", "12,5", "十二元", "-5", "１２３", "1e2", " 88 ", "-0", "1_000", "NaN", "inf",
                            "3.5元", "+7", ".5", "1.", "-12.25"])  # typography: ignore
    plant(o, "status", ["已退款", "REFUNDED", "红冲", "cancelled", "Paid ", "退款", "ｐａｉｄ"])
    plant(o, "channel", ["火星", " 门店 ", "小程序", "线上 商城"])
    plant(o, "member_id", ["NULL", "", "M999999", "-"], 0.01)
    plant(o, "points_earned", ["2.5", "-1", "3.0", "1,000", "x"])
    plant(o, "order_id", list(o.order_id.iloc[:20]), 0.01)
    o["原订单号"] = ""
    k = max(10, len(o) // 50)
    rev = o.sample(k, random_state=seed)
    amount = pd.to_numeric(rev["net_amount"], errors="coerce").fillna(1).to_numpy()
    rev = rev.assign(原订单号=rev["order_id"].to_numpy(), order_id=[f"R{i:06d}" for i in range(k)],
                     net_amount=[f"{-a * f:.2f}" for a, f in zip(amount, rng.choice([1.0, 0.5, 1.5], k), strict=True)],
                     status=rng.choice(["红冲", "paid", ""], k))
    rev.iloc[: k // 5, rev.columns.get_loc("原订单号")] = "O404"
    o = pd.concat([o, rev]).sample(frac=1.0, random_state=seed)
    plant(m, "sms_consent", ["maybe", "Y", "否", "√", "FALSE"])
    plant(m, "register_ts", ["2025-13-01", "2024/1/5", ""])
    plant(m, "gender", ["X", "女 ", "男"])
    plant(it, "line_no", ["1.0", "0", "abc"])
    plant(it, "quantity", ["0", "2", "-1"])
    plant(it, "order_id", ["O404", "R000001"], 0.01)
    m.to_csv(root / "members.csv", index=False)
    o.to_csv(root / "orders.csv", index=False, encoding="gb18030")
    it.rename(columns={"quantity": "数量"}).to_csv(root / "order_items.csv", index=False)
    with open(root / "order_items.csv", "a", encoding="utf-8") as f:
        f.write("O1,1,P1\n")  # a record with the wrong number of fields
    return root


def test_typed_parquet_world_equals_pandas_and_reloads(tmp_path, small_world):
    tables = ["members", "orders", "order_items"]
    ds, got = both(small_world, tmp_path / "out", tables=tables, as_of="2025-06-30")
    assert ds.counts.rows_out_of_scope.sum() > 0 and ds.quarantine.empty
    ts = pq.read_schema(got.tables["orders"]).field("order_ts").type
    assert str(ts) == "timestamp[us]"  # Spark reads microseconds, not pandas' nanoseconds
    again = data.load(got.out_dir)  # the output is a validated snapshot: same tables, the source's counts back
    pd.testing.assert_frame_equal(again.counts, ds.counts.loc[list(again.counts.index)])
    pd.testing.assert_frame_equal(again.orders[["order_id", "net_amount", "order_ts"]],
                                  ds.orders[["order_id", "net_amount", "order_ts"]])
    as_of = "2025-06-30"
    pd.testing.assert_frame_equal(engine.member_summary(got.out_dir, as_of).drop(columns="n_channels"),
                                  member_summary(ds.orders, as_of).drop(columns="n_channels"),
                                  check_index_type=False, rtol=1e-9)


def test_dirty_csv_world_equals_pandas(tmp_path, small_world):
    root = dirty_copy(small_world, tmp_path / "dirty", seed=7, n_orders=3000)
    ds, got = both(root, tmp_path / "out", as_of="2025-09-30")
    reasons = set(ds.quarantine.reason)
    assert len(reasons) >= 15 and {data.R_REVERSAL_EXCEEDS, data.R_FIELDS, data.R_DATE} <= reasons
    assert len(ds.reversals) > 0 and (ds.reversals.effect == "net_reduced").any()


def test_file_level_errors_are_the_pandas_loaders(tmp_path):
    (tmp_path / "orders.csv").write_text("order_id,net_amount\nO1,5\n", encoding="utf-8")
    with pytest.raises(data.DataFileError, match="member_id"):
        engine.load_to_parquet(tmp_path, tmp_path / "out")
    (tmp_path / "orders.csv").write_text("member_id,order_ts,net_amount\n", encoding="utf-8")
    with pytest.raises(data.DataFileError, match="no data rows"):
        engine.load_to_parquet(tmp_path, tmp_path / "out")
    with pytest.raises(ValueError, match="unknown table"):
        engine.load_to_parquet(tmp_path, tmp_path / "out", tables=["nope"])
    pd.DataFrame({"member_id": ["M1"], "order_ts": [pd.Timestamp("2025-01-01")], "net_amount": [1.0]}).to_parquet(
        tmp_path / "orders.parquet")
    (tmp_path / "orders.csv").unlink()
    with pytest.raises(ValueError, match="overwrite the export"):
        engine.load_to_parquet(tmp_path, tmp_path)
    (tmp_path / "out" / "events.parquet").write_bytes(b"stale")  # from an earlier load: removed, not read back
    res = engine.load_to_parquet(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out" / "events.parquet").exists() and data.load(res.out_dir).present == ("orders",)


def test_duckdb_out_of_memory_is_one_sentence_naming_the_file(tmp_path, capsys, monkeypatch):
    """DuckDB running out of memory (or disk) while it validates a file: the loader says which file, in one
    bilingual sentence, and the report exits 2 with it instead of a traceback."""
    from helpers.engine import load as eload
    from helpers.report import cli

    src = tmp_path / "export"
    src.mkdir()
    (src / "orders.csv").write_text("member_id,order_ts,net_amount\nM1,2025-01-01 10:00:00,5\n", encoding="utf-8")
    with pytest.raises(data.DataFileError, match=r"orders\.csv.*memory_limit") as err:
        engine.load_to_parquet(src, tmp_path / "out", memory_limit="1KB")
    assert err.value.path == src / "orders.csv" and "Traceback" not in str(err.value)
    connect = eload._connect
    monkeypatch.setattr(eload, "_connect", lambda work, limit, threads: connect(work, "1KB", threads))
    rc = cli.main(["--data-dir", str(src), "--out", str(tmp_path / "run"), "--engine", "duckdb", "--modules", "00",
                   "--no-progress"])
    msg = capsys.readouterr().err
    assert rc == 2 and "orders.csv" in msg and "Traceback" not in msg and "out of memory or disk" in msg


def test_member_layout_clusters_orders_by_member_then_time(tmp_path):
    """``layout="member"``: the same kept orders, clustered by member then time and the ids dictionary-encoded
    (the layout helpers.engine.columnar reads without decoding ids)."""
    src = tmp_path / "export"
    src.mkdir()
    rng = np.random.default_rng(4)
    k = 600
    orders = pd.DataFrame({"order_id": [f"O{i:05d}" for i in range(k)],
                           "member_id": [f"M{i}" for i in rng.integers(0, 80, k)],
                           "order_ts": pd.Timestamp("2025-03-01") + pd.to_timedelta(rng.integers(0, 9e6, k), unit="s"),
                           "net_amount": np.round(rng.gamma(2, 40, k), 2)})
    orders.to_parquet(src / "orders.parquet", index=False)  # an orders-only export in no particular order
    source = engine.load_to_parquet(src, tmp_path / "source")
    member = engine.load_to_parquet(src, tmp_path / "member", layout="member")
    a, b = source.read("orders"), member.read("orders")
    assert len(a) == len(b) and not a.equals(b)
    pd.testing.assert_frame_equal(b, a.sort_values(["member_id", "order_ts"], kind="stable", ignore_index=True))
    meta = pq.ParquetFile(member.tables["orders"]).metadata
    col = [meta.schema.column(i).name for i in range(meta.num_columns)].index("member_id")
    assert all("DICTIONARY" in " ".join(meta.row_group(g).column(col).encodings) for g in range(meta.num_row_groups))
    from helpers.engine import columnar

    assert columnar.read_clustered(member.tables["orders"]) is not None
    assert columnar.read_clustered(source.tables["orders"]) is None
    with pytest.raises(ValueError, match="layout"):
        engine.load_to_parquet(src, tmp_path / "x", layout="sorted")
    assert sorted(a["order_id"]) == sorted(orders["order_id"])


def test_column_mapping_and_deep_copy_of_base_are_respected(tmp_path):
    w = copy.deepcopy(BASE)
    for r in w["orders"]:
        r["金额（元）"] = r.pop("net_amount")
    root = write_world(tmp_path / "in", w)
    ds, got = both(root, tmp_path / "out", columns={"orders": {"net_amount": "金额（元）"}})
    assert got.columns["orders"]["net_amount"] == "金额（元）"


@pytest.mark.parametrize("fmt", ["xlsx", "typed parquet", "parquet with text"])
def test_other_formats_equal_pandas(tmp_path, fmt):
    import test_data_formats as F

    frame = F.typed(F.TEXT) if fmt != "parquet with text" else F.TEXT.copy()
    if fmt == "typed parquet":  # tz-aware times (local wall time), float ids, a bad typed amount
        frame["下单时间"] = frame["下单时间"].dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
        frame["门店ID"] = [1.0, 2.0, None, 4.0]  # typography: ignore
        frame.loc[2, "实付金额"] = -3.0
    path = tmp_path / ("orders.xlsx" if fmt == "xlsx" else "orders.parquet")
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["会员ID", "下单时间", "实付金额"])  # typography: ignore
        serial = (pd.Timestamp("2025-03-01 12:00") - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
        for row in (["M1", serial, 10], [None, None, None], ["M2", "2025年3月2日", "¥5"], ["M3", "not a date", 1]):  # typography: ignore
            ws.append(row)
        wb.save(path)
    else:
        frame.to_parquet(path, index=False)
    ds, got = both(path, tmp_path / "out")
    assert len(got.read("orders")) > 0


def test_typed_booleans_where_numbers_belong_quarantine_alike(tmp_path):
    pd.DataFrame({"member_id": ["M1", "M2"], "register_ts": pd.to_datetime(["2025-01-01", "2025-01-02"]),
                  "sms_consent": [True, False], "city_tier": [True, False]}).to_parquet(tmp_path / "members.parquet")
    pd.DataFrame({"member_id": ["M1", "M2"], "order_ts": pd.to_datetime(["2025-02-01", "2025-02-02"]),
                  "net_amount": [1.0, 2.0]}).to_parquet(tmp_path / "orders.parquet")
    ds, got = both(tmp_path, tmp_path / "out")
    assert got.read_quarantine()["value"].tolist() == ["True", "False", "M1", "M2"]  # pandas' text of a boolean


def test_spark_reads_the_validated_parquet(tmp_path, small_world):
    """The output's microsecond timestamps are what Spark reads (pandas' nanoseconds it cannot): the member summary
    on local Spark straight from ``out_dir`` equals the pandas path (the session of tests/test_engine.py when it
    runs in this process)."""
    spark = engine.local_spark(cores=1, memory="512m", tiny=True)
    as_of = "2025-06-30"
    res = engine.load_to_parquet(small_world, tmp_path / "out", tables=["orders"], as_of=as_of)
    want = member_summary(data.load(small_world, tables=["orders"], as_of=as_of).orders, as_of)
    got = engine.member_summary(res.out_dir, as_of, engine="spark", spark=spark)
    pd.testing.assert_frame_equal(got.drop(columns="n_channels"), want.drop(columns="n_channels"),
                                  check_index_type=False, rtol=1e-9)
    assert (got["n_channels"].to_numpy() == want["n_channels"].to_numpy()).all()
