"""The report run end to end (slow): the real command, ``python -m helpers report``, in a subprocess.

Which runs, and why these: the suite must stay under 15 minutes on 2 cores with eleven modules, so every module is
executed by as few report runs as cover the contract.

* ONE full run on the default data: every output file and page, and metrics.json compared with the committed golden
  file (tests/golden/report_default_metrics.json; counts exactly, floats to 1e-6 — the same numbers on every run and
  every CPU). Regenerate after an intended change with ``make golden``.
  The run is shared (tests/_report_runs.py) with the page and KPI tests, which read it.
* a repeat: two runs of two modules on the 1,000-member world (tests/conftest.py ``small_world``) with a given as-of,
  serial and with ``--jobs 2``, are byte-identical (metrics, tables, quarantine) — the writing, merging and parallel
  path; the models' numbers are held by the golden comparison above.
* a later export (no row lost without ``--as-of``), a failing module (exit 1 naming module and cell), and four
  degenerate exports on which every module must complete.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _report_runs import USES_DEFAULT_RUN, default_run

from helpers import report
from helpers.report import columns

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "datasets" / "default"
GOLDEN = Path(__file__).resolve().parent / "golden" / "report_default_metrics.json"
MODULES = report.discover_modules(ROOT / "solutions")

pytestmark = pytest.mark.slow


def _run(*args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helpers", "report", "--no-progress", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )


def _tree_bytes(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}


def _close(golden, got, where: str = "metrics") -> list[str]:
    """Differences between two metrics trees: counts, text and structure exactly, floats to 1e-6 relative."""
    if isinstance(golden, dict) and isinstance(got, dict):
        diffs = [f"{where}: keys only in golden {sorted(set(golden) - set(got))}, only now "
                 f"{sorted(set(got) - set(golden))}"] if set(golden) != set(got) else []
        for k in sorted(set(golden) & set(got)):
            diffs += _close(golden[k], got[k], f"{where}.{k}")
        return diffs
    if isinstance(golden, list) and isinstance(got, list):
        if len(golden) != len(got):
            return [f"{where}: {len(golden)} items in golden, {len(got)} now"]
        return [d for i, (a, b) in enumerate(zip(golden, got, strict=True)) for d in _close(a, b, f"{where}[{i}]")]
    if isinstance(golden, float) or isinstance(got, float):
        ok = (isinstance(golden, (int, float)) and isinstance(got, (int, float)) and not isinstance(golden, bool)
              and math.isclose(golden, got, rel_tol=1e-6, abs_tol=1e-9))
        return [] if ok else [f"{where}: golden {golden!r}, now {got!r}"]
    return [] if golden == got and type(golden) is type(got) else [f"{where}: golden {golden!r}, now {got!r}"]


def _portable(metrics: dict) -> dict:
    """metrics.json without the machine's absolute data path."""
    metrics = json.loads(json.dumps(metrics))
    metrics["run"]["parameters"]["data_dir"] = Path(metrics["run"]["parameters"]["data_dir"]).name
    return metrics


