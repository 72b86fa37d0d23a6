"""What the as-of date cuts: rows after it are out of scope — dropped and counted, never quarantined.

A data export usually runs past the day an analysis refers to. Those later rows are not bad data, so they never
reach the quarantine: each table counts them in ``Dataset.counts.rows_out_of_scope`` and ``Dataset.out_of_scope``
summarises them (table, deciding column, reason, rows, first and last time).

Which time decides (``helpers.tables.Table.scope``): members ``register_ts``, orders ``order_ts``, events
``event_ts``, campaigns ``start_date``, feedback ``created_ts``. A date-only as-of includes that whole day.
Products and stores are master data and always in scope. A row that belongs to or points at an out-of-scope row
through a foreign key is out of scope too, not an orphan: the lines of a later order, the contacts of a campaign
that starts after the as-of, the orders / events / feedback of a member who registered after it. A row whose
deciding time is missing or unparseable cannot be placed and is quarantined for that instead.
"""

from __future__ import annotations

import pandas as pd

from helpers import tables as T

from .keys import KeySets
from .parse import Parsed
from .quarantine import OUT_OF_SCOPE, Verdicts
from .reasons import R_AFTER_AS_OF, reason_reference_out_of_scope

SCOPE_COLUMNS = ["table", "column", "reason", "rows", "first", "last"]


def cutoff_of(as_of: pd.Timestamp | None) -> pd.Timestamp | None:
    """The first instant out of scope: the day after a date-only as-of, else the as-of itself."""
    if as_of is None:
        return None
    return as_of + pd.Timedelta(days=1) if as_of == as_of.normalize() else as_of


def mark_out_of_scope(table: T.Table, parsed: dict[str, Parsed], keys: dict[str, dict[str, KeySets]],
                      cutoff: pd.Timestamp | None, verdicts: Verdicts) -> None:
    """Stage 0: the table's own time after the cutoff, then rows referencing out-of-scope rows."""
    if cutoff is None:
        return
    col = table.scope
    if col is not None and col in parsed:
        after = (parsed[col].values >= cutoff).fillna(False).to_numpy(bool)
        verdicts.add(after, col, R_AFTER_AS_OF, OUT_OF_SCOPE)
    for fk, (ref_table, ref_col) in table.foreign_keys.items():
        if fk not in parsed:
            continue
        if ref_table == table.name:  # a self reference (referrer): against this table's own rows
            if ref_col not in parsed:
                continue
            oos = verdicts.of_kind(OUT_OF_SCOPE)
            ks = KeySets(parsed[ref_col].values[~oos], parsed[ref_col].values[:0], parsed[ref_col].values[oos])
        elif ref_col in keys.get(ref_table, {}):
            ks = keys[ref_table][ref_col]
        else:
            continue
        if not len(ks.out_of_scope):
            continue
        present = verdicts.ok & ~parsed[fk].missing
        _, oos, _ = ks.classify(parsed[fk].values, present)
        verdicts.add(oos, fk, reason_reference_out_of_scope(table.name, fk), OUT_OF_SCOPE)


def scope_summary(table: T.Table, parsed: dict[str, Parsed], verdicts: Verdicts) -> pd.DataFrame:
    """One row per (column, reason) of this table's out-of-scope rows, with the first / last deciding time."""
    rows = []
    for column, reason, idx in verdicts.groups(OUT_OF_SCOPE):
        first = last = pd.NaT
        if column == table.scope and column in parsed:
            t = parsed[column].values.iloc[idx]
            first, last = t.min(), t.max()
        rows.append({"table": table.name, "column": column, "reason": reason, "rows": len(idx),
                     "first": first, "last": last})
    return empty_scope_summary() if not rows else (
        pd.DataFrame(rows, columns=SCOPE_COLUMNS)
        .groupby(["table", "column", "reason"], sort=False, as_index=False)
        .agg(rows=("rows", "sum"), first=("first", "min"), last=("last", "max")))


def empty_scope_summary() -> pd.DataFrame:
    return pd.DataFrame({"table": pd.Series(dtype="string"), "column": pd.Series(dtype="string"),
                         "reason": pd.Series(dtype="string"), "rows": pd.Series(dtype="int64"),
                         "first": pd.Series(dtype="datetime64[ns]"), "last": pd.Series(dtype="datetime64[ns]")})


__all__ = ["SCOPE_COLUMNS", "cutoff_of", "empty_scope_summary", "mark_out_of_scope", "scope_summary"]
