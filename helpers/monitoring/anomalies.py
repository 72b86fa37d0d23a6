"""Daily paid sales, the retail festival calendar and anomaly detection on the daily series.

Why STL and robust z-scores: daily sales carry a strong weekly rhythm (weekends) and a slow trend; an anomaly is a
day that neither explains. STL (statsmodels, weekly period, ``robust=True`` so that the outliers themselves do not
bend the trend and the weekly pattern) splits the series into trend + weekly pattern + residual, and the residual
is scored with the **robust z-score** z = (r − median r) / (1.4826 · MAD): median and median absolute deviation are
not pulled by the very outliers we look for, as a mean and a standard deviation would be. When more than half of
the residuals are equal (MAD = 0) the mean absolute deviation is used instead, z = (r − median) / (1.2533 · MeanAD)
(Iglewicz & Hoaglin's modified z-score); when both are 0 every z is 0.

Two choices for real sales series: STL runs on log(1 + sales) by default (``log=True``), so a weekend is "20 %
more" whatever the size of the member base and a growing business does not make every late day look wild; and the
median and MAD are taken over a centred window of ``window`` days (default 57, about eight weeks) rather than the
whole history, because the noise of a young programme with a few hundred members is much larger than later on
(``window=None`` scores against the whole series). A day with zero sales inside a busy period is then strongly low:
usually an export gap or a closed till, exactly what a monitor should show.

The STL windows are wider than statsmodels' defaults (``seasonal=35``: each weekday's level is smoothed over five
weeks; ``trend=29``: about a month). With the defaults (7 and 15 days) trend and weekly pattern follow the noise so
closely that the robust fit leaves most days with a tiny residual and a few with all of it: on simulated daily sales
with no anomaly at all, 7 % of the days exceed |z| = 3.5; with these windows about 0.3 %
(``benchmarks/bench_monitoring.py`` prints the count on such data).

Festival days (春节, 618, 双 11, 双 12) are known peaks or troughs: a day beyond the threshold on a festival is marked
``expected`` (a peak the plan knew about), not an anomaly. The dates of 春节 come from the lunar-calendar table the
synthetic world is drawn from (:data:`helpers.synth.config.LUNAR_NEW_YEAR`, astronomical dates, not guesses); for a
year outside the table :func:`festival_days` names the year in ``missing_years`` rather than guessing the date.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.synth.config import LUNAR_NEW_YEAR
from helpers.synth.stable import stable

from .kpi_tree import paid

__all__ = ["FESTIVALS", "MAX_ZERO_SHARE", "MIN_PERIODS", "anomaly_note", "daily_sales", "detect_anomalies", "festival_days",
           "robust_z"]

#: festival -> what is marked (days relative to the festival day); 春节 from 除夕 (the eve) to 初六
FESTIVALS = {"春节": "除夕至初六（Lunar New Year's Eve to day 6）", "618": "6 月 18 日", "双 11": "11 月 11 日",
             "双 12": "12 月 12 日"}
#: STL needs at least two full periods
MIN_PERIODS = 2


def festival_days(start, end) -> tuple[pd.DataFrame, list[int]]:
    """(``date``, ``festival``) for every marked festival day from ``start`` to ``end`` (both days included), and
    the years of that span whose 春节 date is not in the table (their 春节 is not marked)."""
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    rows, missing = [], []
    for year in range(lo.year, hi.year + 1):
        for m, d, name in ((6, 18, "618"), (11, 11, "双 11"), (12, 12, "双 12")):
            rows.append((pd.Timestamp(year, m, d), name))
        if year in LUNAR_NEW_YEAR:
            day1 = pd.Timestamp(LUNAR_NEW_YEAR[year])
            rows += [(day1 + pd.Timedelta(days=k), "春节") for k in range(-1, 7)]
        else:
            missing.append(year)
    cal = pd.DataFrame(rows, columns=["date", "festival"])
    cal = cal[(cal["date"] >= lo) & (cal["date"] <= hi)].sort_values("date", kind="mergesort")
    return cal.reset_index(drop=True), missing


def daily_sales(orders: pd.DataFrame, start=None, end=None) -> pd.DataFrame:
    """Paid net amount and paid orders per calendar day from ``start`` to ``end`` (default: first and last order
    day; both included). A day without a paid order is there explicitly with 0 (``no_orders`` = True): a gap in
    the export is a day of zero sales, not a missing row the model would skip over."""
    p = paid(orders)
    if start is None or end is None:
        if orders.empty:
            return pd.DataFrame(columns=["date", "sales", "paid_orders", "no_orders"])
        start = orders["order_ts"].min() if start is None else start
        end = orders["order_ts"].max() if end is None else end
    days = pd.date_range(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(), freq="D", name="date")
    by_day = p.groupby(p["order_ts"].dt.normalize())["net_amount"].agg(["sum", "size"])
    by_day = by_day.reindex(days)
    out = pd.DataFrame({"date": days, "sales": by_day["sum"].fillna(0.0).to_numpy(float).round(2),
                        "paid_orders": by_day["size"].fillna(0).to_numpy("int64"),
                        "no_orders": by_day["size"].isna().to_numpy()})
    return out


def _scale(r: np.ndarray) -> tuple[float, float]:
    """(median, robust scale) of ``r``: 1.4826 · MAD, else 1.2533 · MeanAD, else 0."""
    med = float(np.median(r))
    dev = np.abs(r - med)
    mad = float(np.median(dev))
    if mad > 0:
        return med, 1.4826 * mad
    return med, 1.2533 * float(dev.mean())


def robust_z(x, window: int | None = None) -> np.ndarray:
    """Robust z-scores (r − median) / (1.4826 · MAD); MeanAD · 1.2533 when MAD is 0; zeros when both are 0.

    ``window``: median and scale over a centred window of that many days (at least 7 values), falling back to the
    whole series' where the window's scale is 0."""
    r = np.asarray(x, dtype=float)
    if r.size == 0:
        return r.copy()
    med, scale = _scale(r)
    center = np.full(r.size, med)
    scales = np.full(r.size, scale)
    if window is not None:
        s = pd.Series(r)
        local_med = s.rolling(window, center=True, min_periods=7).median()
        local_mad = (s - local_med).abs().rolling(window, center=True, min_periods=7).median() * 1.4826
        ok = (local_mad > 0).to_numpy()
        center = np.where(ok, local_med.to_numpy(), center)
        scales = np.where(ok, local_mad.to_numpy(), scales)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scales > 0, (r - center) / np.where(scales > 0, scales, 1.0), 0.0)
    return z


#: above this share of days without a paid order the daily series is too sparse for a daily anomaly monitor
MAX_ZERO_SHARE = 0.2


def anomaly_note(n_days: int, period: int = 7, zero_days: int = 0) -> str | None:
    """One Chinese sentence when a series of ``n_days`` days is too short for STL with this period, or too sparse
    (more than :data:`MAX_ZERO_SHARE` of its days without a paid order: one member's purchases, a tiny export —
    every purchase day would stand out), else None."""
    need = MIN_PERIODS * period
    if n_days < need:
        return (f"日销售额只有 {n_days} 天，少于 STL 分解需要的 {need} 天（{MIN_PERIODS} 个 {period} 天周期），"
                "跳过异常检测。")
    if zero_days > MAX_ZERO_SHARE * n_days:
        return (f"{n_days} 天里有 {zero_days} 天没有已支付订单（超过 {MAX_ZERO_SHARE:.0%}），日销售额太稀疏，"
                "逐日的异常检测没有意义，跳过。")
    return None


def detect_anomalies(daily: pd.DataFrame, threshold: float = 3.5, period: int = 7,
                     festivals: pd.DataFrame | None = None, log: bool = True,
                     window: int | None = 57, seasonal: int = 35, trend: int = 29) -> pd.DataFrame:
    """STL (weekly ``period``, robust) of ``daily["sales"]`` (of log(1 + sales) when ``log``) and robust z-scores
    of its residual (median and MAD over a centred ``window`` of days; None: the whole series); ``seasonal`` and
    ``trend`` are STL's smoothing windows in days (odd; see the module docstring for the choice).

    ``daily``: :func:`daily_sales` (consecutive days). Returns it with ``trend``, ``seasonal``, ``resid``,
    ``z`` (robust z of the residual), ``festival`` (name or ""), ``outlier`` (|z| > threshold), ``anomaly``
    (an outlier on a non-festival day), ``expected`` (an outlier on a festival day) and ``direction``
    ("high" / "low" / ""). ValueError with :func:`anomaly_note`'s sentence when the series is too short."""
    from statsmodels.tsa.seasonal import STL

    if not (threshold > 0 and math.isfinite(threshold)):
        raise ValueError(f"threshold 应为正数，得到 {threshold}")
    note = anomaly_note(len(daily), period, int((daily["sales"] == 0).sum()))
    if note:
        raise ValueError(note)
    d = daily.reset_index(drop=True).copy()
    dates = pd.DatetimeIndex(d["date"])
    if len(dates) > 1 and not ((dates[1:] - dates[:-1]) == pd.Timedelta(days=1)).all():
        raise ValueError("daily 的日期必须逐日连续（缺的日子用 daily_sales 补 0）")
    values = d["sales"].to_numpy(float)
    if log:
        if (values < 0).any():
            raise ValueError("日销售额有负数，不能取对数；请先检查数据或用 log=False")
        values = stable(np.log1p(values))  # CPU-independent before the decisions below (docs/CONVENTIONS.md)
    y = pd.Series(values, index=pd.DatetimeIndex(dates, freq="D"))
    fit = STL(y, period=period, seasonal=seasonal, trend=trend, robust=True).fit()
    d["trend"] = fit.trend.to_numpy()
    d["seasonal"] = fit.seasonal.to_numpy()
    resid = fit.resid.to_numpy()
    tol = 1e-9 * max(1.0, float(np.abs(values).max()))  # rounding noise of the fit, not a residual (equal days)
    d["resid"] = np.where(np.abs(resid) < tol, 0.0, resid)
    d["z"] = robust_z(d["resid"], window)
    fest = festivals if festivals is not None else festival_days(dates[0], dates[-1])[0]
    names = fest.groupby("date")["festival"].first() if len(fest) else pd.Series(dtype=str)
    d["festival"] = pd.Series(names.reindex(dates).to_numpy(), index=d.index).fillna("").astype(str)
    d["outlier"] = d["z"].abs() > threshold
    d["anomaly"] = d["outlier"] & (d["festival"] == "")
    d["expected"] = d["outlier"] & (d["festival"] != "")
    d["direction"] = np.where(d["outlier"], np.where(d["z"] > 0, "high", "low"), "")
    return d
