"""Campaigns: eligibility, 80 / 20 randomisation, true (heterogeneous) uplift, opens, coupon use, incremental orders.

The true effect of a campaign on a member is the chance that being treated produces one extra order in the window;
it depends on spend level, loyalty, recency and whether the member is really still in an active spell at the send
(``truth/campaign_effects``). Openers also use the coupon on orders they would have placed anyway, so redemptions
overstate the effect — the treatment − control difference is the honest estimate.
"""

from __future__ import annotations

import numpy as np

from helpers.synth.calendar import Calendar
from helpers.synth.config import CAMPAIGNS, POPULATION, TREATMENT_SHARE, Campaign, component_rng
from helpers.synth.spells import alive_at
from helpers.synth.trials import MULTI_ARM, multi_arm_assign, multi_arm_eligible


def _campaign_uplift(c: Campaign, mb: dict, idx: np.ndarray, recency: np.ndarray, alive_at_send: np.ndarray):
    heavy, loyal = mb["heavy"][idx], mb["loyal"][idx]
    if c.channel == "短信":
        f = np.where(heavy, 0.7, 1.3) * np.where(loyal, 0.8, 1.3)
        f *= np.select([recency < 120, recency < 240], [1.3, 1.0], 0.6)
        f *= np.where(alive_at_send, 1.0, 0.4)
    else:
        f = np.where(heavy, 1.4, 0.9) * np.where(loyal, 0.9, 1.2)
        f *= np.where(recency < 60, 1.3, 0.8)
        f *= np.where(alive_at_send, 1.0, 0.3)
    return np.clip(c.base_uplift * f, 0.0, 0.6)

def run_campaigns(seed: int, chunk: int, m0: int, m1: int, mb: dict, cal: Calendar, spells: dict, mem, t, z, channel,
                  coupon, is_first):
    """Every campaign of :data:`CAMPAIGNS` inside the period, for members ``m0 … m1 - 1``.

    ``mem``, ``t``, ``z``, ``channel``, ``coupon``, ``is_first`` are the chunk's organic orders (``coupon`` is
    updated in place where an opener uses the coupon); ``spells`` holds each member's ``first_t``, ``end1``,
    ``back_t``, ``end2`` (who is really alive at the send). Returns the orders with the incremental campaign
    orders appended, and per campaign the contacts (``None`` when the campaign lies outside the period).
    """
    P = POPULATION
    M = m1 - m0
    sl = slice(m0, m1)
    nu = mb["nu"][sl]
    first_t, end1, back_t, end2 = spells["first_t"], spells["end1"], spells["back_t"], spells["end2"]
    n_o = len(mem)
    crng = component_rng(seed, "campaigns", chunk)
    contacts = []
    ext_mem, ext_t, ext_z, ext_ch, ext_c = [], [], [], [], []
    online_any = np.zeros(M, bool)
    for ci, c in enumerate(CAMPAIGNS):
        send = cal.day_of(c.send)
        wend = cal.day_of(c.end) + 1.0
        if send >= cal.end or send < 0:
            contacts.append(None)
            continue
        last = np.full(M, -np.inf)
        before = t < send
        np.fmax.at(last, mem[before], t[before])
        multi = c.campaign_id == MULTI_ARM.campaign_id
        if multi:
            elig = multi_arm_eligible(mb, sl, first_t, last, send)
        elif c.channel == "短信":
            elig = mb["sms"][sl] & (first_t < send - 90) & (send - last >= 45)
        else:
            np.logical_or.at(online_any, mem[before & (channel != 0)], True)
            elig = ((mb["pref_channel"][sl] != 0) | online_any) & (first_t < send - 31)  # NaN first_t: never eligible
        idx = np.nonzero(elig)[0]
        recency = send - last[idx]
        alive_send = alive_at(send, first_t[idx], end1[idx], back_t[idx], end2[idx])
        if multi:  # equal allocation to control and the offers, each offer with its own effect (trials.py)
            arm, treat, upl, upl_all = multi_arm_assign(crng, idx, mb, m0, recency, alive_send)
            coupon_arm = np.isin(arm, [2 + i for i, a in enumerate(MULTI_ARM.arms) if a.uses_coupon])
        else:
            treat = crng.random(len(idx)) < TREATMENT_SHARE
            arm, upl_all = np.where(treat, 0, 1), None
            upl = _campaign_uplift(c, mb, m0 + idx, recency, alive_send)
            coupon_arm = treat
        inc = treat & (crng.random(len(idx)) < upl)
        opened = treat & (inc | (crng.random(len(idx)) < c.open_rate))
        # organic orders of openers in the window use the coupon (60 %) when the threshold is met
        in_win = (t >= send) & (t < wend)
        opener = np.zeros(M, bool)
        opener[idx[opened & coupon_arm]] = True
        use = in_win & opener[mem] & (coupon < 0) & (crng.random(n_o) < 0.6) & (z * 100 + c.face_cents >= c.threshold_cents)
        coupon[use] = ci
        used_m = np.zeros(M, bool)
        used_m[mem[use]] = True
        redeemed = (inc & coupon_arm) | used_m[idx]
        # incremental orders
        k = int(inc.sum())
        im = idx[inc]
        et = send + np.minimum(crng.exponential(2.5, k), wend - send - 0.01)
        ez = crng.gamma(P["p"], 1.0, k) / nu[im]
        if c.threshold_cents:
            ez = np.where(coupon_arm[inc], np.maximum(ez, (c.threshold_cents - c.face_cents) / 100.0
                                                      + crng.uniform(0, 60, k)), ez)
        pc = mb["pref_channel"][sl][im]
        if c.channel == "短信":
            ech = np.where(crng.random(k) < 0.7, pc, crng.choice(3, size=k, p=[0.4, 0.3, 0.3]))
        else:
            ech = np.where(pc == 0, 2, pc)
        ext_mem.append(im)
        et = np.minimum(et, cal.end - 1.0 / 86400)
        ext_t.append(et)
        ext_z.append(ez)
        ext_ch.append(ech)
        ext_c.append(np.where(coupon_arm[inc], ci, -1))
        sent_t = send + crng.uniform(0, 30, len(idx)) / 1440.0
        contacts.append(dict(member=idx, treat=treat, sent_t=sent_t, opened=opened, redeemed=redeemed & treat,
                             uplift=upl, arm=arm, uplift_all=upl_all, inc_member=im, inc_t=et))
    if ext_mem:
        em = np.concatenate(ext_mem)
        mem = np.concatenate([mem, em])
        t = np.concatenate([t, np.concatenate(ext_t)])
        z = np.concatenate([z, np.concatenate(ext_z)])
        channel = np.concatenate([channel, np.concatenate(ext_ch)])
        coupon = np.concatenate([coupon, np.concatenate(ext_c)])
        is_first = np.concatenate([is_first, np.zeros(len(em), bool)])
    return mem, t, z, channel, coupon, is_first, contacts
