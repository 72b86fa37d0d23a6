"""When members buy (购物时间): hour of day × weekday counts and the two report figures read from them.

Why: send times, staffing and flash-sale slots follow the hours members really order in; hours are the order's
local (Beijing) time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior.purchases import paid_orders

__all__ = ["WEEKDAYS_ZH", "hour_profile", "hour_weekday_matrix", "timing_metrics"]


WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


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
