"""Modules of a report run side by side (``--jobs N``), each after the modules it declares it reads.

Why processes: a module is a kernel doing pandas / scikit-learn work plus an HTML export with a font subset, all
CPU-bound; N worker processes (spawned, so nothing of the parent's state is shared) keep N cores busy. Each worker
executes a module exactly as the serial run does (:func:`.runner.execute_module`: same parameters, same snapshot,
same kernel settings), and every module writes only its own part folder, so the merged results are the same in any
order. Dependencies (:data:`.params.MODULE_DEPENDS`) only order modules that are in this run; a module whose
dependency failed or did not run is not run. After a failure no new module starts (the serial run's rule); the
ones already running finish and keep their output.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

__all__ = ["default_jobs", "dependency_cycle", "run_parallel"]


def default_jobs() -> int:
    """The number of cores this process may use (the default of ``--jobs``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _deps(key: str, depends: Callable[[str], Iterable[str]], keys: set[str]) -> list[str]:
    return [d for d in depends(key) if d in keys and d != key]


def dependency_cycle(keys: list[str], depends: Callable[[str], Iterable[str]]) -> list[str]:
    """A dependency cycle among ``keys`` (module keys of one run) as a list of keys, or ``[]``."""
    present = set(keys)
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(k: str) -> list[str]:
        state[k] = 1
        stack.append(k)
        for d in _deps(k, depends, present):
            if state.get(d) == 1:
                return [*stack[stack.index(d):], d]
            if d not in state and (cycle := visit(d)):
                return cycle
        stack.pop()
        state[k] = 2
        return []

    for k in keys:
        if k not in state and (cycle := visit(k)):
            return cycle
    return []


def run_parallel(plan, results: list, jobs: int, depends: Callable[[str], Iterable[str]],
                 on_done: Callable[[object], None] | None = None, execute: Callable | None = None) -> None:
    """Execute ``results`` (ModuleResult, in module order) on ``jobs`` worker processes; fills each result
    (status ok / failed / not run, seconds, parameters, error, cell_index) in place. ``execute(plan, module)``
    returns a ModuleResult (default :func:`.runner.execute_module`; a module-level function: it is pickled)."""
    if execute is None:
        from .runner import execute_module as execute

    keys = {r.module.key for r in results}
    by_key = {r.module.key: r for r in results}
    pending = list(results)
    running: dict[Future, object] = {}
    stop = False
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context) as pool:
        while pending or running:
            for r in list(pending):
                deps = [by_key[d] for d in _deps(r.module.key, depends, keys)]
                unmet = [d.module.slug for d in deps if d.status in {"failed", "not run"}]
                if stop or unmet:
                    r.status = "not run"
                    if unmet:
                        r.error = "依赖的模块没有完成 / a module it reads did not complete: " + ", ".join(unmet)
                    pending.remove(r)
                elif len(running) < jobs and all(d.status == "ok" for d in deps):
                    running[pool.submit(execute, plan, r.module)] = r
                    pending.remove(r)
            if not running:
                for r in pending:  # unreachable with an acyclic declaration (checked before the run)
                    r.status, r.error = "not run", "依赖成环 / dependency cycle"
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: results.index(running[f])):
                r = running.pop(future)
                try:
                    got = future.result()
                except Exception as exc:  # the worker process itself died
                    r.status, r.error = "failed", f"{type(exc).__name__}: {exc}"
                else:
                    for name in ("status", "seconds", "parameters", "error", "cell_index"):
                        setattr(r, name, getattr(got, name))
                if r.status == "failed":
                    stop = True
                if on_done is not None:
                    on_done(r)
