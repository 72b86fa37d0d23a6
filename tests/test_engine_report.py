"""The report on the scale path equals the pandas report (issue 16): ``python -m helpers report --engine duckdb``
and ``--engine spark`` (local Spark, Java 17) on the 1,000-member test world, modules 03 (RFM) and 04 (CLV) — the
modules whose per-member summary comes from the engine — against the same run with ``--engine pandas``:
BG/NBD and Gamma-Gamma parameters (full data and calibration fit) to 1e-6 relative, RFM segments exact,
``member_scores`` byte-identical, every count and text of metrics.json equal, and the engine recorded in
metrics.json and index.html. On DuckDB also modules 02 (behaviour: summary, cohorts and category repurchase
intervals on the engine), 06 (tiers: the window value at the as-of month) and 08 (experiments: campaign
outcomes): their tables byte-identical, or to 1e-9 relative where a sum of money feeds them, and every number of
their metrics equal (Spark runs the same calls in process: tests/test_engine_expressions.py — a Spark kernel per
module would cost a JVM each). On the scale engines the export is validated on DuckDB
(:mod:`helpers.report.engine_snapshot`): the data summary, ``quarantine/`` and the snapshot (its tables as the
modules load them, the source's quarantine and counts) equal the pandas run's — on this world, and on a dirty CSV
copy of it with rows after the last order day and a misspelt header (in process, and one report of module 01
on DuckDB).

Cost: the Spark run of two modules (one JVM per module kernel) and the DuckDB run of five, side by side in the
background, while the pandas run of five runs in the test's process: one test, so the runs happen once; the dirty
world about 25 s."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _report_runs import ROOT, run_report

from helpers import data
from helpers.report import engine_snapshot, snapshot
from helpers.report.jsonio import write_csv
from helpers.report.merge import _all_member_ids

MODULES = "03,04"
#: the modules compared on DuckDB: those whose per-member work runs on the engine (02–04 the summary, 02 cohorts and
#: category intervals, 06 the tier window, 08 campaign outcomes)
MODULES_DUCKDB = "02,03,04,06,08"
PARAMS = ("r", "alpha", "a", "b", "p", "q", "gamma")
#: tables of modules 02 and 08 fed by a dispatch call: equal byte for byte (counts, whole days, shares of counts)
SAME_BYTES = ("cohort_retention.csv", "category_repurchase_intervals.csv")
#: ... and where a per-member sum of money feeds a float (campaign spend): 1e-9 relative, every other column exactly
SAME_TO_1E9 = ("experiments_arms.csv", "experiments_lifts.csv")


def _leaves(tree, where=""):
    """Every leaf of a metrics tree with its path."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _leaves(v, f"{where}.{k}")
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _leaves(v, f"{where}[{i}]")
    else:
        yield where, tree


def _exact_leaves(tree, where=""):
    """Every non-float leaf of a metrics tree (counts, text, flags) with its path."""
    return ((k, v) for k, v in _leaves(tree, where) if not isinstance(v, float))


def assert_same_summary(got: dict, want: dict, where: str) -> None:
    """Data summaries equal: every count and text exactly, the one sum of money to 1e-12 relative (DuckDB adds
    the amounts in another order than numpy)."""
    assert dict(_exact_leaves(got)) == dict(_exact_leaves(want)), f"{where}: data summary differs"
    assert math.isclose(got.get("net_amount_total", 0.0), want.get("net_amount_total", 0.0), rel_tol=1e-12), where


