"""The report run (the analyst's main job): `python -m helpers report` end to end, plus its unit pieces.

Slow tests run the real command in a subprocess on the committed default data; each test is self-contained so
pytest-xdist can spread them over workers without running a shared fixture twice.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import report
from helpers.report import ModuleOutput

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "datasets" / "default"
MODULES = report.discover_modules(ROOT / "solutions")


def _run(*args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helpers", "report", "--no-progress", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )


def _tree_bytes(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}


# ---- fast: ModuleOutput, JSON, validation -------------------------------------------------------------------


def test_module_output_classroom_mode_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = ModuleOutput("", "00_tour")
    out.metrics({"a": 1})
    out.table("t", pd.DataFrame({"x": [1]}))
    out.member_scores(pd.DataFrame({"s": [1.0]}, index=pd.Index(["M1"], name="member_id")), {"s": "分数"})
    out.quarantine(pd.DataFrame({"row": [1]}))
    assert out.skip("members", "没有会员表。") == "没有会员表。"
    assert list(tmp_path.iterdir()) == []
    assert "classroom" in repr(out)


def test_module_output_writes_parts(tmp_path):
    import numpy as np

    out = ModuleOutput(str(tmp_path), "03_rfm")
    out.metrics({"members": np.int64(10), "share": np.float64(1 / 3), "nan": float("nan")})
    out.metrics({"extra": [1, 2]})
    out.table("rfm_segments", pd.DataFrame({"segment": ["重要价值"], "n": [3]}))
    out.member_scores(pd.DataFrame({"member_id": ["M2", "M1"], "r": [1, 2]}), {"r": "R 分 1–5"})
    out.quarantine(pd.DataFrame({"row": [1], "reason": ["x"]}), name="bad")
    out.skip("members", "跳过。")
    parts = tmp_path / "parts" / "03_rfm"
    m = json.loads((parts / "metrics.json").read_text(encoding="utf-8"))
    assert m == {"members": 10, "share": 0.3333333333, "nan": None, "extra": [1, 2]}
    assert isinstance(m["members"], int)
    assert (parts / "tables" / "rfm_segments.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (parts / "member_scores.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith("M1,")
    assert (parts / "quarantine" / "03_rfm_bad.csv").exists()
    assert json.loads((parts / "skipped.json").read_text(encoding="utf-8")) == {"members": "跳过。"}
    assert json.loads((parts / "member_scores_columns.json").read_text(encoding="utf-8")) == {"r": "R 分 1–5"}
    with pytest.raises(ValueError):
        out.member_scores(pd.DataFrame({"member_id": ["M1", "M1"], "r": [1, 2]}), {"r": "R"})
    with pytest.raises(ValueError, match="missing: \\['f'\\]"):  # every column must say what it means
        out.member_scores(pd.DataFrame({"member_id": ["M1"], "r": [1], "f": [2]}), {"r": "R"})
    with pytest.raises(ValueError):
        out.table("bad name/..", pd.DataFrame())


def test_cast_value():
    assert report.cast_value("5", "int") == 5
    assert report.cast_value("0.5", "float") == 0.5
    assert report.cast_value("yes", "bool") is True and report.cast_value("false", "bool") is False
    assert report.cast_value("x", "str") == "x"
    for raw, t in (("x", "int"), ("1.5", "int"), ("abc", "float"), ("maybe", "bool")):
        with pytest.raises(ValueError):
            report.cast_value(raw, t)


def test_parameters_parsed_from_every_module():
    assert MODULES and MODULES[0].slug == "00-tour"
    for m in MODULES:
        params = report.notebook_parameters(m.path)
        assert params["data_dir"]["inferred_type_name"] == "str", m.slug
        assert "output_dir" in params, m.slug


def test_bad_parameters_exit_2_with_one_message_each(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = _run("--data-dir", str(empty), "--out", str(tmp_path / "out"), "--as-of", "2025-13-40",
                "--horizon-days", "-3", "--seed", "abc", "--param", "no_such_param=1", "--param", "oops",
                "--modules", "00,77")
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr
    for needle in ("--data-dir", "--as-of 2025-13-40", "--horizon-days -3", "--seed abc", "--param no_such_param",
                   "--param oops", "--modules 00,77"):
        assert needle in err, f"no message for {needle}:\n{err}"
    assert not (tmp_path / "out").exists(), "nothing may run or be written before validation passes"

    proc = _run("--data-dir", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "不存在" in proc.stderr

    # a file every module would choke on (no required columns) is bad input too: exit 2 before any notebook
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "orders.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    proc = _run("--data-dir", str(bad), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "member_id" in proc.stderr and "orders.csv" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_data_dir_accepted_exactly_as_the_loader_reads_it(tmp_path):
    """--data-dir follows helpers.data's file rules: orders.pq loads, so it validates and is fingerprinted;
    an .xls file the loader refuses is refused before anything runs; files that are not tables are not hashed."""
    from helpers import data

    folder = tmp_path / "pq"
    folder.mkdir()
    pd.DataFrame({"member_id": ["M1"], "order_ts": ["2025-01-01 10:00:00"], "net_amount": [9.9]}).to_parquet(
        folder / "orders.pq", index=False)
    (folder / "notes.csv").write_text("not,a,table\n", encoding="utf-8")
    assert len(data.load(folder).orders) == 1

    parser = report.build_parser()
    plan, errors = report.validate(parser.parse_args(["--data-dir", str(folder), "--out", str(tmp_path / "out"),
                                                      "--modules", "00"]))
    assert errors == [] and plan is not None and plan.shared["data_dir"] == str(folder.resolve())
    assert report.fingerprint(folder) == {"orders.pq": hashlib.sha256((folder / "orders.pq").read_bytes()).hexdigest()}

    xls = tmp_path / "xls"
    xls.mkdir()
    (xls / "orders.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    plan, errors = report.validate(parser.parse_args(["--data-dir", str(xls), "--out", str(tmp_path / "out"),
                                                      "--modules", "00"]))
    assert plan is None and len(errors) == 1 and errors[0].startswith("--data-dir") and "orders.xls" in errors[0]


def test_param_type_checked_against_declaration(tmp_path):
    # every module declares seed: int in its parameters cell? use horizon_days-like typed parameter of module 00
    proc = _run("--data-dir", str(DEFAULT_DATA), "--out", str(tmp_path / "out"), "--param", "as_of=2025-01-01")
    assert proc.returncode == 2 and "--as-of" in proc.stderr  # shared parameters have their own options
    typed = {n: i["inferred_type_name"] for m in MODULES for n, i in m.parameters.items()}
    if not typed:
        typed = {n: i["inferred_type_name"] for m in MODULES for n, i in report.notebook_parameters(m.path).items()}
    int_params = [n for n, t in typed.items() if t == "int" and n not in report.SHARED_PARAMETERS]
    assert int_params, "the course declares module-specific int parameters (e.g. rfm_bins); none found"
    proc = _run("--data-dir", str(DEFAULT_DATA), "--out", str(tmp_path / "out"), "--param", f"{int_params[0]}=abc")
    assert proc.returncode == 2 and f"--param {int_params[0]}=abc" in proc.stderr


def test_offline_template_has_no_cdn():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 标题\n$x^2$"),
                                         nbformat.v4.new_code_cell("1")])
    body, _ = report.html_exporter().from_notebook_node(nb)
    assert report.external_resources(body) == []
    # the stock lab template would pull require.js / MathJax from a CDN: the check does catch that
    from nbconvert import HTMLExporter

    stock, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert report.external_resources(stock)


# ---- slow: real runs -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_report_default_data_runs_and_repeats(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    proc = _run("--data-dir", str(DEFAULT_DATA), "--out", str(a))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "without encryption" not in proc.stderr, "kernel start-up noise reaches the analyst's terminal"

    index = (a / "index.html").read_text(encoding="utf-8")
    assert report.external_resources(index) == []
    metrics = json.loads((a / "metrics.json").read_text(encoding="utf-8"))
    for m in MODULES:
        assert f'href="{m.slug}.html"' in index, f"index.html does not link {m.slug}"
        page = (a / f"{m.slug}.html").read_text(encoding="utf-8")
        assert report.external_resources(page) == [], f"{m.slug}.html needs the network"
        assert "<script src" not in page
        assert (a / f"{m.slug}.ipynb").exists()
        assert m.key in metrics, f"metrics.json has no key {m.key}"
    pngs = sum(len(re.findall(r"data:image/png;base64", (a / f"{m.slug}.html").read_text(encoding="utf-8")))
               for m in MODULES)
    assert pngs > 0, "plots must be embedded"
    assert set(metrics["run"]["input_fingerprint"]) >= {"orders.parquet"}
    assert metrics["00_tour"]["orders"] == metrics["run"]["data_summary"]["tables"]["orders"]["rows"]
    run = json.loads((a / "run.json").read_text(encoding="utf-8"))
    assert all(r["status"] == "ok" and r["seconds"] > 0 for r in run["modules"])
    assert "seconds" not in json.dumps(metrics), "timings belong in run.json, not metrics.json"
    scores = pd.read_csv(a / "tables" / "member_scores.csv", encoding="utf-8-sig", dtype={"member_id": str})
    assert scores["member_id"].is_unique and scores["member_id"].is_monotonic_increasing
    assert (a / "tables" / "member_scores.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    columns = pd.read_csv(a / "tables" / "member_scores_columns.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(columns["column"]) == list(scores.columns), "member_scores_columns.csv must describe every column"
    assert (columns["description"].str.len() > 0).all()
    assert not (a / "parts").exists()

    proc = _run("--data-dir", str(DEFAULT_DATA), "--out", str(b))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (a / "metrics.json").read_bytes() == (b / "metrics.json").read_bytes()
    assert _tree_bytes(a / "tables") == _tree_bytes(b / "tables")
    assert _tree_bytes(a / "quarantine") == _tree_bytes(b / "quarantine")


@pytest.mark.slow
def test_report_orders_only_runs_with_skips(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DEFAULT_DATA / "orders.parquet", data / "orders.parquet")
    out = tmp_path / "out"
    proc = _run("--data-dir", str(data), "--out", str(out), "--as-of", "2025-12-31")
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["run"]["input_fingerprint"]) == {"orders.parquet"}
    assert "members" in metrics["00_tour"]["skipped"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "部分跳过" in index


@pytest.mark.slow
def test_report_failing_module_exits_1_naming_module_and_cell(tmp_path):
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
    proc = _run("--data-dir", str(DEFAULT_DATA), "--out", str(out), "--solutions-dir", str(sol))
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "01-broken" in proc.stderr and "cell 2" in proc.stderr and "模拟的模块错误" in proc.stderr
    # what ran is kept: module 00 complete, the failing notebook with its error, an index saying so
    assert (out / "00-tour.html").exists() and (out / "01-broken.ipynb").exists()
    assert not (out / "02-never.ipynb").exists()
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert "00_tour" in metrics and metrics["00_tour"]["orders"] > 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "失败" in index and "未运行" in index and "模拟的模块错误" in index


def test_member_scores_outer_join(tmp_path):
    """Parts are outer-joined on member_id, sorted; clashing names get the module key; ints stay ints."""
    ModuleOutput(str(tmp_path), "02_behavior").member_scores(
        pd.DataFrame({"member_id": ["M1", "M2"], "frequency": [3, 4]}), {"frequency": "订单数"})
    ModuleOutput(str(tmp_path), "03_rfm").member_scores(
        pd.DataFrame({"member_id": ["M3", "M1"], "frequency": [1, 2], "r": [0.5, 1.5]}),
        {"frequency": "另一种频次", "r": "R 分"})
    data = tmp_path / "data"
    data.mkdir()
    (data / "orders.csv").write_text("member_id\n", encoding="utf-8")
    plan = report.RunPlan(data_dir=data, out=tmp_path, modules=[], shared={}, extra_raw={}, timeout=1,
                          progress=False)
    results = [report.ModuleResult(report.Module(s, tmp_path), status="ok") for s in ("02-behavior", "03-rfm")]
    metrics = report._merge_parts(plan, results, None, {})
    text = (tmp_path / "tables" / "member_scores.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines() == ["member_id,frequency,03_rfm_frequency,r", "M1,3,2,1.5", "M2,4,,", "M3,,1,0.5"]
    columns = (tmp_path / "tables" / "member_scores_columns.csv").read_text(encoding="utf-8-sig").splitlines()
    assert columns[1].startswith("member_id,,会员编号")
    assert columns[2:] == ["frequency,02_behavior,订单数",
                           "03_rfm_frequency,03_rfm,另一种频次", "r,03_rfm,R 分"]
    assert set(metrics) == {"02_behavior", "03_rfm", "run"}
    assert metrics["run"]["input_fingerprint"] == {"orders.csv": hashlib.sha256(b"member_id\n").hexdigest()}
