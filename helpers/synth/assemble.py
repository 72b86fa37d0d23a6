"""From simulated arrays to table columns: members, orders, truth, the static tables and ``params.json``.

The meaning of every ground-truth column is documented in :mod:`helpers.truth` (``MEMBER_TRUTH_COLUMNS``); this
module only fills them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from helpers import tables as T
from helpers.synth.arrow import Sink, dict_array, id_strings, ids, money_array, ts_array
from helpers.synth.calendar import Calendar, make_calendar
from helpers.synth.catalogue import Catalogue, Stores, make_catalogue, make_stores
from helpers.synth.config import (
    ARCHETYPES,
    BRAND_NAMES,
    CAMPAIGN_CODE0,
    CAMPAIGNS,
    CATEGORY_CYCLES,
    CHUNK_MEMBERS,
    CITIES,
    CITY_NAMES,
    EVENT_WINDOW_DAYS,
    FIRST_DELAY_DAYS,
    GENERATOR_VERSION,
    GENERIC_COUPONS,
    HEAVY_ANNUAL_SPEND,
    HOUR_PROFILES,
    LABEL_NOISE,
    LAPSE_CAUSES,
    LIFETIME,
    LOYAL_THRESHOLD,
    LUNAR_NEW_YEAR,
    NEVER_BUY,
    NEW_MEMBER_COUPON,
    POPULATION,
    PREMIUM_CATEGORIES,
    PREMIUM_TILT,
    REFUND_RATE,
    SPEND_RATE_NOISE,
    TREATMENT_SHARE,
    WINBACK_MEAN_DAYS,
    WINBACK_MIN_DAYS,
    WINBACK_PROB,
)
from helpers.synth.members import make_members
from helpers.synth.stable import STABLE_BITS
from helpers.synth.trials import multi_arm_truth, programme_truth

ALL_TABLES = tuple(T.TABLES)


@dataclass
class World:
    """Everything drawn once for the whole world: calendar, catalogue, stores, members, id counters."""

    n: int
    seed: int
    cal: Calendar
    cat: Catalogue
    stores: Stores
    mb: dict
    counters: dict = field(default_factory=lambda: {"order": 0, "event": 0, "feedback": 0})


def make_world(n_members: int, seed: int, start: str, as_of: str) -> World:
    """Calendar, catalogue, stores and all members' static and latent draws for one seed."""
    if n_members < 1:
        raise ValueError("n_members must be ≥ 1")
    cal = make_calendar(start, as_of)
    cat = make_catalogue(seed)
    stores = make_stores(seed, cal)
    mb = make_members(n_members, seed, cal, cat, stores)
    return World(n=n_members, seed=seed, cal=cal, cat=cat, stores=stores, mb=mb)


def member_ids(m0: int, m1: int) -> np.ndarray:
    """Member ids of members m0 … m1 - 1 (member i is ``M`` + i + 1 in 8 digits)."""
    return id_strings("M", np.arange(m0 + 1, m1 + 1), 8)


def members_arrays(w: World, m0: int, m1: int) -> dict:
    """Columns of ``members`` for members ``m0 … m1 - 1``."""
    mb, sl = w.mb, slice(m0, m1)
    ref = mb["referrer"][sl]
    phone = np.char.add(np.char.add(np.char.add(mb["prefix"][sl], mb["third"][sl].astype(str)), "****"),
                        np.char.zfill(mb["last4"][sl].astype(str), 4))
    return {
        "member_id": pa.array(member_ids(m0, m1), pa.string()),
        "register_ts": ts_array(w.cal.start_s + mb["reg_s"][sl]),
        "gender": dict_array(mb["gender"][sl], T.GENDERS),
        "birth_year": pa.array(mb["birth"][sl], pa.int64(), mask=mb["birth_missing"][sl]),
        "city": dict_array(mb["city"][sl], CITY_NAMES),
        "city_tier": pa.array(mb["tier"][sl], pa.int64()),
        "source_channel": dict_array(mb["src"][sl], T.SOURCE_CHANNELS),
        "referrer_id": pa.array(id_strings("M", np.maximum(ref, 0) + 1, 8), pa.string(), mask=ref < 0),
        "sms_consent": pa.array(mb["sms"][sl], pa.bool_()),
        "email_consent": pa.array(mb["email"][sl], pa.bool_()),
        "phone_masked": pa.array(phone.astype(object), pa.string(), mask=mb["phone_missing"][sl]),
    }


def seconds(cal: Calendar, t: np.ndarray) -> np.ndarray:
    """Epoch seconds of day offsets ``t`` (NaN → 0; mask those)."""
    return np.where(np.isnan(t), 0, cal.start_s + np.floor(np.nan_to_num(t) * 86400)).astype(np.int64)


