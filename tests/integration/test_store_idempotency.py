"""Stored `Idempotency-Key` answers on every store backend (embedded, Redis, Redis Cluster)."""

from __future__ import annotations

import asyncio

import pytest

from service.errors import Conflict, InvalidInput
from service.idempotency import parse_key, request_fingerprint
from service.store import keys
from service.store.idempotency import ANSWER_TTL_S, IdempotencyStore, StoredAnswer
from service.store.redis import RedisLike
from tests.support.store_backends import settings_for

pytestmark = pytest.mark.integration

USER = "T1userUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU-"
ANSWER = StoredAnswer(201, [("location", "/v1/me/queues/disc/entries/movies/1")], b'{"a":1}')


async def test_the_first_claims_and_repeats_get_its_answer(store: RedisLike) -> None:
    idempotency = IdempotencyStore(store, settings_for(None), wait_s=5.0)
    claim = await idempotency.begin(USER, "k", "print-1")
    assert claim.record is not None and claim.answer is None

    async def repeat() -> StoredAnswer | None:
        return (await idempotency.begin(USER, "k", "print-1")).answer

    waiting = asyncio.create_task(repeat())
    await asyncio.sleep(0.1)
    assert not waiting.done(), "a repeat waits while the first runs"
    await idempotency.finish(USER, "k", claim.record, "print-1", ANSWER)
    assert await waiting == ANSWER
    ttl = await store.ttl(keys.idempotency(USER, "k"))
    assert ANSWER_TTL_S - 60 < ttl <= ANSWER_TTL_S
    with pytest.raises(InvalidInput, match="another request"):
        await idempotency.begin(USER, "k", "print-2")


async def test_a_repeat_gives_up_waiting_with_409(store: RedisLike) -> None:
    idempotency = IdempotencyStore(store, settings_for(None), wait_s=0.1)
    assert (await idempotency.begin(USER, "busy", "p")).record is not None
    with pytest.raises(Conflict, match="still in progress") as caught:
        await idempotency.begin(USER, "busy", "p")
    assert caught.value.headers["Retry-After"] == "1"
    with pytest.raises(InvalidInput):
        await idempotency.begin(USER, "busy", "other")


async def test_a_released_key_is_claimed_again(store: RedisLike) -> None:
    idempotency = IdempotencyStore(store, settings_for(None), wait_s=5.0)
    first = await idempotency.begin(USER, "again", "p")
    assert first.record is not None
    waiting = asyncio.create_task(idempotency.begin(USER, "again", "p"))
    await asyncio.sleep(0.1)
    await idempotency.release(USER, "again", first.record)
    second = await waiting
    assert second.record is not None and second.record != first.record
    # The first owner can no longer store an answer over the second's claim.
    await idempotency.finish(USER, "again", first.record, "p", ANSWER)
    assert await idempotency.renew(USER, "again", second.record)
    assert not await idempotency.renew(USER, "again", first.record)


async def test_keys_are_per_user(store: RedisLike) -> None:
    idempotency = IdempotencyStore(store, settings_for(None), wait_s=0.1)
    mine = await idempotency.begin(USER, "shared", "p")
    assert mine.record is not None
    theirs = await idempotency.begin("someone-else", "shared", "q")
    assert theirs.record is not None


def test_keys_are_validated_and_unquoted() -> None:
    assert parse_key("abc") == parse_key('"abc"') == "abc"
    assert parse_key('"a\\"b"') == 'a"b'
    for bad in ("", '""', "x" * 256, "caf\u00e9", "a\tb", "a\nb"):
        with pytest.raises(InvalidInput, match="printable ASCII"):
            parse_key(bad)


def test_fingerprints_compare_json_by_content() -> None:
    same = request_fingerprint("POST", "/p", "", b'{"a": 1, "b": [2]}')
    assert same == request_fingerprint("post", "/p", "", b'{"b":[2],"a":1}')
    assert same != request_fingerprint("POST", "/p", "", b'{"a": 2, "b": [2]}')
    assert same != request_fingerprint("PUT", "/p", "", b'{"a": 1, "b": [2]}')
    assert same != request_fingerprint("POST", "/q", "", b'{"a": 1, "b": [2]}')
    assert request_fingerprint("DELETE", "/p", "", b"") != request_fingerprint(
        "DELETE", "/p", "x=1", b""
    )
