"""The catalog edge: cache hits answered before every other layer, the same as the stack would."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from service import catalog_reads, edge
from service.store.cache import CacheEntry, decode_entry
from service.store.redis import as_bytes
from tests.support.metrics import Samples, scrape, value
from tests.support.proxy import Proxy, running_proxy

TITLE = "/v1/titles/movies/60020435"
SEARCH = "/v1/titles?term=jurassic"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url) as running:
        yield running


@pytest.fixture
async def redis_only(redis_url: str) -> AsyncIterator[Proxy]:
    """The front tier off: hits come from Redis."""
    async with running_proxy(redis_url, front_cache_ttl_s=0) as running:
        yield running


def cache_count(samples: Samples, tier: str, outcome: str) -> float:
    return value(samples, "nfx_cache_lookups_total", tier=tier, outcome=outcome)


async def test_a_front_hit_is_the_same_answer_as_the_miss(
    proxy: Proxy, request_log: io.StringIO
) -> None:
    miss = await proxy.client.get(SEARCH)
    hit = await proxy.client.get(SEARCH, headers={"X-Request-ID": "edge-1"})
    assert (miss.headers["x-cache"], hit.headers["x-cache"]) == ("MISS", "HIT")
    assert hit.content == miss.content
    assert hit.headers["content-type"] == "application/json"
    assert int(hit.headers["content-length"]) == len(miss.content)
    assert int(hit.headers["age"]) >= 0
    assert hit.headers["x-request-id"] == "edge-1"
    line = json.loads(request_log.getvalue().splitlines()[-1])
    assert (line["route"], line["status"], line["cache"]) == ("/v1/titles", 200, "HIT")
    assert line["request_id"] == "edge-1"


async def test_a_redis_hit_is_answered_at_the_edge_and_counted(redis_only: Proxy) -> None:
    miss = await redis_only.client.get(TITLE)
    calls = len(redis_only.upstream.requests)
    before = await scrape(redis_only)
    hit = await redis_only.client.get(TITLE)
    after = await scrape(redis_only)
    assert (miss.headers["x-cache"], hit.headers["x-cache"]) == ("MISS", "HIT")
    assert hit.content == miss.content
    assert hit.headers["x-request-id"]
    assert len(redis_only.upstream.requests) == calls
    assert cache_count(after, "redis", "HIT") == cache_count(before, "redis", "HIT") + 1
    # The front tier is off: nothing counted for it, nothing kept in it.
    assert cache_count(after, "front", "MISS") == cache_count(before, "front", "MISS")
    assert len(redis_only.app.state.runtime.front) == 0


async def test_a_stale_redis_entry_goes_to_the_router(redis_only: Proxy) -> None:
    await redis_only.client.get(TITLE)
    store: Redis = redis_only.redis
    key = catalog_reads.GET_TITLE.key(kind="movies", title_id=60020435)
    entry = decode_entry(as_bytes(await store.get(key)))
    assert isinstance(entry, CacheEntry)
    ttl = catalog_reads.GET_TITLE.ttl_s(redis_only.settings)
    old = int((entry.fetched_at - ttl - 1) * 1000).to_bytes(8, "big")
    await store.set(key, old + entry.body)
    calls = len(redis_only.upstream.requests)
    again = await redis_only.client.get(TITLE)
    assert again.headers["x-cache"] == "MISS"
    assert len(redis_only.upstream.requests) > calls


async def test_a_store_that_fails_leaves_the_answer_to_the_router(redis_only: Proxy) -> None:
    await redis_only.client.get(TITLE)
    await redis_only.redis.aclose()
    runtime = redis_only.app.state.runtime
    broken = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    object.__setattr__(runtime, "redis", broken)
    object.__setattr__(runtime.cache, "_redis", broken)
    runtime.batched_get._redis = broken
    try:
        answer = await redis_only.client.get(TITLE)
    finally:
        await broken.aclose()
    assert answer.status_code == 200
    assert answer.headers["x-cache"] == "BYPASS"


async def test_a_store_error_reply_leaves_the_answer_to_the_router(
    redis_only: Proxy, redis_url: str
) -> None:
    await redis_only.client.get(TITLE)
    user = f"edge-nomget-{uuid.uuid4().hex[:8]}"
    await redis_only.redis.acl_setuser(
        user, enabled=True, nopass=True, keys=["*"], commands=["+@all", "-mget"]
    )
    refused = Redis.from_url(redis_url, username=user)
    runtime = redis_only.app.state.runtime
    kept = runtime.batched_get._redis
    runtime.batched_get._redis = refused  # its MGET is answered with a NOPERM error reply
    try:
        answer = await redis_only.client.get(TITLE, headers={"X-Request-ID": "edge-2"})
    finally:
        runtime.batched_get._redis = kept
        await refused.aclose()
        await redis_only.redis.acl_deluser(user)
    # The full stack answered it, with its own request handling.
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == "edge-2"
    assert answer.headers["x-cache"] == "HIT"


async def test_the_first_of_repeated_request_ids_is_echoed(proxy: Proxy) -> None:
    await proxy.client.get(SEARCH)
    hit = await proxy.client.get(
        SEARCH, headers=[("X-Request-ID", "first-id"), ("X-Request-ID", "second-id")]
    )
    assert hit.headers["x-cache"] == "HIT"
    assert hit.headers["x-request-id"] == "first-id"


async def test_requests_the_edge_leaves_alone_still_hit_inside(proxy: Proxy) -> None:
    await proxy.client.get(SEARCH)
    with_body = await proxy.client.request(
        "GET", SEARCH, content=b"x", headers={"Content-Type": "text/plain"}
    )
    assert with_body.headers["x-cache"] == "HIT"  # the front layer inside answered
    assert with_body.headers["x-request-id"]
    signed = await proxy.client.get(SEARCH, headers={"Authorization": "Bearer nope"})
    assert signed.headers["x-cache"] == "HIT"
    await proxy.client.get(TITLE)
    head = await proxy.client.head(TITLE)
    assert (head.status_code, head.headers["x-cache"], head.content) == (200, "HIT", b"")
    revalidated = await proxy.client.get(TITLE, headers={"If-None-Match": head.headers["etag"]})
    assert (revalidated.status_code, revalidated.headers["x-cache"]) == (304, "HIT")


async def test_the_memo_of_recognized_requests_stays_bounded(proxy: Proxy) -> None:
    layer = proxy.app.edge  # type: ignore[attr-defined]
    assert isinstance(layer, edge.CatalogEdge)
    for number in range(edge._MEMO_SIZE + 5):
        layer._recognize("/v1/people", f"term=p{number}".encode())
    assert 0 < len(layer._memo) <= edge._MEMO_SIZE
