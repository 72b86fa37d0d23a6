"""Active spells: the part of the world that is *not* BG/NBD.

A member is active from the first purchase until the spell ends, either because the lifetime ends (exponential
from joining, hazard μ — a member can lapse at any time, also before any repeat purchase) or because the member
drops out right after a repeat purchase (probability p each time — the BG/NBD mechanism). A lapsed member may come
back once (win-back) with a comeback order that starts a second spell, which ends the same two ways.
"""

from __future__ import annotations

import numpy as np

from helpers.synth.calendar import Calendar


def spell(rng, cal: Calendar, t0, life_end, lam, pdrop):
    """Repeat purchases of one active spell per row, in continuous days.

    The spell starts with a purchase at ``t0`` (first order or comeback order); repeat purchases are a Poisson(λ)
    process in operational time up to the lifetime's end (or the end of ``as_of``); after each repeat purchase the
    member drops out with probability p, so with K ~ Geometric(p) only the first min(N, K) are kept.
    Returns ``(row, time, lapse, cause, repeats)``: the kept events' row and time, each row's lapse time (the K-th
    purchase, or the lifetime's end; NaN when the spell lasts past ``as_of``), cause (0 none, 1 dropout after a
    purchase, 2 lifetime over) and number of repeat purchases kept.
    """
    n = len(t0)
    w0 = cal.warp(t0)
    stop = np.minimum(life_end, cal.end)
    span = np.maximum(cal.warp(stop) - w0, 0.0)
    N = rng.poisson(lam * span)
    K = rng.geometric(pdrop)
    owner = np.repeat(np.arange(n), N)
    u = rng.random(len(owner))
    u = u[np.argsort(owner + u, kind="stable")]
    rank = np.arange(len(owner)) - (np.cumsum(N) - N)[owner]
    keep = rank < K[owner]
    owner, u = owner[keep], u[keep]
    t = cal.unwarp(w0[owner] + u * span[owner])
    dropped = K <= N
    last = np.full(n, np.nan)
    np.fmax.at(last, owner, t)
    cause = np.where(dropped, 1, np.where(life_end < cal.end, 2, 0)).astype(np.int8)
    lapse = np.where(cause == 1, last, np.where(cause == 2, life_end, np.nan))
    return owner, t, lapse, cause, np.minimum(N, K)


def alive_at(t, start1, end1, start2, end2) -> np.ndarray:
    """Whether members are in an active spell at time ``t`` (NaN end: still active at the end of the period)."""
    with np.errstate(invalid="ignore"):
        in1 = (start1 <= t) & ~(end1 <= t)
        in2 = (start2 <= t) & ~(end2 <= t)
    return in1 | in2
