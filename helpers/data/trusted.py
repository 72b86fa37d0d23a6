"""The fast path of :func:`helpers.data.load` for a report run's validated snapshot.

Why
---
Every module kernel of a report run loads the run's snapshot (``snapshot.json`` beside one Parquet file per kept
table, written by :mod:`helpers.report.snapshot` or :mod:`helpers.report.engine_snapshot`). Those rows already went
through the whole loader once (pandas or DuckDB): every value is typed, stripped, allowed, unique and in scope. The
full loader's per-row stages on them — id text stripped and compared with the missing-value tokens, duplicate keys
hashed, foreign keys looked up, the pandera schema — find nothing, and cost the time and the copies of a full
validation in every kernel: about 180 bytes an order of peak memory and several seconds per 5M orders (docs/SCALE.md).

What
----
:func:`load_trusted` reads such a snapshot straight into the loader's dtypes: Parquet columns that already carry a
type go through the loader's own parser for that kind (:func:`.parse.parse`, cheap on typed values); id and text
columns become ``string`` without the cleaning a raw export needs. It returns ``None`` — and the caller takes the
full path — whenever the folder is anything but the plain case: not a snapshot, a column mapping given, a file that
is not Parquet, an id or text column that is not text, a column the parser flags (a missing required value, a value
below its minimum, a category outside the allowed values), or a row after the as-of (which the full path would put
out of scope). The result is the :class:`.Dataset` the full path gives, frame for frame (``tests/test_data_trusted.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from helpers import tables as T

from .dataset import COUNT_COLUMNS, SNAPSHOT_MARKER, Dataset
from .discover import discover
from .mapping import map_headers
from .parse import parse
from .quarantine import empty_quarantine
from .readers import _headers, _unique_names
from .reversals import empty_reversals
from .scope import cutoff_of, empty_scope_summary

__all__ = ["load_trusted"]

_TEXT_KINDS = ("id", "str")


def _is_snapshot(root: Path) -> bool:
    marker = root / SNAPSHOT_MARKER
    if not marker.is_file():
        return False
    try:
        meta = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and "tables" in meta


def _text(col: pa.ChunkedArray) -> pd.Series | None:
    """An Arrow text column as the loader's ``string`` dtype (no copy of the characters through Python)."""
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return None
    return pd.Series(pd.array(col, dtype="string"))


def _table(table: T.Table, path: Path, cutoff: pd.Timestamp | None) -> tuple[pd.DataFrame, object] | None:
    arrow = pq.read_table(path)
    headers = _headers(arrow.column_names)
    names = _unique_names(headers)
    hm = map_headers(table, headers, names, path)
    by_name = dict(zip(names, arrow.columns, strict=True))
    cols: dict[str, pd.Series] = {}
    for c in table.columns:
        if c.name not in hm.mapping:
            continue
        raw = by_name[hm.mapping[c.name]]
        if c.kind in _TEXT_KINDS or (c.kind == "category" and c.allowed is None):
            values = _text(raw)
            if values is None:
                return None
            if c.kind == "category":
                values = values.astype("category")
            missing = values.isna().to_numpy(bool)
            problems = []
        else:
            if pa.types.is_dictionary(raw.type):
                raw = raw.cast(raw.type.value_type)
            p = parse(c, pa.table({"v": raw}).to_pandas()["v"], False)
            values, missing, problems = p.values, p.missing, p.problems
        if any(mask.any() for mask, _ in problems) or (not c.nullable and missing.any()):
            return None
        cols[c.name] = values.reset_index(drop=True)
    for e in hm.extras:  # passed through untouched, as the full path does
        col = by_name[e]
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        cols[e if e not in cols else f"{e}.extra"] = pa.table({"v": col}).to_pandas()["v"]
    frame = pd.DataFrame(cols)
    scope = table.scope
    if cutoff is not None and scope is not None and scope in frame and (frame[scope] >= cutoff).any():
        return None  # rows after the as-of: the full path puts them out of scope
    return frame, hm


def load_trusted(root: Path, as_of: pd.Timestamp | None, wanted: set[str] | None) -> Dataset | None:
    """The :class:`.Dataset` of a report snapshot at ``root`` (tables ``wanted``, ``None`` for all), or ``None``
    when the folder needs the full loader (see the module docstring)."""
    if not root.is_dir() or not _is_snapshot(root):
        return None
    sources = discover(root)
    names = [n for n in T.LOAD_ORDER if n in sources and (wanted is None or n in wanted)]
    if any(sources[n].suffix.lower() not in (".parquet", ".pq") for n in names):
        return None
    cutoff = cutoff_of(as_of)
    frames, maps = {}, {}
    for name in names:
        got = _table(T.TABLES[name], sources[name], cutoff)
        if got is None:
            return None
        frames[name], maps[name] = got
    n = [len(frames[name]) for name in names]
    zero = [0] * len(names)
    counts = pd.DataFrame({"rows_read": n, "rows_kept": n, "rows_quarantined": zero, "rows_out_of_scope": zero,
                           "rows_reversal": zero}, index=pd.Index(names, name="table"), dtype="int64")[COUNT_COLUMNS]
    return Dataset(
        frames, empty_quarantine(), counts, as_of, sources,
        {name: [c for c in frames[name].columns if c not in T.TABLES[name].column_names] for name in names},
        {name: [c for c in maps[name].missing if c not in frames[name]] for name in names}, root,
        out_of_scope=empty_scope_summary(), reversals=empty_reversals(),
        unrecognised={name: maps[name].unrecognised for name in names},
        columns={name: maps[name].sources for name in names},
    )
