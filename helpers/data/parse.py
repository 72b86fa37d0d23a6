"""Parsing one raw column by the contract's kind, vectorised: a fast path for clean values, cleaning for the rest.

Datetimes in the usual Chinese export spellings (``2025-03-01 12:00:00``, ``2025/3/1 12:00``, ``2025年3月1日
12:00``, ISO with ``T`` or an offset, ``20250301``, Excel serial numbers in xlsx); money as ``¥1,234.50`` /
``1234.5元`` / full-width digits (a comma is a thousands separator only: ``12,5`` is not a number, never guessed);
booleans 是/否, Y/N, true/false, 1/0; closed categories case-insensitively and through the column's
``value_aliases`` (``已退款`` → ``refunded``). Empty cells and ``NULL`` / ``NaN`` / ``-`` / ``#N/A`` are missing.

:func:`parse` returns the typed values, the row masks of each problem (in priority order) and the missing mask;
deciding what happens to a row is the caller's job.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers import tables as T

from .discover import norm_name
from .reasons import R_BOOL, R_DATE, R_INTEGER, R_MINIMUM, R_NEGATIVE, R_NOT_ALLOWED, R_NUMBER

#: the time zone of every naive timestamp the loader returns
TZ = "Asia/Shanghai"

_NA_TOKENS = ["", "null", "NULL", "Null", "none", "None", "NONE", "nan", "NaN", "NAN", "nat", "NaT", "NAT",
              "n/a", "N/A", "#N/A", "na", "NA", "-", "--", "\\N"]
_TRUE = ["是", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "t", "T", "1", "1.0", "对", "√", "✓"]
_FALSE = ["否", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "f", "F", "0", "0.0", "×", "✗"]
_NUM_RE = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y%m%d",
               "%Y%m%d %H:%M:%S", "%Y%m%d%H%M%S")
_PY_STRING = pd.StringDtype("python")  # Python-regex string ops for the few values that need cleaning
_TS_MIN, _TS_MAX = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01")


@dataclass
class Parsed:
    values: pd.Series
    problems: list[tuple[np.ndarray, str]]  # (row mask, reason), in priority order
    missing: np.ndarray


def _is_text(s: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(s.dtype) or s.dtype == object


def _as_text(s: pd.Series) -> pd.Series:
    """Any column as stripped ``string`` text, missing → <NA>."""
    if not _is_text(s):
        if pd.api.types.is_float_dtype(s.dtype):
            vals = s.to_numpy(dtype="float64", na_value=np.nan)
            integral = np.isfinite(vals) & (np.mod(vals, 1) == 0)
            if integral[~np.isnan(vals)].all():
                s = s.astype("Int64")
        s = s.astype("string")
    else:
        s = s.astype("string")
    s = s.str.strip()
    return s.mask(s.isin(_NA_TOKENS))


def _missing_of(s: pd.Series) -> np.ndarray:
    return s.isna().to_numpy(dtype=bool)


def parse(col: T.Column, raw: pd.Series, excel: bool) -> Parsed:
    kind = col.kind
    if kind in ("money", "float", "int") and not _is_text(raw) and (
            pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype)):
        vals = raw.to_numpy(dtype="float64", na_value=np.nan)
        return _numeric_checks(col, vals, np.isnan(vals), np.isinf(vals))
    if kind in ("datetime", "date") and pd.api.types.is_datetime64_any_dtype(raw.dtype):
        s = raw
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert(TZ).dt.tz_localize(None)
        s = s.astype("datetime64[ns]")
        return _datetime_checks(col, s, s.isna().to_numpy(bool), np.zeros(len(s), bool))
    if kind == "bool" and pd.api.types.is_bool_dtype(raw.dtype):
        s = raw.astype("boolean")
        return Parsed(s, [], s.isna().to_numpy(bool))

    text = _as_text(raw)
    missing = _missing_of(text)
    if kind in ("id", "str"):
        return Parsed(text, [], missing)
    if kind == "category":
        return _parse_category(col, text, missing)
    if kind == "bool":
        t = text.isin(_TRUE).to_numpy(bool)
        f = text.isin(_FALSE).to_numpy(bool)
        values = pd.array(np.where(t, True, False), dtype="boolean")
        values[~(t | f)] = pd.NA
        return Parsed(pd.Series(values, index=raw.index), [(~missing & ~(t | f), R_BOOL)], missing)
    if kind in ("money", "float", "int"):
        return _parse_number_text(col, text, missing)
    return _parse_datetime_text(col, text, missing, excel)


@functools.cache
def _category_codes(col: T.Column) -> dict[str, int]:
    """Normalised spelling → category code: the allowed values and the column's value aliases."""
    allowed = list(col.allowed or ())
    codes = {norm_name(v): allowed.index(canonical) for v, canonical in col.value_aliases}
    codes.update({norm_name(a): i for i, a in enumerate(allowed)})
    return codes