def assert_same_snapshot(got: Path, want: Path, where: str, loadable: bool = True) -> None:
    """Two report snapshots hand the modules the same data: every table as ``helpers.data.load`` reads it (when
    some order was kept), the source's quarantine and counts (``loader/``), snapshot.json (but the engine named in
    it) and ``truth/``."""
    if loadable:
        a, b = data.load(got), data.load(want)
        assert a.present == b.present, where
        for name in b.present:
            pd.testing.assert_frame_equal(a[name], b[name], obj=f"{where}: {name}")
        pd.testing.assert_frame_equal(a.quarantine, b.quarantine, obj=f"{where}: quarantine")
        pd.testing.assert_frame_equal(a.counts, b.counts, obj=f"{where}: counts")
    else:
        assert len(pd.read_parquet(got / "orders.parquet")) == len(pd.read_parquet(want / "orders.parquet")) == 0
    for f in ("quarantine.parquet", "counts.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(got / "loader" / f), pd.read_parquet(want / "loader" / f))
    meta = json.loads((got / "snapshot.json").read_text(encoding="utf-8"))
    assert meta.pop("engine") == "duckdb"
    assert meta == json.loads((want / "snapshot.json").read_text(encoding="utf-8")), where
    assert sorted(p.name for p in (got / "truth").rglob("*")) == sorted(p.name for p in (want / "truth").rglob("*")) \
        if (want / "truth").exists() else not (got / "truth").exists()


def assert_same_files(got: Path, want: Path, where: str, modules_run: str | None = None) -> None:
    """The files of ``got`` equal those of ``want``, byte for byte; with ``modules_run`` (e.g. "03,04") the files
    modules outside it wrote into ``want`` (``08_experiments.csv``) are left out."""
    names = sorted(p.name for p in want.iterdir()
                   if modules_run is None or not p.name[:2].isdigit() or p.name[:2] in modules_run.split(","))
    assert sorted(p.name for p in got.iterdir()) == names, where
    for n in names:
        assert (got / n).read_bytes() == (want / n).read_bytes(), f"{where}: {n} differs"


@pytest.mark.filterwarnings("ignore")
def test_duckdb_and_spark_reports_equal_the_pandas_report(small_world, tmp_path):
    runs = {engine: tmp_path / engine for engine in ("pandas", "duckdb", "spark")}
    # the Spark run (JVM start-up, mostly waiting) and the DuckDB run in the background (stderr to a file: a full
    # pipe would stall them), the pandas run here
    background = {}
    try:
        for engine, modules, extra in (("spark", MODULES, ()), ("duckdb", MODULES_DUCKDB, ("--jobs", "1"))):
            with open(tmp_path / f"{engine}.stderr", "w", encoding="utf-8") as err:
                background[engine] = subprocess.Popen(
                    [sys.executable, "-m", "helpers", "report", "--no-progress", "--data-dir", str(small_world),
                     "--modules", modules, "--engine", engine, *extra, "--out", str(runs[engine])],
                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        proc = run_report("--data-dir", small_world, "--modules", MODULES_DUCKDB, "--engine", "pandas", "--jobs", "1",
                          "--out", runs["pandas"], timeout=900)
        assert proc.returncode == 0, f"--engine pandas failed:\n{proc.stderr[-3000:]}"
        for engine, child in background.items():
            child.wait(timeout=900)
            err = (tmp_path / f"{engine}.stderr").read_text(encoding="utf-8")
            assert child.returncode == 0, f"--engine {engine} failed:\n{err[-3000:]}"
    finally:
        for child in background.values():
            if child.poll() is None:
                child.kill()
    compare_runs(runs)


def compare_runs(runs: dict[str, Path]) -> None:
    """The DuckDB and Spark runs against the pandas run (the module docstring says what is compared)."""
    run = json.loads((runs["duckdb"] / "run.json").read_text(encoding="utf-8"))
    assert [m["parameters"].get("engine") for m in run["modules"]] == ["duckdb"] * 5  # every module declares it
    stages = run["stages_seconds"]
    assert set(stages) == {"load", "snapshot", "modules", "merge"} and all(v >= 0 for v in stages.values())
    want = json.loads((runs["pandas"] / "metrics.json").read_text(encoding="utf-8"))
    assert want["run"]["parameters"]["engine"] == "pandas" and want["04_clv"]["bgnbd_fitted"]
    for engine in ("duckdb", "spark"):
        out = runs[engine]
        got = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
        assert got["run"]["parameters"]["engine"] == engine
        assert got["run"]["parameters"]["engine_source"] == "given"
        assert f"<td>engine</td><td>{engine}</td>" in (out / "index.html").read_text(encoding="utf-8")
        # the export validated on DuckDB: same summary, quarantine and snapshot as the pandas loader's
        assert_same_summary(got["run"]["data_summary"], want["run"]["data_summary"], engine)
        assert_same_files(out / "quarantine", runs["pandas"] / "quarantine", engine,
                          MODULES if engine == "spark" else None)
        assert_same_snapshot(out / "snapshot", runs["pandas"] / "snapshot", engine)
        assert not (out / ".engine-load").exists()
        for fit in (got["04_clv"], got["04_clv"]["calibration"]):
            ref = want["04_clv"] if fit is got["04_clv"] else want["04_clv"]["calibration"]
            for k in PARAMS if fit is got["04_clv"] else PARAMS[:4]:
                assert math.isclose(fit[k], ref[k], rel_tol=1e-6), f"{engine}: {k} {fit[k]} != {ref[k]}"
        for tables in ("rfm_segments.csv", "rfm_target_lists.csv"):
            assert (out / "tables" / tables).read_bytes() == (runs["pandas"] / "tables" / tables).read_bytes(), \
                f"{engine}: tables/{tables} differs from the pandas run"
        scores = out / "tables" / "member_scores.csv"
        if engine == "duckdb":  # the same modules: byte for byte
            assert scores.read_bytes() == (runs["pandas"] / "tables" / "member_scores.csv").read_bytes(), engine
        else:  # modules 03 and 04 only: the columns they fill, each value as written
            mine, theirs = (pd.read_csv(r / "tables" / "member_scores.csv", dtype=str, keep_default_na=False)
                            for r in (out, runs["pandas"]))
            filled = [c for c in mine.columns if (mine[c] != "").any()]
            assert {"member_id", "rfm_segment", "clv", "p_alive"} <= set(filled) and "tier" not in filled, filled
            pd.testing.assert_frame_equal(mine[filled], theirs[filled], obj=f"{engine}: tables/member_scores.csv")
        for name in ("03_rfm", "04_clv"):  # every count, segment size and text
            mine, theirs = dict(_exact_leaves(got[name])), dict(_exact_leaves(want[name]))
            assert mine == theirs, f"{engine}: {name} differs: " + str(
                {k: (mine.get(k), theirs.get(k)) for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)})
    assert_same_module_outputs(runs["duckdb"], runs["pandas"], want)


def assert_same_module_outputs(out: Path, ref: Path, want: dict) -> None:
    """Modules 02, 06, 08 on DuckDB against pandas: the tables their dispatch calls feed (:data:`SAME_BYTES`,
    :data:`SAME_TO_1E9`), and every leaf of their metrics — counts and texts exactly, floats to 1e-9 relative
    (cohort averages, median repurchase days, the 5 % top-tier threshold, lifts)."""
    got = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for name in ("02_behavior", "06_tiers", "08_experiments"):
        mine, theirs = dict(_leaves(got[name])), dict(_leaves(want[name]))
        assert mine.keys() == theirs.keys() and mine, f"duckdb: {name}: other metrics"
        for k, v in theirs.items():
            if isinstance(v, float) and isinstance(mine[k], float):
                same = math.isclose(mine[k], v, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(v) and math.isnan(mine[k]))
                assert same, f"duckdb: {name}{k}: {mine[k]} != {v}"
            else:
                assert mine[k] == v, f"duckdb: {name}{k}: {mine[k]!r} != {v!r}"
    assert "cohort_retention_month_1_avg" in got["02_behavior"] and got["02_behavior"]["category_median_repurchase_days"]
    assert got["06_tiers"]["tier_counts_active"] and got["08_experiments"]
    for table in SAME_BYTES:
        assert (out / "tables" / table).read_bytes() == (ref / "tables" / table).read_bytes(), \
            f"duckdb: tables/{table} differs from the pandas run"
    for table in SAME_TO_1E9:
        a, b = pd.read_csv(out / "tables" / table), pd.read_csv(ref / "tables" / table)
        assert len(b) > 0
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, obj=f"duckdb: tables/{table}")


