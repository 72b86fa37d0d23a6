"""One rule that makes the synthetic world byte-identical on every CPU: round what transcendental functions return.

Why: NumPy chooses its ``exp`` / ``log`` / ``power`` / ``sin`` … kernels by the CPU's instruction set (AVX-512 SVML
on one machine, AVX2 or scalar code on another). The kernels differ in the last bit for a few inputs, so the same
seed gave a ``brand_loyalty`` 1 ulp apart on an AMD EPYC machine — and a 1-ulp difference that reaches a decision
(``u < p``, a cumulative-sum search, an ``argmax``, a ``floor``) can change a whole member's history.

:func:`stable` keeps :data:`STABLE_BITS` significant bits of the mantissa (round half to even, via the exact
``frexp`` / ``ldexp``), about 9.6 significant decimal digits. Two results 1 ulp apart (2⁻⁵² relative) round to the
same value unless they straddle a rounding boundary, which happens for about one value in 2²⁰ that differ at all —
instead of every one. Arithmetic (+ − × ÷, sqrt), comparisons, ``cumsum`` and NumPy's random generators are exact
or computed by the same C code everywhere and need no rounding.

The rule (docs/CONVENTIONS.md, "Determinism on every CPU"): every float that comes out of a transcendental ufunc
(``np.exp``, ``np.log``, ``np.power`` / ``**`` with a non-trivial exponent, ``np.expm1``, ``np.log1p``, trigonometric
and hyperbolic functions, ``scipy.special``) goes through :func:`stable` before it is written to data / truth or
used in a decision. The generator calls the rounded :func:`exp`, :func:`log` and :func:`power` below instead of
NumPy's; ``tests/test_generate.py`` swaps :data:`KERNELS` for versions that are 1 ulp off (another CPU) and checks
that the generated files do not change by a single byte.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KERNELS", "STABLE_BITS", "exp", "log", "power", "stable"]

#: significant bits kept by :func:`stable` (52 in a float64)
STABLE_BITS = 32


def stable(x, bits: int = STABLE_BITS) -> np.ndarray:
    """``x`` rounded to ``bits`` significant bits (float64 array; NaN, ±inf and 0 unchanged).

    Exact and CPU-independent: ``frexp`` splits off the binary exponent, the mantissa is scaled by 2**bits,
    rounded half to even and scaled back with ``ldexp`` — no transcendental function involved.
    """
    arr = np.asarray(x, dtype=np.float64)
    mant, exp = np.frexp(arr)
    out = np.ldexp(np.round(np.ldexp(mant, bits)), exp - bits)
    return np.where(np.isfinite(arr), out, arr)


#: the raw kernels behind :func:`exp`, :func:`log`, :func:`power` (a test replaces them to play another CPU)
KERNELS = {"exp": np.exp, "log": np.log, "power": np.power}


def exp(x) -> np.ndarray:
    """``np.exp`` rounded with :func:`stable`."""
    with np.errstate(over="ignore"):
        return stable(KERNELS["exp"](x))


def log(x) -> np.ndarray:
    """``np.log`` rounded with :func:`stable` (log 0 = −inf, log of a negative number = NaN, without warnings)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return stable(KERNELS["log"](x))


def power(x, y) -> np.ndarray:
    """``np.power`` (float) rounded with :func:`stable`."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return stable(KERNELS["power"](np.asarray(x, dtype=np.float64), y))
