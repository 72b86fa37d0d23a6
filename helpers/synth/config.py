"""Every number of the synthetic world's story in one place: population parameters, catalogue, cities, calendar,
coupons, campaigns, and the seeding scheme.

Why one file: the story (``helpers/synth/__init__.py``) quotes these numbers, ``truth/params.json`` records them,
and the tests compare the data with them; keeping them together makes a change of the world one diff.
"""

# typography: ignore-file — the Chinese strings here are synthetic data (names, values, member-typed text), not
# prose: typesetting them would change the generated data and the real-export spellings they imitate.

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.truth import ARCHETYPE_ZH

GENERATOR_VERSION = "2.2.0"
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
    """One marketing campaign: message, send time, coupon, cost, open rate and base uplift."""

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
             "C2511-APP30", 3000, 19900, 0.01, 0.10, 0.08),
    # multi-arm test (control + two offers, equal allocation): arms and effects in helpers/synth/trials.py
    Campaign("C2503", "春季回购短信多臂测试", "短信", "2025-03-12 10:00:00", "2025-03-25", "满99减20券 / 双倍积分",
             "C2503-SMS20", 2000, 9900, 0.05, 0.20, 0.0),
)
TREATMENT_SHARE = 0.8

#: the archetypes' names in the course text and tables (重度/轻度 = heavy/light buyer, 忠诚/摇摆 = sticks to its
#: favourite brands / switches between brands); Chinese names in :data:`helpers.truth.ARCHETYPE_ZH`
ARCHETYPES = tuple(ARCHETYPE_ZH)
#: why a member's first active spell ended (``truth/member_truth.lapse_cause``)
LAPSE_CAUSES = ("after_purchase", "lifetime")

COMPONENT = {"members": 1, "catalogue": 2, "stores": 3, "timeline": 10, "basket": 11, "events": 12, "feedback": 13,
             "campaigns": 14, "programme": 15, "loyalty": 16}


def component_rng(seed: int, component: str, chunk: int = 0) -> np.random.Generator:
    """The random generator of one component (and chunk): independent streams, same draws whatever N is."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(COMPONENT[component], chunk)))
