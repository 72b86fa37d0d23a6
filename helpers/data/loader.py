"""The public entry point :func:`load`: discover the files, process each table in contract order, reconcile."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from helpers import tables as T

from .dataset import COUNT_COLUMNS, SNAPSHOT_MARKER, Dataset
from .discover import discover
from .mapping import read_column_mapping
from .parse import TZ
from .process import Loaded, process
from .quarantine import empty_quarantine
from .readers import read
from .reversals import empty_reversals
from .scope import cutoff_of, empty_scope_summary
from .trusted import load_trusted


def _package_default() -> Path:
    """``helpers.data.DEFAULT_DATA_DIR``, read at call time so that setting it (tests, a classroom) takes effect."""
    return sys.modules[__package__].DEFAULT_DATA_DIR


def _as_of(as_of) -> pd.Timestamp | None:
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        return None
    ts = pd.Timestamp(as_of)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(TZ).tz_localize(None)
    return ts


def load(path: str | Path | None = None, as_of=None, tables=None, columns=None) -> Dataset:
    """Load a directory of tables (or one file = ``orders``) into a validated :class:`Dataset`.

    ``path`` defaults to ``helpers.data.DEFAULT_DATA_DIR``; an empty string means the same (the notebooks'
    parameter convention). ``as_of`` (date string or Timestamp): rows after it are out of scope — dropped, counted
    in ``counts.rows_out_of_scope`` and summarised in ``out_of_scope``, never quarantined; a date without a time
    includes that whole day. ``tables`` (optional) loads only those tables — ``orders`` always — which makes a
    module that needs two tables several times faster; a referenced table that is left out is simply not checked
    against (as when it is absent). ``columns``: the analyst's column mapping, a dict or a YAML file path
    (``{table: {field: header}}`` and / or a flat ``{field: header}``; see ``docs/DATA_MAPPING.md``).
    Raises :class:`DataFileError` for file-level problems.
    """
    wanted = None
    if tables is not None:
        wanted = {tables} if isinstance(tables, str) else set(tables)
        unknown = sorted(wanted - set(T.TABLES))
        if unknown:
            raise ValueError(f"未知的表 unknown table(s) {unknown}；可选 known: {list(T.LOAD_ORDER)}")
        wanted.add("orders")
    mapping = read_column_mapping(columns)
    root = _package_default() if path is None or str(path) == "" else Path(path).expanduser()
    as_of_ts = _as_of(as_of)
    if mapping is None:  # a report run's validated snapshot: read straight into the loader's dtypes (helpers.data.trusted)
        ds = load_trusted(root, as_of_ts, wanted)
        if ds is not None:
            _restore_source_load(ds, root)
            _release_arrow_memory()
            return ds
    sources = discover(root)
    cutoff = cutoff_of(as_of_ts)
    done: dict[str, Loaded] = {}
    for name in T.LOAD_ORDER:
        if name in sources and (wanted is None or name in wanted):
            explicit, strict = mapping.for_table(T.TABLES[name]) if mapping else ({}, set())
            done[name] = process(T.TABLES[name], sources[name], read(sources[name]), done, cutoff, explicit, strict)
    ds = _dataset(done, as_of_ts, sources, root)
    _restore_source_load(ds, root)
    _release_arrow_memory()
    return ds


def _release_arrow_memory() -> None:
    """Hand the memory Arrow's allocator kept from reading the files back to the system. Reading Parquet leaves
    its freed buffers cached in Arrow's pool, where pandas and numpy cannot use them: measured on a 5M-order export,
    0.24 GiB of the kernel's 0.63 GiB after the load (about 50 bytes an order), dead weight under every later peak
    of a module (docs/SCALE.md, "The report at scale")."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _restore_source_load(ds: Dataset, root: Path) -> None:
    """A report run's validated snapshot (``snapshot.json`` beside the tables, see ``helpers.report.snapshot``)
    loads clean by construction; hand back what the loader found in the analyst's original export instead — its
    quarantine and counts for the tables loaded here — so a module that reports on the load (00, 01) tells the
    analyst about their data, not about the snapshot."""
    marker = root / SNAPSHOT_MARKER if root.is_dir() else None
    if marker is None or not marker.is_file():
        return
    import json

    meta = json.loads(marker.read_text(encoding="utf-8"))
    quarantine_file, counts_file = root / meta.get("quarantine", ""), root / meta.get("counts", "")
    if not (quarantine_file.is_file() and counts_file.is_file()):
        return
    loaded = list(ds.counts.index)
    counts = pd.read_parquet(counts_file).reindex(loaded)
    if counts.isna().any().any():  # a table the snapshot does not describe: keep the snapshot's own load
        return
    quarantine = pd.read_parquet(quarantine_file)
    ds.quarantine = quarantine.loc[quarantine["table"].isin(loaded)].reset_index(drop=True)
    ds.counts = counts.astype("int64")


def _concat(parts: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True).astype(empty.dtypes.to_dict()) if parts else empty


def _dataset(done: dict[str, Loaded], as_of: pd.Timestamp | None, sources: dict[str, Path], root: Path) -> Dataset:
    quarantine = _concat([d.quarantine for d in done.values()], empty_quarantine())
    counts = pd.DataFrame(
        {"rows_read": [d.rows_read for d in done.values()],
         "rows_kept": [len(d.frame) for d in done.values()],
         "rows_quarantined": [int((quarantine["table"] == n).sum()) for n in done],
         "rows_out_of_scope": [d.rows_out_of_scope for d in done.values()],
         "rows_reversal": [d.rows_reversal for d in done.values()]},
        index=pd.Index(list(done), name="table"), dtype="int64")[COUNT_COLUMNS]
    bad = counts[counts.rows_read != counts.drop(columns="rows_read").sum(axis=1)]
    if len(bad):  # never a silent drop: this is a bug in this package if it ever fires
        raise AssertionError(f"row counts do not reconcile:\n{bad}")
    return Dataset(
        {n: d.frame for n, d in done.items()}, quarantine, counts, as_of, sources,
        {n: [c for c in d.frame.columns if c not in T.TABLES[n].column_names] for n, d in done.items()},
        {n: [c for c in d.headers.missing if c not in d.frame] for n, d in done.items()}, root,
        out_of_scope=_concat([d.out_of_scope for d in done.values()], empty_scope_summary()),
        reversals=_concat([d.reversals for d in done.values()], empty_reversals()),
        unrecognised={n: d.headers.unrecognised for n, d in done.items()},
        columns={n: d.headers.sources for n, d in done.items()},
    )
