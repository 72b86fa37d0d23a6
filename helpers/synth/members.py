"""Members: registration, demographics, consent, home store, preferences, and the latent draws behind them.

Vectorised over all members at once (cheap even at 1M). The latent draws — purchase rate λ, post-purchase dropout
p, lifetime hazard μ, spend level ν, brand loyalty, category preferences — are what ``truth/member_truth`` records;
λ, p and ν keep the BG/NBD and Gamma-Gamma marginals, but μ and ν are paired with λ by rank, so the world is not
the model's.
"""

from __future__ import annotations

import numpy as np

from helpers.synth import stable as sm
from helpers.synth.calendar import Calendar, sample_days
from helpers.synth.catalogue import Catalogue, Stores
from helpers.synth.config import (
    CITIES,
    FIRST_DELAY_DAYS,
    HEAVY_ANNUAL_SPEND,
    LIFETIME,
    LOYAL_THRESHOLD,
    MEAN_ORDER_VALUE,
    NEVER_BUY,
    POPULATION,
    PREF_PAYMENT,
    PREMIUM_CATEGORIES,
    PREMIUM_TILT,
    REG_GROWTH,
    SPEND_RATE_NOISE,
    TIER_SHARE,
    component_rng,
)
from helpers.synth.stable import stable


def _sigmoid(x):
    """Logistic function, rounded (:func:`stable`): its results feed Bernoulli draws and are stored."""
    return 1.0 / (1.0 + sm.exp(-x))


