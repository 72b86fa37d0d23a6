"""Regression tests for helpers.quality's as-of rules, the timeliness / uniqueness dimensions, 红冲 reversal lines,
the rows behind a count, the quarantine ranking and the ``helpers check`` command.

Expectations are hand-worked on tiny frames, or come from the loader (an independent implementation of the same
scope rule), never from the function under test.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from helpers import data
from helpers import quality as q
from helpers import tables as T


def _orders(ts, amounts=None, channels=None, ids=None, members=None) -> pd.DataFrame:
    n = len(ts)
    return pd.DataFrame({
        "order_id": pd.array(ids or [f"O{i}" for i in range(n)], dtype="string"),
        "member_id": pd.array(members or ["M1"] * n, dtype="string"),
        "order_ts": pd.to_datetime(ts),
        "channel": pd.Categorical(channels or ["门店"] * n),
        "net_amount": amounts or [10.0] * n,
    })


# ---------------------------------------------------------------------------------------------------- as-of


def test_no_as_of_uses_last_order_day_not_the_clock(monkeypatch):
    """Issue 9: without an as-of date the birth-year check used Timestamp.today(); it must use the last order day."""
    def clock(*args, **kwargs):
        raise AssertionError("the quality rules read the computer's clock")

    monkeypatch.setattr(pd.Timestamp, "today", classmethod(clock))
    monkeypatch.setattr(pd.Timestamp, "now", classmethod(clock))
    frames = {
        "orders": _orders(["1990-03-01 10:00", "1990-06-30 18:00"]),
        # born 1980: 10 years old on the last order day (implausible), an adult by the clock
        "members": pd.DataFrame({"member_id": pd.array(["M1", "M2"], dtype="string"),
                                 "birth_year": pd.array([1980, 1960], dtype="Int64")}),
    }
    rep = q.accuracy(frames).set_index(["column", "check"])["n_failed"]
    assert rep[("birth_year", "implausible_birth_year")] == 1
    assert q.reference_date(frames) == pd.Timestamp("1990-06-30")
    assert q.reference_date(frames, as_of="1991-01-05 12:00") == pd.Timestamp("1991-01-05")
    assert "after_as_of" not in set(q.accuracy(frames)["check"])  # nothing can be "after" a date nobody gave


def test_after_as_of_checks_the_loaders_columns(tmp_path):
    """Issue 9: quality flagged every datetime column after the as-of date, the loader only each table's own time.

    A feedback resolved after the as-of date is in scope (written before it); one written after it is not."""
    as_of = "2025-12-31"
    orders = _orders(["2025-12-30 10:00", "2025-12-31 23:59", "2026-01-01 00:00"])
    feedback = pd.DataFrame({
        "feedback_id": pd.array(["F1", "F2", "F3"], dtype="string"),
        "member_id": pd.array(["M1", "M1", "M1"], dtype="string"),
        "created_ts": pd.to_datetime(["2025-12-20 10:00", "2025-12-30 10:00", "2026-01-02 10:00"]),
        "text": pd.array(["好", "慢", "差"], dtype="string"),
        "first_response_ts": pd.to_datetime(["2025-12-20 11:00", "2026-01-03 09:00", "2026-01-02 11:00"]),
        "resolved_ts": pd.to_datetime(["2025-12-21 10:00", "2026-01-05 10:00", "2026-01-04 10:00"]),
    })
    for name, df in {"orders": orders, "feedback": feedback}.items():
        df.to_parquet(tmp_path / f"{name}.parquet", index=False)
    ds = data.load(tmp_path, as_of=as_of)
    dropped = {t: 3 - len(ds[t]) for t in ("orders", "feedback")}  # out of scope (or quarantined) by the loader
    assert dropped == {"orders": 1, "feedback": 1}

    rep = q.accuracy({"orders": orders, "feedback": feedback}, as_of=as_of)
    after = rep[rep["check"] == "after_as_of"].set_index("table")
    assert set(after["column"]) == {"order_ts", "created_ts"}  # one column per table: the row's own time
    assert after["n_failed"].to_dict() == dropped
    for name in ("orders", "feedback", "members", "events"):
        assert q.event_column(name) in {c.name for c in T.TABLES[name].columns}


def test_cutoff_with_a_clock_time_matches_the_loader():
    orders = _orders(["2025-12-31 11:00", "2025-12-31 13:00"])
    rep = q.accuracy(orders, as_of="2025-12-31 12:00").set_index("check")
    assert rep.loc["after_as_of", "n_failed"] == 1  # a date with a time cuts at that time
    assert q.accuracy(orders, as_of="2025-12-31").set_index("check").loc["after_as_of", "n_failed"] == 0


# ---------------------------------------------------------------------------------------------------- timeliness


def test_feed_lag_per_channel_and_sla():
    orders = _orders(["2025-12-31 08:00", "2025-12-30 23:00", "2025-12-26 12:00", "2026-01-03 10:00"],
                     channels=["门店", "线上商城", "小程序", "小程序"])
    lag = q.feed_lag(orders, as_of="2025-12-31 18:00")
    # calendar days, the clock time ignored; the 小程序 row after the as-of date is out of scope, not fresh data
    assert lag["lag_days"].to_dict() == {"小程序": 5, "线上商城": 1, "门店": 0}
    assert lag["breaks_sla"].to_dict() == {"小程序": True, "线上商城": False, "门店": False}
    assert list(lag.index) == ["小程序", "线上商城", "门店"]  # the worst feed first
    assert q.feed_lag(orders, as_of="2025-12-31", sla_days=0)["breaks_sla"].sum() == 2
    whole = q.feed_lag(orders, as_of="2025-12-31", by=None)
    assert whole["lag_days"].tolist() == [0]


def test_timeliness_dimension_flags_a_stale_feed_and_time_order():
    orders = _orders(["2025-12-20 10:00"])
    events = pd.DataFrame({"event_id": ["E1"], "member_id": ["M1"], "event_ts": pd.to_datetime(["2025-12-31 09:00"]),
                           "event_type": pd.Categorical(["view"])})
    fb = pd.DataFrame({"feedback_id": ["F1", "F2"], "created_ts": pd.to_datetime(["2025-12-01 10:00"] * 2),
                       "resolved_ts": pd.to_datetime(["2025-12-01 09:00", "2025-12-02 09:00"])})
    rep = q.timeliness({"orders": orders, "events": events, "feedback": fb}, as_of="2025-12-31")
    got = rep.set_index(["table", "check"])["n_failed"]
    assert got[("orders", "stale_feed")] == 1  # 11 days behind a T+1 feed
    assert got[("events", "stale_feed")] == 0
    assert got[("feedback", "resolved_before_created")] == 1
    assert set(rep["dimension"]) == {"timeliness"}


# ---------------------------------------------------------------------------------------------------- uniqueness


def test_uniqueness_dimension():
    orders = _orders(["2025-01-01 10:00", "2025-01-01 10:00", "2025-01-01 10:00", "2025-01-02 10:00"],
                     ids=["O1", "O1", "O2", "O3"])
    # O1 twice: a key duplicate; O2: the same purchase again under a new number; O3 distinct
    rep = q.uniqueness(orders).set_index("check")["n_failed"]
    assert rep["duplicate_key"] == 1
    assert rep["duplicate_content"] == 1
    assert set(q.quality_report(orders)["dimension"]) <= set(q.DIMENSIONS)
    assert list(q.DIMENSIONS) == ["completeness", "accuracy", "consistency", "timeliness", "uniqueness", "security"]


# ---------------------------------------------------------------------------------------------------- 红冲


@pytest.fixture
def reversal_contract():
    """The contract's column by which a 红冲 line names the order it reverses."""
    assert T.REVERSAL.table == "orders"
    return T.REVERSAL.reference


