"""Member features for segmentation and churn warning (会员特征), computed from what modules 02–04 already give.

Why a feature table of its own: clustering and the churn model need one row per member of *numbers* on comparable
scales, built only from orders on or before a cut-off day. Everything comes from :func:`helpers.behavior
.member_summary` (recency, frequency, spend, tenure, ``x``) plus a few views of recent activity (orders and spend in
the last 30 / 90 / 180 days, the trend of the last 90 days against the 90 before), of the channel mix and, for the
churn model, module 04's BG/NBD outputs (P(alive) and expected purchases) fitted on the same members.

Scaling choices (what :func:`scaled` does, and why): counts and money are right-skewed (a few members buy 50 times
more than the median), so they go through ``log1p`` before standardising — otherwise k-means would spend its
clusters on the tail and a linear model would be driven by a handful of members. Shares and the trend are already
bounded (0–1, −1–1) and are only standardised. ``log1p`` results are rounded with the course's one
:func:`helpers.synth.stable.stable` rule, so clusters and rankings are the same on every CPU.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior import mean_interval, member_summary, paid_orders
from helpers.behavior.purchases import _as_day, _days

__all__ = ["FEATURE_LABELS_ZH", "LOG_FEATURES", "activity_windows", "clv_columns", "member_codes", "member_features",
           "one_thread", "per_member", "scaled", "stable"]

#: features that are counts or money (right-skewed): ``log1p`` before standardising
LOG_FEATURES = ("recency", "tenure", "frequency", "purchase_days", "monetary_total", "monetary_mean",
                "mean_interval", "orders_30d", "orders_90d", "orders_prev_90d", "orders_180d", "spend_90d",
                "spend_180d", "refunded_orders", "n_channels", "n_categories", "expected_purchases")

#: Chinese names of the features (plots, profile tables)
FEATURE_LABELS_ZH = {
    "recency": "距最近一次购买（天）", "tenure": "首购至今（天）", "frequency": "消费频次（笔）",
    "purchase_days": "购买天数", "monetary_total": "累计消费（元）", "monetary_mean": "客单价（元）",
    "x": "重复购买天数 x", "mean_interval": "平均购买间隔（天）", "recency_ratio": "沉默时长 / 平均间隔", "orders_30d": "近 30 天订单", "spend_30d": "近 30 天消费（元）",
    "orders_90d": "近 90 天订单", "orders_prev_90d": "前一个 90 天订单", "orders_180d": "近 180 天订单",
    "spend_90d": "近 90 天消费（元）", "spend_180d": "近 180 天消费（元）", "trend_90d": "近 90 天活跃趋势",
    "online_share": "线上订单占比", "n_channels": "使用渠道数", "refunded_orders": "退款订单数",
    "discount_share": "有优惠的订单占比", "n_categories": "购买品类数", "p_alive": "存活概率 P(alive)",
    "expected_purchases": "预测期期望购买次数",
}


def stable(x) -> np.ndarray:
    """The course's one rounding rule for results of transcendental functions (docs/CONVENTIONS.md)."""
    from helpers.synth.stable import stable as _stable

    return _stable(x)


def one_thread():
    """A context in which BLAS and OpenMP use one thread. scikit-learn's k-means and gradient boosting start
    OpenMP threads; on a shared machine with few cores they spin waiting for each other (measured: a boosting fit
    of 0.3 s took 10 s with two threads on a busy 2-core machine). One thread is also the same computation on every
    machine, whatever its core count."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def member_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``(codes, members)``: an int32 code per row (0..n-1 in sorted member-id order) and the sorted distinct ids
    (dtype of ``ids``) — :func:`helpers.behavior.member_summary`'s own factorisation. Per-member counts and sums are
    then ``np.bincount`` / a groupby on small integers instead of hashing and comparing id strings row by row
    (at a million orders and more the string work dominated this module's time and memory)."""
    from helpers.behavior._ids import _factorize

    if not len(ids):
        return np.zeros(0, np.int32), pd.Index([], dtype=ids.dtype, name="member_id")
    codes, members = _factorize(ids)
    return codes, members