@USES_DEFAULT_RUN
def test_report_default_data_matches_golden_metrics(tmp_path_factory):
    """The one full run on the default data: every module ran, pages read offline, and metrics.json equals the
    committed golden file (counts exactly, floats to 1e-6). After an intended change (new data, a new metric):
    ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q -p no:xdist tests/test_report_runs.py -k golden``."""
    a, stderr = default_run(tmp_path_factory)  # the run the page and KPI tests read too
    for noise in ("without encryption", "KeyboardInterrupt", "IPKernelApp"):
        assert noise not in stderr, f"kernel log noise reaches the analyst's terminal: {noise}"
    index = (a / "index.html").read_text(encoding="utf-8")
    assert report.external_resources(index) == []
    metrics = json.loads((a / "metrics.json").read_text(encoding="utf-8"))
    for m in MODULES:
        assert f'href="{m.slug}.html"' in index, f"index.html does not link {m.slug}"
        page = (a / f"{m.slug}.html").read_text(encoding="utf-8")
        assert report.external_resources(page) == [] and "<script src" not in page, f"{m.slug}.html needs the network"
        assert m.key in metrics, f"metrics.json has no key {m.key}"
    assert sum(len(re.findall(r"data:image/png;base64", (a / f"{m.slug}.html").read_text(encoding="utf-8")))
               for m in MODULES) > 0, "plots must be embedded"
    assert "seconds" not in json.dumps(metrics), "timings belong in run.json, not metrics.json"
    assert not (a / "parts").exists()
    _assert_outputs(a, DEFAULT_DATA, metrics)

    got = _portable(metrics)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, sort_keys=True, indent=2) + "\n", encoding="utf-8")
    assert GOLDEN.exists(), "no golden metrics yet: run with UPDATE_GOLDEN=1 (`make golden`)"
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if golden["run"]["input_fingerprint"] != got["run"]["input_fingerprint"]:
        pytest.fail("datasets/default changed since tests/golden/report_default_metrics.json was written; check the "
                    "run and regenerate it with UPDATE_GOLDEN=1 (`make golden`)")
    diffs = _close(golden, got)
    assert not diffs, "metrics.json differs from the golden file:\n" + "\n".join(diffs[:40])


def _assert_outputs(a: Path, data: Path, metrics: dict) -> None:
    """What every complete run writes: one as-of for every module, the snapshot, member_scores with its notes."""
    assert set(metrics["run"]["input_fingerprint"]) >= {"orders.parquet"}
    assert metrics["00_tour"]["orders"] == metrics["run"]["data_summary"]["tables"]["orders"]["rows"]
    run = json.loads((a / "run.json").read_text(encoding="utf-8"))
    assert [r["slug"] for r in run["modules"]] == [m.slug for m in MODULES]
    assert all(r["status"] == "ok" and r["seconds"] > 0 for r in run["modules"])
    as_of = metrics["run"]["data_summary"]["as_of"]
    orders = pd.read_parquet(data / "orders.parquet")
    assert as_of == str(orders["order_ts"].max().date()), "no --as-of: the last order day"
    for r in run["modules"]:  # every module got the same as-of and the snapshot
        assert r["parameters"]["as_of"] == as_of and r["parameters"]["data_dir"] == str(a / "snapshot"), r["slug"]
    scores = pd.read_csv(a / "tables" / "member_scores.csv", encoding="utf-8-sig", dtype={"member_id": str})
    assert scores["member_id"].is_unique and scores["member_id"].is_monotonic_increasing
    assert (a / "tables" / "member_scores.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    declared = [c.name for _, c in columns.all_columns()]
    assert list(scores.columns) == ["member_id", *declared]
    notes = pd.read_csv(a / "tables" / "member_scores_columns.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(notes["column"]) == list(scores.columns), "member_scores_columns.csv must describe every column"
    assert (notes["description"].str.len() > 0).all()


def test_rows_after_as_of_are_out_of_scope_and_a_repeat_is_byte_identical(small_world, tmp_path):
    """Two runs with a given as-of, one module at a time and two at once (--jobs): the same bytes."""
    orders = pd.read_parquet(small_world / "orders.parquet")
    as_of = "2025-06-30"
    a, b = tmp_path / "a", tmp_path / "b"
    for out, jobs in ((a, "1"), (b, "2")):
        proc = _run("--data-dir", str(small_world), "--out", str(out), "--as-of", as_of, "--modules", "00,03",
                    "--jobs", jobs)
        assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((a / "metrics.json").read_text(encoding="utf-8"))
    t = metrics["run"]["data_summary"]["tables"]["orders"]
    later = int((orders["order_ts"] >= pd.Timestamp(as_of) + pd.Timedelta(days=1)).sum())
    assert later > 0 and t["rows_out_of_scope"] == later and t["rows"] == len(orders) - later
    assert t["rows_quarantined"] == 0 and not (a / "quarantine" / "orders.csv").exists()
    assert metrics["run"]["data_summary"]["as_of_source"] == "given"
    index = (a / "index.html").read_text(encoding="utf-8")
    assert f"{later:,}" in index

    assert (a / "metrics.json").read_bytes() == (b / "metrics.json").read_bytes()
    assert _tree_bytes(a / "tables") and _tree_bytes(a / "tables") == _tree_bytes(b / "tables")
    assert _tree_bytes(a / "quarantine") == _tree_bytes(b / "quarantine")
    run_b = json.loads((b / "run.json").read_text(encoding="utf-8"))
    assert run_b["jobs"] == 2 and [m["status"] for m in run_b["modules"]] == ["ok", "ok"]
    assert json.loads((a / "run.json").read_text(encoding="utf-8"))["jobs"] == 1
    for slug in ("00-tour", "03-rfm"):
        assert (b / f"{slug}.html").exists() and (b / f"{slug}.ipynb").exists()


def _shift(src: Path, dest: Path, days: int) -> Path:
    """A copy of the data tables (no truth) with every timestamp ``days`` later: a later export."""
    dest.mkdir(parents=True)
    for f in sorted(src.glob("*.parquet")):
        df = pd.read_parquet(f)
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c].dtype):
                df[c] = df[c] + pd.Timedelta(days=days)
        df.to_parquet(dest / f.name, index=False)
    return dest


