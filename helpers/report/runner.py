"""The report run itself: execute every module notebook with papermill (in order, or ``--jobs N`` side by side
respecting the modules' declared dependencies: :mod:`.parallel`), then merge their parts.

Why a runner and not ``papermill`` in a shell loop: parameters are validated before any notebook runs
(:mod:`.cli`); the export is loaded once and every module gets the same validated snapshot and the same as-of
(:mod:`.snapshot`); each notebook only receives the parameters it declares; a failing module stops the run with the
module, cell and error (exit 1) while the modules that ran keep their output; and the parts are merged into one set
of machine-readable files (:mod:`.merge`).
"""

from __future__ import annotations

import ast
import datetime as _dt
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.widgets import STATIC_KERNEL_ARGUMENT

from . import kpis
from .engine_snapshot import write_snapshot_engine
from .html import export_html, html_exporter, render_index
from .jsonio import dump_json
from .merge import fingerprint, merge_parts
from .modules import Module
from .outputs import PARTS
from .parallel import run_parallel
from .params import cast_value, declared, depends_on
from .snapshot import SNAPSHOT, data_summary, resolve_as_of, write_snapshot

__all__ = ["DETERMINISTIC_ENV", "KERNEL_ARGUMENTS", "ModuleResult", "RunPlan", "execute_module", "run"]


@dataclass
class RunPlan:
    data_dir: Path
    out: Path
    modules: list[Module]
    shared: dict[str, Any]  # shared parameter values given on the command line (as_of, horizon_days, seed)
    extra_raw: dict[str, str]  # --param values as given, cast per module by parameters_for
    timeout: int
    progress: bool
    columns: Path | None = None  # --columns FILE (YAML: our name -> the export's header)
    as_of: pd.Timestamp | None = None  # resolved once by run()
    snapshot: Path | None = None  # the validated data every module reads
    baseline: dict | None = None  # --baseline-run: the earlier run's metrics.json, read before anything runs
    baseline_dir: Path | None = None
    alert_rules: list[dict] = field(default_factory=list)  # --alerts FILE or the shipped defaults, checked
    alerts_file: Path | None = None
    jobs: int = 1  # --jobs: modules run side by side (helpers.report.parallel); 1 runs them in this process
    engine_source: str = ""  # how --engine was resolved ("given", or auto's order count and rule)
    load_seconds: float | None = None  # the export's load and validation (timed by the caller), for run.json's stages

    def parameters_for(self, module: Module) -> dict[str, Any]:
        """The parameters module ``module`` declares, with this run's values (shared ones first)."""
        values: dict[str, Any] = dict(self.shared)
        values["output_dir"] = str(self.out)
        if self.snapshot is not None:
            values["data_dir"] = str(self.snapshot)
        if self.as_of is not None:
            values["as_of"] = str(self.as_of.date())
        if self.alerts_file is not None:  # --alerts also reaches a module that checks alert rules itself (10)
            values["alerts_file"] = str(self.alerts_file)
        params: dict[str, Any] = {}
        for name, value in values.items():
            if name in module.parameters:
                params[name] = value
        for name, raw in self.extra_raw.items():
            if name in module.parameters:
                spec = declared(module.key, name)
                type_name = spec.type if spec else module.parameters[name].get("inferred_type_name", "None")
                params[name] = cast_value(raw, type_name)
        return params


@dataclass
class ModuleResult:
    module: Module
    status: str = "pending"  # ok | failed | not run
    seconds: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    cell_index: int | None = None
    skipped: dict[str, str] = field(default_factory=dict)


def _failure_details(exc: BaseException) -> tuple[int | None, str]:
    cell = getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return cell, f"{ename}: {evalue}"


def _source_cell_index(executed: Path, cell_index: int | None) -> int | None:
    """Index of the failing cell in the *source* notebook (papermill's index counts its injected cell)."""
    if cell_index is None or not executed.exists():
        return cell_index
    import nbformat

    try:
        nb = nbformat.read(str(executed), as_version=4)
    except Exception:
        return cell_index
    injected = [i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])]
    return cell_index - 1 if injected and injected[0] < cell_index else cell_index


def _plain(source: str) -> str:
    """A notebook default as the reader writes it: ``'2025-12-31'`` -> 2025-12-31, ``""`` -> （空 empty）."""
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return source
    if value == "":
        return "（空 empty）"
    return str(value)


def _prepare_out(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for sub in (PARTS, "tables", "quarantine", SNAPSHOT):
        shutil.rmtree(out / sub, ignore_errors=True)
    for f in ("index.html", "metrics.json", "run.json"):
        (out / f).unlink(missing_ok=True)
    for f in out.glob("[0-9][0-9]-*.*"):
        if f.suffix in {".ipynb", ".html"}:
            f.unlink()


#: environment of the module kernels: one BLAS / OpenMP thread (parallel reductions sum in a varying order, so
#: model fits would differ in the 7th digit between runs) and a fixed hash seed (set iteration order)
DETERMINISTIC_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}

