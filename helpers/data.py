"""Loading, schema validation and quarantine of member-analytics data (数据加载、校验与隔离).

What
----
``load(path, as_of=None)`` reads a directory of tables (or a single file, taken as ``orders``) and returns a
:class:`Dataset`: one typed DataFrame per present table, a ``quarantine`` DataFrame with every rejected input row
and why, and ``counts`` that always reconcile (``rows_read == rows_kept + rows_quarantined``).

Why
---
The third user of the workbook is an analyst who points it at their own company export: CSV saved from Excel
(often GBK), Parquet from a warehouse, or an xlsx sheet, with Chinese header names (会员ID, 下单时间, 实付金额 …)
and the usual dirt (dates in five formats, "¥1,234.50", 是/否, duplicated order numbers, orders of members who do
not exist). The loader's promise to that analyst is: **every input row is either kept, typed and valid, or it is in
the quarantine with its table, file, source row, column, reason and offending value — never silently dropped**.
Problems that make a whole file unusable (undecodable bytes, a missing required column, an empty file …) raise
:class:`DataFileError` with a bilingual message naming the file and the column, instead of a pandas traceback.

Everything is derived from the data contract in :mod:`helpers.tables` (columns, kinds, aliases, allowed values,
minimums, keys, foreign keys); this module hard-codes no column list.

Reading
-------
* Directory: files named ``<table>.<ext>`` or ``<file alias>.<ext>`` (e.g. ``订单.csv``); extensions ``csv``,
  ``txt``, ``tsv``, ``parquet`` (``pq``), ``xlsx`` (first sheet). Unknown files and sub-folders (``truth/``) are
  ignored; two files for one table, or a table file with an unsupported extension, are errors.
* CSV encodings are detected: BOM → UTF-8-SIG / UTF-16; otherwise strict UTF-8, then GB18030 (a superset of GBK
  and GB2312), then charset-normalizer restricted to multi-byte encodings (UTF-16/32, Big5). A file that decoded as
  real multi-byte UTF-8 up to a bad byte is a damaged UTF-8 file and is *not* re-read as GB18030 mojibake; a GBK
  file whose few Chinese characters happen to form valid UTF-8 ("元" = D4 AA = "Ԫ") is recognised as GB18030. Bytes
  that no supported encoding decodes raise :class:`DataFileError` naming the byte offset and line.
* CSV and xlsx cells are read as text first, so a bad value becomes a quarantined row, not a crash. Parquet
  columns that already carry the right type (timestamps, numbers, booleans) are used as they are.
* Headers are matched case-insensitively after stripping whitespace, BOM, ``_`` / ``-`` and full-width forms
  (``实付金额(元)`` matches ``实付金额``). When two source columns map onto one contract column the better match wins
  (English name, then Chinese name, then the alias order) and the other passes through untouched. Unknown columns
  pass through untouched and are listed in :meth:`Dataset.summary`.

Row numbers
-----------
``quarantine.row`` is the 1-based data-row position in the source file: the first record below the header is row 1
(in Excel that is sheet row 2; blank lines / empty sheet rows are not records). ``quarantine.file`` is the file
name (``Dataset.sources`` has the full paths), ``column`` the contract column ("" for a broken CSV record,
"order_id,line_no" for a composite key) and ``value`` the offending source text, untouched.

Quarantine rules (one quarantine row per rejected source row)
--------------------------------------------------------------
Checks run in stages; a row that fails is quarantined **once**, with the **first** problem found (stages in the
order below, columns in contract order within a stage), so ``rows_quarantined`` counts source rows.

1. structure: a CSV record with the wrong number of fields;
2. values, column by column: missing value in a non-nullable column · unparseable date · non-numeric value ·
   not an integer · negative amount (money) / below minimum (other numbers) · value not allowed (closed category
   sets; matching is case-insensitive) · after the as-of date (the table's event time, i.e. its first ``datetime``
   column; a date-only ``as_of`` includes that whole day);
3. duplicate key: among rows that passed stage 2, the first occurrence in file order is kept;
4. foreign keys, when the referenced table is present: a value found only among the referenced table's quarantined
   rows gives "parent order quarantined" for the lines of a quarantined order (the key leads the child's key) or
   "referenced <x> quarantined" (an order of a quarantined member), otherwise "unknown <x>";
5. before member registration: a row of a table that references ``members`` whose required event time falls on an
   earlier calendar day than the member's ``register_ts`` (same-day is accepted: POS systems often stamp the
   registration a few seconds after the first purchase).

The kept frames are then validated with the pandera schema from :func:`schema_for`; anything it still rejects is
quarantined as "schema check failed" (a safety net that should never fire).

Values are parsed by kind, vectorised (a fast path for clean values, cleaning only for the rest): datetimes in the
usual Chinese export spellings (``2025-03-01 12:00:00``, ``2025/3/1 12:00``, ``2025年3月1日 12:00``, ISO with ``T``
or an offset, ``20250301``, Excel serial numbers in xlsx); money as ``¥1,234.50`` / ``1234.5元`` / full-width digits
(a comma is a thousands separator only: ``12,5`` is quarantined, never guessed); booleans 是/否, Y/N, true/false,
1/0; closed categories case-insensitively. Empty cells and ``NULL`` / ``NaN`` / ``-`` / ``#N/A`` are missing.

The reason vocabulary is fixed: :data:`REASONS` (each "english phrase / 中文").

Dtypes after load: ids and text ``string``, categoricals ``category``, money and floats ``float64`` (元), ints
``Int64``, booleans ``boolean``, timestamps and dates ``datetime64[ns]`` (naive, Asia/Shanghai local time).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from helpers import tables as T

__all__ = [
    "DEFAULT_DATA_DIR",
    "DataFileError",
    "Dataset",
    "EXTENSIONS",
    "QUARANTINE_COLUMNS",
    "REASONS",
    "discover",
    "isin_str",
    "load",
    "schema_for",
]

from helpers.paths import DEFAULT_DATA_DIR  # noqa: E402 - the course default data (checkout or installed)

#: file extensions the loader reads (lower case, with dot)
EXTENSIONS = (".csv", ".txt", ".tsv", ".parquet", ".pq", ".xlsx")
_TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
#: files named like a table but with one of these extensions are documentation, not data: ignored
_IGNORED_EXTENSIONS = (".md", ".rst", ".pdf", ".doc", ".docx", ".html", ".htm", ".yml", ".yaml")

QUARANTINE_COLUMNS = ["table", "file", "row", "column", "reason", "value"]
COUNT_COLUMNS = ["rows_read", "rows_kept", "rows_quarantined"]

TZ = "Asia/Shanghai"


# --------------------------------------------------------------------------------------------------------------
# errors and the reason vocabulary
# --------------------------------------------------------------------------------------------------------------
class DataFileError(ValueError):
    """A whole input file is unusable. The message is bilingual (Chinese first) and names the file and column."""

    def __init__(self, zh: str, en: str, path: Path | str | None = None, column: str | None = None):
        self.path = None if path is None else Path(path)
        self.column = column
        super().__init__(f"{zh}\n{en}")


R_FIELDS = "wrong number of fields / 字段数不符"
R_MISSING = "missing value / 缺少必填值"
R_DATE = "unparseable date / 日期无法解析"
R_NUMBER = "non-numeric value / 数值无法解析"
R_INTEGER = "not an integer / 不是整数"
R_BOOL = "unparseable boolean / 是否值无法解析"
R_NEGATIVE = "negative amount / 金额为负"
R_MINIMUM = "below minimum / 低于最小值"
R_NOT_ALLOWED = "value not allowed / 取值不在允许范围内"
R_AFTER_AS_OF = "after as-of date / 晚于分析截止日期"
R_DUPLICATE = "duplicate key / 主键重复"
R_BEFORE_REGISTRATION = "before member registration / 早于会员注册日期"
R_SCHEMA = "schema check failed / 模式校验未通过"


def _entity(table_name: str) -> tuple[str, str]:
    """(English, Chinese) name of one row of a referenced table: members → (member, 会员)."""
    t = T.TABLES[table_name]
    key_zh = t.column(t.key[0]).zh if t.key else t.zh
    return table_name.removesuffix("s"), re.sub(r"(ID|编号|号)$", "", key_zh)


def reason_unknown(ref_table: str) -> str:
    en, zh = _entity(ref_table)
    return f"unknown {en} / 未知{zh}"


def reason_parent_quarantined(ref_table: str) -> str:
    """The row belongs to a quarantined parent row (order line → order): "parent order quarantined"."""
    en, zh = _entity(ref_table)
    return f"parent {en} quarantined / 所属{zh}已隔离"


def reason_referenced_quarantined(ref_table: str) -> str:
    """The row points at a quarantined row it does not belong to (order → member): "referenced member …"."""
    en, zh = _entity(ref_table)
    return f"referenced {en} quarantined / 关联的{zh}已隔离"


def reason_reference_quarantined(table_name: str, column: str) -> str:
    """Parent wording when the foreign key leads the child's key (order_items.order_id), else referenced."""
    t = T.TABLES[table_name]
    ref_table = t.foreign_keys[column][0]
    if t.key and t.key[0] == column and ref_table != table_name:
        return reason_parent_quarantined(ref_table)
    return reason_referenced_quarantined(ref_table)


