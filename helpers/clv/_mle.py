"""Shared fitting machinery of the CLV models: maximum likelihood on log parameters, standard errors, compression.

Why one place: BG/NBD and Gamma-Gamma are fitted the same way — minus the mean log-likelihood is minimised by
``scipy.optimize`` over log parameters (positivity for free, better conditioning), from several start values with a
fallback optimiser, so valid data always returns the best point found (a warning, never an exception); standard
errors come from the inverse of a numerically differentiated (analytic-gradient) Hessian in log space and the delta
method, 95 % intervals from the log scale. Identical rows are compressed into weighted unique rows
(:func:`_unique_rows`, pandas factorize over the columns) so a 1M-member fit evaluates each distinct row once.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

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
    gnorm = _free_grad_norm(g, best.x)
    method = "L-BFGS-B"
    if gnorm > 1e-5:  # L-BFGS-B may stop "ABNORMAL" on round-off at the optimum; only a real gradient counts
        nm = optimize.minimize(lambda z: negll(z)[0], best.x, method="Nelder-Mead",
                               options={"maxiter": 3000, "xatol": 1e-10, "fatol": 1e-14, "adaptive": True})
        n_iter += int(nm.nit)
        if np.isfinite(nm.fun) and nm.fun <= best.fun:
            # polish the Nelder-Mead point with L-BFGS-B once more
            pol = optimize.minimize(negll, np.clip(nm.x, -_LOG_BOUND, _LOG_BOUND), jac=True, method="L-BFGS-B",
                                    bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(nm.x),
                                    options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9})
            best = pol if pol.fun <= nm.fun else nm
            method = "Nelder-Mead + L-BFGS-B"
        g = negll(best.x)[1]
        gnorm = _free_grad_norm(g, best.x)
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


def _free_grad_norm(g, z) -> float:
    """Largest |gradient| over the parameters not at the search bound. A parameter at the bound (the data cannot
    pin it down, e.g. Gamma-Gamma's p when every member spends the same each time) keeps a gradient pointing out
    of the box; counting it would send the optimiser into a long, useless Nelder-Mead search."""
    free = np.abs(np.asarray(z, float)) < _LOG_BOUND - 1e-6
    return float(np.max(np.abs(g[free]))) if free.any() else 0.0


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
    codes, uniq = pd.factorize(a, use_na_sentinel=False)
    return np.asarray(uniq, dtype=float), codes.astype(np.intp, copy=False)


def _unique_rows(*cols):
    """Distinct rows (in order of first appearance) and each row's index into them.

    Each column is factorised by pandas (``pd.factorize``, NaN a value of its own, so a row with a missing value is
    never merged with another row), the column codes are combined into one integer per row and factorised once
    more. The first row of every group is found from the codes themselves (pandas numbers groups in order of first
    appearance), so nothing depends on the order NumPy applies repeated writes to one element."""
    arrays = [np.asarray(c) for c in cols]
    n = len(arrays[0]) if arrays else 0
    if n == 0:
        return [a[:0] for a in arrays], np.zeros(0, np.intp)
    key = np.zeros(n, np.int64)
    for a in arrays:
        codes, uniques = pd.factorize(a, use_na_sentinel=False)
        if len(uniques) and key.max() > (2**62) // len(uniques):  # combined code could overflow: renumber first
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * len(uniques) + codes
    key = pd.factorize(key)[0].astype(np.intp)
    previous_max = np.maximum.accumulate(np.concatenate(([-1], key[:-1])))
    first = np.flatnonzero(key > previous_max)  # group k appears first where the running maximum reaches k
    return [a[first] for a in arrays], key
