"""Batched cache reads against real Redis, the embedded store and Redis Cluster."""

from __future__ import annotations

import asyncio

import pytest

from service.store import keys
from service.store.batched import MAX_BATCH, BatchedGet, BatchedReserve, PerTurn
from service.store.breaker import Breaker
from service.store.redis import STORE_DOWN, RedisLike
from service.store.reservations import Budget

pytestmark = pytest.mark.integration


def key(number: int) -> str:
    return keys.catalog("people.get", person_id=number)


async def test_concurrent_reads_get_their_own_values(store: RedisLike) -> None:
    # Keys of many slots: on a cluster the batch spans several nodes.
    for number in range(0, 40, 2):
        await store.set(key(number), b"value %d" % number)
    reads = BatchedGet(store, Breaker(1.0))
    found = await asyncio.gather(*(reads.get(key(number)) for number in range(40)))
    assert found == [b"value %d" % n if n % 2 == 0 else None for n in range(40)]
    assert await reads.get(key(0)) == b"value 0"  # a lone read too


async def test_a_store_failure_fails_the_whole_batch(down_store: RedisLike) -> None:
    breaker = Breaker(30.0)
    reads = BatchedGet(down_store, breaker)
    found = await asyncio.gather(*(reads.get(key(n)) for n in range(3)), return_exceptions=True)
    assert all(isinstance(error, STORE_DOWN) for error in found)
    assert breaker.state() == "open"


async def test_a_caller_that_went_away_is_skipped(store: RedisLike) -> None:
    await store.set(key(1), b"one")
    reads = BatchedGet(store, Breaker(1.0))
    gone = asyncio.ensure_future(reads.get(key(1)))
    kept = asyncio.ensure_future(reads.get(key(1)))
    await asyncio.sleep(0)  # both joined the batch
    gone.cancel()
    assert await kept == b"one"
    assert gone.cancelled()


async def test_a_cancelled_caller_is_not_sent_and_a_burst_is_sent_in_bounded_parts() -> None:
    sent: list[list[int]] = []

    async def send(requests: list[int]) -> list[int]:
        sent.append(requests)
        return [request * 2 for request in requests]

    turn: PerTurn[int, int] = PerTurn(send)
    asks = [asyncio.ensure_future(turn.ask(number)) for number in range(MAX_BATCH + 3)]
    await asyncio.sleep(0)  # every request joined this turn's batch
    asks[0].cancel()
    answers = await asyncio.gather(*asks[1:])
    assert answers == [number * 2 for number in range(1, MAX_BATCH + 3)]
    assert [len(part) for part in sent] == [MAX_BATCH - 1, 3]
    assert 0 not in sent[0]


async def test_a_cancelled_batch_fails_its_callers_instead_of_leaving_them_waiting() -> None:
    started = asyncio.Event()

    async def hang(requests: list[int]) -> list[int]:
        started.set()
        await asyncio.sleep(60)
        return requests

    turn: PerTurn[int, int] = PerTurn(hang)
    asked = asyncio.ensure_future(turn.ask(1))
    await started.wait()
    for task in list(turn._running):
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(asked, timeout=5)


def budget(token: str, limit: int = 2, window_s: float = 0.5, consumer: str = "consumer") -> Budget:
    user_keys = keys.budget(consumer, token)[1]
    assert user_keys is not None
    return Budget("user", user_keys, limit, window_s, 1)


async def test_concurrent_reservations_run_in_one_script_in_arrival_order(
    store: RedisLike,
) -> None:
    reserver = BatchedReserve(store, Breaker(1.0))
    spent = budget("paced")
    outcomes = await asyncio.gather(
        *(reserver.reserve([spent], max_wait_s=5.0) for _ in range(5)),
        reserver.reserve([budget("other")], max_wait_s=0.0),
    )
    paced, other = outcomes[:5], outcomes[5]
    assert all(outcome.taken for outcome in outcomes)
    first = paced[0].at
    # One run of the script: one clock reading for all (separate runs would each read TIME).
    assert other.at == first
    assert [round(outcome.at - first, 3) for outcome in paced] == [0, 0, 0.5, 0.5, 1.0]
    assert [round(outcome.wait_s, 3) for outcome in paced] == [0, 0, 0.5, 0.5, 1.0]
    assert [state.remaining for outcome in paced for state in outcome.states] == [1, 0, 0, 0, 0]
    # A refusal inside a batch takes nothing, like a lone refused reservation.
    refused, taken = await asyncio.gather(
        reserver.reserve([spent], max_wait_s=0.0),
        reserver.reserve([budget("third")], max_wait_s=0.0),
    )
    assert not refused.taken and refused.refused_by == "window"
    assert taken.taken
    assert len(await store.lrange(spent.keys.log, 0, -1)) == 2


async def test_reservations_of_other_slots_are_sent_apart(store: RedisLike) -> None:
    reserver = BatchedReserve(store, Breaker(1.0))
    mine, theirs = await asyncio.gather(
        reserver.reserve([budget("t", consumer="one")], max_wait_s=0.0),
        reserver.reserve([budget("t", consumer="two")], max_wait_s=0.0),
    )
    assert mine.taken and theirs.taken


async def test_a_store_failure_fails_every_reservation_of_the_batch(
    down_store: RedisLike,
) -> None:
    breaker = Breaker(30.0)
    reserver = BatchedReserve(down_store, breaker)
    found = await asyncio.gather(
        *(reserver.reserve([budget(str(n))], max_wait_s=0.0) for n in range(3)),
        return_exceptions=True,
    )
    assert all(isinstance(error, STORE_DOWN) for error in found)
    assert breaker.state() == "open"
