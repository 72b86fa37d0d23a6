"""Module 06 points ledger: hand-made ledgers worked out on paper, and a plain lot-by-lot FIFO loop (written here,
independently of the vectorised ledger) on random ledgers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import data, tiers
from helpers.paths import DEFAULT_DATA_DIR
from helpers.truth import read_truth


def _orders(rows):
    return pd.DataFrame(rows, columns=["member_id", "order_ts", "points_earned", "points_redeemed", "status"]).assign(
        order_ts=lambda d: pd.to_datetime(d["order_ts"]), net_amount=1.0)


HAND = _orders([
    ("A", "2024-01-10 10:00", 100, 0, "paid"),
    ("A", "2024-03-05 10:00", 50, 0, "paid"),
    ("A", "2024-06-01 10:00", 0, 80, "paid"),
    ("A", "2024-07-01 10:00", 30, 10, "refunded"),  # reversed: earns nothing, the 10 used points come back
    ("B", "2024-01-10 10:00", 100, 0, "paid"),
    ("B", "2024-02-10 10:00", 0, 100, "paid"),
])


def test_expiry_date_is_the_end_of_the_nth_month():
    e = tiers.expiry_time(pd.Series(pd.to_datetime(["2024-01-10 00:00", "2024-12-31 23:00"])), 6)
    assert e.iloc[0] == pd.Timestamp("2024-07-31 23:59:59.999999999")
    assert e.iloc[1] == pd.Timestamp("2025-06-30 23:59:59.999999999")
    assert tiers.expiry_time(pd.Series(pd.to_datetime(["2024-01-10"])), 0).isna().all()


def test_hand_ledger_fifo_expiry_mid_year():
    # as of 2024-08-15 with 6-month expiry: A's January lot (100, 80 of it used) leaves 20 to expire on 2024-07-31;
    # the March lot (50) expires on 2024-09-30, inside the next 90 days
    led = tiers.points_ledger(HAND, "2024-08-15", 6)
    a, b = led.balances.loc["A"], led.balances.loc["B"]
    assert (a["earned"], a["redeemed"], a["expired"], a["balance"], a["expiring_90d"]) == (150, 80, 20, 50, 50)
    assert (a["reversed_earned"], a["returned_redeemed"]) == (30, 10)
    assert (b["earned"], b["redeemed"], b["expired"], b["balance"]) == (100, 100, 0, 0)
    assert led.outstanding == 50
    exp = led.events[led.events["kind"] == "expire"]
    assert exp["points"].tolist() == [-20] and exp["ts"].iloc[0].date().isoformat() == "2024-07-31"
    m = led.monthly()
    assert m.loc[pd.Period("2024-07", "M"), "expired"] == 20 and m["earned"].sum() == 250


def test_hand_ledger_year_end_and_never_expiring():
    led = tiers.points_ledger(HAND, "2024-12-31", 6)
    assert led.balances.loc["A", "expired"] == 70 and led.balances.loc["A", "balance"] == 0
    never = tiers.points_ledger(HAND, "2024-12-31", 0)
    assert never.balances.loc["A", "balance"] == 70 and never.balances["expired"].sum() == 0
    assert never.balances["expiring_90d"].sum() == 0


def test_breakage_from_mature_points_and_liability():
    o = _orders([("A", "2023-01-01", 100, 0, "paid"), ("A", "2024-06-01", 100, 0, "paid"),
                 ("A", "2024-07-01", 0, 50, "paid"), ("B", "2023-03-01", 100, 0, "paid"),
                 ("B", "2023-04-01", 0, 100, "paid")])
    led = tiers.points_ledger(o, "2024-12-31", 0)  # mature: earned by 2023-12-31 → 200 points, 150 redeemed
    assert tiers.breakage_rate(led) == pytest.approx(0.25)
    assert tiers.liability(1000, 0.01, 0.2) == pytest.approx(8.0)
    assert tiers.liability(1000, 0.01, float("nan")) == pytest.approx(10.0)
    young = tiers.points_ledger(o, "2023-06-30", 0)
    assert np.isnan(tiers.breakage_rate(young))


def _fifo_loop(orders: pd.DataFrame, as_of: str, months: int) -> dict:
    """The obvious lot-by-lot queue, one member at a time."""
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    out = {}
    paid = orders[orders["status"] == "paid"].sort_values("order_ts", kind="mergesort")
    for mid, g in paid.groupby("member_id"):
        lots = []  # [expiry, remaining]
        expired = 0
        events = []
        for row in g.itertuples():
            if row.points_earned:
                per = row.order_ts.to_period("M") + months
                events.append((row.order_ts, 1, row.points_earned, (per + 1).to_timestamp()))
            if row.points_redeemed:
                events.append((row.order_ts, 0, row.points_redeemed, None))
        for e in [x for x in events if x[1] == 1]:
            events.append((e[3] - pd.Timedelta(1, "ns"), 2, 0, None))
        for ts, kind, pts, exp in sorted(events, key=lambda x: (x[0], x[1])):
            if ts >= end:
                continue
            if kind == 1:
                lots.append([exp, pts])
            elif kind == 0:
                need = pts
                for lot in lots:
                    take = min(lot[1], need)
                    lot[1] -= take
                    need -= take
                assert need == 0
            else:
                for lot in lots:
                    if lot[0] <= ts + pd.Timedelta(1, "ns") and lot[1]:
                        expired += lot[1]
                        lot[1] = 0
        out[mid] = (expired, sum(lot[1] for lot in lots))
    return out


def _random_orders(seed: int = 7) -> pd.DataFrame:
    """Random ledgers over 2.5 years whose redemptions never exceed what any expiry rule of >= 2 months leaves:
    a redemption takes at most (earned − redeemed) over the previous 55 days, points no rule can have expired
    and no earlier redemption can have used."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(40):
        t = pd.Timestamp("2023-01-01")
        recent: list[tuple[pd.Timestamp, int]] = []
        for _ in range(rng.integers(1, 40)):
            t += pd.Timedelta(days=int(rng.integers(1, 45)), hours=int(rng.integers(0, 24)))
            recent = [(ts, p) for ts, p in recent if t - ts < pd.Timedelta(days=55)]
            room = sum(p for _, p in recent)
            if room > 1 and rng.random() < 0.4:
                r = int(rng.integers(1, room + 1))
                rows.append((f"M{m:02d}", t, 0, r, "paid"))
                recent.append((t, -r))
            else:
                e = int(rng.integers(1, 500))
                status = "refunded" if rng.random() < 0.1 else "paid"
                rows.append((f"M{m:02d}", t, e, 0, status))
                if status == "paid":
                    recent.append((t, e))
    return _orders(rows)


