"""Short-lived cache of one subscriber's reads, kept correct across replicas by epochs.

Each subscriber's reads of one kind (`keys.user_cache`: the disc queue, ratings...) live in one
Redis hash, field = the read's parameters, expiring `ttl_s` after the first answer of the kind
was stored (so no answer is older than that). Next to it, the kind's epoch: every write made
through the proxy deletes the hash and counts the epoch up, in one script for all the kinds
it changes. A read that missed remembers the epoch it saw and stores its answer only if the
epoch is still that one, so an answer fetched before a write can never be stored after it.
Writes invalidate twice, before calling upstream (needed: 503 without the store, nothing is
written) and after (best effort), which also clears what a read stored in between.

No process keeps any of it in memory: every replica reads the same Redis, so a read right
after a write, on any replica, misses and fetches. Writes made outside the proxy show after
at most `ttl_s`. Redis unreachable: reads go upstream (BYPASS), nothing is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from service.store import keys
from service.store.breaker import Breaker
from service.store.redis import STORE_DOWN, RedisLike, as_bytes

ReadStatus = Literal["HIT", "MISS", "BYPASS"]

# Epochs must outlive any read in flight (a read fetching for longer is refused anyway).
EPOCH_TTL_MS = 3_600_000
_NEEDED = "the store is unreachable; changes to the subscriber's data need it"
# KEYS: entries, epoch. Answer the stored body (or false) and the epoch ("0" when unset).
_READ = """
return {redis.call('HGET', KEYS[1], ARGV[1]), redis.call('GET', KEYS[2]) or '0'}
"""
# KEYS: entries, epoch; ARGV: field, body, epoch seen, ttl ms. Store unless a write came.
_STORE = """
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1
"""
# KEYS: entries, epoch pairs of every kind a write changes; ARGV: epoch ttl ms.
_INVALIDATE = """
for i = 1, #KEYS, 2 do
  redis.call('DEL', KEYS[i])
  redis.call('INCR', KEYS[i + 1])
  redis.call('PEXPIRE', KEYS[i + 1], ARGV[1])
end
return #KEYS / 2
"""
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a read found: the stored body (None on a miss) and the epoch it saw."""

    body: bytes | None
    epoch: str


class UserCache:
    """Get, store and invalidate one subscriber's cached reads."""

    def __init__(self, redis: RedisLike, breaker: Breaker) -> None:
        self._redis = redis
        self._breaker = breaker

    async def get_or_fetch(
        self,
        user_id: str,
        kind: str,
        field: str,
        ttl_s: float,
        fetch: Callable[[], Awaitable[bytes]],
    ) -> tuple[bytes, ReadStatus]:
        """The body of one read: cached (HIT), fetched and stored (MISS), or fetched without
        the store (BYPASS: unreachable, or `ttl_s` 0 turns this kind's caching off)."""
        if ttl_s <= 0:
            return await fetch(), "BYPASS"
        where = keys.user_cache(user_id, kind)
        try:
            found = await self._lookup(where, field)
        except STORE_DOWN:
            return await fetch(), "BYPASS"
        if found.body is not None:
            return found.body, "HIT"
        body = await fetch()
        try:
            await self._store(where, field, body, found.epoch, ttl_s)
        except STORE_DOWN:
            _log.warning("user cache unreachable; a read was not stored")
        return body, "MISS"

    async def invalidate(self, user_id: str, kinds: Iterable[str], *, needed: bool) -> None:
        """Forget the subscriber's cached reads of these kinds, and refuse any read in flight.

        `needed`: a 503 `StoreUnavailable` when the store cannot be reached (before a write);
        otherwise a failure is only logged (after it: the entries expire within their TTL).
        """
        pairs = [keys.user_cache(user_id, kind) for kind in sorted(set(kinds))]
        names = [name for pair in pairs for name in (pair.entries, pair.epoch)]
        if not names:
            return
        script = self._redis.register_script(_INVALIDATE)

        async def run() -> object:
            return await script(keys=names, args=[EPOCH_TTL_MS])

        if needed:
            await self._breaker.need(run, _NEEDED)
            return
        try:
            await self._breaker.call(run)
        except STORE_DOWN:
            _log.warning("user cache unreachable; entries left to expire after a write")

    async def _lookup(self, where: keys.UserCacheKeys, field: str) -> Lookup:
        script = self._redis.register_script(_READ)
        body, epoch = await self._breaker.call(
            lambda: script(keys=[where.entries, where.epoch], args=[field])
        )
        return Lookup(as_bytes(body) or None, (as_bytes(epoch) or b"0").decode())

    async def _store(
        self, where: keys.UserCacheKeys, field: str, body: bytes, epoch: str, ttl_s: float
    ) -> None:
        script = self._redis.register_script(_STORE)
        ttl_ms = max(1, round(ttl_s * 1000))
        await self._breaker.call(
            lambda: script(keys=[where.entries, where.epoch], args=[field, body, epoch, ttl_ms])
        )
