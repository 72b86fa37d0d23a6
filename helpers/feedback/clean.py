"""Cleaning of member-typed feedback: width, emoji, URLs, masked numbers, and a status for unusable texts.

Why: the same complaint arrives as ``ＡＰＰ闪退！！！``, ``app闪退!!!`` and ``APP 闪退😡``; a model and a keyword table
must see one spelling. Masked contact and order numbers (``138****5678``, ``2024****3817``) and URLs carry no
opinion and would only fill the keyword lists, so they become the placeholders ``MASK`` / ``URL`` / ``NUM``.
Emoji are opinion (👍 / 😡) and are kept apart: :func:`clean_text` removes them from the text for segmentation,
:func:`emoji_of` lists them for the sentiment lexicon.

:func:`text_status` says whether a text can be scored at all: ``ok``, ``empty``, ``emoji_only``, ``non_chinese``
(no Chinese character: English, digits, punctuation) or ``garbled`` (mojibake: a text decoded with the wrong code
page, ``锟斤拷``, replacement characters). Anything but ``ok`` / ``emoji_only`` is scored as such, with the reason.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

__all__ = ["STATUS_ZH", "clean_text", "clean_texts", "emoji_of", "normalize", "text_status"]

_URL = re.compile(r"(https?://|www\.)[^\s，。！？\u4e00-\u9fff]+", re.I)
_MASK = re.compile(r"\d*[*＊×xX]{3,}\d+|\d+[*＊]{2,}\d*")
_NUM = re.compile(r"\d+(?:\.\d+)?")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50\u2B55\uFE0F\u200D]|\\[[\u4e00-\u9fff]{1,3}\\]")
_SPACE = re.compile(r"\s+")
_REPEAT = re.compile(r"([!?.~,。！？，…])\1+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_MOJIBAKE = re.compile(r"[ÃÂâäåæçèéï][\x80-\xbf\u0152-\u02dc\u2018-\u203a€]")
_GBK_MOJIBAKE = ("锟斤拷", "烫烫烫", "屯屯屯", "\ufffd")
# characters that show up when UTF-8 bytes are decoded as GBK: common in mojibake, rare in Chinese prose
_GBK_GHOSTS = set("鍙鏄鐨涓銆璇浣鎴鍒犻櫎鏃犳硶瀹㈡埛鍟嗗搧绉垎")

#: Chinese names of the text statuses (the ``reason`` column)
STATUS_ZH = {"ok": "", "empty": "空文本", "emoji_only": "只有表情", "non_chinese": "非中文",
             "garbled": "乱码"}


def normalize(text: object) -> str:
    """NFKC (full-width letters, digits and punctuation to half-width), lower-case Latin, collapsed spaces."""
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return _SPACE.sub(" ", s).strip()


def emoji_of(text: object) -> list[str]:
    """The emoji and bracket emoticons (``[赞]``) of a text, in order."""
    return [e for e in _EMOJI.findall(normalize(text)) if e not in ("\ufe0f", "\u200d")]


def clean_text(text: object) -> str:
    """Text ready for segmentation: normalized, URLs → ``URL``, masked numbers → ``MASK``, other numbers →
    ``NUM``, emoji removed, repeated punctuation collapsed."""
    s = normalize(text)
    s = _URL.sub(" URL ", s)
    s = _MASK.sub(" MASK ", s)
    s = _NUM.sub(" NUM ", s)
    s = _EMOJI.sub(" ", s)
    s = _REPEAT.sub(r"\1", s)
    return _SPACE.sub(" ", s).strip()


def clean_texts(texts) -> list[str]:
    return [clean_text(t) for t in texts]


def text_status(text: object) -> str:
    """``ok`` / ``empty`` / ``emoji_only`` / ``non_chinese`` / ``garbled`` (see the module docstring)."""
    s = normalize(text)
    if not s:
        return "empty"
    if any(g in s for g in _GBK_MOJIBAKE) or _LATIN_MOJIBAKE.search(s):
        return "garbled"
    cjk = _CJK.findall(s)
    if cjk and len(cjk) >= 4 and sum(c in _GBK_GHOSTS for c in cjk) / len(cjk) > 0.3:
        return "garbled"
    rest = _EMOJI.sub("", s)
    if not cjk:
        if emoji_of(s) and not re.search(r"[a-z]{2,}", rest):
            return "emoji_only"
        return "non_chinese"
    return "ok"
