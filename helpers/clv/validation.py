"""How good is a fitted purchase model: holdout comparison, forecast errors, tracking, ranking quality.

* :func:`holdout_comparison` — predicted vs actual repeat purchases in a holdout period, by calibration frequency
  (FHL 2005's classic check), with MAE / RMSE / bucket MAE / aggregate % error;
* :func:`naive_forecast` / :func:`forecast_errors` — the "keep buying at your past rate" baseline and the error
  figures any forecast is judged by; :func:`holdout_tracking` — actual vs predicted in calendar time;
* :func:`auc` — area under the ROC curve (sklearn's ``roc_auc_score``; NaN without both classes) and
  :func:`p_alive_calibration` — mean P(alive) against the true alive share by P(alive) band, where a simulated
  world's truth is available.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.clv._mle import TIME_UNIT_DAYS
from helpers.clv.bgnbd import BGNBD


def auc(is_positive, score) -> float:
    """Area under the ROC curve: the probability that a random positive scores higher than a random negative, ties
    counting one half (``sklearn.metrics.roc_auc_score``). NaN without positives or negatives.

    Raises ``ValueError`` if a score is NaN or the two inputs differ in length:
    a NaN would silently turn the whole AUC into NaN; drop or fill such members first, and say which."""
    y = np.asarray(is_positive, bool)
    s = np.asarray(score, float)
    if y.shape != s.shape:
        raise ValueError(f"auc: is_positive and score must have the same length, got {y.shape} and {s.shape}")
    n_nan = int(np.isnan(s).sum())
    if n_nan:
        raise ValueError(f"auc: score has {n_nan:,} NaN value(s) of {s.size:,}; drop or fill them before computing "
                         "the AUC (e.g. P(alive) left empty for one-time buyers)")
    if y.all() or not y.any():
        return float("nan")
    from sklearn.metrics import roc_auc_score  # imported here: scikit-learn takes a second to load

    return float(roc_auc_score(y, s))


def p_alive_calibration(p_alive, alive, bins=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0)) -> pd.DataFrame:
    """Is P(alive) a probability on this data? Members grouped by P(alive) band (``bins``, right-closed, the first
    band includes 0): ``n_members``, ``mean_p_alive`` (what the model says) and ``alive_share`` (the true share
    alive, from a simulated world's truth), and ``gap`` = mean_p_alive − alive_share (positive: the model is too
    sure members are alive). Members with a missing P(alive) are left out."""
    pa = pd.Series(np.asarray(p_alive, float))
    al = pd.Series(np.asarray(alive, bool)).astype(float)
    keep = pa.notna()
    band = pd.cut(pa[keep], list(bins), include_lowest=True)
    table = pd.DataFrame({"band": band, "p": pa[keep], "alive": al[keep]}).groupby("band", observed=False).agg(
        n_members=("p", "size"), mean_p_alive=("p", "mean"), alive_share=("alive", "mean"))
    table["gap"] = table["mean_p_alive"] - table["alive_share"]
    table.index = table.index.astype(str)
    table.index.name = "p_alive_band"
    return table


def naive_forecast(summary: pd.DataFrame, duration) -> np.ndarray:
    """The "keep buying at your past rate" baseline: x / T × ``duration`` (same time unit as ``T``; scalar or one
    value per member), 0 for members with T = 0. It ignores dropout, so it overstates silent members."""
    x, T = summary["x"].to_numpy(float), summary["T"].to_numpy(float)
    dur = np.broadcast_to(np.asarray(duration, float), x.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(T > 0, x / np.where(T > 0, T, 1.0) * dur, 0.0)


def forecast_errors(predicted, actual) -> dict:
    """Member-level ``mae`` and ``rmse`` of a purchase forecast, and the aggregate ``total_actual``,
    ``total_predicted`` and ``aggregate_pct_error`` (100 · (predicted − actual) / actual; NaN when actual is 0)."""
    pred, act = np.asarray(predicted, float), np.asarray(actual, float)
    err = pred - act
    tot_a, tot_p = float(act.sum()), float(pred.sum())
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "total_actual": tot_a,
        "total_predicted": tot_p,
        "aggregate_pct_error": float(100 * (tot_p - tot_a) / tot_a) if tot_a > 0 else float("nan"),
    }


def holdout_comparison(model: BGNBD, summary: pd.DataFrame, *, max_bucket: int = 7,
                       duration=None) -> tuple[pd.DataFrame, dict]:
    """Predicted vs actual holdout purchases, by calibration-period repeat frequency.

    ``summary`` is a calibration summary from ``member_summary(..., calibration_end=...)`` (columns ``x``, ``t_x``,
    ``T``, ``x_holdout`` and ``duration_holdout``; ``duration`` overrides the latter, in the model's time unit).
    Returns ``(table, errors)``: the table has one row per bucket ``0 … max_bucket-1`` and ``"≥max_bucket"`` with
    ``n_members``, ``actual`` and ``predicted`` (mean holdout purchases) and ``bias`` (predicted − actual: positive
    = the model over-predicts that group); ``errors`` holds member-level ``mae`` and ``rmse``, the bucket-level
    ``bucket_mae`` (mean |bias|, size of the group errors whatever their sign) and the aggregate ``total_actual``,
    ``total_predicted`` and ``aggregate_pct_error`` (100 · (predicted − actual) / actual), see
    :func:`forecast_errors`.
    """
    dur = summary["duration_holdout"].to_numpy(float) if duration is None else np.full(len(summary), float(duration))
    pred = model.expected_purchases(dur, summary["x"], summary["t_x"], summary["T"])
    actual = summary["x_holdout"].to_numpy(float)
    xb = np.minimum(summary["x"].to_numpy(int), max_bucket)
    labels = [str(i) for i in range(max_bucket)] + [f"≥{max_bucket}"]
    df = pd.DataFrame({"bucket": pd.Categorical.from_codes(xb, labels), "actual": actual, "predicted": pred})
    table = df.groupby("bucket", observed=False).agg(n_members=("actual", "size"), actual=("actual", "mean"),
                                                     predicted=("predicted", "mean"))
    table["bias"] = table["predicted"] - table["actual"]
    table.index.name = "x_calibration"
    fe = forecast_errors(pred, actual)
    errors = {
        "mae": fe["mae"],
        "rmse": fe["rmse"],
        "bucket_mae": float(np.nanmean(np.abs(table["bias"]))),
        "total_actual": fe["total_actual"],
        "total_predicted": fe["total_predicted"],
        "aggregate_pct_error": fe["aggregate_pct_error"],
    }
    return table, errors


def holdout_tracking(model: BGNBD, summary: pd.DataFrame, orders: pd.DataFrame, calibration_end, as_of, *,
                     step_days: int = 7) -> tuple[pd.Series, pd.DataFrame]:
    """Holdout purchases of the calibration members in calendar time, actual vs predicted (the tracking plot).

    ``summary`` is the calibration summary the ``model`` was fitted on (its members and their ``x, t_x, T``);
    ``orders`` the order table (paid orders only, via :func:`helpers.behavior.paid_orders`; a purchase = a distinct
    member-day, as in ``x_holdout``). The holdout runs from the day after ``calibration_end`` to ``as_of``.

    Returns ``(daily, steps)``: ``daily`` — actual purchase days per calendar day, cumulated (index: day);
    ``steps`` — one row per *full* step of ``step_days`` days (a partial last step is dropped, so every row covers
    the same length), index the last day of the step, columns ``actual`` and ``predicted`` (purchase days in the
    step, summed over members) and ``actual_cum`` / ``predicted_cum`` (from the start of the holdout)."""
    from helpers.behavior import paid_orders

    cal_end = pd.Timestamp(calibration_end).normalize()
    end = pd.Timestamp(as_of).normalize()
    calendar = pd.date_range(cal_end + pd.Timedelta(days=1), end, freq="D")
    paid = paid_orders(orders, end)
    day = paid["order_ts"].dt.normalize()
    keep = (day > cal_end) & paid["member_id"].isin(summary.index)
    member_days = pd.DataFrame({"member_id": paid.loc[keep, "member_id"].to_numpy(),
                                "day": day[keep].to_numpy()}).drop_duplicates()
    daily = member_days.groupby("day").size().reindex(calendar, fill_value=0).cumsum().astype(float)
    daily.index.name = "day"
    daily.name = "actual_cum"
    n_full = len(calendar) // int(step_days)
    unit_days = TIME_UNIT_DAYS[model.time_unit or "day"]
    x, t_x, T = (summary[c].to_numpy(float) for c in ("x", "t_x", "T"))
    ends = np.arange(1, n_full + 1) * int(step_days)
    pred_cum = np.array([model.expected_purchases(e / unit_days, x, t_x, T).sum() for e in ends])
    act_cum = daily.to_numpy()[ends - 1] if n_full else np.zeros(0)
    steps = pd.DataFrame({"actual": np.diff(act_cum, prepend=0.0), "predicted": np.diff(pred_cum, prepend=0.0),
                          "actual_cum": act_cum, "predicted_cum": pred_cum},
                         index=pd.Index(calendar[ends - 1] if n_full else calendar[:0], name="step_end"))
    return daily, steps
