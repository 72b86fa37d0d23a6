"""What members are worth: historical CLV, discounting, discounted CLV and decisions taken on it.

* :func:`historical_clv` — what each member has already been worth (spend × margin): a fact, not a forecast;
* :func:`discount_factors` — end-of-period discount factors per month (or day), shared by :func:`discounted_clv`
  and module 04's explorer;
* :func:`monthly_expected_margin` / :func:`discounted_clv` / :func:`clv_table` — BG/NBD purchases × Gamma-Gamma
  spend × margin, month by month, discounted;
* :func:`contact_list` — whom to contact under a budget: the members with the highest expected CLV whose value
  exceeds the contact cost, at most ``budget // cost`` of them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.clv.bgnbd import BGNBD, _model_inputs
from helpers.clv.gamma_gamma import GammaGamma, spend_per_purchase_day


def _stable(values) -> np.ndarray:
    """Model outputs rounded to 32 significant bits with the course's one rounding helper, so a ranking or a
    threshold decides the same on every CPU (docs/CONVENTIONS.md, "Determinism on every CPU")."""
    from helpers.synth.stable import stable  # imported here: the synth package is large

    return np.asarray(stable(np.asarray(values, float)), float)


def historical_clv(summary: pd.DataFrame, margin: float = 1.0) -> pd.Series:
    """Historical CLV per member: observed spend (``monetary_total``) × gross ``margin``."""
    return (summary["monetary_total"].astype(float) * float(margin)).rename("historical_clv")


def _expected_spend(gamma_gamma: GammaGamma | None, summary: pd.DataFrame) -> np.ndarray:
    if gamma_gamma is not None:
        return gamma_gamma.conditional_expected_spend(summary["x"].to_numpy(float),
                                                      summary["monetary_repeat_mean"].to_numpy(float))
    return spend_per_purchase_day(summary).to_numpy(float)


def _step_days(step: str) -> float:
    if step not in ("month", "day"):
        raise ValueError("step must be 'month' or 'day'")
    return 365.25 / 12 if step == "month" else 1.0


def discount_factors(n_steps: int, annual_discount_rate: float, step: str = "month") -> np.ndarray:
    """Discount factor of steps 1 … ``n_steps`` (end-of-period convention): ``(1 + rate_step) ** -k`` with the
    per-step rate ``rate_step = (1 + annual_discount_rate) ** (step_days / 365.25) - 1`` (``step="month"``: 365.25/12
    days, ``"day"``: 1 day). 12 months at 12 %: factor k = 1.12 ** (-k/12)."""
    rate = (1 + annual_discount_rate) ** (_step_days(step) / 365.25) - 1
    return (1 + rate) ** -np.arange(1, int(n_steps) + 1, dtype=float)


def _step_ends(horizon_days: float, step: str) -> np.ndarray:
    """End of every step of the horizon in days from the as-of date (the last step may be partial)."""
    step_days = _step_days(step)
    n_steps = int(math.ceil(horizon_days / step_days - 1e-9))
    return np.minimum(np.arange(1, n_steps + 1) * step_days, horizon_days)


def monthly_expected_margin(bgnbd: BGNBD, gamma_gamma: GammaGamma | None, summary: pd.DataFrame, *,
                            horizon_days: float = 365, margin: float = 0.3, step: str = "month") -> pd.DataFrame:
    """Expected (undiscounted) margin of every member in every step of the horizon, in yuan — one row per step
    (``step="month"``: 365.25/12 days, the last step may be partial; ``"day"``), one column per member.

    margin × E[spend per purchase] × ΔE[purchases in the step], with the BG/NBD conditional expectation cumulated
    at the end of each step and differenced. Spend: Gamma-Gamma's conditional expectation, or without a model the
    member's :func:`spend_per_purchase_day`. The index is the end of each step in days from the as-of date
    (``step_end_days``). :func:`discounted_clv` discounts and sums these rows; module 04's slider re-weights
    the column sums. Memory: steps × members floats."""
    ends_days = _step_ends(horizon_days, step)
    unit_days, x, t_x, T = _model_inputs(bgnbd, summary)
    out = np.empty((len(ends_days), len(x)))
    cum_prev = np.zeros(len(x))
    for k, end in enumerate(ends_days):
        cum = bgnbd.expected_purchases(end / unit_days, x, t_x, T)
        out[k] = cum - cum_prev
        cum_prev = cum
    out *= margin * _expected_spend(gamma_gamma, summary)[None, :]
    return pd.DataFrame(out, index=pd.Index(ends_days, name="step_end_days"), columns=summary.index)


def discounted_clv(bgnbd: BGNBD, gamma_gamma: GammaGamma | None, summary: pd.DataFrame, *,
                   horizon_days: float = 365, margin: float = 0.3, annual_discount_rate: float = 0.10,
                   step: str = "month") -> pd.Series:
    """Discounted CLV over ``horizon_days``: Σ_k margin · E[spend] · ΔE[purchases in step k] / (1 + d)^k.

    * Per-step expected margin: :func:`monthly_expected_margin` (BG/NBD purchases × Gamma-Gamma spend; without a
      Gamma-Gamma model, the member's spend per purchase day, :func:`spend_per_purchase_day`).
    * Discounting: ``step="month"`` (steps of 365.25/12 days; the last step may be partial) or ``step="day"``;
      the per-step rate is ``(1 + annual_discount_rate) ** (step_days / 365.25) - 1`` and cash of step k is
      discounted by k full steps (end-of-period convention, :func:`discount_factors`). ``annual_discount_rate=0``
      gives undiscounted value.

    The result is rounded to 32 significant bits (:func:`_stable`): it comes out of ``exp`` / ``log`` /
    ``hyp2f1``, whose last bit depends on the CPU, and it ranks members (top lists, :func:`contact_list`).
    """
    per_step = monthly_expected_margin(bgnbd, gamma_gamma, summary, horizon_days=horizon_days, margin=margin,
                                       step=step).to_numpy()
    factors = discount_factors(len(per_step), annual_discount_rate, step)
    value = factors @ per_step if len(per_step) else np.zeros(len(summary))
    return pd.Series(_stable(value), index=summary.index,
                     name="clv")


def clv_table(bgnbd: BGNBD, gamma_gamma: GammaGamma | None, summary: pd.DataFrame, *, horizon_days: float = 365,
              margin: float = 0.3, annual_discount_rate: float = 0.10, step: str = "month") -> pd.DataFrame:
    """Per-member model outputs in one table:

    ``p_alive`` (the model value: 1 for x = 0, see :func:`member_scores`), ``expected_purchases`` (next
    ``horizon_days``, purchase days), ``expected_spend`` (per purchase day, Gamma-Gamma; the member's
    :func:`spend_per_purchase_day` without it), ``clv`` (discounted, see :func:`discounted_clv`) and
    ``historical_clv`` (observed spend × margin)."""
    unit_days, x, t_x, T = _model_inputs(bgnbd, summary)
    return pd.DataFrame({
        "p_alive": bgnbd.p_alive(x, t_x, T),
        "expected_purchases": bgnbd.expected_purchases(horizon_days / unit_days, x, t_x, T),
        "expected_spend": _expected_spend(gamma_gamma, summary),
        "clv": discounted_clv(bgnbd, gamma_gamma, summary, horizon_days=horizon_days, margin=margin,
                              annual_discount_rate=annual_discount_rate, step=step).to_numpy(),
        "historical_clv": historical_clv(summary, margin).to_numpy(),
    }, index=summary.index)


def contact_list(clv_values: pd.Series, *, budget: float, cost: float, uplift: float) -> pd.Series:
    """Whom to contact under a budget, by expected CLV.

    A contact (a coupon message, a call) costs ``cost`` 元 and is expected to raise a member's CLV by the share
    ``uplift`` (0.1 = 10 %), so its expected gain is ``uplift × clv``. Contact only members whose gain exceeds the
    cost, highest gain first (ties by member id), at most ``int(budget // cost)`` of them. Returns the gain of the
    chosen members in yuan (name ``"gain"``), highest first; empty when nobody is worth the cost. Members with a
    missing CLV are never chosen."""
    if cost <= 0 or budget < 0 or uplift < 0:
        raise ValueError("cost must be positive, budget and uplift non-negative")
    n_max = int(budget // cost)
    gain = clv_values.astype(float) * float(uplift)
    gain = pd.Series(_stable(gain.to_numpy()), index=gain.index, name="gain").dropna()  # compared with the cost
    gain = gain[gain > cost].sort_index(kind="mergesort").sort_values(ascending=False, kind="mergesort")
    return gain.iloc[:n_max]
