"""Module 04's interactive view: how total discounted CLV depends on the horizon and the discount rate.

Why in a helper: the controls and callbacks are plumbing; the notebook makes one call and the trainee reads the
analysis. The monthly expected margin is computed once (:func:`helpers.clv.monthly_expected_margin`), so moving a
slider only re-weights it with :func:`helpers.clv.discount_factors`. Without ipywidgets, in report mode
(``interactive=False``) or without a widget frontend, the same picture is drawn once, statically.
"""

from __future__ import annotations

import numpy as np

from helpers.clv.value import discount_factors
from helpers.widgets import toolkit


def plot_discounted_months(monthly_margin, months: int, rate: float):
    """Bar chart of the discounted margin of each month in units of 10,000 yuan, for ``months`` months at annual ``rate``."""
    import matplotlib.pyplot as plt

    months = int(months)
    values = np.asarray(monthly_margin, float)[:months] * discount_factors(months, rate)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(np.arange(1, len(values) + 1), values / 1e4, color="C0")
    ax.set_title(f"未来 {months} 个月折现毛利合计 {values.sum() / 1e4:,.1f} 万元（年折现率 {rate:.0%}）")
    ax.set_xlabel("第几个月")
    ax.set_ylabel("当月折现毛利（万元）")
    plt.show()
    return fig


def clv_explorer(monthly_margin, *, months: int = 6, rate: float = 0.1, max_rate: float = 0.3,
                 interactive: bool = True):
    """Sliders for the horizon (months, up to ``len(monthly_margin)``) and the annual discount rate over a bar
    chart of the discounted monthly margin. ``monthly_margin``: expected margin of all members per month, in yuan.

    Returns the ipywidgets object, or ``None`` when it drew the static chart (``interactive=False``, a static run
    such as a report — :mod:`helpers.widgets` — or no ipywidgets)."""
    max_months = max(1, len(monthly_margin))
    months = int(min(max(1, months), max_months))
    widgets = toolkit(interactive)
    if widgets is None:
        plot_discounted_months(monthly_margin, months, rate)
        return None
    return widgets.interact(
        lambda months, rate: plot_discounted_months(monthly_margin, months, rate),
        months=widgets.IntSlider(value=months, min=1, max=max_months, description="预测期（月）"),
        rate=widgets.FloatSlider(value=float(rate), min=0.0, max=float(max_rate), step=0.01,
                                 description="年折现率", readout_format=".2f"),
    )
