"""The trainee bundle (`python -m helpers bundle`): complete for a trainee, and nothing an instructor must keep.

Built once per module run (it generates every module's release with nbgrader). The leak check here is written
independently of helpers/bundle.py: it reads the hidden-test blocks from solutions/ itself and searches every file
of the bundle and of its zip for them.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from helpers import bundle

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
MODULES = sorted(d.name for d in SOLUTIONS.glob("[0-9][0-9]-*") if (d / f"{d.name}.ipynb").exists())
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


HIDDEN = r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS"
ANSWER = r"### BEGIN SOLUTION\n(.*?)### END SOLUTION"


def _distinctive(pattern: str, min_len: int) -> list[tuple[str, set[str]]]:
    """Per block of ``pattern`` in solutions/: its lines that appear nowhere else in that module's notebook (a
    hint or a teaching cell may show a line a model answer also uses; that line is public)."""
    found = []
    for slug in MODULES:
        nb = nbformat.read(SOLUTIONS / slug / f"{slug}.ipynb", as_version=4)
        blocks, outside = [], ""
        for cell in nb.cells:
            blocks += re.findall(pattern, cell.source, re.S)
            outside += re.sub(ANSWER, "", re.sub(HIDDEN, "", cell.source, flags=re.S), flags=re.S) + "\n"
        for block in blocks:
            lines = {ln.strip() for ln in block.splitlines()}
            found.append((slug, {ln for ln in lines if len(ln) >= min_len and not ln.startswith("#")
                                 and ln not in outside}))
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "member-analytics-workbook"
    assert bundle.main(["--out", str(out), "--zip"]) == 0
    return out


def _texts(folder: Path):
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        yield path.relative_to(folder).as_posix(), path.read_bytes().decode("utf-8", errors="replace")


@pytest.mark.slow
def test_bundle_has_what_a_trainee_needs(built: Path):
    for slug in MODULES:
        assert (built / "notebooks" / slug / f"{slug}.ipynb").is_file(), slug
    for rel in ("datasets/default/orders.parquet", "datasets/default/truth", "datasets/README.md",
                "helpers/__init__.py", "helpers/checks.py", "pyproject.toml", "environment.yml", "README.md",
                "docs/GLOSSARY.md"):
        assert (built / rel).exists(), rel
    readme = (built / "README.md").read_text(encoding="utf-8")
    for heading in ("安装", "自查", "提交"):
        assert heading in readme
    assert ".[course]" in readme
    env = (built / "environment.yml").read_text(encoding="utf-8")
    assert "nbgrader" not in env and ".[course]" in env and ".[dev]" not in env
    if (built / "requirements.lock").exists():
        assert not re.search(r"^nbgrader==", (built / "requirements.lock").read_text(), re.M)


@pytest.mark.slow
def test_bundle_holds_no_solution_and_no_hidden_test(built: Path):
    assert not (built / "solutions").exists() and not (built / "tests").exists()
    assert not (built / "nbgrader_config.py").exists()
    hidden_blocks = _distinctive(HIDDEN, 30)
    answer_blocks = _distinctive(ANSWER, 40)
    assert any(lines for _, lines in hidden_blocks), "no hidden tests found in solutions/: the test proves nothing"
    # a visible test or the narrative may repeat a line; only lines that appear nowhere in the release count
    release_text = "\n".join(t for rel, t in _texts(built) if rel.startswith("notebooks/"))
    problems = []
    for rel, text in _texts(built):
        problems += [f"{rel}: {m!r}" for m in MARKERS if m in text]
        if rel.startswith("notebooks/") and rel.endswith(".ipynb"):
            slug = rel.split("/")[1]
            sources = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
            for kind, blocks in (("hidden-test", hidden_blocks), ("model-answer", answer_blocks)):
                problems += [f"{rel}: {kind} line {line[:60]!r}" for module, lines in blocks if module == slug
                             for line in lines if line in sources]
        else:  # outside the notebooks one shared line proves little: two lines of one hidden block do
            for _, lines in hidden_blocks:
                found = [ln for ln in lines if ln in text and ln not in release_text]
                if len(found) >= 2:
                    problems.append(f"{rel}: hidden-test lines {found[:2]!r}")
    assert not problems, "\n".join(problems[:30])


@pytest.mark.slow
def test_zip_is_the_same_bundle(built: Path):
    archive = built.parent / f"{built.name}.zip"
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        assert f"{built.name}/notebooks/00-tour/00-tour.ipynb" in names
        assert not [n for n in names if "/solutions/" in n or "/tests/" in n]
        for name in names:
            if name.endswith((".ipynb", ".py", ".md")):
                text = z.read(name).decode("utf-8")
                assert not [m for m in MARKERS if m in text], name


def test_leak_check_finds_a_planted_hidden_test(tmp_path: Path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "note.md").write_text("x = 1\n_expected = float(np.sort(_mm)[::-1][:200].sum())\n")
    problems = bundle.leaks(tmp_path, {"_expected = float(np.sort(_mm)[::-1][:200].sum())"})
    assert problems and "note.md" in problems[0]
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "a.ipynb").write_text("{}")
    (tmp_path / "b.py").write_text("# " + "### BEGIN " + "SOLUTION\n")
    problems = bundle.leaks(tmp_path, set())
    assert any(p.startswith("solutions/a.ipynb") for p in problems)
    assert any(p.startswith("b.py") for p in problems)


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("mine")
    assert bundle.main(["--out", str(tmp_path)]) == 1
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_lock_drops_nbgrader_and_what_only_it_pulls_in():
    lock = [
        "alembic==1.0   # via nbgrader",
        "mako==1.0      # via alembic",
        "jinja2==3.1    # via nbgrader, member-analytics-workbook (pyproject.toml)",
        "nbgrader==0.9  # via member-analytics-workbook (pyproject.toml)",
        "pandas==3.1    # via member-analytics-workbook (pyproject.toml)",
    ]
    kept = bundle._lock_without(lock, ("nbgrader",))
    assert [line.split("==")[0] for line in kept] == ["jinja2", "pandas"]