#: the kernels' own log stays out of the analyst's terminal: on Windows (TCP) ipykernel warns once per module that the
#: local link is unencrypted, and jupyter_client interrupts every kernel before shutting it down, which ipykernel
#: logs as an ERROR ("KeyboardInterrupt caught in kernel") when the interrupt lands in a message handler. A cell's
#: error is not a log line: it is in the executed notebook and in the run's failure message. Nobody moves a slider in
#: a report: explorers draw their view once (helpers.widgets says why live widgets are a hazard here).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", STATIC_KERNEL_ARGUMENT]


def _kernel_config(socket_dir: str):
    """Kernel connection settings: on POSIX the kernel talks over Unix sockets in ``socket_dir`` (IPC), so two
    report runs on one machine (a CI with two test workers, two analysts on one server) can never race for the
    same free TCP port, which made a kernel start hang until its timeout. Windows has no IPC transport: TCP there."""
    from traitlets.config import Config

    config = Config()
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(socket_dir, "kernel")
    return config


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": sys.version.split()[0]}
    for pkg in ("pandas", "numpy", "papermill", "nbconvert", "matplotlib"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def _execute(plan: RunPlan, r: ModuleResult, exporter) -> None:
    import papermill

    m = r.module
    r.parameters = plan.parameters_for(m)
    out_nb = plan.out / f"{m.slug}.ipynb"
    t = time.perf_counter()
    # a short path of our own: a Unix socket path may not exceed ~100 bytes, the run folder's may
    socket_dir = tempfile.mkdtemp(prefix="mwb-kernel-")
    try:
        papermill.execute_notebook(
            str(m.path), str(out_nb), parameters=r.parameters, kernel_name="python3", cwd=str(m.path.parent),
            progress_bar=False, execution_timeout=plan.timeout, log_output=False, extra_arguments=KERNEL_ARGUMENTS,
            config=_kernel_config(socket_dir),
            # written once at the end (and on a failure), not after every cell: rewriting a notebook full of plots
            # after each of ~80 cells cost a third of a module's time
            request_save_on_cell_execute=False,
        )
        r.status = "ok"
    except Exception as exc:
        r.status = "failed"
        r.cell_index, r.error = _failure_details(exc)
        r.cell_index = _source_cell_index(out_nb, r.cell_index)
    finally:
        shutil.rmtree(socket_dir, ignore_errors=True)
    r.seconds = time.perf_counter() - t
    if out_nb.exists():
        try:
            export_html(out_nb, plan.out / f"{m.slug}.html", exporter)
        except Exception as exc:  # the executed notebook stays; say why the HTML is missing
            r.error = (r.error + " | " if r.error else "") + f"HTML export failed: {exc}"


_EXPORTER = None


def execute_module(plan: RunPlan, module: Module) -> ModuleResult:
    """One module executed and exported (the unit of work of a ``--jobs`` worker process)."""
    global _EXPORTER
    if _EXPORTER is None:
        _EXPORTER = html_exporter()
    r = ModuleResult(module)
    _execute(plan, r, _EXPORTER)
    return r


def run(plan: RunPlan, ds) -> int:
    """Run the plan on the dataset ``ds``, loaded once by the caller (:func:`.snapshot.load_resolved`, or on DuckDB
    :func:`.engine_snapshot.load_resolved_engine`) with the run's as-of (``plan.as_of``; resolved here from ``ds``
    when the caller left it unset)."""
    from tqdm.auto import tqdm

    for name, value in DETERMINISTIC_ENV.items():  # inherited by the kernels papermill starts
        os.environ.setdefault(name, value)

    started = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    t0 = time.perf_counter()
    given = plan.shared.get("as_of")
    if plan.as_of is None:
        plan.as_of = resolve_as_of(ds, given)
    # a load on DuckDB (--engine duckdb / spark: .engine_snapshot) keeps its tables as Parquet; same summary, layout
    on_engine = getattr(ds, "engine_load", False)
    summary = (ds.data_summary(plan.as_of, as_of_given=bool(given)) if on_engine
               else data_summary(ds, plan.as_of, as_of_given=bool(given)))
    _prepare_out(plan.out)
    t_snap = time.perf_counter()
    plan.snapshot = (write_snapshot_engine if on_engine else write_snapshot)(ds, plan.data_dir, plan.out / SNAPSHOT,
                                                                             plan.as_of)
    stages = {"load": round(plan.load_seconds, 2) if plan.load_seconds is not None else None,
              "snapshot": round(time.perf_counter() - t_snap, 2)}
    t_modules = time.perf_counter()

    results = [ModuleResult(m) for m in plan.modules]
    if plan.jobs > 1 and len(results) > 1:
        bar = tqdm(total=len(results), desc=f"会员报告 report ×{plan.jobs}", unit="模块", disable=not plan.progress,
                   file=sys.stderr)
        run_parallel(plan, results, plan.jobs, depends_on, on_done=lambda r: (bar.set_postfix_str(r.module.slug),
                                                                              bar.update()))
        bar.close()
    else:
        exporter = html_exporter()
        stop = False
        bar = tqdm(results, desc="会员报告 report", unit="模块", disable=not plan.progress, file=sys.stderr)
        for r in bar:
            if stop:
                r.status = "not run"
                continue
            bar.set_postfix_str(r.module.slug)
            _execute(plan, r, exporter)
            stop = r.status == "failed"
        bar.close()
    failed = next((r for r in results if r.status == "failed"), None)
    stages["modules"] = round(time.perf_counter() - t_modules, 2)
    t_merge = time.perf_counter()

    run_parameters = {k: v for k, v in plan.shared.items()} | dict(plan.extra_raw)
    run_parameters["data_dir"] = str(plan.data_dir)
    run_parameters["as_of"] = summary["as_of"]
    if plan.columns is not None:
        run_parameters["columns"] = str(plan.columns)
    if plan.engine_source:  # beside the engine (shared parameter): why this one
        run_parameters["engine_source"] = plan.engine_source
    metrics = merge_parts(plan.out, results, ds, {
        "parameters": run_parameters,
        "as_of_source": summary["as_of_source"],
        "modules": [r.module.key for r in results],
        "input_fingerprint": fingerprint(plan.data_dir),
        "data_summary": summary,
    })
    kpi_values = kpis.compute_kpis(metrics)
    baseline_kpis = kpis.compute_kpis(plan.baseline) if plan.baseline is not None else None
    alerts = kpis.evaluate_alerts(kpi_values, baseline_kpis, plan.alert_rules)
    dump_json(metrics | {"kpis": kpi_values, "alerts": alerts}, plan.out / "metrics.json")
    total = time.perf_counter() - t0
    stages["merge"] = round(time.perf_counter() - t_merge, 2)  # parts, KPIs, metrics.json (index.html follows)
    run_files = {"baseline_run": str(plan.baseline_dir) if plan.baseline_dir else "",
                 "alerts": str(plan.alerts_file or kpis.DEFAULT_ALERTS)}
    dump_json({
        "started_utc": started,
        "total_seconds": round(total, 2),
        "jobs": plan.jobs,
        "stages_seconds": stages,  # load (before total_seconds starts), snapshot, modules, merge
        "parameters": run_parameters | {"output_dir": str(plan.out), "snapshot": str(plan.snapshot)} | run_files,
        "modules": [
            {"slug": r.module.slug, "key": r.module.key, "status": r.status, "seconds": round(r.seconds, 2),
             "parameters": r.parameters, "error": r.error, "cell_index": r.cell_index, "skipped": r.skipped}
            for r in results
        ],
        "versions": _versions(),
    }, plan.out / "run.json")
    shown = {k: str(v) for k, v in run_parameters.items()}
    for m in plan.modules:  # parameters left at their defaults are shown too, with the default the notebook declares
        for name, info in m.parameters.items():
            if name not in {"output_dir", "data_dir"} and name not in shown:
                shown[name] = f"{_plain(info.get('default', ''))}（默认 default, {m.slug}）"
    render_index(out=plan.out, data_dir=plan.data_dir, params=shown, summary=summary, results=results,
                 started=started, total=total, kpis=kpis.dashboard(kpi_values, baseline_kpis),
                 alerts=alerts, baseline=str(plan.baseline_dir) if plan.baseline_dir else "",
                 baseline_as_of=kpis.run_as_of(plan.baseline) if plan.baseline else "")
    shutil.rmtree(plan.out / PARTS, ignore_errors=True)

    for r in results:
        if r.status in {"ok", "failed"}:
            flag = "ok" if r.status == "ok" else "FAILED"
            print(f"{r.module.slug:<22} {flag:<6} {r.seconds:6.1f} s", file=sys.stderr)
    if failed is not None:
        where = f"cell {failed.cell_index}" if failed.cell_index is not None else "before any cell"
        print(
            f"\n模块 {failed.module.slug} 运行失败 / module failed at {where}: {failed.error}\n"
            f"已运行模块的输出保留在 / output of the modules that ran: {plan.out}\n"
            f"executed notebook: {plan.out / (failed.module.slug + '.ipynb')}",
            file=sys.stderr,
        )
        return 1
    print(f"报告已生成 / report written: {plan.out / 'index.html'}", file=sys.stderr)
    return 0
