"""Repurchase timing (复购周期与购买时机): how long members take to buy a category again, who will buy in the next
30 days, and when to remind them.

Why a module of its own: a reminder or a coupon sent just before a member's usual repurchase day converts better
than one sent at random (seed 002 §二), so the course needs three things that can be checked: the repurchase cycle
per category estimated *with censoring* (the gap since a member's last purchase is a cycle that has not ended yet:
dropping it biases long cycles short, so we use the Kaplan-Meier estimator of ``lifelines``); a calibrated
probability ``p_buy_30d`` trained on a time split (features up to a past cut-off, the label from the 30 days after
it, never after the as-of date); and a push list of consenting members whose expected next purchase falls in the
next few days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior.purchases import _days, paid_orders
from helpers.synth.stable import stable

__all__ = ["BuyModel", "FEATURE_LABELS_ZH", "buy_features", "buy_labels", "buy_metrics", "category_visits",
           "buy_training_frame", "favourite_category", "interval_table", "km_cycles", "next_purchase_dates", "push_list",
           "seasonal_hazard_ratio", "training_cuts", "truth_cycles"]

_EPOCH = np.datetime64("1970-01-01", "D")


def _day(value) -> int:
    return int((np.datetime64(pd.Timestamp(value).normalize().date(), "D") - _EPOCH).astype(np.int64))


def _to_ts(days) -> pd.Series:
    return pd.to_datetime(np.asarray(days, dtype="int64").astype("datetime64[D]"))


def category_visits(lines: pd.DataFrame, products: pd.DataFrame, *, level: str = "category") -> pd.DataFrame:
    """Distinct (member, category, day) of paid order lines (:func:`helpers.bundles.paid_lines`, already cut at
    the as-of date): ``member_id``, ``category``, ``day`` (integer days since 1970-01-01), sorted. Lines whose
    product has no category count as 未知品类."""
    prod = pd.DataFrame({"product_id": products["product_id"].astype(str).to_numpy(object),
                         "category": products[level].astype(object).to_numpy()})
    li = lines[["member_id", "product_id", "day"]].merge(prod, on="product_id", how="left")
    v = pd.DataFrame({"member_id": li["member_id"].to_numpy(), "category": li["category"].fillna("未知品类").astype(str),
                      "day": li["day"].to_numpy(np.int64)}).drop_duplicates()
    return v.sort_values(["member_id", "category", "day"], kind="mergesort").reset_index(drop=True)


def interval_table(visits: pd.DataFrame, as_of, *, active_days: int | None = 365) -> pd.DataFrame:
    """Repurchase spells per member × category: every gap between consecutive purchase days (``observed`` True)
    and the open spell from the last purchase day to ``as_of`` (``observed`` False, right-censored; left out when
    the last purchase is on the as-of day). Columns ``member_id``, ``category``, ``duration`` (days), ``observed``.

    ``active_days``: open spells count only for members who bought anything in the last ``active_days`` days. A
    member who left the chain is not "still waiting" to rebuy: his open spell says nothing about the cycle
    (informative censoring) and would stretch every curve. ``None`` keeps every open spell."""
    v = visits
    if v.empty:
        return pd.DataFrame({"member_id": pd.Series(dtype=str), "category": pd.Series(dtype=str),
                             "duration": pd.Series(dtype="int64"), "observed": pd.Series(dtype=bool)})
    m, c, d = v["member_id"].to_numpy(), v["category"].to_numpy(), v["day"].to_numpy(np.int64)
    same = (m[1:] == m[:-1]) & (c[1:] == c[:-1])
    gaps = pd.DataFrame({"member_id": m[1:][same], "category": c[1:][same], "duration": np.diff(d)[same],
                         "observed": True})
    last = np.r_[~same, True]
    open_ = pd.DataFrame({"member_id": m[last], "category": c[last], "duration": _day(as_of) - d[last],
                          "observed": False})
    open_ = open_[open_["duration"] > 0]
    if active_days is not None:
        recent = set(m[d > _day(as_of) - int(active_days)])
        open_ = open_[open_["member_id"].isin(recent)]
    out = pd.concat([gaps, open_], ignore_index=True)
    return out.sort_values(["category", "member_id", "observed", "duration"], kind="mergesort").reset_index(drop=True)


def km_cycles(intervals: pd.DataFrame, truth: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per category: spells, observed gaps, censored spells, the Kaplan-Meier median (``km_median_days``; NaN when
    the survival curve never falls to one half) and the naive median of the observed gaps only. With ``truth``
    (columns ``category``, ``true_cycle_days``) the true cycle is added beside them. Sorted by the KM median."""
    from lifelines import KaplanMeierFitter

    rows = []
    for cat, g in intervals.groupby("category", sort=True):
        kmf = KaplanMeierFitter().fit(g["duration"].to_numpy(float), g["observed"].to_numpy(bool))
        med = float(kmf.median_survival_time_)
        obs = g.loc[g["observed"], "duration"]
        rows.append({"category": cat, "spells": len(g), "gaps": int(g["observed"].sum()),
                     "censored": int((~g["observed"]).sum()), "km_median_days": med if np.isfinite(med) else np.nan,
                     "naive_median_days": float(obs.median()) if len(obs) else np.nan})
    out = pd.DataFrame(rows, columns=["category", "spells", "gaps", "censored", "km_median_days",
                                      "naive_median_days"]).set_index("category")
    if truth is not None:
        out["true_cycle_days"] = truth.set_index("category")["true_cycle_days"].reindex(out.index).astype(float)
    return out.sort_values("km_median_days", kind="mergesort")


