"""Evaluation and decisions on scored feedback: agreement with labels, a complaint-queue threshold, the truth of a
generated world, and per-member columns for ``member_scores``.

Why apart from the models: these read the models' output against a reference (the desk's noisy labels, the
generator's truth, star ratings as weak labels) and turn it into a decision (how low must a score be to put a
message into the complaint queue, given the precision the team can live with).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["agreement", "complaint_threshold", "member_feedback_scores", "read_feedback_truth"]


def agreement(pred, reference) -> dict[str, float]:
    """Accuracy and macro-F1 of ``pred`` against ``reference`` on the rows where both are present."""
    from sklearn.metrics import f1_score

    p = pd.Series(np.asarray(pred, dtype=object))
    r = pd.Series(np.asarray(reference, dtype=object))
    both = p.notna() & r.notna()
    if not both.any():
        return {"n": 0, "accuracy": float("nan"), "macro_f1": float("nan")}
    p, r = p[both].astype(str), r[both].astype(str)
    return {"n": int(both.sum()), "accuracy": round(float((p == r).mean()), 6),
            "macro_f1": round(float(f1_score(r, p, average="macro", zero_division=0)), 6)}


def complaint_threshold(score, is_negative, min_precision: float = 0.8) -> float:
    """The largest threshold t such that the messages with ``score ≤ t`` are negative at least ``min_precision``
    of the time (the largest queue the team can trust); NaN when no threshold reaches it.

    Candidate thresholds are the observed scores; all messages with an equal score go in together. The recall of
    ``score ≤ t`` only grows with t, so the largest admissible t also has the best recall."""
    s = np.asarray(score, dtype=float)
    y = np.asarray(is_negative, dtype=bool)
    ok = ~np.isnan(s)
    s, y = s[ok], y[ok]
    if len(s) == 0:
        return float("nan")
    values, inverse = np.unique(s, return_inverse=True)
    neg = np.bincount(inverse, weights=y.astype(float), minlength=len(values)).cumsum()
    cnt = np.bincount(inverse, minlength=len(values)).cumsum()
    good = np.flatnonzero(neg / cnt >= min_precision - 1e-12)
    return float(values[good[-1]]) if len(good) else float("nan")


def read_feedback_truth(data_dir=None) -> pd.DataFrame | None:
    """``truth/feedback_truth.parquet`` beside a generated world (``feedback_id``, ``true_category``,
    ``polarity``), or None for an analyst's own data."""
    from helpers.data import DEFAULT_DATA_DIR

    path = Path(data_dir or DEFAULT_DATA_DIR) / "truth" / "feedback_truth.parquet"
    if not path.is_file():
        return None
    t = pd.read_parquet(path)
    return t.assign(feedback_id=t["feedback_id"].astype("string"), true_category=t["true_category"].astype("string"),
                    polarity=t["polarity"].astype("string"))


def member_feedback_scores(scored: pd.DataFrame, created_ts) -> pd.DataFrame:
    """Per member with scored feedback: ``feedback_count`` (messages), ``feedback_negative`` (negative ones) and
    ``feedback_last_sentiment`` (sentiment of the latest message; ties by feedback_id)."""
    d = pd.DataFrame({"member_id": scored["member_id"].astype("string"), "feedback_id": scored["feedback_id"],
                      "t": pd.to_datetime(pd.Series(np.asarray(created_ts), index=scored.index)),
                      "sentiment": scored["sentiment"].astype("string")}).dropna(subset=["member_id"])
    if d.empty:
        return pd.DataFrame(columns=["feedback_count", "feedback_negative", "feedback_last_sentiment"],
                            index=pd.Index([], name="member_id", dtype="string"))
    g = d.groupby("member_id", sort=True)
    last = d.sort_values(["member_id", "t", "feedback_id"]).groupby("member_id", sort=True)["sentiment"].last()
    out = pd.DataFrame({"feedback_count": g.size().astype("Int64"),
                        "feedback_negative": g["sentiment"].apply(lambda s: int((s == "negative").sum())).astype(
                            "Int64"),
                        "feedback_last_sentiment": last.astype("string")})
    out.index.name = "member_id"
    return out
