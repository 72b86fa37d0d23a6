"""HTML of a report run: each executed notebook exported for offline reading, and ``index.html`` (Jinja2 template
``templates/index.html.j2``) with the parameters, the data summary and every module's status.

Why offline: an analyst opens the run from a shared drive or mails it; the pages must read with no network (no
CDN script, images embedded). :func:`external_resources` is the check the tests use.

Why a page shows results, not the course: the analyst reads narrative, tables and charts. :func:`report_cells_preprocessor`
leaves out every nbgrader cell (solution, grade, locked: exercises, model answers, hidden tests), every cell tagged
``report-skip`` (exercise headings and instructions, try-it prompts, widget-only cells), papermill's parameter
cells and code cells without output; the exporter hides all code input. The executed ``.ipynb`` keeps everything.

Every page embeds the Chinese font it needs (:mod:`.fonts`).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from helpers.bundle import LEAK_MARKERS

from .fonts import embed_font

__all__ = ["OFFLINE_TEMPLATE", "REPORT_SKIP", "export_html", "external_resources", "html_exporter",
           "render_index", "report_cell", "report_cells_preprocessor"]

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: the lab template without its CDN scripts (require.js, MathJax, mermaid): the page is static HTML + CSS and
#: reads with no network; images are embedded as data URIs.
OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
"""


#: the cell tag of trainee-only cells (docs/CONVENTIONS.md, "Report pages")
REPORT_SKIP = "report-skip"
#: papermill's tags: the parameters cell and the cell it injects (their values are listed in index.html)
PARAMETER_TAGS = ("parameters", "injected-parameters")
#: text that never reaches a report page, whatever the metadata says (a cell that lost its nbgrader metadata)
#: nbgrader's solution and hidden-test markers, defined once in helpers.bundle (spelled there so that no helpers file,
#: this one included, carries the markers themselves: the bundle refuses any file that does)
COURSE_MARKERS = LEAK_MARKERS


def report_cell(cell) -> bool:
    """Whether ``cell`` belongs on the analyst's page (see the module docstring for what is left out)."""
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    if any(nbgrader.get(flag) for flag in ("solution", "grade", "locked")):
        return False
    tags = cell.get("metadata", {}).get("tags", [])
    if REPORT_SKIP in tags or any(t in tags for t in PARAMETER_TAGS):
        return False
    if any(marker in cell.get("source", "") for marker in COURSE_MARKERS):
        return False
    if cell.get("cell_type") == "code" and not cell.get("outputs"):
        return False  # no input shown, so a cell without output would be an empty box
    return cell.get("cell_type") in {"markdown", "code"}


@functools.cache
def report_cells_preprocessor():
    """The nbconvert preprocessor class ``ReportCells`` (built on first use: importing helpers.report stays light)."""
    from nbconvert.preprocessors import Preprocessor

    class ReportCells(Preprocessor):
        """nbconvert preprocessor: keep only the cells :func:`report_cell` accepts."""

        def preprocess(self, nb, resources):
            nb.cells = [c for c in nb.cells if report_cell(c)]
            return nb, resources

    return ReportCells


def html_exporter():
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"offline_index.html.j2": OFFLINE_TEMPLATE})],
        template_name="lab",
        template_file="offline_index.html.j2",
        embed_images=True,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(report_cells_preprocessor()(), enabled=True)
    return exporter


def export_html(ipynb: Path, html_path: Path, exporter=None) -> None:
    import nbformat

    exporter = exporter or html_exporter()
    nb = nbformat.read(str(ipynb), as_version=4)
    nb.metadata.pop("widgets", None)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": ipynb.stem}})
    html_path.write_text(embed_font(body), encoding="utf-8")


EXTERNAL_SCRIPT = re.compile(r"<script[^>]+src\s*=\s*[\"']?(https?:)?//", re.IGNORECASE)
EXTERNAL_IMPORT = re.compile(r"import\s*\(\s*[\"'](https?:)?//", re.IGNORECASE)


