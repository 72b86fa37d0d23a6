"""The student release is a pure function of solutions/: CI fails when notebooks/ differs from a fresh generation."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from helpers import release
from helpers.report import notebook_parameters

ROOT = Path(__file__).resolve().parent.parent
MODULES = release.module_dirs(ROOT / "solutions")
SLUGS = [d.name for d in MODULES]


def test_there_are_modules():
    assert "00-tour" in SLUGS


def test_release_is_up_to_date(capsys):
    """`python -m helpers release --check` regenerates into a temp dir and compares byte for byte."""
    code = release.main(["--check"])
    out = capsys.readouterr().out
    assert code == 0, f"notebooks/ is stale or solutions/ not normalised — run `python -m helpers release`:\n{out}"


@pytest.mark.parametrize("slug", SLUGS)
def test_solution_is_normalised(slug):
    path = ROOT / "solutions" / slug / f"{slug}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, "notebook metadata holds more than the kernel"
    for i, cell in enumerate(nb.cells):
        assert set(cell.metadata) <= set(release.CELL_METADATA_KEEP), f"cell {i}: metadata {set(cell.metadata)}"
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has outputs"
            assert cell.execution_count is None, f"cell {i} has an execution count"
    assert path.read_text(encoding="utf-8") == release.normalised_text(path)


@pytest.mark.parametrize("slug", SLUGS)
def test_module_has_typed_parameters_cell(slug):
    path = ROOT / "solutions" / slug / f"{slug}.ipynb"
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged `parameters`"
    params = notebook_parameters(path)
    for name in ("data_dir", "output_dir"):
        assert name in params, f"parameters cell must declare {name}"
    for name, info in params.items():
        assert info["inferred_type_name"] != "None", f"{name}: annotate the type (name: type = value)"


def test_release_strips_solutions_and_hidden_tests():
    for d in MODULES:
        text = (ROOT / "notebooks" / d.name / f"{d.name}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert "YOUR CODE HERE" in text or "YOUR ANSWER HERE" in text


def test_release_is_deterministic(tmp_path):
    """Two generations give identical bytes, and a stale file is reported by --check."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / "00-tour", root / "solutions" / "00-tour")
    assert release.main(["--root", str(root)]) == 0
    first = (root / "notebooks" / "00-tour" / "00-tour.ipynb").read_bytes()
    assert release.main(["--root", str(root)]) == 0
    assert (root / "notebooks" / "00-tour" / "00-tour.ipynb").read_bytes() == first
    assert release.main(["--root", str(root), "--check"]) == 0

    nb = nbformat.read(root / "notebooks" / "00-tour" / "00-tour.ipynb", as_version=4)
    nb.cells[0].source += "\nhand edit"
    nbformat.write(nb, root / "notebooks" / "00-tour" / "00-tour.ipynb")
    assert release.main(["--root", str(root), "--check"]) == 1

    # an executed solution (outputs, counts, widget state) is not normalised: --check says so, release fixes it
    src = root / "solutions" / "00-tour" / "00-tour.ipynb"
    nb = nbformat.read(src, as_version=4)
    nb.metadata["widgets"] = {"state": {}}
    nb.cells[1].execution_count = 3
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nbformat.write(nb, src)
    assert release.main(["--root", str(root), "--check"]) == 1
    assert release.main(["--root", str(root)]) == 0
    assert release.main(["--root", str(root), "--check"]) == 0
    assert "widgets" not in src.read_text(encoding="utf-8")


def test_normalised_text_ends_with_one_newline(tmp_path):
    """The bytes nbformat.write and JupyterLab produce: a notebook saved by either is already normalised."""
    import nbformat as nbf

    path = tmp_path / "x.ipynb"
    nbf.write(nbf.v4.new_notebook(cells=[nbf.v4.new_code_cell("1 + 1")]), path)
    text = release.normalised_text(path)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    release.normalise_file(path)
    assert release.normalise_file(path, write=False) is False
