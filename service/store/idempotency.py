"""The answers of `Idempotency-Key` requests, per user, shared by every replica.

A key's record is one Redis string under `keys.idempotency(user_id, key)`:

* `pending <fingerprint> <owner>` while the first request runs. `SET NX` makes exactly one
  request (on any replica) the owner; it renews the record's short lifetime while it works,
  so a crashed owner frees the key within `PENDING_MS`;
* `done <json>` once it answered: the request's fingerprint and the answer (status, chosen
  headers, body), kept `ANSWER_TTL_S` (24 hours). Only the owner can turn its pending record
  into an answer or drop it (checked in Lua), so a late owner never overwrites another's.

A repeat with the same fingerprint replays the answer; with another fingerprint it is refused
(422). A repeat arriving while the first is pending waits for its answer up to `wait_s`, then
gets 409 (the draft's answer for a request still in flight); when the owner dropped the record
(its answer was temporary, e.g. 503), the repeat becomes the owner and runs itself.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from dataclasses import dataclass

import orjson

from service.errors import Conflict, InvalidInput
from service.settings import Settings
from service.store import keys
from service.store.breaker import Breaker
from service.store.redis import RELEASE_IF_OWNER, RedisLike, as_bytes

ANSWER_TTL_S = 24 * 3600
PENDING_MS = 10_000
_POLL_S = 0.05
_NEEDED = "the store is unreachable; requests with an Idempotency-Key need it"
_PENDING = b"pending "
_DONE = b"done "
# Replace the owner's pending record (ARGV[1]) by the answer (ARGV[2]) kept ARGV[3] seconds.
_FINISH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return false
"""
# Restart the owner's pending record's lifetime (ARGV[2] ms).
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """An answer as it is replayed: status, the headers worth repeating, and the body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class Claim:
    """What `begin` found: the right to run (`record` is ours), or an answer to replay."""

    record: bytes | None = None
    answer: StoredAnswer | None = None


class IdempotencyStore:
    """Per user and key: claim the first run, store its answer, replay it to repeats."""

    def __init__(
        self,
        redis: RedisLike,
        settings: Settings,
        *,
        breaker: Breaker | None = None,
        wait_s: float | None = None,
    ) -> None:
        self._redis = redis
        self._breaker = breaker or Breaker(settings.redis_retry_after_s)
        self.wait_s = settings.queue_wait_s if wait_s is None else wait_s

    async def begin(self, user_id: str, key: str, fingerprint: str) -> Claim:
        """Claim the key for this request, or the answer a request with it already gave."""
        name = keys.idempotency(user_id, key)
        record = _PENDING + f"{fingerprint} {secrets.token_urlsafe(16)}".encode()
        deadline = time.monotonic() + self.wait_s
        while True:
            taken = await self._breaker.need(
                lambda: self._redis.set(name, record, nx=True, px=PENDING_MS), _NEEDED
            )
            if taken:
                return Claim(record=record)
            found = as_bytes(await self._breaker.need(lambda: self._redis.get(name), _NEEDED))
            if found is None:
                continue  # dropped or expired meanwhile: try to claim it again
            if found.startswith(_DONE):
                done = orjson.loads(found[len(_DONE) :])
                _check_same(done["fingerprint"], fingerprint)
                return Claim(answer=_answer(done))
            _check_same(found[len(_PENDING) :].split(b" ")[0].decode(), fingerprint)
            if time.monotonic() >= deadline:
                raise Conflict(
                    "a request with this Idempotency-Key is still in progress; retry shortly",
                    headers={"Retry-After": "1"},
                )
            await asyncio.sleep(_POLL_S)

    async def renew(self, user_id: str, key: str, record: bytes) -> bool:
        """Keep our pending record alive while the request runs; False once it is not ours."""
        name = keys.idempotency(user_id, key)
        script = self._redis.register_script(_RENEW)
        result = await self._breaker.need(
            lambda: script(keys=[name], args=[record, PENDING_MS]), _NEEDED
        )
        return bool(result)

    async def finish(
        self, user_id: str, key: str, record: bytes, fingerprint: str, answer: StoredAnswer
    ) -> None:
        """Store the answer in place of our pending record, for `ANSWER_TTL_S`."""
        name = keys.idempotency(user_id, key)
        done = _DONE + orjson.dumps(
            {
                "fingerprint": fingerprint,
                "status": answer.status,
                "headers": answer.headers,
                "body": base64.b64encode(answer.body).decode(),
            }
        )
        script = self._redis.register_script(_FINISH)
        await self._breaker.need(
            lambda: script(keys=[name], args=[record, done, ANSWER_TTL_S]), _NEEDED
        )

    async def release(self, user_id: str, key: str, record: bytes) -> None:
        """Drop our pending record: the answer was temporary, a repeat runs anew."""
        name = keys.idempotency(user_id, key)
        script = self._redis.register_script(RELEASE_IF_OWNER)
        await self._breaker.need(lambda: script(keys=[name], args=[record]), _NEEDED)


def _check_same(stored: str, fingerprint: str) -> None:
    if stored != fingerprint:
        raise InvalidInput(
            "this Idempotency-Key was already used for another request (method, path or "
            "body); send a new key for a new request"
        )


def _answer(done: dict[str, object]) -> StoredAnswer:
    headers = done["headers"]
    assert isinstance(headers, list)
    status, body = done["status"], done["body"]
    assert isinstance(status, int) and isinstance(body, str)
    return StoredAnswer(status, [(str(k), str(v)) for k, v in headers], base64.b64decode(body))
