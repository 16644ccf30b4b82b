"""`Idempotency-Key` on write endpoints (IETF httpapi idempotency-key draft): one effect,
one answer, however often a client repeats a request.

A handler declares `once: IdempotentDep` and returns `await once(produce)`, where `produce`
does the write and builds its `Response`. Without the header `produce` just runs. With it:

* the key is validated (1 to 255 printable ASCII characters; the draft's quoted form
  `"..."` is accepted too), else 422;
* the request's fingerprint (method, path, query, body with JSON keys sorted) is compared
  with the key's earlier use by the same user: another fingerprint is refused with 422;
* the first request runs `produce`; its answer is stored for 24 hours (see
  `store.idempotency`) when it is final: a success, or a refusal that would come again
  (404, 422, 409 `already-in-queue`...). Temporary answers (429, 502, 503, 504, a queue that
  kept changing) are not stored: a repeat with the key runs again;
* a repeat gets the stored answer with `Idempotent-Replayed: true`, without a second write;
  a repeat arriving while the first still runs waits for it (up to `NFX_QUEUE_WAIT_S`), then
  gets 409 with Retry-After.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

import orjson
from fastapi import Depends, Header, Request
from starlette.responses import Response

from service.deps import CurrentSession, RuntimeDep
from service.errors import (
    BadUpstream,
    Conflict,
    InvalidInput,
    InvalidSession,
    QueueBusy,
    RateLimited,
    ServiceError,
    StoreUnavailable,
    UpstreamTimeout,
    problem_response,
)
from service.schemas.patterns import IDEMPOTENCY_KEY
from service.store.idempotency import PENDING_MS, IdempotencyStore, StoredAnswer

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Answered again only by running the request again.
_TEMPORARY: tuple[type[ServiceError], ...] = (
    InvalidSession,
    RateLimited,
    QueueBusy,
    StoreUnavailable,
    BadUpstream,
    UpstreamTimeout,
)
# Headers of an answer worth replaying (the rest are per-response, or set again).
_REPLAYED_HEADERS = ("content-type", "location", "cache-control")

Produce = Callable[[], Awaitable[Response]]
_log = logging.getLogger(__name__)


def parse_key(raw: str) -> str:
    """The key a client sent (unquoted if sent as a structured-field string); 422 if invalid."""
    key = raw
    if len(raw) >= 2 and raw.startswith('"') and raw.endswith('"'):
        key = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= char <= "~" for char in key):
        raise InvalidInput(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters, "
            'e.g. a UUID, optionally quoted ("...")'
        )
    return key


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests the same request: method, path, query and body, hashed; a JSON
    body is compared by content (key order and spacing do not matter)."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


class Once:
    """Runs a write at most once per `Idempotency-Key` of the caller (or plainly, without)."""

    def __init__(
        self,
        store: IdempotencyStore | None = None,
        user_id: str = "",
        key: str | None = None,
        fingerprint: str = "",
    ) -> None:
        self._store = store
        self._user_id = user_id
        self._key = key
        self._fingerprint = fingerprint

    async def __call__(self, produce: Produce) -> Response:
        """The answer of `produce`, run at most once for this key."""
        if self._store is None or self._key is None:
            return await produce()
        store, user_id, key = self._store, self._user_id, self._key
        claim = await store.begin(user_id, key, self._fingerprint)
        if claim.answer is not None:
            return _replay(claim.answer)
        record = claim.record
        assert record is not None
        keeper = asyncio.create_task(_keep_claimed(store, user_id, key, record))
        try:
            try:
                response = await produce()
            except ServiceError as exc:
                if isinstance(exc, _TEMPORARY) or type(exc) is Conflict:
                    raise
                response = problem_response(exc)
            if response.status_code >= 500 or response.status_code == 429:
                raise _Temporary(response)
        except _Temporary as temporary:
            await _forget(store, user_id, key, record)
            return temporary.response
        except BaseException:
            await _forget(store, user_id, key, record)
            raise
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        try:
            await store.finish(user_id, key, record, self._fingerprint, _stored(response))
        except ServiceError as exc:  # the write is done: answer it all the same
            _log.warning("could not store an idempotent answer: %s", exc.detail)
        return response


class _Temporary(Exception):  # noqa: N818 - internal control flow, never raised outside
    def __init__(self, response: Response) -> None:
        self.response = response


async def _forget(store: IdempotencyStore, user_id: str, key: str, record: bytes) -> None:
    """Drop our claim so a repeat runs anew (if the store is down, it expires by itself)."""
    try:
        await store.release(user_id, key, record)
    except ServiceError as exc:
        _log.warning("could not release an idempotency key: %s", exc.detail)


async def _keep_claimed(store: IdempotencyStore, user_id: str, key: str, record: bytes) -> None:
    """Renew the pending record while the request runs (a crash frees it soon after)."""
    while True:
        await asyncio.sleep(PENDING_MS / 3000)
        with contextlib.suppress(ServiceError):
            if not await store.renew(user_id, key, record):
                return


def _stored(response: Response) -> StoredAnswer:
    headers = [(k, v) for k, v in response.headers.items() if k.lower() in _REPLAYED_HEADERS]
    return StoredAnswer(response.status_code, headers, bytes(response.body))


def _replay(answer: StoredAnswer) -> Response:
    response = Response(answer.body, status_code=answer.status)
    for name, value in answer.headers:
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


async def idempotent(
    request: Request,
    session: CurrentSession,
    runtime: RuntimeDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            pattern=IDEMPOTENCY_KEY.regex,
            description="Makes the write safe to repeat: a unique value per intended change "
            "(e.g. a UUID), 1 to 255 printable ASCII characters. A repeat with the same key "
            "and the same request gets the first answer again, with `Idempotent-Replayed: "
            "true`, and changes nothing upstream; the same key with another request is "
            "refused (422). Answers are kept 24 hours, per user.",
        ),
    ] = None,
) -> Once:
    """The `Once` runner of this request: keyed when `Idempotency-Key` was sent."""
    if idempotency_key is None:
        return Once()
    key = parse_key(idempotency_key)
    body = await request.body()
    fingerprint = request_fingerprint(request.method, request.url.path, request.url.query, body)
    store = IdempotencyStore(runtime.redis, runtime.settings, breaker=runtime.breaker)
    return Once(store, session.user_id, key, fingerprint)


IdempotentDep = Annotated[Once, Depends(idempotent)]
