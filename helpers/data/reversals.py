"""红冲 (reversal) lines: a refund booked as its own negative line is folded into the order it refunds.

Many POS / ERP exports record a refund not by changing the original order but by a second line with a negative
amount (红冲, 冲红, "reversal") that names the original order — in a column such as ``原订单号`` /
``original_order_id`` / ``ref_order_id`` (``helpers.tables.REVERSAL``), or by repeating the original's order number.
That is a refund, not an error. The loader turns it into the contract's representation:

* a line of ``orders`` is a reversal when it is in scope, has a valid order time, and either its ``net_amount`` is
  negative or its ``status`` is a reversal word (红冲 / 冲红 / reversal / refund …), **and** it names an original:
  its reference column, else its own ``order_id`` when another line carries that number;
* the reversed amount (absolute value; several reversals of one order add up) is applied to the kept original:
  when it covers the original's ``net_amount`` (within 0.005 元) the original's ``status`` becomes ``refunded``
  (the column is added, all ``paid``, when the file had none); a partial reversal lowers the original's
  ``net_amount`` by the reversed amount and leaves it ``paid``;
* the reversal line itself leaves the table and is counted in ``counts.rows_reversal``; ``Dataset.reversals``
  lists each one (file, row, its order id, the original, amount, effect); the order lines of a reversal that has an
  order number of its own leave ``order_items`` with it (counted there in ``rows_reversal``);
* the original is after the as-of → the reversal is out of scope too; the original is quarantined → "reversal of a
  quarantined order"; no such order → "reversal of an unknown order"; a member other than the original's →
  "reversal of another member's order"; reversals adding up to more than the original's ``net_amount`` (by more
  than 0.005 元) → all of them "reversal exceeds the original amount" (the original stays as it was). A negative
  amount that names no original stays quarantined as "negative amount without original order", a reversal status
  without one as "reversal without original order".

A reversal after the as-of is out of scope by its own time (at the as-of the order was still paid).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers import tables as T

from .keys import KeySets, isin_str
from .parse import Parsed, parse
from .quarantine import OUT_OF_SCOPE, QUARANTINED, REVERSAL, Verdicts
from .readers import Raw
from .reasons import (
    R_NEGATIVE,
    R_NEGATIVE_NO_ORIGINAL,
    R_NOT_ALLOWED,
    R_REVERSAL_EXCEEDS,
    R_REVERSAL_MEMBER,
    R_REVERSAL_NO_ORIGINAL,
    R_REVERSAL_OUT_OF_SCOPE,
    R_REVERSAL_QUARANTINED,
    R_REVERSAL_UNKNOWN,
)

SPEC = T.REVERSAL
REVERSAL_COLUMNS = ["table", "file", "row", "order_id", "original_order_id", "amount", "effect"]
EFFECT_REFUNDED, EFFECT_PARTIAL = "refunded", "net_reduced"
_PENDING = "pending reversal"
_TOKENS = pa.array(sorted({v.lower() for v in SPEC.status_values}), pa.string())


@dataclass
class Candidates:
    mask: np.ndarray  # rows taken out of the normal checks as reversals
    target: pd.Series  # the original order id each row names
    amount: np.ndarray  # reversed amount (positive), per row


def _status_tokens(raw: Raw, mapping: dict[str, str]) -> np.ndarray:
    n = len(raw.frame)
    if SPEC.status not in mapping:
        return np.zeros(n, bool)
    text = pa.array(raw.frame[mapping[SPEC.status]].astype("string"), from_pandas=True)
    low = pc.utf8_lower(pc.utf8_trim_whitespace(text))
    return pc.is_in(low, value_set=_TOKENS).fill_null(False).to_numpy(zero_copy_only=False)


def relabel(table: T.Table, column: str, reason: str, mask: np.ndarray, tokens: np.ndarray | None
            ) -> list[tuple[np.ndarray, str]]:
    """Stage-2 wording on the reversal table: a negative amount is "without original order" (a reversal that
    named one was taken out before), a reversal word in ``status`` is "reversal without original order"."""
    if table.name != SPEC.table:
        return [(mask, reason)]
    if column == SPEC.amount and reason == R_NEGATIVE:
        return [(mask, R_NEGATIVE_NO_ORIGINAL)]
    if column == SPEC.status and reason == R_NOT_ALLOWED and tokens is not None:
        return [(mask & tokens, R_REVERSAL_NO_ORIGINAL), (mask & ~tokens, R_NOT_ALLOWED)]
    return [(mask, reason)]


def fold_children(table: T.Table, parsed: dict[str, Parsed], keys: dict[str, dict[str, KeySets]],
                   verdicts: Verdicts) -> None:
    """Rows belonging to a folded reversal line (the lines of a 红冲 order with its own number) are folded too."""
    for fk, (ref_table, ref_col) in table.foreign_keys.items():
        ks = keys.get(ref_table, {}).get(ref_col)
        if fk in parsed and ks is not None and ref_table != table.name:
            folded = ks.folded_only(parsed[fk].values, verdicts.ok & ~parsed[fk].missing)
            verdicts.add(folded, fk, "part of a reversal line", REVERSAL)


def find_candidates(table: T.Table, raw: Raw, mapping: dict[str, str], parsed: dict[str, Parsed],
                    verdicts: Verdicts) -> tuple[Candidates | None, np.ndarray | None]:
    """Mark the reversal lines that name an original (pending until the originals are decided).
    Returns (candidates or None, the status-token mask for :func:`relabel`)."""
    if table.name != SPEC.table or SPEC.amount not in parsed:
        return None, None
    amount = parsed[SPEC.amount]
    negative = next((m for m, r in amount.problems if r == R_NEGATIVE), np.zeros(len(raw.frame), bool))
    tokens = _status_tokens(raw, mapping)
    unparsed = np.zeros(len(raw.frame), bool)
    for m, r in amount.problems:
        if r != R_NEGATIVE:
            unparsed |= m
    valid_amount = ~amount.missing & ~unparsed
    scope_ok = np.ones(len(raw.frame), bool)
    if table.scope in parsed:
        scope_ok = parsed[table.scope].values.notna().to_numpy(bool)
    marked = verdicts.ok & scope_ok & (negative | (tokens & valid_amount))
    if not marked.any():
        return None, tokens
    n = len(raw.frame)
    empty = pd.Series(pd.array([None] * n, dtype="string"))
    ref = parsed[SPEC.reference].values if SPEC.reference in parsed else empty
    has_ref = ~ref.isna().to_numpy(bool)
    own = parsed[SPEC.key].values if SPEC.key in parsed else empty
    same_id = ~has_ref & ~own.isna().to_numpy(bool) & isin_str(own, own[~marked])
    mask = marked & (has_ref | same_id)
    if not mask.any():
        return None, tokens
    target = ref.where(pd.Series(has_ref, index=ref.index), own)
    signed = parse(replace(table.column(SPEC.amount), min_value=None), raw.frame[mapping[SPEC.amount]], raw.excel)
    verdicts.add(mask, SPEC.amount, _PENDING, REVERSAL)
    return Candidates(mask, target.reset_index(drop=True), np.abs(signed.values.to_numpy(dtype="float64"))), tokens


def resolve(table: T.Table, path: Path, raw: Raw, mapping: dict[str, str], parsed: dict[str, Parsed],
            frame: pd.DataFrame, cand: Candidates | None, verdicts: Verdicts, keys: KeySets | None
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fold the pending reversals into the kept originals. Returns (frame, reversals listing)."""
    if cand is None:
        return frame, empty_reversals()
    idx = np.flatnonzero(cand.mask)
    target = cand.target.iloc[idx].reset_index(drop=True)
    label_col = SPEC.reference if SPEC.reference in mapping else SPEC.key
    kept_ids = pd.Index(frame[SPEC.key].astype("string")) if SPEC.key in frame else pd.Index([], dtype="string")
    pos = kept_ids.get_indexer(target.astype("string"))
    found = pos >= 0
    oos = quar = np.zeros(len(idx), bool)
    if keys is not None:
        _, oos, quar = keys.classify(target, ~found)
    other_member = np.zeros(len(idx), bool)
    if "member_id" in parsed and "member_id" in frame:
        mine = parsed["member_id"].values.iloc[idx].astype("string").to_numpy(dtype=object, na_value=None)
        theirs = frame["member_id"].astype("string").to_numpy(dtype=object, na_value=None)
        other_member = np.array([f and m is not None and theirs[p] is not None and m != theirs[p]
                                 for f, m, p in zip(found, mine, pos, strict=True)], dtype=bool)
    found &= ~other_member
    net = frame[SPEC.amount].to_numpy(dtype="float64").copy() if SPEC.amount in frame else np.zeros(len(frame))
    total = pd.Series(cand.amount[idx[found]]).groupby(pos[found]).transform("sum").to_numpy()
    exceeds = np.zeros(len(idx), bool)
    exceeds[np.flatnonzero(found)[total > net[pos[found]] + 0.005]] = True
    found &= ~exceeds
    for sel, column, reason, kind in (
            (oos, label_col, R_REVERSAL_OUT_OF_SCOPE, OUT_OF_SCOPE), (quar, label_col, R_REVERSAL_QUARANTINED, QUARANTINED),
            (~found & ~oos & ~quar & ~other_member & ~exceeds, label_col, R_REVERSAL_UNKNOWN, QUARANTINED),
            (other_member, "member_id", R_REVERSAL_MEMBER, QUARANTINED),
            (exceeds, SPEC.amount, R_REVERSAL_EXCEEDS, QUARANTINED)):
        rows = np.zeros(len(cand.mask), bool)
        rows[idx[sel]] = True
        verdicts.replace(rows, column, reason, kind)
    applied = idx[found]
    if not len(applied):
        return frame, empty_reversals()
    amounts = cand.amount[applied]
    per_order = pd.Series(amounts).groupby(pos[found]).sum()
    orig, total = per_order.index.to_numpy(), per_order.to_numpy()
    frame = frame.copy()
    full = total >= net[orig] - 0.005
    if SPEC.status not in frame:  # the file had no status column: every kept order was paid
        frame[SPEC.status] = pd.Categorical(["paid"] * len(frame), categories=list(T.ORDER_STATUS))
    status = frame[SPEC.status].copy()
    status.iloc[orig[full]] = "refunded"
    frame[SPEC.status] = status
    net[orig[~full]] = np.round(net[orig[~full]] - total[~full], 2)
    frame[SPEC.amount] = net
    effect = dict(zip(orig, np.where(full, EFFECT_REFUNDED, EFFECT_PARTIAL), strict=True))
    own = (raw.frame[mapping[SPEC.key]].iloc[applied].astype("string").str.strip().to_numpy(dtype=object)
           if SPEC.key in mapping else [pd.NA] * len(applied))
    listing = pd.DataFrame({"table": table.name, "file": path.name, "row": raw.rows[applied], "order_id": own,
                            "original_order_id": target[found].to_numpy(dtype=object), "amount": amounts,
                            "effect": [effect[p] for p in pos[found]]})
    return frame, listing.astype({"table": "string", "file": "string", "row": "int64", "order_id": "string",
                                  "original_order_id": "string", "amount": "float64", "effect": "string"})


def empty_reversals() -> pd.DataFrame:
    return pd.DataFrame({"table": pd.Series(dtype="string"), "file": pd.Series(dtype="string"), "row": pd.Series(dtype="int64"),
                         "order_id": pd.Series(dtype="string"), "original_order_id": pd.Series(dtype="string"),
                         "amount": pd.Series(dtype="float64"), "effect": pd.Series(dtype="string")})
