"""What operators see, in-process: `/metrics` moving with requests, request ids, the log line."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator

import pytest

from tests.support.metrics import Samples, parse, scrape, value
from tests.support.proxy import Proxy, running_proxy

JURASSIC_PARK = "movies/60020435"
TITLE = f"/v1/titles/{JURASSIC_PARK}"
TITLE_ROUTE = "/v1/titles/{kind}/{title_id}"
SEARCH = "/v1/titles?term=jurassic"
FORWARDED_CLIENT = "203.0.113.9"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, trusted_proxies=["127.0.0.1/32"]) as running:
        yield running


async def scrape_checked(proxy: Proxy) -> Samples:
    """`/metrics`, checked as a scrape target: text exposition, never cached."""
    answer = await proxy.client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["cache-control"] == "no-store"
    return parse(answer.text)


def cache(samples: Samples, tier: str, outcome: str) -> float:
    """A cache outcome's count."""
    return value(samples, "nfx_cache_lookups_total", tier=tier, outcome=outcome)


async def test_cache_and_upstream_counters_move_with_requests(proxy: Proxy) -> None:
    before = await scrape_checked(proxy)
    calls = len(proxy.upstream.requests)
    first = await proxy.client.get(TITLE)
    assert first.headers["x-cache"] == "MISS"
    made = len(proxy.upstream.requests) - calls
    assert made >= 1
    after_miss = await scrape(proxy)
    assert cache(after_miss, "front", "MISS") == cache(before, "front", "MISS") + 1
    assert cache(after_miss, "redis", "MISS") == cache(before, "redis", "MISS") + 1
    upstream = "nfx_upstream_request_duration_seconds_count"
    assert (
        value(after_miss, upstream, resource="title", status="200")
        == value(before, upstream, resource="title", status="200") + made
    )

    assert (await proxy.client.get(TITLE)).headers["x-cache"] == "HIT"  # the front tier
    after_front_hit = await scrape(proxy)
    assert cache(after_front_hit, "front", "HIT") == cache(after_miss, "front", "HIT") + 1
    assert cache(after_front_hit, "redis", "HIT") == cache(after_miss, "redis", "HIT")

    proxy.app.state.runtime.front.clear()
    assert (await proxy.client.get(TITLE)).headers["x-cache"] == "HIT"  # from Redis now
    after_redis_hit = await scrape(proxy)
    assert cache(after_redis_hit, "front", "MISS") == cache(after_front_hit, "front", "MISS") + 1
    assert cache(after_redis_hit, "redis", "HIT") == cache(after_front_hit, "redis", "HIT") + 1
    assert value(after_redis_hit, upstream, resource="title", status="200") == value(
        after_miss, upstream, resource="title", status="200"
    )


async def test_requests_are_counted_by_route_template_never_by_raw_path(proxy: Proxy) -> None:
    count = "nfx_http_request_duration_seconds_count"
    before = await scrape(proxy)
    for _ in range(2):  # a miss through the router, then a front-tier hit
        assert (await proxy.client.get(TITLE)).status_code == 200
    assert (await proxy.client.get("/v1/no/such/thing")).status_code == 404
    after = await scrape(proxy)
    title = {"method": "GET", "route": TITLE_ROUTE, "status": "200"}
    assert value(after, count, **title) == value(before, count, **title) + 2
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, count, **unmatched) == value(before, count, **unmatched) + 1
    routes = {dict(labels).get("route") for name, labels in after if name == count}
    assert not any(route and JURASSIC_PARK in route for route in routes)
    assert "/metrics" not in routes  # scrapes do not count themselves


async def test_a_given_request_id_is_echoed_on_a_404_problem_and_in_its_document(
    proxy: Proxy,
) -> None:
    answer = await proxy.client.get("/v1/no/such/thing", headers={"X-Request-ID": "edge:42.a_b-c"})
    assert answer.status_code == 404
    assert answer.headers["x-request-id"] == "edge:42.a_b-c"
    assert answer.json()["request_id"] == "edge:42.a_b-c"


@pytest.mark.parametrize("offered", [None, "has space", "x" * 129, "", "semi;colon"])
async def test_a_missing_or_unacceptable_request_id_is_replaced_by_a_fresh_one(
    proxy: Proxy, offered: str | None
) -> None:
    headers = {} if offered is None else {"X-Request-ID": offered}
    answer = await proxy.client.get("/v1/titles?term=", headers=headers)  # a 422 problem
    assert answer.status_code == 422
    made = answer.headers["x-request-id"]
    assert made != offered
    assert len(made) == 32 and int(made, 16) >= 0
    assert answer.json()["request_id"] == made
    again = await proxy.client.get("/v1/titles?term=", headers=headers)
    assert again.headers["x-request-id"] != made  # one per request


