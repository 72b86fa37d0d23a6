"""The quality dimensions as tidy frames, the whole report, its totals and summary, and the analyses built on them.

Every measure returns ``dimension, table, column, check, n_checked, n_failed, share`` (one row per check), so the
dimensions stack into one report, a plot or a CSV without reshaping. :func:`failed_rows` returns the rows behind
a count, :func:`feed_lag` the per-channel (or per-table) delay that the timeliness dimension judges, and
:func:`quarantine_impact` ranks the loader's quarantine reasons by how many source rows they cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.quality._base import (
    DIMENSIONS,
    _as_of,
    _b,
    _frames,
    _row,
    _tidy,
    _ts,
    cutoff,
    reference_date,
)
from helpers.quality.rules import CHECK_ZH, FEED_SLA_DAYS, rules


def _measure(dimension: str, data, as_of=None) -> pd.DataFrame:
    frames = _frames(data)
    given, ref = _as_of(data, as_of), reference_date(data, as_of)
    found = [_row(dimension, t, c, k, checked, failed)
             for t, c, k, checked, failed in rules(dimension, frames, given, ref)]
    return _tidy(found)


def completeness(data) -> pd.DataFrame:
    """Missing values per table and column (NA, empty or blank strings). ``missing_required`` rows are the columns
    the data contract requires to be filled; 1 − share is the required-field coverage."""
    return _measure("completeness", data)


def accuracy(data, as_of=None) -> pd.DataFrame:
    """Values that cannot be true: below the contract minimum (negative amounts — except 红冲 reversal lines that
    name their original order, which are refunds), implausible birth years (judged against the as-of date or the
    last order day, never the clock), ratings outside 1–5, categories outside their closed set, net > gross, and
    rows whose own timestamp (the loader's event column) is after ``as_of`` (defaults to ``data.as_of``; skipped
    when no as-of date was given)."""
    return _measure("accuracy", data, as_of)


def consistency(data) -> pd.DataFrame:
    """Agreement within and between tables: orphan foreign keys, orders before registration, channel vs store
    type, order gross vs item lines, line vs quantity × price, reversal lines larger than or foreign to their
    original order. Checks whose tables are absent are left out."""
    return _measure("consistency", data)


def timeliness(data, as_of=None) -> pd.DataFrame:
    """时效性: each daily feed (:data:`FEED_SLA_DAYS`) is at most its SLA behind the as-of date (or the last
    order day), and replies / resolutions do not come before the feedback they answer."""
    return _measure("timeliness", data, as_of)


def uniqueness(data) -> pd.DataFrame:
    """唯一性: duplicate keys per table, one order recorded twice under different order numbers (same member,
    second and amount), members sharing one masked phone (suspected duplicate members)."""
    return _measure("uniqueness", data)


def security(data) -> pd.DataFrame:
    """Cells in text columns that hold an unmasked mobile number, resident ID number or e-mail address."""
    return _measure("security", data)


def quality_report(data, as_of=None) -> pd.DataFrame:
    """All six dimensions in one tidy frame: dimension, table, column, check, n_checked, n_failed, share."""
    return pd.concat([_measure(dim, data, as_of) for dim in DIMENSIONS], ignore_index=True)


def failed_rows(data, check: str, table: str | None = None, as_of=None) -> pd.DataFrame:
    """The rows of ``table`` that fail ``check`` (a name of :data:`CHECK_ZH`), original index and columns kept.

    The count in :func:`quality_report` is the number of these rows; an analyst needs the rows themselves to send
    back to the source system. Table-level checks (``stale_feed``) have no rows: use :func:`feed_lag`."""
    frames = _frames(data)
    given, ref = _as_of(data, as_of), reference_date(data, as_of)
    for dim in DIMENSIONS:
        for t, _col, k, _checked, failed in rules(dim, frames, given, ref):
            if k == check and (table is None or t == table) and len(failed) == len(frames[t]):
                return frames[t][failed]
    raise KeyError(f"no row-level check {check!r}" + (f" on table {table!r}" if table else "")
                   + " in this data / 这份数据中没有这项逐行检查")


def feed_lag(data, as_of=None, by: str | None = "channel", table: str = "orders",
             sla_days: int | None = None) -> pd.DataFrame:
    """How far each feed lags the as-of date: per value of ``by`` (default: orders per channel) or, with
    ``by=None``, for the whole table.

    Columns: ``last_day`` (day of the latest event), ``lag_days`` (as-of day − last day, in calendar days; the
    clock time of the as-of date is ignored) and ``breaks_sla`` (lag > ``sla_days``, default the table's entry
    in :data:`FEED_SLA_DAYS`, else 1). The as-of date is the given one, else the last order day. A channel that
    stopped sending data shows up here long before anybody notices its sales "dropping"."""
    from helpers.quality._base import event_column

    frames = _frames(data)
    ref = reference_date(data, as_of)
    df = frames[table]
    ev = event_column(table) or "order_ts"
    sla = FEED_SLA_DAYS.get(table, 1) if sla_days is None else sla_days
    t = _ts(df[ev])
    end = cutoff(_as_of(data, as_of))
    if end is not None:  # rows after the as-of date are out of scope, not fresh data
        df, t = df[_b(t < end)], t[_b(t < end)]
    day = t.dt.normalize()
    if by is None:
        last = pd.Series([day.max()], index=pd.Index([table], name="table"))
    else:
        last = day.groupby(df[by], observed=True).max()
        last.index.name = by
    lag = (ref - last).dt.days if ref is not None else pd.Series(np.nan, index=last.index)
    out = pd.DataFrame({"last_day": last, "lag_days": lag.astype("Int64")})
    out["breaks_sla"] = (out["lag_days"] > sla).fillna(False).astype(bool)
    return out.sort_values(["lag_days", "last_day"], ascending=[False, True], kind="mergesort")


def quarantine_impact(quarantine: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Rank the loader's quarantine reasons by how many source rows they cost: which source to fix first.

    One row per (table, reason): ``rows`` (distinct source rows, a row listed twice counts once, under its first
    reason), ``share`` (rows / the table's ``rows_read`` in ``counts``). Sorted by rows (largest first), then
    share, then table and reason; index 0 … n−1."""
    cols = ["table", "reason", "rows", "share"]
    if quarantine is None or quarantine.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "share" else "int64" if c == "rows" else "object")
                             for c in cols})
    q = quarantine.drop_duplicates(["table", "row"], keep="first")
    n = q.groupby(["table", "reason"], sort=False, observed=True).size().rename("rows").reset_index()
    read = counts["rows_read"].astype("float64")
    n["rows"] = n["rows"].astype("int64")
    n["share"] = n["rows"] / n["table"].map(read)
    n["table"], n["reason"] = n["table"].astype(str), n["reason"].astype(str)
    n = n.sort_values(["rows", "share", "table", "reason"], ascending=[False, False, True, True], kind="mergesort")
    return n[cols].reset_index(drop=True)


