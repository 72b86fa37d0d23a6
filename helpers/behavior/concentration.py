"""“The top X %” of members (头部会员) and their share of a total — one rule for every module.

Why one rule: a quantile cut (``values >= values.quantile(0.8)``) returns more than 20 % of the members when values
tie at the cut, and each module rounding its own way gave different lists. Here: ``ceil(top × n)`` members,
highest value first, ties in member-id order.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["concentration_curve", "top_members", "top_share"]


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
