"""Experiments in the world: a multi-arm campaign with heterogeneous true effects, and a programme launched in some
cities only (the material of module 08's A/B tests, uplift models and difference-in-differences).

Why here and not in ``campaigns``: the single-arm campaigns are randomised 80 / 20 with one offer; a multi-arm test
randomises members equally to a control and several offers, each with its *own* effect on each member, and the
truth must record every member's effect under every arm (what the offer would have done), so that an uplift model
can be checked member by member. The city programme is not randomised at all: it changes the purchase rate of every
member living in the chosen cities from the launch day on, which is what difference-in-differences must recover.

* **Multi-arm campaign** (:data:`MULTI_ARM`): an SMS test with a control and two offers.  Each treated member's
  ``true_uplift`` under an arm is the chance that the offer produces one extra (incremental) order inside the
  window; the coupon works on light, brand-switching, recently active members, double points on heavy loyal ones.
  Treated members who open the message also use the coupon arm's coupon on organic orders (as in ``campaigns``),
  so redemptions overstate the effect.
* **City programme** (:data:`PROGRAMME`): 会员日 with double points launched on ``launch`` in the listed cities.
  While a member of those cities is in an active spell after the launch, extra orders arrive as a Poisson process
  at rate ``rate_lift`` × λ in operational time (same seasonality as organic orders), so the programme raises orders
  per member by about ``rate_lift`` among active members and by less per registered member (lapsed members are not
  reached). The extra orders are written to ``truth/programme_orders`` (member, time) so any window's true effect
  can be counted exactly.
"""

# typography: ignore-file — the Chinese strings here are synthetic data (offer and programme names), not prose.

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.synth.calendar import Calendar, draw_hours
from helpers.synth.config import CITY_NAMES


@dataclass(frozen=True)
class Arm:
    """One treatment arm of a multi-arm campaign: its label in ``campaign_contacts.arm`` and its base effect."""

    label: str
    offer: str
    base_uplift: float
    uses_coupon: bool


@dataclass(frozen=True)
class MultiArm:
    """A multi-arm test: the campaign (in ``config.CAMPAIGNS``) and its arms; allocation is equal (control too)."""

    campaign_id: str
    arms: tuple[Arm, ...]
    min_tenure_days: float = 60.0
    max_recency_days: float = 365.0


MULTI_ARM = MultiArm("C2503", (Arm("coupon_20", "满99减20券", 0.12, True), Arm("double_points", "双倍积分", 0.08, False)))
#: every label of ``campaign_contacts.arm`` the generator writes (code 0 treatment, 1 control, then the offers)
ARM_LABELS = ("treatment", "control", *tuple(a.label for a in MULTI_ARM.arms))


@dataclass(frozen=True)
class Programme:
    """A programme launched in some cities only (not randomised): the material for difference-in-differences."""

    programme_id: str
    name: str
    launch: str
    cities: tuple[str, ...]
    rate_lift: float


PROGRAMME = Programme("P2504", "会员日双倍积分", "2025-04-01",
                      ("广州", "深圳", "佛山", "东莞", "珠海", "中山", "惠州", "江门"), 0.25)
PROGRAMME_CITY_CODES = np.array([CITY_NAMES.index(c) for c in PROGRAMME.cities])


def arm_uplifts(mb: dict, idx: np.ndarray, recency: np.ndarray, alive_send: np.ndarray) -> np.ndarray:
    """True uplift of members ``idx`` (global indices) under every arm of :data:`MULTI_ARM`: shape (n, arms)."""
    heavy, loyal = mb["heavy"][idx], mb["loyal"][idx]
    recent = np.select([recency < 60, recency < 180], [1.3, 1.0], 0.6)
    alive = np.where(alive_send, 1.0, 0.3)
    coupon = np.where(heavy, 0.6, 1.3) * np.where(loyal, 0.7, 1.3) * recent * alive
    points = np.where(heavy, 1.5, 0.7) * np.where(loyal, 1.4, 0.8) * recent * alive
    f = np.stack([coupon, points], axis=1)
    base = np.array([a.base_uplift for a in MULTI_ARM.arms])
    return np.clip(base * f, 0.0, 0.6)


