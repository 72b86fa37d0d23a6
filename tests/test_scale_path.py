"""The one-machine fast path of the member summary (issue 16): the distinct-day count split into 32-bit key ranges
sorted side by side, the dense-id factorisation, and the Parquet reader that hands only the needed columns to the
numpy path — each equal to a plain reference computed here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.behavior import member_summary, summary
from helpers.engine import columnar


def _reference_days(codes, n, day):
    pairs = np.unique(np.stack([codes.astype(np.int64), day.astype(np.int64)]), axis=1)
    return np.bincount(pairs[0], minlength=n)


@pytest.mark.parametrize("case", ["one range", "parallel ranges", "keys beyond 32 bits"])
def test_distinct_days_equal_a_unique_of_the_pairs(case, monkeypatch):
    rng = np.random.default_rng(7)
    n, rows = 50, 4000
    codes = np.sort(rng.integers(0, n, rows)).astype(np.int32)
    rng.shuffle(codes)
    day = rng.integers(19000, 19060, rows).astype(np.int32)  # many orders on one member's same day
    if case == "parallel ranges":
        monkeypatch.setattr(summary, "_PARALLEL_ROWS", 1)
        monkeypatch.setattr(summary.os, "cpu_count", lambda: 3)
    if case == "keys beyond 32 bits":  # n × span > 2^32: split into member ranges whose keys fit
        day[::7] += 200_000_000
    codes[:3] = [0, n - 1, n - 1]  # the first and last member present
    got = summary._distinct_days(codes, n, day)
    assert got.dtype == np.int64 and np.array_equal(got, _reference_days(codes, n, day))
    assert np.array_equal(summary._distinct_days(codes[:0], n, day[:0]), np.zeros(n, np.int64))


def test_parquet_summary_reads_only_needed_columns_and_equals_pandas(tmp_path):
    rng = np.random.default_rng(5)
    k = 3000
    orders = pd.DataFrame({
        "order_id": [f"O{i:06d}" for i in range(k)],  # not read
        "member_id": [f"M{i:07d}" for i in rng.integers(0, 400, k)],
        "order_ts": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 300 * 86400, k), unit="s"),
        "net_amount": np.round(rng.gamma(2, 50, k), 2),
        "status": pd.Categorical(rng.choice(["paid", "refunded"], k, p=[0.9, 0.1])),
        "channel": pd.Categorical(rng.choice(["store", "mini", "mall"], k)),
        "store_id": rng.integers(0, 20, k),  # not read
    })
    path = tmp_path / "orders.parquet"
    orders.to_parquet(path, index=False, row_group_size=700)  # several row groups
    frame = columnar.read_orders(path)
    assert list(frame.columns) == ["member_id", "order_ts", "net_amount", "status", "channel"]
    want = member_summary(pd.read_parquet(path), "2025-09-30")
    pd.testing.assert_frame_equal(columnar.member_summary_parquet(tmp_path, "2025-09-30"), want)
    assert want.attrs == columnar.member_summary_parquet(path, "2025-09-30").attrs
    with pytest.raises(KeyError, match="orders.parquet: orders is missing required column"):
        orders.drop(columns="net_amount").to_parquet(path, index=False)
        columnar.read_orders(path)


def test_summary_for_is_forbidden_with_member_summary_on_every_engine():
    """An exercise that forbids member_summary must not be passable through summary_for(engine="duckdb")."""
    from helpers import behavior, checks

    orders = pd.DataFrame({"member_id": ["A", "A", "B"], "net_amount": [1.0, 2.0, 3.0],
                           "order_ts": pd.to_datetime(["2025-01-01", "2025-01-05", "2025-01-02"])})
    pd.testing.assert_frame_equal(behavior.summary_for(orders, "2025-01-31", engine="duckdb"),
                                  member_summary(orders, "2025-01-31"), check_index_type=False)
    for kind in ("pandas", "duckdb"):
        with checks.forbid("behavior.member_summary", exercise="练习 1"), pytest.raises(AssertionError):
            behavior.summary_for(orders, "2025-01-31", engine=kind)
