"""The response cache against real Redis, the embedded store and Redis Cluster."""

from __future__ import annotations

import asyncio
import json
import textwrap
import time
from collections.abc import Awaitable, Callable

import pytest
from redis.asyncio.cluster import RedisCluster

from service.errors import BadUpstream, InvalidInput, NotFound, RateLimited
from service.settings import Settings
from service.store import keys
from service.store.cache import ResponseCache, encode_entry, forget_prefetched, prefetched
from service.store.redis import RedisLike, connect, embedded
from tests.support.store_backends import (
    TEST_FERNET_KEY,
    flush,
    run_released_children,
    second_client,
    settings_for,
    store_url,
)

pytestmark = pytest.mark.integration

KEY = keys.catalog("titles.search", term="Matrix", start_index=0, page_size=25)


def make_cache(client: RedisLike, **overrides: float) -> ResponseCache:
    return ResponseCache(client, Settings.model_validate(overrides))


Fetch = Callable[[], Awaitable[bytes]]


def counting_fetch(
    body: bytes, delay: float = 0.0, error: Exception | None = None
) -> tuple[list[int], Fetch]:
    calls: list[int] = []

    async def fetch() -> bytes:
        calls.append(1)
        if delay:
            await asyncio.sleep(delay)
        if error is not None:
            raise error
        return body

    return calls, fetch


async def cache_with_expired_copy(
    store: RedisLike, stale_s: float, age_s: float = 0.2
) -> ResponseCache:
    """A cache whose b"old body" under KEY outlived its 0.1 s ttl: the stale-window setup."""
    cache = make_cache(store, cache_stale_s=stale_s)
    _, good = counting_fetch(b"old body")
    await cache.get_or_fetch(KEY, 0.1, good)
    await asyncio.sleep(age_s)
    return cache


async def test_miss_then_hit_with_age(store: RedisLike) -> None:
    cache = make_cache(store)
    calls, fetch = counting_fetch(b'{"items": []}')
    first = await cache.get_or_fetch(KEY, 60, fetch)
    second = await cache.get_or_fetch(KEY, 60, fetch)
    assert (first.status, first.body, first.age_s) == ("MISS", b'{"items": []}', 0)
    assert (second.status, second.body) == ("HIT", b'{"items": []}')
    assert second.age_s >= 0
    assert len(calls) == 1


async def test_age_counts_from_the_fetch(store: RedisLike) -> None:
    now = [1_000_000.0]
    cache = ResponseCache(store, settings_for(None), clock=lambda: now[0])
    _, fetch = counting_fetch(b"x")
    await cache.get_or_fetch(KEY, 60, fetch)
    now[0] += 42.4
    result = await cache.get_or_fetch(KEY, 60, fetch)
    assert (result.status, result.age_s) == ("HIT", 42)


async def test_entry_is_refetched_after_its_ttl(store: RedisLike) -> None:
    cache = make_cache(store, cache_stale_s=0)
    calls, fetch = counting_fetch(b"x")
    await cache.get_or_fetch(KEY, 0.2, fetch)
    await asyncio.sleep(0.35)
    assert await store.exists(KEY) == 0  # Redis expiry = ttl + stale window (0 here)
    result = await cache.get_or_fetch(KEY, 0.2, fetch)
    assert result.status == "MISS"
    assert len(calls) == 2


async def test_redis_expiry_is_ttl_plus_stale_window(store: RedisLike) -> None:
    cache = make_cache(store, cache_stale_s=100)
    _, fetch = counting_fetch(b"x")
    await cache.get_or_fetch(KEY, 20, fetch)
    pttl = await store.pttl(KEY)
    assert 119_000 < pttl <= 120_000


async def test_stale_copy_is_served_when_the_upstream_fails(store: RedisLike) -> None:
    cache = await cache_with_expired_copy(store, stale_s=30)
    calls, failing = counting_fetch(b"", error=BadUpstream("upstream said 500"))
    result = await cache.get_or_fetch(KEY, 0.1, failing)
    assert (result.status, result.body) == ("STALE", b"old body")
    assert len(calls) == 1


async def test_failure_without_stale_copy_is_raised(store: RedisLike) -> None:
    cache = make_cache(store)
    _, failing = counting_fetch(b"", error=BadUpstream("upstream said 500"))
    with pytest.raises(BadUpstream):
        await cache.get_or_fetch(KEY, 10, failing)


