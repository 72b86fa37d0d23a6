"""Rule-based activity status (活跃 / 沉睡 / 流失) from recency, with the windows a CRM uses.

Why rule-based: a fixed recency threshold is what a store can explain and act on; module 04's P(alive) is the model
version. The thresholds should follow the trade's purchase cycle (90 days is long for fresh food, short for
appliances).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ACTIVITY_STATUS_LABELS", "activity_indicators"]


#: activity status labels of :func:`activity_indicators`, most active first
ACTIVITY_STATUS_LABELS = ("活跃", "沉睡", "流失")


def activity_indicators(summary: pd.DataFrame, *, windows=(30, 90, 180, 365), active_days: int = 90,
                        lapsed_days: int = 180) -> pd.DataFrame:
    """Per member: ``active_{w}d`` flags (a purchase within the last w days) and ``activity_status``:
    活跃 (recency ≤ ``active_days``), 沉睡 (≤ ``lapsed_days``), 流失 (longer)."""
    rec = summary["recency"].to_numpy()
    out = pd.DataFrame({f"active_{w}d": rec <= w for w in windows}, index=summary.index)
    code = np.where(rec <= active_days, 0, np.where(rec <= lapsed_days, 1, 2))
    out["activity_status"] = pd.Categorical.from_codes(code, list(ACTIVITY_STATUS_LABELS), ordered=True)
    return out
