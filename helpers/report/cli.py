"""``python -m helpers report``: the command line, its validation and the exit codes.

Exit 2 before anything runs or is written, with one message per bad value: a missing data folder or a file the
loader refuses, a bad date, a value outside a parameter's declared range (:mod:`.params`), an unknown or repeated
``--param``, an unknown module. Exit 1 when a module fails (the modules that ran keep their output), 0 when every
module ran or skipped cleanly.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path
from typing import Any

from helpers import data as hdata
from helpers.paths import default_data_dir

from . import kpis
from .modules import discover_modules, solutions_dir
from .parallel import default_jobs, dependency_cycle
from .params import (
    MODULE_CHECKS,
    SHARED,
    SHARED_PARAMETERS,
    cast_value,
    check_value,
    declared,
    depends_on,
    notebook_parameters,
)
from .runner import RunPlan, run
from .snapshot import load_resolved

__all__ = ["build_parser", "main", "validate"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers report",
        description="运行会员经营报告：按顺序用 papermill 执行每个模块 / run every module notebook into reports/<run>/",
    )
    p.add_argument("--data-dir", default=None,
                   help="数据目录（或单个订单文件）/ data directory or a single orders file (default: the course data)")
    p.add_argument("--out", default=None, help="输出目录 reports/<run>（必需）/ output directory of this run (required)")
    p.add_argument("--as-of", default=None,
                   help="分析截止日 YYYY-MM-DD / as-of date (default: the day of the last order in the data)")
    p.add_argument("--horizon-days", default=None, help="预测期长度（天）/ forecast horizon in days")
    p.add_argument("--seed", default=None, help="随机种子 / random seed")
    p.add_argument("--engine", default="auto", choices=("auto", "pandas", "duckdb", "spark"),
                   help="会员级汇总的计算引擎：auto 按订单数自动选择（2000 万笔起用 DuckDB），pandas、duckdb 或 spark / "
                        "engine of the per-member work (docs/SCALE.md); auto: pandas below 20M orders, else DuckDB")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="其它模块参数 / any other parameter a module declares (repeatable, once per name)")
    p.add_argument("--columns", default=None, metavar="FILE",
                   help="列名映射 YAML（我们的列名：导出文件的表头）/ column mapping YAML: our name -> the export's header")
    p.add_argument("--modules", default=None, help="只运行这些模块，如 00,03 / run only these module numbers")
    p.add_argument("--baseline-run", default=None, metavar="DIR",
                   help="与之前的一次运行比较 KPI / compare the KPIs with an earlier run folder (its metrics.json)")
    p.add_argument("--alerts", default=None, metavar="FILE",
                   help="告警规则 YAML（默认用随包提供的 helpers/report/alerts.yaml）/ alert rules "
                        "(default: the shipped alerts.yaml, which documents the format)")
    p.add_argument("--solutions-dir", default=None, help=argparse.SUPPRESS)
    p.add_argument("--jobs", default=None, metavar="N",
                   help="同时运行的模块数（默认为可用的 CPU 核数）/ modules run side by side (default: the cores)")
    p.add_argument("--timeout", type=int, default=600, help="每个单元格的超时秒数 / per-cell timeout in seconds")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    p.add_argument("--list-params", action="store_true",
                   help="列出每个模块声明的参数后退出 / list the parameters each module declares, then exit")
    return p


def _shared_option(option: str, name: str, raw: str | None, shared: dict[str, Any], errors: list[str]) -> None:
    if raw is None:
        return
    try:
        shared[name] = check_value(str(raw), SHARED[name])
    except ValueError as exc:
        errors.append(f"{option} {raw}: {exc}")


def engine_missing(name: str) -> str | None:
    """Why engine ``name`` cannot run on this machine (one sentence), or ``None`` when it can."""
    if name == "pandas":
        return None
    import importlib.util

    needed = ["ibis", "duckdb"] + (["pyspark"] if name == "spark" else [])
    absent = [m for m in needed if importlib.util.find_spec(m) is None]
    if absent:
        return (f"需要安装 {'、'.join(absent)}，安装命令为 pip install '.[scale]' / the {name} engine needs "
                f"{', '.join(absent)}: pip install '.[scale]'")
    if name == "spark":
        import os
        import shutil
        import subprocess

        java = shutil.which("java") or (os.path.join(os.environ["JAVA_HOME"], "bin", "java")
                                        if os.environ.get("JAVA_HOME") else None)
        try:
            ok = java is not None and subprocess.run([java, "-version"], capture_output=True,
                                                     timeout=60).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if not ok:
            return ("Spark 需要 Java 17 运行环境，但找不到可用的 java（请安装 OpenJDK 17 或设置 JAVA_HOME）/ "
                    "Spark needs a Java 17 runtime and no working `java` was found (install OpenJDK 17 or set JAVA_HOME)")
    return None


def _resolve_engine(given: str, data_dir: Path, errors: list[str]) -> tuple[str | None, str]:
    """(engine, how it was chosen): ``auto`` by the export's size (:func:`helpers.engine.choose_engine`), an engine
    named on the command line as given; a message in ``errors`` when the engine cannot run here."""
    from helpers import engine as heng

    if given == "auto":
        try:
            n = heng.estimate_orders(data_dir) if data_dir.exists() else 0
        except (OSError, ValueError) as exc:  # an unreadable footer: the loader's check names the file
            errors.append(f"--engine auto: 无法估计订单数 / cannot estimate the orders of {data_dir}: {exc}")
            return None, ""
        name = heng.choose_engine(n)
        source = f"auto: {n:,} orders, duckdb from {heng.DUCKDB_FROM_ORDERS:,}"
    else:
        name, source = given, "given"
    problem = engine_missing(name)
    if problem:
        errors.append(f"--engine {given}: {problem}")
        return None, source
    return name, source


def validate(args: argparse.Namespace) -> tuple[RunPlan | None, list[str]]:
    """Check every option before anything runs; return the plan or one message per bad value."""
    errors: list[str] = []
    shared: dict[str, Any] = {}

    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    if not data_dir.exists():
        errors.append(f"--data-dir {data_dir}: 目录不存在 / does not exist")
    else:
        try:
            hdata.discover(data_dir)  # the loader's own file rules: an orders file, one file per table, known types
        except hdata.DataFileError as exc:
            errors.append(f"--data-dir {data_dir}: " + str(exc).replace("\n", " / "))
        else:
            data_dir = data_dir.resolve()

    if args.as_of is not None and args.as_of.strip() == "":
        args.as_of = None
    _shared_option("--as-of", "as_of", args.as_of, shared, errors)
    _shared_option("--horizon-days", "horizon_days", args.horizon_days, shared, errors)
    _shared_option("--seed", "seed", args.seed, shared, errors)

    engine_name, engine_source = _resolve_engine(getattr(args, "engine", "auto") or "auto", data_dir, errors)
    if engine_name is not None:
        shared["engine"] = engine_name

    columns = None
    if args.columns is not None:
        columns = Path(args.columns).expanduser()
        if not columns.is_file():
            errors.append(f"--columns {args.columns}: 文件不存在 / no such file")
        else:
            columns = columns.resolve()

    baseline = None
    if args.baseline_run is not None:
        try:
            baseline = kpis.read_baseline(Path(args.baseline_run).expanduser())
        except ValueError as exc:
            errors.append(f"--baseline-run {args.baseline_run}: {exc}")
    try:
        rules = kpis.load_rules(Path(args.alerts).expanduser() if args.alerts else None)
    except ValueError as exc:
        rules = []
        errors.append(f"--alerts {args.alerts or kpis.DEFAULT_ALERTS}: {exc}")

    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        errors.append(f"--out {args.out}: 已存在且不是目录 / exists and is not a directory")

    folder = Path(args.solutions_dir) if args.solutions_dir else solutions_dir()
    modules = discover_modules(folder)
    if not modules:
        errors.append(f"--solutions-dir {folder}: 没有找到模块 NN-slug/NN-slug.ipynb / no modules")
    if args.modules:
        wanted = [m.strip() for m in args.modules.split(",") if m.strip()]
        numbers = {m.number for m in modules}
        unknown = [w for w in wanted if w.zfill(2) not in numbers and w not in {m.slug for m in modules}]
        if unknown:
            errors.append(f"--modules {args.modules}: 没有模块 {', '.join(unknown)} / unknown module(s); "
                          f"available: {', '.join(m.number for m in modules)}")
        wanted_set = {w.zfill(2) if w.isdigit() else w for w in wanted}
        modules = [m for m in modules if m.number in wanted_set or m.slug in wanted_set]

    for m in modules:
        try:
            m.parameters = notebook_parameters(m.path)
        except Exception as exc:  # a broken notebook file is a setup error
            errors.append(f"{m.path}: 读取参数失败 / cannot read parameters: {exc}")

    extra_raw: dict[str, str] = {}
    seen: set[str] = set()
    for item in args.param:
        if "=" not in item:
            errors.append(f"--param {item}: 格式应为 NAME=VALUE / expected NAME=VALUE")
            continue
        name, raw = item.split("=", 1)
        name = name.strip()
        if name in seen:
            errors.append(f"--param {name}：重复给出，每个参数只能给一次 / given more than once")
            extra_raw.pop(name, None)
            continue
        seen.add(name)
        if name in SHARED_PARAMETERS:
            errors.append(f"--param {name}: 请用对应的选项（如 --as-of、--horizon-days）/ use the dedicated option")
            continue
        declaring = [m for m in modules if name in m.parameters]
        if not declaring:
            errors.append(f"--param {name}: 没有模块声明这个参数 / no module declares this parameter")
            continue
        for m in declaring:
            spec = declared(m.key, name)
            try:
                if spec is not None:
                    check_value(raw, spec)
                else:  # a module not declared in helpers/report/params.py yet: its notebook's type only
                    cast_value(raw, m.parameters[name].get("inferred_type_name", "None"))
            except ValueError as exc:
                errors.append(f"--param {name}={raw}: {exc}（模块 module {m.slug}）")
                break
        else:
            extra_raw[name] = raw

    for m in modules:  # checks across one module's parameters, on the values it will run with
        values = {}
        for name, info in m.parameters.items():
            try:
                values[name] = ast.literal_eval(info["default"])
            except (ValueError, SyntaxError):
                continue
        for name, raw in extra_raw.items():
            spec = declared(m.key, name)
            if name in m.parameters and spec is not None:
                values[name] = cast_value(raw, spec.type)
        for check in MODULE_CHECKS.get(m.key, ()):
            problem = check(values)
            if problem:
                errors.append(f"--param: {problem}（模块 module {m.slug}）")

    jobs = default_jobs()
    if args.jobs is not None:
        try:
            jobs = int(args.jobs)
            if jobs < 1:
                raise ValueError
        except ValueError:
            errors.append(f"--jobs {args.jobs}: 需要正整数 / a positive integer")
    cycle = dependency_cycle([m.key for m in modules], depends_on)
    if cycle:
        errors.append("helpers/report/params.py MODULE_DEPENDS: 依赖成环 / dependency cycle " + " -> ".join(cycle))

    if errors:
        return None, errors
    return RunPlan(data_dir=data_dir, out=out.resolve(), modules=modules, shared=shared, extra_raw=extra_raw,
                   timeout=args.timeout, progress=not args.no_progress, columns=columns,
                   baseline=baseline, baseline_dir=Path(args.baseline_run).expanduser().resolve()
                   if args.baseline_run else None, alert_rules=rules,
                   alerts_file=Path(args.alerts).expanduser().resolve() if args.alerts else None,
                   jobs=min(jobs, max(1, len(modules))), engine_source=engine_source), []


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_params:
        for m in discover_modules(Path(args.solutions_dir) if args.solutions_dir else None):
            print(m.slug)
            for name, info in notebook_parameters(m.path).items():
                spec = declared(m.key, name)
                rule = f"  [{spec.describe()}]" if spec is not None and spec.describe() else ""
                print(f"  {name}: {info['inferred_type_name']} = {info['default']}  # {info['help']}{rule}")
        return 0
    if not args.out:
        parser.error("--out is required / 需要 --out 输出目录")
    plan, errors = validate(args)
    if errors or plan is None:
        print("参数有误，未运行任何模块 / invalid parameters, nothing was run:", file=sys.stderr)
        for msg in errors:
            print(f"  - {msg}", file=sys.stderr)
        return 2
    import time

    t0 = time.perf_counter()
    try:
        if plan.shared.get("engine") in ("duckdb", "spark"):  # validated on DuckDB, streaming (docs/SCALE.md)
            from .engine_snapshot import load_resolved_engine

            plan.out.mkdir(parents=True, exist_ok=True)
            ds, plan.as_of = load_resolved_engine(plan.data_dir, plan.shared.get("as_of"), plan.columns,
                                                  plan.out / ".engine-load")
        else:
            ds, plan.as_of = load_resolved(plan.data_dir, plan.shared.get("as_of"), plan.columns)
    except (hdata.DataFileError, OSError) as exc:
        # a file-level problem (encoding, missing required column …) that every module would hit
        print("数据文件无法读取，未运行任何模块 / a data file cannot be read, nothing was run:", file=sys.stderr)
        print(f"  - {exc}", file=sys.stderr)
        return 2
    plan.load_seconds = time.perf_counter() - t0
    return run(plan, ds)


if __name__ == "__main__":
    sys.exit(main())