def truth_arrays(w: World, m0: int, m1: int, tl: dict) -> dict:
    """Columns of ``truth/member_truth`` (meanings: :data:`helpers.truth.MEMBER_TRUTH_COLUMNS`)."""
    mb, sl = w.mb, slice(m0, m1)
    pc = np.argmax(mb["pref"][sl], axis=1)
    return {
        "member_id": pa.array(member_ids(m0, m1), pa.string()),
        "archetype": dict_array(mb["archetype"][sl], ARCHETYPES),
        "purchase_rate_per_day": pa.array(mb["lam"][sl]),
        "dropout_prob": pa.array(mb["pdrop"][sl]),
        "spend_nu": pa.array(mb["nu"][sl]),
        "expected_order_value": pa.array(mb["eov"][sl]),
        "first_purchase_ts": ts_array(tl["first_s"], mask=np.isnan(mb["first_t"][sl])),
        "alive_at_as_of": pa.array(tl["alive"], pa.bool_()),
        "dropout_ts": ts_array(tl["dropout_s"], mask=np.isnan(tl["dropout_t"])),
        "lifetime_rate_per_day": pa.array(mb["mu"][sl]),
        "lapse_ts": ts_array(seconds(w.cal, tl["end1"]), mask=np.isnan(tl["end1"])),
        "lapse_cause": dict_array(np.maximum(tl["cause"] - 1, 0), LAPSE_CAUSES, mask=tl["cause"] == 0),
        "repeats_before_lapse": pa.array(tl["reps"], pa.int64(), mask=tl["cause"] == 0),
        "won_back": pa.array(~np.isnan(tl["back_t"]), pa.bool_()),
        "winback_ts": ts_array(seconds(w.cal, tl["comeback_t"]), mask=np.isnan(tl["comeback_t"])),
        "preferred_channel": dict_array(mb["pref_channel"][sl], T.CHANNELS),
        "preferred_payment": dict_array(mb["pref_pay"][sl], T.PAYMENT_METHODS),
        "hour_profile": dict_array(mb["profile"][sl], HOUR_PROFILES),
        "preferred_category": dict_array(pc, w.cat.cat_names),
        "brand_loyalty": pa.array(mb["loyalty"][sl]),
        "heavy": pa.array(mb["heavy"][sl], pa.bool_()),
        "loyal": pa.array(mb["loyal"][sl], pa.bool_()),
    }


def coupon_ids() -> dict[int, str]:
    """Coupon code inside the generator → the ``coupon_id`` written to ``orders``."""
    ids = {i: c[0] for i, c in enumerate(GENERIC_COUPONS)}
    ids[3] = NEW_MEMBER_COUPON[0]
    for i, c in enumerate(CAMPAIGNS):
        ids[CAMPAIGN_CODE0 + i] = c.coupon_id
    return ids


