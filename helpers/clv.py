"""Customer lifetime value (客户生命周期价值): historical CLV, BG/NBD, Gamma-Gamma and discounted CLV.

What
----
* :func:`historical_clv` — what each member has already been worth (spend × margin).
* :class:`BGNBD` — the beta-geometric / negative-binomial purchase model of Fader, Hardie & Lee (2005),
  "Counting your customers the easy way". Story: while alive a member buys at a Poisson rate λ (λ ~ Gamma(r, α)
  across members); after every purchase the member drops out with probability p (p ~ Beta(a, b)). Gives
  :meth:`BGNBD.p_alive` (P(alive)), :meth:`BGNBD.expected_purchases` (conditional expectation, FHL eq. 10) and
  :meth:`BGNBD.expected_purchases_new` (a new member, FHL eq. 7).
* :class:`GammaGamma` — Fader & Hardie's (2013) spend model: a member's transaction values are Gamma(shape p,
  rate ν), so her mean spend per purchase is p/ν; the *rate* ν varies across members as Gamma(shape q, rate γ), which
  makes the mean spend p/ν inverse-gamma, with population mean p·γ/(q − 1) (finite only for q > 1). Gives
  :meth:`GammaGamma.conditional_expected_spend` and :meth:`GammaGamma.credibility_weight`.
* :func:`discounted_clv` — BG/NBD × Gamma-Gamma × margin, discounted month by month (or day by day) with
  :func:`discount_factors`;
  :func:`clv_table` puts P(alive), expected purchases, expected spend and CLV per member in one table.
* ``model.metrics()`` — parameters, standard errors, intervals and time unit, ready for ``metrics.json``.
* :func:`holdout_comparison` — predicted vs actual repeat purchases in a holdout period, by calibration frequency,
  with MAE / RMSE / aggregate % error — the standard check of a fitted purchase model.
* :func:`gamma_gamma_independence` — Gamma-Gamma assumes frequency and spend are independent; this checks it.
* :func:`naive_forecast` / :func:`forecast_errors` — the "keep buying at your past rate" baseline and the error
  figures any forecast is judged by; :func:`holdout_tracking` — predicted vs actual purchase days in the holdout
  period, step by step in calendar time (the tracking plot).
* :func:`monthly_expected_margin` — expected margin per member per month (the building block of
  :func:`discounted_clv`); :func:`member_scores` / :func:`member_score_descriptions` — the CLV columns of the
  report's ``member_scores`` and what they mean.
* :func:`dropout_purchases_quantile` — how many repeat purchases until dropout (a quantile: the mean is infinite
  when a ≤ 1); :func:`auc` — rank-based area under the ROC curve (ties count one half).

Inputs are the per-member features of :func:`helpers.behavior.member_summary`: ``x`` (repeat purchases, counted
as distinct purchase *days*), ``t_x`` (time of the last purchase, from the first), ``T`` (time from the first
purchase to the end of the calibration period), all in one time unit (``"day"`` or ``"week"``; the unit is
stored on the fitted model as ``time_unit`` and every time argument of a model is in that unit) and
``monetary_repeat_mean`` (mean spend per repeat purchase day) for Gamma-Gamma.

Why our own implementation
--------------------------
The reference Python package, ``lifetimes`` 0.11.3, is unmaintained (last release 2020), needs ``autograd`` and an
old numpy / pandas stack (its benchmark environment pins numpy 1.26 and pandas 1.5), and its optimiser can stop with
``ConvergenceError`` on large synthetic sets (issue 4; on the benchmark data of ``benchmarks/bench_clv.py`` it
converged). There is no maintained, dependency-light alternative, and the models are small, so we write them
directly on numpy / scipy (``lifetimes`` is used only in ``benchmarks/``, in its own environment):

* maximum likelihood with ``scipy.optimize`` on log-parameters (positivity for free, better conditioning);
* identical ``(x, t_x, T)`` rows are compressed into weighted unique rows (hash-based, O(n)); special functions
  are evaluated once per distinct ``x``, ``log(α+T)`` once per distinct ``T``, members with x = 0 enter only
  through per-``T`` sums, and the per-row work runs in preallocated buffers — a 1M-member fit takes well under
  a second (``benchmarks/bench_clv.py``: 20–40× faster than lifetimes at 100k and 1M members with the same
  parameters to 4 significant digits, on a lightly loaded machine);
* analytic gradients of the log-likelihood (``gammaln`` / ``betaln`` / ``digamma``; the two terms of the BG/NBD
  likelihood are combined on the log scale as ``A1 + softplus(A2 - A1)``, so nothing overflows; the per-row
  reference implementation with ``logaddexp`` is kept and tested against the fast one);
* start values from simple moments, further starts, and a fallback optimiser (L-BFGS-B → Nelder-Mead), so valid
  data always returns the best point found (a warning, never an exception, if the optimiser is unhappy);
* standard errors from the inverse of a numerically differentiated (analytic-gradient) Hessian in log space and
  the delta method; 95 % intervals are computed on the log scale (always positive). :meth:`BGNBD.bootstrap` and
  :meth:`GammaGamma.bootstrap` resample members (a multinomial draw over the compressed rows, so it is cheap).
* ``expected_purchases`` uses the Pfaff-transformed hypergeometric form
  ``1 - 2F1(r+x, a-1; a+b+x-1; -t/(α+T))`` (the ``((α+T)/(α+T+t))^(r+x)`` factor cancels, which removes the
  usual overflow), and falls back to direct quadrature of the posterior expectation for any row where ``hyp2f1``
  returns a non-finite or impossible value.

How it is validated (``tests/test_clv.py``, ``tests/test_clv_recovery.py``)
---------------------------------------------------------------------------
* CDNOW sample (2,357 customers, 39-week calibration): BG/NBD reproduces FHL (2005) r = 0.243, α = 4.414,
  a = 0.793, b = 2.426, LL = −9582.4; Gamma-Gamma reproduces Fader & Hardie (2013) p = 6.25, q = 3.74, γ = 15.44.
  Our full CDNOW figures (standard errors, holdout table, frequency–spend correlation) are committed in
  ``datasets/reference/cdnow_validation.json``, checked against a fresh fit by the tests and shown by module 04.
* Gradients against finite differences, compression against the uncompressed likelihood, P(alive) and
  expected-purchase edge cases, hypergeometric path against quadrature.
* Synthetic data from ``helpers.generate``: true parameters recovered within bootstrap-based tolerances and
  P(alive) separates truly alive from dead members (AUC).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special

__all__ = [
    "BGNBD",
    "GammaGamma",
    "FitResult",
    "historical_clv",
    "discounted_clv",
    "discount_factors",
    "clv_table",
    "holdout_comparison",
    "gamma_gamma_independence",
    "simulate_bgnbd",
    "naive_forecast",
    "forecast_errors",
    "holdout_tracking",
    "monthly_expected_margin",
    "spend_per_purchase_day",
    "member_scores",
    "member_score_descriptions",
    "dropout_purchases_quantile",
    "auc",
    "TIME_UNIT_DAYS",
    "DROPOUT_QUANTILE_MAX",
]

#: length of one model time unit in days
TIME_UNIT_DAYS = {"day": 1.0, "week": 7.0}
_UNIT_ALIASES = {"D": "day", "d": "day", "day": "day", "days": "day", "W": "week", "w": "week", "week": "week",
                 "weeks": "week"}
_LOG_BOUND = 25.0  # |log parameter| bound for L-BFGS-B: parameters live in [1.4e-11, 7.2e10]


def _norm_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    try:
        return _UNIT_ALIASES[unit]
    except KeyError:
        raise ValueError(f"time_unit must be 'day' or 'week', got {unit!r}") from None


# ----------------------------------------------------------------------------------------------------------------
# historical CLV
# ----------------------------------------------------------------------------------------------------------------
def simulate_bgnbd(T, r: float, alpha: float, a: float, b: float, rng: np.random.Generator, *,
                   return_times: bool = False):
    """Draw purchase histories from the BG/NBD story, vectorised over members.

    Each member has λ ~ Gamma(r, rate α) and p ~ Beta(a, b); the first purchase is at time 0, repeat purchases
    follow a Poisson(λ) process while alive, and after each repeat purchase the member drops out with
    probability p. ``T`` (array) is each member's observation length in the time unit of α.
    Returns ``(x, t_x, alive)``: repeat purchases, time of the last purchase, and whether the member is still
    alive at T. With ``return_times=True`` a fourth item, a DataFrame (one row per member) with ``lam``, ``p``,
    ``purchase_times`` (array: 0 for the first purchase, then every repeat purchase up to T) and
    ``dropout_time`` (the purchase after which the member left, NaN if still alive at T) — the "god's view" of
    module 04's story picture. The random draws are the same either way.
    Used by the tests, the benchmarks and module 04's simulation picture.
    """
    T = np.asarray(T, dtype=float)
    n = len(T)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n, np.int64)
    t_x = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, bool)
    active = np.arange(n)
    events: list[tuple[np.ndarray, np.ndarray]] = []
    while active.size:
        t[active] += rng.exponential(1 / lam[active])
        buy = active[t[active] < T[active]]
        x[buy] += 1
        t_x[buy] = t[buy]
        if return_times:
            events.append((buy, t[buy].copy()))
        died = rng.random(buy.size) < p[buy]
        alive[buy[died]] = False
        active = buy[~died]
    if not return_times:
        return x, t_x, alive
    who = np.concatenate([e[0] for e in events]) if events else np.zeros(0, np.int64)
    when = np.concatenate([e[1] for e in events]) if events else np.zeros(0)
    order = np.lexsort((when, who))
    who, when = who[order], when[order]
    bounds = np.searchsorted(who, np.arange(n + 1))
    times = [np.r_[0.0, when[bounds[i]:bounds[i + 1]]] for i in range(n)]
    details = pd.DataFrame({"lam": lam, "p": p, "purchase_times": times,
                            "dropout_time": np.where(alive, np.nan, t_x)})
    return x, t_x, alive, details


#: largest answer :func:`dropout_purchases_quantile` returns (beyond it: ValueError)
DROPOUT_QUANTILE_MAX = 10**9


def dropout_purchases_quantile(a: float, b: float, q: float = 0.5) -> int:
    """Quantile ``q`` (across members) of the number of repeat purchases a member makes before dropping out, if
    there were no end of observation: N = n with probability E[p (1-p)^(n-1)], p ~ Beta(a, b), so
    P(N > n) = B(a, b+n) / B(a, b). Returns the smallest n with P(N ≤ n) ≥ q.

    Why a quantile: 1 / E[p] = (a+b)/a is *not* the mean number of purchases; the mean E[1/p] = (a+b-1)/(a-1) is
    infinite when a ≤ 1 (some members have p so close to 0 that they practically never leave).

    Raises ``ValueError`` when the quantile exceeds :data:`DROPOUT_QUANTILE_MAX` (10⁹) repeat purchases — e.g.
    a = 0.05, b = 0.5, q = 0.99, where P(N > n) falls roughly like n^(−a): such a number means "practically never
    drops out", not a count to report."""
    if not 0 < q < 1:
        raise ValueError("q must be in (0, 1)")
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"a and b must be positive and finite, got a={a!r}, b={b!r}")
    lb0 = special.betaln(a, b)
    target = math.log1p(-q)  # log P(N > n) must fall to log(1 - q)
    if special.betaln(a, b + DROPOUT_QUANTILE_MAX) - lb0 > target:
        raise ValueError(f"the {q:g} quantile of repeat purchases before dropout exceeds {DROPOUT_QUANTILE_MAX:,} "
                         f"for Beta(a={a:.4g}, b={b:.4g}): with such a small a that share of members practically "
                         "never drops out; describe it with a lower quantile")
    lo, hi = 0, 1
    while special.betaln(a, b + hi) - lb0 > target:  # ends by hi ≤ 2 · DROPOUT_QUANTILE_MAX (checked above)
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # P(N > n) decreases in n: bisection on integers
        mid = (lo + hi) // 2
        if special.betaln(a, b + mid) - lb0 > target:
            lo = mid
        else:
            hi = mid
    return int(hi)


