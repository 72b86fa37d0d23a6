"""BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Story: while alive a member buys at a Poisson rate λ (λ ~ Gamma(r, α) across members); after every repeat purchase
the member drops out with probability p (p ~ Beta(a, b)). Inputs per member: ``x`` (repeat purchases, counted as
distinct purchase days by :func:`helpers.behavior.member_summary`), ``t_x`` (time of the last purchase from the
first) and ``T`` (time from the first purchase to the end of observation), all in one ``time_unit``.

Speed: special functions once per distinct ``x``, ``log(α+T)`` once per distinct ``T``, members with x = 0 only
through per-``T`` sums, per-row work in preallocated buffers; the two terms of the likelihood are combined as
``A1 + softplus(A2 − A1)`` so nothing overflows. The per-row reference implementation (:func:`_bgnbd_ll_grad`, with
``logaddexp``) is kept and tested against the fast one. ``expected_purchases`` uses the Pfaff-transformed form
``1 − 2F1(r+x, a−1; a+b+x−1; −t/(α+T))`` and falls back to quadrature of the posterior expectation wherever
``hyp2f1`` misbehaves (including a = 1, where the closed form is 0/0).
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd
from scipy import integrate, special

from helpers.clv._mle import (
    TIME_UNIT_DAYS,
    _as_array,
    _compress,
    _factor,
    _fit_log_params,
    _Model,
    _norm_unit,
    _param_table,
    _scaled_negll,
    _unique_rows,
)


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
        """E[X(t)] for a member who has just made the first purchase (FHL 2005 eq. 7), t in ``time_unit``.

        Eq. 7 is eq. 10 with x = t_x = T = 0, so this is :meth:`expected_purchases` there: the hypergeometric form,
        and quadrature where it fails — at a = 1 the closed form (a+b−1)/(a−1)·(1 − 2F1) is 0/0."""
        t = np.asarray(t, float)
        return self.expected_purchases(t, np.zeros(t.shape), np.zeros(t.shape), np.zeros(t.shape))

    def expected_purchases(self, t, x, t_x, T, *, method: str = "auto") -> np.ndarray:
        """Conditional expected number of purchases in the next ``t`` time units (FHL 2005 eq. 10).

        ``method``: ``"auto"`` (hypergeometric form, quadrature where it misbehaves), ``"hyp2f1"`` or ``"quad"``.
        ``t`` may be a scalar or an array broadcastable with ``x``. A member with a missing input gets NaN.
        """
        self._check_fitted()
        arrs = [np.asarray(v, float) for v in (t, x, t_x, T)]
        shape = np.broadcast_shapes(*(a.shape for a in arrs))
        t = np.broadcast_to(arrs[0], shape)
        flat = [np.ravel(np.broadcast_to(a, shape)) for a in arrs]
        (ut, ux, utx, uT), inv = _unique_rows(*flat)
        out = np.full(len(ut), np.nan)  # a row with a missing input stays NaN, as in p_alive
        ok = np.isfinite(ut) & np.isfinite(ux) & np.isfinite(utx) & np.isfinite(uT)
        out[ok] = self._expected_unique(ut[ok], ux[ok], utx[ok], uT[ok], method)
        return out[inv].reshape(t.shape)

    def _expected_unique(self, t, x, t_x, T, method):
        r, alpha, a, b = np.exp(self.log_params_)
        pa = self.p_alive(x, t_x, T)
        res = np.full(len(t), np.nan)
        bad = np.ones(len(t), bool)
        if method in ("auto", "hyp2f1"):
            # the hypergeometric factor depends on (t, x, T) only, not on t_x: evaluated once per distinct triple
            # (a few thousand at any size, against one row per member) and spread back — the same values
            (kt, kx, kT), key = _unique_rows(t, x, T)
            with np.errstate(all="ignore"):
                F = special.hyp2f1(r + kx, a - 1, a + b + kx - 1, -kt / (alpha + kT))[key]
                res = (a + b + x - 1) / (a - 1) * (1 - F) * pa
                upper = pa * (r + x) / (alpha + T) * t  # Jensen: E ≤ P(alive) · E[λ | data] · t
                bad = (~np.isfinite(res) | (res < -1e-12) | (res > upper * (1 + 1e-8) + 1e-12)
                       | (np.abs(1 - F) < 1e-9 * np.maximum(1.0, np.abs(F))))
            bad &= t > 0
            res[t <= 0] = 0.0
            if method == "hyp2f1":
                return res
        for i in np.flatnonzero(bad):  # cached: members sharing (t, x, T) and repeated calls integrate once
            res[i] = pa[i] * _posterior_quad(float(t[i]), float(x[i]), float(T[i]), float(r), float(alpha),
                                             float(a), float(b))
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


@functools.lru_cache(maxsize=100_000)
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


def _model_inputs(model: BGNBD, summary: pd.DataFrame):
    """Length of the model's time unit in days and the members' ``x, t_x, T`` as float arrays."""
    return (TIME_UNIT_DAYS[model.time_unit or "day"],
            *(summary[c].to_numpy(float) for c in ("x", "t_x", "T")))
