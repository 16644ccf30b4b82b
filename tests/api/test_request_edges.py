"""The request edges in-process: body size and time limits, and whose X-Forwarded-For counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from tests.support.proxy import PROXY_BASE, Proxy, running_proxy

MAX_BODY = 1024
CHUNK = b"x" * 256
SIGN_IN_LIMIT = 3
PROXY_NETWORK = "10.0.0.0/8"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(
        redis_url,
        max_body_bytes=MAX_BODY,
        body_timeout_s=0.5,
        signin_per_minute=SIGN_IN_LIMIT,
        trusted_proxies=[PROXY_NETWORK, "192.0.2.7"],
    ) as running:
        yield running


class CountingBody:
    """A request body that streams `chunks` chunks and counts how many the server pulled."""

    def __init__(self, chunks: int, pause_s: float = 0.0) -> None:
        self.chunks = chunks
        self.pause_s = pause_s
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            if self.pause_s:
                await asyncio.sleep(self.pause_s)
            self.pulled += 1
            yield CHUNK


def assert_problem(answer: httpx.Response, status: int, slug: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith(f"/{slug}")
    assert answer.headers["connection"] == "close"


async def test_a_declared_oversized_body_is_refused_before_it_is_read(proxy: Proxy) -> None:
    body = CountingBody(chunks=400)  # 100 KiB
    answer = await proxy.client.post(
        "/v1/auth/import",
        content=body,
        headers={"Content-Type": "application/json", "Content-Length": str(400 * len(CHUNK))},
    )
    assert_problem(answer, 413, "payload-too-large")
    assert str(MAX_BODY) in answer.json()["detail"]
    assert body.pulled == 0
    assert answer.headers["cache-control"] == "no-store"  # an /v1/auth answer like any other
    assert proxy.upstream.requests == []


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(proxy: Proxy) -> None:
    body = CountingBody(chunks=400)
    answer = await proxy.client.post(
        "/v1/admin/cache/purge", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(answer, 413, "payload-too-large")
    assert body.pulled <= MAX_BODY // len(CHUNK) + 1


async def test_a_body_within_the_limit_still_reaches_the_route(proxy: Proxy) -> None:
    _, token, secret = proxy.demo_tokens()[0]
    answer = await proxy.client.post(
        "/v1/auth/import", json={"access_token": token, "access_token_secret": secret}
    )
    assert answer.status_code == 200, answer.text


async def test_a_trickled_body_is_cut_off_with_408(proxy: Proxy) -> None:
    body = CountingBody(chunks=3, pause_s=0.4)  # small, but slower than the 0.5 s allowed
    answer = await proxy.client.post(
        "/v1/auth/import", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(answer, 408, "request-timeout")
    assert body.pulled < 3


@asynccontextmanager
async def client_at(proxy: Proxy, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests reach the app from this peer address (no network)."""
    transport = httpx.ASGITransport(app=proxy.app, client=(address, 1234))
    async with httpx.AsyncClient(transport=transport, base_url=PROXY_BASE) as client:
        yield client


async def start(client: httpx.AsyncClient, forwarded_for: str) -> int:
    answer = await client.post("/v1/auth/start", headers={"X-Forwarded-For": forwarded_for})
    return answer.status_code


async def test_rotating_x_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(
    proxy: Proxy,
) -> None:
    async with client_at(proxy, "203.0.113.5") as client:
        statuses = [await start(client, f"198.51.100.{n}") for n in range(SIGN_IN_LIMIT + 2)]
    assert statuses == [200] * SIGN_IN_LIMIT + [429, 429]


async def test_a_trusted_proxys_x_forwarded_for_names_the_client(proxy: Proxy) -> None:
    async with client_at(proxy, "10.1.2.3") as balancer:
        first = [await start(balancer, "198.51.100.1") for _ in range(SIGN_IN_LIMIT + 1)]
        # Another client behind the same balancer has its own budget.
        assert await start(balancer, "198.51.100.2") == 200
        # A forged left part does not help: the rightmost untrusted hop is the client.
        assert await start(balancer, "6.6.6.6, 198.51.100.1") == 429
        # Through a chain of trusted proxies, the client is still the first untrusted hop.
        assert await start(balancer, "198.51.100.1, 192.0.2.7") == 429
    assert first == [200] * SIGN_IN_LIMIT + [429]
