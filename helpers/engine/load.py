"""Raw export → validated Parquet on DuckDB (原始导出 → 校验后的 Parquet): the pandas loader's rules as SQL.

What
----
:func:`load_to_parquet` reads a data folder (or one orders file) the way :func:`helpers.data.load` does — the same
file discovery, header aliases and column mapping, parsing by kind, as-of scope, 红冲 reversals, keys and
duplicates, foreign keys, "before member registration" — but every row-level rule runs as DuckDB SQL over the
staged source (:mod:`.load_stage`, :mod:`.load_parse`), so a 50M-order export never becomes a pandas frame. It
writes to ``out_dir``:

* ``<table>.parquet`` — the kept rows of every table, contract columns in contract order then the extra source
  columns (timestamps in microseconds, so Spark reads them; ids and categories as strings);
* ``quarantine.parquet`` — ``table, file, row, column, reason, value`` with the reasons of
  :data:`helpers.data.REASONS`, row = the 1-based data-row position in the source file, value = the source text;
* ``counts.parquet`` (indexed by table), ``out_of_scope.parquet``, ``reversals.parquet``;
* ``snapshot.json`` — so that ``helpers.data.load(out_dir)`` reads the validated tables and hands back this
  quarantine and these counts (as for a report run's snapshot, ``helpers.report.snapshot``).

Counts reconcile as in the pandas loader: ``rows_read = rows_kept + rows_quarantined + rows_out_of_scope +
rows_reversal`` (checked before anything is written).

How (the pandas loader's stages, :mod:`helpers.data.process`, one SQL statement each)
--------------------------------------------------------------------------------------
One working table per source table holds each row's levels (text → parsed → value / problem per column) and its
verdict (kind, column, reason). Each stage is an ``UPDATE … WHERE kind IS NULL`` (first verdict wins), in the
pandas loader's order: own time after the as-of · referencing an out-of-scope row · lines of a folded 红冲 order ·
红冲 candidates (pending) · values column by column (contract order; relabelled on ``orders``) · duplicate key
(first valid occurrence kept) · foreign keys (kept / quarantined key sets of the referenced table) · before
registration · then the pending reversals are resolved against the kept originals and folded in. DuckDB runs on a
database file in a working folder under ``out_dir`` with a memory limit, so it spills to disk instead of failing.

Where the two loaders are not byte-equal (say so in tests): the pandera safety net (``schema check failed``) is not
run (it never fires on the pandas loader's own output either); timestamps are microseconds (pandas: nanoseconds;
a source with sub-microsecond digits loses them); a quarantined *typed* Parquet timestamp with fractional seconds
is shown as DuckDB casts it to text (pandas pads to the nanosecond); kept categoricals are strings, not pandas
categories. Every kept value, every quarantine (table, file, row, column, reason) and every count are the same.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from helpers import tables as T
from helpers.data.dataset import COUNT_COLUMNS, SNAPSHOT_MARKER
from helpers.data.discover import discover
from helpers.data.loader import _as_of
from helpers.data.mapping import map_headers, read_column_mapping
from helpers.data.reasons import (
    R_AFTER_AS_OF,
    R_BEFORE_REGISTRATION,
    R_DUPLICATE,
    R_FIELDS,
    R_NEGATIVE,
    R_NEGATIVE_NO_ORIGINAL,
    R_NOT_ALLOWED,
    R_REVERSAL_NO_ORIGINAL,
    DataFileError,
    reason_reference_out_of_scope,
    reason_reference_quarantined,
    reason_unknown,
)
from helpers.data.scope import cutoff_of

from .load_parse import (
    TEXT,
    clean_distinct,
    column_sql,
    ident,
    level1_sql,
    lit,
    na_sql,
    slow_path,
    source_mode,
)
from .load_reversals import PENDING, find_candidates, resolve
from .load_stage import ROW, Staged, stage

__all__ = ["EngineLoad", "load_to_parquet"]

Q, OOS, REV = "quarantined", "out_of_scope", "reversal"
_LAYOUTS = ("source", "member")
_OTHER_FILES = ("quarantine.parquet", "counts.parquet", "out_of_scope.parquet", "reversals.parquet", SNAPSHOT_MARKER)


@dataclass
class EngineLoad:
    """What :func:`load_to_parquet` wrote: ``out_dir``, the table files and the (small) counts."""

    out_dir: Path
    tables: dict[str, Path]
    counts: pd.DataFrame
    quarantine: Path
    as_of: pd.Timestamp | None
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # table → {contract column: source header}
    #: table → [(source header, suggested contract column or None)] for headers outside the contract (as
    #: ``Dataset.unrecognised``)
    unrecognised: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)

    def read(self, name: str) -> pd.DataFrame:
        """One kept table as pandas (small data, tests)."""
        return pd.read_parquet(self.tables[name])

    def read_quarantine(self) -> pd.DataFrame:
        return pd.read_parquet(self.quarantine)


@dataclass
class _Table:
    """One table in the working database: its contract, source, mapping and working table ``w_<name>``."""

    spec: T.Table
    path: Path
    staged: Staged
    mapping: dict[str, str]  # contract / auxiliary column → frame name
    extras: list[str]
    n_read: int = 0

    @property
    def w(self) -> str:
        return f"w_{self.spec.name}"

    def has(self, column: str) -> bool:
        return column in self.mapping


def _connect(work: Path, memory_limit: str | None, threads: int | None):
    import duckdb

    con = duckdb.connect()  # in memory; spills to temp_directory beyond memory_limit
    con.execute(f"SET temp_directory = {lit(work / 'spill')}")
    con.execute("SET preserve_insertion_order = false")
    if memory_limit:
        con.execute(f"SET memory_limit = {lit(memory_limit)}")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def load_to_parquet(data_dir, out_dir, as_of=None, *, tables=None, columns=None, memory_limit: str | None = "2GB",
                    threads: int | None = None, layout: str = "source") -> EngineLoad:
    """Validate a raw export on DuckDB and write the kept tables, the quarantine and the counts as Parquet.

    ``data_dir``, ``as_of``, ``tables`` and ``columns`` mean what they mean for :func:`helpers.data.load` (a
    referenced table that is not loaded is not checked against). ``out_dir`` is created; the ``<table>.parquet``
    files of an earlier load there are removed first (an ``out_dir`` holding the export itself is refused).
    ``memory_limit`` caps DuckDB (it spills to a working folder beyond it). ``layout``: ``"source"`` keeps every
    table in source-row order; ``"member"`` writes ``orders`` clustered by ``member_id`` then ``order_ts`` (source
    row on ties), the ids dictionary-encoded per row group — the layout the member summary reads without decoding
    the ids (:mod:`helpers.engine.columnar`; its cost and gain: docs/SCALE.md). Raises
    :class:`helpers.data.DataFileError` for the same file-level problems as the pandas loader, and when DuckDB runs
    out of memory or disk on a file (one sentence naming it)."""
    if layout not in _LAYOUTS:
        raise ValueError(f"layout must be one of {_LAYOUTS}, not {layout!r}")
    root = Path(data_dir).expanduser()
    wanted = None
    if tables is not None:
        wanted = ({tables} if isinstance(tables, str) else set(tables)) | {"orders"}
        unknown = sorted(wanted - set(T.TABLES))
        if unknown:
            raise ValueError(f"未知的表 unknown table(s) {unknown}；可选 known: {list(T.LOAD_ORDER)}")
    mapping = read_column_mapping(columns)
    as_of_ts = _as_of(as_of)
    cutoff = cutoff_of(as_of_ts)
    sources = discover(root)
    out = Path(out_dir)
    written = {out.resolve() / f"{n}.parquet" for n in T.TABLES} | {out.resolve() / f for f in _OTHER_FILES}
    clash = sorted(str(p) for p in sources.values() if p.resolve() in written)
    if clash:
        raise ValueError(f"out_dir would overwrite the export itself ({', '.join(clash)}); choose another folder / "
                         "输出目录会覆盖原始导出文件，请换一个目录")
    out.mkdir(parents=True, exist_ok=True)
    for n in T.TABLES:  # a table of an earlier load that this export does not have must not linger
        (out / f"{n}.parquet").unlink(missing_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".engine-load-", dir=out))
    import duckdb

    current = root
    try:
        con = _connect(work, memory_limit, threads)
        done: dict[str, _Table] = {}
        for name in T.LOAD_ORDER:
            if name not in sources or (wanted is not None and name not in wanted):
                continue
            current = sources[name]
            spec = T.TABLES[name]
            staged = stage(con, name, sources[name], work)
            explicit, strict = mapping.for_table(spec) if mapping else ({}, set())
            hm = map_headers(spec, staged.headers, staged.names, sources[name], explicit, strict)
            t = _Table(spec, sources[name], staged, hm.mapping, hm.extras)
            t.sources = hm.sources  # type: ignore[attr-defined]
            t.unrecognised = hm.unrecognised  # type: ignore[attr-defined]
            _build(con, t)
            _validate(con, t, done, cutoff)
            done[name] = t
        current = out
        return _write(con, done, out, as_of_ts, root, layout)
    except (duckdb.IOException, duckdb.OutOfMemoryException) as e:
        # the machine's limits, not the data: one sentence naming the file (the report exits 2 on it)
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        where = "写入" if current == out else "处理"
        raise DataFileError(f"DuckDB {where} {current} 时内存或磁盘不足（{first}），请调高 memory_limit 或腾出磁盘空间",
                            f"DuckDB ran out of memory or disk while {'writing' if current == out else 'processing'} "
                            f"{current} ({first}); raise memory_limit or free disk space", current) from None
    finally:
        try:
            con.close()
        except Exception:  # noqa: BLE001 - closing after an error
            pass
        shutil.rmtree(work, ignore_errors=True)


# ---- building the working table ----------------------------------------------------------------------------------
def _integral(con, t: _Table, src: str) -> bool:
    """Whether every finite-or-not value of a float column is integral (the pandas loader then reads it as Int64
    text): ``inf`` counts as not integral, NaN is ignored."""
    v = con.execute(f"SELECT bool_and(isfinite({ident(src)}) AND {ident(src)} = floor({ident(src)})) "
                    f"FROM {t.staged.view} WHERE NOT isnan({ident(src)})").fetchone()[0]
    return v is None or bool(v)


def _build(con, t: _Table) -> None:
    """``w_<table>``: row number, per mapped column text / parsed / value / problem, extras, verdict columns.

    Level 0 strips the source text, level 1 turns the NA tokens into NULL (materialised once as ``l_<table>``);
    the distinct values the SQL fast path cannot parse are cleaned by the pandas loader's own code
    (:func:`.load_parse.clean_distinct`) and joined back; levels 2 and 3 give parsed values and problems."""
    cols = [c for c in (*t.spec.columns, *t.spec.auxiliary) if t.has(c.name)]
    l0, l1, modes = [], [], {}
    for c in cols:
        src = t.mapping[c.name]
        dtype = t.staged.types.get(src, "VARCHAR")
        modes[c.name] = mode = source_mode(c, dtype)
        integral = dtype in ("DOUBLE", "FLOAT") and mode == TEXT and _integral(con, t, src)
        l0.append(f"{level1_sql(c, src, dtype, integral)} AS {ident('s_' + c.name)}")
        l1.append(f"{na_sql('s_' + c.name) if mode == TEXT else ident('s_' + c.name)} AS {ident('t_' + c.name)}")
    extras = [f"{ident(e)} AS {ident('x_' + e)}" for e in t.extras]
    level0 = ", ".join([ROW, *l0, *extras])
    level1 = ", ".join([ROW, *l1, *(ident("x_" + e) for e in t.extras)])
    lt = f"l_{t.spec.name}"
    # materialised: the slow-path queries below each read one column of it (through a view DuckDB would compute
    # every column's text again for each of them)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {lt} AS SELECT {level1} FROM (SELECT {level0} FROM {t.staged.view})")
    joins, l2, l3 = [], [], []
    for i, c in enumerate(cols):
        slow = "NULL"
        dirty = slow_path(c, "t_" + c.name, modes[c.name])
        if dirty is not None:
            values = con.sql(f"SELECT DISTINCT {ident('t_' + c.name)} FROM {lt} WHERE {dirty}").to_arrow_table()
            values = values.column(0).combine_chunks()
            if len(values):
                m = f"m_{t.spec.name}_{i}"
                con.register("_cleaned", clean_distinct(c, values.cast(pa.string()), t.staged.excel))
                con.execute(f"CREATE OR REPLACE TEMP TABLE {m} AS SELECT * FROM _cleaned")
                con.unregister("_cleaned")
                joins.append(f"LEFT JOIN {m} ON {m}.k = {lt}.{ident('t_' + c.name)}")
                slow = f"{m}.v"
        sql = column_sql(c, "t_" + c.name, "p_" + c.name, modes[c.name], slow)
        if sql.pre is not None:
            l2.append(f"{sql.pre} AS {ident('p_' + c.name)}")
        l3.append(f"{sql.value} AS {ident('v_' + c.name)}")
        l3.append(f"{sql.problem} AS {ident('e_' + c.name)}")
    level2 = ", ".join([f"{lt}.*", *l2])
    level3 = ", ".join(["*", *l3])
    con.execute(f"""CREATE OR REPLACE TABLE {t.w} AS
        SELECT {level3}, CAST(NULL AS VARCHAR) AS kind, CAST(NULL AS VARCHAR) AS vcol,
               CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS INTEGER) AS stage
        FROM (SELECT {level2} FROM {lt} {' '.join(joins)})""")
    con.execute(f"DROP TABLE {lt}")
    t.n_read = con.execute(f"SELECT count(*) FROM {t.w}").fetchone()[0] + len(t.staged.bad_rows)


def verdict(con, t: _Table, where: str, column: str, reason: str, kind: str = Q, stage: int = 0, *,
            frm: str = "", replace: bool = False) -> None:
    """Give rows matching ``where`` (and without a verdict yet, unless ``replace``) this verdict."""
    guard = "" if replace else f"{t.w}.kind IS NULL AND "
    con.execute(f"UPDATE {t.w} SET kind = {lit(kind)}, vcol = {lit(column)}, reason = {lit(reason)}, "
                f"stage = {stage} {frm} WHERE {guard}({where})")


def key_set(t: _Table, kind: str | None) -> str:
    """SQL subquery: the non-null key values of ``t``'s rows of one verdict kind (None: kept)."""
    k = ident("v_" + t.spec.key[0])
    cond = "kind IS NULL" if kind is None else f"kind = {lit(kind)}"
    return f"(SELECT DISTINCT {k} FROM {t.w} WHERE {cond} AND {k} IS NOT NULL)"


