"""The per-subscriber read cache: hits, read-after-write for every write, isolation, TTL 0.

Upstream calls are counted on the proxy's upstream transport: a HIT makes none.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from service.netflix.refs import TitleRef
from service.netflix.transport import AccessToken
from service.schemas.queues import QueueState, QueueType
from service.store import keys
from service.store.sessions import Session
from tests.support.emulator_client import emulator_client
from tests.support.proxy import Proxy, running_proxy
from tests.support.queue_helpers import addable_movies, auth, available_ids


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=200.0) as running:
        yield running


def _movie(proxy: Proxy) -> str:
    """A movie of the emulator's catalog."""
    title = next(t for t in proxy.emulator.state.context.catalog.titles if t.kind == "movies")
    return f"movies/{title.id}"


async def _get(proxy: Proxy, session: str, path: str, **params: str | int) -> httpx.Response:
    answer = await proxy.client.get(path, headers=auth(session), params=params)
    assert answer.status_code == 200, answer.text
    return answer


def _queue_ids(answer: httpx.Response) -> list[str]:
    return [item["title"]["id"] for item in answer.json()["items"]]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/me", {}),
        ("/v1/me/feeds", {}),
        ("/v1/me/at-home", {}),
        ("/v1/me/rental-history", {"kind": "shipped"}),
        ("/v1/me/recommendations", {"page_size": 5}),
        ("/v1/me/queues/instant", {"state": "available"}),
        ("/v1/me/title-states", {"titles": "{movie}"}),
        ("/v1/me/ratings", {"titles": "{movie}", "kind": "predicted"}),
    ],
)
async def test_a_second_read_is_a_hit_without_upstream_calls(
    proxy: Proxy, path: str, params: dict[str, str | int]
) -> None:
    session, _ = await proxy.sign_in()
    params = {k: _movie(proxy) if v == "{movie}" else v for k, v in params.items()}
    first = await _get(proxy, session, path, **params)
    calls = len(proxy.upstream.requests)
    second = await _get(proxy, session, path, **params)
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert len(proxy.upstream.requests) == calls
    assert second.json() == first.json()
    assert second.headers["cache-control"] == "private, no-cache"


