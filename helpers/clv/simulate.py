"""The BG/NBD story as a simulator, and how long members stay under a fitted Beta(a, b).

:func:`simulate_bgnbd` draws purchase histories from the model's own world (tests of parameter recovery, the
benchmarks and module 04's story picture); :func:`dropout_purchases_quantile` says how many repeat purchases a
member makes before dropping out — a quantile, because the mean is infinite when a ≤ 1.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special


def simulate_bgnbd(T, r: float, alpha: float, a: float, b: float, rng: np.random.Generator, *,
                   return_times: bool = False):
    """Draw purchase histories from the BG/NBD story, vectorised over members.

    Each member has λ ~ Gamma(r, rate α) and p ~ Beta(a, b); the first purchase is at time 0, repeat purchases
    follow a Poisson(λ) process while alive, and after each repeat purchase the member drops out with
    probability p. ``T`` (array) is each member's observation length in the time unit of α.
    Returns ``(x, t_x, alive)``: repeat purchases, time of the last purchase, and whether the member is still
    alive at T. With ``return_times=True`` a fourth item, a DataFrame (one row per member) with ``lam``, ``p``,
    ``purchase_times`` (array: 0 for the first purchase, then every repeat purchase up to T) and
    ``dropout_time`` (the purchase after which the member left, NaN if still alive at T) — the "god's view" of
    module 04's story picture. The random draws are the same either way.
    Used by the tests, the benchmarks and module 04's simulation picture.
    """
    T = np.asarray(T, dtype=float)
    n = len(T)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n, np.int64)
    t_x = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, bool)
    active = np.arange(n)
    events: list[tuple[np.ndarray, np.ndarray]] = []
    while active.size:
        t[active] += rng.exponential(1 / lam[active])
        buy = active[t[active] < T[active]]
        x[buy] += 1
        t_x[buy] = t[buy]
        if return_times:
            events.append((buy, t[buy].copy()))
        died = rng.random(buy.size) < p[buy]
        alive[buy[died]] = False
        active = buy[~died]
    if not return_times:
        return x, t_x, alive
    who = np.concatenate([e[0] for e in events]) if events else np.zeros(0, np.int64)
    when = np.concatenate([e[1] for e in events]) if events else np.zeros(0)
    order = np.lexsort((when, who))
    who, when = who[order], when[order]
    bounds = np.searchsorted(who, np.arange(n + 1))
    times = [np.r_[0.0, when[bounds[i]:bounds[i + 1]]] for i in range(n)]
    details = pd.DataFrame({"lam": lam, "p": p, "purchase_times": times,
                            "dropout_time": np.where(alive, np.nan, t_x)})
    return x, t_x, alive, details


#: largest answer :func:`dropout_purchases_quantile` returns (beyond it: ValueError)
DROPOUT_QUANTILE_MAX = 10**9


def dropout_purchases_quantile(a: float, b: float, q: float = 0.5) -> int:
    """Quantile ``q`` (across members) of the number of repeat purchases a member makes before dropping out, if
    there were no end of observation: N = n with probability E[p (1-p)^(n-1)], p ~ Beta(a, b), so
    P(N > n) = B(a, b+n) / B(a, b). Returns the smallest n with P(N ≤ n) ≥ q.

    Why a quantile: 1 / E[p] = (a+b)/a is *not* the mean number of purchases; the mean E[1/p] = (a+b-1)/(a-1) is
    infinite when a ≤ 1 (some members have p so close to 0 that they practically never leave).

    Raises ``ValueError`` when the quantile exceeds :data:`DROPOUT_QUANTILE_MAX` (10⁹) repeat purchases — e.g.
    a = 0.05, b = 0.5, q = 0.99, where P(N > n) falls roughly like n^(−a): such a number means "practically never
    drops out", not a count to report."""
    if not 0 < q < 1:
        raise ValueError("q must be in (0, 1)")
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"a and b must be positive and finite, got a={a!r}, b={b!r}")
    lb0 = special.betaln(a, b)
    target = math.log1p(-q)  # log P(N > n) must fall to log(1 - q)
    if special.betaln(a, b + DROPOUT_QUANTILE_MAX) - lb0 > target:
        raise ValueError(f"the {q:g} quantile of repeat purchases before dropout exceeds {DROPOUT_QUANTILE_MAX:,} "
                         f"for Beta(a={a:.4g}, b={b:.4g}): with such a small a that share of members practically "
                         "never drops out; describe it with a lower quantile")
    lo, hi = 0, 1
    while special.betaln(a, b + hi) - lb0 > target:  # ends by hi ≤ 2 · DROPOUT_QUANTILE_MAX (checked above)
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # P(N > n) decreases in n: bisection on integers
        mid = (lo + hi) // 2
        if special.betaln(a, b + mid) - lb0 > target:
            lo = mid
        else:
            hi = mid
    return int(hi)
