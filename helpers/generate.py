"""Synthetic retail world: a Chinese retail chain with a loyalty programme, and the ground truth behind it.

``python -m helpers generate --members 10000 --seed 20251231 --out datasets/default`` writes one Parquet file per
table of :mod:`helpers.tables` (exact contract columns, in contract order) plus ``truth/`` with every latent
quantity the generator drew, so each model of the course can be checked against what really happened.

The story (why each piece looks the way it does)
===============================================
The chain sells groceries, personal care, beauty, baby, home, fashion and small electronics through 39 physical
stores in tier 1–4 cities, an online mall (线上商城) and a WeChat mini-program (小程序).  Time runs in days from
``start`` (00:00) to the end of the ``as_of`` day; every timestamp is naive Asia/Shanghai local time, seconds.

Members (会员档案)
    * **Joining** – registration days are drawn from an intensity that grows 40 % a year (``REG_GROWTH``) times the
      demand calendar below to the power 0.6 (promotions also drive sign-ups), so cohorts grow and bunch around
      春节 / 618 / 双11.  Time of day follows store hours for in-store sign-ups and an evening-heavy curve online.
    * **Source channel** – 门店注册 45 %, 线上广告 25 %, 会员推荐 15 %, 线下活动 15 %.  A referred member's
      ``referrer_id`` is a uniformly chosen *earlier* member (registration times are made strictly increasing).
    * **Demographics** – gender 女 58 % / 男 35 % / 未知 7 %; birth year from a mixture centred on 1990 (younger
      for 线上广告, older for 线下活动), 3 % missing; city from a list of real Chinese cities with their tier
      (1 = 一线 … 5 = 五线), ~80 % of members live in a city that has a store.
    * **Consent** – P(sms) is a logistic function of the source channel (in-store and events ask at the counter) and
      age (older members agree more); P(email) is lower and rises for younger / online members.
    * **phone_masked** – ``1[3-9]X****XXXX``: a valid-looking prefix and last four digits, the middle always masked,
      2 % missing.  No full phone number or ID-card number is ever produced.

Purchasing: the BG/NBD story (Fader, Hardie & Lee 2005), one member at a time
    * λ ~ Gamma(shape ``r``, rate ``alpha``) purchases per day while alive; p ~ Beta(``a``, ``b``) is the chance
      that the member silently drops out *after each repeat purchase* (never after the first one).
    * The first purchase happens at registration (门店注册: minutes later, same visit) or after an exponential
      delay with a mean of 4 days; 5 % (10 % of 线下活动 sign-ups) never buy at all.  The BG/NBD clock starts there.
    * Repeat purchases are a Poisson(λ) process in *operational time* (see seasonality) from the first purchase to
      the end of ``as_of``; with K ~ Geometric(p) the member keeps the first min(N, K) of the N events and is dead
      right after the K-th when K ≤ N (``dropout_ts``), alive otherwise.
    * Seasonality is a **time warp**: the daily demand calendar w(d) (weekday ×0.88–1.20; 年货 run-up to the real
      lunar new year dates ×1.6, 春节 week ×0.6; 618 ×2.2; 国庆 ×1.2; 双11 ×3.0 with a ×1.3 run-up; 双12 ×1.8;
      summer ×0.95) is normalised to mean 1 over the period and integrated, W(t) = ∫w.  Events are uniform in W, so
      N ~ Poisson(λ·(W(T) − W(t₀))).  Over windows longer than a few months W(T) − W(t₀) ≈ T − t₀ (within ~3 %),
      so whole-period counts keep the BG/NBD likelihood; only *when* purchases happen inside the window moves
      (peaks on 双11, dips in 春节 week).  Effect on recovery: a plain BG/NBD fit (day units, T to the end of
      ``as_of``) on :func:`simulate_orders` at 100k members gives r 0.71, α 7.9, a 0.81, b 12.7 for the true
      0.7, 7.5, 0.8, 12 — within ~5 %; the residual comes from members who joined just before or after a peak
      (exposure slightly off) and from the campaign orders added on top.
      Day-of-week and time-of-day are then re-drawn per member profile (weekday-lunch / evening / weekend; a
      weekend person moves 60 % of weekday purchases to the next weekend day), which leaves counts unchanged.
    * Campaign coupons add *incremental* orders on top (see campaigns); they do not trigger dropout.

Spend: the Gamma-Gamma story (Fader, Hardie & Lee 2005b)
    * ν ~ Gamma(shape ``q``, rate ``gamma``) per member, then every order's target paid amount z ~ Gamma(``p``, ν);
      E[z | ν] = p / ν is ``expected_order_value`` in the truth.  Spend is independent of λ and p, as the model
      assumes.  z is floored at 3 元.
    * How the basket tracks z: the gross target is G = z + coupon face value + points value; lines are added
      until less than 1 % of G (or 1 元) remains, and when the last line overshoots, the overshoot (≤ 35 % of
      the gross) is given back as a 会员价 / 满减 / 凑单 promotion inside ``discount_amount``.  Hence
      ``net = gross − discount`` always, net = z to the cent for ~77 % of orders and within 3 % of z for
      99.7 % (mean net/z = 1.000 on the default set); Gamma-Gamma fitted on ``net_amount`` recovers p, q, γ
      (100k members, fast path: p 6.4, q 4.0, γ 84 vs 6, 4, 90 — the 双11 coupon floor trims the spread a bit).

Baskets, categories, brands (order_items, products)
    * Catalogue: 9 categories × 4–5 subcategories × 3–5 competing (fictional) brands × 2–3 pack sizes ≈ 400 SKUs.
      Prices end in .9 / 9; unit cost = price × (1 − category margin ± 5 %).
    * Every category has a true repurchase cycle (``CATEGORY_CYCLES``: 生鲜食品 7 d … 数码家电 365 d).
    * Members have Dirichlet category preferences (母婴用品 only for members of parenting age, 美妆 more for women)
      and a ``brand_loyalty`` ℓ ∈ (0, 1): the chance each line picks the member's favourite brand of that category
      (otherwise a uniform brand).  ℓ is a logistic transform of a latent normal correlated (ρ = 0.4) with
      −logit(p): loyal members churn less.  ``loyal`` ⇔ ℓ ≥ 0.6; ``heavy`` ⇔ λ·365·p/ν ≥ 3,000 元 a year
      (≈ the population median); ``archetype`` = heavy/light × loyal/switching.
    * Each line's category is drawn ∝ preference × cycle hazard × affordability.  The hazard depends on the time
      since the member last bought that category in units of its cycle, x = Δ/cycle: a Hill curve
      x⁴ / (0.8⁴ + x⁴) with a 30 % bump around x = 1, never-bought = 1, floor 1e-4.  So a member who bought fresh
      food 2 days ago rarely buys it again today, and one who bought it 7 days ago very likely does.
      Affordability min(1, (1.1·budget / cheapest price)⁶) keeps a 30 元 line out of 数码家电.
    * Lines: 1 + min(Poisson(G / 110 元), 5) planned lines, but no more than the number of categories that are
      due (x ≥ 0.8), so frequent shoppers buy bigger packs / quantities of what is due instead of buying
      everything every time; pack size is uniform among the sizes of the chosen brand that fit the line budget
      (else the brand's cheapest pack in the category), quantity = round(budget / price) capped per category
      (数码 1, 服饰/美妆 2 …).  Up to three closing lines top up the rest from categories already in the basket
      (largest pack that fits, the last one rounded up); if nothing fits, the shop's cheapest item (凑单).
      A SKU picked twice in one basket is merged into one line.
    * Result on the default set: median gap between purchases of a category (same member) 10 d for 生鲜食品
      (true 7), 15 (14) 休闲零食, 29 (30) 粮油调味 / 个护清洁, 42 (45) 美妆护肤, 26 (20) 母婴用品, 72 (90)
      家居用品, 90 (120) 服饰鞋包, 210 (365) 数码家电 — long cycles are right-censored by the 3-year window.
      Mean top-brand share per category: loyal members 0.82, switchers 0.58.

Orders (orders)
    * channel: the member's preferred channel (门店 / 线上商城 / 小程序, driven by age, city tier, source channel
      and whether a store is nearby) with probability 0.7; store orders go to the member's home store (85 %) or
      any store already open; online orders to the virtual store of their channel.
    * payment: preferred method (微信支付, 支付宝, 银行卡, 现金 older members, 储值卡) with probability 0.8; cash
      is never used online.
    * discounts: a new-member coupon (新人券 满59减15) on half the first orders, generic 满减 coupons on 8 % of
      orders, campaign coupons, points (1 point per 元 paid, 100 points = 1 元; 20 % chance to redeem when the
      balance reaches 1,000, up to 20 % of the order), plus the 凑单 promotion above.
    * status: 3 % ``refunded`` (kept in the table; they earn no points).

Campaigns (campaigns, campaign_contacts) – randomised 80 / 20 treatment / control among eligible members
    * C2409 "沉睡会员短信唤醒" – SMS, no-threshold 15 元 coupon, sent 2024-09-10 10:00, valid to 2024-09-30.
      Eligible: sms_consent, first purchase ≥ 90 days before the send, no purchase in the last 45 days.
    * C2511 "双11 APP 推送" – APP push, 满199减30, sent 2025-11-01 20:00, valid to 2025-11-11.
      Eligible: online users (online preference or any online order), first purchase ≥ 31 days before the send.
    * True effect: each member has ``true_uplift`` = probability that the treatment makes them place one extra
      (incremental) order in the window with the coupon; it depends on spend level, loyalty, recency and whether
      the member is really still alive (see ``_campaign_uplift``).  Treated members who open the message also use
      the coupon on orders they would have placed anyway (60 %), so redemptions overstate the effect — the
      treatment−control difference is the honest estimate.
    * Open rates: SMS 18 %, push 10 % (always opened when the incremental order happens).

Events (events) – the web / mini-program tracking log, kept for the last 365 days only (the retention period of
the tracking system; this also caps the volume).  Every online order has a session before it (views of the bought
product and its category, search, cart …); online-active members also browse without buying at 0.6 × their λ.

Feedback (feedback) – ~0.3 messages per member, attached to orders (refunded orders 8× more likely); true
category depends on the order's channel and refund; polarity on the category; rating on polarity (often missing
on the hotline / comment book); text from :func:`helpers.textgen.feedback_texts`; 7 % of the service-desk labels
are wrong (the truth is in ``feedback_truth``); department by :data:`helpers.tables.CATEGORY_DEPARTMENT`;
response / resolution times log-normal by channel and category, some never answered or never resolved (NaT),
and nothing after the end of ``as_of``.

Determinism and scale
    * Every random component has its own ``np.random.SeedSequence(seed, spawn_key=(component, chunk))`` generator;
      members are processed in chunks of ``CHUNK_MEMBERS`` (independent of N), rows are sorted by (member, time),
      ids are global counters, and Parquet is written with fixed options (zstd level 9, fixed row-group size, a
      fixed pandas-metadata block so that ``pd.read_parquet`` returns the CONVENTIONS dtypes, no timestamps or
      paths) – same seed and size ⇒ byte-identical files (for the pinned numpy / pyarrow).
    * Memory is bounded by the chunk: tables are appended with ``pyarrow.parquet.ParquetWriter``.
    * :func:`simulate_orders` is the fast, orders-only path (no baskets, events or feedback) for model-recovery
      studies at 1M members; its members, order times, ids, channels and statuses are the same as in the full world
      and its ``net_amount`` is the Gamma-Gamma target z.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from helpers import tables as T
from helpers.synth import stable as sm
from helpers.synth.stable import STABLE_BITS, stable
from helpers.textgen import POLARITIES, feedback_texts

GENERATOR_VERSION = "2.0.0"
DEFAULT_MEMBERS = 10_000
DEFAULT_SEED = 20251231
DEFAULT_START = "2023-01-01"
DEFAULT_AS_OF = "2025-12-31"
CHUNK_MEMBERS = 20_000  # fixed, independent of N, so that generation is reproducible and memory bounded
ROW_GROUP_SIZE = 1_000_000
PARQUET_OPTIONS = dict(compression="zstd", compression_level=9, use_dictionary=True, write_statistics=True,
                       version="2.6", data_page_size=1 << 20)

#: BG/NBD and Gamma-Gamma population parameters (time unit: day; money: 元)
POPULATION = {
    "r": 0.7,        # shape of λ ~ Gamma(r, alpha)
    "alpha": 7.5,    # rate (days) of λ; mean λ = r/alpha ≈ 0.093 purchases a day ≈ one every 11 days
    "a": 0.8,        # p ~ Beta(a, b): dropout chance after each repeat purchase, mean 0.8/12.8 ≈ 0.063
    "b": 12.0,
    "p": 6.0,        # z ~ Gamma(p, nu): per-order spend, coefficient of variation 1/sqrt(p) ≈ 0.41
    "q": 4.0,        # nu ~ Gamma(q, gamma)
    "gamma": 90.0,   # E[p/nu] = p·gamma/(q−1) = 180 元
}
#: lapse at any time: lifetime hazard μ ~ Gamma(shape, rate) per day, lifetime from joining ~ Exponential(μ)
LIFETIME = {"shape": 0.6, "rate": 0.6 * 700.0}
WINBACK_PROB = 0.3          # chance a lapsed member comes back (once), after WINBACK_MIN_DAYS + Exponential
WINBACK_MIN_DAYS = 30.0
WINBACK_MEAN_DAYS = 150.0   # mean of the exponential part of the gap
SPEND_RATE_NOISE = 0.7      # rank coupling of spend level with λ (smaller: stronger), Spearman ≈ 0.35
MEAN_ORDER_VALUE = POPULATION["p"] * POPULATION["gamma"] / (POPULATION["q"] - 1)
PREMIUM_CATEGORIES = ("美妆护肤", "服饰鞋包", "数码家电", "母婴用品")
PREMIUM_TILT = 0.8          # premium-category preference × (spend level / mean order value) ** PREMIUM_TILT
REG_GROWTH = 1.4            # yearly growth factor of the registration intensity
NEVER_BUY = 0.05            # share of registrations that never purchase (线下活动: double)
FIRST_DELAY_DAYS = 4.0      # mean delay registration → first purchase when not registered at a till
REFUND_RATE = 0.03
HEAVY_ANNUAL_SPEND = 3000.0  # 元 a year while alive: λ·365·p/ν ≥ this ⇒ "heavy" (≈ the population median)
LOYAL_THRESHOLD = 0.6
LABEL_NOISE = 0.07
FEEDBACK_PER_MEMBER = 0.3
EVENT_WINDOW_DAYS = 365
MIN_ORDER_CENTS = 300
HAZARD_FLOOR = 1e-4
HAZARD_HALF = 0.8  # hazard is half its plateau at 0.8 cycles
HAZARD_HALF4 = HAZARD_HALF * HAZARD_HALF * HAZARD_HALF * HAZARD_HALF
BASKET_TOLERANCE = 0.01  # stop filling when the rest is below 1 % of the gross target (or 1 元)

# (category, cycle days, margin, popularity, max quantity per line, subcategories with base price 元, pack sizes)
CATALOGUE = (
    ("生鲜食品", 7, 0.22, 0.20, 5, (("新鲜水果", 19.9), ("时令蔬菜", 6.9), ("肉禽蛋品", 29.9), ("乳品烘焙", 12.9),
                                   ("水产海鲜", 45.9)), ("300g", "500g", "1kg")),
    ("休闲零食", 14, 0.35, 0.17, 6, (("坚果炒货", 29.9), ("饼干糕点", 12.9), ("糖果巧克力", 15.9), ("膨化食品", 6.9),
                                   ("饮料冲调", 5.9)), ("小袋装", "家庭装", "礼盒装")),
    ("粮油调味", 30, 0.18, 0.13, 4, (("大米面粉", 39.9), ("食用油", 59.9), ("调味品", 9.9), ("方便速食", 8.9)),
     ("小规格", "标准装", "大容量")),
    ("个护清洁", 30, 0.40, 0.13, 4, (("洁面护发", 39.9), ("口腔护理", 15.9), ("纸品湿巾", 19.9), ("衣物清洁", 29.9),
                                   ("家庭清洁", 14.9)), ("旅行装", "标准装", "家庭装")),
    ("美妆护肤", 45, 0.55, 0.09, 2, (("面部护肤", 129.0), ("彩妆", 89.0), ("面膜", 59.0), ("身体护理", 49.0)),
     ("体验装", "正装", "套装")),
    ("母婴用品", 20, 0.30, 0.06, 3, (("婴儿奶粉", 239.0), ("纸尿裤", 99.0), ("辅食零食", 29.9), ("洗护用品", 39.9)),
     ("小包装", "标准装", "大包装")),
    ("家居用品", 90, 0.45, 0.08, 3, (("厨房用具", 59.0), ("收纳整理", 29.9), ("床上用品", 159.0), ("餐具水杯", 39.9)),
     ("单件", "两件套", "四件套")),
    ("服饰鞋包", 120, 0.55, 0.08, 2, (("T恤衬衫", 99.0), ("袜子内衣", 29.9), ("运动鞋", 299.0), ("箱包配饰", 149.0)),
     ("基础款", "经典款", "限量款")),
    ("数码家电", 365, 0.15, 0.06, 1, (("手机配件", 39.0), ("耳机音箱", 149.0), ("小家电", 299.0), ("个护电器", 199.0)),
     ("标准版", "升级版", "旗舰版")),
)
CATEGORY_CYCLES = {c[0]: c[1] for c in CATALOGUE}
#: fictional brand names, 3–5 per category; every subcategory of the category carries all of them
BRANDS = {
    "生鲜食品": ("鲜丰源", "绿野农庄", "海之鲜", "田园优选", "牧场时光"),
    "休闲零食": ("咔滋屋", "果仁坊", "甜趣多", "好滋味"),
    "粮油调味": ("金穗丰", "厨乐香", "五谷道", "福满仓"),
    "个护清洁": ("洁净宝", "清芬", "柔雅", "沐恩", "白云朵"),
    "美妆护肤": ("雅露诗", "花映", "素颜记", "珂兰"),
    "母婴用品": ("贝乐安", "小树苗", "萌宝优"),
    "家居用品": ("简居", "木语", "悦家", "禾器"),
    "服饰鞋包": ("步履", "衣尚", "棉间", "行者"),
    "数码家电": ("声悦", "极客派", "小蜂", "电力熊"),
}
#: every brand once, sorted: the dictionary of products.brand
BRAND_NAMES = tuple(sorted({b for bs in BRANDS.values() for b in bs}))
SIZE_MULT = (1.0, 1.8, 3.0)

#: (city, tier, number of stores)  tier: 1 一线, 2 新一线/二线, 3 三线, 4 四线, 5 五线
CITIES = (
    ("上海", 1, 4), ("北京", 1, 3), ("广州", 1, 4), ("深圳", 1, 4),
    ("杭州", 2, 2), ("成都", 2, 2), ("南京", 2, 2), ("苏州", 2, 2), ("武汉", 2, 1), ("长沙", 2, 1), ("东莞", 2, 1),
    ("佛山", 2, 1), ("宁波", 2, 1), ("厦门", 2, 1), ("重庆", 2, 0), ("西安", 2, 0), ("天津", 2, 0), ("郑州", 2, 0),
    ("青岛", 2, 0), ("合肥", 2, 0), ("无锡", 2, 1), ("福州", 2, 0), ("济南", 2, 0), ("昆明", 2, 0),
    ("珠海", 3, 1), ("中山", 3, 1), ("惠州", 3, 1), ("嘉兴", 3, 1), ("绍兴", 3, 1), ("温州", 3, 0), ("台州", 3, 0),
    ("金华", 3, 0), ("南通", 3, 1), ("扬州", 3, 0), ("徐州", 3, 0), ("芜湖", 3, 0), ("汕头", 3, 0), ("江门", 3, 1),
    ("湛江", 3, 0), ("桂林", 3, 0), ("洛阳", 3, 0), ("宜昌", 3, 0),
    ("肇庆", 4, 1), ("清远", 4, 0), ("韶关", 4, 0), ("湖州", 4, 0), ("丽水", 4, 0), ("衢州", 4, 0), ("九江", 4, 0),
    ("岳阳", 4, 0), ("常德", 4, 0), ("阳江", 4, 1), ("茂名", 4, 0), ("宿迁", 4, 0), ("淮安", 4, 0), ("开封", 4, 0),
    ("梅州", 5, 0), ("云浮", 5, 0), ("汕尾", 5, 0), ("河源", 5, 0), ("潮州", 5, 0), ("舟山", 5, 0), ("三明", 5, 0),
)
CITY_NAMES = tuple(c[0] for c in CITIES)
TIER_SHARE = {1: 0.30, 2: 0.34, 3: 0.18, 4: 0.11, 5: 0.07}
STORE_SUFFIX = ("万达店", "中心店", "天街店", "新城店", "站前店", "滨江店")

#: real lunar new year's days (春节, 正月初一)
LUNAR_NEW_YEAR = {2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22",
                  2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06",
                  2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03"}
WEEKDAY_WEIGHT = (0.90, 0.88, 0.90, 0.95, 1.05, 1.20, 1.12)  # Mon … Sun

HOUR_PROFILES = ("weekday_lunch", "evening", "weekend")
PREF_PAYMENT = (0.45, 0.28, 0.10, 0.05, 0.12)  # order of tables.PAYMENT_METHODS

# coupons: id, face value (cents), threshold (cents)
GENERIC_COUPONS = (("Q-299-50", 5000, 29900), ("Q-199-30", 3000, 19900), ("Q-99-10", 1000, 9900))
NEW_MEMBER_COUPON = ("Q-NEW-15", 1500, 5900)
#: coupon codes inside the generator: 0..2 the generic coupons, 3 the new-member coupon, CAMPAIGN_CODE0 + i campaign i
CAMPAIGN_CODE0 = 10


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    channel: str
    send: str        # local send time
    end: str         # last valid day
    offer: str
    coupon_id: str
    face_cents: int
    threshold_cents: int
    cost_per_contact: float
    open_rate: float
    base_uplift: float


CAMPAIGNS = (
    Campaign("C2409", "沉睡会员短信唤醒", "短信", "2024-09-10 10:00:00", "2024-09-30", "无门槛15元券",
             "C2409-SMS15", 1500, 0, 0.05, 0.18, 0.12),
    Campaign("C2511", "双11 APP 推送", "APP推送", "2025-11-01 20:00:00", "2025-11-11", "满199减30券",
             "C2511-APP30", 3000, 19900, 0.01, 0.10, 0.07),
)
TREATMENT_SHARE = 0.8

COMPONENT = {"members": 1, "catalogue": 2, "stores": 3, "timeline": 10, "basket": 11, "events": 12, "feedback": 13,
             "campaigns": 14}


def _rng(seed: int, component: str, chunk: int = 0) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(COMPONENT[component], chunk)))


# ---------------------------------------------------------------------------------------------------------------
# calendar
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class Calendar:
    start: np.datetime64       # day
    as_of: np.datetime64       # day (last day included)
    n_days: int
    weights: np.ndarray        # demand multiplier per day, mean 1
    edges_w: np.ndarray        # W at day boundaries (n_days + 1)
    start_s: int               # epoch seconds of start 00:00 (naive local)

    @property
    def end(self) -> float:
        return float(self.n_days)

    def day_of(self, date: str) -> float:
        return float((np.datetime64(date, "s") - self.start.astype("datetime64[s]")).astype(np.int64)) / 86400.0

    def warp(self, t: np.ndarray) -> np.ndarray:
        return np.interp(t, np.arange(self.n_days + 1, dtype=float), self.edges_w)

    def unwarp(self, w: np.ndarray) -> np.ndarray:
        return np.interp(w, self.edges_w, np.arange(self.n_days + 1, dtype=float))

    def weekday(self, day: np.ndarray) -> np.ndarray:
        base = int((self.start.astype("datetime64[D]").astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday
        return (np.asarray(day, dtype=np.int64) + base) % 7


def demand_weights(start: str, as_of: str) -> np.ndarray:
    """Daily demand multiplier: weekday pattern × Chinese retail calendar, normalised to mean 1 over the period."""
    days = np.arange(np.datetime64(start, "D"), np.datetime64(as_of, "D") + 1)
    n = len(days)
    w = np.ones(n)
    dow = (days.astype(np.int64) + 3) % 7
    w *= np.asarray(WEEKDAY_WEIGHT)[dow]
    years = days.astype("datetime64[Y]").astype(int) + 1970
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    dom = (days - days.astype("datetime64[M]")).astype(int) + 1
    w *= np.where((month == 7) | (month == 8), 0.95, 1.0)
    w *= np.where((month == 10) & (dom <= 7), 1.2, 1.0)                   # 国庆
    w *= np.where((month == 6) & (dom < 18), 1.25, 1.0)                   # 618 warm-up
    w *= np.where((month == 6) & (dom == 18), 2.2, 1.0)                   # 618
    w *= np.where(((month == 10) & (dom == 31)) | ((month == 11) & (dom < 11)), 1.3, 1.0)
    w *= np.where((month == 11) & (dom == 11), 3.0, 1.0)                  # 双11
    w *= np.where((month == 12) & (dom == 12), 1.8, 1.0)                  # 双12
    for y in range(int(years.min()) - 1, int(years.max()) + 2):
        if y not in LUNAR_NEW_YEAR:
            continue
        d = (days - np.datetime64(LUNAR_NEW_YEAR[y], "D")).astype(int)
        w *= np.where((d >= -21) & (d <= -2), 1.0 + 0.6 * (d + 22) / 20.0, 1.0)  # 年货 run-up
        w *= np.where((d >= 0) & (d <= 6), 0.6, 1.0)                               # 春节 holiday
    return w / w.mean()


def make_calendar(start: str, as_of: str) -> Calendar:
    w = demand_weights(start, as_of)
    edges = np.concatenate([[0.0], np.cumsum(w)])
    s = np.datetime64(start, "D")
    return Calendar(start=s, as_of=np.datetime64(as_of, "D"), n_days=len(w), weights=w, edges_w=edges,
                    start_s=int(s.astype("datetime64[s]").astype(np.int64)))


def _sample_days(rng, weights: np.ndarray, n: int) -> np.ndarray:
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(weights) - 1)


def _hours(rng, profile: np.ndarray, online: np.ndarray) -> np.ndarray:
    """Time of day (hours) by hour profile; stores open 08:30–22:00, online any time (evening heavy)."""
    n = len(profile)
    u = rng.random(n)
    lunch = rng.normal(12.4, 0.8, n)
    evening = rng.normal(19.8, 1.4, n)
    flat = rng.uniform(8.5, 22.0, n)
    afternoon = rng.normal(15.0, 2.5, n)
    h = np.where(profile == 0, np.where(u < 0.5, lunch, np.where(u < 0.8, evening, flat)),
                 np.where(profile == 1, np.where(u < 0.7, evening, flat),
                          np.where(u < 0.55, afternoon, np.where(u < 0.8, evening, flat))))
    late = rng.normal(22.5, 1.0, n)
    h = np.where(online & (rng.random(n) < 0.2), late, h)
    store_h = np.clip(h, 8.5, 21.99)
    online_h = np.mod(h, 24.0)
    return np.where(online, online_h, store_h)


# ---------------------------------------------------------------------------------------------------------------
# static tables: catalogue and stores
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class Catalogue:
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
    rng = _rng(seed, "catalogue")
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
    store_id: np.ndarray
    name: np.ndarray
    type: np.ndarray        # index into STORE_TYPES
    city: np.ndarray        # city index, -1 for online
    open_day: np.ndarray    # day relative to start (may be negative)
    open_date: np.ndarray   # datetime64[D]
    n_physical: int


def make_stores(seed: int, cal: Calendar) -> Stores:
    rng = _rng(seed, "stores")
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


# ---------------------------------------------------------------------------------------------------------------
# members (global, vectorised; cheap even at 1M)
# ---------------------------------------------------------------------------------------------------------------

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
    rng = _rng(seed, "members")
    P = POPULATION
    # registration: growth × demand^0.6 over days, time of day later
    tt = np.arange(cal.n_days)
    intensity = sm.power(REG_GROWTH, tt / 365.0) * sm.power(cal.weights, 0.6)
    day = np.sort(_sample_days(rng, intensity, n))
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


#: the archetypes' names in the course text and tables (重度/轻度 = heavy/light buyer, 忠诚/摇摆 = sticks to its
#: favourite brands / switches between brands)
from helpers.truth import ARCHETYPE_ZH, Truth, read_truth  # noqa: E402,F401 - re-exported for old imports

ARCHETYPES = tuple(ARCHETYPE_ZH)


# ---------------------------------------------------------------------------------------------------------------
# timeline: when members buy (BG/NBD + warp + campaigns), how much (Gamma-Gamma), channel, payment, status
# ---------------------------------------------------------------------------------------------------------------

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


def _spell(rng, cal: Calendar, t0, life_end, lam, pdrop):
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


def _alive_at(t, start1, end1, start2, end2) -> np.ndarray:
    """Whether members are in an active spell at time ``t`` (NaN end: still active at the end of the period)."""
    with np.errstate(invalid="ignore"):
        in1 = (start1 <= t) & ~(end1 <= t)
        in2 = (start2 <= t) & ~(end2 <= t)
    return in1 | in2


def _timeline(seed: int, chunk: int, m0: int, m1: int, mb: dict, cal: Calendar, stores: Stores) -> dict:
    rng = _rng(seed, "timeline", chunk)
    P = POPULATION
    M = m1 - m0
    sl = slice(m0, m1)
    lam, pdrop, nu, first_t = mb["lam"][sl], mb["pdrop"][sl], mb["nu"][sl], mb["first_t"][sl]
    mu, life_end = mb["mu"][sl], mb["life_end"][sl]
    buyers = np.nonzero(~np.isnan(first_t))[0]
    # spell 1: from the first purchase until the lifetime ends or the member drops out after a repeat purchase
    t0 = first_t[buyers]
    own1, raw1, lapse1, cause1, reps1 = _spell(rng, cal, t0, life_end[buyers], lam[buyers], pdrop[buyers])
    # win-back: a lapsed member may come back once, with a comeback order, and start a new spell
    lapsed = ~np.isnan(lapse1)
    back = lapse1 + WINBACK_MIN_DAYS + rng.exponential(WINBACK_MEAN_DAYS, len(buyers))
    won = lapsed & (rng.random(len(buyers)) < WINBACK_PROB) & (back < cal.end - 1.0)
    wb = np.nonzero(won)[0]
    life2 = back[wb] + rng.exponential(1.0, len(wb)) / mu[buyers[wb]]
    own2, raw2, lapse2, cause2, _ = _spell(rng, cal, back[wb], life2, lam[buyers[wb]], pdrop[buyers[wb]])
    rep_member = np.concatenate([buyers[own1], buyers[wb], buyers[wb[own2]]])
    spell = np.concatenate([np.ones(len(own1), np.int8), np.full(len(wb) + len(own2), 2, np.int8)])
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
    spell = np.concatenate([np.ones(len(buyers), np.int8), spell])
    n_o = len(mem)
    pref_ch = mb["pref_channel"][sl][mem]
    other = rng.choice(3, size=n_o, p=[0.4, 0.3, 0.3])
    channel = np.where(rng.random(n_o) < 0.7, pref_ch, other)
    channel = np.where(is_first & (mb["src"][sl][mem] == 0), 0, channel)
    hours = _hours(rng, prof[mem], channel != 0)
    t = np.concatenate([t0, day + hours[len(buyers):] / 24.0])
    ft = first_t[mem]
    early = (~is_first) & (t <= ft)
    t = np.where(early, np.minimum(ft + rng.uniform(0.02, 0.2, n_o), cal.end - 1e-4), t)
    t = np.minimum(t, cal.end - 1.0 / 86400)
    # when each spell really ended: its last purchase (dropout after a purchase), or the lifetime's end if that
    # is later than every purchase of the spell (days and hours were re-drawn above)
    last1 = np.full(M, -np.inf)
    np.fmax.at(last1, mem[spell == 1], t[spell == 1])
    last2 = np.full(M, -np.inf)
    np.fmax.at(last2, mem[spell == 2], t[spell == 2])
    end1 = np.full(M, np.nan)     # NaN: the spell had not ended by the end of as_of
    end1[buyers] = np.where(cause1 == 1, last1[buyers], np.where(cause1 == 2, np.fmax(lapse1, last1[buyers]), np.nan))
    never = np.isnan(first_t) & (life_end < cal.end)  # lifetime over before the first purchase (or no purchase)
    end1[never] = life_end[never]
    end2 = np.full(M, np.nan)
    end2[buyers[wb]] = np.where(cause2 == 1, last2[buyers[wb]],
                                np.where(cause2 == 2, np.fmax(lapse2, last2[buyers[wb]]), np.nan))
    back_t = np.full(M, np.nan)
    back_t[buyers[wb]] = back[wb]
    cause_m = np.zeros(M, np.int8)
    cause_m[buyers] = cause1
    cause_m[never] = 2
    reps_m = np.zeros(M, np.int64)
    reps_m[buyers] = reps1
    dropout_t = np.where(np.isnan(back_t), end1, end2)   # the last lapse; NaN while alive
    alive_m = np.isnan(dropout_t)
    z = rng.gamma(P["p"], 1.0, n_o) / nu[mem]
    coupon = np.full(n_o, -1, dtype=np.int64)   # campaign index

    # campaigns
    crng = _rng(seed, "campaigns", chunk)
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
        if c.channel == "短信":
            elig = mb["sms"][sl] & (first_t < send - 90) & (send - last >= 45)
        else:
            np.logical_or.at(online_any, mem[before & (channel != 0)], True)
            elig = ((mb["pref_channel"][sl] != 0) | online_any) & (first_t < send - 31)  # NaN first_t: never eligible
        idx = np.nonzero(elig)[0]
        treat = crng.random(len(idx)) < TREATMENT_SHARE
        recency = send - last[idx]
        alive_send = _alive_at(send, first_t[idx], end1[idx], back_t[idx], end2[idx])
        upl = _campaign_uplift(c, mb, m0 + idx, recency, alive_send)
        inc = treat & (crng.random(len(idx)) < upl)
        opened = treat & (inc | (crng.random(len(idx)) < c.open_rate))
        # organic orders of openers in the window use the coupon (60 %) when the threshold is met
        in_win = (t >= send) & (t < wend)
        opener = np.zeros(M, bool)
        opener[idx[opened]] = True
        use = in_win & opener[mem] & (coupon < 0) & (crng.random(n_o) < 0.6) & (z * 100 + c.face_cents >= c.threshold_cents)
        coupon[use] = ci
        used_m = np.zeros(M, bool)
        used_m[mem[use]] = True
        redeemed = inc | used_m[idx]
        # incremental orders
        k = int(inc.sum())
        im = idx[inc]
        et = send + np.minimum(crng.exponential(2.5, k), wend - send - 0.01)
        ez = crng.gamma(P["p"], 1.0, k) / nu[im]
        if c.threshold_cents:
            ez = np.maximum(ez, (c.threshold_cents - c.face_cents) / 100.0 + crng.uniform(0, 60, k))
        pc = mb["pref_channel"][sl][im]
        if c.channel == "短信":
            ech = np.where(crng.random(k) < 0.7, pc, crng.choice(3, size=k, p=[0.4, 0.3, 0.3]))
        else:
            ech = np.where(pc == 0, 2, pc)
        ext_mem.append(im)
        ext_t.append(np.minimum(et, cal.end - 1.0 / 86400))
        ext_z.append(ez)
        ext_ch.append(ech)
        ext_c.append(np.full(k, ci))
        sent_t = send + crng.uniform(0, 30, len(idx)) / 1440.0
        contacts.append(dict(member=idx, treat=treat, sent_t=sent_t, opened=opened, redeemed=redeemed & treat,
                             uplift=upl))
    if ext_mem:
        em = np.concatenate(ext_mem)
        mem = np.concatenate([mem, em])
        t = np.concatenate([t, np.concatenate(ext_t)])
        z = np.concatenate([z, np.concatenate(ext_z)])
        channel = np.concatenate([channel, np.concatenate(ext_ch)])
        coupon = np.concatenate([coupon, np.concatenate(ext_c)])
        is_first = np.concatenate([is_first, np.zeros(len(em), bool)])
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
                end2=end2, cause=cause_m, reps=reps_m,
                contacts=contacts)


# ---------------------------------------------------------------------------------------------------------------
# baskets: categories (cycle hazard), brands (loyalty), SKUs, quantities, coupons and points
# ---------------------------------------------------------------------------------------------------------------

def _hazard(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x4 = sm.power(x, 4)
        g = x4 / (HAZARD_HALF4 + x4) * (1.0 + 0.3 * sm.exp(-np.square(sm.log(x)) / (2 * 0.3 * 0.3)))
    g = np.where(np.isinf(x), 1.0, g)
    return HAZARD_FLOOR + (1 - HAZARD_FLOOR) * np.nan_to_num(g, nan=0.0)


def _baskets(seed: int, chunk: int, m0: int, m1: int, mb: dict, tl: dict, cat: Catalogue) -> dict:
    rng = _rng(seed, "basket", chunk)
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
    bal = np.zeros(M, np.int64)
    gross = np.zeros(n_o, np.int64)
    disc = np.zeros(n_o, np.int64)
    pts_red = np.zeros(n_o, np.int64)
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
        # points: 100 points = 1 元
        red_yuan = np.where((bal[m] >= 1000) & (rng.random(n) < 0.2) & ~refunded[S],
                            np.minimum(bal[m] // 100, (zz * 0.2 // 100).astype(np.int64)), 0)
        vcents = red_yuan * 100
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
        pts_red[S] = red_yuan * 100
        coupon_code[S] = code
        net = gr - d
        earned = np.where(refunded[S], 0, net // 100)
        bal[m] += earned - red_yuan * 100
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
    return dict(gross=gross, disc=disc, net=net, pts_earned=np.where(refunded, 0, net // 100), pts_red=pts_red,
                coupon_code=coupon_code, l_order=lo, l_line=line_no, l_pid=lp, l_q=lq, l_price=lpr)


# ---------------------------------------------------------------------------------------------------------------
# events and feedback
# ---------------------------------------------------------------------------------------------------------------

def _events(seed: int, chunk: int, m0: int, m1: int, mb: dict, tl: dict, bk: dict, cat: Catalogue,
            cal: Calendar) -> dict:
    rng = _rng(seed, "events", chunk)
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
    b_start = b_day + _hours(rng, mb["profile"][sl][b_mem], np.ones(len(b_mem), bool)) / 24.0
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


def _feedback(seed: int, chunk: int, m0: int, m1: int, tl: dict, cal: Calendar, stores: Stores) -> dict:
    rng = _rng(seed, "feedback", chunk)
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


# ---------------------------------------------------------------------------------------------------------------
# Arrow / Parquet
# ---------------------------------------------------------------------------------------------------------------

ARROW_TYPES = {"id": pa.string(), "str": pa.string(), "category": pa.dictionary(pa.int32(), pa.string()),
               "datetime": pa.timestamp("ns"), "date": pa.date32(), "money": pa.float64(), "float": pa.float64(),
               "int": pa.int64(), "bool": pa.bool_()}


def _with_pandas_metadata(schema: pa.Schema) -> pa.Schema:
    """Attach fixed pandas metadata so ``pd.read_parquet`` yields the CONVENTIONS dtypes directly
    (ids ``string``, categoricals ``category``, ints ``Int64``, bools ``boolean``, timestamps ``datetime64[ns]``)."""
    cols = []
    for f in schema:
        t, meta = f.type, None
        if pa.types.is_dictionary(t):
            pt, nt, meta = "categorical", "int32", {"num_categories": 0, "ordered": False}
        elif pa.types.is_string(t):
            pt, nt = "object", "string"
        elif pa.types.is_int64(t):
            pt, nt = "int64", "Int64"
        elif pa.types.is_boolean(t):
            pt, nt = "bool", "boolean"
        elif pa.types.is_timestamp(t):
            pt, nt = "datetime", "datetime64[ns]"
        elif pa.types.is_date32(t):
            pt, nt = "date", "object"
        else:
            pt, nt = "float64", "float64"
        cols.append({"name": f.name, "field_name": f.name, "pandas_type": pt, "numpy_type": nt, "metadata": meta})
    md = {"index_columns": [], "column_indexes": [], "columns": cols, "attributes": {},
          "creator": {"library": "helpers.generate", "version": GENERATOR_VERSION}, "pandas_version": "3.1.1"}
    return schema.with_metadata({b"pandas": json.dumps(md, ensure_ascii=False, sort_keys=True).encode("utf-8")})


def contract_schema(table: str) -> pa.Schema:
    """The Arrow schema of a contract table: column order and types from :mod:`helpers.tables`."""
    return _with_pandas_metadata(
        pa.schema([pa.field(c.name, ARROW_TYPES[c.kind], nullable=True) for c in T.TABLES[table].columns]))


def _id_strings(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Identifiers ``prefix`` + number zero-padded to ``width`` digits (``M00000042``), as an object array."""
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width)).astype(object)


