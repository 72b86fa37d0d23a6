"""Shared plumbing of the quality package: input normalisation, the as-of rules, the tidy report frame.

Why one place: every dimension, the problem injector and the command line must read a ``Dataset``, a dict of
frames or a single orders frame the same way, resolve the same as-of date and decide "after the as-of date" and
"the row's own timestamp" exactly as the loader (``helpers.data``) does — otherwise the loader and the quality
report disagree about which rows are in scope.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from helpers.data import Dataset
from helpers.data.scope import cutoff_of
from helpers.tables import REVERSAL, TABLES, Table

#: report dimensions with their Chinese names, in report order (GB/T 36344-2018's 完整性 / 准确性 / 一致性 / 时效性,
#: uniqueness split out of its 准确性 indicators, and the course's own PII check 安全性)
DIMENSIONS = {
    "completeness": "完整性",
    "accuracy": "准确性",
    "consistency": "一致性",
    "timeliness": "时效性",
    "uniqueness": "唯一性",
    "security": "安全性",
}

REPORT_COLUMNS = ["dimension", "table", "column", "check", "n_checked", "n_failed", "share"]

MONEY_TOL = 0.01  # 元; two amounts closer than this are equal


def _frames(data) -> dict[str, pd.DataFrame]:
    """``{table: DataFrame}`` from a Dataset, a dict or a single DataFrame (= orders); absent tables dropped."""
    from helpers.quality.inject import Injected

    if isinstance(data, pd.DataFrame):
        return {"orders": data}
    if isinstance(data, Dataset):
        return data.tables
    if isinstance(data, Injected):
        data = data.data
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if isinstance(v, pd.DataFrame)}
    raise TypeError(f"expected a Dataset, a dict of DataFrames or a DataFrame, got {type(data).__name__}")


def _as_of(data, as_of) -> pd.Timestamp | None:
    """The as-of date that was *given* (argument, else the data set's own); ``None`` when nobody gave one."""
    if as_of is None:
        as_of = getattr(data, "as_of", None)
    return None if as_of is None or (isinstance(as_of, str) and not as_of.strip()) else pd.Timestamp(as_of)


def reference_date(data, as_of=None) -> pd.Timestamp | None:
    """The day the data refers to (midnight): the given as-of date, else the day of the last order.

    The same rule as ``Dataset.analysis_date`` and the report runner: deterministic, never the computer's clock
    (a check that used "today" would give a different answer every day on the same file). ``None`` without an
    as-of date and without orders."""
    given = _as_of(data, as_of)
    if given is not None:
        return given.normalize()
    orders = _frames(data).get("orders")
    if orders is None or "order_ts" not in orders.columns or orders.empty:
        return None
    last = _ts(orders["order_ts"]).max()
    return None if pd.isna(last) else last.normalize()


def cutoff(as_of: pd.Timestamp | None) -> pd.Timestamp | None:
    """First instant after the as-of date: a date without a time includes that whole day (the loader's rule, the
    loader's own function)."""
    return cutoff_of(as_of)


def event_column(table: Table | str) -> str | None:
    """The row's own timestamp, the one column that decides whether a row is after the as-of date: the data
    contract's ``Table.scope``, which the loader cuts at the as-of date too (``None`` for tables that follow their
    parents, e.g. order lines). One definition, so a row the loader kept is never reported "after as-of" here."""
    spec = TABLES.get(table) if isinstance(table, str) else table
    return None if spec is None else spec.scope


def reversal_column(table: Table | str) -> str | None:
    """The column of a 红冲 reversal line that names the original order (``tables.REVERSAL.reference``) when
    ``table`` is the one that carries reversals, else ``None``.

    A reversal line carries a negative amount and points at the order it reverses: it is a refund, not a wrong
    amount. The loader folds such lines into their original order, so the column is met in raw exports (and in
    frames an analyst builds), not in loaded tables."""
    name = table if isinstance(table, str) else table.name
    return REVERSAL.reference if REVERSAL.table == name else None


def reversal_lines(df: pd.DataFrame, table: str = "orders") -> np.ndarray:
    """Rows of ``df`` that are reversal lines: the reference to an original order is filled."""
    col = reversal_column(table)
    if col is None or col not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return ~_missing(df[col])


def _row(dimension, table, column, check, checked, failed) -> dict:
    return {"dimension": dimension, "table": table, "column": column, "check": check,
            "n_checked": int(np.count_nonzero(checked)), "n_failed": int(np.count_nonzero(failed))}


def _tidy(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=REPORT_COLUMNS[:-1])
    df["n_checked"] = df["n_checked"].astype("int64")
    df["n_failed"] = df["n_failed"].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        df["share"] = np.where(df["n_checked"] > 0, df["n_failed"] / df["n_checked"].clip(lower=1), 0.0)
    return df[REPORT_COLUMNS]


def _b(mask) -> np.ndarray:
    """Boolean numpy array with NA → False."""
    if isinstance(mask, pd.Series):
        return mask.fillna(False).to_numpy(dtype=bool, copy=True)
    return np.array(mask, dtype=bool)


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _ts(s: pd.Series) -> pd.Series:
    return s if pd.api.types.is_datetime64_any_dtype(s) else pd.to_datetime(s, errors="coerce")


def _is_text(s: pd.Series) -> bool:
    return (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)
            or isinstance(s.dtype, pd.CategoricalDtype))


def _missing(s: pd.Series) -> np.ndarray:
    """NA, empty or blank strings (also inside categoricals) → True."""
    miss = s.isna().to_numpy(dtype=bool, copy=True)
    if _is_text(s) and not isinstance(s.dtype, pd.CategoricalDtype):
        blank = s.astype("string").str.strip().eq("")
        miss |= _b(blank)
    elif isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Series(s.cat.categories.astype(str)).str.strip().eq("").to_numpy()
        codes = s.cat.codes.to_numpy()
        if len(cats):
            miss |= (codes >= 0) & cats[np.clip(codes, 0, None)]
    return miss


def _arrow_strings(s: pd.Series) -> pa.Array:
    arr = pa.array(s.astype("string[pyarrow]").array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
