"""The member summary straight from a Parquet export on one machine: read only what the summary needs with pyarrow,
hand it to the numpy path (:func:`helpers.behavior.member_summary`) without a pandas copy of the rest.

Why: an export has a dozen columns (order id, store, payment, coupons …) and the summary reads five; ``pd.read_parquet``
decodes every one of them into pandas. Here only ``member_id``, ``order_ts``, ``net_amount`` and, when present,
``status`` / ``channel`` are decoded (pyarrow, both threads); member ids stay Arrow strings (the numpy path packs
fixed-width ids into integers without a Python object per row), codes become categoricals, timestamps are not
parsed. The numbers are the numpy path's, by construction: it is the same function
(``benchmarks/bench_scale.py`` measures both against DuckDB SQL and polars).

A file in the loader's **member layout** (``engine.load_to_parquet(..., layout="member")``: rows clustered by
``member_id`` then ``order_ts``, the ids dictionary-encoded per row group) is read without decoding the ids:
pyarrow hands each row group's small dictionary and the row indices (``read_dictionary``), the member codes are a
running count over the sorted indices, and the summary's per-member steps become segment reductions (no hash of
50M strings, no sort). Whether a file is in that layout is read from its footer (row-group ranges of ``member_id``
ascending and disjoint) and then checked on the data itself; any other file takes the general path, with the
same numbers (``tests/test_engine.py``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["SUMMARY_COLUMNS", "member_summary_parquet", "read_orders", "read_clustered"]

#: the orders columns the member summary reads (the first three are required)
SUMMARY_COLUMNS = ("member_id", "order_ts", "net_amount", "status", "channel")


def _files(path) -> list[str]:
    p = Path(path)
    if p.is_dir():
        single = p / "orders.parquet"
        return [str(single)] if single.exists() else sorted(str(f) for f in p.glob("*.parquet"))
    return [str(p)]


def read_orders(path, columns=SUMMARY_COLUMNS) -> pd.DataFrame:
    """The ``columns`` of a Parquet orders file (or folder of parts) that exist, as a pandas frame with the dtypes
    of ``pd.read_parquet`` (strings as Arrow strings, dictionary columns as categoricals). A missing required
    column is a ``KeyError`` naming the file."""
    import pyarrow.parquet as pq

    files = _files(path)
    names = pq.read_schema(files[0]).names
    missing = [c for c in ("member_id", "order_ts", "net_amount") if c not in names]
    if missing:
        raise KeyError(f"{files[0]}: orders is missing required column(s) {missing} / 订单表缺少必需列 {missing}")
    wanted = [c for c in columns if c in names]
    # pandas' own Parquet reader on pyarrow (threads; strings stay Arrow strings, dictionaries become categoricals):
    # measured as fast as a hand-rolled pyarrow read, and it gives exactly the dtypes of pd.read_parquet
    # (pyarrow's projection costs time of its own — 0.8 s vs 1.4–1.9 s at 10M rows measured — so a file holding
    # nothing else is read whole)
    extra = set(names) - set(wanted)
    frames = [pd.read_parquet(f, columns=wanted if extra else None) for f in files]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _ranges_ascending(files: list[str]) -> bool:
    """From the footers alone: every row group of every file has ``member_id`` statistics, and the ranges follow
    each other in ascending order (a row group may start with the id the one before ended with)."""
    import pyarrow.parquet as pq

    prev = None
    for f in files:
        meta = pq.ParquetFile(f).metadata
        names = [meta.schema.column(i).name for i in range(meta.num_columns)]
        if "member_id" not in names:
            return False
        j = names.index("member_id")
        for g in range(meta.num_row_groups):
            st = meta.row_group(g).column(j).statistics
            if meta.row_group(g).num_rows == 0:
                continue
            if st is None or not st.has_min_max or st.null_count:
                return False
            lo, hi = st.min, st.max
            if prev is not None and lo < prev:
                return False
            prev = hi
    return True


def read_clustered(path, columns=SUMMARY_COLUMNS):
    """``(orders, codes, ids)`` of a Parquet file (or folder of parts) in the member layout, ``None`` for any other
    file. ``orders``: the other wanted columns as pandas (codes as categoricals); ``codes``: int32 member code of
    every row, ascending; ``ids``: the distinct member ids in ascending order (the dtype ``pd.read_parquet`` gives
    the column). The ids are never decoded row by row: each row group's dictionary is sorted and its indices
    ascending in that layout (checked here), so a running count over the indices numbers the members."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    files = _files(path)
    names = pq.read_schema(files[0]).names
    if not all(c in names for c in ("member_id", "order_ts", "net_amount")) or not _ranges_ascending(files):
        return None
    wanted = [c for c in columns if c in names]
    codes_kind = [c for c in ("member_id", "status", "channel") if c in wanted]
    tables = [pq.read_table(f, columns=wanted, read_dictionary=codes_kind) for f in files]
    col = pa.chunked_array([c for t in tables for c in t.column("member_id").chunks],
                           type=tables[0].schema.field("member_id").type)
    if not pa.types.is_dictionary(col.type) or col.null_count:
        return None
    parts, used, total, last = [], [], 0, None
    for chunk in col.chunks:
        if not len(chunk):
            continue
        dic = chunk.dictionary
        if len(dic) > 1 and not pc.all(pc.less(dic.slice(0, len(dic) - 1), dic.slice(1))).as_py():
            return None  # a dictionary out of order: not this layout
        idx = chunk.indices.to_numpy(zero_copy_only=False)
        step = np.diff(idx)
        if (step < 0).any():
            return None
        changed = np.empty(len(idx), bool)
        changed[0] = True
        np.not_equal(step, 0, out=changed[1:])
        del step
        local = np.cumsum(changed, dtype=np.int32)
        local -= np.int32(1)
        first_ids = dic.take(pa.array(idx[changed]))  # the ids of this row group, ascending
        del changed
        head = first_ids[0].as_py()
        if last is not None and head < last:
            return None
        shift = total - 1 if head == last else total  # the member the row group before ended with continues
        local += np.int32(shift)
        parts.append(local)
        used.append(first_ids.slice(1) if head == last else first_ids)
        total = shift + len(first_ids)
        last = first_ids[len(first_ids) - 1].as_py()
    if not parts:
        return None
    codes = np.concatenate(parts) if len(parts) > 1 else parts[0]
    del parts
    ids = pa.table({"member_id": pa.concat_arrays([u.cast(pa.string()) for u in used])}).to_pandas()["member_id"]
    rest = pa.concat_tables([t.drop_columns(["member_id"]) for t in tables]) if len(tables) > 1 \
        else tables[0].drop_columns(["member_id"])
    del tables, col
    return rest.to_pandas(), codes, pd.Index(ids, name="member_id")


def member_summary_parquet(path, as_of, **kwargs) -> pd.DataFrame:
    """:func:`helpers.behavior.member_summary` of a Parquet export, reading only :data:`SUMMARY_COLUMNS`; a file in
    the member layout without decoding its ids (:func:`read_clustered`)."""
    from helpers.behavior import member_summary

    clustered = read_clustered(path)
    if clustered is None:
        return member_summary(read_orders(path), as_of, **kwargs)
    orders, codes, ids = clustered
    return member_summary(orders, as_of, member_codes=(codes, ids), **kwargs)
