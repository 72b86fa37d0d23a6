"""The Chinese font of each report page, embedded in the page: a subset of the bundled Noto Sans CJK SC.

Why: an analyst opens the pages on any machine (a laptop without Chinese fonts, a mail client, a shared drive); a
page that only *names* a font shows every Chinese character as an empty box there. The plots already use the
bundled font (:func:`helpers.plots.font_path`, from the pinned ``mplfonts`` wheel: nothing downloads). Here the same
file is cut with fontTools to the characters the page uses, compressed as WOFF2 (brotli) and written into the page
as a ``data:`` URI in an ``@font-face`` rule, so a page stays one self-contained file of reasonable size (tens of
kilobytes of font for a module page instead of the 16 MB font file).

The embedded family comes first in the page's text fonts; code output keeps a monospace font for Latin text and
falls back to the embedded family for Chinese. Characters the font lacks (emoji such as ✅) fall back to the system.
"""

from __future__ import annotations

import base64
import io
import re

__all__ = ["FAMILY", "embed_font", "font_face_css", "page_characters", "subset_woff2"]

#: the family name the pages use for the embedded subset (distinct from any installed font's name)
FAMILY = "Member Report Noto Sans CJK SC"

#: text a reader never sees: style sheets, scripts, embedded data (images, the font itself)
_HIDDEN = (re.compile(r"<style.*?</style>", re.S | re.I), re.compile(r"<script.*?</script>", re.S | re.I),
           re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+"))
#: printable ASCII is always in the subset: Latin words and digits then share the Chinese text's typeface
_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
#: vertical-writing tables: a report page is written horizontally
_VERTICAL = ["vhea", "vmtx", "VORG"]


def page_characters(page: str) -> set[str]:
    """Every character of ``page`` outside style sheets, scripts and data URIs (markup included: attribute text
    such as a title can be shown too), plus printable ASCII."""
    for pattern in _HIDDEN:
        page = pattern.sub(" ", page)
    return set(page) | set(_ASCII)


def subset_woff2(characters: set[str] | str) -> bytes:
    """The bundled CJK font cut to ``characters`` (those it has), as WOFF2 bytes. Deterministic: the same
    characters give the same bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from helpers.plots import font_path

    font = TTFont(str(font_path()), lazy=True, recalcTimestamp=False)
    cmap = font.getBestCmap()
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []  # no alternates (vertical forms, other locales): a fraction of the size
    options.hinting = False
    options.drop_tables += _VERTICAL
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # copyright, family, version: the OFL asks to keep them
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in characters} & set(cmap)))
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=False)
    return buffer.getvalue()


def font_face_css(characters: set[str] | str) -> str:
    """A ``<style>`` element: the ``@font-face`` of the subset (data URI) and the page fonts that use it (the
    JupyterLab variables of nbconvert pages, and ``body`` for index.html)."""
    data = base64.b64encode(subset_woff2(characters)).decode("ascii")
    text = f'"{FAMILY}", system-ui, sans-serif'
    code = f'SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", "{FAMILY}", monospace'
    return (
        '<style id="report-cjk-font">\n'
        f'@font-face{{font-family:"{FAMILY}";src:url(data:font/woff2;base64,{data}) format("woff2");'
        "font-weight:400;font-style:normal;font-display:block}\n"
        f":root{{--jp-content-font-family:{text};--jp-ui-font-family:{text};--jp-code-font-family:{code}}}\n"
        f"body{{font-family:{text}}}\n"
        f"pre,code,kbd,samp{{font-family:{code}}}\n"
        "</style>\n"
    )


def embed_font(page: str) -> str:
    """``page`` with the font subset for its characters embedded before ``</head>`` (the last style sheet, so its
    font rules win)."""
    css = font_face_css(page_characters(page))
    at = page.lower().rfind("</head>")
    if at < 0:
        return css + page
    return page[:at] + css + page[at:]
