"""The world's loyalty programme at work (:mod:`helpers.synth.programme` states the rules): each member's tier month
by month, points earned by tier, redemptions, first-in-first-out expiry — run inside the basket loop, one order rank
at a time, because a redemption enlarges that order's basket and the next order's tier depends on this one's spend.

Why it is cheap. Orders are sorted by (member, time), so a member's points lots are a run of consecutive orders
and FIFO is a prefix: with ``cum[k]`` the member's points earned through order ``k`` and ``used`` the points already
gone (redeemed or expired), expiring every lot up to order ``d`` is ``used = max(used, cum[d])`` and the valid
balance is ``cum[previous order] − used``. Which earlier order is the last one due to expire (or about to) depends
only on order months, so it is looked up once per chunk. The tier advances lazily: before a member's order, the
months since the member's last step are applied with :func:`helpers.tiers.tier_step`, the rule code module 06 uses.

Random draws come from the ``loyalty`` stream only (one uniform per order), so the programme's choices do not shift
the other components' draws; its redemptions still change the baskets they enlarge (orders, order_items, events).
"""

from __future__ import annotations

import numpy as np

from helpers.synth.config import component_rng
from helpers.synth.programme import POINTS_RULES, tier_rules


def _month_index(seconds: np.ndarray, start_month: np.datetime64) -> np.ndarray:
    return (np.asarray(seconds, np.int64).astype("datetime64[s]").astype("datetime64[M]") - start_month).astype(np.int64)


