"""A sentiment lexicon written for this course, with negation, degree adverbs and contrast.

Why a lexicon beside the learned model: the model learns from the generated feedback, whose words are the chain's;
real reviews (products, restaurants, hotels) use many evaluative words the generator never wrote. A lexicon of
general evaluative words (``data/sentiment.tsv``, ~300 entries, written by hand for this project — no public
lexicon copied), read the way a person reads Chinese, carries the judgement to unseen texts:

* negation flips a word and softens it: ``不太好`` (−0.8 × 好), ``一点也不贵`` (+0.5 × |贵|);
* a degree adverb scales it: ``非常满意`` 1.6 ×, ``有点慢`` 0.6 ×;
* contrast: the clause after 但是 / 可是 / 不过 / 就是 / 可惜 weighs 1.5 ×, the clause before 0.7 ×.

:func:`lexicon_features` returns, per text, positive and negative weight sums and their net, the features the
sentiment model adds to its n-grams.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["lexicon_features", "lexicon_score", "load_lexicon", "token_score"]

_CONTRAST = re.compile(r"但是|可是|不过|可惜|只是|就是|但")  # typography: ignore
_BREAK = set("，。！？,.!?;；~ ")


def _lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def load_lexicon() -> tuple[dict[str, float], tuple[str, ...], dict[str, float], re.Pattern]:
    """(word → weight, negators, degree adverb → factor, one regex matching any lexicon word, longest first)."""
    words = {w: float(s) for w, s in (ln.split("\t") for ln in _lines("sentiment.tsv"))}
    negators = tuple(sorted(_lines("negators.txt"), key=len, reverse=True))
    degree = {w: float(s) for w, s in (ln.split("\t") for ln in _lines("degree.tsv"))}
    alts = []
    for w in sorted(words, key=len, reverse=True):
        if w == "好":  # 好几次, 好久, 好像, 只好 are not praise
            alts.append("(?<![只还])好(?![几久像多在处友歹奇吗些])")  # typography: ignore
        else:
            alts.append(re.escape(w))
    return words, negators, degree, re.compile("|".join(alts))


def _window(text: str, start: int) -> str:
    """Up to 5 characters before ``start`` within the same clause."""
    i = start
    while i > 0 and start - i < 5 and text[i - 1] not in _BREAK:
        i -= 1
    return text[i:start]


def _one(text: str) -> tuple[float, float]:
    words, negators, degree, pattern = load_lexicon()
    pos = neg = 0.0
    cut = None
    for m in _CONTRAST.finditer(text):
        cut = m.end()
    for m in pattern.finditer(text):
        w = words.get(m.group(0), words.get("好", 1.0))
        before = _window(text, m.start())
        negated = any(before.endswith(n) or (n in before and len(n) > 1) for n in negators) and not (
            m.group(0).startswith("不") or m.group(0).startswith("没"))
        factor = 1.0
        for adv, f in degree.items():
            if adv in before:
                factor = f
                break
        if negated:
            w = -0.8 * w if w > 0 else -0.5 * w
            factor = min(factor, 1.0)
        if cut is not None:
            factor *= 1.5 if m.start() >= cut else 0.7
        v = w * factor
        if v > 0:
            pos += v
        else:
            neg -= v
    return pos, neg


def lexicon_features(texts) -> np.ndarray:
    """Per text: positive sum, negative sum, net (pos − neg) and net / (1 + pos + neg); shape (n, 4)."""
    out = np.zeros((len(texts), 4))
    for i, t in enumerate(texts):
        p, n = _one(str(t).lower())
        out[i] = (p, n, p - n, (p - n) / (1.0 + p + n))
    return out


def lexicon_score(texts) -> np.ndarray:
    """A 0–1 score from the lexicon alone (0.5 = no opinion word): 0.5 + 0.5 × net / (1 + pos + neg)."""
    return 0.5 + 0.5 * lexicon_features(texts)[:, 3]


def token_score(words, lexicon: dict[str, float], negators) -> float:
    """The lexicon idea in its simplest form: the sum of the weights of the words found in ``lexicon``; a word
    right after a negator (the previous word is in ``negators``) counts with the opposite sign."""
    neg = set(negators)
    total = 0.0
    for i, w in enumerate(words):
        if w in lexicon:
            total += -lexicon[w] if i > 0 and words[i - 1] in neg else lexicon[w]
    return float(total)
