"""``--jobs N``: modules side by side, each after the modules it declares it reads, with the serial run's results.

The scheduler is tested with a stand-in for the module execution (worker processes that record when they ran and
wait for each other through files, so the tests prove order and overlap without timing anything). A real serial and a
real parallel run of modules 00 and 03 are compared byte for byte in tests/test_report_runs.py (the repeat test).
"""

from __future__ import annotations

import time
from pathlib import Path

from helpers import report
from helpers.report import params
from helpers.report.parallel import dependency_cycle, run_parallel


class _Plan:
    def __init__(self, folder: Path, fail: str = "", wait_for: dict[str, str] | None = None):
        self.folder, self.fail, self.wait_for = folder, fail, wait_for or {}


def fake_execute(plan: _Plan, module: report.Module) -> report.ModuleResult:
    """Stand-in for a module run, in a worker process: writes <key>.start, optionally waits until another module has
    started (proves they overlap), then writes <key>.end with a sequence number."""
    (plan.folder / f"{module.key}.start").write_text(str(time.monotonic_ns()))
    other = plan.wait_for.get(module.key)
    if other:
        deadline = time.monotonic() + 120
        while not (plan.folder / f"{other}.start").exists():
            assert time.monotonic() < deadline, f"{module.key} never ran beside {other}"
            time.sleep(0.02)
    (plan.folder / f"{module.key}.end").write_text(str(time.monotonic_ns()))
    status = "failed" if module.key == plan.fail else "ok"
    return report.ModuleResult(module, status=status, seconds=0.01, parameters={"k": module.key},
                               error="boom" if status == "failed" else "", cell_index=3 if status == "failed" else None)


def _modules(*slugs: str) -> list[report.ModuleResult]:
    return [report.ModuleResult(report.Module(s, Path(f"{s}.ipynb"))) for s in slugs]


def _ns(folder: Path, key: str, what: str) -> int:
    return int((folder / f"{key}.{what}").read_text())


def test_dependents_start_after_their_dependencies_and_others_overlap(tmp_path):
    deps = {"02_b": ("01_a",), "03_c": ("02_b", "99_absent")}
    results = _modules("01-a", "02-b", "03-c", "04-d")
    done = []
    # 01-a waits until 04-d has started: only possible when two modules run at once
    run_parallel(_Plan(tmp_path, wait_for={"01_a": "04_d"}), results, 2, lambda key: deps.get(key, ()),
                 on_done=lambda r: done.append(r.module.key), execute=fake_execute)
    assert [r.status for r in results] == ["ok"] * 4
    assert [r.parameters for r in results] == [{"k": r.module.key} for r in results]
    assert _ns(tmp_path, "02_b", "start") > _ns(tmp_path, "01_a", "end")
    assert _ns(tmp_path, "03_c", "start") > _ns(tmp_path, "02_b", "end")  # a dependency outside the run is ignored
    assert sorted(done) == ["01_a", "02_b", "03_c", "04_d"]


def test_after_a_failure_no_module_starts_and_dependents_are_not_run(tmp_path):
    results = _modules("01-a", "02-b", "03-c")
    run_parallel(_Plan(tmp_path, fail="01_a"), results, 2, lambda key: ("01_a",) if key != "01_a" else (),
                 execute=fake_execute)
    assert [r.status for r in results] == ["failed", "not run", "not run"]
    assert results[0].error == "boom" and results[0].cell_index == 3
    assert "01-a" in results[1].error
    assert not (tmp_path / "02_b.start").exists() and not (tmp_path / "03_c.start").exists()


def test_dependency_cycles_are_found():
    deps = {"a": ("b",), "b": ("c",), "c": ("a",), "d": ("a",)}
    assert dependency_cycle(["a", "b", "c", "d"], lambda k: deps.get(k, ())) == ["a", "b", "c", "a"]
    assert dependency_cycle(["a", "b", "d"], lambda k: deps.get(k, ())) == []  # c is not in this run
    assert dependency_cycle(["a"], lambda k: ("a",)) == []  # a module never waits for itself


def test_declared_dependencies_name_known_modules_without_cycles():
    keys = set(report.MODULE_KEYS.values())
    for key, deps in params.MODULE_DEPENDS.items():
        assert key in keys and set(deps) <= keys, key
    assert dependency_cycle(sorted(keys), params.depends_on) == []


def test_bad_jobs_exit_2(small_world, tmp_path, capsys):
    rc = report.main(["--data-dir", str(small_world), "--out", str(tmp_path / "out"), "--jobs", "0"])
    assert rc == 2 and "--jobs 0" in capsys.readouterr().err and not (tmp_path / "out").exists()
