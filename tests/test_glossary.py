"""One Chinese term per concept (docs/GLOSSARY.md): the rejected variants appear nowhere the typography lint reads.

The glossary's table "不用的写法 · Rejected variants" is the single list: ``不用`` (rejected), ``改用`` (the term to
use), ``例外`` (longer words that contain the variant and are fine, e.g. 客户生命周期价值). A line that names a variant
on purpose carries ``glossary: allow`` (``<!-- glossary: allow -->`` in Markdown, ``# glossary: allow`` in Python);
the glossary itself is exempt.
"""

from __future__ import annotations

import re
from pathlib import Path

from helpers.typography import prose_files, prose_lines

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "GLOSSARY.md"
ALLOW = "glossary: allow"


def rejected_variants(text: str) -> dict[str, tuple[str, list[str]]]:
    """variant -> (term to use, allowed longer words) from the glossary's rejected-variants table."""
    section = text.split("## 不用的写法", 1)[1]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0] or cells[0] in ("不用",) or set(cells[0]) <= set("-: "):
            continue
        exceptions = [e.strip() for e in re.split("[、,，]", cells[2])] if len(cells) > 2 and cells[2] else []
        table[cells[0]] = (cells[1], [e for e in exceptions if e])
    return table


def variant_hits(line: str, variants: dict[str, tuple[str, list[str]]]) -> list[str]:
    """The rejected variants in ``line`` (allowed longer words masked first)."""
    if ALLOW in line:
        return []
    hits = []
    for variant, (_, exceptions) in variants.items():
        masked = line
        for word in exceptions:
            masked = masked.replace(word, "\u0000" * len(word))
        if variant in masked:
            hits.append(variant)
    return hits


def test_glossary_lists_the_terms_the_course_agreed_on():
    text = GLOSSARY.read_text(encoding="utf-8")
    variants = rejected_variants(text)
    for variant, term in (("在网天数", "入会时长"), ("在世", "存活"), ("死亡", "脱离"), ("消费频率", "消费频次"),
                          ("截止日期", "截止日"), ("预测窗口", "预测期"), ("用户", "会员"), ("客户", "会员")):
        assert variant in variants and term in variants[variant][0], variant
    assert "客户生命周期价值" in variants["客户"][1]
    terms = {c.strip() for line in text.split("## 不用的写法")[0].splitlines() if line.startswith("| ")
             for c in line.split("|")[1].split("/")}
    for term in ("入会时长", "存活", "存活概率", "脱离", "活跃", "沉睡", "流失", "消费频次", "客单价", "会员", "截止日",
                 "预测期", "已支付订单", "退款订单"):
        assert term in terms, f"{term} has no row in the glossary"


def test_python_allow_comment_reaches_the_check(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('A = "客户ID"  # glossary: allow - a header real exports use\nB = "客户很多"\n', encoding="utf-8")
    variants = {"客户": ("会员", [])}
    hits = [n for _, n, line in prose_lines(path) if variant_hits(line, variants)]
    assert hits == [2]


def test_variant_matching_respects_exceptions_and_allow_marker():
    variants = {"客户": ("会员", ["客户生命周期价值"]), "在网天数": ("入会时长", [])}
    assert variant_hits("第 04 模块的客户生命周期价值", variants) == []
    assert variant_hits("每位客户的在网天数", variants) == ["客户", "在网天数"]
    assert variant_hits("不要写在网天数 <!-- glossary: allow -->", variants) == []


def test_no_rejected_variant_in_course_prose():
    variants = rejected_variants(GLOSSARY.read_text(encoding="utf-8"))
    findings = []
    for path in prose_files(ROOT):
        if path == GLOSSARY:
            continue
        rel = path.relative_to(ROOT).as_posix()
        for where, n, line in prose_lines(path):
            for variant in variant_hits(line, variants):
                findings.append(f"{rel}{' ' + where if where else ''}:{n}: {variant} -> {variants[variant][0]}"
                                f"    | {line.strip()[:90]}")
    for f in findings:
        print(f)
    assert not findings, f"{len(findings)} rejected terms (docs/GLOSSARY.md), see the output above"
