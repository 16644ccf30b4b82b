"""Concurrent queue writes from four proxy processes on one queue: nothing is lost.

Four uvicorn processes share one real redis-server and one emulator process, all over TCP.
Many adds land on the same subscriber's disc queue at once, spread across the replicas, half
of them at position 1. Retries on stale etags are switched off here, so only the per-queue
Redis lock and the shared server-side etags can make every write succeed, each exactly once;
and no client may ever see an etag.
"""

from __future__ import annotations

import asyncio
import random
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
    upstream_disc_queue,
)

pytestmark = pytest.mark.integration

REPLICAS = 4
ADDS_PER_REPLICA = 3


@dataclass(frozen=True)
class Cluster:
    """One emulator, several proxy replicas, and the subscriber whose queue they share."""

    emulator: str
    proxies: list[str]
    user_id: str
    token: str
    secret: str
    candidates: list[str]


@pytest.fixture(scope="module")
def cluster(redis_url: str) -> Iterator[Cluster]:
    Redis.from_url(redis_url).flushdb()
    key = Fernet.generate_key().decode()
    twin = emulator_twin()
    user_id, token, secret = demo_tokens(twin)[1]
    candidates = addable_titles(twin, user_id)
    with ExitStack() as processes:
        emulator = start_emulator(processes)
        proxies = [
            start_proxy(
                processes,
                emulator,
                redis_url,
                key,
                NFX_BUDGET_USER_PER_S="200",
                NFX_QUEUE_LOCK_TTL_S="30",
                NFX_ETAG_RETRIES="0",
            )
            for _ in range(REPLICAS)
        ]
        yield Cluster(emulator, proxies, user_id, token, secret, candidates)


def _upstream_queue(cluster: Cluster) -> tuple[list[str], str]:
    return upstream_disc_queue(cluster.emulator, cluster.user_id, cluster.token, cluster.secret)


def test_concurrent_adds_across_replicas_lose_nothing(cluster: Cluster) -> None:
    session, user_id = import_session(cluster.proxies[0], cluster.token, cluster.secret)
    assert user_id == cluster.user_id
    before, first_etag = _upstream_queue(cluster)
    wanted = [c for c in cluster.candidates if c not in before][: REPLICAS * ADDS_PER_REPLICA]
    rng = random.Random(11)

    async def add_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        f"{cluster.proxies[index % REPLICAS]}/v1/me/queues/disc/entries",
                        headers=bearer(session),
                        json={"title": title, **({"position": 1} if rng.random() < 0.5 else {})},
                    )
                    for index, title in enumerate(wanted)
                )
            )

    answers = asyncio.run(add_all())
    assert [a.status_code for a in answers] == [201] * len(wanted), [
        a.text for a in answers if a.status_code != 201
    ]
    assert sorted(a.json()["title"]["id"] for a in answers) == sorted(wanted)

    after, last_etag = _upstream_queue(cluster)
    assert set(wanted) <= set(after), "an add was lost"
    assert len(after) == len(before) + len(wanted), "a title was queued twice or dropped"
    assert set(before) <= set(after)

    # The queue etag grows by one per write: every value between covers all that were issued.
    issued = {str(n) for n in range(int(first_etag), int(last_etag) + 1)}
    assert len(issued) == len(wanted) + 1
    for answer in answers:
        text = answer.text + repr(dict(answer.headers))
        assert '"etag"' not in answer.text.lower()
        assert "etag" not in {name.lower() for name in answer.headers}
        assert not [etag for etag in issued if etag in text]

    with httpx.Client(base_url=cluster.proxies[2], timeout=TIMEOUT_S) as client:
        listed = client.get(
            "/v1/me/queues/disc",
            headers=bearer(session),
            params={"state": "available", "page_size": 500},
        )
    assert listed.status_code == 200, listed.text
    assert [i["title"]["id"] for i in listed.json()["items"]] == after
    assert not [etag for etag in issued if etag in listed.text]


def test_concurrent_moves_and_removes_across_replicas(cluster: Cluster) -> None:
    session, _ = import_session(cluster.proxies[1], cluster.token, cluster.secret)
    before, _ = _upstream_queue(cluster)
    assert len(before) >= 8
    removed = before[-2:]
    moved = before[-6:-2]

    async def write_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60) as client:
            requests = [
                client.delete(
                    f"{cluster.proxies[i % REPLICAS]}/v1/me/queues/disc/entries/{title}",
                    headers=bearer(session),
                )
                for i, title in enumerate(removed)
            ]
            requests += [
                client.patch(
                    f"{cluster.proxies[(i + 2) % REPLICAS]}/v1/me/queues/disc/entries/{title}",
                    headers=bearer(session),
                    json={"position": 1},
                )
                for i, title in enumerate(moved)
            ]
            return await asyncio.gather(*requests)

    answers = asyncio.run(write_all())
    assert [a.status_code for a in answers] == [204] * len(removed) + [200] * len(moved), [
        a.text for a in answers
    ]
    after, _ = _upstream_queue(cluster)
    assert not set(removed) & set(after)
    assert set(after[: len(moved)]) == set(moved), "every moved title went to the top"
    assert len(after) == len(before) - len(removed)