def _pair_by_rank(lam: np.ndarray, nu: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The draws ``nu`` re-assigned to members so that a higher λ tends to get a smaller ν (a higher spend level
    p/ν): members are ranked by ``rank(λ)/n + SPEND_RATE_NOISE × N(0, 1)`` and the smallest ν goes to the top
    score. The marginal of ν stays exactly Gamma(q, γ); only who gets which draw changes."""
    n = len(lam)
    rank01 = np.argsort(np.argsort(lam, kind="stable"), kind="stable") / max(n, 1)
    score = rank01 + SPEND_RATE_NOISE * rng.normal(size=n)
    out = np.empty(n)
    out[np.argsort(-score, kind="stable")] = np.sort(nu)
    return out


def make_members(n: int, seed: int, cal: Calendar, cat: Catalogue, stores: Stores) -> dict:
    """All members at once: registration, demographics, consent, home store, preferences, latent draws."""
    rng = component_rng(seed, "members")
    P = POPULATION
    # registration: growth × demand^0.6 over days, time of day later
    tt = np.arange(cal.n_days)
    intensity = sm.power(REG_GROWTH, tt / 365.0) * sm.power(cal.weights, 0.6)
    day = np.sort(sample_days(rng, intensity, n))
    src = rng.choice(4, size=n, p=[0.45, 0.25, 0.15, 0.15])
    online_src = src == 1
    h = np.where(online_src | (rng.random(n) < 0.3),
                 np.mod(rng.normal(20.0, 3.0, n), 24.0), rng.uniform(9.0, 21.5, n))
    reg_s = (day * 86400 + np.floor(h * 3600)).astype(np.int64)
    order = np.argsort(reg_s, kind="stable")
    reg_s, src = reg_s[order], src[order]
    # strictly increasing seconds (ties broken forward), capped at the end of the period
    ar = np.arange(n, dtype=np.int64)
    reg_s = np.maximum.accumulate(reg_s - ar) + ar
    reg_s = np.minimum(reg_s, cal.n_days * 86400 - 1)
    src[0] = 0 if src[0] == 2 else src[0]
    referrer = np.where(src == 2, np.floor(rng.random(n) * ar).astype(np.int64), -1)
    referrer = np.where(reg_s[np.maximum(referrer, 0)] < reg_s, referrer, -1)
    src = np.where((src == 2) & (referrer < 0), 0, src)

    gender = rng.choice(3, size=n, p=[0.35, 0.58, 0.07])
    centre = np.select([src == 1, src == 3], [1994.0, 1983.0], 1989.0)
    birth = np.round(centre + rng.normal(0, 10.0, n)).clip(1945, 2007).astype(np.int64)
    birth_missing = rng.random(n) < 0.03
    age = 2025 - birth

    tiers = np.array([c[1] for c in CITIES])
    has_store = np.array([c[2] > 0 for c in CITIES])
    w_city = np.array([TIER_SHARE[t] for t in tiers]) / np.bincount(tiers)[tiers]
    w_city = np.where(has_store, w_city * 2.0, w_city * 0.6)
    city = rng.choice(len(CITIES), size=n, p=w_city / w_city.sum())
    tier = tiers[city]

    sms = rng.random(n) < _sigmoid(np.select([src == 0, src == 1, src == 2, src == 3], [0.5, -0.3, 0.2, 0.9])
                                   + 0.02 * (age - 35))
    email = rng.random(n) < _sigmoid(-1.4 + 0.5 * online_src - 0.03 * (age - 35))
    prefix = np.array(["13", "15", "17", "18", "19"])[rng.choice(5, size=n, p=[0.3, 0.25, 0.1, 0.25, 0.1])]
    third = rng.integers(0, 10, n)
    last4 = rng.integers(0, 10000, n)
    phone_missing = rng.random(n) < 0.02

    # home store: a store in the member's city already open at registration
    home = np.full(n, -1, dtype=np.int64)
    reg_day = reg_s / 86400.0
    u_home = rng.random(n)
    phys = np.arange(stores.n_physical)
    for ci in np.unique(city):
        cs = phys[stores.city[:stores.n_physical] == ci]
        if len(cs) == 0:
            continue
        idx = np.nonzero(city == ci)[0]
        open_ok = stores.open_day[cs][None, :] <= reg_day[idx][:, None]
        cnt = open_ok.sum(1)
        pick = np.floor(u_home[idx] * np.maximum(cnt, 1)).astype(np.int64)
        ranks = np.cumsum(open_ok, axis=1) - 1
        chosen = np.argmax(open_ok & (ranks == pick[:, None]), axis=1)
        home[idx] = np.where(cnt > 0, cs[chosen], -1)

    # channel preference
    logit_store = 0.3 + 0.03 * (age - 35) + 0.8 * (src == 0) - 1.2 * (src == 1) + 0.3 * (src == 3) - 0.15 * (tier == 1)
    p_store = _sigmoid(logit_store) * np.where(home >= 0, 1.0, 0.15)
    u = rng.random(n)
    pref_channel = np.where(u < p_store, 0, np.where(rng.random(n) < 0.6, 2, 1))
    cash_boost = np.clip((age - 50) / 40.0, 0, 0.2)
    pay_p = np.array(PREF_PAYMENT)
    up = rng.random(n)
    cum = np.cumsum(pay_p)
    pref_pay = np.searchsorted(cum, up * (1 - cash_boost), side="right")
    pref_pay = np.where(rng.random(n) < cash_boost, 3, pref_pay)
    profile = rng.choice(3, size=n, p=[0.3, 0.45, 0.25])

    # latent purchase rate λ (Gamma), post-purchase dropout p (Beta), spend level ν (Gamma): the BG/NBD and
    # Gamma-Gamma marginals, but ν is re-paired with λ by rank so that frequent buyers spend more per order
    lam = stable(rng.gamma(P["r"], 1.0 / P["alpha"], n))
    pdrop = stable(rng.beta(P["a"], P["b"], n))
    nu = _pair_by_rank(lam, stable(rng.gamma(P["q"], 1.0 / P["gamma"], n)), rng)
    # lapse at any time: an exponential lifetime from joining, hazard μ ~ Gamma (Pareto/NBD-style)
    mu = _pair_by_rank(lam, stable(rng.gamma(LIFETIME["shape"], 1.0 / LIFETIME["rate"], n)), rng)
    life_end = reg_s / 86400.0 + rng.exponential(1.0, n) / mu
    # brand loyalty correlated with low dropout
    zp = -sm.log(pdrop / (1 - pdrop))
    zp = (zp - zp.mean()) / (zp.std() + 1e-12)
    latent = 0.4 * zp + np.sqrt(1 - 0.16) * rng.normal(size=n)
    loyalty = _sigmoid(0.4 + 1.1 * latent)
    # category preferences; members who spend more per order lean to the premium categories
    alpha_pref = 3.0 * cat.popularity / cat.popularity.sum() * len(cat.popularity)
    pref = rng.gamma(np.broadcast_to(alpha_pref, (n, len(alpha_pref))))
    parent = (age >= 24) & (age <= 42) & (rng.random(n) < 0.45)
    ci_baby = cat.cat_names.index("母婴用品")
    ci_beauty = cat.cat_names.index("美妆护肤")
    pref[:, ci_baby] *= np.where(parent, 2.0, 0.02)
    pref[:, ci_beauty] *= np.where(gender == 1, 1.6, 0.4)
    premium = np.isin(np.array(cat.cat_names), PREMIUM_CATEGORIES)
    tilt = sm.power(P["p"] / nu / MEAN_ORDER_VALUE, PREMIUM_TILT)
    pref[:, premium] *= tilt[:, None]
    pref /= pref.sum(1, keepdims=True)
    fav_u = rng.random((n, len(alpha_pref)))

    # first purchase (none when the lifetime ends first)
    never = rng.random(n) < np.where(src == 3, 2 * NEVER_BUY, NEVER_BUY)
    delay = np.where(src == 0, rng.uniform(2, 20, n) / 1440.0, rng.exponential(FIRST_DELAY_DAYS, n))
    first_t = reg_day + delay
    first_t = np.where(never | (first_t >= cal.end) | (life_end <= first_t), np.nan, first_t)

    eov = P["p"] / nu
    annual = lam * 365.0 * eov
    heavy = annual >= HEAVY_ANNUAL_SPEND
    loyal = loyalty >= LOYAL_THRESHOLD
    archetype = np.where(heavy, np.where(loyal, 0, 1), np.where(loyal, 2, 3))
    return dict(n=n, reg_s=reg_s, reg_day=reg_day, src=src, referrer=referrer, gender=gender, birth=birth,
                birth_missing=birth_missing, city=city, tier=tier, sms=sms, email=email, prefix=prefix,
                third=third, last4=last4, phone_missing=phone_missing, home=home, pref_channel=pref_channel,
                pref_pay=pref_pay, profile=profile, lam=lam, pdrop=pdrop, nu=nu, mu=mu, life_end=life_end,
                loyalty=loyalty, pref=pref,
                fav_u=fav_u, first_t=first_t, eov=eov, heavy=heavy, loyal=loyal, archetype=archetype)
