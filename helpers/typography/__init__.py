"""Chinese typesetting lint and fixer for the course's prose (中文排版检查与修正).

Why: the course's Chinese must read like a Chinese textbook — full-width ，：；（）？！ and “” inside Chinese
sentences, half-width only in code, numbers and between Latin words, a space between Chinese and Latin letters or
numbers. ``autocorrect_py.format_for(text, "markdown")`` (a maintained CJK copywriting linter) does most of it; this
module adds the marks autocorrect leaves alone — half-width , : ; ? ! next to Chinese, half-width parentheses in a
Chinese sentence or around Chinese text, straight double quotes around or next to Chinese — and applies both to the
places the course keeps prose: notebook markdown cells, Markdown files and the Chinese string literals of Python files.

Usage (module engineers: run it on your own files, then review ``git diff``)::

    .venv/bin/python -m helpers.typography --check solutions/03-rfm/03-rfm.ipynb    # list findings, exit 1 if any
    .venv/bin/python -m helpers.typography --fix solutions/03-rfm/03-rfm.ipynb      # rewrite in place
    .venv/bin/python -m helpers.typography --fix --code solutions/03-rfm/03-rfm.ipynb  # also strings in code cells
    .venv/bin/python -m helpers.typography --fix helpers/rfm.py docs/GUIDE.md

What each file kind covers:

* ``.ipynb``: markdown cells (``--code`` also fixes the Chinese string literals of code cells: plot titles, labels);
* ``.md``: the whole file (fenced code blocks, inline code, URLs, link targets, math and HTML tags untouched);
* ``.py``: string literals that contain Chinese, docstrings excepted (they are English documentation). A literal on
  a line carrying the comment ``# typography: ignore`` is left alone (e.g. a header alias that must match real
  exports byte for byte, or synthetic "user-written" text that is data, not prose); the lines from a comment
  ``# typography: off`` to ``# typography: on`` are skipped the same way (a tuple of header aliases), and
  ``# typography: ignore-file`` in the first 30 lines skips a whole file.

Never changed: inline code and fenced code, URLs, Markdown link targets, ``$math$``, HTML tags, ``{placeholders}``
of f-strings, thousands separators and times (``1,563``, ``12:30``).
"""

from __future__ import annotations

from .files import Finding, findings_in_file, fix_file, fix_notebook, prose_files, prose_lines
from .python import fix_python
from .text import fix_text, has_cjk

__all__ = [
    "Finding", "findings_in_file", "fix_file", "fix_notebook", "fix_python", "fix_text", "has_cjk", "main",
    "prose_files", "prose_lines",
]


def main(argv=None) -> int:
    """The command line (see the module docstring)."""
    from .__main__ import main as _main

    return _main(argv)
