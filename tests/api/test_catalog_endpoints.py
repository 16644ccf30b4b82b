"""Catalog endpoints against the in-process emulator, with a real Redis behind the cache."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from service.clock import Clock
from service.schemas.titles import IndexTitle
from tests.support.clock import ManualClock
from tests.support.proxy import Proxy, running_proxy
from tests.support.servers import free_port

JURASSIC_PARK = "movies/60020435"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url) as running:
        yield running


@pytest.fixture
async def proxy_without_front(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, front_cache_ttl_s=0) as running:
        yield running


async def test_search_finds_jurassic_park_with_a_page_shape(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/titles", params={"term": "Jurassic Park"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    page = answer.json()
    assert {"items", "total", "start_index", "page_size", "next"} <= set(page)
    assert page["start_index"] == 0
    ids = [item["id"] for item in page["items"]]
    assert JURASSIC_PARK in ids
    first = page["items"][ids.index(JURASSIC_PARK)]
    assert first["title"] == "Jurassic Park"
    assert first["release_year"] == 1993
    assert first["ref"].endswith("/catalog/titles/movies/60020435")
    assert first["cast_members"] is None  # not asked for


async def test_search_inlines_parts_asked_with_include(proxy: Proxy) -> None:
    answer = await proxy.client.get(
        "/v1/titles", params={"term": "jurassic park", "include": "synopsis,cast"}
    )
    assert answer.status_code == 200, answer.text
    item = next(i for i in answer.json()["items"] if i["id"] == JURASSIC_PARK)
    assert isinstance(item["cast_members"], list)
    assert item["synopsis_text"]


async def test_search_pages_follow_next(proxy: Proxy) -> None:
    first = (await proxy.client.get("/v1/titles", params={"term": "the", "page_size": 2})).json()
    assert len(first["items"]) == 2
    assert first["next"] == 2
    second = (
        await proxy.client.get(
            "/v1/titles", params={"term": "the", "page_size": 2, "start_index": 2}
        )
    ).json()
    assert second["start_index"] == 2
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})


async def test_first_read_is_a_miss_then_a_hit_with_age(proxy: Proxy) -> None:
    miss = await proxy.client.get("/v1/titles", params={"term": "Jurassic Park"})
    assert miss.headers["x-cache"] == "MISS"
    assert miss.headers["age"] == "0"
    hit = await proxy.client.get("/v1/titles", params={"term": "  JURASSIC   park "})
    assert hit.headers["x-cache"] == "HIT"
    assert int(hit.headers["age"]) >= 0
    assert hit.content == miss.content
    assert proxy.upstream.calls_to("/catalog/titles") == 1


async def test_redis_tier_hits_without_the_front_tier(proxy_without_front: Proxy) -> None:
    proxy = proxy_without_front
    await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}")
    hit = await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}")
    assert hit.headers["x-cache"] == "HIT"
    await proxy.redis.flushdb()
    again = await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}")
    assert again.headers["x-cache"] == "MISS"
    assert proxy.upstream.calls_to("/catalog/titles/movies/60020435") == 2


async def test_front_tier_answers_before_redis(proxy: Proxy) -> None:
    await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}", params={"include": "cast,synopsis"})
    await proxy.redis.flushdb()  # only the in-process tier still holds it
    hit = await proxy.client.get(
        f"/v1/titles/{JURASSIC_PARK}", params={"include": "synopsis,cast,cast"}
    )
    assert hit.status_code == 200
    assert hit.headers["x-cache"] == "HIT"
    assert hit.json()["id"] == JURASSIC_PARK
    assert proxy.upstream.calls_to("/catalog/titles/movies/60020435") == 1


async def test_front_tier_ignores_requests_with_credentials(proxy: Proxy) -> None:
    await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}")
    await proxy.redis.flushdb()
    answer = await proxy.client.get(
        f"/v1/titles/{JURASSIC_PARK}", headers={"Authorization": "Bearer whatever"}
    )
    assert answer.headers["x-cache"] == "MISS"


async def test_stale_copy_is_served_when_the_upstream_fails(redis_url: str) -> None:
    time = ManualClock()
    async with running_proxy(
        redis_url, clock=Clock(wall=time), front_cache_ttl_s=0, cache_ttl_people_s=60
    ) as proxy:
        fresh = await proxy.client.get("/v1/people", params={"term": "Spielberg"})
        assert fresh.status_code == 200
        assert fresh.headers["x-cache"] == "MISS"
        time.advance(61)  # past freshness, well inside the stale window
        proxy.upstream.down = True
        stale = await proxy.client.get("/v1/people", params={"term": "spielberg"})
        assert stale.status_code == 200, stale.text
        assert stale.headers["x-cache"] == "STALE"
        # By the clock the app was given (fetch times are stored to the millisecond).
        assert int(stale.headers["age"]) in (60, 61)
        assert stale.json() == fresh.json()


async def test_upstream_failure_without_a_copy_is_a_problem(proxy: Proxy) -> None:
    proxy.upstream.down = True
    answer = await proxy.client.get("/v1/titles", params={"term": "nothing cached"})
    assert answer.status_code == 502, answer.text  # unreachable, not slow
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == answer.status_code


async def test_bypass_when_redis_is_down(redis_url: str) -> None:
    dead = Redis.from_url(
        f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2, socket_timeout=0.2
    )
    async with running_proxy(redis_url, redis=dead) as proxy:
        answer = await proxy.client.get("/v1/titles", params={"term": "Jurassic Park"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-cache"] == "BYPASS"
        assert JURASSIC_PARK in [i["id"] for i in answer.json()["items"]]


async def test_concurrent_identical_misses_make_one_upstream_call(proxy: Proxy) -> None:
    answers = await asyncio.gather(
        *(proxy.client.get("/v1/titles", params={"term": "Jurassic"}) for _ in range(12))
    )
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert proxy.upstream.calls_to("/catalog/titles") == 1
    assert sorted(a.headers["x-cache"] for a in answers).count("MISS") >= 1


async def test_autocomplete_suggests_short_titles(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/titles/autocomplete", params={"term": "Jurass"})
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert "Jurassic Park" in items
    assert answer.headers["x-cache"] == "MISS"


async def test_title_details_gather_included_parts(proxy: Proxy) -> None:
    answer = await proxy.client.get(
        f"/v1/titles/{JURASSIC_PARK}",
        params={"include": "synopsis,cast,directors,formats,languages,awards,screen_formats"},
    )
    assert answer.status_code == 200, answer.text
    title = answer.json()
    assert title["kind"] == "movie"
    assert title["title"] == "Jurassic Park"
    parts = ("cast_members", "directors", "availability", "languages", "awards", "screen_formats")
    for part in parts:
        assert isinstance(title[part], list), part
    assert title["synopsis_html"]


async def test_season_details(proxy: Proxy) -> None:
    catalog = proxy.emulator.state.context.catalog
    series = next(t for t in catalog.all_titles() if t.kind == "series" and t.seasons)
    season_id = series.seasons[0]
    answer = await proxy.client.get(
        f"/v1/titles/series/{series.id}/seasons/{season_id}", params={"include": "synopsis"}
    )
    assert answer.status_code == 200, answer.text
    season = answer.json()
    assert season["kind"] == "season"
    assert season["id"] == f"series/{series.id}/seasons/{season_id}"
    assert season["series"]["id"] == f"series/{series.id}"
    assert answer.headers["x-cache"] == "MISS"
    again = await proxy.client.get(
        f"/v1/titles/series/{series.id}/seasons/{season_id}", params={"include": "synopsis"}
    )
    assert again.headers["x-cache"] == "HIT"


async def test_similar_titles(proxy: Proxy) -> None:
    answer = await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}/similar", params={"page_size": 5})
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert 0 < len(page["items"]) <= 5
    assert JURASSIC_PARK not in [i["id"] for i in page["items"]]


async def test_people_search_and_person_filmography(proxy: Proxy) -> None:
    title = (
        await proxy.client.get(f"/v1/titles/{JURASSIC_PARK}", params={"include": "cast"})
    ).json()
    actor = title["cast_members"][0]
    found = await proxy.client.get("/v1/people", params={"term": actor["name"]})
    assert found.status_code == 200, found.text
    assert actor["id"] in [p["id"] for p in found.json()["items"]]
    assert actor["id"].startswith("people/")
    # A person's path is /v1/ and its id, as a title's is /v1/titles/ and its id.
    person = await proxy.client.get(f"/v1/{actor['id']}")
    assert person.status_code == 200, person.text
    assert person.json()["id"] == actor["id"]
    filmography = person.json()["filmography"]
    assert JURASSIC_PARK in [entry["id"] for entry in filmography]


async def test_catalog_index_streams_ndjson(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/catalog/index")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = answer.content.splitlines()
    titles = [IndexTitle.model_validate_json(line) for line in lines]
    assert len(titles) >= 100
    assert JURASSIC_PARK in {t.id for t in titles}
    assert "x-cache" not in answer.headers


async def test_unknown_title_is_a_404_problem(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/titles/movies/999999999")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/v1/titles",
        "/v1/titles?term=",
        "/v1/titles?term=%20%20",
        "/v1/titles?term=x&page_size=0",
        "/v1/titles?term=x&page_size=101",
        "/v1/titles?term=x&start_index=-1",
        "/v1/titles?term=x&include=synopsis,bogus",
        "/v1/titles/movies/0",
        "/v1/titles/movies/abc",
        "/v1/titles/people/12",
        "/v1/titles/autocomplete",
        "/v1/people?term=x&page_size=500",
        "/v1/people/-3",
    ],
)
async def test_bad_input_is_a_422_problem(proxy: Proxy, path: str) -> None:
    answer = await proxy.client.get(path)
    assert answer.status_code == 422, (path, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == 422
    assert problem["detail"]
    assert proxy.upstream.requests == []


async def test_probes_report_redis_and_upstream(proxy: Proxy) -> None:
    assert (await proxy.client.get("/healthz")).json() == {"status": "ok"}
    ready = await proxy.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "redis": True, "upstream": True}
    proxy.upstream.down = True
    unready = await proxy.client.get("/readyz")
    assert unready.status_code == 503
    assert unready.json() == {"status": "unready", "redis": True, "upstream": False}


async def test_tv_ratings_reach_the_maturity_rating(proxy: Proxy) -> None:
    """Series and made-for-TV movies carry the tv_ratings scheme; the proxy names it `tv`."""
    catalog = proxy.emulator.state.context.catalog
    series = next(t for t in catalog.titles if t.kind == "series")
    movie = next(
        t for t in catalog.titles if t.kind == "movies" and t.rating_scheme == "tv_ratings"
    )
    for title in (series, movie):
        answer = await proxy.client.get(f"/v1/titles/{title.kind}/{title.id}")
        assert answer.status_code == 200, answer.text
        rating = answer.json()["maturity_rating"]
        assert rating["system"] == "tv"
        assert rating["value"] in {"TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA"}
        assert rating["value"] == title.rating
