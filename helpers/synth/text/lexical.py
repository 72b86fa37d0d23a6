"""Short reviews built around words of a sentiment lexicon, so a model trained on them learns those words' weights.

Why: the review grammar (:mod:`.general`) uses a few hundred evaluative words; people reviewing use thousands. The
sentiment model reads the lexicon's sums as features, but its n-gram weights only know words it has seen in
training. :func:`lexicon_reviews` writes, for a polarity, one to three clauses about an aspect of a review domain
(``grammar/domains.json``) that carry a lexicon word of that polarity, with degree adverbs, negation of the other
polarity (不 + word, 一点也不 + word), contrast (the clause after 但是 / 不过 decides) and the closing verdicts of the
grammar. Neutral texts mix one positive and one negative clause without a verdict, or state a fact.

The caller passes the words (``word → weight``, e.g. :func:`helpers.feedback.load_lexicon`), so this module does not
depend on the feedback package. Used only to train the sentiment model (:func:`helpers.feedback.review_corpus`).
"""

# typography: ignore-file — the Chinese strings here are synthetic data (member-typed text), not prose.

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from helpers.synth.text import grammar as G
from helpers.synth.text.compose import _roughen
from helpers.synth.text.dice import Dice

__all__ = ["lexicon_reviews"]

_R = G.load("domains")
_NEGATE = ("不", "不太", "不怎么", "并不", "一点也不", "没那么", "不是很")


def _pools(words: Mapping[str, float]) -> tuple[list[str], list[str]]:
    """Positive and negative words that read as a predicate (no negator inside, at most 4 characters, no emoji)."""
    pos, neg = [], []
    for w, s in sorted(words.items()):
        if not 2 <= len(w) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in w) or w[0] in "不没别无非未":
            continue
        (pos if s > 0 else neg if s < 0 else []).append(w)
    return sorted(pos, key=len), sorted(neg, key=len)


def _short(words: Sequence[str]) -> int:
    """Words are sorted two-character first (:func:`_pools`): the number of two-character ones."""
    return sum(len(w) == 2 for w in words)


def _clause(d: Dice, dom: dict, pol: str, pos: Sequence[str], neg: Sequence[str]) -> str:
    aspect = d.pick(d.pick(dom["groups"])["a"]) if d.chance(0.7) else ""
    own, other = (pos, neg) if pol == "positive" else (neg, pos)
    if d.chance(0.2):  # 不 + a two-character predicate reads naturally; idioms are not negated this way
        return aspect + d.pick(_NEGATE) + d.pick(other[:_short(other)])
    word = d.pick(own)
    if len(word) <= 2 and d.chance(0.6):
        word = d.pick(_R["degree"]["strong"] if d.chance(0.8) else _R["degree"]["mild"]) + word
    return aspect + word


def _one(d: Dice, dom: dict, pol: str, pos: Sequence[str], neg: Sequence[str]) -> str:
    if pol == "neutral":
        if d.chance(0.3):
            return d.pick(dom["facts"])
        a, b = _clause(d, dom, "positive", pos, neg), _clause(d, dom, "negative", pos, neg)
        return (a + "，" + b if d.chance(0.5) else b + "，" + a) + d.pick(("，总体一般", "，还行吧", "", "，中规中矩"))
    n = d.weighted((1, 2, 3), (0.45, 0.4, 0.15))
    parts = [_clause(d, dom, pol, pos, neg) for _ in range(n)]
    if n > 1 and d.chance(0.3):  # the other side first, the clause after the contrast decides
        opp = "negative" if pol == "positive" else "positive"
        parts[0] = _clause(d, dom, opp, pos, neg) + d.pick(("，但是", "，不过", "，可是", "，但"))
    out = ""
    for i, p in enumerate(parts):
        out += p
        if i < len(parts) - 1 and not p.endswith(("但是", "不过", "可是", "但")):
            out += d.pick(("，", "，", "。", " "))
    if d.chance(0.35):
        vkey = "verdict_pos" if pol == "positive" else "verdict_neg"
        out += "，" + d.pick(_R[vkey] + dom.get(vkey, []))
    return out + d.pick(("。", "！", "", "~"))


def lexicon_reviews(rng: np.random.Generator, polarities: Sequence[str], words: Mapping[str, float]) -> list[str]:
    """One short review per polarity (``negative`` / ``neutral`` / ``positive``) built around ``words`` of that
    polarity, each about a random review domain; the same generator state and words give the same texts."""
    bad = set(polarities) - set(G.POLARITIES)
    if bad:
        raise ValueError(f"unknown polarities {sorted(bad)}; expected {G.POLARITIES}")
    pos, neg = _pools(words)
    if not pos or not neg:
        raise ValueError("words must hold positive and negative entries of 2-4 Chinese characters")
    d = Dice(rng)
    domains = tuple(_R["domains"])
    return [_roughen(_one(d, _R["domains"][d.pick(domains)], pol, pos, neg), pol, d) for pol in polarities]
