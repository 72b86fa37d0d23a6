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

import argparse
import ast
import io
import json
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import autocorrect_py

__all__ = [
    "Finding", "findings_in_file", "fix_file", "fix_notebook", "fix_python", "fix_text", "has_cjk", "main",
    "prose_files", "prose_lines",
]

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018\u2019\u201c\u201d"
_HAN_RE = re.compile(f"[{HAN}]")
_CJK_CTX = re.compile(f"[{HAN}{CJK_PUNCT}]")
FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
IGNORE_LINE = "typography: ignore"
IGNORE_FILE = "typography: ignore-file"
IGNORE_OFF, IGNORE_ON = "typography: off", "typography: on"


def _ignored_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the lines marked ``typography: ignore`` or inside a ``typography: off`` … ``on`` region."""
    ignored, off = set(), False
    for n, line in enumerate(lines, 1):
        if IGNORE_OFF in line:
            off = True
        if off or IGNORE_LINE in line:
            ignored.add(n)
        if IGNORE_ON in line:
            off = False
    return ignored

# protected spans, in priority order (earlier patterns win where they overlap)
_MARKDOWN_PROTECT = [
    r"^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[ \t]*$",  # fenced code block
    r"(`+)(?:(?!\1).)+?\1",  # inline code
    r"\$\$.+?\$\$",  # display math
    r"(?<![\w$\\])\$(?=\S)[^$\n]+?(?<=\S)\$(?![\w$])",  # inline math
    r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)",  # link / image target
    r"<https?://[^>]+>|\b(?:https?|ftp|file|mailto)://[^\s<>()\"'，。；）]+",  # URL
    r"<!--.*?-->|</?[A-Za-z][^<>\n]*>",  # HTML tag / comment
    r"\b[A-Za-z_][A-Za-z0-9_.]*\([^()\n]*\)",  # a call written in prose: f(x), pilot_channel(样本, min_buyers=2)
]
_PY_EXTRA = [r"\{\{|\}\}|\{[^{}\n]*\}"]  # f-string / str.format placeholders (and escaped braces)


def has_cjk(text: str) -> bool:
    return bool(_HAN_RE.search(text))


def _mask(text: str, patterns: list[str]) -> tuple[str, list[str]]:
    """Replace every protected span by one private-use character; return the masked text and the spans."""
    spans: list[str] = []
    def repl(m: re.Match) -> str:
        spans.append(m.group(0))
        return chr(0xF0000 + len(spans) - 1)

    # each pattern uses its own group numbers: apply them one by one
    masked = text
    for p in patterns:
        masked = re.compile(p, re.S | re.M).sub(repl, masked)
    return masked, spans


def _unmask(text: str, spans: list[str]) -> str:
    # spans can contain earlier placeholders (a later pattern swallowed one): unmask until stable
    pat = re.compile("[\U000f0000-\U000ffffd]")
    for _ in range(5):
        new = pat.sub(lambda m: spans[ord(m.group(0)) - 0xF0000], text)
        if new == text:
            break
        text = new
    return text


def _prev_nonspace(text: str, i: int) -> str:
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return text[j] if j >= 0 else ""


def _next_nonspace(text: str, i: int) -> str:
    j = i
    while j < len(text) and text[j] in " \t":
        j += 1
    return text[j] if j < len(text) else ""


def _strip_around(text: str, start: int, end: int, new: str) -> str:
    """Replace text[start:end] by ``new`` and drop the spaces directly around it (full-width marks carry their own
    spacing); indentation and the space after a list marker stay."""
    left = start
    while left > 0 and text[left - 1] in " \t":
        left -= 1
    if left == 0 or text[left - 1] == "\n" or (text[left - 1] in "-*+>#|" and (left < 2 or text[left - 2] in "\n \t")):
        left = start
    right = end
    while right < len(text) and text[right] in " \t":
        right += 1
    if right == len(text) or text[right] == "\n":
        right = end
    return text[:left] + new + text[right:]


_MATH = re.compile(r"\s[-+*/=<>^−×÷]\s")  # "(α + T)", "(1 + d)": a formula keeps its parentheses
_PAREN = re.compile(r"\(((?:[^()\n]|\n(?![ \t]*\n)){0,400})\)")  # may wrap lines, not paragraphs
_QUOTE = re.compile(r"\"([^\"\n]*)\"")
_MARK = re.compile(r"[,:;?!]")
_LATIN_BEFORE_CALL = re.compile(r"[A-Za-z0-9_]")  # "f(x)", "count_buyers(样本)": a call, whatever it holds


def _line_around(text: str, start: int, end: int) -> str:
    """The line holding text[start:end], without that span."""
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    b = len(text) if b < 0 else b
    return text[a:start] + text[end:b]


def _chinese_sentence(text: str, start: int, end: int, bare_ok: bool = False) -> bool:
    """Is text[start:end] inside Chinese prose? Its line (the span itself left out) is mostly Chinese: at least
    one Chinese character per two Latin letters. ``bare_ok``: a line without any letters counts too ("（2 分）").
    An English sentence with a Chinese gloss keeps "(会员数据分析)"."""
    rest = _PLACEHOLDER.sub("", _line_around(text, start, end))
    han = len(_HAN_RE.findall(rest))
    latin = len(re.findall(r"[A-Za-z]", rest))
    if han == 0:
        return bare_ok and latin == 0
    return han * 2 >= latin


_PLACEHOLDER = re.compile("[\U000f0000-\U000ffffd]")
_CLAUSE_END = set("。！？；：，、（）“”·\n")


def _chinese_clause(text: str, i: int) -> bool:
    """Does the clause around position ``i`` (up to the nearest full-width mark, "·", " / " or line end on each
    side) hold Chinese? "…不同的 RFM:" does; the English half of "同一件事？· Do F and M overlap?" or of
    "参数有误 / invalid parameters, nothing was run:" does not."""
    def boundary(k: int) -> bool:  # a full-width mark, "·", a line end, or the " / " between Chinese and English
        return text[k] in _CLAUSE_END or (text[k] == "/" and text[k - 1:k] == " " and text[k + 1:k + 2] == " ")

    a = i - 1
    while a >= 0 and not boundary(a):
        a -= 1
    b = i + 1
    while b < len(text) and not boundary(b):
        b += 1
    return has_cjk(_PLACEHOLDER.sub("", text[a + 1:b]))


def _fix_parens(text: str) -> str:
    for _ in range(200):  # innermost first; a converted pair lets its outer pair match
        changed = False
        for m in _PAREN.finditer(text):
            content = m.group(1)
            before_char = text[m.start() - 1] if m.start() > 0 else ""
            prev = _prev_nonspace(text, m.start())
            chinese_inside = has_cjk(content) and _chinese_sentence(text, m.start(), m.end(), bare_ok=True)
            math = not has_cjk(content) and bool(_MATH.search(content))
            chinese_before = bool(prev and _CJK_CTX.match(prev)) and content.strip() != "" and not math
            is_call = bool(before_char and _LATIN_BEFORE_CALL.match(before_char))
            if (chinese_inside or chinese_before) and not is_call:
                text = _strip_around(text, m.start(), m.end(), "（" + content.strip(" \t") + "）")
                changed = True
                break
        if not changed:
            return text
    return text


def _fix_quotes(text: str) -> str:
    for _ in range(200):
        changed = False
        for m in _QUOTE.finditer(text):
            content = m.group(1)
            prev = _prev_nonspace(text, m.start())
            nxt = _next_nonspace(text, m.end())
            near = bool(prev and _CJK_CTX.match(prev)) or bool(nxt and _CJK_CTX.match(nxt))
            inside = has_cjk(content) and _chinese_sentence(text, m.start(), m.end())
            if inside or (near and content.strip()):
                text = _strip_around(text, m.start(), m.end(), "“" + content.strip() + "”")
                changed = True
                break
        if not changed:
            return text
    return text


def _before_mark(text: str, i: int) -> str:
    """The character that decides a mark at ``i``: the one before it, or for a mark right after a code span
    (placeholder), the last non-space character before that span."""
    j = i - 1
    while j >= 0 and _PLACEHOLDER.match(text[j]):
        j -= 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        if j >= 0 and not _PLACEHOLDER.match(text[j]):
            return text[j] if _CJK_CTX.match(text[j]) else ""
    return text[i - 1] if i > 0 else ""


def _fix_marks(text: str) -> str:
    out = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in FULL:
            before = _before_mark(text, i)
            after = text[i + 1] if i + 1 < n else ""
            nxt = _next_nonspace(text, i + 1)
            before = before or (text[i - 1] if i > 0 else "")
            raw_before = text[i - 1] if i > 0 else ""
            between_digits = (before.isdigit() or bool(_PLACEHOLDER.match(raw_before))) and after.isdigit()
            han_before = bool(before and _CJK_CTX.match(before))
            han_after = bool(nxt and _HAN_RE.match(nxt)) and _chinese_sentence(text, i, i + 1)
            # a mark that ends a line of Chinese prose, or is glued to the next word inside one ("F = 2,M = 5")
            glued = (after in ("", "\n") or (after.isalpha() and not between_digits)) and _chinese_clause(text, i)
            if not between_digits and (han_before or han_after or glued) and not (ch == ":" and after == "/"):
                while out and out[-1] in " \t" and han_after and not han_before:
                    out.pop()
                out.append(FULL[ch])
                i += 1
                while i < n and text[i] in " \t" and (i + 1 < n and text[i + 1] not in "\n"):
                    i += 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def fix_text(text: str, kind: str = "markdown") -> str:
    """The typeset text: the course's own rules on the prose, then ``autocorrect_py.format_for(…, "markdown")``.

    ``kind`` is ``"markdown"`` (notebook cells, .md files) or ``"python"`` (the content of a string literal:
    ``{placeholders}`` are protected too).
    """
    if not has_cjk(text):
        return text
    patterns = _MARKDOWN_PROTECT + (_PY_EXTRA if kind == "python" else [])
    masked, spans = _mask(text, patterns)
    masked = _fix_parens(masked)
    masked = _fix_quotes(masked)
    masked = _fix_marks(masked)
    # autocorrect sees the protected spans as placeholders too: it would otherwise typeset strings inside code blocks
    formatted = autocorrect_py.format_for(masked, "markdown")
    if formatted.count("\n") == masked.count("\n"):  # it formats line by line; never accept a changed line count
        masked = formatted
    return _unmask(masked, spans)


# ---- Python sources --------------------------------------------------------------------------------------------


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.add(body[0].value.lineno)
    return lines


_PREFIX = re.compile(r"^([rRbBuUfF]*)('''|\"\"\"|'|\")")


def _fix_literal(token: str) -> str:
    m = _PREFIX.match(token)
    if not m or "b" in m.group(1).lower():
        return token
    prefix, quote = m.group(1), m.group(2)
    body = token[len(prefix) + len(quote): len(token) - len(quote)]
    if not has_cjk(body):
        return token
    raw = "r" in prefix.lower()
    kind = "python" if ("f" in prefix.lower() or "{" in body) else "markdown"
    work = body if raw else body.replace('\\"', '"')
    fixed = fix_text(work, kind)
    if not raw and quote == '"':
        fixed = re.sub(r'(?<!\\)"', r'\\"', fixed)
    elif raw and quote == '"' and '"' in fixed.replace('\\"', ""):
        return token  # cannot express the result in this literal: leave it (the lint still reports it)
    if fixed == work:
        return token
    return prefix + quote + fixed + quote


def _string_tokens(source: str) -> Iterator[tuple[tokenize.TokenInfo, bool]]:
    """(STRING token, is_docstring) for every string literal of ``source``."""
    try:
        tree = ast.parse(source)
        doc_lines = _docstring_lines(tree)
    except SyntaxError:
        doc_lines = set()
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for tok in tokens:
        if tok.type == tokenize.STRING:
            yield tok, tok.start[0] in doc_lines


def _python_edits(source: str) -> list[tuple[tuple[int, int], tuple[int, int], str, str]]:
    """(start, end, old, new) for every string literal that the typesetting changes."""
    lines = source.splitlines(keepends=True)
    head = "".join(lines[:30])
    if IGNORE_FILE in head:
        return []
    edits = []
    ignored = _ignored_lines(lines)
    try:
        toks = list(_string_tokens(source))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    for tok, is_doc in toks:
        if is_doc or not has_cjk(tok.string):
            continue
        if {tok.start[0], tok.end[0]} & ignored:
            continue
        new = _fix_literal(tok.string)
        if new != tok.string:
            edits.append((tok.start, tok.end, tok.string, new))
    return edits


def fix_python(source: str) -> str:
    """``source`` with its Chinese string literals typeset (docstrings and ignored lines untouched)."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out = source
    for start, end, _old, new in sorted(_python_edits(source), reverse=True):
        a = offsets[start[0] - 1] + start[1]
        b = offsets[end[0] - 1] + end[1]
        out = out[:a] + new + out[b:]
    return out


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.typography",
        description="中文排版检查与修正 / typeset Chinese prose (notebooks, Markdown, Python string literals)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--fix", action="store_true", help="rewrite the files in place")
    mode.add_argument("--check", action="store_true", help="list findings, exit 1 when there are any (default)")
    parser.add_argument("--code", action="store_true", help="notebooks: also the string literals of code cells")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    total = 0
    for path in args.files:
        found = fix_file(path, code=args.code) if args.fix else findings_in_file(path, code=args.code)
        for f in found:
            print(f)
        if found:
            print(f"{path}: {len(found)} {'fixed' if args.fix else 'finding(s)'}", file=sys.stderr)
        total += len(found)
    if args.fix:
        print(f"{total} line(s) changed; review with `git diff`", file=sys.stderr)
        return 0
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
