"""Queue writes over TCP give one definite answer each: proxy processes, redis-server, emulator.

* Against an emulator whose every write is applied and then its connection dropped
  (`NFX_EMULATOR_FAULT_WRITE_DROP_RATE=1`), the proxy reads the queue back and answers what
  happened; with an `Idempotency-Key`, a client's retry gets that same answer, even when
  several processes receive the repeats at once.
* Against a slow emulator, 3 processes x 40 concurrent writes on one queue wait their turn:
  each gets a 2xx, 503 with Retry-After when its turn did not come in time, or 409 only for
  a real conflict (adding a queued title); every answer is true of the queue.

The emulator's queue etag grows by one per applied write, which counts upstream writes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.support.oauth import signer
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

ENTRIES = "/v1/me/queues/disc/entries"
PROCESSES = 3
WRITES_PER_PROCESS = 40
QUEUE_WAIT_S = "0.5"
# Each upstream call takes at least this long, so 120 writes in turn cannot all fit in the wait.
EMULATOR_LATENCY_MS = "40"


@dataclass(frozen=True)
class Stack:
    """One emulator, proxy processes, and the subscriber whose disc queue they write."""

    emulator: str
    proxies: list[str]
    session: str
    user_id: str
    token: str
    secret: str
    addable: list[str]

    def queue(self) -> tuple[list[str], int]:
        """The upstream disc queue (ids in order) and its etag as a number."""
        ids, etag = upstream_disc_queue(self.emulator, self.user_id, self.token, self.secret)
        return ids, int(etag)


def _stack(
    processes: ExitStack,
    redis_url: str,
    user_index: int,
    replicas: int,
    emulator_env: dict[str, str],
    proxy_env: dict[str, str],
) -> Stack:
    key = Fernet.generate_key().decode()
    twin = emulator_twin()
    user_id, token, secret = demo_tokens(twin)[user_index]
    emulator = start_emulator(processes, **emulator_env)
    proxies = [
        start_proxy(processes, emulator, redis_url, key, **proxy_env) for _ in range(replicas)
    ]
    session, signed_in = import_session(proxies[0], token, secret)
    assert signed_in == user_id
    return Stack(emulator, proxies, session, user_id, token, secret, addable_titles(twin, user_id))


@pytest.fixture(scope="module")
def dropping(redis_url: str) -> Iterator[Stack]:
    with ExitStack() as processes:
        yield _stack(
            processes,
            redis_url,
            2,
            PROCESSES,
            {"NFX_EMULATOR_FAULT_WRITE_DROP_RATE": "1"},
            {"NFX_BUDGET_USER_PER_S": "200"},
        )


@pytest.fixture(scope="module")
def contended(redis_url: str) -> Iterator[Stack]:
    with ExitStack() as processes:
        yield _stack(
            processes,
            redis_url,
            0,
            PROCESSES,
            {"NFX_EMULATOR_FAULT_LATENCY_MS": EMULATOR_LATENCY_MS},
            {"NFX_BUDGET_USER_PER_S": "200", "NFX_QUEUE_WAIT_S": QUEUE_WAIT_S},
        )


def test_the_emulator_applies_a_write_and_drops_its_connection(dropping: Stack) -> None:
    before, etag = dropping.queue()
    title = dropping.addable[-1]
    with (
        httpx.Client(base_url=dropping.emulator, timeout=TIMEOUT_S) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.post(
            f"/users/{dropping.user_id}/queues/disc",
            data={"title_ref": f"http://api-public.netflix.com/catalog/titles/{title}"},
            params={"etag": str(etag)},
            auth=signer(dropping.token, dropping.secret),
        )
    after, new_etag = dropping.queue()
    assert after == [*before, title]
    assert new_etag == etag + 1


def test_a_dropped_add_answers_201_and_its_keyed_retry_the_same(dropping: Stack) -> None:
    title = dropping.addable[0]
    _, etag = dropping.queue()
    headers = {**bearer(dropping.session), "Idempotency-Key": str(uuid.uuid4())}
    with httpx.Client(timeout=TIMEOUT_S) as client:
        first = client.post(dropping.proxies[0] + ENTRIES, headers=headers, json={"title": title})
        assert first.status_code == 201, first.text
        assert first.json()["title"]["id"] == title
        retry = client.post(dropping.proxies[1] + ENTRIES, headers=headers, json={"title": title})
    assert retry.status_code == 201, retry.text
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"]
    after, new_etag = dropping.queue()
    assert after.count(title) == 1
    assert new_etag == etag + 1, "one upstream write"


def test_dropped_moves_and_deletes_answer_what_happened(dropping: Stack) -> None:
    before, etag = dropping.queue()
    with httpx.Client(timeout=TIMEOUT_S, headers=bearer(dropping.session)) as client:
        moved = client.patch(f"{dropping.proxies[1]}{ENTRIES}/{before[-1]}", json={"position": 1})
        removed = client.delete(f"{dropping.proxies[2]}{ENTRIES}/{before[1]}")
    assert moved.status_code == 200, moved.text
    assert moved.json()["position"] == 1
    assert removed.status_code == 204, removed.text
    after, new_etag = dropping.queue()
    assert after[0] == before[-1]
    assert before[1] not in after
    assert new_etag == etag + 2


def test_repeats_sent_to_several_processes_at_once_apply_once(dropping: Stack) -> None:
    title = dropping.addable[1]
    _, etag = dropping.queue()
    headers = {**bearer(dropping.session), "Idempotency-Key": f"once-{uuid.uuid4()}"}

    async def send_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        dropping.proxies[n % PROCESSES] + ENTRIES,
                        headers=headers,
                        json={"title": title},
                    )
                    for n in range(3 * PROCESSES)
                )
            )

    answers = asyncio.run(send_all())
    assert [a.status_code for a in answers] == [201] * len(answers), [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    replayed = [a for a in answers if a.headers.get("idempotent-replayed") == "true"]
    assert len(replayed) == len(answers) - 1
    after, new_etag = dropping.queue()
    assert after.count(title) == 1
    assert new_etag == etag + 1, "one upstream write"

    with httpx.Client(timeout=TIMEOUT_S) as client:
        other = client.post(
            dropping.proxies[2] + ENTRIES, headers=headers, json={"title": dropping.addable[2]}
        )
    assert other.status_code == 422, other.text
    assert dropping.queue()[1] == new_etag


def test_contended_writes_wait_their_turn_and_answer_truly(contended: Stack) -> None:
    before, etag = contended.queue()
    adds = [t for t in contended.addable if t not in before]
    assert len(adds) >= PROCESSES * WRITES_PER_PROCESS

    def request(client: httpx.AsyncClient, n: int) -> asyncio.Future[httpx.Response]:
        base = contended.proxies[n % PROCESSES]
        if n % 4 == 3:  # a move of a title queued from the start
            title = before[n % len(before)]
            return asyncio.ensure_future(
                client.patch(f"{base}{ENTRIES}/{title}", json={"position": 1 + n % 5})
            )
        if n % 20 == 1:  # a real conflict: adding a queued title
            return asyncio.ensure_future(client.post(base + ENTRIES, json={"title": before[0]}))
        return asyncio.ensure_future(client.post(base + ENTRIES, json={"title": adds[n]}))

    async def write_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=120, headers=bearer(contended.session)) as client:
            return await asyncio.gather(
                *(request(client, n) for n in range(PROCESSES * WRITES_PER_PROCESS))
            )

    answers = asyncio.run(write_all())
    after, new_etag = contended.queue()
    statuses: dict[int, int] = {}
    for n, answer in enumerate(answers):
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
        kind = answer.json()["type"].rsplit("/", 1)[-1] if answer.status_code >= 400 else ""
        if answer.status_code == 409:
            assert n % 20 == 1 and n % 4 != 3, answer.text
            assert kind == "already-in-queue", answer.text
        elif answer.status_code == 503:
            assert kind == "queue-busy", answer.text
            assert int(answer.headers["retry-after"]) >= 1
        else:
            assert answer.status_code in (200, 201), answer.text
        if answer.request.method == "POST" and n % 20 != 1:
            # Nothing lost, nothing invented: an add is queued exactly when it said so.
            assert after.count(adds[n]) == (1 if answer.status_code == 201 else 0), answer.text
    applied = statuses.get(200, 0) + statuses.get(201, 0)
    assert applied > 0
    assert statuses.get(503, 0) > 0, "every write got its turn within the wait"
    added = statuses.get(201, 0)
    assert len(after) == len(before) + added
    # Moves to a position a title already holds write nothing; all others wrote once.
    assert etag + added <= new_etag <= etag + applied
