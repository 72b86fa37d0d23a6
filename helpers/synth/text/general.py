"""Reviews written the way people review anything: hotels, restaurants, take-away, electronics, appliances, clothes,
books, cosmetics, groceries, stores and service desks, delivery, toys.

Why: the feedback a retail chain receives (:mod:`.compose`) is one register; a sentiment model that only reads it
learns the chain's incidents, not how Chinese speakers judge. :func:`review_texts` writes single-domain reviews with
an overall polarity from the grammar in ``grammar/domains.json`` (our own words and templates):

* an aspect with a predicate that belongs to it (房间 干净 / 潮, 电池 耐用 / 掉电快), degree adverbs (非常, 有点),
  negation that flips or softens (不太干净, 一点也不贵, 并不好用, 谈不上专业);
* contrast where the clause after 但是 / 不过 / 就是 carries the overall polarity, concessions (虽然…但是…, 尽管…),
  mixed reviews (one aspect disagrees, the verdict decides), comparisons (比别家差远了), rhetorical questions
  (这也叫五星？);
* events that carry polarity without an opinion word (等了四十分钟才办好入住, 孩子吃了两碗饭), background that
  carries none (出差住的), and the colloquial noise of :mod:`.compose` (typos, emoji, repeated punctuation);
* lengths from a two-character verdict to a five-sentence story.

The texts are used only to train the sentiment model (:func:`helpers.feedback.training_corpus`); the generated
world's feedback table keeps its own wording and random stream.
"""

# typography: ignore-file — the Chinese strings here are synthetic data (member-typed text), not prose.

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from helpers.synth.text import grammar as G
from helpers.synth.text.compose import _roughen
from helpers.synth.text.dice import Dice

__all__ = ["DOMAINS", "review_texts"]

_R = G.load("domains")
DOMAINS = tuple(_R["domains"])
_DEG = {"deg": tuple(_R["degree"]["strong"]), "mild": tuple(_R["degree"]["mild"]),
        "slight": tuple(_R["degree"]["slight"])}
_SHAPES = {"positive": tuple(_R["shape_pos"]), "negative": tuple(_R["shape_neg"]), "neutral": tuple(_R["shape_mid"])}
_OPP = {"positive": "negative", "negative": "positive"}


def _fill_pred(d: Dice, pool: Sequence[str], bare: bool) -> str:
    words = [w for w in pool if bare or not w.startswith("!")]
    return d.pick(words or pool).lstrip("!")


def judge(d: Dice, dom: dict, pol: str, group: dict | None = None) -> str:
    """One clause judging an aspect of ``dom``: its meaning is ``pol`` (negation and degree included)."""
    grp = group or d.pick(dom["groups"])
    shape = d.pick(_SHAPES[pol])
    bare = shape in ("{a}{p}", "{a}{n}") or shape.endswith(("{a}{p}，没毛病",))
    out = shape.replace("{a}", d.pick(grp["a"]))
    if "{p}" in out:
        out = out.replace("{p}", _fill_pred(d, grp["p"], bare))
    if "{n}" in out:
        out = out.replace("{n}", _fill_pred(d, grp["n"], bare))
    for key, words in _DEG.items():
        out = out.replace("{" + key + "}", d.pick(words))
    return out


def _contrast(d: Dice, dom: dict, pol: str) -> str:
    tpl = d.pick(_R["contrast_pos" if pol == "positive" else "contrast_neg"])
    groups = dom["groups"]
    g_pos, g_neg = d.pick(groups), d.pick(groups)
    rep = {"{pos}": judge(d, dom, "positive", g_pos), "{neg}": judge(d, dom, "negative", g_neg),
           "{pos2}": _fill_pred(d, g_pos["p"], False), "{p1}": _fill_pred(d, g_pos["p"], False),
           "{n1}": _fill_pred(d, g_neg["n"], False)}
    for k, v in rep.items():
        tpl = tpl.replace(k, v)
    return tpl


def _others(d: Dice, dom: dict, pol: str) -> str:
    """What others said or what was expected, then the writer's own opposite experience (pol)."""
    tpl = d.pick(_R["others_pos" if pol == "positive" else "others_neg"])
    g = d.pick(dom["groups"])
    rep = {"{pos}": judge(d, dom, "positive", g), "{neg}": judge(d, dom, "negative", g),
           "{p1}": _fill_pred(d, g["p"], False), "{n1}": _fill_pred(d, g["n"], False)}
    for k, v in rep.items():
        tpl = tpl.replace(k, v)
    return tpl


def _pros_cons(d: Dice, dom: dict, pol: str) -> str:
    """``优点：… 缺点：… 总结：…`` — the side with more (and stronger) points and the verdict carry the polarity."""
    pc = _R["pros_cons"]
    n_main, n_minor = d.int(1, 3), d.int(0, 1)
    main = "、".join(judge(d, dom, pol) for _ in range(n_main)) if pol != "neutral" else judge(d, dom, "positive")
    opp = _OPP.get(pol, "negative")
    if n_minor and pol != "neutral":
        minor = judge(d, dom, opp)
    elif pol == "neutral":
        minor = judge(d, dom, "negative")
    else:
        minor = d.pick(pc["none"] if pol == "positive" else pc["cheap"])
    pro, con = (main, minor) if pol != "negative" else (minor, main)
    out = d.pick(pc["pro"]) + pro + d.pick(("。", "；", " ", "\n")) + d.pick(pc["con"]) + con
    if d.chance(0.6):
        vkey = {"positive": "verdict_pos", "negative": "verdict_neg", "neutral": "verdict_mid"}[pol]
        out += d.pick(("。", "；", " ")) + d.pick(pc["sum"]) + d.pick(_R[vkey] + dom.get(vkey, []))
    return out