_FKS = [(t.name, col) for t in T.TABLES.values() for col in t.foreign_keys]
_REFERENCED = tuple(dict.fromkeys(T.TABLES[t].foreign_keys[c][0] for t, c in _FKS))

#: the complete, fixed vocabulary of quarantine reasons ("english phrase / 中文")
REASONS: tuple[str, ...] = (
    R_FIELDS, R_MISSING, R_DATE, R_NUMBER, R_INTEGER, R_BOOL, R_NEGATIVE, R_MINIMUM, R_NOT_ALLOWED,
    R_AFTER_AS_OF, R_DUPLICATE,
    *(reason_unknown(r) for r in _REFERENCED),
    *dict.fromkeys(reason_reference_quarantined(t, c) for t, c in _FKS),
    R_BEFORE_REGISTRATION, R_SCHEMA,
)


# --------------------------------------------------------------------------------------------------------------
# the Dataset
# --------------------------------------------------------------------------------------------------------------
class Dataset:
    """The loaded tables plus what was rejected. ``ds.orders`` / ``ds["orders"]`` / ``ds.get("orders")``."""

    def __init__(self, frames: dict[str, pd.DataFrame], quarantine: pd.DataFrame, counts: pd.DataFrame,
                 as_of: pd.Timestamp | None, sources: dict[str, Path], extra_columns: dict[str, list[str]],
                 missing_columns: dict[str, list[str]], root: Path):
        self._frames = {name: frames[name] for name in T.LOAD_ORDER if name in frames}
        self.quarantine = quarantine
        self.counts = counts
        self.as_of = as_of
        self.sources = {name: sources[name] for name in self._frames}
        #: table → source columns passed through untouched (not in the contract)
        self.extra_columns = extra_columns
        #: table → optional contract columns the source did not have
        self.missing_columns = missing_columns
        self.root = root

    # -- table access -------------------------------------------------------------------------------------------
    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in T.TABLES:
            return self.__dict__.get("_frames", {}).get(name)
        raise AttributeError(f"'Dataset' object has no attribute {name!r}")

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in T.TABLES:
            raise KeyError(f"没有名为 {name!r} 的表(可用的表:{', '.join(T.TABLES)}) / "
                           f"unknown table {name!r}; the contract has: {', '.join(T.TABLES)}")
        if name not in self._frames:
            zh = T.TABLES[name].zh
            raise KeyError(f"数据中没有 {name}({zh})表;已加载:{', '.join(self.present) or '无'} / "
                           f"table {name!r} is not present in this data set; loaded: {', '.join(self.present)}")
        return self._frames[name]

    def get(self, name: str, default=None):
        return self._frames.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._frames

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    @property
    def present(self) -> tuple[str, ...]:
        return tuple(self._frames)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return dict(self._frames)

    @property
    def analysis_date(self) -> pd.Timestamp | None:
        """The day an analysis of this data refers to (midnight): the as-of date when one was given, else the day
        of the last kept order; ``None`` without orders. Every module takes its ``AS_OF`` from here."""
        if self.as_of is not None:
            return self.as_of.normalize()
        orders = self._frames.get("orders")
        if orders is None or orders.empty:
            return None
        return orders["order_ts"].max().normalize()

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}={len(df):,}" for n, df in self._frames.items())
        return f"<Dataset {parts}; quarantined={len(self.quarantine):,}>"

    # -- reporting ----------------------------------------------------------------------------------------------
    def summary(self) -> str:
        """A readable bilingual text: what was loaded, per-table counts, quarantine by table × reason."""
        lines = ["数据加载摘要 · Data load summary", f"来源 · source: {self.root}",
                 f"截止日期 · as-of: {self.as_of.date() if self.as_of is not None else '未指定 / none'}", ""]
        header = f"{'table':<18} {'file':<24} {'rows_read':>12} {'rows_kept':>12} {'rows_quarantined':>17}"
        lines += ["表 · tables (读取 read / 保留 kept / 隔离 quarantined)", header, "-" * len(header)]
        for name, row in self.counts.iterrows():
            lines.append(f"{name:<18} {self.sources[name].name:<24} {row.rows_read:>12,} {row.rows_kept:>12,} "
                         f"{row.rows_quarantined:>17,}")
        absent = [n for n in T.LOAD_ORDER if n not in self._frames]
        if absent:
            lines += ["", "未提供的表(相关章节将跳过) · absent tables (their sections are skipped): " + ", ".join(absent)]
        extra = {t: cols for t, cols in self.extra_columns.items() if cols}
        if extra:
            lines += ["", "额外列(原样保留) · extra columns passed through untouched:"]
            lines += [f"  {t}: {', '.join(cols)}" for t, cols in extra.items()]
        missing = {t: cols for t, cols in self.missing_columns.items() if cols}
        if missing:
            lines += ["", "缺少的可选列 · optional columns not in the source:"]
            lines += [f"  {t}: {', '.join(cols)}" for t, cols in missing.items()]
        lines.append("")
        if len(self.quarantine):
            lines.append(f"隔离行 {len(self.quarantine):,} 行,按表与原因 · quarantined rows by table × reason:")
            by = self.quarantine.groupby(["table", "reason"], sort=False, observed=True).size()
            for (t, r), n in by.items():
                lines.append(f"  {t:<18} {r:<48} {n:>10,}")
        else:
            lines.append("没有隔离行 · no rows quarantined")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# pandera schemas