async def test_other_parameters_are_other_entries(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    await _get(proxy, session, "/v1/me/queues/disc", page_size=2)
    other = await _get(proxy, session, "/v1/me/queues/disc", page_size=3)
    assert other.headers["x-cache"] == "MISS" and len(other.json()["items"]) == 3


async def test_a_queue_add_shows_in_the_next_read(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    before = await _get(proxy, session, "/v1/me/queues/disc", page_size=500)
    assert title not in _queue_ids(before)
    states = await _get(proxy, session, "/v1/me/title-states", titles=title)
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(session), json={"title": title}
    )
    assert added.status_code == 201, added.text
    assert "x-cache" not in added.headers
    assert added.headers["cache-control"] == "private, no-store"
    after = await _get(proxy, session, "/v1/me/queues/disc", page_size=500)
    assert after.headers["x-cache"] == "MISS"
    assert title in _queue_ids(after)
    entry = await _get(proxy, session, f"/v1/me/queues/disc/entries/{title}")
    assert entry.json()["title"]["id"] == title
    new_states = await _get(proxy, session, "/v1/me/title-states", titles=title)
    assert new_states.headers["x-cache"] == "MISS"
    assert new_states.json() != states.json()


async def test_moves_removals_and_reorders_show_in_the_next_read(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    path = "/v1/me/queues/disc"
    order = _queue_ids(await _get(proxy, session, path, state="available", page_size=500))
    assert len(order) >= 3
    last = order[-1]
    cached_entry = await _get(proxy, session, f"{path}/entries/{last}")
    assert cached_entry.json()["position"] == len(order)

    moved = await proxy.client.patch(
        f"{path}/entries/{last}", headers=auth(session), json={"position": 1}
    )
    assert moved.status_code == 200, moved.text
    now = _queue_ids(await _get(proxy, session, path, state="available", page_size=500))
    assert now[0] == last
    assert (await _get(proxy, session, f"{path}/entries/{last}")).json()["position"] == 1

    desired = list(reversed(now))
    reordered = await proxy.client.put(
        f"{path}/order", headers=auth(session), json={"titles": desired}
    )
    assert reordered.status_code == 200, reordered.text
    assert _queue_ids(await _get(proxy, session, path, state="available", page_size=500)) == (
        desired
    )

    removed = await proxy.client.delete(f"{path}/entries/{desired[0]}", headers=auth(session))
    assert removed.status_code == 204, removed.text
    gone = await proxy.client.get(f"{path}/entries/{desired[0]}", headers=auth(session))
    assert gone.status_code == 404
    after = _queue_ids(await _get(proxy, session, path, state="available", page_size=500))
    assert after == desired[1:] == available_ids(proxy, user_id)


async def test_a_rating_shows_in_the_next_read(proxy: Proxy) -> None:
    session, _ = await proxy.sign_in()
    title = _movie(proxy)
    before = await _get(proxy, session, "/v1/me/ratings", titles=title, kind="actual")
    recommended = await _get(proxy, session, "/v1/me/recommendations")
    for value in (4, 2):
        rated = await proxy.client.put(
            f"/v1/me/ratings/{title}", headers=auth(session), json={"rating": value}
        )
        assert rated.status_code == 200, rated.text
        after = await _get(proxy, session, "/v1/me/ratings", titles=title, kind="actual")
        assert after.headers["x-cache"] == "MISS"
        assert after.json()[0]["user_rating"] == value
        assert after.json() != before.json()
    again = await _get(proxy, session, "/v1/me/recommendations")
    assert again.headers["x-cache"] == "MISS"
    assert recommended.headers["x-cache"] == "MISS"


async def test_one_subscriber_never_receives_anothers_cached_data(proxy: Proxy) -> None:
    alice, alice_id = await proxy.sign_in(0)
    bob, bob_id = await proxy.sign_in(1)
    for path in ("/v1/me", "/v1/me/queues/disc", "/v1/me/feeds", "/v1/me/at-home"):
        mine = await _get(proxy, alice, path)
        assert (await _get(proxy, alice, path)).headers["x-cache"] == "HIT"
        theirs = await _get(proxy, bob, path)
        assert theirs.headers["x-cache"] == "MISS", path
        assert theirs.content != mine.content, path
    assert (await _get(proxy, bob, "/v1/me")).json()["user_id"] == bob_id
    assert (await _get(proxy, alice, "/v1/me")).json()["user_id"] == alice_id
    # Alice's write drops her entries only: Bob's stay cached.
    (title,) = addable_movies(proxy, alice_id, 1)
    added = await proxy.client.post(
        "/v1/me/queues/disc/entries", headers=auth(alice), json={"title": title}
    )
    assert added.status_code == 201, added.text
    assert (await _get(proxy, bob, "/v1/me/queues/disc")).headers["x-cache"] == "HIT"
    assert (await _get(proxy, alice, "/v1/me/queues/disc")).headers["x-cache"] == "MISS"
    assert await proxy.redis.exists(keys.user_cache(bob_id, "queue.disc").entries)


async def test_writes_made_elsewhere_show_once_the_entry_expires(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    _, token, secret = proxy.demo_tokens()[0]
    path = "/v1/me/queues/disc"
    before = _queue_ids(await _get(proxy, session, path, state="available", page_size=500))
    async with proxy.emulator_client() as http:
        # Another application of the subscriber's, calling Netflix itself.
        elsewhere = emulator_client(http).for_subscriber(
            Session("", user_id, AccessToken(token, secret))
        )
        await elsewhere.remove_from_queue(
            QueueType.DISC, TitleRef.parse(before[0]), state=QueueState.AVAILABLE
        )
    cached = await _get(proxy, session, path, state="available", page_size=500)
    assert cached.headers["x-cache"] == "HIT" and _queue_ids(cached) == before
    entries = keys.user_cache(user_id, "queue.disc").entries
    ttl_ms = await proxy.redis.pttl(entries)
    assert 0 < ttl_ms <= proxy.settings.user_cache_ttl_s * 1000
    await proxy.redis.pexpire(entries, 1)  # as if the TTL had passed
    await asyncio.sleep(0.01)
    fresh = await _get(proxy, session, path, state="available", page_size=500)
    assert fresh.headers["x-cache"] == "MISS" and _queue_ids(fresh) == before[1:]


async def test_a_zero_ttl_turns_the_cache_off(redis_url: str) -> None:
    async with running_proxy(
        redis_url, budget_user_per_s=200.0, user_cache_ttl_s=0, user_cache_ttl_profile_s=0
    ) as proxy:
        session, _ = await proxy.sign_in()
        for _ in range(2):
            assert (await _get(proxy, session, "/v1/me")).headers["x-cache"] == "BYPASS"
            queue = await _get(proxy, session, "/v1/me/queues/disc")
            assert queue.headers["x-cache"] == "BYPASS"
        assert [k async for k in proxy.redis.scan_iter(match=f"{keys.ROOT}{{usr:*")] == []


async def test_an_entry_of_another_shape_is_fetched_again(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    first = await _get(proxy, session, "/v1/me")
    where = keys.user_cache(user_id, "profile")
    (field,) = await proxy.redis.hkeys(where.entries)
    await proxy.redis.hset(where.entries, field, b'{"user_id": "someone", "old_field": 1}')
    again = await _get(proxy, session, "/v1/me")
    assert again.headers["x-cache"] == "MISS"
    assert again.json() == first.json()