def _parse_category(col: T.Column, text: pd.Series, missing: np.ndarray) -> Parsed:
    if col.allowed is None:
        return Parsed(text.astype("category"), [], missing)
    allowed = list(col.allowed)
    codes = (pc.index_in(pa.array(text, from_pandas=True), value_set=pa.array(allowed, pa.string()))
             .fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int16))
    todo = (codes < 0) & ~missing
    if todo.any():  # case-insensitive / full-width tolerant match and value aliases, only on the non-exact values
        codes[todo] = [_category_codes(col).get(norm_name(v), -1) for v in text[todo]]
    bad = (codes < 0) & ~missing
    values = pd.Series(pd.Categorical.from_codes(codes, categories=allowed), index=text.index)
    return Parsed(values, [(bad, R_NOT_ALLOWED)], missing)


def _clean_number_text(s: pd.Series, col: T.Column) -> pd.Series:
    """Currency signs, 元, thousands separators, full-width digits and the column's unit removed."""
    s = s.str.normalize("NFKC").str.replace("\u2212", "-", regex=False)
    for token in dict.fromkeys(["¥", "$", " ", "\u00a0", "元", "RMB", "rmb", "CNY", "cny", col.unit]):
        if token:
            s = s.str.replace(token, "", regex=False)
    # thousands separators only: "1,234.50" → 1234.5, but "12,5" stays non-numeric rather than becoming 125
    s = s.str.replace(r"(?<=\d),(?=\d{3}(?:\D|$))", "", regex=True)
    return s.str.strip()


def _parse_number_text(col: T.Column, text: pd.Series, missing: np.ndarray) -> Parsed:
    valid = text.str.fullmatch(_NUM_RE).fillna(False).to_numpy(bool)
    dirty = ~valid & ~missing
    if dirty.any():  # slow path only for the values that are not plain numbers already
        text = text.copy()
        cleaned = _clean_number_text(text[dirty].astype(_PY_STRING), col)
        text[dirty] = cleaned.astype("string")
        valid[dirty] = cleaned.str.fullmatch(_NUM_RE).fillna(False).to_numpy(bool)
    vals = np.full(len(text), np.nan)
    if valid.any():
        vals[valid] = _to_float(text[valid])
    valid &= np.isfinite(vals)
    vals[~valid] = np.nan
    return _numeric_checks(col, vals, missing, ~missing & ~valid)