def _dirty_world(small_world: Path, root: Path) -> Path:
    """A dirty CSV copy of the small world (tests/test_engine_load.py: about 20 quarantine reasons, 红冲 lines)
    plus two members registered after the last order day (out of scope once the as-of is resolved) and a
    misspelt extra header."""
    from test_engine_load import dirty_copy

    dirty_copy(small_world, root, seed=11, n_orders=2000)
    members = pd.read_csv(root / "members.csv", dtype=str, keep_default_na=False)
    late = members.iloc[:2].assign(member_id=["M90000001", "M90000002"], register_ts=["2031-01-05 10:00", "2031-02-01"])
    members = pd.concat([members, late], ignore_index=True).assign(gendr="x")
    members.to_csv(root / "members.csv", index=False)
    return root


@pytest.mark.filterwarnings("ignore")
def test_dirty_export_loads_alike_on_duckdb_and_pandas(small_world, tmp_path):
    """In process: as-of resolution (the last order day, a second load for the late members; an as-of given),
    data summary, snapshot and the member ids of member_scores, engine against pandas. Then one report of module 01
    (data quality) with ``--engine duckdb``: its data summary, ``quarantine/`` and snapshot equal the pandas
    loader's (a pandas report would read that same snapshot, so it is not run again)."""
    root = _dirty_world(small_world, tmp_path / "dirty")
    ds, as_of = snapshot.load_resolved(root)
    es, es_as_of = engine_snapshot.load_resolved_engine(root, None, None, tmp_path / "stage")
    assert es_as_of == as_of and as_of is not None
    want = snapshot.data_summary(ds, as_of, as_of_given=False)
    got = es.data_summary(es_as_of, as_of_given=False)
    assert want["as_of_source"] == "last order day" and want["tables"]["members"]["rows_out_of_scope"] == 2
    assert want["tables"]["orders"]["rows_quarantined"] > 0 and want["tables"]["orders"]["rows_reversal"] > 0
    assert want["unrecognised_columns"]["members"][0]["column"] == "gendr"
    assert_same_summary(got, want, "dirty")
    pd.testing.assert_index_equal(_all_member_ids(es), _all_member_ids(ds))
    pd.testing.assert_frame_equal(es.quarantine, ds.quarantine)
    pandas_snapshot = snapshot.write_snapshot(ds, root, tmp_path / "pandas", as_of)
    b = engine_snapshot.write_snapshot_engine(es, root, tmp_path / "duckdb", es_as_of)
    assert not (tmp_path / "stage").exists()
    assert_same_snapshot(b, pandas_snapshot, "dirty")
    quarantine = tmp_path / "pandas-quarantine"  # what the runner writes to quarantine/ from the pandas load
    quarantine.mkdir()
    for table, part in ds.quarantine.groupby("table", sort=True, observed=True):
        write_csv(part.reset_index(drop=True), quarantine / f"{table}.csv")
    assert len(list(quarantine.iterdir())) == 3

    given_ds, given = snapshot.load_resolved(root, "2025-06-30")  # an as-of given: rows after it out of scope
    given_es, es_given = engine_snapshot.load_resolved_engine(root, "2025-06-30", None, tmp_path / "stage")
    assert es_given == given
    assert_same_summary(given_es.data_summary(given, True), snapshot.data_summary(given_ds, given, True), "given")

    out = tmp_path / "report"
    proc = run_report("--data-dir", root, "--modules", "01", "--engine", "duckdb", "--jobs", "1", "--out", out,
                      timeout=600)
    assert proc.returncode == 0, f"--engine duckdb failed:\n{proc.stderr[-3000:]}"
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert_same_summary(metrics["run"]["data_summary"], want, "report")
    assert metrics["01_quality"]["tables_present"] == list(ds.present)
    assert_same_files(out / "quarantine", quarantine, "report")
    assert_same_snapshot(out / "snapshot", pandas_snapshot, "report")
    assert not (out / ".engine-load").exists()


