"""One table file through the loader's stages: every source row ends kept, quarantined, out of scope or folded.

Stages (a row keeps the first verdict it gets; columns in contract order within a stage):

0. scope: the table's own time after the as-of, then rows belonging to / pointing at out-of-scope rows
   (:mod:`.scope`); 红冲 lines that name an original are set aside (:mod:`.reversals`);
1. structure: a CSV record with the wrong number of fields (set aside by the reader);
2. values, column by column: missing value in a non-nullable column · unparseable date · non-numeric value ·
   not an integer · negative amount / below minimum · value not allowed;
3. duplicate key: among rows that passed stage 2, the first occurrence in file order is kept;
4. foreign keys, when the referenced table is present: a value found only among the referenced table's quarantined
   rows gives "parent order quarantined" (order lines) or "referenced member quarantined" (an order of a
   quarantined member), otherwise "unknown <x>";
5. before member registration: a row referencing ``members`` whose required time falls on an earlier calendar day
   than the member's ``register_ts`` (same day is accepted: POS systems often stamp the registration a few
   seconds after the first purchase).

The kept frame is then validated with the pandera schema (:func:`.schema.schema_for`); anything it still rejects is
quarantined as "schema check failed" (a safety net that should never fire). Last, pending reversals are folded into
their kept originals.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import tables as T

from . import reversals, schema
from .keys import KeySets, isin_str
from .mapping import HeaderMap, map_headers
from .parse import Parsed, parse
from .quarantine import OUT_OF_SCOPE, QUARANTINED, REVERSAL, Verdicts, quarantine_frame
from .readers import Raw
from .reasons import (
    R_BEFORE_REGISTRATION,
    R_DUPLICATE,
    R_MISSING,
    R_SCHEMA,
    reason_reference_quarantined,
    reason_unknown,
)
from .scope import mark_out_of_scope, scope_summary


@dataclass
class Loaded:
    """What one table file became."""

    frame: pd.DataFrame
    quarantine: pd.DataFrame
    out_of_scope: pd.DataFrame  # summary: table, column, reason, rows, first, last
    reversals: pd.DataFrame  # 红冲 lines folded into their originals
    rows_read: int
    rows_out_of_scope: int
    rows_reversal: int
    keys: dict[str, KeySets]  # single-column key → its kept / quarantined / out-of-scope values
    headers: HeaderMap


def process(table: T.Table, path: Path, raw: Raw, done: dict[str, Loaded], cutoff: pd.Timestamp | None,
            explicit: dict[str, str] | None = None, strict: set[str] | frozenset = frozenset()) -> Loaded:
    hm = map_headers(table, raw.headers, list(raw.frame.columns), path, explicit, strict)
    n = len(raw.frame)
    verdicts = Verdicts(n)
    parsed: dict[str, Parsed] = {}
    for name, src in hm.mapping.items():
        p = parse(table.column(name), raw.frame[src], raw.excel)
        p.values.index = raw.frame.index
        parsed[name] = p
    keys = {name: d.keys for name, d in done.items()}

    # stage 0: out of scope (not bad data), then 红冲 lines set aside until their originals are decided
    mark_out_of_scope(table, parsed, keys, cutoff, verdicts)
    reversals.fold_children(table, parsed, keys, verdicts)
    cand, tokens = reversals.find_candidates(table, raw, hm.mapping, parsed, verdicts)

    # stage 2: values, column by column in contract order
    for c in table.columns:
        if c.name not in parsed:
            continue
        p = parsed[c.name]
        if not c.nullable:
            verdicts.add(p.missing, c.name, R_MISSING)
        for mask, reason in p.problems:
            for m, r in reversals.relabel(table, c.name, reason, mask, tokens):
                verdicts.add(m, c.name, r)

    _duplicates(table, parsed, verdicts)
    _foreign_keys(table, parsed, keys, verdicts)
    _before_registration(table, parsed, done.get("members"), verdicts)

    frame = _kept_frame(table, raw, hm, parsed, verdicts)
    frame = _pandera_safety_net(table, frame, verdicts)
    own_keys = _key_sets(table, parsed, frame, verdicts)
    frame, listing = reversals.resolve(table, path, raw, hm.mapping, parsed, frame, cand, verdicts,
                                       own_keys.get(reversals.SPEC.key))
    if cand is not None:  # resolution may have moved reversals to the quarantine / out of scope
        own_keys = _key_sets(table, parsed, frame, verdicts)
    return Loaded(
        frame=frame,
        quarantine=quarantine_frame(table, path, raw, verdicts, hm.mapping),
        out_of_scope=scope_summary(table, parsed, verdicts),
        reversals=listing,
        rows_read=n + len(raw.bad_rows),
        rows_out_of_scope=int(verdicts.of_kind(OUT_OF_SCOPE).sum()),
        rows_reversal=int(verdicts.of_kind(REVERSAL).sum()),
        keys=own_keys,
        headers=hm,
    )


def _duplicates(table: T.Table, parsed: dict[str, Parsed], verdicts: Verdicts) -> None:
    """Stage 3: the first valid occurrence of a key is kept, later ones are quarantined."""
    key = [k for k in table.key if k in parsed]
    if not key or len(key) != len(table.key):
        return
    ok = verdicts.ok
    keys = pd.DataFrame({k: parsed[k].values for k in key})
    dup = np.zeros(len(ok), bool)
    dup[ok] = keys[ok].duplicated(keep="first").to_numpy(bool) & keys[ok].notna().all(axis=1).to_numpy(bool)
    verdicts.add(dup, ",".join(key), R_DUPLICATE)


def _foreign_keys(table: T.Table, parsed: dict[str, Parsed], keys: dict[str, dict[str, KeySets]],
                  verdicts: Verdicts) -> None:
    """Stage 4: against the kept / quarantined rows of the referenced table (or of this one, for a referrer)."""
    for col, (ref_table, ref_col) in table.foreign_keys.items():
        if col not in parsed:
            continue
        if ref_table == table.name:
            if ref_col not in parsed:
                continue
            ok = verdicts.ok
            ks = KeySets(parsed[ref_col].values[ok], parsed[ref_col].values[~ok], parsed[ref_col].values[:0])
        elif ref_col in keys.get(ref_table, {}):
            ks = keys[ref_table][ref_col]
        else:
            continue
        has = ~parsed[col].missing & verdicts.ok
        known, _, parent_q = ks.classify(parsed[col].values, has)
        unknown = has & ~known
        if unknown.any():
            verdicts.add(unknown & parent_q, col, reason_reference_quarantined(table.name, col))
            verdicts.add(unknown & ~parent_q, col, reason_unknown(ref_table))


def _before_registration(table: T.Table, parsed: dict[str, Parsed], members, verdicts: Verdicts) -> None:
    """Stage 5: a row's required time on an earlier calendar day than its member's registration."""
    if members is None or table.name == "members" or "register_ts" not in members.frame:
        return
    for col, (ref_table, ref_col) in table.foreign_keys.items():
        if ref_table != "members" or col not in parsed:
            continue
        ev = next((c.name for c in table.columns if c.kind == "datetime" and c.required), None)
        if ev is None or ev not in parsed:
            continue
        reg = members.frame.set_index(ref_col)["register_ts"].dt.normalize()
        reg_day = reg.reindex(pd.Index(parsed[col].values)).to_numpy(dtype="datetime64[ns]")
        early = parsed[ev].values.dt.normalize().to_numpy(dtype="datetime64[ns]") < reg_day  # NaT compares False
        verdicts.add(early & verdicts.ok, ev, R_BEFORE_REGISTRATION)


def _kept_frame(table: T.Table, raw: Raw, hm: HeaderMap, parsed: dict[str, Parsed], verdicts: Verdicts
                ) -> pd.DataFrame:
    """Contract columns (contract order), then the extra source columns untouched."""
    ok = verdicts.ok
    everything = bool(ok.all())  # the common case: no copy through a boolean mask
    contract = [c.name for c in table.columns if c.name in parsed]
    cols = {name: parsed[name].values if everything else parsed[name].values[ok] for name in contract}
    for e in hm.extras:
        name = e if e not in cols else f"{e}.extra"  # an extra never overwrites a contract column
        cols[name] = raw.frame[e] if everything else raw.frame[e][ok]
    frame = pd.DataFrame(cols).reset_index(drop=True)
    for c in table.columns:
        if c.name in frame and c.kind == "category" and c.allowed is None:
            frame[c.name] = frame[c.name].cat.remove_unused_categories()
    return frame


def _pandera_safety_net(table: T.Table, frame: pd.DataFrame, verdicts: Verdicts) -> pd.DataFrame:
    import pandera.errors as pe

    try:
        schema.schema_for(table.name).validate(frame, lazy=True)
        return frame
    except pe.SchemaErrors as e:
        cases = e.failure_cases
    kept_pos = np.flatnonzero(verdicts.ok)
    bad = cases.dropna(subset=["index"])
    if bad.empty:  # a frame-level failure (dtype) with no row to blame: a bug in this package, not in the data
        raise AssertionError(f"loader produced a frame that fails its own schema: {cases}")
    for column, grp in bad.groupby("column", sort=False):
        mask = np.zeros(len(verdicts.code), bool)
        mask[kept_pos[grp["index"].astype(int).unique()]] = True
        verdicts.add(mask, str(column), R_SCHEMA)
    return frame[verdicts.ok[kept_pos]].reset_index(drop=True)


def _key_sets(table: T.Table, parsed: dict[str, Parsed], frame: pd.DataFrame, verdicts: Verdicts
              ) -> dict[str, KeySets]:
    if len(table.key) != 1 or table.key[0] not in parsed:
        return {}
    k = table.key[0]
    values = parsed[k].values
    return {k: KeySets(frame[k], values[verdicts.of_kind(QUARANTINED)], values[verdicts.of_kind(OUT_OF_SCOPE)],
                       values[verdicts.of_kind(REVERSAL)])}


__all__ = ["Loaded", "isin_str", "process"]
