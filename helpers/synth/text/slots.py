"""Slots of the feedback grammar (``{prod}``, ``{price}``, ``{order}`` …) and the per-call context they draw from.

A slot is a function of the dice and the context. The context holds the lexicon (built-in fictional names from
``grammar/lexicon.json``, overridden by the caller's ``context``: the chain's own stores, cities, brands) and the
per-message state, so a message names one product throughout and defect words fit it (strawberries go mouldy,
earphones lose a channel). Masked numbers only: no run of 11 digits is ever produced.
"""

# typography: ignore-file — the Chinese strings here are synthetic data (names, values, member-typed text), not
# prose: typesetting them would change the generated data and the real-export spellings they imitate.

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from helpers.synth.text import grammar as G
from helpers.synth.text.dice import Dice
from helpers.synth.text.template import compiled, expand

__all__ = ["SLOTS", "Ctx", "render", "slot_venue", "PLACE_CUTS"]

class Ctx:
    """Per-call lexicon (built-ins overridden by ``context``) plus per-message state."""

    def __init__(self, context: Mapping[str, Any] | None) -> None:
        context = dict(context or {})

        def names(key: str) -> tuple[str, ...]:  # lists, tuples, arrays or Series; empty / missing -> ()
            v = context.get(key)
            return () if v is None or isinstance(v, str | Mapping) else tuple(str(x) for x in v if str(x))

        self.cities = names("cities") or G.CITIES
        # brands: a mapping retail category -> names prefixes products of that category; a plain list only fills
        # the category-free {brand} slot ("一直买X家的东西"), since a brand must not land on a foreign product
        brands = context.get("brands")
        self.brands_by_cat: dict[str, tuple[str, ...]] = dict(G.BRANDS)
        if isinstance(brands, Mapping):
            for k, v in brands.items():
                if k in G.BRANDS and len(v):
                    self.brands_by_cat[k] = tuple(str(x) for x in v)
        self.brands = names("brands") or tuple(b for bs in self.brands_by_cat.values() for b in bs)
        self.tiers = names("tiers") or G.TIERS
        self.stores = names("stores") or None
        # products: mapping retail category -> names, sequence of (name, category) pairs, or plain names
        self.by_cat: dict[str, tuple[str, ...]] = {k: v["items"] for k, v in G.PRODUCTS.items()}
        self.plain: tuple[str, ...] = ()
        prods = context.get("products")
        if prods is not None and len(prods):
            if isinstance(prods, Mapping):
                for k, v in prods.items():
                    if k in G.PRODUCTS and len(v):
                        self.by_cat[k] = tuple(v)
            else:
                extra: dict[str, list[str]] = {}
                plain: list[str] = []
                for p in prods:
                    if isinstance(p, tuple | list) and len(p) == 2 and p[1] in G.PRODUCTS:
                        extra.setdefault(p[1], []).append(str(p[0]))
                    else:
                        plain.append(str(p))
                for k, v in extra.items():
                    self.by_cat[k] = tuple(v)
                self.plain = tuple(plain)
        self.state: dict[str, Any] = {}


def _pc(d: Dice, c: Ctx) -> str:
    """The retail category of the message's product (fixed on first use)."""
    pc = c.state.get("pc")
    if pc is None:
        pc = c.state["pc"] = d.pick(G.RETAIL_CATEGORIES)
    return pc


def _slot_prod(d: Dice, c: Ctx) -> str:
    name = c.state.get("prod")
    if name is None:
        pc = _pc(d, c)
        if c.plain and d.chance(0.4):
            name = d.pick(c.plain)
        else:
            name = d.pick(c.by_cat[pc])
            if d.chance(0.15):
                name = d.pick(c.brands_by_cat[pc]) + ("的" if d.chance(0.3) else "") + name
        c.state["prod"] = name
    return name


def _slot_qty(d: Dice, c: Ctx) -> str:
    unit = d.pick(G.PRODUCTS[_pc(d, c)]["units"])
    if d.chance(0.3):
        return f"{d.int(2, 12)}{unit}"
    return d.pick(G.CN_NUM) + unit


def _slot_price(d: Dice, c: Ctx) -> str:
    r = d.u()
    if r < 0.4:
        return f"{d.int(9, 299)}.{d.pick(('9', '8', '5', '9'))}元"
    if r < 0.6:
        return f"{d.int(5, 999)}元"
    if r < 0.75:
        return f"¥{d.int(9, 499)}"
    if r < 0.9:
        return d.pick(("一百多", "两百多", "三十多", "五十几", "八十多", "四百多")) + d.pick(("块", "块钱", "元"))
    return f"{d.int(10, 99)}块"


def _slot_money(d: Dice, c: Ctx) -> str:
    r = d.u()
    if r < 0.5:
        return f"{d.int(3, 80)}元"
    if r < 0.8:
        return f"{d.int(3, 50)}块钱"
    return d.pick(("十几块", "二十多块", "好几十", "一百多"))


def _slot_points(d: Dice, c: Ctx) -> str:
    return str(d.pick((d.int(1, 99) * 100, d.int(5, 60) * 10, d.int(100, 9999))))


