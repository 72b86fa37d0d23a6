"""Module 09's answers that must score 0: grade_id -> source of the solution cell. What ``WRONG_ANSWERS``,
``HELPER_ANSWERS`` and ``SABOTAGE_ANSWERS`` hold, and why each must score 0: tests/test_nbgrader_roundtrip.py.
"""

# typography: ignore-file — code of trainee answers, with Chinese data strings

WRONG_ANSWERS = {
    # no NFKC: full-width digits are not numbers to the regex, full-width letters stay upper case
    "ex09_clean": '''
import re


def clean_message(text):
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return ""
    s = str(text).lower()
    s = re.sub(r"\\d+\\*{2,}\\d*|\\*{2,}\\d+", " MASK ", s)
    s = re.sub(r"\\d+(?:\\.\\d+)?", " NUM ", s)
    return re.sub(r"\\s+", " ", s).strip()
''',
    # a negator anywhere earlier in the message flips every later word
    "ex09_lexicon": '''
def lexicon_polarity(words, lexicon, negators):
    total, negated = 0.0, False
    for w in words:
        if w in negators:
            negated = True
        elif w in lexicon:
            total += -lexicon[w] if negated else lexicon[w]
    return float(total)
''',
    # three stars counted as positive
    "ex09_rating": '''
def rating_check(rating, sentiment):
    step = {"negative": 0, "neutral": 1, "positive": 2}
    out = []
    for r, s in zip(pd.to_numeric(rating, errors="coerce"), sentiment.astype(object)):
        if pd.isna(r):
            out.append("no_rating")
        elif not isinstance(s, str) or s not in step:
            out.append("unscored")
        else:
            rs = 0 if r <= 2 else 2
            out.append(("consistent", "adjacent", "contradictory")[abs(rs - step[s])])
    return pd.Series(out, index=rating.index, dtype=object)
''',
    # a missing response time counted as 0 hours: every unanswered message "met" the target
    "ex09_sla": '''
def first_response_status(created, first_response, as_of, target_h):
    hours = ((first_response - created).dt.total_seconds() / 3600).fillna(0)
    target = pd.Series(target_h, index=created.index, dtype=float) if np.ndim(target_h) == 0 else target_h
    out = pd.Series(np.where(hours <= target, "met", "breached"), index=created.index, dtype=object)
    out[hours < 0] = "unknown"
    return out
''',
    # TF-IDF with the default word pattern: Chinese without spaces becomes whole-clause "words"
    "ex09_fit": '''
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline


def fit_category_model(texts, labels):
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500)).fit(list(texts), list(labels))
''',
    # the first (smallest) admissible threshold: a precise but needlessly short queue
    "ex09_threshold": '''
def complaint_threshold_at(score, is_negative, min_precision):
    s = np.asarray(score, dtype=float)
    y = np.asarray(is_negative, dtype=bool)
    keep = ~np.isnan(s)
    s, y = s[keep], y[keep]
    for t in np.unique(s):
        if y[s <= t].mean() >= min_precision:
            return float(t)
    return float("nan")
''',
}

HELPER_ANSWERS = {
    "ex09_clean": '''
def clean_message(text):
    return fbk.clean_text(text)
''',
    "ex09_lexicon": '''
def lexicon_polarity(words, lexicon, negators):
    return fbk.token_score(words, lexicon, negators)
''',
    "ex09_rating": '''
def rating_check(rating, sentiment):
    return pd.Series(fbk.rating_consistency(rating, sentiment).to_numpy(), index=rating.index, dtype=object)
''',
    "ex09_sla": '''
def first_response_status(created, first_response, as_of, target_h):
    frame = pd.DataFrame({"created_ts": created, "first_response_ts": first_response})
    table = fbk.sla_table(frame, as_of=as_of, first_targets=None)
    return table["first_response_status"].astype(object)
''',
    "ex09_fit": '''
def fit_category_model(texts, labels):
    return fbk.FeedbackModel().fit(texts, labels, ["neutral"] * len(labels))
''',
    "ex09_threshold": '''
def complaint_threshold_at(score, is_negative, min_precision):
    return fbk.complaint_threshold(score, is_negative, min_precision)
''',
}

from wrong_answers._sabotage import CHECKS_OFF as _CHECKS_OFF  # noqa: E402 - shared prelude (see that file)

#: for every code exercise: switch the freshly reloaded checker off from inside the answer and return the right type
#: and shape with the wrong content — only the plain asserts at the end of each hidden test can catch it
SABOTAGE_ANSWERS = {
    "ex09_clean": '''
def clean_message(text):''' + _CHECKS_OFF + '''
    return "" if text is None or not isinstance(text, str) else text
''',
    "ex09_lexicon": '''
def lexicon_polarity(words, lexicon, negators):''' + _CHECKS_OFF + '''
    return float(sum(lexicon.get(w, 0.0) for w in words))
''',
    "ex09_rating": '''
def rating_check(rating, sentiment):''' + _CHECKS_OFF + '''
    return pd.Series("consistent", index=rating.index, dtype=object)
''',
    "ex09_sla": '''
def first_response_status(created, first_response, as_of, target_h):''' + _CHECKS_OFF + '''
    return pd.Series("met", index=created.index, dtype=object)
''',
    # a model that always predicts the most common training label
    "ex09_fit": '''
def fit_category_model(texts, labels):''' + _CHECKS_OFF + '''
    from sklearn.dummy import DummyClassifier
    return DummyClassifier(strategy="most_frequent").fit(np.zeros((len(labels), 1)), list(labels))
''',
    "ex09_threshold": '''
def complaint_threshold_at(score, is_negative, min_precision):''' + _CHECKS_OFF + '''
    return float(np.nanmax(np.asarray(score, dtype=float)))
''',
}