# --------------------------------------------------------------------------------------------------------------
def _dtype(col: T.Column):
    if col.kind in ("id", "str"):
        return "string"
    if col.kind == "category":
        return pd.CategoricalDtype(list(col.allowed)) if col.allowed is not None else "category"
    if col.kind in ("datetime", "date"):
        return "datetime64[ns]"
    if col.kind in ("money", "float"):
        return "float64"
    if col.kind == "int":
        return "Int64"
    if col.kind == "bool":
        return "boolean"
    raise ValueError(col.kind)  # pragma: no cover - KINDS is closed


def schema_for(table_name: str):
    """The pandera ``DataFrameSchema`` of one contract table, as the loader returns it.

    Dtypes by kind, nullability, ``min_value`` (ge), ``allowed`` (isin), uniqueness of the key; required
    columns must be present, optional ones may be absent; extra columns are allowed (``strict=False``).
    """
    import pandera.pandas as pa_

    t = T.TABLES[table_name]
    columns = {}
    for c in t.columns:
        checks = []
        if c.min_value is not None and c.kind in ("money", "float", "int"):
            checks.append(pa_.Check.ge(c.min_value))
        if c.allowed is not None:
            checks.append(pa_.Check.isin(list(c.allowed)))
        columns[c.name] = pa_.Column(_dtype(c), checks=checks, nullable=c.nullable, required=c.required,
                                     unique=len(t.key) == 1 and t.key[0] == c.name)
    unique = list(t.key) if len(t.key) > 1 else None
    return pa_.DataFrameSchema(columns, unique=unique, strict=False, name=t.name,
                               description=f"{t.zh} · {t.en}")


# --------------------------------------------------------------------------------------------------------------
# file discovery
# --------------------------------------------------------------------------------------------------------------
def _norm_name(s: str) -> str:
    s = unicodedata.normalize("NFKC", str(s)).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_\-]+", "", s)


def _split_name(p: Path) -> tuple[str, str]:
    stem, dot, rest = p.name.partition(".")
    return stem, (dot + rest).lower()


def _table_for_stem(stem: str) -> str | None:
    key = _norm_name(stem)
    for t in T.TABLES.values():
        if key in {_norm_name(s) for s in (t.name, *t.file_aliases)}:
            return t.name
    return None


def _accepted_file_names(table_name: str) -> str:
    t = T.TABLES[table_name]
    return ", ".join(f"{s}.{{csv,parquet,xlsx}}" for s in (t.name, *t.file_aliases))


