"""The feedback writer's only source of randomness: a block-buffered stream of uniforms from the caller's Generator.

Why a class: the grammar draws thousands of tiny choices; pulling one ``rng.random()`` each would be slow, so
uniforms are drawn 4,096 at a time and consumed in order — the same Generator state gives the same texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["Dice"]


class Dice:
    """Uniforms from the caller's Generator, drawn 4,096 at a time and used in order."""

    __slots__ = ("_buf", "_i", "_rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buf: list[float] = []
        self._i = 0

    def u(self) -> float:
        if self._i >= len(self._buf):
            self._buf = self._rng.random(4096).tolist()
            self._i = 0
        x = self._buf[self._i]
        self._i += 1
        return x

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.u() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.u() < p

    def int(self, lo: int, hi: int) -> int:
        """Uniform integer in [lo, hi]."""
        return lo + int(self.u() * (hi - lo + 1))

    def weighted(self, items: Sequence[Any], weights: Sequence[float]) -> Any:
        x = self.u() * sum(weights)
        for item, w in zip(items, weights, strict=True):
            x -= w
            if x < 0:
                return item
        return items[-1]


