"""The course plot theme: one seaborn / matplotlib look with a CJK font the project ships itself.

Why: every chart in the course carries Chinese titles, labels and category names. matplotlib's default DejaVu Sans
has no Chinese glyphs (tofu boxes plus "Glyph … missing from font" warnings), and system CJK fonts differ between
trainee laptops. The ``mplfonts`` wheel (pinned in pyproject.toml) carries Noto Sans CJK SC; :func:`use_theme`
registers that file with matplotlib's font manager for this process only — no network, no rewritten matplotlibrc.

Call ``use_theme()`` once at the top of a notebook. The small chart helpers below return the ``Axes`` they drew
on and never save files (the report run embeds figures in the HTML).

The theme is seaborn's (``set_theme(style="whitegrid", palette=PALETTE)``), but its rc values for the four contexts
are stored in ``plot_theme.json`` (written from seaborn by ``python -m helpers.plots --write-theme``; a test checks
the file against the installed seaborn). Importing seaborn pulls in scipy.stats, about 1 s of every kernel start,
while most modules draw with matplotlib alone; seaborn is imported only where a seaborn plot is drawn.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from cycler import cycler
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

FONT_FILE = "NotoSansCJKsc-Regular.otf"

#: the course palette (colour-blind friendly, seaborn "colorblind" order)
PALETTE = "colorblind"
THEME_STYLE = "whitegrid"
THEME_CONTEXTS = ("paper", "notebook", "talk", "poster")
THEME_FILE = Path(__file__).with_name("plot_theme.json")


def font_path() -> Path:
    """Path of the Noto Sans CJK SC font inside the installed mplfonts package."""
    import mplfonts

    path = Path(mplfonts.__file__).resolve().parent / "fonts" / FONT_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"找不到中文字体 {path}。请重新安装环境（make env）。/ CJK font missing; reinstall the environment."
        )
    return path


def register_cjk_font() -> str:
    """Register the bundled CJK font with matplotlib (idempotent) and return its family name."""
    path = font_path()
    fm = font_manager.fontManager
    if not any(Path(f.fname).resolve() == path for f in fm.ttflist):
        fm.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def seaborn_theme_rc(context: str = "notebook", font_scale: float = 1.0) -> dict:
    """The rc values seaborn's ``set_theme(context, style=THEME_STYLE, palette=PALETTE)`` applies (imports seaborn);
    the colour cycle as a list of hex colours."""
    import seaborn as sns

    rc = {**sns.axes_style(THEME_STYLE), **sns.plotting_context(context, font_scale)}
    rc["axes.prop_cycle"] = sns.color_palette(PALETTE).as_hex()
    return rc


def write_theme_file(path: Path = THEME_FILE) -> Path:
    """Store seaborn's theme rc for every context at font scale 1 (run after a seaborn upgrade)."""
    import seaborn as sns

    theme = {"seaborn": sns.__version__, "style": THEME_STYLE, "palette": PALETTE,
             "contexts": {context: seaborn_theme_rc(context) for context in THEME_CONTEXTS}}
    path.write_text(json.dumps(theme, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def theme_rc(context: str = "notebook", font_scale: float = 1.0) -> dict:
    """The theme's rc values, ready for ``rcParams.update``: from ``plot_theme.json`` at font scale 1, else from
    seaborn itself."""
    if font_scale == 1.0 and context in THEME_CONTEXTS:
        rc = dict(json.loads(THEME_FILE.read_text(encoding="utf-8"))["contexts"][context])
    else:
        rc = seaborn_theme_rc(context, font_scale)
    rc["axes.prop_cycle"] = cycler(color=rc["axes.prop_cycle"])
    if rc.get("image.cmap") not in matplotlib.colormaps:
        # seaborn's default colour map ("rocket") is registered by importing seaborn; every course plot names its own
        rc.pop("image.cmap", None)
    return rc


def use_theme(context: str = "notebook", font_scale: float = 1.0) -> str:
    """Apply the course theme (seaborn whitegrid + CJK font); returns the font family name in use.

    Safe to call more than once. ``context`` is seaborn's ("paper", "notebook", "talk", "poster").
    """
    family = register_cjk_font()
    matplotlib.rcParams.update(theme_rc(context, font_scale))
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,  # CJK fonts lack U+2212; use ASCII hyphen-minus
            "figure.figsize": (8.0, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "savefig.bbox": "tight",
            "axes.titleweight": "normal",  # the bundled font has one weight; bold would warn
            "axes.titlesize": "large",
            "legend.frameon": False,
        }
    )
    return family


def _ax(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots()
    return ax


def yuan_formatter(decimals: int = 0) -> FuncFormatter:
    """Tick formatter for money in 元 with thousands separators (``12,345``)."""
    return FuncFormatter(lambda x, _pos: f"{x:,.{decimals}f}")


def bar_share(
    values: pd.Series,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "占比",
    ax: Axes | None = None,
    sort: bool = True,
    annotate: bool = True,
) -> Axes:
    """Bar chart of shares: ``values`` are counts or amounts by category; bars show percent of the total."""
    s = pd.Series(values).astype(float)
    if sort:
        s = s.sort_values(ascending=False)
    share = s / s.sum() if s.sum() else s * 0
    ax = _ax(ax)
    labels = [str(i) for i in share.index]
    bars = ax.bar(labels, share.to_numpy(), color=[f"C{i % 10}" for i in range(len(share))])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if annotate:
        for rect, v in zip(bars, share.to_numpy(), strict=True):
            ax.annotate(f"{v:.1%}", (rect.get_x() + rect.get_width() / 2, rect.get_height()),
                        ha="center", va="bottom", fontsize="small")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def line_over_time(
    data: pd.Series | pd.DataFrame,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    ax: Axes | None = None,
    legend_title: str | None = None,
) -> Axes:
    """Line chart of one or more series indexed by time (e.g. monthly orders per channel)."""
    ax = _ax(ax)
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    for col in frame.columns:
        ax.plot(frame.index, frame[col], marker="o", markersize=3, label=str(col))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if frame.shape[1] > 1 or legend_title:
        ax.legend(title=legend_title)
    ax.figure.autofmt_xdate()
    return ax


def heatmap(
    table: pd.DataFrame,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    fmt: str = ".0f",
    cmap: str = "Blues",
    annot: bool = True,
    ax: Axes | None = None,
    cbar_label: str = "",
) -> Axes:
    """Annotated heat map of a small matrix (e.g. weekday × hour, cohort × month)."""
    import seaborn as sns

    ax = _ax(ax)
    sns.heatmap(table, annot=annot, fmt=fmt, cmap=cmap, ax=ax, cbar_kws={"label": cbar_label} if cbar_label else None)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def hist(
    values: Sequence[float] | pd.Series,
    *,
    bins: int = 40,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "会员数",
    ax: Axes | None = None,
    log: bool = False,
) -> Axes:
    """Histogram of a numeric column (spend, frequency …); ``log=True`` for long-tailed money."""
    ax = _ax(ax)
    ax.hist(pd.Series(values).dropna().astype(float), bins=bins, color="C0", edgecolor="white", log=log)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


#: most points a per-member scatter plot draws (:func:`point_sample`)
MAX_SCATTER_POINTS = 20_000


def point_sample(n: int, cap: int = MAX_SCATTER_POINTS, seed: int = 0):
    """Positions of the points a scatter plot of ``n`` members draws: all of them in order when ``n <= cap``, else a
    seeded random ``cap`` of them in ascending order. Why: drawing each of a few hundred thousand members costs the
    report seconds per figure (minutes at tens of millions of orders) and shows no more than a sample of 20,000;
    the numbers printed beside the figure are always computed on every member."""
    import numpy as np

    if n <= cap:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=cap, replace=False))


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--write-theme"]:
        sys.exit("usage: python -m helpers.plots --write-theme")
    print(write_theme_file())
