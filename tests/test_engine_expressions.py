"""helpers.engine.cohorts: cohorts / retention, rolling tier qualification, campaign outcomes and repurchase
intervals (per member × category, and per category as module 02 shows them) as ibis expressions equal their pandas
helpers — integers exactly, floats to 1e-9 relative — on DuckDB (the 1,000-member test world and hand-made edge
cases) and on local Spark; and the notebooks' dispatch calls (``behavior.cohorts_for``,
``behavior.category_intervals_for``, ``tiers.qualification_for``, ``experiments.outcomes_for``) give the pandas
helper's table on every engine, and refuse the route when an exercise forbids the helper.

Spark: the session of tests/test_engine.py when it runs in the same process (``getOrCreate``), else one of its own
with the same settings; one Spark test in this file (four small queries). The report on DuckDB / Spark with these
calls: tests/test_engine_report.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import behavior, bundles, checks, data, engine, repurchase, tiers
from helpers import experiments as X
from helpers.behavior import category_repurchase_intervals, cohort_retention
from helpers.engine import cohorts as C
from helpers.experiments.outcomes import member_outcomes
from helpers.tiers import monthly_panel
from helpers.tiers.simulate import _rolling

pytestmark = [pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
              pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")]


@pytest.fixture(scope="module")
def ds(small_world):
    return data.load(small_world)


def assert_cohorts_equal(got, want) -> None:
    pd.testing.assert_series_equal(got.sizes, want.sizes)
    pd.testing.assert_frame_equal(got.active, want.active)  # counts (floats holding integers, NaN unobserved)
    pd.testing.assert_frame_equal(got.later, want.later)
    pd.testing.assert_frame_equal(got.retention, want.retention, rtol=1e-9)


def test_cohorts_on_duckdb_equal_pandas(ds):
    as_of = ds.analysis_date
    got = engine.cohort_retention(ds.orders, as_of)
    assert_cohorts_equal(got, cohort_retention(ds.orders, as_of))
    assert (got.retention[0] == 1).all() and got.active.isna().to_numpy().any()  # month 0 is 1; later months open
    assert_cohorts_equal(engine.cohort_retention(ds.orders, as_of, max_months=6, include_refunds=True),
                         cohort_retention(ds.orders, as_of, max_months=6, include_refunds=True))


def assert_outcomes_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same contacts in the same order, same dtypes; counts exactly, spend to 1e-9 relative (sums of money added
    in another order)."""
    assert len(got) == len(want) > 0
    pd.testing.assert_frame_equal(got.drop(columns="spend"), want.drop(columns="spend"))
    np.testing.assert_allclose(got["spend"].to_numpy(), want["spend"].to_numpy(), rtol=1e-9, atol=0)


def test_dispatch_on_spark_equals_pandas(ds):
    """The four dispatch calls on Spark (what a module kernel of ``report --engine spark`` runs) against pandas."""
    spark = engine.local_spark(cores=1, memory="512m", tiny=True)  # the session of test_engine.py if it runs
    as_of = pd.Timestamp(ds.analysis_date) - pd.Timedelta(days=200)
    on = {"engine": "spark", "spark": spark}
    assert_cohorts_equal(behavior.cohorts_for(ds.orders, as_of, max_months=12, **on),
                         cohort_retention(ds.orders, as_of, max_months=12))
    pd.testing.assert_frame_equal(
        behavior.category_intervals_for(ds.orders, ds.order_items, ds.products, as_of=as_of, **on),
        category_repurchase_intervals(ds.orders, ds.order_items, ds.products, as_of=as_of))
    panel = tiers.monthly_panel(ds.orders, as_of, members=ds.members)
    rules = tiers.TierRules(window_months=6)
    got = tiers.qualification_for(ds.orders, as_of, rules, panel=panel, **on)
    pd.testing.assert_frame_equal(got, tiers.qualification_for(ds.orders, as_of, rules, panel=panel))
    kept, _ = X.clean_contacts(ds.campaign_contacts, ds.campaigns)
    assert_outcomes_equal(X.outcomes_for(kept, ds.orders, ds.campaigns, ds.events, **on),
                          X.member_outcomes(kept, ds.orders, ds.campaigns, ds.events))


