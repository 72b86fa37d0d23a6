"""When members buy: first purchase, active spells (lifetime, post-purchase dropout, win-back), days and hours,
then channel, payment, store, refunds and the per-order spend draw; campaign orders are added on top.

One chunk of members at a time, with the chunk's own random stream, so the result does not depend on the number
of members processed before.
"""

from __future__ import annotations

import numpy as np

from helpers.synth.calendar import Calendar, draw_hours
from helpers.synth.campaigns import run_campaigns
from helpers.synth.catalogue import Stores
from helpers.synth.config import (
    MIN_ORDER_CENTS,
    POPULATION,
    PREF_PAYMENT,
    REFUND_RATE,
    WINBACK_MEAN_DAYS,
    WINBACK_MIN_DAYS,
    WINBACK_PROB,
    component_rng,
)
from helpers.synth.spells import spell
from helpers.synth.trials import programme_orders


def timeline(seed: int, chunk: int, m0: int, m1: int, mb: dict, cal: Calendar, stores: Stores) -> dict:
    """Orders of members ``m0 … m1 - 1``: spells, times, channel, payment, store, refunds, spend, campaigns."""
    rng = component_rng(seed, "timeline", chunk)
    P = POPULATION
    M = m1 - m0
    sl = slice(m0, m1)
    lam, pdrop, nu, first_t = mb["lam"][sl], mb["pdrop"][sl], mb["nu"][sl], mb["first_t"][sl]
    mu, life_end = mb["mu"][sl], mb["life_end"][sl]
    buyers = np.nonzero(~np.isnan(first_t))[0]
    # spell 1: from the first purchase until the lifetime ends or the member drops out after a repeat purchase
    t0 = first_t[buyers]
    own1, raw1, lapse1, cause1, reps1 = spell(rng, cal, t0, life_end[buyers], lam[buyers], pdrop[buyers])
    # win-back: a lapsed member may come back once, with a comeback order, and start a new spell
    lapsed = ~np.isnan(lapse1)
    back = lapse1 + WINBACK_MIN_DAYS + rng.exponential(WINBACK_MEAN_DAYS, len(buyers))
    won = lapsed & (rng.random(len(buyers)) < WINBACK_PROB) & (back < cal.end - 1.0)
    wb = np.nonzero(won)[0]
    life2 = back[wb] + rng.exponential(1.0, len(wb)) / mu[buyers[wb]]
    own2, raw2, lapse2, cause2, _ = spell(rng, cal, back[wb], life2, lam[buyers[wb]], pdrop[buyers[wb]])
    rep_member = np.concatenate([buyers[own1], buyers[wb], buyers[wb[own2]]])
    spell_no = np.concatenate([np.ones(len(own1), np.int8), np.full(len(wb) + len(own2), 2, np.int8)])
    day = np.floor(np.concatenate([raw1, back[wb], raw2])).clip(0, cal.n_days - 1)
    # profile-specific days: weekend people move weekday purchases to the weekend
    prof = mb["profile"][sl]
    wd = cal.weekday(day)
    move = (prof[rep_member] == 2) & (wd < 5) & (rng.random(len(day)) < 0.6)
    shift = (5 - wd) + (rng.random(len(day)) < 0.5)
    day = np.where(move & (day + shift < cal.n_days), day + shift, day)

    # first orders + repeats (the comeback order is the first of spell 2)
    mem = np.concatenate([buyers, rep_member])
    is_first = np.concatenate([np.ones(len(buyers), bool), np.zeros(len(rep_member), bool)])
    spell_no = np.concatenate([np.ones(len(buyers), np.int8), spell_no])
    n_o = len(mem)
    pref_ch = mb["pref_channel"][sl][mem]
    other = rng.choice(3, size=n_o, p=[0.4, 0.3, 0.3])
    channel = np.where(rng.random(n_o) < 0.7, pref_ch, other)
    channel = np.where(is_first & (mb["src"][sl][mem] == 0), 0, channel)
    hours = draw_hours(rng, prof[mem], channel != 0)
    t = np.concatenate([t0, day + hours[len(buyers):] / 24.0])
    ft = first_t[mem]
    early = (~is_first) & (t <= ft)
    t = np.where(early, np.minimum(ft + rng.uniform(0.02, 0.2, n_o), cal.end - 1e-4), t)
    t = np.minimum(t, cal.end - 1.0 / 86400)
    # when each spell really ended: its last purchase (dropout after a purchase), or the lifetime's end if that
    # is later than every purchase of the spell (days and hours were re-drawn above)
    last1 = np.full(M, -np.inf)
    np.fmax.at(last1, mem[spell_no == 1], t[spell_no == 1])
    last2 = np.full(M, -np.inf)
    np.fmax.at(last2, mem[spell_no == 2], t[spell_no == 2])
    end1 = np.full(M, np.nan)     # NaN: the spell had not ended by the end of as_of
    end1[buyers] = np.where(cause1 == 1, last1[buyers], np.where(cause1 == 2, np.fmax(lapse1, last1[buyers]), np.nan))
    never = np.isnan(first_t) & (life_end < cal.end)  # lifetime over before the first purchase (or no purchase)
    end1[never] = life_end[never]
    end2 = np.full(M, np.nan)
    end2[buyers[wb]] = np.where(cause2 == 1, last2[buyers[wb]],
                                np.where(cause2 == 2, np.fmax(lapse2, last2[buyers[wb]]), np.nan))
    back_t = np.full(M, np.nan)   # when the member came back (drives spell 2: campaigns, browsing)
    back_t[buyers[wb]] = back[wb]
    comeback_t = np.full(M, np.nan)   # the first order of spell 2 (days and hours were re-drawn above)
    np.fmin.at(comeback_t, mem[spell_no == 2], t[spell_no == 2])
    cause_m = np.zeros(M, np.int8)
    cause_m[buyers] = cause1
    cause_m[never] = 2
    reps_m = np.zeros(M, np.int64)
    reps_m[buyers] = reps1
    dropout_t = np.where(np.isnan(back_t), end1, end2)   # the last lapse; NaN while alive
    alive_m = np.isnan(dropout_t)
    z = rng.gamma(P["p"], 1.0, n_o) / nu[mem]
    coupon = np.full(n_o, -1, dtype=np.int64)   # campaign index

    # campaigns: contacts, coupon use on organic orders, incremental orders (appended)
    spells = dict(first_t=first_t, end1=end1, back_t=back_t,
                comeback_t=comeback_t, end2=end2)
    # the city programme's extra orders (trials.py), appended before the campaigns see the history
    p_mem, p_t = programme_orders(component_rng(seed, "programme", chunk), cal, mb, m0, m1, spells)
    n_p = len(p_mem)
    mem, t = np.concatenate([mem, p_mem]), np.concatenate([t, p_t])
    z = np.concatenate([z, rng.gamma(P["p"], 1.0, n_p) / nu[p_mem]])
    channel = np.concatenate([channel, np.zeros(n_p, channel.dtype)])
    coupon = np.concatenate([coupon, np.full(n_p, -1, np.int64)])
    is_first = np.concatenate([is_first, np.zeros(n_p, bool)])
    mem, t, z, channel, coupon, is_first, contacts = run_campaigns(seed, chunk, m0, m1, mb, cal, spells, mem, t, z,
                                                                   channel, coupon, is_first)
    n_o = len(mem)
    z_c = np.maximum(np.round(z * 100), MIN_ORDER_CENTS).astype(np.int64)
    # payment
    pp = mb["pref_pay"][sl][mem]
    pay = np.where(rng.random(n_o) < 0.8, pp, rng.choice(5, size=n_o, p=PREF_PAYMENT))
    pay = np.where((channel != 0) & (pay == 3), 0, pay)
    # store
    home = mb["home"][sl][mem]
    n_phys = stores.n_physical
    phys_sorted = np.argsort(stores.open_day[:n_phys], kind="stable")
    open_sorted = stores.open_day[:n_phys][phys_sorted]
    n_open = np.searchsorted(open_sorted, t, side="right")
    rnd_store = phys_sorted[np.minimum(np.floor(rng.random(n_o) * np.maximum(n_open, 1)).astype(np.int64), n_phys - 1)]
    use_home = (home >= 0) & (rng.random(n_o) < 0.85)
    store = np.where(channel == 0, np.where(use_home, home, rnd_store),
                     np.where(channel == 1, n_phys, n_phys + 1))
    refunded = rng.random(n_o) < REFUND_RATE
    t_s = cal.start_s + np.floor(t * 86400).astype(np.int64)
    order = np.lexsort((t_s, mem))
    ft_s = np.where(np.isnan(first_t), 0, cal.start_s + np.floor(np.nan_to_num(first_t) * 86400)).astype(np.int64)
    dropout_s = np.where(np.isnan(dropout_t), 0, cal.start_s + np.floor(np.nan_to_num(dropout_t) * 86400)).astype(np.int64)
    return dict(mem=mem[order], t=t[order], t_s=t_s[order], z_c=z_c[order], channel=channel[order], pay=pay[order],
                store=store[order], refunded=refunded[order], coupon=coupon[order], is_first=is_first[order],
                alive=alive_m, dropout_s=dropout_s, dropout_t=dropout_t, first_s=ft_s, end1=end1, back_t=back_t,
                comeback_t=comeback_t,
                end2=end2, cause=cause_m, reps=reps_m,
                contacts=contacts, programme=dict(mem=p_mem, t_s=cal.start_s + np.floor(p_t * 86400).astype(np.int64)))