def _ids(prefix: str, start: int, n: int, width: int) -> pa.Array:
    return pa.array(_id_strings(prefix, np.arange(start, start + n), width), pa.string())


def _dict(codes: np.ndarray, values: tuple, mask: np.ndarray | None = None) -> pa.Array:
    idx = pa.array(np.asarray(codes, dtype=np.int32), pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(list(values), pa.string()))


def _ts(seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(seconds, dtype=np.int64) * 1_000_000_000, pa.timestamp("ns"), mask=mask)


def _money(cents: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(cents, dtype=np.int64) / 100.0, pa.float64())


class _Sink:
    """One ParquetWriter per table, opened lazily, fixed options."""

    def __init__(self, out: Path, wanted: set[str]):
        self.out = out
        self.wanted = wanted
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def write(self, name: str, arrays: dict, schema: pa.Schema | None = None, sub: str = "") -> None:
        if name not in self.wanted and not sub:
            return
        schema = schema or contract_schema(name)
        tbl = pa.Table.from_arrays([arrays[f.name] for f in schema], schema=schema)
        key = f"{sub}/{name}" if sub else name
        if key not in self.writers:
            path = self.out / sub / f"{name}.parquet" if sub else self.out / f"{name}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writers[key] = pq.ParquetWriter(str(path), schema, **PARQUET_OPTIONS)
            self.rows[key] = 0
        self.writers[key].write_table(tbl, row_group_size=ROW_GROUP_SIZE)
        self.rows[key] += tbl.num_rows

    def close(self) -> None:
        for w in self.writers.values():
            w.close()


