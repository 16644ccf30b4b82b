"""The shared response cache of catalog reads, with fill coalescing and stale-if-error.

An entry is the response body plus the time it was fetched. It is fresh for the caller's TTL;
after that it stays in Redis for `cache_stale_s` more (Redis expiry = ttl + stale window),
served only when the upstream fails (status STALE).

A miss takes a fill lock (`SET NX PX`, keyed next to the entry, in one script with a fresh
read of the entry). Its holder calls upstream and stores the body (releasing the lock in the
same script); everyone else, in any process or replica, polls for that body with short
jittered sleeps instead of calling upstream, so N identical misses make one upstream call. If
the holder fails it leaves its error for the waiters (they raise the same error, or answer
STALE), and if it is too slow the waiters give up waiting and fetch for themselves.

Redis down never fails a read: the fetch is called directly (status BYPASS), at once while
the breaker (`store.breaker`) remembers the outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import struct
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from service.errors import InvalidInput, RateLimited, ServiceError
from service.metrics import Metrics
from service.settings import Settings
from service.store import keys
from service.store.breaker import Breaker
from service.store.redis import RELEASE_IF_OWNER, STORE_DOWN, RedisLike, as_bytes

CacheStatus = Literal["HIT", "MISS", "STALE", "BYPASS"]
Fetch = Callable[[], Awaitable[bytes]]

_HEADER = struct.Struct(">Q")  # fetch time, in milliseconds since the epoch
_FAILURE_TTL_MS = 5000
_FIRST_POLL_S = 0.005
_MAX_POLL_S = 0.05
_PURGE_BATCH = 500
# Take the fill lock (KEYS[1]) and read the entry (KEYS[2]): another holder may have stored
# it since our read; or name the lock's current holder. One round trip: {holder, entry}.
_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {'', redis.call('GET', KEYS[2])}
end
return {redis.call('GET', KEYS[1]) or '', false}
"""
# Store the entry (KEYS[1]) and let go of the fill lock (KEYS[2]) if still ours: one trip.
_STORE_AND_RELEASE = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
"""
# What the request's edge layer just read for its key (`service.edge`): the cache uses it
# instead of reading the same key again.
_prefetched: ContextVar[tuple[str, bytes | None] | None] = ContextVar("prefetched", default=None)
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CacheResult:
    """A body and where it came from; `age_s` is whole seconds since it was fetched."""

    body: bytes
    status: CacheStatus
    age_s: int


@dataclass(frozen=True, slots=True)
class CacheEntry:
    body: bytes
    fetched_at: float

    def age(self, now: float) -> float:
        return max(0.0, now - self.fetched_at)


def encode_entry(fetched_at: float, body: bytes) -> bytes:
    return _HEADER.pack(max(0, round(fetched_at * 1000))) + body


def decode_entry(raw: bytes | None) -> CacheEntry | None:
    if raw is None or len(raw) < _HEADER.size:
        return None
    (millis,) = _HEADER.unpack_from(raw)
    return CacheEntry(raw[_HEADER.size :], millis / 1000)


def upstream_failed(exc: BaseException) -> bool:
    """The default stale-if-error rule: serve stale for upstream outages, not for 4xx answers."""
    return isinstance(exc, ServiceError) and (exc.status >= 500 or isinstance(exc, RateLimited))


def _failure_note(holder: str, exc: BaseException) -> bytes:
    if isinstance(exc, ServiceError):
        note: dict[str, Any] = {
            "slug": exc.slug,
            "detail": exc.detail,
            "upstream_status": exc.upstream_status,
            "upstream_sub_code": exc.upstream_sub_code,
            "retry_after": getattr(exc, "retry_after", None),
        }
    else:
        note = {"slug": ServiceError.slug, "detail": "the upstream fetch failed"}
    return orjson.dumps({"holder": holder, **note})


def _error_classes(base: type[ServiceError] = ServiceError) -> dict[str, type[ServiceError]]:
    found = {base.slug: base}
    for sub in base.__subclasses__():
        found.update(_error_classes(sub))
    return found


def _failure_error(note: dict[str, Any]) -> ServiceError:
    """The error a failed fill left for its waiters, rebuilt as the same class."""
    cls = _error_classes().get(str(note.get("slug")), ServiceError)
    detail = str(note.get("detail") or "the upstream fetch failed")
    status = note.get("upstream_status")
    sub_code = note.get("upstream_sub_code")
    upstream_status = status if isinstance(status, int) else None
    upstream_sub_code = sub_code if isinstance(sub_code, int) else None
    if issubclass(cls, RateLimited):
        retry_after = note.get("retry_after")
        return cls(
            detail,
            retry_after=float(retry_after or 1),
            upstream_status=upstream_status,
            upstream_sub_code=upstream_sub_code,
        )
    return cls(detail, upstream_status=upstream_status, upstream_sub_code=upstream_sub_code)


class _StoreDownError(Exception):
    """Internal: Redis failed during a read; the caller bypasses the cache."""


class ResponseCache:
    """`get_or_fetch` for cached catalog reads, and `purge` for the admin endpoint."""

    def __init__(
        self,
        redis: RedisLike,
        settings: Settings,
        *,
        breaker: Breaker | None = None,
        lock_ttl_s: float | None = None,
        wait_s: float | None = None,
        stale_if: Callable[[BaseException], bool] = upstream_failed,
        clock: Callable[[], float] = time.time,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics
        self._redis = redis
        self._breaker = breaker or Breaker(settings.redis_retry_after_s)
        self._stale_s = settings.cache_stale_s
        # The fill lock must outlive one fetch: the budget wait, then waiting out upstream
        # per-second refusals (as long again; refusals answer quickly), then the upstream timeout.
        default_lock = 2 * settings.budget_max_wait_s + settings.upstream_timeout_s + 2.0
        self._lock_ttl_ms = max(1, round((lock_ttl_s or default_lock) * 1000))
        self._wait_s = self._lock_ttl_ms / 1000 if wait_s is None else wait_s
        self._stale_if = stale_if
        self._clock = clock

    def now(self) -> float:
        """The wall clock entries are timed by."""
        return self._clock()

    async def get_or_fetch(self, key: str, ttl_s: float, fetch: Fetch) -> CacheResult:
        """The body for `key`: fresh from the cache, else fetched once for all callers."""
        result = await self._get_or_fetch(key, ttl_s, fetch)
        if self._metrics is not None:
            self._metrics.cache("redis", result.status)
        return result

    async def _get_or_fetch(self, key: str, ttl_s: float, fetch: Fetch) -> CacheResult:
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        keys.fill_lock(key)  # refuses keys not built by store.keys
        try:
            entry = decode_entry(await self._read(key))
        except STORE_DOWN:
            return await self._fetch_and_store(None, ttl_s, fetch, None)
        if entry is not None and entry.age(self._clock()) < ttl_s:
            return self._result(entry, "HIT")
        try:
            return await self._fill(key, ttl_s, fetch, entry)
        except _StoreDownError:
            return await self._fetch_and_store(None, ttl_s, fetch, entry)

    async def _read(self, key: str) -> bytes | None:
        prefetched = _prefetched.get()
        if prefetched is not None and prefetched[0] == key:
            _prefetched.set(None)  # once: a second read of the key goes to the store
            return prefetched[1]
        return as_bytes(await self._breaker.call(lambda: self._redis.get(key)))

    async def purge(self, prefix: str | None = None) -> int:
        """Delete the cached entries of a resource group (`keys.catalog_prefix`), or all.

        Scans every primary of a cluster. Returns how many entries were deleted.
        """
        try:
            pattern = keys.catalog_pattern(prefix)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        return await self._breaker.need(
            lambda: self._purge(pattern), "the cache store is unreachable; nothing purged"
        )

    async def _purge(self, pattern: str) -> int:
        deleted = 0
        batch: list[bytes] = []
        async for key in self._redis.scan_iter(match=pattern, count=_PURGE_BATCH):
            if keys.is_cache_entry(key):
                batch.append(key)
            if len(batch) >= _PURGE_BATCH:
                deleted += await self._redis.unlink(*batch)
                batch = []
        if batch:
            deleted += await self._redis.unlink(*batch)
        return deleted

    def _result(self, entry: CacheEntry, status: CacheStatus) -> CacheResult:
        return CacheResult(entry.body, status, int(entry.age(self._clock())))

    async def _call(self, make: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await self._breaker.call(make)
        except STORE_DOWN as exc:
            raise _StoreDownError from exc

    async def _fill(
        self, key: str, ttl_s: float, fetch: Fetch, stale: CacheEntry | None
    ) -> CacheResult:
        lock_key = keys.fill_lock(key)
        failure_key = keys.fill_failure(key)
        token = secrets.token_hex(8)
        acquire = self._redis.register_script(_ACQUIRE)
        deadline = time.monotonic() + self._wait_s
        delay = _FIRST_POLL_S
        while True:
            taken, current = await self._call(
                lambda: acquire(keys=[lock_key, key], args=[token, self._lock_ttl_ms])
            )
            holder = as_bytes(taken) or b""
            if not holder:
                return await self._fetch_as_holder(
                    key,
                    lock_key,
                    failure_key,
                    token,
                    ttl_s,
                    fetch,
                    decode_entry(as_bytes(current)),
                    stale,
                )
            # Someone else is filling: wait for their body, or for their failure.
            while True:
                await asyncio.sleep(random.uniform(delay / 2, delay))  # noqa: S311
                delay = min(delay * 2, _MAX_POLL_S)
                raw, note, lock_value = await self._call(
                    lambda: self._redis.mget(key, failure_key, lock_key)
                )
                entry = decode_entry(as_bytes(raw))
                if entry is not None and entry.age(self._clock()) < ttl_s:
                    return self._result(entry, "HIT")
                stale = entry or stale
                failure = _parse_note(as_bytes(note))
                if failure is not None and failure.get("holder") == holder.decode():
                    error = _failure_error(failure)
                    if stale is not None and self._stale_if(error):
                        return self._result(stale, "STALE")
                    raise error
                if time.monotonic() >= deadline:
                    _log.warning("cache fill of %s is slow; fetching without waiting", key)
                    return await self._fetch_and_store(key, ttl_s, fetch, stale)
                if as_bytes(lock_value) != holder:
                    break  # the holder let go without a body: try to take over

    async def _fetch_as_holder(
        self,
        key: str,
        lock_key: str,
        failure_key: str,
        token: str,
        ttl_s: float,
        fetch: Fetch,
        entry: CacheEntry | None,
        stale: CacheEntry | None,
    ) -> CacheResult:
        released = False
        try:
            # Another holder may have stored a body between our read and our lock.
            if entry is not None and entry.age(self._clock()) < ttl_s:
                return self._result(entry, "HIT")
            stale = entry or stale
            try:
                body = await fetch()
            except Exception as exc:
                await self._leave_failure(failure_key, token, exc)
                if stale is not None and self._stale_if(exc):
                    return self._result(stale, "STALE")
                raise
            result = await self._store(key, ttl_s, body, release=(lock_key, token))
            released = True  # the store let go of the lock in the same trip
            return result
        finally:
            if not released:
                await self._release(lock_key, token)

    async def _fetch_and_store(
        self, key: str | None, ttl_s: float, fetch: Fetch, stale: CacheEntry | None
    ) -> CacheResult:
        """Fetch without the fill lock; store under `key`, or answer BYPASS when it is None."""
        try:
            body = await fetch()
        except Exception as exc:
            if stale is not None and self._stale_if(exc):
                return self._result(stale, "STALE")
            raise
        if key is None:
            return CacheResult(body, "BYPASS", 0)
        return await self._store(key, ttl_s, body)

    async def _store(
        self, key: str, ttl_s: float, body: bytes, release: tuple[str, str] | None = None
    ) -> CacheResult:
        """Store a fetched body; with `release` (lock key, token), let go of the fill lock."""
        expiry_ms = max(1, round((ttl_s + self._stale_s) * 1000))
        value = encode_entry(self._clock(), body)
        try:
            if release is None:
                await self._breaker.call(lambda: self._redis.set(key, value, px=expiry_ms))
            else:
                script = self._redis.register_script(_STORE_AND_RELEASE)
                lock_key, token = release
                await self._breaker.call(
                    lambda: script(keys=[key, lock_key], args=[value, expiry_ms, token])
                )
        except STORE_DOWN:
            _log.warning("cache store unreachable; %s not stored", key)
            if release is not None:
                await self._release(*release)
        return CacheResult(body, "MISS", 0)

    async def _leave_failure(self, failure_key: str, token: str, exc: BaseException) -> None:
        note = _failure_note(token, exc)
        with contextlib.suppress(*STORE_DOWN):
            await self._breaker.call(lambda: self._redis.set(failure_key, note, px=_FAILURE_TTL_MS))

    async def _release(self, lock_key: str, token: str) -> None:
        try:
            release = self._redis.register_script(RELEASE_IF_OWNER)
            await self._breaker.call(lambda: release(keys=[lock_key], args=[token]))
        except STORE_DOWN:
            _log.warning("cache store unreachable; fill lock %s left to expire", lock_key)


def prefetched(key: str, raw: bytes | None) -> Token[tuple[str, bytes | None] | None]:
    """Hand what was just read under `key` to this request's cache read; `Token` to reset."""
    return _prefetched.set((key, raw))


def forget_prefetched(token: Token[tuple[str, bytes | None] | None]) -> None:
    """Undo `prefetched`."""
    _prefetched.reset(token)


def _parse_note(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        note = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return note if isinstance(note, dict) else None
