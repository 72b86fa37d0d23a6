"""The report run: every module notebook executed with papermill into ``reports/<run>/``.

This is the analyst's main job (DESIGN.md, "Report run contract")::

    python -m helpers report --data-dir DIR --out reports/<run> [--as-of YYYY-MM-DD] [--horizon-days N]
                             [--seed S] [--param NAME=VALUE ...] [--modules 00,03]
    member-report ...            # the same, as a console script

Why a runner and not ``papermill`` in a shell loop: parameters are validated once, before any notebook runs (one
clear message per bad value, exit 2); each notebook only receives the parameters it declares; a failing module
stops the run with the module, cell and error (exit 1) while the modules that ran keep their output; and the
per-module parts are merged into one set of machine-readable files.

Output (``reports/<run>/``)::

    index.html               parameters, data summary, per-module status / duration / links (offline)
    run.json                 parameters, statuses, timings, versions (changes every run)
    metrics.json             one key per module + "run" (parameters, input fingerprint); identical on a re-run
    NN-slug.ipynb / .html    the executed notebook and its offline HTML (images embedded, no CDN script)
    tables/*.csv             UTF-8-SIG (Excel opens it); tables/member_scores.csv = outer join on member_id,
                             tables/member_scores_columns.csv says what each of its columns means (unit, horizon)
    quarantine/*.csv         every input row the loader rejected, one file per table, plus module quarantines

Modules write their parts through :class:`ModuleOutput` (see docs/CONVENTIONS.md); in classroom mode
(``output_dir == ""``) every method is a no-op, so the same notebook serves trainees and the report run.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import html
import json
import math
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import data as hdata
from helpers.data import DEFAULT_DATA_DIR
from helpers.release import module_dirs

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"

#: module folder slug -> key used in metrics.json and part files (docs/CONVENTIONS.md)
MODULE_KEYS = {
    "00-tour": "00_tour",
    "01-data-quality": "01_quality",
    "02-behavior": "02_behavior",
    "03-rfm": "03_rfm",
    "04-clv": "04_clv",
    "05-segments-churn": "05_segments",
    "06-tiers-points": "06_tiers",
    "07-campaigns": "07_campaigns",
    "08-feedback": "08_feedback",
    "09-report": "09_report",
}

#: the shared parameters every module may declare; NAME -> report option that sets it
SHARED_PARAMETERS = ("data_dir", "as_of", "horizon_days", "output_dir", "seed")

PARTS = "parts"
TABLE_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
CSV_ENCODING = "utf-8-sig"  # Excel on a Chinese Windows opens UTF-8 only with the BOM


def module_key(slug: str) -> str:
    """metrics.json key of a module folder (``"03-rfm"`` -> ``"03_rfm"``)."""
    return MODULE_KEYS.get(slug, slug.replace("-", "_"))


# --------------------------------------------------------------------------------------------------------------
# JSON helpers
# --------------------------------------------------------------------------------------------------------------


def _round_float(x: float) -> float | None:
    if math.isnan(x) or math.isinf(x):
        return None
    return float(f"{x:.10g}")


def to_jsonable(value: Any) -> Any:
    """Plain JSON types: numpy / pandas scalars unwrapped, ints stay ints, floats to 10 significant digits,
    NaN / NaT -> null, timestamps -> ISO strings, tuples / sets -> lists (sets sorted)."""
    import numpy as np

    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _round_float(float(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_jsonable(v) for v in value)
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def dump_json(obj: Any, path: Path) -> None:
    """Deterministic JSON: sorted keys, UTF-8 (ensure_ascii=False), two-space indent, trailing newline."""
    text = json.dumps(to_jsonable(obj), ensure_ascii=False, sort_keys=True, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


def write_csv(df: pd.DataFrame, path: Path, index: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=index, encoding=CSV_ENCODING, lineterminator="\n")


# --------------------------------------------------------------------------------------------------------------
# ModuleOutput: what a module notebook writes for the report run
# --------------------------------------------------------------------------------------------------------------


class ModuleOutput:
    """The parts one module contributes to a report run.

    ``out = ModuleOutput(output_dir, "03_rfm")``; every method is a no-op when ``output_dir`` is ``""``
    (classroom mode), so a notebook calls them unconditionally. Parts go to ``<output_dir>/parts/<key>/`` and are
    merged by the report runner after the module ran:

    * ``metrics(dict)``          -> merged into ``metrics.json["03_rfm"]`` (later calls update earlier keys)
    * ``table(name, df)``        -> ``tables/<name>.csv`` (names unique across modules; prefix with the topic)
    * ``member_scores(df, descriptions)`` -> columns joined into ``tables/member_scores.csv`` (index or column
      member_id); ``descriptions`` (column -> meaning, unit, horizon) -> ``tables/member_scores_columns.csv``
    * ``quarantine(df, name)``   -> ``quarantine/<key>[_<name>].csv`` (rows a module rejected, with a reason)
    * ``skip(table, message)``   -> recorded under ``metrics.json[key]["skipped"]`` and shown in index.html;
      returns ``message`` so ``print(out.skip(...))`` tells the reader in the same sentence.
    """

    def __init__(self, output_dir: str | os.PathLike | None, key: str) -> None:
        self.output_dir = "" if output_dir is None else str(output_dir)
        self.key = key
        self.enabled = self.output_dir != ""
        self.dir = Path(self.output_dir) / PARTS / key if self.enabled else None

    def __repr__(self) -> str:
        where = self.dir if self.enabled else "classroom mode, writes nothing"
        return f"ModuleOutput({self.key!r}: {where})"

    def _ensure(self) -> Path:
        assert self.dir is not None
        self.dir.mkdir(parents=True, exist_ok=True)
        return self.dir

    def _update_json(self, name: str, update: dict) -> None:
        path = self._ensure() / name
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        current.update(to_jsonable(update))
        dump_json(current, path)

    def metrics(self, values: dict[str, Any]) -> None:
        if not isinstance(values, dict):
            raise TypeError("metrics() takes a dict of name -> value")
        if self.enabled:
            self._update_json("metrics.json", values)

    def table(self, name: str, df: pd.DataFrame, index: bool = False) -> None:
        if not TABLE_NAME.match(name):
            raise ValueError(f"table name {name!r}: use letters, digits, '_' or '-'")
        if not isinstance(df, pd.DataFrame):
            raise TypeError("table() takes a DataFrame")
        if self.enabled:
            write_csv(df, self._ensure() / "tables" / f"{name}.csv", index=index)

    def member_scores(self, df: pd.DataFrame, descriptions: dict[str, str] | None = None) -> None:
        """``descriptions``: column -> what it means, with its unit and horizon (Chinese first, e.g.
        ``"p_alive": "仍活跃的概率 P(alive),0–1;仅对有重复购买的会员有定义"``). Every column needs one: the runner
        writes them to ``tables/member_scores_columns.csv`` so that a CRM user can read the file without the notebook."""
        if not isinstance(df, pd.DataFrame):
            raise TypeError("member_scores() takes a DataFrame indexed by member_id")
        if df.index.name != "member_id":
            if "member_id" not in df.columns:
                raise ValueError("member_scores(): index the frame by member_id (or give a member_id column)")
            df = df.set_index("member_id")
        if df.index.has_duplicates:
            raise ValueError("member_scores(): member_id must be unique (one row per member)")
        descriptions = dict(descriptions or {})
        undescribed = [c for c in df.columns if not str(descriptions.get(c, "")).strip()]
        if undescribed:
            raise ValueError(f"member_scores(): describe every column (meaning, unit, horizon) in descriptions=; "
                             f"missing: {undescribed}")
        if self.enabled:
            write_csv(df.sort_index(), self._ensure() / "member_scores.csv", index=True)
            dump_json({c: descriptions[c] for c in df.columns}, self._ensure() / "member_scores_columns.json")

    def quarantine(self, df: pd.DataFrame, name: str = "") -> None:
        if name and not TABLE_NAME.match(name):
            raise ValueError(f"quarantine name {name!r}: use letters, digits, '_' or '-'")
        if self.enabled:
            fname = f"{self.key}_{name}.csv" if name else f"{self.key}.csv"
            write_csv(df, self._ensure() / "quarantine" / fname)

    def skip(self, table: str, message: str) -> str:
        if self.enabled:
            self._update_json("skipped.json", {table: message})
        return message


# --------------------------------------------------------------------------------------------------------------
# discovery and parameter validation
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Module:
    slug: str
    path: Path
    parameters: dict[str, dict] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return module_key(self.slug)

    @property
    def number(self) -> str:
        return self.slug.split("-", 1)[0]


def discover_modules(solutions_dir: Path = SOLUTIONS_DIR) -> list[Module]:
    """``solutions/NN-slug/NN-slug.ipynb`` in order of NN (the folders :func:`helpers.release.module_dirs` lists)."""
    return [Module(d.name, d / f"{d.name}.ipynb") for d in module_dirs(Path(solutions_dir))]


def notebook_parameters(path: Path) -> dict[str, dict]:
    """The parameters a notebook declares: name -> {name, inferred_type_name, default, help}.

    Names, types and defaults come from parsing the ``parameters`` cell with :mod:`ast` (robust to any comment);
    the help text comes from papermill's inspection, which is what ``papermill --help-notebook`` shows. Note that
    papermill skips a parameter line holding more than one ``=`` (e.g. ``x: str = ""  # 留空 = 默认``), so comments
    in a parameters cell must not contain ``=`` (tests/test_notebook_lint.py checks it).
    """
    import ast

    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    cell = next((c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        return {}
    params: dict[str, dict] = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, type_name = node.target.id, ast.unparse(node.annotation)
            default = ast.unparse(node.value) if node.value is not None else "None"
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, default = node.targets[0].id, ast.unparse(node.value)
            try:
                type_name = type(ast.literal_eval(node.value)).__name__
            except ValueError:
                type_name = "None"
        else:
            continue
        params[name] = {"name": name, "inferred_type_name": type_name, "default": default, "help": ""}
    try:
        import papermill

        for name, info in papermill.inspect_notebook(str(path)).items():
            if name in params:
                params[name]["help"] = info.get("help", "")
    except Exception:  # help text is a nicety; the ast result stands
        pass
    return params


_TRUE = {"true", "1", "yes", "y", "on", "是"}
_FALSE = {"false", "0", "no", "n", "off", "否"}


def cast_value(raw: str, type_name: str) -> Any:
    """Cast a command-line string to a parameter's declared type; ValueError with the reason."""
    t = (type_name or "None").strip()
    if t == "str":
        return raw
    if t == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError("期望整数 (int)") from None
    if t == "float":
        try:
            return float(raw)
        except ValueError:
            raise ValueError("期望数字 (float)") from None
    if t == "bool":
        low = raw.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError("期望布尔值 true / false")
    # undeclared type: a JSON literal if it parses, else the string
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def fingerprint(data_dir: Path) -> dict[str, str]:
    """sha256 of every table file the loader reads (:func:`helpers.data.discover`), by file name (stable across
    machines and runs)."""
    out = {}
    for p in sorted(hdata.discover(Path(data_dir)).values()):
        h = hashlib.sha256()
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        out[p.name] = h.hexdigest()
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers report",
        description="运行会员经营报告:按顺序用 papermill 执行每个模块 / run every module notebook into reports/<run>/",
    )
    p.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR),
                   help="数据目录(或单个订单文件)/ data directory or a single orders file (default: datasets/default)")
    p.add_argument("--out", default=None, help="输出目录 reports/<run>(必需)/ output directory of this run (required)")
    p.add_argument("--as-of", default=None, help="分析截止日期 YYYY-MM-DD / analysis date (default: module default)")
    p.add_argument("--horizon-days", default=None, help="预测期长度(天)/ forecast horizon in days")
    p.add_argument("--seed", default=None, help="随机种子 / random seed")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="其它模块参数 / any other parameter a module declares (repeatable)")
    p.add_argument("--modules", default=None, help="只运行这些模块,如 00,03 / run only these module numbers")
    p.add_argument("--solutions-dir", default=str(SOLUTIONS_DIR), help=argparse.SUPPRESS)
    p.add_argument("--timeout", type=int, default=600, help="每个单元格的超时秒数 / per-cell timeout in seconds")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    p.add_argument("--list-params", action="store_true",
                   help="列出每个模块声明的参数后退出 / list the parameters each module declares, then exit")
    return p


