"""The environment: pyproject.toml's ranges, the lock, environment.yml derived from it, the installed .venv, the
README's commands, and a plain (non-editable) install that runs both commands from another folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import lock  # noqa: E402  (tools/lock.py: the lock and environment.yml renderer)


def test_environment_yml_is_derived_from_the_lock():
    assert (ROOT / "environment.yml").read_text(encoding="utf-8") == lock.render_environment(), (
        "environment.yml is not what requirements.lock gives: run .venv/bin/python tools/lock.py")
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
    pip_section = next(dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict))
    assert any(spec.startswith("-e .") for spec in pip_section)


def test_lock_satisfies_pyproject_ranges_and_is_what_the_venv_has():
    import importlib.metadata as md

    locked = lock.locked_versions()
    for spec in lock.direct_requirements():
        req = Requirement(spec)
        name = lock.norm(req.name)
        assert name in locked, f"{name} is in pyproject.toml but not in requirements.lock: run tools/lock.py"
        assert req.specifier.contains(locked[name], prereleases=True), (
            f"requirements.lock has {name}=={locked[name]}, outside pyproject's {req.specifier}: run tools/lock.py")
    drift = {}
    for name, version in locked.items():
        try:
            installed = md.version(name)
        except md.PackageNotFoundError:
            continue
        if installed != version:
            drift[name] = (version, installed)
    assert not drift, f".venv differs from requirements.lock (locked, installed): {drift}; run make env"


def test_extras_split_the_users():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    names = {k: {lock.norm(Requirement(s).name) for s in v} for k, v in extras.items()}
    base = {lock.norm(Requirement(s).name) for s in project["dependencies"]}
    analyst = base | names["report"]
    assert not analyst & {"nbgrader", "jupyterlab"}, "the analyst's install needs neither nbgrader nor JupyterLab"
    assert {"papermill", "nbconvert", "ipykernel"} <= analyst
    assert "jupyterlab" in names["course"] and "nbgrader" in names["instructor"]
    assert "member-analytics-workbook" in names["dev"], "[dev] builds on the others"
    assert isinstance(project["license"], str), "SPDX license string (a table is deprecated by setuptools)"


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
    assert "-c requirements.lock" in makefile and "[dev]" in makefile, "make installs every extra from the lock"


def _copy_source(dest: Path) -> Path:
    """What a clean clone holds for the build (no .venv, no caches), so the build never writes into the tree."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "requirements.lock"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("helpers", "datasets", "solutions"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


@pytest.mark.slow
def test_plain_install_runs_generate_and_report_from_another_folder(tmp_path):
    """Build a wheel, install it non-editable into a fresh venv (dependencies: .venv's site-packages on the path,
    nothing downloaded), then run ``generate`` and ``report`` (default data and a generated world) from a temp
    folder: the data and notebooks come from <prefix>/share/member-analytics-workbook, the code from the wheel."""
    (tmp_path / "src").mkdir()
    src = _copy_source(tmp_path / "src")
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation", "--no-index",
                            "-w", str(wheels), str(src)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    assert "running bdist_wheel" in build.stdout + build.stderr  # -v: the backend's own output is in the log
    assert "Deprecat" not in build.stdout + build.stderr, "the build warns about a deprecation"
    wheel = next(wheels.glob("member_analytics_workbook-*.whl"))
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    package_files = {p.relative_to(src).as_posix() for p in (src / "helpers").rglob("*") if p.is_file()}
    missing = sorted(f for f in package_files if f not in names)
    assert not missing, f"files under helpers/ left out of the wheel (add their pattern to package-data): {missing}"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies: .venv's site-packages, appended after the new venv's own (the editable install of the
    # checkout is a .pth in .venv that this does not process, so `helpers` can only come from the wheel)
    (site / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    # the dependencies' data files a real install puts under its prefix: nbconvert's templates (linked from .venv)
    # and a kernelspec that starts *this* venv's python
    jupyter = venv / "share" / "jupyter"
    jupyter.mkdir(parents=True)
    (jupyter / "nbconvert").symlink_to(Path(sysconfig.get_paths()["data"]) / "share" / "jupyter" / "nbconvert")
    subprocess.run([str(py), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"], check=True,
                   capture_output=True, timeout=300)
    kernel = json.loads((jupyter / "kernels" / "python3" / "kernel.json").read_text(encoding="utf-8"))
    assert kernel["argv"][0] == str(py), "the report's kernels must run the installed package"
    inst = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
                           str(wheel)], capture_output=True, text=True, timeout=600)
    assert inst.returncode == 0, inst.stdout[-2000:] + inst.stderr[-2000:]

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"MEMBER_WORKBOOK_DATA", "PYTHONPATH", "VIRTUAL_ENV"}}
    where = subprocess.run([str(py), "-c", "import helpers, helpers.paths as p; print(helpers.__file__); "
                            "print(p.resource('datasets/default')); print(p.resource('solutions'))"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.split("\n")
    assert where[0].startswith(str(site)), f"helpers imported from {where[0]}, not the installed wheel"
    share = venv / "share" / "member-analytics-workbook"
    assert where[1] == str(share / "datasets" / "default") and where[2] == str(share / "solutions")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(py), "-m", "helpers", *args], cwd=work, env=env, capture_output=True, text=True,
                              timeout=900)

    gen = cli("generate", "--members", "300", "--out", "world", "-q")
    assert gen.returncode == 0, gen.stderr[-2000:]
    rep = cli("report", "--data-dir", "world", "--out", "run-world", "--modules", "00,03", "--no-progress")
    assert rep.returncode == 0, rep.stderr[-3000:]
    rep = cli("report", "--out", "run-default", "--modules", "00", "--no-progress")  # the installed default data
    assert rep.returncode == 0, rep.stderr[-3000:]
    for run in ("run-world", "run-default"):
        assert (work / run / "index.html").exists() and (work / run / "00-tour.html").exists()
    assert (work / "run-world" / "03-rfm.html").exists()
