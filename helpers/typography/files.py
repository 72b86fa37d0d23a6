"""Files: notebooks, Markdown and Python files as findings (file:line and the fixed line) or fixed in place, and the
list of files the course keeps prose in."""

from __future__ import annotations

import json
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .python import _string_tokens, fix_python
from .text import IGNORE_FILE, _ignored_lines, fix_text, has_cjk

# ---- files -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    path: str  # file (and "cell N" for notebooks)
    line: int  # 1-based line in the file / in the cell
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.old.strip()}\n    -> {self.new.strip()}"


def _line_diffs(where: str, old: str, new: str, first_line: int = 1) -> list[Finding]:
    a, b = old.splitlines(), new.splitlines()
    if len(a) != len(b):
        return [Finding(where, first_line, old[:200], new[:200])]
    return [Finding(where, first_line + i, x, y) for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def _cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def fix_notebook(nb: dict, code: bool = False) -> tuple[dict, list[Finding]]:
    """(typeset copy of the notebook JSON dict, findings) — markdown cells, and code-cell strings with ``code``."""
    found: list[Finding] = []
    for i, cell in enumerate(nb.get("cells", [])):
        src = _cell_source(cell)
        if cell.get("cell_type") == "markdown":
            new = fix_text(src, "markdown")
        elif cell.get("cell_type") == "code" and code:
            new = fix_python(src) if not src.lstrip().startswith(("%", "!")) else src
        else:
            continue
        if new != src:
            found += _line_diffs(f"cell {i}", src, new)
            cell["source"] = new
    return nb, found


def _markdown_file_edits(text: str) -> str:
    return fix_text(text, "markdown")


def findings_in_file(path: Path, code: bool = False, rel_to: Path | None = None) -> list[Finding]:
    """What the lint reports for one file (nothing is written)."""
    return _process(path, code=code, write=False, rel_to=rel_to)


def fix_file(path: Path, code: bool = False) -> list[Finding]:
    """Typeset one file in place; returns what changed."""
    return _process(path, code=code, write=True)


def _process(path: Path, *, code: bool, write: bool, rel_to: Path | None = None) -> list[Finding]:
    path = Path(path)
    name = str(path.relative_to(rel_to)) if rel_to else str(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        nb, found = fix_notebook(nb, code=code)
        found = [Finding(f"{name} {f.path}", f.line, f.old, f.new) for f in found]
        if write and found:
            import nbformat

            node = nbformat.from_dict(nb)
            path.write_text(nbformat.writes(node, version=4), encoding="utf-8")
        return found
    if path.suffix == ".py":
        new = fix_python(text)
    else:
        new = _markdown_file_edits(text)
    found = _line_diffs(name, text, new)
    if write and new != text:
        path.write_text(new, encoding="utf-8")
    return found


def prose_files(root: Path) -> list[Path]:
    """Every file whose Chinese prose the course lints (tests/test_typography.py, tests/test_glossary.py): the
    solutions' notebooks, README.md, docs/*.md, datasets/README.md and the Python files of helpers/."""
    root = Path(root)
    files = sorted(root.glob("solutions/[0-9][0-9]-*/*.ipynb"))
    files += [p for p in (root / "README.md", root / "datasets" / "README.md") if p.exists()]
    files += sorted((root / "docs").glob("*.md"))
    files += sorted(p for p in (root / "helpers").rglob("*.py") if "__pycache__" not in p.parts)
    return files


def prose_lines(path: Path) -> Iterator[tuple[str, int, str]]:
    """(where, line number, text) for each line of prose the lint reads in ``path``: the lines of markdown cells
    ("cell N"), of a Markdown file, or of the Chinese string literals of a Python file (docstrings, ignored lines
    and ignored files excepted)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        for i, cell in enumerate(json.loads(text).get("cells", [])):
            if cell.get("cell_type") == "markdown":
                for n, line in enumerate(_cell_source(cell).splitlines(), 1):
                    yield f"cell {i}", n, line
    elif path.suffix == ".py":
        lines = text.splitlines()
        if IGNORE_FILE in "\n".join(lines[:30]):
            return
        ignored = _ignored_lines(lines)
        try:
            toks = list(_string_tokens(text))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            return
        for tok, is_doc in toks:
            if is_doc or not has_cjk(tok.string):
                continue
            if {tok.start[0], tok.end[0]} & ignored:
                continue
            # a check that honours its own marker comment (tests/test_glossary.py: "glossary: allow") sees it too
            comments = " ".join(ln.partition("#")[2] for ln in lines[tok.start[0] - 1:tok.end[0]] if "#" in ln)
            marker = f"  # {comments.strip()}" if "allow" in comments else ""
            for offset, line in enumerate(tok.string.splitlines()):
                yield "", tok.start[0] + offset, line + marker
    else:
        for n, line in enumerate(text.splitlines(), 1):
            yield "", n, line

