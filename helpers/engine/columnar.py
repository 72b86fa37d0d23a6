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


class _NotClustered(Exception):
    """A row group that is not in the member layout (or holds values the general path must judge)."""


def _group_arrays(path: str, groups: list[int], wanted: list[str], codes_kind: list[str], out: dict, at: int,
                  per_day: int):
    """Decode row groups ``groups`` of one file into the preallocated arrays of ``out`` from row ``at``: the member's
    local code (0, 0, 1, … within each row group), day numbers of the timestamps, amounts and the small codes of ``status`` /
    ``channel``. Returns per row group (start, stop, its ids ascending, their values for the code columns)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path, read_dictionary=codes_kind)
    found = []
    for g in groups:
        t = pf.read_row_group(g, columns=wanted, use_threads=False)
        k = t.num_rows
        if k == 0:
            continue
        stop = at + k
        mid = t.column("member_id").combine_chunks()
        if not pa.types.is_dictionary(mid.type) or mid.null_count:
            raise _NotClustered
        dic, idx = mid.dictionary, mid.indices.to_numpy(zero_copy_only=False)
        if len(dic) > 1 and not pc.all(pc.less(dic.slice(0, len(dic) - 1), dic.slice(1))).as_py():
            raise _NotClustered  # a dictionary out of order
        step = np.diff(idx)
        if (step < 0).any():
            raise _NotClustered  # ids out of order
        changed = np.empty(k, bool)
        changed[0] = True
        np.not_equal(step, 0, out=changed[1:])
        del step
        local = out["codes"][at:stop]
        np.cumsum(changed, dtype=np.int32, out=local)
        local -= np.int32(1)
        ids = dic.take(pa.array(idx[changed])).cast(pa.string())
        del changed, idx
        for c in ("order_ts", "net_amount"):
            if t.column(c).null_count:
                raise _NotClustered  # missing values: the general path names them
        out["net_amount"][at:stop] = t.column("net_amount").to_numpy()
        ts = t.column("order_ts").combine_chunks()
        # whole days (floor), as helpers.behavior.purchases._days: the timestamps themselves are not kept
        np.floor_divide(np.frombuffer(ts.buffers()[1], np.int64, count=k, offset=ts.offset * 8), per_day,
                        out=out["day"][at:stop], casting="unsafe")
        small = {}
        for c in codes_kind[1:]:
            arr = t.column(c).combine_chunks()
            small[c] = arr.dictionary.to_pylist()
            out[c][at:stop] = arr.indices.to_numpy(zero_copy_only=False) if not arr.null_count else \
                arr.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        found.append((at, stop, ids, small))
        at = stop
    return found


def read_clustered(path, columns=SUMMARY_COLUMNS):
    """``(orders, codes, ids, days)`` of a Parquet file (or folder of parts) in the member layout, ``None`` for any
    other file. ``orders``: ``net_amount`` and the ``status`` / ``channel`` columns as categoricals; ``codes``:
    int32 member code of every row, ascending; ``ids``: the distinct member ids in ascending order (the dtype
    ``pd.read_parquet`` gives the column); ``days``: int32 whole days since 1970 of ``order_ts`` (the member
    summary's only use of the timestamps: the 8-byte column is never materialised). The ids are never decoded
    row by row: each row group's dictionary is sorted and its indices ascending in that layout (checked here),
    so a running count over the indices numbers the members. Row groups are decoded straight into numpy arrays, the file's halves on two
    threads (pyarrow and numpy release the GIL), and Arrow holds one row group at a time."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = _files(path)
    schema = pq.read_schema(files[0])
    names = schema.names
    if not all(c in names for c in ("member_id", "order_ts", "net_amount")) or not _ranges_ascending(files):
        return None
    ts_type, net_type = schema.field("order_ts").type, schema.field("net_amount").type
    if not pa.types.is_timestamp(ts_type) or ts_type.tz is not None or not pa.types.is_float64(net_type):
        return None
    wanted = [c for c in columns if c in names]
    codes_kind = [c for c in ("member_id", "status", "channel") if c in wanted]
    if not all(pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type) or (
            pa.types.is_dictionary(schema.field(c).type) and pa.types.is_string(schema.field(c).type.value_type))
            for c in codes_kind):
        return None  # codes that are not text: the general path
    jobs, n = [], 0  # (file, row groups, first row): contiguous halves of every file
    for f in files:
        meta = pq.ParquetFile(f).metadata
        sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
        half = len(sizes) // 2
        for part in (range(half), range(half, len(sizes))):
            if len(part):
                jobs.append((f, list(part), n))
                n += sum(sizes[g] for g in part)
    from helpers.behavior.purchases import TICKS_PER_DAY

    per_day = TICKS_PER_DAY[ts_type.unit]
    out = {"codes": np.empty(n, np.int32), "day": np.empty(n, np.int32),
           "net_amount": np.empty(n, np.float64), **{c: np.empty(n, np.int32) for c in codes_kind[1:]}}
    from concurrent.futures import ThreadPoolExecutor

    try:
        def decode(job):
            file, groups, first_row = job
            return _group_arrays(file, groups, wanted, codes_kind, out, first_row, per_day)

        with ThreadPoolExecutor(2) as pool:
            parts = [p for found in pool.map(decode, jobs) for p in found]
    except _NotClustered:
        return None
    if not parts:
        return None
    codes = out.pop("codes")
    used, total, last = [], 0, None
    cats: dict[str, dict] = {c: {} for c in codes_kind[1:]}  # category → its code, in order of appearance
    for at, stop, ids, small in parts:  # number the members across row groups
        head = ids[0].as_py()
        if last is not None and head < last:
            return None
        shift = total - 1 if head == last else total  # a member the row group before ended with continues
        codes[at:stop] += np.int32(shift)
        used.append(ids.slice(1) if head == last else ids)
        total = shift + len(ids)
        last = ids[len(ids) - 1].as_py()
        for c, values in small.items():  # the row group's own dictionary → one list of categories
            position = cats[c]
            for v in values:
                position.setdefault(v, len(position))
            lut = np.array([position[v] for v in values] + [-1], np.int32)  # -1 (missing) stays -1
            out[c][at:stop] = lut[out[c][at:stop]]
    ids = pa.table({"member_id": pa.concat_arrays(used)}).to_pandas()["member_id"]
    frame = pd.DataFrame({"net_amount": out.pop("net_amount")}, copy=False)
    for c in codes_kind[1:]:
        frame[c] = pd.Categorical.from_codes(out.pop(c), categories=pd.Index(list(cats[c]), dtype="str"))
    return frame, codes, pd.Index(ids, name="member_id"), out.pop("day")


def member_summary_parquet(path, as_of, **kwargs) -> pd.DataFrame:
    """:func:`helpers.behavior.member_summary` of a Parquet export, reading only :data:`SUMMARY_COLUMNS`; a file in
    the member layout without decoding its ids (:func:`read_clustered`)."""
    from helpers.behavior import member_summary

    clustered = read_clustered(path) if kwargs.get("repeat_unit", "day") == "day" else None
    if clustered is None:
        return member_summary(read_orders(path), as_of, **kwargs)
    orders, codes, ids, days = clustered
    return member_summary(orders, as_of, member_codes=(codes, ids), order_days=days, **kwargs)
