"""Deterministic JSON and CSV writing shared by the kernel side (:mod:`.outputs`) and the runner.

Why one place: metrics.json must be byte-identical when a run is repeated, so every writer rounds floats, sorts
keys and unwraps numpy / pandas scalars the same way.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

CSV_ENCODING = "utf-8-sig"  # Excel on a Chinese Windows opens UTF-8 only with the BOM


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
    Path(path).write_text(text + "\n", encoding="utf-8")


def write_csv(df: pd.DataFrame, path: Path, index: bool = False) -> None:
    """UTF-8 with BOM, ``\\n`` line ends: what Excel and CRM imports read."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=index, encoding=CSV_ENCODING, lineterminator="\n")
