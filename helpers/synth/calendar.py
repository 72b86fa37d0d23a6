"""Time in the synthetic world: the day grid, the Chinese retail demand calendar and its time warp.

Days run from ``start`` 00:00 to the end of ``as_of``; the demand multiplier w(d) (weekdays, 年货, 春节, 618,
国庆, 双11, 双12, summer) is normalised to mean 1 and integrated, W(t) = ∫w, so a Poisson process that is uniform
in W puts more purchases on peak days without changing counts over long windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.synth.config import LUNAR_NEW_YEAR, WEEKDAY_WEIGHT


@dataclass
class Calendar:
    """The day grid of the period with its demand weights and the time warp W(t)."""

    start: np.datetime64       # day
    as_of: np.datetime64       # day (last day included)
    n_days: int
    weights: np.ndarray        # demand multiplier per day, mean 1
    edges_w: np.ndarray        # W at day boundaries (n_days + 1)
    start_s: int               # epoch seconds of start 00:00 (naive local)

    @property
    def end(self) -> float:
        return float(self.n_days)

    def day_of(self, date: str) -> float:
        return float((np.datetime64(date, "s") - self.start.astype("datetime64[s]")).astype(np.int64)) / 86400.0

    def warp(self, t: np.ndarray) -> np.ndarray:
        return np.interp(t, np.arange(self.n_days + 1, dtype=float), self.edges_w)

    def unwarp(self, w: np.ndarray) -> np.ndarray:
        return np.interp(w, self.edges_w, np.arange(self.n_days + 1, dtype=float))

    def weekday(self, day: np.ndarray) -> np.ndarray:
        base = int((self.start.astype("datetime64[D]").astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday
        return (np.asarray(day, dtype=np.int64) + base) % 7


def demand_weights(start: str, as_of: str) -> np.ndarray:
    """Daily demand multiplier: weekday pattern × Chinese retail calendar, normalised to mean 1 over the period."""
    days = np.arange(np.datetime64(start, "D"), np.datetime64(as_of, "D") + 1)
    n = len(days)
    w = np.ones(n)
    dow = (days.astype(np.int64) + 3) % 7
    w *= np.asarray(WEEKDAY_WEIGHT)[dow]
    years = days.astype("datetime64[Y]").astype(int) + 1970
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    dom = (days - days.astype("datetime64[M]")).astype(int) + 1
    w *= np.where((month == 7) | (month == 8), 0.95, 1.0)
    w *= np.where((month == 10) & (dom <= 7), 1.2, 1.0)                   # 国庆
    w *= np.where((month == 6) & (dom < 18), 1.25, 1.0)                   # 618 warm-up
    w *= np.where((month == 6) & (dom == 18), 2.2, 1.0)                   # 618
    w *= np.where(((month == 10) & (dom == 31)) | ((month == 11) & (dom < 11)), 1.3, 1.0)
    w *= np.where((month == 11) & (dom == 11), 3.0, 1.0)                  # 双11
    w *= np.where((month == 12) & (dom == 12), 1.8, 1.0)                  # 双12
    for y in range(int(years.min()) - 1, int(years.max()) + 2):
        if y not in LUNAR_NEW_YEAR:
            continue
        d = (days - np.datetime64(LUNAR_NEW_YEAR[y], "D")).astype(int)
        w *= np.where((d >= -21) & (d <= -2), 1.0 + 0.6 * (d + 22) / 20.0, 1.0)  # 年货 run-up
        w *= np.where((d >= 0) & (d <= 6), 0.6, 1.0)                               # 春节 holiday
    return w / w.mean()


def make_calendar(start: str, as_of: str) -> Calendar:
    """The calendar from ``start`` to the end of ``as_of`` (W at day boundaries precomputed)."""
    w = demand_weights(start, as_of)
    edges = np.concatenate([[0.0], np.cumsum(w)])
    s = np.datetime64(start, "D")
    return Calendar(start=s, as_of=np.datetime64(as_of, "D"), n_days=len(w), weights=w, edges_w=edges,
                    start_s=int(s.astype("datetime64[s]").astype(np.int64)))


def sample_days(rng, weights: np.ndarray, n: int) -> np.ndarray:
    """``n`` day indices drawn with probability proportional to ``weights``."""
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(weights) - 1)


def draw_hours(rng, profile: np.ndarray, online: np.ndarray) -> np.ndarray:
    """Time of day (hours) by hour profile; stores open 08:30–22:00, online any time (evening heavy)."""
    n = len(profile)
    u = rng.random(n)
    lunch = rng.normal(12.4, 0.8, n)
    evening = rng.normal(19.8, 1.4, n)
    flat = rng.uniform(8.5, 22.0, n)
    afternoon = rng.normal(15.0, 2.5, n)
    h = np.where(profile == 0, np.where(u < 0.5, lunch, np.where(u < 0.8, evening, flat)),
                 np.where(profile == 1, np.where(u < 0.7, evening, flat),
                          np.where(u < 0.55, afternoon, np.where(u < 0.8, evening, flat))))
    late = rng.normal(22.5, 1.0, n)
    h = np.where(online & (rng.random(n) < 0.2), late, h)
    store_h = np.clip(h, 8.5, 21.99)
    online_h = np.mod(h, 24.0)
    return np.where(online, online_h, store_h)
