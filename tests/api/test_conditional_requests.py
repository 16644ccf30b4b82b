"""ETag, If-None-Match, HEAD and Link on JSON reads: routed answers and front-tier hits alike."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.proxy import Proxy, running_proxy

SEARCH = "/v1/titles?term=the&page_size=5"


@pytest.fixture(params=["front", "routed"])
async def proxy(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[Proxy]:
    """A proxy whose repeated catalog reads are front-tier hits, or go through the routers."""
    ttl = 30.0 if request.param == "front" else 0.0
    async with running_proxy(redis_url, front_cache_ttl_s=ttl, budget_user_per_s=200.0) as running:
        yield running


@pytest.fixture
async def plain(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=200.0) as running:
        yield running


async def _cached(proxy: Proxy, path: str) -> httpx.Response:
    """A repeated read, answered by the tier under test (front or Redis)."""
    first = await proxy.client.get(path)
    assert first.status_code == 200, first.text
    if proxy.settings.front_cache_ttl_s > 0:
        await proxy.redis.flushdb()  # only the in-process tier can answer now
    again = await proxy.client.get(path)
    assert again.headers["x-cache"] == "HIT"
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]  # the body's, whichever tier
    return again


async def test_json_reads_carry_a_strong_etag_and_304_when_it_matches(proxy: Proxy) -> None:
    hit = await _cached(proxy, SEARCH)
    etag = hit.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    for condition in (etag, f"W/{etag}", f'"other", {etag}', "*", f" {etag} ,"):
        answer = await proxy.client.get(SEARCH, headers={"If-None-Match": condition})
        assert answer.status_code == 304, condition
        assert answer.content == b""
        assert answer.headers["etag"] == etag
        assert answer.headers["x-cache"] == "HIT"
        assert "content-type" not in answer.headers
        assert "link" in answer.headers
    for condition in ('"other"', "W/", etag[:-2] + '"', "garbage"):
        answer = await proxy.client.get(SEARCH, headers={"If-None-Match": condition})
        assert answer.status_code == 200, condition
        assert answer.content == hit.content


async def test_head_answers_the_get_headers_without_the_body(proxy: Proxy) -> None:
    got = await _cached(proxy, SEARCH)
    head = await proxy.client.head(SEARCH)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    for name in ("etag", "content-type", "link", "x-cache"):
        assert head.headers[name] == got.headers[name], name
    head = await proxy.client.head(SEARCH, headers={"If-None-Match": got.headers["etag"]})
    assert head.status_code == 304


async def test_pages_link_to_the_next_previous_and_first_page(proxy: Proxy) -> None:
    hit = await _cached(proxy, "/v1/titles?term=the&page_size=5&start_index=7")
    links = {rel: target for target, rel in _links(hit.headers["link"])}
    assert links == {
        "next": "/v1/titles?term=the&page_size=5&start_index=12",
        "prev": "/v1/titles?term=the&page_size=5&start_index=2",
        "first": "/v1/titles?term=the&page_size=5&start_index=0",
    }
    first_page = await proxy.client.get(SEARCH)
    assert [rel for _, rel in _links(first_page.headers["link"])] == ["next"]


async def test_links_are_relative_whatever_the_host_header(plain: Proxy) -> None:
    answer = await plain.client.get(SEARCH, headers={"Host": "evil.example"})
    assert answer.status_code == 200
    assert "evil" not in answer.headers["link"]
    assert answer.headers["link"].startswith("</v1/titles?")


async def test_the_last_page_has_no_next_link(plain: Proxy) -> None:
    first = (await plain.client.get(SEARCH)).json()
    last = max(0, first["total"] - 2)
    answer = await plain.client.get(f"/v1/titles?term=the&page_size=5&start_index={last}")
    assert answer.json()["next"] is None
    assert [rel for _, rel in _links(answer.headers["link"])] == ["prev", "first"]


async def test_user_reads_are_conditional_and_stay_private(plain: Proxy) -> None:
    session, _ = await plain.sign_in()
    auth = {"Authorization": f"Bearer {session}"}
    for path in ("/v1/me", "/v1/me/home?sections=profile", "/v1/me/queues/disc"):
        answer = await plain.client.get(path, headers=auth)
        assert answer.status_code == 200, answer.text
        same = await plain.client.get(
            path, headers={**auth, "If-None-Match": answer.headers["etag"]}
        )
        assert same.status_code == 304, path
        assert same.content == b""
        assert same.headers["cache-control"] == "private, no-cache"
        assert same.headers["etag"] == answer.headers["etag"]
        head = await plain.client.head(path, headers=auth)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(answer.content))
    recommended = await plain.client.get("/v1/me/recommendations?page_size=3", headers=auth)
    assert _links(recommended.headers["link"])[0] == (
        "/v1/me/recommendations?page_size=3&start_index=3",
        "next",
    )


async def test_errors_writes_and_streams_carry_no_etag(plain: Proxy) -> None:
    missing = await plain.client.get("/v1/titles/movies/1")
    assert missing.status_code == 404 and "etag" not in missing.headers
    head_missing = await plain.client.head("/v1/titles/movies/1")
    assert head_missing.status_code == 404 and head_missing.content == b""
    stream = await plain.client.get("/v1/catalog/index")
    assert stream.status_code == 200 and "etag" not in stream.headers
    assert stream.content.count(b"\n") > 100
    head_stream = await plain.client.head("/v1/catalog/index")
    assert head_stream.status_code == 200
    assert head_stream.content == b""
    assert head_stream.headers["content-type"].startswith("application/x-ndjson")
    session, _ = await plain.sign_in()
    out = await plain.client.post(
        "/v1/auth/sign-out", headers={"Authorization": f"Bearer {session}"}
    )
    assert out.status_code == 204 and "etag" not in out.headers
    head_post_only = await plain.client.head("/v1/auth/sign-out")
    assert head_post_only.status_code == 405


def _links(value: str) -> list[tuple[str, str]]:
    """(target, rel) of each link of a Link header."""
    found = []
    for part in value.split(", <"):
        target, rel = part.split(">; rel=")
        found.append((target.lstrip("<"), rel.strip('"')))
    return found


async def test_sign_in_starts_are_not_conditional_reads(plain: Proxy) -> None:
    start = await plain.client.get("/v1/auth/start")
    assert start.status_code == 200, start.text
    assert "etag" not in start.headers
    again = await plain.client.get("/v1/auth/start", headers={"If-None-Match": "*"})
    assert again.status_code == 200 and again.json()["sign_in_id"] != start.json()["sign_in_id"]


async def test_the_openapi_document_declares_etag_link_and_304(plain: Proxy) -> None:
    document = (await plain.client.get("/openapi.json")).json()
    search = document["paths"]["/v1/titles"]["get"]["responses"]
    assert {"ETag", "Link"} <= set(search["200"]["headers"])
    assert "304" in search
    person = document["paths"]["/v1/people/{person_id}"]["get"]["responses"]
    assert "ETag" in person["200"]["headers"] and "Link" not in person["200"]["headers"]
    index = document["paths"]["/v1/catalog/index"]["get"]["responses"]
    assert "304" not in index and "ETag" not in index["200"].get("headers", {})
    assert "304" not in document["paths"]["/v1/auth/start"]["get"]["responses"]
