"""Member-id factorisation for :func:`helpers.behavior.member_summary`: integer codes 0..n-1 in sorted-id order.

Why its own file: it is the most expensive step of the summary on tens of millions of orders. Member ids of one
fixed width (member / phone / card numbers) are packed into order-preserving 64-bit integers before they are
hashed, which halves the time; other Arrow strings are dictionary-encoded by Arrow; anything else falls back to
``pd.factorize(sort=True)``. Every path gives the same result as that fallback (tested).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _factorize(ids: pd.Series):
    """Integer codes 0..n-1 (sorted ids) for a member id column, fast for categoricals."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        codes = ids.cat.codes.to_numpy()
        if (codes < 0).any():
            raise ValueError("member_id has missing values")
        used = np.bincount(codes, minlength=len(ids.cat.categories)) > 0
        remap = np.cumsum(used) - 1
        cats = ids.cat.categories[used]
        order = np.argsort(np.asarray(cats.astype(str)), kind="stable")
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        return rank[remap[codes]].astype(np.int32), pd.Index(np.asarray(cats)[order])
    fast = _factorize_fixed_width(ids)
    if fast is None:
        fast = _factorize_arrow(ids)
    if fast is not None:
        return fast
    codes, uniques = pd.factorize(ids, sort=True, use_na_sentinel=True)
    if len(codes) and codes.min() < 0:
        raise ValueError("member_id has missing values")
    return codes.astype(np.int32), pd.Index(uniques)


def _fixed_width_chunks(pa_arr):
    """(width, [(rows, width) uint8 views of the bytes, in blocks of at most ``_BLOCK`` rows]) when every string
    in the arrow array has the same byte length and none is missing; ``None`` otherwise. Zero-copy views."""
    import pyarrow as pa

    large = pa.types.is_large_string(pa_arr.type)
    if not (large or pa.types.is_string(pa_arr.type)) or pa_arr.null_count:
        return None
    off_type = np.int64 if large else np.int32
    width, views = None, []
    for chunk in pa_arr.chunks:
        n = len(chunk)
        if n == 0:
            continue
        _, offsets_buf, data_buf = chunk.buffers()
        offs = np.frombuffer(offsets_buf, off_type, count=n + 1, offset=chunk.offset * np.dtype(off_type).itemsize)
        w = int(offs[1] - offs[0])
        if width is None:
            width = w
        if w != width or w == 0 or int(offs[-1] - offs[0]) != w * n or (np.diff(offs) != w).any():
            return None
        raw = np.frombuffer(data_buf, np.uint8, count=w * n, offset=int(offs[0])).reshape(n, w)
        views += [raw[i:i + _BLOCK] for i in range(0, n, _BLOCK)]  # blocks keep the temporaries small
    return (width, views) if views else None


_BLOCK = 1 << 18
#: packed keys spanning at most this many values per row (or :data:`_DIRECT_MIN`) are ranked through a table
#: indexed by the key (1 + 4 bytes per value of the span) instead of hashed
_DIRECT_PER_ROW = 8
_DIRECT_MIN = 1 << 16