@dataclass
class RunPlan:
    data_dir: Path
    out: Path
    modules: list[Module]
    shared: dict[str, Any]  # shared parameter values (only the given ones)
    extra_raw: dict[str, str]  # --param values as given, cast per module by parameters_for
    timeout: int
    progress: bool

    def parameters_for(self, module: Module) -> dict[str, Any]:
        params: dict[str, Any] = {}
        declared = module.parameters
        for name, value in self.shared.items():
            if name in declared:
                params[name] = value
        for name, raw in self.extra_raw.items():
            if name in declared:
                params[name] = cast_value(raw, declared[name].get("inferred_type_name", "None"))
        return params


def validate(args: argparse.Namespace) -> tuple[RunPlan | None, list[str]]:
    """Check every parameter before anything runs; return the plan or one message per bad value."""
    errors: list[str] = []
    shared: dict[str, Any] = {}

    data_dir = Path(args.data_dir).expanduser()
    if not data_dir.exists():
        errors.append(f"--data-dir {args.data_dir}: 目录不存在 / does not exist")
    else:
        try:
            hdata.discover(data_dir)  # the loader's own file rules: an orders file, one file per table, known types
        except hdata.DataFileError as exc:
            errors.append(f"--data-dir {args.data_dir}: " + str(exc).replace("\n", " / "))
        else:
            data_dir = data_dir.resolve()
            shared["data_dir"] = str(data_dir)

    if args.as_of is not None:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.as_of):
                raise ValueError
            _dt.date.fromisoformat(args.as_of)
            shared["as_of"] = args.as_of
        except ValueError:
            errors.append(f"--as-of {args.as_of}: 不是有效日期,格式 YYYY-MM-DD / not a date in YYYY-MM-DD")

    if args.horizon_days is not None:
        try:
            h = int(args.horizon_days)
            if h <= 0:
                raise ValueError
            shared["horizon_days"] = h
        except ValueError:
            errors.append(f"--horizon-days {args.horizon_days}: 需要正整数 / must be a positive integer")

    if args.seed is not None:
        try:
            s = int(args.seed)
            if s < 0:
                raise ValueError
            shared["seed"] = s
        except ValueError:
            errors.append(f"--seed {args.seed}: 需要非负整数 / must be a non-negative integer")

    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        errors.append(f"--out {args.out}: 已存在且不是目录 / exists and is not a directory")

    solutions = Path(args.solutions_dir)
    modules = discover_modules(solutions)
    if not modules:
        errors.append(f"--solutions-dir {args.solutions_dir}: 没有找到模块 NN-slug/NN-slug.ipynb / no modules")
    if args.modules:
        wanted = [m.strip() for m in args.modules.split(",") if m.strip()]
        numbers = {m.number: m for m in modules}
        unknown = [w for w in wanted if w.zfill(2) not in numbers and w not in {m.slug for m in modules}]
        if unknown:
            errors.append(
                f"--modules {args.modules}: 没有模块 {', '.join(unknown)} / unknown module(s); "
                f"available: {', '.join(m.number for m in modules)}"
            )
        wanted_set = {w.zfill(2) if w.isdigit() else w for w in wanted}
        modules = [m for m in modules if m.number in wanted_set or m.slug in wanted_set]

    for m in modules:
        try:
            m.parameters = notebook_parameters(m.path)
        except Exception as exc:  # a broken notebook file is a setup error
            errors.append(f"{m.path}: 读取参数失败 / cannot read parameters: {exc}")

    extra_raw: dict[str, str] = {}
    for item in args.param:
        if "=" not in item:
            errors.append(f"--param {item}: 格式应为 NAME=VALUE / expected NAME=VALUE")
            continue
        name, raw = item.split("=", 1)
        name = name.strip()
        if name in SHARED_PARAMETERS:
            errors.append(f"--param {name}: 请用对应的选项(如 --data-dir、--as-of)/ use the dedicated option")
            continue
        declaring = [m for m in modules if name in m.parameters]
        if not declaring:
            errors.append(f"--param {name}: 没有模块声明这个参数 / no module declares this parameter")
            continue
        bad = False
        for m in declaring:
            t = m.parameters[name].get("inferred_type_name", "None")
            try:
                cast_value(raw, t)
            except ValueError as exc:
                errors.append(f"--param {name}={raw}: {exc}(模块 {m.slug} 声明为 {t})/ wrong type for {m.slug}")
                bad = True
                break
        if not bad:
            extra_raw[name] = raw

    if errors:
        return None, errors
    return RunPlan(data_dir=data_dir, out=out.resolve(), modules=modules, shared=shared,
                   extra_raw=extra_raw, timeout=args.timeout, progress=not args.no_progress), []


