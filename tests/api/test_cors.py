"""CORS: allowed origins get preflights and readable answers; other origins get nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from service.cors import ALLOWED_HEADERS, EXPOSED_HEADERS
from tests.support.proxy import Proxy, running_proxy

ALLOWED = "https://spa.example"
FOREIGN = "https://evil.example"
SEARCH = "/v1/titles?term=Jurassic%20Park"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, cors_origins=[ALLOWED, "http://localhost:5173"]) as running:
        yield running


def cors_headers(answer: httpx.Response) -> dict[str, str]:
    return {
        name.lower(): value
        for name, value in answer.headers.items()
        if name.lower().startswith("access-control-")
    }


def listed(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",")}


def assert_readable_by(answer: httpx.Response, origin: str) -> None:
    assert answer.headers["access-control-allow-origin"] == origin
    assert listed(answer.headers["access-control-expose-headers"]) == {
        name.lower() for name in EXPOSED_HEADERS
    }
    assert "origin" in listed(answer.headers["vary"])
    assert "access-control-allow-credentials" not in answer.headers


def preflight(origin: str, method: str, headers: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


async def test_a_preflight_on_a_user_route_is_answered_without_a_session(proxy: Proxy) -> None:
    answer = await proxy.client.options(
        "/v1/me/queues/disc/order",
        headers=preflight(ALLOWED, "PUT", "authorization,content-type,idempotency-key"),
    )
    assert answer.status_code == 204, answer.text
    assert answer.headers["access-control-allow-origin"] == ALLOWED
    assert {"put", "post", "patch", "delete", "get"} <= listed(
        answer.headers["access-control-allow-methods"]
    )
    assert listed(answer.headers["access-control-allow-headers"]) == {
        name.lower() for name in ALLOWED_HEADERS
    }
    assert {"authorization", "content-type", "idempotency-key", "if-none-match"} <= listed(
        answer.headers["access-control-allow-headers"]
    )
    assert int(answer.headers["access-control-max-age"]) > 0
    assert proxy.upstream.requests == []


async def test_answers_to_an_allowed_origin_are_readable(proxy: Proxy) -> None:
    found = await proxy.client.get(SEARCH, headers={"Origin": ALLOWED})
    assert found.status_code == 200, found.text
    assert_readable_by(found, ALLOWED)
    other = await proxy.client.get(SEARCH, headers={"Origin": "http://localhost:5173"})
    assert_readable_by(other, "http://localhost:5173")


async def test_front_tier_hits_are_readable_too(proxy: Proxy) -> None:
    await proxy.client.get(SEARCH)
    calls = len(proxy.upstream.requests)
    assert len(proxy.app.state.runtime.front) > 0
    hit = await proxy.client.get(SEARCH, headers={"Origin": ALLOWED})
    assert hit.headers["x-cache"] == "HIT"
    assert len(proxy.upstream.requests) == calls
    assert_readable_by(hit, ALLOWED)


async def test_hits_without_an_origin_still_vary_on_it(proxy: Proxy) -> None:
    await proxy.client.get(SEARCH)
    hit = await proxy.client.get(SEARCH)  # answered before the CORS layer
    assert hit.headers["x-cache"] == "HIT"
    assert "access-control-allow-origin" not in hit.headers
    assert hit.headers["vary"] == "Origin"


async def test_error_answers_are_readable_too(proxy: Proxy) -> None:
    no_session = await proxy.client.get("/v1/me", headers={"Origin": ALLOWED})
    assert no_session.status_code == 401
    assert no_session.headers["content-type"].startswith("application/problem+json")
    assert_readable_by(no_session, ALLOWED)
    invalid = await proxy.client.get("/v1/titles?term=", headers={"Origin": ALLOWED})
    assert invalid.status_code == 422
    assert_readable_by(invalid, ALLOWED)


async def test_a_foreign_origin_gets_no_cors_header(proxy: Proxy) -> None:
    found = await proxy.client.get(SEARCH, headers={"Origin": FOREIGN})
    assert found.status_code == 200
    assert cors_headers(found) == {}
    flight = await proxy.client.options(
        "/v1/me", headers=preflight(FOREIGN, "GET", "authorization")
    )
    assert cors_headers(flight) == {}
    assert flight.status_code != 204
    lookalike = await proxy.client.get(SEARCH, headers={"Origin": f"{ALLOWED}.evil.example"})
    assert cors_headers(lookalike) == {}


async def test_no_origin_is_allowed_by_default(redis_url: str) -> None:
    async with running_proxy(redis_url) as proxy:
        found = await proxy.client.get(SEARCH, headers={"Origin": ALLOWED})
        flight = await proxy.client.options(
            "/v1/me", headers=preflight(ALLOWED, "GET", "authorization")
        )
    assert found.status_code == 200
    assert cors_headers(found) == {}
    assert cors_headers(flight) == {}
