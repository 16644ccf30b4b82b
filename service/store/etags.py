"""The last known etag of each user's queue, so a queue write rarely needs a read first.

The upstream rejects a queue write carrying an old etag (412), and every successful write
answers a new one; keeping it here, shared by all replicas, saves a queue GET per write.
A missing or outdated etag is harmless: the queue use case re-reads the queue and retries.
Writes need Redis, so an unreachable store (or one the breaker remembers as unreachable)
raises `StoreUnavailable`.

Reads keep the etag they were answered (`keep`), and most answer the one already stored: a
home screen reads both queues each time. So each process remembers the etag it last stored
per queue, and a read answering that same etag within `REWRITE_S` writes nothing. Redis may
have lost it meanwhile (a restart, or a `forget` on another replica after an older etag was
refused); that costs what any missing etag costs, one queue read before the next write.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable

from service.settings import Settings
from service.store import keys
from service.store.breaker import Breaker
from service.store.redis import RedisLike, as_bytes

# Long enough to help a busy user, short enough that abandoned queues leave nothing behind.
ETAG_TTL_S = 7 * 86400
_MAX_ETAG = 256
_NEEDED = "the store is unreachable; queue changes need it"
# How long a read trusts that the etag this process stored is still there (well within its TTL).
REWRITE_S = 300.0
_MAX_KEPT = 4096


class EtagStore:
    """Per user and queue: get, set and forget the queue's latest etag."""

    def __init__(
        self,
        redis: RedisLike,
        settings: Settings,
        *,
        breaker: Breaker | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        self._breaker = breaker or Breaker(settings.redis_retry_after_s)
        self._clock = clock
        self._stored: dict[str, tuple[str, float]] = {}  # key: (etag, when this process stored it)

    async def get(self, user_id: str, queue: str | enum.Enum) -> str | None:
        """The stored etag, or None when unknown."""
        key = keys.queue_etag(user_id, queue)
        value = as_bytes(await self._breaker.need(lambda: self._redis.get(key), _NEEDED))
        return None if value is None else value.decode("utf-8", "replace")

    async def set(self, user_id: str, queue: str | enum.Enum, etag: str) -> None:
        """Remember the etag the upstream just answered."""
        if not etag or len(etag) > _MAX_ETAG:
            raise ValueError(f"an etag is 1 to {_MAX_ETAG} characters, got {len(etag)}")
        key = keys.queue_etag(user_id, queue)
        await self._breaker.need(
            lambda: self._redis.set(key, etag.encode(), ex=ETAG_TTL_S), _NEEDED
        )
        if len(self._stored) >= _MAX_KEPT:
            self._stored.clear()
        self._stored[key] = (etag, self._clock())

    async def keep(self, user_id: str, queue: str | enum.Enum, etag: str) -> None:
        """`set` for an etag a read was answered: nothing to write when this process stored
        that same etag less than `REWRITE_S` ago."""
        stored = self._stored.get(keys.queue_etag(user_id, queue))
        if stored is not None and stored[0] == etag and self._clock() - stored[1] < REWRITE_S:
            return
        await self.set(user_id, queue, etag)

    async def forget(self, user_id: str, queue: str | enum.Enum) -> None:
        """Drop the etag (e.g. after the upstream called it stale)."""
        key = keys.queue_etag(user_id, queue)
        self._stored.pop(key, None)
        await self._breaker.need(lambda: self._redis.delete(key), _NEEDED)