def _to_float(text: pd.Series) -> np.ndarray:
    """Validated numeric text → float64 via one pyarrow cast (pandas' astype goes through Python objects)."""
    try:
        return pc.cast(pa.array(text, from_pandas=True), pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return text.astype("float64").to_numpy()


def _numeric_checks(col: T.Column, vals: np.ndarray, missing: np.ndarray, unparsed: np.ndarray) -> Parsed:
    problems = [(unparsed, R_NUMBER)]
    good = ~missing & ~unparsed
    if col.kind == "int":
        with np.errstate(invalid="ignore"):
            frac = good & ((np.mod(vals, 1) != 0) | (np.abs(vals) > 2**53))
        problems.append((frac, R_INTEGER))
        good &= ~frac
    if col.min_value is not None:
        with np.errstate(invalid="ignore"):
            low = good & (vals < col.min_value)
        problems.append((low, R_NEGATIVE if col.kind == "money" and col.min_value == 0 else R_MINIMUM))
    bad = np.zeros(len(vals), bool)
    for m, _ in problems:
        bad |= m
    clean = np.where(bad, np.nan, vals)
    if col.kind == "int":
        arr = pd.array(np.where(np.isnan(clean), 0, clean).astype("int64"), dtype="Int64")
        arr[np.isnan(clean)] = pd.NA
        values = pd.Series(arr)
    else:
        values = pd.Series(clean, dtype="float64")
    return Parsed(values, problems, missing)


def _normalise_datetime_text(s: pd.Series) -> pd.Series:
    """Chinese and slash / dot date spellings → ``YYYY-M-D H:M:S``."""
    s = (s.str.normalize("NFKC").str.replace(r"[年月]", "-", regex=True).str.replace("日", " ", regex=False)
         .str.replace(r"[时点]", ":", regex=True).str.replace("分", ":", regex=False).str.replace("秒", "", regex=False))
    return (s.str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", regex=True)
            .str.replace(r"(\d)T(\d)", r"\1 \2", regex=True)
            .str.replace(r"\s+", " ", regex=True).str.strip().str.rstrip(":"))


def _parse_datetime_text(col: T.Column, text: pd.Series, missing: np.ndarray, excel: bool) -> Parsed:
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = ~missing
    # fast path: the common export format straight from the text
    parsed = pd.to_datetime(text, format=_DT_FORMATS[0], errors="coerce")
    ok = parsed.notna().to_numpy(bool)
    out[ok] = parsed[ok].to_numpy(dtype="datetime64[ns]")
    todo &= ~ok
    s = text
    if todo.any():
        s = text.copy()
        s[todo] = _normalise_datetime_text(text[todo].astype(_PY_STRING)).astype("string")
    for fmt in _DT_FORMATS:
        if not todo.any():
            break
        sub = s[todo]
        parsed = pd.to_datetime(sub, format=fmt, errors="coerce")
        ok = parsed.notna().to_numpy(bool)
        if ok.any():
            idx = np.flatnonzero(todo)[ok]
            out[idx] = parsed[ok].to_numpy(dtype="datetime64[ns]")
            todo[idx] = False
    if todo.any():  # ISO 8601 with a UTC offset or Z
        sub = s[todo]
        tz = sub.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True).fillna(False).to_numpy(bool)
        if tz.any():
            parsed = pd.to_datetime(sub[tz], format="ISO8601", errors="coerce", utc=True)
            parsed = parsed.dt.tz_convert(TZ).dt.tz_localize(None)
            ok = parsed.notna().to_numpy(bool)
            idx = np.flatnonzero(todo)[np.flatnonzero(tz)[ok]]
            out[idx] = parsed[ok].to_numpy(dtype="datetime64[ns]")
            todo[idx] = False
    if excel and todo.any():  # Excel serial day numbers (cell not formatted as a date)
        sub = s[todo]
        num = sub.str.fullmatch(r"\d+(?:\.\d+)?").fillna(False).to_numpy(bool)
        if num.any():
            days = sub[num].astype("float64").to_numpy()
            okd = (days > 0) & (days < 110000)
            stamps = (pd.to_datetime(days[okd], unit="D", origin="1899-12-30").round("s")
                      .to_numpy(dtype="datetime64[ns]"))
            idx = np.flatnonzero(todo)[np.flatnonzero(num)[okd]]
            out[idx] = stamps
            todo[idx] = False
    values = pd.Series(out)
    outside = (values.notna() & ((values < _TS_MIN) | (values >= _TS_MAX))).to_numpy(bool)
    values[outside] = pd.NaT
    return _datetime_checks(col, values, missing, todo | outside)


def _datetime_checks(col: T.Column, values: pd.Series, missing: np.ndarray, unparsed: np.ndarray) -> Parsed:
    if col.kind == "date":
        values = values.dt.normalize()
    return Parsed(values.astype("datetime64[ns]"), [(unparsed, R_DATE)], missing)

