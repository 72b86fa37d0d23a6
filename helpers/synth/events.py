"""Browsing events of the mall and mini-program, kept for the last ``EVENT_WINDOW_DAYS`` days (tracking retention).

Every online order has a session before it; online-active members also browse without buying while a spell is
active and up to 20 days after it ended.
"""

from __future__ import annotations

import numpy as np

from helpers.synth.calendar import Calendar, draw_hours
from helpers.synth.catalogue import Catalogue
from helpers.synth.config import EVENT_WINDOW_DAYS, component_rng


def events(seed: int, chunk: int, m0: int, m1: int, mb: dict, tl: dict, bk: dict, cat: Catalogue,
            cal: Calendar) -> dict:
    """Browsing events of one chunk's members (sessions before online orders and browsing without buying)."""
    rng = component_rng(seed, "events", chunk)
    M = m1 - m0
    sl = slice(m0, m1)
    w0 = max(0.0, cal.end - EVENT_WINDOW_DAYS)
    n_prod = len(cat.product_id)
    # purchase sessions: online orders in the window
    po = np.nonzero((tl["channel"] != 0) & (tl["t"] >= w0))[0]
    first_line = np.full(len(tl["mem"]), -1, np.int64)
    if len(bk["l_order"]):
        fl = bk["l_line"] == 1
        first_line[bk["l_order"][fl]] = bk["l_pid"][fl]
    p_mem, p_end, p_ch, p_pid = tl["mem"][po], tl["t"][po], tl["channel"][po], first_line[po]
    p_start = p_end - rng.uniform(3, 60, len(po)) / 1440.0
    # browse sessions for online-active members while alive
    online_any = np.zeros(M, bool)
    online_any[tl["mem"][tl["channel"] != 0]] = True
    active = ((mb["pref_channel"][sl] != 0) | online_any) & ~np.isnan(mb["first_t"][sl])
    # browsing goes on while a spell is active and up to 20 days after it ended
    lo1 = np.maximum(w0, np.nan_to_num(mb["first_t"][sl], nan=cal.end))
    hi1 = np.minimum(np.nan_to_num(tl["end1"] + 20.0, nan=cal.end), cal.end)
    lo2 = np.maximum(w0, np.nan_to_num(tl["back_t"], nan=cal.end))
    hi2 = np.minimum(np.nan_to_num(tl["end2"] + 20.0, nan=cal.end), cal.end)
    d1 = np.where(active, np.maximum(hi1 - lo1, 0), 0)
    d2 = np.where(active, np.maximum(hi2 - np.maximum(lo2, hi1), 0), 0)
    nb = rng.poisson(0.6 * mb["lam"][sl] * (d1 + d2))
    b_mem = np.repeat(np.arange(M), nb)
    x = rng.random(len(b_mem)) * (d1 + d2)[b_mem]
    b_start = np.where(x < d1[b_mem], lo1[b_mem] + x, np.maximum(lo2, hi1)[b_mem] + x - d1[b_mem])
    b_day = np.floor(b_start)
    b_start = b_day + draw_hours(rng, mb["profile"][sl][b_mem], np.ones(len(b_mem), bool)) / 24.0
    b_start = np.minimum(b_start, cal.end - 0.02)
    b_ch = np.where(mb["pref_channel"][sl][b_mem] == 1, 1, 2)
    b_end = b_start + rng.uniform(2, 25, len(b_mem)) / 1440.0
    # sessions table
    s_mem = np.concatenate([p_mem, b_mem])
    s_start = np.concatenate([p_start, b_start])
    s_end = np.concatenate([p_end - 1.0 / 86400, b_end])
    s_ch = np.concatenate([p_ch, b_ch])
    s_pid = np.concatenate([p_pid, np.full(len(b_mem), -1)])
    purchase = np.concatenate([np.ones(len(po), bool), np.zeros(len(b_mem), bool)])
    ns = len(s_mem)
    n_view = 1 + rng.poisson(np.where(purchase, 2.0, 1.5))
    n_search = (rng.random(ns) < np.where(purchase, 0.5, 0.35)).astype(np.int64)
    n_cart = (rng.random(ns) < np.where(purchase, 0.85, 0.12)).astype(np.int64)
    n_fav = (rng.random(ns) < np.where(purchase, 0.08, 0.05)).astype(np.int64)
    n_share = (rng.random(ns) < np.where(purchase, 0.03, 0.02)).astype(np.int64)
    counts = np.stack([n_view, n_search, n_cart, n_fav, n_share], axis=1)
    tot = counts.sum(1)
    sess = np.repeat(np.arange(ns), tot)
    # event types per session without a Python loop: offsets within each session
    off = np.arange(len(sess)) - np.repeat(np.cumsum(tot) - tot, tot)
    cum = np.cumsum(counts, axis=1)
    etype = (off[:, None] >= cum[sess]).sum(1)
    # products: purchase sessions view the bought product first, otherwise same-category / preferred-category SKUs
    pref = mb["pref"][sl]
    pc = np.cumsum(pref[s_mem], axis=1)
    s_cat = np.minimum((pc < rng.random(ns)[:, None] * pc[:, -1:]).sum(1), len(cat.cat_names) - 1)
    s_cat = np.where(s_pid >= 0, cat.cat[np.maximum(s_pid, 0)], s_cat)
    ec = s_cat[sess]
    rnd_pid = cat.cat_sku_start[ec] + np.floor(rng.random(len(sess)) * cat.cat_nsku[ec]).astype(np.int64)
    rnd_pid = np.minimum(rnd_pid, n_prod - 1)
    own = s_pid[sess]
    use_own = (own >= 0) & (((etype == 0) & (off == 0)) | (etype == 2))
    pid = np.where(use_own, own, rnd_pid)
    pid = np.where(etype == 1, -1, pid)
    et = s_start[sess] + rng.random(len(sess)) * (s_end[sess] - s_start[sess])
    et = np.where(etype == 2, np.maximum(et, s_end[sess] - 0.5 / 1440), et)  # carts right before checkout
    e_s = cal.start_s + np.floor(et * 86400).astype(np.int64)
    e_mem = s_mem[sess]
    keep = (et >= w0) & (et < cal.end) & (et > mb["reg_day"][sl][e_mem])
    e_mem, e_s, etype, pid, ech = e_mem[keep], e_s[keep], etype[keep], pid[keep], s_ch[sess][keep]
    order = np.lexsort((pid, etype, e_s, e_mem))
    return dict(mem=e_mem[order], ts=e_s[order], type=etype[order], pid=pid[order], channel=ech[order])
