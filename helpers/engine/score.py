"""Per-member CLV scoring on Spark: fit in-process on the compressed per-member statistics, score every member on
the cluster with ``mapInPandas`` and the fitted parameters (broadcast).

Why this split: BG/NBD and Gamma-Gamma are fitted on a handful of numbers per member (``x``, ``t_x``, ``T``,
``monetary_repeat_mean``: about 40 bytes a member, 4 GB at 100M members — and the fit compresses equal rows), so the
fit runs in the driver with :mod:`helpers.clv`, exactly as on pandas. Scoring is per member and needs every member's
row: on Spark it runs where the rows are, each partition through the same pandas code
(:func:`helpers.clv.clv_table` → :func:`helpers.clv.member_scores`), so the scores are the pandas scores, bit for bit,
and the result (one row per member) can be written to Parquet without ever being collected.

* :func:`summary_frame` — the member summary as a Spark DataFrame (the ibis expression compiled to Spark SQL,
  not collected);
* :func:`fit_models` — BG/NBD and Gamma-Gamma fitted on the collected model inputs (:func:`helpers.clv.fit_bgnbd`,
  :func:`helpers.clv.fit_gamma_gamma`);
* :func:`score_members` — ``member_id`` + :data:`helpers.clv.SCORE_COLUMNS` (``p_alive``, ``expected_purchases``,
  ``expected_spend``, ``clv``) for every row of a summary, a Spark DataFrame;
* :func:`score_orders` — the three steps from an orders table (Parquet path on the cluster, or a frame).

On a cluster the Python workers must import ``helpers`` (install the wheel on the workers, or
``spark.sparkContext.addPyFile`` a zip of the package).
"""

from __future__ import annotations

import pandas as pd

from helpers.clv import SCORE_COLUMNS

__all__ = ["MODEL_INPUTS", "SCORE_SCHEMA", "fit_models", "score_members", "score_orders", "summary_frame"]

#: the summary columns scoring reads (model inputs, and the spend fallback without a Gamma-Gamma fit)
MODEL_INPUTS = ("x", "t_x", "T", "monetary_repeat_mean", "monetary_total", "purchase_days")
#: the Spark schema of :func:`score_members`' result
SCORE_SCHEMA = "member_id string, " + ", ".join(f"{c} double" for c in SCORE_COLUMNS)


def summary_frame(orders, as_of, *, spark, time_unit: str = "D", calibration_end=None,
                  include_refunds: bool = False):
    """:func:`helpers.engine.member_summary` as a Spark DataFrame (``member_id`` a column, not sorted, not
    collected): the same ibis expression, compiled to Spark SQL and run on ``spark``."""
    from helpers.engine.expressions import summary_expr
    from helpers.engine.run import _table, connect

    con = connect("spark", spark=spark)
    expr = summary_expr(_table(con, orders), as_of, time_unit=time_unit, calibration_end=calibration_end,
                        include_refunds=include_refunds)
    expr = expr.drop("_n_net")
    con._run_pre_execute_hooks(expr)  # registers a pandas input (an ibis memtable) as a Spark view, as execute does
    return con.raw_sql(con.compile(expr))


def fit_models(inputs: pd.DataFrame, time_unit: str = "day"):
    """``(bgnbd, gamma_gamma, notes)`` fitted in-process on the per-member model inputs (a pandas frame with
    :data:`MODEL_INPUTS`, e.g. collected from :func:`summary_frame`); a model the data cannot identify is ``None``
    and ``notes`` says why (one sentence each, from :mod:`helpers.clv.fitting`)."""
    from helpers import clv

    bgnbd, bg_note = clv.fit_bgnbd(inputs, time_unit)
    gg, gg_note = clv.fit_gamma_gamma(inputs)
    return bgnbd, gg, {k: v for k, v in (("bgnbd", bg_note), ("gamma_gamma", gg_note)) if v}


def _scorer(models, horizon_days: float, margin: float, annual_discount_rate: float, step: str):
    """The mapInPandas function: each batch of summary rows → its member scores, with the broadcast models."""

    def score(batches):
        from helpers import clv

        bgnbd, gg = models.value
        for batch in batches:
            s = batch.set_index("member_id")
            table = clv.clv_table(bgnbd, gg, s, horizon_days=horizon_days, margin=margin,
                                  annual_discount_rate=annual_discount_rate, step=step)
            yield clv.member_scores(table, s).reset_index()

    return score


def score_members(summary, bgnbd, gamma_gamma, *, spark, horizon_days: float = 365, margin: float = 0.3,
                  annual_discount_rate: float = 0.10, step: str = "month"):
    """Every member of ``summary`` (a Spark DataFrame with ``member_id`` and :data:`MODEL_INPUTS`, or a pandas
    summary indexed by member) scored on ``spark``: a Spark DataFrame of ``member_id`` and
    :data:`helpers.clv.SCORE_COLUMNS`, equal to ``clv.member_scores(clv.clv_table(bgnbd, gamma_gamma, summary,
    ...), summary)``. The fitted models are broadcast once; ``mapInPandas`` scores each partition."""
    if bgnbd is None:
        raise ValueError("bgnbd is None: without a fitted BG/NBD there is nothing to score (fit_models says why)")
    if isinstance(summary, pd.DataFrame):
        frame = summary.reset_index()[["member_id", *MODEL_INPUTS]]
        frame["member_id"] = frame["member_id"].astype(str)
        summary = spark.createDataFrame(frame)
    models = spark.sparkContext.broadcast((bgnbd, gamma_gamma))
    cols = summary.select("member_id", *[summary[c].cast("double").alias(c) for c in MODEL_INPUTS])
    return cols.mapInPandas(_scorer(models, horizon_days, margin, annual_discount_rate, step), schema=SCORE_SCHEMA)


def score_orders(orders, as_of, *, spark, time_unit: str = "W", horizon_days: float = 365, margin: float = 0.3,
                 annual_discount_rate: float = 0.10, step: str = "month"):
    """From orders to member scores on Spark: the summary (:func:`summary_frame`, kept on the cluster), the model
    inputs collected and fitted in-process (:func:`fit_models`), every member scored with ``mapInPandas``
    (:func:`score_members`). Returns ``(scores, bgnbd, gamma_gamma, notes)`` with ``scores`` a Spark DataFrame
    (write it with ``scores.write.parquet(...)``; ``toPandas()`` only for small results)."""
    summary = summary_frame(orders, as_of, spark=spark, time_unit=time_unit).cache()
    inputs = summary.select("member_id", *MODEL_INPUTS).toPandas().set_index("member_id").sort_index()
    bgnbd, gg, notes = fit_models(inputs, "week" if time_unit in ("W", "week") else "day")
    scores = score_members(summary, bgnbd, gg, spark=spark, horizon_days=horizon_days, margin=margin,
                           annual_discount_rate=annual_discount_rate, step=step) if bgnbd is not None else None
    return scores, bgnbd, gg, notes
