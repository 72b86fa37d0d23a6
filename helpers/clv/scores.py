"""The CLV columns module 04 adds to the report's ``member_scores``, and what each one means (Chinese + English).

Kept apart from the models because these are a contract with CRM users: which members are left empty and why
(P(alive) for one-time buyers is a model convention, not evidence), units, horizon and as-of date.
"""

from __future__ import annotations

import pandas as pd

#: the columns module 04 adds to the report's member_scores
SCORE_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "clv")


def member_scores(table: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The CLV columns of the report's ``member_scores`` from a :func:`clv_table` (or any frame with those
    columns): ``p_alive`` is set to NaN for members without a repeat purchase (x = 0). BG/NBD lets a member drop
    out only after a repeat purchase, so its P(alive) is 1 for every one-time buyer — a model convention, not
    evidence that the member is active, and a CRM user filtering on "P(alive) > 0.8" would pick them all.
    ``expected_purchases``, ``expected_spend`` and ``clv`` keep their model values for every member, x = 0
    included. They are model values, not checked facts: on the course data module 04's holdout check
    (:func:`holdout_comparison`, bucket ``"0"``) shows the x = 0 group over-predicted, so read them with care."""
    from helpers.clv.value import _stable

    out = table.loc[:, list(SCORE_COLUMNS)].copy()
    for col in SCORE_COLUMNS:  # written to the report: the same bits on every CPU
        out[col] = _stable(out[col].to_numpy(float))
    x = summary["x"].reindex(out.index)
    out["p_alive"] = out["p_alive"].where(x.to_numpy(float) > 0)
    out.index.name = "member_id"
    return out


def member_score_descriptions(horizon_days: float, *, as_of, margin: float, annual_discount_rate: float,
                              gamma_gamma_fitted: bool = True, population_mean_finite: bool = True,
                              bgnbd_fitted: bool = True) -> dict[str, str]:
    """Chinese (and English) description of every column of :func:`member_scores`: meaning, unit, horizon and the
    as-of date ``as_of`` (anything ``pd.Timestamp`` accepts) the horizon starts from.

    Every column is empty for members on file without a paid order up to ``as_of`` (the report runner joins every
    member); ``p_alive`` is also empty for one-day buyers (x = 0). Spend is per purchase *day* (the report's 客单价 means per
    order elsewhere in the report); one-day buyers get Gamma-Gamma's population mean p·γ/(q − 1), or, when q ≤ 1
    makes that mean infinite (``population_mean_finite=False``), the repeat buyers' sample mean. Without a BG/NBD
    fit (``bgnbd_fitted=False``: degenerate data) ``p_alive``, ``expected_purchases`` and ``clv`` are empty."""
    h = f"{horizon_days:g}"
    day = pd.Timestamp(as_of).date().isoformat()
    no_order = "截止日前没有已支付订单的会员留空"
    no_order_en = f"empty for members without a paid order up to {day}"
    no_model = "；数据不足以拟合 BG/NBD 时整列留空" if not bgnbd_fitted else ""
    no_model_en = "; empty for everyone when BG/NBD could not be fitted" if not bgnbd_fitted else ""
    if gamma_gamma_fitted and population_mean_finite:
        spend = ("期望每个购买日消费（元/购买日），Gamma-Gamma 条件期望：会员自己的重复购买平均与人群平均的加权；"
                 "只买过一天（x = 0）的会员取人群平均 pγ/(q − 1)")
        spend_en = ("expected spend per purchase day in yuan, Gamma-Gamma conditional expectation; one-day buyers "
                    "(x = 0) get the population mean p·γ/(q−1)")
    elif gamma_gamma_fitted:
        spend = ("期望每个购买日消费（元/购买日），Gamma-Gamma 条件期望；拟合出的 q ≤ 1，消费金额的右尾太重，"
                 "人群平均在数学上是无穷大，只买过一天（x = 0）的会员改取有重复购买的会员平均金额的样本均值（偏低的估计）")
        spend_en = ("expected spend per purchase day in yuan, Gamma-Gamma conditional expectation; q <= 1 makes the "
                    "population mean infinite, so one-day buyers (x = 0) get the repeat buyers' sample mean")
    else:
        spend = ("期望每个购买日消费（元/购买日），Gamma-Gamma 无法拟合，取会员历史上每个购买日的平均消费"
                 "（monetary_total / purchase_days）；只买过一天（x = 0）的会员就是那一天的消费")
        spend_en = ("expected spend per purchase day in yuan: the member's historical spend per purchase day "
                    "(Gamma-Gamma could not be fitted)")
    return {
        "p_alive": (f"截至 {day} 的存活概率 P(alive)，0–1，BG/NBD 模型；只对有重复购买（x ≥ 1）的会员有定义。"
                    "留空：只买过一天（x = 0），或截止日前没有已支付订单的会员（BG/NBD 假设只在重复购买后才会脱离，"
                    f"x = 0 的模型值恒为 1，不代表仍在购买）{no_model} · probability the member is still alive "
                    f"(BG/NBD) on {day}; empty for one-day buyers (x = 0) and for members without a paid order up to "
                    f"{day}{no_model_en}"),
        "expected_purchases": (f"{day} 之后 {h} 天的期望购买次数，单位：次（购买日，同一天多笔订单算一次），BG/NBD 模型；"
                               f"{no_order}{no_model} · expected purchase days in the {h} days after {day}; "
                               f"{no_order_en}{no_model_en}"),
        "expected_spend": f"{spend}；与预测期无关；{no_order} · {spend_en}; {no_order_en}",
        "clv": (f"{day} 之后 {h} 天的折现 CLV，单位：元（毛利，毛利率 {margin:.0%}，年折现率 {annual_discount_rate:.0%}，"
                f"按月折现）= 毛利率 × 期望每个购买日消费 × 每月期望购买次数；{no_order}{no_model} · discounted "
                f"margin over the {h} days after {day}, in yuan; {no_order_en}{no_model_en}"),
    }
