"""A Redis that accepts connections but never answers: the breaker keeps requests off it.

The store is a loopback socket that listens and never reads (`tests.support.black_hole`);
counting the connections made to it tells whether a request touched Redis at all.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from emulator import create_emulator
from service.app import create_app
from service.errors import StoreUnavailable
from service.netflix.client import AccessToken
from service.settings import Settings
from service.store import keys
from service.store.breaker import Breaker
from service.store.budget import UpstreamBudget
from service.store.cache import ResponseCache
from service.store.etags import EtagStore
from service.store.locks import QueueLock
from service.store.redis import RedisLike, connect
from service.store.sessions import RequestTokenStore, SessionStore
from tests.support.black_hole import BlackHole, black_hole
from tests.support.clock import ManualClock
from tests.support.emulator_client import upstream_config
from tests.support.proxy import CATALOG_SIZE, PROXY_BASE, UPSTREAM_BASE, CountingTransport
from tests.support.store_backends import TEST_FERNET_KEY, settings_for

pytestmark = pytest.mark.integration

TIMEOUT_S = 0.1
WINDOW_S = 2.0
KEY = keys.catalog("titles.search", term="Matrix", start_index=0, page_size=25)


@pytest.fixture
def hole() -> Iterator[BlackHole]:
    with black_hole() as opened:
        yield opened


@dataclass
class Stores:
    settings: Settings
    redis: RedisLike
    breaker: Breaker
    clock: ManualClock


@pytest.fixture
async def stores(hole: BlackHole) -> AsyncIterator[Stores]:
    """A client of the black hole and a breaker on a fake clock, left open by one failure."""
    settings = settings_for(hole.url, redis_timeout_s=TIMEOUT_S, redis_retry_after_s=WINDOW_S)
    client = connect(settings)
    clock = ManualClock()
    breaker = Breaker(settings.redis_retry_after_s, clock=clock)
    try:
        yield Stores(settings, client, breaker, clock)
    finally:
        await client.aclose()


async def test_cache_reads_skip_redis_within_the_window_then_probe_it(
    hole: BlackHole, stores: Stores
) -> None:
    cache = ResponseCache(stores.redis, stores.settings, breaker=stores.breaker)
    fetched: list[int] = []

    async def fetch() -> bytes:
        fetched.append(1)
        return b"direct"

    first = await cache.get_or_fetch(KEY, 60, fetch)
    assert (first.status, first.body) == ("BYPASS", b"direct")
    after_failure = hole.connections()
    assert after_failure >= 1
    for _ in range(5):
        stores.clock.advance(WINDOW_S / 10)
        result = await cache.get_or_fetch(KEY, 60, fetch)
        assert (result.status, result.body) == ("BYPASS", b"direct")
    assert hole.connections() == after_failure  # Redis untouched within the window
    assert len(fetched) == 6

    stores.clock.advance(WINDOW_S)
    probed = await cache.get_or_fetch(KEY, 60, fetch)
    assert probed.status == "BYPASS"
    after_probe = hole.connections()
    assert after_probe > after_failure  # the window passed: Redis was tried again
    await cache.get_or_fetch(KEY, 60, fetch)
    assert hole.connections() == after_probe  # the failed probe opened a new window


async def test_what_needs_redis_fails_fast_while_open(hole: BlackHole, stores: Stores) -> None:
    settings, redis, breaker = stores.settings, stores.redis, stores.breaker
    sessions = SessionStore(redis, settings, breaker=breaker)
    with pytest.raises(StoreUnavailable):
        await sessions.resolve(secrets.token_urlsafe(32))
    opened = hole.connections()
    assert opened >= 1
    pending = RequestTokenStore(redis, settings, breaker=breaker)
    etags = EtagStore(redis, settings, breaker=breaker)
    attempts = [
        sessions.create("user-1", AccessToken("token", "secret")),
        sessions.revoke(secrets.token_urlsafe(32)),
        pending.put("rt-1", "secret", 60),
        pending.pop("rt-1"),
        etags.get("user-1", "disc"),
        etags.set("user-1", "disc", "etag-1"),
    ]
    for attempt in attempts:
        with pytest.raises(StoreUnavailable) as refused:
            await attempt
        assert refused.value.status == 503
        assert refused.value.headers["Retry-After"] == "2"
    with pytest.raises(StoreUnavailable):
        async with QueueLock(redis, settings, breaker=breaker)("user-1", "disc"):
            pytest.fail("the lock cannot be held without Redis")
    throttle = UpstreamBudget(redis, settings, breaker=breaker)
    assert await throttle.reserve(consumer_key="key", access_token="token") == 0.0  # fail open
    assert hole.connections() == opened


async def test_the_proxy_answers_bypass_and_503_without_touching_redis(hole: BlackHole) -> None:
    """The app's own client, pointed at the black hole; the window is real time here."""
    settings = Settings(
        upstream_base_url=UPSTREAM_BASE,
        public_url=PROXY_BASE,
        redis_url=hole.url,
        token_encryption_key=TEST_FERNET_KEY,
        redis_timeout_s=TIMEOUT_S,
        redis_retry_after_s=WINDOW_S,
        front_cache_ttl_s=0,  # every read reaches the Redis tier
    )
    emulator = create_emulator(upstream_config(catalog_size=CATALOG_SIZE))
    upstream = CountingTransport(httpx.ASGITransport(app=emulator))
    app = create_app(settings, upstream_transport=upstream)
    _, token, secret = emulator.state.context.oauth.demo_tokens()[0]
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PROXY_BASE) as client,
    ):

        async def search(term: str) -> httpx.Response:
            answer = await client.get("/v1/titles", params={"term": term})
            assert answer.status_code == 200, answer.text
            assert answer.headers["x-cache"] == "BYPASS"
            return answer

        await search("Jurassic Park")
        after_failure = hole.connections()
        assert after_failure >= 1
        for term in ("Matrix", "Jurassic", "Alien", "Jurassic Park"):
            await search(term)
        assert hole.connections() == after_failure
        assert upstream.calls_to("/catalog/titles") == 5

        upstream_calls = len(upstream.requests)
        imported = await client.post(
            "/v1/auth/import", json={"access_token": token, "access_token_secret": secret}
        )
        started = await client.post("/v1/auth/start")
        assert started.status_code == 503, started.text
        assert len(upstream.requests) == upstream_calls  # no upstream call spent for nothing
        assert imported.status_code == 503, imported.text
        assert imported.json()["type"].endswith("/store-unavailable")
        assert int(imported.headers["retry-after"]) >= 1
        write = await client.post(
            "/v1/me/queues/disc/entries",
            json={"title": "movies/60020435"},
            headers={"Authorization": f"Bearer {secrets.token_urlsafe(32)}"},
        )
        assert write.status_code == 503, write.text
        assert hole.connections() == after_failure  # no Redis round trip for either

        await asyncio.sleep(WINDOW_S + 0.2)
        await search("Matrix")
        assert hole.connections() > after_failure  # probed again after the window
