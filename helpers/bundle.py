"""The trainee bundle: everything a trainee needs and nothing an instructor must keep (学员包).

    python -m helpers bundle --out DIR          # DIR must not exist or be empty
    python -m helpers bundle --out DIR --zip    # also DIR.zip, to upload to an LMS or a separate repository

Why: the instructor repository holds ``solutions/`` (every model answer and hidden test) and ``tests/`` (typical
wrong answers). A trainee who clones it has the answers. The bundle is the trainee's copy:

* ``notebooks/`` — the student release, generated here from ``solutions/`` with nbgrader in a temporary folder
  (the same function as ``python -m helpers release``), so it is current even when the committed release is not;
* ``datasets/`` — the default data, its ground truth (the course compares models with it), the data dictionary
  and the reference data;
* the installable ``helpers`` package with ``pyproject.toml`` / ``setup.py``, ``environment.yml`` and
  ``requirements.lock`` without nbgrader (trainees install the ``course`` extra: JupyterLab, no grading tools);
* ``docs/GLOSSARY.md`` (术语表) and a Chinese ``README.md`` for trainees: set-up, how to check an exercise, how to
  submit.

After writing, every file is scanned: a solution marker, a hidden-test marker or a line of a hidden test anywhere in
the bundle is an error (exit 1, the files named), so a bundle that leaks is never handed out.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

from helpers.paths import REPO_ROOT

__all__ = ["LEAK_MARKERS", "build", "hidden_test_lines", "leaks", "main"]

# spelled in two parts so this file, which is in the bundle, does not contain them
LEAK_MARKERS = tuple("### " + a + " " + b for a, b in (("BEGIN", "SOLUTION"), ("END", "SOLUTION"),
                                                       ("BEGIN", "HIDDEN TESTS"), ("END", "HIDDEN TESTS")))
LEAK_MARKERS += ("BEGIN" + " SOLUTION", "BEGIN" + " HIDDEN TESTS")
SKIP = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc", ".DS_Store")
# dropped from the trainee's environment: grading and developer tools
DROPPED_PACKAGES = ("nbgrader", "pytest", "pytest-xdist", "hypothesis", "ruff", "uv")
MIN_HIDDEN_LINE = 24  # shorter lines ("assert x", "import numpy as np") prove nothing


def _solutions_dir(root: Path) -> Path:
    return root / "solutions"


def hidden_test_lines(solutions: Path, release: Path | None = None, public: Path | None = None) -> set[str]:
    """Distinctive lines of every hidden-test block in ``solutions`` (stripped, long enough to identify it, and not
    also present in the student release — a visible test may repeat a set-up line — or in the Python sources under
    ``public``, the helpers package trainees get anyway, where a hidden test may compute a date the same way)."""
    import nbformat

    begin, end = LEAK_MARKERS[2], LEAK_MARKERS[3]
    visible: set[str] = set()
    if release is not None:
        for path in release.rglob("*.ipynb"):
            for cell in nbformat.read(path, as_version=4).cells:
                visible.update(line.strip() for line in cell.source.splitlines())
    if public is not None:
        for path in public.rglob("*.py"):
            visible.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    found: set[str] = set()
    for path in solutions.rglob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            for block in re.findall(re.escape(begin) + r"(.*?)" + re.escape(end), cell.source, re.S):
                for line in block.splitlines():
                    line = line.strip()
                    if len(line) >= MIN_HIDDEN_LINE and line not in visible and not line.startswith("#"):
                        found.add(line)
    return found


def leaks(bundle: Path, hidden_lines: set[str]) -> list[str]:
    """``path: reason`` for every file of ``bundle`` that holds a marker or a hidden-test line."""
    problems = []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        rel = path.relative_to(bundle).as_posix()
        if rel.split("/")[0] in ("solutions", "tests"):
            problems.append(f"{rel}: instructor folder in the bundle")
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        for marker in LEAK_MARKERS:
            if marker in text:
                problems.append(f"{rel}: contains {marker!r}")
        for line in hidden_lines:
            if line in text:
                problems.append(f"{rel}: contains a hidden-test line {line[:60]!r}")
                break
    return problems


def _release(root: Path, target: Path) -> list[Path]:
    """Generate the student release of every module into ``target`` from normalised copies of the solutions."""
    from helpers.release import generate, module_dirs, normalise_file

    with tempfile.TemporaryDirectory(prefix="bundle-") as tmp:
        src = Path(tmp) / "solutions"
        shutil.copytree(_solutions_dir(root), src, ignore=SKIP)
        for d in module_dirs(src):
            for nb in d.glob("*.ipynb"):
                normalise_file(nb)
        return generate(root, target, src)


def _lock_without(lines: list[str], dropped: tuple[str, ...]) -> list[str]:
    """requirements.lock lines without ``dropped`` and the packages only they pulled in (``# via`` comments)."""
    name_of = lambda line: re.split(r"[=<>\s\[]", line.strip(), maxsplit=1)[0].lower()  # noqa: E731
    gone = {d.lower() for d in dropped}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if not line.strip() or line.lstrip().startswith("#") or "# via" not in line:
                continue
            name = name_of(line)
            via = {v.strip().split(" ")[0].lower() for v in line.split("# via", 1)[1].split(",")}
            if name not in gone and via and via <= gone:
                gone.add(name)
                changed = True
    return [line for line in lines if not line.strip() or line.lstrip().startswith("#") or name_of(line) not in gone]


def _environment_without(text: str, dropped: tuple[str, ...]) -> str:
    out = ["# trainee environment written by `python -m helpers bundle`: the course, without grading or developer tools"]
    for line in text.splitlines():
        if line.startswith("# GENERATED"):
            continue
        item = line.strip().removeprefix("- ").strip()
        name = re.split(r"[=<>\s]", item, maxsplit=1)[0].lower()
        if line.strip().startswith("- ") and name in dropped:
            continue
        out.append(line.replace(".[dev]", ".[course]").replace(".[instructor]", ".[course]"))
    return "\n".join(out) + "\n"


README = """\
# 会员数据分析工作簿 · 学员包

这是《会员数据分析工作簿》的学员版：课程 notebook、课程数据和分析工具包 `helpers`。讲师的参考答案和隐藏测试
不在这里。

## 目录

| 路径 | 内容 |
|---|---|
| `notebooks/NN-slug/NN-slug.ipynb` | 课程模块，从 `00-tour` 开始按编号顺序学习 |
| `datasets/default/` | 课程默认数据（模拟的连锁零售会员数据）；`truth/` 是生成数据时记录的真值，课程用它检验模型 |
| `datasets/README.md` | 数据字典：每张表、每一列的含义 |
| `helpers/` | 课程工具包，notebook 用 `from helpers import …` 调用 |
| `docs/GLOSSARY.md` | 术语表：课程中每个中文术语的含义与英文对照 |

## 1. 安装（每台电脑一次）

需要 Python 3.11。在本目录（有 `pyproject.toml` 的文件夹）打开终端：

```bash
python3.11 -m venv .venv
.venv/bin/python -m pip install -c requirements.lock -e ".[course]"
.venv/bin/python -m ipykernel install --sys-prefix --name python3
.venv/bin/jupyter lab
```

Windows 上把 `.venv/bin/` 换成 `.venv\\Scripts\\`。使用 conda 的话：`conda env create -f environment.yml`，
然后 `conda activate member-analytics` 并运行 `jupyter lab`。安装完成后不需要联网：数据和中文字体都已包含在内。

## 2. 学习与自查

1. 在 JupyterLab 里打开 `notebooks/00-tour/00-tour.ipynb`，从上到下依次运行单元格（`Shift + Enter`）。
2. 代码练习：在写着 `YOUR CODE HERE` 的单元格里写函数，删掉 `raise NotImplementedError(...)` 这一行。
   简答题：双击写着 `YOUR ANSWER HERE` 的单元格，用中文作答。
3. 检查练习：运行练习下方的测试单元格。没有输出就是通过了可见测试；出现 `AssertionError` 时，
   最后一行会用中文说明哪里不对（期望什么、得到什么）以及提示，改好函数后先运行函数所在的单元格，再运行测试。
   还没做的练习会提示“练习 N 还没有完成”。
4. 讲师评分时还会运行隐藏测试：把你的函数用在另一份数据上。所以请写通用的计算逻辑，不要把答案数字写进函数；
   练习要求你用 pandas 自己写出计算过程，评分时直接调用课程工具里实现同一计算的函数不得分。
5. 提交前：菜单 *Kernel → Restart Kernel and Run All Cells*，确认每个测试单元格都没有报错。

不要删除、复制或移动已锁定的单元格（测试单元格、题目单元格），也不要修改它们：评分按单元格编号进行，
改动过的 notebook 可能无法评分。

## 3. 提交

1. 保存 notebook（`Ctrl + S`）。
2. 把文件命名为 `学号_模块名.ipynb`，例如 `s001_03-rfm.ipynb`（学号只用字母、数字和连字符）。
3. 按讲师的要求上传到课程平台（或讲师指定的提交目录）。每个模块提交一个 notebook，不需要提交数据。

讲师批改后会发回一个 HTML 反馈文件，里面有每道题的得分和测试提示。

## 4. 用自己的数据

每个 notebook 开头的参数单元格里有 `data_dir`：留空使用课程数据，填上文件夹路径就会读取你自己的数据
（至少要有订单表，见 `datasets/README.md`）。
"""


def build(out: Path, root: Path = REPO_ROOT, make_zip: bool = False) -> tuple[list[str], list[str]]:
    """Write the bundle into ``out``; returns (lines describing what was written, leak problems)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    lines = []

    written = _release(root, out / "notebooks")
    lines.append(f"notebooks/: {len(written)} module(s) generated from solutions/")

    shutil.copytree(root / "datasets", out / "datasets", ignore=SKIP)
    shutil.copytree(root / "helpers", out / "helpers", ignore=SKIP)
    lines.append("datasets/, helpers/")
    for name in ("pyproject.toml", "setup.py", "LICENSE"):
        if (root / name).exists():
            shutil.copy2(root / name, out / name)
    if (root / "environment.yml").exists():
        text = (root / "environment.yml").read_text(encoding="utf-8")
        (out / "environment.yml").write_text(_environment_without(text, DROPPED_PACKAGES), encoding="utf-8")
    if (root / "requirements.lock").exists():
        lock = (root / "requirements.lock").read_text(encoding="utf-8").splitlines()
        kept = _lock_without(lock, DROPPED_PACKAGES)
        (out / "requirements.lock").write_text("\n".join(kept) + "\n", encoding="utf-8")
        lines.append(f"requirements.lock: {len(lock) - len(kept)} grading / developer pin(s) dropped")
    (out / "docs").mkdir(exist_ok=True)
    if (root / "docs" / "GLOSSARY.md").exists():
        shutil.copy2(root / "docs" / "GLOSSARY.md", out / "docs" / "GLOSSARY.md")
    (out / "README.md").write_text(README, encoding="utf-8")

    problems = leaks(out, hidden_test_lines(_solutions_dir(root), out / "notebooks", root / "helpers"))
    if make_zip and not problems:
        archive = shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
        lines.append(f"zip: {archive}")
    return lines, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers bundle",
        description="生成学员包（不含参考答案和隐藏测试）/ write the trainee bundle (no solutions, no hidden tests)",
    )
    parser.add_argument("--out", required=True, type=Path, help="output folder (must not exist or be empty)")
    parser.add_argument("--zip", action="store_true", help="also write <out>.zip")
    parser.add_argument("--root", default=str(REPO_ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        lines, problems = build(args.out, Path(args.root), make_zip=args.zip)
    except (FileExistsError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    if problems:
        print("error: the bundle leaks instructor material; do not hand it out:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"bundle written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
