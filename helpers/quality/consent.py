"""Marketing consent: who may be contacted on which channel (PIPL: an explicit opt-in, and an easy way out).

Only an explicit ``True`` counts: a missing consent (never asked, not recorded) is *no* consent. Consent is not
the end of it — PIPL art. 24 requires automated marketing (a campaign list chosen by a model or a score) to offer
a convenient way to refuse, so every message carries an opt-out and an opt-out is written back as ``False``.
"""

from __future__ import annotations

import pandas as pd

from helpers.quality._base import _missing

CONSENT_COLUMNS = {"sms": "sms_consent", "email": "email_consent"}


def contactable(members: pd.DataFrame, channel: str = "sms") -> pd.Series:
    """Boolean Series (index of ``members``): may this member receive marketing on ``channel`` ("sms" / "email")?

    Only an explicit ``True`` consent counts — missing (NA) is *no* consent, as PIPL requires an affirmative opt-in.
    For SMS the member must also have a phone on file (``phone_masked`` filled) when that column exists."""
    col = CONSENT_COLUMNS.get(channel)
    if col is None:
        raise ValueError(f"unknown channel {channel!r}; use one of {sorted(CONSENT_COLUMNS)} / 未知渠道")
    if col not in members.columns:
        raise KeyError(f"members has no {col} column / 会员表缺少授权字段 {col}")
    flag = members[col]
    if not pd.api.types.is_bool_dtype(flag):
        flag = flag.map(lambda v: str(v).strip().lower() in {"true", "1", "yes", "y", "是", "同意"} if pd.notna(v) else False)
    ok = flag.astype("boolean").fillna(False).astype(bool)
    if channel == "sms" and "phone_masked" in members.columns:
        ok &= ~pd.Series(_missing(members["phone_masked"]), index=members.index)
    return ok.rename(f"contactable_{channel}")
