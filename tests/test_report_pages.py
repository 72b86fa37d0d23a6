"""Report pages show results, not the course (issue 15): narrative and code outputs; no code input, no nbgrader
cells (exercises, model answers, hidden tests), no cells tagged ``report-skip``; the executed .ipynb keeps all.

A fast test feeds a hand-made notebook through the exporter; the slow ones read one shared report run of every
module on the 1,000-member world (tests/_report_runs.py) and check each page against its own source notebook.
"""

from __future__ import annotations

import html as htmlmod
import re
from pathlib import Path

import nbformat
import pytest
from _report_runs import USES_DEFAULT_RUN, default_run

from helpers import report
from helpers.report import html as rhtml

ROOT = Path(__file__).resolve().parent.parent
MODULES = report.discover_modules(ROOT / "solutions")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def page_text(page: str) -> str:
    """The text a reader sees: no <style>, no embedded data, no tags."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S | re.I)
    page = re.sub(r"data:[a-z/+0-9-]+;base64,[A-Za-z0-9+/=]+", " ", page)
    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", page))


def _nbgrader(kind: str, grade_id: str, **flags) -> dict:
    return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "solution": kind == "solution",
                         "grade": kind == "grade", "locked": kind != "solution", **flags}}


def test_exporter_keeps_narrative_and_outputs_only():
    v4 = nbformat.v4
    out = v4.new_output("stream", name="stdout", text="会员数：1,234\n")
    table = v4.new_output("display_data", data={"text/html": "<table><tr><td>重要价值</td></tr></table>",
                                                "text/plain": "table"})
    cells = [
        v4.new_markdown_cell("# 模块标题\n\n正文叙述 narrative_kept"),
        v4.new_code_cell('output_dir: str = ""  # 参数', metadata={"tags": ["parameters"]}),
        v4.new_code_cell('output_dir = "/tmp/x"', metadata={"tags": ["injected-parameters"]}),
        v4.new_code_cell("secret_input_line = 41 + 1\nprint(secret_input_line)", outputs=[out]),
        v4.new_code_cell("helper_without_output = 1"),
        v4.new_code_cell("display(seg_table)", outputs=[table]),
        v4.new_markdown_cell("## 8. 练习 · Exercises_heading_skipped", metadata={"tags": ["report-skip"]}),
        v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                         metadata=_nbgrader("solution", "ex01_f")),
        v4.new_code_cell("assert f() == 1\n### BEGIN HIDDEN TESTS\nassert f() != 2\n### END HIDDEN TESTS",
                         metadata=_nbgrader("grade", "ex01_f_test", points=2),
                         outputs=[v4.new_output("stream", name="stdout", text="grade_output_skipped\n")]),
        v4.new_markdown_cell("locked_instructions_skipped", metadata=_nbgrader("locked", "ex01_text")),
        v4.new_markdown_cell("model answer\n### BEGIN SOLUTION\nanswer_skipped\n### END SOLUTION",
                             metadata=_nbgrader("solution", "q01_answer", grade=True, points=3)),
        v4.new_code_cell("widget_cell_skipped()", metadata={"tags": ["report-skip"]},
                         outputs=[v4.new_output("stream", name="stdout", text="widget_output_skipped\n")]),
        v4.new_markdown_cell("lost its metadata\n### BEGIN HIDDEN TESTS\nmarker_cell_skipped"),
    ]
    body, _ = rhtml.html_exporter().from_notebook_node(v4.new_notebook(cells=cells))
    text = page_text(body)
    for kept in ("模块标题", "narrative_kept", "会员数：1,234", "重要价值"):
        assert kept in text, kept
    for gone in ("secret_input_line", "helper_without_output", "output_dir", "Exercises_heading_skipped",
                 "ex01_f", "q01_answer", "grade_output_skipped", "locked_instructions_skipped", "answer_skipped",
                 "widget_cell_skipped", "widget_output_skipped", "marker_cell_skipped", *MARKERS):
        assert gone not in body, gone
    assert "jp-InputArea-editor" not in re.sub(r"<style.*?</style>", "", body, flags=re.S) and "In&nbsp;[" not in body
    assert report.external_resources(body) == []


def test_report_cell_rules():
    v4 = nbformat.v4
    assert rhtml.report_cell(v4.new_markdown_cell("正文"))
    assert rhtml.report_cell(v4.new_code_cell("x", outputs=[v4.new_output("stream", name="stdout", text="1")]))
    assert not rhtml.report_cell(v4.new_code_cell("x"))  # no output: nothing to show
    assert not rhtml.report_cell(v4.new_raw_cell("raw"))
    for flag in ("solution", "grade", "locked"):
        assert not rhtml.report_cell(v4.new_markdown_cell("x", metadata={"nbgrader": {flag: True}})), flag
    assert rhtml.report_cell(v4.new_markdown_cell("x", metadata={"nbgrader": {"solution": False, "grade": False,
                                                                              "locked": False}}))


def _course_cells(nb) -> list:
    """Cells of a source notebook that must not reach its page."""
    return [c for c in nb.cells if not rhtml.report_cell(c) and c.cell_type == "markdown"
            or c.metadata.get("nbgrader", {}).get("grade_id")]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return default_run(tmp_path_factory)[0]


@USES_DEFAULT_RUN
@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES, ids=[m.slug for m in MODULES])
def test_module_page_shows_results_not_the_course(module, run_dir):
    page = (run_dir / f"{module.slug}.html").read_text(encoding="utf-8")
    text = page_text(page)
    source = nbformat.read(str(module.path), as_version=4)
    for marker in MARKERS:
        assert marker not in page, f"{module.slug}.html shows {marker!r}"
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id")]
    assert grade_ids, "the module has exercises"
    for gid in grade_ids:
        assert not re.search(rf"\b{re.escape(gid)}\b", page), f"{module.slug}.html names the graded cell {gid}"
    skipped = [c for c in source.cells if "report-skip" in c.metadata.get("tags", [])]
    assert any(c.cell_type == "markdown" and re.search(r"练习", c.source) for c in skipped), \
        f"{module.slug}: the exercise section is not tagged report-skip"
    for c in skipped + [c for c in source.cells if c.metadata.get("nbgrader")]:
        if c.cell_type != "markdown":
            continue
        for line in c.source.splitlines():
            if line.startswith("#"):  # every heading of a left-out cell, e.g. "### 练习 2 · …"
                heading = line.lstrip("#").strip()
                assert heading not in text, f"{module.slug}.html shows the course heading {heading!r}"
    # no code input: no input area, and no line of any code cell's source (a distinctive one: a definition or call)
    assert "jp-InputArea-editor" not in re.sub(r"<style.*?</style>", "", page, flags=re.S)
    code_lines = {ln.strip() for c in source.cells if c.cell_type == "code" for ln in c.source.splitlines()
                  if re.match(r"\s*(def |import |from \S+ import |course\.navigation\()", ln)}
    shown = [ln for ln in code_lines if ln in text]
    assert not shown, f"{module.slug}.html shows code input: {shown[:5]}"
    # results are there: the narrative's first heading and at least one chart or table
    title = next(ln.lstrip("#").strip() for ln in source.cells[0].source.splitlines() if ln.startswith("#"))
    assert title in text
    assert "data:image/png;base64" in page or "<table" in page


@USES_DEFAULT_RUN
@pytest.mark.slow
def test_executed_notebook_keeps_everything(run_dir):
    for module in MODULES:
        executed = nbformat.read(str(run_dir / f"{module.slug}.ipynb"), as_version=4)
        source = nbformat.read(str(module.path), as_version=4)
        ids = lambda nb: [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]  # noqa: E731
        assert [i for i in ids(executed) if i] == [i for i in ids(source) if i], module.slug
        assert any("BEGIN SOLUTION" in c.source for c in executed.cells), module.slug
        assert sum("report-skip" in c.metadata.get("tags", []) for c in executed.cells) == \
            sum("report-skip" in c.metadata.get("tags", []) for c in source.cells)


# ---- the embedded Chinese font --------------------------------------------------------------------------------

#: characters a Chinese page needs from a CJK font: ideographs, CJK and full-width punctuation, “”‘’·—…
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d\u00b7\u2014\u2026]")


def embedded_font(page: str):
    """(family, cmap) of the one WOFF2 font embedded in ``page``'s CSS; fails when there is none."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    faces = re.findall(r"@font-face\s*\{[^}]*font-family:\s*\"([^\"]+)\"[^}]*url\(data:font/woff2;base64,"
                       r"([A-Za-z0-9+/=]+)\)", page)
    assert len(faces) == 1, f"{len(faces)} embedded WOFF2 fonts"
    family, data = faces[0]
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    assert font.flavor == "woff2"
    return family, set(font.getBestCmap())