# --------------------------------------------------------------------------------------------------------------
# HTML export (offline)
# --------------------------------------------------------------------------------------------------------------

#: the lab template without its CDN scripts (require.js, MathJax, mermaid): the page is static HTML + CSS and
#: reads with no network; images are embedded as data URIs.
OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
"""


def html_exporter():
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"offline_index.html.j2": OFFLINE_TEMPLATE})],
        template_name="lab",
        template_file="offline_index.html.j2",
        embed_images=True,
    )
    return exporter


def export_html(ipynb: Path, html_path: Path, exporter=None) -> None:
    import nbformat

    exporter = exporter or html_exporter()
    nb = nbformat.read(str(ipynb), as_version=4)
    nb.metadata.pop("widgets", None)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": ipynb.stem}})
    html_path.write_text(body, encoding="utf-8")


EXTERNAL_SCRIPT = re.compile(r"<script[^>]+src\s*=\s*[\"']?(https?:)?//", re.IGNORECASE)
EXTERNAL_IMPORT = re.compile(r"import\s*\(\s*[\"'](https?:)?//", re.IGNORECASE)


def external_resources(page: str) -> list[str]:
    """External scripts / stylesheets a page would fetch (empty list = reads offline)."""
    hits = [m.group(0) for m in EXTERNAL_SCRIPT.finditer(page)]
    hits += [m.group(0) for m in EXTERNAL_IMPORT.finditer(page)]
    hits += re.findall(r"<link[^>]+href\s*=\s*[\"']?(?:https?:)?//[^\"' >]+", page, flags=re.IGNORECASE)
    hits += re.findall(r"<img[^>]+src\s*=\s*[\"']?(?:https?:)?//[^\"' >]+", page, flags=re.IGNORECASE)
    return hits


# --------------------------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------------------------


@dataclass
class ModuleResult:
    module: Module
    status: str = "pending"  # ok | failed | not run
    seconds: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    cell_index: int | None = None
    skipped: dict[str, str] = field(default_factory=dict)


def _data_summary(plan: RunPlan) -> tuple[dict[str, Any], Any]:
    """Table counts from the loader (and its quarantine), or the reason it could not load."""
    try:
        ds = hdata.load(str(plan.data_dir), as_of=plan.shared.get("as_of"))
    except Exception as exc:
        # DataFileError: a file-level problem (encoding, missing required column …) that every module would hit
        return {"error": f"{type(exc).__name__}: {exc}", "data_error": isinstance(exc, hdata.DataFileError)}, None
    summary: dict[str, Any] = {"tables": {}}
    for name in ds.present:
        df = ds[name]
        summary["tables"][name] = {"rows": len(df), "columns": len(df.columns),
                                   **{c: int(n) for c, n in ds.counts.loc[name].items()}}
    orders = ds.orders  # always present, with its required columns member_id, order_ts, net_amount
    if len(orders):
        summary["members_with_orders"] = int(orders["member_id"].nunique())
        summary["first_order"] = str(orders["order_ts"].min())
        summary["last_order"] = str(orders["order_ts"].max())
        summary["net_amount_total"] = float(orders["net_amount"].sum())
    return summary, ds


def _all_member_ids(ds) -> list[str]:
    """Member ids from the members table and the orders, sorted; empty when nothing was loaded."""
    ids: set[str] = set()
    for name in ("members", "orders"):
        frame = ds.get(name) if ds is not None else None
        if frame is not None and "member_id" in frame.columns:
            ids.update(frame["member_id"].dropna().astype(str))
    return sorted(ids)


def _merge_parts(plan: RunPlan, results: list[ModuleResult], ds, summary: dict) -> dict:
    out = plan.out
    parts = out / PARTS
    tables_dir = out / "tables"
    quarantine_dir = out / "quarantine"
    tables_dir.mkdir(exist_ok=True)
    quarantine_dir.mkdir(exist_ok=True)

    metrics: dict[str, Any] = {}
    scores: list[tuple[str, pd.DataFrame]] = []
    column_notes: dict[str, dict[str, str]] = {}
    for r in results:
        if r.status == "not run":
            continue
        d = parts / r.module.key
        m: dict[str, Any] = {}
        if (d / "metrics.json").exists():
            m = json.loads((d / "metrics.json").read_text(encoding="utf-8"))
        if (d / "skipped.json").exists():
            r.skipped = json.loads((d / "skipped.json").read_text(encoding="utf-8"))
            m["skipped"] = r.skipped
        metrics[r.module.key] = m
        for f in sorted((d / "tables").glob("*.csv")) if (d / "tables").exists() else []:
            target = tables_dir / f.name
            if target.exists() or f.stem == "member_scores":
                target = tables_dir / f"{r.module.key}_{f.name}"
            shutil.copyfile(f, target)
        for f in sorted((d / "quarantine").glob("*.csv")) if (d / "quarantine").exists() else []:
            shutil.copyfile(f, quarantine_dir / f.name)
        if (d / "member_scores.csv").exists():
            df = pd.read_csv(d / "member_scores.csv", encoding=CSV_ENCODING, dtype={"member_id": "string"})
            scores.append((r.module.key, df.set_index("member_id")))
            described = d / "member_scores_columns.json"
            if described.exists():
                column_notes[r.module.key] = json.loads(described.read_text(encoding="utf-8"))

    # one row per member: everyone on file or in the orders, whether or not a module scored them
    merged = pd.DataFrame(index=pd.Index(_all_member_ids(ds), name="member_id", dtype="string"))
    int_cols: list[str] = []
    dictionary = [{"column": "member_id", "module": "",
                   "description": ("会员编号。会员档案或订单里出现的每位会员各一行;截止日前没有已支付订单的会员(只有退款、"
                                   "或只在截止日后购买、或只有档案)除 member_id 外各列为空 · member id: one row per "
                                   "member on file or in the orders; members without a paid order up to the as-of "
                                   "date have only this column filled")}]
    for key, df in scores:
        clash = [c for c in df.columns if c in merged.columns]
        notes = column_notes.get(key, {})
        dictionary += [{"column": f"{key}_{c}" if c in clash else c, "module": key, "description": notes.get(c, "")}
                       for c in df.columns]
        df = df.rename(columns={c: f"{key}_{c}" for c in clash})
        merged = merged.join(df, how="outer")
        int_cols += [c for c in df.columns if pd.api.types.is_integer_dtype(df[c].dtype)]
    # an outer join leaves NaN for members a module did not score: keep its integer columns integers
    for c in int_cols:
        if not pd.api.types.is_integer_dtype(merged[c].dtype):
            merged[c] = merged[c].astype("Int64")
    merged = merged.sort_index()
    merged.index.name = "member_id"
    # model outputs carry float noise past any business meaning; 6 decimals keep CRM imports readable
    float_cols = merged.select_dtypes("float").columns
    merged[float_cols] = merged[float_cols].round(6)
    write_csv(merged, tables_dir / "member_scores.csv", index=True)
    write_csv(pd.DataFrame(dictionary, columns=["column", "module", "description"]),
              tables_dir / "member_scores_columns.csv")

    # the loader's quarantine: one file per table
    if ds is not None and len(ds.quarantine):
        for table, part in ds.quarantine.groupby("table", sort=True, observed=True):
            write_csv(part.reset_index(drop=True), quarantine_dir / f"{table}.csv")

    metrics["run"] = {
        "parameters": {k: v for k, v in plan.shared.items() if k != "output_dir"}
        | {k: v for k, v in plan.extra_raw.items()},
        "modules": [r.module.key for r in results],
        "input_fingerprint": fingerprint(plan.data_dir),
    }
    if "data_dir" in metrics["run"]["parameters"]:
        metrics["run"]["parameters"]["data_dir"] = str(plan.data_dir)
    metrics["run"]["data_summary"] = summary
    dump_json(metrics, out / "metrics.json")
    return metrics


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


def _fmt_seconds(s: float) -> str:
    return f"{s:.1f} s"


def write_index(plan: RunPlan, results: list[ModuleResult], summary: dict, started: str, total: float) -> None:
    e = html.escape
    rows = []
    for r in results:
        m = r.module
        links = ""
        if (plan.out / f"{m.slug}.html").exists():
            links = f'<a href="{e(m.slug)}.html">HTML</a> · <a href="{e(m.slug)}.ipynb">ipynb</a>'
        status = {"ok": "✅ 完成 ok", "failed": "❌ 失败 failed", "not run": "⏸ 未运行 not run"}.get(r.status, r.status)
        if r.status == "ok" and r.skipped:
            status = "✅ 完成(部分跳过)ok, parts skipped"
        note = ""
        if r.error:
            where = f"单元格 cell {r.cell_index}: " if r.cell_index is not None else ""
            note = f'<div class="err">{e(where + r.error)}</div>'
        if r.skipped:
            note += "".join(f"<div class='skip'>{e(t)}: {e(msg)}</div>" for t, msg in sorted(r.skipped.items()))
        secs = _fmt_seconds(r.seconds) if r.status in {"ok", "failed"} else ""
        rows.append(
            f"<tr class='{e(r.status.replace(' ', '-'))}'><td>{e(m.slug)}</td><td>{status}</td>"
            f"<td class='num'>{secs}</td><td>{links}</td><td>{note}</td></tr>"
        )
    params = {k: str(v) for k, v in plan.shared.items() if k != "output_dir"} | plan.extra_raw
    # parameters left at their defaults are shown too, with the default the notebooks declare
    for m in plan.modules:
        for name, info in m.parameters.items():
            if name != "output_dir" and name not in params:
                params[name] = f"{info.get('default', '')}(默认 default, {m.slug})"
    param_rows = "".join(f"<tr><td>{e(k)}</td><td>{e(str(v))}</td></tr>" for k, v in sorted(params.items()))
    param_rows = param_rows or "<tr><td colspan='2'>(模块默认值 / module defaults)</td></tr>"
    if "error" in summary:
        data_html = f"<p class='err'>数据加载失败 / could not load: {e(summary['error'])}</p>"
    else:
        trs = []
        for name, t in summary.get("tables", {}).items():
            trs.append(
                f"<tr><td>{e(name)}</td><td class='num'>{t['rows_read']:,}</td>"
                f"<td class='num'>{t['rows']:,}</td><td class='num'>{t['rows_quarantined']:,}</td>"
                f"<td class='num'>{t['columns']}</td></tr>"
            )
        extra = []
        for k, label in (("members_with_orders", "有订单的会员 members with orders"),
                         ("first_order", "最早订单 first order"), ("last_order", "最晚订单 last order"),
                         ("net_amount_total", "实付金额合计 net amount (元)")):
            if k in summary:
                v = summary[k]
                extra.append(f"<li>{label}: {e(f'{v:,.2f}' if isinstance(v, float) else f'{v:,}' if isinstance(v, int) else str(v))}</li>")
        data_html = (
            "<table><tr><th>表 table</th><th>读取行 read</th><th>保留行 kept</th><th>隔离行 quarantined</th>"
            f"<th>列 columns</th></tr>{''.join(trs)}</table><ul>{''.join(extra)}</ul>"
        )
    files = []
    for sub in ("tables", "quarantine"):
        for f in sorted((plan.out / sub).glob("*.csv")) if (plan.out / sub).exists() else []:
            files.append(f'<li><a href="{sub}/{e(f.name)}">{sub}/{e(f.name)}</a></li>')
    ok = all(r.status == "ok" for r in results)
    verdict = "全部完成 / all modules ran" if ok else "运行未完成 / run incomplete"
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>会员经营报告 · Member report</title>
<style>
body{{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:70em;
color:#222;padding:0 1em}} table{{border-collapse:collapse;margin:.5em 0 1.5em}}
td,th{{border:1px solid #ccc;padding:.3em .7em;text-align:left;vertical-align:top}} th{{background:#f3f3f3}}
.num{{text-align:right}} .err{{color:#b00020}} .skip{{color:#8a6d00}} tr.failed td{{background:#fdecee}}
tr.not-run td{{color:#888}} .verdict{{font-weight:bold}}
</style></head><body>
<h1>会员经营报告 · Member report</h1>
<p class="verdict">{e(verdict)} — 开始 started {e(started)} UTC,总耗时 total {_fmt_seconds(total)}</p>
<h2>参数 · Parameters</h2>
<table><tr><th>参数 name</th><th>值 value</th></tr>{param_rows}</table>
<h2>数据概况 · Data summary</h2>
<p>数据目录 data: <code>{e(str(plan.data_dir))}</code></p>
{data_html}
<h2>模块 · Modules</h2>
<table><tr><th>模块 module</th><th>状态 status</th><th>耗时 time</th><th>报告 report</th><th>说明 notes</th></tr>
{''.join(rows)}</table>
<h2>输出文件 · Output files</h2>
<ul><li><a href="metrics.json">metrics.json</a></li><li><a href="run.json">run.json</a></li>{''.join(files)}</ul>
</body></html>
"""
    (plan.out / "index.html").write_text(page, encoding="utf-8")