def test_reversal_line_is_a_refund_not_an_error(reversal_contract):
    orders = _orders(["2025-03-01 10:00", "2025-03-02 10:00", "2025-03-03 10:00", "2025-03-04 10:00"],
                     amounts=[100.0, -100.0, -30.0, -500.0], ids=["O1", "R1", "X1", "R2"])
    orders["gross_amount"] = orders["net_amount"]
    orders[reversal_contract] = pd.array([None, "O1", None, "O1"], dtype="string")
    acc = q.accuracy(orders).set_index(["column", "check"])["n_failed"]
    # R1 and R2 reverse O1 (refunds); X1 is negative without naming an order: an error
    assert acc[("net_amount", "negative_amount")] == 1
    assert acc[("net_amount", "net_gt_gross")] == 0
    cons = q.consistency(orders).set_index("check")["n_failed"]
    assert cons["reversal_exceeds_original"] == 1  # R2 refunds 500 of a 100 order
    rows = q.failed_rows(orders, "negative_amount")
    assert rows["order_id"].tolist() == ["X1"]


# ---------------------------------------------------------------------------------------------------- rows, impact


def test_failed_rows_are_the_rows_behind_the_count():
    members = pd.DataFrame({"member_id": ["M1"], "register_ts": pd.to_datetime(["2025-03-05 18:00"])})
    orders = _orders(["2025-03-04 23:00", "2025-03-05 08:00", "2025-03-06 08:00"]).set_index(pd.Index([7, 8, 9]))
    rows = q.failed_rows({"orders": orders, "members": members}, "order_before_registration")
    assert rows.index.tolist() == [7] and list(rows.columns) == list(orders.columns)
    with pytest.raises(KeyError):
        q.failed_rows(orders, "no_such_check")


