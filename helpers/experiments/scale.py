"""Module 08's campaign outcomes on the report's engine: pandas in class, DuckDB / Spark at scale.

:func:`outcomes_for` is :func:`helpers.experiments.member_outcomes` (orders, spend, converted, visited per contact
in its campaign's window) — on ``pandas`` that function, a loop over campaigns filtering the orders and events each
time; on ``duckdb`` / ``spark`` :func:`helpers.engine.campaign_outcomes`, one join of the paid orders (and the view
events) on the campaigns' day ranges, where DuckDB reads the report snapshot's ``orders.parquet`` and
``events.parquet`` when ``data_dir`` is one. The contacts (cleaned in pandas: one row per contact) and the campaigns
go in as they are. Same table either way (``tests/test_engine_expressions.py``): counts exactly, spend to the order
of floating-point addition.
"""

from __future__ import annotations

import pandas as pd

from helpers.engine import route
from helpers.experiments.outcomes import member_outcomes

__all__ = ["outcomes_for"]

_OWN_CODE = member_outcomes.__code__  # an exercise forbidding member_outcomes forbids this route too


def outcomes_for(contacts: pd.DataFrame, orders: pd.DataFrame, campaigns: pd.DataFrame,
                 events: pd.DataFrame | None = None, *, engine: str = "pandas", data_dir=None,
                 spark=None) -> pd.DataFrame:
    """:func:`~helpers.experiments.member_outcomes` of the contacts computed on ``engine`` (``"pandas"``, ``"duckdb"``
    or ``"spark"``): one row per contact, ``campaign_id, member_id, arm, is_control, converted, orders, spend,
    visited``, in the same order and with the same dtypes."""
    if engine == "pandas" or member_outcomes.__code__ is not _OWN_CODE or not len(contacts):
        return member_outcomes(contacts, orders, campaigns, events)
    from helpers.engine.cohorts import campaign_outcomes

    route.check(engine)
    source = route.snapshot_file(data_dir, "orders") if engine == "duckdb" else None
    views = route.snapshot_file(data_dir, "events") if engine == "duckdb" and events is not None else None
    use_events = events if views is None else views
    if events is not None and not len(events):
        use_events = None  # an empty log: no window is covered (member_outcomes: visited NaN)
    out = campaign_outcomes(contacts, orders if source is None else source, campaigns, use_events,
                            engine=route.backend(engine, len(orders) + (0 if events is None else len(events)), spark))
    out["member_id"] = out["member_id"].astype(str)
    out["campaign_id"] = out["campaign_id"].astype(str)
    out["arm"] = out["arm"].astype(str)
    return out
