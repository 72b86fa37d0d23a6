"""helpers.engine.cohorts: cohorts / retention, rolling tier qualification, campaign outcomes and repurchase
intervals as ibis expressions equal their pandas helpers — integers exactly, floats to 1e-9 relative — on DuckDB
(the 1,000-member test world and hand-made edge cases) and, for the cohorts, on local Spark.

Spark: the session of tests/test_engine.py when it runs in the same process (``getOrCreate``), else one of its own
with the same settings; one Spark call in this file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import bundles, data, engine, repurchase
from helpers.behavior import cohort_retention
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


def test_cohorts_on_spark_equal_pandas(ds):
    spark = engine.local_spark(cores=1, memory="512m", tiny=True)  # the session of test_engine.py if it runs
    as_of = pd.Timestamp(ds.analysis_date) - pd.Timedelta(days=200)
    got = engine.cohort_retention(ds.orders, as_of, engine="spark", spark=spark, max_months=12)
    assert_cohorts_equal(got, cohort_retention(ds.orders, as_of, max_months=12))


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
