"""Designing and checking a test: sample size and detectable effect (statsmodels power), the sample-ratio-mismatch
check, pre-period balance (standardised differences), CUPED with pre-period spend, and why peeking inflates false
positives.

Why: a lift is only worth reading when the test could have found it (power), when randomisation worked (SRM,
balance), and when the analyst looked once (peeking). CUPED uses what members spent *before* the campaign to take
noise out of what they spend during it, without bias, because the pre-period cannot be changed by the treatment.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.experiments.outcomes import is_control, paid_orders

__all__ = ["USUAL_CONTROL_SHARES", "cuped", "detectable_lift", "peeking_simulation", "planned_shares", "pre_period",
           "sample_size", "srm_check",
           "standardized_differences"]


def sample_size(p0: float, lift: float, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0) -> int:
    """Members needed in the control arm to detect a conversion rate of ``p0 + lift`` against ``p0`` (two-sided
    z-test on Cohen's h, statsmodels ``NormalIndPower``); the treatment arm needs ``ratio`` times as many."""
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    if not 0 < p0 < 1 or not 0 < p0 + lift < 1 or lift == 0:
        raise ValueError("need 0 < p0 < 1, 0 < p0 + lift < 1 and lift ≠ 0")
    h = abs(proportion_effectsize(p0 + lift, p0))
    n = NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=ratio, alternative="two-sided")
    return int(math.ceil(n - 1e-9))


