"""Assembly of one feedback message: shape, parts, a second issue, genuine ambiguity, then typing noise.

:func:`feedback_texts` is the public entry point (re-exported by :mod:`helpers.synth.text` and
:mod:`helpers.textgen`); the story of why the texts look the way they do is in the package docstring.
"""

# typography: ignore-file — the Chinese strings here are synthetic data (names, values, member-typed text), not
# prose: typesetting them would change the generated data and the real-export spellings they imitate.

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from helpers.synth.text import grammar as G
from helpers.synth.text.dice import Dice
from helpers.synth.text.review import review_clause, review_message, verdict
from helpers.synth.text.slots import PLACE_CUTS, Ctx, render, slot_venue

__all__ = ["feedback_texts"]

_TERMINAL = "。！？!?.~…"
_HALF = str.maketrans({"，": ",", "！": "!", "？": "?", "：": ":"})
_JOIN = "\x00"  # marks a part that runs straight into the next one (a connector such as "，但是")


def _end(part: str, polarity: str, d: Dice, final: bool) -> str:
    """Terminate a clause: keep its own ？/！, otherwise add a comma or a sentence end."""
    if part.endswith(_JOIN):
        return part[:-1]
    if not part or part[-1] in _TERMINAL or part[-1] in "，,、：:":
        return part
    if d.chance(0.12) and part[-1] not in "啊呢吧啦哈呀哦嘛了":
        part += d.pick(G.PARTICLES)
    if final:
        return part + d.pick(G.END[polarity])
    return part + d.weighted(("，", "。", "！", " ", ","), (5, 3, 1 if polarity == "negative" else 0.2, 0.5, 0.5))


_OTHERS = {cat: tuple(o for o in G.CATEGORIES if o != cat) for cat in G.CATEGORIES}


def _side(d: Dice, c: Ctx, cat: str, pol: str, full: bool) -> str:
    """A statement about another issue, rendered with its own product state (the main one is kept)."""
    saved, c.state = c.state, {}
    text = render(d.pick(G.CORE[(cat, pol)] if full else G.CLAUSE[(cat, pol)]), d, c)
    c.state = saved
    return text


def _framing(d: Dice, pol: str) -> str:
    """Polarity of the opening / closing: usually the message's own, sometimes a polite neutral frame."""
    if pol != "neutral" and d.chance(0.2):
        return "neutral"
    if pol == "neutral" and d.chance(0.06):
        return d.pick(("negative", "positive"))
    return pol


#: share of each polarity written in the "mild" register shared by two polarities (polarity is then ambiguous)
_MILD_RATE = {"negative": 0.08, "neutral": 0.18, "positive": 0.08}


def _mild(d: Dice, c: Ctx, cat: str, pol: str) -> str:
    """A polite remark whose wording neutral and (negative or positive) messages share."""
    lean = pol if pol != "neutral" else d.pick(("negative", "negative", "positive"))
    parts = []
    if d.chance(0.5):
        parts.append(d.pick(G.OPENINGS["neutral"]))
    if lean == "negative":
        parts.append(d.pick(("感觉", "觉得", "发现", "")) + render(d.pick(G.CLAUSE[(cat, "negative")]), d, c))
        parts.append(d.pick(G.MILD_CLOSE))
    else:
        parts.append(render(d.pick(G.CLAUSE[(cat, "positive")]), d, c))
        parts.append(d.pick(("想问一下", "顺便问下", "另外", "就是想问", "")) + render(
            d.pick(G.CLAUSE[(cat, "neutral")]), d, c) + "？")
    if d.chance(0.4):
        parts.append(d.pick(("谢谢", "辛苦了", "感谢")))
    return "".join(_end(p, "neutral", d, i == len(parts) - 1) for i, p in enumerate(parts))


