"""The per-client budget of the anonymous sign-in endpoints, over a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from service.store import keys
from service.store.budget import client_id
from tests.support.proxy import PROXY_BASE, Proxy, log_in_at_emulator, path_and_query, running_proxy

LIMIT = 3


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, signin_per_minute=LIMIT) as running:
        yield running


@asynccontextmanager
async def client_at(proxy: Proxy, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests reach the app with this ASGI `client` address (no network)."""
    transport = httpx.ASGITransport(app=proxy.app, client=(address, 1234))
    async with httpx.AsyncClient(transport=transport, base_url=PROXY_BASE) as client:
        yield client


def assert_limited(answer: httpx.Response) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("/rate-limited")
    # The oldest call counted leaves the sliding minute within 60 s.
    assert 1 <= int(answer.headers["retry-after"]) <= 60
    assert f'"signin";q={LIMIT};w=60' in answer.headers["ratelimit-policy"]
    assert '"signin";r=0;t=' in answer.headers["ratelimit"]


async def test_a_client_past_its_limit_gets_429_before_any_upstream_call(proxy: Proxy) -> None:
    for _ in range(LIMIT):
        assert (await proxy.client.post("/v1/auth/start")).status_code == 200
    calls = len(proxy.upstream.requests)
    assert proxy.upstream.calls_to("/oauth/request_token") == LIMIT
    assert_limited(await proxy.client.post("/v1/auth/start"))
    assert_limited(await proxy.client.get("/v1/auth/start", params={"redirect": "true"}))
    _, token, secret = proxy.demo_tokens()[0]
    body = {"access_token": token, "access_token_secret": secret}
    assert_limited(await proxy.client.post("/v1/auth/import", json=body))
    assert_limited(await proxy.client.get("/v1/auth/callback", params={"oauth_token": "x"}))
    assert len(proxy.upstream.requests) == calls


async def test_other_addresses_and_catalog_reads_are_unaffected(proxy: Proxy) -> None:
    async with client_at(proxy, "10.1.2.3") as first, client_at(proxy, "10.1.2.4") as second:
        for _ in range(LIMIT):
            assert (await first.post("/v1/auth/start")).status_code == 200
        assert_limited(await first.post("/v1/auth/start"))
        assert (await second.post("/v1/auth/start")).status_code == 200
        catalog = await first.get("/v1/titles", params={"term": "the"})
        assert catalog.status_code == 200, catalog.text
    assert (await proxy.client.post("/v1/auth/start")).status_code == 200


async def test_one_ipv6_line_shares_one_budget(proxy: Proxy) -> None:
    for host in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"):
        async with client_at(proxy, host) as client:
            assert (await client.post("/v1/auth/start")).status_code == 200
    async with client_at(proxy, "2001:db8:1:2::99") as same_line:
        assert_limited(await same_line.post("/v1/auth/start"))
    async with client_at(proxy, "2001:db8:1:3::1") as other_line:
        assert (await other_line.post("/v1/auth/start")).status_code == 200


async def test_a_refused_callback_keeps_the_sign_in_open(proxy: Proxy) -> None:
    link = (await proxy.client.post("/v1/auth/start")).json()
    callback = path_and_query(await log_in_at_emulator(proxy, link["login_url"]))
    for _ in range(LIMIT - 1):
        assert (await proxy.client.post("/v1/auth/start")).status_code == 200
    assert_limited(await proxy.client.get(callback))
    async with client_at(proxy, "10.9.9.9") as elsewhere:
        finished = await elsewhere.get(callback)
    assert finished.status_code == 200, finished.text


async def test_the_client_address_never_appears_in_redis(proxy: Proxy) -> None:
    async with client_at(proxy, "203.0.113.77") as client:
        assert (await client.post("/v1/auth/start")).status_code == 200
    stored = [key.decode() async for key in proxy.redis.scan_iter()]
    assert keys.sign_in_budget(client_id("203.0.113.77")).log in stored
    assert not [key for key in stored if "203.0.113" in key]


async def test_zero_disables_the_limit(redis_url: str) -> None:
    async with running_proxy(redis_url, signin_per_minute=0) as proxy:
        for _ in range(25):  # more than the default of 20
            assert (await proxy.client.post("/v1/auth/start")).status_code == 200
        assert proxy.upstream.calls_to("/oauth/request_token") == 25


async def test_the_default_limit_is_twenty_a_minute(redis_url: str) -> None:
    async with running_proxy(redis_url) as proxy:
        for _ in range(20):
            assert (await proxy.client.post("/v1/auth/start")).status_code == 200
        assert (await proxy.client.post("/v1/auth/start")).status_code == 429