def _factorize_fixed_width(ids: pd.Series):
    """Member ids that all have the same byte length (member numbers, phone numbers, card numbers — the usual case)
    are packed into one uint64 per row that sorts like the string, and factorised as integers with Arrow's hash
    encoder (whose table grows with the distinct ids, not the rows): about twice as fast as hashing the strings,
    with one 8-byte and two 4-byte arrays of the row count as working memory. Keys of dense ids (sequential
    member numbers: the span of the packed keys at most 8 per row) skip the hash: a table indexed by the key ranks
    them in three linear passes (benchmarks/bench_scale.py).

    The packing is a mixed-radix number: byte position j contributes ``(byte_j - min_j)`` in base
    ``max_j - min_j + 1`` (min / max over all ids), most significant first — exact and in byte (= code point) order
    whenever the product of the bases fits in 64 bits (11-digit phone numbers: 10^11). Same result as
    ``pd.factorize(sort=True)``; ``None`` when the ids do not fit (then the string path runs)."""
    pa_arr = getattr(ids.array, "_pa_array", None)
    if pa_arr is None or len(ids) == 0:
        return None
    import pyarrow as pa

    if isinstance(pa_arr, pa.Array):
        pa_arr = pa.chunked_array([pa_arr])
    found = _fixed_width_chunks(pa_arr)
    if found is None:
        return None
    width, views = found
    # (column by column: a strided 1-d reduction is several times faster than min(axis=0) on narrow rows)
    low = [min(int(v[:, j].min()) for v in views) for j in range(width)]
    high = [max(int(v[:, j].max()) for v in views) for j in range(width)]
    base = [h - lo + 1 for lo, h in zip(low, high, strict=True)]
    if math.prod(base) > 2**64:
        return None
    place = [math.prod(base[j + 1:]) for j in range(width)]  # weight of each byte position
    key = np.empty(len(ids), np.uint64)
    start = 0
    for raw in views:
        part = key[start:start + len(raw)]
        part[:] = 0
        for j in range(width):
            if base[j] > 1:  # constant positions (prefixes) add nothing
                part += (raw[:, j] - np.uint8(low[j])).astype(np.uint64) * np.uint64(place[j])
        start += len(raw)
    lo = int(key.min())
    span = int(key.max()) - lo + 1
    if span <= max(_DIRECT_PER_ROW * len(key), _DIRECT_MIN):
        # dense keys (sequential member numbers): a direct-address table instead of a hash table — one scatter,
        # one running count, one gather; the sorted distinct keys fall out of the table
        key -= np.uint64(lo)
        offset = key.view(np.int64)  # the same memory as an index (no 8-byte copy of the rows)
        present = np.zeros(span, bool)
        present[offset] = True
        rank = np.cumsum(present, dtype=np.int32)
        rank -= 1
        codes = rank[offset]
        del key, offset, rank
        rest = np.flatnonzero(present).astype(np.uint64) + np.uint64(lo)
        del present
    else:
        encoded = pa.array(key, pa.uint64()).dictionary_encode()
        del key
        distinct = encoded.dictionary.to_numpy()
        order = np.argsort(distinct)
        rank = np.empty(len(order), np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        codes = rank[encoded.indices.to_numpy()]
        del encoded
        rest = distinct[order]
    # the ids back from their keys (no pass over the rows)
    raw = np.empty((len(rest), width), np.uint8)
    for j in range(width - 1, -1, -1):
        raw[:, j] = (rest % np.uint64(base[j])).astype(np.uint8) + np.uint8(low[j])
        rest = rest // np.uint64(base[j])
    uniques = pa.array(raw.view(f"S{width}").ravel(), pa.binary(width)).cast(pa_arr.type)
    return codes, pd.Index(uniques.to_pandas(), dtype=ids.dtype)


def _factorize_arrow(ids: pd.Series):
    """Arrow-backed strings: dictionary-encode in pyarrow (int32 indices, no int64 temporaries), sort the small
    dictionary, remap. Same result as ``pd.factorize(sort=True)`` (UTF-8 byte order = code-point order); ``None``
    when the column is not arrow-backed or the chunks do not share one dictionary."""
    pa_arr = getattr(ids.array, "_pa_array", None)
    if pa_arr is None or len(ids) == 0:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(pa_arr.type) or pa.types.is_large_string(pa_arr.type)):
        return None
    if pa_arr.null_count:
        raise ValueError("member_id has missing values")
    enc = pa_arr.dictionary_encode()
    chunks = [c for c in enc.chunks if len(c)]
    dic = chunks[-1].dictionary
    if any(len(c.dictionary) != len(dic) for c in chunks):
        return None
    order = pc.sort_indices(dic).to_numpy()
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    codes = np.concatenate([rank[c.indices.to_numpy(zero_copy_only=False)] for c in chunks])
    return codes, pd.Index(dic.take(pa.array(order)).to_pandas(), dtype=ids.dtype)
