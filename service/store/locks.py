"""The per-user, per-queue write lock: one writer at a time, turns taken in arrival order.

Queue writes are read-etag-then-write sequences; two at once on one queue would make each
other's etag stale. The lock is a Redis key set with `PX` holding the holder's random token:
it expires by itself if its holder dies (a lease, renewed before each upstream write: the
fencing check), and only its owner can release it (checked in Lua).

Turns are fair across processes. A writer takes a ticket (`INCR`) and joins the line, a
sorted set scored by ticket; while waiting it polls one Lua script that refreshes its
heartbeat, drops waiters whose heartbeat lapsed (crashed or gone), and grants the lock to the
head of the line when no lease is live. Invariant: the lock is only ever granted to the live
waiter holding the smallest ticket, and only while no lease exists, so writes run in ticket
order (first come, first served); a crashed holder's turn ends when its lease expires
(`queue_lock_ttl_s`), a crashed waiter's when its heartbeat lapses (`HEARTBEAT_MS`). The clock
is the Redis server's (`TIME`), the same for every replica. The lock, the line and the ticket
counter share one hash tag, so the script runs on one Redis Cluster slot.

A writer waits at most `queue_wait_s`, then leaves the line and gets `QueueBusy` (503 with
Retry-After): a busy queue is temporary, not a conflict. An unreachable Redis (or one the
breaker remembers so) gives `StoreUnavailable`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import random
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from service.errors import QueueBusy
from service.settings import Settings
from service.store import keys
from service.store.breaker import Breaker
from service.store.redis import RELEASE_IF_OWNER, STORE_DOWN, RedisLike, as_bytes

# KEYS: lock, waiters (zset by ticket), alive (zset by heartbeat deadline), ticket counter.
# ARGV: token, lease ms, heartbeat ms, line keys' lifetime ms.
# Returns 0 when the lock was granted to `token`, else its place in line (1 = next).
_TAKE_TURN = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local token = ARGV[1]
if not redis.call('ZSCORE', KEYS[2], token) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), token)
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), token)
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. now)
for _, waiter in ipairs(gone) do
  redis.call('ZREM', KEYS[2], waiter)
  redis.call('ZREM', KEYS[3], waiter)
end
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
local rank = redis.call('ZRANK', KEYS[2], token)
if rank == 0 and redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
  redis.call('ZREM', KEYS[2], token)
  redis.call('ZREM', KEYS[3], token)
  return 0
end
return rank + 1
"""
# KEYS: waiters, alive. ARGV: token. Leaves the line (a waiter that gives up).
_LEAVE = """
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('ZREM', KEYS[2], ARGV[1])
"""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# A waiter polls more often the nearer it is to the head of the line.
_POLL_STEP_S = 0.01
_MAX_POLL_S = 0.2
# A waiter that has not polled for this long is dropped from the line (well above _MAX_POLL_S).
HEARTBEAT_MS = 3000
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
    """`async with queue_lock(user_id, queue) as lease:` runs one queue write at a time, in turn."""

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
        self.wait_s = settings.queue_wait_s if wait_s is None else wait_s
        if self.wait_s < 0:
            raise ValueError("wait_s must not be negative")

    def __call__(
        self, user_id: str, queue: str | enum.Enum
    ) -> AbstractAsyncContextManager[LockLease]:
        """Same as `hold`."""
        return self.hold(user_id, queue)

    @asynccontextmanager
    async def hold(self, user_id: str, queue: str | enum.Enum) -> AsyncIterator[LockLease]:
        """Take the lock in turn (waiting up to `wait_s`), yield the lease, release it on exit."""
        key = keys.queue_lock(user_id, queue)
        lease = LockLease(key, secrets.token_urlsafe(16), self)
        await self._acquire(lease, keys.queue_line(user_id, queue))
        try:
            yield lease
        finally:
            await self._release(lease)

    async def _acquire(self, lease: LockLease, line: tuple[str, str, str]) -> None:
        waiters, alive, tickets = line
        take = self.redis.register_script(_TAKE_TURN)
        line_ms = self.ttl_ms + HEARTBEAT_MS + math.ceil(self.wait_s * 1000)
        args: list[str | int] = [lease.token, self.ttl_ms, HEARTBEAT_MS, line_ms]
        deadline = time.monotonic() + self.wait_s
        try:
            while True:
                place = int(
                    await self.breaker.need(
                        lambda: take(keys=[lease.key, waiters, alive, tickets], args=args),
                        _NEEDED,
                    )
                )
                if place == 0:
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueueBusy(
                        f"the queue is busy: {place} write{'s' if place > 1 else ''} came "
                        "first; retry later",
                        headers={"Retry-After": str(max(1, math.ceil(self.wait_s)))},
                    )
                # Jitter keeps the replicas' polls apart; the head polls the most often.
                pause = min(_MAX_POLL_S, _POLL_STEP_S * place) * random.uniform(0.5, 1.0)  # noqa: S311
                await asyncio.sleep(min(remaining, pause))
        except BaseException:
            await self._leave(lease, waiters, alive)
            raise

    async def _leave(self, lease: LockLease, waiters: str, alive: str) -> None:
        """Leave the line (best effort: a lapsed heartbeat drops the waiter anyway)."""
        script = self.redis.register_script(_LEAVE)
        try:
            await self.breaker.call(lambda: script(keys=[waiters, alive], args=[lease.token]))
        except STORE_DOWN:
            _log.warning(
                "could not leave a queue's line; it drops the waiter in %d ms", HEARTBEAT_MS
            )

    async def _release(self, lease: LockLease) -> None:
        script = self.redis.register_script(RELEASE_IF_OWNER)
        try:
            released = await self.breaker.call(lambda: script(keys=[lease.key], args=[lease.token]))
        except STORE_DOWN:
            _log.warning("could not release a queue lock; it expires in %d ms", self.ttl_ms)
            return
        if not released:
            _log.warning("a queue lock expired before its holder finished")