def check_font_covers_page(page: str, name: str) -> int:
    """Every CJK character of the page text is in the embedded font, and the page's text uses that font."""
    family, cmap = embedded_font(page)
    needed = set(CJK.findall(page_text(page)))
    assert needed, f"{name}: no Chinese text found"
    missing = sorted(c for c in needed if ord(c) not in cmap)
    assert not missing, f"{name}: the embedded font lacks {''.join(missing[:40])}"
    styles = " ".join(re.findall(r"<style.*?</style>", page, flags=re.S))
    assert re.search(rf"(body|--jp-content-font-family)\s*[{{:][^}}]*\"{re.escape(family)}\"", styles), \
        f"{name}: no text rule uses the embedded family {family!r}"
    return len(needed)


def test_index_embeds_the_font_of_its_characters(tmp_path):
    summary = {"as_of": "2025-06-30", "as_of_source": "given", "tables": {}}
    result = report.ModuleResult(report.Module("00-tour", tmp_path / "x.ipynb"), status="ok", seconds=1.0)
    rhtml.render_index(out=tmp_path, data_dir=tmp_path, params={"活动名称": "春节焕新礼遇"}, summary=summary,
                       results=[result], started="2025-01-01 00:00:00", total=3.0)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    check_font_covers_page(page, "index.html")
    _, cmap = embedded_font(page)
    assert {ord(c) for c in "焕礼遇"} <= cmap  # a parameter value's rare characters too
    assert ord("鑫") not in cmap, "the font is a subset of the page's characters, not the whole font"
    assert report.external_resources(page) == []


@USES_DEFAULT_RUN
@pytest.mark.slow
def test_every_page_embeds_the_chinese_font_it_needs(run_dir):
    sizes = {}
    for name in ["index.html", *(f"{m.slug}.html" for m in MODULES)]:
        page = (run_dir / name).read_text(encoding="utf-8")
        check_font_covers_page(page, name)
        sizes[name] = len(page.encode("utf-8"))
        font = re.search(r"url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", page).group(1)
        assert len(font) < 400_000, f"{name}: the embedded font is {len(font):,} bytes of base64"
    print("page sizes (bytes):", sizes)
