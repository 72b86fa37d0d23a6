"""Member behaviour analysis (会员行为分析): the member summary and the descriptive views built on it.

What
----
* :func:`member_summary` — one row per member from the orders table: recency, frequency, monetary value, first and
  last purchase, tenure, distinct channels / categories, and the BG/NBD inputs ``x``, ``t_x``, ``T``; optionally
  split at a calibration date with holdout counts for model checking. Everything in modules 02–05 starts here.
* :func:`frequency_band` — weekly / monthly / quarterly / occasional buyers (每周 / 每月 / 每季度 / 偶尔),
  the frequency tiers of the course's source material, from the mean interval between purchase days; single-day
  members are 仅购买一次. :func:`frequency_band_from_interval` applies the same edges to any interval in days.
* :func:`spend_band` — low / middle / high value members (低 / 中 / 高价值) by quantiles or by custom edges (元);
  the cut-offs used are in ``attrs["edges"]``.
* :func:`band_profile` — size, mean behaviour and spend share per band; :func:`band_agreement` — how often an
  observed band matches a reference (e.g. true) band; :func:`repeat_rate` — 复购率.
* :func:`category_mix` — spend share by category (overall or per member); needs ``order_items`` and ``products``.
* :func:`hour_weekday_matrix` — orders (or spend) by hour of day × weekday, for a heat map; :func:`hour_profile`
  (workday vs weekend hour shapes) and :func:`timing_metrics` (peak hour, weekend share) read it.
* :func:`mix` (and :func:`channel_mix`, :func:`payment_mix`) — orders, members and spend by channel / payment.
* :func:`cohort_retention` — monthly first-purchase cohorts and the share of each cohort active k months later.
* :func:`activity_indicators` and :func:`monthly_activity` — active-in-window flags, an activity status, and the
  monthly active-member / new-member series.
* :data:`COLUMNS_ZH` / :func:`display_zh` — Chinese display names for these tables' English columns.
* :func:`top_members` and :func:`top_share` — "the top 20 %" and their share of a total, by one rule used in every
  module (ceil(top × members) members, highest value first, ties in member-id order).
  :func:`concentration_curve` — the whole Pareto curve in the same order (its point at ceil(top × n) is
  :func:`top_share`).
* :func:`paid_orders` — the order rows that count as purchases; :func:`refund_impact` — what counting refunded
  orders would change (extra "members", later last purchases, extra spend).
* :func:`member_scores` / :func:`member_score_descriptions` — the behaviour columns of the report's member table
  and their Chinese descriptions, written from the band rules themselves.

Why these definitions
---------------------
* **Refunds.** A refunded order (``status == "refunded"``) is *not a purchase*: by default it is removed before
  anything is counted, so a member whose only order was refunded has no row. ``include_refunds=True`` counts refunded
  orders as ordinary purchases (use it only when the status column cannot be trusted). The summary reports
  ``refunded_orders`` per member either way when a ``status`` column exists.
* **Purchase days.** ``x`` (BG/NBD repeat purchases) counts distinct purchase *days* minus one, as Fader, Hardie &
  Lee do: two tickets on one shopping trip are one purchase event. ``frequency`` counts orders (what the business
  calls 消费次数) and ``purchase_days`` counts days. ``repeat_unit="order"`` switches to one event per order with
  times to the second (for data where members often order twice a day, e.g. the generator's recovery studies).
* **Time.** ``as_of`` is a date; every order on or before that calendar day counts, and all day counts are whole
  days on naive local (Asia/Shanghai) timestamps. ``recency`` and ``tenure`` are always in days; ``t_x`` and ``T``
  are in the chosen ``time_unit`` (``"D"`` days or ``"W"`` weeks = days / 7), stored in ``summary.attrs["time_unit"]``
  as ``"day"`` / ``"week"`` so that :class:`helpers.clv.BGNBD` picks it up.
* **Scale.** Everything is integer codes + ``np.bincount`` / ``np.minimum.at`` / one ``np.sort`` — no per-member
  Python and no pandas groupby over the order rows. Member ids of one fixed width (the usual member / phone / card
  numbers) are packed into order-preserving 64-bit integers before they are hashed, which halves the time of the
  most expensive step; other ids are hashed as strings by Arrow. Measured by ``benchmarks/bench_summary.py``
  against DuckDB: faster at 1M and 10M orders, and the step's peak memory stays below 3× the orders frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.data import TZ

__all__ = [
    "member_summary",
    "frequency_band",
    "frequency_band_from_interval",
    "spend_band",
    "band_profile",
    "band_agreement",
    "repeat_rate",
    "hour_profile",
    "timing_metrics",
    "category_mix",
    "hour_weekday_matrix",
    "mix",
    "channel_mix",
    "payment_mix",
    "cohort_retention",
    "CohortRetention",
    "activity_indicators",
    "monthly_activity",
    "top_members",
    "top_share",
    "concentration_curve",
    "paid_orders",
    "refund_impact",
    "member_scores",
    "member_score_descriptions",
    "ACTIVITY_STATUS_LABELS",
    "FREQUENCY_BANDS",
    "SPEND_BAND_LABELS",
    "WEEKDAYS_ZH",
    "COLUMNS_ZH",
    "display_zh",
]

#: frequency band labels (ordered, most frequent first) and the upper bound of the mean interval in days
FREQUENCY_BANDS: dict[str, float] = {
    "每周购买": 7.0,
    "每月购买": 365.25 / 12,
    "每季度购买": 365.25 / 4,
    "偶尔购买": np.inf,
    "仅购买一次": np.nan,  # a single purchase day: no interval to measure
}
SPEND_BAND_LABELS = ("低价值", "中价值", "高价值")
#: activity status labels of :func:`activity_indicators`, most active first
ACTIVITY_STATUS_LABELS = ("活跃", "沉睡", "流失")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
#: Chinese display names of the English columns (and index names) of the tables this module returns. Exported CSVs
#: keep the English names; a notebook renames only what it shows trainees, with :func:`display_zh`.
COLUMNS_ZH: dict[str, str] = {
    # mix / channel_mix / payment_mix / category_mix
    "channel": "渠道", "payment_method": "支付方式", "category": "品类", "subcategory": "子品类",
    "items": "件数", "orders": "订单数", "members": "会员数", "net_amount": "实付金额(元)", "spend": "销售额(元)",
    "avg_order_value": "客单价(元)", "order_share": "订单占比", "spend_share": "金额占比",
    # band_profile
    "member_share": "会员占比", "mean_orders": "平均订单数", "mean_order_value": "平均客单价(元)",
    "mean_spend": "平均消费金额(元)", "mean_recency_days": "平均最近购买天数",
    "frequency_band": "频率层", "spend_band": "金额层",
    # activity_indicators / monthly_activity
    "active_30d": "近 30 天有购买", "active_90d": "近 90 天有购买", "active_180d": "近 180 天有购买",
    "active_365d": "近 365 天有购买", "activity_status": "活跃状态", "active_members": "当月活跃会员",
    "new_members": "当月新会员(首购)", "orders_per_active": "活跃会员人均订单数",
}
_UNITS = {"D": ("day", 1.0), "W": ("week", 7.0), "day": ("day", 1.0), "week": ("week", 7.0)}
_EPOCH = np.datetime64("1970-01-01", "D")


def display_zh(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with the column and index names translated by :data:`COLUMNS_ZH` (names it does not know
    stay as they are) — for tables shown to trainees; keep the English names for anything exported."""
    out = df.rename(columns=lambda c: COLUMNS_ZH.get(c, c))
    return out.rename_axis(index=[COLUMNS_ZH.get(n, n) if isinstance(n, str) else n for n in out.index.names])


