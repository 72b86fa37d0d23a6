"""Module 06 against the synthetic world's own loyalty programme (helpers/synth/programme.py, loyalty.py): the
ledger, the tier simulation and the breakage estimate reproduce what the generator booked, on the 1,000-member test
world, on a world of another seed and on the default data.

Tolerance. The breakage estimate (``tiers.breakage_rate`` of a ledger run with the programme's expiry rule) and the
true breakage (``truth/loyalty_programme.json``) are not a sample and its population: at a month-end as-of day the
estimate's mature points (earned at least ``points_expiry_months`` before the as-of day) are exactly the truth's
settled points, and under FIFO every one of them was redeemed or expired. So the two must agree to float rounding
(1e-9, the truth is written with 12 decimals) and per-member expired points must be equal as integers; any gap is
a bug in the ledger or in the generator, which implement FIFO expiry independently (vectorised running maximum vs
the generator's per-order prefix). Without the expiry rule the estimate lets later redemptions use points that had
expired, so it can only be lower than the truth — checked as an inequality, not a tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import data, tiers
from helpers import generate as G
from helpers.paths import DEFAULT_DATA_DIR
from helpers.truth import MEMBER_POINTS_COLUMNS, read_truth

RATES = {"普通会员": 1.0, "银卡": 1.2, "金卡": 1.5, "钻石卡": 2.0}  # points per 元, the documented programme


@pytest.fixture(scope="module")
def other_seed(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiers-seed-b")
    G.generate_world(1000, 424242, d, tables=("members", "orders"))
    return d


def _load(d):
    tr = read_truth(d)
    prog = tr.programme
    ds = data.load(d, as_of=prog["as_of"])
    return tr, prog, ds


@pytest.mark.parametrize("which", ["small_world", "other_seed"])
def test_ledger_reproduces_the_true_points_and_breakage(request, which):
    tr, prog, ds = _load(request.getfixturevalue(which))
    n = prog["points"]["points_expiry_months"]
    assert n > 0 and pd.Timestamp(prog["as_of"]).is_month_end
    led = tiers.points_ledger(ds.orders, prog["as_of"], n, members=tr.member_points.index)
    truth = tr.member_points
    assert list(truth.reset_index().columns) == list(MEMBER_POINTS_COLUMNS)
    b = led.balances.reindex(truth.index)
    for col, tcol in (("earned", "points_earned"), ("redeemed", "points_redeemed"), ("expired", "points_expired"),
                      ("balance", "points_balance")):
        assert (b[col].to_numpy() == truth[tcol].to_numpy()).all(), col
    assert led.outstanding == prog["points_outstanding"] and (b["balance"] >= 0).all()
    assert int(b["expired"].sum()) == prog["points_expired_total"] > 0
    est, true = tiers.breakage_rate(led), prog["breakage"]["rate"]
    assert 0 < true < 1 and est == pytest.approx(true, abs=1e-9)
    # the settled points by the truth's definition, counted here from the orders
    paid = ds.orders[ds.orders["status"] == "paid"]
    settled = paid["order_ts"].dt.to_period("M") + n <= pd.Period(prog["as_of"], "M")
    assert int(paid.loc[settled, "points_earned"].sum()) == prog["breakage"]["settled_points_earned"]
    # ignoring the expiry rule: later redemptions are credited to points that had expired -> never above the truth
    assert tiers.breakage_rate(tiers.points_ledger(ds.orders, prog["as_of"], 0)) <= true + 1e-12


@pytest.mark.parametrize("which", ["small_world", "other_seed"])
def test_points_earned_follow_the_tier_held_when_ordering(request, which):
    tr, prog, ds = _load(request.getfixturevalue(which))
    o = ds.orders
    assert prog["points"]["earn_points_per_yuan_by_tier"] == RATES
    path = tiers.simulate_tiers(tiers.monthly_panel(o, prog["as_of"], members=ds.get("members")), tiers.DEFAULT_RULES)
    # the generator's tiers are the ones module 06 simulates from the written orders
    final = path.final()["tier"].reindex(tr.member_points.index)
    assert (final.astype(str) == tr.member_points["tier"].astype(str)).all()
    paid = o[o["status"] == "paid"]
    first = path.months[0]
    col = ((paid["order_ts"].dt.year - first.year) * 12 + paid["order_ts"].dt.month - first.month).to_numpy()
    row = path.members.get_indexer(paid["member_id"].astype("string"))
    held = np.where(col > 0, path.tier[row, np.maximum(col - 1, 0)], 0)
    rate = np.array([RATES[t] for t in tiers.DEFAULT_RULES.names])[held]
    want = np.floor(paid["net_amount"].to_numpy() * rate + 1e-6).astype(np.int64)
    assert (paid["points_earned"].to_numpy(np.int64) == want).all()
    assert (held > 0).any() and (o.loc[o["status"] == "refunded", "points_earned"] == 0).all()
    assert (o.loc[o["status"] == "refunded", "points_redeemed"] == 0).all()


def _order_states(o: pd.DataFrame, n: int) -> pd.DataFrame:
    """Before each paid order, by a plain lot-by-lot FIFO loop: the valid balance and the points that expire by the
    end of the next month (lots of month m expire at the end of month m + n)."""
    rows = []
    for _, g in o.groupby("member_id", sort=False):
        lots: list[list[int]] = []  # [month number, points left]
        for month, e, r in zip(g["month"], g["points_earned"], g["points_redeemed"], strict=True):
            lots = [lot for lot in lots if lot[0] + n >= month and lot[1] > 0]
            bal = sum(lot[1] for lot in lots)
            soon = sum(lot[1] for lot in lots if lot[0] + n <= month + 1)
            rows.append((bal, soon, r))
            for lot in lots:
                take = min(lot[1], r)
                lot[1] -= take
                r -= take
            assert r == 0  # never more than the valid balance
            if e:
                lots.append([month, e])
    return pd.DataFrame(rows, columns=["balance", "soon", "redeemed"])


def test_members_redeem_more_when_points_are_about_to_expire(small_world, other_seed):
    """Among paid orders with at least 1,000 valid points, those with ≥ 100 points expiring by the end of the next
    month redeem more often. By the rules the chance is ≥ 60 % under that pressure and 15–30 % × √(balance / 1,000)
    otherwise; the margin 0.15 leaves room for the other orders' larger balances and higher tiers. Few members hold
    1,000 points that are about to expire (they redeem before), so the two worlds are pooled."""
    states = []
    for d in (small_world, other_seed):
        _, prog, ds = _load(d)
        o = ds.orders[ds.orders["status"] == "paid"].sort_values(["member_id", "order_ts"], kind="mergesort")
        o = o.assign(month=o["order_ts"].dt.year * 12 + o["order_ts"].dt.month)
        states.append(_order_states(o, prog["points"]["points_expiry_months"]))
    ok = pd.concat(states).query("balance >= 1000")
    pressed = ok["soon"] >= 100
    used = ok["redeemed"] > 0
    assert pressed.sum() >= 40 and (~pressed).sum() >= 1000, (pressed.sum(), (~pressed).sum())
    assert used[pressed].mean() > used[~pressed].mean() + 0.15, (used[pressed].mean(), used[~pressed].mean())


def test_default_world_breakage_is_the_truth():
    tr = read_truth(DEFAULT_DATA_DIR)
    prog = tr.programme
    ds = data.load(DEFAULT_DATA_DIR, as_of=prog["as_of"])
    led = tiers.points_ledger(ds.orders, prog["as_of"], prog["points"]["points_expiry_months"])
    assert tiers.breakage_rate(led) == pytest.approx(prog["breakage"]["rate"], abs=1e-9)
    assert led.outstanding == int(tr.member_points["points_balance"].sum()) == prog["points_outstanding"]
