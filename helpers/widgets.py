"""Whether a notebook's controls (ipywidgets) are live or drawn once, statically — decided in one place.

The explorers of modules 02–05 (and later ones) show sliders and boxes to a trainee in JupyterLab. Where nobody moves
a slider — the analyst's report run, nbgrader autograde, the notebook tests — the same call draws its view once at
the starting values instead. That is not only tidier (a report page shows the table, not a dead widget box): live
widgets there are a hazard. An ``Output`` widget that clears itself inside a cell (``out.clear_output(wait=True)``)
can leave nbclient waiting for a message the kernel already sent: both sides idle until the cell timeout (seen in
CI: a module-05 report run and a module-03 Run All each stalled 600 s; nbclient issue #312 reports the same).

The switch is the environment variable :data:`STATIC_ENV` in the kernel. The report runner and nbgrader autograde
(``nbgrader_config.py``) start their kernels with :data:`STATIC_KERNEL_ARGUMENT`, which sets it at kernel start-up
(only in that kernel, not in the process that starts it); a test harness may set the variable in its own
environment, which kernels inherit.

An analyst may also run a module with papermill or ``jupyter nbconvert --execute`` directly, where nobody sets the
switch. So controls are live only in a kernel that a front end started: Jupyter Server (JupyterLab, Notebook 7)
gives each kernel it starts ``JPY_SESSION_NAME`` (the notebook's path); papermill, nbconvert and nbclient do not.
A papermill run started from inside a notebook inherits that variable from the notebook's kernel, so on Linux a
kernel whose parent process carries the same variable counts as headless too (the server passes it to the kernel
only, not to itself). Other front ends (VS Code, Colab) set :data:`LIVE_ENV` to ``1`` to get live controls;
without it they show the static view.
"""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["LIVE_ENV", "STATIC_ENV", "STATIC_KERNEL_ARGUMENT", "controls_view", "front_end", "live", "toolkit"]

#: set to a non-empty value in a kernel where nobody uses the controls
STATIC_ENV = "MEMBER_WORKBOOK_STATIC_WIDGETS"

#: the ipykernel argument that sets :data:`STATIC_ENV` inside the kernel it starts, without a name left behind in
#: the notebook's namespace (nbgrader_config.py spells the same string out; tests/test_widgets.py checks they agree)
STATIC_KERNEL_ARGUMENT = f"--IPKernelApp.exec_lines=__import__('os').environ.__setitem__('{STATIC_ENV}', '1')"


#: set to a non-empty value to get live controls under a front end that does not set ``JPY_SESSION_NAME``
LIVE_ENV = "MEMBER_WORKBOOK_LIVE_WIDGETS"

#: the variable Jupyter Server gives every kernel it starts for a notebook
SESSION_ENV = "JPY_SESSION_NAME"


def _parent_has(name: str) -> bool:
    """Whether this process's parent has ``name`` in its environment (Linux /proc; elsewhere: unknown, False)."""
    try:
        raw = open(f"/proc/{os.getppid()}/environ", "rb").read()  # noqa: SIM115 - one read of a tiny file
    except OSError:
        return False
    return any(entry.split(b"=", 1)[0] == name.encode() for entry in raw.split(b"\0"))


def front_end() -> bool:
    """True when a front end that can show widgets started this kernel (see the module docstring)."""
    if os.environ.get(LIVE_ENV):
        return True
    return bool(os.environ.get(SESSION_ENV)) and not _parent_has(SESSION_ENV)


def live(interactive: bool = True) -> bool:
    """True when controls should be live: the caller asked for them, the kernel is not a static run, and a front
    end is there to show them (:func:`front_end`)."""
    return bool(interactive) and not os.environ.get(STATIC_ENV) and front_end()


def toolkit(interactive: bool = True):
    """The ``ipywidgets`` module when controls should be live (:func:`live`) and it is installed, else ``None``
    (the caller draws its view once, statically)."""
    if not live(interactive):
        return None
    try:
        import ipywidgets
    except ImportError:  # a course dependency; a bare analyst install may lack it
        return None
    return ipywidgets


def controls_view(w, rows: list, draw: Callable[[], object], *, watch=(), button=None):
    """The explorers' one layout: ``rows`` (controls, or HBoxes of them) above an output area where ``draw()`` —
    the same function the static view calls, reading the controls' current values — prints or plots the view.
    It is drawn once now and again whenever a control in ``watch`` changes value or ``button`` is clicked.
    ``w`` is the module :func:`toolkit` returned. Displays the box and returns it."""
    from IPython.display import display

    out = w.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            draw()

    for control in watch:
        control.observe(redraw, names="value")
    if button is not None:
        button.on_click(redraw)
    redraw()
    box = w.VBox([*rows, out])
    display(box)
    return box