# ----------------------------------------------------------------------------------------------------------------
# small utilities
# ----------------------------------------------------------------------------------------------------------------
def _as_day(value, name) -> int:
    if value is None:
        raise ValueError(f"{name} is required (a date such as '2025-12-31')")
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(TZ).tz_localize(None)
    return int((np.datetime64(ts.normalize().date(), "D") - _EPOCH).astype(np.int64))


def _days(ts: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 of a datetime column (floor), int32 (memory: 4 bytes a row)."""
    s = ts
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = pd.to_datetime(s)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert(TZ).dt.tz_localize(None)
    arr = s.to_numpy()
    if np.isnat(arr).any():
        raise ValueError("order_ts has missing values; load the data with helpers.data.load (it quarantines them)")
    return arr.astype("datetime64[D]").view(np.int64).astype(np.int32)


def _from_days(d: np.ndarray) -> np.ndarray:
    return (d.astype("timedelta64[D]") + _EPOCH).astype("datetime64[ns]")


def _refunded_mask(orders: pd.DataFrame) -> np.ndarray | None:
    """``status == "refunded"`` per row (missing status = not refunded); ``None`` without a status column."""
    if "status" not in orders.columns:
        return None
    return (orders["status"] == "refunded").fillna(False).to_numpy(bool)


def _paid_mask(orders: pd.DataFrame, include_refunds: bool) -> np.ndarray | None:
    refunded = None if include_refunds else _refunded_mask(orders)
    return None if refunded is None else ~refunded


def _check_orders(orders: pd.DataFrame, needed=("member_id", "order_ts", "net_amount")) -> None:
    missing = [c for c in needed if c not in orders.columns]
    if missing:
        raise KeyError(f"orders is missing required column(s) {missing} / 订单表缺少必需列 {missing}")


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


def _factorize_fixed_width(ids: pd.Series):
    """Member ids that all have the same byte length (member numbers, phone numbers, card numbers — the usual case)
    are packed into one uint64 per row that sorts like the string, and factorised as integers with Arrow's hash
    encoder (whose table grows with the distinct ids, not the rows): about twice as fast as hashing the strings,
    with one 8-byte and two 4-byte arrays of the row count as working memory.

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
    encoded = pa.array(key, pa.uint64()).dictionary_encode()
    del key
    distinct = encoded.dictionary.to_numpy()
    order = np.argsort(distinct)
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    codes = rank[encoded.indices.to_numpy()]
    del encoded
    # the ids back from their keys (no pass over the rows)
    rest = distinct[order]
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


# ----------------------------------------------------------------------------------------------------------------
# member summary
# ----------------------------------------------------------------------------------------------------------------
def _period_features(codes, n, day, net, chan_codes=None, n_chan=0):
    """Per-member features of the orders given (already filtered to the period). Arrays of length n.

    ``codes`` and ``day`` are int32 to keep the temporaries small (the peak is a few 8-byte arrays of the order
    count on top of the input)."""
    n_orders = np.bincount(codes, minlength=n)
    total = np.bincount(codes, weights=net, minlength=n)
    big = np.iinfo(np.int32).max
    first = np.full(n, big, np.int32)
    np.minimum.at(first, codes, day)
    last = np.full(n, -big, np.int32)
    np.maximum.at(last, codes, day)
    has = n_orders > 0
    first = np.where(has, first, 0).astype(np.int32)
    last = np.where(has, last, 0).astype(np.int32)
    # distinct purchase days: sort the (member, day) key once, in place; int32 when it fits (half the memory, and
    # numpy's SIMD sort is faster on it), int64 otherwise
    d0 = int(day.min()) if len(day) else 0
    span = int(day.max()) - d0 + 1 if len(day) else 1
    key = codes.astype(np.int32 if n * span < 2**31 else np.int64)
    key *= span
    key += day
    key -= d0
    key.sort()
    new = np.empty(len(key), bool)
    if len(key):
        new[0] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
    key //= span  # now the member code of each (sorted) row
    day_members = key[new]  # member code of each distinct (member, day), sorted
    del key, new
    # rows per member of a sorted array by binary search (np.bincount would first copy it to 8-byte integers)
    pdays = np.diff(np.searchsorted(day_members, np.arange(n + 1, dtype=day_members.dtype)))
    del day_members
    on_first = day == first[codes]
    first_day_spend = np.bincount(codes[on_first], weights=net[on_first], minlength=n)
    del on_first
    out = {
        "has": has, "n_orders": n_orders, "total": total, "first": first.astype(np.int64),
        "last": last.astype(np.int64), "pdays": pdays, "first_day_spend": first_day_spend,
    }
    if chan_codes is not None:
        valid = chan_codes >= 0
        m = np.bincount(codes[valid].astype(np.int64) * n_chan + chan_codes[valid], minlength=n * n_chan)
        out["n_channels"] = (m.reshape(n, n_chan) > 0).sum(axis=1)
    return out


def member_summary(orders: pd.DataFrame, as_of, *, time_unit: str = "D", calibration_end=None,
                   include_refunds: bool = False, order_items: pd.DataFrame | None = None,
                   products: pd.DataFrame | None = None, repeat_unit: str = "day") -> pd.DataFrame:
    """One row per member who bought anything up to ``as_of`` (or up to ``calibration_end`` when given).

    Parameters
    ----------
    orders : DataFrame with ``member_id``, ``order_ts``, ``net_amount``; optional ``status`` (paid / refunded),
        ``channel``, ``order_id`` (needed for ``n_categories``).
    as_of : date; orders on or before this calendar day count.
    time_unit : ``"D"`` (days) or ``"W"`` (weeks) for ``t_x``, ``T`` (and ``duration_holdout``).
    calibration_end : date, optional. Features are computed on orders up to this day (members who first bought
        later are left out), and ``x_holdout`` (distinct purchase days), ``orders_holdout``, ``spend_holdout`` and
        ``duration_holdout`` come from the days after it up to ``as_of``.
    include_refunds : count refunded orders as purchases (default: they are removed; see the module docstring).
    order_items, products : optional; with both (and ``orders.order_id``) the summary has ``n_categories``.
    repeat_unit : ``"day"`` (default, FHL 2005): a purchase event is a distinct purchase day; ``t_x`` and ``T`` in
        whole days. ``"order"``: every order is an event (``x = frequency - 1``) and ``t_x``, ``T`` are measured
        to the second (``T`` runs to the end of the reference day) — closer to a continuous-time model when
        members often buy twice a day; used for recovering the generator's parameters.

    Returns
    -------
    DataFrame indexed by ``member_id`` (sorted) with columns

    ==========================  ==================================================================================
    ``first_purchase``          date of the first purchase (datetime64, midnight)
    ``last_purchase``           date of the last purchase
    ``recency``                 days from the last purchase to the reference day (as_of, or calibration_end)
    ``tenure``                  days from the first purchase to the reference day
    ``frequency``               number of orders
    ``purchase_days``           number of distinct purchase days
    ``monetary_total``          sum of ``net_amount`` (元)
    ``monetary_mean``           ``monetary_total / frequency`` (元 per order)
    ``monetary_repeat_mean``    mean spend per *repeat* purchase day (first day excluded; NaN when x = 0) —
                                the Gamma-Gamma input
    ``x``                       repeat purchase days = ``purchase_days - 1`` (BG/NBD; repeat orders with
                                ``repeat_unit="order"``)
    ``t_x``                     first → last purchase, in ``time_unit``
    ``T``                       first purchase → reference day, in ``time_unit``
    ``refunded_orders``         refunded orders in the period (only with a ``status`` column)
    ``n_channels``              distinct channels (only with a ``channel`` column)
    ``n_categories``            distinct product categories bought (only with items + products)
    ==========================  ==================================================================================

    ``attrs``: ``time_unit`` ("day" / "week"), ``as_of``, ``calibration_end``, ``include_refunds``, ``repeat_unit``.
    """
    _check_orders(orders)
    if time_unit not in _UNITS:
        raise ValueError("time_unit must be 'D' (days) or 'W' (weeks)")
    if repeat_unit not in ("day", "order"):
        raise ValueError("repeat_unit must be 'day' or 'order'")
    unit_name, unit_days = _UNITS[time_unit]
    as_of_day = _as_day(as_of, "as_of")
    cal_day = _as_day(calibration_end, "calibration_end") if calibration_end is not None else None
    if cal_day is not None and cal_day >= as_of_day:
        raise ValueError("calibration_end must be before as_of")
    ref_day = cal_day if cal_day is not None else as_of_day

    day = _days(orders["order_ts"])
    keep = day <= as_of_day
    refunded = _refunded_mask(orders)
    paid = None if include_refunds or refunded is None else ~refunded
    if paid is not None:
        keep &= paid
    net = orders["net_amount"]
    net = np.asarray(net, dtype=float) if net.dtype == np.float64 else net.to_numpy(dtype=float, na_value=np.nan)
    if (np.isnan(net) & keep).any():
        raise ValueError("net_amount has missing values; load the data with helpers.data.load (it quarantines them)")

    codes_all, uniques = _factorize(orders["member_id"])
    n = len(uniques)
    chan_all = None
    n_chan = 0
    if "channel" in orders.columns:
        chan_all, chan_uniques = pd.factorize(orders["channel"], use_na_sentinel=True)
        chan_all = chan_all.astype(np.int32)
        n_chan = max(len(chan_uniques), 1)

    cal_mask = keep & (day <= ref_day) if cal_day is not None else keep
    all_rows = bool(cal_mask.all())

    def sel(a):  # boolean-mask selection: no int64 index array
        return a if all_rows else a[cal_mask]

    refunded_counts = None
    if refunded is not None:
        rmask = refunded & (day <= ref_day)
        refunded_counts = np.bincount(codes_all[rmask], minlength=n).astype(np.int64)
        del rmask, refunded
    need_full = cal_day is not None or repeat_unit == "order" or (order_items is not None and products is not None)
    p_codes, p_day, p_net = sel(codes_all), sel(day), sel(net)
    p_chan = None if chan_all is None else sel(chan_all)
    if not need_full:  # free the full-length arrays before the peak of _period_features
        del codes_all, day, net, chan_all, keep, cal_mask, paid
    f = _period_features(p_codes, n, p_day, p_net, p_chan, n_chan)
    del p_day, p_chan
    if repeat_unit == "day":
        del p_codes, p_net  # row-length arrays: not needed any more
    has = f["has"]
    first, last = f["first"], f["last"]
    if repeat_unit == "day":
        x = np.maximum(f["pdays"] - 1, 0)
        first_spend = f["first_day_spend"]
        t_x = (last - first) / unit_days
        T = (ref_day - first) / unit_days
    else:  # every order is a purchase event; times to the second
        sec = sel(orders["order_ts"].to_numpy().astype("datetime64[s]").astype(np.int64))
        c = p_codes
        big = np.iinfo(np.int64).max
        fs = np.full(n, big, np.int64)
        np.minimum.at(fs, c, sec)
        ls = np.full(n, -big, np.int64)
        np.maximum.at(ls, c, sec)
        fs, ls = np.where(has, fs, 0), np.where(has, ls, 0)
        first_spend = np.bincount(c, weights=np.where(sec == fs[c], p_net, 0.0), minlength=n)
        x = np.maximum(f["n_orders"] - 1, 0)
        t_x = (ls - fs) / 86400.0 / unit_days
        T = ((ref_day + 1) * 86400.0 - fs) / 86400.0 / unit_days
        del sec, c, p_codes, p_net
    with np.errstate(invalid="ignore", divide="ignore"):
        rep_mean = np.where(x > 0, (f["total"] - first_spend) / np.maximum(x, 1), np.nan)
        mon_mean = f["total"] / np.maximum(f["n_orders"], 1)
    cols = {
        "first_purchase": _from_days(first),
        "last_purchase": _from_days(last),
        "recency": (ref_day - last).astype(np.int64, copy=False),
        "tenure": (ref_day - first).astype(np.int64, copy=False),
        "frequency": f["n_orders"].astype(np.int64, copy=False),
        "purchase_days": f["pdays"].astype(np.int64, copy=False),
        "monetary_total": f["total"],
        "monetary_mean": mon_mean,
        "monetary_repeat_mean": rep_mean,
        "x": x.astype(np.int64),
        "t_x": t_x,
        "T": T,
    }
    if refunded_counts is not None:
        cols["refunded_orders"] = refunded_counts
    if "n_channels" in f:
        cols["n_channels"] = f["n_channels"].astype(np.int64)
    if cal_day is not None:
        hmask = keep & (day > cal_day)
        hc, hd = codes_all[hmask], day[hmask]
        cols["orders_holdout"] = np.bincount(hc, minlength=n).astype(np.int64)
        cols["spend_holdout"] = np.bincount(hc, weights=net[hmask], minlength=n)
        if len(hd):
            span = int(hd.max() - hd.min() + 1)
            key = np.sort(hc.astype(np.int64) * span + (hd - hd.min()))
            new = np.r_[True, key[1:] != key[:-1]]
            cols["x_holdout"] = np.bincount(key[new] // span, minlength=n).astype(np.int64)
        else:
            cols["x_holdout"] = np.zeros(n, np.int64)
        cols["duration_holdout"] = np.full(n, (as_of_day - cal_day) / unit_days)
    del f, first, last, x, t_x, T, rep_mean, mon_mean, first_spend
    index = pd.Index(uniques, name="member_id")
    if not has.all():  # members whose every order was refunded (or after the reference day) get no row
        cols = {k: v[has] for k, v in cols.items()}
        index = index[has]
    out = pd.DataFrame(cols, index=index)
    del cols
    if order_items is not None and products is not None and "order_id" in orders.columns:
        out["n_categories"] = _n_categories(orders, order_items, products, cal_mask, out.index)
    out.attrs.update({"time_unit": unit_name, "as_of": str(pd.Timestamp(as_of).date()),
                      "calibration_end": None if cal_day is None else str(pd.Timestamp(calibration_end).date()),
                      "include_refunds": include_refunds, "repeat_unit": repeat_unit})
    return out


def _n_categories(orders, items, products, mask, index):
    o = orders.loc[mask, ["order_id", "member_id"]]
    li = items[["order_id", "product_id"]].merge(products[["product_id", "category"]], on="product_id", how="left")
    li = li.merge(o, on="order_id", how="inner")
    n = li.dropna(subset=["category"]).drop_duplicates(["member_id", "category"]).groupby("member_id", observed=True).size()
    return n.reindex(index, fill_value=0).astype(np.int64).to_numpy()


# ----------------------------------------------------------------------------------------------------------------
# bands
# ----------------------------------------------------------------------------------------------------------------
def frequency_band_from_interval(interval_days) -> pd.Series:
    """Frequency band (每周 / 每月 / 每季度 / 偶尔购买) of a mean interval between purchases, in days.

    The one place the band edges are applied (:data:`FREQUENCY_BANDS`): ≤ 7 days → 每周购买, ≤ 365.25 / 12
    (30.4) → 每月购买, ≤ 365.25 / 4 (91.3) → 每季度购买, longer → 偶尔购买; an interval exactly on an edge stays in
    the more frequent band. A missing interval (NaN: a single purchase day, nothing to measure) → 仅购买一次.
    Used by :func:`frequency_band` and for intervals from elsewhere, e.g. the generator's true purchase rate
    (``1 / purchase_rate_per_day``). Returns an ordered categorical with all five labels as categories (same index
    as a Series input).
    """
    s = interval_days if isinstance(interval_days, pd.Series) else pd.Series(np.asarray(interval_days, float))
    interval = s.to_numpy(dtype=float, na_value=np.nan)
    labels = list(FREQUENCY_BANDS)
    edges = np.array([FREQUENCY_BANDS[k] for k in labels[:3]])
    code = np.searchsorted(edges, interval, side="left")  # ≤ 7 → 0, ≤ 30.4 → 1, ≤ 91.3 → 2, longer (or inf) → 3
    code = np.where(np.isnan(interval), 4, np.minimum(code, 3))
    return pd.Series(pd.Categorical.from_codes(code, categories=labels, ordered=True), index=s.index,
                     name="frequency_band")


def frequency_band(summary: pd.DataFrame, *, basis: str = "interval") -> pd.Series:
    """Weekly / monthly / quarterly / occasional buyers (每周 / 每月 / 每季度 / 偶尔购买), or 仅购买一次.

    ``basis="interval"`` (the source material's definition): the mean interval between purchase days,
    ``(last_purchase - first_purchase) / x`` in days (``x`` = purchase days − 1, the number of gaps), banded by
    :func:`frequency_band_from_interval`: ≤ 7 → 每周购买, ≤ 30.4 → 每月购买, ≤ 91.3 → 每季度购买, longer → 偶尔购买.

    ``basis="rate"``: the mean interval is taken over the whole observed tenure instead,
    ``max(tenure, 1) / purchase_days`` — stricter, because a member who bought weekly in January and never again is
    no longer called a weekly buyer in December.

    On both bases a member with a single purchase day is 仅购买一次: one purchase says nothing about how often
    the member buys (on the rate basis a first purchase two days ago would otherwise read as "every 2 days" =
    每周购买).
    """
    if basis == "interval":
        span = (summary["last_purchase"] - summary["first_purchase"]).dt.days.to_numpy(float)
        gaps = summary["x"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            interval = np.where(gaps > 0, span / np.maximum(gaps, 1), np.nan)
    elif basis == "rate":
        days = summary["purchase_days"].to_numpy(float)
        tenure = np.maximum(summary["tenure"].to_numpy(float), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            interval = np.where(days > 1, tenure / days, np.nan)
    else:
        raise ValueError("basis must be 'interval' or 'rate'")
    return frequency_band_from_interval(pd.Series(interval, index=summary.index))


def spend_band(values, *, quantiles=(0.5, 0.8), edges=None, labels=None) -> pd.Series:
    """Low / middle / high value bands (低价值 / 中价值 / 高价值) of a spend column.

    ``values``: a Series (e.g. ``summary["monetary_total"]``) or a summary DataFrame (its ``monetary_total``).
    Default: quantile cut-offs at the 50th and 80th percentile (bottom half, next 30 %, top 20 %).
    ``edges``: custom inner cut-offs in 元, e.g. ``edges=[1000, 3000, 5000]`` with four labels. Bands are
    left-closed: a value equal to an edge goes to the higher band. ``labels`` default to 低/中/高价值 for three
    bands, else ``"band 1" …``.

    The cut-offs actually used (元, quantile or custom) are in ``result.attrs["edges"]`` (a list of floats), so a
    report quotes the same numbers the bands were cut at.
    """
    if isinstance(values, pd.DataFrame):
        values = values["monetary_total"]
    v = pd.Series(values).astype(float)
    if edges is None:
        inner = np.quantile(v.dropna().to_numpy(), quantiles) if v.notna().any() else np.zeros(len(quantiles))
    else:
        inner = np.asarray(edges, float)
    inner = np.atleast_1d(inner)
    if np.any(np.diff(inner) < 0):
        raise ValueError("edges must be increasing")
    k = len(inner) + 1
    if labels is None:
        labels = list(SPEND_BAND_LABELS) if k == 3 else [f"band {i + 1}" for i in range(k)]
    if len(labels) != k:
        raise ValueError(f"{len(inner)} edges make {k} bands; got {len(labels)} labels")
    code = np.searchsorted(inner, v.to_numpy(), side="right")
    cat = pd.Categorical.from_codes(np.where(v.isna(), -1, code), categories=list(labels), ordered=True)
    out = pd.Series(cat, index=v.index, name="spend_band")
    out.attrs["edges"] = [float(e) for e in inner]
    return out


def band_profile(summary: pd.DataFrame, bands: pd.Series) -> pd.DataFrame:
    """Size and average behaviour of each band (frequency band, spend band, …), one row per band category.

    Columns: ``members``; ``member_share`` (of all members in ``summary``); ``mean_orders`` (orders per member);
    ``mean_order_value`` (the average over members of each member's own mean order value, 元 — not the band's
    total spend / orders); ``mean_spend`` (元 per member); ``mean_recency_days``; ``spend_share`` (the band's share
    of all members' spend). Empty bands are kept with 0 members. :data:`COLUMNS_ZH` has Chinese display names
    for these columns and the band index name; :func:`display_zh` applies them to a table shown to trainees.
    """
    b = bands.reindex(summary.index)
    g = summary.groupby(b, observed=False)
    members = g.size()
    prof = pd.DataFrame({
        "members": members,
        "member_share": members / len(summary) if len(summary) else np.nan,
        "mean_orders": g["frequency"].mean(),
        "mean_order_value": g["monetary_mean"].mean(),
        "mean_spend": g["monetary_total"].mean(),
        "mean_recency_days": g["recency"].mean(),
    })
    total = float(summary["monetary_total"].sum())
    prof["spend_share"] = g["monetary_total"].sum() / total if total else np.nan
    prof.index.name = bands.name or "band"
    return prof


def band_agreement(observed: pd.Series, reference: pd.Series, *, exclude=("仅购买一次",)) -> float:
    """Share of members whose ``observed`` band equals the ``reference`` band (e.g. the band of the true purchase
    rate), over the members present in both and not in ``exclude`` on the observed side (by default single-day
    members, who have no observed interval to compare). NaN when no member is left."""
    obs = observed.astype(object)
    ref = reference.reindex(obs.index).astype(object)
    keep = ref.notna() & obs.notna() & ~obs.isin(list(exclude))
    if not keep.any():
        return float("nan")
    return float((obs[keep] == ref[keep]).mean())


def repeat_rate(summary: pd.DataFrame) -> float:
    """复购率: share of members (with a paid purchase) who bought on two or more different days (``x > 0``).
    Two orders on one day are one shopping trip, not a repeat purchase. NaN for an empty summary."""
    if len(summary) == 0:
        return float("nan")
    return float((summary["x"].to_numpy() > 0).mean())


# ----------------------------------------------------------------------------------------------------------------
# mixes and matrices
# ----------------------------------------------------------------------------------------------------------------
def paid_orders(orders: pd.DataFrame, as_of=None, *, include_refunds: bool = False) -> pd.DataFrame:
    """The orders that count as purchases: refunded orders removed (unless ``include_refunds``; a table without a
    ``status`` column counts every order), and with ``as_of`` only those on or before that calendar day — the same
    rule :func:`member_summary` applies, for any view a module builds from order rows."""
    _check_orders(orders, ("member_id", "order_ts"))
    mask = _paid_mask(orders, include_refunds)
    o = orders if mask is None else orders.loc[mask]
    if as_of is not None:
        o = o.loc[_days(o["order_ts"]) <= _as_day(as_of, "as_of")]
    return o


def refund_impact(orders: pd.DataFrame, as_of) -> dict:
    """What counting refunded orders as purchases would do, over the orders on or before ``as_of``:

    ``paid_orders`` (orders that count), ``refunded_orders`` (excluded), ``refunded_share`` (of all orders up to
    ``as_of``; NaN without orders), ``refund_only_members`` (members whose every order was refunded: they would
    appear as buyers), ``later_last_purchase`` (members whose last purchase day — and so recency — would move
    later) and ``extra_spend`` (元 the refunded orders would add). Without a ``status`` column nothing is refunded
    and every count is 0."""
    _check_orders(orders)
    o = paid_orders(orders, as_of, include_refunds=True)
    refunded = _refunded_mask(o)
    if refunded is None:
        refunded = np.zeros(len(o), bool)
    day = pd.Series(_days(o["order_ts"]), index=o.index)
    ids = o["member_id"]
    last_all = day.groupby(ids, observed=True).max()
    last_paid = day[~refunded].groupby(ids[~refunded], observed=True).max()
    n_ref = int(refunded.sum())
    return {
        "paid_orders": int(len(o) - n_ref),
        "refunded_orders": n_ref,
        "refunded_share": n_ref / len(o) if len(o) else float("nan"),
        "refund_only_members": int(len(last_all) - len(last_paid)),
        "later_last_purchase": int((last_all.reindex(last_paid.index) > last_paid).sum()),
        "extra_spend": float(o.loc[refunded, "net_amount"].astype(float).sum()),
    }


def category_mix(orders: pd.DataFrame, order_items: pd.DataFrame, products: pd.DataFrame, *,
                 per_member: bool = False, level: str = "category", as_of=None,
                 include_refunds: bool = False) -> pd.DataFrame:
    """Spend by product category (``level="category"`` or ``"subcategory"``).

    Overall (default): one row per category with ``items`` (quantity), ``orders``, ``members``, ``spend``
    (line amounts, 元) and ``spend_share``, sorted by spend. ``per_member=True``: a member × category matrix of
    spend shares (rows sum to 1) — the input for preference tags and clustering. Refunded orders are excluded.
    """
    o = paid_orders(orders, as_of, include_refunds=include_refunds)[["order_id", "member_id"]]
    li = order_items.merge(o, on="order_id", how="inner").merge(
        products[["product_id", level]], on="product_id", how="left")
    amount = li["line_amount"] if "line_amount" in li else li["quantity"] * li["unit_price"]
    li = li.assign(_amount=amount.astype(float), _qty=li.get("quantity", 1))
    li[level] = li[level].astype(object).fillna("未知品类")
    if per_member:
        m = li.pivot_table(index="member_id", columns=level, values="_amount", aggfunc="sum", fill_value=0.0,
                           observed=True)
        return m.div(m.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    g = li.groupby(level, observed=True).agg(items=("_qty", "sum"), orders=("order_id", "nunique"),
                                             members=("member_id", "nunique"), spend=("_amount", "sum"))
    g["spend_share"] = g["spend"] / g["spend"].sum()
    return g.sort_values("spend", ascending=False)


def hour_weekday_matrix(orders: pd.DataFrame, *, value: str = "orders", as_of=None,
                        include_refunds: bool = False) -> pd.DataFrame:
    """Hour of day (rows 0–23) × weekday (columns 周一 … 周日): number of orders (``value="orders"``), spend
    (``"net_amount"``) or the share of all orders (``"share"``)."""
    o = paid_orders(orders, as_of, include_refunds=include_refunds)
    ts = o["order_ts"]
    idx = ts.dt.hour.to_numpy() * 7 + ts.dt.day_of_week.to_numpy()
    if value == "net_amount":
        cells = np.bincount(idx, weights=o["net_amount"].to_numpy(float), minlength=168)
    else:
        cells = np.bincount(idx, minlength=168).astype(float)
        if value == "share":
            cells = cells / max(cells.sum(), 1)
        elif value != "orders":
            raise ValueError("value must be 'orders', 'net_amount' or 'share'")
    return pd.DataFrame(cells.reshape(24, 7), index=pd.RangeIndex(24, name="hour"),
                        columns=pd.Index(WEEKDAYS_ZH, name="weekday"))


def hour_profile(matrix: pd.DataFrame) -> pd.DataFrame:
    """Hour-of-day profile of workdays and weekends from an :func:`hour_weekday_matrix` (orders or shares).

    Columns ``工作日`` (Mon–Fri) and ``周末`` (Sat–Sun): each hour's share of *that day type's* orders, so each
    column sums to 1 and the two shapes can be compared although weekends have fewer days (NaN if a day type has
    no orders)."""
    wd, we = list(WEEKDAYS_ZH[:5]), list(WEEKDAYS_ZH[5:])
    cols = {}
    for name, days in (("工作日", wd), ("周末", we)):
        per_hour = matrix[days].sum(axis=1).astype(float)
        total = per_hour.sum()
        cols[name] = per_hour / total if total > 0 else per_hour * np.nan
    return pd.DataFrame(cols, index=matrix.index)


def timing_metrics(matrix: pd.DataFrame) -> dict:
    """Two report figures from an :func:`hour_weekday_matrix` (orders or shares): ``peak_hour`` (the hour of day
    with the most orders over all weekdays; the earliest on a tie) and ``weekend_order_share`` (Saturday and
    Sunday's share of all orders; 2 / 7 ≈ 28.6 % if orders were spread evenly over the week)."""
    m = matrix.astype(float)
    total = float(m.to_numpy().sum())
    if total <= 0:
        return {"peak_hour": None, "weekend_order_share": float("nan")}
    by_hour = m.sum(axis=1)
    return {"peak_hour": int(by_hour.index[int(np.argmax(by_hour.to_numpy()))]),
            "weekend_order_share": float(m[list(WEEKDAYS_ZH[5:])].to_numpy().sum() / total)}


def mix(orders: pd.DataFrame, column: str, *, as_of=None, include_refunds: bool = False) -> pd.DataFrame:
    """Orders, members, spend and their shares by the values of ``column`` (e.g. channel, payment_method).

    Columns: ``orders``, ``members`` (distinct members using it), ``net_amount``, ``avg_order_value``,
    ``order_share``, ``spend_share``; sorted by orders. Missing values are shown as 未知.
    """
    o = paid_orders(orders, as_of, include_refunds=include_refunds)
    if column not in o.columns:
        raise KeyError(f"orders has no column {column!r}")
    key = o[column].astype(object).fillna("未知")
    g = o.assign(_k=key).groupby("_k", observed=True).agg(
        orders=("member_id", "size"), members=("member_id", "nunique"), net_amount=("net_amount", "sum"))
    g.index.name = column
    g["avg_order_value"] = g["net_amount"] / g["orders"]
    g["order_share"] = g["orders"] / g["orders"].sum()
    g["spend_share"] = g["net_amount"] / g["net_amount"].sum()
    return g.sort_values("orders", ascending=False)


def channel_mix(orders: pd.DataFrame, **kw) -> pd.DataFrame:
    """:func:`mix` by ``channel`` (门店 / 线上商城 / 小程序)."""
    return mix(orders, "channel", **kw)


def payment_mix(orders: pd.DataFrame, **kw) -> pd.DataFrame:
    """:func:`mix` by ``payment_method`` (微信支付 / 支付宝 / …)."""
    return mix(orders, "payment_method", **kw)


# ----------------------------------------------------------------------------------------------------------------
# cohorts and activity
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class CohortRetention:
    """Monthly cohorts. ``sizes``: members per first-purchase month. ``active``: cohort × months-since-first
    (0, 1, 2 …) count of members with a purchase in that month. ``retention``: ``active / sizes`` (month 0 = 1).
    Cells after ``as_of``'s month are NaN (not yet observed); the as-of month itself may be partial."""

    sizes: pd.Series
    active: pd.DataFrame
    retention: pd.DataFrame

    def average_retention(self, month: int) -> float:
        """Retention in month ``month`` after first purchase over all cohorts, weighted by cohort size and using
        only the cohorts already observed that far (NaN when none is)."""
        if month not in self.active.columns:
            return float("nan")
        observed = self.active[month].notna()
        if not observed.any():
            return float("nan")
        return float(self.active.loc[observed, month].sum() / self.sizes[observed].sum())


def _month_codes(orders: pd.DataFrame, as_of, include_refunds: bool):
    """The set-up :func:`cohort_retention` and :func:`monthly_activity` share: the paid orders up to ``as_of``,
    each order's member code and calendar month (months since 1970-01) and each member's first purchase month."""
    o = paid_orders(orders, as_of, include_refunds=include_refunds)
    codes, uniques = _factorize(o["member_id"])
    month = o["order_ts"].to_numpy().astype("datetime64[M]").astype(np.int64)
    first = np.full(len(uniques), np.iinfo(np.int64).max)
    np.minimum.at(first, codes, month)
    return o, codes, month, first


def _month_index(m0: int, periods: int, name: str) -> pd.PeriodIndex:
    """``periods`` calendar months from month number ``m0`` (months since 1970-01)."""
    return pd.period_range(pd.Period(np.datetime64(m0, "M").astype("datetime64[D]").astype(str), "M"),
                           periods=periods, freq="M", name=name)


def cohort_retention(orders: pd.DataFrame, as_of=None, *, include_refunds: bool = False,
                     max_months: int | None = None) -> CohortRetention:
    """Monthly first-purchase cohorts and the share of each cohort that buys again k months later."""
    _, codes, d, first = _month_codes(orders, as_of, include_refunds)
    end_month = int(d.max()) if as_of is None else int(np.datetime64(pd.Timestamp(as_of).date(), "M").astype(np.int64))
    m0 = int(first.min())
    n_coh = end_month - m0 + 1
    k = d - first[codes]
    K = n_coh if max_months is None else min(n_coh, max_months + 1)
    sel = k < K
    # distinct (member, k) pairs
    key = np.unique(codes[sel].astype(np.int64) * K + k[sel])
    mem, kk = key // K, key % K
    coh = first[mem] - m0
    active = np.bincount(coh * K + kk, minlength=n_coh * K).reshape(n_coh, K).astype(float)
    sizes = np.bincount(first - m0, minlength=n_coh)
    months = _month_index(m0, n_coh, "cohort")
    observable = (n_coh - 1 - np.arange(n_coh))[:, None] >= np.arange(K)[None, :]
    active[~observable] = np.nan
    keep = sizes > 0
    idx = pd.PeriodIndex(months[keep], name="cohort")
    act = pd.DataFrame(active[keep], index=idx, columns=pd.RangeIndex(K, name="months_since_first"))
    sz = pd.Series(sizes[keep], index=idx, name="cohort_size")
    return CohortRetention(sizes=sz, active=act, retention=act.div(sz, axis=0))


def activity_indicators(summary: pd.DataFrame, *, windows=(30, 90, 180, 365), active_days: int = 90,
                        lapsed_days: int = 180) -> pd.DataFrame:
    """Per member: ``active_{w}d`` flags (a purchase within the last w days) and ``activity_status``:
    活跃 (recency ≤ ``active_days``), 沉睡 (≤ ``lapsed_days``), 流失 (longer)."""
    rec = summary["recency"].to_numpy()
    out = pd.DataFrame({f"active_{w}d": rec <= w for w in windows}, index=summary.index)
    code = np.where(rec <= active_days, 0, np.where(rec <= lapsed_days, 1, 2))
    out["activity_status"] = pd.Categorical.from_codes(code, list(ACTIVITY_STATUS_LABELS), ordered=True)
    return out


def member_scores(summary: pd.DataFrame, *, freq_band: pd.Series | None = None, spend: pd.Series | None = None,
                  activity_status: pd.Series | None = None) -> pd.DataFrame:
    """The behaviour columns of the report's ``member_scores`` (indexed by member id, as ``summary``):
    ``recency_days``, ``frequency``, ``purchase_days``, ``monetary_total`` and ``monetary_mean`` (元, 2 decimals),
    ``first_purchase`` / ``last_purchase`` (dates), ``tenure_days``, ``frequency_band``, ``spend_band`` and
    ``activity_status`` (text). The bands default to :func:`frequency_band`, :func:`spend_band` and
    :func:`activity_indicators` with their default rules; pass the Series a notebook already has to reuse them.
    Described column by column by :func:`member_score_descriptions`."""
    freq_band = frequency_band(summary) if freq_band is None else freq_band
    spend = spend_band(summary) if spend is None else spend
    if activity_status is None:
        activity_status = activity_indicators(summary)["activity_status"]
    return pd.DataFrame({
        "recency_days": summary["recency"],
        "frequency": summary["frequency"],
        "purchase_days": summary["purchase_days"],
        "monetary_total": summary["monetary_total"].round(2),
        "monetary_mean": summary["monetary_mean"].round(2),
        "first_purchase": summary["first_purchase"].dt.date,
        "last_purchase": summary["last_purchase"].dt.date,
        "tenure_days": summary["tenure"],
        "frequency_band": freq_band.astype(str),
        "spend_band": spend.astype(str),
        "activity_status": activity_status.astype(str),
    })


def _days_text(value: float) -> str:
    return f"{round(float(value), 1):g}"


def member_score_descriptions(as_of, spend_edges, *, spend_quantiles=(0.5, 0.8), active_days: int = 90,
                              lapsed_days: int = 180, bands: dict[str, float] | None = None) -> dict[str, str]:
    """Chinese description (meaning, unit, as-of day) of every column of :func:`member_scores`, written from the
    rules that made them: the frequency band edges (``bands``, default :data:`FREQUENCY_BANDS`), the spend band
    cut-offs ``spend_edges`` (元, e.g. ``spend_band(...).attrs["edges"]``) with the ``spend_quantiles`` they were
    cut at (``None`` for fixed business cut-offs) and the activity thresholds of :func:`activity_indicators`."""
    day = pd.Timestamp(as_of).date()
    bands = FREQUENCY_BANDS if bands is None else bands
    labels = list(bands)
    freq_rule = ",".join(f"≤ {_days_text(bands[k])} 天为{k}" for k in labels[:3])
    spend_labels = list(SPEND_BAND_LABELS) if len(spend_edges) == 2 else [f"band {i + 1}"
                                                                         for i in range(len(spend_edges) + 1)]
    if spend_quantiles is None:
        cuts = ",".join(f"< {e:,.2f} 元为{lab}" for e, lab in zip(spend_edges, spend_labels[:-1], strict=True))
        spend_text = f"消费金额层:按固定门槛切分,{cuts},其余为{spend_labels[-1]}"
    else:
        cuts = ",".join(f"< {e:,.2f} 元({q:.0%} 分位数)为{lab}"
                        for e, q, lab in zip(spend_edges, spend_quantiles, spend_labels[:-1], strict=True))
        spend_text = (f"消费金额层:按本次数据中全部有购买会员的消费金额(monetary_total)分位数切分,{cuts},"
                      f"其余(最高约 {1 - spend_quantiles[-1]:.0%})为{spend_labels[-1]};门槛随数据变化")
    active, lapsed, lost = ACTIVITY_STATUS_LABELS
    return {
        "recency_days": f"最近一次已支付购买日到截止日 {day} 的天数(天);退款订单不算购买",
        "frequency": f"截止日 {day} 前(含当天)的已支付订单数(次),不含退款订单",
        "purchase_days": "有已支付订单的不同日期数(天);同一天多笔订单算 1 天",
        "monetary_total": f"截止日 {day} 前的已支付订单实付金额合计(元)",
        "monetary_mean": "每笔已支付订单的平均实付金额,即客单价(元)",
        "first_purchase": "首次已支付购买日期(YYYY-MM-DD)",
        "last_purchase": "最近一次已支付购买日期(YYYY-MM-DD)",
        "tenure_days": f"首次购买日到截止日 {day} 的天数(天),即会员在网时长",
        "frequency_band": ("消费频率层(间隔口径):平均购买间隔 = (末购日期 − 首购日期) ÷ (购买天数 − 1) 天;"
                           f"{freq_rule},更长为{labels[3]};只有一个购买日为{labels[4]}"),
        "spend_band": spend_text,
        "activity_status": (f"活跃状态(按 recency_days):≤ {active_days} 天为{active},"
                            f"{active_days + 1}–{lapsed_days} 天为{lapsed},> {lapsed_days} 天为{lost}"),
    }


def monthly_activity(orders: pd.DataFrame, as_of=None, *, include_refunds: bool = False) -> pd.DataFrame:
    """Per calendar month: ``active_members``, ``new_members`` (first purchase that month), ``orders``,
    ``net_amount`` and ``orders_per_active``."""
    o, codes, mth, first = _month_codes(orders, as_of, include_refunds)
    m0 = int(mth.min())
    nm = int(mth.max()) - m0 + 1
    key = np.unique(codes.astype(np.int64) * nm + (mth - m0))
    active = np.bincount(key % nm, minlength=nm)
    new = np.bincount(first - m0, minlength=nm)
    orders_n = np.bincount(mth - m0, minlength=nm)
    spend = np.bincount(mth - m0, weights=o["net_amount"].to_numpy(float), minlength=nm)
    idx = _month_index(m0, nm, "month")
    df = pd.DataFrame({"active_members": active, "new_members": new, "orders": orders_n, "net_amount": spend},
                      index=idx)
    df["orders_per_active"] = df["orders"] / df["active_members"].replace(0, np.nan)
    return df


# ----------------------------------------------------------------------------------------------------------------
# "the top X %"
# ----------------------------------------------------------------------------------------------------------------
def top_members(values: pd.Series, top: float = 0.2) -> pd.Index:
    """Index labels of the top ``top`` share of members by ``values`` — the one rule for "top X %" in the course.

    ``ceil(top × n)`` members (at least one when there are any, so "the top 10 % of 5 members" is 1 member, not 0),
    highest value first; ties at the cut are broken by index order (member id), so the list is the same on every
    run. Missing values are never in the top. A quantile cut (``values >= values.quantile(0.9)``) is *not* the same:
    with ties at the cut it returns more than 10 % of the members.
    """
    if not 0 < top <= 1:
        raise ValueError("top must be a share in (0, 1], e.g. 0.2 for the top 20 %")
    v = pd.Series(values).dropna().sort_index(kind="stable")
    if v.empty:
        return v.index[:0]
    k = max(1, math.ceil(top * len(v) - 1e-9))  # 1e-9: 0.1 × 30 is 3.0000000000000004 in floating point
    order = np.argsort(-v.to_numpy(float), kind="stable")  # value descending; ties keep member-id order
    return v.index[order[:k]]


def top_share(values: pd.Series, top: float = 0.2) -> float:
    """Share of the total of ``values`` held by :func:`top_members` (e.g. the top 20 % of members' share of spend).
    NaN when the total is not positive."""
    v = pd.Series(values).dropna()
    total = float(v.sum())
    if total <= 0:
        return float("nan")
    return float(v.loc[top_members(v, top)].sum() / total)


def concentration_curve(values: pd.Series) -> pd.DataFrame:
    """The concentration (Pareto / Lorenz-from-the-top) curve of ``values`` (e.g. spend per member): members in
    the :func:`top_members` order (value descending, ties in member-id order, missing values left out), with
    ``member_share`` = k / n and ``value_share`` = the first k members' share of the total. Row k − 1 with
    k = ceil(top × n) is exactly :func:`top_share` ``(values, top)``. Empty for no values."""
    v = pd.Series(values).dropna()
    order = top_members(v, 1.0) if len(v) else v.index[:0]
    ranked = v.loc[order].astype(float)
    n = len(ranked)
    total = float(ranked.sum())
    return pd.DataFrame({"member_share": np.arange(1, n + 1) / n if n else np.zeros(0),
                         "value_share": ranked.cumsum().to_numpy() / total if total > 0 else np.full(n, np.nan)},
                        index=ranked.index)
