"""helpers.engine: the ibis member summary and RFM inputs on DuckDB and on local Spark equal the pandas path
(helpers.behavior.member_summary): integers exactly, floats to 1e-9 relative, same index, columns and dtypes.

Spark: one local SparkSession for the whole file (local[1], one shuffle partition, UTC, 512 MiB driver, no UI, no whole-stage code generation);
every Spark case runs once, on frames that hold several edge cases at a time, to keep the suite's time small."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import data, engine
from helpers.behavior import member_summary

ENGINES = ["duckdb", "spark"]
# ibis 12 and pyspark 4.0 still use pandas options that pandas 3 deprecates (theirs to change, not ours)
pytestmark = [pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
              pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")]


@pytest.fixture(scope="session")
def spark():
    s = engine.local_spark(cores=1, memory="512m", tiny=True)
    yield s
    s.stop()


def _run(kind, spark, fn, *args, **kw):
    return fn(*args, engine=kind, spark=spark if kind == "spark" else None, **kw)


@pytest.fixture(params=ENGINES)
def kind(request):
    if request.param == "spark":
        request.getfixturevalue("spark")
    return request.param


@pytest.fixture
def spark_or_none(kind, request):
    return request.getfixturevalue("spark") if kind == "spark" else None


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index) and got.index.name == want.index.name
    for c in want.columns:
        assert got[c].dtype == want[c].dtype, f"{c}: {got[c].dtype} != {want[c].dtype}"
        if np.issubdtype(want[c].dtype, np.floating):
            np.testing.assert_allclose(got[c].to_numpy(), want[c].to_numpy(), rtol=1e-9, atol=0, err_msg=c)
        else:
            assert (got[c].to_numpy() == want[c].to_numpy()).all(), c


@pytest.fixture(scope="module")
def world(small_world):
    ds = data.load(small_world)
    return ds.orders, ds.analysis_date


# ---- the 1,000-member world -------------------------------------------------------------------------------------
def test_summary_on_the_small_world_equals_pandas(kind, spark_or_none, world):
    orders, as_of = world
    got = engine.member_summary(orders, as_of, engine=kind, spark=spark_or_none)
    want = member_summary(orders, as_of)
    assert {"refunded_orders", "n_channels"} <= set(want.columns)
    assert_same(got, want)
    assert got.attrs["time_unit"] == "day" and got.attrs["as_of"] == want.attrs["as_of"]


def test_weeks_and_holdout_on_the_small_world_equal_pandas(kind, spark_or_none, world):
    orders, as_of = world
    cal = pd.Timestamp(as_of) - pd.Timedelta(days=180)
    got = engine.member_summary(orders, as_of, engine=kind, spark=spark_or_none, time_unit="W", calibration_end=cal)
    want = member_summary(orders, as_of, time_unit="W", calibration_end=cal)
    assert {"x_holdout", "orders_holdout", "spend_holdout", "duration_holdout"} <= set(want.columns)
    assert_same(got, want)
    assert got.attrs["time_unit"] == "week" and got.attrs["calibration_end"] == str(cal.date())


def test_rfm_inputs_are_the_summary_columns(world):
    orders, as_of = world
    got = engine.rfm_inputs(orders, as_of)
    assert_same(got, member_summary(orders, as_of)[["recency", "frequency", "monetary_total", "monetary_mean"]])


def test_parquet_path_is_read_by_the_engine(tmp_path, world):
    orders, as_of = world
    path = tmp_path / "orders.parquet"
    orders.to_parquet(path, index=False)
    got = engine.member_summary(path, as_of)
    assert_same(got, member_summary(orders, as_of).rename_axis("member_id"))
    assert engine.estimate_orders(tmp_path) == len(orders)


# ---- hand-made edge cases ---------------------------------------------------------------------------------------
def _orders(rows):
    df = pd.DataFrame(rows, columns=["member_id", "order_ts", "net_amount", "status", "channel"])
    df["order_ts"] = pd.to_datetime(df["order_ts"], format="ISO8601")
    df["member_id"] = df["member_id"].astype("string")
    df["status"] = df["status"].astype("category")
    df["channel"] = df["channel"].astype("category")
    return df


AS_OF = "2025-03-31"
EDGES = _orders([
    # A: two orders on one day, then one more day; a refund that must not count
    ("A", "2025-01-10 09:00", 100.0, "paid", "store"),
    ("A", "2025-01-10 21:30", 50.0, "paid", "mall"),
    ("A", "2025-02-01 12:00", 30.0, "paid", "store"),
    ("A", "2025-03-01 12:00", 999.0, "refunded", "store"),
    # B: one order on the as-of day (late evening), one after the as-of (out)
    ("B", "2025-03-31 23:59:59", 80.0, "paid", "mini"),
    ("B", "2025-04-01 00:00:01", 70.0, "paid", "mini"),
    # C: every order refunded -> no row
    ("C", "2025-02-02 10:00", 40.0, "refunded", "store"),
    # D: a missing status is a purchase; missing channel is not a channel
    ("D", "2025-01-01 00:00", 10.0, None, None),
    ("D", "2025-01-03 08:00", 20.0, "paid", "store"),
])


def test_edge_cases_hand_checked_and_equal_pandas(kind, spark_or_none):
    got = _run(kind, spark_or_none, engine.member_summary, EDGES, AS_OF)
    assert list(got.index) == ["A", "B", "D"]  # C: refunds only; after-as-of orders never count
    a, b, d = got.loc["A"], got.loc["B"], got.loc["D"]
    assert (a.frequency, a.purchase_days, a.x, a.refunded_orders, a.n_channels) == (3, 2, 1, 1, 2)
    assert a.monetary_total == 180.0 and a.monetary_repeat_mean == 30.0  # first day (150) excluded
    assert (a.recency, a.tenure, a.t_x, a["T"]) == (58, 80, 22.0, 80.0)
    assert (b.frequency, b.recency, b.x, b.n_channels) == (1, 0, 0, 1) and np.isnan(b.monetary_repeat_mean)
    assert (d.frequency, d.n_channels, d.t_x) == (2, 1, 2.0)
    assert_same(got, member_summary(EDGES, AS_OF))
    rfm = _run(kind, spark_or_none, engine.rfm_inputs, EDGES, AS_OF)
    assert_same(rfm, got[["recency", "frequency", "monetary_total", "monetary_mean"]])


def test_one_member_one_order_with_holdout(kind, spark_or_none):
    one = EDGES[EDGES["member_id"] == "B"]
    got = _run(kind, spark_or_none, engine.member_summary, one, "2025-04-30", calibration_end=AS_OF)
    want = member_summary(one, "2025-04-30", calibration_end=AS_OF)
    assert_same(got, want)
    assert (got.loc["B", "orders_holdout"], got.loc["B", "x_holdout"], got.loc["B", "spend_holdout"]) == (1, 1, 70.0)
    assert got.loc["B", "duration_holdout"] == 30.0


def test_include_refunds_and_orders_only_columns():
    bare = EDGES[["member_id", "order_ts", "net_amount"]]
    assert_same(engine.member_summary(bare, AS_OF), member_summary(bare, AS_OF))
    assert "refunded_orders" not in engine.member_summary(bare, AS_OF)
    got = engine.member_summary(EDGES, AS_OF, include_refunds=True)
    assert_same(got, member_summary(EDGES, AS_OF, include_refunds=True))
    assert got.loc["C", "frequency"] == 1


@pytest.mark.parametrize("seed", range(6))
def test_random_orders_equal_pandas_on_duckdb(seed):
    """Random small exports (few members, many same-day orders, refunds, missing status / channel, orders after
    the as-of, random as-of and calibration end): DuckDB equals the pandas path, days and weeks."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    start = np.datetime64("2024-01-01T00:00:00", "s")
    df = pd.DataFrame({
        "member_id": pd.array([f"M{i:03d}" for i in rng.integers(0, 1 + n // 5, n)], dtype="string"),
        "order_ts": (start + rng.integers(0, 90 * 86400, n).astype("timedelta64[s]")).astype("datetime64[ns]"),
        "net_amount": np.round(rng.gamma(2.0, 50.0, n), 2),
        "status": pd.Categorical(rng.choice(["paid", "refunded", None], n, p=[0.8, 0.15, 0.05])),
        "channel": pd.Categorical(rng.choice(["store", "mall", "mini", None], n)),
    })
    as_of = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(30, 100)))
    cal = as_of - pd.Timedelta(days=int(rng.integers(1, 29)))
    for kw in ({}, {"time_unit": "W", "calibration_end": cal}):
        try:
            want = member_summary(df, as_of, **kw)
        except ValueError:  # nothing bought up to the cut: no frame to compare
            continue
        assert_same(engine.member_summary(df, as_of, **kw), want)


def test_tz_aware_timestamps_are_taken_in_local_time():
    utc = EDGES.assign(order_ts=EDGES["order_ts"].dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC"))
    got = engine.member_summary(utc, AS_OF)
    assert_same(got, member_summary(EDGES, AS_OF))
    assert got.loc["B", "frequency"] == 1  # 23:59:59 local on the as-of day is 15:59:59 UTC: still in


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="net_amount has missing values"):
        engine.member_summary(EDGES.assign(net_amount=[1.0, None, *[1.0] * 7]), AS_OF)
    with pytest.raises(KeyError, match="net_amount"):
        engine.member_summary(EDGES.drop(columns="net_amount"), AS_OF)
    with pytest.raises(ValueError, match="calibration_end must be before as_of"):
        engine.member_summary(EDGES, AS_OF, calibration_end=AS_OF)
    with pytest.raises(ValueError, match="engine must be one of"):
        engine.member_summary(EDGES, AS_OF, engine="pandas")


# ---- the automatic choice ---------------------------------------------------------------------------------------
def test_choose_engine_by_size(tmp_path):
    limit = engine.DUCKDB_FROM_ORDERS
    assert engine.choose_engine(0) == "pandas" and engine.choose_engine(limit - 1) == "pandas"
    assert engine.choose_engine(limit) == "duckdb" and engine.choose_engine(10 * limit) == "duckdb"
    assert engine.choose_engine(50, threshold=10) == "duckdb"
    (tmp_path / "orders.csv").write_bytes(b"x" * (engine.CSV_BYTES_PER_ORDER * 7))
    assert engine.estimate_orders(tmp_path) == 7


def test_spark_names_nanosecond_parquet_timestamps(spark, tmp_path):
    path = tmp_path / "orders.parquet"
    EDGES.astype({"order_ts": "datetime64[ns]"}).to_parquet(path, index=False)  # as the loader's frames: ns
    with pytest.raises(ValueError, match=r"orders.parquet: column\(s\) \['order_ts'\] hold nanosecond"):
        engine.member_summary(path, AS_OF, engine="spark", spark=spark)
    EDGES.to_parquet(path, index=False, coerce_timestamps="us")
    assert_same(engine.member_summary(path, AS_OF, engine="spark", spark=spark),
                member_summary(EDGES, AS_OF))


# ---- per-member scoring on Spark (mapInPandas with the fitted models broadcast) ----------------------------------
def test_spark_scoring_equals_the_pandas_scoring(spark, world):
    """The whole Spark route — summary kept on Spark, model inputs collected and fitted in-process, every member
    scored by mapInPandas — gives the pandas route's parameters and member_scores: parameters to 1e-9 relative
    (sums of money in another order), scores exactly when scoring the same summary."""
    from helpers import clv
    from helpers.engine import score

    orders, as_of = world
    kw = {"horizon_days": 180, "margin": 0.3, "annual_discount_rate": 0.1}
    want_summary = member_summary(orders, as_of, time_unit="W")
    bg, gg = clv.BGNBD(time_unit="week").fit(want_summary), clv.fit_gamma_gamma(want_summary)[0]
    assert gg is not None
    want = clv.member_scores(clv.clv_table(bg, gg, want_summary, **kw), want_summary)

    scores, bg_s, gg_s, notes = score.score_orders(orders, as_of, spark=spark, time_unit="W", **kw)
    assert notes == {}
    for name in ("r", "alpha", "a", "b"):
        assert np.isclose(bg_s.params_[name], bg.params_[name], rtol=1e-9, atol=0), name
    for name in ("p", "q", "gamma"):
        assert np.isclose(gg_s.params_[name], gg.params_[name], rtol=1e-9, atol=0), name
    got = scores.toPandas().set_index("member_id").sort_index()
    assert list(got.columns) == list(clv.SCORE_COLUMNS) and got.index.equals(want.index.astype(object))
    for c in clv.SCORE_COLUMNS:
        np.testing.assert_allclose(got[c], want[c], rtol=1e-6, atol=1e-12, err_msg=c)
    assert got["p_alive"].isna().equals(want_summary["x"].eq(0).set_axis(got.index))  # x = 0: left empty

    # the same summary and models scored on Spark, several partitions: the pandas scores bit for bit
    same = score.score_members(want_summary, bg, gg, spark=spark, **kw).repartition(3).toPandas()
    same = same.set_index("member_id").sort_index()
    for c in clv.SCORE_COLUMNS:
        assert np.array_equal(same[c].to_numpy(), want[c].to_numpy(), equal_nan=True), c


# ---- the report's --engine option ----------------------------------------------------------------------------------
def _validate(small_world, tmp_path, *extra):
    from helpers.report import cli

    args = cli.build_parser().parse_args(["--data-dir", str(small_world), "--out", str(tmp_path / "r"),
                                          "--modules", "03", *extra])
    return cli.validate(args)


def test_report_engine_auto_resolves_by_the_export_size(small_world, tmp_path, monkeypatch):
    plan, errors = _validate(small_world, tmp_path)  # default: auto
    n = engine.estimate_orders(small_world)
    assert not errors and plan.shared["engine"] == "pandas" and f"{n:,} orders" in plan.engine_source
    assert "engine" in plan.modules[0].parameters and plan.parameters_for(plan.modules[0])["engine"] == "pandas"
    monkeypatch.setattr(engine, "estimate_orders", lambda path: engine.DUCKDB_FROM_ORDERS)
    plan, errors = _validate(small_world, tmp_path, "--engine", "auto")
    assert not errors and plan.shared["engine"] == "duckdb"
    plan, errors = _validate(small_world, tmp_path, "--engine", "spark")
    assert not errors and (plan.shared["engine"], plan.engine_source) == ("spark", "given")


def test_report_engine_refused_in_one_sentence_without_java_or_ibis(small_world, tmp_path, monkeypatch):
    import importlib.util
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    plan, errors = _validate(small_world, tmp_path, "--engine", "spark")
    assert plan is None and len(errors) == 1 and errors[0].startswith("--engine spark:") and "Java 17" in errors[0]
    assert not _validate(small_world, tmp_path, "--engine", "duckdb")[1]  # DuckDB needs no Java
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ibis" else real(name, *a))
    plan, errors = _validate(small_world, tmp_path, "--engine", "duckdb")
    assert plan is None and len(errors) == 1 and "ibis" in errors[0] and "pip install '.[scale]'" in errors[0]
