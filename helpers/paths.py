"""Where the workbook's own files are: the default data, the module notebooks, the reference figures.

Why one module: in a repository checkout (or an editable install) they sit beside the ``helpers`` package; after a
plain ``pip install .`` the package is in site-packages and the files are installed as data files under
``<prefix>/share/member-analytics-workbook/`` (see ``[tool.setuptools.data-files]`` in pyproject.toml). Every
lookup goes through :func:`resource`, so both layouts work from any working directory.

``MEMBER_WORKBOOK_DATA`` (environment variable) replaces the course default data folder — the folder a notebook
reads when its ``data_dir`` parameter is empty. The test suite points it at a small generated world; an instructor
can point a classroom at another data set the same way.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from pathlib import Path

__all__ = ["DEFAULT_DATA_DIR", "REPO_ROOT", "SHARE_DIR", "default_data_dir", "resource"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARE_DIR = Path(sys.prefix) / "share" / "member-analytics-workbook"
DATA_ENV = "MEMBER_WORKBOOK_DATA"


def _share_dirs() -> list[Path]:
    """Where pip puts data files: the environment's prefix, and the user base for ``pip install --user``."""
    dirs = [SHARE_DIR, Path(sysconfig.get_paths()["data"]) / "share" / "member-analytics-workbook"]
    if site.ENABLE_USER_SITE and site.USER_BASE:
        dirs.append(Path(site.USER_BASE) / "share" / "member-analytics-workbook")
    return list(dict.fromkeys(dirs))


def resource(relative: str) -> Path:
    """``relative`` (e.g. ``"datasets/default"``) in the checkout if it is there, else in the installed share dir
    (the checkout path when neither exists, so an error message names the expected place)."""
    local = REPO_ROOT / relative
    if local.exists():
        return local
    for share in _share_dirs():
        if (share / relative).exists():
            return share / relative
    return local


def default_data_dir() -> Path:
    """The data folder used when a notebook's ``data_dir`` is empty: ``$MEMBER_WORKBOOK_DATA`` or the course data."""
    override = os.environ.get(DATA_ENV, "").strip()
    return Path(override) if override else resource("datasets/default")


DEFAULT_DATA_DIR = default_data_dir()