def discover(path: Path) -> dict[str, Path]:
    """The table files :func:`load` would read: ``{table: path}`` (a single file is ``orders``).

    Raises :class:`DataFileError` when the path does not exist, has no orders file, holds two files for one table
    or a table file with an unsupported extension. The report run validates ``--data-dir`` and fingerprints the
    input with this, so that it accepts exactly what the loader reads."""
    if not path.exists():
        raise DataFileError(f"找不到数据路径:{path}", f"data path does not exist: {path}", path)
    if path.is_file():
        _check_extension(path, whole_name=False)
        return {"orders": path}
    found: dict[str, Path] = {}
    for p in sorted(path.iterdir()):
        if not p.is_file() or p.name.startswith((".", "~$")):
            continue
        stem, ext = _split_name(p)
        table = _table_for_stem(stem)
        if table is None or ext in _IGNORED_EXTENSIONS:
            continue
        _check_extension(p)
        if table in found:
            raise DataFileError(
                f"表 {table} 有两个文件:{found[table].name} 和 {p.name};请只保留一个。",
                f"two files for table {table!r}: {found[table].name} and {p.name}; keep only one.", p)
        found[table] = p
    if "orders" not in found:
        names = sorted(q.name for q in path.iterdir())
        raise DataFileError(
            f"目录 {path} 中没有订单表(orders,必需)。可接受的文件名:{_accepted_file_names('orders')}。"
            f"目录中的文件:{', '.join(names) or '无'}",
            f"directory {path} has no orders table (required). Accepted names: {_accepted_file_names('orders')}. "
            f"Found: {', '.join(names) or 'nothing'}", path, None)
    return found


def _check_extension(p: Path, whole_name: bool = True) -> None:
    """In a directory ``orders.csv.gz`` / ``orders.2025.csv`` are refused (not silently ignored)."""
    ext = p.suffix.lower()
    if ext not in EXTENSIONS or (whole_name and _split_name(p)[1] != ext):
        raise DataFileError(
            f"不支持的文件类型:{p.name}。支持 {', '.join(EXTENSIONS)}(xls 请在 Excel 中另存为 xlsx 或 CSV)。",
            f"unsupported file type: {p.name}. Supported: {', '.join(EXTENSIONS)} "
            f"(save .xls as .xlsx or CSV first).", p)


# --------------------------------------------------------------------------------------------------------------
# reading raw files
# --------------------------------------------------------------------------------------------------------------
@dataclass
class _Raw:
    frame: pd.DataFrame  # one column per source column (original names, made unique), RangeIndex
    rows: np.ndarray  # 1-based source data-row position of each frame row
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, text) of structurally broken records
    excel: bool = False  # xlsx source: numbers in date columns are Excel serial dates
    encoding: str | None = None


_CHUNK = 1 << 24
_MULTIBYTE_FALLBACKS = {"utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be",
                        "big5", "big5hkscs", "cp950"}


def _first_bad_byte(path: Path, encoding: str) -> tuple[int | None, int]:
    """Strictly decode the whole file. Returns (offset of the first undecodable byte or None, non-ASCII bytes seen
    before it)."""
    dec = codecs.getincrementaldecoder(encoding)("strict")
    pos, nonascii = 0, 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            final = not chunk
            pending = len(dec.getstate()[0])
            try:
                dec.decode(chunk, final=final)
            except UnicodeDecodeError as e:
                offset = pos - pending + e.start
                return offset, nonascii + _count_high(chunk[: max(e.start - pending, 0)])
            if final:
                return None, nonascii
            nonascii += _count_high(chunk)
            pos += len(chunk)


_HIGH_BYTES = bytes(range(128, 256))


def _count_high(b: bytes) -> int:
    return 0 if b.isascii() else len(b) - len(b.translate(None, _HIGH_BYTES))


def _locate(path: Path, offset: int) -> tuple[int, str | None]:
    """(1-based line number, source column name or None) of a byte offset, scanning in chunks."""
    line, line_start, pos = 1, 0, 0
    with open(path, "rb") as f:
        while pos < offset:
            chunk = f.read(min(_CHUNK, offset - pos))
            if not chunk:
                break
            n = chunk.count(b"\n")
            if n:
                line += n
                line_start = pos + chunk.rfind(b"\n") + 1
            pos += len(chunk)
        f.seek(0)
        header = f.readline(1 << 16)
        f.seek(line_start)
        prefix = f.read(min(offset - line_start, 1 << 16))
    if line == 1:
        return line, None
    try:
        head = header.decode("utf-8")
    except UnicodeDecodeError:
        head = header.decode("gb18030", errors="replace")
    head = head.lstrip("\ufeff").rstrip("\r\n")
    delimiter = max([",", "\t", ";", "|"], key=head.count)
    names = next(csv.reader([head], delimiter=delimiter), [])
    index = prefix.count(delimiter.encode())  # approximate: ignores quoted delimiters before the bad byte
    return line, (names[index].strip() if index < len(names) else None)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CJK_LIKE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u00a5\u00b7\u2014\u2018-\u201d\u2026]")
_LATIN = re.compile(r"[\u0080-\u024f\u2000-\u206f\u20ac]")  # accented letters, punctuation: plausible UTF-8


def _looks_like_gb18030(path: Path) -> bool:
    """A few GBK characters can form valid UTF-8 by accident ("元" = D4 AA = U+052A "Ԫ"). A file whose UTF-8
    reading has no Chinese at all and mostly exotic (non-Latin) characters, while its GB18030 reading is Chinese,
    is taken as GB18030."""
    with open(path, "rb") as f:
        sample = f.read(1 << 20)
    as_utf8 = sample.decode("utf-8", errors="ignore")
    n = len(_NON_ASCII.findall(as_utf8))
    if not n or _CJK_LIKE.search(as_utf8) or len(_LATIN.findall(as_utf8)) > n / 2:
        return False
    try:
        as_gb = sample.decode("gb18030", errors="strict")
    except UnicodeDecodeError as e:
        if e.start < len(sample) - 4:  # a real error, not a sequence cut at the sample's end
            return False
        as_gb = sample[: e.start].decode("gb18030")
    n_gb = len(_NON_ASCII.findall(as_gb))
    return n_gb > 0 and len(_CJK_LIKE.findall(as_gb)) >= 0.9 * n_gb


