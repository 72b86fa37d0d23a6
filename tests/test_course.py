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
