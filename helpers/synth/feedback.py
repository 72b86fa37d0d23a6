"""Feedback messages: which orders get one, true category and polarity, channel, rating, noisy service-desk label,
response and resolution times; the wording comes from :mod:`helpers.synth.text`.
"""

# typography: ignore-file — the Chinese strings here are synthetic data (names, values, member-typed text), not
# prose: typesetting them would change the generated data and the real-export spellings they imitate.

from __future__ import annotations

import numpy as np

from helpers import tables as T
from helpers.synth import stable as sm
from helpers.synth.calendar import Calendar
from helpers.synth.catalogue import Stores
from helpers.synth.config import BRANDS, CITIES, FEEDBACK_PER_MEMBER, LABEL_NOISE, component_rng
from helpers.synth.text import POLARITIES, feedback_texts


def _text_context(stores: Stores) -> dict:
    """Our own store, city and brand names for the texts, so messages mention the chain's real lexicon."""
    phys = slice(0, stores.n_physical)
    return {"stores": [str(x) for x in stores.name[phys]],
            "cities": sorted({CITIES[c][0] for c in stores.city[phys]}),
            "brands": [b for bs in BRANDS.values() for b in bs]}


FB_CATS = T.FEEDBACK_CATEGORIES
POLARITY_BY_CAT = {"产品质量": (0.75, 0.15, 0.10), "服务态度": (0.60, 0.10, 0.30), "营销活动": (0.50, 0.30, 0.20),
                   "物流配送": (0.65, 0.15, 0.20), "会员权益": (0.40, 0.35, 0.25), "其他": (0.20, 0.40, 0.40)}
FIRST_RESPONSE_HOURS = {"小程序": 2.0, "客服热线": 0.1, "门店意见簿": 20.0, "APP评价": 8.0, "微信公众号": 3.0,
                        "电商平台评价": 6.0}
RESOLVE_HOURS = {"产品质量": 48.0, "服务态度": 24.0, "营销活动": 12.0, "物流配送": 36.0, "会员权益": 18.0, "其他": 8.0}


def feedback(seed: int, chunk: int, m0: int, m1: int, tl: dict, cal: Calendar, stores: Stores) -> dict:
    """Feedback messages of one chunk: orders chosen, true labels, noisy labels, texts, response times."""
    rng = component_rng(seed, "feedback", chunk)
    n_o = len(tl["mem"])
    n_fb = int(rng.poisson(FEEDBACK_PER_MEMBER * (m1 - m0))) if n_o else 0
    w = np.where(tl["refunded"], 8.0, 1.0)
    o = np.sort(rng.choice(n_o, size=n_fb, p=w / w.sum())) if n_fb else np.zeros(0, np.int64)
    ch_o = tl["channel"][o]
    online = ch_o != 0
    ref = tl["refunded"][o]
    # true category
    base_store = np.array([0.28, 0.28, 0.15, 0.02, 0.17, 0.10])
    base_online = np.array([0.25, 0.10, 0.15, 0.25, 0.15, 0.10])
    base_ref = np.array([0.55, 0.10, 0.05, 0.20, 0.05, 0.05])
    probs = np.where(ref[:, None], base_ref, np.where(online[:, None], base_online, base_store))
    probs = probs / probs.sum(1, keepdims=True)
    cum = np.cumsum(probs, axis=1)
    tc = np.minimum((cum < rng.random(n_fb)[:, None]).sum(1), 5)
    pol_p = np.array([POLARITY_BY_CAT[c] for c in FB_CATS])[tc]
    pol = np.minimum((np.cumsum(pol_p, axis=1) < rng.random(n_fb)[:, None]).sum(1), 2)
    # channel
    chans = T.FEEDBACK_CHANNELS
    p_store = np.array([0.15, 0.35, 0.30, 0.0, 0.20, 0.0])
    p_online = np.array([0.25, 0.15, 0.0, 0.20, 0.10, 0.30])
    pc = np.where(online[:, None], p_online, p_store)
    fch = np.minimum((np.cumsum(pc, axis=1) < rng.random(n_fb)[:, None]).sum(1), 5)
    # rating
    r_u = rng.random(n_fb)
    rating = np.select([pol == 0, pol == 1],
                       [np.where(r_u < 0.6, 1, np.where(r_u < 0.9, 2, 3)), np.where(r_u < 0.15, 2, np.where(r_u < 0.75, 3, 4))],
                       np.where(r_u < 0.35, 4, 5))
    p_missing = np.select([fch == chans.index("客服热线"), fch == chans.index("门店意见簿")], [0.9, 0.5], 0.15)
    rating_null = rng.random(n_fb) < p_missing
    # noisy label
    noisy = rng.random(n_fb) < LABEL_NOISE
    label = np.where(noisy, (tc + rng.integers(1, 6, n_fb)) % 6, tc)
    # times
    created = tl["t"][o] + 10.0 / 1440 + rng.exponential(2.0, n_fb)
    fr_med = np.array([FIRST_RESPONSE_HOURS[c] for c in chans])[fch]
    fr_h = fr_med * np.where(pol == 0, 0.7, 1.0) * sm.exp(rng.normal(0, 1.0, n_fb))
    no_resp = rng.random(n_fb) < np.where(pol == 2, 0.2, 0.03)
    first_resp = created + fr_h / 24.0
    rs_med = np.array([RESOLVE_HOURS[c] for c in FB_CATS])[tc]
    resolved = first_resp + rs_med * sm.exp(rng.normal(0, 1.1, n_fb)) / 24.0
    unresolved = no_resp | (rng.random(n_fb) < 0.06)
    keep = created < cal.end
    fr_ok = ~no_resp & (first_resp < cal.end)
    rs_ok = fr_ok & ~unresolved & (resolved < cal.end)
    anon = rng.random(n_fb) < 0.05
    texts = feedback_texts(rng, [FB_CATS[i] for i in tc], [POLARITIES[i] for i in pol],
                           context=_text_context(stores)) if n_fb else []
    texts = np.array(texts, dtype=object)
    to_s = lambda x: cal.start_s + np.floor(x * 86400).astype(np.int64)  # noqa: E731
    cs = to_s(created)
    order = np.lexsort((fch, cs))
    order = order[keep[order]]
    return dict(mem=tl["mem"][o][order], anon=anon[order], channel=fch[order], created_s=cs[order],
                text=texts[order] if n_fb else texts, rating=rating[order], rating_null=rating_null[order],
                label=label[order], true_cat=tc[order], pol=pol[order], fr_s=to_s(first_resp)[order],
                fr_ok=fr_ok[order], rs_s=to_s(resolved)[order], rs_ok=rs_ok[order])
