"""The :class:`Dataset` that :func:`helpers.data.load` returns: tables, quarantine, counts and what was left out.

``ds.orders`` / ``ds["orders"]`` / ``ds.get("orders")`` give a table; besides the tables a Dataset carries

* ``quarantine`` — every rejected row (table, file, row, column, reason, value);
* ``counts`` — per table ``rows_read = rows_kept + rows_quarantined + rows_out_of_scope + rows_reversal``;
* ``out_of_scope`` — rows after the as-of by table, deciding column and reason (rows, first, last time);
* ``reversals`` — 红冲 lines folded into their original orders;
* ``unrecognised`` — per table the headers outside the contract with a "did you mean" suggestion;
* ``columns`` — per table which source header fed which contract column.

:meth:`Dataset.summary` prints all of it as bilingual text (``python -m helpers check`` and the report use it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from helpers import tables as T

COUNT_COLUMNS = ["rows_read", "rows_kept", "rows_quarantined", "rows_out_of_scope", "rows_reversal"]

#: The file that marks a folder as a report run's validated snapshot (written by ``helpers.report.snapshot`` and the
#: DuckDB loader; read by the loader, the trusted fast path and the engine dispatch).
SNAPSHOT_MARKER = "snapshot.json"


class Dataset:
    """The loaded tables plus what was rejected or left out. ``ds.orders`` / ``ds["orders"]`` / ``ds.get(...)``."""

    def __init__(self, frames: dict[str, pd.DataFrame], quarantine: pd.DataFrame, counts: pd.DataFrame,
                 as_of: pd.Timestamp | None, sources: dict[str, Path], extra_columns: dict[str, list[str]],
                 missing_columns: dict[str, list[str]], root: Path, *,
                 out_of_scope: pd.DataFrame | None = None, reversals: pd.DataFrame | None = None,
                 unrecognised: dict[str, list[tuple[str, str | None]]] | None = None,
                 columns: dict[str, dict[str, str]] | None = None):
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
        #: rows after the as-of: table, column (deciding time or foreign key), reason, rows, first, last
        self.out_of_scope = out_of_scope
        #: 红冲 lines folded into their original order: file, row, order_id, original_order_id, amount, effect
        self.reversals = reversals
        #: table → [(source header, suggested contract column or None)] for headers outside the contract
        self.unrecognised = unrecognised or {}
        #: table → {contract column: source header} as mapped
        self.columns = columns or {}

    # -- table access -------------------------------------------------------------------------------------------
    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in T.TABLES:
            return self.__dict__.get("_frames", {}).get(name)
        raise AttributeError(f"'Dataset' object has no attribute {name!r}")

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in T.TABLES:
            raise KeyError(f"没有名为 {name!r} 的表（可用的表：{', '.join(T.TABLES)}） / "
                           f"unknown table {name!r}; the contract has: {', '.join(T.TABLES)}")
        if name not in self._frames:
            zh = T.TABLES[name].zh
            raise KeyError(f"数据中没有 {name}（{zh}）表；已加载：{', '.join(self.present) or '无'} / "
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
        oos = int(self.counts["rows_out_of_scope"].sum()) if "rows_out_of_scope" in self.counts else 0
        return f"<Dataset {parts}; quarantined={len(self.quarantine):,}; out_of_scope={oos:,}>"

    # -- reporting ----------------------------------------------------------------------------------------------
    def summary(self) -> str:
        """A readable bilingual text: counts per table, out-of-scope rows, 红冲 reversals, unrecognised headers
        (with "did you mean"), absent tables and optional columns, quarantine by table × reason."""
        as_of = self.as_of.date() if self.as_of is not None else "未指定 / none"
        lines = ["数据加载摘要 · Data load summary", f"来源 · source: {self.root}", f"截止日 · as-of: {as_of}", ""]
        header = (f"{'table':<18} {'file':<24} {'rows_read':>11} {'rows_kept':>11} {'rows_quarantined':>16} "
                  f"{'rows_out_of_scope':>17} {'rows_reversal':>13}")
        lines += ["表 · tables（读取 read / 保留 kept / 隔离 quarantined / 截止日之后 out of scope / 红冲 reversal）",
                  header, "-" * len(header)]
        for name, row in self.counts.iterrows():
            lines.append(f"{name:<18} {self.sources[name].name:<24} {row.rows_read:>11,} {row.rows_kept:>11,} "
                         f"{row.rows_quarantined:>16,} {row.rows_out_of_scope:>17,} {row.rows_reversal:>13,}")
        if self.out_of_scope is not None and len(self.out_of_scope):
            lines += ["", "截止日之后的行（不计入分析，不是坏数据） · rows after the as-of (out of scope, not bad data):"]
            for r in self.out_of_scope.itertuples():
                span = f"  {r.first:%Y-%m-%d} … {r.last:%Y-%m-%d}" if pd.notna(r.first) else ""
                lines.append(f"  {r.table:<18} {r.column:<14} {r.reason:<48} {r.rows:>10,}{span}")
        if self.reversals is not None and len(self.reversals):
            eff = self.reversals["effect"].value_counts()
            lines += ["", f"红冲行已并入原订单 · reversal lines folded into their original order: {len(self.reversals):,}"
                      f"（全额退款 refunded {int(eff.get('refunded', 0)):,}，部分退款 partial "
                      f"{int(eff.get('net_reduced', 0)):,}）"]
        absent = [n for n in T.LOAD_ORDER if n not in self._frames]
        if absent:
            lines += ["", "未提供的表（相关章节将跳过） · absent tables (their sections are skipped): " + ", ".join(absent)]
        unrec = {t: cols for t, cols in self.unrecognised.items() if cols}
        if unrec:
            lines += ["", "未识别的列（原样保留，未参与分析；可用列映射 columns= 指定） · "
                          "unrecognised columns (passed through unused; map them with columns=):"]
            for t, cols in unrec.items():
                lines += [f"  {t}: " + ", ".join(f"{h}（是不是 {s}？did you mean {s}?）" if s else h for h, s in cols)]
        missing = {t: cols for t, cols in self.missing_columns.items() if cols}
        if missing:
            lines += ["", "缺少的可选列 · optional columns not in the source:"]
            lines += [f"  {t}: {', '.join(cols)}" for t, cols in missing.items()]
        lines.append("")
        if len(self.quarantine):
            lines.append(f"隔离行 {len(self.quarantine):,} 行，按表与原因 · quarantined rows by table × reason:")
            by = self.quarantine.groupby(["table", "reason"], sort=False, observed=True).size()
            for (t, r), n in by.items():
                lines.append(f"  {t:<18} {r:<48} {n:>10,}")
        else:
            lines.append("没有隔离行 · no rows quarantined")
        return "\n".join(lines)