def _message(d: Dice, c: Ctx, cat: str, pol: str) -> str:
    c.state = {}
    shape = d.weighted(("generic", "mild", "bare", "one", "medium", "long", "review"),
                       (0.055, _MILD_RATE[pol], 0.075, 0.22, 0.40, 0.25, 0.30))
    if shape == "generic":
        return d.pick(G.GENERIC[pol])
    if shape == "review":  # a judgement in the words of any review (negation, degree, contrast, verdict)
        parts = review_message(d, cat, pol, _OTHERS[cat])
        return "".join(_end(p, pol, d, i == len(parts) - 1) for i, p in enumerate(parts))
    if shape == "mild":
        return _mild(d, c, cat, pol)
    if shape == "bare":
        text = render(d.pick(G.CLAUSE[(cat, pol)]), d, c)
        return text + d.pick(G.END[pol] + G.BARE_END.get(pol, ()))

    parts: list[str] = []
    frame = _framing(d, pol)  # polarity of opening and closing (a polite complaint opens and closes neutrally)
    if shape == "long" or d.chance(0.35 if shape == "medium" else 0.12):
        parts.append(d.pick(G.OPENINGS[frame]))
    key = (cat, pol)
    shared = G.SHARED.get(key, ())
    core = render(d.pick(shared)[1] if shared and d.chance(0.3) else d.pick(G.CORE[key]), d, c)
    if pol != "neutral" and shape != "one" and d.chance(0.2):
        core = d.pick(G.TIMES) + d.pick(("，", "", "在" + slot_venue(d, c, PLACE_CUTS) + "，")) + core
    sarcastic = pol == "negative" and frame == "negative" and d.chance(0.08)
    if sarcastic:
        parts.append(render(d.pick(G.SARCASM), d, c))

    # a second issue from another category: before the core (contrast) or after it (addition). The labelled
    # category stays the main issue, so other categories' words appear in a good share of the messages.
    second = None
    if shape != "one" and d.chance(0.3 if shape == "medium" else 0.5):
        other = d.pick(_OTHERS[cat])
        full = d.chance(0.35)
        if pol == "negative":
            if d.chance(0.5) and not sarcastic:
                parts.append(_side(d, c, other, "positive", full)
                             + d.pick(("，但是", "，可是", "，就是", "，不过", "，但", "。但是")) + _JOIN)
            else:
                second = d.pick(("而且", "还有", "另外", "再说", "更气的是")) + _side(d, c, other, "negative", full)
        elif pol == "positive":
            if d.chance(0.45):
                second = d.pick(("唯一不足的是", "就是", "美中不足的是", "要说缺点就是", "不过")) + _side(
                    d, c, other, "negative", False)
            else:
                second = d.pick(("而且", "另外", "还有", "顺便说一句")) + _side(d, c, other, "positive", full)
        else:
            second = d.pick(("另外", "还有", "顺便问一下", "对了", "另外想问")) + "，" + _side(
                d, c, other, "neutral", full)
            if second[-1] not in "？。":
                second += d.pick(("？", "？", "。"))
    if shape == "long" and d.chance(0.55):
        parts.append(render(d.pick(G.STORY), d, c))
    parts.append(core)
    if shape == "long" or (shape == "medium" and d.chance(0.3)):
        pool = G.DETAIL[cat] if d.chance(0.7) else G.DETAIL_ANY
        parts.append(render(d.pick(pool), d, c))
    if shape == "long" and d.chance(0.4):
        parts.append(render(d.pick(G.CORE[(cat, pol)]), d, c))  # a second sentence on the same issue
    if shape != "one" and d.chance(0.3):  # a judgement of the issue, in the words of any review
        parts.append(review_clause(d, cat, pol))
    if second:
        parts.append(second)
    if shape == "long" or (shape == "medium" and d.chance(0.55)) or (shape == "one" and d.chance(0.15)):
        key = (cat, frame)
        if key in G.CLOSE_CAT and d.chance(0.4):
            parts.append(render(d.pick(G.CLOSE_CAT[key]), d, c))
        else:
            parts.append(render(d.pick(G.CLOSE[frame]), d, c))
    if pol != "neutral" and d.chance(0.2):
        parts.append(verdict(d, pol))
    pieces = [_end(p, pol, d, i == len(parts) - 1) for i, p in enumerate(parts)]
    text = "".join(pieces)
    if len(text) > 160:  # keep messages to a realistic length: drop the middle
        text = "".join(pieces[:1] + pieces[-2:]) if len(pieces) > 3 else text[:160]
    return text


