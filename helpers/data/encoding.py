"""Which text encoding a CSV file is in, and where exactly it cannot be decoded.

BOM → UTF-8-SIG / UTF-16; otherwise strict UTF-8, then GB18030 (a superset of GBK and GB2312), then
charset-normalizer restricted to multi-byte encodings (UTF-16/32, Big5). A file that decoded as real multi-byte
UTF-8 up to a bad byte is a damaged UTF-8 file and is *not* re-read as GB18030 mojibake; a GBK file whose few
Chinese characters happen to form valid UTF-8 ("元" = D4 AA = "Ԫ") is recognised as GB18030. Bytes that no
supported encoding decodes raise :class:`DataFileError` naming the file, the byte offset, the line and the column.
"""

from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path

from .reasons import DataFileError

_CHUNK = 1 << 24
_MULTIBYTE_FALLBACKS = {"utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be",
                        "big5", "big5hkscs", "cp950"}


def _first_bad_byte(path: Path, encoding: str) -> tuple[int | None, int]:
    """Strictly decode the whole file. Returns (offset of the first undecodable byte or None, non-ASCII bytes seen
    before it)."""
    dec = codecs.getincrementaldecoder(encoding)("strict")
    pos, nonascii = 0, 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            final = not chunk
            pending = len(dec.getstate()[0])
            try:
                dec.decode(chunk, final=final)
            except UnicodeDecodeError as e:
                offset = pos - pending + e.start
                return offset, nonascii + _count_high(chunk[: max(e.start - pending, 0)])
            if final:
                return None, nonascii
            nonascii += _count_high(chunk)
            pos += len(chunk)


_HIGH_BYTES = bytes(range(128, 256))


def _count_high(b: bytes) -> int:
    return 0 if b.isascii() else len(b) - len(b.translate(None, _HIGH_BYTES))


def _locate(path: Path, offset: int) -> tuple[int, str | None]:
    """(1-based line number, source column name or None) of a byte offset, scanning in chunks."""
    line, line_start, pos = 1, 0, 0
    with open(path, "rb") as f:
        while pos < offset:
            chunk = f.read(min(_CHUNK, offset - pos))
            if not chunk:
                break
            n = chunk.count(b"\n")
            if n:
                line += n
                line_start = pos + chunk.rfind(b"\n") + 1
            pos += len(chunk)
        f.seek(0)
        header = f.readline(1 << 16)
        f.seek(line_start)
        prefix = f.read(min(offset - line_start, 1 << 16))
    if line == 1:
        return line, None
    try:
        head = header.decode("utf-8")
    except UnicodeDecodeError:
        head = header.decode("gb18030", errors="replace")
    head = head.lstrip("\ufeff").rstrip("\r\n")
    delimiter = max([",", "\t", ";", "|"], key=head.count)
    names = next(csv.reader([head], delimiter=delimiter), [])
    index = prefix.count(delimiter.encode())  # approximate: ignores quoted delimiters before the bad byte
    return line, (names[index].strip() if index < len(names) else None)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CJK_LIKE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u00a5\u00b7\u2014\u2018-\u201d\u2026]")
_LATIN = re.compile(r"[\u0080-\u024f\u2000-\u206f\u20ac]")  # accented letters, punctuation: plausible UTF-8


def _looks_like_gb18030(path: Path) -> bool:
    """A few GBK characters can form valid UTF-8 by accident ("元" = D4 AA = U+052A "Ԫ"). A file whose UTF-8
    reading has no Chinese at all and mostly exotic (non-Latin) characters, while its GB18030 reading is Chinese,
    is taken as GB18030."""
    with open(path, "rb") as f:
        sample = f.read(1 << 20)
    as_utf8 = sample.decode("utf-8", errors="ignore")
    n = len(_NON_ASCII.findall(as_utf8))
    if not n or _CJK_LIKE.search(as_utf8) or len(_LATIN.findall(as_utf8)) > n / 2:
        return False
    try:
        as_gb = sample.decode("gb18030", errors="strict")
    except UnicodeDecodeError as e:
        if e.start < len(sample) - 4:  # a real error, not a sequence cut at the sample's end
            return False
        as_gb = sample[: e.start].decode("gb18030")
    n_gb = len(_NON_ASCII.findall(as_gb))
    return n_gb > 0 and len(_CJK_LIKE.findall(as_gb)) >= 0.9 * n_gb


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    failures: list[tuple[str, int]] = []
    for enc in candidates:
        bad, nonascii = _first_bad_byte(path, enc)
        if bad is None:
            if enc == "utf-8" and nonascii and _looks_like_gb18030(path):
                return "gb18030"
            return enc
        failures.append((enc, bad))
        if enc.startswith("utf-8") and nonascii >= 12:
            break  # a real UTF-8 file with damaged bytes: re-reading it as GB18030 would produce mojibake
    else:
        from charset_normalizer import from_bytes

        with open(path, "rb") as f:
            best = from_bytes(f.read(1 << 20)).best()
        if best is not None:
            enc = codecs.lookup(best.encoding).name.replace("-", "_")
            if enc in _MULTIBYTE_FALLBACKS and _first_bad_byte(path, enc)[0] is None:
                return enc
    enc, bad = max(failures, key=lambda f: f[1])  # the encoding that read furthest is the file's encoding
    line, column = _locate(path, bad)
    with open(path, "rb") as f:
        f.seek(max(bad - 8, 0))
        context = f.read(24)
    tried = " / ".join(e.upper() for e, _ in failures)
    col_zh = f"、列“{column}”" if column else ""
    col_en = f", column {column}" if column else ""
    raise DataFileError(
        f"文件 {path.name} 第 {line} 行{col_zh}（字节偏移 {bad}）的内容无法按 {tried} 解码；"
        f"附近的字节：{context!r}。请用 Excel 或记事本另存为 UTF-8 或 GBK 编码的 CSV。",
        f"file {path.name}: bytes at offset {bad} (line {line}{col_en}) cannot be decoded as {tried}; "
        f"nearby bytes: {context!r}. Re-save the file as UTF-8 or GBK CSV.", path, column)


