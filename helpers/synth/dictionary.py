"""The bilingual data dictionary of every contract table, generated from :mod:`helpers.tables`, and the command that
writes it into ``datasets/README.md`` (a test checks the README is up to date).
"""

from __future__ import annotations

import os
from pathlib import Path

from helpers import tables as T

KIND_DOC = {"id": ("string", "标识符"), "str": ("string", "文本"), "category": ("category", "类别"),
            "datetime": ("datetime64[ns]", "时间"), "date": ("date", "日期"), "money": ("float64", "金额"),
            "float": ("float64", "数值"), "int": ("Int64", "整数"), "bool": ("boolean", "布尔")}


def _code(value: str) -> str:
    """A literal value (a header alias, a category level) as inline code, so typesetting never changes it."""
    return f"`{value}`" if value else ""


def data_dictionary_markdown() -> str:
    """Bilingual data dictionary of every contract table, derived from :mod:`helpers.tables`.

    Chinese column names and allowed values are literals (real exports carry them byte for byte), so they are inline
    code; the prose around them is typeset with :func:`helpers.typography.fix_text`, so the README section passes
    the course's Chinese typography lint.
    """
    from helpers.typography import fix_text

    lines = []
    for t in T.TABLES.values():
        key = ", ".join(t.key)
        lines.append(f"### `{t.name}` — {t.zh} · {t.en}")
        lines.append("")
        head = f"主键 key: `{key}`" + (" · 必需表 required table" if t.required else "")
        if t.foreign_keys:
            fks = ", ".join(f"`{c}` → `{tt}.{cc}`" for c, (tt, cc) in t.foreign_keys.items())
            head += f" · 外键 foreign keys: {fks}"
        lines.append(head)
        lines.append("")
        lines.append("| 列 column | 类型 type | 单位 unit | 中文名 | meaning | 取值 values / 约束 |")
        lines.append("|---|---|---|---|---|---|")
        for c in t.columns:
            dtype, zh_kind = KIND_DOC[c.kind]
            cons = []
            if c.allowed:
                cons.append(" / ".join(_code(v) for v in c.allowed))
            if c.min_value is not None:
                cons.append(f"≥ {c.min_value:g}")
            if c.required:
                cons.append("必需 required")
            if not c.nullable:
                cons.append("非空 not null")
            lines.append(f"| `{c.name}` | `{dtype}` {zh_kind} | {c.unit} | {_code(c.zh)} | {c.en} | {'; '.join(cons)} |")
        lines.append("")
    return fix_text("\n".join(lines), "markdown")


README_MARKER = "`tests/test_generate.py` checks that this section is up to date.\n\n"


def update_readme(path: str | os.PathLike | None = None) -> Path:
    """Rewrite the data-dictionary section of ``datasets/README.md`` (everything after ``README_MARKER``)."""
    path = Path(path) if path else Path(__file__).resolve().parents[2] / "datasets" / "README.md"
    text = path.read_text(encoding="utf-8")
    head, sep, _ = text.partition(README_MARKER)
    if not sep:
        raise ValueError(f"{path}: marker line not found")
    path.write_text(head + sep + data_dictionary_markdown() + "\n", encoding="utf-8")
    return path
