"""Static widgets where nobody moves a slider (helpers/widgets.py): the switch, the explorers that obey it, and the
kernel argument the report runner and nbgrader autograde pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import plots, widgets
from helpers.behavior import spend_band_explorer
from helpers.report.runner import KERNEL_ARGUMENTS

ROOT = Path(__file__).resolve().parent.parent


def _summary() -> pd.DataFrame:
    idx = pd.Index([f"M{i:04d}" for i in range(200)], name="member_id")
    return pd.DataFrame({"monetary_total": np.linspace(50.0, 9000.0, len(idx))}, index=idx)


def test_live_only_when_asked_and_not_a_static_run(monkeypatch):
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    monkeypatch.setenv(widgets.LIVE_ENV, "1")  # as under a front end
    assert widgets.live() and widgets.toolkit() is not None
    assert not widgets.live(interactive=False) and widgets.toolkit(interactive=False) is None
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    assert not widgets.live() and widgets.toolkit() is None


def test_live_only_under_a_front_end(monkeypatch, tmp_path):
    """papermill / nbconvert kernels have no JPY_SESSION_NAME: static. Jupyter Server's kernels have it and their
    parent (the server) does not: live. A papermill run inside a notebook inherits it from the kernel that started
    it, so the parent carries it too: static. LIVE_ENV forces live controls for other front ends."""
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    monkeypatch.delenv(widgets.LIVE_ENV, raising=False)
    monkeypatch.delenv(widgets.SESSION_ENV, raising=False)
    assert not widgets.front_end() and widgets.toolkit() is None  # headless (papermill, nbconvert, nbclient)
    monkeypatch.setenv(widgets.SESSION_ENV, "course/03-rfm.ipynb")
    monkeypatch.setattr(widgets, "_parent_has", lambda name: False)
    assert widgets.front_end() and widgets.toolkit() is not None  # started by Jupyter Server
    monkeypatch.setattr(widgets, "_parent_has", lambda name: name == widgets.SESSION_ENV)
    assert not widgets.front_end()  # papermill started from a notebook cell
    monkeypatch.setenv(widgets.LIVE_ENV, "1")
    assert widgets.front_end()
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    assert not widgets.live()  # a static run wins


def test_parent_environment_is_read_from_proc():
    """The real parent check on this (Linux) machine, /proc/<ppid>/environ being the parent's environment at its
    start: a process started with a name in its environment is the parent of a child that sees it there, while the
    child's own environment lacks it."""
    import os
    import subprocess
    import sys

    probe = "MEMBER_WORKBOOK_PARENT_PROBE"
    child = (f"import os; from helpers import widgets; os.environ.pop({probe!r}, None); "
             f"print(widgets._parent_has({probe!r}), widgets._parent_has({probe!r} + '_ABSENT'))")
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], env={{}}, check=True)"
    env = dict(os.environ, **{probe: "1"}, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", parent], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_explorer_draws_statically_in_a_static_run(monkeypatch):
    plots.use_theme()  # the Chinese font, as every notebook sets it: no missing-glyph warnings
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    monkeypatch.setenv(widgets.LIVE_ENV, "1")  # as under a front end
    assert not isinstance(spend_band_explorer(_summary(), [1000, 5000]), pd.DataFrame)  # the widget box
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    table = spend_band_explorer(_summary(), [1000, 5000])  # the caller did not change: the run did
    assert isinstance(table, pd.DataFrame) and len(table) == 3


def test_report_runner_and_nbgrader_start_static_kernels():
    from traitlets.config.loader import PyFileConfigLoader

    assert widgets.STATIC_KERNEL_ARGUMENT in KERNEL_ARGUMENTS
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert widgets.STATIC_KERNEL_ARGUMENT in config.Execute.extra_arguments


@pytest.mark.slow
def test_the_kernel_argument_sets_the_switch_inside_the_kernel_only(tmp_path, monkeypatch):
    from jupyter_client.manager import KernelManager

    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    monkeypatch.setenv(widgets.LIVE_ENV, "1")  # as under a front end
    printed: list[str] = []
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "kernel"))
    km.start_kernel(extra_arguments=[widgets.STATIC_KERNEL_ARGUMENT, "--IPKernelApp.log_level=ERROR"])
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        reply = kc.execute_interactive(
            "from helpers import widgets as _w\nprint(_w.live(), 'os' in dir())", timeout=120,
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")))
        assert reply["content"]["status"] == "ok"
    finally:
        km.shutdown_kernel(now=True)
    assert "".join(printed).split() == ["False", "False"]  # static, and no name left in the notebook's namespace
    assert widgets.live()  # the process that started the kernel is untouched



def test_controls_view_draws_now_and_on_every_change_or_click():
    """The explorers' shared layout: drawn once when built, again when a watched control changes or the button is
    clicked, never for an unwatched control; the controls sit above the output area."""
    import ipywidgets as w

    slider, other, button = w.IntSlider(value=1), w.IntSlider(value=5), w.Button(description="应用")
    seen: list[int] = []
    box = widgets.controls_view(w, [w.HBox([slider, other, button])], lambda: seen.append(slider.value),
                                watch=[slider], button=button)
    assert seen == [1]
    slider.value = 3
    other.value = 6
    button.click()
    assert seen == [1, 3, 3]
    assert isinstance(box, w.VBox) and isinstance(box.children[-1], w.Output) and box.children[0].children[0] is slider
