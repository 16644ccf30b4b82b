"""Queue etags and the queue write lock, within one process and across processes."""

from __future__ import annotations

import asyncio
import json
import textwrap
import time

import pytest

from service.errors import QueueBusy, StoreUnavailable
from service.store import keys
from service.store.etags import REWRITE_S, EtagStore
from service.store.locks import QueueLock
from service.store.redis import RedisLike, connect
from tests.support.store_backends import (
    TEST_FERNET_KEY,
    flush,
    run_released_children,
    settings_for,
    store_url,
)

pytestmark = pytest.mark.integration

USER = "T1userUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU-"


async def test_etags_per_user_and_queue(store: RedisLike) -> None:
    etags = EtagStore(store, settings_for(None))
    assert await etags.get(USER, "disc") is None
    await etags.set(USER, "disc", "819873819117")
    await etags.set(USER, "instant", "248942715592")
    await etags.set("someone-else", "disc", "1")
    assert await etags.get(USER, "disc") == "819873819117"
    assert await etags.get(USER, "instant") == "248942715592"
    await etags.forget(USER, "disc")
    assert await etags.get(USER, "disc") is None
    assert await etags.get("someone-else", "disc") == "1"


async def test_a_read_writes_an_etag_this_process_stored_only_once(store: RedisLike) -> None:
    now = [0.0]
    etags = EtagStore(store, settings_for(None), clock=lambda: now[0])
    key = keys.queue_etag(USER, "disc")
    await etags.keep(USER, "disc", "1")
    assert await store.get(key) == b"1"
    await store.delete(key)  # lost meanwhile: a restart, or a forget on another replica
    await etags.keep(USER, "disc", "1")
    assert await store.get(key) is None  # stored by this process already: nothing written
    await EtagStore(store, settings_for(None)).keep(USER, "disc", "1")
    assert await store.get(key) == b"1"  # another process had not stored it
    await etags.keep(USER, "disc", "2")
    assert await store.get(key) == b"2"  # a new etag is always written
    await etags.forget(USER, "disc")
    await etags.keep(USER, "disc", "2")
    assert await store.get(key) == b"2"  # forgotten here: written again
    await store.delete(key)
    now[0] += REWRITE_S
    await etags.keep(USER, "disc", "2")
    assert await store.get(key) == b"2"  # trusted for REWRITE_S only
    await store.delete(key)
    await etags.set(USER, "disc", "2")
    assert await store.get(key) == b"2"  # a write's etag is always written


async def test_bad_etags_and_queues_are_refused(store: RedisLike) -> None:
    etags = EtagStore(store, settings_for(None))
    with pytest.raises(ValueError, match="etag"):
        await etags.set(USER, "disc", "")
    with pytest.raises(ValueError, match="queue names"):
        await etags.get(USER, "disc}{x")


async def test_etags_need_the_store(down_store: RedisLike) -> None:
    with pytest.raises(StoreUnavailable):
        await EtagStore(down_store, settings_for(None)).get(USER, "disc")


async def test_lock_excludes_concurrent_writers(store: RedisLike) -> None:
    lock = QueueLock(store, settings_for(None))
    inside: list[int] = []
    most = 0

    async def writer() -> None:
        nonlocal most
        async with lock(USER, "disc"):
            inside.append(1)
            most = max(most, len(inside))
            await asyncio.sleep(0.01)
            inside.pop()

    await asyncio.gather(*(writer() for _ in range(10)))
    assert most == 1


async def test_locks_of_other_queues_do_not_wait(store: RedisLike) -> None:
    lock = QueueLock(store, settings_for(None), wait_s=0.1)
    async with lock(USER, "disc"), lock(USER, "instant"), lock("other-user", "disc"):
        pass


async def test_busy_queue_is_temporary_after_the_wait(store: RedisLike) -> None:
    lock = QueueLock(store, settings_for(None), wait_s=0.2)
    waiters, alive, _ = keys.queue_line(USER, "disc")
    async with lock(USER, "disc"):
        started = time.monotonic()
        with pytest.raises(QueueBusy, match="the queue is busy: 1 write came first") as caught:
            async with lock(USER, "disc"):
                pass
        assert time.monotonic() - started >= 0.2
        assert caught.value.status == 503
        assert caught.value.headers["Retry-After"] == "1"
        # The impatient writer left the line: it blocks nobody behind it.
        assert await store.zcard(waiters) == 0
        assert await store.zcard(alive) == 0


