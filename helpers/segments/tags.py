"""Rule-based member tags (会员标签体系): each tag a written rule on the data, with its coverage and overlap.

Why rules: a tag is something a marketer filters on (“给母婴标签的会员推送奶粉券”), so it must be explainable
and stable; a model's cluster is not a tag. Each rule in :data:`TAG_RULES` says what it needs (a table, a column),
its definition in Chinese, and counts only members with at least ``min_orders`` paid orders (a share of one
order says nothing). :func:`member_tags` returns one boolean column per tag it could compute and the reason for
each tag it skipped; :func:`tag_coverage` and :func:`tag_overlap` say how many members carry each tag and how
much the tags overlap (Jaccard: members with both / members with either).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior import category_mix, paid_orders

__all__ = ["FESTIVAL_WINDOWS", "TAG_RULES", "member_tags", "tag_coverage", "tag_overlap"]

#: shopping festivals (month, first day, last day): 618, 双 11, 双 12
FESTIVAL_WINDOWS = ((6, 1, 18), (11, 1, 11), (12, 12, 12))

#: tag -> (needs, definition)
TAG_RULES = {
    "价格敏感": ("orders.discount_amount", "至少一半的已支付订单用了优惠（discount_amount > 0）"),
    "夜间下单": ("orders.order_ts", "至少 30% 的已支付订单在 21:00–次日 6:00 之间下单"),
    "节日型": ("orders.order_ts", "至少 40% 的已支付订单在 618（6 月 1–18 日）、双 11（11 月 1–11 日）或双 12 下单"),
    "线上为主": ("orders.channel", "至少 70% 的已支付订单来自线上商城或小程序"),
    "母婴": ("order_items + products", "母婴用品占消费金额至少 30%"),
    "美妆": ("order_items + products", "美妆护肤占消费金额至少 30%"),
}


def _festival(ts: pd.Series) -> np.ndarray:
    m, d = ts.dt.month.to_numpy(), ts.dt.day.to_numpy()
    hit = np.zeros(len(ts), bool)
    for month, first, last in FESTIVAL_WINDOWS:
        hit |= (m == month) & (d >= first) & (d <= last)
    return hit


def member_tags(orders: pd.DataFrame, as_of, *, order_items=None, products=None, min_orders: int = 3,
                category_share: float = 0.3) -> tuple[pd.DataFrame, dict[str, str]]:
    """``(tags, skipped)``: a boolean frame (members with a paid order up to ``as_of`` × the tags of
    :data:`TAG_RULES` that the data allows) and tag -> Chinese reason for each tag that could not be computed."""
    o = paid_orders(orders, as_of)
    ids = o["member_id"].astype("string")
    n = ids.value_counts().sort_index()
    index = n.index.rename("member_id")
    enough = n.to_numpy() >= min_orders
    tags, skipped = {}, {}

    def share(mask) -> np.ndarray:
        return (ids[np.asarray(mask, bool)].value_counts().reindex(index).fillna(0) / n).to_numpy()

    if "discount_amount" in o.columns:
        tags["价格敏感"] = enough & (share((o["discount_amount"].astype(float) > 0).fillna(False)) >= 0.5)
    else:
        skipped["价格敏感"] = "订单表没有优惠金额列 discount_amount，无法判断价格敏感。"
    hour = o["order_ts"].dt.hour.to_numpy()
    tags["夜间下单"] = enough & (share((hour >= 21) | (hour < 6)) >= 0.3)
    tags["节日型"] = enough & (share(_festival(o["order_ts"])) >= 0.4)
    if "channel" in o.columns:
        tags["线上为主"] = enough & (share((o["channel"].astype("string") != "门店").fillna(False)) >= 0.7)
    else:
        skipped["线上为主"] = "订单表没有渠道列 channel，无法判断线上为主。"
    if order_items is not None and products is not None and "order_id" in o.columns:
        mix = category_mix(o, order_items, products, per_member=True).reindex(index).fillna(0.0)
        mix.index = index
        for tag, cat in (("母婴", "母婴用品"), ("美妆", "美妆护肤")):
            col = mix[cat].to_numpy() if cat in mix.columns else np.zeros(len(index))
            tags[tag] = enough & (col >= category_share)
    else:
        for tag in ("母婴", "美妆"):
            skipped[tag] = f"没有订单明细 order_items 和商品表 products，无法计算品类偏好标签“{tag}”。"
    return pd.DataFrame(tags, index=index), skipped


def tag_coverage(tags: pd.DataFrame, definitions: dict | None = None) -> pd.DataFrame:
    """Per tag: ``members`` tagged, ``coverage`` (share of all members) and its ``definition``."""
    d = TAG_RULES if definitions is None else definitions
    t = pd.DataFrame({"members": tags.sum().astype(np.int64), "coverage": tags.mean()})
    t["definition"] = [d[c][1] if isinstance(d.get(c), tuple) else d.get(c, "") for c in t.index]
    t.index.name = "tag"
    return t


def tag_overlap(tags: pd.DataFrame) -> pd.DataFrame:
    """Jaccard overlap of every pair of tags: members with both / members with either (1 on the diagonal for a
    tag anyone carries; NaN for a pair nobody carries)."""
    A = tags.to_numpy(bool).astype(np.int64)
    both = A.T @ A
    size = A.sum(axis=0)
    either = size[:, None] + size[None, :] - both
    with np.errstate(divide="ignore", invalid="ignore"):
        j = np.where(either > 0, both / np.maximum(either, 1), np.nan)
    return pd.DataFrame(j, index=tags.columns, columns=tags.columns)
