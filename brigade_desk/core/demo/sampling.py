"""Weighted draws with precomputed cumulative weights (a bisect per draw, nothing rebuilt)."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """Values with weights; ``draw`` picks one in proportion to its weight."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items = list(pairs)
        if not items:
            raise ValueError("nothing to draw from")
        self.values: tuple[T, ...] = tuple(v for v, _ in items)
        self.cum: tuple[float, ...] = tuple(accumulate(w for _, w in items))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.total)]


def pick(values: Sequence[T], rng: random.Random) -> T:
    """Uniform choice; a little faster than ``rng.choice`` on hot paths."""
    return values[int(rng.random() * len(values))]
