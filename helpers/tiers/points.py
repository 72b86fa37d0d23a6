"""The points ledger (积分台账): earn and burn from the orders, refunds reversed, first-in-first-out expiry, each
member's balance, points about to expire, breakage estimated from history, the liability in 元 and burn / earn by
tier.

Rules. A paid order adds its ``points_earned`` as one lot and takes away its ``points_redeemed``. A refunded order
counts for nothing: the points it earned are reversed and the points it used are given back (both are counted in
``reversed_earned`` / ``returned_redeemed``). With ``expiry_months`` = N > 0, a lot expires at the end of the N-th
month after the month it was earned; redemptions use the oldest points first (FIFO), so what expires is whatever
of the old lots has not been used. ``expiry_months`` = 0 means points never expire.

How FIFO is vectorised: redemptions and expiry both consume points from the front of the queue. At the expiry time
e_i of lot i every point up to and including lot i (cumulative earned C_i) must be gone, so the expired total is
X(t) = max(0, max over lots with e_i ≤ t of C_i − R(e_i)), where R is the cumulative redeemed — a running maximum
per member, no loop over members. ``tests/test_tiers_points.py`` checks it against a plain lot-by-lot loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.tiers.simulate import TierPath

__all__ = ["Ledger", "breakage_rate", "burn_earn_by_tier", "expiry_time", "liability", "points_ledger"]


def expiry_time(order_ts: pd.Series, expiry_months: int) -> pd.Series:
    """The last instant (23:59:59.999999999) of the ``expiry_months``-th month after each order's month; NaT when
    points never expire (``expiry_months`` = 0)."""
    ts = pd.to_datetime(pd.Series(order_ts))
    if int(expiry_months) <= 0:
        return pd.Series(pd.NaT, index=ts.index, dtype="datetime64[ns]")
    per = ts.dt.to_period("M") + int(expiry_months)
    return (per.dt.to_timestamp(how="start") + pd.offsets.MonthBegin(1) - pd.Timedelta(1, "ns")).astype(
        "datetime64[ns]")


@dataclass
class Ledger:
    """``balances``: one row per member (earned, redeemed, expired, balance, expiring_90d, reversed_earned,
    returned_redeemed, mature_earned, mature_redeemed); ``events``: earn / redeem / expire rows with signed points;
    ``as_of`` the last instant counted, ``expiry_months`` the rule."""

    balances: pd.DataFrame
    events: pd.DataFrame
    as_of: pd.Timestamp
    expiry_months: int
    maturity_months: int

    @property
    def outstanding(self) -> int:
        return int(self.balances["balance"].sum())

    def monthly(self) -> pd.DataFrame:
        """Points earned, redeemed and expired per calendar month (positive numbers)."""
        e = self.events
        if e.empty:
            return pd.DataFrame(columns=["earned", "redeemed", "expired"], dtype="int64")
        t = e.assign(month=e["ts"].dt.to_period("M")).pivot_table(index="month", columns="kind", values="points",
                                                                    aggfunc="sum", fill_value=0)
        t = t.reindex(columns=["earn", "redeem", "expire"], fill_value=0).abs().astype("int64")
        return t.rename(columns={"earn": "earned", "redeem": "redeemed", "expire": "expired"})


def _points(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").fillna(0).to_numpy(np.float64).round().astype(np.int64)


def points_ledger(orders: pd.DataFrame, as_of, expiry_months: int = 0, *, maturity_months: int | None = None,
                  members: pd.Index | None = None, expiring_days: int = 90) -> Ledger:
    """The ledger up to the end of the as-of day (see the module docstring). ``members`` (optional) adds members
    without points (balance 0). ``maturity_months`` (default: ``expiry_months``, or 12 when points never expire)
    is the age after which a lot counts as mature for :func:`breakage_rate`."""
    if int(expiry_months) < 0:
        raise ValueError("expiry_months must be ≥ 0 (0 = never) / 积分有效期不能为负")
    for col in ("points_earned", "points_redeemed"):
        if col not in orders.columns:
            raise ValueError(f"orders has no column {col!r}: the points ledger needs points_earned and "
                             f"points_redeemed / 订单表没有积分列 {col}")
    end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    mature_n = int(maturity_months) if maturity_months is not None else (int(expiry_months) or 12)
    o = orders[orders["order_ts"] <= end]
    refunded = np.zeros(len(o), bool)
    if "status" in o.columns:
        refunded = (o["status"].astype("string") == "refunded").fillna(False).to_numpy(bool)
    code0, uniq = pd.factorize(o["member_id"].astype("string"), sort=True)  # -1 for a missing member id
    ts = o["order_ts"].to_numpy("datetime64[ns]")
    earn, red = _points(o["points_earned"]), _points(o["points_redeemed"])
    ids = pd.Index(uniq, dtype="string")
    if members is not None:
        ids = ids.union(pd.Index(members, dtype="string"))
    ids = ids.sort_values()
    ids.name = "member_id"
    remap = ids.get_indexer(pd.Index(uniq, dtype="string"))
    code = np.where(code0 >= 0, remap[np.maximum(code0, 0)] if len(remap) else -1, -1).astype(np.int64)
    ok = code >= 0
    n = len(ids)
    rev_e = np.bincount(code[ok & refunded], weights=earn[ok & refunded], minlength=n).astype(np.int64)
    rev_r = np.bincount(code[ok & refunded], weights=red[ok & refunded], minlength=n).astype(np.int64)
    paid = ok & ~refunded
    # lots, in (member, time, row) order
    lm = paid & (earn > 0)
    order = np.lexsort((np.nonzero(lm)[0], ts[lm], code[lm]))
    lot_m, lot_t, lot_p = code[lm][order], ts[lm][order], earn[lm][order]
    lot_c = pd.Series(lot_p).groupby(lot_m).cumsum().to_numpy(np.int64)
    rm = paid & (red > 0)
    r_m, r_t, r_p = code[rm], ts[rm], red[rm]
    C = np.bincount(lot_m, weights=lot_p, minlength=n).astype(np.int64)
    R = np.bincount(r_m, weights=r_p, minlength=n).astype(np.int64)
    X = np.zeros(n, np.int64)
    X90 = np.zeros(n, np.int64)
    x_m, x_t, x_p = np.zeros(0, np.int64), np.zeros(0, "datetime64[ns]"), np.zeros(0, np.int64)
    if int(expiry_months) > 0 and len(lot_m):
        lot_e = expiry_time(pd.Series(lot_t), expiry_months).to_numpy("datetime64[ns]")
        # cumulative redeemed at each expiry instant: redemptions sorted together with the expiry queries
        mem = np.r_[r_m, lot_m]
        tt = np.r_[r_t, lot_e]
        isq = np.r_[np.zeros(len(r_m), np.int8), np.ones(len(lot_m), np.int8)]
        amt = np.r_[r_p, np.zeros(len(lot_m), np.int64)]
        s = np.lexsort((isq, tt, mem))
        cum = pd.Series(amt[s]).groupby(mem[s]).cumsum().to_numpy(np.int64)
        r_at = np.empty(len(lot_m), np.int64)
        q_pos = s >= len(r_m)
        r_at[s[q_pos] - len(r_m)] = cum[q_pos]
        due = lot_e <= end.to_datetime64()
        need = np.where(due, lot_c - r_at, 0)
        run = pd.Series(np.maximum(need, 0)).groupby(lot_m).cummax().to_numpy(np.int64)
        X = np.zeros(n, np.int64)
        np.maximum.at(X, lot_m, run)
        step = run - np.r_[0, run[:-1]]
        step[np.r_[True, lot_m[1:] != lot_m[:-1]]] = run[np.r_[True, lot_m[1:] != lot_m[:-1]]]
        hit = due & (step > 0)
        x_m, x_t, x_p = lot_m[hit], lot_e[hit], -step[hit]
        soon = (~due) & (lot_e <= (end + pd.Timedelta(days=int(expiring_days))).to_datetime64())
        need90 = np.where(soon, lot_c - R[lot_m], 0)
        X90 = X.copy()
        np.maximum.at(X90, lot_m, np.maximum(need90, 0))
    oid = o["order_id"].astype("string").to_numpy(object) if "order_id" in o.columns else np.full(len(o), pd.NA)
    # one row per earn / redeem / expire, in (member, time, kind) order — sorted on integer codes, not strings
    e_m = np.r_[code[lm], r_m, x_m]
    e_t = np.r_[ts[lm], r_t, x_t].astype("datetime64[ns]")
    e_k = np.r_[np.zeros(lm.sum(), np.int8), np.ones(len(r_m), np.int8), np.full(len(x_m), 2, np.int8)]
    e_p = np.r_[earn[lm], -r_p, x_p].astype(np.int64)
    e_o = np.r_[oid[lm], oid[rm], np.full(len(x_m), None, dtype=object)]
    s_ = np.lexsort((e_k, e_t, e_m))
    events = pd.DataFrame({"member_id": ids[e_m[s_]], "ts": e_t[s_],
                           "kind": np.asarray(["earn", "redeem", "expire"], dtype=object)[e_k[s_]],
                           "points": e_p[s_], "order_id": pd.array(e_o[s_], dtype="string")})
    # mature lots (earned at least maturity_months before the as-of day) for the breakage estimate
    cut = (pd.Timestamp(end) - pd.DateOffset(months=mature_n)).to_datetime64()
    mat = lot_t <= cut
    Cm = np.bincount(lot_m[mat], weights=lot_p[mat], minlength=n).astype(np.int64)
    Xm = np.minimum(X, Cm)
    Rm = np.clip(np.minimum(R, Cm - Xm), 0, None)
    bal = pd.DataFrame({"earned": C, "redeemed": R, "expired": X, "balance": C - R - X,
                        "expiring_90d": X90 - X, "reversed_earned": rev_e, "returned_redeemed": rev_r,
                        "mature_earned": Cm, "mature_redeemed": Rm}, index=ids)
    return Ledger(bal, events, pd.Timestamp(end), int(expiry_months), mature_n)


def breakage_rate(ledger: Ledger) -> float:
    """Share of mature points (earned at least ``maturity_months`` before the as-of day) that were not redeemed —
    expired, or still unused after that long; NaN when no points are that old."""
    b = ledger.balances
    total = float(b["mature_earned"].sum())
    if total <= 0:
        return float("nan")
    return float(1.0 - b["mature_redeemed"].sum() / total)


def liability(outstanding: float, value_per_point: float, breakage: float) -> float:
    """The points liability in 元: outstanding points × value per point × expected redemption share (1 − breakage);
    an unknown breakage (NaN) counts as 0, the prudent choice."""
    if value_per_point < 0:
        raise ValueError("value_per_point must be ≥ 0")
    br = 0.0 if breakage is None or not np.isfinite(breakage) else float(breakage)
    if not 0 <= br <= 1:
        raise ValueError("breakage must be in [0, 1]")
    return float(outstanding) * float(value_per_point) * (1.0 - br)


def burn_earn_by_tier(orders: pd.DataFrame, path: TierPath, months: int = 12) -> pd.DataFrame:
    """Points earned and redeemed on paid orders of the last ``months`` months by the tier the member held when
    ordering (the tier at the end of the previous month); ``burn_earn`` = redeemed ÷ earned."""
    names = list(path.rules.names)
    T = len(path.months)
    if T == 0 or "points_earned" not in orders.columns or "points_redeemed" not in orders.columns:
        return pd.DataFrame({"earned": 0, "redeemed": 0, "burn_earn": np.nan}, index=pd.Index(names, name="tier"))
    o = orders
    if "status" in o.columns:
        o = o[~(o["status"].astype("string") == "refunded").fillna(False).to_numpy(bool)]
    first = path.months[0]
    col = (o["order_ts"].dt.year.to_numpy() - first.year) * 12 + (o["order_ts"].dt.month.to_numpy() - first.month)
    row = path.members.get_indexer(o["member_id"].astype("string"))
    keep = (row >= 0) & (col >= max(T - int(months), 0)) & (col < T)
    held = np.where(col[keep] > 0, path.tier[row[keep], np.maximum(col[keep] - 1, 0)], 0).astype(np.int64)
    k = len(names)
    e = np.bincount(held, weights=_points(o["points_earned"])[keep], minlength=k).astype(np.int64)
    r = np.bincount(held, weights=_points(o["points_redeemed"])[keep], minlength=k).astype(np.int64)
    ratio = np.where(e > 0, r / np.maximum(e, 1), np.nan)
    return pd.DataFrame({"earned": e, "redeemed": r, "burn_earn": ratio}, index=pd.Index(names, name="tier"))