_Q_DOUBLE = re.compile(r"(能不能|可不可以|是不是|有没有)([^，。！？,!?]*?)吗([？?])")
_Q_SENT = re.compile(r"[^，。！？,!?]*[？?]")
_Q_WORDS = re.compile(r"吗|呢|么|多少|几|哪|怎|什么|谁|是否|能不能|可不可以|有没有|是不是")


def _tidy_questions(text: str) -> str:
    """"能不能…吗？" → "能不能…？"; a yes/no question "可以…？" gets its "吗"."""
    text = _Q_DOUBLE.sub(r"\1\2\3", text)

    def fix(m: re.Match) -> str:
        q = m.group(0)
        if ("可以" in q or "能" in q) and not _Q_WORDS.search(q):
            return q[:-1] + "吗" + q[-1]
        return q

    return _Q_SENT.sub(fix, text)


def _roughen(text: str, pol: str, d: Dice) -> str:
    """Typing noise: slips, shorthand, particles, emoji, repeated or half-width punctuation."""
    if d.chance(0.07):  # homophone slip
        for _ in range(3):
            a, b = d.pick(G.TYPOS)
            i = text.find(a)
            if i >= 0:
                text = text[:i] + b + text[i + len(a):]
                break
    if d.chance(0.04):
        s = d.pick(G.SLANG[pol])
        text = s + d.pick(("，", " ", "！", "")) + text if d.chance(0.4) else text + d.pick(("", " ")) + s
    if len(text) > 1 and text[-1] in "。！!" and d.chance(0.12):
        text = text[:-1] + d.pick(("！！！", "!!!", "！！", "。。。", "...", "？？", "！？")
                                  if pol == "negative" else ("！！", "!!", "~~", "。。。", "..."))
    elif len(text) > 1 and text[-1] in "？?" and d.chance(0.2):
        text = text[:-1] + d.pick(("？？", "??", "？？？", "。。"))
    if d.chance(0.13):
        e = d.pick(G.EMOJI[pol])
        if d.chance(0.25):
            e *= d.int(2, 3)
        text = e + text if d.chance(0.1) else text + e
    if d.chance(0.12):
        text = text.translate(_HALF)
    if d.chance(0.03):
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if d.chance(0.02):
        text = " " + text if d.chance(0.5) else text + " "
    return text


def feedback_texts(
    rng: np.random.Generator,
    categories: Sequence[str],
    polarities: Sequence[str],
    context: dict | None = None,
) -> list[str]:
    """One synthetic member message per ``(category, polarity)`` pair.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness; the same state gives the same texts.
    categories : sequence of str
        Each one of ``G.CATEGORIES`` (产品质量, 服务态度, 营销活动, 物流配送, 会员权益, 其他) — the main issue.
    polarities : sequence of str
        Each one of ``"negative"``, ``"neutral"``, ``"positive"``; same length as ``categories``.
    context : dict, optional
        Lexicon overrides: ``"products"`` (list of names, list of ``(name, retail_category)`` pairs, or a mapping
        retail category → names), ``"brands"`` (a mapping retail category → names, used as product prefixes, or a
        plain list, used only where a brand stands alone), ``"stores"``, ``"cities"``, ``"tiers"`` (lists of str).
        Missing keys fall back to built-in fictional names.

    Returns
    -------
    list of str, same length as the inputs.
    """
    if len(categories) != len(polarities):
        raise ValueError(f"categories ({len(categories)}) and polarities ({len(polarities)}) differ in length")
    bad_c = set(categories) - set(G.CATEGORIES)
    if bad_c:
        raise ValueError(f"unknown categories {sorted(bad_c)}; expected {G.CATEGORIES}")
    bad_p = set(polarities) - set(G.POLARITIES)
    if bad_p:
        raise ValueError(f"unknown polarities {sorted(bad_p)}; expected {G.POLARITIES}")
    d = Dice(rng)
    c = Ctx(context)
    return [_roughen(_tidy_questions(_message(d, c, cat, pol)), pol, d)
            for cat, pol in zip(categories, polarities, strict=True)]