def test_quality_demo_on_a_member_sample_above_demo_max_orders(small_world, tmp_path):
    """Module 01 with fewer orders allowed in its injection demo than the export has: the demo runs on a member
    sample, says so, and still finds every planted problem; the quality report is still of the whole export."""
    from helpers import data, quality

    orders = pd.read_parquet(small_world / "orders.parquet")
    out = tmp_path / "out"
    proc = _run("--data-dir", str(small_world), "--out", str(out), "--modules", "01", "--param",
                f"demo_max_orders={len(orders) // 4}")
    assert proc.returncode == 0, proc.stderr[-1500:]
    run_metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    metrics = run_metrics["01_quality"]
    cells = json.loads((out / "01-data-quality.ipynb").read_text(encoding="utf-8"))["cells"]
    printed = "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
    assert f"订单共 {len(orders):,} 笔，超过 {len(orders) // 4:,} 笔：注入演示在抽中会员的" in printed
    assert metrics["injection_checks_matched"] is True
    whole = quality.quality_report(data.load(small_world, as_of=run_metrics["run"]["parameters"]["as_of"] or None))
    assert metrics["quality_checks"] == len(whole)
    assert metrics["missing_required_cells"] == int(whole.loc[whole["check"] == "missing_required", "n_failed"].sum())


def test_later_export_without_as_of_loses_no_order(tmp_path):
    """The default data shifted 183 days (running past 2025-12-31, every notebook's own default): no order is
    out of scope or quarantined, and every member with a paid order has scores."""
    data = _shift(DEFAULT_DATA, tmp_path / "later", 183)
    out = tmp_path / "out"
    proc = _run("--data-dir", str(data), "--out", str(out), "--modules", "00,03")
    assert proc.returncode == 0, proc.stderr[-3000:]
    orders = pd.read_parquet(data / "orders.parquet")
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    summary = metrics["run"]["data_summary"]
    assert summary["as_of"] == str(orders["order_ts"].max().date()) > "2025-12-31"
    assert summary["tables"]["orders"]["rows"] == len(orders) == metrics["00_tour"]["orders"]
    assert summary["rows_out_of_scope"] == 0 and list((out / "quarantine").glob("*.csv")) == []
    scores = pd.read_parquet(out / "tables" / "member_scores.parquet")
    buyers = orders.loc[orders["status"].astype(str) == "paid", "member_id"].unique()
    assert scores.loc[buyers, "r_score"].notna().all(), "a member with a paid order has no RFM score"