def detectable_lift(p0: float, n_control: int, n_treatment: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """The smallest increase of a conversion rate ``p0`` that a test of these sizes detects with ``power``
    (minimum detectable effect, percentage points as a share): Cohen's h solved by statsmodels, mapped back."""
    from statsmodels.stats.power import NormalIndPower

    if n_control < 2 or n_treatment < 2 or not 0 < p0 < 1:
        return float("nan")
    h = NormalIndPower().solve_power(nobs1=n_control, alpha=alpha, power=power, ratio=n_treatment / n_control,
                                     alternative="two-sided")
    phi = 2 * math.asin(math.sqrt(p0)) + h
    p1 = math.sin(min(phi, math.pi) / 2) ** 2
    return float(p1 - p0)


def srm_check(counts: pd.Series, shares: pd.Series | dict | None = None, threshold: float = 0.001) -> dict:
    """Sample-ratio mismatch: do the arms' sizes fit the planned shares (default: equal)? Chi-square goodness of
    fit (scipy); ``mismatch`` when p < ``threshold`` (0.001 is the usual alarm level: with millions of members a
    tiny p is common, so the bar is strict)."""
    from scipy.stats import chisquare

    counts = pd.Series(counts, dtype=float)
    if shares is None:
        shares = pd.Series(1.0, index=counts.index)
    shares = pd.Series(shares, dtype=float).reindex(counts.index)
    expected = shares / shares.sum() * counts.sum()
    if len(counts) < 2 or counts.sum() == 0:
        return {"chi2": float("nan"), "p_value": float("nan"), "mismatch": False,
                "observed": counts.astype(int).to_dict(), "expected": expected.to_dict()}
    stat, p = chisquare(counts.to_numpy(), expected.to_numpy())
    return {"chi2": float(stat), "p_value": float(p), "mismatch": bool(p < threshold),
            "observed": counts.astype(int).to_dict(), "expected": expected.round(1).to_dict()}


#: control shares of the usual designs, for :func:`planned_shares`
USUAL_CONTROL_SHARES = (0.1, 0.2, 0.25, 0.3, 0.5)


def planned_shares(counts: pd.Series) -> pd.Series:
    """The allocation a test most likely planned when the export does not say: the control share of the usual
    designs (equal split, 10 / 20 / 25 / 30 / 50 %) nearest to the observed one, the rest split equally between the
    treatment arms. An assumption to state next to the SRM result — pass the real plan when it is known."""
    counts = pd.Series(counts, dtype=float)
    ctrl = counts.index.map(is_control).to_numpy(bool)
    k = len(counts)
    if ctrl.sum() != 1 or k < 2 or counts.sum() == 0:
        return pd.Series(1.0 / max(k, 1), index=counts.index)
    observed = counts[ctrl].iloc[0] / counts.sum()
    options = sorted({1.0 / k, *USUAL_CONTROL_SHARES})
    c = min(options, key=lambda s: (abs(s - observed), s))
    return pd.Series(np.where(ctrl, c, (1 - c) / (k - 1)), index=counts.index)


def pre_period(contacts: pd.DataFrame, orders: pd.DataFrame, campaigns: pd.DataFrame, days: int = 90) -> pd.DataFrame:
    """Per contact, the ``days`` before the campaign's start: ``pre_orders``, ``pre_spend`` (paid) and
    ``recency_days`` (days since the last paid order before the start; NaN without one)."""
    start = campaigns.assign(campaign_id=campaigns["campaign_id"].astype(str)).drop_duplicates("campaign_id")
    start = start.set_index("campaign_id")["start_date"].map(lambda d: pd.Timestamp(d).normalize())
    paid = paid_orders(orders)[["member_id", "order_ts", "net_amount"]]
    parts = []
    for cid, c in contacts.groupby("campaign_id", sort=True):
        c = c[["campaign_id", "member_id", "arm"]].copy()
        s0 = start[cid]
        before = paid[paid["order_ts"] < s0]
        win = before[before["order_ts"] >= s0 - pd.Timedelta(days=days)]
        agg = win.groupby("member_id", observed=True)["net_amount"].agg(["size", "sum"])
        last = before.groupby("member_id", observed=True)["order_ts"].max()
        mid = c["member_id"]
        c["pre_orders"] = mid.map(agg["size"]).fillna(0).astype(float).to_numpy()
        c["pre_spend"] = mid.map(agg["sum"]).fillna(0.0).astype(float).to_numpy()
        c["recency_days"] = ((s0 - mid.map(last)).dt.total_seconds() / 86400.0).to_numpy()
        parts.append(c)
    if not parts:
        return pd.DataFrame(columns=["campaign_id", "member_id", "arm", "pre_orders", "pre_spend", "recency_days"])
    return pd.concat(parts, ignore_index=True)


def standardized_differences(frame: pd.DataFrame, covariates, arm: str = "arm") -> pd.DataFrame:
    """Balance of each treatment arm against the control: (mean_t − mean_c) / sqrt((var_t + var_c) / 2) per
    covariate (missing values left out). |d| < 0.1 is the usual rule for "balanced"."""
    labels = frame[arm].astype(str)
    ctrl = frame[labels.map(is_control)]
    rows = []
    for a in sorted(set(labels[~labels.map(is_control)])):
        t = frame[labels == a]
        for col in covariates:
            x1, x0 = t[col].dropna().astype(float), ctrl[col].dropna().astype(float)
            pooled = math.sqrt((x1.var() + x0.var()) / 2) if len(x1) > 1 and len(x0) > 1 else float("nan")
            d = (x1.mean() - x0.mean()) / pooled if pooled and pooled > 0 else float("nan")
            rows.append({"arm": a, "covariate": col, "mean_treatment": x1.mean(), "mean_control": x0.mean(),
                         "std_diff": d})
    return pd.DataFrame(rows, columns=["arm", "covariate", "mean_treatment", "mean_control", "std_diff"])


def cuped(y: np.ndarray, x: np.ndarray, treat: np.ndarray) -> dict:
    """CUPED (Deng et al. 2013): y_adj = y − θ (x − mean x), θ = cov(x, y) / var(x) on the pooled sample; the
    difference in means of y and of y_adj with their Welch standard errors, and the variance reduction
    1 − var(y_adj) / var(y) (≈ corr(x, y)²)."""
    y, x, t = np.asarray(y, float), np.asarray(x, float), np.asarray(treat, bool)
    vx = x.var(ddof=1) if len(x) > 1 else 0.0
    theta = float(np.cov(x, y, ddof=1)[0, 1] / vx) if vx > 0 else 0.0
    ya = y - theta * (x - x.mean())

    def diff(v):
        a, b = v[t], v[~t]
        if len(a) < 2 or len(b) < 2:
            return float(a.mean() - b.mean()) if len(a) and len(b) else float("nan"), float("nan")
        return float(a.mean() - b.mean()), float(math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))

    est, se = diff(y)
    est_a, se_a = diff(ya)
    vy = y.var(ddof=1) if len(y) > 1 else 0.0
    return {"theta": theta, "estimate": est, "se": se, "estimate_cuped": est_a, "se_cuped": se_a,
            "variance_reduction": float(1 - ya.var(ddof=1) / vy) if vy > 0 else 0.0}


def peeking_simulation(n_per_day: int = 200, days: int = 20, p: float = 0.1, n_sims: int = 400,
                       alpha: float = 0.05, seed: int = 0) -> dict:
    """A/A tests (no effect at all): the share declared significant when the analyst looks once at the end versus
    every day, stopping at the first p < alpha. Both arms get ``n_per_day`` members a day with conversion ``p``.
    Looking every day finds a "winner" far more often than ``alpha`` — that is the peeking problem."""
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    a = rng.binomial(n_per_day, p, size=(n_sims, days)).cumsum(axis=1)
    b = rng.binomial(n_per_day, p, size=(n_sims, days)).cumsum(axis=1)
    n = n_per_day * np.arange(1, days + 1)
    pa_, pb = a / n, b / n
    se = np.sqrt(pa_ * (1 - pa_) / n + pb * (1 - pb) / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (pa_ - pb) / se, 0.0)
    sig = np.abs(z) > norm.ppf(1 - alpha / 2)
    return {"false_positive_final": float(sig[:, -1].mean()), "false_positive_peeking": float(sig.any(axis=1).mean()),
            "alpha": alpha, "days": days, "n_sims": n_sims}
