"""Cheap, seeded randomness: one private generator per catalog entry, and fast draws.

Catalog generation draws tens of values per title; these functions keep that cheap and make
every entry derivable from (seed, kind of entry, index) alone.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
_MASK64 = (1 << 64) - 1


def mix(seed: int, salt: int, n: int) -> int:
    """A well-spread 64-bit number from (seed, salt, n): splitmix64's finaliser."""
    x = (seed * 0x9E3779B97F4A7C15 + salt * 0xD1B54A32D192ED03 + n) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def seeded(seed: int, salt: int, n: int) -> random.Random:
    """The private generator of entry `n` of one kind (`salt`) in a catalog."""
    return random.Random(mix(seed, salt, n))  # noqa: S311 - seeded data, not secrets


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """`rng.choice`, about three times cheaper (this runs tens of times per title)."""
    return items[int(rng.random() * len(items))]


def between(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint`, cheaper: an integer in [low, high]."""
    return low + int(rng.random() * (high - low + 1))
