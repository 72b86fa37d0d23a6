"""The two environment descriptions (pyproject.toml for pip, environment.yml for conda) must name the same pins,
and the README's commands must be the ones the Makefile and CI run."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# conda-forge spells a few packages differently from PyPI
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}
NOT_A_DEPENDENCY = {"python", "pip"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    pins = {}
    for spec in specs:
        name, _, version = spec.partition("==")
        assert version, f"pyproject.toml: {spec!r} is not an exact == pin"
        pins[_norm(name)] = version.strip()
    return pins


def _environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for spec in dep.get("pip", []):
                if spec.startswith("-e"):
                    continue
                name, _, version = spec.partition("==")
                pins[_norm(name)] = version.strip()
            continue
        name, _, version = dep.partition("=")
        name = CONDA_TO_PYPI.get(name, name)
        if name in NOT_A_DEPENDENCY:
            continue
        pins[_norm(name)] = version.strip()
    return pins


def test_environment_yml_and_pyproject_name_the_same_pins():
    pyproject, conda = _pyproject_pins(), _environment_pins()
    assert set(pyproject) == set(conda), (
        f"only in pyproject.toml: {sorted(set(pyproject) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pyproject))}"
    )
    differing = {name: (pyproject[name], conda[name]) for name in pyproject if pyproject[name] != conda[name]}
    assert not differing, f"versions differ (pyproject, environment.yml): {differing}"


def test_environment_yml_installs_the_package_itself_and_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
    pip_section = next(dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict))
    assert any(spec.startswith("-e .") for spec in pip_section)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    command = ci[-1]
    assert command == "make test"
    assert f"\n{command}\n" in readme, "the README must show the CI test command on its own line"
    assert "\nmake report\n" in readme, "the README must show the main-job command on its own line"
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: \$\(STAMP\)", makefile, re.M) and re.search(r"^report: \$\(STAMP\)", makefile, re.M), (
        "both README commands must build the environment first"
    )