def auc(is_positive, score) -> float:
    """Area under the ROC curve from ranks (Mann-Whitney): the probability that a random positive scores higher
    than a random negative, ties counting one half. NaN without positives or negatives.

    Raises ``ValueError`` if a score is NaN or the two inputs differ in length:
    a NaN would silently turn the whole AUC into NaN; drop or fill such members first, and say which."""
    from scipy.stats import rankdata

    y = np.asarray(is_positive, bool)
    s = np.asarray(score, float)
    if y.shape != s.shape:
        raise ValueError(f"auc: is_positive and score must have the same length, got {y.shape} and {s.shape}")
    n_nan = int(np.isnan(s).sum())
    if n_nan:
        raise ValueError(f"auc: score has {n_nan:,} NaN value(s) of {s.size:,}; drop or fill them before computing "
                         "the AUC (e.g. P(alive) left empty for one-time buyers)")
    ranks = rankdata(s)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def historical_clv(summary: pd.DataFrame, margin: float = 1.0) -> pd.Series:
    """Historical CLV per member: observed spend (``monetary_total``) × gross ``margin``."""
    return (summary["monetary_total"].astype(float) * float(margin)).rename("historical_clv")


# ----------------------------------------------------------------------------------------------------------------
# shared fitting machinery
# ----------------------------------------------------------------------------------------------------------------
@dataclass
class FitResult:
    """What the optimiser did: for the report and for debugging non-standard data."""

    success: bool
    method: str
    n_starts: int
    n_iterations: int
    message: str
    grad_norm: float


def _single_blas_thread():
    """scipy's L-BFGS-B calls BLAS on 4-vectors; with a multi-threaded OpenBLAS every call pays a thread hand-off
    (milliseconds on a busy machine — more than our whole likelihood evaluation). ``threadpoolctl`` (installed
    with scikit-learn) limits BLAS to one thread during the fit; without it nothing changes."""
    global _POOL_CONTROLLER
    if _POOL_CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover
            _POOL_CONTROLLER = False
        else:
            _POOL_CONTROLLER = ThreadpoolController()  # scans the loaded libraries once
    if not _POOL_CONTROLLER:
        return contextlib.nullcontext()  # pragma: no cover
    return _POOL_CONTROLLER.limit(limits=1, user_api="blas")


_POOL_CONTROLLER = None


def _scaled_negll(fast_ll, data, n: float, n_params: int):
    """The optimiser's objective: minus the log-likelihood per member and its gradient (``fast_ll`` returns the
    log-likelihood and gradient in log-parameter space); +inf where the likelihood is not finite."""

    recent: dict[bytes, tuple[float, np.ndarray]] = {}  # the optimiser re-asks for points it has just evaluated

    def negll(z):
        key = np.asarray(z, float).tobytes()
        if key not in recent:
            with np.errstate(all="ignore"):
                f, g = fast_ll(z, data)
            recent[key] = (np.inf, np.zeros(n_params)) if not np.isfinite(f) else (-f / n, -g / n)
            if len(recent) > 4:
                del recent[next(iter(recent))]
        f, g = recent[key]
        return f, g.copy()

    return negll


def _fit_log_params(negll, starts, *, names):
    with _single_blas_thread():
        return _fit_log_params_inner(negll, starts, names=names)


