"""Evaluative review sentences: an aspect, a degree adverb and a predicate, often negated, plus overall verdicts.

Why: the store-desk statements of ``statements.json`` say *what* happened (草莓发霉了, 骑手态度差); people also
*judge* — "服务不太热情", "价格一点也不贵", "环境还行吧", "虽然贵了点，但是很好吃" — and a sentiment model trained
only on incidents learns the incidents, not the judgement. These sentences carry the grammar of evaluation that
product, shop, restaurant and hotel reviews share: degree adverbs (很 / 有点 / 还算), negation that flips a
predicate (不太好 is negative, 一点也不差 positive), mild middles (中规中矩, 凑合), contrast where the clause after
但是 wins, and verdicts (下次还会再来, 踩雷了). Words and shapes live in ``grammar/reviews.json``.
"""

# typography: ignore-file — the Chinese strings here are synthetic data (member-typed text), not prose.

from __future__ import annotations

from helpers.synth.text import grammar as G
from helpers.synth.text.dice import Dice

__all__ = ["review_clause", "review_message", "verdict"]

_R = G.load("reviews")
ASPECTS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _R["aspects"].items()}
PREDICATES = {(c, p): tuple(v) for c, by in _R["predicates"].items() for p, v in by.items()}
DEGREE = {k: tuple(v) for k, v in _R["degree"].items()}
SHAPE = {k: tuple(v) for k, v in _R["shape"].items()}
MID = tuple(_R["mid"])
VERDICT = {k: tuple(v) for k, v in _R["verdict"].items()}
LEAD = tuple(_R["lead"])
CONTRAST = {k: tuple(v) for k, v in _R["contrast"].items()}


def _pred(d: Dice, cat: str, pol: str, negatable: bool) -> str:
    pool = PREDICATES[(cat, pol)]
    if negatable:
        pool = tuple(w for w in pool if not w.startswith("!") and not w.startswith("不")) or pool
    return d.pick(pool).lstrip("!")


def review_clause(d: Dice, cat: str, pol: str) -> str:
    """One evaluative clause about an aspect of ``cat`` whose meaning is ``pol`` (negation included)."""
    shape = d.pick(SHAPE[pol])
    a = d.pick(ASPECTS[cat])
    out = shape.replace("{a}", a)
    if "{p}" in out:  # a positive predicate: plain (positive) or negated (negative / neutral)
        out = out.replace("{p}", _pred(d, cat, "positive", "不" in shape or "没" in shape), 1)
        out = out.replace("{p}", _pred(d, cat, "positive", True))
    if "{n}" in out:
        out = out.replace("{n}", _pred(d, cat, "negative", "不" in shape or "没" in shape), 1)
        out = out.replace("{n}", _pred(d, cat, "negative", True))
    for key in ("deg", "mild", "slight"):
        slot = "{" + key + "}"
        if slot in out:
            out = out.replace(slot, d.pick(DEGREE["strong" if key == "deg" else key]))
    return out.replace("{mid}", d.pick(MID))


def verdict(d: Dice, pol: str) -> str:
    return d.pick(VERDICT[pol])


def review_message(d: Dice, cat: str, pol: str, others: tuple[str, ...]) -> list[str]:
    """The parts of a review-style message: [lead] judgement(s) about ``cat`` (maybe a contrast) [verdict]."""
    parts: list[str] = []
    if d.chance(0.3):
        parts.append(d.pick(LEAD))
    if d.chance(0.25):  # a longer review: several aspects, one may disagree, the verdict carries the polarity
        n = d.int(3, 5)
        odd = d.int(0, n - 2) if pol != "neutral" and d.chance(0.5) else -1
        for i in range(n):
            c = cat if i == 0 else (d.pick(others) if d.chance(0.6) else cat)
            if pol == "neutral":
                p = d.pick(("positive", "negative", "neutral", "neutral"))
            else:
                p = ("negative" if pol == "positive" else "positive") if i == odd else pol
            parts.append(review_clause(d, c, p))
        parts.append(verdict(d, pol))
        return parts
    if d.chance(0.3):  # a contrast: the clause after 但是 carries the message's polarity
        tpl = d.pick(CONTRAST[pol])
        side = d.pick(others) if d.chance(0.6) else cat
        pos_cat, neg_cat = (side, cat) if pol == "negative" else (cat, side)
        tpl = tpl.replace("{pos}", review_clause(d, pos_cat, "positive"))
        tpl = tpl.replace("{neg}", review_clause(d, neg_cat, "negative"))
        parts.append(tpl.replace("{verdict}", verdict(d, pol)))
    else:
        parts.append(review_clause(d, cat, pol))
        if d.chance(0.35):
            parts.append(d.pick(("而且", "并且", "另外", "，", "")) + review_clause(
                d, d.pick(others) if d.chance(0.5) else cat, pol))
    if d.chance(0.6):
        parts.append(verdict(d, pol))
    return parts
