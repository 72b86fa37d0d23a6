"""The columns of ``tables/member_scores.csv``: every module declares its own here, once.

Why a declaration and not whatever a notebook happens to write: a CRM import maps columns by name, so the file must
have the same columns whichever modules ran (a skipped or failed module's columns are present and empty), each
column must keep its type on the way through (``"007"`` stays text, an integer stays an integer) and one column
name must mean one thing (two modules may not declare the same name; the test suite checks it).

A module writes its part with ``ModuleOutput.member_scores(df, descriptions)``: the frame's columns must be the
declared ones (in any order; a declared column it cannot compute may be left out and stays empty), values are
cast to the declared dtype, and ``descriptions`` (Chinese, written from the rules that made the numbers, e.g. with
the as-of date) go to ``tables/member_scores_columns.csv``; a column without one gets the declared description.

Dtypes: ``Int64`` (nullable integer), ``float64``, ``string``, ``date`` (a day, written ``YYYY-MM-DD``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["DTYPES", "MEMBER_SCORE_COLUMNS", "ScoreColumn", "all_columns", "cast_column", "declared_for",
           "duplicate_columns", "empty_column"]

DTYPES = ("Int64", "float64", "string", "date")


@dataclass(frozen=True)
class ScoreColumn:
    name: str
    dtype: str  # one of DTYPES
    unit: str  # "" for text / codes
    description: str  # English; the module's own Chinese description replaces it when the module ran


def _cols(*rows: tuple[str, str, str, str]) -> tuple[ScoreColumn, ...]:
    return tuple(ScoreColumn(*r) for r in rows)


#: module key -> the member_scores columns it writes, in file order (modules in key order)
MEMBER_SCORE_COLUMNS: dict[str, tuple[ScoreColumn, ...]] = {
    "02_behavior": _cols(
        ("recency_days", "Int64", "day", "days from the last paid purchase day to the as-of date"),
        ("frequency", "Int64", "orders", "paid orders up to the as-of date (refunds excluded)"),
        ("purchase_days", "Int64", "day", "distinct days with a paid order"),
        ("monetary_total", "float64", "元", "net amount of paid orders up to the as-of date"),
        ("monetary_mean", "float64", "元", "average net amount per paid order"),
        ("first_purchase", "date", "", "first paid purchase day"),
        ("last_purchase", "date", "", "last paid purchase day"),
        ("tenure_days", "Int64", "day", "days from the first purchase to the as-of date"),
        ("frequency_band", "string", "",
         "purchase-frequency band (interval basis; 久未购买 = silent for more than 3x the member's own mean interval)"),
        ("spend_band", "string", "", "spend band (quantiles of monetary_total)"),
        ("activity_status", "string", "", "activity status from recency_days"),
    ),
    "03_rfm": _cols(
        ("r_score", "Int64", "score", "R score (recency), higher = more recent"),
        ("f_score", "Int64", "score", "F score (paid orders)"),
        ("m_score", "Int64", "score", "M score (net amount)"),
        ("rfm_code", "string", "", "R, F and M scores written together, e.g. 545"),
        ("rfm_segment", "string", "", "one of the eight RFM segments"),
    ),
    "04_clv": _cols(
        ("p_alive", "float64", "probability", "BG/NBD P(alive) on the as-of date; empty for one-day buyers"),
        ("expected_purchases", "float64", "purchase days", "BG/NBD expected purchase days over the horizon"),
        ("expected_spend", "float64", "元 per purchase day", "expected spend per purchase day (Gamma-Gamma)"),
        ("clv", "float64", "元", "discounted margin over the horizon"),
    ),
    "05_segments": _cols(
        ("cluster", "Int64", "", "k-means cluster number, 1 = highest mean spend"),
        ("cluster_name", "string", "", "Chinese name of the cluster"),
        ("loyalty_quadrant", "string", "", "heavy / light × loyal / switching"),
        ("lifecycle_stage", "string", "", "lifecycle stage on the as-of date"),
        ("churn_risk", "float64", "probability", "calibrated probability of no paid purchase over the horizon"),
        ("churn_risk_band", "string", "", "churn-risk band (low / medium / high)"),
    ),
    "06_tiers": _cols(
        ("tier", "string", "", "tier at the as-of month end (simulated from the tier rules)"),
        ("tier_since", "date", "", "month-end day the current tier started"),
        ("next_tier", "string", "", "next tier up; empty at the top tier"),
        ("spend_to_next_tier", "float64", "元", "what is missing to the next tier's threshold in the rolling window"),
        ("points_balance", "Int64", "points", "earned − redeemed − expired, refunds reversed, on the as-of day"),
        ("points_expiring_90d", "Int64", "points", "points that expire in the 90 days after the as-of day"),
    ),
    "07_marketing": _cols(
        ("p_buy_30d", "float64", "probability", "calibrated probability of a paid purchase in the 30 days after the as-of date"),
        ("next_purchase_date", "date", "", "expected next purchase day (own median gap); empty when lapsed"),
        ("favourite_category", "string", "", "category with the most purchase days"),
        ("recommendations", "string", "", "top 3 recommended product ids joined by |, in rank order"),
    ),
    "09_feedback": _cols(
        ("feedback_count", "Int64", "messages", "feedback messages written up to the as-of date"),
        ("feedback_negative", "Int64", "messages", "messages scored negative by the sentiment model"),
        ("feedback_last_sentiment", "string", "", "sentiment of the member's latest message"),
    ),
}


def duplicate_columns(declarations: dict[str, tuple[ScoreColumn, ...]] | None = None) -> dict[str, list[str]]:
    """Column name -> the modules declaring it, for every name declared more than once (or ``member_id``)."""
    declarations = MEMBER_SCORE_COLUMNS if declarations is None else declarations
    owners: dict[str, list[str]] = {}
    for key, cols in declarations.items():
        for c in cols:
            owners.setdefault(c.name, []).append(key)
    return {name: keys for name, keys in owners.items() if len(keys) > 1 or name == "member_id"}


def all_columns(declarations: dict[str, tuple[ScoreColumn, ...]] | None = None) -> list[tuple[str, ScoreColumn]]:
    """(module key, column) for every declared column, modules in key order; raises on a name declared twice."""
    declarations = MEMBER_SCORE_COLUMNS if declarations is None else declarations
    clash = duplicate_columns(declarations)
    if clash:
        raise ValueError(f"member_scores columns declared more than once: {clash}")
    return [(key, c) for key in sorted(declarations) for c in declarations[key]]


def declared_for(key: str) -> tuple[ScoreColumn, ...] | None:
    return MEMBER_SCORE_COLUMNS.get(key)


def empty_column(col: ScoreColumn, index: pd.Index) -> pd.Series:
    """An all-missing column of the declared dtype (a module that did not run or could not compute it)."""
    if col.dtype == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]", name=col.name)
    if col.dtype == "float64":
        return pd.Series(float("nan"), index=index, dtype="float64", name=col.name)
    return pd.Series(pd.NA, index=index, dtype=col.dtype, name=col.name)


def cast_column(values: pd.Series, col: ScoreColumn) -> pd.Series:
    """``values`` as the declared dtype, without loss: an integer column with fractions, a number in a text
    column's place or an unparseable date raises ValueError naming the column."""
    s = values
    try:
        if col.dtype == "Int64":
            if pd.api.types.is_bool_dtype(s.dtype):
                raise TypeError("boolean")
            out = pd.to_numeric(s, errors="raise") if not pd.api.types.is_numeric_dtype(s.dtype) else s
            f = out.astype("float64")
            if ((f.dropna() % 1) != 0).any():
                raise TypeError("has fractions")
            return out.astype("Int64")
        if col.dtype == "float64":
            if pd.api.types.is_bool_dtype(s.dtype) or not (pd.api.types.is_numeric_dtype(s.dtype) or s.isna().all()):
                raise TypeError(str(s.dtype))
            return s.astype("float64")
        if col.dtype == "string":
            if pd.api.types.is_float_dtype(s.dtype) and not s.isna().all():
                raise TypeError("float values in a text column")
            return s.astype("string")
        if col.dtype == "date":
            return pd.to_datetime(s, errors="raise").dt.normalize().astype("datetime64[ns]")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"member_scores column {col.name!r} must be {col.dtype}: {exc}") from None
    raise ValueError(f"member_scores column {col.name!r}: unknown dtype {col.dtype!r}")
