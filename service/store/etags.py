"""The last known etag of each user's queue, so a queue write rarely needs a read first.

The upstream rejects a queue write carrying an old etag (412), and every successful write
answers a new one; keeping it here, shared by all replicas, saves a queue GET per write.
A missing or outdated etag is harmless: the queue use case re-reads the queue and retries.
Writes need Redis, so an unreachable store (or one the breaker remembers as unreachable)
raises `StoreUnavailable`.
"""

from __future__ import annotations

import enum

from service.settings import Settings
from service.store import keys
from service.store.breaker import Breaker
from service.store.redis import RedisLike, as_bytes

# Long enough to help a busy user, short enough that abandoned queues leave nothing behind.
ETAG_TTL_S = 7 * 86400
_MAX_ETAG = 256
_NEEDED = "the store is unreachable; queue changes need it"


class EtagStore:
    """Per user and queue: get, set and forget the queue's latest etag."""

    def __init__(
        self, redis: RedisLike, settings: Settings, *, breaker: Breaker | None = None
    ) -> None:
        self._redis = redis
        self._breaker = breaker or Breaker(settings.redis_retry_after_s)

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

    async def forget(self, user_id: str, queue: str | enum.Enum) -> None:
        """Drop the etag (e.g. after the upstream called it stale)."""
        key = keys.queue_etag(user_id, queue)
        await self._breaker.need(lambda: self._redis.delete(key), _NEEDED)