def _detect_encoding(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    failures: list[tuple[str, int]] = []
    for enc in candidates:
        bad, nonascii = _first_bad_byte(path, enc)
        if bad is None:
            if enc == "utf-8" and nonascii and _looks_like_gb18030(path):
                return "gb18030"
            return enc
        failures.append((enc, bad))
        if enc.startswith("utf-8") and nonascii >= 12:
            break  # a real UTF-8 file with damaged bytes: re-reading it as GB18030 would produce mojibake
    else:
        from charset_normalizer import from_bytes

        with open(path, "rb") as f:
            best = from_bytes(f.read(1 << 20)).best()
        if best is not None:
            enc = codecs.lookup(best.encoding).name.replace("-", "_")
            if enc in _MULTIBYTE_FALLBACKS and _first_bad_byte(path, enc)[0] is None:
                return enc
    enc, bad = max(failures, key=lambda f: f[1])  # the encoding that read furthest is the file's encoding
    line, column = _locate(path, bad)
    with open(path, "rb") as f:
        f.seek(max(bad - 8, 0))
        context = f.read(24)
    tried = " / ".join(e.upper() for e, _ in failures)
    col_zh = f"、列“{column}”" if column else ""
    col_en = f", column {column}" if column else ""
    raise DataFileError(
        f"文件 {path.name} 第 {line} 行{col_zh}(字节偏移 {bad})的内容无法按 {tried} 解码;"
        f"附近的字节:{context!r}。请用 Excel 或记事本另存为 UTF-8 或 GBK 编码的 CSV。",
        f"file {path.name}: bytes at offset {bad} (line {line}{col_en}) cannot be decoded as {tried}; "
        f"nearby bytes: {context!r}. Re-save the file as UTF-8 or GBK CSV.", path, column)


def _read_csv(path: Path) -> _Raw:
    if path.stat().st_size == 0:
        raise DataFileError(f"文件 {path.name} 是空文件(0 字节)。", f"file {path.name} is empty (0 bytes).", path)
    encoding = _detect_encoding(path)
    with open(path, "rb") as f:
        head = codecs.getincrementaldecoder(encoding)("replace").decode(f.read(1 << 16))
    head = head.lstrip("\ufeff")
    first_line = head.splitlines()[0] if head.strip() else ""
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        delimiter = max([",", "\t", ";", "|"], key=first_line.count)
    try:
        names = next(csv.reader(io.StringIO(head), delimiter=delimiter))
    except StopIteration:
        names = []
    if not [n for n in names if n.strip()]:
        raise DataFileError(f"文件 {path.name} 没有表头(空文件)。", f"file {path.name} has no header row (empty).",
                            path)
    names = _unique_names(names)
    arrow_encoding = "utf8" if encoding.startswith("utf-8") else encoding

    def read(threads: bool):
        bad: list[tuple[int | None, str]] = []

        def handler(row):
            bad.append((row.number, row.text))
            return "skip"

        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=arrow_encoding,
                                           use_threads=threads, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
        return table, bad

    try:
        table, bad = read(True)
        if any(n is None for n, _ in bad):
            table, bad = read(False)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as e:
        raise DataFileError(f"无法读取文件 {path.name}:{e}", f"cannot read file {path.name}: {e}", path) from e
    bad_rows = [(int(n) - 1, text) for n, text in bad]
    n_total = table.num_rows + len(bad_rows)
    rows = np.arange(1, n_total + 1, dtype=np.int64)
    if bad_rows:
        rows = np.setdiff1d(rows, np.array([r for r, _ in bad_rows], dtype=np.int64), assume_unique=True)
    frame = table.to_pandas()
    return _Raw(frame, rows, bad_rows, encoding=encoding)


def _unique_names(names: list) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        n = str(n).strip() if n is not None and str(n).strip() else f"column_{i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n}.{seen[n]}"
        else:
            seen[n] = 0
        out.append(n)
    return out


def _cell_text(v) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return str(int(v))
    return str(v)


def _read_xlsx(path: Path) -> _Raw:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zip / xml errors of a damaged workbook
        raise DataFileError(f"无法读取 Excel 文件 {path.name}:{e}", f"cannot read Excel file {path.name}: {e}",
                            path) from e
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if header is None or all(v is None or str(v).strip() == "" for v in header):
            raise DataFileError(f"Excel 文件 {path.name} 的第一个工作表是空的(没有表头)。",
                                f"Excel file {path.name}: the first sheet is empty (no header row).", path)
        while header and header[-1] is None:
            header = header[:-1]
        names = _unique_names(list(header))
        width = len(names)
        cols: list[list[str]] = [[] for _ in range(width)]
        rows: list[int] = []
        bad: list[tuple[int, str]] = []
        for pos, values in enumerate(it, start=1):
            if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            texts = [_cell_text(v) for v in values]
            if len(texts) > width and any(t != "" for t in texts[width:]):
                bad.append((pos, ",".join(texts)))
                continue
            texts += [""] * (width - len(texts))
            for j in range(width):
                cols[j].append(texts[j])
            rows.append(pos)
    finally:
        wb.close()
    frame = pd.DataFrame({n: pd.array(c, dtype="str") for n, c in zip(names, cols, strict=True)})
    return _Raw(frame, np.asarray(rows, dtype=np.int64), bad, excel=True)


def _read_parquet(path: Path) -> _Raw:
    try:
        table = pq.read_table(path)
    except Exception as e:
        raise DataFileError(f"无法读取 Parquet 文件 {path.name}:{e}", f"cannot read Parquet file {path.name}: {e}",
                            path) from e
    cols = {}
    for name, col in zip(_unique_names(table.column_names), table.columns, strict=True):
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        cols[name] = col
    frame = pa.table(cols).to_pandas() if cols else pd.DataFrame()
    return _Raw(frame, np.arange(1, table.num_rows + 1, dtype=np.int64))


def _read(path: Path) -> _Raw:
    ext = path.suffix.lower()
    if ext in _TEXT_EXTENSIONS:
        raw = _read_csv(path)
    elif ext in (".parquet", ".pq"):
        raw = _read_parquet(path)
    else:
        raw = _read_xlsx(path)
    if len(raw.frame) == 0 and not raw.bad_rows:
        raise DataFileError(f"文件 {path.name} 只有表头,没有数据行。", f"file {path.name} has a header but no data rows.",
                            path)
    return raw


# --------------------------------------------------------------------------------------------------------------
# header mapping
# --------------------------------------------------------------------------------------------------------------
def _map_headers(table: T.Table, source: list[str], path: Path) -> tuple[dict[str, str], list[str]]:
    """Return ({contract column: source column}, [extra source columns])."""
    lookup: dict[str, tuple[str, int]] = {}
    for c in table.columns:
        for prio, name in enumerate((c.name, c.zh, *c.aliases)):
            lookup.setdefault(_norm_name(name), (c.name, prio))
    best: dict[str, tuple[int, int, str]] = {}
    for i, src in enumerate(source):
        key = _norm_name(src)
        hit = lookup.get(key)
        if hit is None:
            stripped = re.sub(r"\([^()]*\)$", "", key)
            hit = lookup.get(stripped) if stripped else None
            if hit is not None:
                hit = (hit[0], hit[1] + 100)
        if hit is None:
            continue
        name, prio = hit
        if name not in best or (prio, i) < best[name][:2]:
            best[name] = (prio, i, src)
    mapping = {c.name: best[c.name][2] for c in table.columns if c.name in best}
    used = set(mapping.values())
    extras = [s for s in source if s not in used]
    missing = [c for c in table.columns if c.required and c.name not in mapping]
    if missing:
        accepted = "; ".join(f"{c.name}: " + ", ".join(dict.fromkeys((c.name, c.zh, *c.aliases))) for c in missing)
        names = ", ".join(c.name for c in missing)
        zh_names = "、".join(f"{c.name}({c.zh})" for c in missing)
        raise DataFileError(
            f"文件 {path.name}(表 {table.name})缺少必需的列 {zh_names}。可接受的列名:{accepted}。"
            f"文件中的列:{', '.join(source)}",
            f"file {path.name} (table {table.name}) is missing the required column(s) {names}. Accepted names: "
            f"{accepted}. Found columns: {', '.join(source)}", path, missing[0].name)
    return mapping, extras


# --------------------------------------------------------------------------------------------------------------
# parsing by kind (vectorised)
# --------------------------------------------------------------------------------------------------------------
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
class _Parsed:
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


def _parse(col: T.Column, raw: pd.Series, excel: bool) -> _Parsed:
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
        return _Parsed(s, [], s.isna().to_numpy(bool))

    text = _as_text(raw)
    missing = _missing_of(text)
    if kind in ("id", "str"):
        return _Parsed(text, [], missing)
    if kind == "category":
        return _parse_category(col, text, missing)
    if kind == "bool":
        t = text.isin(_TRUE).to_numpy(bool)
        f = text.isin(_FALSE).to_numpy(bool)
        values = pd.array(np.where(t, True, False), dtype="boolean")
        values[~(t | f)] = pd.NA
        return _Parsed(pd.Series(values, index=raw.index), [(~missing & ~(t | f), R_BOOL)], missing)
    if kind in ("money", "float", "int"):
        return _parse_number_text(col, text, missing)
    return _parse_datetime_text(col, text, missing, excel)


def _parse_category(col: T.Column, text: pd.Series, missing: np.ndarray) -> _Parsed:
    if col.allowed is None:
        return _Parsed(text.astype("category"), [], missing)
    allowed = list(col.allowed)
    codes = (pc.index_in(pa.array(text, from_pandas=True), value_set=pa.array(allowed, pa.string()))
             .fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int16))
    todo = (codes < 0) & ~missing
    if todo.any():  # case-insensitive / full-width tolerant match, only on the (few) non-exact values
        canon = {_norm_name(a): i for i, a in enumerate(allowed)}
        codes[todo] = [canon.get(_norm_name(v), -1) for v in text[todo]]
    bad = (codes < 0) & ~missing
    values = pd.Series(pd.Categorical.from_codes(codes, categories=allowed), index=text.index)
    return _Parsed(values, [(bad, R_NOT_ALLOWED)], missing)