def external_resources(page: str) -> list[str]:
    """External scripts / stylesheets a page would fetch (empty list = reads offline)."""
    hits = [m.group(0) for m in EXTERNAL_SCRIPT.finditer(page)]
    hits += [m.group(0) for m in EXTERNAL_IMPORT.finditer(page)]
    hits += re.findall(r"<link[^>]+href\s*=\s*[\"']?(?:https?:)?//[^\"' >]+", page, flags=re.IGNORECASE)
    hits += re.findall(r"<img[^>]+src\s*=\s*[\"']?(?:https?:)?//[^\"' >]+", page, flags=re.IGNORECASE)
    return hits


STATUS_ZH = {"ok": "✅ 完成 ok", "failed": "❌ 失败 failed", "not run": "⏸ 未运行 not run"}
FACTS = (("members_with_orders", "有订单的会员 members with orders"), ("first_order", "最早订单 first order"),
         ("last_order", "最晚订单 last order"), ("paid_orders", "已支付订单 paid orders"),
         ("refunded_orders", "退款订单 refunded orders"),
         ("net_amount_total", "已支付订单实付金额合计 paid net amount（元）"))


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


SEVERITY_ZH = {"critical": "严重 critical", "warning": "警告 warning", "info": "提示 info"}


def _alert_rows(alerts: list[dict]) -> list[dict[str, str]]:
    from .kpis import KPIS, format_value

    kinds = {k.id: (k.label, k.kind) for k in KPIS}
    rows = []
    for a in alerts:
        label, kind = kinds.get(a["kpi"], (a["kpi"], "count"))
        rows.append({"severity": a["severity"], "severity_zh": SEVERITY_ZH.get(a["severity"], a["severity"]),
                     "kpi": label, "value": format_value(a["value"], kind),
                     "baseline": format_value(a["baseline"], kind) if a.get("baseline") is not None else "",
                     "change": f"{a['change'] * 100:+.1f}%" if a.get("change") is not None else "",
                     "rule": a["rule"], "note": a.get("note", "")})
    return rows


def render_index(*, out: Path, data_dir: Path, params: dict[str, str], summary: dict, results: list,
                 started: str, total: float, kpis: list[dict] | None = None, alerts: list[dict] | None = None,
                 baseline: str = "", baseline_as_of: str = "") -> None:
    """Write ``out/index.html``: the KPI dashboard (``kpis``: rows of :func:`.kpis.dashboard`) and the alerts
    first, then parameters, data summary, modules and files."""
    import jinja2

    rows = []
    for r in results:
        status = STATUS_ZH.get(r.status, r.status)
        if r.status == "ok" and r.skipped:
            status = "✅ 完成（部分跳过）ok, parts skipped"
        error = ""
        if r.error:
            error = (f"单元格 cell {r.cell_index}: " if r.cell_index is not None else "") + r.error
        rows.append({"slug": r.module.slug, "css": r.status.replace(" ", "-"), "status": status,
                     "seconds": f"{r.seconds:.1f} s" if r.status in {"ok", "failed"} else "",
                     "html": (out / f"{r.module.slug}.html").exists(), "error": error,
                     "skipped": sorted(r.skipped.items())})
    files = [f"{sub}/{f.name}" for sub in ("tables", "quarantine")
             for f in (sorted((out / sub).glob("*.csv")) if (out / sub).exists() else [])]
    ok = all(r.status == "ok" for r in results)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             keep_trailing_newline=True)
    page = env.get_template("index.html.j2").render(
        verdict="全部完成 / all modules ran" if ok else "运行未完成 / run incomplete",
        started=started, total=f"{total:.1f} s", params=sorted(params.items()), data_dir=str(data_dir),
        summary=summary, as_of_source={"given": "参数指定 given", "last order day": "数据中最后一笔订单的日期 "
                                       "last order day"}.get(summary.get("as_of_source", ""), ""),
        facts=[(label, _fmt(summary[k])) for k, label in FACTS if k in summary], rows=rows, files=files,
        kpis=kpis or [], alerts=_alert_rows(alerts or []), baseline=baseline, baseline_as_of=baseline_as_of)
    (out / "index.html").write_text(embed_font(page), encoding="utf-8")
