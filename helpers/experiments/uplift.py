"""Uplift modelling on a randomised campaign: who is moved by the offer, not who buys anyway.

Two models (scikit-learn, cross-fitted so that every member is scored by a model that did not see them):
* **T-learner** — one outcome model on the treated, one on the control; uplift = the difference of predictions.
* **class transformation** (Jaśkowski & Jaroszewicz 2012) — z = 1 for treated buyers and control non-buyers; with
  treated and control weighted to 50 / 50, uplift = 2 P(z = 1 | x) − 1. Needs a yes / no outcome.

**Qini curve and AUUC — the one definition used in this course.** Members are ranked by predicted uplift (highest
first, ties in member-id order); after the top k members, Q(k) = Y_T(k) − Y_C(k) · N_T(k) / N_C(k), the outcome
of the treated among them minus the control's outcome scaled to the same number of members (Radcliffe 2007), i.e.
the incremental outcomes had the top k all been treated rather than a random k. AUUC is the area between the Qini
curve and the random-targeting line from (0, 0) to (1, Q(n)), per treated member:
AUUC = (1 / n) Σ_k [Q(k) − (k / n) Q(n)] / N_T(n). Positive: the ranking beats random targeting; 0: no better.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.behavior import top_members

__all__ = ["UPLIFT_FEATURES", "auuc", "class_transformation", "qini_curve", "t_learner", "targeting_profit",
           "uplift_at_k", "uplift_features"]

UPLIFT_FEATURES = ("pre_orders_90", "pre_spend_90", "pre_orders_365", "pre_spend_365", "recency_days")


def uplift_features(pre90: pd.DataFrame, pre365: pd.DataFrame) -> pd.DataFrame:
    """The model features per contact from two :func:`helpers.experiments.pre_period` frames (90 and 365 days);
    a member who never bought before gets recency 999 days."""
    f = pre90[["campaign_id", "member_id", "arm"]].copy()
    f["pre_orders_90"], f["pre_spend_90"] = pre90["pre_orders"].to_numpy(), pre90["pre_spend"].to_numpy()
    f["pre_orders_365"], f["pre_spend_365"] = pre365["pre_orders"].to_numpy(), pre365["pre_spend"].to_numpy()
    f["recency_days"] = pre90["recency_days"].fillna(999.0).to_numpy()
    return f


def _folds(n: int, seed: int, k: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n) % k


def _regressor(seed: int):
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(max_iter=60, max_depth=3, learning_rate=0.08, min_samples_leaf=40,
                                         random_state=seed)


def t_learner(X: pd.DataFrame, y, treat, seed: int = 0) -> np.ndarray:
    """Cross-fitted (2 folds) T-learner uplift scores: E[y | x, treated] − E[y | x, control]."""
    import sklearn.ensemble  # noqa: F401  (loads the OpenMP runtime, so that the limit below reaches it)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # small fits: OpenMP threads cost far more than they save on a shared machine
        return _t_learner(X, y, treat, seed)


def _t_learner(X, y, treat, seed: int) -> np.ndarray:
    X, y, t = np.asarray(X, float), np.asarray(y, float), np.asarray(treat, bool)
    fold = _folds(len(y), seed)
    out = np.zeros(len(y))
    for f in (0, 1):
        tr, te = fold != f, fold == f
        if not te.any():
            continue
        if (tr & t).sum() < 2 or (tr & ~t).sum() < 2:
            continue
        m1 = _regressor(seed).fit(X[tr & t], y[tr & t])
        m0 = _regressor(seed).fit(X[tr & ~t], y[tr & ~t])
        out[te] = m1.predict(X[te]) - m0.predict(X[te])
    return out


def class_transformation(X: pd.DataFrame, y, treat, seed: int = 0) -> np.ndarray:
    """Cross-fitted class-transformation uplift scores for a yes / no outcome ``y``: 2 P(z = 1 | x) − 1 with
    z = y·t + (1 − y)(1 − t) and treated / control reweighted to equal total weight."""
    import sklearn.ensemble  # noqa: F401  (loads the OpenMP runtime, so that the limit below reaches it)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _class_transformation(X, y, treat, seed)


def _class_transformation(X, y, treat, seed: int) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y, t = np.asarray(X, float), np.asarray(y, float) > 0, np.asarray(treat, bool)
    z = (y & t) | (~y & ~t)
    fold = _folds(len(y), seed)
    out = np.zeros(len(y))
    for f in (0, 1):
        tr, te = fold != f, fold == f
        nt, nc = (tr & t).sum(), (tr & ~t).sum()
        if not te.any() or nt == 0 or nc == 0 or len(set(z[tr])) < 2:
            continue
        w = np.where(t[tr], 0.5 / nt, 0.5 / nc) * tr.sum()
        m = HistGradientBoostingClassifier(max_iter=60, max_depth=3, learning_rate=0.08, min_samples_leaf=40,
                                           random_state=seed).fit(X[tr], z[tr], sample_weight=w)
        out[te] = 2 * m.predict_proba(X[te])[:, list(m.classes_).index(True)] - 1
    return out


def _ranked(score: pd.Series, y: pd.Series, treat: pd.Series) -> pd.DataFrame:
    d = pd.DataFrame({"score": pd.Series(score, dtype=float), "y": pd.Series(y, dtype=float),
                      "t": pd.Series(treat).astype(bool)}).sort_index(kind="stable")
    order = top_members(d["score"], 1.0)  # the course's one ranking: highest first, ties in member-id order
    return d.loc[order]


def qini_curve(score: pd.Series, y: pd.Series, treat: pd.Series) -> pd.DataFrame:
    """The Qini curve (module docstring): ``share`` targeted k / n, ``qini`` Q(k), ``random`` (k / n) Q(n).
    The three series share one index (member ids)."""
    d = _ranked(score, y, treat)
    nt, nc = d["t"].cumsum().to_numpy(float), (~d["t"]).cumsum().to_numpy(float)
    yt = (d["y"] * d["t"]).cumsum().to_numpy(float)
    yc = (d["y"] * ~d["t"]).cumsum().to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(nc > 0, yt - yc * nt / np.where(nc > 0, nc, 1), yt)
    n = len(d)
    share = np.arange(1, n + 1) / n
    return pd.DataFrame({"share": share, "qini": q, "random": share * (q[-1] if n else 0.0)}, index=d.index)


def auuc(score: pd.Series, y: pd.Series, treat: pd.Series) -> float:
    """Area between the Qini curve and the random line, per treated member (module docstring)."""
    c = qini_curve(score, y, treat)
    n_t = float(pd.Series(treat).astype(bool).sum())
    if c.empty or n_t == 0:
        return float("nan")
    return float((c["qini"] - c["random"]).mean() / n_t)


def uplift_at_k(score: pd.Series, y: pd.Series, treat: pd.Series, k: float) -> float:
    """Observed uplift among the top ``k`` share by score (:func:`helpers.behavior.top_members`): mean outcome of
    the treated minus that of the control there; NaN when one group is empty."""
    d = pd.DataFrame({"y": pd.Series(y, dtype=float), "t": pd.Series(treat).astype(bool)})
    top = d.loc[top_members(pd.Series(score, dtype=float), k)]
    a, b = top.loc[top["t"], "y"], top.loc[~top["t"], "y"]
    if a.empty or b.empty:
        return float("nan")
    return float(a.mean() - b.mean())


def targeting_profit(score: pd.Series, spend: pd.Series, treat: pd.Series, converted: pd.Series,
                     shares=(0.1, 0.2, 0.3, 0.5, 1.0), margin: float = 0.3, contact_cost: float = 0.05,
                     coupon_cost: float = 20.0) -> pd.DataFrame:
    """Incremental profit of contacting the top share of members by ``score`` (and of none, share 0, and all,
    share 1): members × (uplift in spend × margin − contact cost) − coupon cost × expected redemptions (the
    treated conversion rate there × members), with ROI = profit / cost. Uplift in spend is the observed
    treated − control difference among those members; every coupon used costs its face value."""
    rows = [{"share": 0.0, "members": 0, "spend_uplift": 0.0, "incremental_margin": 0.0, "cost": 0.0,
             "profit": 0.0, "roi": float("nan")}]
    conv = pd.Series(converted, dtype=float)
    t = pd.Series(treat).astype(bool)
    for k in shares:
        top = top_members(pd.Series(score, dtype=float), k)
        m = len(top)
        du = uplift_at_k(score.loc[top], pd.Series(spend).loc[top], t.loc[top], 1.0)
        du = 0.0 if math.isnan(du) else du
        conv_t = conv.loc[top][t.loc[top]].mean() if t.loc[top].any() else 0.0
        cost = m * contact_cost + coupon_cost * conv_t * m
        gain = m * du * margin
        rows.append({"share": float(k), "members": m, "spend_uplift": du, "incremental_margin": gain, "cost": cost,
                     "profit": gain - cost, "roi": (gain - cost) / cost if cost > 0 else float("nan")})
    return pd.DataFrame(rows)
