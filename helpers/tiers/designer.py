"""The tier designer (等级设计器): change the thresholds and the window, press 应用, and see members per tier,
upgrades and downgrades, the benefit cost, and a warning when the change would move more than a set share of
members to another tier than the current programme gives them.

:func:`compare_designs` does the work and is what the tests call; :func:`tier_designer` only wires controls to it
(``helpers.widgets.toolkit``). Without a widget frontend (report runs, autograde, tests) it draws the comparison once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import widgets
from helpers.tiers.benefits import benefit_cost
from helpers.tiers.flows import monthly_flows
from helpers.tiers.rules import TierRules
from helpers.tiers.simulate import Panel, simulate_tiers

__all__ = ["DesignComparison", "compare_designs", "tier_designer"]


@dataclass
class DesignComparison:
    table: pd.DataFrame  # per tier: members and benefit cost under the current and the proposed rules
    flows: pd.DataFrame  # upgrades / downgrades over the last months, current vs proposed
    moved: int  # members whose tier at the last month end differs
    members: int  # members who have joined by the last month end
    moved_share: float
    warn_share: float

    @property
    def warning(self) -> str | None:
        if self.members and self.moved_share > self.warn_share:
            return (f"注意：新方案会让 {self.moved:,} 位会员（{self.moved_share:.1%}）的等级发生变化，"
                    f"超过了 {self.warn_share:.0%} 的提醒线；正式调整前要准备好会员沟通方案。")
        return None


def compare_designs(panel: Panel, current: TierRules, proposed: TierRules, benefits: pd.DataFrame | None = None,
                    months: int = 12, warn_share: float = 0.1) -> DesignComparison:
    """Simulate both programmes on ``panel``; compare members per tier and benefit cost at the end, upgrades and
    downgrades over the last ``months`` months, and how many members end up in another tier."""
    if current.n_tiers != proposed.n_tiers:
        raise ValueError("both designs need the same tiers / 两个方案的等级个数须相同")
    a, b = simulate_tiers(panel, current), simulate_tiers(panel, proposed)
    ex = a.exists()[:, -1] if a.tier.size else np.zeros(0, bool)
    names = list(current.names)

    def counts(p):
        return np.bincount(p.tier[ex, -1].astype(np.int64), minlength=current.n_tiers) if p.tier.size else \
            np.zeros(current.n_tiers, np.int64)

    ca, cb = benefit_cost(panel, a, benefits, months), benefit_cost(panel, b, benefits, months)
    table = pd.DataFrame({"members_current": counts(a), "members_proposed": counts(b),
                          "cost_current": ca["total_cost"].to_numpy(), "cost_proposed": cb["total_cost"].to_numpy()},
                         index=pd.Index(names, name="tier"))
    fa, fb = monthly_flows(a).tail(months), monthly_flows(b).tail(months)
    flows = pd.DataFrame({"current": [int(fa["upgrades"].sum()), int(fa["downgrades"].sum())],
                          "proposed": [int(fb["upgrades"].sum()), int(fb["downgrades"].sum())]},
                         index=pd.Index(["upgrades", "downgrades"], name="flow"))
    moved = int((a.tier[ex, -1] != b.tier[ex, -1]).sum()) if a.tier.size else 0
    n = int(ex.sum())
    return DesignComparison(table, flows, moved, n, moved / n if n else 0.0, float(warn_share))


def _show(cmp: DesignComparison, proposed: TierRules) -> None:
    from IPython.display import display

    print(proposed.describe_zh())
    t = cmp.table.rename(columns={"members_current": "现方案人数", "members_proposed": "新方案人数",
                                  "cost_current": "现方案权益成本（元）", "cost_proposed": "新方案权益成本（元）"})
    display(t.rename_axis("等级").round(0))
    f = cmp.flows.rename(index={"upgrades": "升级人次", "downgrades": "降级人次"},
                         columns={"current": "现方案", "proposed": "新方案"})
    display(f.rename_axis("近期流动"))
    print(f"等级改变的会员：{cmp.moved:,} 人，占 {cmp.moved_share:.1%}")
    if cmp.warning:
        print(cmp.warning)


def tier_designer(panel: Panel, current: TierRules, proposed: TierRules | None = None, *,
                  benefits: pd.DataFrame | None = None, months: int = 12, warn_share: float = 0.1,
                  interactive: bool = True):
    """Threshold boxes, a window slider and an 应用 (Apply) button; each press simulates the proposed programme and
    shows :func:`compare_designs` against ``current``. Returns the widget box, or — without a widget frontend —
    shows and returns the :class:`DesignComparison` of ``proposed`` (default: ``current``)."""
    proposed = current if proposed is None else proposed
    w = widgets.toolkit(interactive)
    if w is None:
        cmp = compare_designs(panel, current, proposed, benefits, months, warn_share)
        _show(cmp, proposed)
        return cmp
    unit = "元" if current.basis == "spend" else "分"
    boxes = [w.BoundedFloatText(value=v, min=0.0, max=1e9, step=100.0, description=f"{name}（{unit}）",
                                style={"description_width": "initial"})
             for name, v in zip(proposed.names[1:], proposed.thresholds[1:], strict=False)]
    window = w.IntSlider(value=int(proposed.window_months), min=1, max=24, description="窗口（月）",
                         continuous_update=False)
    apply = w.Button(description="应用", button_style="primary")

    def draw():
        try:
            rules = TierRules(thresholds=(0.0, *[float(b.value) for b in boxes]), names=current.names,
                              window_months=int(window.value), basis=current.basis,
                              period_months=current.period_months, grace_months=current.grace_months)
        except ValueError as exc:
            print(f"门槛不合理：{exc}")
            return
        _show(compare_designs(panel, current, rules, benefits, months, warn_share), rules)

    return widgets.controls_view(w, [w.HBox(boxes), w.HBox([window, apply])], draw, button=apply)
