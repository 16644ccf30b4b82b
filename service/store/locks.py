"""The per-user, per-queue write lock that serializes queue changes across replicas.

Queue writes are read-etag-then-write sequences; two at once on one queue would make each
other's etag stale. The lock is a Redis key set with `SET NX PX` holding a random owner token:
it expires by itself if its holder dies, and only its owner can release it (checked in Lua).
Waiting for it is bounded, with jittered backoff; on timeout the caller gets
`Conflict("the queue is busy, retry")`, and when Redis is unreachable (or the breaker
remembers it so) `StoreUnavailable`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from service.errors import Conflict
from service.settings import Settings
from service.store import keys
from service.store.breaker import Breaker
from service.store.redis import RELEASE_IF_OWNER, STORE_DOWN, RedisLike, as_bytes

_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_FIRST_DELAY_S = 0.01
_MAX_DELAY_S = 0.2
_NEEDED = "the store is unreachable; queue changes need it"
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LockLease:
    """Proof of holding a queue lock: its key and owner token (a fencing value)."""

    key: str
    token: str
    _lock: QueueLock

    async def held(self) -> bool:
        """True while this lease still owns the lock (it may have expired)."""
        get = self._lock.redis.get
        value = as_bytes(await self._lock.breaker.need(lambda: get(self.key), _NEEDED))
        return value is not None and value.decode() == self.token

    async def extend(self) -> bool:
        """Restart the lock's timeout; False when the lease was already lost."""
        script = self._lock.redis.register_script(_EXTEND)
        args: list[str | int] = [self.token, self._lock.ttl_ms]
        result = await self._lock.breaker.need(lambda: script(keys=[self.key], args=args), _NEEDED)
        return bool(result)


class QueueLock:
    """`async with queue_lock(user_id, queue) as lease:` runs one queue write at a time."""

    def __init__(
        self,
        redis: RedisLike,
        settings: Settings,
        *,
        wait_s: float | None = None,
        breaker: Breaker | None = None,
    ) -> None:
        self.redis = redis
        self.breaker = breaker or Breaker(settings.redis_retry_after_s)
        self.ttl_ms = max(1, round(settings.queue_lock_ttl_s * 1000))
        self.wait_s = settings.queue_lock_ttl_s if wait_s is None else wait_s
        if self.wait_s < 0:
            raise ValueError("wait_s must not be negative")

    def __call__(
        self, user_id: str, queue: str | enum.Enum
    ) -> AbstractAsyncContextManager[LockLease]:
        """Same as `hold`."""
        return self.hold(user_id, queue)

    @asynccontextmanager
    async def hold(self, user_id: str, queue: str | enum.Enum) -> AsyncIterator[LockLease]:
        """Take the lock (waiting up to `wait_s`), yield the lease, release it on exit."""
        key = keys.queue_lock(user_id, queue)
        lease = LockLease(key, secrets.token_urlsafe(16), self)
        await self._acquire(lease)
        try:
            yield lease
        finally:
            await self._release(lease)

    async def _acquire(self, lease: LockLease) -> None:
        deadline = time.monotonic() + self.wait_s
        delay = _FIRST_DELAY_S
        while True:
            taken = await self.breaker.need(
                lambda: self.redis.set(lease.key, lease.token, nx=True, px=self.ttl_ms), _NEEDED
            )
            if taken:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Conflict("the queue is busy, retry", headers={"Retry-After": "1"})
            # Full jitter keeps waiters from waking together.
            await asyncio.sleep(min(remaining, random.uniform(0, delay)))  # noqa: S311
            delay = min(delay * 2, _MAX_DELAY_S)

    async def _release(self, lease: LockLease) -> None:
        script = self.redis.register_script(RELEASE_IF_OWNER)
        try:
            released = await self.breaker.call(lambda: script(keys=[lease.key], args=[lease.token]))
        except STORE_DOWN:
            _log.warning("could not release a queue lock; it expires in %d ms", self.ttl_ms)
            return
        if not released:
            _log.warning("a queue lock expired before its holder finished")
