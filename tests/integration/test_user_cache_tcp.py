"""Read after write across two proxy processes over TCP, with the per-subscriber cache on.

Two uvicorn replicas share one real redis-server and one emulator process. Each read is made
on one replica right after a write answered on the other, after both had cached the read:
it must show the write (the cache lives in Redis only, and writes drop what they change).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest
from cryptography.fernet import Fernet
from redis import Redis

from tests.support.tcp_stack import (
    TIMEOUT_S,
    addable_titles,
    bearer,
    demo_tokens,
    emulator_twin,
    import_session,
    start_emulator,
    start_proxy,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Replicas:
    """Two proxy processes, a session valid on both, and titles to queue."""

    first: str
    second: str
    session: str
    candidates: list[str]


@pytest.fixture(scope="module")
def replicas(redis_url: str) -> Iterator[Replicas]:
    Redis.from_url(redis_url).flushdb()
    key = Fernet.generate_key().decode()
    twin = emulator_twin()
    user_id, token, secret = demo_tokens(twin)[2]
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        first, second = (
            start_proxy(processes, emulator, redis_url, key, NFX_BUDGET_USER_PER_S="200")
            for _ in range(2)
        )
        session, _ = import_session(first, token, secret)
        yield Replicas(first, second, session, addable_titles(twin, user_id))


def _queue(client: httpx.Client, replicas: Replicas) -> tuple[list[str], str]:
    answer = client.get(
        "/v1/me/queues/disc",
        headers=bearer(replicas.session),
        params={"state": "available", "page_size": 500},
    )
    assert answer.status_code == 200, answer.text
    return [e["title"]["id"] for e in answer.json()["items"]], answer.headers["x-cache"]


def test_a_queue_add_on_one_replica_shows_at_once_on_the_other(replicas: Replicas) -> None:
    with (
        httpx.Client(base_url=replicas.first, timeout=TIMEOUT_S) as first,
        httpx.Client(base_url=replicas.second, timeout=TIMEOUT_S) as second,
    ):
        before, _ = _queue(second, replicas)
        assert _queue(first, replicas) == (before, "HIT")  # one cache for both replicas
        assert _queue(second, replicas) == (before, "HIT")
        for title in replicas.candidates[:3]:
            added = first.post(
                "/v1/me/queues/disc/entries",
                headers=bearer(replicas.session),
                json={"title": title},
            )
            assert added.status_code == 201, added.text
            after, status = _queue(second, replicas)
            assert status == "MISS"
            assert after == [*before, title]
            before = after
            assert _queue(first, replicas) == (after, "HIT")


def test_moves_removals_and_ratings_show_at_once_on_the_other(replicas: Replicas) -> None:
    with (
        httpx.Client(base_url=replicas.first, timeout=TIMEOUT_S) as first,
        httpx.Client(base_url=replicas.second, timeout=TIMEOUT_S) as second,
    ):
        order, _ = _queue(first, replicas)
        _queue(second, replicas)
        last = order[-1]
        moved = second.patch(
            f"/v1/me/queues/disc/entries/{last}",
            headers=bearer(replicas.session),
            json={"position": 1},
        )
        assert moved.status_code == 200, moved.text
        assert _queue(first, replicas)[0] == [last, *order[:-1]]
        removed = first.delete(
            f"/v1/me/queues/disc/entries/{last}", headers=bearer(replicas.session)
        )
        assert removed.status_code == 204, removed.text
        assert _queue(second, replicas)[0] == order[:-1]

        title = replicas.candidates[-1]
        params = {"titles": title, "kind": "actual"}
        for value in (3, 5):
            seen = second.get("/v1/me/ratings", headers=bearer(replicas.session), params=params)
            assert seen.status_code == 200, seen.text
            rated = first.put(
                f"/v1/me/ratings/{title}",
                headers=bearer(replicas.session),
                json={"rating": value},
            )
            assert rated.status_code == 200, rated.text
            ratings = second.get("/v1/me/ratings", headers=bearer(replicas.session), params=params)
            assert ratings.headers["x-cache"] == "MISS"
            assert ratings.json()[0]["user_rating"] == value
