"""Module 06's per-member window on the report's engine: pandas in class, DuckDB / Spark at scale.

:func:`qualification_for` gives every member's qualification value at the as-of month (the rolling window of
:class:`~helpers.tiers.TierRules`) and whether the member bought in that window — what the module sets the top
tier's threshold from. On ``pandas`` it reads the member × month panel (:func:`~helpers.tiers.monthly_panel`); on
``duckdb`` / ``spark`` it is :func:`helpers.engine.cohorts.qualification`, an aggregation of the paid orders of the
window's months (DuckDB reads the report snapshot's ``orders.parquet`` when ``data_dir`` is one), so the orders never
have to become a dense panel. The month-by-month tier walk (:func:`~helpers.tiers.simulate_tiers`) stays on the
panel: its state (tier held, next review) is sequential per member. Equal results: ``tests/test_engine_expressions.py``.
"""

from __future__ import annotations

import pandas as pd

from helpers.engine import route
from helpers.tiers.rules import TierRules
from helpers.tiers.simulate import Panel, _rolling, monthly_panel

__all__ = ["qualification_for"]

_OWN_PANEL = monthly_panel.__code__  # an exercise forbidding monthly_panel forbids this route too


def qualification_for(orders: pd.DataFrame, as_of, rules: TierRules, *, engine: str = "pandas", data_dir=None,
                      panel: Panel | None = None, members: pd.DataFrame | None = None, spark=None) -> pd.DataFrame:
    """Per member of ``panel`` (or of :func:`~helpers.tiers.monthly_panel` of ``orders`` and ``members``):
    ``rolling`` — the qualification value (paid spend or points earned, ``rules.basis``) summed over the last
    ``rules.window_months`` calendar months up to the as-of month, rounded to 6 decimals like the simulation's
    window (``simulate_tiers(panel, rules).rolling[:, -1]``) — and ``active``: a month of that window with paid
    spend above 0. Indexed like the panel's members. ``engine``: ``"pandas"`` reads the panel; ``"duckdb"`` /
    ``"spark"`` compute it from the orders on that engine (``panel`` only gives the members)."""
    if panel is None:
        panel = monthly_panel(orders, as_of, members=members)
    window = int(rules.window_months)
    if engine == "pandas" or monthly_panel.__code__ is not _OWN_PANEL:
        return pd.DataFrame({"rolling": _rolling(panel.values(rules.basis), window)[:, -1],
                             "active": (panel.spend[:, -window:] > 0).any(axis=1)}, index=panel.members)
    from helpers.engine.cohorts import qualification

    route.check(engine)
    source = route.snapshot_file(data_dir, "orders") if engine == "duckdb" else None
    value = "net_amount" if rules.basis == "spend" else "points_earned"
    got = qualification(orders if source is None else source, as_of, window_months=window, value=value,
                        engine=route.backend(engine, len(orders), spark))
    ids = panel.members.astype("string")
    out = got.reindex(ids)
    return pd.DataFrame({"rolling": out["rolling"].fillna(0.0).to_numpy(float),
                         "active": out["active"].fillna(False).to_numpy(bool)},
                        index=panel.members)
