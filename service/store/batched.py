"""Reads of cache entries batched per event-loop turn: many concurrent GETs, one MGET.

Under load many requests reach their cache read in the same turn of the event loop. Each
`get` joins the batch of the current turn; the batch is sent at the start of the next turn
as one `MGET` (on a cluster, redis-py's `mget_nonatomic`: one MGET per slot), so the round
trip, the client library's per-command work and the breaker check are paid once per batch
instead of once per request. A lone request waits one loop turn (microseconds) more.

A store failure fails every read of its batch with the same error (the breaker counts it
once); a caller that went away (cancelled) is skipped.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio.cluster import RedisCluster

from service.store.breaker import Breaker
from service.store.redis import RedisLike, as_bytes

_Pending = list[tuple[str, "asyncio.Future[bytes | None]"]]


class BatchedGet:
    """`get(key)` for the raw value of a key, sent with the other reads of the same turn."""

    def __init__(self, redis: RedisLike, breaker: Breaker) -> None:
        self._redis = redis
        self._breaker = breaker
        self._pending: _Pending = []
        self._running: set[asyncio.Task[None]] = set()

    async def get(self, key: str) -> bytes | None:
        """The value under `key` (None when absent); store errors as `Breaker.call` raises."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes | None] = loop.create_future()
        self._pending.append((key, future))
        if len(self._pending) == 1:
            loop.call_soon(self._send)
        return await future

    def _send(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.ensure_future(self._run(batch))
        self._running.add(task)  # a reference until it is done
        task.add_done_callback(self._running.discard)

    async def _run(self, batch: _Pending) -> None:
        keys = [key for key, _ in batch]
        try:
            values = await self._breaker.call(lambda: self._mget(keys))
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), value in zip(batch, values, strict=True):
            if not future.done():
                future.set_result(as_bytes(value))

    async def _mget(self, keys: list[str]) -> list[Any]:
        if isinstance(self._redis, RedisCluster):
            return list(await self._redis.mget_nonatomic(keys))
        return list(await self._redis.mget(keys))
