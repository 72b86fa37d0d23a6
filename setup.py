"""Data files of the workbook: everything else is in pyproject.toml.

Why a setup.py at all: a plain (non-editable) ``pip install .`` must bring the default data (``datasets/``) and the
module notebooks the report runs (``solutions/``) along, so that ``python -m helpers generate`` and ``python -m
helpers report`` work from any folder. They are not Python package data (they live beside the package, and the
repository layout keeps them there for trainees and nbgrader), so they are installed as data files under
``<prefix>/share/member-analytics-workbook/`` — where :func:`helpers.paths.resource` looks. pyproject.toml's static
``data-files`` table would need one hand-kept entry per folder; listing the tree here keeps new modules and data
files installed without anyone remembering to add them.
"""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
SHARE = "share/member-analytics-workbook"
TREES = ("datasets", "solutions")
SKIP = {"__pycache__", ".ipynb_checkpoints"}


def data_files() -> list[tuple[str, list[str]]]:
    folders: dict[str, list[str]] = {}
    for top in TREES:
        for path in sorted((ROOT / top).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and not any(part in SKIP or part.startswith(".") for part in rel.parts):
                folders.setdefault(f"{SHARE}/{rel.parent.as_posix()}", []).append(rel.as_posix())
    return sorted(folders.items())


setup(data_files=data_files())
