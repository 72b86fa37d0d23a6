"""Module 08's widget: a power calculator (baseline rate, lift, α, power → members per arm; members per arm →
detectable lift). Without a widget frontend (report runs, nbgrader, tests) it prints the starting values once."""

from __future__ import annotations

from helpers import widgets
from helpers.experiments.design import detectable_lift, sample_size

__all__ = ["power_calculator", "power_text"]


def power_text(p0: float, lift: float, alpha: float = 0.05, power: float = 0.8, n_per_arm: int = 1000) -> str:
    """The calculator's answer in one Chinese paragraph."""
    try:
        n = f"{sample_size(p0, lift, alpha, power):,}"
    except ValueError:
        n = "无法计算（基线转化率加提升必须在 0 到 1 之间）"
    mde = detectable_lift(p0, n_per_arm, n_per_arm, alpha, power)
    return (f"基线转化率 {p0:.1%}、目标提升 {lift * 100:.1f} 个百分点、α = {alpha:.2f}、检验功效 {power:.0%}："
            f"每组需要 {n} 名会员。每组 {n_per_arm:,} 名会员时，最小可检测提升为 {mde * 100:.2f} 个百分点。")


def power_calculator(p0: float = 0.2, lift: float = 0.02, alpha: float = 0.05, power: float = 0.8,
                     n_per_arm: int = 1000, interactive: bool = True):
    """Sliders for the baseline rate, target lift, α, power and members per arm; the text of :func:`power_text`
    is redrawn on release. Shows and returns the widget box, or prints and returns the text without widgets."""
    w = widgets.toolkit(interactive)
    if w is None:
        text = power_text(p0, lift, alpha, power, n_per_arm)
        print(text)
        return text
    s = dict(continuous_update=False, style={"description_width": "initial"})
    c_p0 = w.FloatSlider(value=p0, min=0.01, max=0.9, step=0.01, description="基线转化率", readout_format=".2f", **s)
    c_lift = w.FloatSlider(value=lift, min=0.002, max=0.2, step=0.002, description="目标提升", readout_format=".3f", **s)
    c_alpha = w.FloatSlider(value=alpha, min=0.01, max=0.2, step=0.01, description="α", **s)
    c_power = w.FloatSlider(value=power, min=0.5, max=0.99, step=0.01, description="检验功效", **s)
    c_n = w.IntSlider(value=n_per_arm, min=100, max=100_000, step=100, description="每组会员数", **s)
    controls = [c_p0, c_lift, c_alpha, c_power, c_n]
    return widgets.controls_view(
        w, controls, lambda: print(power_text(c_p0.value, c_lift.value, c_alpha.value, c_power.value, c_n.value)),
        watch=controls)