def _clean_number_text(s: pd.Series, col: T.Column) -> pd.Series:
    """Currency signs, 元, thousands separators, full-width digits and the column's unit removed."""
    s = s.str.normalize("NFKC").str.replace("\u2212", "-", regex=False)
    for token in dict.fromkeys(["¥", "$", " ", "\u00a0", "元", "RMB", "rmb", "CNY", "cny", col.unit]):
        if token:
            s = s.str.replace(token, "", regex=False)
    # thousands separators only: "1,234.50" → 1234.5, but "12,5" stays non-numeric rather than becoming 125
    s = s.str.replace(r"(?<=\d),(?=\d{3}(?:\D|$))", "", regex=True)
    return s.str.strip()


def _parse_number_text(col: T.Column, text: pd.Series, missing: np.ndarray) -> _Parsed:
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


def _numeric_checks(col: T.Column, vals: np.ndarray, missing: np.ndarray, unparsed: np.ndarray) -> _Parsed:
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
    return _Parsed(values, problems, missing)


def _normalise_datetime_text(s: pd.Series) -> pd.Series:
    """Chinese and slash / dot date spellings → ``YYYY-M-D H:M:S``."""
    s = (s.str.normalize("NFKC").str.replace(r"[年月]", "-", regex=True).str.replace("日", " ", regex=False)
         .str.replace(r"[时点]", ":", regex=True).str.replace("分", ":", regex=False).str.replace("秒", "", regex=False))
    return (s.str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", regex=True)
            .str.replace(r"(\d)T(\d)", r"\1 \2", regex=True)
            .str.replace(r"\s+", " ", regex=True).str.strip().str.rstrip(":"))


def _parse_datetime_text(col: T.Column, text: pd.Series, missing: np.ndarray, excel: bool) -> _Parsed:
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


def _datetime_checks(col: T.Column, values: pd.Series, missing: np.ndarray, unparsed: np.ndarray) -> _Parsed:
    if col.kind == "date":
        values = values.dt.normalize()
    return _Parsed(values.astype("datetime64[ns]"), [(unparsed, R_DATE)], missing)


