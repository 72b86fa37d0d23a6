"""The spend-band explorer (金额分层门槛探索): two sliders for the cut-offs, the bands' member and spend shares.

Why in helpers: the controls and callbacks are plumbing, not analysis; the notebook makes one call. Without a
widget frontend (report runs, nbconvert, no ipywidgets) the same view is drawn once, statically, at the given
cut-offs, so the call never fails.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.behavior.bands import spend_band
from helpers.behavior.display import display_zh
from helpers.widgets import toolkit

__all__ = ["spend_band_explorer"]


def _show(summary: pd.DataFrame, mid_edge: float, high_edge: float) -> pd.DataFrame | None:
    """Draw the member and spend shares of the three bands cut at ``mid_edge`` / ``high_edge`` 元; the table."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    from helpers import plots

    if high_edge <= mid_edge:
        print("高价值门槛必须大于中价值门槛。")
        return None
    spend = summary["monetary_total"].astype(float)
    bands = spend_band(spend, edges=[mid_edge, high_edge])
    g = spend.groupby(bands, observed=False)
    table = display_zh(pd.DataFrame({"members": g.size(), "member_share": g.size() / max(len(spend), 1),
                                     "spend_share": g.sum() / spend.sum() if spend.sum() else np.nan}))
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    plots.bar_share(table["会员数"], title="各层会员占比", xlabel="金额层", sort=False, ax=axes[0])
    plots.bar_share(table["金额占比"], title="各层金额占比", xlabel="金额层", sort=False, ax=axes[1])
    fig.suptitle(f"中价值 ≥ {mid_edge:,.0f} 元，高价值 ≥ {high_edge:,.0f} 元")
    fig.tight_layout()
    plt.show()
    display(table.style.format({"会员占比": "{:.1%}", "金额占比": "{:.1%}"}))
    return table


def spend_band_explorer(summary: pd.DataFrame, edges=None, *, interactive: bool = True):
    """Sliders for the 中价值 / 高价值 cut-offs (元) over ``summary["monetary_total"]``, redrawing the bands'
    member and spend shares on release; starts at ``edges`` (default: :func:`spend_band`'s quantile cut-offs
    rounded to 100 元). ``interactive=False`` — or no ipywidgets — draws the view once at ``edges`` instead.
    Returns the widget box, or the static table."""
    spend = summary["monetary_total"].astype(float)
    if edges is None:
        edges = [round(e, -2) for e in spend_band(spend).attrs["edges"]]
    start = [int(e) for e in edges]
    widgets = toolkit(interactive)
    if widgets is None:
        return _show(summary, *start)
    from IPython.display import display

    top = int(round(float(np.quantile(spend, 0.99)) if len(spend) else 0.0, -3)) + 1000
    top = max(top, *start)
    sliders = {name: widgets.IntSlider(value=v, min=0, max=top, step=100, description=label,
                                       continuous_update=False)
               for name, v, label in (("mid_edge", start[0], "中价值门槛"), ("high_edge", start[1], "高价值门槛"))}
    shown = widgets.interactive_output(lambda mid_edge, high_edge: _show(summary, mid_edge, high_edge), sliders)
    box = widgets.VBox([widgets.HBox(list(sliders.values())), shown])
    display(box)
    return box
