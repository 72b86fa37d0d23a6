"""The ground truth a synthetic world was drawn from (``<data_dir>/truth/``), read without the generator.

Why a module of its own: notebooks compare estimates with the truth (who is really alive, each member's archetype,
true purchase rate); importing the whole generator for that was slow and mixed two jobs. An analyst's own export
has no ``truth/`` folder, so :func:`read_truth` returns ``None`` and the modules skip their truth comparisons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ARCHETYPE_ZH", "MEMBER_POINTS_COLUMNS", "MEMBER_TRUTH_COLUMNS", "Truth", "read_truth"]

ARCHETYPE_ZH = {"heavy_loyal": "重度忠诚", "heavy_switching": "重度摇摆", "light_loyal": "轻度忠诚",
                "light_switching": "轻度摇摆"}

#: what each column of ``truth/member_truth.parquet`` means (datasets/README.md shows the same list; a test checks
#: that the file has exactly these columns). Time unit: day; money: 元; timestamps naive Asia/Shanghai.
MEMBER_TRUTH_COLUMNS = {
    "member_id": "member identifier (as in members.parquet)",
    "archetype": "heavy_loyal / heavy_switching / light_loyal / light_switching: heavy ⇔ purchase_rate_per_day · "
                 "365 · expected_order_value ≥ 3,000 元 a year while active, loyal ⇔ brand_loyalty ≥ 0.6",
    "purchase_rate_per_day": "λ, purchases a day while the member is in an active spell (Gamma across members)",
    "dropout_prob": "p, chance of dropping out right after each repeat purchase (the BG/NBD mechanism; Beta)",
    "spend_nu": "ν, the Gamma-Gamma rate of the member's order values (smaller ν = higher spend level)",
    "expected_order_value": "p_GG / ν, the member's mean paid amount per order (元); rank-coupled with λ",
    "first_purchase_ts": "time of the first order; empty for members who never bought",
    "alive_at_as_of": "in an active spell at the end of the as-of day (params.json as_of): will buy again if "
                      "nothing else happens; the truth behind BG/NBD's P(alive)",
    "dropout_ts": "when the member's last spell ended (a lapse), for members not alive at as-of; empty if alive",
    "lifetime_rate_per_day": "μ, hazard of the exponential lifetime from joining: lapse at any time, also before "
                             "any repeat purchase (rank-coupled with λ: light buyers leave sooner)",
    "lapse_ts": "when the first active spell ended (after a repeat purchase, or when the lifetime ran out; for a "
                "member who never bought, the lifetime's end); empty if it had not ended by as-of",
    "lapse_cause": "why the first spell ended: after_purchase (dropout after a repeat purchase) or lifetime; empty "
                   "if it had not ended",
    "repeats_before_lapse": "repeat purchases in the first spell when it ended (0: lapsed before any repeat "
                            "purchase, which BG/NBD rules out); empty if it had not ended",
    "won_back": "came back after the lapse with a comeback order before as-of (at most once), starting a second spell",
    "winback_ts": "time of the first order after the comeback (the first of the second spell); empty if not won back",
    "preferred_channel": "channel the member uses 70 % of the time (门店 / 线上商城 / 小程序)",
    "preferred_payment": "payment method used 80 % of the time",
    "hour_profile": "weekday_lunch / evening / weekend: when the member shops",
    "preferred_category": "category with the largest preference weight",
    "brand_loyalty": "chance an order line picks the member's favourite brand of its category",
    "heavy": "see archetype",
    "loyal": "see archetype",
}

#: what each column of ``truth/member_points.parquet`` means (module 06's loyalty programme as the generator ran it,
#: up to the end of the as-of day; datasets/README.md shows the same list, a test checks the file's columns)
MEMBER_POINTS_COLUMNS = {
    "member_id": "member identifier (as in members.parquet); every member, also those without points",
    "tier": "tier held at the end of the as-of month under the programme's rules (truth/loyalty_programme.json)",
    "points_earned": "points earned on paid orders (refunded orders earn none); equals the member's points_earned in "
                     "orders.parquet",
    "points_redeemed": "points redeemed on paid orders",
    "points_expired": "points that expired unused by the end of the as-of day (FIFO, points_expiry_months)",
    "points_balance": "points_earned − points_redeemed − points_expired: the true outstanding balance",
}


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

    @property
    def programme(self) -> dict | None:
        """The loyalty programme the generator ran (``truth/loyalty_programme.json``: points and tier rules, the
        true outstanding points), or ``None`` for a truth folder without one."""
        path = self.folder / "loyalty_programme.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    @property
    def member_points(self):
        """Each member's true points and tier (``truth/member_points.parquet``, indexed by member_id; columns
        :data:`MEMBER_POINTS_COLUMNS`), or ``None`` for a truth folder without one."""
        import pandas as pd

        path = self.folder / "member_points.parquet"
        return pd.read_parquet(path).set_index("member_id") if path.is_file() else None

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


