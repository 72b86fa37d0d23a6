"""Member feedback analysis (module 09 · 会员反馈分析): Chinese text cleaning, segmentation, keywords, category and
sentiment models, routing, response-time SLA, and what members do after they complain.

Why a sub-package: each step is its own job, one file each —

* :mod:`.clean` — width, emoji, URLs, masked numbers; :func:`text_status` (empty / non-Chinese / garbled);
* :mod:`.segmentation` — jieba (accurate mode) with the shipped retail user dictionary and stop words; keywords
  (per message TF-IDF, corpus TF-IDF / TextRank via jieba.analyse);
* :mod:`.lexicon` — the course's own sentiment lexicon with negation, degree adverbs and contrast;
* :mod:`.models` — :class:`FeedbackModel` (TF-IDF word + character n-grams, lexicon features; LinearSVC category classifier,
  calibrated sentiment), trained only on text the project generates or wrote by hand (``data/reviews/``);
* :mod:`.routing` — department by rules, then model; rating-vs-text consistency;
* :mod:`.sla` — first response and resolution against targets, backlog, overdue list, behaviour after feedback;
* :mod:`.evaluation` — agreement with labels, the complaint-queue threshold, the generator's truth, member columns;
* :mod:`.score` — :func:`score_feedback`, the table behind ``tables/feedback_scored.csv``.

Plots: :func:`plot_keywords` (a bar chart of keywords with the bundled CJK font).
"""

from __future__ import annotations

from helpers.feedback.clean import STATUS_ZH, clean_text, clean_texts, emoji_of, normalize, text_status
from helpers.feedback.evaluation import (
    agreement,
    complaint_threshold,
    member_feedback_scores,
    read_feedback_truth,
)
from helpers.feedback.lexicon import lexicon_features, lexicon_score, load_lexicon, token_score
from helpers.feedback.models import (
    POLARITIES,
    FeedbackModel,
    authored_reviews,
    default_model,
    prepare,
    review_corpus,
    sentiment_reviews,
    training_corpus,
)
from helpers.feedback.routing import DEPARTMENT_RULES, rating_consistency, rating_polarity, route
from helpers.feedback.score import SCORED_COLUMNS, score_feedback, sentiment_from_score
from helpers.feedback.segmentation import (
    corpus_keywords,
    message_keywords,
    segment,
    stopwords,
    tokens,
    user_words,
)
from helpers.feedback.sla import (
    FIRST_RESPONSE_TARGET_H,
    RESOLUTION_TARGET_H,
    after_feedback,
    backlog,
    overdue_list,
    sla_met_rate,
    sla_summary,
    sla_table,
)

__all__ = ["agreement", "authored_reviews", "complaint_threshold", "load_lexicon", "member_feedback_scores", "read_feedback_truth",
           "token_score", "DEPARTMENT_RULES", "FIRST_RESPONSE_TARGET_H", "POLARITIES", "RESOLUTION_TARGET_H", "SCORED_COLUMNS",
           "STATUS_ZH", "FeedbackModel", "after_feedback", "backlog", "clean_text", "clean_texts", "corpus_keywords",
           "default_model", "emoji_of", "keyword_counts", "lexicon_features", "lexicon_score", "message_keywords",
           "normalize", "overdue_list", "plot_keywords", "prepare", "rating_consistency", "rating_polarity", "review_corpus", "route",
           "score_feedback", "sentiment_reviews", "segment", "sentiment_from_score", "sla_met_rate", "sla_summary", "sla_table", "stopwords", "text_status",
           "tokens", "training_corpus", "user_words"]


def keyword_counts(token_lists, top: int = 20, min_len: int = 2):
    """The ``top`` most frequent words (length ≥ ``min_len``) over all messages: DataFrame ``word``, ``count``
    (ties by word)."""
    import pandas as pd

    counts: dict[str, int] = {}
    for ws in token_lists:
        for w in ws:
            if len(w) >= min_len:
                counts[w] = counts.get(w, 0) + 1
    df = pd.DataFrame(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top], columns=["word", "count"])
    return df.astype({"count": "int64"})


def plot_keywords(df, value: str = "count", title: str = "反馈关键词", ax=None):
    """Horizontal bar chart of keywords (``word`` and ``value`` columns), largest on top, with the bundled font."""
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    from helpers import plots

    plots.register_cjk_font()
    font = FontProperties(fname=str(plots.font_path()))  # the bundled font, with or without plots.use_theme()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.28 * max(len(df), 4) + 1))
    d = df.iloc[::-1]
    ax.barh(range(len(d)), d[value], color="#4C72B0")
    ax.set_yticks(range(len(d)), d["word"].astype(str).tolist(), fontproperties=font)
    ax.set_title(title, fontproperties=font)
    ax.set_xlabel("出现次数" if value == "count" else "权重", fontproperties=font)
    return ax