# --------------------------------------------------------------------------------------------------------------
# table processing
# --------------------------------------------------------------------------------------------------------------
def _event_column(table: T.Table) -> str | None:
    """The row's own timestamp: the first ``datetime`` column of the table."""
    return next((c.name for c in table.columns if c.kind == "datetime"), None)


def _cutoff(as_of: pd.Timestamp | None) -> pd.Timestamp | None:
    if as_of is None:
        return None
    return as_of + pd.Timedelta(days=1) if as_of == as_of.normalize() else as_of


class _Rejects:
    """First-problem-wins bookkeeping of rejected rows of one table (vectorised, one int code per row)."""

    def __init__(self, n: int):
        self.code = np.zeros(n, dtype=np.int32)
        self.labels: list[tuple[str, str]] = [("", "")]  # code → (column, reason)

    def add(self, mask: np.ndarray, column: str, reason: str) -> None:
        sel = mask & (self.code == 0)
        if sel.any():
            self.labels.append((column, reason))
            self.code[sel] = len(self.labels) - 1

    @property
    def ok(self) -> np.ndarray:
        return self.code == 0


@dataclass
class _Loaded:
    frame: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    key_values: dict[str, tuple[pd.Series, pd.Series]]  # column → (kept values, quarantined values)
    extras: list[str]
    missing_columns: list[str]


def _process(table: T.Table, path: Path, raw: _Raw, done: dict[str, _Loaded], cutoff: pd.Timestamp | None,
             ) -> _Loaded:
    mapping, extras = _map_headers(table, list(raw.frame.columns), path)
    n = len(raw.frame)
    rej = _Rejects(n)
    parsed: dict[str, _Parsed] = {}
    event_col = _event_column(table)

    # stage 2: values, column by column in contract order
    for c in table.columns:
        if c.name not in mapping:
            continue
        p = _parse(c, raw.frame[mapping[c.name]], raw.excel)
        p.values.index = raw.frame.index
        parsed[c.name] = p
        if not c.nullable:
            rej.add(p.missing, c.name, R_MISSING)
        for mask, reason in p.problems:
            rej.add(mask, c.name, reason)
        if cutoff is not None and c.name == event_col:
            rej.add((p.values >= cutoff).fillna(False).to_numpy(bool), c.name, R_AFTER_AS_OF)

    # stage 3: duplicate keys among rows that passed stage 2
    key = [k for k in table.key if k in parsed]
    if key and len(key) == len(table.key):
        ok = rej.ok
        keys = pd.DataFrame({k: parsed[k].values for k in key})
        dup = np.zeros(n, bool)
        dup[ok] = keys[ok].duplicated(keep="first").to_numpy(bool) & keys[ok].notna().all(axis=1).to_numpy(bool)
        rej.add(dup, ",".join(key), R_DUPLICATE)

    # stage 4: foreign keys, against the kept / quarantined rows of the referenced table
    for col, (ref_table, ref_col) in table.foreign_keys.items():
        if col not in parsed:
            continue
        if ref_table == table.name:
            if ref_col not in parsed:
                continue
            kept_vals = parsed[ref_col].values[rej.ok]
            quar_vals = parsed[ref_col].values[~rej.ok]
        elif ref_table in done and ref_col in done[ref_table].key_values:
            kept_vals, quar_vals = done[ref_table].key_values[ref_col]
        else:
            continue
        vals = parsed[col].values
        has = (~parsed[col].missing) & rej.ok
        known = isin_str(vals, kept_vals)
        unknown = has & ~known
        if unknown.any():
            parent_q = unknown & isin_str(vals, quar_vals)
            rej.add(parent_q, col, reason_reference_quarantined(table.name, col))
            rej.add(unknown & ~parent_q, col, reason_unknown(ref_table))

    # stage 5: event before the member registered (calendar day)
    members = done.get("members")
    for col, (ref_table, ref_col) in table.foreign_keys.items():
        if ref_table != "members" or table.name == "members" or col not in parsed or members is None:
            continue
        ev = next((c.name for c in table.columns if c.kind == "datetime" and c.required), None)
        if ev is None or ev not in parsed or "register_ts" not in members.frame:
            continue
        reg = members.frame.set_index(ref_col)["register_ts"].dt.normalize()
        reg_day = reg.reindex(pd.Index(parsed[col].values)).to_numpy(dtype="datetime64[ns]")
        early = parsed[ev].values.dt.normalize().to_numpy(dtype="datetime64[ns]") < reg_day  # NaT compares False
        rej.add(early & rej.ok, ev, R_BEFORE_REGISTRATION)

    # kept frame: contract columns (contract order) then extras, untouched
    ok = rej.ok
    everything = bool(ok.all())  # the common case: no copy through a boolean mask
    cols = {name: p.values if everything else p.values[ok] for name, p in parsed.items()}
    extras_out = []
    for e in extras:
        name = e if e not in cols else f"{e}.extra"  # an extra never overwrites a contract column
        cols[name] = raw.frame[e] if everything else raw.frame[e][ok]
        extras_out.append(name)
    frame = pd.DataFrame(cols).reset_index(drop=True)
    for c in table.columns:
        if c.name in frame and c.kind == "category" and c.allowed is None:
            frame[c.name] = frame[c.name].cat.remove_unused_categories()

    frame, rej, ok = _pandera_safety_net(table, frame, rej, ok)

    quarantine = _quarantine_frame(table, path, raw, rej, mapping)
    key_values = {}
    if len(table.key) == 1 and table.key[0] in parsed:
        k = parsed[table.key[0]].values
        key_values[table.key[0]] = (frame[table.key[0]], k[~ok])
    missing_cols = [c.name for c in table.columns if c.name not in mapping]
    return _Loaded(frame, quarantine, n + len(raw.bad_rows), key_values, extras_out, missing_cols)


