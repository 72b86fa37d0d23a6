"""The report run's pieces, in-process and fast: argparse, validation, parameter and column declarations,
ModuleOutput, the merge, the as-of and the snapshot. The real runs (subprocesses executing the notebooks) are in
tests/test_report_runs.py.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import report
from helpers.report import ModuleOutput, columns, params

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "datasets" / "default"
MODULES = report.discover_modules(ROOT / "solutions")


def _main(capsys, *args: str) -> tuple[int, str]:
    """``python -m helpers report`` in-process: (exit code, stderr)."""
    rc = report.main(list(args))
    return rc, capsys.readouterr().err


# ---- ModuleOutput and the member_scores declarations ----------------------------------------------------------


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


def test_module_output_summary_shows_scalar_metrics_and_where_they_went(tmp_path, capsys):
    for output_dir, says in (("", "课堂模式"), (str(tmp_path), "已写入本次报告")):
        out = ModuleOutput(output_dir, "03_rfm")
        out.metrics({"members": 120, "top_share": 0.5, "segments": {"A": 3}})
        out.metrics({"top_share": 0.6, "rule": "quantiles"})  # a later call updates the earlier key
        out.table("rfm_segments", pd.DataFrame({"x": range(7)}))
        table = out.summary()
        line = capsys.readouterr().out
        assert says in line and "rfm_segments（7 行）" in line
        assert table.to_dict()["值 · value"] == {"members": 120, "top_share": 0.6, "rule": "quantiles"}


def test_module_output_writes_parts(tmp_path):
    out = ModuleOutput(str(tmp_path), "03_rfm")
    out.metrics({"members": np.int64(10), "share": np.float64(1 / 3), "nan": float("nan")})
    out.metrics({"extra": [1, 2]})
    out.table("rfm_segments", pd.DataFrame({"segment": ["重要价值"], "n": [3]}))
    out.member_scores(pd.DataFrame({"member_id": ["M2", "M1"], "r_score": [1, 2]}), {"r_score": "R 分 1–5"})
    out.quarantine(pd.DataFrame({"row": [1], "reason": ["x"]}), name="bad")
    out.skip("members", "跳过。")
    parts = tmp_path / "parts" / "03_rfm"
    m = json.loads((parts / "metrics.json").read_text(encoding="utf-8"))
    assert m == {"members": 10, "share": 0.3333333333, "nan": None, "extra": [1, 2]}
    assert isinstance(m["members"], int)
    assert (parts / "tables" / "rfm_segments.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    scores = pd.read_parquet(parts / "member_scores.parquet")
    assert list(scores.index) == ["M1", "M2"] and str(scores["r_score"].dtype) == "Int64"
    assert (parts / "quarantine" / "03_rfm_bad.csv").exists()
    assert json.loads((parts / "skipped.json").read_text(encoding="utf-8")) == {"members": "跳过。"}
    assert json.loads((parts / "member_scores_columns.json").read_text(encoding="utf-8")) == {"r_score": "R 分 1–5"}
    with pytest.raises(ValueError, match="unique"):
        out.member_scores(pd.DataFrame({"member_id": ["M1", "M1"], "r_score": [1, 2]}), {"r_score": "R"})
    with pytest.raises(ValueError, match="missing: \\['f_score'\\]"):  # every column must say what it means
        out.member_scores(pd.DataFrame({"member_id": ["M1"], "r_score": [1], "f_score": [2]}), {"r_score": "R"})
    with pytest.raises(ValueError, match="not declared"):  # a column the module does not declare
        out.member_scores(pd.DataFrame({"member_id": ["M1"], "shoe_size": [42]}), {"shoe_size": "鞋码"})
    with pytest.raises(ValueError, match="must be Int64"):  # declared integer, given fractions
        out.member_scores(pd.DataFrame({"member_id": ["M1"], "r_score": [1.5]}), {"r_score": "R"})
    with pytest.raises(ValueError, match="declares no member_scores"):
        ModuleOutput(str(tmp_path), "00_tour").member_scores(pd.DataFrame({"member_id": ["M1"], "x": [1]}),
                                                             {"x": "x"})
    with pytest.raises(ValueError):
        out.table("bad name/..", pd.DataFrame())


def test_no_column_is_declared_by_two_modules():
    assert columns.duplicate_columns() == {}
    assert all(c.dtype in columns.DTYPES for cols in columns.MEMBER_SCORE_COLUMNS.values() for c in cols)
    clash = {"02_behavior": (columns.ScoreColumn("frequency", "Int64", "orders", "a"),),
             "05_segments": (columns.ScoreColumn("frequency", "float64", "", "b"),)}
    assert columns.duplicate_columns(clash) == {"frequency": ["02_behavior", "05_segments"]}
    with pytest.raises(ValueError, match="more than once"):
        columns.all_columns(clash)
    with pytest.raises(ValueError, match="member_id"):
        columns.all_columns({"02_behavior": (columns.ScoreColumn("member_id", "string", "", "x"),)})


def _merge(tmp_path: Path, ran: dict[str, pd.DataFrame], ids: list[str], declarations) -> tuple[str, pd.DataFrame]:
    for key, df in ran.items():
        ModuleOutput(str(tmp_path), key).member_scores(df, {c: f"{c} 的含义" for c in df.columns if c != "member_id"})

    class _DS:  # the two tables the merge reads member ids from
        def get(self, name):
            return pd.DataFrame({"member_id": pd.array(ids, dtype="string")}) if name == "members" else None

    parts = {key: tmp_path / "parts" / key for key in ran}
    merged, dictionary = report.merge.merge_member_scores(parts, _DS(), declarations)
    report.merge.write_member_scores(merged, dictionary, tmp_path)
    return (tmp_path / "member_scores.csv").read_text(encoding="utf-8-sig"), merged


def test_member_scores_are_lossless_and_their_columns_do_not_depend_on_which_modules_ran(tmp_path, monkeypatch):
    decl = {"02_behavior": (columns.ScoreColumn("frequency", "Int64", "orders", "orders"),
                            columns.ScoreColumn("band", "string", "", "band"),
                            columns.ScoreColumn("first_purchase", "date", "", "day")),
            "03_rfm": (columns.ScoreColumn("code", "string", "", "code"),
                       columns.ScoreColumn("score", "float64", "", "score"))}
    monkeypatch.setattr(columns, "MEMBER_SCORE_COLUMNS", decl)
    ids = ["007", "010", "NA", "M9"]
    behaviour = pd.DataFrame({"member_id": ["007", "NA", "010"], "frequency": [3, 1, 2],
                              "band": ["NA", "007", "高频"],
                              "first_purchase": pd.to_datetime(["2025-01-02", "2024-12-31", "2025-03-04"])})
    rfm = pd.DataFrame({"member_id": ["007", "M9"], "code": ["011", "NA"], "score": [0.5, 1.25]})
    text, merged = _merge(tmp_path / "both", {"02_behavior": behaviour, "03_rfm": rfm}, ids, decl)
    assert text.splitlines() == [
        "member_id,frequency,band,first_purchase,code,score",
        "007,3,NA,2025-01-02,011,0.5",
        "010,2,高频,2025-03-04,,",  # typography: ignore
        "M9,,,,NA,1.25",
        "NA,1,007,2024-12-31,,",
    ]
    parquet = pd.read_parquet(tmp_path / "both" / "member_scores.parquet")
    assert parquet.loc["NA", "band"] == "007" and parquet.loc["M9", "code"] == "NA"  # text stays text
    assert str(parquet["frequency"].dtype) == "Int64" and parquet.loc["M9", "frequency"] is pd.NA

    text_one, merged_one = _merge(tmp_path / "one", {"03_rfm": rfm}, ids, decl)
    assert list(merged_one.columns) == list(merged.columns)  # module 02 did not run: its columns are there, empty
    assert merged_one[["frequency", "band", "first_purchase"]].isna().all().all()
    dictionary = pd.read_csv(tmp_path / "one" / "member_scores_columns.csv", encoding="utf-8-sig",
                             keep_default_na=False)
    assert list(dictionary["column"]) == ["member_id", "frequency", "band", "first_purchase", "code", "score"]
    assert dictionary.set_index("column").loc["code", "description"] == "code 的含义"
    assert "did not run" in dictionary.set_index("column").loc["frequency", "description"]


# ---- parameters: declared, validated before anything runs ----------------------------------------------------


def test_cast_and_check_values():
    assert report.cast_value("5", "int") == 5
    assert report.cast_value("0.5", "float") == 0.5
    assert report.cast_value("yes", "bool") is True and report.cast_value("false", "bool") is False
    assert report.cast_value("x", "str") == "x"
    for raw, t in (("x", "int"), ("1.5", "int"), ("abc", "float"), ("maybe", "bool"), ("nan", "float"),
                   ("inf", "float"), ("-inf", "float")):
        with pytest.raises(ValueError):
            report.cast_value(raw, t)
    margin = params.MODULE_PARAMETERS["04_clv"]["margin"]
    assert params.check_value("1", margin) == 1.0 and params.check_value("0.3", margin) == 0.3
    for raw in ("-3", "0", "1.01", "nan", "NaN"):
        with pytest.raises(ValueError):
            params.check_value(raw, margin)
    with pytest.raises(ValueError, match="week"):
        params.check_value("month", params.MODULE_PARAMETERS["04_clv"]["time_unit"])


def test_every_notebook_parameter_is_declared_with_its_type_and_a_valid_default():
    import ast

    assert MODULES and MODULES[0].slug == "00-tour"
    for m in MODULES:
        found = report.notebook_parameters(m.path)
        assert found["data_dir"]["inferred_type_name"] == "str", m.slug
        assert "output_dir" in found, m.slug
        for name, info in found.items():
            spec = params.declared(m.key, name)
            assert spec is not None, f"{m.slug}: parameter {name} is not declared in helpers/report/params.py"
            assert spec.type == info["inferred_type_name"], f"{m.slug}.{name}: {spec.type} != notebook's type"
            default = ast.literal_eval(info["default"])
            params.check_value(str(default), spec)  # the notebook's own default is allowed
        declared_here = set(params.MODULE_PARAMETERS.get(m.key, {}))
        assert declared_here <= set(found), f"{m.slug}: declared but not in the notebook: {declared_here - set(found)}"


def test_bad_values_exit_2_up_front_with_one_message_each(tmp_path, capsys):
    out = tmp_path / "out"
    rc, err = _main(capsys, "--data-dir", str(DEFAULT_DATA), "--out", str(out), "--param", "margin=-3",
                    "--param", "annual_discount_rate=nan", "--param", "time_unit=month", "--param", "rfm_bins=11")
    assert rc == 2
    lines = [ln for ln in err.splitlines() if ln.startswith("  - ")]
    for needle in ("--param margin=-3", "--param annual_discount_rate=nan", "--param time_unit=month",
                   "--param rfm_bins=11"):
        assert sum(needle in ln for ln in lines) == 1, f"one message for {needle}:\n{err}"
    assert len(lines) == 4
    assert not out.exists(), "nothing may run or be written before validation passes"

    rc, err = _main(capsys, "--data-dir", str(DEFAULT_DATA), "--out", str(out), "--param", "margin=nan")
    assert rc == 2 and "--param margin=nan" in err and not out.exists()

    rc, err = _main(capsys, "--data-dir", str(DEFAULT_DATA), "--out", str(out), "--param", "margin=0.4",
                    "--param", "margin=0.5")
    assert rc == 2 and "--param margin" in err and "more than once" in err

    if any(m.key == "05_segments" for m in MODULES):  # a rule across two parameters, one given, one default
        rc, err = _main(capsys, "--data-dir", str(DEFAULT_DATA), "--out", str(out), "--param", "k_min=8")
        assert rc == 2 and "k_min 8 > k_max" in err and not out.exists()


def test_bad_options_each_named(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    rc, err = _main(capsys, "--data-dir", str(empty), "--out", str(tmp_path / "out"), "--as-of", "2025-13-40",
                    "--horizon-days", "-3", "--seed", "abc", "--param", "no_such_param=1", "--param", "oops",
                    "--param", "as_of=2025-01-01", "--modules", "00,77", "--columns", str(tmp_path / "nope.yml"))
    assert rc == 2
    for needle in ("--data-dir", "--as-of 2025-13-40", "--horizon-days -3", "--seed abc", "--param no_such_param",
                   "--param oops", "--param as_of", "--modules 00,77", "--columns"):
        assert needle in err, f"no message for {needle}:\n{err}"
    assert not (tmp_path / "out").exists()

    rc, err = _main(capsys, "--data-dir", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert rc == 2 and "不存在" in err

    # a file every module would choke on (no required columns) is bad input too: exit 2 before any notebook
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "orders.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    rc, err = _main(capsys, "--data-dir", str(bad), "--out", str(tmp_path / "out"))
    assert rc == 2 and "member_id" in err and "orders.csv" in err
    assert not (tmp_path / "out").exists()


def test_list_params_shows_declared_rules(capsys):
    assert report.main(["--list-params"]) == 0
    text = capsys.readouterr().out
    assert "margin: float = 0.3" in text and "0 < margin ≤ 1" in text


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
    assert errors == [] and plan is not None and plan.data_dir == folder.resolve()
    assert report.fingerprint(folder) == {"orders.pq": hashlib.sha256((folder / "orders.pq").read_bytes()).hexdigest()}

    xls = tmp_path / "xls"
    xls.mkdir()
    (xls / "orders.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    plan, errors = report.validate(parser.parse_args(["--data-dir", str(xls), "--out", str(tmp_path / "out"),
                                                      "--modules", "00"]))
    assert plan is None and len(errors) == 1 and errors[0].startswith("--data-dir") and "orders.xls" in errors[0]


def test_one_as_of_for_every_module(tmp_path):
    """Without --as-of the run's as-of is the last order day of the data, and every module gets it (and the
    snapshot) — no module falls back to its own default date."""
    from helpers.report import snapshot

    folder = tmp_path / "d"
    folder.mkdir()
    pd.DataFrame({"member_id": ["M1", "M2"], "order_ts": ["2026-03-01 10:00:00", "2026-07-02 18:30:00"],
                  "net_amount": [9.9, 5.0]}).to_csv(folder / "orders.csv", index=False)
    plan, errors = report.validate(report.build_parser().parse_args(["--data-dir", str(folder), "--out",
                                                                     str(tmp_path / "out"), "--horizon-days", "90"]))
    assert errors == []
    ds = snapshot.load_once(plan.data_dir, None)
    plan.as_of = snapshot.resolve_as_of(ds, None)
    plan.snapshot = tmp_path / "out" / "snapshot"
    assert str(plan.as_of.date()) == "2026-07-02"
    for m in plan.modules:
        given = plan.parameters_for(m)
        assert given["as_of"] == "2026-07-02" and given["data_dir"] == str(plan.snapshot), m.slug
        if "horizon_days" in m.parameters:
            assert given["horizon_days"] == 90
    assert str(snapshot.resolve_as_of(ds, "2026-05-01").date()) == "2026-05-01"


def test_without_as_of_rows_after_the_last_order_are_out_of_scope(tmp_path):
    """A member who registered after the last order: the runner's load and every module's load of the snapshot
    agree (the run's as-of is the last order day, that member is out of scope in both, and counted)."""
    from helpers.report import snapshot

    pd.DataFrame({"member_id": ["M1", "M2"], "order_ts": ["2026-03-01 10:00:00", "2026-07-02 18:30:00"],
                  "net_amount": [9.9, 5.0]}).to_csv(tmp_path / "orders.csv", index=False)
    pd.DataFrame({"member_id": ["M1", "M2", "M3"],
                  "register_ts": ["2025-01-01 09:00:00", "2025-02-01 09:00:00", "2026-07-05 09:00:00"]}).to_csv(
        tmp_path / "members.csv", index=False)
    ds, as_of = snapshot.load_resolved(tmp_path)
    assert str(as_of.date()) == "2026-07-02"
    assert list(ds.members["member_id"]) == ["M1", "M2"]
    summary = snapshot.data_summary(ds, as_of, as_of_given=False)
    assert summary["tables"]["members"]["rows_out_of_scope"] == 1 and summary["tables"]["members"]["rows_quarantined"] == 0
    assert summary["as_of"] == "2026-07-02" and summary["as_of_source"] == "last order day"


def test_snapshot_is_what_the_modules_load(tmp_path):
    """The validated snapshot every module reads loads back to the same tables (ids like "007" stay text, the
    dtypes hold) and carries the generator's truth/ folder when the data has one."""
    from helpers import data
    from helpers.report import snapshot

    src = tmp_path / "src"
    (src / "truth").mkdir(parents=True)
    (src / "truth" / "params.json").write_text("{}", encoding="utf-8")
    (src / "orders.csv").write_text("member_id,order_ts,net_amount,status\n007,2025-03-01 10:00:00,9.9,paid\n"
                                    "010,2025-03-02 11:00:00,5,refunded\n007,2025-03-04 12:00:00,1.5,paid\n",
                                    encoding="utf-8")
    ds, as_of = snapshot.load_resolved(src)
    dest = snapshot.write_snapshot(ds, src, tmp_path / "out" / "snapshot", as_of)
    again = data.load(dest, as_of=str(as_of.date()))
    pd.testing.assert_frame_equal(again.orders, ds.orders)
    assert list(again.orders["member_id"]) == ["007", "010", "007"]
    assert (dest / "truth" / "params.json").exists() and len(again.quarantine) == 0


def test_column_mapping_file_reaches_the_loader(tmp_path, capsys):
    """--columns FILE: the analyst's YAML mapping is what the run loads with (headers the loader cannot guess)."""
    from helpers.report import snapshot

    data = tmp_path / "d"
    data.mkdir()
    (data / "orders.csv").write_text("buyer,when_paid,money\nM1,2025-03-01 10:00:00,9.9\nM2,2025-03-02 11:00:00,5\n",
                                     encoding="utf-8")
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("orders:\n  member_id: buyer\n  order_ts: when_paid\n  net_amount: money\n", encoding="utf-8")
    rc, err = _main(capsys, "--data-dir", str(data), "--out", str(tmp_path / "out"), "--modules", "00")
    assert rc == 2 and "member_id" in err, "without the mapping the required columns are missing"
    plan, errors = report.validate(report.build_parser().parse_args(
        ["--data-dir", str(data), "--out", str(tmp_path / "out"), "--columns", str(mapping)]))
    assert errors == [] and plan.columns == mapping.resolve()
    ds, as_of = snapshot.load_resolved(plan.data_dir, None, plan.columns)
    assert list(ds.orders["member_id"]) == ["M1", "M2"] and str(as_of.date()) == "2025-03-02"


def test_index_shows_as_of_out_of_scope_and_unrecognised_columns(tmp_path):
    from helpers.report import html

    summary = {"as_of": "2025-06-30", "as_of_source": "given", "rows_out_of_scope": 7,
               "tables": {"orders": {"rows_read": 11, "rows": 2, "rows_quarantined": 1, "rows_out_of_scope": 7,
                                     "rows_reversal": 1, "columns": 4}},
               "unrecognised_columns": {"orders": [{"column": "net_amout", "did_you_mean": "net_amount"}]}}
    result = report.ModuleResult(report.Module("00-tour", tmp_path / "x.ipynb"), status="ok", seconds=1.0)
    html.render_index(out=tmp_path, data_dir=tmp_path, params={"as_of": "2025-06-30"}, summary=summary,
                      results=[result], started="2025-01-01 00:00:00", total=3.0)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "2025-06-30" in page and "out of scope" in page
    row = re.search(r"<tr><td>orders</td>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r">([\d,]+)<", row) == ["11", "2", "1", "7", "1", "4"]
    assert "net_amout" in page and "net_amount" in page
    assert report.external_resources(page) == []


def test_unrecognised_columns_get_a_suggestion(tmp_path):
    from helpers import data
    from helpers.report import snapshot

    (tmp_path / "orders.csv").write_text("member_id,order_ts,net_amount,chanel,favourite_colour\n"
                                         "M1,2025-01-01 10:00:00,9.9,门店,red\n", encoding="utf-8")  # typography: ignore
    found = {c["column"]: c["did_you_mean"] for c in snapshot.unrecognised_columns(data.load(tmp_path))["orders"]}
    assert found == {"chanel": "channel", "favourite_colour": ""}


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


def test_alerts_file_reaches_the_modules_that_check_alerts(tmp_path):
    """--alerts is the run's rule file: the index uses it, and so does a module that declares ``alerts_file``
    (module 10) without the analyst repeating it as --param."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - kpi: sales\n    change_below: -0.2\n    severity: warning\n",
                     encoding="utf-8")
    folder = tmp_path / "d"
    folder.mkdir()
    pd.DataFrame({"member_id": ["M1"], "order_ts": ["2026-03-01 10:00:00"], "net_amount": [9.9]}).to_csv(
        folder / "orders.csv", index=False)
    plan, errors = report.validate(report.build_parser().parse_args(
        ["--data-dir", str(folder), "--out", str(tmp_path / "out"), "--alerts", str(rules)]))
    assert errors == []
    takers = [m for m in plan.modules if "alerts_file" in m.parameters]
    assert takers, "no module declares alerts_file"
    for m in takers:
        assert plan.parameters_for(m)["alerts_file"] == str(rules), m.slug
    for m in plan.modules:
        if "alerts_file" not in m.parameters:
            assert "alerts_file" not in plan.parameters_for(m), m.slug
