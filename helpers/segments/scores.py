"""The columns module 05 adds to the report's ``member_scores``, and what each one means (Chinese + English).

Kept apart from the analysis because these are a contract with CRM users: names, units, the as-of day and the
horizon, and which members are left empty and why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["RISK_BAND_EDGES", "RISK_BANDS", "SCORE_COLUMNS", "member_score_descriptions", "member_scores",
           "risk_band"]

SCORE_COLUMNS = ("cluster", "cluster_name", "loyalty_quadrant", "lifecycle_stage", "churn_risk", "churn_risk_band")
#: churn-risk bands: [0, 0.3) 低风险, [0.3, 0.6) 中风险, [0.6, 1] 高风险
RISK_BAND_EDGES = (0.3, 0.6)
RISK_BANDS = ("低风险", "中风险", "高风险")


def risk_band(churn_risk: pd.Series, edges=RISK_BAND_EDGES) -> pd.Series:
    """低风险 / 中风险 / 高风险 by the calibrated churn probability (a value on an edge goes to the higher band);
    missing where the risk is missing. String dtype."""
    r = pd.Series(churn_risk).astype(float)
    code = np.searchsorted(np.asarray(edges, float), r.to_numpy(), side="right")
    out = pd.Series(np.asarray(RISK_BANDS, dtype=object)[np.minimum(code, len(RISK_BANDS) - 1)], index=r.index,
                    dtype="string", name="churn_risk_band")
    return out.mask(r.isna())


def member_scores(index: pd.Index, *, cluster=None, cluster_name=None, loyalty_quadrant=None,
                  lifecycle_stage=None, churn_risk=None) -> pd.DataFrame:
    """The six columns for the members of ``index`` (missing where a part was skipped or a member not scored)."""
    idx = pd.Index(index, name="member_id")

    def col(s, dtype):
        if s is None:
            return pd.Series(pd.NA if dtype != "float64" else np.nan, index=idx, dtype=dtype)
        return pd.Series(s).reindex(idx).astype(dtype)

    risk = col(churn_risk, "float64")
    return pd.DataFrame({"cluster": col(cluster, "Int64"), "cluster_name": col(cluster_name, "string"),
                         "loyalty_quadrant": col(loyalty_quadrant, "string"),
                         "lifecycle_stage": col(None if lifecycle_stage is None else
                                                pd.Series(lifecycle_stage).astype(object), "string"),
                         "churn_risk": risk, "churn_risk_band": risk_band(risk)}, index=idx)


def member_score_descriptions(as_of, horizon_days: int, *, k: int, heavy_threshold: float,
                              loyal_threshold: float, model: str, quadrants_skipped: bool = False) -> dict[str, str]:
    """Chinese (and English) meaning of every column of :func:`member_scores`, with the as-of day and horizon."""
    day = pd.Timestamp(as_of).date().isoformat()
    h = int(horizon_days)
    empty = "截止日前没有已支付订单的会员留空"
    lo, hi = RISK_BAND_EDGES
    quad_skip = "；没有订单明细和商品表时整列留空" if quadrants_skipped else ""
    return {
        "cluster": (f"会员聚类编号 1–{k}（k-means，截至 {day}），按人均累计消费从高到低编号，1 为价值最高的一类；"
                    f"{empty} · k-means cluster 1..{k} on {day}, numbered by mean spend per member (1 = highest)"),
        "cluster_name": f"聚类的中文名称（价值层级 + 活跃状态）；{empty} · Chinese name of the cluster",
        "loyalty_quadrant": (f"忠诚度四象限：重度 ⇔ 活跃期年消费 ≥ {heavy_threshold:,.0f} 元，忠诚 ⇔ 常买品牌份额 ≥ "
                             f"{loyal_threshold:.0%}；品类购买太少无法判断忠诚度的会员留空{quad_skip} · heavy / light "
                             f"(spend per active year vs {heavy_threshold:,.0f} yuan) × loyal / switching "
                             f"(favourite-brand share vs {loyal_threshold:.0%})"),
        "lifecycle_stage": (f"生命周期阶段（新客 / 成长 / 成熟 / 衰退 / 沉睡 / 流失），截至 {day}，规则见模块 05 第 4 节；"
                            f"{empty} · lifecycle stage on {day} by explicit rules"),
        "churn_risk": (f"流失风险：{day} 之后 {h} 天内没有任何已支付订单的概率（0–1，已校准，模型 {model}，"
                       f"按截止日前 {h} 天的数据训练）；{empty} · calibrated probability of no paid purchase in the "
                       f"{h} days after {day}"),
        "churn_risk_band": (f"流失风险分档：低风险 < {lo:g} ≤ 中风险 < {hi:g} ≤ 高风险；{empty} · churn-risk band "
                            f"(low < {lo:g} <= medium < {hi:g} <= high)"),
    }