def _prepare_out(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for sub in (PARTS, "tables", "quarantine"):
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


#: the kernels listen on 127.0.0.1 for this run only; ipykernel's warning that the local TCP link is unencrypted
#: would otherwise print once per module. Errors from the kernel still show.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


def run(plan: RunPlan, loaded: tuple[dict, Any] | None = None) -> int:
    import papermill
    from tqdm.auto import tqdm

    for name, value in DETERMINISTIC_ENV.items():  # inherited by the kernels papermill starts
        os.environ.setdefault(name, value)

    started = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    t0 = time.perf_counter()
    summary, ds = loaded if loaded is not None else _data_summary(plan)
    _prepare_out(plan.out)
    shared = dict(plan.shared)
    shared["output_dir"] = str(plan.out)
    plan.shared = shared

    results = [ModuleResult(m) for m in plan.modules]
    exporter = html_exporter()
    failed: ModuleResult | None = None
    bar = tqdm(results, desc="会员报告 report", unit="模块", disable=not plan.progress, file=sys.stderr)
    for r in bar:
        if failed is not None:
            r.status = "not run"
            continue
        m = r.module
        bar.set_postfix_str(m.slug)
        r.parameters = plan.parameters_for(m)
        out_nb = plan.out / f"{m.slug}.ipynb"
        t = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(m.path), str(out_nb), parameters=r.parameters, kernel_name="python3", cwd=str(m.path.parent),
                progress_bar=False, execution_timeout=plan.timeout, log_output=False,
                extra_arguments=KERNEL_ARGUMENTS,
            )
            r.status = "ok"
        except Exception as exc:
            r.status = "failed"
            r.cell_index, r.error = _failure_details(exc)
            r.cell_index = _source_cell_index(out_nb, r.cell_index)
            failed = r
        r.seconds = time.perf_counter() - t
        if out_nb.exists():
            try:
                export_html(out_nb, plan.out / f"{m.slug}.html", exporter)
            except Exception as exc:  # the executed notebook stays; say why the HTML is missing
                r.error = (r.error + " | " if r.error else "") + f"HTML export failed: {exc}"
    bar.close()

    _merge_parts(plan, results, ds, summary)
    total = time.perf_counter() - t0
    run_info = {
        "started_utc": started,
        "total_seconds": round(total, 2),
        "parameters": {k: v for k, v in plan.shared.items()} | plan.extra_raw,
        "modules": [
            {"slug": r.module.slug, "key": r.module.key, "status": r.status, "seconds": round(r.seconds, 2),
             "parameters": r.parameters, "error": r.error, "cell_index": r.cell_index, "skipped": r.skipped}
            for r in results
        ],
        "versions": _versions(),
    }
    dump_json(run_info, plan.out / "run.json")
    write_index(plan, results, summary, started, total)
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


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": sys.version.split()[0]}
    for pkg in ("pandas", "numpy", "papermill", "nbconvert", "matplotlib"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_params:
        for m in discover_modules(Path(args.solutions_dir)):
            print(m.slug)
            for name, info in notebook_parameters(m.path).items():
                print(f"  {name}: {info['inferred_type_name']} = {info['default']}  # {info['help']}")
        return 0
    if not args.out:
        parser.error("--out is required / 需要 --out 输出目录")
    plan, errors = validate(args)
    if errors or plan is None:
        print("参数有误,未运行任何模块 / invalid parameters, nothing was run:", file=sys.stderr)
        for msg in errors:
            print(f"  - {msg}", file=sys.stderr)
        return 2
    summary, ds = _data_summary(plan)
    if summary.get("data_error"):
        print("数据文件无法读取,未运行任何模块 / a data file cannot be read, nothing was run:", file=sys.stderr)
        print(f"  - {summary['error']}", file=sys.stderr)
        return 2
    return run(plan, (summary, ds))


if __name__ == "__main__":
    sys.exit(main())
