"""The ground truth a synthetic world was drawn from (``<data_dir>/truth/``), read without the generator.

Why a module of its own: notebooks compare estimates with the truth (who is really alive, each member's archetype,
true purchase rate); importing the whole generator for that was slow and mixed two jobs. An analyst's own export
has no ``truth/`` folder, so :func:`read_truth` returns ``None`` and the modules skip their truth comparisons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ARCHETYPE_ZH", "Truth", "read_truth"]

ARCHETYPE_ZH = {"heavy_loyal": "重度忠诚", "heavy_switching": "重度摇摆", "light_loyal": "轻度忠诚",
                "light_switching": "轻度摇摆"}


@dataclass
class Truth:
    """The generator's ground truth written beside a data folder (``truth/``): what really drove the simulated
    members. Modules compare their estimates with it when it is there; an analyst's own data has none."""

    members: object  # pandas DataFrame of truth/member_truth.parquet, indexed by member_id
    params: dict  # truth/params.json
    folder: Path

    @property
    def as_of(self):
        """The as-of day the truth was drawn for (``alive_at_as_of`` refers to it), or ``None``."""
        import pandas as pd

        return pd.Timestamp(self.params["as_of"]).normalize() if self.params.get("as_of") else None

    def alive_at(self, as_of):
        """Each member's true ``alive_at_as_of`` (a boolean Series) when the truth was drawn for the same day as
        ``as_of``; ``None`` otherwise — the truth cannot say who was alive on another day."""
        import pandas as pd

        if self.as_of is None or pd.Timestamp(as_of).normalize() != self.as_of:
            return None
        return self.members["alive_at_as_of"].astype(bool)


def read_truth(data_dir=None) -> Truth | None:
    """The ground truth beside a data folder (``<data_dir>/truth/member_truth.parquet`` and ``params.json``), or
    ``None`` when there is none (an analyst's own data). ``data_dir`` ``""`` / ``None`` is the course default."""
    import pandas as pd

    from helpers.data import DEFAULT_DATA_DIR

    folder = Path(data_dir or DEFAULT_DATA_DIR) / "truth"
    members_file, params_file = folder / "member_truth.parquet", folder / "params.json"
    if not (members_file.is_file() and params_file.is_file()):
        return None
    members = pd.read_parquet(members_file).set_index("member_id")
    return Truth(members=members, params=json.loads(params_file.read_text(encoding="utf-8")), folder=folder)


