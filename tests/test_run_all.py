"""Run All on a fresh student notebook (slow): every teaching cell, widget and appendix cell runs while every exercise
is still unfinished.

What a trainee does first: open the release, *Kernel → Restart Kernel and Run All Cells*. JupyterLab stops at the
first cell that raises unless the cell carries the ``raises-exception`` tag, which the test cells of unfinished
exercises have. This test reproduces that: it generates each module's student release in a temporary directory
(nbgrader, as ``python -m helpers release`` does), executes it with nbclient *without* ``allow_errors`` (nbclient
honours ``raises-exception`` the way JupyterLab does), on the 1,000-member world of tests/_worlds.py, and asserts

* every code cell that is not part of an exercise ran without an error (and did run: it has an execution count);
* every exercise's test cell failed with require_done's Chinese "还没有完成" message, not a bare traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from _worlds import DATA_ENV  # small_world (the 1,000-member world) is a session fixture from conftest.py

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
MODULES = sorted(d.name for d in SOLUTIONS.glob("[0-9][0-9]-*") if (d / f"{d.name}.ipynb").exists())
NOT_DONE_MESSAGE = "还没有完成"


def _fresh_release(slug: str, tmp: Path) -> Path:
    """nbgrader's student version of one module, generated from solutions/ into ``tmp``."""
    from helpers.release import generate

    src = tmp / "solutions"
    shutil.copytree(SOLUTIONS / slug, src / slug, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    written = generate(ROOT, tmp / "notebooks", src)
    assert written, f"no release generated for {slug}"
    return tmp / "notebooks" / slug / f"{slug}.ipynb"


def _role(cell) -> str:
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("solution") and cell.cell_type == "code":
        return "answer"
    if meta.get("grade") and cell.cell_type == "code":
        return "test"
    return "teaching"


def _error_text(cell) -> str:
    return "\n".join(
        f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"
    )


@pytest.mark.slow
@pytest.mark.parametrize("slug", MODULES)
def test_run_all_on_fresh_release(slug: str, tmp_path: Path, small_world: Path, monkeypatch: pytest.MonkeyPatch):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = _fresh_release(slug, tmp_path)
    nb = nbformat.read(path, as_version=4)
    monkeypatch.setenv(DATA_ENV, str(small_world))  # the kernel inherits it: data_dir "" reads the small world
    # IPC transport: kernels of parallel test workers cannot race for the same TCP ports
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "kernel-ipc"))
    client = NotebookClient(nb, km=km, timeout=600, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    stopped = ""
    try:
        client.execute()
    except CellExecutionError as exc:  # a cell without raises-exception failed: Run All stops there
        stopped = str(exc)[-1500:]

    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        role, error = _role(cell), _error_text(cell)
        label = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {i}")
        if role == "teaching":
            if cell.get("execution_count") is None:
                problems.append(f"{label}: did not run (Run All stopped before it)")
            elif error:
                problems.append(f"{label}: raised {error[:300]}")
        elif role == "test":
            if "raises-exception" not in cell.metadata.get("tags", []):
                problems.append(f"{label}: test cell without the raises-exception tag")
            if NOT_DONE_MESSAGE not in error:
                problems.append(f"{label}: an unfinished exercise should say so in Chinese, got {error[:300]!r}")
    assert not problems, f"{slug}: Run All on the fresh release:\n" + "\n".join(problems) + (
        f"\n\nexecution stopped:\n{stopped}" if stopped else "")