def _fit_log_params_inner(negll, starts, *, names):
    """Minimise ``negll(log_params) -> (value, grad)`` (mean negative LL).

    L-BFGS-B (bounds |log θ| ≤ 25) runs from the first valid start value, and from the next ones only while the
    gradient at the best point found is not ~0. If the gradient is still not small,
    Nelder-Mead from the best point, polished by L-BFGS-B. Never raises for finite data: the best point found is
    returned with a ``RuntimeWarning`` (and ``FitResult.success`` False) when the gradient stays large.
    """
    best = None
    n_iter = 0
    tried = 0
    # start values in order of preference; the next one is only tried while the best point found is not converged
    for x0 in starts:
        x0 = np.clip(np.asarray(x0, float), -_LOG_BOUND + 1, _LOG_BOUND - 1)
        if not np.isfinite(negll(x0)[0]):
            continue
        tried += 1
        try:
            res = optimize.minimize(negll, x0, jac=True, method="L-BFGS-B",
                                    bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(x0),
                                    options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-9, "maxcor": 20})
        except (FloatingPointError, ValueError):  # pragma: no cover - defensive
            continue
        n_iter += int(res.nit)
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
        if best is not None and float(np.max(np.abs(negll(best.x)[1]))) < 1e-6:
            break
    if best is None:
        raise ValueError("the log-likelihood is not finite at any start value; check the inputs (NaN? negative times?)")
    g = negll(best.x)[1]
    gnorm = float(np.max(np.abs(g)))
    method = "L-BFGS-B"
    if gnorm > 1e-5:  # L-BFGS-B may stop "ABNORMAL" on round-off at the optimum; only a real gradient counts
        nm = optimize.minimize(lambda z: negll(z)[0], best.x, method="Nelder-Mead",
                               options={"maxiter": 20000, "xatol": 1e-10, "fatol": 1e-14, "adaptive": True})
        n_iter += int(nm.nit)
        if np.isfinite(nm.fun) and nm.fun <= best.fun:
            # polish the Nelder-Mead point with L-BFGS-B once more
            pol = optimize.minimize(negll, np.clip(nm.x, -_LOG_BOUND, _LOG_BOUND), jac=True, method="L-BFGS-B",
                                    bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(nm.x),
                                    options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9})
            best = pol if pol.fun <= nm.fun else nm
            method = "Nelder-Mead + L-BFGS-B"
        g = negll(best.x)[1]
        gnorm = float(np.max(np.abs(g)))
    success = bool(gnorm < 1e-3)
    at_bound = np.abs(best.x) >= _LOG_BOUND - 1e-6
    if at_bound.any():
        warnings.warn(f"parameter(s) {[n for n, b in zip(names, at_bound, strict=True) if b]} reached the search bound "
                      "(exp(±25)); the data carry little information about them", RuntimeWarning, stacklevel=3)
    elif not success:
        warnings.warn(f"optimiser stopped with gradient norm {gnorm:.2e}; returning the best point found",
                      RuntimeWarning, stacklevel=3)
    info = FitResult(success=success, method=method, n_starts=tried, n_iterations=n_iter,
                     message=str(getattr(best, "message", "")), grad_norm=gnorm)
    return np.asarray(best.x, float), float(best.fun), info


