"""Module parameters: what each module accepts (type and allowed range or choices), checked before anything runs.

Why a declaration in helpers and not ranges parsed from the notebooks' ``parameters`` cells: those cells are
teaching material (Chinese comments for trainees, no ``=`` allowed in a comment), a range written in prose cannot be
checked by a machine, and a Python declaration is tested: ``tests/test_report.py`` checks that every parameter a
notebook declares is declared here with the same type and that the notebook's default is allowed. A notebook
parameter missing here (a module landing) still gets its type checked from the notebook; the test names it.

A bad value is one message naming the option and the rule (exit 2 before any module runs); NaN and infinities
are never a valid number.
"""

from __future__ import annotations

import ast
import datetime as _dt
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MODULE_CHECKS", "MODULE_DEPENDS", "MODULE_PARAMETERS", "SHARED", "SHARED_PARAMETERS", "Param", "cast_value", "check_value",
           "declared", "depends_on", "notebook_parameters"]


@dataclass(frozen=True)
class Param:
    """``type`` is the parameters-cell annotation (``int`` / ``float`` / ``str`` / ``bool``); ``low`` / ``high``
    bound numbers (``low_open`` / ``high_open`` exclude the bound); ``choices`` lists the allowed values;
    ``check`` validates a string (returns an error text or ``None``); ``rule`` says the rule in words."""

    type: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple | None = None
    check: Callable[[Any], str | None] | None = None
    rule: str = ""

    def describe(self) -> str:
        if self.rule:
            return self.rule
        if self.choices:
            return "取值 one of " + " / ".join(map(str, self.choices))
        if self.low is not None or self.high is not None:
            lo = "" if self.low is None else f"{self.low:g} {'<' if self.low_open else '≤'} "
            hi = "" if self.high is None else f" {'<' if self.high_open else '≤'} {self.high:g}"
            return f"{lo}值 value{hi}"
        return ""


def _date_or_empty(value: str) -> str | None:
    if value == "":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            _dt.date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return "不是有效日期，格式 YYYY-MM-DD / not a date in YYYY-MM-DD"


def _rfm_edges(value: str) -> str | None:
    from helpers import rfm

    try:
        rfm.parse_edges(value)
    except ValueError as exc:
        return str(exc)
    return None


def _rfm_threshold(value: str) -> str | None:
    from helpers import rfm

    try:
        t = rfm.parse_threshold(value)
    except ValueError as exc:
        return str(exc)
    if isinstance(t, float) and not math.isfinite(t):
        return "rfm_threshold 需要有限的数字 / must be a finite number"
    return None


#: parameters every module may declare, with one meaning each (the report run sets them through its own options)
SHARED: dict[str, Param] = {
    "data_dir": Param("str", rule="数据目录 / data directory"),
    "as_of": Param("str", check=_date_or_empty, rule="YYYY-MM-DD，或留空 / or empty"),
    "horizon_days": Param("int", low=1, high=3650, rule="1 到 3650 天 / 1 to 3650 days"),
    "output_dir": Param("str", rule="报告目录 / report directory"),
    "seed": Param("int", low=0, high=2**32 - 1, rule="0 到 2^32 − 1 的整数 / integer 0 to 2^32 − 1"),
    # the engine of the heavy per-member work (helpers.engine; docs/SCALE.md); the run resolves "auto" by size
    "engine": Param("str", choices=("pandas", "duckdb", "spark"), rule="pandas / duckdb / spark"),
}
SHARED_PARAMETERS = tuple(SHARED)

#: one meaning in every module that declares it (04 and 05)
MARGIN = Param("float", low=0, high=1, low_open=True, rule="毛利率 0 < margin ≤ 1 / gross margin in (0, 1]")

