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


def _member_layout_orders(k=2500, seed=3):
    """Orders with the summary's edge cases: ids of several widths, same-day orders, refunds (one member refunded
    only), orders after the as-of, channels."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"M{i}" for i in range(300)])  # M1 … M299: not fixed width, string order ≠ number order
    orders = pd.DataFrame({
        "member_id": ids[rng.integers(0, 300, k)],
        "order_ts": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 40 * 86400, k) * 10, unit="s"),
        "net_amount": np.round(rng.gamma(2, 50, k), 2),
        "status": rng.choice(["paid", "refunded"], k, p=[0.9, 0.1]),
        "channel": rng.choice(["store", "mini", "mall"], k),
    })
    orders.loc[orders["member_id"] == "M7", "status"] = "refunded"
    return orders


def _segments_off(monkeypatch):
    monkeypatch.setattr(summary, "_sorted_segments", lambda codes, day: None)


def test_member_layout_is_read_without_decoding_ids_and_gives_the_same_summary(tmp_path, monkeypatch):
    """A file clustered by member then time (small row groups: members run across their boundaries) takes the
    dictionary route and the segment reductions; the numbers are those of the general path on the same rows in
    the same order (bit for bit), and a shuffled copy of the file (a foreign layout) falls back with the same
    numbers up to the order of addition."""
    orders = _member_layout_orders().sort_values(["member_id", "order_ts"], kind="stable", ignore_index=True)
    clustered = tmp_path / "clustered.parquet"
    orders.to_parquet(clustered, index=False, row_group_size=97)
    shuffled = tmp_path / "shuffled.parquet"
    orders.sample(frac=1.0, random_state=1).to_parquet(shuffled, index=False, row_group_size=97)

    read = columnar.read_clustered(clustered)
    assert read is not None and columnar.read_clustered(shuffled) is None
    frame, codes, ids, days = read
    assert list(ids) == sorted(orders["member_id"].unique()) and (np.diff(codes) >= 0).all()
    assert "member_id" not in frame and len(frame) == len(codes) == len(orders)
    assert (ids[codes] == orders["member_id"].to_numpy()).all()
    assert (days == orders["order_ts"].dt.floor("D").to_numpy().astype("datetime64[D]").astype(np.int64)).all()

    fast = columnar.member_summary_parquet(clustered, "2025-02-05")
    foreign = columnar.member_summary_parquet(shuffled, "2025-02-05")
    _segments_off(monkeypatch)  # the general path: scatter for first / last day, sort for distinct days
    want = member_summary(pd.read_parquet(clustered), "2025-02-05")
    pd.testing.assert_frame_equal(fast, want)
    pd.testing.assert_frame_equal(foreign, want, check_exact=False, rtol=1e-12)
    assert "M7" not in want.index and want["refunded_orders"].sum() > 0 and (want["x"] > 0).any()


def test_segments_need_members_clustered_and_days_in_order(monkeypatch):
    orders = _member_layout_orders(k=800, seed=9).sort_values(["member_id", "order_ts"], ignore_index=True)
    day = orders["order_ts"].to_numpy().astype("datetime64[D]").astype(np.int32)
    codes = pd.factorize(orders["member_id"], sort=True)[0].astype(np.int32)
    assert summary._sorted_segments(codes, day) is not None
    late = day.copy()
    i = np.flatnonzero(np.diff(codes) == 0)[0]
    late[i] = late[i + 1] + 1  # one member's days out of order
    assert summary._sorted_segments(codes, late) is None
    assert summary._sorted_segments(codes[::-1].copy(), day[::-1].copy()) is None
    # by member but not by time: the general path, same integers
    by_member = orders.sort_values("member_id", kind="stable", ignore_index=True)
    by_member = by_member.groupby("member_id", group_keys=False).sample(frac=1.0, random_state=2)
    got = member_summary(by_member, "2025-02-05")
    _segments_off(monkeypatch)
    pd.testing.assert_frame_equal(got, member_summary(orders, "2025-02-05"), check_exact=False, rtol=1e-12)
