"""A sentiment lexicon written for this course, with negation, degree adverbs and contrast.

Why a lexicon beside the learned model: the model learns from the generated feedback, whose words are the chain's;
real reviews (products, restaurants, hotels) use many evaluative words the generator never wrote. A lexicon of
evaluative words, read the way a person reads Chinese, carries the judgement to unseen texts. Two files, both
authored by this project (no public sentiment lexicon copied): ``data/sentiment.tsv`` (~1,200 words and review
phrases written by hand) and ``data/sentiment_wide.tsv`` (~2,600 more: candidates from jieba's MIT-licensed
dictionary — frequent adjectives, idioms, verbs — and review vocabulary, each polarity decided by hand). A text is
scanned left to right for the longest lexicon word at each position:

* negation flips a word and softens it: ``不太好`` (−0.8 × 好), ``一点也不贵`` (+0.5 × |贵|);
* a degree adverb scales it: ``非常满意`` 1.6 ×, ``有点慢`` 0.6 ×;
* contrast: the clause after 但是 / 可是 / 不过 / 就是 / 可惜 weighs 1.5 ×, the clause before 0.7 ×.

:func:`lexicon_features` returns, per text, positive and negative weight sums and their net; :func:`lexicon_detail`
adds hit counts by strength, negated hits, the last clause's net and exclamation marks — the features the sentiment
model adds to its n-grams.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["DETAIL_COLUMNS", "LEXICON_FILES", "lexicon_detail", "lexicon_features", "lexicon_score", "load_lexicon",
           "token_score"]

_CONTRAST = re.compile(r"但是|可是|不过|可惜|只是|就是|但")  # typography: ignore
_BREAK = set("，。！？,.!?;；~ ")


def _lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


#: the lexicon files, read in this order (no word may appear in two of them: tests/test_feedback.py checks)
LEXICON_FILES = ("sentiment.tsv", "sentiment_wide.tsv")
#: names of the columns of :func:`lexicon_detail`
DETAIL_COLUMNS = ("pos", "neg", "net", "net_share", "n_pos", "n_neg", "n_pos_strong", "n_neg_strong", "n_negated",
                  "last_clause", "exclamations")
_NOT_PRAISE_BEFORE = set("只还")  # 只好, 还好 (relief, not praise)  # typography: ignore
_NOT_PRAISE_AFTER = set("几久像多在处友歹奇吗些")  # 好几次, 好久, 好像, 好多, ... are not praise  # typography: ignore
_SENTENCE = set("。！？!?；;\n")


@lru_cache(maxsize=1)
def load_lexicon() -> tuple[dict[str, float], tuple[str, ...], dict[str, float], int]:
    """(word → weight from every file of :data:`LEXICON_FILES`, negators, degree adverb → factor, longest word)."""
    words: dict[str, float] = {}
    for name in LEXICON_FILES:
        for ln in _lines(name):
            w, s = ln.split("\t")
            words.setdefault(w, float(s))
    negators = tuple(sorted(_lines("negators.txt"), key=len, reverse=True))
    degree = {w: float(s) for w, s in (ln.split("\t") for ln in _lines("degree.tsv"))}
    return words, negators, degree, max(map(len, words))


@lru_cache(maxsize=1)
def _lengths_by_first() -> dict[str, tuple[int, ...]]:
    """First character → the lengths of the lexicon words that start with it, longest first (the scan tries only
    those instead of every length)."""
    out: dict[str, set[int]] = {}
    for w in load_lexicon()[0]:
        out.setdefault(w[0], set()).add(len(w))
    return {c: tuple(sorted(ks, reverse=True)) for c, ks in out.items()}


def _hits(text: str):
    """Lexicon words of ``text`` left to right, the longest word at each position (like a longest-first regex)."""
    words = load_lexicon()[0]
    by_first = _lengths_by_first()
    i, n = 0, len(text)
    while i < n:
        for k in by_first.get(text[i], ()):
            if k > n - i:
                continue
            w = text[i:i + k]
            if w in words:
                if w == "好" and ((i > 0 and text[i - 1] in _NOT_PRAISE_BEFORE)
                                  or (i + 1 < n and text[i + 1] in _NOT_PRAISE_AFTER)):
                    continue
                yield i, w
                i += k
                break
        else:
            i += 1


def _window(text: str, start: int) -> str:
    """Up to 5 characters before ``start`` within the same clause."""
    i = start
    while i > 0 and start - i < 5 and text[i - 1] not in _BREAK:
        i -= 1
    return text[i:start]


def _one(text: str) -> tuple:
    words, negators, degree, _ = load_lexicon()
    pos = neg = 0.0
    n_pos = n_neg = strong_pos = strong_neg = n_negated = 0
    cut = None
    for m in _CONTRAST.finditer(text):
        cut = m.end()
    last_start = cut if cut is not None else max((i + 1 for i, c in enumerate(text.rstrip("。！？!?~ ")) if c in _SENTENCE),
                                                  default=0)
    last = 0.0
    for start, word in _hits(text):
        w = words[word]
        before = _window(text, start)
        negated = any(before.endswith(n) or (n in before and len(n) > 1) for n in negators) and not (
            word.startswith("不") or word.startswith("没"))
        factor = 1.0
        for adv, f in degree.items():
            if adv in before:
                factor = f
                break
        if negated:
            w = -0.8 * w if w > 0 else -0.5 * w
            factor = min(factor, 1.0)
            n_negated += 1
        if cut is not None:
            factor *= 1.5 if start >= cut else 0.7
        v = w * factor
        strong = abs(words[word]) >= 1.5 and not negated
        if v > 0:
            pos += v
            n_pos += 1
            strong_pos += strong
        else:
            neg -= v
            n_neg += 1
            strong_neg += strong
        if start >= last_start:
            last += v
    excl = text.count("！") + text.count("!")
    return pos, neg, n_pos, n_neg, strong_pos, strong_neg, n_negated, last, excl


def lexicon_detail(texts) -> np.ndarray:
    """Per text the columns of :data:`DETAIL_COLUMNS`: positive and negative weight sums, net, net / (1 + pos + neg),
    numbers of positive / negative hits, of strong ones (weight ≥ 1.5, not negated), of negated hits, the net of the
    last clause (after the last 但是 / 不过 / 就是 …, else the last sentence) and the number of exclamation marks."""
    out = np.zeros((len(texts), len(DETAIL_COLUMNS)))
    for i, t in enumerate(texts):
        p, n, n_pos, n_neg, s_pos, s_neg, n_negated, last, excl = _one(str(t).lower())
        out[i] = (p, n, p - n, (p - n) / (1.0 + p + n), n_pos, n_neg, s_pos, s_neg, n_negated, last, excl)
    return out


def lexicon_features(texts) -> np.ndarray:
    """Per text: positive sum, negative sum, net (pos − neg) and net / (1 + pos + neg); shape (n, 4)."""
    return lexicon_detail(texts)[:, :4]


def lexicon_score(texts) -> np.ndarray:
    """A 0–1 score from the lexicon alone (0.5 = no opinion word): 0.5 + 0.5 × net / (1 + pos + neg)."""
    return 0.5 + 0.5 * lexicon_detail(texts)[:, 3]


def token_score(words, lexicon: dict[str, float], negators) -> float:
    """The lexicon idea in its simplest form: the sum of the weights of the words found in ``lexicon``; a word
    right after a negator (the previous word is in ``negators``) counts with the opposite sign."""
    neg = set(negators)
    total = 0.0
    for i, w in enumerate(words):
        if w in lexicon:
            total += -lexicon[w] if i > 0 and words[i - 1] in neg else lexicon[w]
    return float(total)
