"""Tier rules and benefits as data (会员等级规则与权益), so a programme is a value that can be printed, changed in a
designer, compared with another one and written into a report — never an ``if`` buried in code.

A :class:`TierRules` says: the tier names (lowest first), the qualification threshold of each tier on a rolling
window of ``window_months`` calendar months (paid net spend in 元, or points earned), that an upgrade takes effect at
the end of the month the member qualifies, and that a downgrade happens only at a review — ``period_months`` after
the member reached the tier, plus ``grace_months`` of grace — and only one level at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_BENEFITS", "DEFAULT_RULES", "TIER_NAMES", "TierRules", "benefits_table", "parse_thresholds"]

TIER_NAMES = ("普通会员", "银卡", "金卡", "钻石卡")


@dataclass(frozen=True)
class TierRules:
    """A tier programme. ``thresholds[k]`` is what a member needs in the window to hold tier ``k``
    (``thresholds[0]`` is 0: everybody holds the base tier)."""

    thresholds: tuple[float, ...] = (0.0, 1000.0, 3000.0, 10000.0)
    names: tuple[str, ...] = TIER_NAMES
    window_months: int = 12
    basis: str = "spend"  # "spend" (paid net amount, 元) or "points" (points earned on paid orders)
    period_months: int = 12  # a tier is held at least this long before its first review
    grace_months: int = 1  # extra months after the anniversary to re-qualify before the downgrade
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        t = tuple(float(x) for x in self.thresholds)
        object.__setattr__(self, "thresholds", t)
        if len(t) < 2:
            raise ValueError("a tier programme needs at least two tiers / 至少需要两个等级")
        if len(self.names) != len(t):
            raise ValueError(f"{len(self.names)} tier names for {len(t)} thresholds / 等级名称与门槛个数不一致")
        if t[0] != 0 or any(b <= a for a, b in zip(t, t[1:], strict=False)) or not all(np.isfinite(t)):
            raise ValueError(f"thresholds must start at 0 and increase strictly / 门槛须从 0 开始严格递增，得到 {t}")
        if self.basis not in ("spend", "points"):
            raise ValueError(f"basis must be 'spend' or 'points', got {self.basis!r}")
        for name in ("window_months", "period_months"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1 month / 至少 1 个月")
        if int(self.grace_months) < 0:
            raise ValueError("grace_months must not be negative / 宽限期不能为负")

    @property
    def n_tiers(self) -> int:
        return len(self.thresholds)

    def with_thresholds(self, thresholds) -> TierRules:
        return replace(self, thresholds=tuple(thresholds))

    def table(self) -> pd.DataFrame:
        """One row per tier: name and threshold, in Chinese headings."""
        unit = "元" if self.basis == "spend" else "分"
        what = "已支付消费" if self.basis == "spend" else "获得积分"
        return pd.DataFrame({"等级": list(self.names),
                             f"近 {self.window_months} 个月{what}门槛（{unit}）": list(self.thresholds)},
                            index=pd.RangeIndex(self.n_tiers, name="level"))

    def describe_zh(self) -> str:
        unit = "元" if self.basis == "spend" else "分"
        what = "已支付消费" if self.basis == "spend" else "获得的积分"
        parts = "、".join(f"{n} ≥ {t:,.0f} {unit}" for n, t in zip(self.names[1:], self.thresholds[1:], strict=False))
        return (f"按近 {self.window_months} 个月{what}定级：{parts}；达标当月月末立即升级，"
                f"保级满 {self.period_months} 个月后复核（宽限 {self.grace_months} 个月），不达标每次降一级。")


DEFAULT_RULES = TierRules()


def parse_thresholds(text: str) -> tuple[float, ...]:
    """``"0,1000,3000,10000"`` (comma, full-width comma or spaces) → thresholds; ValueError with the rule."""
    raw = str(text).replace("，", ",").replace(" ", ",")
    try:
        values = tuple(float(x) for x in raw.split(",") if x.strip())
    except ValueError:
        raise ValueError(f"门槛应为逗号分隔的数字，如 0,1000,3000,10000；得到 {text!r}") from None
    if len(values) < 2 or values[0] != 0 or any(b <= a for a, b in zip(values, values[1:], strict=False)) \
            or not all(np.isfinite(values)):
        raise ValueError(f"门槛须从 0 开始、严格递增、至少两个等级，得到 {text!r}")
    return values


#: the benefits of each tier (unit costs in 元): a member discount on paid spend, free shipping on online orders,
#: a birthday gift once a year; ``*_usage`` is the share of members / orders that use the benefit
DEFAULT_BENEFITS = pd.DataFrame({
    "discount_rate": [0.0, 0.02, 0.05, 0.08],
    "free_shipping": [False, False, True, True],
    "shipping_cost": [8.0, 8.0, 8.0, 8.0],
    "birthday_gift": [0.0, 20.0, 50.0, 150.0],
    "birthday_usage": [0.0, 0.6, 0.7, 0.8],
}, index=pd.RangeIndex(4, name="level"))


def benefits_table(benefits: pd.DataFrame | None, rules: TierRules) -> pd.DataFrame:
    """``benefits`` (default :data:`DEFAULT_BENEFITS`; all zero for a programme with another number of tiers) checked against the rules: one row per tier level, the
    columns above, no negative costs."""
    if benefits is None and rules.n_tiers != len(DEFAULT_BENEFITS):  # another number of tiers: no known costs
        benefits = pd.DataFrame({"discount_rate": 0.0, "free_shipping": False, "shipping_cost": 0.0,
                                 "birthday_gift": 0.0, "birthday_usage": 0.0}, index=range(rules.n_tiers))
    b = (DEFAULT_BENEFITS if benefits is None else benefits).copy()
    need = ["discount_rate", "free_shipping", "shipping_cost", "birthday_gift", "birthday_usage"]
    missing = [c for c in need if c not in b.columns]
    if missing:
        raise ValueError(f"benefits table lacks columns {missing} / 权益表缺少列")
    if len(b) != rules.n_tiers:
        raise ValueError(f"benefits has {len(b)} rows for {rules.n_tiers} tiers / 权益表行数与等级数不一致")
    b.index = pd.RangeIndex(rules.n_tiers, name="level")
    num = b[["discount_rate", "shipping_cost", "birthday_gift", "birthday_usage"]].astype(float)
    if (num < 0).any().any() or (b["discount_rate"] > 1).any() or (b["birthday_usage"] > 1).any():
        raise ValueError("benefit rates and costs must be ≥ 0, rates ≤ 1 / 权益比例与成本须非负，比例不超过 1")
    return b