def test_vectorised_fifo_matches_a_plain_loop():
    o = _random_orders()
    for months in (2, 3, 6, 12):
        want = _fifo_loop(o, "2025-06-30", months)
        assert sum(v[0] for v in want.values()) > 0  # something expired
        led = tiers.points_ledger(o, "2025-06-30", months)
        got = {m: (int(r.expired), int(r.balance)) for m, r in led.balances.iterrows() if m in want}
        assert got == want, months
    led0 = tiers.points_ledger(o, "2025-06-30", 0)
    paid = o[(o["status"] == "paid") & (o["order_ts"] < pd.Timestamp("2025-07-01"))]
    assert led0.outstanding == int(paid["points_earned"].sum() - paid["points_redeemed"].sum())


def test_burn_earn_by_tier_uses_the_tier_held_when_ordering():
    o = pd.DataFrame({"member_id": ["A", "A", "A"], "order_ts": pd.to_datetime(["2024-01-05", "2024-02-05",
                                                                                 "2024-03-05"]),
                      "net_amount": [500.0, 50.0, 50.0], "points_earned": [500, 50, 50],
                      "points_redeemed": [0, 40, 100], "status": ["paid", "paid", "paid"]})
    rules = tiers.TierRules((0, 400), ("基础", "银"))
    path = tiers.simulate_tiers(tiers.monthly_panel(o, "2024-03-31"), rules)
    be = tiers.burn_earn_by_tier(o, path)
    assert be.loc["基础", "earned"] == 500 and be.loc["银", "earned"] == 100
    assert be.loc["银", "burn_earn"] == pytest.approx(1.4) and be.loc["基础", "burn_earn"] == 0


def test_default_world_outstanding_matches_the_generator_truth():
    truth = read_truth(DEFAULT_DATA_DIR).programme
    ds = data.load(DEFAULT_DATA_DIR, as_of=truth["as_of"])
    led = tiers.points_ledger(ds.orders, truth["as_of"], truth["points"]["points_expiry_months"])
    assert led.outstanding == truth["points_outstanding"] and (led.balances["balance"] >= 0).all()


def test_missing_points_columns_are_named():
    with pytest.raises(ValueError, match="points_redeemed"):
        tiers.points_ledger(HAND.drop(columns=["points_redeemed"]), "2024-12-31", 0)


def test_truth_without_a_programme_file_has_none(tmp_path):
    (tmp_path / "truth").mkdir()
    pd.DataFrame({"member_id": ["M1"]}).to_parquet(tmp_path / "truth" / "member_truth.parquet")
    (tmp_path / "truth" / "params.json").write_text("{}", encoding="utf-8")
    assert read_truth(tmp_path).programme is None

