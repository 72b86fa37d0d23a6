"""A small generated world shared by the slow notebook tests (round trip, Run All), generated once per session.

Why: executing a module on the 10,000-member default data costs most of a notebook test's time; 1,000 members
exercise every code path. Notebooks read ``$MEMBER_WORKBOOK_DATA`` (helpers/paths.py) when their ``data_dir``
parameter is empty, so a test points a kernel at this world through the environment of the process that starts it.

tests/conftest.py registers the session fixture for every test module::

    def test_something(small_world): ...          # a Path to the generated data folder

``world_env(world)`` is the environment for a subprocess (nbgrader, a kernel) that should read that world.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SMALL_MEMBERS = 1000
SMALL_SEED = 20260101
DATA_ENV = "MEMBER_WORKBOOK_DATA"


def generate_world(out: Path, members: int = SMALL_MEMBERS, seed: int = SMALL_SEED) -> Path:
    """Run ``python -m helpers generate`` into ``out`` (a fresh folder) and return it."""
    proc = subprocess.run(
        [sys.executable, "-m", "helpers", "generate", "--members", str(members), "--seed", str(seed),
         "--out", str(out), "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, f"generate failed:\n{proc.stdout}\n{proc.stderr}"
    assert (out / "orders.parquet").exists(), f"no orders.parquet in {out}"
    return out


def world_env(world: Path) -> dict[str, str]:
    """The environment for a process (nbgrader, a kernel) whose notebooks should read ``world``."""
    return dict(os.environ, **{DATA_ENV: str(world)})


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 1,000-member world, generated once per test session (per xdist worker)."""
    return generate_world(tmp_path_factory.mktemp("small-world") / "data")
