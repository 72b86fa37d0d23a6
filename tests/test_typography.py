"""Chinese typesetting of the course's prose: 0 findings (helpers/typography/; fix with its --fix).

The lint reads the solutions' markdown cells, README.md, docs/*.md, datasets/README.md and the Chinese string
literals of helpers/ (hints, messages, plot titles). It applies ``autocorrect_py.format_for(text, "markdown")`` and
the course's own rules for the marks autocorrect leaves alone; a line the two would change is a finding. Every
finding is printed as ``file:line`` (``file cell N:line`` for a notebook) with the line and its fix, plus a count
per file, so each owner can see what is left: ``python -m helpers.typography --fix FILE`` repairs most of them.

The unit tests below pin the rules themselves with hand-written Chinese, independent of the course files.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from helpers.typography import findings_in_file, fix_python, fix_text, prose_files

ROOT = Path(__file__).resolve().parent.parent


def test_course_prose_has_no_typography_findings():
    files = prose_files(ROOT)
    assert any(p.suffix == ".ipynb" for p in files) and any(p.suffix == ".py" for p in files)
    findings = [f for path in files for f in findings_in_file(path, rel_to=ROOT)]
    per_file = Counter(f.path.split(" cell ")[0] for f in findings)
    for f in findings:
        print(f)
    if per_file:
        print("\nfindings per file:")
        for name, n in sorted(per_file.items()):
            print(f"  {n:5d}  {name}")
    assert not findings, f"{len(findings)} typography findings in {len(per_file)} files (see the output above)"


@pytest.mark.parametrize(("text", "expected"), [
    # half-width marks inside Chinese prose
    ("这一节不讲模型,只做三件事:确认环境;再看数据", "这一节不讲模型，只做三件事：确认环境；再看数据"),
    ("会员快要流失吗?一定!", "会员快要流失吗？一定！"),
    # parentheses around Chinese text, or after a Chinese word, become full-width, spaces around them go
    ("预计 30 分钟(其中练习约 10 分钟)。", "预计 30 分钟（其中练习约 10 分钟）。"),
    ("最近一次消费 (recency) 越小越好", "最近一次消费（recency）越小越好"),
    # straight double quotes around Chinese become “”
    ('生成器还保存了"真值",后面会用', "生成器还保存了“真值”，后面会用"),
    # a mark right after a code span or a Latin word that ends the Chinese clause
    ("字段含义查 `datasets/README.md`;", "字段含义查 `datasets/README.md`；"),
    ("同一份数据会算出不同的 RFM:", "同一份数据会算出不同的 RFM："),
    ("F = 2,M = 206.5 元", "F = 2，M = 206.5 元"),
    ("`order_ts`(最近一次购买距今多久),再看", "`order_ts`（最近一次购买距今多久），再看"),
    # spaces between Chinese and Latin letters / numbers (autocorrect)
    ("共有10000位会员使用APP", "共有 10000 位会员使用 APP"),
])
def test_rules_fix_chinese_prose(text, expected):
    assert fix_text(text) == expected
    assert fix_text(expected) == expected  # idempotent: fixed text has no findings


@pytest.mark.parametrize("text", [
    "An English sentence (with a gloss 会员数据分析), stays as it is.",
    "money `float64` (元), ints `Int64`",
    "共 1,563 位会员，时间 12:30 开始",
    "调用 `rfm_segments(df, as_of)` 即可，也可以写 f(x)。",
    "count_buyers(样本) 不一致：期望 3，得到 2。",
    "pilot_channel(样本, min_buyers=2) 不一致：期望 '小程序'",
    "底数是 (α + T) / (α + t_x)，月折现率是 (1 + d) ** (1/12) - 1",
    "见 [数据字典](../../datasets/README.md)，或 https://example.com/a,b?x=1",
    "```python\nx = \"中文,逗号\"  # 注释(不改)\n```",
    "| 列 | 含义 |\n|---|---:|\n| `a` | 数量 |",
    "公式 $a,b$ 与 $$x(1,2)$$ 不动",
    "参数有误，未运行任何模块 / invalid parameters, nothing was run:",
])
def test_rules_leave_code_numbers_links_and_english_alone(text):
    assert fix_text(text) == text


def test_time_after_a_placeholder_is_a_number():
    assert fix_python('x = f"高峰：{h}:00–{h + 1}:00"\n') == 'x = f"高峰：{h}:00–{h + 1}:00"\n'


def test_python_strings_are_fixed_but_docstrings_placeholders_and_ignored_lines_are_not():
    src = (
        'def f(want, got):\n'
        '    """文档字符串(English documentation) stays."""\n'
        '    a = f"期望 {want},得到 {got:.2f}"\n'
        "    b = '他说\"你好\"'\n"
        '    c = "实付金额(元)"  # typography: ignore\n'
        '    return a, b, c\n'
    )
    out = fix_python(src)
    assert 'f"期望 {want}，得到 {got:.2f}"' in out
    assert "'他说“你好”'" in out
    assert '"""文档字符串(English documentation) stays."""' in out
    assert '"实付金额(元)"  # typography: ignore' in out
    compile(out, "<fixed>", "exec")


def test_findings_name_the_notebook_cell_and_line(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 标题\n\n第一句,第二句。"),
        nbformat.v4.new_code_cell('print("代码里的,不算")'),
    ])
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    (found,) = findings_in_file(path, rel_to=tmp_path)
    assert (found.path, found.line) == ("x.ipynb cell 0", 3)
    assert found.new == "第一句，第二句。"


def test_off_on_region_skips_data_literals():
    src = (
        "# typography: off - header aliases must match real exports byte for byte\n"
        'ALIASES = ("会员ID",\n           "实付金额(元)")\n'
        "# typography: on\n"
        'MESSAGE = "提示:先筛选"\n'
    )
    out = fix_python(src)
    assert '"会员ID"' in out and '"实付金额(元)"' in out
    assert '"提示：先筛选"' in out


def test_bilingual_heading_keeps_the_english_question_mark():
    text = "### 4.1 F 和 M 说的是不是同一件事?· Do F and M overlap?"
    assert fix_text(text) == "### 4.1 F 和 M 说的是不是同一件事？· Do F and M overlap?"


def test_cli_check_then_fix(tmp_path, capsys):
    from helpers.typography import main

    path = tmp_path / "note.md"
    path.write_text("# 标题\n\n第一句,第二句(补充)。\n", encoding="utf-8")
    assert main(["--check", str(path)]) == 1
    assert "note.md:3" in capsys.readouterr().out
    assert main(["--fix", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == "# 标题\n\n第一句，第二句（补充）。\n"
    assert main(["--check", str(path)]) == 0
