"""Loyalty quadrants (忠诚度四象限, seed 002): heavy / light buyers × high / low loyalty, loyalty measured two ways.

* **heavy** — the member's spend per year while active, :func:`annual_spend`, is at least ``heavy_threshold``
  元 (default 3,000, the line the synthetic world's truth uses). "While active": from the first purchase to the
  last one plus one mean interval (the member's own rhythm), at least ``min_days`` days — a member who stopped a
  year ago is not made "light" by the year of silence, and a one-day buyer is judged over ``min_days``.
* **loyalty, way 1: brand share** — over the categories a member bought at least ``min_lines`` lines of, the share
  of those lines on the member's favourite brand of that category (order_items + products.brand). This is what the
  truth's ``brand_loyalty`` is a chance of.
* **loyalty, way 2: repeat share** — the share of those lines that repeat a brand the member had already bought
  in that category; it reads the order of purchases, not only their counts.
* **high loyalty** — the measure is at least ``loyal_threshold`` (default 0.6).

The quadrant names are the course's archetype names (:data:`helpers.truth.ARCHETYPE_ZH`), so the agreement with
the truth is one cross-table (:func:`quadrant_agreement`). Both loyalty measures need order lines and products:
on orders-only data the quadrants are skipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior import mean_interval, paid_orders
from helpers.truth import ARCHETYPE_ZH

__all__ = ["QUADRANT_ACTIONS", "QUADRANTS", "annual_spend", "brand_loyalty", "loyalty_quadrants",
           "quadrant_agreement"]

#: quadrant code -> Chinese name, heavy loyal first
QUADRANTS = dict(ARCHETYPE_ZH)

#: what each quadrant should get (seed 002 §四)
QUADRANT_ACTIONS = pd.DataFrame({
    "quadrant": list(QUADRANTS.values()),
    "who": ["消费多、认准品牌", "消费多、常换品牌", "消费少、认准品牌", "消费少、常换品牌"],
    "action": ["维护：专属服务与会员权益，不需要折扣刺激；关注流失预警",
               "争取：个性化推荐与组合优惠，把份额从竞品品牌拉回来",
               "培养：交叉销售与提高消费频次，例如满额礼、品类延伸",
               "控制成本：低成本触达、促销时再联系，不做高投入"],
}).set_index("quadrant")


def annual_spend(summary: pd.DataFrame, *, min_days: int = 90) -> pd.Series:
    """Spend per year while active (元/年): ``monetary_total × 365 / active_days``, with active_days = last −
    first purchase day + one mean interval (:func:`helpers.behavior.mean_interval`), at least ``min_days``."""
    span = (summary["last_purchase"] - summary["first_purchase"]).dt.days.to_numpy(float)
    days = np.maximum(span + mean_interval(summary).fillna(0.0).to_numpy(), float(min_days))
    return pd.Series(summary["monetary_total"].to_numpy(float) * 365.0 / days, index=summary.index,
                     name="annual_spend")


def brand_loyalty(orders: pd.DataFrame, order_items: pd.DataFrame, products: pd.DataFrame, as_of=None, *,
                  min_lines: int = 2) -> pd.DataFrame:
    """Per member (paid orders up to ``as_of``): ``lines`` counted, ``brand_share`` and ``repeat_share`` (see the
    module docstring), over the categories with at least ``min_lines`` lines; NaN when there is none."""
    o = paid_orders(orders, as_of)[["order_id", "member_id", "order_ts"]]
    li = order_items[["order_id", "line_no", "product_id"]].merge(o, on="order_id", how="inner")
    li = li.merge(products[["product_id", "category", "brand"]], on="product_id", how="left")
    li = li.dropna(subset=["category", "brand"])
    li["member_id"] = li["member_id"].astype("string")
    li = li.sort_values(["member_id", "order_ts", "order_id", "line_no"], kind="mergesort")
    key = ["member_id", "category"]
    n_cat = li.groupby(key, observed=True)["brand"].transform("size")
    li = li[n_cat.to_numpy() >= min_lines]
    per_brand = li.groupby([*key, "brand"], observed=True).size()
    top = per_brand.groupby(level=[0, 1], observed=True).max().groupby(level=0).sum()
    lines = li.groupby("member_id").size()
    repeat = li.duplicated([*key, "brand"]).groupby(li["member_id"].to_numpy()).sum()
    cats = li.groupby("member_id")["category"].nunique()  # each category's first line cannot repeat a brand
    could = (lines - cats).where(lines > cats)
    out = pd.DataFrame({"lines": lines, "brand_share": top / lines, "repeat_share": repeat.reindex(lines.index) / could})
    out.index.name = "member_id"
    return out


def loyalty_quadrants(spend: pd.Series, loyalty: pd.Series, *, heavy_threshold: float = 3000.0,
                      loyal_threshold: float = 0.6) -> pd.Series:
    """重度忠诚 / 重度摇摆 / 轻度忠诚 / 轻度摇摆 per member: heavy ⇔ ``spend`` ≥ ``heavy_threshold``, loyal ⇔
    ``loyalty`` ≥ ``loyal_threshold``; missing (``<NA>``) where either input is missing. Index of ``spend``."""
    s = pd.Series(spend).astype(float)
    lo = pd.Series(loyalty).reindex(s.index).astype(float)
    heavy, loyal = s.to_numpy() >= heavy_threshold, lo.to_numpy() >= loyal_threshold
    code = np.where(heavy, np.where(loyal, "重度忠诚", "重度摇摆"), np.where(loyal, "轻度忠诚", "轻度摇摆"))
    out = pd.Series(code, index=s.index, dtype="string", name="loyalty_quadrant")
    return out.mask(s.isna() | lo.isna())


def quadrant_agreement(quadrant: pd.Series, archetype: pd.Series) -> dict:
    """How the observed quadrants agree with the truth's archetypes (codes or Chinese names) on the members that
    have both: ``members``, ``accuracy`` (same quadrant), ``heavy_accuracy`` and ``loyal_accuracy`` (each axis
    alone), ``kappa`` (Cohen's κ: agreement beyond chance) and ``table`` (truth rows × observed columns)."""
    from sklearn.metrics import cohen_kappa_score

    truth = pd.Series(archetype).astype("string").replace(QUADRANTS)
    both = pd.DataFrame({"obs": pd.Series(quadrant).astype("string"), "truth": truth.reindex(quadrant.index)}).dropna()
    if both.empty:
        return {"members": 0, "accuracy": float("nan"), "heavy_accuracy": float("nan"),
                "loyal_accuracy": float("nan"), "kappa": float("nan"), "table": pd.DataFrame()}
    o, t = both["obs"].astype(str), both["truth"].astype(str)
    names = list(QUADRANTS.values())
    return {"members": int(len(both)), "accuracy": float((o == t).mean()),
            "heavy_accuracy": float((o.str[:2] == t.str[:2]).mean()),
            "loyal_accuracy": float((o.str[2:] == t.str[2:]).mean()),
            "kappa": float(cohen_kappa_score(t, o, labels=names)),
            "table": pd.crosstab(t.rename("真值"), o.rename("观察")).reindex(index=names, columns=names, fill_value=0)}