# ---------------------------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------------------------

ALL_TABLES = tuple(T.TABLES)


@dataclass
class _World:
    n: int
    seed: int
    cal: Calendar
    cat: Catalogue
    stores: Stores
    mb: dict
    counters: dict = field(default_factory=lambda: {"order": 0, "event": 0, "feedback": 0})


def _make_world(n_members: int, seed: int, start: str, as_of: str) -> _World:
    if n_members < 1:
        raise ValueError("n_members must be ≥ 1")
    cal = make_calendar(start, as_of)
    cat = make_catalogue(seed)
    stores = make_stores(seed, cal)
    mb = make_members(n_members, seed, cal, cat, stores)
    return _World(n=n_members, seed=seed, cal=cal, cat=cat, stores=stores, mb=mb)


def _member_ids(m0: int, m1: int) -> np.ndarray:
    """Member ids of members m0 … m1 - 1 (member i is ``M`` + i + 1 in 8 digits)."""
    return _id_strings("M", np.arange(m0 + 1, m1 + 1), 8)


def _members_arrays(w: _World, m0: int, m1: int) -> dict:
    mb, sl = w.mb, slice(m0, m1)
    ref = mb["referrer"][sl]
    phone = np.char.add(np.char.add(np.char.add(mb["prefix"][sl], mb["third"][sl].astype(str)), "****"),
                        np.char.zfill(mb["last4"][sl].astype(str), 4))
    return {
        "member_id": pa.array(_member_ids(m0, m1), pa.string()),
        "register_ts": _ts(w.cal.start_s + mb["reg_s"][sl]),
        "gender": _dict(mb["gender"][sl], T.GENDERS),
        "birth_year": pa.array(mb["birth"][sl], pa.int64(), mask=mb["birth_missing"][sl]),
        "city": _dict(mb["city"][sl], CITY_NAMES),
        "city_tier": pa.array(mb["tier"][sl], pa.int64()),
        "source_channel": _dict(mb["src"][sl], T.SOURCE_CHANNELS),
        "referrer_id": pa.array(_id_strings("M", np.maximum(ref, 0) + 1, 8), pa.string(), mask=ref < 0),
        "sms_consent": pa.array(mb["sms"][sl], pa.bool_()),
        "email_consent": pa.array(mb["email"][sl], pa.bool_()),
        "phone_masked": pa.array(phone.astype(object), pa.string(), mask=mb["phone_missing"][sl]),
    }


