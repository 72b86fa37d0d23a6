"""Course navigation is generated from the modules on disk, so it never links to a missing module."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import course


def _module(root: Path, slug: str, title: str) -> None:
    folder = root / "notebooks" / slug
    folder.mkdir(parents=True)
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [f"# {slug[:2]} {title}\n", "正文"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / f"{slug}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def test_navigation_links_only_existing_modules(tmp_path):
    _module(tmp_path, "00-tour", "导览 · Tour")
    _module(tmp_path, "01-data-quality", "数据采集与质量 · Quality")
    (tmp_path / "notebooks" / "02-empty").mkdir()  # a folder without its notebook is not a module
    assert [m.slug for m in course.modules(tmp_path)] == ["00-tour", "01-data-quality"]

    first = course.navigation_markdown("00-tour", tmp_path)
    assert "下一模块：[01 数据采集与质量 · Quality](../01-data-quality/01-data-quality.ipynb)" in first
    assert "上一模块" not in first and "共 2 个模块" in first

    last = course.navigation_markdown("01-data-quality", tmp_path)
    assert "上一模块：[00 导览 · Tour](../00-tour/00-tour.ipynb)" in last
    assert "02-empty" not in last and "这是目前最后一个模块" in last


def test_repository_modules_have_titles():
    found = course.modules()
    assert found and found[0].slug == "00-tour"
    assert all(m.title and not m.title.startswith("#") for m in found)


ROOT = Path(__file__).resolve().parent.parent
SOLUTION_NOTEBOOKS = sorted((ROOT / "solutions").glob("[0-9][0-9]-*/*.ipynb"))


def test_every_module_ends_with_its_generated_navigation():
    """The last cell of every module is ``course.navigation("<its slug>")``, and no markdown cell links to another
    module by hand (such a link went stale when 04 pointed at a missing 05)."""
    problems = []
    for path in SOLUTION_NOTEBOOKS:
        slug = path.parent.name
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        last = cells[-1]
        source = "".join(last["source"]) if isinstance(last["source"], list) else last["source"]
        if last["cell_type"] != "code" or f'course.navigation("{slug}")' not in source:
            problems.append(f"{slug}: last cell is not course.navigation({slug!r})")
        for i, cell in enumerate(cells):
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if cell["cell_type"] == "markdown" and "](../" in text and ".ipynb)" in text:
                problems.append(f"{slug} cell {i}: hand-written link to another module")
    assert not problems, "\n".join(problems)


def test_navigation_text_is_typeset(tmp_path):
    from helpers.typography import fix_text

    _module(tmp_path, "00-tour", "导览 · Tour")
    _module(tmp_path, "01-data-quality", "数据采集与质量 · Quality")
    for slug in ("00-tour", "01-data-quality"):
        text = course.navigation_markdown(slug, tmp_path)
        assert fix_text(text) == text