def test_dispatch_on_duckdb_equals_pandas(ds):
    """Each dispatch call on DuckDB gives its pandas helper's table — dtypes, index and order included — and on
    ``pandas`` is the helper itself; the tier window equals the simulation's own rolling value at the as-of month."""
    as_of = ds.analysis_date
    assert_cohorts_equal(behavior.cohorts_for(ds.orders, as_of, engine="duckdb", max_months=12),
                         behavior.cohorts_for(ds.orders, as_of, max_months=12))
    want = behavior.category_intervals_for(ds.orders, ds.order_items, ds.products, as_of=as_of)
    pd.testing.assert_frame_equal(want, category_repurchase_intervals(ds.orders, ds.order_items, ds.products,
                                                                      as_of=as_of))
    pd.testing.assert_frame_equal(behavior.category_intervals_for(ds.orders, ds.order_items, ds.products, as_of=as_of,
                                                                  engine="duckdb"), want)
    panel = tiers.monthly_panel(ds.orders, as_of, members=ds.members)
    for rules in (tiers.TierRules(), tiers.TierRules(basis="points", window_months=3)):
        want = tiers.qualification_for(ds.orders, as_of, rules, panel=panel)
        path = tiers.simulate_tiers(panel, rules)
        assert want.index.equals(path.members) and (want["rolling"].to_numpy() == path.rolling[:, -1]).all()
        active = (panel.spend[:, -rules.window_months:] > 0).any(axis=1)
        assert (want["active"].to_numpy() == active).all() and 0 < active.sum() < len(active)
        got = tiers.qualification_for(ds.orders, as_of, rules, engine="duckdb", members=ds.members)
        pd.testing.assert_frame_equal(got, want, rtol=1e-9)
    kept, _ = X.clean_contacts(ds.campaign_contacts, ds.campaigns)
    want = X.outcomes_for(kept, ds.orders, ds.campaigns, ds.events)
    pd.testing.assert_frame_equal(want, X.member_outcomes(kept, ds.orders, ds.campaigns, ds.events))
    assert_outcomes_equal(X.outcomes_for(kept, ds.orders, ds.campaigns, ds.events, engine="duckdb"), want)
    no_events = X.outcomes_for(kept, ds.orders, ds.campaigns, ds.events.iloc[:0], engine="duckdb")
    assert no_events["visited"].isna().all() and X.member_outcomes(kept, ds.orders, ds.campaigns,
                                                                   ds.events.iloc[:0])["visited"].isna().all()


def test_dispatch_refuses_the_route_when_an_exercise_forbids_the_helper(ds):
    """An exercise that blocks the pandas helper (helpers.checks.forbid) blocks its engine route too: the answer
    cannot reach the same table through the dispatch."""
    as_of, kept = ds.analysis_date, ds.campaign_contacts.assign(campaign_id=lambda d: d["campaign_id"].astype(str))
    calls = {
        "behavior.cohort_retention": lambda: behavior.cohorts_for(ds.orders, as_of, engine="duckdb"),
        "behavior.category_repurchase_intervals": lambda: behavior.category_intervals_for(
            ds.orders, ds.order_items, ds.products, as_of=as_of, engine="duckdb"),
        "tiers.monthly_panel": lambda: tiers.qualification_for(ds.orders, as_of, tiers.TierRules(), engine="duckdb"),
        "experiments.member_outcomes": lambda: X.outcomes_for(kept, ds.orders, ds.campaigns, engine="duckdb"),
    }
    exercise = "练习 9"
    for name, call in calls.items():
        with checks.forbid(name, exercise=exercise), pytest.raises(AssertionError):
            call()
    with pytest.raises(ValueError, match="engine must be one of"):
        behavior.cohorts_for(ds.orders, as_of, engine="polars")


def test_category_intervals_hand_checked():
    """The exercise-4 example of module 02: two orders on one day are one purchase day, a refunded order is no
    purchase, a line without a known product counts as 未知品类, a category bought once has 0 gaps and NaN; an
    odd and an even number of gaps give the middle value and the mean of the two middle ones."""
    orders = pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "O9", "O10"],
        "member_id": ["M1", "M1", "M1", "M1", "M2", "M2", "M2", "M3", "M3", "M3"],
        "order_ts": pd.to_datetime(["2025-01-01 09:00", "2025-01-08 10:00", "2025-01-08 18:00", "2025-01-22 10:00",
                                    "2025-01-03 12:00", "2025-01-13 12:00", "2025-01-20 12:00", "2025-01-05 09:00",
                                    "2025-01-19 20:00", "2025-02-10 08:00"]),
        "net_amount": [10.0] * 10,
        "status": ["paid", "paid", "paid", "refunded", "paid", "paid", "paid", "paid", "paid", "paid"],
    })
    items = pd.DataFrame({"order_id": ["O1", "O2", "O2", "O3", "O4", "O5", "O6", "O7", "O7", "O8", "O9", "O10"],
                          "product_id": ["F1", "F2", "S1", "F1", "S1", "F1", "F1", "S1", "F1", "S1", "S1", "X9"]})
    products = pd.DataFrame({"product_id": ["F1", "F2", "S1", "D1"], "category": ["生鲜食品", "生鲜食品", "休闲零食", None]})
    got = engine.category_intervals(orders, items, products, "2025-01-31")
    # 生鲜食品: M1 Jan 1 → 8 (7), M2 Jan 3 → 13 → 20 (10, 7); 休闲零食: M3 Jan 5 → 19 (14), M1's Jan 22 refunded;
    # O10 (unknown product) falls after the as-of day
    assert got.index.tolist() == ["生鲜食品", "休闲零食"]
    assert got["gaps"].tolist() == [3, 1] and got["members"].tolist() == [2, 1]
    assert got["median_gap_days"].tolist() == [7.0, 14.0] and got["mean_gap_days"].tolist() == [8.0, 14.0]
    pd.testing.assert_frame_equal(got, category_repurchase_intervals(orders, items, products, as_of="2025-01-31"))
    later = engine.category_intervals(orders, items, products, "2025-02-28")  # O10: a category bought once
    assert later.loc["未知品类", "gaps"] == 0 and np.isnan(later.loc["未知品类", "median_gap_days"])
    pd.testing.assert_frame_equal(later, category_repurchase_intervals(orders, items, products, as_of="2025-02-28"))
    two = orders[orders["member_id"] == "M2"]  # an even count: 10 and 7 → 8.5
    assert engine.category_intervals(two, items, products, "2025-01-31")["median_gap_days"].iloc[0] == 8.5  # 生鲜食品


