"""The student release: ``notebooks/`` regenerated from ``solutions/`` with nbgrader (学员版生成).

    python -m helpers release            # normalise solutions/, regenerate notebooks/ (every module, --force)
    python -m helpers release --check    # change nothing; exit 1 and list the files that differ

Why a command and not ``nbgrader generate_assignment`` by hand: the release must be a pure function of the
solutions, byte for byte, so that CI can regenerate it and compare (``--check``). nbgrader alone leaves outputs,
execution counts, kernel metadata and JupyterLab cell metadata as they were in the instructor's copy; this command
strips and normalises them in the solutions (the source of truth) and again in the release:

* code cells: no outputs, ``execution_count`` null;
* cell metadata: only ``nbgrader``, ``tags``, ``editable``, ``deletable`` survive;
* notebook metadata: ``kernelspec`` python3 and ``language_info`` ``{"name": "python"}`` only (no widget state);
* JSON as ``nbformat.writes`` produces it (indent 1, sorted keys, UTF-8, trailing newline).

The gradebook is not touched (``--no-db``); ``nbgrader generate_assignment`` with the database is part of the
instructor workflow in docs/INSTRUCTOR.md.
"""

from __future__ import annotations

import argparse
import filecmp
import logging
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = "solutions"
RELEASE = "notebooks"

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
CELL_METADATA_KEEP = ("nbgrader", "tags", "editable", "deletable")


class ReleaseError(RuntimeError):
    """nbgrader could not generate a module (bad cell metadata, a solution region without its end marker …)."""


def module_dirs(solutions: Path) -> list[Path]:
    """``solutions/NN-slug/`` folders that hold their ``NN-slug.ipynb``, in order."""
    return [d for d in sorted(solutions.glob("[0-9][0-9]-*")) if d.is_dir() and (d / f"{d.name}.ipynb").exists()]


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip outputs / counts and reduce metadata to what the course needs (in place; returns ``nb``)."""
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)})
    nb.nbformat, nb.nbformat_minor = 4, 5
    for cell in nb.cells:
        meta = {k: cell.metadata[k] for k in CELL_METADATA_KEEP if k in cell.metadata}
        cell.metadata = nbformat.from_dict(meta)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        if cell.cell_type == "markdown" and "attachments" in cell and not cell.attachments:
            del cell["attachments"]
    return nb


def normalised_text(path: Path) -> str:
    """The notebook's normalised JSON, ending with a newline as ``nbformat.write`` and JupyterLab save it."""
    nb = nbformat.read(str(path), as_version=4)
    return nbformat.writes(normalise(nb), version=4).rstrip("\n") + "\n"


def normalise_file(path: Path, write: bool = True) -> bool:
    """Normalise one notebook file; True when its bytes changed (or would change with ``write=False``)."""
    text = normalised_text(path)
    if path.read_text(encoding="utf-8") == text:
        return False
    if write:
        path.write_text(text, encoding="utf-8")
    return True


