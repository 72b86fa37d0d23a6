"""Baskets: which categories (repurchase-cycle hazard × preference × affordability), brands (loyalty), packs and
quantities fill each order to its paid-amount target, plus coupons, points and the 凑单 promotion.

Orders are processed by their rank within the member (all first orders, then all second orders …) so that the
time since a member last bought a category is known without a Python loop over members.
"""

from __future__ import annotations

import numpy as np

from helpers.synth import stable as sm
from helpers.synth.catalogue import MAXB, Catalogue
from helpers.synth.config import (
    BASKET_TOLERANCE,
    CAMPAIGN_CODE0,
    CAMPAIGNS,
    GENERIC_COUPONS,
    HAZARD_FLOOR,
    HAZARD_HALF,
    HAZARD_HALF4,
    NEW_MEMBER_COUPON,
    component_rng,
)
from helpers.synth.loyalty import Loyalty


def _hazard(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x4 = sm.power(x, 4)
        g = x4 / (HAZARD_HALF4 + x4) * (1.0 + 0.3 * sm.exp(-np.square(sm.log(x)) / (2 * 0.3 * 0.3)))
    g = np.where(np.isinf(x), 1.0, g)
    return HAZARD_FLOOR + (1 - HAZARD_FLOOR) * np.nan_to_num(g, nan=0.0)


def baskets(seed: int, chunk: int, m0: int, m1: int, mb: dict, tl: dict, cat: Catalogue, programme: Loyalty) -> dict:
    """Order lines, gross / discount / net amounts, coupons and points for one chunk's orders; ``programme`` (the
    chunk's :class:`helpers.synth.loyalty.Loyalty`) decides the points redeemed and earned."""
    rng = component_rng(seed, "basket", chunk)
    M = m1 - m0
    C = len(cat.cat_names)
    pref = mb["pref"][m0:m1]
    fav_u = mb["fav_u"][m0:m1]
    loyalty = mb["loyalty"][m0:m1]
    mem, t, z = tl["mem"], tl["t"], tl["z_c"]
    n_o = len(mem)
    refunded = tl["refunded"]
    first_idx = np.r_[0, np.nonzero(np.diff(mem))[0] + 1] if n_o else np.zeros(0, np.int64)
    starts = np.zeros(n_o, np.int64)
    if n_o:
        starts[first_idx] = first_idx
        starts = np.maximum.accumulate(starts)
    rank = np.arange(n_o) - starts
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(rank))] if n_o else np.zeros(1, np.int64)
    last_cat = np.full((M, C), -np.inf)
    gross = np.zeros(n_o, np.int64)
    disc = np.zeros(n_o, np.int64)
    pts_red = np.zeros(n_o, np.int64)
    pts_earned = np.zeros(n_o, np.int64)
    coupon_code = np.full(n_o, -1, dtype=np.int64)   # 0..2 generic, 3 new member, CAMPAIGN_CODE0+ campaign
    L_order, L_pid, L_q, L_price, L_step = [], [], [], [], []
    gen_face = np.array([c[1] for c in GENERIC_COUPONS])
    gen_thr = np.array([c[2] for c in GENERIC_COUPONS])
    camp_face = np.array([c.face_cents for c in CAMPAIGNS])
    for j in range(len(bounds) - 1):
        S = by_rank[bounds[j]:bounds[j + 1]]
        n = len(S)
        m = mem[S]
        tt = t[S]
        zz = z[S]
        # coupons
        cc = tl["coupon"][S]
        face = np.where(cc >= 0, camp_face[np.maximum(cc, 0)], 0)
        code = np.where(cc >= 0, CAMPAIGN_CODE0 + cc, -1)
        free = cc < 0
        newc = free & tl["is_first"][S] & (rng.random(n) < 0.5) & (zz + NEW_MEMBER_COUPON[1] >= NEW_MEMBER_COUPON[2])
        face = np.where(newc, NEW_MEMBER_COUPON[1], face)
        code = np.where(newc, 3, code)
        free &= ~newc
        gen = free & (rng.random(n) < 0.08)
        ok = (zz[:, None] + gen_face[None, :]) >= gen_thr[None, :]
        best = np.argmax(ok, axis=1)
        gen &= ok.any(1)
        face = np.where(gen, gen_face[best], face)
        code = np.where(gen, best, code)
        # points (helpers.synth.loyalty, its own random stream): 100 points = 1 元, so points redeemed = cents off.
        # The basket stream still draws one number per order here, as when it decided redemptions itself: the first
        # orders' baskets and the new-member coupons do not depend on the programme's rules.
        rng.random(n)
        vcents = programme.redeem(S, zz, refunded[S])
        G = zz + face + vcents
        # basket fill
        k = 1 + np.minimum(rng.poisson(G / 11000.0), 5)
        # no more main lines than categories that are due (≥ HAZARD_HALF cycles since the last purchase)
        due = (((tt[:, None] - last_cat[m]) / cat.cycle[None, :]) >= HAZARD_HALF) & (pref[m] > 0.01)
        k = np.clip(np.minimum(k, due.sum(1)), 1, None)
        in_order = np.zeros((n, C), bool)
        R = G.copy()
        tol = np.maximum(100, BASKET_TOLERANCE * G)
        for s in range(9):
            main = s < 6
            act = ((s < k) if main else np.ones(n, bool)) & (R > tol)
            ia = np.nonzero(act)[0]
            if len(ia) == 0:
                if s >= 6:
                    break
                continue
            mi = m[ia]
            Ri = R[ia]
            if main:
                last_line = s == k[ia] - 1
                b = np.where(last_line, Ri, Ri / (k[ia] - s) * rng.uniform(0.7, 1.3, len(ia)))
            else:
                b = Ri.astype(float)
            # category ∝ preference × cycle hazard × affordability
            x = (tt[ia][:, None] - last_cat[mi]) / cat.cycle[None, :]
            afford = np.minimum(1.0, sm.power(1.1 * b[:, None] / cat.cat_min_price[None, :], 6))
            if main:
                w = pref[mi] * _hazard(x) * afford
            else:  # closing lines prefer categories already in the basket (top-up, no new purchase event)
                w = pref[mi] * (_hazard(x) + 5.0 * in_order[ia]) * afford
            cum = np.cumsum(w, axis=1)
            c = (cum < (rng.random(len(ia)) * cum[:, -1])[:, None]).sum(1)
            c = np.minimum(c, C - 1)
            sub = cat.cat_sub_start[c] + np.floor(rng.random(len(ia)) * cat.cat_nsub[c]).astype(np.int64)
            sub = np.where(cat.sub_min_price[sub] > b, cat.cat_cheapest_sub[c], sub)
            nb = cat.cat_nbrand[c]
            fav = np.floor(fav_u[mi, c] * nb).astype(np.int64)
            brand = np.where(rng.random(len(ia)) < loyalty[mi], fav, np.floor(rng.random(len(ia)) * nb).astype(np.int64))
            g = sub * MAXB + brand
            gp = cat.group_price[g]
            naff = (gp <= b[:, None]).sum(1)
            size = np.where(naff > 0, np.floor(rng.random(len(ia)) * np.maximum(naff, 1)).astype(np.int64), 0)
            if not main:
                size = np.maximum(naff - 1, 0)  # closing lines: the largest pack that fits
            price = gp[np.arange(len(ia)), size]
            pid = cat.group_pid[g, size]
            # nothing of that brand fits in the subcategory: the brand's cheapest pack in the category
            cheap = price > b
            price = np.where(cheap, cat.cb_price[c, brand], price)
            pid = np.where(cheap, cat.cb_pid[c, brand], pid)
            if not main:  # nothing fits the rest: the cheapest item of the shop (a drink or a snack) tops the basket up
                filler = price > np.maximum(Ri, 0.3 * G[ia])
                price = np.where(filler, cat.price_c[cat.cheapest_pid], price)
                pid = np.where(filler, cat.cheapest_pid, pid)
                c = np.where(filler, cat.cat[cat.cheapest_pid], c)
            if main:
                q = np.clip(np.round(b / price), 1, cat.qmax[c]).astype(np.int64)
            elif s < 8:
                q = np.clip(np.floor(Ri / price), 1, 10).astype(np.int64)
            else:
                q = np.clip(np.ceil(Ri / price), 1, 10).astype(np.int64)
            if main:  # never plan past the budget; a pack that alone overshoots is skipped unless it is the first line
                ti = tol[ia]
                q = np.minimum(q, np.maximum(1, np.floor((Ri + ti) / price))).astype(np.int64)
                ok = (price <= Ri + ti) | ~in_order[ia].any(1)
                ia, mi, c, pid, q, price, Ri = ia[ok], mi[ok], c[ok], pid[ok], q[ok], price[ok], Ri[ok]
            R[ia] = Ri - q * price
            last_cat[mi, c] = tt[ia]
            in_order[ia, c] = True
            L_order.append(S[ia])
            L_pid.append(pid)
            L_q.append(q)
            L_price.append(price)
            L_step.append(np.full(len(ia), s))
        gr = G - R
        over = -R
        promo = np.where((over > 0) & (over <= 0.35 * gr), over, 0)
        d = np.minimum(face + vcents + promo, gr)
        gross[S] = gr
        disc[S] = d
        pts_red[S] = vcents
        coupon_code[S] = code
        pts_earned[S] = programme.earn(S, gr - d, refunded[S])
    if L_order:
        lo, lp, lq, lpr, ls = (np.concatenate(a) for a in (L_order, L_pid, L_q, L_price, L_step))
    else:
        lo = lp = lq = lpr = ls = np.zeros(0, np.int64)
    srt = np.lexsort((ls, lo))
    lo, lp, lq, lpr = lo[srt], lp[srt], lq[srt], lpr[srt]
    # the same SKU picked twice in one basket becomes one line (quantities added, first position kept)
    key = lo * len(cat.product_id) + lp
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    qsum = np.bincount(inv, weights=lq).astype(np.int64)
    pos = np.sort(first)
    lo, lp, lpr, lq = lo[pos], lp[pos], lpr[pos], qsum[inv[pos]]
    fl = np.r_[0, np.nonzero(np.diff(lo))[0] + 1] if len(lo) else np.zeros(0, np.int64)
    st = np.zeros(len(lo), np.int64)
    if len(lo):
        st[fl] = fl
        st = np.maximum.accumulate(st)
    line_no = np.arange(len(lo)) - st + 1
    net = gross - disc
    return dict(gross=gross, disc=disc, net=net, pts_earned=pts_earned, pts_red=pts_red,
                coupon_code=coupon_code, l_order=lo, l_line=line_no, l_pid=lp, l_q=lq, l_price=lpr)
