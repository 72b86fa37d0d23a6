"""Module 05 / 07 helpers on integer member codes and sampled fits (the scale path of issue 16): the same numbers
whatever the member-id column's dtype or the row order, gains and lift equal to the course's "top X %" rule applied
by hand, and the seeded training samples of big exports (deterministic, and a no-op below the cap)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import repurchase, segments
from helpers.behavior import top_members


def _world(n_members=300, n_orders=4000, seed=7, width_varies=False):
    rng = np.random.default_rng(seed)
    ids = [f"M{i:05d}" if not width_varies or i % 3 else f"VIP{i}" for i in range(n_members)]
    m = rng.integers(0, n_members, n_orders)
    ts = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700 * 24, n_orders), unit="h")
    return pd.DataFrame({
        "member_id": pd.array([ids[i] for i in m], dtype="string[pyarrow]"),
        "order_ts": ts,
        "net_amount": np.round(rng.gamma(2.0, 60.0, n_orders), 2),
        "status": pd.Categorical(np.where(rng.random(n_orders) < 0.05, "refunded", "paid")),
        "channel": pd.Categorical(rng.choice(["门店", "小程序", "线上商城"], n_orders)),
    })


@pytest.mark.parametrize("dtype", ["object", "string[python]", "category"])
def test_features_and_labels_do_not_depend_on_the_id_dtype_or_row_order(dtype):
    o = _world(width_varies=True)
    other = o.sample(frac=1.0, random_state=3).reset_index(drop=True)  # same orders, rows shuffled
    other["member_id"] = other["member_id"].astype(dtype)
    f1, f2 = segments.member_features(o, "2025-09-30"), segments.member_features(other, "2025-09-30")
    pd.testing.assert_frame_equal(f1, f2.set_axis(f2.index.astype(f1.index.dtype)), check_exact=False, rtol=1e-12)
    y1, y2 = segments.churn_labels(o, "2025-06-30", 60), segments.churn_labels(other, "2025-06-30", 60)
    assert list(y1.index.astype(str)) == list(y2.index.astype(str)) and (y1.to_numpy() == y2.to_numpy()).all()


def test_activity_windows_count_by_hand():
    o = _world(n_members=40, n_orders=600)
    w = segments.activity_windows(o, "2025-09-30", index=pd.Index(["M00003", "M00017", "ZZZ"], name="member_id"))
    day = o["order_ts"].dt.normalize()
    paid = o[(o["status"] == "paid") & (day <= "2025-09-30")]
    for m in ("M00003", "M00017"):
        age = (pd.Timestamp("2025-09-30") - paid.loc[paid["member_id"] == m, "order_ts"].dt.normalize()).dt.days
        amt = paid.loc[paid["member_id"] == m, "net_amount"]
        assert w.loc[m, "orders_90d"] == (age < 90).sum() and w.loc[m, "orders_prev_90d"] == ((age >= 90) & (age < 180)).sum()
        assert w.loc[m, "spend_180d"] == pytest.approx(amt[age < 180].sum(), rel=1e-12)
    assert (w.loc["ZZZ"] == 0).all()  # a member without orders: zeros, not missing


def test_gains_and_lift_follow_the_top_members_rule():
    rng = np.random.default_rng(11)
    n = 537
    ix = pd.Index(rng.permutation([f"C{i:04d}" for i in range(n)]), name="member_id")  # not sorted
    y = pd.Series(rng.random(n) < 0.3, index=ix)
    score = pd.Series(np.round(rng.random(n), 1), index=ix)  # many ties at every cut
    g = segments.gains_table(y, score, tops=(0.05, 0.1, 0.33, 1.0))
    for t in (0.05, 0.1, 0.33, 1.0):
        top = top_members(score, t)
        assert g.loc[t, "members"] == len(top) == max(1, math.ceil(t * n - 1e-9))
        assert g.loc[t, "churners"] == int(y.loc[top].sum())
        assert g.loc[t, "lift"] == pytest.approx(y.loc[top].mean() / y.mean(), rel=1e-12)
    assert segments.lift_at(y, score, 0.1) == pytest.approx(y.loc[top_members(score, 0.1)].mean() / y.mean())


def test_churn_model_training_sample_is_seeded_and_off_below_the_cap():
    o = _world(n_members=600, n_orders=9000)
    X, y = segments.churn_frame(o, "2025-06-30", 60)
    whole = segments.ChurnModel("logistic", seed=1, max_train=None).fit(X, y).predict_proba(X)
    capped_off = segments.ChurnModel("logistic", seed=1, max_train=len(X)).fit(X, y).predict_proba(X)
    pd.testing.assert_series_equal(whole, capped_off)
    a = segments.ChurnModel("logistic", seed=1, max_train=300).fit(X, y).predict_proba(X)
    b = segments.ChurnModel("logistic", seed=1, max_train=300).fit(X, y).predict_proba(X)
    pd.testing.assert_series_equal(a, b)  # same sample every run
    assert len(a) == len(X) and not a.equals(whole)  # every member scored, by a model fitted on fewer members


def test_kmeans_fit_sample_assigns_every_member():
    o = _world(n_members=500, n_orders=6000)
    f = segments.member_features(o, "2025-09-30")
    cols = ["recency", "frequency", "monetary_mean", "tenure"]
    whole = segments.MemberSegments(3, features=cols, seed=2, fit_sample=None).fit(f)
    same = segments.MemberSegments(3, features=cols, seed=2, fit_sample=len(f)).fit(f)
    pd.testing.assert_series_equal(whole.labels_, same.labels_)
    part = segments.MemberSegments(3, features=cols, seed=2, fit_sample=200).fit(f)
    assert part.labels_.index.equals(f.index) and set(part.labels_) == {1, 2, 3}


def test_buy_features_labels_and_next_dates_keep_member_ids():
    o = _world(n_members=200, n_orders=3000, width_varies=True)
    X = repurchase.buy_features(o, "2025-09-30")
    y = repurchase.buy_labels(o, "2025-09-30", 30)
    nd = repurchase.next_purchase_dates(o, "2025-09-30")
    paid = o[(o["status"] == "paid") & (o["order_ts"].dt.normalize() <= "2025-09-30")]
    want = sorted(paid["member_id"].astype(str).unique())
    assert list(X.index) == list(y.index) == list(nd.index) == want
    later = o[(o["status"] == "paid") & (o["order_ts"] >= "2025-10-01") & (o["order_ts"] < "2025-10-31")]
    assert y.to_dict() == {m: m in set(later["member_id"].astype(str)) for m in want}
    last = paid.groupby(paid["member_id"].astype(str))["order_ts"].max().dt.normalize()
    assert (nd["last_purchase"] == last.reindex(nd.index)).all()


def test_repurchase_with_numeric_member_ids_sorts_them_as_text():
    o = _world(n_members=120, n_orders=2000)
    o["member_id"] = o["member_id"].str[1:].astype(int)  # 3, 17, 100 …: text order is not numeric order
    X, y = repurchase.buy_features(o, "2025-09-30"), repurchase.buy_labels(o, "2025-09-30", 30)
    nd = repurchase.next_purchase_dates(o, "2025-09-30")
    assert list(X.index) == list(y.index) == list(nd.index) == sorted(X.index)
    assert all(isinstance(m, str) for m in X.index)
