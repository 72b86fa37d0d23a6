"""Which files of a data directory are which contract table (file names, aliases, extensions).

A directory holds files named ``<table>.<ext>`` or ``<file alias>.<ext>`` (``订单.csv``); unknown files and
sub-folders are ignored, two files for one table or a table file with an unsupported extension are errors. A single
file is the ``orders`` table. The report run calls :func:`discover` too, so it accepts exactly what the loader reads.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from helpers import tables as T

from .reasons import DataFileError

#: file extensions the loader reads (lower case, with dot)
EXTENSIONS = (".csv", ".txt", ".tsv", ".parquet", ".pq", ".xlsx")
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
#: files named like a table but with one of these extensions are documentation, not data: ignored
_IGNORED_EXTENSIONS = (".md", ".rst", ".pdf", ".doc", ".docx", ".html", ".htm", ".yml", ".yaml")


def norm_name(s: str) -> str:
    """A header or file name as compared: NFKC (full-width → ASCII), BOM and whitespace, ``_`` / ``-`` removed,
    lower case. ``" Member_ID "`` and ``"memberid"`` are the same name."""
    s = unicodedata.normalize("NFKC", str(s)).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_\-]+", "", s)


def _split_name(p: Path) -> tuple[str, str]:
    stem, dot, rest = p.name.partition(".")
    return stem, (dot + rest).lower()


def _table_for_stem(stem: str) -> str | None:
    key = norm_name(stem)
    for t in T.TABLES.values():
        if key in {norm_name(s) for s in (t.name, *t.file_aliases)}:
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
        raise DataFileError(f"找不到数据路径：{path}", f"data path does not exist: {path}", path)
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
                f"表 {table} 有两个文件：{found[table].name} 和 {p.name}；请只保留一个。",
                f"two files for table {table!r}: {found[table].name} and {p.name}; keep only one.", p)
        found[table] = p
    if "orders" not in found:
        names = sorted(q.name for q in path.iterdir())
        raise DataFileError(
            f"目录 {path} 中没有订单表（orders，必需）。可接受的文件名：{_accepted_file_names('orders')}。"
            f"目录中的文件：{', '.join(names) or '无'}",
            f"directory {path} has no orders table (required). Accepted names: {_accepted_file_names('orders')}. "
            f"Found: {', '.join(names) or 'nothing'}", path, None)
    return found


def _check_extension(p: Path, whole_name: bool = True) -> None:
    """In a directory ``orders.csv.gz`` / ``orders.2025.csv`` are refused (not silently ignored)."""
    ext = p.suffix.lower()
    if ext not in EXTENSIONS or (whole_name and _split_name(p)[1] != ext):
        raise DataFileError(
            f"不支持的文件类型：{p.name}。支持 {', '.join(EXTENSIONS)}（xls 请在 Excel 中另存为 xlsx 或 CSV）。",
            f"unsupported file type: {p.name}. Supported: {', '.join(EXTENSIONS)} "
            f"(save .xls as .xlsx or CSV first).", p)

