"""Reading one table file into raw text columns: CSV / TSV / TXT, xlsx (first sheet) and Parquet.

CSV and xlsx cells are read as text, so a bad value becomes a quarantined row, not a crash; Parquet columns that
already carry a type (timestamps, numbers, booleans) are kept as they are. A CSV record with the wrong number of
fields is set aside with its 1-based data-row number (it is quarantined as "wrong number of fields"). The source
headers are kept as written next to the unique frame names, so that a header written twice can be named.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .discover import TEXT_EXTENSIONS
from .encoding import detect_encoding
from .reasons import DataFileError


@dataclass
class Raw:
    """One source file as text columns (or typed Parquet columns), before any contract logic."""

    frame: pd.DataFrame  # one column per source column (names made unique: "x", "x.1"), RangeIndex
    rows: np.ndarray  # 1-based source data-row position of each frame row
    headers: list[str] = field(default_factory=list)  # the source headers as written (stripped), frame order
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, text) of structurally broken records
    excel: bool = False  # xlsx source: numbers in date columns are Excel serial dates
    encoding: str | None = None


def empty_file_error(path: Path) -> DataFileError:
    """The file-level error for a file with a header and no data rows (both loaders raise it)."""
    return DataFileError(f"文件 {path.name} 只有表头，没有数据行。", f"file {path.name} has a header but no data rows.",
                         path)


def csv_layout(path: Path) -> tuple[str, str, list[str]]:
    """(encoding, delimiter, header names) of a CSV / TSV file: the encoding detected from its bytes, the
    delimiter that occurs most in the first line (tab for .tsv). Empty files and files without a header row raise
    :class:`DataFileError`. The DuckDB loader (helpers.engine) reads CSVs with the same layout."""
    if path.stat().st_size == 0:
        raise DataFileError(f"文件 {path.name} 是空文件（0 字节）。", f"file {path.name} is empty (0 bytes).", path)
    encoding = detect_encoding(path)
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
        raise DataFileError(f"文件 {path.name} 没有表头（空文件）。", f"file {path.name} has no header row (empty).",
                            path)
    return encoding, delimiter, names


def read_csv(path: Path) -> Raw:
    encoding, delimiter, names = csv_layout(path)
    headers = _headers(names)
    names = _unique_names(headers)
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
        raise DataFileError(f"无法读取文件 {path.name}：{e}", f"cannot read file {path.name}: {e}", path) from e
    bad_rows = [(int(n) - 1, text) for n, text in bad]
    n_total = table.num_rows + len(bad_rows)
    rows = np.arange(1, n_total + 1, dtype=np.int64)
    if bad_rows:
        rows = np.setdiff1d(rows, np.array([r for r, _ in bad_rows], dtype=np.int64), assume_unique=True)
    frame = table.to_pandas()
    return Raw(frame, rows, headers, bad_rows, encoding=encoding)


def _headers(names: list) -> list[str]:
    """Source headers as written, stripped; an empty header becomes ``column_<position>``."""
    return [str(n).strip() if n is not None and str(n).strip() else f"column_{i + 1}" for i, n in enumerate(names)]


def _unique_names(names: list[str]) -> list[str]:
    """Frame column names: a header written twice becomes ``x`` and ``x.1``."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for n in names:
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


def read_xlsx(path: Path) -> Raw:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zip / xml errors of a damaged workbook
        raise DataFileError(f"无法读取 Excel 文件 {path.name}：{e}", f"cannot read Excel file {path.name}: {e}",
                            path) from e
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if header is None or all(v is None or str(v).strip() == "" for v in header):
            raise DataFileError(f"Excel 文件 {path.name} 的第一个工作表是空的（没有表头）。",
                                f"Excel file {path.name}: the first sheet is empty (no header row).", path)
        while header and header[-1] is None:
            header = header[:-1]
        headers = _headers(list(header))
        names = _unique_names(headers)
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
    return Raw(frame, np.asarray(rows, dtype=np.int64), headers, bad, excel=True)


def read_parquet(path: Path) -> Raw:
    try:
        table = pq.read_table(path)
    except Exception as e:
        raise DataFileError(f"无法读取 Parquet 文件 {path.name}：{e}", f"cannot read Parquet file {path.name}: {e}",
                            path) from e
    cols = {}
    headers = _headers(table.column_names)
    for name, col in zip(_unique_names(headers), table.columns, strict=True):
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        cols[name] = col
    frame = pa.table(cols).to_pandas() if cols else pd.DataFrame()
    return Raw(frame, np.arange(1, table.num_rows + 1, dtype=np.int64), headers)


def read(path: Path) -> Raw:
    ext = path.suffix.lower()
    if ext in TEXT_EXTENSIONS:
        raw = read_csv(path)
    elif ext in (".parquet", ".pq"):
        raw = read_parquet(path)
    else:
        raw = read_xlsx(path)
    if len(raw.frame) == 0 and not raw.bad_rows:
        raise empty_file_error(path)
    return raw

