"""The report on the scale path equals the pandas report (issue 16): ``python -m helpers report --engine duckdb``
and ``--engine spark`` (local Spark, Java 17) on the 1,000-member test world, modules 03 (RFM) and 04 (CLV) — the
modules whose per-member summary comes from the engine — against the same run with ``--engine pandas``:
BG/NBD and Gamma-Gamma parameters (full data and calibration fit) to 1e-6 relative, RFM segments exact,
``member_scores`` byte-identical, every count and text of metrics.json equal, and the engine recorded in
metrics.json and index.html.

Cost: three report runs of two modules (the Spark one starts one JVM per module kernel), about 2 minutes on two
shared cores (the Spark run beside the two others): one test, so the runs happen once."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from _report_runs import ROOT, run_report

MODULES = "03,04"
PARAMS = ("r", "alpha", "a", "b", "p", "q", "gamma")


def _exact_leaves(tree, where=""):
    """Every non-float leaf of a metrics tree (counts, text, flags) with its path."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _exact_leaves(v, f"{where}.{k}")
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _exact_leaves(v, f"{where}[{i}]")
    elif not isinstance(tree, float):
        yield where, tree


@pytest.mark.filterwarnings("ignore")
def test_duckdb_and_spark_reports_equal_the_pandas_report(small_world, tmp_path):
    runs = {engine: tmp_path / engine for engine in ("pandas", "duckdb", "spark")}
    # the Spark run (JVM start-up, mostly waiting) side by side with the two others, one after the other
    spark = subprocess.Popen([sys.executable, "-m", "helpers", "report", "--no-progress", "--data-dir", str(small_world),
                              "--modules", MODULES, "--engine", "spark", "--out", str(runs["spark"])],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for engine in ("pandas", "duckdb"):
            proc = run_report("--data-dir", small_world, "--modules", MODULES, "--engine", engine, "--jobs", "1",
                              "--out", runs[engine], timeout=900)
            assert proc.returncode == 0, f"--engine {engine} failed:\n{proc.stderr[-3000:]}"
        _, err = spark.communicate(timeout=900)
    finally:
        if spark.poll() is None:
            spark.kill()
    assert spark.returncode == 0, f"--engine spark failed:\n{err[-3000:]}"
    stages = json.loads((runs["duckdb"] / "run.json").read_text(encoding="utf-8"))["stages_seconds"]
    assert set(stages) == {"load", "snapshot", "modules", "merge"} and all(v >= 0 for v in stages.values())
    want = json.loads((runs["pandas"] / "metrics.json").read_text(encoding="utf-8"))
    assert want["run"]["parameters"]["engine"] == "pandas" and want["04_clv"]["bgnbd_fitted"]
    for engine in ("duckdb", "spark"):
        out = runs[engine]
        got = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
        assert got["run"]["parameters"]["engine"] == engine
        assert got["run"]["parameters"]["engine_source"] == "given"
        assert f"<td>engine</td><td>{engine}</td>" in (out / "index.html").read_text(encoding="utf-8")
        for fit in (got["04_clv"], got["04_clv"]["calibration"]):
            ref = want["04_clv"] if fit is got["04_clv"] else want["04_clv"]["calibration"]
            for k in PARAMS if fit is got["04_clv"] else PARAMS[:4]:
                assert math.isclose(fit[k], ref[k], rel_tol=1e-6), f"{engine}: {k} {fit[k]} != {ref[k]}"
        for tables in ("member_scores.csv", "rfm_segments.csv", "rfm_target_lists.csv"):
            assert (out / "tables" / tables).read_bytes() == (runs["pandas"] / "tables" / tables).read_bytes(), \
                f"{engine}: tables/{tables} differs from the pandas run"
        for name in ("03_rfm", "04_clv"):  # every count, segment size and text
            mine, theirs = dict(_exact_leaves(got[name])), dict(_exact_leaves(want[name]))
            assert mine == theirs, f"{engine}: {name} differs: " + str(
                {k: (mine.get(k), theirs.get(k)) for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)})
