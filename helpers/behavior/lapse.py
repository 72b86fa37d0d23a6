"""How well "silent for more than k times the own interval" finds members who really left (久未购买规则的检验).

Why: :func:`helpers.behavior.frequency_band` calls a member 久未购买 when their recency exceeds ``LAPSE_FACTOR`` ×
their own mean interval between purchase days. Which k? A small k catches more of the members who left but also
flags members who are only taking a longer break; a large k flags fewer, more surely gone. On a synthetic world the
truth says who is still buying (``alive``), so each k can be scored; on real data a later period (who came back)
plays that role.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior.bands import mean_interval

__all__ = ["lapse_table"]


def lapse_table(summary: pd.DataFrame, alive: pd.Series, factors=(1.5, 2, 3, 4, 6, 8)) -> pd.DataFrame:
    """One row per lapse factor k, over the members of ``summary`` with two or more purchase days (the others have
    no interval) and a known ``alive`` value (a boolean Series by member id, e.g. the truth's ``alive_at_as_of``):

    ``flagged_share`` — share called lapsed (recency > k × own mean interval); ``precision`` — share of those
    who really left (``alive`` False; NaN when nobody is flagged); ``recall`` — share of the members who really
    left that are flagged (NaN when nobody left). Index ``lapse_factor``.
    """
    interval = mean_interval(summary)
    state = alive.reindex(summary.index)
    keep = interval.notna().to_numpy() & state.notna().to_numpy()
    iv = interval.to_numpy()[keep]
    rec = summary["recency"].to_numpy(float)[keep]
    gone = ~state.to_numpy()[keep].astype(bool)
    rows = []
    for k in factors:
        flagged = rec > float(k) * iv
        rows.append({
            "lapse_factor": float(k),
            "flagged_share": float(flagged.mean()) if len(flagged) else np.nan,
            "precision": float(gone[flagged].mean()) if flagged.any() else np.nan,
            "recall": float(flagged[gone].mean()) if gone.any() else np.nan,
        })
    return pd.DataFrame(rows).set_index("lapse_factor")