async def test_writers_take_turns_in_arrival_order(store: RedisLike) -> None:
    lock = QueueLock(store, settings_for(None), wait_s=10.0)
    waiters, _, _ = keys.queue_line(USER, "disc")
    order: list[int] = []

    async def writer(number: int) -> None:
        async with lock(USER, "disc"):
            order.append(number)
            await asyncio.sleep(0.005)

    tasks = []
    async with lock(USER, "disc"):
        for number in range(8):
            tasks.append(asyncio.create_task(writer(number)))
            while await store.zcard(waiters) < number + 1:  # noqa: ASYNC110 - polls Redis
                await asyncio.sleep(0.002)  # until this writer holds its ticket
    await asyncio.gather(*tasks)
    assert order == list(range(8))


async def test_a_vanished_waiter_loses_its_turn(store: RedisLike) -> None:
    waiters, alive, _ = keys.queue_line(USER, "disc")
    # A waiter ahead of everyone (ticket 0) whose process died: its heartbeat lapses soon.
    await store.zadd(waiters, {"dead waiter": 0})
    (seconds, micros) = await store.time()
    await store.zadd(alive, {"dead waiter": seconds * 1000 + micros // 1000 + 300})
    lock = QueueLock(store, settings_for(None), wait_s=10.0)
    async with lock(USER, "disc") as lease:
        assert await lease.held()
    assert await store.zscore(waiters, "dead waiter") is None


async def test_lock_expires_if_its_holder_vanishes(store: RedisLike) -> None:
    lock = QueueLock(store, settings_for(None, queue_lock_ttl_s=0.2), wait_s=1.0)
    await store.set(keys.queue_lock(USER, "disc"), b"a dead holder", px=200)
    async with lock(USER, "disc") as lease:
        assert await lease.held()


async def test_only_the_owner_releases(store: RedisLike) -> None:
    lock = QueueLock(store, settings_for(None, queue_lock_ttl_s=0.2))
    key = keys.queue_lock(USER, "disc")
    async with lock(USER, "disc") as lease:
        await asyncio.sleep(0.3)  # our lease expires...
        assert not await lease.held()
        await store.set(key, b"the next holder", px=5000)  # ...and someone else takes it
        assert not await lease.extend()
    assert await store.get(key) == b"the next holder"


async def test_lease_can_be_extended(store: RedisLike) -> None:
    lock = QueueLock(store, settings_for(None, queue_lock_ttl_s=0.3))
    async with lock(USER, "disc") as lease:
        await asyncio.sleep(0.2)
        assert await lease.extend()
        await asyncio.sleep(0.2)
        assert await lease.held()
    assert await store.exists(keys.queue_lock(USER, "disc")) == 0


async def test_lock_needs_the_store(down_store: RedisLike) -> None:
    with pytest.raises(StoreUnavailable):
        async with QueueLock(down_store, settings_for(None))(USER, "disc"):
            pass


_CHILD = textwrap.dedent("""
    import asyncio, json, sys
    from service.settings import Settings
    from service.store import keys
    from service.store.locks import QueueLock
    from service.store.redis import connect

    URL, CLUSTER, USER = sys.argv[1], sys.argv[2] == "1", sys.argv[3]

    async def main() -> None:
        settings = Settings(redis_url=URL, redis_cluster=CLUSTER,
                            token_encryption_key=sys.argv[4])
        redis = connect(settings)
        lock = QueueLock(redis, settings)
        # Same slot as the lock, so the checks below work in a cluster too.
        tag = keys.queue_etag(USER, "disc")
        counter, inside = tag + ":counter", tag + ":inside"
        await redis.incr(tag + ":ready")
        while not await redis.exists(tag + ":go"):
            await asyncio.sleep(0.005)
        overlaps = 0
        for _ in range(10):
            async with lock(USER, "disc"):
                if await redis.incr(inside) != 1:
                    overlaps += 1
                value = int(await redis.get(counter) or 0)  # read-modify-write, unprotected
                await asyncio.sleep(0.002)
                await redis.set(counter, value + 1)
                await redis.decr(inside)
        print(json.dumps({"overlaps": overlaps}))
        await redis.aclose()

    asyncio.run(main())
""")


@pytest.mark.parametrize("backend", ["redis", "cluster"])
async def test_lock_excludes_writers_in_other_processes(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = store_url(backend, request)
    assert url is not None
    redis = connect(settings_for(url, cluster=backend == "cluster"))
    await flush(redis)
    tag = keys.queue_etag(USER, "disc")
    args = [url, "1" if backend == "cluster" else "0", USER, TEST_FERNET_KEY]
    try:
        outputs = await run_released_children(redis, _CHILD, args, tag, wait_s=60)
        assert [json.loads(out)["overlaps"] for out in outputs] == [0, 0, 0, 0]
        assert int(await redis.get(tag + ":counter") or 0) == 4 * 10  # no lost update
    finally:
        await redis.aclose()
