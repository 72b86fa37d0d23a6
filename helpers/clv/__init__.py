"""Customer lifetime value, in Chinese 客户生命周期价值 — historical CLV, BG/NBD, Gamma-Gamma, discounted CLV and their checks.

One job per module:

* :mod:`~helpers.clv.bgnbd` — :class:`BGNBD`, the purchase model of Fader, Hardie & Lee (2005): P(alive), expected
  purchases of a member and of a new member;
* :mod:`~helpers.clv.gamma_gamma` — :class:`GammaGamma`, Fader & Hardie's (2013) spend model, and
  :func:`gamma_gamma_independence`, the check of its frequency–spend independence assumption;
* :mod:`~helpers.clv._mle` — the shared maximum-likelihood machinery (optimiser, standard errors, row compression);
* :mod:`~helpers.clv.simulate` — :func:`simulate_bgnbd` (the model's own world) and
  :func:`dropout_purchases_quantile`;
* :mod:`~helpers.clv.value` — historical CLV, discounting, discounted CLV, :func:`contact_list` (whom to contact
  under a budget);
* :mod:`~helpers.clv.validation` — holdout comparison by frequency, forecast errors, tracking, AUC, P(alive)
  calibration against a simulated world's truth;
* :mod:`~helpers.clv.scores` — the report's member_scores columns and their descriptions;
* :mod:`~helpers.clv.fitting` — fit when the data allow it, else one sentence on what could not be computed;
* :mod:`~helpers.clv.explorer` — module 04's horizon / discount-rate widget behind one call.

Why our own implementation: the reference package ``lifetimes`` 0.11.3 is unmaintained (last release 2020), needs
``autograd`` and an old numpy / pandas stack, and its optimiser can stop with ``ConvergenceError``; the models are
small, so they are written on numpy / scipy (``lifetimes`` is used only in ``benchmarks/``, in its own environment).

How it is validated (``tests/test_clv*.py``): on the CDNOW sample (2,357 customers, 39-week calibration,
``datasets/reference/CDNOW_sample.txt``) BG/NBD reproduces FHL (2005) r = 0.243, α = 4.414, a = 0.793, b = 2.426,
LL = −9582.4 and Gamma-Gamma reproduces Fader & Hardie (2013) p = 6.25, q = 3.74, γ = 15.44; our full CDNOW
figures are in ``datasets/reference/cdnow_validation.json``, checked against a fresh fit. Gradients against finite
differences, compression against the uncompressed likelihood, prediction edge cases, hypergeometric path against
quadrature; parameter recovery on :func:`simulate_bgnbd` data.
"""

from helpers.clv._mle import TIME_UNIT_DAYS, FitResult
from helpers.clv.bgnbd import BGNBD
from helpers.clv.explorer import clv_explorer
from helpers.clv.fitting import MIN_REPEAT_BUYERS, enough_for_holdout, fit_bgnbd, fit_gamma_gamma
from helpers.clv.gamma_gamma import GammaGamma, gamma_gamma_independence, spend_per_purchase_day
from helpers.clv.scores import SCORE_COLUMNS, member_score_descriptions, member_scores
from helpers.clv.simulate import DROPOUT_QUANTILE_MAX, dropout_purchases_quantile, simulate_bgnbd
from helpers.clv.validation import (
    auc,
    forecast_errors,
    holdout_comparison,
    holdout_tracking,
    naive_forecast,
    p_alive_calibration,
)
from helpers.clv.value import (
    clv_table,
    contact_list,
    discount_factors,
    discounted_clv,
    historical_clv,
    monthly_expected_margin,
)

__all__ = [
    "BGNBD",
    "DROPOUT_QUANTILE_MAX",
    "MIN_REPEAT_BUYERS",
    "SCORE_COLUMNS",
    "TIME_UNIT_DAYS",
    "FitResult",
    "GammaGamma",
    "auc",
    "clv_explorer",
    "clv_table",
    "contact_list",
    "discount_factors",
    "discounted_clv",
    "dropout_purchases_quantile",
    "enough_for_holdout",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "forecast_errors",
    "gamma_gamma_independence",
    "historical_clv",
    "holdout_comparison",
    "holdout_tracking",
    "member_score_descriptions",
    "member_scores",
    "monthly_expected_margin",
    "naive_forecast",
    "p_alive_calibration",
    "simulate_bgnbd",
    "spend_per_purchase_day",
]
