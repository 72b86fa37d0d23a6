"""Gamma-Gamma spend model (Fader & Hardie 2013) and the check of its key assumption.

Story: a member's spend per purchase day is Gamma(shape p, rate ν), so her mean spend is p/ν; ν varies across
members as Gamma(shape q, rate γ), which makes the mean spend p/ν inverse-gamma with population mean p·γ/(q − 1).
That mean exists only for q > 1: with q ≤ 1 (very heavy-tailed spend) it is infinite, and a one-time buyer, who
has no repeat spend of her own, gets a documented finite fallback instead (:attr:`GammaGamma.prior_spend`) with a
warning. Gamma-Gamma also assumes spend is independent of purchase frequency: :func:`gamma_gamma_independence`
checks it on the data (it can fail, e.g. when frequent members buy smaller baskets).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import special

from helpers.clv._mle import _fit_log_params, _Model, _param_table, _scaled_negll


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
        self.sample_mean_spend_ = float(np.sum(cw * cm) / N)
        if not self.mean_spend_finite_:
            warnings.warn(
                f"Gamma-Gamma fitted q = {math.exp(z[1]):.3g} <= 1: spend is so heavy-tailed that the population mean "
                "spend p*gamma/(q-1) is infinite; members without a repeat purchase get the sample mean of the "
                f"repeat buyers' mean spend ({self.sample_mean_spend_:,.2f}) instead (GammaGamma.prior_spend)",
                RuntimeWarning, stacklevel=2)
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
        population mean p·γ/(q−1). Members with ``x == 0`` (or missing m) get :attr:`prior_spend` (the population
        mean, or its fallback when q ≤ 1). Where the posterior mean itself is infinite (p·x + q − 1 ≤ 0, possible
        only when q < 1) the member's own mean ``m`` is used."""
        self._check_fitted()
        p, q, g = np.exp(self.log_params_)
        x = np.asarray(x, float)
        m = np.asarray(m, float)
        den = p * x + q - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            cond = np.where(den > 0, (g + x * m) * p / np.where(den > 0, den, 1.0), m)
        return np.where((x > 0) & np.isfinite(m), cond, self.prior_spend)

    def credibility_weight(self, x) -> np.ndarray:
        """Weight of the member's own mean spend in :meth:`conditional_expected_spend`: p·x / (p·x + q − 1)
        (the rest goes to the population mean). 0 for x = 0; approaches 1 as x grows. With q < 1 the population mean
        is infinite and the "weight" exceeds 1 — it is then only the coefficient of ``m`` in the posterior mean (1
        where p·x + q − 1 ≤ 0, where the member's own mean is used)."""
        self._check_fitted()
        p, q, _ = np.exp(self.log_params_)
        x = np.asarray(x, float)
        den = p * x + q - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(x > 0, np.where(den > 0, p * x / np.where(den > 0, den, 1.0), 1.0), 0.0)

    @property
    def mean_spend_finite_(self) -> bool:
        """Whether the population mean spend exists (q > 1)."""
        self._check_fitted()
        return bool(math.exp(self.log_params_[1]) > 1)

    @property
    def population_mean_spend(self) -> float:
        """E[p/ν] = p·γ / (q − 1), the mean spend per purchase across members; ``inf`` when q ≤ 1 (the
        inverse-gamma mean does not exist: the spend distribution's tail is too heavy)."""
        self._check_fitted()
        p, q, g = np.exp(self.log_params_)
        return float(p * g / (q - 1)) if q > 1 else float("inf")

    @property
    def prior_spend(self) -> float:
        """Expected spend of a member without repeat purchases: :attr:`population_mean_spend` when it is finite
        (q > 1); otherwise the fallback ``sample_mean_spend_``, the mean of the fitted members' mean spend (finite,
        and an underestimate of an infinite mean: say so when reporting it)."""
        pop = self.population_mean_spend
        return pop if math.isfinite(pop) else self.sample_mean_spend_


def gamma_gamma_independence(summary: pd.DataFrame, method: str = "pearson") -> dict:
    """Check Gamma-Gamma's assumption that purchase frequency and spend per purchase are independent.

    Correlation between ``x`` and ``monetary_repeat_mean`` over members with x > 0 (Pearson by default; Spearman
    with ``method="spearman"``). Rule of thumb used in the course: |ρ| < 0.3 is acceptable.
    Returns ``{"n", "correlation", "method", "ok"}``.
    """
    s = summary.loc[(summary["x"] > 0) & summary["monetary_repeat_mean"].notna(), ["x", "monetary_repeat_mean"]]
    rho = float(s["x"].astype(float).corr(s["monetary_repeat_mean"].astype(float), method=method)) if len(s) > 2 else float("nan")
    return {"n": len(s), "correlation": rho, "method": method, "ok": bool(abs(rho) < 0.3) if np.isfinite(rho) else False}


def spend_per_purchase_day(summary: pd.DataFrame) -> pd.Series:
    """Each member's observed spend per purchase day, ``monetary_total / purchase_days``, in yuan — the spend figure
    in the same unit as BG/NBD's purchases (distinct purchase days), used when no Gamma-Gamma model can be fitted.
    (``monetary_mean`` is spend per *order*: with two orders on one day it would count half the day's spend.)"""
    days = summary["purchase_days"].astype(float)
    return (summary["monetary_total"].astype(float) / days.where(days > 0)).rename("spend_per_purchase_day")
