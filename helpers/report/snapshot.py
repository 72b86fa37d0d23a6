"""Load once: the runner reads and validates the export one time, resolves the as-of date, and hands every module
the same validated snapshot.

Why: each notebook used to load the raw export itself with its own default as-of (``2025-12-31``), so a later
export silently lost every order after that day, the loader's quarantine was produced five times and a 10-million
order CSV was parsed five times. Now:

* the as-of is resolved once — the ``--as-of`` given, else the day of the last order in the data — and passed to
  every module;
* rows after it are *out of scope*, not bad data: counted per table in the data summary (index.html) and
  metrics.json, never written to ``quarantine/``;
* the kept rows are written as Parquet to ``<out>/snapshot/`` (with the generator's ``truth/`` folder when the
  data has one) and every module gets ``data_dir=<out>/snapshot``; loading Parquet that already passed validation
  is fast and yields the same tables. Classroom mode (``data_dir=""``) still loads the course data itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import data as hdata
from helpers.data.dataset import SNAPSHOT_MARKER

from .jsonio import dump_json

__all__ = ["SNAPSHOT", "data_summary", "load_once", "load_resolved", "resolve_as_of", "unrecognised_columns", "write_snapshot"]

SNAPSHOT = "snapshot"


def load_once(data_dir: Path, as_of: str | None = None, columns: Path | None = None):
    """The validated :class:`helpers.data.Dataset` of ``data_dir`` up to ``as_of`` (``None``: every row)."""
    return hdata.load(str(data_dir), as_of=as_of, columns=None if columns is None else str(columns))


def _rows_after(ds, day: pd.Timestamp) -> bool:
    """Whether any kept row has a time after ``day`` (e.g. a member who registered after the last order)."""
    cut = day + pd.Timedelta(days=1)
    for name in ds.present:
        frame = ds[name]
        for col in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[col].dtype) and bool((frame[col] >= cut).any()):
                return True
    return False


def load_resolved(data_dir: Path, given: str | None = None, columns: Path | None = None):
    """(dataset, as-of day): loaded with the as-of given, or — without one — cut at the day of the last order, so
    that the runner's counts and every module's load agree on what is in scope. The export is read a second time
    only when some row lies after the last order day (then those rows are counted as out of scope)."""
    ds = load_once(data_dir, given, columns)
    as_of = resolve_as_of(ds, given)
    if not given and as_of is not None and _rows_after(ds, as_of):
        ds = load_once(data_dir, str(as_of.date()), columns)
    return ds, as_of


def resolve_as_of(ds, given: str | None) -> pd.Timestamp | None:
    """The run's as-of day: the one given, else the day of the last kept order (``None`` without orders)."""
    if given:
        return pd.Timestamp(given).normalize()
    return ds.analysis_date


def _count(counts: pd.DataFrame, table: str, column: str) -> int:
    if column in counts.columns and table in counts.index:
        return int(counts.loc[table, column])
    return 0


def unrecognised_columns(ds) -> dict[str, list[dict[str, str]]]:
    """Per table, the source headers the loader did not recognise (passed through unused), each with the loader's
    "did you mean" suggestion (``""`` when nothing is close) — a misspelt header is how a field goes unchecked."""
    out: dict[str, list[dict[str, str]]] = {}
    for table, found in (getattr(ds, "unrecognised", None) or {}).items():
        rows = [{"column": str(header), "did_you_mean": str(suggestion or "")} for header, suggestion in found]
        if rows:
            out[table] = rows
    return out


def data_summary(ds, as_of: pd.Timestamp | None, as_of_given: bool) -> dict[str, Any]:
    """Per-table counts (read, kept, quarantined, out of scope, 红冲 reversal lines folded into their orders),
    unrecognised columns and a few order facts."""
    summary: dict[str, Any] = {
        "as_of": None if as_of is None else str(as_of.date()),
        "as_of_source": "given" if as_of_given else "last order day",
        "tables": {},
    }
    for name in ds.present:
        df = ds[name]
        summary["tables"][name] = {
            "rows_read": _count(ds.counts, name, "rows_read"),
            "rows": len(df),
            "rows_quarantined": _count(ds.counts, name, "rows_quarantined"),
            "rows_out_of_scope": _count(ds.counts, name, "rows_out_of_scope"),
            "rows_reversal": _count(ds.counts, name, "rows_reversal"),
            "columns": len(df.columns),
        }
    summary["rows_out_of_scope"] = sum(t["rows_out_of_scope"] for t in summary["tables"].values())
    summary["unrecognised_columns"] = unrecognised_columns(ds)
    orders = ds.orders  # always present, with its required columns member_id, order_ts, net_amount
    if len(orders):
        summary["members_with_orders"] = int(orders["member_id"].nunique())
        summary["first_order"] = str(orders["order_ts"].min())
        summary["last_order"] = str(orders["order_ts"].max())
        # one rule in the whole course: sales are paid orders only (refunded orders are counted, not summed)
        from helpers.behavior import paid_orders

        paid = paid_orders(orders)
        summary["paid_orders"] = len(paid)
        summary["refunded_orders"] = len(orders) - len(paid)
        summary["net_amount_total"] = float(paid["net_amount"].sum())
    return summary


def write_snapshot(ds, source: Path, dest: Path, as_of: pd.Timestamp | None) -> Path:
    """Every kept table as ``dest/<table>.parquet``, the source's ``truth/`` folder beside them, and
    ``snapshot.json`` (source, as-of, counts). Returns ``dest``."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in ds.present:
        ds[name].to_parquet(dest / f"{name}.parquet", index=False)
    truth = Path(source) / "truth" if Path(source).is_dir() else None
    if truth is not None and truth.is_dir():
        shutil.copytree(truth, dest / "truth")
    # what the loader found in the source, for a module that reports on the load itself (00, 01): a loader that
    # sees snapshot.json can hand these back instead of the snapshot's own (clean) load
    (dest / "loader").mkdir()
    ds.quarantine.to_parquet(dest / "loader" / "quarantine.parquet", index=False)
    ds.counts.to_parquet(dest / "loader" / "counts.parquet", index=True)
    dump_json({"source": str(source), "as_of": None if as_of is None else str(as_of.date()),
               "tables": list(ds.present), "quarantine": "loader/quarantine.parquet", "counts": "loader/counts.parquet"},
              dest / SNAPSHOT_MARKER)
    return dest