def per_member(values: np.ndarray, members: pd.Index, index: pd.Index) -> np.ndarray:
    """An array over ``members`` (from :func:`member_codes`) laid out on ``index``: NaN for a member of ``index``
    not in ``members``; no lookup when the two are the same members in the same order (the usual case)."""
    if members.equals(index):
        return np.asarray(values)
    return pd.Series(values, index=members).reindex(index).to_numpy()


def activity_windows(orders: pd.DataFrame, as_of, windows=(30, 90, 180), *, index=None) -> pd.DataFrame:
    """Paid orders and spend per member in the last ``w`` days up to ``as_of`` (days in (as_of − w, as_of]) for
    each window, plus ``orders_prev_90d`` (the 90 days before the last 90) and ``trend_90d`` =
    (last − previous) / (last + previous), in [−1, 1], 0 when both are 0. Orders after ``as_of`` never count.
    Without ``index``: the members with an order in one of the windows."""
    o = paid_orders(orders, as_of)
    end = _as_day(as_of, "as_of")
    age = end - _days(o["order_ts"]).astype(np.int64)  # 0 on the as-of day
    codes, members = member_codes(o["member_id"])
    n = len(members)
    net = o["net_amount"].astype(float).to_numpy()
    cols = {}
    for w in windows:
        m = age < w
        cols[f"orders_{w}d"] = np.bincount(codes[m], minlength=n)
        # a groupby sum, not a weighted bincount: pandas adds each member's rows in row order with compensation,
        # the same sums as grouping by the id strings (identical features, identical models)
        spend = pd.Series(net[m]).groupby(codes[m]).sum()
        col = np.zeros(n)
        col[spend.index.to_numpy()] = spend.to_numpy()
        cols[f"spend_{w}d"] = col
    prev = (age >= 90) & (age < 180)
    cols["orders_prev_90d"] = np.bincount(codes[prev], minlength=n)
    out = pd.DataFrame(cols, index=members)
    if index is not None:
        if not members.equals(index):
            out = out.reindex(index).fillna(0.0)
    else:
        counted = [c for c in out.columns if c.startswith("orders_")]
        out = out.loc[(out[counted].to_numpy() > 0).any(axis=1)]
    for c in out.columns:
        out[c] = out[c].astype(np.int64) if c.startswith("orders_") else out[c].astype(float)
    last, before = out.get("orders_90d", 0), out["orders_prev_90d"]
    total = last + before
    out["trend_90d"] = np.where(total > 0, (last - before) / np.maximum(total, 1), 0.0)
    out.index.name = "member_id"
    return out


def clv_columns(summary: pd.DataFrame, horizon_days: int = 180) -> pd.DataFrame:
    """Module 04's outputs as features: ``p_alive`` and ``expected_purchases`` (purchase days in the next
    ``horizon_days``) from a BG/NBD fitted on ``summary`` (a :func:`member_summary` in days), rounded with
    :func:`stable`; NaN columns when the data cannot identify BG/NBD (:func:`helpers.clv.fit_bgnbd`)."""
    from helpers.clv import fit_bgnbd

    out = pd.DataFrame({"p_alive": np.nan, "expected_purchases": np.nan}, index=summary.index)
    if summary.attrs.get("time_unit", "day") != "day":
        raise ValueError("clv_columns needs a member_summary in days (time_unit='D')")
    model, _ = fit_bgnbd(summary, "day") if len(summary) else (None, "")
    if model is not None:
        x, t_x, T = (summary[c].to_numpy(float) for c in ("x", "t_x", "T"))
        out["p_alive"] = stable(model.p_alive(x, t_x, T))
        out["expected_purchases"] = stable(model.expected_purchases(float(horizon_days), x, t_x, T))
    return out


