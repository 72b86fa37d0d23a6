"""Member bands: how often (消费频次分层) and how much (消费金额分层), and how to read them.

* :func:`frequency_band` — weekly / monthly / quarterly / occasional buyers from the mean interval between purchase
  days, for members who are still buying at their own rhythm; a member whose silence is much longer than their own
  interval is 久未购买 (lapsed), a single purchase day is 仅购买一次. :func:`frequency_band_from_interval` applies
  the interval edges to any interval in days (e.g. a true purchase rate).
* :func:`spend_band` — 低 / 中 / 高价值 by quantiles or fixed cut-offs (元), the cut-offs kept in ``attrs["edges"]``.
* :func:`band_profile`, :func:`band_agreement`, :func:`repeat_rate` (复购率) read the bands.

Why the lapsed band: the habit a member showed while buying says nothing about whether they still buy. On the old
rule a member who bought weekly in 2023 and never again stayed 每周购买 in the CRM export forever.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "FREQUENCY_BANDS",
    "FREQUENCY_BAND_LABELS",
    "LAPSED_BAND",
    "LAPSE_FACTOR",
    "SPEND_BAND_LABELS",
    "band_agreement",
    "band_profile",
    "frequency_band",
    "frequency_band_from_interval",
    "mean_interval",
    "repeat_rate",
    "spend_band",
]


#: the interval bands (ordered, most frequent first) and the upper bound of each one's mean interval in days
FREQUENCY_BANDS: dict[str, float] = {
    "每周购买": 7.0,
    "每月购买": 365.25 / 12,
    "每季度购买": 365.25 / 4,
    "偶尔购买": np.inf,
    "仅购买一次": np.nan,  # a single purchase day: no interval to measure
}
#: the band of members whose silence is longer than LAPSE_FACTOR × their own mean interval
LAPSED_BAND = "久未购买"
#: a member is still buying at their own rhythm while recency ≤ LAPSE_FACTOR × their mean interval between
#: purchase days (for an active member whose gaps are roughly exponential, a gap over 3 × the mean has a chance of
#: about e^-3 = 5 %); module 02 checks the factor against the truth with :func:`helpers.behavior.lapse_table`
LAPSE_FACTOR = 3.0
#: every label :func:`frequency_band` can return, in the order of its categorical
FREQUENCY_BAND_LABELS = (*list(FREQUENCY_BANDS)[:4], LAPSED_BAND, list(FREQUENCY_BANDS)[4])
SPEND_BAND_LABELS = ("低价值", "中价值", "高价值")


def frequency_band_from_interval(interval_days) -> pd.Series:
    """Frequency band (每周 / 每月 / 每季度 / 偶尔购买) of a mean interval between purchases, in days.

    The one place the band edges are applied (:data:`FREQUENCY_BANDS`): ≤ 7 days → 每周购买, ≤ 365.25 / 12
    (30.4) → 每月购买, ≤ 365.25 / 4 (91.3) → 每季度购买, longer → 偶尔购买; an interval exactly on an edge stays in
    the more frequent band. A missing interval (NaN: a single purchase day, nothing to measure) → 仅购买一次.
    Used by :func:`frequency_band` and for intervals from elsewhere, e.g. the generator's true purchase rate
    (``1 / purchase_rate_per_day``). Returns an ordered categorical with the labels of
    :data:`FREQUENCY_BAND_LABELS` as categories (久未购买 among them, never assigned here: an interval alone says
    nothing about lapsing), same index as a Series input.
    """
    s = interval_days if isinstance(interval_days, pd.Series) else pd.Series(np.asarray(interval_days, float))
    interval = s.to_numpy(dtype=float, na_value=np.nan)
    labels = list(FREQUENCY_BAND_LABELS)
    edges = np.array([FREQUENCY_BANDS[k] for k in labels[:3]])
    code = np.searchsorted(edges, interval, side="left")  # ≤ 7 → 0, ≤ 30.4 → 1, ≤ 91.3 → 2, longer (or inf) → 3
    code = np.where(np.isnan(interval), labels.index(list(FREQUENCY_BANDS)[4]), np.minimum(code, 3))
    return pd.Series(pd.Categorical.from_codes(code, categories=labels, ordered=True), index=s.index,
                     name="frequency_band")


def mean_interval(summary: pd.DataFrame) -> pd.Series:
    """Each member's mean interval between purchase days, in days: ``(last_purchase − first_purchase) / x``
    (``x`` = purchase days − 1, the number of gaps); NaN for a single purchase day (no gap to measure)."""
    span = (summary["last_purchase"] - summary["first_purchase"]).dt.days.to_numpy(float)
    gaps = summary["x"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        interval = np.where(gaps > 0, span / np.maximum(gaps, 1), np.nan)
    return pd.Series(interval, index=summary.index, name="mean_interval_days")


def frequency_band(summary: pd.DataFrame, *, basis: str = "interval",
                   lapse_factor: float | None = LAPSE_FACTOR) -> pd.Series:
    """Weekly / monthly / quarterly / occasional buyers (每周 / 每月 / 每季度 / 偶尔购买), 久未购买 or 仅购买一次.

    ``basis="interval"`` (default, the band exported to CRM): the mean interval between purchase days
    (:func:`mean_interval`) banded by :func:`frequency_band_from_interval` — ≤ 7 → 每周购买, ≤ 30.4 → 每月购买,
    ≤ 91.3 → 每季度购买, longer → 偶尔购买 — **for members who are still buying at their own rhythm**: recency
    ≤ ``lapse_factor`` × their own mean interval (default :data:`LAPSE_FACTOR` = 3). A member silent for longer is
    久未购买: a weekly buyer who has not been seen for a month is no longer a weekly buyer, and a CRM that sends
    "weekly member" benefits to them pays for people who left. ``lapse_factor=None`` bands every member by habit
    alone (the old rule; for comparing habits with a true purchase rate).

    ``basis="rate"``: the mean interval is taken over the whole observed tenure instead,
    ``max(tenure, 1) / purchase_days`` — silence lowers the band gradually; no lapsed band on this basis (the
    silence is already in the rate).

    On both bases a member with a single purchase day is 仅购买一次: one purchase says nothing about how often
    the member buys (on the rate basis a first purchase two days ago would otherwise read as "every 2 days" =
    每周购买). The result is an ordered categorical with :data:`FREQUENCY_BAND_LABELS` as categories.
    """
    if basis == "interval":
        interval = mean_interval(summary)
        band = frequency_band_from_interval(interval)
        if lapse_factor is not None:
            if not lapse_factor > 0:
                raise ValueError("lapse_factor must be a positive number of intervals (or None)")
            lapsed = summary["recency"].to_numpy(float) > lapse_factor * interval.to_numpy()  # NaN → False
            codes = np.where(lapsed, FREQUENCY_BAND_LABELS.index(LAPSED_BAND), band.cat.codes.to_numpy())
            band = pd.Series(pd.Categorical.from_codes(codes, categories=list(FREQUENCY_BAND_LABELS), ordered=True),
                             index=summary.index, name="frequency_band")
        return band
    if basis == "rate":
        days = summary["purchase_days"].to_numpy(float)
        tenure = np.maximum(summary["tenure"].to_numpy(float), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            interval = np.where(days > 1, tenure / days, np.nan)
        return frequency_band_from_interval(pd.Series(interval, index=summary.index))
    raise ValueError("basis must be 'interval' or 'rate'")


def spend_band(values, *, quantiles=(0.5, 0.8), edges=None, labels=None) -> pd.Series:
    """Low / middle / high value bands (低价值 / 中价值 / 高价值) of a spend column.

    ``values``: a Series (e.g. ``summary["monetary_total"]``) or a summary DataFrame (its ``monetary_total``).
    Default: quantile cut-offs at the 50th and 80th percentile (bottom half, next 30 %, top 20 %).
    ``edges``: custom inner cut-offs in 元, e.g. ``edges=[1000, 3000, 5000]`` with four labels. Bands are
    left-closed: a value equal to an edge goes to the higher band. ``labels`` default to 低/中/高价值 for three
    bands, else ``"band 1" …``.

    The cut-offs actually used (元, quantile or custom) are in ``result.attrs["edges"]`` (a list of floats), so a
    report quotes the same numbers the bands were cut at.
    """
    if isinstance(values, pd.DataFrame):
        values = values["monetary_total"]
    v = pd.Series(values).astype(float)
    if edges is None:
        inner = np.quantile(v.dropna().to_numpy(), quantiles) if v.notna().any() else np.zeros(len(quantiles))
    else:
        inner = np.asarray(edges, float)
    inner = np.atleast_1d(inner)
    if np.any(np.diff(inner) < 0):
        raise ValueError("edges must be increasing")
    k = len(inner) + 1
    if labels is None:
        labels = list(SPEND_BAND_LABELS) if k == 3 else [f"band {i + 1}" for i in range(k)]
    if len(labels) != k:
        raise ValueError(f"{len(inner)} edges make {k} bands; got {len(labels)} labels")
    code = np.searchsorted(inner, v.to_numpy(), side="right")
    cat = pd.Categorical.from_codes(np.where(v.isna(), -1, code), categories=list(labels), ordered=True)
    out = pd.Series(cat, index=v.index, name="spend_band")
    out.attrs["edges"] = [float(e) for e in inner]
    return out


def band_profile(summary: pd.DataFrame, bands: pd.Series) -> pd.DataFrame:
    """Size and average behaviour of each band (frequency band, spend band, …), one row per band category.

    Columns: ``members``; ``member_share`` (of all members in ``summary``); ``mean_orders`` (orders per member);
    ``mean_order_value`` (the average over members of each member's own mean order value, 元 — not the band's
    total spend / orders); ``mean_spend`` (元 per member); ``mean_recency_days``; ``spend_share`` (the band's share
    of all members' spend). Empty bands are kept with 0 members. :data:`COLUMNS_ZH` has Chinese display names
    for these columns and the band index name; :func:`display_zh` applies them to a table shown to trainees.
    """
    b = bands.reindex(summary.index)
    g = summary.groupby(b, observed=False)
    members = g.size()
    prof = pd.DataFrame({
        "members": members,
        "member_share": members / len(summary) if len(summary) else np.nan,
        "mean_orders": g["frequency"].mean(),
        "mean_order_value": g["monetary_mean"].mean(),
        "mean_spend": g["monetary_total"].mean(),
        "mean_recency_days": g["recency"].mean(),
    })
    total = float(summary["monetary_total"].sum())
    prof["spend_share"] = g["monetary_total"].sum() / total if total else np.nan
    prof.index.name = bands.name or "band"
    return prof


def band_agreement(observed: pd.Series, reference: pd.Series, *, exclude=("仅购买一次", LAPSED_BAND)) -> float:
    """Share of members whose ``observed`` band equals the ``reference`` band (e.g. the band of the true purchase
    rate), over the members present in both and not in ``exclude`` on the observed side (by default single-day
    members, who have no observed interval to compare, and lapsed members, who have no current habit). NaN when
    no member is left."""
    obs = observed.astype(object)
    ref = reference.reindex(obs.index).astype(object)
    keep = ref.notna() & obs.notna() & ~obs.isin(list(exclude))
    if not keep.any():
        return float("nan")
    return float((obs[keep] == ref[keep]).mean())


def repeat_rate(summary: pd.DataFrame) -> float:
    """复购率: share of members (with a paid purchase) who bought on two or more different days (``x > 0``).
    Two orders on one day are one shopping trip, not a repeat purchase. NaN for an empty summary."""
    if len(summary) == 0:
        return float("nan")
    return float((summary["x"].to_numpy() > 0).mean())
