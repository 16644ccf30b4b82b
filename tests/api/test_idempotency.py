"""`Idempotency-Key` on the write endpoints: one upstream write, the same answer replayed.

Upstream writes are counted on the transport between the proxy and the in-process emulator,
and the emulator's own queue is the truth the answers are checked against.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.proxy import Proxy, running_proxy
from tests.support.queue_helpers import addable_movies, auth, available_ids

ENTRIES = "/v1/me/queues/disc/entries"


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    async with running_proxy(redis_url, budget_user_per_s=200.0) as running:
        yield running


def _writes(proxy: Proxy) -> int:
    return sum(1 for r in proxy.upstream.requests if r.method != "GET")


def _keyed(session: str, key: str) -> dict[str, str]:
    return {**auth(session), "Idempotency-Key": key}


async def test_a_repeated_add_replays_the_first_answer_without_writing_again(
    proxy: Proxy,
) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    headers = _keyed(session, "7c9e6679-7425-40de-944b-e07fc1f90ae7")
    first = await proxy.client.post(ENTRIES, headers=headers, json={"title": title})
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    writes = _writes(proxy)
    # The same body spelled differently is the same request.
    again = await proxy.client.post(
        ENTRIES,
        headers={**headers, "Content-Type": "application/json"},
        content=f'{{ "title" : "{title}" }}',
    )
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["cache-control"] == "private, no-store"
    assert _writes(proxy) == writes
    assert available_ids(proxy, user_id).count(title) == 1


async def test_the_same_key_for_another_request_is_422(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    first_title, other_title = addable_movies(proxy, user_id, 2)
    headers = _keyed(session, "key-1")
    assert (
        await proxy.client.post(ENTRIES, headers=headers, json={"title": first_title})
    ).is_success
    writes = _writes(proxy)
    other_body = await proxy.client.post(ENTRIES, headers=headers, json={"title": other_title})
    assert other_body.status_code == 422, other_body.text
    assert other_body.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in other_body.json()["detail"]
    other_path = await proxy.client.post(
        "/v1/me/queues/instant/entries", headers=headers, json={"title": first_title}
    )
    assert other_path.status_code == 422, other_path.text
    assert _writes(proxy) == writes
    assert other_title not in available_ids(proxy, user_id)


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
async def test_invalid_keys_are_refused_before_any_write(proxy: Proxy, key: str) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    answer = await proxy.client.post(
        ENTRIES,
        headers=[
            (b"Authorization", f"Bearer {session}".encode()),
            (b"Idempotency-Key", key.encode("utf-8")),
        ],
        json={"title": title},
    )
    assert answer.status_code == 422, answer.text
    assert "printable ASCII" in answer.json()["detail"]
    assert title not in available_ids(proxy, user_id)


async def test_a_quoted_key_is_the_same_key(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    first = await proxy.client.post(ENTRIES, headers=_keyed(session, "abc"), json={"title": title})
    again = await proxy.client.post(
        ENTRIES, headers=_keyed(session, '"abc"'), json={"title": title}
    )
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"


async def test_keys_belong_to_their_user(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in(0)
    other_session, other_user = await proxy.sign_in(1)
    (title,) = addable_movies(proxy, user_id, 1)
    assert title not in available_ids(proxy, other_user)
    mine = await proxy.client.post(ENTRIES, headers=_keyed(session, "k"), json={"title": title})
    theirs = await proxy.client.post(
        ENTRIES, headers=_keyed(other_session, "k"), json={"title": title}
    )
    assert mine.status_code == theirs.status_code == 201, theirs.text
    assert "idempotent-replayed" not in theirs.headers
    assert title in available_ids(proxy, other_user)


async def test_a_final_refusal_is_replayed(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    queued = available_ids(proxy, user_id)[0]
    headers = _keyed(session, "already")
    first = await proxy.client.post(ENTRIES, headers=headers, json={"title": queued})
    assert first.status_code == 409, first.text
    again = await proxy.client.post(ENTRIES, headers=headers, json={"title": queued})
    assert again.status_code == 409
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["content-type"] == "application/problem+json"


async def test_a_temporary_failure_is_not_stored(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    headers = _keyed(session, "try-again")
    await proxy.client.get("/v1/me/queues/disc", headers=auth(session))  # etag known
    proxy.upstream.down = True
    failed = await proxy.client.post(ENTRIES, headers=headers, json={"title": title})
    assert failed.status_code == 502, failed.text
    proxy.upstream.down = False
    retried = await proxy.client.post(ENTRIES, headers=headers, json={"title": title})
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    assert available_ids(proxy, user_id).count(title) == 1


async def test_a_repeated_delete_answers_204_again_without_a_second_delete(
    proxy: Proxy,
) -> None:
    session, user_id = await proxy.sign_in()
    first = available_ids(proxy, user_id)[0]
    headers = _keyed(session, "delete-once")
    removed = await proxy.client.delete(f"{ENTRIES}/{first}", headers=headers)
    assert removed.status_code == 204
    writes = _writes(proxy)
    again = await proxy.client.delete(f"{ENTRIES}/{first}", headers=headers)
    assert again.status_code == 204, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert _writes(proxy) == writes
    # Without the key, the repeat is a new request: the title is gone.
    plain = await proxy.client.delete(f"{ENTRIES}/{first}", headers=auth(session))
    assert plain.status_code == 404


async def test_moves_and_reorders_are_replayed(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    before = available_ids(proxy, user_id)
    move = await proxy.client.patch(
        f"{ENTRIES}/{before[-1]}", headers=_keyed(session, "m"), json={"position": 1}
    )
    desired = list(reversed(available_ids(proxy, user_id)))
    order = await proxy.client.put(
        "/v1/me/queues/disc/order", headers=_keyed(session, "o"), json={"titles": desired}
    )
    assert move.status_code == order.status_code == 200
    writes = _writes(proxy)
    move_again = await proxy.client.patch(
        f"{ENTRIES}/{before[-1]}", headers=_keyed(session, "m"), json={"position": 1}
    )
    order_again = await proxy.client.put(
        "/v1/me/queues/disc/order", headers=_keyed(session, "o"), json={"titles": desired}
    )
    assert (move_again.json(), order_again.json()) == (move.json(), order.json())
    assert move_again.headers["idempotent-replayed"] == "true"
    assert order_again.headers["idempotent-replayed"] == "true"
    assert _writes(proxy) == writes
    assert available_ids(proxy, user_id) == desired


async def test_a_repeated_rating_is_replayed(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    headers = _keyed(session, "rate-it")
    rated = await proxy.client.put(f"/v1/me/ratings/{title}", headers=headers, json={"rating": 4})
    assert rated.status_code == 200, rated.text
    assert rated.headers["cache-control"] == "private, no-store"
    writes = _writes(proxy)
    again = await proxy.client.put(f"/v1/me/ratings/{title}", headers=headers, json={"rating": 4})
    assert again.status_code == 200
    assert again.json() == rated.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert _writes(proxy) == writes
    changed = await proxy.client.put(f"/v1/me/ratings/{title}", headers=headers, json={"rating": 2})
    assert changed.status_code == 422


async def test_without_the_header_nothing_is_stored(proxy: Proxy) -> None:
    session, user_id = await proxy.sign_in()
    (title,) = addable_movies(proxy, user_id, 1)
    first = await proxy.client.post(ENTRIES, headers=auth(session), json={"title": title})
    again = await proxy.client.post(ENTRIES, headers=auth(session), json={"title": title})
    assert (first.status_code, again.status_code) == (201, 409)
    assert [key async for key in proxy.redis.scan_iter(match="nfx:v1:{idem:*")] == []


async def test_the_header_is_declared_on_every_write(proxy: Proxy) -> None:
    document = (await proxy.client.get("/openapi.json")).json()
    keyed = {
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    writes = {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if path.startswith(("/v1/me/queues", "/v1/me/ratings")) and method != "get"
    }
    # Add, move and remove (titles and seasons), reorder; rate a title, rate a season.
    assert len(writes) == 6 + 2
    assert keyed == writes
