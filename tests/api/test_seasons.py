"""Series, seasons, episodes and discs through the proxy, against the in-process emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.proxy import Proxy, running_proxy

SARAH_CONNOR = "series/70157234"
JAWS = "movies/60001220"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url) as running:
        yield running


async def _get(proxy: Proxy, path: str, **params: Any) -> Any:
    answer = await proxy.client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_include_seasons_inlines_numbers_years_and_episode_counts(proxy: Proxy) -> None:
    series = await _get(proxy, f"/v1/titles/{SARAH_CONNOR}", include="seasons")
    seasons = series["seasons"]
    assert [s["season_number"] for s in seasons] == [1, 2]
    assert [s["episode_count"] for s in seasons] == [9, 22]
    assert [s["release_year"] for s in seasons] == [2008, 2009]
    first = seasons[0]
    assert first["id"].startswith(f"{SARAH_CONNOR}/seasons/")
    assert first["ref"].endswith(f"/catalog/titles/{first['id']}")
    assert first["title"] == "Terminator: The Sarah Connor Chronicles: Season 1"
    assert series["episodes"] is None and series["discs"] is None  # not asked for


async def test_parts_not_asked_for_stay_null_and_absent_ones_are_empty(proxy: Proxy) -> None:
    plain = await _get(proxy, f"/v1/titles/{SARAH_CONNOR}")
    assert plain["seasons"] is None
    movie = await _get(proxy, f"/v1/titles/{JAWS}", include="seasons,episodes,discs")
    assert (movie["seasons"], movie["episodes"], movie["discs"]) == ([], [], [])


async def test_seasons_page_like_every_page(proxy: Proxy) -> None:
    first = await _get(proxy, f"/v1/titles/{SARAH_CONNOR}/seasons", page_size=1)
    assert (first["total"], first["start_index"], first["page_size"], first["next"]) == (
        2,
        0,
        1,
        1,
    )
    assert first["items"][0]["season_number"] == 1
    last = await _get(proxy, f"/v1/titles/{SARAH_CONNOR}/seasons", start_index=1, page_size=5)
    assert (last["page_size"], last["next"]) == (5, None)
    assert [s["season_number"] for s in last["items"]] == [2]
    again = await proxy.client.get(f"/v1/titles/{SARAH_CONNOR}/seasons", params={"page_size": 1})
    assert again.headers["x-cache"] == "HIT"


async def test_a_season_lists_its_episodes_and_discs_with_numbers(proxy: Proxy) -> None:
    series = await _get(proxy, f"/v1/titles/{SARAH_CONNOR}", include="seasons")
    season_id = series["seasons"][1]["id"]
    season = await _get(proxy, f"/v1/titles/{season_id}", include="episodes,discs")
    assert season["kind"] == "season" and season["season_number"] == 2
    assert season["series"]["id"] == SARAH_CONNOR
    episodes = season["episodes"]
    assert len(episodes) == 22
    assert [e["episode_number"] for e in episodes] == list(range(1, 23))
    assert all(e["id"].startswith("programs/") and e["season_number"] == 2 for e in episodes)
    assert episodes[0]["title"].endswith("Season 2: Episode 1")
    assert episodes[0]["runtime_s"] > 0
    discs = season["discs"]
    assert [d["disc_number"] for d in discs] == list(range(1, len(discs) + 1))
    assert all(d["id"].startswith("discs/") for d in discs)
    plain = await _get(proxy, f"/v1/titles/{season_id}")
    assert (plain["episodes"], plain["discs"], plain["season_number"]) == (None, None, 2)


async def test_episodes_and_discs_open_as_titles_under_their_season(proxy: Proxy) -> None:
    series = await _get(proxy, f"/v1/titles/{SARAH_CONNOR}", include="seasons")
    season_id = series["seasons"][0]["id"]
    season = await _get(proxy, f"/v1/titles/{season_id}", include="episodes,discs")
    for listed in (season["episodes"][0], season["discs"][0]):
        title = await _get(proxy, f"/v1/titles/{listed['id']}")
        assert title["id"] == listed["id"]
        assert title["season"]["id"] == season_id
        assert title["series"]["id"] == SARAH_CONNOR
        assert title["season_number"] == 1


async def test_episodes_and_discs_are_accepted_wherever_titles_are(proxy: Proxy) -> None:
    series = await _get(proxy, f"/v1/titles/{SARAH_CONNOR}", include="seasons")
    season = await _get(proxy, f"/v1/titles/{series['seasons'][0]['id']}", include="episodes,discs")
    episode, disc = season["episodes"][0]["id"], season["discs"][0]["id"]
    session, _user_id = await proxy.sign_in()
    auth = {"Authorization": f"Bearer {session}"}
    states = await proxy.client.get(
        "/v1/me/title-states", params={"titles": f"{episode},{disc}"}, headers=auth
    )
    assert states.status_code == 200, states.text
    assert {s["id"] for s in states.json()} == {episode, disc}
    rated = await proxy.client.put(f"/v1/me/ratings/{episode}", json={"rating": 4}, headers=auth)
    assert rated.status_code == 200, rated.text
    ratings = await proxy.client.get("/v1/me/ratings", params={"titles": episode}, headers=auth)
    assert ratings.status_code == 200, ratings.text
    assert [r["id"] for r in ratings.json()] == [episode]
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries", json={"title": disc}, headers=auth
    )
    assert added.status_code == 201, added.text
    assert added.json()["title"]["id"] == disc
    entry = await proxy.client.get(f"/v1/me/queues/disc/entries/{disc}", headers=auth)
    assert entry.status_code == 200, entry.text


async def test_seasons_of_what_is_not_a_series_is_404(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/titles/series/60001220/seasons")
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    answer = await proxy.client.get("/v1/titles/series/0/seasons")
    assert answer.status_code == 422, answer.text


async def test_search_results_inline_seasons_without_counting_episodes(proxy: Proxy) -> None:
    found = await _get(proxy, "/v1/titles", term="sarah connor chronicles", include="seasons")
    series = next(t for t in found["items"] if t["id"] == SARAH_CONNOR)
    assert [s["season_number"] for s in series["seasons"]] == [1, 2]
    assert all(s["episode_count"] is None for s in series["seasons"])
    movies = [t for t in found["items"] if t["kind"] == "movie"]
    assert all(t["seasons"] == [] for t in movies)
