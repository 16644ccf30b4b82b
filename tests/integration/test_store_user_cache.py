"""The per-subscriber read cache against real Redis, the embedded store and Redis Cluster."""

from __future__ import annotations

import pytest

from service.errors import StoreUnavailable
from service.store import keys
from service.store.breaker import Breaker
from service.store.redis import RedisLike
from service.store.user_cache import UserCache
from tests.support.store_backends import second_client

pytestmark = pytest.mark.integration

ALICE, BOB = "T1alice-", "T1bob-"
FIELD = keys.user_read_field(state="available", start_index=0)


def _cache(client: RedisLike) -> UserCache:
    return UserCache(client, Breaker(1.0))


async def test_a_stored_read_is_served_to_its_subscriber_only(store: RedisLike) -> None:
    cache = _cache(store)
    calls: list[str] = []

    async def fetch_for(who: str) -> bytes:
        calls.append(who)
        return who.encode()

    assert await cache.get_or_fetch(ALICE, "queue.disc", FIELD, 30, lambda: fetch_for(ALICE)) == (
        ALICE.encode(),
        "MISS",
    )
    assert await cache.get_or_fetch(ALICE, "queue.disc", FIELD, 30, lambda: fetch_for(ALICE)) == (
        ALICE.encode(),
        "HIT",
    )
    assert await cache.get_or_fetch(BOB, "queue.disc", FIELD, 30, lambda: fetch_for(BOB)) == (
        BOB.encode(),
        "MISS",
    )
    assert calls == [ALICE, BOB]


async def test_a_write_drops_its_kinds_for_every_replica(store: RedisLike) -> None:
    replica = second_client(store)
    cache, other = _cache(store), _cache(replica)

    async def fetch() -> bytes:
        return b"old"

    for kind in ("queue.disc", "ratings", "profile"):
        await cache.get_or_fetch(ALICE, kind, FIELD, 30, fetch)
    try:
        await other.invalidate(ALICE, ["queue.disc", "ratings"], needed=True)
    finally:
        if replica is not store:
            await replica.aclose()

    async def fresh() -> bytes:
        return b"new"

    assert await cache.get_or_fetch(ALICE, "queue.disc", FIELD, 30, fresh) == (b"new", "MISS")
    assert await cache.get_or_fetch(ALICE, "ratings", FIELD, 30, fresh) == (b"new", "MISS")
    assert await cache.get_or_fetch(ALICE, "profile", FIELD, 30, fresh) == (b"old", "HIT")


async def test_a_read_in_flight_during_a_write_is_not_stored(store: RedisLike) -> None:
    cache = _cache(store)

    async def fetch_then_written() -> bytes:
        # The read fetched the old answer; a write lands (on some replica) before it stores.
        await cache.invalidate(ALICE, ["queue.disc"], needed=True)
        return b"before the write"

    assert await cache.get_or_fetch(ALICE, "queue.disc", FIELD, 30, fetch_then_written) == (
        b"before the write",
        "MISS",
    )

    async def after() -> bytes:
        return b"after the write"

    assert await cache.get_or_fetch(ALICE, "queue.disc", FIELD, 30, after) == (
        b"after the write",
        "MISS",
    )
    assert await cache.get_or_fetch(ALICE, "queue.disc", FIELD, 30, after) == (
        b"after the write",
        "HIT",
    )


async def test_entries_expire_with_their_ttl(store: RedisLike) -> None:
    cache = _cache(store)

    async def fetch() -> bytes:
        return b"x"

    await cache.get_or_fetch(ALICE, "at_home", FIELD, 0.5, fetch)
    ttl_ms = await store.pttl(keys.user_cache(ALICE, "at_home").entries)
    assert 0 < ttl_ms <= 500


async def test_redis_down_bypasses_reads_and_refuses_writes(down_store: RedisLike) -> None:
    cache = _cache(down_store)

    async def fetch() -> bytes:
        return b"direct"

    assert await cache.get_or_fetch(ALICE, "profile", FIELD, 30, fetch) == (b"direct", "BYPASS")
    with pytest.raises(StoreUnavailable):
        await cache.invalidate(ALICE, ["profile"], needed=True)
    await cache.invalidate(ALICE, ["profile"], needed=False)  # after a write: only logged
    await cache.invalidate(ALICE, [], needed=True)  # nothing to drop: no store call


def test_keys_carry_the_subscriber_and_refuse_bad_kinds() -> None:
    alice, bob = keys.user_cache(ALICE, "ratings"), keys.user_cache(BOB, "ratings")
    assert alice.entries != bob.entries and alice.epoch != bob.epoch
    assert ALICE not in alice.entries  # hashed, like every user id in keys
    with pytest.raises(ValueError, match="dotted"):
        keys.user_cache(ALICE, "Ratings!")
    with pytest.raises(ValueError, match="empty"):
        keys.user_cache("", "ratings")
