"""The fewest-moves reorder planner: random permutations and hand-picked cases."""

from __future__ import annotations

import random
from itertools import pairwise, permutations

import pytest

from service.usecases.reorder import (
    Move,
    NotAPermutation,
    apply_moves,
    check_permutation,
    longest_increasing_subsequence,
    plan_reorder,
)


def _lis_length_slow(values: list[int]) -> int:
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


def _check_plan(current: list[str], desired: list[str]) -> list[Move[str]]:
    moves = plan_reorder(current, desired)
    assert apply_moves(current, moves) == desired
    position_of = {item: index for index, item in enumerate(current)}
    lis = _lis_length_slow([position_of[item] for item in desired])
    assert len(moves) == len(current) - lis
    assert all(1 <= move.position <= len(current) for move in moves)
    assert len({move.item for move in moves}) == len(moves), "a title moved twice"
    return moves


def test_random_permutations_are_reached_with_n_minus_lis_moves() -> None:
    rng = random.Random(20080101)
    for _ in range(400):
        size = rng.randint(0, 40)
        current = [f"movies/{n}" for n in rng.sample(range(1, 10_000), size)]
        desired = current[:]
        rng.shuffle(desired)
        _check_plan(current, desired)


def test_every_permutation_of_six_titles() -> None:
    current = list("abcdef")
    for desired in permutations(current):
        _check_plan(current, list(desired))


def test_nearly_sorted_queues_move_only_the_displaced_titles() -> None:
    rng = random.Random(7)
    for _ in range(100):
        current = [f"t{n}" for n in range(60)]
        desired = current[:]
        item = desired.pop(rng.randrange(60))
        desired.insert(rng.randrange(60), item)
        moves = _check_plan(current, desired)
        assert len(moves) <= 1


def test_same_order_needs_no_move() -> None:
    assert plan_reorder(["a", "b", "c"], ["a", "b", "c"]) == []
    assert plan_reorder([], []) == []


def test_moving_the_last_title_first_is_one_move_to_position_one() -> None:
    assert plan_reorder(["a", "b", "c", "d"], ["d", "a", "b", "c"]) == [Move("d", 1)]


def test_moving_the_first_title_last_is_one_move() -> None:
    assert plan_reorder(["a", "b", "c", "d"], ["b", "c", "d", "a"]) == [Move("a", 4)]


def test_reversal_keeps_one_title() -> None:
    current = list("abcde")
    moves = _check_plan(current, list(reversed(current)))
    assert len(moves) == 4


def test_swap_of_neighbours_is_one_move() -> None:
    moves = _check_plan(["a", "b", "c"], ["b", "a", "c"])
    assert len(moves) == 1


def test_interleaved_blocks() -> None:
    _check_plan(list("abcdefgh"), list("eafbgchd"))


def test_lis_indexes_form_a_longest_increasing_run() -> None:
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9]
    chain = longest_increasing_subsequence(values)
    picked = [values[i] for i in chain]
    assert chain == sorted(chain)
    assert all(a < b for a, b in pairwise(picked))
    assert len(chain) == _lis_length_slow(values)
    assert longest_increasing_subsequence([]) == []


def test_missing_and_unknown_titles_are_named() -> None:
    with pytest.raises(NotAPermutation) as caught:
        plan_reorder(["a", "b", "c"], ["a", "x", "b"])
    assert caught.value.missing == ["c"]
    assert caught.value.unknown == ["x"]
    assert "c" in str(caught.value) and "x" in str(caught.value)


def test_duplicates_are_refused() -> None:
    with pytest.raises(NotAPermutation) as caught:
        check_permutation(["a", "b"], ["a", "a", "b"])
    assert caught.value.duplicated == ["a"]
    assert caught.value.missing == []


def test_a_short_list_reports_what_is_missing() -> None:
    with pytest.raises(NotAPermutation) as caught:
        check_permutation(["a", "b", "c"], ["c"])
    assert caught.value.missing == ["a", "b"]
