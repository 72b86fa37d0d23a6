"""Fit the CLV models when the data allow it, and say in one Chinese sentence what could not be computed.

Why: a real export can be degenerate — nobody bought twice, a single member, a single day of orders, every amount
the same. The models then have nothing to learn from (BG/NBD needs repeat purchases to see a purchase rate and
dropout; Gamma-Gamma needs repeat spend), and module 04 must still complete: it reports historical CLV and skips
the model sections with the reason these functions return.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.clv.bgnbd import BGNBD
from helpers.clv.gamma_gamma import GammaGamma

#: fewest members with a repeat purchase (x > 0) a model is fitted on
MIN_REPEAT_BUYERS = 3


def fit_bgnbd(summary: pd.DataFrame, time_unit: str | None = None) -> tuple[BGNBD | None, str]:
    """``(model, "")`` — or ``(None, reason)`` when the summary cannot identify BG/NBD: fewer than two members,
    or fewer than :data:`MIN_REPEAT_BUYERS` members with a repeat purchase (e.g. a single day of orders)."""
    n = len(summary)
    repeaters = int((summary["x"] > 0).sum()) if n else 0
    if n < 2:
        return None, f"只有 {n} 位会员有已支付订单，无法估计 BG/NBD 的人群分布，本节只给出历史 CLV。"
    if repeaters < MIN_REPEAT_BUYERS:
        return None, (f"只有 {repeaters} 位会员在首购之后再次购买（至少需要 {MIN_REPEAT_BUYERS} 位），"
                      "BG/NBD 无法估计购买节奏与脱离，本节只给出历史 CLV。")
    try:
        return BGNBD(time_unit=time_unit).fit(summary), ""
    except ValueError as err:
        return None, f"BG/NBD 无法拟合（{err}），本节只给出历史 CLV。"


def fit_gamma_gamma(summary: pd.DataFrame) -> tuple[GammaGamma | None, str]:
    """``(model, "")`` — or ``(None, reason)`` when fewer than :data:`MIN_REPEAT_BUYERS` members have a repeat
    purchase with positive spend, or all of them have the same mean spend (nothing to estimate the spread from);
    CLV then uses each member's spend per purchase day."""
    m = summary["monetary_repeat_mean"] if len(summary) else pd.Series(dtype=float)
    usable = int(((summary["x"] > 0) & m.notna() & (m > 0)).sum()) if len(summary) else 0
    if usable < MIN_REPEAT_BUYERS:
        return None, (f"只有 {usable} 位会员有重复购买金额（至少需要 {MIN_REPEAT_BUYERS} 位），无法拟合 Gamma-Gamma，"
                      "期望消费改用每位会员历史上每个购买日的平均消费。")
    spends = m[(summary["x"] > 0) & m.notna() & (m > 0)].to_numpy(float)
    if np.ptp(spends) <= 1e-9 * np.abs(spends).max():
        return None, ("所有会员的重复购买平均金额都相同，Gamma-Gamma 无从估计金额在会员之间和会员自身的波动，"
                      "期望消费改用每位会员历史上每个购买日的平均消费。")
    try:
        model = GammaGamma().fit(summary)
    except ValueError as err:
        return None, f"无法拟合 Gamma-Gamma（{err}），期望消费改用每位会员历史上每个购买日的平均消费。"
    if not model.fit_info_.success:
        # e.g. every order of the same amount: p runs to the search bound, the "population mean" is an artefact
        return None, ("Gamma-Gamma 的估计没有收敛（会员之间的平均金额几乎没有差异，参数跑向了边界），结果不可用，"
                      "期望消费改用每位会员历史上每个购买日的平均消费。")
    return model, ""


def enough_for_holdout(calibration: pd.DataFrame | None, *, min_members: int = 30, min_repeaters: int = 10) -> bool:
    """Whether a calibration summary has enough members (and repeat buyers) for a meaningful holdout check."""
    return (calibration is not None and len(calibration) >= min_members
            and int(np.sum(calibration["x"].to_numpy() > 0)) >= min_repeaters)