LAPSE_CAUSES = ("after_purchase", "lifetime")


def _seconds(cal: Calendar, t: np.ndarray) -> np.ndarray:
    """Epoch seconds of day offsets ``t`` (NaN → 0; mask those)."""
    return np.where(np.isnan(t), 0, cal.start_s + np.floor(np.nan_to_num(t) * 86400)).astype(np.int64)


def _truth_arrays(w: _World, m0: int, m1: int, tl: dict) -> dict:
    mb, sl = w.mb, slice(m0, m1)
    pc = np.argmax(mb["pref"][sl], axis=1)
    return {
        "member_id": pa.array(_member_ids(m0, m1), pa.string()),
        "archetype": _dict(mb["archetype"][sl], ARCHETYPES),
        "purchase_rate_per_day": pa.array(mb["lam"][sl]),
        "dropout_prob": pa.array(mb["pdrop"][sl]),
        "spend_nu": pa.array(mb["nu"][sl]),
        "expected_order_value": pa.array(mb["eov"][sl]),
        "first_purchase_ts": _ts(tl["first_s"], mask=np.isnan(mb["first_t"][sl])),
        "alive_at_as_of": pa.array(tl["alive"], pa.bool_()),
        "dropout_ts": _ts(tl["dropout_s"], mask=np.isnan(tl["dropout_t"])),
        "lifetime_rate_per_day": pa.array(mb["mu"][sl]),
        "lapse_ts": _ts(_seconds(w.cal, tl["end1"]), mask=np.isnan(tl["end1"])),
        "lapse_cause": _dict(np.maximum(tl["cause"] - 1, 0), LAPSE_CAUSES, mask=tl["cause"] == 0),
        "repeats_before_lapse": pa.array(tl["reps"], pa.int64(), mask=tl["cause"] == 0),
        "won_back": pa.array(~np.isnan(tl["back_t"]), pa.bool_()),
        "winback_ts": _ts(_seconds(w.cal, tl["back_t"]), mask=np.isnan(tl["back_t"])),
        "preferred_channel": _dict(mb["pref_channel"][sl], T.CHANNELS),
        "preferred_payment": _dict(mb["pref_pay"][sl], T.PAYMENT_METHODS),
        "hour_profile": _dict(mb["profile"][sl], HOUR_PROFILES),
        "preferred_category": _dict(pc, w.cat.cat_names),
        "brand_loyalty": pa.array(mb["loyalty"][sl]),
        "heavy": pa.array(mb["heavy"][sl], pa.bool_()),
        "loyal": pa.array(mb["loyal"][sl], pa.bool_()),
    }