#: module key -> its own parameters (beyond the shared ones)
MODULE_PARAMETERS: dict[str, dict[str, Param]] = {
    "00_tour": {},
    "01_quality": {
        "demo_max_orders": Param("int", low=0, high=10**10,
                                 rule="0（不抽样）或正整数：注入演示最多用的订单数 / orders in the injection demo, 0 = all"),
    },
    "02_behavior": {},
    "03_rfm": {
        "rfm_bins": Param("int", low=2, high=10),
        "rfm_edges": Param("str", check=_rfm_edges, rule="如 R:30,90,180；F:2,4,8，阈值递增，或留空 / or empty"),
        "rfm_threshold": Param("str", check=_rfm_threshold, rule="middle / mean / median 或一个数字 / or a number"),
        "rfm_monetary": Param("str", choices=("total", "aov")),
        "sms_budget": Param("int", low=0, high=10**9, rule="0 或正整数（最多联系的会员数）/ members to contact, ≥ 0"),
    },
    "04_clv": {
        "calibration_days": Param("int", low=1, high=3650),
        "margin": MARGIN,
        "annual_discount_rate": Param("float", low=0, high=1, rule="0 ≤ 年折现率 ≤ 1 / annual rate in [0, 1]"),
        "time_unit": Param("str", choices=("week", "day")),
    },
    "05_segments": {
        "k_min": Param("int", low=2, high=20),
        "k_max": Param("int", low=2, high=20),
        "heavy_threshold": Param("float", low=0, rule="重度会员门槛 ≥ 0 元 / yuan per active year, ≥ 0"),
        "loyal_threshold": Param("float", low=0, high=1, low_open=True, rule="0 < 品牌份额门槛 ≤ 1 / share in (0, 1]"),
        "churn_model": Param("str", choices=("auto", "logistic", "hgb")),
        "save_rate": Param("float", low=0, high=1, rule="0 ≤ 挽留成功率 ≤ 1 / rate in [0, 1]"),
        "contact_cost": Param("float", low=0, rule="联系成本 ≥ 0 元 / yuan per contact, ≥ 0"),
        "margin": MARGIN,
    },
    "06_tiers": {
        "tier_thresholds": Param("str", check=lambda v: _tier_thresholds(v),
                                 rule="如 0,1000,3000,10000：从 0 开始严格递增，四个等级 / four increasing thresholds from 0"),
        "tier_window_months": Param("int", low=1, high=36, rule="1 到 36 个月 / 1 to 36 months"),
        "tier_grace_months": Param("int", low=0, high=12, rule="0 到 12 个月 / 0 to 12 months"),
        "tier_basis": Param("str", choices=("spend", "points")),
        "points_expiry_months": Param("int", low=-1, high=120,
                                      rule="-1（沿用数据自带的积分规则）、0（不过期）到 120 个月 / -1 = the data's own "
                                           "programme rule, 0 = never, up to 120"),
        "value_per_point": Param("float", low=0, high=100, rule="每分价值 0 到 100 元 / yuan per point in [0, 100]"),
        "warn_share": Param("float", low=0, high=1, low_open=True, rule="0 < 提醒线 ≤ 1 / share in (0, 1]"),
        "margin": MARGIN,
    },
    "07_marketing": {
        "push_days": Param("int", low=1, high=365, rule="1 到 365 天 / 1 to 365 days"),
        "rules_days": Param("int", low=1, high=3650, rule="1 到 3650 天 / 1 to 3650 days"),
        "min_support": Param("float", low=0, high=1, low_open=True, rule="0 < 最小支持度 ≤ 1 / support in (0, 1]"),
        "min_confidence": Param("float", low=0, high=1, rule="0 ≤ 最小置信度 ≤ 1 / confidence in [0, 1]"),
        "rules_max_len": Param("int", low=2, high=4),
        "rec_test_days": Param("int", low=1, high=365, rule="1 到 365 天 / 1 to 365 days"),
        "als_factors": Param("int", low=1, high=256),
        "budget": Param("float", low=0, rule="预算 ≥ 0 元 / yuan, ≥ 0"),
        "contact_cost": Param("float", low=0, rule="联系成本 ≥ 0 元 / yuan per contact, ≥ 0"),
        "max_contacts": Param("int", low=0, high=100, rule="0 到 100 次 / 0 to 100 contacts"),
        "cap_days": Param("int", low=1, high=3650, rule="1 到 3650 天 / 1 to 3650 days"),
        "uplift": Param("float", low=0, high=1, rule="0 ≤ 增量购买率 ≤ 1 / uplift in [0, 1]"),
        "margin": MARGIN,
    },
    "08_experiments": {
        "alpha": Param("float", low=0, high=0.5, low_open=True, high_open=True, rule="0 < α < 0.5"),
        "power": Param("float", low=0.5, high=1, high_open=True, rule="0.5 ≤ 检验功效 < 1 / power in [0.5, 1)"),
        "target_lift": Param("float", low=0, high=1, low_open=True, high_open=True,
                             rule="0 < 目标提升 < 1（转化率的差）/ lift of a rate in (0, 1)"),
        "uplift_campaign": Param("str", rule="活动 ID，或留空 / campaign id or empty"),
        "margin": MARGIN,
        "coupon_cost": Param("float", low=0, rule="券成本 ≥ 0 元 / yuan per used coupon, ≥ 0"),
        "programme_cities": Param("str", rule="逗号分隔的城市，或留空 / comma-separated cities or empty"),
        "programme_launch": Param("str", check=_date_or_empty, rule="YYYY-MM-DD，或留空 / or empty"),
    },
    "09_feedback": {
        "keywords_top": Param("int", low=1, high=10, rule="每条反馈的关键词数 1 到 10 / keywords per message, 1 to 10"),
        "min_margin": Param("float", low=0, rule="分类把握度下限 ≥ 0 / category margin below which rules route, ≥ 0"),
        "complaint_precision": Param("float", low=0, high=1, low_open=True,
                                     rule="投诉队列精确率 0 < p ≤ 1 / complaint-queue precision in (0, 1]"),
    },
    "10_report": {
        "anomaly_threshold": Param("float", low=0, high=100, low_open=True,
                                   rule="异常门槛 0 < |z| ≤ 100 / robust-z threshold in (0, 100]"),
        "anomaly_window": Param("int", low=7, high=3650, rule="7 到 3650 天 / 7 to 3650 days"),
        "recent_days": Param("int", low=1, high=3650, rule="1 到 3650 天 / 1 to 3650 days"),
        "alerts_file": Param("str", check=lambda v: _alerts_file(v),
                             rule="告警规则 YAML 文件，或留空 / alert-rules YAML file or empty"),
    },
}


