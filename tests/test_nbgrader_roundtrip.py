"""The nbgrader round trip for every module in solutions/ (slow), and the static grading-integrity rules (fast).

On the 1,000-member world of tests/_worlds.py, in a temporary course directory (a copy of nbgrader_config.py and
solutions/<slug>, its own gradebook): generate the release, submit five students, autograde them in ONE call, then
read the *gradebook* — nbgrader's CLI exits 0 on several failures, so exit codes prove nothing:

* ``solution_student`` submits the instructor notebook                 -> autograded score == maximum;
* ``blank_student`` submits the release untouched                      -> 0, and each test cell's feedback is
  require_done's Chinese "练习 … 还没有完成" message;
* ``wrong_student``: every exercise's typical mistake (``WRONG_ANSWERS`` in tests/wrong_answers/<slug>.py)
                                                                       -> 0 on every exercise;
* ``helper_student``: every code exercise answered by calling the course helper that implements it
  (``HELPER_ANSWERS``)                                                 -> 0 on every exercise, and the feedback
  carries ``checks.forbid``'s Chinese message;
* ``sabotage_student``: a cell right after the imports turns every function of ``helpers.checks`` into a no-op, and
  every code exercise is answered by a function that switches ``helpers.checks`` off again from its own body (after
  the test cell's reload) and returns a value of the right type and shape but wrong content (``SABOTAGE_ANSWERS``)
                                                                       -> 0 on every exercise: the plain ``assert``
  statements that end each hidden test catch it.

Run All on the fresh release comes out of the same call: the blank student's autograded notebook is what a trainee
gets after *Kernel → Restart Kernel and Run All Cells* on the untouched release (nbgrader runs every cell; JupyterLab
would stop at the first failing cell without the ``raises-exception`` tag, which every test cell has — checked
statically below). Every teaching, widget and appendix cell must have run without an error, and every test cell must
fail with require_done's Chinese message, not a bare traceback. One execution serves both checks, so the suite runs
five notebooks per module, not seven.

Every module has all three dicts (``WRONG_ANSWERS``, ``HELPER_ANSWERS``, ``SABOTAGE_ANSWERS``) for every code exercise.
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
from _worlds import world_env  # small_world (the 1,000-member world) is a session fixture from conftest.py

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
WRONG = Path(__file__).resolve().parent / "wrong_answers"
MODULES = sorted(d.name for d in SOLUTIONS.glob("[0-9][0-9]-*") if (d / f"{d.name}.ipynb").exists())

STUDENTS = ("solution_student", "blank_student", "wrong_student", "helper_student", "sabotage_student")
MIN_CODE_EXERCISES = 5

# what a trainee can do in a cell of their own before the tests run: every function of helpers.checks a no-op
CHECKS_OFF_CELL = '''
import helpers.checks as _hc
for _name in dir(_hc):
    if not _name.startswith("__") and callable(getattr(_hc, _name)):
        setattr(_hc, _name, lambda *args, **kwargs: None)
'''
FORBID_MESSAGE = "不能直接调用课程工具 `helpers."  # checks.forbid's feedback, as a trainee reads it
NOT_DONE_MESSAGE = "还没有完成"  # checks.require_done's feedback


def _nbgrader(course: Path, *args: str, world: Path | None = None) -> subprocess.CompletedProcess:
    # nbgrader runs the `alembic` executable to create the gradebook: the venv's bin must be on PATH
    env = world_env(world) if world else dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
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


def _answers(slug: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(WRONG_ANSWERS, HELPER_ANSWERS, SABOTAGE_ANSWERS) of a module."""
    path = WRONG / f"{slug}.py"
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: every module needs its wrong and helper answers"
    ns = runpy.run_path(str(path))
    wrong, helper = ns.get("WRONG_ANSWERS"), ns.get("HELPER_ANSWERS")
    assert isinstance(wrong, dict) and wrong, f"{slug}: WRONG_ANSWERS missing"
    assert isinstance(helper, dict) and helper, f"{slug}: HELPER_ANSWERS missing (grade_id -> code calling the helper)"
    sabotage = ns.get("SABOTAGE_ANSWERS")
    assert isinstance(sabotage, dict) and sabotage, (
        f"{slug}: SABOTAGE_ANSWERS missing (grade_id -> code that switches the checks off and returns wrong content)")
    return wrong, helper, sabotage


def _copy(nb):
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def _replace_solutions(release_nb, source_nb, replacements: dict[str, str]):
    """The release with each solution cell's source taken from the solution notebook or ``replacements``."""
    source_by_id = {
        c.metadata["nbgrader"]["grade_id"]: c.source for c in source_nb.cells if "nbgrader" in c.metadata
    }
    nb = _copy(release_nb)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            gid = meta["grade_id"]
            cell.source = replacements[gid].strip("\n") if gid in replacements else source_by_id[gid]
    return nb