def _hessian(grad_fn, z, h=1e-4):
    """Central-difference Hessian of a function whose analytic gradient is ``grad_fn``."""
    k = len(z)
    H = np.empty((k, k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = h
        H[:, j] = (grad_fn(z + e) - grad_fn(z - e)) / (2 * h)
    return 0.5 * (H + H.T)


def _param_table(names, log_params, cov_log):
    est = np.exp(log_params)
    with np.errstate(invalid="ignore"):
        se_log = np.sqrt(np.diag(cov_log)) if cov_log is not None else np.full(len(names), np.nan)
    return pd.DataFrame(
        {"estimate": est, "se": est * se_log,  # delta method
         "lower_95": np.exp(log_params - 1.959964 * se_log), "upper_95": np.exp(log_params + 1.959964 * se_log)},
        index=pd.Index(names, name="parameter"))


def _as_array(v, name):
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        a = a[None]
    if np.isnan(a).any():
        raise ValueError(f"{name} contains missing values")
    return a


class _Model:
    _param_names: tuple[str, ...] = ()

    def _check_fitted(self):
        if getattr(self, "log_params_", None) is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call .fit(...) first")

    @property
    def params_(self) -> dict[str, float]:
        """Fitted parameters as a plain dict (what goes into metrics.json)."""
        self._check_fitted()
        return {k: float(v) for k, v in zip(self._param_names, np.exp(self.log_params_), strict=True)}

    def __repr__(self) -> str:
        if getattr(self, "log_params_", None) is None:
            return f"{type(self).__name__}(unfitted)"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"{type(self).__name__}({ps}; n={self.n_:,}, LL={self.log_likelihood_:.2f}{self._unit_repr()})"

    def _unit_repr(self):
        return ""

    def _bootstrap(self, weights: np.ndarray, fast_ll, make_data, n_boot: int, seed: int) -> pd.DataFrame:
        """Multinomial bootstrap over members on compressed rows: resample the row weights, refit from the
        fitted parameters with ``fast_ll`` (log-likelihood and gradient) on ``make_data(keep, weights)``."""
        rng = np.random.default_rng(seed)
        n = int(round(weights.sum()))
        k = len(self._param_names)
        out = []
        for _ in range(n_boot):
            wb = rng.multinomial(n, weights / weights.sum()).astype(float)
            keep = wb > 0
            negll = _scaled_negll(fast_ll, make_data(keep, wb[keep]), n, k)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                z, _, _ = _fit_log_params(negll, [self.log_params_], names=self._param_names)
            out.append(np.exp(z))
        return pd.DataFrame(out, columns=list(self._param_names))

    @staticmethod
    def _cov_log(neg_grad, z) -> np.ndarray | None:
        """Covariance of the log parameters: inverse of the numerical Hessian of minus the log-likelihood
        (``neg_grad`` is its gradient). ``None`` when the Hessian is singular or the inverse is not a valid
        covariance (a non-finite entry, a variance ≤ 0); the standard errors are then NaN."""
        def grad(zz):
            with np.errstate(all="ignore"):
                return neg_grad(zz)
        try:
            cov = np.linalg.inv(_hessian(grad, z))
        except np.linalg.LinAlgError:
            return None
        return cov if np.all(np.isfinite(cov)) and np.all(np.diag(cov) > 0) else None

    def summary(self) -> pd.DataFrame:
        """Parameter table: estimate, standard error (delta method) and 95 % interval (log scale)."""
        self._check_fitted()
        return self.summary_.copy()

    def metrics(self) -> dict:
        """JSON-ready figures for ``metrics.json``: the parameters under their usual names, ``se``, ``ci95``,
        ``n``, ``log_likelihood`` and (BG/NBD) ``time_unit``."""
        self._check_fitted()
        sm = self.summary_

        def num(v):
            return None if not np.isfinite(v) else float(v)

        out = {k: float(v) for k, v in self.params_.items()}
        if getattr(self, "time_unit", None):
            out["time_unit"] = self.time_unit
        out["se"] = {k: num(sm.loc[k, "se"]) for k in self._param_names}
        out["ci95"] = {k: [num(sm.loc[k, "lower_95"]), num(sm.loc[k, "upper_95"])] for k in self._param_names}
        out["n"] = int(self.n_)
        out["log_likelihood"] = float(self.log_likelihood_)
        out["converged"] = bool(self.fit_info_.success)
        return out


# ----------------------------------------------------------------------------------------------------------------
# BG/NBD
# ----------------------------------------------------------------------------------------------------------------
def _bgnbd_rows(x, t_x, T, weights):
    x = _as_array(x, "x")
    t_x = _as_array(t_x, "t_x")
    T = _as_array(T, "T")
    if not (len(x) == len(t_x) == len(T)):
        raise ValueError("x, t_x and T must have the same length")
    if (x < 0).any() or (np.abs(x - np.round(x)) > 1e-9).any():
        raise ValueError("x (repeat purchases) must be non-negative integers")
    if (t_x < 0).any() or (T < t_x - 1e-9).any():
        raise ValueError("need 0 <= t_x <= T for every member")
    w = np.ones(len(x)) if weights is None else _as_array(weights, "weights")
    return x, t_x, T, w


def _row_key(cols) -> np.ndarray:
    """Group code 0..k-1 of each row (order of first appearance). Integer-valued columns with small ranges (the
    usual day-level summary) are packed into one int64 and hashed once; otherwise column by column."""
    arrs = [np.asarray(c) for c in cols]
    n = len(arrs[0])
    if n == 0:
        return np.zeros(0, np.int64)
    packed, total = np.zeros(n, np.int64), 1
    for a in arrs:
        ai = a.astype(np.int64) if a.dtype.kind in "fiu" else None
        if ai is None or (a.dtype.kind == "f" and not np.array_equal(ai, a)):
            break
        lo, hi = int(ai.min()), int(ai.max())
        total *= hi - lo + 1
        if total > 2**62:
            break
        packed = packed * (hi - lo + 1) + (ai - lo)
    else:
        return pd.factorize(packed)[0].astype(np.int64)
    key = np.zeros(n, np.int64)
    for a in arrs:
        c, u = pd.factorize(a)
        key, _ = pd.factorize(key * len(u) + c)  # re-factorise so the combined key never overflows
    return key.astype(np.int64)


def _compress(*cols, weights):
    """Identical rows → unique rows + summed weights (hash-based, O(n), order of first appearance)."""
    unique, key = _unique_rows(*cols)
    return unique, np.bincount(key, weights=weights, minlength=len(unique[0]) if cols else 0)


def _factor(a):
    """(distinct values, index of each element).

    Whole numbers in a range not much wider than the array (days, weeks, purchase counts: the usual case) go through
    a dense lookup table, several times faster than hashing; the values then come out sorted. Anything else is
    hashed (``pd.factorize``), values in order of first appearance."""
    a = np.asarray(a)
    if a.size and a.dtype.kind in "fiu":
        with np.errstate(invalid="ignore"):
            ai = a.astype(np.int64)
        lo, hi = int(ai.min()), int(ai.max())
        if hi - lo <= max(4 * a.size, 1 << 16) and (a.dtype.kind != "f" or np.array_equal(ai, a)):
            present = np.zeros(hi - lo + 1, bool)
            offset = ai - lo
            present[offset] = True
            position = np.cumsum(present, dtype=np.intp) - 1
            return (np.flatnonzero(present) + lo).astype(float), position[offset]
    codes, uniq = pd.factorize(a)
    return np.asarray(uniq, dtype=float), codes.astype(np.intp, copy=False)


class _BGNBDData:
    """Compressed BG/NBD data plus the aggregates the fast likelihood needs.

    Special functions are evaluated once per distinct x, ``log(α+T)`` once per distinct T and ``log(α+t_x)`` once
    per distinct t_x; members with x = 0 enter only through per-T sums. Only rows with x > 0 cost per-row work."""

    def __init__(self, x, t_x, T, w):
        self.x, self.t_x, self.T, self.w = x, t_x, T, w
        self.N = float(w.sum())
        self.ux, self.ix = _factor(x)
        self.pos = x > 0
        self.Wx = np.bincount(self.ix, weights=w, minlength=len(self.ux))
        self.uT, self.iT = _factor(T)
        self.WT = np.bincount(self.iT, weights=w, minlength=len(self.uT))
        self.XWT = np.bincount(self.iT, weights=w * x, minlength=len(self.uT))
        pos = self.pos
        self.p_w, self.p_x, self.p_ix, self.p_iT = w[pos], x[pos], self.ix[pos], self.iT[pos]
        self.ut, self.p_it = _factor(t_x[pos])
        self._buf = None

    def buffers(self):
        """Seven work arrays of the x > 0 row count, allocated once (no page faults in the optimiser loop)."""
        if self._buf is None:
            self._buf = np.empty((7, len(self.p_w)))
        return self._buf


def _bgnbd_fast(z, d: _BGNBDData):
    """Total BG/NBD log-likelihood and its gradient in log parameters (same value as :func:`_bgnbd_ll_grad`)."""
    r, alpha, a, b = np.exp(z)
    ux = d.ux
    uxpos = ux > 0
    lbA = special.betaln(a, b + ux)
    bx1 = np.where(uxpos, b + ux - 1, 1.0)
    dB = np.where(uxpos, special.betaln(a + 1, bx1), -np.inf) - lbA
    lT = np.log(alpha + d.uT)
    total = (np.sum(d.Wx * (special.gammaln(r + ux) - special.gammaln(r) + lbA))
             + d.N * (r * math.log(alpha) - special.betaln(a, b)) - np.sum((r * d.WT + d.XWT) * lT))
    lt = np.log(alpha + d.ut)
    bL, bt, bD, be, bsp, bx, brx = d.buffers()
    np.take(lt, d.p_it, out=bL)
    np.take(lT, d.p_iT, out=bt)
    bL -= bt  # L = log(α+t_x) - log(α+T)
    np.add(d.p_x, r, out=brx)  # r + x
    np.take(dB, d.p_ix, out=bD)
    np.multiply(brx, bL, out=bt)
    bD -= bt  # D = A2 - A1
    # softplus(D) = log(1 + e^D) = max(D, 0) + log(1 + e^-|D|) and sigmoid(D) = exp(D - softplus(D));
    # np.log / np.exp are SIMD-fast, np.logaddexp / np.log1p are ~10x slower and add no accuracy that matters here
    np.abs(bD, out=be)
    np.negative(be, out=be)
    np.exp(be, out=be)
    be += 1.0
    np.log(be, out=bsp)
    np.maximum(bD, 0.0, out=bx)
    bsp += bx
    total += np.einsum("i,i->", d.p_w, bsp)
    np.subtract(bD, bsp, out=bx)
    np.exp(bx, out=bx)
    bx *= d.p_w  # w · P(second term) = w · w2
    ww2 = bx
    W2x = np.bincount(d.p_ix, weights=ww2, minlength=len(ux))
    psi_abx = special.digamma(a + b + ux)
    psi_ab = special.digamma(a + b)
    dr = (np.sum(d.Wx * (special.digamma(r + ux) - special.digamma(r) + math.log(alpha)))
          - np.sum(d.WT * lT) - np.einsum("i,i->", ww2, bL))
    inv = 1.0 / (alpha + d.ut)
    invT = 1.0 / (alpha + d.uT)
    np.take(inv, d.p_it, out=bL)
    np.take(invT, d.p_iT, out=bt)
    bL -= bt
    bL *= brx
    dalpha = d.N * r / alpha - np.sum((r * d.WT + d.XWT) * invT) - np.einsum("i,i->", ww2, bL)
    da = -d.N * (special.digamma(a) - psi_ab) + np.sum(d.Wx * (special.digamma(a) - psi_abx)) + ww2.sum() / a
    db = (-d.N * (special.digamma(b) - psi_ab) + np.sum(d.Wx * (special.digamma(b + ux) - psi_abx))
          - np.sum(np.where(uxpos, W2x / bx1, 0.0)))
    return float(total), np.array([dr * r, dalpha * alpha, da * a, db * b])


def _bgnbd_ll_grad(z, d: _BGNBDData, want_grad=True, per_row=False):
    """Log-likelihood of BG/NBD (FHL 2005 eq. 6 on the log scale) and its gradient in log parameters."""
    r, alpha, a, b = np.exp(z)
    ux, ix = d.ux, d.ix
    # functions of x only
    lg = special.gammaln(r + ux) - special.gammaln(r)
    lbA = special.betaln(a, b + ux)
    uxpos = ux > 0
    bx1 = np.where(uxpos, b + ux - 1, 1.0)
    lbB = np.where(uxpos, special.betaln(a + 1, bx1), -np.inf)
    rx = (r + d.x)
    logaT = np.log(alpha + d.T)
    logat = np.log(alpha + d.t_x)
    A1 = lbA[ix] - rx * logaT
    A2 = np.where(d.pos, lbB[ix] - rx * logat, -np.inf)
    lse = np.logaddexp(A1, A2)
    const = r * math.log(alpha) - special.betaln(a, b)
    ll = lg[ix] + const + lse
    total = float(np.sum(d.w * ll))  # (np.dot goes through BLAS threads, slow on a busy machine)
    if per_row:
        return ll
    if not want_grad:
        return total, None
    w1 = np.exp(A1 - lse)
    w2 = 1.0 - w1
    w2 = np.where(d.pos, w2, 0.0)
    psi_rx = special.digamma(r + ux)
    psi_abx = special.digamma(a + b + ux)
    dr = psi_rx[ix] - special.digamma(r) + math.log(alpha) - w1 * logaT - w2 * logat
    dalpha = r / alpha - rx * (w1 / (alpha + d.T) + w2 / (alpha + d.t_x))
    psi_a, psi_b, psi_ab = special.digamma(a), special.digamma(b), special.digamma(a + b)
    da_A = (psi_a - psi_abx)[ix]
    da_B = (special.digamma(a + 1) - psi_abx)[ix]
    da = -(psi_a - psi_ab) + w1 * da_A + w2 * da_B
    psi_bx = special.digamma(b + ux)
    psi_bx1 = np.where(uxpos, special.digamma(bx1), 0.0)
    db = -(psi_b - psi_ab) + w1 * (psi_bx - psi_abx)[ix] + w2 * (psi_bx1 - psi_abx)[ix]
    grad = np.array([np.sum(d.w * g) for g in (dr, dalpha, da, db)]) * np.array([r, alpha, a, b])
    return total, grad


class BGNBD(_Model):
    """BG/NBD purchase model (Fader, Hardie & Lee 2005) fitted by maximum likelihood.

    Parameters
    ----------
    time_unit : "day" | "week" | None
        Unit of ``t_x``, ``T`` and every horizon ``t``. ``None`` takes it from ``summary.attrs["time_unit"]``
        (set by :func:`helpers.behavior.member_summary`), else ``"day"``.

    Attributes after :meth:`fit`
    ----------------------------
    params_ : dict ``{"r", "alpha", "a", "b"}``; ``time_unit``; ``summary_`` (estimate, se, 95 % interval);
    ``log_likelihood_`` (total); ``n_`` (members); ``n_unique_`` (compressed rows); ``fit_info_`` (:class:`FitResult`).

    Example
    -------
    >>> s = member_summary(orders, "2025-12-31", time_unit="W")      # doctest: +SKIP
    >>> m = BGNBD().fit(s)                                            # doctest: +SKIP
    >>> s["p_alive"] = m.p_alive(s["x"], s["t_x"], s["T"])                     # doctest: +SKIP
    """

    _param_names = ("r", "alpha", "a", "b")

    def __init__(self, time_unit: str | None = None):
        self._time_unit_arg = _norm_unit(time_unit)
        self.time_unit = self._time_unit_arg
        self.log_params_ = None

    def _unit_repr(self):
        return f", time_unit={self.time_unit!r}"

    # -- fitting ------------------------------------------------------------------------------------------------
    def fit(self, x, t_x=None, T=None, *, weights=None, compute_se: bool = True) -> BGNBD:
        """Fit on per-member ``x, t_x, T`` arrays, or on a summary DataFrame with those columns (``fit(summary)``).

        ``weights`` (optional) counts how many members each row stands for.
        """
        unit = self._time_unit_arg
        if isinstance(x, pd.DataFrame):
            df = x
            unit = unit or _norm_unit(df.attrs.get("time_unit"))
            x, t_x, T = df["x"], df["t_x"], df["T"]
        self.time_unit = unit or "day"
        x, t_x, T, w = _bgnbd_rows(x, t_x, T, weights)
        (cx, ct, cT), cw = _compress(x, t_x, T, weights=w)
        keep = cw > 0
        d = _BGNBDData(cx[keep], ct[keep], cT[keep], cw[keep])
        self._data = d
        N = d.N

        negll = _scaled_negll(_bgnbd_fast, d, N, 4)
        z, fun, info = _fit_log_params(negll, self._starts(d), names=self._param_names)
        self.log_params_ = z
        self.log_likelihood_ = -fun * N
        self.n_ = int(round(N))
        self.n_unique_ = len(d.x)
        self.fit_info_ = info
        self.cov_log_ = self._cov_log(lambda zz: -_bgnbd_fast(zz, d)[1], z) if compute_se else None
        self.summary_ = _param_table(self._param_names, z, self.cov_log_)
        return self

    @staticmethod
    def _starts(d: _BGNBDData):
        w = d.w
        mean_x = np.sum(w * d.x) / d.N
        # purchase rate of members while observed, pooled
        rate = max(np.sum(w * d.x) / max(np.sum(w * d.t_x), 1e-9), 1e-6)
        repeaters = np.sum(w * d.pos) / d.N
        starts = []
        for r0 in (1.0, 0.3):
            alpha0 = r0 / rate
            # share of members with repeat purchases ~ no early dropout: a / (a + b) small if most repeat
            p0 = float(np.clip(1.0 - repeaters, 0.05, 0.9)) * 0.5
            for a0 in (1.0, 0.5):
                b0 = a0 * (1 - p0) / p0
                starts.append(np.log([r0, alpha0, a0, b0]))
        starts.append(np.log([1.0, max(1.0, np.sum(w * d.T) / d.N / max(mean_x, 0.1)), 1.0, 1.0]))
        return starts

    def log_likelihood(self, x, t_x, T, params: dict | None = None, *, weights=None, per_member=False):
        """Total (or per-member) log-likelihood at ``params`` (default: the fitted ones); uncompressed."""
        z = np.log([params[k] for k in self._param_names]) if params is not None else self.log_params_
        x, t_x, T, w = _bgnbd_rows(x, t_x, T, weights)
        d = _BGNBDData(x, t_x, T, w)
        if per_member:
            return _bgnbd_ll_grad(z, d, per_row=True)
        return _bgnbd_ll_grad(z, d, want_grad=False)[0]

    def bootstrap(self, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
        """Nonparametric bootstrap over members (multinomial resampling of the compressed rows).

        Returns one row per replicate with the four parameters; ``.std()`` gives bootstrap standard errors and
        ``.quantile([.025, .975])`` percentile intervals.
        """
        self._check_fitted()
        d = self._data
        return self._bootstrap(d.w, _bgnbd_fast, lambda keep, w: _BGNBDData(d.x[keep], d.t_x[keep], d.T[keep], w),
                               n_boot, seed)

    # -- predictions --------------------------------------------------------------------------------------------
    def p_alive(self, x, t_x, T) -> np.ndarray:
        """P(alive | x, t_x, T) (FHL 2005 eq. 13). Members with no repeat purchase (x = 0) get 1 by the model's
        assumption that dropout happens only right after a purchase."""
        self._check_fitted()
        r, alpha, a, b = np.exp(self.log_params_)
        x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
        with np.errstate(divide="ignore", invalid="ignore"):
            logodds = (np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0))
                       + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
        return np.where(x > 0, special.expit(-logodds), 1.0)

    def expected_purchases_new(self, t) -> np.ndarray:
        """E[X(t)] for a member who has just made the first purchase (FHL 2005 eq. 7), t in ``time_unit``."""
        self._check_fitted()
        r, alpha, a, b = np.exp(self.log_params_)
        t = np.asarray(t, float)
        F = special.hyp2f1(r, a - 1, a + b - 1, -t / alpha)  # Pfaff transform of eq. 7
        return (a + b - 1) / (a - 1) * (1 - F)

    def expected_purchases(self, t, x, t_x, T, *, method: str = "auto") -> np.ndarray:
        """Conditional expected number of purchases in the next ``t`` time units (FHL 2005 eq. 10).

        ``method``: ``"auto"`` (hypergeometric form, quadrature where it misbehaves), ``"hyp2f1"`` or ``"quad"``.
        ``t`` may be a scalar or an array broadcastable with ``x``.
        """
        self._check_fitted()
        arrs = [np.asarray(v, float) for v in (t, x, t_x, T)]
        shape = np.broadcast_shapes(*(a.shape for a in arrs))
        t = np.broadcast_to(arrs[0], shape)
        flat = [np.ravel(np.broadcast_to(a, shape)) for a in arrs]
        (ut, ux, utx, uT), inv = _unique_rows(*flat)
        out = self._expected_unique(ut, ux, utx, uT, method)
        return out[inv].reshape(t.shape)

    def _expected_unique(self, t, x, t_x, T, method):
        r, alpha, a, b = np.exp(self.log_params_)
        pa = self.p_alive(x, t_x, T)
        res = np.full(len(t), np.nan)
        bad = np.ones(len(t), bool)
        if method in ("auto", "hyp2f1"):
            with np.errstate(all="ignore"):
                F = special.hyp2f1(r + x, a - 1, a + b + x - 1, -t / (alpha + T))
                res = (a + b + x - 1) / (a - 1) * (1 - F) * pa
                upper = pa * (r + x) / (alpha + T) * t  # Jensen: E ≤ P(alive) · E[λ | data] · t
                bad = (~np.isfinite(res) | (res < -1e-12) | (res > upper * (1 + 1e-8) + 1e-12)
                       | (np.abs(1 - F) < 1e-9 * np.maximum(1.0, np.abs(F))))
            bad &= t > 0
            res[t <= 0] = 0.0
            if method == "hyp2f1":
                return res
        for i in np.flatnonzero(bad):
            res[i] = pa[i] * _posterior_quad(t[i], x[i], T[i], r, alpha, a, b)
        return np.maximum(res, 0.0)

    def predict(self, t, summary: pd.DataFrame) -> pd.Series:
        """Convenience: expected purchases in the next ``t`` units for every row of a member summary."""
        return pd.Series(self.expected_purchases(t, summary["x"], summary["t_x"], summary["T"]), index=summary.index,
                         name="expected_purchases")

    def probability_of_n_purchases(self, t, n) -> float:
        """P(X(t) = n) for a new member (FHL 2005 eq. 8), evaluated on the log scale."""
        self._check_fitted()
        r, alpha, a, b = np.exp(self.log_params_)
        n = int(n)
        first = (special.betaln(a, b + n) - special.betaln(a, b) + special.gammaln(r + n) - special.gammaln(r)
                 - special.gammaln(n + 1) + r * math.log(alpha / (alpha + t)) + n * math.log(t / (alpha + t)))
        total = math.exp(first)
        if n > 0:
            j = np.arange(n)
            terms = np.exp(special.gammaln(r + j) - special.gammaln(r) - special.gammaln(j + 1)
                           + j * math.log(t / (alpha + t)))
            total += math.exp(special.betaln(a + 1, b + n - 1) - special.betaln(a, b)) * (
                1 - (alpha / (alpha + t)) ** r * terms.sum())
        return total


def _unique_rows(*cols):
    """Distinct rows (order of first appearance) and the inverse index: hash-based, O(n)."""
    key = _row_key(cols)
    n = len(key)
    k = int(key.max()) + 1 if n else 0
    first = np.empty(k, np.int64)
    first[key[::-1]] = np.arange(n - 1, -1, -1)
    return [np.asarray(col)[first] for col in cols], key


def _posterior_quad(t, x, T, r, alpha, a, b):
    """E[(1 - exp(-λ p t)) / p] under λ ~ Gamma(r+x, α+T), p ~ Beta(a, b+x): the alive-conditional expectation
    (λ integrated analytically), integrated numerically over p.

    The Beta(a, b+x) density concentrates on a scale of 1/(b+x) near 0 for large x, and has an algebraic
    singularity p^(a-1) at 0 when a < 1: [0, p1] is integrated with the p^(a-1) factor as a QAWS weight, [p1, 1]
    with adaptive quadrature broken at multiples of the density's scale; everything else is on the log scale."""
    c = t / (alpha + T)
    k = r + x
    bx = b + x
    lnB = special.betaln(a, bx)

    def f(p):
        if p <= 0:
            return k * c
        return -math.expm1(-k * math.log1p(p * c)) / p

    def head(p):  # (1-p)^(bx-1) f(p) / B, the p^(a-1) factor is the quadrature weight
        return math.exp((bx - 1) * math.log1p(-p) - lnB) * f(p)

    def mid(p):
        if p <= 0 or p >= 1:
            return 0.0
        return math.exp((a - 1) * math.log(p) + (bx - 1) * math.log1p(-p) - lnB) * f(p)

    def end(p):  # p^(a-1) f(p) / B, the (1-p)^(bx-1) factor is the quadrature weight
        return math.exp((a - 1) * math.log(p) - lnB) * f(p)

    lo = (a + 1.0) / (a + bx)  # scale of the density near 0
    hi = (bx + 1.0) / (a + bx)  # … and near 1
    p1, p2 = min(0.1 * lo, 0.5), max(1.0 - 0.1 * hi, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        # QAWS (algebraic end-point weight) handles p^(a-1) and (1-p)^(bx-1) exactly; for very large exponents the
        # density is smooth there and plain adaptive quadrature is the safer choice
        if a - 1 <= 50:
            v = integrate.quad(head, 0.0, p1, weight="alg", wvar=(a - 1.0, 0.0), limit=200)[0]
        else:
            v = integrate.quad(mid, 0.0, p1, limit=200)[0]
        if p1 < p2:
            pts = [q for k in (1, 3, 10, 30, 100) for q in (k * lo, 1 - k * hi) if p1 < q < p2]
            v += integrate.quad(mid, p1, p2, points=sorted(set(pts)) or None, limit=400, epsabs=0.0,
                                epsrel=1e-10)[0]
        if bx - 1 <= 50:
            v += integrate.quad(end, p2, 1.0, weight="alg", wvar=(0.0, bx - 1.0), limit=200)[0]
        else:
            v += integrate.quad(mid, p2, 1.0, limit=200)[0]
    return v


# ----------------------------------------------------------------------------------------------------------------
# Gamma-Gamma
# ----------------------------------------------------------------------------------------------------------------
def _gg_ll_grad(z, x, m, w, want_grad=True, per_row=False):
    p, q, g = np.exp(z)
    px = p * x
    xm = x * m
    lgm = np.log(g + xm)
    ll = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * math.log(g)
          + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * lgm)
    if per_row:
        return ll
    total = float(np.sum(w * ll))
    if not want_grad:
        return total, None
    psi_pxq = special.digamma(px + q)
    dp = x * (psi_pxq - special.digamma(px) + np.log(m) + np.log(x) - lgm)
    dq = psi_pxq - special.digamma(q) + math.log(g) - lgm
    dg = q / g - (px + q) / (g + xm)
    grad = np.array([np.sum(w * dp), np.sum(w * dq), np.sum(w * dg)]) * np.array([p, q, g])
    return total, grad


class _GGData:
    """Gamma-Gamma data with the sums that do not depend on the parameters precomputed."""

    def __init__(self, x, m, w):
        self.x, self.m, self.w = x, m, w
        self.N = float(w.sum())
        self.ux, ix = np.unique(x, return_inverse=True)
        self.Wx = np.bincount(ix.ravel(), weights=w, minlength=len(self.ux))
        self.lnux = np.log(self.ux)
        lnm = np.log(m)
        self.wx = w * x
        self.xm = x * m
        self.S_wxlnm = float(np.sum(self.wx * lnm))
        self.S_wlnm = float(np.sum(w * lnm))
        self.buf = None


def _gg_fast(z, d: _GGData):
    """Total Gamma-Gamma log-likelihood and gradient in log parameters (same value as :func:`_gg_ll_grad`)."""
    p, q, g = np.exp(z)
    pux = p * d.ux
    if d.buf is None:
        d.buf = np.empty((2, len(d.x)))
    den, lden = d.buf
    np.add(d.xm, g, out=den)
    np.log(den, out=lden)
    S_wxl, S_wl = np.einsum("i,i->", d.wx, lden), np.einsum("i,i->", d.w, lden)
    inv = np.reciprocal(den, out=den)
    total = (np.sum(d.Wx * (special.gammaln(pux + q) - special.gammaln(pux) + pux * d.lnux))
             + d.N * (q * math.log(g) - special.gammaln(q)) + p * d.S_wxlnm - d.S_wlnm - p * S_wxl - q * S_wl)
    psi = special.digamma(pux + q)
    dp = np.sum(d.Wx * d.ux * (psi - special.digamma(pux) + d.lnux)) + d.S_wxlnm - S_wxl
    dq = np.sum(d.Wx * psi) - d.N * special.digamma(q) + d.N * math.log(g) - S_wl
    dg = d.N * q / g - p * np.einsum("i,i->", d.wx, inv) - q * np.einsum("i,i->", d.w, inv)
    return float(total), np.array([dp * p, dq * q, dg * g])


class GammaGamma(_Model):
    """Gamma-Gamma model of spend per transaction (Fader & Hardie 2013), fitted by maximum likelihood.

    Fit on members with at least one repeat purchase: ``x`` (repeat purchase days) and ``m`` (their mean spend,
    ``monetary_repeat_mean`` in the member summary). Members with ``x == 0`` or missing / non-positive ``m`` are
    dropped with a count in ``n_dropped_``. Parameters: ``p`` (shape of transaction values, Gamma(p, rate ν) within
    a member), ``q`` and ``gamma`` (shape and rate of ν across members; a member's mean spend p/ν is then
    inverse-gamma). Population mean spend E[p/ν] = p·γ / (q − 1), finite only for q > 1.
    """

    _param_names = ("p", "q", "gamma")

    def __init__(self):
        self.log_params_ = None

    def fit(self, x, m=None, *, weights=None, compute_se: bool = True) -> GammaGamma:
        """Fit on ``x`` and ``m`` arrays, or on a summary DataFrame (columns ``x``, ``monetary_repeat_mean``)."""
        if isinstance(x, pd.DataFrame):
            df = x
            x, m = df["x"], df["monetary_repeat_mean"]
        x = np.asarray(x, float)
        m = np.asarray(m, float)
        w = np.ones(len(x)) if weights is None else np.asarray(weights, float)
        ok = (x > 0) & np.isfinite(m) & (m > 0)
        self.n_dropped_ = int((~ok).sum())
        if ok.sum() < 3:
            raise ValueError("Gamma-Gamma needs at least 3 members with a repeat purchase and positive spend")
        # no row compression here: mean spends are continuous, so identical (x, m) rows are rare
        cx, cm, cw = x[ok], m[ok], w[ok]
        self._data = (cx, cm, cw)
        N = float(cw.sum())
        gd = _GGData(cx, cm, cw)

        negll = _scaled_negll(_gg_fast, gd, N, 3)
        z, fun, info = _fit_log_params(negll, self._starts(cx, cm, cw), names=self._param_names)
        self.log_params_ = z
        self.log_likelihood_ = -fun * N
        self.n_ = int(round(N))
        self.fit_info_ = info
        self.cov_log_ = self._cov_log(lambda zz: -_gg_fast(zz, gd)[1], z) if compute_se else None
        self.summary_ = _param_table(self._param_names, z, self.cov_log_)
        return self

    @staticmethod
    def _starts(x, m, w):
        mean_m = np.sum(w * m) / w.sum()
        # moments: the spread of member means beyond sampling noise tells q; p from within-member noise (CV ~ 1/sqrt(p x))
        var_m = np.sum(w * (m - mean_m) ** 2) / w.sum()
        cv2 = var_m / mean_m**2
        starts = []
        for p0 in (1.0, 4.0, 10.0):
            q0 = float(np.clip(2.0 + 1.0 / max(cv2, 1e-3), 2.0, 50.0))
            g0 = mean_m * (q0 - 1) / p0
            starts.append(np.log([p0, q0, g0]))
        return starts

    def log_likelihood(self, x, m, params: dict | None = None) -> float:
        """Total log-likelihood of members with ``x`` repeat purchases and mean spend ``m`` (all x > 0, m > 0) at
        ``params`` (default: the fitted ones)."""
        z = np.log([params[k] for k in self._param_names]) if params is not None else self.log_params_
        x, m = np.asarray(x, float), np.asarray(m, float)
        return _gg_ll_grad(z, x, m, np.ones(len(x)), want_grad=False)[0]

    def bootstrap(self, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
        """Nonparametric bootstrap over members; one row per replicate (p, q, gamma)."""
        self._check_fitted()
        cx, cm, cw = self._data
        return self._bootstrap(cw, _gg_fast, lambda keep, w: _GGData(cx[keep], cm[keep], w), n_boot, seed)

    def conditional_expected_spend(self, x, m) -> np.ndarray:
        """E[spend per purchase | x, m]: a credibility-weighted mix of the member's own mean ``m`` and the
        population mean p·γ/(q−1). Members with ``x == 0`` (or missing m) get the population mean."""
        self._check_fitted()
        p, q, g = np.exp(self.log_params_)
        x = np.asarray(x, float)
        m = np.asarray(m, float)
        pop = self.population_mean_spend
        with np.errstate(invalid="ignore", divide="ignore"):
            cond = (g + x * m) * p / (p * x + q - 1)
        return np.where((x > 0) & np.isfinite(m), cond, pop)

    def credibility_weight(self, x) -> np.ndarray:
        """Weight of the member's own mean spend in :meth:`conditional_expected_spend`: p·x / (p·x + q − 1)
        (the rest goes to the population mean). 0 for x = 0; approaches 1 as x grows."""
        self._check_fitted()
        p, q, _ = np.exp(self.log_params_)
        x = np.asarray(x, float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(x > 0, p * x / (p * x + q - 1), 0.0)

    @property
    def population_mean_spend(self) -> float:
        """E[p/ν] = p·γ / (q − 1), the mean spend per purchase across members (NaN when q ≤ 1)."""
        self._check_fitted()
        p, q, g = np.exp(self.log_params_)
        return float(p * g / (q - 1)) if q > 1 else float("nan")


def gamma_gamma_independence(summary: pd.DataFrame, method: str = "pearson") -> dict:
    """Check Gamma-Gamma's assumption that purchase frequency and spend per purchase are independent.

    Correlation between ``x`` and ``monetary_repeat_mean`` over members with x > 0 (Pearson by default; Spearman
    with ``method="spearman"``). Rule of thumb used in the course: |ρ| < 0.3 is acceptable.
    Returns ``{"n", "correlation", "method", "ok"}``.
    """
    s = summary.loc[(summary["x"] > 0) & summary["monetary_repeat_mean"].notna(), ["x", "monetary_repeat_mean"]]
    rho = float(s["x"].astype(float).corr(s["monetary_repeat_mean"].astype(float), method=method)) if len(s) > 2 else float("nan")
    return {"n": len(s), "correlation": rho, "method": method, "ok": bool(abs(rho) < 0.3) if np.isfinite(rho) else False}


# ----------------------------------------------------------------------------------------------------------------
# discounted CLV
# ----------------------------------------------------------------------------------------------------------------
def spend_per_purchase_day(summary: pd.DataFrame) -> pd.Series:
    """Each member's observed spend per purchase day, ``monetary_total / purchase_days`` (元) — the spend figure
    in the same unit as BG/NBD's purchases (distinct purchase days), used when no Gamma-Gamma model can be fitted.
    (``monetary_mean`` is spend per *order*: with two orders on one day it would count half the day's spend.)"""
    days = summary["purchase_days"].astype(float)
    return (summary["monetary_total"].astype(float) / days.where(days > 0)).rename("spend_per_purchase_day")


def _expected_spend(gamma_gamma: GammaGamma | None, summary: pd.DataFrame) -> np.ndarray:
    if gamma_gamma is not None:
        return gamma_gamma.conditional_expected_spend(summary["x"].to_numpy(float),
                                                      summary["monetary_repeat_mean"].to_numpy(float))
    return spend_per_purchase_day(summary).to_numpy(float)


def _model_inputs(model: BGNBD, summary: pd.DataFrame):
    """Length of the model's time unit in days and the members' ``x, t_x, T`` as float arrays."""
    return (TIME_UNIT_DAYS[model.time_unit or "day"],
            *(summary[c].to_numpy(float) for c in ("x", "t_x", "T")))


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
    """Expected (undiscounted) margin of every member in every step of the horizon, 元: one row per step
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
    """
    per_step = monthly_expected_margin(bgnbd, gamma_gamma, summary, horizon_days=horizon_days, margin=margin,
                                       step=step).to_numpy()
    factors = discount_factors(len(per_step), annual_discount_rate, step)
    return pd.Series(factors @ per_step if len(per_step) else np.zeros(len(summary)), index=summary.index,
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


#: the columns module 04 adds to the report's member_scores
SCORE_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "clv")


def member_scores(table: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The CLV columns of the report's ``member_scores`` from a :func:`clv_table` (or any frame with those
    columns): ``p_alive`` is set to NaN for members without a repeat purchase (x = 0). BG/NBD lets a member drop
    out only after a repeat purchase, so its P(alive) is 1 for every one-time buyer — a model convention, not
    evidence that the member is active, and a CRM user filtering on "P(alive) > 0.8" would pick them all.
    ``expected_purchases``, ``expected_spend`` and ``clv`` keep their model values for every member, x = 0
    included. They are model values, not checked facts: on the course data module 04's holdout check
    (:func:`holdout_comparison`, bucket ``"0"``) shows the x = 0 group over-predicted, so read them with care."""
    out = table.loc[:, list(SCORE_COLUMNS)].copy()
    x = summary["x"].reindex(out.index)
    out["p_alive"] = out["p_alive"].where(x.to_numpy(float) > 0)
    out.index.name = "member_id"
    return out


def member_score_descriptions(horizon_days: float, *, as_of, margin: float, annual_discount_rate: float,
                              gamma_gamma_fitted: bool = True) -> dict[str, str]:
    """Chinese (and English) description of every column of :func:`member_scores`: meaning, unit, horizon and the
    as-of date ``as_of`` (anything ``pd.Timestamp`` accepts) the horizon starts from.

    Every column is empty for members on file without a paid order up to ``as_of`` (the report runner joins every
    member); ``p_alive`` is also empty for one-day buyers (x = 0). Spend is per purchase *day* (客单价 means per
    order elsewhere in the report); one-day buyers get Gamma-Gamma's population mean p·γ/(q − 1)."""
    h = f"{horizon_days:g}"
    day = pd.Timestamp(as_of).date().isoformat()
    no_order = "截止日前没有已支付订单的会员留空"
    no_order_en = f"empty for members without a paid order up to {day}"
    if gamma_gamma_fitted:
        spend = ("期望每个购买日消费(元/购买日),Gamma-Gamma 条件期望:会员自己的重复购买平均与人群平均的加权;"
                 "只买过一天(x = 0)的会员取人群平均 pγ/(q−1)")
        spend_en = ("expected spend per purchase day (元), Gamma-Gamma conditional expectation; one-day buyers "
                    "(x = 0) get the population mean p·γ/(q−1)")
    else:
        spend = ("期望每个购买日消费(元/购买日),Gamma-Gamma 无法拟合,取会员历史上每个购买日的平均消费"
                 "(monetary_total / purchase_days);只买过一天(x = 0)的会员就是那一天的消费")
        spend_en = ("expected spend per purchase day (元): the member's historical spend per purchase day "
                    "(Gamma-Gamma could not be fitted)")
    return {
        "p_alive": (f"截至 {day} 仍活跃的概率 P(alive),0–1,BG/NBD 模型;只对有重复购买(x ≥ 1)的会员有定义。"
                    "留空:只买过一天(x = 0),或截止日前没有已支付订单的会员(BG/NBD 假设只在重复购买后才会流失,"
                    f"x = 0 的模型值恒为 1,不代表仍活跃) · probability the member is still active on {day}; empty for "
                    f"one-day buyers (x = 0) and for members without a paid order up to {day}"),
        "expected_purchases": (f"{day} 之后 {h} 天的期望购买次数,单位:次(购买日,同一天多笔订单算一次),BG/NBD 模型;"
                               f"{no_order} · expected purchase days in the {h} days after {day}; {no_order_en}"),
        "expected_spend": f"{spend};与预测期无关;{no_order} · {spend_en}; {no_order_en}",
        "clv": (f"{day} 之后 {h} 天的折现 CLV,单位:元(毛利,毛利率 {margin:.0%},年折现率 {annual_discount_rate:.0%},"
                f"按月折现)= 毛利率 × 期望每个购买日消费 × 每月期望购买次数;{no_order} · discounted margin over "
                f"the {h} days after {day} (元); {no_order_en}"),
    }


# ----------------------------------------------------------------------------------------------------------------
# calibration vs holdout
# ----------------------------------------------------------------------------------------------------------------
def naive_forecast(summary: pd.DataFrame, duration) -> np.ndarray:
    """The "keep buying at your past rate" baseline: x / T × ``duration`` (same time unit as ``T``; scalar or one
    value per member), 0 for members with T = 0. It ignores dropout, so it overstates silent members."""
    x, T = summary["x"].to_numpy(float), summary["T"].to_numpy(float)
    dur = np.broadcast_to(np.asarray(duration, float), x.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(T > 0, x / np.where(T > 0, T, 1.0) * dur, 0.0)


def forecast_errors(predicted, actual) -> dict:
    """Member-level ``mae`` and ``rmse`` of a purchase forecast, and the aggregate ``total_actual``,
    ``total_predicted`` and ``aggregate_pct_error`` (100 · (predicted − actual) / actual; NaN when actual is 0)."""
    pred, act = np.asarray(predicted, float), np.asarray(actual, float)
    err = pred - act
    tot_a, tot_p = float(act.sum()), float(pred.sum())
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "total_actual": tot_a,
        "total_predicted": tot_p,
        "aggregate_pct_error": float(100 * (tot_p - tot_a) / tot_a) if tot_a > 0 else float("nan"),
    }


def holdout_comparison(model: BGNBD, summary: pd.DataFrame, *, max_bucket: int = 7,
                       duration=None) -> tuple[pd.DataFrame, dict]:
    """Predicted vs actual holdout purchases, by calibration-period repeat frequency.

    ``summary`` is a calibration summary from ``member_summary(..., calibration_end=...)`` (columns ``x``, ``t_x``,
    ``T``, ``x_holdout`` and ``duration_holdout``; ``duration`` overrides the latter, in the model's time unit).
    Returns ``(table, errors)``: the table has one row per bucket ``0 … max_bucket-1`` and ``"≥max_bucket"`` with
    ``n_members``, ``actual`` and ``predicted`` (mean holdout purchases) and ``bias`` (predicted − actual: positive
    = the model over-predicts that group); ``errors`` holds member-level ``mae`` and ``rmse``, the bucket-level
    ``bucket_mae`` (mean |bias|, size of the group errors whatever their sign) and the aggregate ``total_actual``,
    ``total_predicted`` and ``aggregate_pct_error`` (100 · (predicted − actual) / actual), see
    :func:`forecast_errors`.
    """
    dur = summary["duration_holdout"].to_numpy(float) if duration is None else np.full(len(summary), float(duration))
    pred = model.expected_purchases(dur, summary["x"], summary["t_x"], summary["T"])
    actual = summary["x_holdout"].to_numpy(float)
    xb = np.minimum(summary["x"].to_numpy(int), max_bucket)
    labels = [str(i) for i in range(max_bucket)] + [f"≥{max_bucket}"]
    df = pd.DataFrame({"bucket": pd.Categorical.from_codes(xb, labels), "actual": actual, "predicted": pred})
    table = df.groupby("bucket", observed=False).agg(n_members=("actual", "size"), actual=("actual", "mean"),
                                                     predicted=("predicted", "mean"))
    table["bias"] = table["predicted"] - table["actual"]
    table.index.name = "x_calibration"
    fe = forecast_errors(pred, actual)
    errors = {
        "mae": fe["mae"],
        "rmse": fe["rmse"],
        "bucket_mae": float(np.nanmean(np.abs(table["bias"]))),
        "total_actual": fe["total_actual"],
        "total_predicted": fe["total_predicted"],
        "aggregate_pct_error": fe["aggregate_pct_error"],
    }
    return table, errors


def holdout_tracking(model: BGNBD, summary: pd.DataFrame, orders: pd.DataFrame, calibration_end, as_of, *,
                     step_days: int = 7) -> tuple[pd.Series, pd.DataFrame]:
    """Holdout purchases of the calibration members in calendar time, actual vs predicted (the tracking plot).

    ``summary`` is the calibration summary the ``model`` was fitted on (its members and their ``x, t_x, T``);
    ``orders`` the order table (paid orders only, via :func:`helpers.behavior.paid_orders`; a purchase = a distinct
    member-day, as in ``x_holdout``). The holdout runs from the day after ``calibration_end`` to ``as_of``.

    Returns ``(daily, steps)``: ``daily`` — actual purchase days per calendar day, cumulated (index: day);
    ``steps`` — one row per *full* step of ``step_days`` days (a partial last step is dropped, so every row covers
    the same length), index the last day of the step, columns ``actual`` and ``predicted`` (purchase days in the
    step, summed over members) and ``actual_cum`` / ``predicted_cum`` (from the start of the holdout)."""
    from helpers.behavior import paid_orders

    cal_end = pd.Timestamp(calibration_end).normalize()
    end = pd.Timestamp(as_of).normalize()
    calendar = pd.date_range(cal_end + pd.Timedelta(days=1), end, freq="D")
    paid = paid_orders(orders, end)
    day = paid["order_ts"].dt.normalize()
    keep = (day > cal_end) & paid["member_id"].isin(summary.index)
    member_days = pd.DataFrame({"member_id": paid.loc[keep, "member_id"].to_numpy(),
                                "day": day[keep].to_numpy()}).drop_duplicates()
    daily = member_days.groupby("day").size().reindex(calendar, fill_value=0).cumsum().astype(float)
    daily.index.name = "day"
    daily.name = "actual_cum"
    n_full = len(calendar) // int(step_days)
    unit_days, x, t_x, T = _model_inputs(model, summary)
    ends = np.arange(1, n_full + 1) * int(step_days)
    pred_cum = np.array([model.expected_purchases(e / unit_days, x, t_x, T).sum() for e in ends])
    act_cum = daily.to_numpy()[ends - 1] if n_full else np.zeros(0)
    steps = pd.DataFrame({"actual": np.diff(act_cum, prepend=0.0), "predicted": np.diff(pred_cum, prepend=0.0),
                          "actual_cum": act_cum, "predicted_cum": pred_cum},
                         index=pd.Index(calendar[ends - 1] if n_full else calendar[:0], name="step_end"))
    return daily, steps
