"""The module notebooks a report run executes: ``solutions/NN-slug/NN-slug.ipynb`` in order of NN.

Found through :func:`helpers.paths.resource`, so a repository checkout and a plain ``pip install .`` (notebooks
installed under ``<prefix>/share/member-analytics-workbook/solutions``) both work from any folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helpers.paths import resource

__all__ = ["MODULE_KEYS", "Module", "discover_modules", "module_key", "solutions_dir"]

#: module folder slug -> key used in metrics.json and part files (docs/CONVENTIONS.md)
MODULE_KEYS = {
    "00-tour": "00_tour",
    "01-data-quality": "01_quality",
    "02-behavior": "02_behavior",
    "03-rfm": "03_rfm",
    "04-clv": "04_clv",
    "05-segments-churn": "05_segments",
    "06-tiers-points": "06_tiers",
    "07-marketing": "07_marketing",
    "08-experiments": "08_experiments",
    "09-feedback": "09_feedback",
    "10-report": "10_report",
}


def module_key(slug: str) -> str:
    """metrics.json key of a module folder (``"03-rfm"`` -> ``"03_rfm"``)."""
    return MODULE_KEYS.get(slug, slug.replace("-", "_"))


def solutions_dir() -> Path:
    return resource("solutions")


@dataclass
class Module:
    slug: str
    path: Path
    parameters: dict[str, dict] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return module_key(self.slug)

    @property
    def number(self) -> str:
        return self.slug.split("-", 1)[0]


def discover_modules(folder: Path | None = None) -> list[Module]:
    """``NN-slug/NN-slug.ipynb`` folders of ``folder`` (default: the workbook's solutions) in order of NN."""
    folder = Path(folder) if folder is not None else solutions_dir()
    dirs = [d for d in sorted(folder.glob("[0-9][0-9]-*")) if d.is_dir() and (d / f"{d.name}.ipynb").exists()]
    return [Module(d.name, d / f"{d.name}.ipynb") for d in dirs]