def _slot_order(d: Dice, c: Ctx) -> str:
    r = d.u()
    tail = f"{d.int(0, 9999):04d}"
    if r < 0.35:
        return f"订单号{d.pick(('', '：', ':', ' '))}{d.int(2023, 2025)}****{tail}"
    if r < 0.6:
        return f"订单尾号{tail}"
    if r < 0.8:
        return f"单号{d.pick(('', '：'))}DD****{tail}"
    return d.pick(("我的订单", "这个订单", "这单", "那一单"))


def _slot_phone(d: Dice, c: Ctx) -> str:
    return f"1{d.pick(('3', '5', '8', '7'))}{d.int(0, 9)}****{d.int(0, 9999):04d}"


def _slot_store(d: Dice, c: Ctx) -> str:
    if c.stores and d.chance(0.7):
        return d.pick(c.stores)
    return d.pick(G.ROADS) + d.pick(("店", "店", "店", "那家店", "门店", "分店"))


def _city_store(d: Dice, c: Ctx) -> str:
    store = _slot_store(d, c)
    if any(city in store for city in c.cities):
        return store
    return d.pick(c.cities) + d.pick(("的", "")) + store


#: cumulative cut-offs (one store of the chain, city + store, online channel); above the last a generic shop word
PLACE_CUTS = (0.45, 0.6, 0.75)  # where something happened: a store or an online channel
SHOP_CUTS = (0.55, 0.7, 0.7)    # a physical store (for parking, toilets, cashiers …): never online


def slot_venue(d: Dice, c: Ctx, cuts: tuple[float, float, float]) -> str:
    """Where something happened: a store of the chain, city + store, an online channel, or a shop word."""
    r = d.u()
    if r < cuts[0]:
        return d.pick(("", "", "你们", "你们")) + _slot_store(d, c)
    if r < cuts[1]:
        return _city_store(d, c)
    if r < cuts[2]:
        return d.pick(("线上商城", "小程序", "小程序上", "商城", "APP上"))
    return d.pick(("店里", "门店", "你们店", "超市", "家门口的店", "你们这家店"))


def _slot_city(d: Dice, c: Ctx) -> str:
    return d.pick(c.cities)


def _slot_tier(d: Dice, c: Ctx) -> str:
    t = d.pick(c.tiers)
    if c.state.get("tier") == t and len(c.tiers) > 1:
        t = c.tiers[(c.tiers.index(t) + 1) % len(c.tiers)]
    c.state["tier"] = t
    return t


def _from_pc(key: str):
    """A defect / praise / oddity word that fits the message's product."""
    def slot(d: Dice, c: Ctx) -> str:
        words = G.PRODUCTS[_pc(d, c)][key]
        prod = c.state.get("prod", "")
        fitting = [w for w in words if "@" not in w or any(k in prod for k in w.split("@")[1].split("/"))]
        return d.pick(fitting or [w for w in words if "@" not in w]).split("@")[0]
    return slot


def _slot_fresh(d: Dice, c: Ctx) -> str:
    """A fresh-food product (cold-chain messages)."""
    if "prod" not in c.state:
        c.state["pc"] = "生鲜食品"
    return _slot_prod(d, c)


SLOTS = {
    "prod": _slot_prod,
    "fresh": _slot_fresh,
    "qty": _slot_qty,
    "bad": _from_pc("bad"),
    "good": _from_pc("good"),
    "odd": _from_pc("odd"),
    "rc": lambda d, c: d.pick(G.RETAIL_CATEGORIES),
    "brand": lambda d, c: d.pick(c.brands),
    "price": _slot_price,
    "money": _slot_money,
    "points": _slot_points,
    "order": _slot_order,
    "phone": _slot_phone,
    "store": _slot_store,
    "place": lambda d, c: slot_venue(d, c, PLACE_CUTS),
    "shop": lambda d, c: slot_venue(d, c, SHOP_CUTS),
    "city": _slot_city,
    "tier": _slot_tier,
    "staff": lambda d, c: d.pick(G.STAFF),
    "courier": lambda d, c: d.pick(G.COURIERS),
    "time": lambda d, c: d.pick(G.TIMES),
    "clock": lambda d, c: d.pick(G.CLOCKS),
    "days": lambda d, c: d.pick(("三", "四", "五", "六", "七", "八", "十", str(d.int(3, 12)))),
    "hours": lambda d, c: d.pick(("两", "三", "四", "五", str(d.int(2, 9)))),
    "mins": lambda d, c: str(d.pick((d.int(2, 9) * 5, d.int(15, 90)))),
    "full": lambda d, c: str(d.pick((99, 129, 159, 199, 200, 299, 300, 399, 500))),
    "cut": lambda d, c: str(d.pick((10, 15, 20, 30, 40, 50, 60, 100))),
    "wid": lambda d, c: f"{d.pick(('', '', 'A', 'S'))}{d.int(10, 9999):03d}",
    "d4": lambda d, c: f"{d.int(0, 9999):04d}",
    "n": lambda d, c: d.pick(("两", "三", "好几", "四五", "N")),
}

# ---------------------------------------------------------------------------------------------------------------
# grammar: openings, core statements, short clauses, details, closings


def render(template: str, d: Dice, c: Ctx) -> str:
    """One random wording of ``template``."""
    out: list[str] = []
    expand(compiled(template), d, c, out, SLOTS)
    return "".join(out)
