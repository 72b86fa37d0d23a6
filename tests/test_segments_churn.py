"""helpers.segments churn warning: out-of-time labels on hand-made orders, the leakage guard (orders after the
cut-off change no feature; features and labels from different cut-offs are refused), the calibrated model against
its baselines and chance on a simulated world, and the evaluation figures (lift, gains, calibration) by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import segments
from helpers.segments import (
    ChurnModel,
    baseline_scores,
    calibration_table,
    churn_frame,
    churn_labels,
    churn_metrics,
    gains_table,
    lift_at,
    member_features,
    out_of_time_cutoffs,
    permutation_importance,
)


def _orders(rows):
    """rows: (member_id, 'YYYY-MM-DD HH:MM', amount, status)."""
    return pd.DataFrame({
        "order_id": [f"O{i}" for i in range(len(rows))],
        "member_id": pd.array([r[0] for r in rows], dtype="string"),
        "order_ts": pd.to_datetime([r[1] for r in rows]),
        "net_amount": [float(r[2]) for r in rows],
        "status": pd.Categorical([r[3] for r in rows]),
        "channel": pd.Categorical(["门店"] * len(rows)),
    })


HAND = _orders([
    ("A", "2025-01-05 10:00", 100, "paid"),
    ("A", "2025-02-10 10:00", 80, "paid"),   # A buys inside the window (Jan 31, Mar 2] -> not churned
    ("B", "2025-01-20 09:00", 50, "paid"),
    ("B", "2025-02-05 12:00", 60, "refunded"),  # a refund is not a purchase -> B churned
    ("C", "2025-01-31 23:59", 30, "paid"),   # on the cut-off day: in the population
    ("C", "2025-03-02 08:00", 30, "paid"),   # the last day of the window counts -> not churned
    ("D", "2025-01-10 10:00", 20, "paid"),
    ("D", "2025-03-03 10:00", 20, "paid"),   # one day after the window -> churned
    ("E", "2025-02-01 00:01", 40, "paid"),   # first purchase after the cut-off: not in the population
    ("F", "2025-01-15 10:00", 70, "refunded"),  # only a refund before the cut-off: not in the population
    ("F", "2025-03-10 10:00", 70, "paid"),
])


def test_churn_labels_on_hand_made_orders():
    y = churn_labels(HAND, "2025-01-31", 30)
    assert list(y.index) == ["A", "B", "C", "D"]
    assert y.to_dict() == {"A": False, "B": True, "C": False, "D": True}
    assert y.attrs == {"cutoff": "2025-01-31", "horizon_days": 30}


def test_label_window_past_the_data_end_is_refused():
    with pytest.raises(ValueError, match="not observed"):
        churn_labels(HAND, "2025-03-01", 30)  # the data ends 2025-03-10
    assert churn_labels(HAND, "2025-03-01", 30, end="2025-03-31").sum() >= 1  # an explicit end is trusted


def test_out_of_time_cutoffs():
    c = out_of_time_cutoffs("2025-12-31", 90)
    assert c == {"train": pd.Timestamp("2025-07-04"), "validate": pd.Timestamp("2025-10-02"),
                 "score": pd.Timestamp("2025-12-31")}
    with pytest.raises(ValueError):
        out_of_time_cutoffs("2025-12-31", 0)


def test_orders_after_the_cutoff_change_no_feature():
    X, y = churn_frame(HAND, "2025-01-31", 30)
    late = pd.concat([HAND, _orders([("A", "2025-02-01 00:00", 9999, "paid"), ("B", "2025-02-20 10:00", 1, "paid"),
                                     ("G", "2025-02-02 10:00", 5, "paid")])], ignore_index=True)
    X2, y2 = churn_frame(late, "2025-01-31", 30)
    pd.testing.assert_frame_equal(X, X2)
    assert X.attrs["as_of"] == "2025-01-31"
    assert y2["B"] == np.False_ and y["B"] == np.True_  # the late orders change labels, never features
    assert X.loc["A", "frequency"] == 1 and X.loc["A", "recency"] == 26 and X.loc["C", "recency"] == 0


def test_model_refuses_features_from_another_cutoff():
    X_late, _ = churn_frame(HAND, "2025-02-15", None)
    _, y = churn_frame(HAND, "2025-01-31", 30)
    with pytest.raises(ValueError, match="leak"):
        ChurnModel("logistic").fit(X_late.reindex(y.index), y)


def _world(n: int, seed: int, end="2025-12-31", days=1000) -> pd.DataFrame:
    """Members join over the period, buy at their own Poisson rate until an exponential lifetime ends."""
    rng = np.random.default_rng(seed)
    join = rng.integers(0, days - 30, n)
    rate = rng.gamma(1.2, 1 / 40, n)
    life = rng.exponential(400, n)
    rows_m, rows_t = [], []
    for i in range(n):
        stop = min(days, join[i] + life[i])
        k = rng.poisson(rate[i] * (stop - join[i])) + 1
        t = np.sort(np.r_[join[i], rng.uniform(join[i], stop, k - 1)])
        rows_m += [f"M{i:05d}"] * len(t)
        rows_t.append(t)
    t = np.concatenate(rows_t)
    start = pd.Timestamp(end) - pd.Timedelta(days=days - 1)
    return pd.DataFrame({"member_id": pd.array(rows_m, dtype="string"),
                         "order_ts": start + pd.to_timedelta(np.floor(t * 86400), unit="s"),
                         "net_amount": rng.gamma(3, 40, len(t)).round(2),
                         "status": pd.Categorical(np.where(rng.random(len(t)) < 0.03, "refunded", "paid"))})


@pytest.fixture(scope="module")
def world_frames():
    o = _world(1500, 7)
    c = out_of_time_cutoffs("2025-12-31", 120)
    tr = churn_frame(o, c["train"], 120)
    va = churn_frame(o, c["validate"], 120)
    return o, tr, va


@pytest.mark.parametrize("kind", ["logistic", "hgb"])
def test_model_ranks_at_least_as_well_as_recency_and_is_calibrated(world_frames, kind):
    _, (Xtr, ytr), (Xva, yva) = world_frames
    m = ChurnModel(kind, seed=3).fit(Xtr, ytr)
    p = m.predict_proba(Xva)
    assert p.between(0, 1).all() and p.index.equals(Xva.index)
    got = churn_metrics(yva, p)
    base = baseline_scores(Xva)[0]
    rec = churn_metrics(yva, base["recency"], probability=False)
    assert got["auc"] >= rec["auc"] - 0.02, (got["auc"], rec["auc"])
    assert abs(got["mean_score"] - got["churn_rate"]) < 0.05  # calibrated out of time on a stationary world
    naive = float(np.mean((yva.to_numpy(float) - ytr.mean()) ** 2))  # Brier of "everybody the base rate"
    assert got["brier"] < naive


def test_model_on_shuffled_labels_beats_nothing(world_frames):
    _, (Xtr, ytr), (Xva, yva) = world_frames
    shuffled = pd.Series(np.random.default_rng(0).permutation(ytr.to_numpy()), index=ytr.index)
    shuffled.attrs.update(ytr.attrs)
    p = ChurnModel("logistic", seed=0).fit(Xtr, shuffled).predict_proba(Xva)
    assert abs(churn_metrics(yva, p)["auc"] - 0.5) < 0.06


def test_same_seed_same_predictions(world_frames):
    _, (Xtr, ytr), (Xva, _) = world_frames
    a = ChurnModel("hgb", seed=5).fit(Xtr, ytr).predict_proba(Xva)
    b = ChurnModel("hgb", seed=5).fit(Xtr, ytr).predict_proba(Xva)
    pd.testing.assert_series_equal(a, b)


def test_permutation_importance_finds_the_features_that_matter(world_frames):
    _, (Xtr, ytr), (Xva, yva) = world_frames
    rng = np.random.default_rng(4)
    Xtr, Xva = Xtr.assign(discount_share=rng.random(len(Xtr))), Xva.assign(discount_share=rng.random(len(Xva)))
    Xtr.attrs["as_of"] = ytr.attrs["cutoff"]
    m = ChurnModel("logistic", seed=1).fit(Xtr, ytr)
    imp = permutation_importance(m, Xva, yva, n_repeats=2, seed=1)
    activity = ("recency", "recency_ratio", "orders_30d", "orders_90d", "orders_180d", "spend_90d", "spend_180d",
                "p_alive", "expected_purchases")
    assert imp.index[0] in activity and imp["importance"].iloc[0] > 0.01
    assert abs(imp.loc["discount_share", "importance"]) < 0.005  # pure noise: shuffling it changes nothing
    assert set(imp.index) == set(m.feature_names_)


def test_lift_and_gains_by_hand():
    idx = pd.Index([f"M{i}" for i in range(10)], name="member_id")
    y = pd.Series([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], index=idx).astype(bool)
    s = pd.Series([0.9, 0.8, 0.8, 0.1, 0.5, 0.4, 0.3, 0.2, 0.2, 0.0], index=idx)
    assert lift_at(y, s, 0.1) == pytest.approx(1 / 0.3)  # M0 churned; base rate 3/10
    assert lift_at(y, s, 0.2) == pytest.approx(1 / 0.3)  # M0, M1 (M1 before M2 at the tie)
    assert lift_at(y, s, 0.3) == pytest.approx((2 / 3) / 0.3)
    g = gains_table(y, s, tops=(0.2, 0.5, 1.0))
    assert g["members"].tolist() == [2, 5, 10]
    assert g["gains"].tolist() == pytest.approx([2 / 3, 2 / 3, 1.0])
    assert np.isnan(lift_at(pd.Series(False, index=idx), s, 0.1))


def test_churn_metrics_and_calibration_table_by_hand():
    idx = pd.Index(list("abcd"), name="member_id")
    y = pd.Series([True, False, True, False], index=idx)
    p = pd.Series([0.8, 0.2, 0.6, 0.6], index=idx)
    m = churn_metrics(y, p)
    assert m["auc"] == pytest.approx(0.875)  # pairs: (a>b, a>d, c>b, c=d → ½) / 4
    assert m["brier"] == pytest.approx((0.04 + 0.04 + 0.16 + 0.36) / 4)
    t = calibration_table(y, p, bins=(0, 0.5, 1))
    assert t["members"].tolist() == [1, 3]
    assert t["churn_rate"].tolist() == pytest.approx([0.0, 2 / 3])
    with pytest.raises(ValueError, match="missing"):
        churn_metrics(y, p.iloc[:3])


def test_baseline_one_minus_p_alive_is_zero_for_one_day_buyers(world_frames):
    _, _, (Xva, _) = world_frames
    base, note = baseline_scores(Xva)
    assert note == ""
    one_day = Xva["x"] == 0
    assert (base.loc[one_day, "one_minus_p_alive"] == 0).all()
    assert base.loc[~one_day, "one_minus_p_alive"].between(0, 1).all()


def test_features_work_on_orders_only_data():
    o = HAND[["member_id", "order_ts", "net_amount"]]
    X = member_features(o, "2025-03-10")
    assert {"recency", "orders_90d", "trend_90d"} <= set(X.columns)
    assert "online_share" not in X.columns and "discount_share" not in X.columns
    assert X.loc["B", "frequency"] == 2  # no status column: every order counts


def test_activity_windows_and_trend():
    w = segments.activity_windows(HAND, "2025-03-02")
    assert w.loc["C", "orders_30d"] == 1  # Mar 2 is inside (Jan 31, Mar 2]
    assert w.loc["A", "orders_90d"] == 2 and w.loc["A", "orders_prev_90d"] == 0
    assert w.loc["A", "trend_90d"] == 1.0
