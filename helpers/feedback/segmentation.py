"""Chinese word segmentation with jieba (default, accurate mode), a retail user dictionary and stop words; keywords.

Why a user dictionary: jieba's general dictionary splits the chain's own words (小程序 → 小 / 程序, 满减券 → 满减 /
券, 会员日 → 会员 / 日); ``data/retail_dict.txt`` (written for this course: member programme, promotion, delivery,
store and product-quality terms, a few evaluative phrases) keeps them whole. ``data/stopwords.txt`` lists function
words, pronouns, greetings and the cleaning placeholders (NUM / MASK / URL), which carry no topic.

A private :class:`jieba.Tokenizer` holds the dictionary, so loading ours never changes jieba's global state for
other code. Keywords: per message, the top TF-IDF words of the corpus itself (:func:`message_keywords`); for a
whole corpus, jieba.analyse's TF-IDF (jieba's IDF table) or TextRank (:func:`corpus_keywords`).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from helpers.synth.stable import stable

__all__ = ["corpus_keywords", "message_keywords", "segment", "stopwords", "tokenizer", "tokens", "user_words"]


def _data(name: str) -> str:
    return resources.files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The shipped stop words (lower-case)."""
    return frozenset(w.strip().lower() for w in _data("stopwords.txt").splitlines() if w.strip())


@lru_cache(maxsize=1)
def user_words() -> tuple[str, ...]:
    """The words of the shipped retail user dictionary."""
    return tuple(ln.split()[0] for ln in _data("retail_dict.txt").splitlines() if ln.strip())


@lru_cache(maxsize=1)
def tokenizer():
    """A private jieba Tokenizer with the retail user dictionary loaded (jieba's log lines silenced)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.initialize()  # jieba's own dictionary, loaded once per process (also used by jieba.lcut)
    tk = jieba.Tokenizer()
    # a copy of the loaded prefix dictionary: the user words go into our tokenizer only, jieba.dt stays as it was
    tk.FREQ, tk.total, tk.initialized = dict(jieba.dt.FREQ), jieba.dt.total, True
    for ln in _data("retail_dict.txt").splitlines():
        parts = ln.split()
        if parts:
            tk.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None)
    return tk


def tokens(text: str, drop_stopwords: bool = True) -> list[str]:
    """Words of one cleaned text (jieba default mode), without spaces, punctuation and (by default) stop words."""
    stop = stopwords() if drop_stopwords else frozenset()
    out = []
    for w in tokenizer().cut(text, HMM=False):
        w = w.strip()
        if not w or w.lower() in stop or not any(ch.isalnum() for ch in w):
            continue
        out.append(w)
    return out


def segment(texts, drop_stopwords: bool = True) -> list[list[str]]:
    """:func:`tokens` of every text."""
    return [tokens(t, drop_stopwords) for t in texts]


def message_keywords(token_lists: list[list[str]], top: int = 3, min_df: int = 2) -> list[str]:
    """Per message, its ``top`` words by TF-IDF within the corpus (ties: the earlier word), joined by "、".

    Single characters are skipped (too vague to read as a keyword), and so are words seen in fewer than ``min_df``
    messages (typos, names). A message without such words gets ""."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [[w for w in ws if len(w) > 1] for ws in token_lists]
    if not any(docs):
        return [""] * len(docs)
    vec = TfidfVectorizer(analyzer=lambda d: d, min_df=min(min_df, len(docs)), sublinear_tf=True)
    try:
        X = vec.fit_transform(docs).tocsr()
    except ValueError:  # no word reaches min_df
        return [""] * len(docs)
    vocab = vec.get_feature_names_out()
    data = stable(X.data)  # idf is a log: 32-bit rounding before ranking
    out = []
    for i in range(X.shape[0]):
        a, b = X.indptr[i], X.indptr[i + 1]
        if a == b:
            out.append("")
            continue
        idx = X.indices[a:b]
        order = np.lexsort((idx, -data[a:b]))[:top]
        out.append("、".join(vocab[idx[order]]))
    return out


def corpus_keywords(texts, top: int = 20, method: str = "tfidf", max_texts: int | None = 600) -> pd.DataFrame:
    """The corpus's keywords with jieba.analyse: ``method`` "tfidf" (jieba's IDF table) or "textrank".

    TextRank tags parts of speech and builds a co-occurrence graph: slow on large corpora (7 s for 3,000
    messages), so at most ``max_texts`` evenly spaced messages are read (None: all). Returns a DataFrame ``word``,
    ``weight`` (largest first; ties by word), stop words and single characters excluded."""
    import jieba.analyse
    import jieba.posseg

    texts = list(texts)
    if max_texts is not None and len(texts) > max_texts:
        step = -(-len(texts) // max_texts)
        texts = texts[::step]
    joined = "\n".join(str(t) for t in texts)
    if method == "tfidf":
        ex = jieba.analyse.TFIDF()
        ex.tokenizer = tokenizer()
    elif method == "textrank":
        ex = jieba.analyse.TextRank()
        ex.tokenizer = ex.postokenizer = jieba.posseg.POSTokenizer(tokenizer())
    else:
        raise ValueError(f"method must be 'tfidf' or 'textrank', not {method!r}")
    ex.stop_words = set(ex.stop_words) | set(stopwords())
    pairs = ex.extract_tags(joined, topK=top * 3, withWeight=True) if method == "tfidf" else ex.textrank(
        joined, topK=top * 3, withWeight=True)
    df = pd.DataFrame(pairs, columns=["word", "weight"])
    df = df[(df["word"].str.len() > 1) & ~df["word"].str.lower().isin(stopwords())] if len(df) else df
    df = df.assign(weight=df["weight"].round(10)).sort_values(["weight", "word"], ascending=[False, True])
    return df.head(top).reset_index(drop=True)
