"""The course plot theme renders Chinese text with the bundled CJK font: no tofu, no missing-glyph warnings."""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402

BAD_MESSAGES = ("missing from font", "Glyph", "findfont", "not found", "Failed to find font")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def font_log():
    """Records of matplotlib.font_manager at INFO and above (findfont fallbacks log at WARNING / INFO)."""
    logger = logging.getLogger("matplotlib.font_manager")
    handler = _Capture()
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.records
    logger.removeHandler(handler)
    logger.setLevel(old)


def _render(fig) -> bytes:
    buf = io.BytesIO()
    fig.canvas.draw()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _problems(caught, records) -> list[str]:
    msgs = [str(w.message) for w in caught]
    msgs += [r.getMessage() for r in records if r.levelno >= logging.INFO]
    return [m for m in msgs if any(b.lower() in m.lower() for b in BAD_MESSAGES)]


def test_font_file_is_bundled():
    path = plots.font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert path.stat().st_size > 1_000_000


def test_use_theme_sets_cjk_font_and_minus():
    family = plots.use_theme()
    assert family == "Noto Sans CJK SC"
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    from matplotlib import font_manager

    def registered():
        return [f for f in font_manager.fontManager.ttflist if f.fname.endswith(plots.FONT_FILE)]

    before = len(registered())
    assert before >= 1
    assert plots.use_theme() == family  # idempotent: a second call registers nothing new
    assert len(registered()) == before


def test_chinese_figure_renders_without_missing_glyphs(font_log):
    plots.use_theme()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
        ax = axes[0]
        for label, ys in {"门店": [3, -1, 2], "线上商城": [1, 2, -2]}.items():
            ax.plot(["一月", "二月", "三月"], ys, label=label)
        ax.set_title("每月订单数（含负值 −1）")
        ax.set_xlabel("月份")
        ax.set_ylabel("订单数（单）")
        ax.legend(title="渠道")
        plots.bar_share(pd.Series({"微信支付": 5, "支付宝": 3, "储值卡": 1}), title="支付方式占比", xlabel="支付方式",
                        ax=axes[1])
        fig.suptitle("会员数据分析 · 中文字体测试")
        png = _render(fig)
        plt.close(fig)
    assert png.startswith(b"\x89PNG")
    problems = _problems(caught, font_log)
    assert not problems, problems


def test_helpers_draw_with_chinese_labels(font_log):
    plots.use_theme()
    months = pd.date_range("2025-01-01", periods=6, freq="MS")
    frame = pd.DataFrame({"门店": range(6), "小程序": range(6, 12)}, index=months)
    table = pd.DataFrame([[1, 2], [3, 4]], index=["周一", "周二"], columns=["上午", "下午"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
        plots.line_over_time(frame, title="月度趋势", xlabel="月份", ylabel="订单数", legend_title="渠道", ax=axes[0])
        plots.heatmap(table, title="时段热力图", xlabel="时段", ylabel="星期", cbar_label="订单数", ax=axes[1])
        plots.hist(pd.Series([1.0, 2.0, 2.5, 10.0]), title="消费金额分布", xlabel="金额（元）", ax=axes[2])
        axes[2].xaxis.set_major_formatter(plots.yuan_formatter())
        _render(fig)
        plt.close(fig)
    problems = _problems(caught, font_log)
    assert not problems, problems


def test_bar_share_shows_shares():
    plots.use_theme()
    fig, ax = plt.subplots()
    plots.bar_share(pd.Series({"a": 1, "b": 3}), ax=ax)
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == pytest.approx([0.25, 0.75])
    plt.close(fig)


def test_detector_catches_tofu(font_log):
    """Negative control: the same check flags Chinese drawn with a Latin-only font."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig, ax = plt.subplots()
            ax.set_title("会员")
            _render(fig)
            plt.close(fig)
    assert _problems(caught, font_log)


def _rc_after(apply) -> dict:
    matplotlib.rcdefaults()
    apply()
    rc = dict(matplotlib.rcParams)
    rc["axes.prop_cycle"] = [matplotlib.colors.to_rgba(c) for c in rc["axes.prop_cycle"].by_key()["color"]]
    matplotlib.rcdefaults()
    return rc


@pytest.mark.parametrize("context", plots.THEME_CONTEXTS)
def test_stored_theme_is_exactly_seaborns(context):
    """use_theme applies the stored rc without importing seaborn; the result must equal what seaborn's own
    set_theme gives (every rcParams key), so the stored file can never drift from the installed seaborn."""
    import seaborn as sns

    def with_seaborn():
        family = plots.register_cjk_font()
        sns.set_theme(context=context, style=plots.THEME_STYLE, palette=plots.PALETTE, font=family)
        stored = plots.theme_rc  # the course's own settings on top, as use_theme applies them
        plots.theme_rc = lambda *a, **k: {}
        try:
            plots.use_theme(context)
        finally:
            plots.theme_rc = stored

    want, got = _rc_after(with_seaborn), _rc_after(lambda: plots.use_theme(context))
    assert want["axes.prop_cycle"] == got["axes.prop_cycle"]
    assert {k: v for k, v in want.items() if want[k] != got[k]} == {}


def test_theme_at_another_font_scale_comes_from_seaborn():
    rc = plots.theme_rc("talk", font_scale=1.3)
    import seaborn as sns

    assert rc["axes.labelsize"] == pytest.approx(sns.plotting_context("talk", font_scale=1.3)["axes.labelsize"])


def test_use_theme_does_not_import_seaborn():
    """The kernel-start saving the stored theme exists for: seaborn (and scipy.stats with it) stays unimported."""
    import subprocess
    import sys

    code = ("from helpers import plots; plots.use_theme(); import sys; "
            "print(sorted(m for m in ('seaborn', 'scipy.stats') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_point_sample_keeps_small_plots_whole_and_caps_big_ones():
    assert plots.point_sample(5, cap=10).tolist() == [0, 1, 2, 3, 4]  # at or below the cap: every point, in order
    pts = plots.point_sample(1_000, cap=100, seed=3)
    assert len(pts) == 100 and len(set(pts.tolist())) == 100
    assert (pts[1:] > pts[:-1]).all() and pts.min() >= 0 and pts.max() < 1_000
    assert pts.tolist() == plots.point_sample(1_000, cap=100, seed=3).tolist()  # seeded: the same figure every run
    assert pts.tolist() != plots.point_sample(1_000, cap=100, seed=4).tolist()
