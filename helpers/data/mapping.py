"""Which source header feeds which contract column: aliases, the analyst's column mapping, "did you mean".

Three sources, strongest first:

1. the analyst's mapping (``load(columns=...)``, format in ``docs/DATA_MAPPING.md``): ``{table: {field: header}}``
   and / or a flat ``{field: header}`` applied to every table that has the field;
2. a column's name, Chinese name and ``aliases`` from :mod:`helpers.tables`;
3. its ``weak_aliases``, only when 1 and 2 found nothing for that column.

Two headers that reach one column at the same strength (the same header twice, ``实付金额`` beside
``net_amount``) are a file-level :class:`DataFileError` naming both headers, the file and the column: the loader
never picks one silently. A header that matches nothing is kept as an extra column and reported with a "did you
mean" suggestion (:mod:`difflib` over the table's names and aliases); so is a header that lost to a stronger one.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from helpers import tables as T

from .discover import norm_name
from .reasons import DataFileError

DOC = "docs/DATA_MAPPING.md"


# ---- the analyst's mapping ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ColumnMapping:
    """``per_table``: table → {field: header}; ``flat``: {field: header} for every table having the field."""

    per_table: dict[str, dict[str, str]] = field(default_factory=dict)
    flat: dict[str, str] = field(default_factory=dict)
    source: Path | None = None

    def for_table(self, table: T.Table) -> tuple[dict[str, str], set[str]]:
        """({field: header} for this table, the fields whose header must be in the file: the per-table ones)."""
        names = {c.name for c in _fields(table)}
        explicit = {f: h for f, h in self.flat.items() if f in names}
        own = self.per_table.get(table.name, {})
        explicit.update(own)
        return explicit, set(own)


def _fields(table: T.Table) -> tuple[T.Column, ...]:
    return (*table.columns, *table.auxiliary)


def _all_fields() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t in T.TABLES.values():
        for c in _fields(t):
            out.setdefault(c.name, []).append(t.name)
    return out


def _mapping_error(zh: str, en: str, source: Path | None, column: str | None = None) -> DataFileError:
    where_zh = f"列映射 {source.name}" if source else "列映射 columns"
    where_en = f"column mapping {source.name}" if source else "column mapping"
    return DataFileError(f"{where_zh}：{zh}（格式见 {DOC}）", f"{where_en}: {en} (format: {DOC})", source, column)


def _did_you_mean(word: str, options) -> str | None:
    options = list(options)
    by_norm = {norm_name(o): o for o in options}
    hit = difflib.get_close_matches(norm_name(word), list(by_norm), n=1, cutoff=0.6)
    return by_norm[hit[0]] if hit else None


def _hint(word: str, options) -> tuple[str, str]:
    guess = _did_you_mean(word, options)
    return (f"你是不是指“{guess}”？", f" Did you mean {guess!r}?") if guess else ("", "")


def read_column_mapping(columns) -> ColumnMapping | None:
    """The analyst's mapping from a dict or a YAML file path; ``None`` stays ``None``. Raises
    :class:`DataFileError` naming the entry for an unknown table or field, or a header that is not text."""
    if columns is None:
        return None
    source = None
    if isinstance(columns, str | Path):
        source = Path(columns).expanduser()
        if not source.is_file():
            raise DataFileError(f"找不到列映射文件：{source}", f"column mapping file not found: {source}", source)
        import yaml

        try:
            obj = yaml.safe_load(source.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise _mapping_error(f"无法解析 YAML：{e}", f"cannot parse YAML: {e}", source) from e
    elif isinstance(columns, Mapping):
        obj = columns
    else:
        raise TypeError(f"columns must be a mapping or a YAML file path, got {type(columns).__name__}")
    obj = {} if obj is None else obj
    if not isinstance(obj, Mapping):
        raise _mapping_error("顶层必须是映射：字段 → 表头，或者表 → 字段 → 表头。",
                             "the top level must map field → header or table → {field: header}.", source)
    all_fields = _all_fields()
    per_table: dict[str, dict[str, str]] = {}
    flat: dict[str, str] = {}
    for key, value in obj.items():
        key = str(key).strip()
        if isinstance(value, Mapping):
            if key not in T.TABLES:
                zh, en = _hint(key, T.TABLES)
                raise _mapping_error(f"没有名为“{key}”的表。{zh}", f"unknown table {key!r}.{en}", source)
            names = [c.name for c in _fields(T.TABLES[key])]
            entries = {}
            for f, header in value.items():
                f = str(f).strip()
                if f not in names:
                    zh, en = _hint(f, names)
                    raise _mapping_error(f"表 {key} 没有字段“{f}”。{zh}", f"table {key} has no field {f!r}.{en}",
                                         source, f)
                entries[f] = _header_text(header, f, source)
            _one_field_per_header(entries, key, source)
            per_table[key] = entries
        else:
            if key not in all_fields:
                zh, en = _hint(key, all_fields)
                raise _mapping_error(f"没有字段“{key}”。{zh}", f"no table has a field {key!r}.{en}", source, key)
            flat[key] = _header_text(value, key, source)
    _one_field_per_header(flat, "*", source)
    return ColumnMapping(per_table, flat, source)


def _header_text(header, f: str, source: Path | None) -> str:
    if isinstance(header, bool) or header is None or isinstance(header, Mapping | list) or not str(header).strip():
        raise _mapping_error(f"字段 {f} 的表头必须是非空文本，而不是 {header!r}。",
                             f"the header of field {f} must be non-empty text, not {header!r}.", source, f)
    return str(header).strip()


def _one_field_per_header(entries: dict[str, str], table: str, source: Path | None) -> None:
    seen: dict[str, str] = {}
    for f, header in entries.items():
        if norm_name(header) in seen:
            other = seen[norm_name(header)]
            raise _mapping_error(f"表 {table} 中表头“{header}”同时映射到字段 {other} 和 {f}。",
                                 f"table {table}: header {header!r} is mapped to both {other} and {f}.", source, f)
        seen[norm_name(header)] = f


# ---- header → column ---------------------------------------------------------------------------------------------
@dataclass
class HeaderMap:
    mapping: dict[str, str]  # contract / auxiliary column → frame column name
    sources: dict[str, str]  # contract / auxiliary column → source header as written
    extras: list[str]  # frame columns passed through untouched (not in the contract)
    unrecognised: list[tuple[str, str | None]]  # (source header, suggested column or None), source order
    missing: list[str]  # optional contract columns the file does not have


def _alias_index(table: T.Table) -> dict[str, tuple[str, int]]:
    return _alias_index_of(table.name)


@functools.cache
def _alias_index_of(table_name: str) -> dict[str, tuple[str, int]]:
    """Normalised header → (column, tier): tier 0 for name / Chinese name / aliases, 1 for weak aliases."""
    table = T.TABLES[table_name]
    index: dict[str, tuple[str, int]] = {}
    for tier in (0, 1):
        for c in _fields(table):
            for name in c.names if tier == 0 else c.weak_aliases:
                index.setdefault(norm_name(name), (c.name, tier))
    return index


def _lookup(table: T.Table, header: str) -> tuple[str, int] | None:
    index = _alias_index(table)
    key = norm_name(header)
    hit = index.get(key)
    if hit is None:  # a trailing unit or note in parentheses: 实付金额(元)
        stripped = re.sub(r"\([^()]*\)$", "", key)
        hit = index.get(stripped) if stripped else None
    return hit


def suggest(table: T.Table, header: str) -> str | None:
    """The contract column a header most resembles (difflib over names and aliases), or None."""
    index = _alias_index(table)
    hit = difflib.get_close_matches(norm_name(header), list(index), n=1, cutoff=0.6)
    return index[hit[0]][0] if hit else None


def _label(headers: list[str], i: int) -> tuple[str, str]:
    return f"第 {i + 1} 列“{headers[i]}”", f"column {i + 1} {headers[i]!r}"


def map_headers(table: T.Table, headers: list[str], frame_names: list[str], path: Path,
                explicit: dict[str, str] | None = None, strict: set[str] | frozenset = frozenset()) -> HeaderMap:
    """Map a file's headers (as written, in order; ``frame_names`` are the frame's unique names for them)."""
    assigned: dict[str, int] = {}
    explicit_fields: set[str] = set()
    for f, wanted in (explicit or {}).items():
        pos = [i for i, h in enumerate(headers) if h == wanted] or [
            i for i, h in enumerate(headers) if norm_name(h) == norm_name(wanted)]
        if len(pos) > 1:
            raise _conflict(table, path, f, headers, pos[:2])
        if not pos:
            if f in strict:
                zh, en = _hint(wanted, headers)
                raise DataFileError(
                    f"文件 {path.name}（表 {table.name}）中没有列映射为字段 {f} 指定的表头“{wanted}”。{zh}"
                    f"文件中的列：{', '.join(headers)}",
                    f"file {path.name} (table {table.name}) has no header {wanted!r}, which the column mapping gives "
                    f"for field {f}.{en} Found columns: {', '.join(headers)}", path, f)
            continue
        other = next((g for g, i in assigned.items() if i == pos[0]), None)
        if other is not None:
            raise DataFileError(
                f"文件 {path.name}（表 {table.name}）：列映射把同一列“{wanted}”指定给了字段 {other} 和 {f}。",
                f"file {path.name} (table {table.name}): the column mapping gives header {wanted!r} to both "
                f"{other} and {f}.", path, f)
        assigned[f] = pos[0]
        explicit_fields.add(f)

    taken = set(assigned.values())
    candidates: dict[str, list[tuple[int, int]]] = {}
    unused: dict[int, str | None] = {}
    for i, h in enumerate(headers):
        if i in taken:
            continue
        hit = _lookup(table, h)
        if hit is None:
            unused[i] = None
        elif hit[0] in explicit_fields:
            unused[i] = hit[0]  # the analyst chose another header for this column
        else:
            candidates.setdefault(hit[0], []).append((hit[1], i))
    for f, found in candidates.items():
        tier = min(t for t, _ in found)
        best = [i for t, i in found if t == tier]
        if len(best) > 1:
            raise _conflict(table, path, f, headers, best[:2])
        assigned[f] = best[0]
        unused.update({i: f for t, i in found if t != tier})  # a weak alias beside a real one

    missing_required = [c for c in table.columns if c.required and c.name not in assigned]
    if missing_required:
        raise _missing_required(table, path, headers, missing_required, unused)
    order = sorted(unused)
    unrecognised = [(headers[i], unused[i] or suggest(table, headers[i])) for i in order]
    return HeaderMap(
        mapping={c.name: frame_names[assigned[c.name]] for c in _fields(table) if c.name in assigned},
        sources={c.name: headers[assigned[c.name]] for c in _fields(table) if c.name in assigned},
        extras=[frame_names[i] for i in order],
        unrecognised=unrecognised,
        missing=[c.name for c in table.columns if c.name not in assigned],
    )


def _conflict(table: T.Table, path: Path, f: str, headers: list[str], pos: list[int]) -> DataFileError:
    (a_zh, a_en), (b_zh, b_en) = _label(headers, pos[0]), _label(headers, pos[1])
    zh_name = table.column(f).zh
    return DataFileError(
        f"文件 {path.name}（表 {table.name}）有两列都对应字段 {f}（{zh_name}）：{a_zh}和{b_zh}。"
        f"请删除其中一列，或用列映射（columns=，见 {DOC}）指定用哪一列。",
        f"file {path.name} (table {table.name}): two columns map to field {f}: {a_en} and {b_en}. Drop one, or "
        f"say which one to use with a column mapping (columns=, see {DOC}).", path, f)


def _missing_required(table: T.Table, path: Path, headers: list[str], missing: list[T.Column],
                      unused: dict[int, str | None]) -> DataFileError:
    accepted = "; ".join(f"{c.name}: " + ", ".join(dict.fromkeys(c.names)) for c in missing)
    names = ", ".join(c.name for c in missing)
    zh_names = "、".join(f"{c.name}（{c.zh}）" for c in missing)
    wanted = {c.name for c in missing}
    guesses = [(headers[i], s) for i in unused if (s := unused[i] or suggest(table, headers[i])) in wanted]
    guess_zh = "".join(f"“{h}”可能就是 {s}；" for h, s in guesses)
    guess_en = "".join(f" {h!r} may be {s}." for h, s in guesses)
    if guesses:
        guess_zh = f"{guess_zh}若是，请用列映射（columns=，见 {DOC}）指定。"
        guess_en = f"{guess_en} If so, map it with a column mapping (columns=, see {DOC})."
    return DataFileError(
        f"文件 {path.name}（表 {table.name}）缺少必需的列 {zh_names}。可接受的列名：{accepted}。{guess_zh}"
        f"文件中的列：{', '.join(headers)}",
        f"file {path.name} (table {table.name}) is missing the required column(s) {names}. Accepted names: "
        f"{accepted}.{guess_en} Found columns: {', '.join(headers)}", path, missing[0].name)
