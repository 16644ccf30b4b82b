"""The fewest-moves plan that turns a queue's current order into a desired one.

The upstream moves one title per call (POST the title with a new position), so a whole-queue
reorder costs one upstream call per moved title. The titles that may stay where they are form
the longest increasing subsequence (LIS) of current positions taken in the desired order;
every other title must move, and `n - LIS` moves always suffice. The plan moves those titles
in desired order, each right behind its desired predecessor, with absolute positions computed
against the queue as it stands before that move.

Pure functions, no I/O: the queue use case runs the plan against the upstream.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Move(Generic[K]):
    """Put `item` at 1-based `position` of the queue as it is just before this move."""

    item: K
    position: int


class NotAPermutation(ValueError):  # noqa: N818 - reads better at the call site
    """The desired order is not the current entries rearranged; says which differ."""

    def __init__(
        self, *, missing: Sequence[object], unknown: Sequence[object], duplicated: Sequence[object]
    ) -> None:
        self.missing = list(missing)
        self.unknown = list(unknown)
        self.duplicated = list(duplicated)
        parts = []
        if missing:
            parts.append("missing: " + ", ".join(map(str, self.missing)))
        if unknown:
            parts.append("not in the queue: " + ", ".join(map(str, self.unknown)))
        if duplicated:
            parts.append("listed twice: " + ", ".join(map(str, self.duplicated)))
        super().__init__("; ".join(parts) or "not a permutation")


def check_permutation(current: Sequence[K], desired: Sequence[K]) -> None:
    """Raise `NotAPermutation` unless `desired` holds each item of `current` exactly once."""
    present = set(current)
    seen: set[K] = set()
    duplicated: list[K] = []
    unknown: list[K] = []
    for item in desired:
        if item in seen:
            if item not in duplicated:
                duplicated.append(item)
            continue
        seen.add(item)
        if item not in present:
            unknown.append(item)
    missing = [item for item in current if item not in seen]
    if missing or unknown or duplicated or len(present) != len(current):
        raise NotAPermutation(missing=missing, unknown=unknown, duplicated=duplicated)


def longest_increasing_subsequence(values: Sequence[int]) -> list[int]:
    """Indexes (ascending) of one longest strictly increasing subsequence, in O(n log n)."""
    tails: list[int] = []  # tails[k]: smallest tail value of an increasing run of length k+1
    tail_index: list[int] = []  # index in `values` of that tail
    previous: list[int] = [-1] * len(values)
    for index, value in enumerate(values):
        length = bisect_left(tails, value)
        if length == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[length] = value
            tail_index[length] = index
        previous[index] = tail_index[length - 1] if length > 0 else -1
    chain: list[int] = []
    cursor = tail_index[-1] if tail_index else -1
    while cursor != -1:
        chain.append(cursor)
        cursor = previous[cursor]
    chain.reverse()
    return chain


def plan_reorder(current: Sequence[K], desired: Sequence[K]) -> list[Move[K]]:
    """The moves, in order, that turn `current` into `desired`; exactly n - LIS of them.

    Raises `NotAPermutation` when `desired` is not a rearrangement of `current`.
    """
    check_permutation(current, desired)
    position_of = {item: index for index, item in enumerate(current)}
    kept_indexes = longest_increasing_subsequence([position_of[item] for item in desired])
    kept = {desired[index] for index in kept_indexes}
    order = list(current)
    moves: list[Move[K]] = []
    for index, item in enumerate(desired):
        if item in kept:
            continue
        order.remove(item)
        target = 0 if index == 0 else order.index(desired[index - 1]) + 1
        order.insert(target, item)
        moves.append(Move(item, target + 1))
    return moves


def apply_moves(order: Sequence[K], moves: Sequence[Move[K]]) -> list[K]:
    """The order after the moves, as the upstream performs them (for checks and tests)."""
    result = list(order)
    for move in moves:
        result.remove(move.item)
        result.insert(min(move.position, len(result) + 1) - 1, move.item)
    return result