class Loyalty:
    """The programme for one chunk of members: call :meth:`redeem` before an order rank's baskets are filled,
    :meth:`earn` after, and :meth:`finish` once at the end."""

    def __init__(self, seed: int, chunk: int, n_members: int, tl: dict, cal):
        from helpers.tiers import qualified_level, tier_step

        self._qualify, self._step = qualified_level, tier_step
        self.rng = component_rng(seed, "loyalty", chunk)
        self.rules = tier_rules()
        P = POINTS_RULES
        names = self.rules.names
        self.rate10 = np.array([round(P["earn_points_per_yuan_by_tier"][t] * 10) for t in names], np.int64)
        self.p_tier = np.array([P["redeem_probability_by_tier"][t] for t in names])
        self.min_bal = int(P["redeem_min_balance"])
        self.unit = int(P["redeem_unit_points"])
        self.share_div = int(round(100 / P["redeem_max_share_of_order"]))  # cents // 500 = whole 元 of 20 %
        self.expiry = int(P["points_expiry_months"])
        self.th_cents = np.round(np.asarray(self.rules.thresholds) * 100).astype(np.int64)
        self.window = int(self.rules.window_months)
        start_month = cal.start.astype("datetime64[M]")
        self.T = int((cal.as_of.astype("datetime64[M]") - start_month).astype(np.int64)) + 1
        # the last month that has ended by the end of the as-of day
        self.last_ended = int(((cal.as_of + 1).astype("datetime64[M]") - start_month).astype(np.int64)) - 1
        mem = np.asarray(tl["mem"], np.int64)
        n_o = len(mem)
        self.mem = mem
        self.mon = _month_index(tl["t_s"], start_month)
        first = np.r_[0, np.nonzero(np.diff(mem))[0] + 1] if n_o else np.zeros(0, np.int64)
        start = np.zeros(n_o, np.int64)
        if n_o:
            start[first] = first
            start = np.maximum.accumulate(start)
        self.prev = np.where(np.arange(n_o) > start, np.arange(n_o) - 1, -1)
        K = self.T + self.expiry + 4
        self._key = mem * K + self.mon  # non-decreasing: orders are sorted by (member, time)
        self._K, self._start = K, start
        E = self.expiry
        self.due = self._last_order(mem, self.mon - E - 1) if E else np.full(n_o, -1, np.int64)
        self.soon = self._last_order(mem, self.mon - E + 1) if E else np.full(n_o, -1, np.int64)
        self.cum = np.zeros(n_o, np.int64)
        self.tier_at = np.zeros(n_o, np.int8)
        M = n_members
        self.used = np.zeros(M, np.int64)
        self.earned = np.zeros(M, np.int64)
        self.redeemed = np.zeros(M, np.int64)
        self.expired = np.zeros(M, np.int64)
        self.spend = np.zeros((M, max(self.T, 1)), np.int64)  # paid net cents per month
        self.cur = np.zeros(M, np.int8)
        self.since = np.zeros(M, np.int64)
        self.review = np.full(M, np.iinfo(np.int64).max, np.int64)
        self.done = np.full(M, -1, np.int64)  # the last month end applied

    def _last_order(self, member: np.ndarray, month: np.ndarray) -> np.ndarray:
        """Index of ``member``'s last order in a month ≤ ``month`` (−1 if none)."""
        idx = np.searchsorted(self._key, member * self._K + np.maximum(month, -1), side="right") - 1
        first = np.searchsorted(self._key, member * self._K - 1, side="right")
        return np.where((idx >= first) & (month >= 0), idx, -1)

    def _cum_at(self, idx: np.ndarray) -> np.ndarray:
        return np.where(idx >= 0, self.cum[np.maximum(idx, 0)], 0) if len(self.cum) else np.zeros(len(idx), np.int64)

    def _advance(self, m: np.ndarray, target: np.ndarray) -> None:
        """Apply the month ends after each member's last step up to ``target`` (members of ``m`` are distinct)."""
        lag = np.arange(self.window)[None, :]
        while True:
            need = self.done[m] < target
            if not need.any():
                return
            mm = m[need]
            u = self.done[mm] + 1
            cols = u[:, None] - lag
            roll = np.where(cols >= 0, self.spend[mm[:, None], np.maximum(cols, 0)], 0).sum(axis=1)
            cur, since, review = self.cur[mm], self.since[mm], self.review[mm]
            self._step(cur, since, review, self._qualify(self.th_cents, roll), u, self.rules)
            self.cur[mm], self.since[mm], self.review[mm] = cur, since, review
            self.done[mm] = u

    def _expire(self, m: np.ndarray, due: np.ndarray) -> None:
        new = np.maximum(self.used[m], self._cum_at(due))
        self.expired[m] += new - self.used[m]
        self.used[m] = new

    def redeem(self, S: np.ndarray, z_cents: np.ndarray, refunded: np.ndarray) -> np.ndarray:
        """Points redeemed at orders ``S`` (one per member, in time order per member): expire what is due, look at
        the valid balance, the tier held and the points about to expire, draw."""
        m = self.mem[S]
        self._advance(m, self.mon[S] - 1)
        tier = self.cur[m]
        self.tier_at[S] = tier
        self._expire(m, self.due[S])
        bal = self._cum_at(self.prev[S]) - self.used[m]
        soon = self._cum_at(self.soon[S]) - self.used[m]
        P = POINTS_RULES
        p = np.minimum(P["redeem_probability_max"],
                       self.p_tier[tier] * np.sqrt(np.maximum(bal, 0) / self.min_bal))
        p = np.where(soon >= self.unit, np.maximum(p, P["redeem_expiry_pressure_probability"]), p)
        u = self.rng.random(len(S))
        go = (bal >= self.min_bal) & ~refunded & (u < p)
        red = np.where(go, np.minimum(bal // self.unit, z_cents // self.share_div) * self.unit, 0).astype(np.int64)
        self.used[m] += red
        self.redeemed[m] += red
        return red

    def earn(self, S: np.ndarray, net_cents: np.ndarray, refunded: np.ndarray) -> np.ndarray:
        """Points earned at orders ``S`` after their baskets: ⌊net × the rate of the tier held⌋, none when refunded."""
        m = self.mem[S]
        e = np.where(refunded, 0, net_cents * self.rate10[self.tier_at[S]] // 1000).astype(np.int64)
        self.cum[S] = self._cum_at(self.prev[S]) + e
        self.earned[m] += e
        np.add.at(self.spend, (m, self.mon[S]), np.where(refunded, 0, net_cents))
        return e

    def finish(self) -> dict:
        """Expire what is due by the end of the as-of day and step every tier to the as-of month; per member:
        tier level, earned, redeemed, expired, balance."""
        M = len(self.used)
        members = np.arange(M)
        self._advance(members, np.full(M, self.T - 1))
        if self.expiry:
            last = self._last_order(members, np.full(M, self.last_ended - self.expiry))
            self._expire(members, last)
        bal = self.earned - self.redeemed - self.expired
        if (bal < 0).any():
            raise AssertionError("negative points balance in the generator")  # a bug, never data
        return {"tier": self.cur.copy(), "earned": self.earned, "redeemed": self.redeemed, "expired": self.expired,
                "balance": bal}
