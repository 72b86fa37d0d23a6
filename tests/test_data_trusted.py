"""The loader's fast path for a report snapshot (helpers.data.trusted): the same Dataset as the full loader on the
snapshots both report paths write, and the full loader whenever the folder is not the plain case."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_engine_load import dirty_copy

from helpers import data
from helpers.data import loader, trusted
from helpers.report.engine_snapshot import load_resolved_engine, write_snapshot_engine
from helpers.report.snapshot import write_snapshot

AS_OF = "2025-06-30"


def _full(root, **kw):
    """data.load with the fast path switched off."""
    saved = loader.load_trusted
    loader.load_trusted = lambda *a: None
    try:
        return data.load(root, **kw)
    finally:
        loader.load_trusted = saved


def assert_same_dataset(fast, full):
    assert fast.present == full.present
    for name in full.present:
        pd.testing.assert_frame_equal(fast[name], full[name], check_exact=True, check_categorical=True)
    for attr in ("quarantine", "counts", "out_of_scope", "reversals"):
        pd.testing.assert_frame_equal(getattr(fast, attr), getattr(full, attr), check_exact=True)
    for attr in ("extra_columns", "missing_columns", "unrecognised", "columns", "sources", "as_of", "root"):
        assert getattr(fast, attr) == getattr(full, attr), attr


@pytest.fixture(scope="module")
def pandas_snapshot(small_world, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("trusted") / "snapshot"
    return write_snapshot(data.load(small_world, as_of=AS_OF), small_world, dest, pd.Timestamp(AS_OF))


def test_pandas_snapshot_loads_as_the_full_loader(pandas_snapshot):
    for tables in (None, ("members", "stores"), ("order_items",)):
        wanted = None if tables is None else {*tables, "orders"}
        assert trusted.load_trusted(pandas_snapshot, pd.Timestamp(AS_OF), wanted) is not None  # fast path taken
        for as_of in (AS_OF, None):
            assert_same_dataset(data.load(pandas_snapshot, as_of=as_of, tables=tables),
                                _full(pandas_snapshot, as_of=as_of, tables=tables))


def test_engine_snapshot_of_a_dirty_export_loads_as_the_full_loader(small_world, tmp_path):
    src = dirty_copy(small_world, tmp_path / "dirty", seed=7, n_orders=3000)
    snap, as_of = load_resolved_engine(src, AS_OF, None, tmp_path / "staging")
    dest = write_snapshot_engine(snap, src, tmp_path / "snapshot", as_of)
    assert trusted.load_trusted(dest, as_of, None) is not None
    fast = data.load(dest, as_of=AS_OF)
    assert len(fast.quarantine) > 0  # the source's quarantine, handed back
    assert_same_dataset(fast, _full(dest, as_of=AS_OF))


def test_rows_after_the_as_of_take_the_full_path(pandas_snapshot):
    earlier = "2025-03-31"
    assert trusted.load_trusted(pandas_snapshot, pd.Timestamp(earlier), None) is None
    ds = data.load(pandas_snapshot, as_of=earlier)
    assert ds.counts["rows_out_of_scope"].sum() > 0
    assert (ds.orders["order_ts"] < pd.Timestamp("2025-04-01")).all()


def test_a_bad_value_or_a_plain_folder_takes_the_full_path(pandas_snapshot, small_world, tmp_path):
    assert trusted.load_trusted(small_world, None, None) is None  # not a snapshot
    bad = tmp_path / "bad"
    shutil.copytree(pandas_snapshot, bad)
    orders = pd.read_parquet(bad / "orders.parquet")
    orders.loc[0, "net_amount"] = -5.0
    orders.loc[1, "member_id"] = pd.NA
    orders.to_parquet(bad / "orders.parquet", index=False)
    assert trusted.load_trusted(bad, pd.Timestamp(AS_OF), None) is None
    ds = data.load(bad, as_of=AS_OF)
    assert len(ds.orders) == len(orders) - 2  # the full loader quarantines both rows
    assert np.isfinite(ds.orders["net_amount"]).all() and (ds.orders["net_amount"] >= 0).all()
