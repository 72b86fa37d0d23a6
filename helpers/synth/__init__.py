"""The synthetic retail world: a Chinese retail chain with a loyalty programme, and the ground truth behind it.

``python -m helpers generate --members 10000 --seed 20251231 --out datasets/default`` writes one Parquet file per
table of :mod:`helpers.tables` (exact contract columns, in contract order) plus ``truth/`` with every latent
quantity the generator drew, so each model of the course can be checked against what really happened — and the
world is deliberately *not* any one model of the course (see "Purchasing"), so a model can be wrong on it.

Layout (one job per file)
    ``config`` every number of the story · ``stable`` rounding that makes the data identical on every CPU ·
    ``calendar`` days, demand calendar, time warp · ``catalogue`` products and stores · ``members`` registration,
    demographics and latent draws · ``spells`` active spells (lifetime, dropout, win-back) · ``timeline`` orders:
    when, channel, payment, store, refund · ``campaigns`` randomised campaigns and their true effect ·
    ``trials`` the multi-arm test and the city programme · ``baskets`` order lines, coupons, points ·
    ``programme`` the loyalty programme's rules and truth · ``loyalty`` tiers, earning, redemption and expiry at work ·
    ``events`` browsing log · ``feedback`` feedback messages · ``text/`` the feedback
    wording (grammar as JSON data files) · ``arrow`` Parquet schemas and writer · ``assemble`` arrays → table
    columns, ``params.json`` · ``world`` :func:`generate_world`, :func:`simulate_orders` · ``dictionary`` the data
    dictionary · ``cli`` the command line. :mod:`helpers.generate` is the stable facade other code imports;
    :mod:`helpers.truth` reads the truth back and documents its columns.

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

Purchasing: BG/NBD ingredients, but not the BG/NBD world
    * λ ~ Gamma(shape ``r``, rate ``alpha``) purchases per day while active, and p ~ Beta(``a``, ``b``), the chance
      of dropping out right *after each repeat purchase* — the two BG/NBD ingredients (Fader, Hardie & Lee 2005).
    * **Lapse at any time.** Each member also has a lifetime from joining, Exponential(μ) with μ ~ Gamma(``LIFETIME``)
      (the Pareto/NBD ingredient), so a member can lapse between purchases — also before any repeat purchase, which
      BG/NBD rules out. μ is paired with λ by rank (``SPEND_RATE_NOISE``: Spearman(λ, μ) ≈ −0.37): light buyers
      leave sooner. A member whose lifetime ends before the first purchase never buys.
    * The first purchase happens at registration (门店注册: minutes later, same visit) or after an exponential
      delay with a mean of 4 days; 5 % (10 % of 线下活动 sign-ups) never buy at all.
    * **Spell 1** runs from the first purchase: repeat purchases are a Poisson(λ) process in *operational time*
      (see seasonality) up to the lifetime's end; with K ~ Geometric(p) only the first min(N, K) are kept. The spell
      ends at the K-th repeat purchase when K ≤ N (``lapse_cause`` after_purchase), else at the lifetime's end when
      that is before the end of ``as_of`` (lifetime), else the member is still active.
    * **Win-back.** A lapsed member comes back once with probability ``WINBACK_PROB`` after 30 days + Exponential
      (mean 150 days): a comeback order starts spell 2 (fresh lifetime and dropout counter, same λ), which can end
      the same two ways. ``won_back``, ``winback_ts`` in the truth; ``alive_at_as_of`` is True when the member is
      in an active spell at the end of ``as_of``; ``dropout_ts`` the end of the last spell for the others.
    * So BG/NBD is misspecified on purpose: it sees no lapse without a repeat purchase (one-time buyers look alive),
      no comeback (a member it calls gone buys again), and the heterogeneity of when members leave is not Beta.
      Module 04 measures where that hurts (holdout purchases by frequency bucket, P(alive) against the truth);
      the parameter-recovery tests run on :func:`helpers.clv.simulate_bgnbd`, the model's own world.
    * Seasonality is a **time warp**: the daily demand calendar w(d) (weekday ×0.88–1.20; 年货 run-up to the real
      lunar new year dates ×1.6, 春节 week ×0.6; 618 ×2.2; 国庆 ×1.2; 双11 ×3.0 with a ×1.3 run-up; 双12 ×1.8;
      summer ×0.95) is normalised to mean 1 over the period and integrated, W(t) = ∫w.  Events are uniform in W, so
      N ~ Poisson(λ·(W(end) − W(t₀))) and only *when* purchases happen inside a window moves (peaks on 双11, dips
      in 春节 week).  Day-of-week and time-of-day are then re-drawn per member profile (weekday-lunch / evening /
      weekend; a weekend person moves 60 % of weekday purchases to the next weekend day).
    * Campaign coupons add *incremental* orders on top (see campaigns); they do not change a member's spells.

Spend: Gamma-Gamma marginals, but spend goes with frequency
    * ν ~ Gamma(shape ``q``, rate ``gamma``) per member, then every order's target paid amount z ~ Gamma(``p``, ν);
      E[z | ν] = p / ν is ``expected_order_value`` in the truth.  z is floored at 3 元.
    * The ν draws are re-assigned to members by rank of λ plus noise (``SPEND_RATE_NOISE``), so the marginal of ν is
      exactly Gamma(q, γ) but members who buy more often spend more per order (Spearman(λ, p/ν) about 0.4 for
      any large world) — the independence Gamma-Gamma assumes does not hold, and its check can fail.
    * Members with a higher spend level prefer the premium categories (``PREMIUM_CATEGORIES`` preference ×
      (p/ν / mean order value)^0.8), so spend level and category mix go together too.
    * How the basket tracks z: the gross target is G = z + coupon face value + points value; lines are added
      until less than 1 % of G (or 1 元) remains, and when the last line overshoots, the overshoot (≤ 35 % of
      the gross) is given back as a 会员价 / 满减 / 凑单 promotion inside ``discount_amount``.  Hence
      ``net = gross − discount`` always and net = z to the cent for most orders.

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
    * Median gaps between purchases of a category track the true cycles (long ones are right-censored by the
      3-year window), and loyal members concentrate on one brand per category (``tests/test_generate.py``).

Orders (orders)
    * channel: the member's preferred channel (门店 / 线上商城 / 小程序, driven by age, city tier, source channel
      and whether a store is nearby) with probability 0.7; store orders go to the member's home store (85 %) or
      any store already open; online orders to the virtual store of their channel.
    * payment: preferred method (微信支付, 支付宝, 银行卡, 现金 older members, 储值卡) with probability 0.8; cash
      is never used online.
    * discounts: a new-member coupon (新人券 满59减15) on half the first orders, generic 满减 coupons on 8 % of
      orders, campaign coupons, points redeemed (100 points = 1 元, see below), plus the 凑单 promotion above.
    * status: 3 % ``refunded`` (kept in the table; they earn no points).

Loyalty programme (points_earned, points_redeemed; ``programme``, ``loyalty``)
    * Tiers follow the retailer's programme (the course's default :class:`helpers.tiers.TierRules`: rolling 12-month
      paid net spend, 银卡 1,000 / 金卡 3,000 / 钻石卡 10,000 元, immediate upgrade, review after 12 months plus one
      month of grace, one level down at a time), month by month with :func:`helpers.tiers.tier_step`.
    * A paid order earns ⌊net × rate⌋ points, the rate of the tier held when ordering (end of the previous month):
      1 / 1.2 / 1.5 / 2 points per 元. Refunded orders earn and redeem nothing.
    * Redemption (own random stream ``loyalty``): once the valid balance reaches 1,000 points, at each paid order
      with probability 15–30 % by tier × √(balance / 1,000) (at most 80 %), at least 60 % when ≥ 100 points expire by
      the end of the next month; as much as allowed (whole 元, ≤ 20 % of the order). The redeemed value enlarges
      the basket like a coupon, so ``net_amount`` stays the member's own spend.
    * Expiry: each order's points expire at the end of the 12th month after the month earned, oldest first (FIFO).
    * Truth: ``loyalty_programme.json`` (rules, totals, outstanding points, breakage over settled points) and
      ``member_points.parquet`` (each member's earned / redeemed / expired / balance and tier at the as-of month).

Campaigns (campaigns, campaign_contacts) – randomised 80 / 20 treatment / control among eligible members
    * C2409 "沉睡会员短信唤醒" – SMS, no-threshold 15 元 coupon, sent 2024-09-10 10:00, valid to 2024-09-30.
      Eligible: sms_consent, first purchase ≥ 90 days before the send, no purchase in the last 45 days.
    * C2511 "双11 APP 推送" – APP push, 满199减30, sent 2025-11-01 20:00, valid to 2025-11-11.
      Eligible: online users (online preference or any online order), first purchase ≥ 31 days before the send.
    * True effect: each member has ``true_uplift`` = probability that the treatment makes them place one extra
      (incremental) order in the window with the coupon; it depends on spend level, loyalty, recency and whether
      the member is really in an active spell at the send (see ``campaigns``).  Treated members who open the
      message also use the coupon on orders they would have placed anyway (60 %), so redemptions overstate the
      effect — the treatment−control difference is the honest estimate.
    * Open rates: SMS 18 %, push 10 % (always opened when the incremental order happens).
    * C2503 "春季回购短信多臂测试" – a three-arm SMS test (``trials``): eligible members (sms_consent, first purchase
      ≥ 60 days before, a purchase in the last year) are split equally into ``control``, ``coupon_20`` (满99减20) and
      ``double_points``; each member's effect under *every* arm is in ``truth/campaign_effects`` (column ``arm``) —
      the coupon moves light, brand-switching members, double points heavy loyal ones.
    * Every order a campaign caused is listed in ``truth/incremental_orders`` (``source`` = campaign id).

City programme (not randomised) – P2504 会员日双倍积分 launched 2025-04-01 in eight cities of Guangdong
(``trials.PROGRAMME``): members living there buy at 1.25 × λ while in an active spell after the launch (extra
orders uniform in operational time, listed in ``truth/incremental_orders`` with ``source`` P2504); the material of
module 08's difference-in-differences.

Events (events) – the web / mini-program tracking log, kept for the last 365 days only (the retention period of
the tracking system; this also caps the volume).  Every online order has a session before it (views of the bought
product and its category, search, cart …); online-active members also browse without buying at 0.6 × their λ.

Feedback (feedback) – ~0.3 messages per member, attached to orders (refunded orders 8× more likely); true
category depends on the order's channel and refund; polarity on the category; rating on polarity (often missing
on the hotline / comment book); text from :func:`helpers.synth.text.feedback_texts`; 7 % of the service-desk labels
are wrong (the truth is in ``feedback_truth``); department by :data:`helpers.tables.CATEGORY_DEPARTMENT`;
response / resolution times log-normal by channel and category, some never answered or never resolved (NaT),
and nothing after the end of ``as_of``.

Determinism and scale
    * Same seed and size ⇒ byte-identical files on every CPU: results of transcendental functions (exp, log,
      power) are rounded to 32 significant bits before they are stored or decide anything (:mod:`.stable`;
      docs/CONVENTIONS.md "Determinism on every CPU"), because NumPy picks those kernels by instruction set.
    * Every random component has its own ``np.random.SeedSequence(seed, spawn_key=(component, chunk))`` generator;
      members are processed in chunks of ``CHUNK_MEMBERS`` (independent of N), rows are sorted by (member, time),
      ids are global counters, and Parquet is written with fixed options (zstd level 9, fixed row-group size, a
      fixed pandas-metadata block so that ``pd.read_parquet`` returns the CONVENTIONS dtypes, no timestamps or
      paths) – same seed and size ⇒ byte-identical files (for the pinned numpy / pyarrow).
    * Memory is bounded by the chunk: tables are appended with ``pyarrow.parquet.ParquetWriter``.
    * :func:`simulate_orders` is the fast, orders-only path (no baskets, events or feedback) for model studies
      at 1M members; its members, order times, ids, channels and statuses are the same as in the full world
      and its ``net_amount`` is the Gamma-Gamma target z.
"""

__all__ = ["generate_world", "simulate_orders"]


def __getattr__(name: str):
    """Lazy re-export: ``import helpers.synth.stable`` (used by clv at run time) must not load the whole generator."""
    if name in __all__:
        from helpers.synth import world

        return getattr(world, name)
    raise AttributeError(f"module 'helpers.synth' has no attribute {name!r}")