def test_quarantine_impact_ranks_reasons_by_distinct_rows():
    quarantine = pd.DataFrame({"table": ["orders"] * 4 + ["members"] * 2,
                               "row": [3, 3, 5, 8, 1, 2],
                               "reason": ["负数", "重复", "负数", "日期", "缺失", "缺失"]})
    counts = pd.DataFrame({"rows_read": [10, 100]}, index=pd.Index(["members", "orders"], name="table"))
    got = q.quarantine_impact(quarantine, counts)
    assert got[["table", "reason", "rows"]].values.tolist() == [
        ["members", "缺失", 2], ["orders", "负数", 2], ["orders", "日期", 1]]  # row 3 counts once, first reason
    assert got["share"].tolist() == pytest.approx([0.2, 0.02, 0.01])
    assert q.quarantine_impact(quarantine.iloc[:0], counts).empty


# ---------------------------------------------------------------------------------------------------- command


def test_check_command_reports_unrecognised_columns_and_scope(tmp_path, capsys):
    orders = _orders(["2025-12-30 10:00", "2026-02-01 10:00"])
    orders["net_amout"] = orders["net_amount"]  # a typo'd extra column beside the real one
    orders.to_parquet(tmp_path / "orders.parquet", index=False)
    assert q.main(["--data-dir", str(tmp_path), "--as-of", "2025-12-31"]) == 0
    text = capsys.readouterr().out
    assert "net_amout" in text and "did you mean net_amount?" in text
    assert "feed lag per channel" in text and "数据质量摘要" in text
    if hasattr(data.load(tmp_path, as_of="2025-12-31"), "unrecognised"):  # the loader that counts scope apart
        assert "out of scope" in text  # the order of 2026-02-01 is after the as-of date: counted apart, not bad data
        assert text.count("net_amout") == 1  # listed once, by the loader's summary, not again by this command


def test_unrecognised_columns_reads_every_loader_format():
    frame = pd.DataFrame({"table": ["orders"], "column": ["实付金 额"]})
    assert q.unrecognised_columns(SimpleNamespace(unrecognised=frame))["suggestion"].tolist() == ["net_amount"]
    pairs = SimpleNamespace(unrecognised={"orders": [("amout", "net_amount"), ("备注", None)]})
    got = q.unrecognised_columns(pairs)
    assert got["column"].tolist() == ["amout", "备注"]
    assert got["suggestion"].iloc[0] == "net_amount" and pd.isna(got["suggestion"].iloc[1])
    old = SimpleNamespace(extra_columns={"orders": ["下单时 间"]})
    assert q.unrecognised_columns(old)["suggestion"].tolist() == ["order_ts"]


def test_suggest_column_by_alias():
    assert q.suggest_column("orders", "实付金 额") == "net_amount"
    assert q.suggest_column("orders", "zzzz") is None


def test_check_command_takes_a_column_mapping(tmp_path, capsys):
    """An export whose amount header nobody could guess is mapped with --columns and then checked like any other."""
    orders = _orders(["2025-12-30 10:00", "2025-12-31 10:00"], amounts=[10.0, -5.0])
    orders = orders.rename(columns={"net_amount": "cash_in"})
    orders.to_csv(tmp_path / "orders.csv", index=False)
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("net_amount: cash_in\n", encoding="utf-8")
    assert q.main(["--data-dir", str(tmp_path / "orders.csv"), "--as-of", "2025-12-31", "--columns", str(mapping)]) == 0
    text = capsys.readouterr().out
    assert "金额为负" in text  # the -5 line was read as net_amount (and quarantined: no original order named)