def isin_str(values: pd.Series, value_set: pd.Series) -> np.ndarray:
    """``values.isin(value_set)`` compared as strings, as a boolean numpy array (missing values → False), via one
    pyarrow hash join: pandas' own ``isin`` on arrow strings converts the value set element by element in Python,
    which is slow on the millions of keys of a foreign-key check."""
    arr = pa.array(values.astype("string"), from_pandas=True)
    vs = pa.array(value_set.dropna().astype("string"), from_pandas=True)
    if len(vs) == 0:
        return np.zeros(len(arr), dtype=bool)
    return pc.is_in(arr, value_set=vs.unique()).fill_null(False).to_numpy(zero_copy_only=False)


def _pandera_safety_net(table: T.Table, frame: pd.DataFrame, rej: _Rejects, ok: np.ndarray):
    import pandera.errors as pe

    try:
        schema_for(table.name).validate(frame, lazy=True)
        return frame, rej, ok
    except pe.SchemaErrors as e:
        cases = e.failure_cases
    kept_pos = np.flatnonzero(ok)
    bad = cases.dropna(subset=["index"])
    if bad.empty:  # a frame-level failure (dtype) with no row to blame: a bug in this module, not in the data
        raise AssertionError(f"loader produced a frame that fails its own schema: {cases}")
    for column, grp in bad.groupby("column", sort=False):
        mask = np.zeros(len(ok), bool)
        mask[kept_pos[grp["index"].astype(int).unique()]] = True
        rej.add(mask, str(column), R_SCHEMA)
    keep = rej.ok[kept_pos]
    return frame[keep].reset_index(drop=True), rej, rej.ok


def _quarantine_frame(table: T.Table, path: Path, raw: _Raw, rej: _Rejects, mapping: dict[str, str]
                      ) -> pd.DataFrame:
    parts = []
    if raw.bad_rows:
        parts.append(pd.DataFrame({"row": [r for r, _ in raw.bad_rows], "column": "",
                                   "reason": R_FIELDS, "value": [t[:500] for _, t in raw.bad_rows]}))
    codes = rej.code
    for code in np.unique(codes[codes > 0]):
        column, reason = rej.labels[code]
        idx = np.flatnonzero(codes == code)
        srcs = [mapping[c] for c in column.split(",") if c in mapping]
        if len(srcs) == 1:
            value = _as_value_text(raw.frame[srcs[0]].iloc[idx])
        else:
            value = pd.Series(["|".join(v) for v in zip(*(_as_value_text(raw.frame[s].iloc[idx]) for s in srcs),
                                                         strict=True)], dtype="string")
        parts.append(pd.DataFrame({"row": raw.rows[idx], "column": column, "reason": reason,
                                   "value": value.to_numpy(dtype=object)}))
    if not parts:
        return _empty_quarantine()
    q = pd.concat(parts, ignore_index=True)
    q.insert(0, "file", path.name)
    q.insert(0, "table", table.name)
    return q.sort_values("row", kind="stable").reset_index(drop=True)


def _as_value_text(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("").reset_index(drop=True)


def _empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({"table": pd.Series(dtype="string"), "file": pd.Series(dtype="string"),
                         "row": pd.Series(dtype="int64"), "column": pd.Series(dtype="string"),
                         "reason": pd.Series(dtype="string"), "value": pd.Series(dtype="string")})


# --------------------------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------------------------
def load(path: str | Path | None = None, as_of=None, tables=None) -> Dataset:
    """Load a directory of tables (or one file = ``orders``) into a validated :class:`Dataset`.

    ``path`` defaults to :data:`DEFAULT_DATA_DIR`; an empty string means the same (the notebooks' parameter
    convention). ``as_of`` (date string or Timestamp) quarantines rows whose event time is after it; a date
    without a time includes that whole day. ``tables`` (optional) loads only those tables — ``orders`` always —
    which makes a module that needs two tables several times faster; a referenced table that is left out is
    simply not checked against (as when it is absent). Raises :class:`DataFileError` for file-level problems.
    """
    wanted = None
    if tables is not None:
        wanted = {tables} if isinstance(tables, str) else set(tables)
        unknown = sorted(wanted - set(T.TABLES))
        if unknown:
            raise ValueError(f"未知的表 unknown table(s) {unknown}; 可选 known: {list(T.LOAD_ORDER)}")
        wanted.add("orders")
    root = DEFAULT_DATA_DIR if path is None or str(path) == "" else Path(path).expanduser()
    as_of_ts = None if as_of is None or (isinstance(as_of, str) and not as_of.strip()) else pd.Timestamp(as_of)
    if as_of_ts is not None and as_of_ts.tzinfo is not None:
        as_of_ts = as_of_ts.tz_convert(TZ).tz_localize(None)
    sources = discover(root)
    cutoff = _cutoff(as_of_ts)
    done: dict[str, _Loaded] = {}
    for name in T.LOAD_ORDER:
        if name in sources and (wanted is None or name in wanted):
            done[name] = _process(T.TABLES[name], sources[name], _read(sources[name]), done, cutoff)
    quarantine = pd.concat([d.quarantine for d in done.values()], ignore_index=True) if done else None
    if quarantine is None or quarantine.empty:
        quarantine = _empty_quarantine()
    else:
        quarantine = quarantine.astype({"table": "string", "file": "string", "row": "int64", "column": "string",
                                        "reason": "string", "value": "string"})
    counts = pd.DataFrame(
        {"rows_read": [d.rows_read for d in done.values()],
         "rows_kept": [len(d.frame) for d in done.values()],
         "rows_quarantined": [int((quarantine["table"] == n).sum()) for n in done]},
        index=pd.Index(list(done), name="table"), dtype="int64")
    bad = counts[counts.rows_read != counts.rows_kept + counts.rows_quarantined]
    if len(bad):  # never a silent drop: this is a bug in this module if it ever fires
        raise AssertionError(f"row counts do not reconcile:\n{bad}")
    return Dataset({n: d.frame for n, d in done.items()}, quarantine, counts, as_of_ts, sources,
                   {n: d.extras for n, d in done.items()}, {n: d.missing_columns for n, d in done.items()}, root)
