"""Queue endpoints against the in-process emulator and a real Redis: reads, writes, reorder.

Every test records all the proxy's answers and checks at the end that none of them carried
any etag the upstream ever issued for the queues touched.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from emulator.accounts.queues import Queue
from service.conditional import strong_etag
from service.store import keys
from tests.support.metrics import scrape, value
from tests.support.proxy import Proxy, running_proxy
from tests.support.queue_helpers import addable_movies, auth, available_ids, emulator_queue


class Recorder:
    """Keeps every answer the proxy gave, to look for leaked etags afterwards."""

    def __init__(self) -> None:
        self.answers: list[httpx.Response] = []

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        self.answers.append(response)


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=200.0) as running:
        recorder = Recorder()
        running.client.event_hooks["response"].append(recorder)
        running.extra["recorder"] = recorder
        yield running
        _assert_no_etag_leaked(running, recorder)


def _issued_etags(proxy: Proxy) -> set[str]:
    """Every etag any subscriber's queue has had so far (they grow one per write)."""
    etags: set[str] = set()
    for subscriber in proxy.emulator.state.context.accounts.subscribers:
        for kind in ("disc", "instant"):
            queue = subscriber.queue(kind)
            etags.update(str(queue.etag_base + g) for g in range(queue.generation + 1))
    return etags


def _assert_no_etag_leaked(proxy: Proxy, recorder: Recorder) -> None:
    etags = _issued_etags(proxy)
    assert recorder.answers, "the test made no request"
    for answer in recorder.answers:
        if "etag" in answer.headers:  # ours, of the body; never the upstream's queue etag
            assert answer.headers["etag"] == strong_etag(answer.content).decode()
        text = answer.text
        assert '"etag"' not in text.lower()
        leaked = [
            etag
            for etag in etags
            if etag in text or any(etag in value for value in answer.headers.values())
        ]
        assert not leaked, f"{answer.request.url} leaked an etag"


class Interfering(httpx.AsyncBaseTransport):
    """Changes a queue (as another client would) just before each queue POST goes upstream."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, queue: Queue, times: int | None = None
    ) -> None:
        self.inner = inner
        self.queue = queue
        self.left = times

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and "/queues/" in request.url.path and self.left != 0:
            self.queue.available.append(self.queue.available.pop(0))
            self.queue.generation += 1
            self.left = None if self.left is None else self.left - 1
        return await self.inner.handle_async_request(request)


class LockThief(httpx.AsyncBaseTransport):
    """Deletes a queue's lock key while a queue read is upstream, as if the lock expired."""

    def __init__(self, inner: httpx.AsyncBaseTransport, redis: Redis, key: str) -> None:
        self.inner = inner
        self.redis = redis
        self.key = key

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and "/queues/" in request.url.path:
            await self.redis.delete(self.key)
        return await self.inner.handle_async_request(request)