def _tier_thresholds(value: str) -> str | None:
    from helpers import tiers

    try:
        t = tiers.parse_thresholds(value)
    except ValueError as exc:
        return str(exc)
    if len(t) != len(tiers.TIER_NAMES):
        return f"需要 {len(tiers.TIER_NAMES)} 个门槛（{'、'.join(tiers.TIER_NAMES)}），得到 {len(t)} 个"
    return None


def _alerts_file(value: str) -> str | None:
    from .kpis import load_rules

    if value == "":
        return None
    try:
        load_rules(Path(value))
    except ValueError as exc:
        return str(exc)
    return None


def _k_range(values: dict[str, Any]) -> str | None:
    if values.get("k_min", 0) > values.get("k_max", 10**9):
        return f"k_min {values['k_min']} > k_max {values['k_max']}：聚类数下限不能大于上限 / k_min must not exceed k_max"
    return None


#: module key -> the modules whose outputs it reads (their part folders, metrics or member scores): with --jobs N it
#: starts only after they finished; a dependency outside the run (--modules) is ignored. Modules 00–05 each compute
#: from the snapshot alone. A module that reads another's results adds one line here, e.g. a KPI module reading the
#: CLV and churn scores: ``"10_report": ("04_clv", "05_segments")``.
MODULE_DEPENDS: dict[str, tuple[str, ...]] = {
    "10_report": ("06_tiers", "07_marketing", "08_experiments"),  # programme effects read from their parts
}


def depends_on(key: str) -> tuple[str, ...]:
    """The module keys module ``key`` reads (:data:`MODULE_DEPENDS`)."""
    return MODULE_DEPENDS.get(key, ())


#: module key -> checks across its parameters (on the values the module will run with, defaults included)
MODULE_CHECKS: dict[str, tuple[Callable[[dict[str, Any]], str | None], ...]] = {"05_segments": (_k_range,)}


def declared(key: str, name: str) -> Param | None:
    """The declaration of parameter ``name`` of module ``key`` (shared ones included), or ``None``."""
    if name in SHARED:
        return SHARED[name]
    return MODULE_PARAMETERS.get(key, {}).get(name)


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
            raise ValueError("期望整数（int）") from None
    if t == "float":
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("期望数字（float）") from None
        if not math.isfinite(value):
            raise ValueError("期望有限的数字，不能是 NaN 或无穷大 / must be a finite number")
        return value
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


def check_value(raw: str, param: Param) -> Any:
    """``raw`` cast to ``param.type`` and checked against its range / choices / check; ValueError saying the rule."""
    value = cast_value(raw, param.type)
    bad = False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if param.low is not None and (value < param.low or (param.low_open and value == param.low)):
            bad = True
        if param.high is not None and (value > param.high or (param.high_open and value == param.high)):
            bad = True
    if param.choices is not None and value not in param.choices:
        bad = True
    if bad:
        raise ValueError(f"超出允许范围 / out of range: {param.describe()}")
    if param.check is not None:
        problem = param.check(value)
        if problem:
            raise ValueError(problem)
    return value


def notebook_parameters(path: Path) -> dict[str, dict]:
    """The parameters a notebook declares: name -> {name, inferred_type_name, default, help}.

    Names, types and defaults come from parsing the ``parameters`` cell with :mod:`ast` (robust to any comment);
    the help text comes from papermill's inspection, which is what ``papermill --help-notebook`` shows. Note that
    papermill skips a parameter line holding more than one ``=`` (e.g. ``x: str = ""  # 留空 = 默认``), so comments
    in a parameters cell must not contain ``=`` (tests/test_notebook_lint.py checks it).
    """
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