def _with_checks_off_cell(nb):
    """``nb`` with a cell right after the imports that turns every function of ``helpers.checks`` into a no-op."""
    nb = _copy(nb)
    imports = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "from helpers" in c.source)
    nb.cells.insert(imports + 1, nbformat.v4.new_code_cell(CHECKS_OFF_CELL.strip("\n")))
    return nb


def _feedback(course: Path, student: str, slug: str) -> dict[str, str]:
    """grade_id -> the text of the errors an autograded test cell showed."""
    nb = nbformat.read(course / "autograded" / student / slug / f"{slug}.ipynb", as_version=4)
    found = {}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and gid:
            texts = []
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    texts.append(f"{out.ename}: {out.evalue}\n" + "\n".join(out.get("traceback", [])))
            found[gid] = "\n".join(texts)
    return found


def _source_nb(slug: str):
    return nbformat.read(SOLUTIONS / slug / f"{slug}.ipynb", as_version=4)


def test_modules_discovered():
    assert "00-tour" in MODULES


@pytest.mark.parametrize("slug", MODULES)
def test_grading_integrity_pattern(slug: str):
    """Static rules for every autograded test cell (docs/CONVENTIONS.md "Grading integrity"), checked without a
    kernel: enough code exercises, each with a test cell that reloads the checks, names the unfinished exercise,
    blocks the implementing helpers in its hidden tests and lets Run All go on; every code exercise has a wrong
    answer and a helper answer."""
    nb = _source_nb(slug)
    exercises, tests = _grade_cells(nb)
    assert len(exercises) >= MIN_CODE_EXERCISES, f"{slug}: {len(exercises)} autograded code exercises"
    problems = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        gid, src = meta["grade_id"], cell.source
        if "raises-exception" not in cell.metadata.get("tags", []):
            problems.append(f"{gid}: no `raises-exception` tag (Run All stops at an unfinished exercise)")
        if "importlib.reload(helpers.checks)" not in src:
            problems.append(f"{gid}: does not reload helpers.checks")
        if "require_done(" not in src:
            problems.append(f"{gid}: does not call require_done")
        hidden = src.partition("### BEGIN HIDDEN TESTS")[2]
        if not hidden:
            problems.append(f"{gid}: no hidden tests")
        elif "forbid(" not in hidden:
            problems.append(f"{gid}: hidden tests do not block the implementing helper with forbid()")
    assert not problems, f"{slug}:\n" + "\n".join(problems)
    wrong, helper, sabotage = _answers(slug)
    assert set(wrong) == set(exercises), f"{slug}: WRONG_ANSWERS differ from the exercises: {set(wrong) ^ set(exercises)}"
    assert set(helper) == set(exercises), f"{slug}: HELPER_ANSWERS differ from the exercises: {set(helper) ^ set(exercises)}"
    assert set(sabotage) == set(exercises), (
        f"{slug}: SABOTAGE_ANSWERS differ from the exercises: {set(sabotage) ^ set(exercises)}")