async def test_client_errors_are_not_hidden_by_a_stale_copy(store: RedisLike) -> None:
    cache = await cache_with_expired_copy(store, stale_s=30)
    _, missing = counting_fetch(b"", error=NotFound("no such title"))
    with pytest.raises(NotFound):
        await cache.get_or_fetch(KEY, 0.1, missing)


async def test_stale_window_ends(store: RedisLike) -> None:
    cache = await cache_with_expired_copy(store, stale_s=0.2, age_s=0.45)
    _, failing = counting_fetch(b"", error=BadUpstream("down"))
    with pytest.raises(BadUpstream):
        await cache.get_or_fetch(KEY, 0.1, failing)


async def test_concurrent_misses_make_one_fetch(store: RedisLike) -> None:
    other = second_client(store)
    caches = [make_cache(store), make_cache(other)]  # two replicas
    calls, fetch = counting_fetch(b"shared body", delay=0.3)
    try:
        results = await asyncio.gather(
            *(caches[i % 2].get_or_fetch(KEY, 60, fetch) for i in range(40))
        )
    finally:
        if other is not store:
            await other.aclose()
    assert len(calls) == 1
    assert {r.body for r in results} == {b"shared body"}
    assert sorted(r.status for r in results).count("MISS") == 1
    assert {r.status for r in results} == {"MISS", "HIT"}


async def test_waiters_share_the_holders_failure(store: RedisLike) -> None:
    cache = make_cache(store)
    calls, failing = counting_fetch(b"", delay=0.2, error=RateLimited("budget", retry_after=3))
    results = await asyncio.gather(
        *(cache.get_or_fetch(KEY, 60, failing) for _ in range(10)), return_exceptions=True
    )
    assert len(calls) == 1
    assert all(isinstance(r, RateLimited) for r in results)
    assert {r.headers["Retry-After"] for r in results if isinstance(r, RateLimited)} == {"3"}


async def test_waiters_answer_stale_when_the_holder_fails(store: RedisLike) -> None:
    cache = await cache_with_expired_copy(store, stale_s=30)
    calls, failing = counting_fetch(b"", delay=0.2, error=BadUpstream("down"))
    results = await asyncio.gather(*(cache.get_or_fetch(KEY, 0.1, failing) for _ in range(10)))
    assert len(calls) == 1
    assert {(r.status, r.body) for r in results} == {("STALE", b"old body")}


async def test_waiters_stop_waiting_for_a_slow_holder(store: RedisLike) -> None:
    patient = ResponseCache(store, settings_for(None))
    impatient = ResponseCache(store, settings_for(None), wait_s=0.1)
    slow_calls, slow = counting_fetch(b"slow", delay=1.0)
    quick_calls, quick = counting_fetch(b"quick")
    holder = asyncio.create_task(patient.get_or_fetch(KEY, 60, slow))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    result = await impatient.get_or_fetch(KEY, 60, quick)
    assert time.monotonic() - started < 0.8
    assert (result.status, result.body) == ("MISS", b"quick")
    assert (await holder).status == "MISS"
    assert (len(slow_calls), len(quick_calls)) == (1, 1)


async def test_cache_is_bypassed_when_redis_is_down(down_store: RedisLike) -> None:
    cache = make_cache(down_store)
    calls, fetch = counting_fetch(b"direct")
    started = time.monotonic()
    results = [await cache.get_or_fetch(KEY, 60, fetch) for _ in range(3)]
    assert time.monotonic() - started < 2.0
    assert {(r.status, r.body) for r in results} == {("BYPASS", b"direct")}
    assert len(calls) == 3


async def test_upstream_errors_still_surface_when_redis_is_down(down_store: RedisLike) -> None:
    cache = make_cache(down_store)
    _, failing = counting_fetch(b"", error=NotFound("no such title"))
    with pytest.raises(NotFound):
        await cache.get_or_fetch(KEY, 60, failing)


async def test_keys_not_built_by_the_key_module_are_refused(store: RedisLike) -> None:
    _, fetch = counting_fetch(b"x")
    with pytest.raises(ValueError, match="not a response-cache key"):
        await make_cache(store).get_or_fetch("search:matrix", 60, fetch)


