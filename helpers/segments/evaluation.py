"""How good is a churn score (流失预警的评估): ranking (AUC, PR-AUC, lift and gains at the top X %), probability
(Brier score, calibration table) and which features carry it (permutation importance), with the two baselines a
model must beat: recency alone, and 1 − P(alive) from module 04's BG/NBD.

Why these figures: a retention team contacts the top of a list, so lift and gains at the top 10 / 20 % say what
the list buys; AUC says how well the whole ranking separates; PR-AUC is honest when churners are rare or common;
the Brier score and the calibration table say whether "0.3" means 30 % — needed to add up expected values. "Top
X %" is the course's one rule, :func:`helpers.behavior.top_members` (ceil(X × n) members, ties in member-id order).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.clv import auc, fit_bgnbd
from helpers.segments.features import stable

__all__ = ["baseline_scores", "calibration_table", "churn_metrics", "compare_scores", "gains_table", "lift_at",
           "permutation_importance"]


def _aligned(y: pd.Series, score: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = pd.Series(score)
    if not s.index.equals(y.index):  # the usual case is the same members in the same order: no lookup
        s = s.reindex(y.index)
    s = s.astype(float)
    if s.isna().any():
        raise ValueError(f"score is missing for {int(s.isna().sum())} member(s) of y")
    return y.astype(bool), s


def _top_churners(y: pd.Series, s: pd.Series):
    """``(n, churners)``: ``churners(top)`` counts the churners among :func:`top_members` of ``s`` (ceil(top × n)
    members by score, ties in member-id order) — one sort for every ``top`` instead of a sort and a lookup of
    member ids per share (the same members; ``y`` and ``s`` aligned by :func:`_aligned`)."""
    n = len(y)
    pos = pd.Series(np.arange(n), index=y.index).sort_index(kind="stable").to_numpy()  # member-id order
    order = pos[np.argsort(-s.to_numpy(float)[pos], kind="stable")]  # score descending; ties keep member-id order
    cum = np.cumsum(y.to_numpy(bool)[order])

    def churners(top: float) -> tuple[int, int]:
        if not 0 < top <= 1:
            raise ValueError("top must be a share in (0, 1], e.g. 0.2 for the top 20 %")
        k = max(1, math.ceil(top * n - 1e-9)) if n else 0  # the rule of top_members
        return k, int(cum[k - 1]) if k else 0

    return n, churners


def lift_at(y: pd.Series, score: pd.Series, top: float = 0.1) -> float:
    """Churn rate among the top ``top`` share of members by ``score`` (:func:`top_members`: ceil(top × n),
    ties in member-id order) divided by the churn rate of all members. NaN when nobody churned."""
    y, s = _aligned(y, score)
    rate = float(y.mean()) if len(y) else float("nan")
    if not rate > 0:
        return float("nan")
    k, hit = _top_churners(y, s)[1](top)
    return float(np.float64(hit) / k / rate)


def gains_table(y: pd.Series, score: pd.Series, tops=(0.05, 0.1, 0.2, 0.3, 0.5, 1.0)) -> pd.DataFrame:
    """Per top share: ``members`` contacted, ``churners`` among them, ``churn_rate``, ``gains`` (share of all
    churners captured) and ``lift`` (churn_rate / overall rate)."""
    y, s = _aligned(y, score)
    total, rate = int(y.sum()), float(y.mean()) if len(y) else float("nan")
    _, churners = _top_churners(y, s)
    rows = []
    for t in tops:
        k, hit = churners(t)
        mean = hit / k if k else float("nan")
        rows.append({"top": t, "members": k, "churners": hit, "churn_rate": float(mean),
                     "gains": hit / total if total else float("nan"),
                     "lift": float(mean) / rate if rate > 0 else float("nan")})
    return pd.DataFrame(rows).set_index("top")


def churn_metrics(y: pd.Series, score: pd.Series, *, probability: bool = True) -> dict:
    """``auc``, ``pr_auc`` (average precision), ``lift_10`` / ``lift_20``, ``gains_10`` / ``gains_20``,
    ``churn_rate`` and, for a probability (``probability=True``), ``brier`` and ``mean_score``."""
    from sklearn.metrics import average_precision_score, brier_score_loss

    y, s = _aligned(y, score)
    g = gains_table(y, s, tops=(0.1, 0.2))
    out = {"members": int(len(y)), "churn_rate": float(y.mean()), "auc": auc(y.to_numpy(), s.to_numpy()),
           "pr_auc": float(average_precision_score(y, s)) if 0 < y.sum() < len(y) else float("nan"),
           "lift_10": float(g.loc[0.1, "lift"]), "lift_20": float(g.loc[0.2, "lift"]),
           "gains_10": float(g.loc[0.1, "gains"]), "gains_20": float(g.loc[0.2, "gains"])}
    if probability:
        out["brier"] = float(brier_score_loss(y, s.clip(0, 1)))
        out["mean_score"] = float(s.mean())
    return out


def calibration_table(y: pd.Series, p: pd.Series, bins=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)):
    """Members grouped by predicted probability band (right-closed, the first includes 0): ``members``,
    ``mean_predicted``, ``churn_rate`` (observed) and ``gap`` = predicted − observed."""
    y, s = _aligned(y, p)
    band = pd.cut(s, list(bins), include_lowest=True)
    g = pd.DataFrame({"p": s, "y": y.astype(float)}).groupby(band, observed=True)
    t = pd.DataFrame({"members": g.size(), "mean_predicted": g["p"].mean(), "churn_rate": g["y"].mean()})
    t["gap"] = t["mean_predicted"] - t["churn_rate"]
    t.index = t.index.astype(str)
    t.index.name = "band"
    return t


def baseline_scores(features: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The two baselines at the features' cut-off: ``recency`` (days since the last purchase: longer = more
    likely to churn) and ``one_minus_p_alive`` (1 − BG/NBD P(alive) fitted on the same members, module 04; 0 for
    one-day buyers, whom BG/NBD holds alive by assumption; taken from a ``p_alive`` column when the features have
    one, see :func:`helpers.segments.churn_frame`). Returns ``(scores, note)``; without a BG/NBD fit the
    second column is missing and ``note`` says why in one Chinese sentence."""
    out = pd.DataFrame({"recency": features["recency"].astype(float)}, index=features.index)
    if "p_alive" in features and features["p_alive"].notna().all():  # module 04's P(alive), already fitted
        out["one_minus_p_alive"] = stable(1.0 - features["p_alive"].to_numpy(float))
        return out, ""
    summary = features[["x", "recency", "tenure"]].astype(float)
    summary = summary.assign(t_x=summary["tenure"] - summary["recency"], T=summary["tenure"])
    summary.attrs["time_unit"] = "day"
    model, note = fit_bgnbd(summary, "day")
    if model is not None:
        p = model.p_alive(summary["x"], summary["t_x"], summary["T"])
        out["one_minus_p_alive"] = stable(1.0 - np.asarray(p, float))
    return out, note