def _ref(t: _Table, fk: str, done: dict[str, _Table]) -> _Table | None:
    """The loaded referenced table of a foreign key, when it has a single mapped key (else not checked)."""
    ref_table, ref_col = t.spec.foreign_keys[fk]
    r = done.get(ref_table)
    if r is None or len(r.spec.key) != 1 or r.spec.key[0] != ref_col or not r.has(ref_col):
        return None
    return r


def _snapshot(con, name: str, sql: str) -> str:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
    return f"(SELECT * FROM {name})"


def _validate(con, t: _Table, done: dict[str, _Table], cutoff) -> None:
    spec, w = t.spec, t.w
    # stage 0: the table's own time after the as-of, then rows belonging to / pointing at out-of-scope rows
    if cutoff is not None:
        if spec.scope and t.has(spec.scope):
            verdict(con, t, f"v_{spec.scope} >= TIMESTAMP {lit(cutoff)}", spec.scope, R_AFTER_AS_OF, OOS, 1)
        for fk, (ref_table, ref_col) in spec.foreign_keys.items():
            if not t.has(fk):
                continue
            present = f"v_{fk} IS NOT NULL"
            if ref_table == spec.name:
                if not t.has(ref_col):
                    continue
                oos = _snapshot(con, "s_oos", f"SELECT DISTINCT v_{ref_col} v FROM {w} WHERE kind = 'out_of_scope' "
                                                f"AND v_{ref_col} IS NOT NULL")
                kept = _snapshot(con, "s_kept", f"SELECT DISTINCT v_{ref_col} v FROM {w} "
                                                f"WHERE kind IS DISTINCT FROM 'out_of_scope' AND v_{ref_col} IS NOT NULL")
                where = f"{present} AND v_{fk} NOT IN {kept} AND v_{fk} IN {oos}"
            else:
                r = _ref(t, fk, done)
                if r is None:
                    continue
                where = (f"{present} AND v_{fk} NOT IN {key_set(r, None)} AND v_{fk} NOT IN {key_set(r, Q)} "
                         f"AND v_{fk} IN {key_set(r, OOS)}")
            verdict(con, t, where, fk, reason_reference_out_of_scope(spec.name, fk), OOS, 2)
    # the lines of a folded 红冲 order are folded with it
    for fk, (ref_table, _) in spec.foreign_keys.items():
        r = _ref(t, fk, done) if t.has(fk) and ref_table != spec.name else None
        if r is not None:
            where = (f"v_{fk} IS NOT NULL AND v_{fk} NOT IN {key_set(r, None)} AND v_{fk} NOT IN {key_set(r, OOS)} "
                     f"AND v_{fk} NOT IN {key_set(r, Q)} AND v_{fk} IN {key_set(r, REV)}")
            verdict(con, t, where, fk, "part of a reversal line", REV, 3)
    tokens = find_candidates(con, t)
    # stage 2: values, column by column in contract order (the first problem of a row is its reason)
    checked = [c.name for c in spec.columns if t.has(c.name)]
    if checked:
        reasons = []
        for c in checked:
            e = f"e_{c}"
            if spec.name == T.REVERSAL.table and c == T.REVERSAL.amount:
                e = f"(CASE WHEN e_{c} = {lit(R_NEGATIVE)} THEN {lit(R_NEGATIVE_NO_ORIGINAL)} ELSE e_{c} END)"
            if spec.name == T.REVERSAL.table and c == T.REVERSAL.status and tokens:
                e = (f"(CASE WHEN e_{c} = {lit(R_NOT_ALLOWED)} AND {tokens} THEN {lit(R_REVERSAL_NO_ORIGINAL)} "
                     f"ELSE e_{c} END)")
            reasons.append((c, e))
        first_col = "CASE " + " ".join(f"WHEN e_{c} IS NOT NULL THEN {lit(c)}" for c, _ in reasons) + " END"
        con.execute(f"UPDATE {w} SET kind = 'quarantined', vcol = {first_col}, "
                    f"reason = coalesce({', '.join(e for _, e in reasons)}), stage = 4 "
                    f"WHERE kind IS NULL AND coalesce({', '.join(f'e_{c}' for c, _ in reasons)}) IS NOT NULL")
    # stage 3: duplicate key — the first valid occurrence is kept
    if spec.key and all(t.has(k) for k in spec.key):
        keys = ", ".join(f"v_{k}" for k in spec.key)
        dups = _snapshot(con, "s_dup", f"""SELECT {ROW} r FROM (SELECT {ROW}, row_number() OVER
            (PARTITION BY {keys} ORDER BY {ROW}) rn FROM {w} WHERE kind IS NULL AND
            {' AND '.join(f'v_{k} IS NOT NULL' for k in spec.key)}) WHERE rn > 1""")
        verdict(con, t, f"{ROW} IN (SELECT r FROM {dups})", ",".join(spec.key), R_DUPLICATE, Q, 5)
    # stage 4: foreign keys against the kept / quarantined rows of the referenced table (or of this one)
    for fk, (ref_table, ref_col) in spec.foreign_keys.items():
        if not t.has(fk):
            continue
        if ref_table == spec.name:
            if not t.has(ref_col):
                continue
            kept = _snapshot(con, "s_kept", f"SELECT DISTINCT v_{ref_col} v FROM {w} WHERE kind IS NULL "
                                            f"AND v_{ref_col} IS NOT NULL")
            quar = _snapshot(con, "s_quar", f"SELECT DISTINCT v_{ref_col} v FROM {w} WHERE kind IS NOT NULL "
                                            f"AND v_{ref_col} IS NOT NULL")
        else:
            r = _ref(t, fk, done)
            if r is None:
                continue
            kept, quar = key_set(r, None), key_set(r, Q)
        unknown = f"v_{fk} IS NOT NULL AND v_{fk} NOT IN {kept}"
        con.execute(f"""UPDATE {w} SET kind = 'quarantined', vcol = {lit(fk)}, stage = 6,
            reason = CASE WHEN v_{fk} IN {quar} THEN {lit(reason_reference_quarantined(spec.name, fk))}
                          ELSE {lit(reason_unknown(ref_table))} END
            WHERE kind IS NULL AND {unknown}""")
    # stage 5: a row's required time on an earlier calendar day than its member's registration
    members = done.get("members")
    if members is not None and spec.name != "members" and members.has("register_ts"):
        ev = next((c.name for c in spec.columns if c.kind == "datetime" and c.required), None)
        for fk, (ref_table, ref_col) in spec.foreign_keys.items():
            if ref_table != "members" or not t.has(fk) or ev is None or not t.has(ev):
                continue
            reg = (f"(SELECT v_{ref_col} mid, date_trunc('day', v_register_ts) d FROM {members.w} "
                   f"WHERE kind IS NULL) m")
            verdict(con, t, f"{w}.v_{fk} = m.mid AND date_trunc('day', {w}.v_{ev}) < m.d", ev,
                    R_BEFORE_REGISTRATION, Q, 7, frm=f"FROM {reg}")
    resolve(con, t)


