"""Parsing by kind as DuckDB SQL: the pandas loader's :mod:`helpers.data.parse` rules, one SQL expression per
contract column, so that a raw export is typed inside DuckDB without ever becoming a pandas frame.

Every value takes the fast path of the pandas loader in SQL (a plain number, the common ``%Y-%m-%d %H:%M:%S``
timestamp, an exact category value, a 是/否 token). The values that need cleaning (``¥1,234.50``, ``2025年3月1日``,
full-width digits, ``已退款``, Excel serial dates) go through a vectorised Python function registered in DuckDB that
calls the pandas loader's own cleaning code on the *distinct* values of each batch — the two loaders share one
definition of every spelling, and the slow path costs per distinct dirty value, not per row.

:func:`column_sql` returns, for one contract column, the SQL of its text (stripped, NA tokens as NULL), its parsed
number (numeric kinds: before the minimum check, the 红冲 reversal amount), its typed value and its stage-2
problem (the :data:`helpers.data.REASONS` phrase or NULL), in the pandas loader's priority order.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as _replace

import numpy as np
import pandas as pd
import pyarrow as pa

from helpers import tables as T
from helpers.data import parse as P
from helpers.data.reasons import (
    R_BOOL,
    R_DATE,
    R_INTEGER,
    R_MINIMUM,
    R_MISSING,
    R_NEGATIVE,
    R_NOT_ALLOWED,
    R_NUMBER,
)

# what pyarrow's utf8_trim_whitespace strips (pandas' .str.strip on its default pyarrow strings)
_WS = r"[\x{09}-\x{0d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_PLAIN_NUMBER = r"[+-]?[0-9]+(\.[0-9]+)?"
_PLAIN_TS = r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-2][0-9]:[0-5][0-9]:[0-5][0-9]"


def lit(s: str) -> str:
    """A SQL string literal."""
    return "'" + str(s).replace("'", "''") + "'"


def ident(s: str) -> str:
    """A quoted SQL identifier."""
    return '"' + str(s).replace('"', '""') + '"'


#: code points of _WS (a cheap test of the first / last character before the regex)
_WS_CODES = "(9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, " \
            "8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)"


def strip_sql(t: str) -> str:
    """SQL: ``t`` without leading / trailing whitespace (the regex runs only where an end is whitespace)."""
    return (f"(CASE WHEN ascii({t}) IN {_WS_CODES} OR ascii(right({t}, 1)) IN {_WS_CODES} "
            f"THEN regexp_replace({t}, '^{_WS}+|{_WS}+$', '', 'g') ELSE {t} END)")


def _in_list(values) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


@dataclass
class ColumnSQL:
    """Three levels of one column: ``text`` (level 1, from the source), ``pre`` (level 2, from the text column:
    the parsed number / timestamp / category value, or None) and ``value`` / ``problem`` (level 3, from both)."""

    text: str
    pre: str | None
    value: str
    problem: str  # the stage-2 reason (before 红冲 relabelling) or NULL


TEXT, TYPED = "text", "typed"


def source_mode(col: T.Column, dtype: str) -> str:
    """Whether the pandas loader takes this source column as it is (typed) or through its text."""
    numeric = dtype in ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
                        "UINTEGER", "USMALLINT", "UTINYINT") or dtype.startswith("DECIMAL")
    if col.kind in ("money", "float", "int") and numeric:
        return TYPED
    if col.kind in ("datetime", "date") and (dtype.startswith("TIMESTAMP") or dtype == "DATE"):
        return TYPED
    if col.kind == "bool" and dtype == "BOOLEAN":
        return TYPED
    return TEXT


def text_sql(src: str, dtype: str, integral_float: bool = False) -> str:
    """The source value as text, stripped (the pandas loader's ``_as_text`` before its NA tokens)."""
    s = ident(src)
    if dtype == "VARCHAR":
        t = s
    elif dtype == "BOOLEAN":
        t = f"CASE WHEN {s} THEN 'True' WHEN NOT {s} THEN 'False' END"
    elif dtype in ("DOUBLE", "FLOAT") and integral_float:
        t = f"CASE WHEN isfinite({s}) THEN CAST(CAST({s} AS BIGINT) AS VARCHAR) END"
    elif dtype.startswith("TIMESTAMP"):
        t = f"strftime({s}, '%Y-%m-%d %H:%M:%S')"
    else:
        t = f"CAST({s} AS VARCHAR)"
    return strip_sql(t)


def na_sql(stripped: str) -> str:
    """SQL: the stripped text column ``stripped`` with the NA tokens (``NULL``, ``-``, ``#N/A`` …) as NULL."""
    x = ident(stripped)
    return f"(CASE WHEN strlen({x}) <= {max(len(v.encode()) for v in P._NA_TOKENS)} AND {x} IN {_in_list(P._NA_TOKENS)} THEN NULL ELSE {x} END)"


def level1_sql(col: T.Column, src: str, dtype: str, integral_float: bool = False) -> str:
    """Level 1 of a column: its stripped text (NA tokens still in: :func:`na_sql` is applied on top), or the typed
    source value (tz-aware times in local time)."""
    if source_mode(col, dtype) == TEXT:
        return text_sql(src, dtype, integral_float)
    if dtype == "TIMESTAMP WITH TIME ZONE":
        return f"CAST(timezone({lit(P.TZ)}, {ident(src)}) AS TIMESTAMP)"
    if col.kind in ("datetime", "date"):
        return f"CAST({ident(src)} AS TIMESTAMP)"
    if col.kind in ("money", "float", "int"):
        return f"CAST({ident(src)} AS DOUBLE)"
    return ident(src)


def slow_path(col: T.Column, t: str, mode: str) -> str | None:
    """SQL condition: the text value of column ``t`` needs the pandas loader's cleaning (None: never)."""
    x = ident(t)
    if mode == TYPED:
        return None
    if col.kind in ("money", "float", "int"):
        fast = f"TRY_CAST({x} AS DOUBLE)"
        return f"{x} IS NOT NULL AND NOT coalesce(regexp_full_match({x}, '{_PLAIN_NUMBER}') AND isfinite({fast}), FALSE)"
    if col.kind in ("datetime", "date"):
        fast = f"try_strptime({x}, '%Y-%m-%d %H:%M:%S')"
        return (f"{x} IS NOT NULL AND NOT coalesce(regexp_full_match({x}, '{_PLAIN_TS}') AND "
                f"{fast} >= TIMESTAMP '1900-01-01' AND {fast} < TIMESTAMP '2200-01-01', FALSE)")
    if col.kind == "category" and col.allowed is not None:
        return f"{x} IS NOT NULL AND {x} NOT IN {_in_list(col.allowed)}"
    return None


def column_sql(col: T.Column, t: str, pre: str, mode: str, slow: str = "NULL") -> ColumnSQL:
    """Levels 2 and 3 of one contract column whose level 1 is column ``t`` (see :func:`level1_sql`); ``pre`` is
    the name its level 2 gets; ``slow`` the SQL of the cleaned value where :func:`slow_path` holds (a column of
    the joined table of :func:`clean_distinct`, or NULL when no value needs cleaning)."""
    x, y = ident(t), ident(pre)
    missing = f"{x} IS NULL" if not (mode == TYPED and col.kind in ("money", "float", "int")) \
        else f"({x} IS NULL OR isnan({x}))"
    missing_rule = "" if col.nullable else f"WHEN {missing} THEN {lit(R_MISSING)} "
    dirty = slow_path(col, t, mode)
    if col.kind in ("money", "float", "int"):
        level2 = x if mode == TYPED else (  # typed numbers as they are (NaN missing, inf unparseable)
            f"(CASE WHEN {dirty} THEN {slow} ELSE TRY_CAST({x} AS DOUBLE) END)")
        unparsed = f"(NOT ({missing}) AND ({y} IS NULL OR NOT isfinite({y})))"
        checks = [(unparsed, R_NUMBER)]
        good = f"NOT ({missing}) AND NOT {unparsed}"
        if col.kind == "int":
            frac = f"({good} AND (fmod({y}, 1) <> 0 OR abs({y}) > 9007199254740992))"
            checks.append((frac, R_INTEGER))
            good = f"{good} AND NOT {frac}"
        if col.min_value is not None:
            checks.append((f"({good} AND {y} < {float(col.min_value)!r})",
                           R_NEGATIVE if col.kind == "money" and col.min_value == 0 else R_MINIMUM))
        any_bad = " OR ".join(c for c, _ in checks)
        typ = "BIGINT" if col.kind == "int" else "DOUBLE"
        value = f"(CASE WHEN {missing} OR {any_bad} THEN NULL ELSE CAST({y} AS {typ}) END)"
        problem = "(CASE " + missing_rule + " ".join(f"WHEN {c} THEN {lit(r)}" for c, r in checks) + " END)"
        return ColumnSQL(x, level2, value, problem)
    if col.kind in ("datetime", "date"):
        if mode == TYPED:
            level2, unparsed = x, "FALSE"
        else:
            level2 = f"(CASE WHEN {dirty} THEN {slow} ELSE try_strptime({x}, '%Y-%m-%d %H:%M:%S') END)"
            unparsed = f"({x} IS NOT NULL AND {y} IS NULL)"
        value = f"CAST(date_trunc('day', {y}) AS TIMESTAMP)" if col.kind == "date" else f"CAST({y} AS TIMESTAMP)"
        problem = f"(CASE {missing_rule}WHEN {unparsed} THEN {lit(R_DATE)} END)"
        return ColumnSQL(x, level2, value, problem)
    if col.kind == "bool" and mode == TYPED:
        return ColumnSQL(x, None, x, f"(CASE {missing_rule}END)" if missing_rule else "NULL")
    if col.kind in ("id", "str") or (col.kind == "category" and col.allowed is None):
        return ColumnSQL(x, None, x, f"(CASE {missing_rule}END)" if missing_rule else "NULL")
    if col.kind == "category":
        level2 = f"(CASE WHEN {dirty} THEN {slow} ELSE {x} END)"
        return ColumnSQL(x, level2, y, f"(CASE {missing_rule}WHEN {x} IS NOT NULL AND {y} IS NULL "
                                       f"THEN {lit(R_NOT_ALLOWED)} END)")
    if col.kind == "bool":
        value = (f"(CASE WHEN {x} IN {_in_list(P._TRUE)} THEN TRUE WHEN {x} IN {_in_list(P._FALSE)} "
                 f"THEN FALSE END)")
        return ColumnSQL(x, None, value, f"(CASE {missing_rule}WHEN {x} IS NOT NULL AND {value} IS NULL "
                                         f"THEN {lit(R_BOOL)} END)")
    raise ValueError(col.kind)  # pragma: no cover - KINDS is closed


# ---- the slow path: the pandas loader's own cleaning, once per distinct dirty value ---------------------------------
def clean_distinct(col: T.Column, values: pa.Array, excel: bool) -> pa.Table:
    """``k`` (the distinct dirty texts of one column) → ``v`` (the value the pandas loader's cleaning gives, NULL
    when it finds none): numbers through ``_parse_number_text``, times through ``_parse_datetime_text``,
    categories through the allowed values' and value aliases' normalised spellings."""
    s = pd.Series(values.to_pylist(), dtype="string")
    if col.kind in ("money", "float", "int"):
        p = P._parse_number_text(_replace(col, min_value=None, kind="float"), s, np.zeros(len(s), bool))
        v = pa.array(p.values.to_numpy(dtype="float64"), pa.float64(), from_pandas=True)
    elif col.kind in ("datetime", "date"):
        p = P._parse_datetime_text(_replace(col, kind="datetime"), s, np.zeros(len(s), bool), excel)
        v = pa.array(p.values.to_numpy(dtype="datetime64[us]"), pa.timestamp("us"), from_pandas=True)
    else:
        allowed, codes = list(col.allowed or ()), P._category_codes(col)
        v = pa.array([None if (c := codes.get(P.norm_name(x), -1)) < 0 else allowed[c] for x in s], pa.string())
    return pa.table({"k": values, "v": v})
