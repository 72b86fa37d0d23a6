"""The member summary (会员汇总画像): one row per member from the orders table — everything in modules 02–05
starts here.

Definitions (see :func:`member_summary`): refunded orders are not purchases; ``x`` counts distinct purchase *days*
minus one (Fader, Hardie & Lee), ``frequency`` counts orders; ``recency`` / ``tenure`` are whole days to the
reference day, ``t_x`` / ``T`` in the chosen time unit (``attrs["time_unit"]``, read by :class:`helpers.clv.BGNBD`).

Why it looks the way it does: integer codes + ``np.bincount`` / ``np.minimum.at`` / one ``np.sort``, no per-member
Python and no pandas groupby over the order rows, so that tens of millions of orders fit on one machine. Measured
by ``benchmarks/bench_summary.py`` against DuckDB (faster at 1M and 10M orders; the step's peak memory stays below
3x the orders frame). Rows already clustered by member with days in order (checked, never assumed) skip the
scatter and the sort: first / last / distinct days are read off the member segments in one pass each.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from helpers.behavior._ids import _factorize
from helpers.behavior.purchases import _UNITS, _as_day, _check_orders, _days, _from_days, _refunded_mask

__all__ = ["member_summary"]


#: rows from which the distinct-day count is split into member ranges sorted side by side (one thread per core)
_PARALLEL_ROWS = 2_000_000


def _distinct_days(codes, n, day) -> np.ndarray:
    """Distinct purchase days per member (int64, length ``n``): the (member, day) pairs as one unsigned 32-bit key
    ``code * span + day``, sorted, counted where the key changes. Why this shape: a 4-byte key sorts about twice as
    fast as an 8-byte one (numpy's SIMD sort), so members are split into ranges whose keys fit 32 bits (4 million
    members over three years of days fit in one); from :data:`_PARALLEL_ROWS` rows the ranges are also sorted side by
    side, one thread per core (numpy's sort releases the GIL)."""
    if not len(day):
        return np.zeros(n, np.int64)
    d0 = int(day.min())
    span = int(day.max()) - d0 + 1
    parts = max(1, -(-(n * span) // 2**32))
    workers = min(os.cpu_count() or 1, 4) if len(day) >= _PARALLEL_ROWS else 1
    parts = max(parts, workers) if n >= workers else parts
    edges = np.linspace(0, n, parts + 1).round().astype(np.int64)
    while int(np.diff(edges).max()) * span > 2**32:  # rounding gave a range one member too wide
        parts += 1
        edges = np.linspace(0, n, parts + 1).round().astype(np.int64)

    def count(lo: int, hi: int) -> np.ndarray:
        if parts == 1:
            c, d = codes, day
        else:
            m = codes >= lo
            m &= codes < hi
            c, d = codes[m], day[m]
        key = c.astype(np.uint32)  # a copy: sorted in place below
        if lo:
            key -= np.uint32(lo)
        key *= np.uint32(span)
        key += (d - d0).astype(np.uint32)
        del c, d
        key.sort()
        new = np.empty(len(key), bool)
        if len(key):
            new[0] = True
            np.not_equal(key[1:], key[:-1], out=new[1:])
        members = key[new]
        del key, new
        members //= np.uint32(span)  # member code (within the range) of each distinct (member, day), sorted
        # rows per member of a sorted array by binary search (np.bincount would first copy it to 8-byte integers)
        return np.diff(np.searchsorted(members, np.arange(hi - lo + 1, dtype=np.uint32)))

    ranges = list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            counts = list(pool.map(lambda r: count(*r), ranges))
    else:
        counts = [count(lo, hi) for lo, hi in ranges]
    return np.concatenate(counts).astype(np.int64)


def _sorted_segments(codes, day) -> np.ndarray | None:
    """Where a new member starts (bool per row) when the rows are clustered by member code in ascending order and
    each member's days run in order (a Parquet file in the loader's member layout, docs/SCALE.md); ``None``
    otherwise. Two linear comparisons: no assumption about where the rows came from is trusted."""
    if len(codes) < 2:
        return None
    step = np.subtract(codes[1:], codes[:-1], dtype=np.int32)
    if (step < 0).any():
        return None
    new = np.empty(len(codes), bool)
    new[0] = True
    np.not_equal(step, 0, out=new[1:])
    del step
    back = day[1:] < day[:-1]
    back &= ~new[1:]
    return None if back.any() else new


def _segment_days(codes, n, day, new):
    """First day, last day and distinct purchase days per member (length ``n``; 0 for members without rows) of rows
    sorted by (member, day), ``new`` marking each member's first row: one pass each, no sort and no hash."""
    starts = np.flatnonzero(new)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:] - 1
    ends[-1] = len(codes) - 1
    members = codes[starts]
    first = np.zeros(n, np.int32)
    first[members] = day[starts]
    last = np.zeros(n, np.int32)
    last[members] = day[ends]
    changed = np.empty(len(day), bool)  # a row whose day differs from the row before, or a new member's first
    changed[0] = True
    np.not_equal(day[1:], day[:-1], out=changed[1:])
    changed |= new
    pdays = np.bincount(codes[changed], minlength=n).astype(np.int64)
    return first, last, pdays


def _period_features(codes, n, day, net, chan_codes=None, n_chan=0):
    """Per-member features of the orders given (already filtered to the period). Arrays of length n.

    ``codes`` and ``day`` are int32 to keep the temporaries small (the peak is a few 8-byte arrays of the order
    count on top of the input)."""
    n_orders = np.bincount(codes, minlength=n)
    total = np.bincount(codes, weights=net, minlength=n)
    has = n_orders > 0
    segments = _sorted_segments(codes, day)
    if segments is not None:  # rows clustered by member, days in order: first / last / distinct days linear
        first, last, pdays = _segment_days(codes, n, day, segments)
    else:
        big = np.iinfo(np.int32).max
        first = np.full(n, big, np.int32)
        np.minimum.at(first, codes, day)
        last = np.full(n, -big, np.int32)
        np.maximum.at(last, codes, day)
        first = np.where(has, first, 0).astype(np.int32)
        last = np.where(has, last, 0).astype(np.int32)
        pdays = _distinct_days(codes, n, day)
    del segments
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
                   products: pd.DataFrame | None = None, repeat_unit: str = "day",
                   member_codes: tuple[np.ndarray, pd.Index] | None = None,
                   order_days: np.ndarray | None = None) -> pd.DataFrame:
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
    member_codes : ``(codes, ids)`` — the member of every row as an integer code 0..n-1 and the ``n`` member ids
        in ascending order, when the caller already has them (:mod:`helpers.engine.columnar` reads them from the
        per-row-group dictionaries of a member-clustered Parquet file); ``orders`` then needs no ``member_id``.
        Without it the ids are factorised here.
    order_days : whole days since 1970-01-01 of every row's ``order_ts`` (int32, floor), when the caller already
        has them (the same reader computes them while decoding); ``orders`` then needs no ``order_ts`` (only with
        ``repeat_unit="day"``).

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
    _check_orders(orders, tuple(c for c, given in (("member_id", member_codes), ("order_ts", order_days),
                                                   ("net_amount", None)) if given is None))
    if order_days is not None and (repeat_unit != "day" or len(order_days) != len(orders)):
        raise ValueError("order_days needs repeat_unit='day' and one day per order row")
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

    day = _days(orders["order_ts"]) if order_days is None else order_days
    keep = day <= as_of_day
    refunded = _refunded_mask(orders)
    paid = None if include_refunds or refunded is None else ~refunded
    if paid is not None:
        keep &= paid
    net = orders["net_amount"]
    net = np.asarray(net, dtype=float) if net.dtype == np.float64 else net.to_numpy(dtype=float, na_value=np.nan)
    if (np.isnan(net) & keep).any():
        raise ValueError("net_amount has missing values; load the data with helpers.data.load (it quarantines them)")

    if member_codes is not None:
        codes_all, uniques = member_codes
        if len(codes_all) != len(orders):
            raise ValueError("member_codes must have one code per order row")
    else:
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
        # float even when the holdout is empty: np.bincount returns int64 zeros for an empty input, weights or not
        cols["spend_holdout"] = np.bincount(hc, weights=net[hmask], minlength=n).astype(np.float64)
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