@pytest.mark.slow
@pytest.mark.parametrize("slug", MODULES)
def test_roundtrip(slug: str, tmp_path: Path, small_world: Path):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    course.mkdir()
    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    # kernels over IPC in the test course: parallel test workers' kernels cannot race for one TCP port (a lost race
    # stalls a kernel start until nbgrader's startup timeout)
    config += '\nc.KernelManager.transport = "ipc"\nc.KernelManager.ip = os.path.join(ROOT, "kernel-ipc")\n'
    (course / "nbgrader_config.py").write_text(config, encoding="utf-8")
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

    wrong, helper, sabotage = _answers(slug)
    assert set(wrong) == set(exercises), f"{slug}: exercises without a typical wrong answer: {set(exercises) ^ set(wrong)}"
    assert set(helper) == set(exercises), f"{slug}: exercises without a helper answer: {set(exercises) ^ set(helper)}"
    assert set(sabotage) == set(exercises), f"{slug}: exercises without a sabotage answer: {set(exercises) ^ set(sabotage)}"

    notebooks = {
        "solution_student": source_nb,
        "blank_student": release_nb,
        "wrong_student": _replace_solutions(release_nb, source_nb, wrong),
        "helper_student": _replace_solutions(release_nb, source_nb, helper),
        "sabotage_student": _with_checks_off_cell(_replace_solutions(release_nb, source_nb, sabotage)),
    }
    for student, nb in notebooks.items():
        target = course / "submitted" / student / slug / f"{slug}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
        (target.parent / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")

    _nbgrader(course, "autograde", slug, "--force", world=small_world)  # all students in one call, small world

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        def score(student: str, grade_id: str) -> tuple[float, float]:
            g = gb.find_grade(grade_id, slug, slug, student)
            return (g.auto_score or 0.0), g.max_score

        totals = {}
        for student in STUDENTS:
            sub = gb.find_submission(slug, student)
            totals[student] = (sub.code_score, sub.max_code_score)
        per_test = {s: {t: score(s, t) for t in tests} for s in STUDENTS}

    print(f"{slug}: " + ", ".join(f"{s} {a:g}/{m:g}" for s, (a, m) in totals.items()))
    got, maximum = totals["solution_student"]
    assert maximum > 0
    assert got == maximum, f"solution does not get full marks: {per_test['solution_student']}"
    assert totals["blank_student"][0] == 0, f"blank release scores: {per_test['blank_student']}"
    assert totals["sabotage_student"][0] == 0, f"checks switched off + sabotage scores: {per_test['sabotage_student']}"
    failures = []
    for ex in exercises:
        for t in _tests_of(ex, tests):
            for student in ("wrong_student", "helper_student", "sabotage_student"):
                a, m = per_test[student][t]
                if a != 0:
                    failures.append(f"{student}: {ex} scores {a:g}/{m:g} on {t}")
    assert not failures, "\n".join(failures)

    blank_feedback = _feedback(course, "blank_student", slug)
    helper_feedback = _feedback(course, "helper_student", slug)
    for ex in exercises:
        first = _tests_of(ex, tests)[0]
        assert NOT_DONE_MESSAGE in blank_feedback[first], (
            f"{slug}: the blank {ex} does not say it is unfinished:\n{blank_feedback[first][-600:]}")
        assert any(FORBID_MESSAGE in helper_feedback[t] for t in _tests_of(ex, tests)), (
            f"{slug}: the helper answer to {ex} fails without forbid()'s message:\n"
            + "\n".join(helper_feedback[t][-600:] for t in _tests_of(ex, tests)))

    # Run All on the fresh release: the blank student's autograded notebook (see the module docstring)
    problems = _run_all_problems(nbformat.read(course / "autograded" / "blank_student" / slug / f"{slug}.ipynb",
                                               as_version=4))
    assert not problems, f"{slug}: Run All on the fresh release:\n" + "\n".join(problems)


def _run_all_problems(executed) -> list[str]:
    """What a trainee would hit on Run All: a teaching cell that did not run or raised, a test cell that does not
    carry ``raises-exception`` or fails without require_done's Chinese message."""
    problems = []
    for i, cell in enumerate(executed.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        meta = cell.metadata.get("nbgrader", {})
        label = meta.get("grade_id", f"cell {i}")
        error = "\n".join(f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error")
        if meta.get("grade"):  # an exercise's test cell
            if "raises-exception" not in cell.metadata.get("tags", []):
                problems.append(f"{label}: test cell without the raises-exception tag (Run All would stop there)")
            if NOT_DONE_MESSAGE not in error:
                problems.append(f"{label}: an unfinished exercise should say so in Chinese, got {error[:300]!r}")
        elif not meta.get("solution"):  # teaching, widget and appendix cells
            if cell.get("execution_count") is None:
                problems.append(f"{label}: did not run")
            elif error:
                problems.append(f"{label}: raised {error[:300]}")
    return problems


def test_run_all_check_finds_a_failing_teaching_cell_and_a_bare_test_failure():
    """The Run-All check itself: it must flag what would stop or confuse a trainee."""
    v4 = nbformat.v4
    good_test = v4.new_code_cell("check()", metadata={"tags": ["raises-exception"],
                                                      "nbgrader": {"grade": True, "grade_id": "ex01_a_test"}})
    good_test.outputs = [v4.new_output("error", ename="AssertionError", evalue="练习 1 还没有完成", traceback=[])]
    teaching = v4.new_code_cell("x = 1", execution_count=1)
    nb = v4.new_notebook(cells=[teaching, good_test])
    assert _run_all_problems(nb) == []

    broken = v4.new_code_cell("1 / 0", execution_count=2)
    broken.outputs = [v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
    never = v4.new_code_cell("y = 2")  # no execution count: Run All never reached it
    bare = v4.new_code_cell("check()", metadata={"nbgrader": {"grade": True, "grade_id": "ex02_b_test"}})
    bare.outputs = [v4.new_output("error", ename="NameError", evalue="name 'f' is not defined", traceback=[])]
    found = "\n".join(_run_all_problems(v4.new_notebook(cells=[teaching, broken, never, bare])))
    assert "cell 1: raised ZeroDivisionError" in found and "cell 2: did not run" in found
    assert "ex02_b_test: test cell without the raises-exception tag" in found
    assert "ex02_b_test: an unfinished exercise should say so" in found