def test_cohorts_hand_checked():
    orders = pd.DataFrame({
        "member_id": pd.array(["A", "A", "A", "B", "B", "C"], dtype="string"),
        "order_ts": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-03-01", "2025-02-10", "2025-02-11",
                                    "2025-02-28 23:00"], format="ISO8601"),
        "net_amount": [10.0, 5.0, 7.0, 3.0, 4.0, 9.0],
        "status": pd.Categorical(["paid", "paid", "paid", "paid", "refunded", "refunded"]),
    })
    got = engine.cohort_retention(orders, "2025-03-31")
    assert got.sizes.tolist() == [1, 1] and list(got.sizes.index.astype(str)) == ["2025-01", "2025-02"]
    assert got.active.loc["2025-01"].tolist() == [1.0, 0.0, 1.0] and got.later.loc["2025-01"].tolist() == [1, 1, 1]
    assert got.active.loc["2025-02"].iloc[:2].tolist() == [1.0, 0.0] and np.isnan(got.active.loc["2025-02"].iloc[2])
    assert_cohorts_equal(got, cohort_retention(orders, "2025-03-31"))


def test_qualification_spend_equals_the_tier_panel(ds):
    as_of = ds.analysis_date
    panel = monthly_panel(ds.orders, as_of)
    for value, basis in (("net_amount", panel.spend), ("points_earned", panel.points)):
        want = pd.Series(_rolling(basis, 12)[:, -1], index=panel.members.astype("string"))
        got = engine.qualification_spend(ds.orders, as_of, value=value)
        assert got.index.is_unique and set(got.index) <= set(want.index)
        np.testing.assert_allclose(got.reindex(want.index, fill_value=0.0).to_numpy(), want.to_numpy(), rtol=1e-9,
                                   atol=0)
        assert (want.drop(got.index) == 0).all()  # members left out have nothing in the window


def test_rolling_window_at_every_purchase_month_equals_the_panel(ds):
    as_of = ds.analysis_date
    panel = monthly_panel(ds.orders, as_of)
    dense = _rolling(panel.spend, 12)
    con = engine.connect("duckdb")
    long = con.to_pyarrow(C.rolling_expr(C._table(con, ds.orders, ["member_id", "order_ts", "net_amount", "status"]),
                                         as_of)).to_pandas()
    first = panel.months[0].year * 12 + panel.months[0].month - 1 - 1970 * 12
    rows = panel.members.astype("string").get_indexer(long["member_id"].astype("string"))
    assert (rows >= 0).all() and len(long) > len(panel.members)
    np.testing.assert_allclose(long["rolling"].to_numpy(), dense[rows, long["m"].to_numpy() - first], rtol=1e-9,
                               atol=1e-9)


def test_campaign_outcomes_equal_pandas(ds):
    got = engine.campaign_outcomes(ds.campaign_contacts, ds.orders, ds.campaigns, ds.events)
    want = member_outcomes(ds.campaign_contacts, ds.orders, ds.campaigns, ds.events)
    assert list(got.columns) == list(want.columns) and len(got) == len(want) > 0
    for c in ("campaign_id", "member_id", "arm", "is_control"):
        assert got[c].astype(str).tolist() == want[c].astype(str).tolist(), c
    for c in ("converted", "orders", "spend", "visited"):
        np.testing.assert_allclose(got[c].to_numpy(float), want[c].to_numpy(float), rtol=1e-9, equal_nan=True,
                                   err_msg=c)
    assert got["converted"].sum() > 0 and got["visited"].notna().any()
    no_events = engine.campaign_outcomes(ds.campaign_contacts, ds.orders, ds.campaigns)
    assert no_events["visited"].isna().all()
    np.testing.assert_allclose(no_events["spend"], want["spend"], rtol=1e-9)


def test_repurchase_intervals_equal_pandas(ds):
    as_of = ds.analysis_date
    visits = repurchase.category_visits(bundles.paid_lines(ds.orders, ds.order_items, as_of), ds.products)
    for active_days in (365, None):
        got = engine.repurchase_intervals(visits, as_of, active_days=active_days)
        want = repurchase.interval_table(visits, as_of, active_days=active_days)
        assert got.astype(str).equals(want.astype(str)) and got["observed"].any() and not got["observed"].all()