SMALL_EXPORTS = {
    "late member": {"orders.csv": "member_id,order_ts,net_amount\nM1,2026-03-01 10:00:00,9.9\nM2,2026-07-02 18:30:00,5\n",
                    "members.csv": "member_id,register_ts\nM1,2025-01-01 09:00:00\nM2,2025-02-01 09:00:00\n"
                                   "M3,2026-07-05 09:00:00\n"},
    "ids as text, truth": {"orders.csv": "member_id,order_ts,net_amount,status,chanel\n007,2025-03-01 10:00,9.9,paid,x\n"
                                         "010,2025-03-02 11:00,5,refunded,y\n007,2025-03-04 12:00,1.5,,z\n",
                           "truth/params.json": "{}"},
    "every order bad": {"orders.csv": "member_id,order_ts,net_amount\nM1,not a date,1\n,2025-01-01,2\n"},
    "mapped headers": {"orders.csv": "buyer,when_paid,money\nM1,2025-03-01 10:00:00,9.9\nM2,2025-03-02 11:00:00,5\n",
                       "columns.yaml": "orders:\n  member_id: buyer\n  order_ts: when_paid\n  net_amount: money\n"},
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("case", list(SMALL_EXPORTS), ids=list(SMALL_EXPORTS))
def test_small_exports_load_alike_on_duckdb_and_pandas(tmp_path, case):
    """tests/test_report.py's snapshot cases and degenerate ones, on both loaders: the as-of, data summary and
    snapshot are the same (a late member out of scope; ids like "007" stay text and truth/ is copied; no kept
    order: no as-of and no order facts; a column mapping file)."""
    src = tmp_path / "src"
    for name, text in SMALL_EXPORTS[case].items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")
    columns = src / "columns.yaml" if (src / "columns.yaml").exists() else None
    if columns is not None:
        columns = columns.rename(tmp_path / "columns.yaml")
    ds, as_of = snapshot.load_resolved(src, None, columns)
    es, es_as_of = engine_snapshot.load_resolved_engine(src, None, columns, tmp_path / "stage")
    assert es_as_of == as_of
    want = snapshot.data_summary(ds, as_of, as_of_given=False)
    assert_same_summary(es.data_summary(es_as_of, as_of_given=False), want, case)
    assert ("members_with_orders" in want) == (case != "every order bad")
    a = snapshot.write_snapshot(ds, src, tmp_path / "pandas", as_of)
    assert_same_snapshot(engine_snapshot.write_snapshot_engine(es, src, tmp_path / "duckdb", es_as_of), a, case,
                         loadable=case != "every order bad")
