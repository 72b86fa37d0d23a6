"""Getting one raw table file into DuckDB with its 1-based source row numbers, streaming.

* **CSV / TSV / TXT**: tokenised by pyarrow's *streaming* CSV reader with exactly the pandas loader's options
  (:func:`helpers.data.readers.read_csv`: the same encoding detection, delimiter, header handling, quoting and
  "wrong number of fields" records), batch by batch into a staging Parquet file of text columns — so both loaders
  see the same records, and the orders never become a pandas frame. DuckDB's own CSV reader is not used: its
  sniffing, quoting and error recovery differ from pyarrow's, and it numbers no rows.
* **Parquet**: read by DuckDB itself (``read_parquet(..., file_row_number = true)``), typed columns as they are.
* **xlsx**: through the pandas loader's reader (an xlsx sheet holds at most about a million rows), then staged.

The result is a DuckDB view ``src_<table>`` with ``__row__`` (the source data-row number, as in the pandas
loader's quarantine) and one column per source column under the pandas loader's unique frame names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from helpers.data.discover import TEXT_EXTENSIONS
from helpers.data.readers import _headers, _unique_names, csv_layout, empty_file_error, read_xlsx
from helpers.data.reasons import DataFileError

from .load_parse import ident, lit

ROW = "__row__"


@dataclass
class Staged:
    view: str  # DuckDB view: __row__ plus the source columns under their frame names
    headers: list[str]  # source headers as written (stripped)
    names: list[str]  # unique frame names, same order
    types: dict[str, str] = field(default_factory=dict)  # frame name → DuckDB type
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, text) of broken CSV / xlsx records
    excel: bool = False


def _write_staged(path: Path, staged: Path, names: list[str], encoding: str, delimiter: str, handler,
                  threads: bool) -> int:
    """Stream the CSV records into ``staged`` (text columns plus ``__k__``, the 1-based good-record number) with
    the pandas loader's parse options; returns the number of good records."""
    n = 0
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24, use_threads=threads,
                                       encoding="utf8" if encoding.startswith("utf-8") else encoding),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=handler),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))
    schema = pa.schema([*reader.schema, pa.field("__k__", pa.int64())])
    with pq.ParquetWriter(staged, schema, compression="zstd") as writer:
        for batch in reader:
            k = np.arange(n + 1, n + batch.num_rows + 1, dtype=np.int64)
            writer.write_batch(pa.RecordBatch.from_arrays([*batch.columns, pa.array(k)], schema=schema))
            n += batch.num_rows
    return n


def _stage_csv(con, name: str, path: Path, work: Path) -> Staged:
    encoding, delimiter, names = csv_layout(path)
    headers = _headers(names)
    frame_names = _unique_names(headers)
    bad: list[tuple[int, str]] = []

    def handler(row):
        bad.append((row.number, row.text))
        return "skip"

    staged = work / f"{name}.raw.parquet"
    try:
        n = _write_staged(path, staged, frame_names, encoding, delimiter, handler, threads=True)
        if any(r is None for r, _ in bad):  # threaded reading does not number broken records: read again
            bad.clear()
            n = _write_staged(path, staged, frame_names, encoding, delimiter, handler, threads=False)
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as e:
        raise DataFileError(f"无法读取文件 {path.name}：{e}", f"cannot read file {path.name}: {e}", path) from e
    if n == 0 and not bad:
        raise empty_file_error(path)
    bad_rows = [(int(r) - 1, text) for r, text in bad]
    # good record k (1-based) sits at source row k + (number of broken records before it)
    gaps = np.sort(np.array([r for r, _ in bad_rows], dtype=np.int64)) - np.arange(1, len(bad_rows) + 1)
    con.execute(f"CREATE OR REPLACE TABLE gaps_{name} (gb BIGINT, cnt BIGINT)")
    if len(gaps):
        gb = np.unique(gaps)
        cnt = np.searchsorted(gaps, gb, side="right")
        con.executemany(f"INSERT INTO gaps_{name} VALUES (?, ?)", list(zip(gb.tolist(), cnt.tolist(), strict=True)))
    cols = ", ".join(f"s.{ident(c)}" for c in frame_names)
    con.execute(f"""CREATE OR REPLACE VIEW src_{name} AS
        SELECT s.__k__ + coalesce(g.cnt, 0) AS {ROW}, {cols}
        FROM read_parquet({lit(staged)}) s ASOF LEFT JOIN gaps_{name} g ON s.__k__ > g.gb""")
    return Staged(f"src_{name}", headers, frame_names, {c: "VARCHAR" for c in frame_names}, bad_rows)


def _stage_parquet(con, name: str, path: Path) -> Staged:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(path)})").fetchall()
        n = con.execute(f"SELECT count(*) FROM read_parquet({lit(path)})").fetchone()[0]
    except Exception as e:  # duckdb.Error of a damaged / non-Parquet file
        raise DataFileError(f"无法读取 Parquet 文件 {path.name}：{e}", f"cannot read Parquet file {path.name}: {e}",
                            path) from e
    if n == 0:
        raise empty_file_error(path)
    source = [d[0] for d in described]
    headers = _headers(source)
    names = _unique_names(headers)
    cols = ", ".join(f"{ident(s)} AS {ident(c)}" for s, c in zip(source, names, strict=True))
    con.execute(f"""CREATE OR REPLACE VIEW src_{name} AS SELECT file_row_number + 1 AS {ROW}, {cols}
                    FROM read_parquet({lit(path)}, file_row_number = true)""")
    types = {c: str(d[1]) for c, d in zip(names, described, strict=True)}
    return Staged(f"src_{name}", headers, names, types)


def _stage_xlsx(con, name: str, path: Path, work: Path) -> Staged:
    raw = read_xlsx(path)
    if len(raw.frame) == 0 and not raw.bad_rows:
        raise empty_file_error(path)
    names = list(raw.frame.columns)
    arrays = [pa.array(raw.frame[c].astype(str).tolist(), pa.string()) for c in names]
    staged = work / f"{name}.raw.parquet"
    pq.write_table(pa.table([pa.array(raw.rows, pa.int64()), *arrays], names=[ROW, *names]), staged)
    con.execute(f"CREATE OR REPLACE VIEW src_{name} AS SELECT * FROM read_parquet({lit(staged)})")
    return Staged(f"src_{name}", raw.headers, names, {c: "VARCHAR" for c in names}, raw.bad_rows, excel=True)


def stage(con, name: str, path: Path, work: Path) -> Staged:
    """The view ``src_<name>`` of one table file (see the module docstring)."""
    ext = path.suffix.lower()
    if ext in TEXT_EXTENSIONS:
        return _stage_csv(con, name, path, work)
    if ext in (".parquet", ".pq"):
        return _stage_parquet(con, name, path)
    return _stage_xlsx(con, name, path, work)
