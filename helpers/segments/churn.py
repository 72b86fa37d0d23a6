"""Churn warning (流失预警): out-of-time labels, leak-free features and a calibrated churn model.

The label (流失 here is the rule-based status, not BG/NBD's latent 脱离): a member who bought (a paid order) on or
before the cut-off day *c* **churns** when there is no paid order in the ``horizon_days`` after it, days
(c, c + h]. Members who never bought by *c* are not in the population (they cannot stop buying).

Out of time, never at random: with the as-of day T the model is **trained** at c = T − 2h (labels from
(T − 2h, T − h]), **validated** at c = T − h (labels from (T − h, T]) and finally refitted at T − h and used to
**score** members at T, whose future is unknown. A random split would let the model learn from the same calendar
period it is judged on (a promotion, a season) and would flatter it.

No leakage, by construction: :func:`churn_frame` cuts the orders at *c* before any feature is computed, the
feature frame records its cut-off (``attrs["as_of"]``), the labels record theirs (``attrs["cutoff"]``) and
:meth:`ChurnModel.fit` refuses a pair whose cut-offs differ. ``tests/test_segments_churn.py`` checks that orders
after *c* change no feature.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior import paid_orders
from helpers.behavior.purchases import _as_day, _days
from helpers.segments.features import member_codes, member_features, one_thread, scaled, stable

__all__ = ["CHURN_FEATURES", "ChurnModel", "churn_frame", "churn_labels", "data_end", "out_of_time_cutoffs"]

#: the features the churn model uses by default (orders-only; the optional ones join when the data has them)
CHURN_FEATURES = ("recency", "tenure", "frequency", "purchase_days", "monetary_total", "monetary_mean",
                  "mean_interval", "recency_ratio", "orders_30d", "orders_90d", "orders_prev_90d", "orders_180d",
                  "spend_90d", "spend_180d", "trend_90d", "online_share", "n_channels", "discount_share",
                  "refunded_orders", "p_alive", "expected_purchases")


def data_end(orders: pd.DataFrame) -> pd.Timestamp:
    """The last calendar day with any order (paid or refunded): how far the data can say who bought."""
    if not len(orders):
        raise ValueError("orders is empty")
    return pd.Timestamp(orders["order_ts"].max()).normalize()


def out_of_time_cutoffs(as_of, horizon_days: int) -> dict[str, pd.Timestamp]:
    """``{"train": T − 2h, "validate": T − h, "score": T}`` for the as-of day T and horizon h (days)."""
    if int(horizon_days) < 1:
        raise ValueError("horizon_days must be at least 1")
    t = pd.Timestamp(as_of).normalize()
    h = pd.Timedelta(days=int(horizon_days))
    return {"train": t - 2 * h, "validate": t - h, "score": t}


def churn_labels(orders: pd.DataFrame, cutoff, horizon_days: int, *, end=None) -> pd.Series:
    """Per member with a paid order on or before ``cutoff``: ``True`` (churned) when the member has no paid order
    in the ``horizon_days`` days after it (days cutoff + 1 … cutoff + h), else ``False``.

    ``end`` (default: the last order day of ``orders``) is how far the data reaches; a label window running past
    it is not observed, so that raises ``ValueError`` instead of calling everybody churned. Refunded orders are not
    purchases. Boolean Series indexed by ``member_id`` (sorted), ``attrs["cutoff"]`` and ``attrs["horizon_days"]``."""
    c = _as_day(cutoff, "cutoff")
    h = int(horizon_days)
    if h < 1:
        raise ValueError("horizon_days must be at least 1")
    last = _as_day(end if end is not None else data_end(orders), "end")
    if c + h > last:
        raise ValueError(f"the label window ends {pd.Timestamp(cutoff).date() + pd.Timedelta(days=h)}, after the "
                         f"data ends ({pd.Timestamp(end if end is not None else data_end(orders)).date()}): "
                         "who churned is not observed yet")
    paid = paid_orders(orders)
    day = _days(paid["order_ts"]).astype(np.int64)
    codes, members = member_codes(paid["member_id"])  # integer codes in member-id order: no id strings per row
    n = len(members)
    before = np.bincount(codes[day <= c], minlength=n) > 0
    bought = np.bincount(codes[(day > c) & (day <= c + h)], minlength=n) > 0
    y = pd.Series(~bought[before], index=members[before].rename("member_id"), name="churned")
    y.attrs.update({"cutoff": str(pd.Timestamp(cutoff).date()), "horizon_days": h})
    return y


def churn_frame(orders: pd.DataFrame, cutoff, horizon_days: int | None = None, *, end=None,
                order_items=None, products=None, clv_horizon: int | None = None) -> tuple[pd.DataFrame, pd.Series | None]:
    """``(features, labels)`` at one cut-off: :func:`member_features` from the orders **cut at** ``cutoff`` (the
    rows after it are dropped before anything is computed; module 04's P(alive) and expected purchases over
    ``clv_horizon`` days — default ``horizon_days``, else 180 — come from a BG/NBD fitted on those orders only) and,
    with ``horizon_days``, :func:`churn_labels` for the same members (``None`` without a horizon: scoring at the
    as-of day, whose future is unknown)."""
    horizon = clv_horizon or horizon_days or 180
    # member_features reads only the rows up to the cut-off itself: no cut copy of every order here
    X = member_features(orders, cutoff, order_items=order_items, products=products, clv_horizon=horizon)
    if horizon_days is None:
        return X, None
    y = churn_labels(orders, cutoff, horizon_days, end=end)
    if not y.index.equals(X.index):
        y = y.reindex(X.index)
    if y.isna().any():  # a member in the features but not in the labels: only refund-only members, never here
        raise ValueError("features and labels disagree on the members bought by the cut-off")
    y = y.astype(bool)
    y.attrs.update({"cutoff": str(pd.Timestamp(cutoff).date()), "horizon_days": int(horizon_days)})
    return X, y


#: members a churn model is fitted on at most (a seeded sample above it; every member is still scored): a few
#: hundred thousand members pin down a model of about 20 features, and the fit then costs the same at 5M members
MAX_TRAIN = 200_000


class ChurnModel:
    """Probability that a member makes no paid purchase in the next ``horizon_days`` — calibrated.

    ``kind``: ``"logistic"`` (logistic regression on :func:`scaled` features: log1p for counts and money,
    standardised) or ``"hgb"`` (``HistGradientBoostingClassifier`` on the raw features; missing values allowed).
    Both are wrapped in ``CalibratedClassifierCV`` (``calibration`` ``"isotonic"`` or ``"sigmoid"``, stratified
    ``cv`` folds shuffled with ``seed``), so that a predicted 0.3 means about 30 % of such members churn.
    Predictions are rounded with :func:`stable` (the course's rule before any ranking or threshold).

    ``fit(X, y)`` checks that features and labels come from the same cut-off (``attrs``), the leakage guard. With
    more than ``max_train`` members (default :data:`MAX_TRAIN`) it fits on a sample of that many drawn with
    ``seed`` (the same members every run); :meth:`predict_proba` scores every member."""

    def __init__(self, kind: str = "hgb", *, calibration: str = "isotonic", features=None, seed: int = 0,
                 cv: int = 3, max_iter: int = 150, max_train: int | None = MAX_TRAIN):
        if kind not in ("logistic", "hgb"):
            raise ValueError("kind must be 'logistic' or 'hgb'")
        if calibration not in ("isotonic", "sigmoid"):
            raise ValueError("calibration must be 'isotonic' or 'sigmoid'")
        self.kind, self.calibration, self.features, self.seed, self.cv = kind, calibration, features, seed, cv
        self.max_iter, self.max_train = max_iter, max_train

    def __repr__(self) -> str:
        return f"ChurnModel(kind={self.kind!r}, calibration={self.calibration!r}, seed={self.seed})"

    def _estimator(self):
        if self.kind == "logistic":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(C=1.0, max_iter=2000)
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=self.max_iter, learning_rate=0.05, max_leaf_nodes=15,
                                              min_samples_leaf=40, l2_regularization=1.0, early_stopping=False,
                                              random_state=self.seed)

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        cols = self.feature_names_
        if self.kind == "logistic":
            return scaled(X, cols, center=self.center_, scale=self.scale_).to_numpy(float)
        return X[cols].astype(float).to_numpy()

    def fit(self, X: pd.DataFrame, y: pd.Series) -> ChurnModel:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.model_selection import StratifiedKFold

        fx, fy = X.attrs.get("as_of"), y.attrs.get("cutoff")
        if fx is None or fy is None or fx != fy:
            raise ValueError(f"features (cut-off {fx}) and labels (cut-off {fy}) must come from the same cut-off: "
                             "features computed after the labels' cut-off would leak the future")
        if not X.index.equals(y.index):
            raise ValueError("X and y must have the same members in the same order")
        yy = y.astype(bool).to_numpy()
        if self.max_train is not None and len(yy) > self.max_train:  # big exports: fit on a seeded sample
            from helpers.segments.clustering import _sample_rows

            rows = _sample_rows(len(yy), self.max_train, self.seed)
            X, yy = X.iloc[rows], yy[rows]
        if yy.all() or not yy.any():
            raise ValueError("the labels have a single class: nothing to learn")
        wanted = CHURN_FEATURES if self.features is None else tuple(self.features)
        self.feature_names_ = [c for c in wanted if c in X.columns and X[c].notna().any()]
        self.center_ = self.scale_ = None
        if self.kind == "logistic":
            s = scaled(X, self.feature_names_)
            self.center_, self.scale_ = s.attrs["center"], s.attrs["scale"]
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.seed)
        self.model_ = CalibratedClassifierCV(self._estimator(), method=self.calibration, cv=folds)
        with one_thread():
            self.model_.fit(self._matrix(X), yy)
        self.cutoff_ = fx
        self.horizon_days_ = y.attrs.get("horizon_days")
        self.base_rate_ = float(yy.mean())
        return self

    def predict_proba(self, X: pd.DataFrame) -> pd.Series:
        """Calibrated churn probability per member (index of ``X``), rounded with :func:`stable`."""
        with one_thread():
            p = self.model_.predict_proba(self._matrix(X))[:, 1]
        return pd.Series(stable(np.clip(p, 0.0, 1.0)), index=X.index, name="churn_risk")