# ---- output ------------------------------------------------------------------------------------------------------
def _value_text(t: _Table, column: str) -> str:
    """SQL of the offending source text of ``column`` (``a|b`` for a composite key), from the source view."""
    parts = [t.mapping[c] for c in column.split(",") if c in t.mapping]
    texts = [f"coalesce(CASE WHEN s.{ident(p)} THEN 'True' ELSE 'False' END, '')"  # pandas' text of a boolean
             if t.staged.types.get(p) == "BOOLEAN" else f"coalesce(CAST(s.{ident(p)} AS VARCHAR), '')" for p in parts]
    if not texts:
        return "''"
    return texts[0] if len(texts) == 1 else " || '|' || ".join(texts)


def _order_by(t: _Table, layout: str) -> str:
    """The row order a kept table is written in: source rows, or (member layout, orders) member then time."""
    if layout == "member" and t.spec.name == "orders" and t.has("member_id") and t.has("order_ts"):
        return f"v_member_id, v_order_ts, {ROW}"
    return ROW


def _write(con, done: dict[str, _Table], out: Path, as_of, root: Path, layout: str = "source") -> EngineLoad:
    counts, paths, quarantine, scope, listing = [], {}, [], [], []
    for name, t in done.items():
        n = dict(con.execute(f"SELECT coalesce(kind, 'kept'), count(*) FROM {t.w} GROUP BY ALL").fetchall())
        row = {"table": name, "rows_read": t.n_read, "rows_kept": n.get("kept", 0),
               "rows_quarantined": n.get(Q, 0) + len(t.staged.bad_rows), "rows_out_of_scope": n.get(OOS, 0),
               "rows_reversal": n.get(REV, 0)}
        if row["rows_read"] != sum(row[c] for c in COUNT_COLUMNS[1:]):
            raise AssertionError(f"row counts do not reconcile: {row}")
        counts.append(row)
        contract = [c.name for c in t.spec.columns if t.has(c.name)]
        cols = [f"v_{c} AS {ident(c)}" for c in contract]
        for e in t.extras:
            cols.append(f"{ident('x_' + e)} AS {ident(e if e not in contract else e + '.extra')}")
        if getattr(t, "add_status", False):
            cols.append(f"v_{T.REVERSAL.status} AS {ident(T.REVERSAL.status)}")
        paths[name] = out / f"{name}.parquet"
        con.execute(f"COPY (SELECT {', '.join(cols)} FROM {t.w} WHERE kind IS NULL ORDER BY {_order_by(t, layout)}) "
                    f"TO {lit(paths[name])} (FORMAT parquet, COMPRESSION zstd)")
        vcols = [r[0] for r in con.execute(f"SELECT DISTINCT vcol FROM {t.w} WHERE kind = 'quarantined'").fetchall()]
        if vcols:
            value = "CASE w.vcol " + " ".join(f"WHEN {lit(v)} THEN {_value_text(t, v)}" for v in vcols) + " END"
            quarantine.append(f"""SELECT {lit(name)} AS "table", {lit(t.path.name)} AS file, w.{ROW} AS "row",
                w.vcol AS "column", w.reason, {value} AS value
                FROM {t.w} w JOIN {t.staged.view} s ON s.{ROW} = w.{ROW} WHERE w.kind = 'quarantined'""")
        if t.staged.bad_rows:
            values = ", ".join(f"({lit(name)}, {lit(t.path.name)}, {int(r)}::BIGINT, '', {lit(R_FIELDS)}, "
                               f"{lit(text[:500])})" for r, text in t.staged.bad_rows)
            quarantine.append(f"""SELECT * FROM (VALUES {values}) v("table", file, "row", "column", reason, value)""")
        sc = T.TABLES[name].scope
        first = f"min(v_{sc}) FILTER (WHERE vcol = {lit(sc)})" if sc and t.has(sc) else "NULL"
        last = f"max(v_{sc}) FILTER (WHERE vcol = {lit(sc)})" if sc and t.has(sc) else "NULL"
        scope.append(f"""SELECT {lit(name)} AS "table", vcol AS "column", reason, count(*) AS rows,
            CAST({first} AS TIMESTAMP) AS first, CAST({last} AS TIMESTAMP) AS last, min(stage) AS stage
            FROM {t.w} WHERE kind = 'out_of_scope' GROUP BY ALL""")
        if getattr(t, "listing", None):
            listing.append(t.listing)
    order = {n: i for i, n in enumerate(done)}
    q_path = out / "quarantine.parquet"
    q_sql = " UNION ALL ".join(quarantine) if quarantine else (
        "SELECT '' AS \"table\", '' AS file, 0::BIGINT AS \"row\", '' AS \"column\", '' AS reason, '' AS value "
        "WHERE FALSE")
    tab_order = "CASE \"table\" " + " ".join(f"WHEN {lit(n)} THEN {i}" for n, i in order.items()) + " END"
    con.execute(f"COPY (SELECT * FROM ({q_sql}) ORDER BY {tab_order}, \"row\") TO {lit(q_path)} (FORMAT parquet)")
    counts_df = pd.DataFrame(counts).set_index("table")[COUNT_COLUMNS].astype("int64")
    counts_df.to_parquet(out / "counts.parquet")
    con.execute(f"""COPY (SELECT "table", "column", reason, rows, first, last FROM ({' UNION ALL '.join(scope)})
        ORDER BY {tab_order}, stage) TO {lit(out / 'out_of_scope.parquet')} (FORMAT parquet)""")
    rev_sql = " UNION ALL ".join(listing) if listing else (
        "SELECT '' AS \"table\", '' AS file, 0::BIGINT AS \"row\", '' AS order_id, '' AS original_order_id, "
        "0.0::DOUBLE AS amount, '' AS effect WHERE FALSE")
    con.execute(f"COPY ({rev_sql}) TO {lit(out / 'reversals.parquet')} (FORMAT parquet)")
    (out / SNAPSHOT_MARKER).write_text(json.dumps({
        "source": str(root), "as_of": None if as_of is None else str(as_of), "engine": "duckdb",
        "quarantine": "quarantine.parquet", "counts": "counts.parquet"}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    return EngineLoad(out, paths, counts_df, q_path, as_of,
                      {n: dict(getattr(t, "sources", {})) for n, t in done.items()},
                      {n: list(getattr(t, "unrecognised", [])) for n, t in done.items()})


__all__ += ["PENDING"]
