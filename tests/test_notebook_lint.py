"""Notebook quality gates: ruff passes on helpers/ and the solutions notebooks; nothing executed is committed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "solutions").glob("[0-9][0-9]-*/*.ipynb")) + sorted(
    (ROOT / "notebooks").glob("[0-9][0-9]-*/*.ipynb")
)


def test_ruff_helpers_and_solutions():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "helpers", "solutions"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_outputs_committed(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"cell {i} has outputs: run `python -m helpers release`"
            assert cell.execution_count is None, f"cell {i} has an execution count"
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parts[-3] == "solutions"],
                         ids=lambda p: p.parent.name)
def test_parameters_documented_for_papermill(path):
    """`papermill --help-notebook` must list every parameter with its type and comment.

    papermill skips a parameter line holding more than one `=`, so a comment like `# 留空 = 默认` hides it.
    """
    import papermill

    from helpers.report import notebook_parameters

    declared = notebook_parameters(path)
    seen = papermill.inspect_notebook(str(path))
    assert declared, "no parameters cell"
    for name in declared:
        assert name in seen, f"papermill cannot parse parameter {name!r} (a second '=' on its line?)"
        assert seen[name]["help"], f"parameter {name!r} has no comment"
        assert seen[name]["inferred_type_name"] not in ("None", ""), f"parameter {name!r} has no type annotation"
