"""User endpoints against the in-process emulator and a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from emulator.accounts.state import Subscriber
from service.store import keys
from tests.support.proxy import Proxy, running_proxy


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=200.0) as running:
        yield running


def _auth(session: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {session}"}


def _subscriber(proxy: Proxy, user_id: str) -> Subscriber:
    subscriber: Subscriber | None = proxy.emulator.state.context.accounts.get(user_id)
    assert subscriber is not None
    return subscriber


def _movies(proxy: Proxy, count: int, *, skip: int = 0) -> list[str]:
    titles = [
        f"movies/{t.id}" for t in proxy.emulator.state.context.catalog.titles if t.kind == "movies"
    ]
    return titles[skip : skip + count]


async def test_profile_is_the_signed_in_subscriber(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    answer = await proxy.client.get("/v1/me", headers=_auth(session))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "private, no-cache"
    profile = answer.json()
    subscriber = _subscriber(proxy, user_id)
    assert profile["user_id"] == user_id
    assert profile["first_name"] == subscriber.first_name
    assert profile["last_name"] == subscriber.last_name
    assert profile["can_instant_watch"] is subscriber.can_instant_watch


async def test_user_endpoints_need_a_session(proxy: Proxy) -> None:
    for path in (
        "/v1/me",
        "/v1/me/feeds",
        "/v1/me/title-states?titles=movies/1",
        "/v1/me/rental-history",
        "/v1/me/at-home",
        "/v1/me/ratings?titles=movies/1",
        "/v1/me/recommendations",
    ):
        answer = await proxy.client.get(path)
        assert answer.status_code == 401, path
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert not [r for r in proxy.upstream.requests if "/users/" in r.url.path]


async def test_feeds(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    answer = await proxy.client.get("/v1/me/feeds", headers=_auth(session))
    assert answer.status_code == 200, answer.text
    feeds = answer.json()
    assert feeds
    assert all(feed["url"].startswith("http") and feed["rel"] for feed in feeds)


async def test_title_states_for_many_titles_at_once(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    queued = _subscriber(proxy, user_id).queue("disc").available[0].title
    others = _movies(proxy, 3, skip=40)
    titles = [f"{queued.kind}/{queued.id}", *others]
    answer = await proxy.client.get(
        "/v1/me/title-states", headers=_auth(session), params={"titles": ",".join(titles)}
    )
    assert answer.status_code == 200, answer.text
    states = answer.json()
    assert sorted(state["id"] for state in states) == sorted(titles)
    first = next(state for state in states if state["id"] == titles[0])
    labels = {label.lower() for item in first["items"] for label in item["states"]}
    assert any("queue" in label for label in labels), labels
    repeated = await proxy.client.get(
        "/v1/me/title-states",
        headers=_auth(session),
        params=[("titles", titles[0]), ("titles", titles[1]), ("titles", titles[0])],
    )
    assert repeated.status_code == 200
    assert sorted(s["id"] for s in repeated.json()) == sorted(titles[:2])


async def test_title_states_refuse_bad_refs_by_position(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    answer = await proxy.client.get(
        "/v1/me/title-states",
        headers=_auth(session),
        params={"titles": "movies/60020435,movies/1/seasons/2"},
    )
    assert answer.status_code == 422
    assert "titles" in answer.json()["detail"]
    elsewhere = await proxy.client.get(
        "/v1/me/title-states",
        headers=_auth(session),
        params={"titles": "movies/60020435,https://evil.example/catalog/titles/movies/1"},
    )
    assert elsewhere.status_code == 404  # a title elsewhere is no title of this upstream
    empty = await proxy.client.get(
        "/v1/me/title-states", headers=_auth(session), params={"titles": " , "}
    )
    assert empty.status_code == 422
    too_many = ",".join(f"movies/{n}" for n in range(1, 502))
    big = await proxy.client.get(
        "/v1/me/title-states", headers=_auth(session), params={"titles": too_many}
    )
    assert big.status_code == 422
    assert not [r for r in proxy.upstream.requests if "title_states" in r.url.path]


async def test_rental_history_by_kind(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    history = _subscriber(proxy, user_id).history
    for kind in ("all", "shipped", "returned", "watched"):
        answer = await proxy.client.get(
            "/v1/me/rental-history", headers=_auth(session), params={"kind": kind, "page_size": 100}
        )
        assert answer.status_code == 200, (kind, answer.text)
        page = answer.json()
        expected = history.of_kind(None if kind == "all" else kind)
        assert page["total"] == len(expected), kind
        assert [e["title"]["id"] for e in page["items"]] == [
            f"{r.title.kind}/{r.title.id}" for r in expected
        ], kind
    first = (
        await proxy.client.get(
            "/v1/me/rental-history", headers=_auth(session), params={"page_size": 2}
        )
    ).json()
    assert len(first["items"]) == 2 and first["next"] == 2
    bad = await proxy.client.get(
        "/v1/me/rental-history", headers=_auth(session), params={"kind": "lost"}
    )
    assert bad.status_code == 422


async def test_discs_at_home(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    answer = await proxy.client.get("/v1/me/at-home", headers=_auth(session))
    assert answer.status_code == 200, answer.text
    expected = {
        f"{r.title.kind}/{r.title.id}" for r in _subscriber(proxy, user_id).history.at_home()
    }
    assert {entry["title"]["id"] for entry in answer.json()} == expected
    assert expected


async def test_ratings_read_and_write(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    ratings = _subscriber(proxy, user_id).ratings
    [fresh] = [t for t in _movies(proxy, 60) if int(t.split("/")[1]) not in ratings.actual][:1]
    predicted = await proxy.client.get(
        "/v1/me/ratings", headers=_auth(session), params={"titles": fresh, "kind": "predicted"}
    )
    assert predicted.status_code == 200, predicted.text
    [guess] = predicted.json()
    assert guess["id"] == fresh and 1.0 <= guess["predicted_rating"] <= 5.0

    created = await proxy.client.put(
        f"/v1/me/ratings/{fresh}", headers=_auth(session), json={"rating": 4}
    )
    assert created.status_code == 200, created.text
    assert created.json()["id"] == fresh
    assert created.json()["user_rating"] == 4
    assert ratings.actual[int(fresh.split("/")[1])].value == "4"

    updated = await proxy.client.put(
        f"/v1/me/ratings/{fresh}", headers=_auth(session), json={"rating": "not_interested"}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["not_interested"] is True
    assert ratings.actual[int(fresh.split("/")[1])].value == "not_interested"

    actual = await proxy.client.get(
        "/v1/me/ratings", headers=_auth(session), params={"titles": fresh, "kind": "actual"}
    )
    assert actual.status_code == 200
    assert actual.json()[0]["not_interested"] is True
    for answer in (created, updated, actual):
        assert "rating_id" not in answer.text
        assert "/ratings/title/actual/" not in answer.text


async def test_a_season_is_rated_by_its_own_id(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    catalog = proxy.emulator.state.context.catalog
    ratings = _subscriber(proxy, user_id).ratings.actual
    series = next(
        t
        for t in catalog.titles
        if t.kind == "series" and t.seasons and t.id not in ratings and t.seasons[0] not in ratings
    )
    season = f"series/{series.id}/seasons/{series.seasons[0]}"
    rated = await proxy.client.put(
        f"/v1/me/ratings/{season}", headers=_auth(session), json={"rating": 5}
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["id"] == season and rated.json()["user_rating"] == 5
    assert ratings[series.seasons[0]].value == "5"
    assert series.id not in ratings  # the series itself stays unrated
    read = await proxy.client.get(
        "/v1/me/ratings", headers=_auth(session), params={"titles": season, "kind": "actual"}
    )
    assert read.status_code == 200, read.text
    assert [r["user_rating"] for r in read.json()] == [5]


async def test_ratings_refuse_bad_values(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    # Booleans and numeric strings are not ratings: `true` must never become one star.
    for value in (0, 6, "great", 3.5, None, True, "3", 0.0):
        answer = await proxy.client.put(
            "/v1/me/ratings/movies/60020435", headers=_auth(session), json={"rating": value}
        )
        assert answer.status_code == 422, value
    assert not [r for r in proxy.upstream.requests if r.method in ("POST", "PUT")]


async def test_seeded_ratings_are_returned_as_actual(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    rated = {
        f"{r.title.kind}/{r.title.id}": r.value
        for r in _subscriber(proxy, user_id).ratings.actual.values()
    }
    answer = await proxy.client.get(
        "/v1/me/ratings",
        headers=_auth(session),
        params={"titles": ",".join(rated), "kind": "actual"},
    )
    assert answer.status_code == 200, answer.text
    for rating in answer.json():
        value = rated[rating["id"]]
        if value == "not_interested":
            assert rating["not_interested"] is True
        else:
            assert rating["user_rating"] == float(value)


async def test_recommendations_are_paged(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    first = await proxy.client.get(
        "/v1/me/recommendations", headers=_auth(session), params={"page_size": 3}
    )
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 3 and page["next"] == 3
    second = (
        await proxy.client.get(
            "/v1/me/recommendations",
            headers=_auth(session),
            params={"page_size": 3, "start_index": 3},
        )
    ).json()
    assert not {t["id"] for t in page["items"]} & {t["id"] for t in second["items"]}


async def test_user_answers_never_enter_the_shared_cache(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    for path in (
        "/v1/me",
        "/v1/me/feeds",
        "/v1/me/recommendations",
        "/v1/me/rental-history",
        "/v1/me/queues/disc",
    ):
        answer = await proxy.client.get(path, headers=_auth(session))
        assert answer.status_code == 200, path
        assert answer.headers["x-cache"] == "MISS"  # the subscriber's own cache, see below
        assert answer.headers["cache-control"] == "private, no-cache"
    cached = [key async for key in proxy.redis.scan_iter(match=keys.catalog_pattern())]
    assert cached == []