def favourite_category(visits: pd.DataFrame) -> pd.Series:
    """Each member's category with the most purchase days (ties: the category name first in sort order)."""
    n = visits.groupby(["member_id", "category"]).size().rename("n").reset_index()
    n = n.sort_values(["member_id", "n", "category"], ascending=[True, False, True], kind="mergesort")
    return n.drop_duplicates("member_id").set_index("member_id")["category"].rename("favourite_category")


# --------------------------------------------------------------------------------------------- p_buy_30d model
FEATURE_LABELS_ZH = {
    "recency": "距最近一次购买（天）", "purchase_days": "购买天数", "tenure": "首购至今（天）",
    "log_monetary": "累计消费（对数）", "days_30": "近 30 天购买天数", "days_90": "近 90 天购买天数",
    "days_365": "近 365 天购买天数", "mean_gap": "平均购买间隔（天）", "overdue": "沉默时长 ÷ 平均间隔",
    "same_window_last_year": "去年同期 30 天购买天数",
}


def _paid_days(orders: pd.DataFrame, end_day: int) -> pd.DataFrame:
    """Paid orders up to ``end_day`` as (member code, day, net). ``member_id`` holds int32 codes in member-id order
    (:func:`helpers.behavior.member_summary`'s factorisation), ``attrs["member_ids"]`` the ids (str) they stand for:
    every groupby, sort and de-duplication below runs on small integers, not on an id string per order (at a
    million orders the strings were most of this model's time); results are mapped back to ids at the end, in the
    same sorted order."""
    from helpers.behavior._ids import _factorize

    o = paid_orders(orders)
    ids = o["member_id"]
    codes, members = _factorize(ids) if len(ids) else (np.zeros(0, np.int32), pd.Index([], dtype=object))
    d = pd.DataFrame({"member_id": codes, "day": _days(o["order_ts"]),
                      "net": o["net_amount"].to_numpy(float) if "net_amount" in o.columns else 0.0})
    d = d[d["day"].to_numpy() <= end_day]
    d.attrs["member_ids"] = pd.Index(np.asarray(members.astype(str), dtype=object), name="member_id")
    return d


