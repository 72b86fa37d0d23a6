"""Python sources: the Chinese string literals of a file (docstrings excepted), found with tokenize and fixed
in place."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator

from .text import IGNORE_FILE, _ignored_lines, fix_text, has_cjk

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

