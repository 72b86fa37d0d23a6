"""Load once on the scale path: with ``--engine duckdb`` or ``spark`` the runner validates the raw export on DuckDB
(:func:`helpers.engine.load_to_parquet`, streaming) instead of the pandas loader, so a big export never becomes a
pandas frame in the runner.

What the pandas path (:mod:`.snapshot`) does with a :class:`helpers.data.Dataset`, this module does with the
engine's output folder and small DuckDB queries over it:

* :func:`load_resolved_engine` — the export validated with the as-of given, or without one cut at the day of the
  last kept order (a second load only when some kept row lies after that day; those rows are then out of scope and
  counted), exactly as :func:`.snapshot.load_resolved`;
* :meth:`EngineSnapshot.data_summary` — the same data summary as :func:`.snapshot.data_summary` (per-table counts
  from the engine's, unrecognised headers from its header mapping, order facts from one query);
* :func:`write_snapshot_engine` — the same snapshot layout as :func:`.snapshot.write_snapshot`
  (``<table>.parquet``, ``truth/``, ``loader/quarantine.parquet`` and ``loader/counts.parquet`` typed as the pandas
  loader's, ``snapshot.json``), so modules 00 and 01 report the source's load as on the pandas path. The engine's
  out-of-scope summary and 红冲 listing are kept beside them in ``loader/``.

The runner also needs, for ``quarantine/`` and the rows of ``member_scores``, the loader's quarantine (a pandas
frame: one row per rejected source row, small) and the member ids of members and orders (one per member).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.data.dataset import SNAPSHOT_MARKER

from .jsonio import dump_json

__all__ = ["EngineSnapshot", "load_resolved_engine", "write_snapshot_engine"]

#: the engine's output files moved into ``loader/`` (the tables stay at the top, as in the pandas snapshot)
_LOADER_FILES = ("quarantine.parquet", "counts.parquet", "out_of_scope.parquet", "reversals.parquet")


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class EngineSnapshot:
    """What the report runner reads of a load on DuckDB: the attributes of a :class:`helpers.data.Dataset` it uses
    (``present``, ``counts``, ``quarantine``, ``unrecognised``, ``analysis_date``, ``get`` for the member ids), with
    the tables left as Parquet files in ``folder``."""

    engine_load = True

    def __init__(self, res, as_of: pd.Timestamp | None):
        from helpers.data.quarantine import empty_quarantine

        self.folder = Path(res.out_dir)
        self.tables = dict(res.tables)
        self.present = tuple(res.counts.index)  # the pandas loader's order (helpers.tables.LOAD_ORDER)
        self.counts = res.counts
        self.as_of = as_of
        self.unrecognised = res.unrecognised
        q = pd.read_parquet(res.quarantine)  # one row per rejected source row; typed as the pandas loader's
        self.quarantine = q.astype(empty_quarantine().dtypes.to_dict()).reset_index(drop=True)

    def _sql(self, query: str) -> list[tuple]:
        import duckdb

        with duckdb.connect() as con:
            return con.execute(query).fetchall()

    def _columns(self, name: str) -> dict[str, str]:
        """Column name → DuckDB type of a kept table."""
        return {r[0]: r[1] for r in self._sql(f"DESCRIBE SELECT * FROM read_parquet({_sql_path(self.tables[name])})")}

    @property
    def analysis_date(self) -> pd.Timestamp | None:
        """As :attr:`helpers.data.Dataset.analysis_date`: the as-of day, else the day of the last kept order."""
        if self.as_of is not None:
            return pd.Timestamp(self.as_of).normalize()
        last = self._sql(f"SELECT max(order_ts) FROM read_parquet({_sql_path(self.tables['orders'])})")[0][0]
        return None if last is None else pd.Timestamp(last).normalize()

    def rows_after(self, day: pd.Timestamp) -> bool:
        """Whether any kept row of any table has a time after ``day`` (as :func:`.snapshot._rows_after`)."""
        cut = (day + pd.Timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
        for name in self.present:
            times = [c for c, t in self._columns(name).items() if t.startswith("TIMESTAMP")]
            if times:
                test = " OR ".join(f"{_ident(c)} >= TIMESTAMP '{cut}'" for c in times)
                if self._sql(f"SELECT count(*) FROM (SELECT 1 FROM read_parquet({_sql_path(self.tables[name])}) "
                             f"WHERE {test} LIMIT 1)")[0][0]:
                    return True
        return False

    def get(self, name: str, default=None):
        """For the runner's list of member ids: a one-column frame of the distinct member ids of ``name``."""
        if name not in self.tables or "member_id" not in self._columns(name):
            return default
        import duckdb

        with duckdb.connect() as con:  # one per member, through Arrow (no Python tuple per row)
            ids = con.sql(f"SELECT DISTINCT CAST(member_id AS VARCHAR) AS member_id FROM "
                          f"read_parquet({_sql_path(self.tables[name])}) WHERE member_id IS NOT NULL").to_arrow_table()
        return pd.DataFrame({"member_id": ids.column(0).to_pandas().astype("string")})

    def data_summary(self, as_of: pd.Timestamp | None, as_of_given: bool) -> dict[str, Any]:
        """The data summary of :func:`.snapshot.data_summary`, from the engine's counts and DuckDB queries.
        ``net_amount_total`` is summed by DuckDB (``fsum``): it may differ from the pandas sum in the last bits."""
        from .snapshot import _count, unrecognised_columns

        summary: dict[str, Any] = {
            "as_of": None if as_of is None else str(as_of.date()),
            "as_of_source": "given" if as_of_given else "last order day",
            "tables": {},
        }
        for name in self.present:
            summary["tables"][name] = {
                "rows_read": _count(self.counts, name, "rows_read"),
                "rows": _count(self.counts, name, "rows_kept"),
                "rows_quarantined": _count(self.counts, name, "rows_quarantined"),
                "rows_out_of_scope": _count(self.counts, name, "rows_out_of_scope"),
                "rows_reversal": _count(self.counts, name, "rows_reversal"),
                "columns": len(self._columns(name)),
            }
        summary["rows_out_of_scope"] = sum(t["rows_out_of_scope"] for t in summary["tables"].values())
        summary["unrecognised_columns"] = unrecognised_columns(self)
        # one rule in the whole course: sales are paid orders only (helpers.behavior.paid_orders; a missing status
        # is not refunded, a table without a status column has no refunded orders)
        refunded = "status = 'refunded'" if "status" in self._columns("orders") else "FALSE"
        n, members, first, last, n_refunded, total = self._sql(f"""SELECT count(*), count(DISTINCT member_id),
            min(order_ts), max(order_ts), count(*) FILTER (WHERE {refunded}),
            coalesce(fsum(net_amount) FILTER (WHERE NOT coalesce({refunded}, FALSE)), 0.0)
            FROM read_parquet({_sql_path(self.tables['orders'])})""")[0]
        if n:
            summary["members_with_orders"] = int(members)
            summary["first_order"] = str(pd.Timestamp(first))
            summary["last_order"] = str(pd.Timestamp(last))
            summary["paid_orders"] = int(n - n_refunded)
            summary["refunded_orders"] = int(n_refunded)
            summary["net_amount_total"] = float(total)
        return summary