def _distinct_days(d: pd.DataFrame) -> pd.DataFrame:
    """The distinct (member code, day) pairs of a :func:`_paid_days` frame, sorted by member then day: one sort of a
    combined integer key instead of ``drop_duplicates`` on two columns (a hash of both, several times slower at
    millions of orders). Same pairs and dtypes; the index is a fresh range."""
    from helpers.behavior.cohorts import _distinct

    m, day = d["member_id"].to_numpy(), d["day"].to_numpy()
    if not len(m):
        return pd.DataFrame({"member_id": m, "day": day})
    lo = int(day.min())
    span = int(day.max()) - lo + 1
    key = _distinct(m.astype(np.int64) * span + (day.astype(np.int64) - lo))
    return pd.DataFrame({"member_id": (key // span).astype(m.dtype), "day": (key % span + lo).astype(day.dtype)})


def _member_ids(d: pd.DataFrame, codes) -> pd.Index:
    """The ids (str) of member codes of a :func:`_paid_days` frame."""
    return d.attrs["member_ids"][np.asarray(codes, np.int64)]


def buy_features(orders: pd.DataFrame, cutoff, window_days: int = 30) -> pd.DataFrame:
    """One row per member with a paid order on or before ``cutoff`` (the cut-off day included), computed only from
    those orders: recency, purchase days, tenure, log of spend, purchase days in the last 30 / 90 / 365 days, mean
    gap between purchase days, silence over the mean gap, and purchase days in the same ``window_days`` a year
    earlier (seasonality). Index ``member_id`` in sorted order."""
    return _features(_paid_days(orders, _day(cutoff)), cutoff, window_days)


def _features(d: pd.DataFrame, cutoff, window_days: int) -> pd.DataFrame:
    """:func:`buy_features` from the paid days of :func:`_paid_days` (later days are ignored)."""
    c = _day(cutoff)
    ids = d.attrs["member_ids"]
    d = d[d["day"].to_numpy() <= c]
    d.attrs["member_ids"] = ids
    if d.empty:
        return pd.DataFrame(columns=list(FEATURE_LABELS_ZH), index=pd.Index([], name="member_id"), dtype=float)
    spend = d.groupby("member_id")["net"].sum()
    days = _distinct_days(d)
    g = days.groupby("member_id")["day"]
    first, last, n = g.min(), g.max(), g.size()
    f = pd.DataFrame({"recency": c - last, "purchase_days": n, "tenure": c - first}).astype(float)
    f["log_monetary"] = stable(np.log1p(spend.clip(lower=0).reindex(f.index).to_numpy(float)))
    for w in (30, 90, 365):
        f[f"days_{w}"] = days[days["day"] > c - w].groupby("member_id").size().reindex(f.index).fillna(0).astype(float)
    span = (last - first).astype(float)
    f["mean_gap"] = np.where(n > 1, span / (n - 1).clip(lower=1), np.nan)
    f["mean_gap"] = f["mean_gap"].fillna(f["tenure"].clip(lower=30) * 2)  # one purchase day: a long, unknown gap
    f["overdue"] = f["recency"] / f["mean_gap"].clip(lower=1)
    ly = days[(days["day"] > c - 365) & (days["day"] <= c - 365 + window_days)]
    f["same_window_last_year"] = ly.groupby("member_id").size().reindex(f.index).fillna(0).astype(float)
    f.index = _member_ids(d, f.index)  # codes ascend with the ids: still sorted
    return f.sort_index()


def buy_labels(orders: pd.DataFrame, cutoff, window_days: int = 30, end=None) -> pd.Series:
    """True when the member (every member with a paid order on or before ``cutoff``) has a paid order on days
    ``cutoff + 1`` … ``cutoff + window_days``. ``end`` (the as-of date) guards against labels from the future."""
    c = _day(cutoff)
    _check_label_window(cutoff, window_days, end)
    return _labels(_paid_days(orders, c + window_days), c, window_days)


def _check_label_window(cutoff, window_days: int, end) -> None:
    if end is not None and _day(cutoff) + window_days > _day(end):
        raise ValueError(f"label window {pd.Timestamp(cutoff).date()} + {window_days} days runs past the as-of date "
                         f"{pd.Timestamp(end).date()}: that would use the future / 标签观察期越过了截止日")


def _labels(d: pd.DataFrame, c: int, window_days: int) -> pd.Series:
    """:func:`buy_labels` from the paid days of :func:`_paid_days`, ``c`` the cut-off day (no future guard here)."""
    day, code = d["day"].to_numpy(), d["member_id"].to_numpy()
    n = len(d.attrs["member_ids"])
    pop = np.flatnonzero(np.bincount(code[day <= c], minlength=n))  # sorted codes = sorted ids
    came = np.bincount(code[(day > c) & (day <= c + window_days)], minlength=n) > 0
    # sort_index: a no-op for text ids (codes ascend with them); numeric ids become text, whose order differs
    return pd.Series(came[pop], index=_member_ids(d, pop), dtype=bool, name="bought").sort_index()


class BuyModel:
    """A calibrated probability of a paid purchase in the next ``window_days`` days.

    Logistic regression on standardised features (``log1p`` of the count and day features), calibrated with
    isotonic regression through 5-fold cross-validation (scikit-learn's ``CalibratedClassifierCV``). Fit it on the
    features of past cut-offs and the labels of the windows after them (:func:`buy_training_frame` of
    :func:`training_cuts`); ``fit`` refuses features and labels of different members. Probabilities are rounded with
    :func:`helpers.synth.stable.stable`, so rankings agree on every CPU. Above ``max_train`` training rows it fits
    on a sample of that many drawn with ``seed`` (big exports; course-size data are fitted whole).
    """

    def __init__(self, seed: int = 0, method: str = "isotonic", max_train: int | None = 600_000):
        self.seed = seed
        self.method = method
        self.max_train = max_train  # rows (member × cut-off) fitted on at most: a seeded sample above it

    @staticmethod
    def _x(X: pd.DataFrame) -> np.ndarray:
        cols = [c for c in FEATURE_LABELS_ZH if c in X.columns]
        a = X[cols].to_numpy(float).copy()
        logged = [i for i, c in enumerate(cols) if c not in ("log_monetary", "overdue")]
        a[:, logged] = np.log1p(np.clip(a[:, logged], 0, None))
        a[:, cols.index("overdue")] = np.log1p(np.clip(a[:, cols.index("overdue")], 0, 50))
        return stable(a)

    def fit(self, X: pd.DataFrame, y: pd.Series) -> BuyModel:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if not X.index.equals(y.index):
            raise ValueError("features and labels must cover the same members in the same order / 特征与标签的会员不一致")
        yy = y.to_numpy(bool)
        self.base_rate_ = float(yy.mean()) if len(yy) else float("nan")
        self.constant_ = len(yy) < 20 or yy.all() or not yy.any() or min(yy.sum(), (~yy).sum()) < 5
        if not self.constant_:
            # Newton-Cholesky: ten features, so five exact Newton steps reach the optimum that lbfgs only nears
            # (its tolerance stops it ~0.02 away in the coefficients) at a tenth of the time
            base = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000, solver="newton-cholesky"))
            cv = StratifiedKFold(5, shuffle=True, random_state=self.seed)
            if self.max_train is not None and len(yy) > self.max_train:
                # big exports: ten coefficients and a calibration curve are pinned down by a few hundred thousand
                # rows; a seeded sample keeps the fit's cost flat (every member is still scored)
                rows = np.sort(np.random.default_rng(self.seed).choice(len(yy), self.max_train, replace=False))
                X, yy = X.iloc[rows], yy[rows]
            self.model_ = CalibratedClassifierCV(base, method=self.method, cv=cv).fit(self._x(X), yy)
        return self

    def predict_proba(self, X: pd.DataFrame, hazard_ratio: float = 1.0) -> pd.Series:
        """Calibrated probabilities; ``hazard_ratio`` (:func:`seasonal_hazard_ratio`) carries them from the
        training windows' season to the scoring window's: p ↦ 1 − (1 − p) ^ ratio (each member's expected
        purchases scaled by the ratio)."""
        if self.constant_:
            p = np.full(len(X), self.base_rate_)
        else:
            p = self.model_.predict_proba(self._x(X))[:, 1] if len(X) else np.array([])
        p = np.clip(p, 0, 1)
        if hazard_ratio != 1.0:
            p = -np.expm1(float(hazard_ratio) * np.log1p(-np.minimum(p, 1 - 1e-12)))
        return pd.Series(stable(np.clip(p, 0, 1)), index=X.index, name="p_buy_30d")


def buy_metrics(y: pd.Series, p: pd.Series) -> dict:
    """AUC, Brier score, mean predicted probability and observed rate of a validation cut (AUC NaN with one class;
    Brier score and mean NaN when ``p`` is a ranking score rather than a probability in [0, 1])."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    yy, pp = y.to_numpy(bool), p.reindex(y.index).to_numpy(float)
    two = 0 < yy.sum() < len(yy)
    prob = len(pp) > 0 and bool(np.all((pp >= 0) & (pp <= 1)))
    return {"members": int(len(yy)), "auc": float(roc_auc_score(yy, pp)) if two else float("nan"),
            "brier": float(brier_score_loss(yy, pp)) if prob else float("nan"),
            "mean_p": float(pp.mean()) if prob else float("nan"),
            "observed_rate": float(yy.mean()) if len(yy) else float("nan")}


def next_purchase_dates(orders: pd.DataFrame, as_of, *, fallback_days: float | None = None,
                        lapse_cycles: float = 3.0) -> pd.DataFrame:
    """Per member with a paid order on or before ``as_of``: ``last_purchase``, ``cycle_days`` (the median gap
    between the member's own purchase days when there are at least two gaps, else ``fallback_days`` — by default
    the median of all members' median gaps) and ``next_purchase_date`` = last purchase + cycle (days rounded up).

    A date already past is ``overdue``: while the silence is at most ``lapse_cycles`` cycles the member is due now
    (the date becomes the day after ``as_of``); beyond that the member has lapsed and has no expected date (NaT)."""
    a = _day(as_of)
    paid = _paid_days(orders, a)
    d = _distinct_days(paid)  # sorted by member, then day
    m, day = d["member_id"].to_numpy(), d["day"].to_numpy(np.int64)
    same = m[1:] == m[:-1]
    gaps = pd.DataFrame({"member_id": m[1:][same], "gap": np.diff(day)[same].astype(float)})
    gstat = gaps.groupby("member_id")["gap"].agg(["median", "size"])
    last = d.groupby("member_id")["day"].max()
    own = gstat["median"].where(gstat["size"] >= 2).reindex(last.index)
    if fallback_days is None:
        fallback_days = float(gstat["median"].median()) if len(gstat) else 30.0
        fallback_days = fallback_days if np.isfinite(fallback_days) else 30.0
    cycle = own.fillna(fallback_days).clip(lower=1).to_numpy(float)
    lastd = last.to_numpy(np.int64)
    nxt = lastd + np.ceil(cycle).astype(np.int64)
    overdue = nxt <= a
    lapsed = (a - lastd) > lapse_cycles * cycle
    date = _to_ts(np.where(overdue, a + 1, nxt))
    date = date.where(~lapsed, pd.NaT)
    out = pd.DataFrame({"last_purchase": _to_ts(lastd), "cycle_days": cycle, "next_purchase_date": date.to_numpy(),
                        "overdue": overdue, "lapsed": lapsed}, index=_member_ids(paid, last.index))
    return out.sort_index()  # text ids: already sorted (see _labels)


def push_list(next_dates: pd.DataFrame, p_buy: pd.Series, members: pd.DataFrame | None, as_of, *,
              days_ahead: int = 7, consent_column: str = "sms_consent") -> pd.DataFrame:
    """Members entering their repurchase window: the expected next purchase falls on days ``as_of + 1`` …
    ``as_of + days_ahead`` and is not already overdue (those were due on an earlier list), and they consented
    (``consent_column`` True; missing means no). Best ``p_buy_30d`` first, ties by member id. Without a members
    table nobody has consented and the list is empty."""
    a = pd.Timestamp(as_of).normalize()
    nd = next_dates["next_purchase_date"]
    due = next_dates[(nd > a) & (nd <= a + pd.Timedelta(days=int(days_ahead))) & ~next_dates["overdue"]].copy()
    due["p_buy_30d"] = p_buy.reindex(due.index).astype(float)
    if members is None or consent_column not in members.columns:
        due = due.iloc[:0]
    else:
        consent = members.set_index(members["member_id"].astype(str))[consent_column].astype("boolean")
        ok = consent.reindex(due.index).fillna(False).to_numpy(bool)
        due = due[ok]
        if "phone_masked" in members.columns:
            due["phone_masked"] = members.set_index(members["member_id"].astype(str))["phone_masked"].reindex(due.index)
    due = due.sort_index(kind="mergesort").sort_values("p_buy_30d", ascending=False, kind="mergesort")
    return due


def truth_cycles(truth) -> pd.DataFrame | None:
    """The generator's true cycle per category (``truth/category_cycles.parquet``: ``category``,
    ``true_cycle_days``) when the data came with a truth folder, else ``None``."""
    if truth is None:
        return None
    path = truth.folder / "category_cycles.parquet"
    return pd.read_parquet(path) if path.exists() else None


def training_cuts(score_day, first_day, *, window_days: int = 30, recent: int = 3) -> list[pd.Timestamp]:
    """Cut-offs whose label windows train a model that scores on ``score_day``: the ``recent`` most recent full
    windows (``score_day − window_days``, ``− 2 × window_days``, …), as far as the data reach (a cut-off needs
    orders before it). Several recent windows rather than one: a month's buying rate is noisy, and one month may be
    a sale month; the season of the scoring window is brought in by :func:`seasonal_hazard_ratio`."""
    s, f = pd.Timestamp(score_day).normalize(), pd.Timestamp(first_day).normalize()
    cuts = [s - pd.Timedelta(days=window_days * k) for k in range(1, max(1, int(recent)) + 1)]
    return [c for c in cuts if c > f]


def seasonal_hazard_ratio(orders: pd.DataFrame, score_day, cuts, *, window_days: int = 30,
                          first_day=None) -> float:
    """How much more (or less) members buy in the scoring window than in the training windows, from the same
    windows one year earlier: the intensity after ``score_day − 365`` ÷ the mean intensity after ``cut − 365`` over
    the training ``cuts``, where the intensity after a day c is the purchase days in the ``window_days`` after c
    per member who had bought by c (counts, not the share who bought: less noisy on small data).

    Why: a model calibrated on last month predicts last month's buying rate; sale months (618, 双11, 双12) and
    quiet months (春节) move every member's rate together. Seasonality multiplies the purchase intensity, so it
    scales each member's expected purchases (the hazard −log(1 − p)), and last year's ratio carries it to this
    year's windows (:meth:`BuyModel.predict_proba`). 1.0 when the data do not reach a year (plus a window) before
    the earliest cut-off. Rounded, so it is the same on every CPU."""
    cuts = [pd.Timestamp(c).normalize() for c in cuts]
    if not cuts or len(orders) == 0:
        return 1.0
    f = pd.Timestamp(first_day if first_day is not None else paid_orders(orders)["order_ts"].min()).normalize()
    year = pd.Timedelta(days=365)
    if min(cuts) - year <= f + pd.Timedelta(days=window_days):
        return 1.0

    o = _distinct_days(_paid_days(orders, _day(score_day)))
    first_buy = o.groupby("member_id")["day"].min()
    day, first = o["day"].to_numpy(np.int64), first_buy.reindex(o["member_id"]).to_numpy(np.int64)

    def hazard(c):  # purchase days per member (members who had bought by c) in the window after c
        c = _day(c)
        members = int((first_buy.to_numpy(np.int64) <= c).sum())
        days = int(((day > c) & (day <= c + window_days) & (first <= c)).sum())
        return days / members if members else float("nan")

    target, train = hazard(pd.Timestamp(score_day).normalize() - year), np.mean([hazard(c - year) for c in cuts])
    if not (np.isfinite(target) and np.isfinite(train) and train > 0):
        return 1.0
    return float(stable(np.array([target / train]))[0])


def buy_training_frame(orders: pd.DataFrame, cuts, window_days: int = 30, end=None) -> tuple[pd.DataFrame, pd.Series]:
    """Features and labels of several cut-offs stacked (a member appears once per cut-off; the index is
    ``member_id@cut-off``), each cut-off's features computed only from orders up to it and its labels only from
    the ``window_days`` after it, never after ``end``."""
    Xs, ys = [], []
    for c in cuts:
        _check_label_window(c, window_days, end)
    d = _paid_days(orders, max((_day(c) for c in cuts), default=0) + window_days)  # once for every cut-off
    for c in cuts:
        X = _features(d, c, window_days)
        y = _labels(d, _day(c), window_days).reindex(X.index)
        key = f"@{pd.Timestamp(c).date()}"
        X.index = X.index.astype(str) + key
        y.index = X.index
        Xs.append(X)
        ys.append(y.astype(bool))
    if not Xs:
        return pd.DataFrame(columns=list(FEATURE_LABELS_ZH), dtype=float), pd.Series(dtype=bool)
    return pd.concat(Xs), pd.concat(ys)
