"""helpers.data: 红冲 (reversal) lines — a negative line that names its original order is a refund of that order.

Full reversal → the original becomes ``refunded``; partial → the original's net amount is lowered; the reversal line
leaves the table and is counted in ``rows_reversal``; a negative amount that names no original stays quarantined.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import csv_text

from helpers import data

HEADER = ["订单号", "会员ID", "下单时间", "实付金额", "订单状态", "原订单号"]
PAID = [["O1", "M1", "2025-03-01 10:00:00", "100", "paid", ""],
        ["O2", "M2", "2025-03-02 10:00:00", "50", "paid", ""],
        ["O3", "M1", "2025-03-03 10:00:00", "30", "paid", ""]]


def load(write_file, rows, header=HEADER, **kw):
    return data.load(write_file("orders.csv", csv_text(header, rows)), **kw)


def reconciles(ds) -> bool:
    c = ds.counts
    return bool((c.rows_read == c.rows_kept + c.rows_quarantined + c.rows_out_of_scope + c.rows_reversal).all())


def test_full_reversal_with_a_reference_column_refunds_the_original(write_file):
    ds = load(write_file, [*PAID, ["H1", "M1", "2025-03-05 09:00:00", "-100.00", "红冲", "O1"]])
    o = ds.orders.set_index("order_id")
    assert o.status.to_dict() == {"O1": "refunded", "O2": "paid", "O3": "paid"}
    assert o.net_amount.to_dict() == {"O1": 100.0, "O2": 50.0, "O3": 30.0}  # the paid amount stays on record
    assert ds.quarantine.empty and reconciles(ds)
    assert ds.counts.loc["orders"].tolist() == [4, 3, 0, 0, 1]
    r = ds.reversals.iloc[0]
    assert (r.table, r.file, r.row, r.order_id, r.original_order_id, r.amount, r.effect) == (
        "orders", "orders.csv", 4, "H1", "O1", 100.0, "refunded")
    assert "红冲" in ds.summary()


def test_reversals_adding_up_to_more_than_the_original_are_all_quarantined(write_file):
    rows = [*PAID, ["H1", "M2", "2025-03-05", "-30", "红冲", "O2"], ["H2", "M2", "2025-03-06", "-30", "红冲", "O2"]]
    ds = load(write_file, rows)
    assert ds.quarantine[["row", "reason"]].values.tolist() == [[4, data.R_REVERSAL_EXCEEDS],
                                                                [5, data.R_REVERSAL_EXCEEDS]]
    assert ds.orders.set_index("order_id").loc["O2"].tolist()[-2:] == [50.0, "paid"] and ds.reversals.empty


def test_partial_reversals_add_up_and_lower_the_net_amount(write_file):
    rows = [*PAID, ["H1", "M2", "2025-03-05", "-20", "paid", "O2"], ["H2", "M2", "2025-03-06", "-10.5", "", "O2"]]
    ds = load(write_file, rows)
    o = ds.orders.set_index("order_id")
    assert o.loc["O2", "net_amount"] == pytest.approx(19.5) and o.loc["O2", "status"] == "paid"
    assert ds.reversals.effect.tolist() == ["net_reduced", "net_reduced"]
    assert ds.counts.loc["orders", "rows_reversal"] == 2 and reconciles(ds)


def test_reversal_repeating_the_original_order_number(write_file):
    # no reference column: the reversal line carries the original's own order number (and a reversal status)
    header = ["order_id", "member_id", "order_ts", "net_amount", "status"]
    rows = [["O1", "M1", "2025-03-01", "100", "paid"], ["O1", "M1", "2025-03-04", "-100", "reversal"],
            ["O2", "M1", "2025-03-02", "40", "paid"]]
    ds = load(write_file, rows, header)
    assert ds.orders.status.tolist() == ["refunded", "paid"] and ds.quarantine.empty  # not a duplicate key
    assert ds.reversals.original_order_id.tolist() == ["O1"]


def test_status_column_is_added_when_the_file_has_none(write_file):
    header = ["order_id", "member_id", "order_ts", "net_amount", "original_order_id"]
    rows = [["O1", "M1", "2025-03-01", "10", ""], ["O2", "M1", "2025-03-01", "12", ""],
            ["R1", "M1", "2025-03-02", "-10", "O1"]]
    ds = load(write_file, rows, header)
    assert ds.orders.status.tolist() == ["refunded", "paid"]
    assert "status" not in ds.missing_columns["orders"]
    data.schema_for("orders").validate(ds.orders)


@pytest.mark.parametrize(("row", "column", "reason"), [
    (["X1", "M1", "2025-03-05", "-5", "paid", ""], "net_amount", data.R_NEGATIVE_NO_ORIGINAL),
    (["X1", "M1", "2025-03-05", "5", "红冲", ""], "status", data.R_REVERSAL_NO_ORIGINAL),
    (["X1", "M1", "2025-03-05", "-5", "红冲", "O404"], "original_order_id", data.R_REVERSAL_UNKNOWN),
    (["X1", "M9", "2025-03-05", "-50", "红冲", "O2"], "member_id", data.R_REVERSAL_MEMBER),
    (["X1", "M2", "2025-03-05", "-50.01", "红冲", "O2"], "net_amount", data.R_REVERSAL_EXCEEDS),
])
def test_reversal_without_a_usable_original_stays_quarantined(write_file, row, column, reason):
    ds = load(write_file, [*PAID, row])
    assert ds.orders.status.tolist() == ["paid"] * 3 and ds.orders.net_amount.tolist() == [100.0, 50.0, 30.0]
    q = ds.quarantine
    assert q[["row", "column", "reason"]].values.tolist() == [[4, column, reason]]
    assert q.file.tolist() == ["orders.csv"] and reconciles(ds) and ds.reversals.empty
    assert reason in data.QUARANTINE_REASONS


def test_reversal_of_a_quarantined_order(write_file):
    rows = [["O1", "M1", "2025-13-01", "100", "paid", ""], *PAID[1:], ["H1", "M1", "2025-03-05", "-100", "红冲", "O1"]]
    ds = load(write_file, rows)
    assert ds.quarantine[["row", "reason"]].values.tolist() == [[1, data.R_DATE], [4, data.R_REVERSAL_QUARANTINED]]


def test_reversal_and_the_as_of(write_file):
    rows = [*PAID, ["H1", "M1", "2025-04-05", "-100", "红冲", "O1"],   # refund after the as-of: O1 still paid
            ["O9", "M1", "2025-05-01", "70", "paid", ""], ["H9", "M1", "2025-03-31", "-70", "红冲", "O9"]]
    ds = load(write_file, rows, as_of="2025-03-31")
    assert ds.orders.status.tolist() == ["paid", "paid", "paid"] and ds.quarantine.empty
    oos = ds.out_of_scope.set_index("reason").rows.to_dict()
    assert oos == {data.R_AFTER_AS_OF: 2, data.R_REVERSAL_OUT_OF_SCOPE: 1}
    assert ds.counts.loc["orders"].tolist() == [6, 3, 0, 3, 0]


def test_order_lines_of_a_refunded_original_are_kept(tmp_path, write_file):
    write_file("orders.csv", csv_text(HEADER, [*PAID, ["H1", "M1", "2025-03-05", "-30", "红冲", "O3"]]))
    write_file("order_items.csv", csv_text(["order_id", "line_no", "product_id", "quantity"],
                                           [["O3", "1", "P1", "1"], ["O1", "1", "P1", "2"]]))
    ds = data.load(tmp_path)
    assert ds.order_items.order_id.tolist() == ["O3", "O1"] and ds.quarantine.empty
    assert ds.orders.set_index("order_id").status["O3"] == "refunded"
    assert isinstance(ds.orders.status.dtype, pd.CategoricalDtype)


def test_lines_of_a_reversal_with_its_own_number_are_folded_too(tmp_path, write_file):
    write_file("orders.csv", csv_text(HEADER, [*PAID, ["H1", "M1", "2025-03-05", "-30", "红冲", "O3"]]))
    write_file("order_items.csv", csv_text(["order_id", "line_no", "product_id", "quantity"],
                                           [["O3", "1", "P1", "1"], ["H1", "1", "P1", "-1"], ["H9", "1", "P1", "1"]]))
    ds = data.load(tmp_path)
    assert ds.order_items.order_id.tolist() == ["O3"]
    assert ds.counts.loc["order_items"].tolist() == [3, 1, 1, 0, 1] and reconciles(ds)
    assert ds.quarantine[["table", "row", "reason"]].values.tolist() == [
        ["order_items", 3, data.reason_unknown("orders")]]


def test_reversal_repeating_the_number_of_a_quarantined_order(write_file):
    header = ["order_id", "member_id", "order_ts", "net_amount"]
    rows = [["O1", "M1", "2025-03-04", "-10"], ["O1", "", "2025-03-01", "10"], ["O2", "M1", "2025-03-01", "5"]]
    ds = load(write_file, rows, header)
    assert ds.quarantine[["row", "column", "reason"]].values.tolist() == [
        [1, "order_id", data.R_REVERSAL_QUARANTINED], [2, "member_id", data.R_MISSING]]
    assert ds.orders.order_id.tolist() == ["O2"] and ds.reversals.empty
