"""The nbgrader round trip for every module in solutions/ (slow).

In a temporary course directory (a copy of nbgrader_config.py and solutions/, its own gradebook):
generate the release, submit three students, autograde, then read the *gradebook* — nbgrader's CLI exits 0 on
several failures, so exit codes prove nothing:

* ``solution_student`` submits the instructor notebook  -> autograded score == max autograded score;
* ``blank_student`` submits the release untouched         -> autograded score 0;
* ``wrong_student`` submits the release with every exercise's solution cell replaced by its typical wrong code from
  ``tests/wrong_answers/<NN-slug>.py`` (grade_id -> code; every exercise needs one) -> every exercise scores 0.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
WRONG = Path(__file__).resolve().parent / "wrong_answers"
MODULES = sorted(d.name for d in SOLUTIONS.glob("[0-9][0-9]-*") if (d / f"{d.name}.ipynb").exists())

STUDENTS = ("solution_student", "blank_student", "wrong_student")


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs the `alembic` executable to create the gradebook: the venv's bin must be on PATH
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True, timeout=1800, env=env
    )
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _grade_cells(nb) -> tuple[list[str], list[str]]:
    """(solution code cell ids, autograded test cell ids) of a notebook."""
    solutions, tests = [], []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("solution") and not meta.get("grade"):
            solutions.append(meta["grade_id"])
        if meta.get("grade") and not meta.get("solution"):
            tests.append(meta["grade_id"])
    return solutions, tests


def _tests_of(exercise: str, tests: list[str]) -> list[str]:
    return [t for t in tests if t.startswith(f"{exercise}_test")]


def _wrong_answers(slug: str) -> dict[str, str]:
    path = WRONG / f"{slug}.py"
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: every module needs its typical wrong answers"
    answers = runpy.run_path(str(path))["WRONG_ANSWERS"]
    assert isinstance(answers, dict) and answers
    return answers


def _replace_solutions(release_nb, source_nb, replacements: dict[str, str]):
    """The release with each solution cell's source taken from the solution notebook or ``replacements``."""
    source_by_id = {
        c.metadata["nbgrader"]["grade_id"]: c.source for c in source_nb.cells if "nbgrader" in c.metadata
    }
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            gid = meta["grade_id"]
            cell.source = replacements[gid].strip("\n") if gid in replacements else source_by_id[gid]
    return nb


def test_modules_discovered():
    assert "00-tour" in MODULES


@pytest.mark.slow
@pytest.mark.parametrize("slug", MODULES)
def test_roundtrip(slug: str, tmp_path: Path):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(SOLUTIONS / slug, course / "solutions" / slug,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))

    _nbgrader(course, "generate_assignment", slug, "--force")
    release_path = course / "notebooks" / slug / f"{slug}.ipynb"
    assert release_path.exists()
    source_nb = nbformat.read(course / "solutions" / slug / f"{slug}.ipynb", as_version=4)
    release_nb = nbformat.read(release_path, as_version=4)

    exercises, tests = _grade_cells(source_nb)
    assert exercises, f"{slug}: no autograded exercise"
    for ex in exercises:
        assert _tests_of(ex, tests), f"{slug}: exercise {ex} has no test cell named {ex}_test"

    wrong = _wrong_answers(slug)
    assert set(wrong) <= set(exercises), f"unknown grade_ids in wrong answers: {set(wrong) - set(exercises)}"
    assert set(wrong) == set(exercises), f"{slug}: exercises without a typical wrong answer: {set(exercises) - set(wrong)}"

    notebooks = {
        "solution_student": source_nb,
        "blank_student": release_nb,
        "wrong_student": _replace_solutions(release_nb, source_nb, wrong),
    }
    for student, nb in notebooks.items():
        target = course / "submitted" / student / slug / f"{slug}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
        (target.parent / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")

    _nbgrader(course, "autograde", slug, "--force")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        def score(student: str, grade_id: str) -> tuple[float, float]:
            g = gb.find_grade(grade_id, slug, slug, student)
            return (g.auto_score or 0.0), g.max_score

        totals = {}
        for student in STUDENTS:
            sub = gb.find_submission(slug, student)
            totals[student] = (sub.code_score, sub.max_code_score)
        per_test = {s: {t: score(s, t) for t in tests} for s in STUDENTS}

    report = f"{slug}: " + ", ".join(f"{s} {a:g}/{m:g}" for s, (a, m) in totals.items())
    print(report)
    got, maximum = totals["solution_student"]
    assert maximum > 0
    assert got == maximum, f"solution does not get full marks: {per_test['solution_student']}"
    assert totals["blank_student"][0] == 0, f"blank release scores: {per_test['blank_student']}"
    for ex in exercises:
        for t in _tests_of(ex, tests):
            a, m = per_test["wrong_student"][t]
            assert a == 0, f"wrong answer for {ex} scores {a}/{m} on {t}"