MEMBER_TRUTH_SCHEMA = _with_pandas_metadata(pa.schema([
    ("member_id", pa.string()), ("archetype", pa.dictionary(pa.int32(), pa.string())),
    ("purchase_rate_per_day", pa.float64()), ("dropout_prob", pa.float64()), ("spend_nu", pa.float64()),
    ("expected_order_value", pa.float64()), ("first_purchase_ts", pa.timestamp("ns")), ("alive_at_as_of", pa.bool_()),
    ("dropout_ts", pa.timestamp("ns")), ("lifetime_rate_per_day", pa.float64()), ("lapse_ts", pa.timestamp("ns")),
    ("lapse_cause", pa.dictionary(pa.int32(), pa.string())), ("repeats_before_lapse", pa.int64()),
    ("won_back", pa.bool_()), ("winback_ts", pa.timestamp("ns")), ("preferred_channel", pa.dictionary(pa.int32(), pa.string())),
    ("preferred_payment", pa.dictionary(pa.int32(), pa.string())),
    ("hour_profile", pa.dictionary(pa.int32(), pa.string())),
    ("preferred_category", pa.dictionary(pa.int32(), pa.string())), ("brand_loyalty", pa.float64()),
    ("heavy", pa.bool_()), ("loyal", pa.bool_()),
]))
CAMPAIGN_EFFECTS_SCHEMA = _with_pandas_metadata(pa.schema([("campaign_id", pa.string()), ("member_id", pa.string()),
                                                           ("true_uplift", pa.float64())]))