def generate(root: Path, release_dir: Path, solutions_dir: Path | None = None) -> list[Path]:
    """Run nbgrader generate_assignment for every module of ``solutions_dir`` into ``release_dir``; normalise."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    solutions_dir = solutions_dir or root / SOLUTIONS
    config = Config()
    cfg_file = root / "nbgrader_config.py"
    if cfg_file.exists():
        config.merge(PyFileConfigLoader(cfg_file.name, path=str(root)).load_config())
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.source_directory = str(solutions_dir)
    config.CourseDirectory.release_directory = str(release_dir)
    config.GenerateAssignment.no_database = True
    config.SaveCells.enabled = False  # what `--no-db` sets: the gradebook is not touched
    config.GenerateAssignment.force = True
    config.GenerateAssignment.create_assignment = False
    config.NbGrader.logfile = ""

    written: list[Path] = []
    for d in module_dirs(solutions_dir):
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = d.name
        converter = GenerateAssignment(coursedir=coursedir, config=config)
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        converter.log.addHandler(handler)
        try:
            converter.start()
        except Exception as exc:  # NbGraderException: the details were logged to stderr above
            raise ReleaseError(f"nbgrader generate_assignment failed for {d.name}: {exc}") from None
        finally:
            converter.log.removeHandler(handler)
        for nb_path in sorted((release_dir / d.name).glob("*.ipynb")):
            normalise_file(nb_path)
            written.append(nb_path)
    return written


def _tree(path: Path) -> dict[str, Path]:
    if not path.exists():
        return {}
    return {
        str(p.relative_to(path)): p
        for p in sorted(path.rglob("*"))
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    }


def compare_trees(expected: Path, actual: Path) -> list[str]:
    """Relative paths that differ between two release trees (missing, extra or different bytes)."""
    e, a = _tree(expected), _tree(actual)
    diffs = []
    for rel in sorted(set(e) | set(a)):
        if rel not in a:
            diffs.append(f"missing: {rel}")
        elif rel not in e:
            diffs.append(f"extra:   {rel}")
        elif not filecmp.cmp(e[rel], a[rel], shallow=False):
            diffs.append(f"differs: {rel}")
    return diffs


def release(root: Path = REPO_ROOT, check: bool = False) -> tuple[int, list[str]]:
    """Normalise solutions and regenerate the release; with ``check`` only report. Returns (exit code, lines)."""
    solutions = root / SOLUTIONS
    target = root / RELEASE
    lines: list[str] = []
    modules = module_dirs(solutions)
    if not modules:
        return 1, [f"no modules in {solutions}"]

    for d in modules:
        for nb_path in sorted(d.glob("*.ipynb")):
            if normalise_file(nb_path, write=not check):
                rel = nb_path.relative_to(root)
                lines.append(f"not normalised: {rel}" if check else f"normalised: {rel}")

    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        fresh = Path(tmp) / RELEASE
        fresh.mkdir()
        if check:
            # generate from normalised copies so a check never writes to solutions/
            src = Path(tmp) / SOLUTIONS
            shutil.copytree(solutions, src, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
            for d in module_dirs(src):
                for nb_path in d.glob("*.ipynb"):
                    normalise_file(nb_path)
            generate(root, fresh, src)
        else:
            generate(root, fresh)
        wanted = {d.name for d in modules}
        current = target if target.exists() else Path(tmp) / "empty"
        diffs = [
            line for line in compare_trees(fresh, current)
            # files outside module folders (e.g. a README in notebooks/) are not nbgrader's business
            if line.split()[-1].split("/")[0] in wanted or line.startswith("extra") and line.split()[-1][:2].isdigit()
        ]
        if check:
            lines += [f"{RELEASE}/ {line}" for line in diffs]
            return (1 if lines else 0), lines
        target.mkdir(exist_ok=True)
        for stale in sorted(target.glob("[0-9][0-9]-*")):
            if stale.is_dir() and stale.name not in wanted:
                shutil.rmtree(stale)
                lines.append(f"removed: {RELEASE}/{stale.name}")
        for d in modules:
            shutil.rmtree(target / d.name, ignore_errors=True)
            shutil.copytree(fresh / d.name, target / d.name)
        lines += [f"updated: {RELEASE}/{line.split()[-1]}" for line in diffs]
        lines.append(f"released {len(modules)} module(s) into {RELEASE}/: {', '.join(d.name for d in modules)}")
        return 0, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers release",
        description="用 nbgrader 从 solutions/ 重新生成学员版 notebooks/ / regenerate notebooks/ from solutions/",
    )
    parser.add_argument("--check", action="store_true",
                        help="只检查不写入：有差异时列出文件并返回 1 / change nothing, exit 1 when anything differs")
    parser.add_argument("--root", default=str(REPO_ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        code, lines = release(Path(args.root).resolve(), check=args.check)
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    if args.check:
        print("release is up to date" if code == 0 else
              "release is out of date: run `python -m helpers release` and commit solutions/ and notebooks/")
    return code


if __name__ == "__main__":
    sys.exit(main())