def orders_arrays(w: World, m0: int, tl: dict, bk: dict | None, first_id: int) -> dict:
    """Columns of ``orders`` for one chunk (``bk`` None: the fast path, gross = net = z)."""
    n_o = len(tl["mem"])
    if bk is None:  # fast path: no basket, gross = net = z
        gross = net = tl["z_c"]
        disc = np.zeros(n_o, np.int64)
        pe = np.where(tl["refunded"], 0, net // 100)  # 1 point per 元, no tiers or redemptions (they need baskets)
        pr = np.zeros(n_o, np.int64)
        code = np.where(tl["coupon"] >= 0, CAMPAIGN_CODE0 + tl["coupon"], -1)
    else:
        gross, disc, net, pe, pr, code = bk["gross"], bk["disc"], bk["net"], bk["pts_earned"], bk["pts_red"], bk["coupon_code"]
    cid = coupon_ids()
    lut = np.array([cid.get(i, "") for i in range(CAMPAIGN_CODE0 + len(CAMPAIGNS))], dtype=object)
    return {
        "order_id": ids("O", first_id + 1, n_o, 10),
        "member_id": pa.array(id_strings("M", tl["mem"] + m0 + 1, 8), pa.string()),
        "order_ts": ts_array(tl["t_s"]),
        "store_id": pa.array(w.stores.store_id[tl["store"]], pa.string()),
        "channel": dict_array(tl["channel"], T.CHANNELS),
        "payment_method": dict_array(tl["pay"], T.PAYMENT_METHODS),
        "gross_amount": money_array(gross),
        "discount_amount": money_array(disc),
        "net_amount": money_array(net),
        "points_earned": pa.array(pe, pa.int64()),
        "points_redeemed": pa.array(pr, pa.int64()),
        "coupon_id": pa.array(lut[np.maximum(code, 0)], pa.string(), mask=code < 0),
        "status": dict_array(tl["refunded"].astype(np.int32), T.ORDER_STATUS),
    }


def static_tables(w: World, sink: Sink) -> None:
    """Write ``products``, ``stores`` and ``campaigns`` (only campaigns inside the period)."""
    cat, st = w.cat, w.stores
    sink.write("products", {
        "product_id": pa.array(cat.product_id, pa.string()), "product_name": pa.array(cat.name, pa.string()),
        "category": dict_array(cat.cat, cat.cat_names), "subcategory": dict_array(cat.sub, cat.sub_names),
        "brand": dict_array(np.searchsorted(np.array(BRAND_NAMES), cat.brand_name.astype(str)), BRAND_NAMES),
        "price": money_array(cat.price_c), "unit_cost": money_array(cat.cost_c)})
    online = st.city < 0
    sink.write("stores", {
        "store_id": pa.array(st.store_id, pa.string()), "store_name": pa.array(st.name, pa.string()),
        "store_type": dict_array(st.type, T.STORE_TYPES), "city": dict_array(np.maximum(st.city, 0), CITY_NAMES, mask=online),
        "city_tier": pa.array(np.array([CITIES[c][1] if c >= 0 else 0 for c in st.city]), pa.int64(), mask=online),
        "open_date": pa.array(st.open_date.astype("datetime64[D]").astype(np.int32), pa.date32())})
    camps = [c for c in CAMPAIGNS if 0 <= w.cal.day_of(c.send) < w.cal.end]  # only those inside the period
    chans = tuple(dict.fromkeys(c.channel for c in CAMPAIGNS))  # each channel once in the dictionary
    sink.write("campaigns", {
        "campaign_id": pa.array([c.campaign_id for c in camps], pa.string()),
        "campaign_name": pa.array([c.name for c in camps], pa.string()),
        "channel": dict_array(np.array([chans.index(c.channel) for c in camps], dtype=np.int64), chans),
        "start_date": pa.array([np.datetime64(c.send[:10], "D").astype(np.int32).item() for c in camps], pa.date32()),
        "end_date": pa.array([np.datetime64(c.end, "D").astype(np.int32).item() for c in camps], pa.date32()),
        "offer": pa.array([c.offer for c in camps], pa.string()),
        "coupon_id": pa.array([c.coupon_id for c in camps], pa.string()),
        "cost_per_contact": pa.array([c.cost_per_contact for c in camps], pa.float64())})


def params_json(w: World, start: str, as_of: str, stats: dict) -> dict:
    """The content of ``truth/params.json``: every parameter of the story, seed, version, row counts."""
    P = POPULATION
    return {
        "generator": "helpers.generate", "generator_version": GENERATOR_VERSION, "seed": w.seed,
        "n_members": w.n, "start": start, "as_of": as_of, "time_unit": "day",
        "r": P["r"], "alpha": P["alpha"], "a": P["a"], "b": P["b"], "p": P["p"], "q": P["q"], "gamma": P["gamma"],
        "bgnbd": {"r": P["r"], "alpha": P["alpha"], "a": P["a"], "b": P["b"], "time_unit": "day",
                  "mean_purchase_rate_per_day": P["r"] / P["alpha"]},
        "bgnbd_per_week": {"r": P["r"], "alpha": P["alpha"] / 7.0, "a": P["a"], "b": P["b"], "time_unit": "week"},
        "gamma_gamma": {"p": P["p"], "q": P["q"], "gamma": P["gamma"], "money_unit": "元",
                        "mean_order_value": P["p"] * P["gamma"] / (P["q"] - 1)},
        "world": ("not the BG/NBD model: members lapse at any time (exponential lifetime from joining) as well as "
                  "after a repeat purchase (BG/NBD dropout), some lapsed members come back once (win-back), and the "
                  "spend level is rank-coupled with the purchase rate. 'bgnbd' and 'gamma_gamma' are the marginal "
                  "distributions of lambda, the post-purchase dropout p and nu, not parameters a fit should recover."),
        "lifetime": {"shape": LIFETIME["shape"], "rate": LIFETIME["rate"], "time_unit": "day", "from": "registration",
                     "mean_lifetime_rate_per_day": LIFETIME["shape"] / LIFETIME["rate"],
                     "pairing": "rank-coupled with the purchase rate (light buyers leave sooner)",
                     "pairing_noise": SPEND_RATE_NOISE},
        "winback": {"probability": WINBACK_PROB, "min_gap_days": WINBACK_MIN_DAYS,
                    "mean_extra_gap_days": WINBACK_MEAN_DAYS, "max_comebacks": 1},
        "spend_rate_coupling": {"pairing_noise": SPEND_RATE_NOISE, "premium_categories": list(PREMIUM_CATEGORIES),
                                "premium_tilt": PREMIUM_TILT},
        "stable_bits": STABLE_BITS,
        "category_cycles_days": CATEGORY_CYCLES,
        "refund_rate": REFUND_RATE, "never_buy_share": NEVER_BUY, "first_purchase_delay_mean_days": FIRST_DELAY_DAYS,
        "heavy_annual_spend_yuan": HEAVY_ANNUAL_SPEND, "loyal_threshold": LOYAL_THRESHOLD,
        "feedback_label_noise": LABEL_NOISE, "event_window_days": EVENT_WINDOW_DAYS,
        "campaigns": [{"campaign_id": c.campaign_id, "channel": c.channel, "send": c.send, "end": c.end,
                       "treatment_share": TREATMENT_SHARE, "base_uplift": c.base_uplift, "open_rate": c.open_rate}
                      for c in CAMPAIGNS],
        "multi_arm_campaign": multi_arm_truth(),
        "city_programme": programme_truth(),
        "lunar_new_year": {str(k): v for k, v in LUNAR_NEW_YEAR.items()},
        "chunk_members": CHUNK_MEMBERS,
        "rows": stats,
    }