async def test_purge_by_group_and_all(store: RedisLike) -> None:
    cache = make_cache(store)
    _, fetch = counting_fetch(b"x")
    searches = [keys.catalog("titles.search", term=f"t{i}") for i in range(30)]
    people = [keys.catalog("people.get", person_id=i) for i in range(20)]
    for key in searches + people:
        await cache.get_or_fetch(key, 60, fetch)
    await store.set(keys.queue_etag("user", "disc"), b"123")  # not a cache entry
    if isinstance(store, RedisCluster):  # the entries really are spread over the nodes
        nodes = {getattr(store.get_node_from_key(key), "name", None) for key in searches + people}
        assert len(nodes) == 3
    assert await cache.purge("titles") == 30
    assert await store.exists(*searches[:1]) == 0
    assert await cache.get_or_fetch(people[0], 60, fetch) is not None
    assert await cache.purge(None) == 20
    assert await store.get(keys.queue_etag("user", "disc")) == b"123"


async def test_purge_with_a_bad_prefix_is_refused(store: RedisLike) -> None:
    with pytest.raises(InvalidInput, match="resource names"):
        await make_cache(store).purge("titles*")


_CHILD = textwrap.dedent("""
    import asyncio, json, sys
    from service.settings import Settings
    from service.store import keys
    from service.store.cache import ResponseCache
    from service.store.redis import connect

    URL, CLUSTER, KEY = sys.argv[1], sys.argv[2] == "1", sys.argv[3]

    async def main() -> None:
        settings = Settings(redis_url=URL, redis_cluster=CLUSTER,
                            token_encryption_key=sys.argv[4])
        redis = connect(settings)
        cache = ResponseCache(redis, settings)
        counter = keys.ROOT + "{test}:fetches"

        async def fetch() -> bytes:
            await redis.incr(counter)
            await asyncio.sleep(0.5)
            return b"from one fetch"

        await redis.incr(keys.ROOT + "{test}:ready")
        while not await redis.exists(keys.ROOT + "{test}:go"):
            await asyncio.sleep(0.005)
        results = await asyncio.gather(*(cache.get_or_fetch(KEY, 60, fetch) for _ in range(10)))
        print(json.dumps({"bodies": [r.body.decode() for r in results],
                          "statuses": [r.status for r in results]}))
        await redis.aclose()

    asyncio.run(main())
""")


@pytest.mark.parametrize("backend", ["redis", "cluster"])
async def test_concurrent_misses_across_processes_make_one_fetch(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = store_url(backend, request)
    assert url is not None
    redis = connect(settings_for(url, cluster=backend == "cluster"))
    await flush(redis)
    args = [url, "1" if backend == "cluster" else "0", KEY, TEST_FERNET_KEY]
    try:
        outputs = await run_released_children(redis, _CHILD, args, keys.ROOT + "{test}", wait_s=30)
        assert int(await redis.get(keys.ROOT + "{test}:fetches") or 0) == 1
        reports = [json.loads(out) for out in outputs]
        bodies = {body for report in reports for body in report["bodies"]}
        statuses = [status for report in reports for status in report["statuses"]]
        assert bodies == {"from one fetch"}
        assert len(statuses) == 40
        assert statuses.count("MISS") == 1
    finally:
        await redis.aclose()


async def test_embedded_stores_are_separate() -> None:
    first, second = embedded(), embedded()
    await first.set("k", b"v")
    assert await second.exists("k") == 0
    await first.aclose()
    await second.aclose()


async def test_a_read_handed_over_by_the_edge_is_used_once(store: RedisLike) -> None:
    cache = make_cache(store)
    calls, fetch = counting_fetch(b"fetched")
    await store.set(KEY, encode_entry(time.time(), b"stored"))
    token = prefetched(KEY, None)  # the edge found nothing a moment ago
    try:
        first = await cache.get_or_fetch(KEY, 60, fetch)
    finally:
        forget_prefetched(token)
    # The holder's lock script reads the entry again, so the stored body still wins.
    assert (first.status, first.body, len(calls)) == ("HIT", b"stored", 0)
    token = prefetched(KEY, encode_entry(time.time(), b"handed over"))
    try:
        handed = await cache.get_or_fetch(KEY, 60, fetch)
        again = await cache.get_or_fetch(KEY, 60, fetch)
    finally:
        forget_prefetched(token)
    assert (handed.body, again.body) == (b"handed over", b"stored")
