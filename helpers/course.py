"""The course's own map: which modules exist and the links between them (课程导航).

Why generated: a hand-written "next module" link goes stale the day a module is added or is not there yet (module 04
once linked to a missing 05, module 00 promised modules that did not exist). Every notebook ends with
``course.navigation("NN-slug")``, which lists the modules found on disk — the student release ``notebooks/`` in a
trainee's bundle, ``solutions/`` in the instructor repository — with their titles read from each notebook's first
heading.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Module", "modules", "navigation", "navigation_markdown"]

from helpers import paths

_SLUG = re.compile(r"^\d\d-[a-z0-9-]+$")


@dataclass(frozen=True)
class Module:
    slug: str  # "03-rfm"
    title: str  # "RFM 价值模型 · RFM value model"
    path: Path

    @property
    def number(self) -> str:
        return self.slug[:2]


def _title(path: Path) -> str:
    """The notebook's first markdown heading without the leading '# NN '."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return path.stem
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", []))
            for line in text.splitlines():
                if line.startswith("# "):
                    return re.sub(r"^#\s+\d\d\s+", "", line).strip()
    return path.stem


def modules(root: Path | None = None) -> list[Module]:
    """The modules that exist, in order: ``notebooks/`` (what trainees have) or else ``solutions/`` — in the checkout
    or, after a plain ``pip install``, in the installed share folder (:func:`helpers.paths.resource`)."""
    for folder in ("notebooks", "solutions"):
        base = Path(root) / folder if root is not None else paths.resource(folder)
        found = [
            Module(d.name, _title(d / f"{d.name}.ipynb"), d / f"{d.name}.ipynb")
            for d in sorted(base.glob("[0-9][0-9]-*"))
            if _SLUG.match(d.name) and (d / f"{d.name}.ipynb").is_file()
        ]
        if found:
            return found
    return []


def navigation_markdown(slug: str, root: Path | None = None) -> str:
    """Markdown with the previous and next existing modules and the whole course list (current one in bold)."""
    found = modules(root)
    slugs = [m.slug for m in found]
    lines = []
    if slug in slugs:
        i = slugs.index(slug)
        prev_, next_ = (found[i - 1] if i > 0 else None), (found[i + 1] if i + 1 < len(found) else None)
        link = lambda m: f"[{m.number} {m.title}](../{m.slug}/{m.slug}.ipynb)"  # noqa: E731
        parts = []
        if prev_:
            parts.append(f"上一模块：{link(prev_)}")
        parts.append(f"下一模块：{link(next_)}" if next_ else "这是目前最后一个模块，后续模块发布后会出现在这里。")
        lines.append(" · ".join(parts))
        lines.append("")
    lines.append(f"**课程目录 · Course map**（共 {len(found)} 个模块）：")
    lines.append("")
    for m in found:
        entry = f"{m.number} {m.title}"
        lines.append(f"- **{entry}**（本模块）" if m.slug == slug else f"- [{entry}](../{m.slug}/{m.slug}.ipynb)")
    return "\n".join(lines)


def navigation(slug: str, root: Path | None = None):
    """Display :func:`navigation_markdown` in the notebook (returns the IPython Markdown object)."""
    from IPython.display import Markdown

    return Markdown(navigation_markdown(slug, root))
