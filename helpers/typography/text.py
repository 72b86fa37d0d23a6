"""The text rules: autocorrect-py plus the marks it leaves alone (half-width , : ; ? ! ( ) and straight quotes
next to Chinese), applied to one piece of Markdown or one Python string literal."""

from __future__ import annotations

import re

import autocorrect_py

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