FEEDBACK_TRUTH_SCHEMA = _with_pandas_metadata(pa.schema([
    ("feedback_id", pa.string()), ("true_category", pa.dictionary(pa.int32(), pa.string())),
    ("polarity", pa.dictionary(pa.int32(), pa.string()))]))
CATEGORY_CYCLES_SCHEMA = _with_pandas_metadata(pa.schema([("category", pa.string()), ("true_cycle_days", pa.float64())]))


def _coupon_ids() -> dict[int, str]:
    ids = {i: c[0] for i, c in enumerate(GENERIC_COUPONS)}
    ids[3] = NEW_MEMBER_COUPON[0]
    for i, c in enumerate(CAMPAIGNS):
        ids[CAMPAIGN_CODE0 + i] = c.coupon_id
    return ids


def _orders_arrays(w: _World, m0: int, tl: dict, bk: dict | None, first_id: int) -> dict:
    n_o = len(tl["mem"])
    if bk is None:  # fast path: no basket, gross = net = z
        gross = net = tl["z_c"]
        disc = np.zeros(n_o, np.int64)
        pe = np.where(tl["refunded"], 0, net // 100)
        pr = np.zeros(n_o, np.int64)
        code = np.where(tl["coupon"] >= 0, CAMPAIGN_CODE0 + tl["coupon"], -1)
    else:
        gross, disc, net, pe, pr, code = bk["gross"], bk["disc"], bk["net"], bk["pts_earned"], bk["pts_red"], bk["coupon_code"]
    cid = _coupon_ids()
    lut = np.array([cid.get(i, "") for i in range(CAMPAIGN_CODE0 + len(CAMPAIGNS))], dtype=object)
    return {
        "order_id": _ids("O", first_id + 1, n_o, 10),
        "member_id": pa.array(_id_strings("M", tl["mem"] + m0 + 1, 8), pa.string()),
        "order_ts": _ts(tl["t_s"]),
        "store_id": pa.array(w.stores.store_id[tl["store"]], pa.string()),
        "channel": _dict(tl["channel"], T.CHANNELS),
        "payment_method": _dict(tl["pay"], T.PAYMENT_METHODS),
        "gross_amount": _money(gross),
        "discount_amount": _money(disc),
        "net_amount": _money(net),
        "points_earned": pa.array(pe, pa.int64()),
        "points_redeemed": pa.array(pr, pa.int64()),
        "coupon_id": pa.array(lut[np.maximum(code, 0)], pa.string(), mask=code < 0),
        "status": _dict(tl["refunded"].astype(np.int32), T.ORDER_STATUS),
    }


def _static_tables(w: _World, sink: _Sink) -> None:
    cat, st = w.cat, w.stores
    sink.write("products", {
        "product_id": pa.array(cat.product_id, pa.string()), "product_name": pa.array(cat.name, pa.string()),
        "category": _dict(cat.cat, cat.cat_names), "subcategory": _dict(cat.sub, cat.sub_names),
        "brand": _dict(np.searchsorted(np.array(BRAND_NAMES), cat.brand_name.astype(str)), BRAND_NAMES),
        "price": _money(cat.price_c), "unit_cost": _money(cat.cost_c)})
    online = st.city < 0
    sink.write("stores", {
        "store_id": pa.array(st.store_id, pa.string()), "store_name": pa.array(st.name, pa.string()),
        "store_type": _dict(st.type, T.STORE_TYPES), "city": _dict(np.maximum(st.city, 0), CITY_NAMES, mask=online),
        "city_tier": pa.array(np.array([CITIES[c][1] if c >= 0 else 0 for c in st.city]), pa.int64(), mask=online),
        "open_date": pa.array(st.open_date.astype("datetime64[D]").astype(np.int32), pa.date32())})
    camps = [c for c in CAMPAIGNS if 0 <= w.cal.day_of(c.send) < w.cal.end]  # only those inside the period
    sink.write("campaigns", {
        "campaign_id": pa.array([c.campaign_id for c in camps], pa.string()),
        "campaign_name": pa.array([c.name for c in camps], pa.string()),
        "channel": _dict(np.array([CAMPAIGNS.index(c) for c in camps], dtype=np.int64),
                         tuple(c.channel for c in CAMPAIGNS)),
        "start_date": pa.array([np.datetime64(c.send[:10], "D").astype(np.int32).item() for c in camps], pa.date32()),
        "end_date": pa.array([np.datetime64(c.end, "D").astype(np.int32).item() for c in camps], pa.date32()),
        "offer": pa.array([c.offer for c in camps], pa.string()),
        "coupon_id": pa.array([c.coupon_id for c in camps], pa.string()),
        "cost_per_contact": pa.array([c.cost_per_contact for c in camps], pa.float64())})


def _params(w: _World, start: str, as_of: str, stats: dict) -> dict:
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
        "lunar_new_year": {str(k): v for k, v in LUNAR_NEW_YEAR.items()},
        "chunk_members": CHUNK_MEMBERS,
        "rows": stats,
    }