def test_report_failing_module_exits_1_naming_module_and_cell(small_world, tmp_path):
    import nbformat

    sol = tmp_path / "solutions"
    shutil.copytree(ROOT / "solutions" / "00-tour", sol / "00-tour")
    broken = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('data_dir: str = ""  # 数据目录\noutput_dir: str = ""  # 输出目录',
                                      metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell('raise ValueError("模拟的模块错误")'),
            nbformat.v4.new_code_cell("y = 2"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    (sol / "01-broken").mkdir()
    nbformat.write(broken, sol / "01-broken" / "01-broken.ipynb")
    (sol / "02-never").mkdir()
    nbformat.write(broken, sol / "02-never" / "02-never.ipynb")

    out = tmp_path / "out"
    proc = _run("--data-dir", str(small_world), "--out", str(out), "--solutions-dir", str(sol), "--jobs", "1")
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "01-broken" in proc.stderr and "cell 2" in proc.stderr and "模拟的模块错误" in proc.stderr
    # what ran is kept: module 00 complete, the failing notebook with its error, an index saying so
    assert (out / "00-tour.html").exists() and (out / "01-broken.ipynb").exists()
    assert not (out / "02-never.ipynb").exists()
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert "00_tour" in metrics and metrics["00_tour"]["orders"] > 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "失败" in index and "未运行" in index and "模拟的模块错误" in index
    scores = pd.read_csv(out / "tables" / "member_scores.csv", encoding="utf-8-sig", dtype=str)
    assert list(scores.columns) == ["member_id", *[c.name for _, c in columns.all_columns()]]


# ---- degenerate exports: every module completes and says what it could not compute -----------------------------


def _degenerate(kind: str, small_world: Path, dest: Path) -> Path:
    """Orders-only exports made from the small world: no repeat buyer, one member, one day, one amount."""
    orders = pd.read_parquet(small_world / "orders.parquet")
    orders = orders[orders["status"].astype(str) == "paid"].sort_values(["member_id", "order_ts"])
    if kind == "one_order_each":  # 900 members, one order each: nobody bought twice
        out = orders.groupby("member_id", sort=True).head(1).head(900)
    elif kind == "single_member":
        top = orders["member_id"].value_counts().sort_index(kind="stable").idxmax()
        out = orders[orders["member_id"] == top]
    elif kind == "single_day":
        out = orders.assign(order_ts=pd.Timestamp("2025-12-31") + (orders["order_ts"] - orders["order_ts"].dt.normalize()))
    elif kind == "equal_amounts":
        out = orders.assign(net_amount=100.0, gross_amount=100.0, discount_amount=0.0)
    else:
        raise ValueError(kind)
    dest.mkdir(parents=True)
    out.reset_index(drop=True).to_parquet(dest / "orders.parquet", index=False)
    return dest


@pytest.mark.parametrize("kind", ["one_order_each", "single_member", "single_day", "equal_amounts"])
def test_degenerate_export_every_module_completes(kind, small_world, tmp_path):
    """Orders-only exports where a model has nothing to fit: the run still exits 0, every module ran, each
    member has a row, and the modules name what they skipped (one sentence each, in metrics.json and index.html)."""
    data = _degenerate(kind, small_world, tmp_path / "data")
    out = tmp_path / "out"
    proc = _run("--data-dir", str(data), "--out", str(out))
    run = json.loads((out / "run.json").read_text(encoding="utf-8")) if (out / "run.json").exists() else {}
    failed = [f"{r['slug']} cell {r['cell_index']}: {r['error']}" for r in run.get("modules", [])
              if r["status"] == "failed"]
    assert proc.returncode == 0 and not failed, f"{kind}: " + "; ".join(failed) + proc.stderr[-1500:]
    orders = pd.read_parquet(data / "orders.parquet")
    scores = pd.read_parquet(out / "tables" / "member_scores.parquet")
    assert sorted(scores.index) == sorted(orders["member_id"].unique())
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    # orders only: the modules say which tables they skipped, and the index shows it
    assert set(metrics["run"]["input_fingerprint"]) == {"orders.parquet"}
    assert "members" in metrics["00_tour"]["skipped"]
    assert "部分跳过" in (out / "index.html").read_text(encoding="utf-8")
    if kind == "one_order_each":  # the models need repeat purchases: module 04 says what it could not compute
        assert metrics["04_clv"].get("skipped")