def compare_scores(y: pd.Series, scores: dict[str, pd.Series], probabilities=()) -> pd.DataFrame:
    """:func:`churn_metrics` of several scores side by side (one row each); ``probabilities`` names the scores that
    are probabilities (Brier only for them)."""
    rows = {name: churn_metrics(y, s, probability=name in probabilities) for name, s in scores.items()}
    return pd.DataFrame(rows).T


def permutation_importance(model, X: pd.DataFrame, y: pd.Series, *, n_repeats: int = 3, seed: int = 0,
                           features=None, sample: int | None = 3000) -> pd.DataFrame:
    """Drop in AUC when one feature's values are shuffled among the members (``n_repeats`` shuffles with
    ``seed``): ``importance`` (mean drop) and ``sd``, largest first. A feature the model does not use scores 0.
    ``sample``: at most this many members (drawn with ``seed``), enough to rank the features and 10× faster."""
    rng = np.random.default_rng(seed)
    if sample is not None and len(X) > sample:
        X = X.iloc[np.sort(rng.choice(len(X), sample, replace=False))]
    y = y.reindex(X.index).astype(bool).to_numpy()
    base = auc(y, model.predict_proba(X).to_numpy())
    rows = []
    for f in (features or model.feature_names_):
        drops = []
        for _ in range(n_repeats):
            Xp = X.copy()
            Xp[f] = Xp[f].to_numpy()[rng.permutation(len(Xp))]
            drops.append(base - auc(y, model.predict_proba(Xp).to_numpy()))
        rows.append({"feature": f, "importance": float(np.mean(drops)), "sd": float(np.std(drops))})
    t = pd.DataFrame(rows).set_index("feature")
    return t.sort_values("importance", ascending=False, kind="stable")
