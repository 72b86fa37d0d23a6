"""The locked environment: ``requirements.lock`` from pyproject.toml's ranges, ``environment.yml`` from the lock.

    .venv/bin/python tools/lock.py            # re-lock (keeps every version the lock has unless a range excludes it)
    .venv/bin/python tools/lock.py --upgrade  # re-lock to the newest versions the ranges allow
    .venv/bin/python tools/lock.py --check    # exit 1 when environment.yml is not what the lock gives

Why: pyproject.toml says which versions *work* (ranges); the lock says which versions *every machine installs*
(exact, with every transitive dependency), because the committed data must regenerate byte for byte and report
numbers must repeat. ``make env`` installs with ``pip install -c requirements.lock``; the conda route gets the same
versions because environment.yml is rendered from the lock here, not kept by hand (tests/test_environment.py
checks both files). The lock is resolved with uv for CPython 3.11 on x86-64 Linux (the course machines and CI).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
ENVIRONMENT = ROOT / "environment.yml"
PROJECT = "member-analytics-workbook"
PYTHON = "3.11.7"
PLATFORM = "x86_64-manylinux_2_28"

#: PyPI name -> conda-forge name, where they differ
CONDA_NAMES = {"duckdb": "python-duckdb", "brotli": "brotli-python",
               "ibis-framework": "ibis-duckdb"}  # ibis core + its DuckDB backend (the Spark one needs only pyspark)
#: not on conda-forge: installed by pip inside the conda environment
PIP_ONLY = ("mplfonts", "autocorrect-py")


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(text: str | None = None) -> dict[str, str]:
    """Normalised name -> exact version, from the lock file's ``name==version`` lines."""
    text = LOCK.read_text(encoding="utf-8") if text is None else text
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line)
        if m:
            out[norm(m.group(1))] = m.group(2)
    return out


def direct_requirements() -> list[str]:
    """Every requirement pyproject.toml names (base and all extras), the project's own extras left out."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return [s for s in specs if not norm(s).startswith(PROJECT)]


def requirement_name(spec: str) -> str:
    return norm(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0])


def render_environment(versions: dict[str, str] | None = None) -> str:
    """environment.yml for conda: every direct requirement at its locked version."""
    versions = locked_versions() if versions is None else versions
    names = sorted({requirement_name(s) for s in direct_requirements()})
    missing = [n for n in names if n not in versions]
    if missing:
        raise SystemExit(f"requirements.lock has no version for {missing}: run tools/lock.py")
    conda = [f"  - {CONDA_NAMES.get(n, n)}={versions[n]}" for n in names if n not in PIP_ONLY]
    pip = [f"      - {n}=={versions[n]}" for n in names if n in PIP_ONLY]
    return "\n".join([
        "# conda route: conda env create -f environment.yml && conda activate member-analytics",
        "# GENERATED from requirements.lock by tools/lock.py: do not edit by hand (tests/test_environment.py checks).",
        "name: member-analytics",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        *conda,
        "  - pip:",
        "      # not on conda-forge",
        *pip,
        "      - -e .[dev]",
        "",
    ])


def lock(extra: list[str]) -> None:
    cmd = [sys.executable, "-m", "uv", "pip", "compile", "pyproject.toml", "--all-extras", "--python-version", PYTHON,
           "--python-platform", PLATFORM, "--no-header", "--annotation-style", "line", "-o", str(LOCK), *extra]
    subprocess.run(cmd, cwd=ROOT, check=True)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--check" in args:
        ok = ENVIRONMENT.read_text(encoding="utf-8") == render_environment()
        print("environment.yml matches requirements.lock" if ok else
              "environment.yml differs from requirements.lock: run tools/lock.py", file=sys.stderr)
        return 0 if ok else 1
    lock(args)
    ENVIRONMENT.write_text(render_environment(), encoding="utf-8")
    print(f"wrote {LOCK.name} and {ENVIRONMENT.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
