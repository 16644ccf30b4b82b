"""Batched cache reads against real Redis, the embedded store and Redis Cluster."""

from __future__ import annotations

import asyncio

import pytest

from service.store import keys
from service.store.batched import BatchedGet
from service.store.breaker import Breaker
from service.store.redis import STORE_DOWN, RedisLike

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
