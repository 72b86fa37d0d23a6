"""Bookkeeping of what happens to each source row, and the quarantine frame analysts read.

:class:`Verdicts` holds one code per source row: 0 = kept so far, otherwise a label (column, reason, kind) where
kind says whether the row is *quarantined* (bad data), *out of scope* (after the as-of; not bad data) or a
*reversal* (a 红冲 line folded into its original order). The first verdict a row gets is the one it keeps (checks
run in a fixed order), so every source row is counted exactly once.

:func:`quarantine_frame` turns the quarantined rows into ``table, file, row, column, reason, value`` with the
offending source text untouched; ``row`` is the 1-based data-row position in the source file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import tables as T

from .readers import Raw
from .reasons import R_FIELDS

QUARANTINE_COLUMNS = ["table", "file", "row", "column", "reason", "value"]

QUARANTINED, OUT_OF_SCOPE, REVERSAL = "quarantined", "out_of_scope", "reversal"


class Verdicts:
    """First-verdict-wins bookkeeping of the rows of one table (vectorised, one int code per row)."""

    def __init__(self, n: int):
        self.code = np.zeros(n, dtype=np.int32)
        self.labels: list[tuple[str, str, str]] = [("", "", "")]  # code → (column, reason, kind)

    def _label(self, column: str, reason: str, kind: str) -> int:
        self.labels.append((column, reason, kind))
        return len(self.labels) - 1

    def add(self, mask: np.ndarray, column: str, reason: str, kind: str = QUARANTINED) -> None:
        """Give rows without a verdict yet this one."""
        sel = mask & (self.code == 0)
        if sel.any():
            self.code[sel] = self._label(column, reason, kind)

    def replace(self, mask: np.ndarray, column: str, reason: str, kind: str) -> None:
        """Overwrite the verdict of these rows (a pending reversal once its original is known)."""
        if mask.any():
            self.code[mask] = self._label(column, reason, kind)

    @property
    def ok(self) -> np.ndarray:
        return self.code == 0

    def of_kind(self, kind: str) -> np.ndarray:
        codes = [i for i, (_, _, k) in enumerate(self.labels) if k == kind]
        return np.isin(self.code, codes) if codes else np.zeros(len(self.code), bool)

    def groups(self, kind: str):
        """(column, reason, row positions) for every label of this kind that holds rows."""
        codes = self.code
        for code in np.unique(codes[codes > 0]):
            column, reason, k = self.labels[code]
            if k == kind:
                yield column, reason, np.flatnonzero(codes == code)


def quarantine_frame(table: T.Table, path: Path, raw: Raw, verdicts: Verdicts, mapping: dict[str, str]
                     ) -> pd.DataFrame:
    parts = []
    if raw.bad_rows:
        parts.append(pd.DataFrame({"row": [r for r, _ in raw.bad_rows], "column": "",
                                   "reason": R_FIELDS, "value": [t[:500] for _, t in raw.bad_rows]}))
    for column, reason, idx in verdicts.groups(QUARANTINED):
        srcs = [mapping[c] for c in column.split(",") if c in mapping]
        if len(srcs) == 1:
            value = _as_value_text(raw.frame[srcs[0]].iloc[idx])
        else:
            value = pd.Series(["|".join(v) for v in zip(*(_as_value_text(raw.frame[s].iloc[idx]) for s in srcs),
                                                         strict=True)], dtype="string")
        parts.append(pd.DataFrame({"row": raw.rows[idx], "column": column, "reason": reason,
                                   "value": value.to_numpy(dtype=object)}))
    if not parts:
        return empty_quarantine()
    q = pd.concat(parts, ignore_index=True)
    q.insert(0, "file", path.name)
    q.insert(0, "table", table.name)
    return q.sort_values("row", kind="stable").reset_index(drop=True)


def _as_value_text(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("").reset_index(drop=True)


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({"table": pd.Series(dtype="string"), "file": pd.Series(dtype="string"),
                         "row": pd.Series(dtype="int64"), "column": pd.Series(dtype="string"),
                         "reason": pd.Series(dtype="string"), "value": pd.Series(dtype="string")})