async def test_queue_listing_matches_the_upstream_queue(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    answer = await proxy.client.get(
        "/v1/me/queues/disc",
        headers=auth(session),
        params={"state": "available", "page_size": 500},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "private, no-cache"
    page = answer.json()
    assert [item["title"]["id"] for item in page["items"]] == available_ids(proxy, user_id)
    assert [item["position"] for item in page["items"]] == list(range(1, len(page["items"]) + 1))
    assert page["total"] == len(emulator_queue(proxy, user_id).available)
    saved = await proxy.client.get(
        "/v1/me/queues/disc", headers=auth(session), params={"state": "saved"}
    )
    assert saved.status_code == 200
    assert [item["state"] for item in saved.json()["items"]] == ["saved"]


async def test_queue_get_stores_the_etag_server_side(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    assert await proxy.redis.get(keys.queue_etag(user_id, "disc")) is None
    await proxy.client.get("/v1/me/queues/disc", headers=auth(session))
    stored = await proxy.redis.get(keys.queue_etag(user_id, "disc"))
    assert stored == emulator_queue(proxy, user_id).etag.encode()


async def test_queue_paging_and_sorting(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    first = (
        await proxy.client.get(
            "/v1/me/queues/disc",
            headers=auth(session),
            params={"state": "available", "page_size": 2},
        )
    ).json()
    assert len(first["items"]) == 2
    assert first["next"] == 2
    second = (
        await proxy.client.get(
            "/v1/me/queues/disc",
            headers=auth(session),
            params={"state": "available", "page_size": 2, "start_index": 2},
        )
    ).json()
    ids = [i["title"]["id"] for i in first["items"] + second["items"]]
    assert ids == available_ids(proxy, user_id)[:4]
    alphabetical = (
        await proxy.client.get(
            "/v1/me/queues/disc",
            headers=auth(session),
            params={"sort": "alphabetical", "page_size": 500},
        )
    ).json()
    names = [i["title"]["title"].lower() for i in alphabetical["items"]]
    assert names == sorted(names)
    bad = await proxy.client.get(
        "/v1/me/queues/disc", headers=auth(session), params={"sort": "random"}
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


async def test_unknown_queue_is_422(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    answer = await proxy.client.get("/v1/me/queues/dvd", headers=auth(session))
    assert answer.status_code == 422


async def test_queue_endpoints_need_a_session(proxy: Proxy) -> None:
    answer = await proxy.client.get("/v1/me/queues/disc")
    assert answer.status_code == 401
    bad = await proxy.client.post(
        "/v1/me/queues/disc/entries", json={"title": "movies/1"}, headers=auth("not-a-session")
    )
    assert bad.status_code == 401
    assert bad.json()["type"].endswith("/invalid-session")


async def test_add_at_position_one_without_any_etag(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    [title] = addable_movies(proxy, user_id, 1)
    answer = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title, "position": 1}
    )
    assert answer.status_code == 201, answer.text
    entry = answer.json()
    assert entry["title"]["id"] == title
    assert entry["position"] == 1
    assert entry["state"] == "available"
    assert answer.headers["location"] == f"/v1/me/queues/disc/entries/{title}"
    assert available_ids(proxy, user_id)[0] == title
    stored = await proxy.redis.get(keys.queue_etag(user_id, "disc"))
    assert stored == emulator_queue(proxy, user_id).etag.encode()
    one = await proxy.client.get(answer.headers["location"], headers=auth(session))
    assert one.status_code == 200
    assert one.json()["position"] == 1


async def test_add_accepts_a_full_title_url_and_appends(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    [title] = addable_movies(proxy, user_id, 1)
    url = f"http://api-public.netflix.com/catalog/titles/{title}"
    answer = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": url}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["position"] == len(emulator_queue(proxy, user_id).available)
    assert available_ids(proxy, user_id)[-1] == title


async def test_adding_a_queued_title_is_409_already_in_queue(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    queued = available_ids(proxy, user_id)[2]
    before = available_ids(proxy, user_id)
    for body in ({"title": queued}, {"title": queued, "position": 1}):
        answer = await proxy.client.post(
            "/v1/me/queues/disc/entries", headers=auth(session), json=body
        )
        assert answer.status_code == 409, answer.text
        problem = answer.json()
        assert problem["type"].endswith("/already-in-queue")
        assert problem["title"] == "Already in queue"
    assert available_ids(proxy, user_id) == before, "a 409 must not move the title"


async def test_bad_titles_are_refused_before_any_upstream_write(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    writes_before = sum(1 for r in proxy.upstream.requests if r.method == "POST")
    for title in ("movies/abc", "", "people/12", "movies/1/seasons/2"):
        answer = await proxy.client.post(
            "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title}
        )
        assert answer.status_code == 422, (title, answer.text)
    elsewhere = await proxy.client.post(
        "/v1/me/queues/disc/entries",
        headers=auth(session),
        json={"title": "http://evil.example/catalog/titles/movies/1"},
    )
    assert elsewhere.status_code == 404, elsewhere.text  # no title of this upstream
    for position in (0, True, "2"):  # `true` must not be read as position 1
        bad = await proxy.client.post(
            "/v1/me/queues/disc/entries",
            headers=auth(session),
            json={"title": "movies/60020435", "position": position},
        )
        assert bad.status_code == 422, (position, bad.text)
    moved = await proxy.client.patch(
        "/v1/me/queues/disc/entries/movies/60020435",
        headers=auth(session),
        json={"position": True},
    )
    assert moved.status_code == 422, moved.text
    assert sum(1 for r in proxy.upstream.requests if r.method == "POST") == writes_before


async def test_stale_stored_etag_is_refreshed_and_the_write_retried(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    await proxy.client.get("/v1/me/queues/disc", headers=auth(session))
    # The queue changes behind the proxy's back (another Netflix client).
    queue = emulator_queue(proxy, user_id)
    queue.available.append(queue.available.pop(0))
    queue.generation += 1
    [title] = addable_movies(proxy, user_id, 1)
    before = await scrape(proxy)
    answer = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title, "position": 2}
    )
    assert answer.status_code == 201, answer.text
    assert available_ids(proxy, user_id)[1] == title
    retries = "nfx_queue_etag_retries_total"
    assert value(await scrape(proxy), retries) == value(before, retries) + 1
    stored = await proxy.redis.get(keys.queue_etag(user_id, "disc"))
    assert stored == queue.etag.encode()


async def test_a_queue_that_keeps_changing_gives_409_after_the_retries(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    queue = emulator_queue(proxy, user_id)
    # Another Netflix client reorders the queue right before each of the proxy's writes, so
    # every etag the proxy holds is stale when it arrives: the upstream answers 412 each time.
    proxy.upstream.inner = Interfering(proxy.upstream.inner, queue)
    [title] = addable_movies(proxy, user_id, 1)
    posts_before = sum(1 for r in proxy.upstream.requests if r.method == "POST")
    answer = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title}
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["type"].endswith("/conflict")
    posts = sum(1 for r in proxy.upstream.requests if r.method == "POST") - posts_before
    assert posts == proxy.settings.etag_retries + 1
    assert title not in available_ids(proxy, user_id)


async def test_move_an_entry(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    before = available_ids(proxy, user_id)
    last = before[-1]
    answer = await proxy.client.patch(
        f"/v1/me/queues/disc/entries/{last}", headers=auth(session), json={"position": 1}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["position"] == 1
    assert available_ids(proxy, user_id) == [last, *before[:-1]]
    same = await proxy.client.patch(
        f"/v1/me/queues/disc/entries/{last}", headers=auth(session), json={"position": 1}
    )
    assert same.status_code == 200
    assert same.json()["position"] == 1


async def test_moving_a_title_not_in_the_queue_is_404(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    [title] = addable_movies(proxy, user_id, 1)
    answer = await proxy.client.patch(
        f"/v1/me/queues/disc/entries/{title}", headers=auth(session), json={"position": 1}
    )
    assert answer.status_code == 404, answer.text
    assert title not in available_ids(proxy, user_id), "a move must never add"
    saved = emulator_queue(proxy, user_id).saved[0].title
    if saved.kind in ("movies", "series", "programs", "discs"):
        moved = await proxy.client.patch(
            f"/v1/me/queues/disc/entries/{saved.kind}/{saved.id}",
            headers=auth(session),
            json={"position": 1},
        )
        assert moved.status_code == 422, moved.text
        assert "saved" in moved.json()["detail"]


async def test_remove_an_entry(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    victim = available_ids(proxy, user_id)[1]
    answer = await proxy.client.delete(
        f"/v1/me/queues/disc/entries/{victim}", headers=auth(session)
    )
    assert answer.status_code == 204, answer.text
    assert answer.content == b""
    assert victim not in available_ids(proxy, user_id)
    again = await proxy.client.delete(f"/v1/me/queues/disc/entries/{victim}", headers=auth(session))
    assert again.status_code == 404
    assert again.json()["type"].endswith("/not-found")
    missing = await proxy.client.get(f"/v1/me/queues/disc/entries/{victim}", headers=auth(session))
    assert missing.status_code == 404


async def test_remove_a_saved_entry(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    saved = emulator_queue(proxy, user_id).saved[0].title
    short = (
        f"series/{saved.series_id}/seasons/{saved.id}"
        if saved.kind == "seasons"
        else f"{saved.kind}/{saved.id}"
    )
    answer = await proxy.client.delete(f"/v1/me/queues/disc/entries/{short}", headers=auth(session))
    assert answer.status_code == 204, answer.text
    assert not emulator_queue(proxy, user_id).saved


async def test_reorder_moves_only_titles_outside_the_lis(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    for title in addable_movies(proxy, user_id, 6):
        added = await proxy.client.post(
            "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title}
        )
        assert added.status_code == 201, added.text
    current = available_ids(proxy, user_id)
    desired = [current[-1], *current[:-1]]  # last title first: one move
    posts_before = sum(1 for r in proxy.upstream.requests if r.method == "POST")
    answer = await proxy.client.put(
        "/v1/me/queues/disc/order", headers=auth(session), json={"titles": desired}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["moves"] == 1
    assert [i["title"]["id"] for i in body["queue"]["items"]] == desired
    assert sum(1 for r in proxy.upstream.requests if r.method == "POST") - posts_before == 1
    assert available_ids(proxy, user_id) == desired


async def test_reorder_to_a_random_order(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    current = available_ids(proxy, user_id)
    desired = current[:]
    random.Random(3).shuffle(desired)
    posts_before = sum(1 for r in proxy.upstream.requests if r.method == "POST")
    answer = await proxy.client.put(
        "/v1/me/queues/disc/order", headers=auth(session), json={"titles": desired}
    )
    assert answer.status_code == 200, answer.text
    assert available_ids(proxy, user_id) == desired
    moves = answer.json()["moves"]
    assert 1 <= moves <= len(desired) - 1
    assert sum(1 for r in proxy.upstream.requests if r.method == "POST") - posts_before == moves
    unchanged = await proxy.client.put(
        "/v1/me/queues/disc/order", headers=auth(session), json={"titles": desired}
    )
    assert unchanged.json()["moves"] == 0


async def test_reorder_names_missing_and_unknown_titles(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    current = available_ids(proxy, user_id)
    [stranger] = addable_movies(proxy, user_id, 1)
    answer = await proxy.client.put(
        "/v1/me/queues/disc/order",
        headers=auth(session),
        json={"titles": [*current[1:], stranger]},
    )
    assert answer.status_code == 409, answer.text
    detail = answer.json()["detail"]
    assert current[0] in detail and stranger in detail
    duplicated = await proxy.client.put(
        "/v1/me/queues/disc/order", headers=auth(session), json={"titles": [*current, current[0]]}
    )
    assert duplicated.status_code == 422
    assert "twice" in duplicated.json()["detail"]
    assert available_ids(proxy, user_id) == current


async def test_instant_queue_writes(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    context = proxy.emulator.state.context
    queue = emulator_queue(proxy, user_id, "instant")
    taken = {e.title.id for e in queue.available + queue.saved}
    title = next(
        t
        for t in context.catalog.titles
        if t.kind == "movies" and "instant" in t.format_labels and t.id not in taken
    )
    answer = await proxy.client.post(
        "/v1/me/queues/instant/entries",
        headers=auth(session),
        json={"title": f"movies/{title.id}", "position": 1},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["queue"] == "instant"
    assert queue.available[0].title.id == title.id


async def test_reorder_plans_again_when_the_queue_changes_midway(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    current = available_ids(proxy, user_id)
    desired = list(reversed(current))
    # Another client moves a title right before the reorder's first upstream move.
    proxy.upstream.inner = Interfering(
        proxy.upstream.inner, emulator_queue(proxy, user_id), times=1
    )
    answer = await proxy.client.put(
        "/v1/me/queues/disc/order", headers=auth(session), json={"titles": desired}
    )
    assert answer.status_code == 200, answer.text
    assert available_ids(proxy, user_id) == desired
    assert [i["title"]["id"] for i in answer.json()["queue"]["items"]] == desired


async def test_a_write_whose_lock_expired_stops(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    before = available_ids(proxy, user_id)
    proxy.upstream.inner = LockThief(
        proxy.upstream.inner, proxy.redis, keys.queue_lock(user_id, "disc")
    )
    posts_before = sum(1 for r in proxy.upstream.requests if r.method == "POST")
    # The move reads the entry under the lock; the lock is gone before the write.
    moved = await proxy.client.patch(
        f"/v1/me/queues/disc/entries/{before[-1]}", headers=auth(session), json={"position": 1}
    )
    # A lost turn is temporary: 503 with Retry-After, not a conflict.
    assert moved.status_code == 503, moved.text
    assert moved.json()["type"].endswith("/queue-busy")
    assert "turn ran out" in moved.json()["detail"]
    assert moved.headers["retry-after"] == "1"
    assert sum(1 for r in proxy.upstream.requests if r.method == "POST") == posts_before
    assert available_ids(proxy, user_id) == before


async def test_a_season_is_added_read_moved_and_removed_by_its_own_id(proxy: Proxy) -> None:
    """Queue entries name a season by the season's id, not by its series' id."""
    session, user_id = await proxy.sign_in()
    queued = {e.title.id for e in emulator_queue(proxy, user_id).available}
    catalog = proxy.emulator.state.context.catalog
    series = next(
        t
        for t in catalog.titles
        if t.kind == "series" and t.seasons and t.id not in queued and t.seasons[0] not in queued
    )
    season = f"series/{series.id}/seasons/{series.seasons[0]}"
    # With the series queued, its season is still not "already in the queue".
    series_added = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": f"series/{series.id}"}
    )
    assert series_added.status_code == 201, series_added.text
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries",
        headers=auth(session),
        json={"title": season, "position": 1},
    )
    assert added.status_code == 201, added.text
    location = added.headers["location"]
    assert location == f"/v1/me/queues/disc/entries/{season}"
    entry = await proxy.client.get(location, headers=auth(session))
    assert entry.status_code == 200, entry.text
    assert (entry.json()["title"]["id"], entry.json()["position"]) == (season, 1)
    moved = await proxy.client.patch(location, headers=auth(session), json={"position": 2})
    assert moved.status_code == 200, moved.text
    assert moved.json()["position"] == 2
    assert available_ids(proxy, user_id)[1] == f"seasons/{series.seasons[0]}"
    removed = await proxy.client.delete(location, headers=auth(session))
    assert removed.status_code == 204, removed.text
    assert f"seasons/{series.seasons[0]}" not in available_ids(proxy, user_id)
    assert f"series/{series.id}" in available_ids(proxy, user_id)
    gone = await proxy.client.get(location, headers=auth(session))
    assert gone.status_code == 404
