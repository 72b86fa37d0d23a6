"""Key sets of a loaded table (kept, quarantined, out-of-scope values) and the fast string membership test.

Foreign-key checks, scope propagation and 红冲 resolution all ask "is this value among the referenced table's
kept / quarantined / out-of-scope keys?"; they ask it through :func:`isin_str` on a :class:`KeySets`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def isin_str(values: pd.Series, value_set: pd.Series) -> np.ndarray:
    """``values.isin(value_set)`` compared as strings, as a boolean numpy array (missing values → False), via one
    pyarrow hash join: pandas' own ``isin`` on arrow strings converts the value set element by element in Python,
    which is slow on the millions of keys of a foreign-key check."""
    arr = pa.array(values.astype("string"), from_pandas=True)
    vs = pa.array(value_set.dropna().astype("string"), from_pandas=True)
    if len(vs) == 0:
        return np.zeros(len(arr), dtype=bool)
    return pc.is_in(arr, value_set=vs.unique()).fill_null(False).to_numpy(zero_copy_only=False)


@dataclass
class KeySets:
    """The values of one key column, split by what happened to their rows."""

    kept: pd.Series
    quarantined: pd.Series
    out_of_scope: pd.Series
    folded: pd.Series = field(default_factory=lambda: pd.Series([], dtype="string"))  # 红冲 lines folded away

    def classify(self, values: pd.Series, present: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(found among kept, only among out-of-scope, only among quarantined) for the ``present`` values."""
        kept = present & isin_str(values, self.kept)
        rest = present & ~kept
        oos = np.zeros(len(values), bool)
        quar = np.zeros(len(values), bool)
        if rest.any() and len(self.quarantined):
            quar = rest & isin_str(values, self.quarantined)
        if rest.any() and len(self.out_of_scope):
            oos = rest & ~quar & isin_str(values, self.out_of_scope)
        return kept, oos, quar

    def folded_only(self, values: pd.Series, present: np.ndarray) -> np.ndarray:
        """Values found only among folded 红冲 lines (not kept, quarantined or out of scope)."""
        if not len(self.folded) or not present.any():
            return np.zeros(len(values), bool)
        kept, oos, quar = self.classify(values, present)
        return present & ~kept & ~oos & ~quar & isin_str(values, self.folded)
