"""The static tables: the product catalogue (categories × subcategories × brands × pack sizes) and the stores.

Products are sorted by category so a category is a contiguous range of SKUs; lookup arrays by (subcategory,
brand, size) and (category, brand) let the basket simulation pick packs without Python loops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.synth.calendar import Calendar
from helpers.synth.config import BRANDS, CATALOGUE, CITIES, SIZE_MULT, STORE_SUFFIX, component_rng


@dataclass
class Catalogue:
    """The product catalogue plus the lookup arrays the basket simulation uses (prices in cents)."""

    product_id: np.ndarray
    name: np.ndarray
    cat: np.ndarray          # category index
    sub: np.ndarray          # global subcategory index
    brand_name: np.ndarray
    price_c: np.ndarray      # cents
    cost_c: np.ndarray
    cat_names: tuple
    sub_names: tuple
    cat_sub_start: np.ndarray
    cat_nsub: np.ndarray
    cat_nbrand: np.ndarray
    cycle: np.ndarray
    qmax: np.ndarray
    popularity: np.ndarray
    group_price: np.ndarray  # (n_sub * MAXB, 3) cents, huge where absent
    group_pid: np.ndarray    # (n_sub * MAXB, 3) product index
    sub_min_price: np.ndarray
    cheapest_pid: int
    cb_price: np.ndarray     # (category, brand) → cheapest pack price
    cb_pid: np.ndarray
    cat_min_price: np.ndarray
    cat_cheapest_sub: np.ndarray
    cat_sku_start: np.ndarray  # products are sorted by category, so a category is a contiguous range
    cat_nsku: np.ndarray


MAXB = 5
BIG = np.int64(10**12)


def _round_price(x: np.ndarray) -> np.ndarray:
    """元 → cents with a retail ending: 29.9 below 100 元, 129 / 199 above."""
    low = np.floor(x) + 0.9
    high = np.round(x / 10.0) * 10.0 - 1.0
    return np.round(np.where(x < 100, np.maximum(low, 1.9), high) * 100).astype(np.int64)


def make_catalogue(seed: int) -> Catalogue:
    """Products: every category × subcategory × brand with 2–3 pack sizes, prices with retail endings."""
    rng = component_rng(seed, "catalogue")
    rows = []
    sub_names, cat_sub_start, cat_nsub = [], [], []
    for ci, (cat, _cycle, margin, _pop, _q, subs, sizes) in enumerate(CATALOGUE):
        cat_sub_start.append(len(sub_names))
        cat_nsub.append(len(subs))
        brands = BRANDS[cat]
        premium = rng.uniform(0.75, 1.45, len(brands))
        for sname, base in subs:
            si = len(sub_names)
            sub_names.append(sname)
            for bi, brand in enumerate(brands):
                nsize = 2 + int(rng.random() < 0.5)
                for k in range(nsize):
                    raw = base * premium[bi] * SIZE_MULT[k] * rng.uniform(0.9, 1.1)
                    price = int(_round_price(np.array([raw]))[0])
                    cost = int(round(price * (1 - margin + rng.uniform(-0.05, 0.05))))
                    rows.append((ci, si, bi, k, brand, f"{brand} {sname} {sizes[k]}", price, cost))
    n = len(rows)
    cat = np.array([r[0] for r in rows])
    sub = np.array([r[1] for r in rows])
    bidx = np.array([r[2] for r in rows])
    size = np.array([r[3] for r in rows])
    price = np.array([r[6] for r in rows], dtype=np.int64)
    nsub = len(sub_names)
    gp = np.full((nsub * MAXB, 3), BIG, dtype=np.int64)
    gid = np.zeros((nsub * MAXB, 3), dtype=np.int64)
    g = sub * MAXB + bidx
    gp[g, size] = price
    gid[g, size] = np.arange(n)
    sub_min = np.array([price[sub == s].min() for s in range(nsub)])
    cb_price = np.full((len(CATALOGUE), MAXB), BIG, dtype=np.int64)
    cb_pid = np.zeros((len(CATALOGUE), MAXB), dtype=np.int64)
    for i in np.argsort(-price, kind="stable"):  # cheapest written last
        cb_price[cat[i], bidx[i]] = price[i]
        cb_pid[cat[i], bidx[i]] = i
    ncat = len(CATALOGUE)
    cat_min = np.array([price[cat == c].min() for c in range(ncat)])
    cheapest_sub = np.array([cat_sub_start[c] + int(np.argmin(sub_min[cat_sub_start[c]:cat_sub_start[c] + cat_nsub[c]]))
                             for c in range(ncat)])
    starts = np.array([np.nonzero(cat == c)[0][0] for c in range(ncat)])
    return Catalogue(
        product_id=np.array([f"P{i + 1:05d}" for i in range(n)], dtype=object),
        name=np.array([r[5] for r in rows], dtype=object), cat=cat, sub=sub,
        brand_name=np.array([r[4] for r in rows], dtype=object), price_c=price,
        cost_c=np.array([r[7] for r in rows], dtype=np.int64),
        cat_names=tuple(c[0] for c in CATALOGUE), sub_names=tuple(sub_names),
        cat_sub_start=np.array(cat_sub_start), cat_nsub=np.array(cat_nsub),
        cat_nbrand=np.array([len(BRANDS[c[0]]) for c in CATALOGUE]),
        cycle=np.array([c[1] for c in CATALOGUE], dtype=float), qmax=np.array([c[4] for c in CATALOGUE]),
        popularity=np.array([c[3] for c in CATALOGUE]), group_price=gp, group_pid=gid, sub_min_price=sub_min,
        cheapest_pid=int(np.argmin(price)), cb_price=cb_price, cb_pid=cb_pid, cat_min_price=cat_min, cat_cheapest_sub=cheapest_sub, cat_sku_start=starts,
        cat_nsku=np.bincount(cat, minlength=ncat))


@dataclass
class Stores:
    """Physical stores (first ``n_physical``) and one virtual store per online channel."""

    store_id: np.ndarray
    name: np.ndarray
    type: np.ndarray        # index into STORE_TYPES
    city: np.ndarray        # city index, -1 for online
    open_day: np.ndarray    # day relative to start (may be negative)
    open_date: np.ndarray   # datetime64[D]
    n_physical: int


def make_stores(seed: int, cal: Calendar) -> Stores:
    """Stores in the cities of :data:`CITIES`; 75 % opened before the period, the rest during it."""
    rng = component_rng(seed, "stores")
    ids, names, types, city, open_d = [], [], [], [], []
    k = 0
    for ci, (cname, _tier, ns) in enumerate(CITIES):
        suffixes = rng.permutation(len(STORE_SUFFIX))[:ns]
        for s in suffixes:
            k += 1
            ids.append(f"S{k:03d}")
            names.append(f"{cname}{STORE_SUFFIX[s]}")
            types.append(0)
            city.append(ci)
            if rng.random() < 0.75:   # opened before the period
                od = np.datetime64("2015-01-01") + int(rng.integers(0, 365 * 7))
            else:                     # opened during the period
                od = cal.start + int(rng.integers(60, max(61, cal.n_days - 90)))
            open_d.append(od)
    n_phys = k
    for sid, nm, ty, od in (("S901", "官方线上商城", 1, "2018-06-01"), ("S902", "微信小程序商城", 2, "2020-03-15")):
        ids.append(sid)
        names.append(nm)
        types.append(ty)
        city.append(-1)
        open_d.append(np.datetime64(od))
    open_date = np.array(open_d, dtype="datetime64[D]")
    return Stores(store_id=np.array(ids, dtype=object), name=np.array(names, dtype=object), type=np.array(types),
                  city=np.array(city), open_day=(open_date - cal.start).astype(np.int64).astype(float),
                  open_date=open_date, n_physical=n_phys)
