"""Two subscribers on one proxy over TCP: neither sees nor changes the other's data.

Sessions decide whose data a request touches, never the request itself; user answers never
enter the shared response cache, while catalog answers stay the same for everyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest
from cryptography.fernet import Fernet
from redis import Redis

from emulator.accounts.formats import disc_formats
from service.store import keys
from tests.support.tcp_stack import (
    TIMEOUT_S,
    bearer,
    demo_tokens,
    emulator_twin,
    import_session,
    start_emulator,
    start_proxy,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Users:
    """The proxy, Redis, and two signed-in subscribers."""

    proxy: str
    redis: Redis
    alice: str
    alice_id: str
    bob: str
    bob_id: str
    spare_title: str


@pytest.fixture(scope="module")
def users(redis_url: str) -> Iterator[Users]:
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    twin = emulator_twin()
    tokens = demo_tokens(twin)
    context = twin.state.context
    queued = {
        e.title.id
        for s in context.accounts.subscribers
        for q in ("disc", "instant")
        for e in s.queue(q).available + s.queue(q).saved
    }
    at_home = {i for s in context.accounts.subscribers for i in s.history.at_home_ids()}
    spare = next(
        f"movies/{t.id}"
        for t in context.catalog.titles
        if t.kind == "movies" and disc_formats(t) and t.id not in queued | at_home
    )
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        proxy = start_proxy(
            processes,
            emulator,
            redis_url,
            Fernet.generate_key().decode(),
            NFX_BUDGET_USER_PER_S="200",
        )
        alice, alice_id = import_session(proxy, *tokens[0][1:])
        bob, bob_id = import_session(proxy, *tokens[1][1:])
        yield Users(proxy, redis, alice, alice_id, bob, bob_id, spare)
    redis.close()


def _bytes(value: object) -> bytes:
    assert value is None or isinstance(value, bytes)
    return value or b""


def _ids(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["title"]["id"] for item in answer.json()["items"]]


def test_each_session_sees_its_own_profile_and_queue(users: Users) -> None:
    assert users.alice_id != users.bob_id
    with httpx.Client(base_url=users.proxy, timeout=TIMEOUT_S) as client:
        alice = client.get("/v1/me", headers=bearer(users.alice))
        bob = client.get("/v1/me", headers=bearer(users.bob))
        assert alice.json()["user_id"] == users.alice_id
        assert bob.json()["user_id"] == users.bob_id
        alice_queue = _ids(
            client.get("/v1/me/queues/disc", headers=bearer(users.alice), params={"page_size": 500})
        )
        bob_queue = _ids(
            client.get("/v1/me/queues/disc", headers=bearer(users.bob), params={"page_size": 500})
        )
    assert alice_queue and bob_queue
    assert not set(alice_queue) & set(bob_queue)


def test_one_user_cannot_change_the_others_queue(users: Users) -> None:
    with httpx.Client(base_url=users.proxy, timeout=TIMEOUT_S) as client:
        alice_before = _ids(
            client.get(
                "/v1/me/queues/disc",
                headers=bearer(users.alice),
                params={"state": "available", "page_size": 500},
            )
        )
        target = alice_before[-1]
        # Bob aims at Alice's entry: it is not in his queue, so nothing happens anywhere.
        assert (
            client.delete(
                f"/v1/me/queues/disc/entries/{target}", headers=bearer(users.bob)
            ).status_code
            == 404
        )
        assert (
            client.patch(
                f"/v1/me/queues/disc/entries/{target}",
                headers=bearer(users.bob),
                json={"position": 1},
            ).status_code
            == 404
        )
        assert (
            client.get(
                f"/v1/me/queues/disc/entries/{target}", headers=bearer(users.bob)
            ).status_code
            == 404
        )
        added = client.post(
            "/v1/me/queues/disc/entries",
            headers=bearer(users.bob),
            json={"title": users.spare_title, "position": 1},
        )
        assert added.status_code == 201, added.text
        alice_after = _ids(
            client.get(
                "/v1/me/queues/disc",
                headers=bearer(users.alice),
                params={"state": "available", "page_size": 500},
            )
        )
        bob_after = _ids(
            client.get(
                "/v1/me/queues/disc",
                headers=bearer(users.bob),
                params={"state": "available", "page_size": 500},
            )
        )
    assert alice_after == alice_before
    assert bob_after[0] == users.spare_title
    assert users.redis.get(keys.queue_etag(users.alice_id, "disc")) != users.redis.get(
        keys.queue_etag(users.bob_id, "disc")
    )


def test_one_users_rating_is_not_the_others(users: Users) -> None:
    title = users.spare_title
    with httpx.Client(base_url=users.proxy, timeout=TIMEOUT_S) as client:
        alice_rates = client.put(
            f"/v1/me/ratings/{title}", headers=bearer(users.alice), json={"rating": 5}
        )
        assert alice_rates.status_code == 200, alice_rates.text
        bob_rates = client.put(
            f"/v1/me/ratings/{title}", headers=bearer(users.bob), json={"rating": 1}
        )
        assert bob_rates.status_code == 200, bob_rates.text
        alice = client.get(
            "/v1/me/ratings",
            headers=bearer(users.alice),
            params={"titles": title, "kind": "actual"},
        )
        bob = client.get(
            "/v1/me/ratings", headers=bearer(users.bob), params={"titles": title, "kind": "actual"}
        )
    assert alice.json()[0]["user_rating"] == 5
    assert bob.json()[0]["user_rating"] == 1


def test_user_data_is_cached_per_subscriber_and_never_shared(users: Users) -> None:
    paths = (
        "/v1/me",
        "/v1/me/recommendations",
        "/v1/me/rental-history",
        "/v1/me/at-home",
        "/v1/me/feeds",
        "/v1/me/queues/instant",
    )
    with httpx.Client(base_url=users.proxy, timeout=TIMEOUT_S) as client:
        answers = {
            (who, path, turn): client.get(path, headers=bearer(session))
            for turn in (1, 2)
            for who, session in (("alice", users.alice), ("bob", users.bob))
            for path in paths
        }
        for (who, path, turn), answer in answers.items():
            assert answer.status_code == 200, (path, answer.text)
            assert answer.headers["cache-control"] == "private, no-cache"
            if turn == 2:
                # Bob's first reads came after Alice's had been cached: none of them was a
                # hit, and each second read is the subscriber's own cached answer.
                assert answer.headers["x-cache"] == "HIT", (who, path)
                assert answer.content == answers[(who, path, 1)].content, (who, path)
        profiles = {
            client.get("/v1/me", headers=bearer(s)).json()["user_id"]
            for s in (users.alice, users.bob)
        }
        assert profiles == {users.alice_id, users.bob_id}
        assert answers[("alice", "/v1/me", 1)].content != answers[("bob", "/v1/me", 1)].content
        for who, user_id in (("alice", users.alice_id), ("bob", users.bob_id)):
            mine = keys.user_cache(user_id, "profile").entries
            assert users.redis.exists(mine), who
        cached = list(users.redis.scan_iter(match=keys.catalog_pattern()))
        assert cached == [], "a user answer was stored in the shared cache"
        # Catalog answers are shared, and the same whoever asks.
        anonymous = client.get("/v1/titles/movies/60020435")
        as_alice = client.get("/v1/titles/movies/60020435", headers=bearer(users.alice))
        as_bob = client.get("/v1/titles/movies/60020435", headers=bearer(users.bob))
    assert anonymous.status_code == 200, anonymous.text
    assert as_alice.content == anonymous.content == as_bob.content
    values = b"".join(
        _bytes(users.redis.get(k))
        for k in users.redis.scan_iter(match=keys.catalog_pattern())
        if keys.is_cache_entry(k)
    )
    assert values
    for user_id in (users.alice_id, users.bob_id):
        assert user_id.encode() not in values


def test_a_tampered_session_token_is_refused(users: Users) -> None:
    with httpx.Client(base_url=users.proxy, timeout=TIMEOUT_S) as client:
        forged = users.bob[:-4] + ("AAAA" if not users.bob.endswith("AAAA") else "BBBB")
        answer = client.get("/v1/me", headers=bearer(forged))
    assert answer.status_code == 401
    assert users.alice_id not in answer.text and users.bob_id not in answer.text