def generate_world(n_members: int = DEFAULT_MEMBERS, seed: int = DEFAULT_SEED, out_dir: str | os.PathLike = "",
                   start: str = DEFAULT_START, as_of: str = DEFAULT_AS_OF, tables=ALL_TABLES,
                   truth: bool = True, verbose: bool = False) -> dict:
    """Generate the world into ``out_dir`` (``<table>.parquet`` + ``truth/``); returns row counts per file.

    ``tables`` limits which contract tables are written (e.g. ``("members", "orders")``); baskets are simulated
    whenever orders, order_items or events are requested (discounts and points depend on them), events and feedback
    only when asked for.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    unknown = set(tables) - set(ALL_TABLES)
    if unknown:
        raise ValueError(f"unknown tables: {sorted(unknown)}")
    wanted = set(tables)
    t_start = time.perf_counter()
    w = _make_world(n_members, seed, start, as_of)
    sink = _Sink(out, wanted)
    _static_tables(w, sink)
    need_basket = bool(wanted & {"orders", "order_items", "events"})
    for chunk, m0 in enumerate(range(0, n_members, CHUNK_MEMBERS)):
        m1 = min(n_members, m0 + CHUNK_MEMBERS)
        tl = _timeline(seed, chunk, m0, m1, w.mb, w.cal, w.stores)
        sink.write("members", _members_arrays(w, m0, m1))
        if truth:
            sink.write("member_truth", _truth_arrays(w, m0, m1, tl), MEMBER_TRUTH_SCHEMA, sub="truth")
        bk = _baskets(seed, chunk, m0, m1, w.mb, tl, w.cat) if need_basket else None
        n_o = len(tl["mem"])
        first_order = w.counters["order"]
        if "orders" in wanted:
            sink.write("orders", _orders_arrays(w, m0, tl, bk, first_order))
        if "order_items" in wanted and bk is not None:
            lo = bk["l_order"]
            sink.write("order_items", {
                "order_id": _ids("O", first_order + 1, n_o, 10).take(pa.array(lo)),
                "line_no": pa.array(bk["l_line"], pa.int64()),
                "product_id": pa.array(w.cat.product_id[bk["l_pid"]], pa.string()),
                "quantity": pa.array(bk["l_q"], pa.int64()),
                "unit_price": _money(bk["l_price"]),
                "line_amount": _money(bk["l_price"] * bk["l_q"])})
        w.counters["order"] += n_o
        if "events" in wanted:
            ev = _events(seed, chunk, m0, m1, w.mb, tl, bk, w.cat, w.cal)
            ne = len(ev["mem"])
            sink.write("events", {
                "event_id": _ids("E", w.counters["event"] + 1, ne, 10),
                "member_id": pa.array(_member_ids(m0, m1)[ev["mem"]], pa.string()),
                "event_ts": _ts(ev["ts"]), "event_type": _dict(ev["type"], T.EVENT_TYPES),
                "product_id": pa.array(w.cat.product_id[np.maximum(ev["pid"], 0)], pa.string(), mask=ev["pid"] < 0),
                "channel": _dict(ev["channel"], T.CHANNELS)})
            w.counters["event"] += ne
        # campaign contacts
        cids, mids, arm, sent, opened, red, upl = [], [], [], [], [], [], []
        for ci, c in enumerate(CAMPAIGNS):
            ct = tl["contacts"][ci]
            if ct is None or len(ct["member"]) == 0:
                continue
            k = len(ct["member"])
            cids.append(np.full(k, c.campaign_id, dtype=object))
            mids.append(_member_ids(m0, m1)[ct["member"]])
            arm.append(np.where(ct["treat"], 0, 1))
            sent.append(w.cal.start_s + np.floor(ct["sent_t"] * 86400).astype(np.int64))
            opened.append(ct["opened"])  # False for control, written as null
            red.append(ct["redeemed"])
            upl.append(ct["uplift"])
        if cids:
            treat = np.concatenate(arm) == 0
            sink.write("campaign_contacts", {
                "campaign_id": pa.array(np.concatenate(cids), pa.string()),
                "member_id": pa.array(np.concatenate(mids), pa.string()),
                "arm": _dict(np.concatenate(arm), T.CAMPAIGN_ARMS),
                "sent_ts": _ts(np.concatenate(sent), mask=~treat),
                "opened": pa.array(np.concatenate(opened), pa.bool_(), mask=~treat),
                "redeemed": pa.array(np.concatenate(red), pa.bool_())})
            if truth:
                sink.write("campaign_effects", {"campaign_id": pa.array(np.concatenate(cids), pa.string()),
                                                "member_id": pa.array(np.concatenate(mids), pa.string()),
                                                "true_uplift": pa.array(np.concatenate(upl))},
                           CAMPAIGN_EFFECTS_SCHEMA, sub="truth")
        if "feedback" in wanted:
            fb = _feedback(seed, chunk, m0, m1, tl, w.cal, w.stores)
            nf = len(fb["mem"])
            fids = _ids("FB", w.counters["feedback"] + 1, nf, 8)
            labels = fb["label"]
            dept = np.array([T.DEPARTMENTS.index(T.CATEGORY_DEPARTMENT[c]) for c in FB_CATS])[labels]
            sink.write("feedback", {
                "feedback_id": fids,
                "member_id": pa.array(_member_ids(m0, m1)[fb["mem"]], pa.string(), mask=fb["anon"]),
                "channel": _dict(fb["channel"], T.FEEDBACK_CHANNELS), "created_ts": _ts(fb["created_s"]),
                "text": pa.array(fb["text"], pa.string()),
                "rating": pa.array(fb["rating"], pa.int64(), mask=fb["rating_null"]),
                "category": _dict(labels, FB_CATS), "department": _dict(dept, T.DEPARTMENTS),
                "first_response_ts": _ts(fb["fr_s"], mask=~fb["fr_ok"]),
                "resolved_ts": _ts(fb["rs_s"], mask=~fb["rs_ok"])})
            if truth:
                sink.write("feedback_truth", {"feedback_id": fids, "true_category": _dict(fb["true_cat"], FB_CATS),
                                              "polarity": _dict(fb["pol"], POLARITIES)},
                           FEEDBACK_TRUTH_SCHEMA, sub="truth")
            w.counters["feedback"] += nf
        if verbose:
            print(f"  chunk {chunk}: members {m0}–{m1}, orders {n_o:,}, {time.perf_counter() - t_start:.1f}s",
                  file=sys.stderr)
    # empty contract tables still get a file with the right schema
    for name in ALL_TABLES:
        if name in wanted and name not in sink.writers:
            sink.write(name, {f.name: pa.array([], f.type) for f in contract_schema(name)})
    sink.close()
    stats = dict(sorted(sink.rows.items()))
    if truth:
        tdir = out / "truth"
        tdir.mkdir(exist_ok=True)
        cyc = pa.Table.from_arrays([pa.array(list(CATEGORY_CYCLES), pa.string()),
                                    pa.array(list(CATEGORY_CYCLES.values()), pa.float64())],
                                   schema=CATEGORY_CYCLES_SCHEMA)
        pq.write_table(cyc, tdir / "category_cycles.parquet", **PARQUET_OPTIONS)
        for name in ("campaign_effects", "feedback_truth"):
            if not (tdir / f"{name}.parquet").exists():
                schema = CAMPAIGN_EFFECTS_SCHEMA if name == "campaign_effects" else FEEDBACK_TRUTH_SCHEMA
                pq.write_table(schema.empty_table(), tdir / f"{name}.parquet", **PARQUET_OPTIONS)
        with open(tdir / "params.json", "w", encoding="utf-8") as fh:
            json.dump(_params(w, start, as_of, stats), fh, ensure_ascii=False, indent=2, sort_keys=False)
            fh.write("\n")
    return stats


def simulate_orders(n_members: int, seed: int = DEFAULT_SEED, start: str = DEFAULT_START, as_of: str = DEFAULT_AS_OF):
    """Fast orders-only simulation (no baskets / events / feedback) → ``(members, orders, truth)`` DataFrames.

    Same members, order ids, times, channels, payment and status as :func:`generate_world` with the same seed and
    size; ``net_amount`` (= ``gross_amount``) is the Gamma-Gamma draw z.  Meant for model-recovery studies
    (BG/NBD / Gamma-Gamma at 1M members in about a minute).
    """
    w = _make_world(n_members, seed, start, as_of)
    mem_t, ord_t, tru_t = [], [], []
    n_orders = 0
    for chunk, m0 in enumerate(range(0, n_members, CHUNK_MEMBERS)):
        m1 = min(n_members, m0 + CHUNK_MEMBERS)
        tl = _timeline(seed, chunk, m0, m1, w.mb, w.cal, w.stores)
        mem_t.append(pa.Table.from_pydict(_members_arrays(w, m0, m1), schema=contract_schema("members")))
        ord_t.append(pa.Table.from_pydict(_orders_arrays(w, m0, tl, None, n_orders), schema=contract_schema("orders")))
        tru_t.append(pa.Table.from_pydict(_truth_arrays(w, m0, m1, tl), schema=MEMBER_TRUTH_SCHEMA))
        n_orders += len(tl["mem"])
    return tuple(pa.concat_tables(x).to_pandas() for x in (mem_t, ord_t, tru_t))


# ---------------------------------------------------------------------------------------------------------------
# data dictionary
# ---------------------------------------------------------------------------------------------------------------

KIND_DOC = {"id": ("string", "标识符"), "str": ("string", "文本"), "category": ("category", "类别"),
            "datetime": ("datetime64[ns]", "时间"), "date": ("date", "日期"), "money": ("float64", "金额"),
            "float": ("float64", "数值"), "int": ("Int64", "整数"), "bool": ("boolean", "布尔")}


def data_dictionary_markdown() -> str:
    """Bilingual data dictionary of every contract table, derived from :mod:`helpers.tables`."""
    lines = []
    for t in T.TABLES.values():
        key = ", ".join(t.key)
        lines.append(f"### `{t.name}` — {t.zh} · {t.en}")
        lines.append("")
        head = f"主键 key: `{key}`" + (" · 必需表 required table" if t.required else "")
        if t.foreign_keys:
            fks = ", ".join(f"`{c}` → `{tt}.{cc}`" for c, (tt, cc) in t.foreign_keys.items())
            head += f" · 外键 foreign keys: {fks}"
        lines.append(head)
        lines.append("")
        lines.append("| 列 column | 类型 type | 单位 unit | 中文名 | meaning | 取值 values / 约束 |")
        lines.append("|---|---|---|---|---|---|")
        for c in t.columns:
            dtype, zh_kind = KIND_DOC[c.kind]
            cons = []
            if c.allowed:
                cons.append(" / ".join(c.allowed))
            if c.min_value is not None:
                cons.append(f"≥ {c.min_value:g}")
            if c.required:
                cons.append("必需 required")
            if not c.nullable:
                cons.append("非空 not null")
            lines.append(f"| `{c.name}` | {dtype} ({zh_kind}) | {c.unit} | {c.zh} | {c.en} | {'; '.join(cons)} |")
        lines.append("")
    return "\n".join(lines)


README_MARKER = "`tests/test_generate.py` checks that this section is up to date.\n\n"


def update_readme(path: str | os.PathLike | None = None) -> Path:
    """Rewrite the data-dictionary section of ``datasets/README.md`` (everything after ``README_MARKER``)."""
    path = Path(path) if path else Path(__file__).resolve().parents[1] / "datasets" / "README.md"
    text = path.read_text(encoding="utf-8")
    head, sep, _ = text.partition(README_MARKER)
    if not sep:
        raise ValueError(f"{path}: marker line not found")
    path.write_text(head + sep + data_dictionary_markdown() + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m helpers generate",
                                 description="Write a synthetic retail world (Parquet tables + truth/) / 生成模拟数据")
    ap.add_argument("--members", type=int, default=DEFAULT_MEMBERS, help="number of members (default 10000)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 20251231)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--start", default=DEFAULT_START, help="first day of the period (YYYY-MM-DD)")
    ap.add_argument("--as-of", default=DEFAULT_AS_OF, help="last day of the period (YYYY-MM-DD)")
    ap.add_argument("--tables", default=",".join(ALL_TABLES),
                    help="comma-separated subset of tables to write (default: all)")
    ap.add_argument("--no-truth", action="store_true", help="do not write truth/")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    tables = tuple(s.strip() for s in args.tables.split(",") if s.strip())
    t0 = time.perf_counter()
    try:
        stats = generate_world(args.members, args.seed, args.out, start=args.start, as_of=args.as_of,
                               tables=tables, truth=not args.no_truth, verbose=not args.quiet)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        for k, v in stats.items():
            print(f"{k:<28} {v:>12,} rows")
        print(f"written to {args.out} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