def multi_arm_assign(crng, idx: np.ndarray, mb: dict, m0: int, recency: np.ndarray, alive_send: np.ndarray):
    """Equal randomisation to control and the arms; returns ``(arm_code, treat, uplift_own, uplift_all)``.

    ``arm_code`` indexes :data:`ARM_LABELS` (1 control, 2 … the offers); ``uplift_own`` is each member's effect
    under the arm drawn (under the first offer for control members, unused) and ``uplift_all`` the (n, arms) matrix.
    """
    k = len(MULTI_ARM.arms)
    draw = np.minimum(np.floor(crng.random(len(idx)) * (k + 1)).astype(np.int64), k)  # 0 control, 1..k offers
    up = arm_uplifts(mb, m0 + idx, recency, alive_send)
    own = up[np.arange(len(idx)), np.maximum(draw - 1, 0)]
    code = np.where(draw == 0, 1, draw + 1)
    return code, draw > 0, own, up


def multi_arm_eligible(mb: dict, sl: slice, first_t: np.ndarray, last: np.ndarray, send: float) -> np.ndarray:
    """SMS consent, first purchase ≥ ``min_tenure_days`` before the send, a purchase in the last year."""
    with np.errstate(invalid="ignore"):
        return (mb["sms"][sl] & (first_t < send - MULTI_ARM.min_tenure_days)
                & (send - last <= MULTI_ARM.max_recency_days))


def programme_orders(rng, cal: Calendar, mb: dict, m0: int, m1: int, spells: dict):
    """Extra orders the city programme causes for members ``m0 … m1 - 1``: ``(member, t)`` local indices, days.

    Each active spell's part after the launch gets Poisson(rate_lift · λ · ΔW) extra purchases, uniform in
    operational time W (so seasonality applies), time of day by the member's hour profile (store hours).
    """
    sl = slice(m0, m1)
    launch = cal.day_of(PROGRAMME.launch)
    if not (0 <= launch < cal.end):
        return np.zeros(0, np.int64), np.zeros(0)
    inside = np.isin(mb["city"][sl], PROGRAMME_CITY_CODES)
    lam = mb["lam"][sl]
    mems, ts = [], []
    for a, b in ((spells["first_t"], spells["end1"]), (spells["back_t"], spells["end2"])):
        lo = np.fmax(a, launch)
        hi = np.where(np.isnan(b), cal.end, np.fmin(b, cal.end))
        ok = inside & ~np.isnan(a) & (hi > lo)
        m = np.nonzero(ok)[0]
        w0, w1 = cal.warp(lo[m]), cal.warp(hi[m])
        n = rng.poisson(PROGRAMME.rate_lift * lam[m] * (w1 - w0))
        own = np.repeat(np.arange(len(m)), n)
        u = rng.random(len(own))
        day = np.floor(cal.unwarp(w0[own] + u * (w1 - w0)[own]))
        hours = draw_hours(rng, mb["profile"][sl][m[own]], np.zeros(len(own), bool))
        t = np.clip(day + hours / 24.0, lo[m[own]], np.minimum(hi[m[own]], cal.end - 1.0 / 86400))
        mems.append(m[own])
        ts.append(t)
    return np.concatenate(mems), np.concatenate(ts)


def programme_truth() -> dict:
    """The programme's description for ``truth/params.json``."""
    return {"programme_id": PROGRAMME.programme_id, "name": PROGRAMME.name, "launch": PROGRAMME.launch,
            "cities": list(PROGRAMME.cities), "rate_lift": PROGRAMME.rate_lift,
            "effect": "extra orders at rate_lift × λ while in an active spell after the launch "
                      "(truth/programme_orders lists them)"}


def multi_arm_truth() -> dict:
    """The multi-arm test's description for ``truth/params.json``."""
    return {"campaign_id": MULTI_ARM.campaign_id, "allocation": "equal (control and each arm)",
            "arms": [{"label": a.label, "offer": a.offer, "base_uplift": a.base_uplift} for a in MULTI_ARM.arms]}


__all__ = ["ARM_LABELS", "MULTI_ARM", "PROGRAMME", "arm_uplifts", "multi_arm_assign", "multi_arm_eligible",
           "programme_orders", "programme_truth", "multi_arm_truth"]