def report_totals(report: pd.DataFrame) -> pd.DataFrame:
    """Per dimension of a :func:`quality_report` (index: the :data:`DIMENSIONS`, in report order; int columns):

    * ``checks`` — rule checks, i.e. every row except the ``missing`` counts of optional columns;
    * ``failing`` — those of them with at least one failed value;
    * ``problems`` — their failed values (sum of ``n_failed``);
    * ``optional_missing`` — empty cells in optional columns (the ``missing`` rows: gaps, not errors).

    :func:`quality_summary` prints these; module 01 reports them."""
    rule = report["check"] != "missing"
    parts = pd.DataFrame({"dimension": report["dimension"], "checks": rule.astype("int64"),
                          "failing": (rule & (report["n_failed"] > 0)).astype("int64"),
                          "problems": report["n_failed"].where(rule, 0).astype("int64"),
                          "optional_missing": report["n_failed"].where(~rule, 0).astype("int64")})
    totals = parts.groupby("dimension").sum().reindex(list(DIMENSIONS), fill_value=0).astype("int64")
    totals.index.name = "dimension"
    return totals


def quality_summary(report: pd.DataFrame, top: int = 12) -> str:
    """A short bilingual text: per dimension how many checks ran and failed, then the largest problems."""
    lines = ["数据质量摘要 · Data-quality summary"]
    for dim, t in report_totals(report).iterrows():
        line = (f"  {DIMENSIONS[dim]} {dim}: {t['checks']} 项检查 checks, {t['failing']} 项有问题 failing, "
                f"{t['problems']} 处问题 problems")
        if dim == "completeness":
            line += (f"；另有可选字段空值 {t['optional_missing']} 处 "
                     f"(+ {t['optional_missing']} empty cells in optional columns)")
        lines.append(line)
    bad = report[(report["n_failed"] > 0) & (report["check"] != "missing")]
    bad = bad.sort_values(["n_failed", "dimension"], ascending=[False, True]).head(top)
    if len(bad):
        lines.append("  主要问题 · main problems：")
        for r in bad.itertuples():
            zh = CHECK_ZH.get(r.check, r.check)
            lines.append(f"    - {r.table}.{r.column} {zh} ({r.check}): {r.n_failed} / {r.n_checked} "
                         f"({r.share:.2%})")
    else:
        lines.append("  未发现问题（可选字段的缺失值除外）· no problems found (apart from gaps in optional fields)")
    return "\n".join(lines)