async def test_a_front_tier_hit_carries_a_request_id(proxy: Proxy) -> None:
    await proxy.client.get(TITLE)
    hit = await proxy.client.get(TITLE, headers={"X-Request-ID": "from-the-edge"})
    assert hit.headers["x-cache"] == "HIT"
    assert hit.headers["x-request-id"] == "from-the-edge"
    fresh = await proxy.client.get(TITLE)
    assert fresh.headers["x-cache"] == "HIT"
    assert len(fresh.headers["x-request-id"]) == 32


async def test_one_json_log_line_per_request_with_its_fields(
    proxy: Proxy, request_log: io.StringIO
) -> None:
    calls = len(proxy.upstream.requests)
    answer = await proxy.client.get(
        SEARCH, headers={"X-Request-ID": "log-line-1", "X-Forwarded-For": FORWARDED_CLIENT}
    )
    assert answer.status_code == 200
    made = len(proxy.upstream.requests) - calls
    hit = await proxy.client.get(SEARCH)
    assert hit.headers["x-cache"] == "HIT"
    first, second = (json.loads(line) for line in request_log.getvalue().splitlines())
    duration = first.pop("duration_ms")
    assert isinstance(duration, float) and duration >= 0
    first.pop("time")
    assert first == {
        "level": "INFO",
        "logger": "service.requests",
        "message": first["message"],
        "request_id": "log-line-1",
        "method": "GET",
        "route": "/v1/titles",
        "status": 200,
        "cache": "MISS",
        "upstream_calls": made,
        "client": FORWARDED_CLIENT,
    }
    assert made >= 1
    assert first["message"].startswith("GET /v1/titles 200 ")
    assert second["cache"] == "HIT" and second["upstream_calls"] == 0
    assert second["request_id"] == hit.headers["x-request-id"]
    assert second["client"] == "127.0.0.1"  # no X-Forwarded-For: the peer itself


async def test_sign_in_refusals_are_counted_by_scope(redis_url: str) -> None:
    refusals = "nfx_budget_refusals_total"
    async with running_proxy(redis_url, signin_per_minute=1) as proxy:
        before = await scrape(proxy)
        assert (await proxy.client.post("/v1/auth/start", json={})).status_code == 200
        assert (await proxy.client.post("/v1/auth/start", json={})).status_code == 429
        after = await scrape(proxy)
    assert value(after, refusals, scope="signin") == value(before, refusals, scope="signin") + 1
    assert value(after, refusals, scope="user") == value(before, refusals, scope="user")


async def test_budget_waits_are_counted_with_their_seconds(redis_url: str) -> None:
    waits, seconds = "nfx_budget_waits_total", "nfx_budget_wait_seconds_total"
    async with running_proxy(redis_url, budget_consumer_per_s=1) as proxy:
        before = await scrape(proxy)
        # Two uncached searches at once, one upstream call a second: the later one waits.
        answers = await asyncio.gather(
            *(proxy.client.get(f"/v1/titles?term={term}") for term in ("jurassic", "love"))
        )
        assert [answer.status_code for answer in answers] == [200] * 2
        after = await scrape(proxy)
    assert value(after, waits, scope="consumer") >= value(before, waits, scope="consumer") + 1
    assert value(after, seconds, scope="consumer") > value(before, seconds, scope="consumer")


async def test_a_cors_preflight_answered_before_routing_carries_a_request_id(
    redis_url: str,
) -> None:
    async with running_proxy(redis_url, cors_origins=["https://app.example"]) as proxy:
        answer = await proxy.client.options(
            "/v1/titles",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "GET",
                "X-Request-ID": "preflight-1",
            },
        )
    assert answer.status_code == 204
    assert answer.headers["x-request-id"] == "preflight-1"


async def test_subscriber_cache_lookups_are_counted_per_read(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    headers = {"Authorization": f"Bearer {session}"}
    before = await scrape(proxy)
    for _ in range(2):
        assert (await proxy.client.get("/v1/me/at-home", headers=headers)).status_code == 200
    # One home screen of two sections: one lookup each (at home is a hit by now).
    home = await proxy.client.get(
        "/v1/me/home", params={"sections": "at_home,profile"}, headers=headers
    )
    assert home.status_code == 200
    after = await scrape(proxy)
    assert cache(after, "user", "MISS") == cache(before, "user", "MISS") + 2
    assert cache(after, "user", "HIT") == cache(before, "user", "HIT") + 2
