"""Scoring a feedback table end to end: status, category, sentiment, keywords, department, SLA → one table.

:func:`score_feedback` needs only ``feedback_id``, ``created_ts`` and ``text``; ``member_id``, ``channel``,
``rating``, ``category`` and the response times are used when present. Texts that cannot be read (empty,
non-Chinese, garbled) are kept, with no category or sentiment and a Chinese ``reason``; an emoji-only message gets
its sentiment from the emoji alone. The columns of ``tables/feedback_scored.csv`` are :data:`SCORED_COLUMNS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.feedback.clean import STATUS_ZH, text_status
from helpers.feedback.lexicon import lexicon_score
from helpers.feedback.models import FeedbackModel, default_model, prepare
from helpers.feedback.routing import rating_consistency, route
from helpers.feedback.segmentation import message_keywords, stopwords
from helpers.feedback.sla import sla_table

__all__ = ["SCORED_COLUMNS", "score_feedback", "sentiment_from_score"]

#: the columns of tables/feedback_scored.csv, in order
SCORED_COLUMNS = ("feedback_id", "member_id", "predicted_category", "sentiment", "sentiment_score", "keywords",
                  "department", "sla_status", "reason")


def sentiment_from_score(score: float, low: float = 0.4, high: float = 0.6) -> str:
    """Label of a 0–1 score: below ``low`` negative, above ``high`` positive, else neutral."""
    return "negative" if score < low else "positive" if score > high else "neutral"


def score_feedback(feedback: pd.DataFrame, model: FeedbackModel | None = None, as_of=None,
                   keywords_top: int = 3, detail: bool = False, min_margin: float = 0.2) -> pd.DataFrame:
    """The scored table (columns :data:`SCORED_COLUMNS`, one row per input row, input order).

    ``model``: a fitted :class:`FeedbackModel` (default: :func:`~helpers.feedback.models.default_model`).
    ``min_margin``: below this category margin a single keyword rule routes the message (:func:`route`).
    ``detail=True`` adds ``text_status``, ``route_source``, ``urgent``, ``rating_consistency`` and the SLA columns.
    """
    missing = [c for c in ("feedback_id", "created_ts", "text") if c not in feedback]
    if missing:
        raise ValueError(f"feedback 缺少列 missing column(s): {', '.join(missing)}")
    fb = feedback.reset_index(drop=True)
    n = len(fb)
    texts = fb["text"].astype("object").where(fb["text"].notna(), None).tolist()
    status = np.array([text_status(t) for t in texts], dtype=object)
    ok = status == "ok"
    cat = np.full(n, None, dtype=object)
    sent = np.full(n, None, dtype=object)
    score = np.full(n, np.nan)
    kw = np.full(n, "", dtype=object)
    margin = np.full(n, np.nan)
    if ok.any():
        model = model if model is not None else default_model()
        ok_texts = [texts[i] for i in np.flatnonzero(ok)]
        clean, words = prepare(ok_texts)
        pred = model.predict(ok_texts, prepared=(clean, words))
        cat[ok], sent[ok], score[ok] = pred["category"], pred["sentiment"], pred["sentiment_score"]
        margin[ok] = pred["category_margin"]
        stop = stopwords()
        kw[ok] = message_keywords([[w for w in ws if w.lower() not in stop] for ws in words], top=keywords_top)
    emo = status == "emoji_only"
    if emo.any():
        s = np.round(lexicon_score([texts[i] for i in np.flatnonzero(emo)]), 4)
        score[emo] = s
        sent[emo] = [sentiment_from_score(x) for x in s]
    routed = route([t if isinstance(t, str) else "" for t in texts], cat, margin, min_margin=min_margin)
    sla = sla_table(fb, as_of=as_of, category=np.where(pd.isna(cat), None, cat))
    out = pd.DataFrame({
        "feedback_id": fb["feedback_id"].astype("string"),
        "member_id": fb["member_id"].astype("string") if "member_id" in fb else pd.Series(pd.NA, index=fb.index,
                                                                                           dtype="string"),
        "predicted_category": pd.Series(cat, dtype="string"),
        "sentiment": pd.Series(sent, dtype="string"),
        "sentiment_score": score,
        "keywords": pd.Series(kw, dtype="string"),
        "department": routed["department"].astype("string"),
        "sla_status": sla["sla_status"].astype("string").to_numpy(),
        "reason": pd.Series([STATUS_ZH[s] for s in status], dtype="string"),
    })
    if detail:
        out["text_status"] = pd.Series(status, dtype="string")
        out["route_source"] = routed["route_source"].astype("string")
        out["urgent"] = routed["urgent"].to_numpy()
        out["rating_consistency"] = rating_consistency(
            fb["rating"] if "rating" in fb else pd.Series(np.nan, index=fb.index), out["sentiment"].astype("object"))
        for c in ("channel", "first_response_h", "resolution_h", "first_response_status", "resolution_status",
                  "age_h", "first_response_target_h", "resolution_target_h"):
            out[c] = sla[c].to_numpy()
    return out
