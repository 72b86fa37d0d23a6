"""The category classifier and the sentiment model: TF-IDF word + character n-grams, linear models, fixed seeds.

Why these models: a message is short and typed in a hurry; character n-grams survive typos, missing spaces and
unknown words, word n-grams (jieba tokens, :mod:`.segmentation`) carry the chain's terms, both are fast and explainable
(the heaviest n-grams of a category are readable). The sentiment model also reads the course's own lexicon
(:mod:`.lexicon`: negation, degree, contrast), so its judgement reaches words the training texts never used.

Training data: only text the project generates. :func:`training_corpus` writes labelled messages with the
generator's grammar (:func:`helpers.textgen.feedback_texts`: incidents, review-style judgements, noise) for a fixed
seed; :class:`FeedbackModel` learns category and polarity from it. The sentiment model also reads
:func:`review_corpus` — reviews of hotels, restaurants, electronics, clothes, books, … written by
:mod:`helpers.synth.text.general` — because members judge the way everybody reviews, and the chain's own
incidents alone teach incidents, not judgement. Public review corpora are never used for training or tuning;
the project's hand-written reviews in ``tests/data`` are a development set, never training data.

Sentiment score: ``P(positive) + 0.5 × P(neutral)`` from a sigmoid-calibrated LinearSVC (3-fold
:class:`~sklearn.calibration.CalibratedClassifierCV`), between 0 and 1, higher = more positive, rounded to 4
decimals. Fits run single-threaded with fixed ``random_state``: the same inputs give the same model.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from helpers.feedback.clean import clean_text
from helpers.feedback.lexicon import lexicon_detail
from helpers.feedback.segmentation import segment, stopwords
from helpers.synth.stable import stable

__all__ = ["POLARITIES", "FeedbackModel", "default_model", "prepare", "review_corpus", "training_corpus"]

POLARITIES = ("negative", "neutral", "positive")
#: weight of the lexicon features beside the TF-IDF blocks (each TF-IDF row has unit length)
LEXICON_WEIGHT = 0.5
#: folds of the sigmoid calibration of the sentiment model (each fold fits one LinearSVC)
CALIBRATION_FOLDS = 3
_PUNCT = re.compile(r"[\W_]+")


def review_corpus(n: int = 4000, seed: int = 20260110, n_lexical: int | None = None) -> tuple[list[str], list[str]]:
    """``n`` generated reviews of many domains (:func:`helpers.synth.text.general.review_texts`: hotels,
    restaurants, electronics, clothes, books, …) with their polarity, 45/10/45 %, followed by ``n_lexical``
    (default ``n // 2``) short reviews built around the lexicon's words (:func:`helpers.synth.text.lexical.
    lexicon_reviews`), so the n-gram weights learn the words real reviewers use: sentiment training only."""
    from helpers.feedback.lexicon import load_lexicon
    from helpers.synth.text.general import review_texts
    from helpers.synth.text.lexical import lexicon_reviews

    rng = np.random.default_rng(seed)
    pols = rng.choice(POLARITIES, n, p=[0.45, 0.10, 0.45]).tolist()
    texts = review_texts(rng, pols)
    m = n // 2 if n_lexical is None else n_lexical
    if m:
        lex_rng = np.random.default_rng([seed, 1])  # its own stream: the grammar's reviews do not change
        lex_pols = lex_rng.choice(POLARITIES, m, p=[0.45, 0.10, 0.45]).tolist()
        texts += lexicon_reviews(lex_rng, lex_pols, load_lexicon()[0])
        pols += lex_pols
    return texts, pols


def training_corpus(n: int = 6000, seed: int = 20260109) -> tuple[list[str], list[str], list[str]]:
    """``n`` generated messages with their (category, polarity): categories uniform, polarities 40/25/35 %."""
    from helpers.tables import FEEDBACK_CATEGORIES
    from helpers.textgen import feedback_texts

    rng = np.random.default_rng(seed)
    cats = rng.choice(FEEDBACK_CATEGORIES, n).tolist()
    pols = rng.choice(POLARITIES, n, p=[0.40, 0.25, 0.35]).tolist()
    return feedback_texts(rng, cats, pols), cats, pols


class FeedbackModel:
    """Category classifier (LinearSVC) and calibrated sentiment model on shared TF-IDF features.

    ``fit(texts, categories, polarities, reviews=None)`` → self: the category classifier learns from ``texts``; the
    sentiment model from ``texts`` plus the optional sentiment-only ``reviews`` (a pair: texts, polarities), e.g.
    :func:`review_corpus`. Features: character 1–3-grams, jieba word 1–2-grams (category: stop words dropped;
    sentiment: kept, since 不 / 没 / 很 carry the judgement) and, for sentiment, the lexicon's features
    (:func:`~helpers.feedback.lexicon.lexicon_detail`: negation, degree, contrast, hits by strength, last clause).
    ``predict(texts)`` → dict of arrays ``category``, ``category_margin`` (best minus second decision value: low =
    unsure), ``sentiment``, ``sentiment_score``, ``proba`` (n × 3, negative / neutral / positive).
    """

    def __init__(self, C_category: float = 0.5, C_sentiment: float = 0.3, random_state: int = 0) -> None:
        self.C_category = C_category
        self.C_sentiment = C_sentiment
        self.random_state = random_state

    def _blocks(self, texts, fit: bool, prepared=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        clean, words = prepared if prepared is not None else prepare(texts)
        stop = stopwords()
        topic_words = [[w for w in ws if w.lower() not in stop] for ws in words]
        if fit:
            self.char_ = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                                         dtype=np.float64)
            self.word_ = TfidfVectorizer(analyzer=_identity, min_df=2, sublinear_tf=True, dtype=np.float64)
            self.phrase_ = TfidfVectorizer(analyzer=_bigrams, min_df=3, sublinear_tf=True, dtype=np.float64)
            xc = self.char_.fit_transform(clean)
            xw = self.word_.fit_transform(topic_words)
            xp = self.phrase_.fit_transform(words)
        else:
            xc, xw, xp = self.char_.transform(clean), self.word_.transform(topic_words), self.phrase_.transform(words)
        xl = sp.csr_matrix(_lexicon_block([str(t) if t is not None else "" for t in texts]) * LEXICON_WEIGHT)
        return sp.hstack([xc, xw]).tocsr(), sp.hstack([xc, xp, xl]).tocsr()

    def fit(self, texts, categories, polarities, prepared=None, reviews=None) -> FeedbackModel:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC
        from threadpoolctl import threadpool_limits

        texts = list(texts)
        n = len(texts)
        pols = list(polarities)
        if reviews is not None:
            r_texts, r_pols = list(reviews[0]), list(reviews[1])
            if prepared is not None:
                rc, rw = prepare(r_texts)
                prepared = (list(prepared[0]) + rc, list(prepared[1]) + rw)
            texts, pols = texts + r_texts, pols + r_pols
        x_cat, x_pol = self._blocks(texts, fit=True, prepared=prepared)
        with threadpool_limits(1):
            self.category_ = LinearSVC(C=self.C_category, random_state=self.random_state).fit(
                x_cat[:n], list(categories))
            self.sentiment_ = CalibratedClassifierCV(
                LinearSVC(C=self.C_sentiment, random_state=self.random_state), method="sigmoid", cv=CALIBRATION_FOLDS
            ).fit(x_pol, pols)
        self.classes_ = tuple(self.category_.classes_)
        return self

    def predict(self, texts, prepared=None) -> dict:
        from threadpoolctl import threadpool_limits

        texts = list(texts)
        if not texts:
            return {"category": np.array([], dtype=object), "sentiment": np.array([], dtype=object),
                    "sentiment_score": np.array([]), "proba": np.zeros((0, 3)), "category_margin": np.array([])}
        x_cat, x_pol = self._blocks(texts, fit=False, prepared=prepared)
        with threadpool_limits(1):
            # TF-IDF weights and calibration pass through log / exp: round to 32 significant bits before any
            # decision or stored figure, so a last-bit difference between CPUs does not flip a result
            dec = stable(self.category_.decision_function(x_cat))
            cat = self.category_.classes_[np.argmax(dec, axis=1)]
            top2 = np.sort(dec, axis=1)[:, -2:]
            margin = np.round(top2[:, 1] - top2[:, 0], 6)
            proba = self.sentiment_.predict_proba(x_pol)
        order = [list(self.sentiment_.classes_).index(p) for p in POLARITIES]
        proba = np.round(stable(proba[:, order]), 6)
        score = np.round(proba[:, 2] + 0.5 * proba[:, 1], 4)
        label = np.array(POLARITIES, dtype=object)[np.argmax(proba, axis=1)]
        return {"category": np.asarray(cat, dtype=object), "sentiment": label, "sentiment_score": score,
                "proba": proba, "category_margin": margin}

    def top_terms(self, category: str, n: int = 10) -> list[str]:
        """The ``n`` n-grams with the largest weight for ``category`` (what the classifier reads)."""
        names = np.concatenate([self.char_.get_feature_names_out(), self.word_.get_feature_names_out()])
        coef = self.category_.coef_[self.classes_.index(category)]
        order = np.lexsort((np.arange(len(coef)), -np.round(coef, 10)))[:n]
        return [str(names[i]) for i in order]


def _lexicon_block(texts) -> np.ndarray:
    """The lexicon's reading of each text, scaled near 0–1 (:func:`~helpers.feedback.lexicon.lexicon_detail`): weight
    sums, net share, hit counts (all, strong, negated; log-scaled), the last clause's net, and exclamation marks
    times the net share (an exclamation strengthens whatever the text says)."""
    d = lexicon_detail(texts)
    excl = np.minimum(d[:, 10], 3) / 3
    return np.column_stack([d[:, 0] / 3, d[:, 1] / 3, d[:, 3], np.log1p(d[:, 4]) / 2, np.log1p(d[:, 5]) / 2,
                            np.log1p(d[:, 6]), np.log1p(d[:, 7]), np.log1p(d[:, 8]), np.tanh(d[:, 9] / 2),
                            excl * d[:, 3]])


def _identity(words: list[str]) -> list[str]:
    return words


def _bigrams(words: list[str]) -> list[str]:
    """Words and adjacent word pairs of one message (不 好, 很 满意), punctuation and spaces dropped."""
    ws = [w for w in words if w.strip() and not _PUNCT.fullmatch(w)]
    return ws + [a + " " + b for a, b in zip(ws[:-1], ws[1:], strict=True)]


def prepare(texts) -> tuple[list[str], list[list[str]]]:
    """Cleaned texts and their jieba words (stop words kept), computed once and shared by models and keywords."""
    clean = [clean_text(t) for t in texts]
    return clean, segment(clean, drop_stopwords=False)


def _fingerprint(n: int, seed: int, n_reviews: int = 0) -> str:
    """Hash of everything the default model depends on: grammar and feedback data files, this package's code, the
    scikit-learn / jieba / numpy versions, ``n`` and ``seed``. A change to any of them means a new model."""
    import hashlib
    from importlib import metadata
    from pathlib import Path

    h = hashlib.sha256(f"{n}|{seed}|{n_reviews}".encode())
    for dist in ("scikit-learn", "jieba", "numpy", "scipy"):
        h.update(metadata.version(dist).encode())
    here = Path(__file__).resolve().parent
    grammar = here.parent / "synth" / "text"
    for path in sorted([*here.glob("*.py"), *(here / "data").glob("*"), *grammar.glob("*.py"),
                        *(grammar / "grammar").glob("*.json")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:20]


def _cache_dir():
    import os
    from pathlib import Path

    base = os.environ.get("MEMBER_WORKBOOK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "member-analytics-workbook")
    return Path(base)


@lru_cache(maxsize=4)
def default_model(n: int = 6000, seed: int = 20260109, cache: bool = True, n_reviews: int = 4000) -> FeedbackModel:
    """The course's model, trained on :func:`training_corpus`; cached per process and on disk.

    The disk cache (``$MEMBER_WORKBOOK_CACHE`` or ``~/.cache/member-analytics-workbook``) holds the fitted model under
    a fingerprint of its inputs (:func:`_fingerprint`), so a notebook run does not refit the same model every time
    (a fit takes a few seconds); the fit is deterministic, so a cached model predicts exactly what a fresh fit
    would. An unreadable or unwritable cache is ignored. ``cache=False`` always fits."""
    import pickle

    path = _cache_dir() / f"feedback_model_{_fingerprint(n, seed, n_reviews)}.pkl" if cache else None
    if path is not None and path.is_file():
        try:
            with open(path, "rb") as f:
                model = pickle.load(f)
            if isinstance(model, FeedbackModel):
                return model
        except Exception:  # a damaged cache file: fit again
            pass
    texts, cats, pols = training_corpus(n, seed)
    model = FeedbackModel().fit(texts, cats, pols, reviews=review_corpus(n_reviews, seed + 1))
    if path is not None:
        import os
        import tempfile

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass
    return model