def _load(data_dir: Path, staging: Path, as_of: str | None, columns: Path | None) -> EngineSnapshot:
    from helpers import engine

    shutil.rmtree(staging, ignore_errors=True)
    res = engine.load_to_parquet(data_dir, staging, as_of=as_of, columns=None if columns is None else str(columns))
    return EngineSnapshot(res, None if not as_of else pd.Timestamp(as_of))


def load_resolved_engine(data_dir: Path, given: str | None, columns: Path | None, staging: Path
                         ) -> tuple[EngineSnapshot, pd.Timestamp | None]:
    """(load, as-of day) as :func:`.snapshot.load_resolved`, validated on DuckDB into ``staging`` (a folder the
    caller owns; :func:`write_snapshot_engine` moves it into the run's snapshot)."""
    try:
        snap = _load(data_dir, staging, given, columns)
        as_of = pd.Timestamp(given).normalize() if given else snap.analysis_date
        if not given and as_of is not None and snap.rows_after(as_of):
            snap = _load(data_dir, staging, str(as_of.date()), columns)
    except BaseException:  # a file the loader refuses: nothing half-written stays in the run folder
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return snap, as_of


def write_snapshot_engine(snap: EngineSnapshot, source: Path, dest: Path, as_of: pd.Timestamp | None) -> Path:
    """The layout of :func:`.snapshot.write_snapshot` from the engine's folder (moved, not copied). Returns ``dest``."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    snap.folder.rename(dest)
    (dest / "loader").mkdir()
    for f in _LOADER_FILES:
        if (dest / f).is_file():
            (dest / f).rename(dest / "loader" / f)
    # the pandas loader's types, so a module reading the source's load (00, 01) sees the same frames on both paths
    snap.quarantine.to_parquet(dest / "loader" / "quarantine.parquet", index=False)
    snap.counts.to_parquet(dest / "loader" / "counts.parquet", index=True)
    (dest / SNAPSHOT_MARKER).unlink(missing_ok=True)
    truth = Path(source) / "truth" if Path(source).is_dir() else None
    if truth is not None and truth.is_dir():
        shutil.copytree(truth, dest / "truth")
    snap.folder = dest
    snap.tables = {name: dest / path.name for name, path in snap.tables.items()}
    dump_json({"source": str(source), "as_of": None if as_of is None else str(as_of.date()),
               "tables": list(snap.present), "quarantine": "loader/quarantine.parquet",
               "counts": "loader/counts.parquet", "engine": "duckdb"}, dest / SNAPSHOT_MARKER)
    return dest