def member_features(orders: pd.DataFrame, as_of, *, summary: pd.DataFrame | None = None,
                    order_items: pd.DataFrame | None = None, products: pd.DataFrame | None = None,
                    clv_horizon: int | None = None) -> pd.DataFrame:
    """One row per member with a paid order on or before ``as_of`` (the cut-off): the features of this module.

    Only orders up to ``as_of`` are read — a feature computed after the cut-off is impossible by construction
    (``tests/test_segments_churn.py`` checks that orders after it change nothing). ``summary`` (a
    :func:`member_summary` at the same day) saves recomputing it. Columns: ``recency``, ``tenure``,
    ``frequency``, ``purchase_days``, ``monetary_total``, ``monetary_mean``, ``x``, ``mean_interval`` (NaN for a
    single purchase day), ``recency_ratio`` (recency / mean interval; NaN for a single purchase day), the
    :func:`activity_windows`, ``online_share`` and ``n_channels`` (with a ``channel`` column), ``discount_share``
    (with ``discount_amount``), ``refunded_orders`` (with ``status``), ``n_categories`` (with items + products),
    and with ``clv_horizon`` (days) module 04's ``p_alive`` and ``expected_purchases`` (:func:`clv_columns`, a
    BG/NBD fitted on the members up to the cut-off). ``attrs["as_of"]`` records the cut-off."""
    o = paid_orders(orders, as_of, include_refunds=True)  # refunds stay in for refunded_orders; summary drops them
    if summary is None:
        summary = member_summary(o, as_of, order_items=order_items, products=products)
    elif summary.attrs.get("as_of") not in (None, str(pd.Timestamp(as_of).date())):
        raise ValueError(f"summary is for {summary.attrs.get('as_of')}, not for the cut-off {pd.Timestamp(as_of).date()}")
    cols = ["recency", "tenure", "frequency", "purchase_days", "monetary_total", "monetary_mean", "x"]
    f = summary[cols].astype(float).copy()
    f["mean_interval"] = mean_interval(summary)
    with np.errstate(divide="ignore", invalid="ignore"):
        f["recency_ratio"] = f["recency"] / f["mean_interval"].where(f["mean_interval"] > 0)
    paid = paid_orders(o, as_of)
    del o  # one masked copy of the order rows alive at a time (memory at millions of orders)
    f = f.join(activity_windows(paid, as_of, index=f.index).astype(float))
    codes, members = member_codes(paid["member_id"])
    n = len(members)
    n_paid = per_member(np.bincount(codes, minlength=n).astype(float), members, f.index)

    def share(mask) -> np.ndarray:  # share of the member's paid orders; 0 for none, NaN for a member without any
        hits = per_member(np.bincount(codes[mask], minlength=n).astype(float), members, f.index)
        return np.nan_to_num(hits, nan=0.0) / n_paid

    if "channel" in paid.columns:
        ch = paid["channel"]  # a missing channel is not online (compared as categories: no string copy of the rows)
        f["online_share"] = share((ch != "门店").to_numpy(dtype=bool, na_value=False) & ch.notna().to_numpy())
        f["n_channels"] = summary["n_channels"].astype(float) if "n_channels" in summary else np.nan
    if "discount_amount" in paid.columns:
        f["discount_share"] = share((paid["discount_amount"].astype(float) > 0).fillna(False).to_numpy(bool))
    if "refunded_orders" in summary:
        f["refunded_orders"] = summary["refunded_orders"].astype(float)
    if "n_categories" in summary:
        f["n_categories"] = summary["n_categories"].astype(float)
    if clv_horizon is not None:
        f = f.join(clv_columns(summary, clv_horizon))
    f.index.name = "member_id"
    f.attrs["as_of"] = str(pd.Timestamp(as_of).date())
    return f


def scaled(features: pd.DataFrame, columns=None, *, center=None, scale=None) -> pd.DataFrame:
    """``features[columns]`` on one scale: ``log1p`` for :data:`LOG_FEATURES` (rounded with :func:`stable`), missing
    values filled with the column median, then standardised (mean 0, sd 1; a constant column becomes 0).
    ``center`` / ``scale`` (Series from an earlier call's ``attrs``) apply a fitted scaling to new members."""
    columns = list(features.columns if columns is None else columns)
    X = features[columns].astype(float).copy()
    for c in columns:
        if c in LOG_FEATURES:
            X[c] = stable(np.log1p(np.maximum(X[c].to_numpy(), 0.0)))
    fill = X.median() if center is None else center["median"]
    X = X.fillna(fill).fillna(0.0)
    mu = X.mean() if center is None else center["mean"]
    sd = X.std(ddof=0) if scale is None else scale
    sd = sd.where(sd > 0, 1.0)
    out = (X - mu) / sd
    out.attrs["center"] = {"median": fill, "mean": mu}
    out.attrs["scale"] = sd
    return out