def _review(d: Dice, dom: dict, pol: str) -> str:
    kind = d.weighted(("verdict", "short", "medium", "long", "implicit", "pros_cons", "others"),
                      (0.07, 0.24, 0.30, 0.22, 0.07, 0.06, 0.04 if pol != "neutral" else 0.0))
    vkey = {"positive": "verdict_pos", "negative": "verdict_neg", "neutral": "verdict_mid"}[pol]
    if kind == "verdict":
        return d.pick(_R[vkey] + dom.get(vkey, []))
    if kind == "pros_cons":
        return _pros_cons(d, dom, pol)
    parts: list[str] = []
    if kind == "others":
        if d.chance(0.4):
            parts.append(d.pick(dom["facts"]))
        parts.append(_others(d, dom, pol))
        if d.chance(0.5):
            parts.append(d.pick(_R[vkey] + dom.get(vkey, [])))
        return _join(d, parts)
    if kind == "long" or d.chance(0.15):
        lead = d.pick(_R["lead"])
        if lead:
            parts.append(lead)
    if kind in ("long", "implicit") or (kind == "medium" and d.chance(0.35)):
        parts.append(d.pick(dom["context"]))
    if kind == "long" or (kind == "medium" and d.chance(0.3)):  # facts that carry no opinion
        parts.append(d.pick(dom["facts"]))
        if kind == "long" and d.chance(0.4):
            parts.append(d.pick(dom["facts"]))
    if kind == "implicit":  # polarity only from what happened
        ev = dom["event_pos" if pol == "positive" else "event_neg"] if pol != "neutral" else dom["event_pos"]
        parts.append(d.pick(ev))
        if pol != "neutral" and d.chance(0.5):
            parts.append(d.pick(ev))
        if pol == "neutral":
            parts.append(d.pick(dom["event_neg"]))
        return _join(d, parts)
    n = 1 if kind == "short" else d.int(2, 3) if kind == "medium" else d.int(3, 5)
    if pol == "neutral":
        for _ in range(n):
            parts.append(judge(d, dom, d.pick(("positive", "negative", "neutral", "neutral"))))
    else:
        used_contrast = False
        for i in range(n):
            if not used_contrast and n > 1 and d.chance(0.35):
                parts.append(_contrast(d, dom, pol))
                used_contrast = True
            elif i > 0 and d.chance(0.15):  # a minor point of the other polarity, the rest decides
                parts.append(judge(d, dom, _OPP[pol]))
            else:
                parts.append(judge(d, dom, pol))
        if kind == "short" and d.chance(0.3):
            parts[-1] = _contrast(d, dom, pol)
        if d.chance(0.35 if kind != "short" else 0.15):
            parts.append(d.pick(dom["event_pos" if pol == "positive" else "event_neg"]))
        if d.chance(0.1):
            parts.append(d.pick(_R["compare_pos" if pol == "positive" else "compare_neg"]).replace(
                "{x}", d.pick(_R["x"])))
        if pol == "negative" and d.chance(0.1):
            parts.append(d.pick(_R["question_neg"]).replace("{q}", d.pick(_R["q"])).replace(
                "{a}", d.pick(d.pick(dom["groups"])["a"])))
    if d.chance(0.55 if kind != "short" else 0.4):
        parts.append(d.pick(_R[vkey] + dom.get(vkey, [])))
    elif pol != "neutral" and d.chance(0.1):
        parts.append(d.pick(_R["mild_close_pos" if pol == "positive" else "mild_close_neg"]))
    return _join(d, parts)


def _join(d: Dice, parts: list[str]) -> str:
    out = ""
    for i, p in enumerate(parts):
        out += p
        if i < len(parts) - 1 and p[-1] not in "？?！!。":
            out += d.weighted(("，", "。", " ", ",", "！"), (6, 3, 0.6, 0.6, 0.4))
    if out and out[-1] not in "？?！!。~":
        out += d.weighted(("。", "！", "", "~", "!"), (4, 2, 3, 0.5, 0.5))
    return out


def review_texts(rng: np.random.Generator, polarities: Sequence[str], domains: Sequence[str] | None = None) -> list[str]:
    """One review per polarity (``negative`` / ``neutral`` / ``positive``), each about one domain (random from
    :data:`DOMAINS` unless ``domains`` gives one per review); the same generator state gives the same texts."""
    bad = set(polarities) - set(G.POLARITIES)
    if bad:
        raise ValueError(f"unknown polarities {sorted(bad)}; expected {G.POLARITIES}")
    if domains is not None and len(domains) != len(polarities):
        raise ValueError(f"domains ({len(domains)}) and polarities ({len(polarities)}) differ in length")
    d = Dice(rng)
    out = []
    for i, pol in enumerate(polarities):
        dom = _R["domains"][domains[i] if domains is not None else d.pick(DOMAINS)]
        out.append(_roughen(_review(d, dom, pol), pol, d))
    return out
