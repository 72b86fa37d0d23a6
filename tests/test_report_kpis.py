"""index.html's KPI dashboard, the comparison with an earlier run (--baseline-run) and the alert rules (--alerts).

Fast tests work on hand-written metrics objects (expected values worked out by hand here); the slow ones read the
shared report run of every module on the 1,000-member world (tests/_report_runs.py) and make one more short run
(module 00 at an earlier as-of) against it as the baseline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from _report_runs import DEFAULT_DATA, USES_DEFAULT_RUN, default_run, run_report
from test_report_pages import page_text

from helpers import report
from helpers.report import html as rhtml
from helpers.report import kpis

METRICS = {
    "00_tour": {"members_on_file": 1200, "members_with_orders": 1100, "net_amount_total": 50000.0,
                "paid_orders": 400},
    "02_behavior": {"repeat_rate": 0.625, "activity_status_sizes": {"活跃": 300, "沉睡": 200, "流失": 600}},
    "04_clv": {"clv_total": 9000.5, "clv_mean": 8.25},
    "05_segments": {"lifecycle_sizes": {"衰退": 40, "流失": 600}, "retention_list_size": 77},
    "run": {"parameters": {"as_of": "2025-12-31"}},
}


def test_kpis_are_read_by_key_and_absent_ones_are_not_shown():
    got = kpis.compute_kpis(METRICS)
    assert got == {"members": 1200, "active_members": 300, "repurchase_rate": 0.625, "average_order_value": 125.0,
                   "sales": 50000.0, "clv_total": 9000.5, "clv_mean": 8.25, "declining_members": 40,
                   "churned_members": 600, "retention_list_size": 77}
    only_tour = kpis.compute_kpis({"00_tour": {"members_with_orders": 9, "net_amount_total": 10.0, "paid_orders": 0}})
    assert only_tour == {"members": 9, "sales": 10.0}  # no orders: no average order value, never a division by 0
    later = {"06_tiers": {"points_liability": 1234.5}, "09_feedback": {"complaint_sla_rate": 0.95}}
    assert kpis.compute_kpis(later) == {"points_liability": 1234.5, "complaint_sla_rate": 0.95}
    assert kpis.compute_kpis({"00_tour": {"net_amount_total": float("nan"), "members_on_file": True}}) == {}


def test_dashboard_shows_plain_values_and_changes_against_the_baseline():
    now = kpis.compute_kpis(METRICS)
    base = dict(now, sales=40000.0, repurchase_rate=0.5)
    base.pop("clv_total")
    rows = {r["id"]: r for r in kpis.dashboard(now, base)}
    assert rows["sales"]["value"] == "50,000.00" and rows["sales"]["baseline"] == "40,000.00"
    assert rows["sales"]["change"] == "+10,000.00（+25.0%）" and rows["sales"]["trend"] == "up"
    assert rows["repurchase_rate"]["value"] == "62.5%" and rows["repurchase_rate"]["change"].startswith("+12.5 ")
    assert rows["members"]["value"] == "1,200" and rows["members"]["change"] == "无变化 no change"
    assert rows["clv_total"]["baseline"] == "—" and "not in the baseline" in rows["clv_total"]["change"]
    assert [r["id"] for r in kpis.dashboard(now, None)] == list(now)
    assert all(r["baseline"] == "" for r in kpis.dashboard(now, None))


def test_alert_rules_thresholds_and_relative_changes(tmp_path):
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        "rules:\n"
        "  - {kpi: repurchase_rate, below: 0.7, severity: warning}\n"
        "  - {kpi: sales, change_below: -0.1, severity: critical, note: 销售额下降}\n"
        "  - {kpi: members, above: 5000}\n"
        "  - {kpi: points_liability, above: 0}\n", encoding="utf-8")
    rules = kpis.load_rules(rules_file)
    now = kpis.compute_kpis(METRICS)
    # no baseline: only the threshold rule on a present KPI fires
    assert kpis.evaluate_alerts(now, None, rules) == [
        {"kpi": "repurchase_rate", "value": 0.625, "baseline": None, "change": None, "rule": "repurchase_rate < 70%",
         "severity": "warning", "note": ""}]
    fired = kpis.evaluate_alerts(now, dict(now, sales=62500.0), rules)
    assert [a["kpi"] for a in fired] == ["repurchase_rate", "sales"]
    assert fired[1] == {"kpi": "sales", "value": 50000.0, "baseline": 62500.0, "change": -0.2,
                        "rule": "sales change < -10%", "severity": "critical", "note": "销售额下降"}
    assert kpis.evaluate_alerts(now, dict(now, sales=55000.0), rules)[1:] == []  # −9.1 % does not cross −10 %


def test_shipped_default_rules_load_and_name_known_kpis():
    rules = kpis.load_rules()
    assert rules and {r["kpi"] for r in rules} <= {k.id for k in kpis.KPIS}
    assert kpis.DEFAULT_ALERTS.name == "alerts.yaml" and "change_below" in kpis.DEFAULT_ALERTS.read_text("utf-8")


@pytest.mark.parametrize(("text", "says"), [
    ("rules:\n  - {kpi: salez, below: 1}\n", "salez"),
    ("rules:\n  - {kpi: sales}\n", "exactly one of"),
    ("rules:\n  - {kpi: sales, below: 1, above: 2}\n", "exactly one of"),
    ("rules:\n  - {kpi: sales, below: lots}\n", "needs a number"),
    ("rules:\n  - {kpi: sales, below: 1, severity: panic}\n", "severity"),
    ("rules:\n  - {kpi: sales, below: 1, colour: red}\n", "colour"),
    ("kpi: sales\n", "rules"),
    ("rules: [\n", "cannot read"),
])
def test_bad_alert_rules_are_named_with_file_and_rule(tmp_path, text, says):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(says)) as err:
        kpis.load_rules(path)
    assert str(path) in str(err.value)


def test_bad_baseline_or_alerts_exit_2_before_anything_runs(small_world, tmp_path, capsys):
    (tmp_path / "rules.yaml").write_text("rules:\n  - {kpi: nope, below: 1}\n", encoding="utf-8")
    rc = report.main(["--data-dir", str(small_world), "--out", str(tmp_path / "out"), "--no-progress",
                      "--baseline-run", str(tmp_path / "missing"), "--alerts", str(tmp_path / "rules.yaml")])
    err = capsys.readouterr().err
    assert rc == 2 and "--baseline-run" in err and "metrics.json" in err and "--alerts" in err and "nope" in err
    assert not (tmp_path / "out").exists()


def test_index_puts_the_dashboard_and_alerts_first(tmp_path):
    now = kpis.compute_kpis(METRICS)
    alerts = kpis.evaluate_alerts(now, None, [{"kpi": "repurchase_rate", "condition": "below", "limit": 0.7,
                                               "severity": "critical", "note": "复购率偏低"}])
    result = report.ModuleResult(report.Module("00-tour", tmp_path / "x.ipynb"), status="ok", seconds=1.0)
    rhtml.render_index(out=tmp_path, data_dir=tmp_path, params={"as_of": "2025-12-31"},
                       summary={"as_of": "2025-12-31", "tables": {}}, results=[result], started="x", total=1.0,
                       kpis=kpis.dashboard(now, None), alerts=alerts)
    text = page_text((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert text.index("会员数") < text.index("复购率偏低") < text.index("参数 · Parameters")
    assert "50,000.00" in text and "62.5%" in text and "repurchase_rate < 70%" in text
    assert "'" not in text


def test_notebook_defaults_are_shown_without_python_quotes():
    from helpers.report.runner import _plain

    assert _plain("'2025-12-31'") == "2025-12-31" and _plain("180") == "180" and _plain("0.3") == "0.3"
    assert _plain('""') == "（空 empty）" and _plain("True") == "True" and _plain("not python(") == "not python("


# ---- slow: real runs ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return default_run(tmp_path_factory)[0]


@USES_DEFAULT_RUN
@pytest.mark.slow
def test_run_writes_kpis_and_alerts_and_the_index_shows_them(run_dir):
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    tour, behavior = metrics["00_tour"], metrics["02_behavior"]
    got = metrics["kpis"]
    assert got["members"] == tour["members_on_file"] and got["sales"] == tour["net_amount_total"]
    assert got["average_order_value"] == round(tour["net_amount_total"] / tour["paid_orders"], 2)
    assert got["repurchase_rate"] == behavior["repeat_rate"]
    assert got["clv_total"] == metrics["04_clv"]["clv_total"]
    assert got["retention_list_size"] == metrics["05_segments"]["retention_list_size"]
    assert isinstance(metrics["alerts"], list)
    text = page_text((run_dir / "index.html").read_text(encoding="utf-8"))
    assert text.index("关键指标") < text.index("告警") < text.index("参数 · Parameters")
    assert f"{tour['members_on_file']:,}" in text and f"{tour['net_amount_total']:,.2f}" in text
    assert not re.search(r"'[^']*'", text), "index.html shows Python quoting"


@USES_DEFAULT_RUN
@pytest.mark.slow
def test_baseline_run_shows_changes_and_fires_alerts(run_dir, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n"
                     "  - {kpi: sales, change_below: -0.05, severity: critical}\n"
                     "  - {kpi: repurchase_rate, below: 2}\n"  # module 02 does not run: not checked
                     "  - {kpi: members, above: 0, severity: info}\n", encoding="utf-8")
    out = tmp_path / "earlier"
    proc = run_report("--data-dir", DEFAULT_DATA, "--out", out, "--modules", "00", "--as-of", "2025-06-30",
                      "--baseline-run", run_dir, "--alerts", rules)
    assert proc.returncode == 0, proc.stderr[-3000:]
    now = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    base = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    sales, base_sales = now["00_tour"]["net_amount_total"], base["00_tour"]["net_amount_total"]
    assert sales < base_sales
    rel = (sales - base_sales) / base_sales
    assert rel < -0.05, "half a year less of orders"
    members = now["00_tour"]["members_on_file"]
    assert [{k: a[k] for k in ("kpi", "value", "baseline", "severity")} for a in now["alerts"]] == [
        {"kpi": "sales", "value": sales, "baseline": base_sales, "severity": "critical"},
        {"kpi": "members", "value": members, "baseline": base["00_tour"]["members_on_file"], "severity": "info"}]
    assert now["alerts"][0]["change"] == pytest.approx(rel, abs=1e-6)
    assert set(now["alerts"][0]) >= {"kpi", "value", "baseline", "change", "rule", "severity"}
    assert set(now["kpis"]) == {"members", "average_order_value", "sales"}
    text = page_text((out / "index.html").read_text(encoding="utf-8"))
    assert str(run_dir) in text and base["run"]["data_summary"]["as_of"] in text  # the baseline and its as-of
    assert f"{rel * 100:+.1f}%" in text and f"{base_sales:,.2f}" in text
    assert "sales change < -5%" in text and "repurchase_rate" not in text
