"""Store requests batched per event-loop turn: many concurrent requests, one round trip.

Under load many requests reach the same store call in the same turn of the event loop (the
six sections of a home screen each reserve upstream budget at once; concurrent requests read
their cache entries). Each request joins the batch of the current turn; the batch is sent at
the start of the next turn as one command, so the round trip, the client library's
per-command work and the breaker check are paid once per batch instead of once per request.
A lone request waits one loop turn (microseconds) more.

* `BatchedGet`: cache reads as one `MGET` (on a cluster, redis-py's `mget_nonatomic`: one
  MGET per slot).
* `BatchedReserve`: upstream budget reservations as one run of the reservation script
  (`store.reservations.reserve_many`), in arrival order, per hash slot.

A store failure fails every request of its batch with the same error (the breaker counts it
once); a caller that went away (cancelled) is skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from redis.asyncio.cluster import RedisCluster

from service.store.breaker import Breaker
from service.store.redis import RedisLike, as_bytes
from service.store.reservations import Budget, Outcome, Reservation, reserve_many

_In = TypeVar("_In")
_Out = TypeVar("_Out")
# Requests per command: a burst is sent as several bounded commands (a long script run
# blocks the store, and one error fails only its own part of the burst).
MAX_BATCH = 256


class PerTurn(Generic[_In, _Out]):
    """Collects the requests of one loop turn and answers them from one `send` of them all.

    `send` gets the requests in arrival order and returns one answer per request, in order.
    """

    def __init__(self, send: Callable[[list[_In]], Awaitable[Sequence[_Out]]]) -> None:
        self._send_batch = send
        self._pending: list[tuple[_In, asyncio.Future[_Out]]] = []
        self._running: set[asyncio.Task[None]] = set()

    async def ask(self, request: _In) -> _Out:
        """The answer to `request`, sent with the other requests of this loop turn."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_Out] = loop.create_future()
        self._pending.append((request, future))
        if len(self._pending) == 1:
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        for start in range(0, len(pending), MAX_BATCH):
            task = asyncio.ensure_future(self._run(pending[start : start + MAX_BATCH]))
            self._running.add(task)  # a reference until it is done
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[tuple[_In, asyncio.Future[_Out]]]) -> None:
        # A caller that went away (its request cancelled) is not sent: it would spend budget.
        batch = [(request, future) for request, future in batch if not future.done()]
        if not batch:
            return
        try:
            answers = await self._send_batch([request for request, _ in batch])
        except BaseException as exc:  # cancelled too: no caller may wait forever
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), answer in zip(batch, answers, strict=True):
            if not future.done():
                future.set_result(answer)


class BatchedGet:
    """`get(key)` for the raw value of a key, sent with the other reads of the same turn."""

    def __init__(self, redis: RedisLike, breaker: Breaker) -> None:
        self._redis = redis
        self._breaker = breaker
        self._turn: PerTurn[str, bytes | None] = PerTurn(self._send)

    async def get(self, key: str) -> bytes | None:
        """The value under `key` (None when absent); store errors as `Breaker.call` raises."""
        return await self._turn.ask(key)

    async def _send(self, keys: list[str]) -> list[bytes | None]:
        values = await self._breaker.call(lambda: self._mget(keys))
        return [as_bytes(value) for value in values]

    async def _mget(self, keys: list[str]) -> list[Any]:
        if isinstance(self._redis, RedisCluster):
            return list(await self._redis.mget_nonatomic(keys))
        return list(await self._redis.mget(keys))


class BatchedReserve:
    """`reserve(budgets, max_wait_s=...)` like `store.reservations.reserve`, one script run
    for every reservation of the same turn whose keys share a hash slot."""

    def __init__(self, redis: RedisLike, breaker: Breaker) -> None:
        self._redis = redis
        self._breaker = breaker
        # One batch per hash tag: a script run touches the keys of one slot only.
        self._turns: dict[str, PerTurn[Reservation, Outcome]] = {}

    async def reserve(self, budgets: Sequence[Budget], *, max_wait_s: float) -> Outcome:
        """Reserve one call in every budget (their keys in one slot); as `reserve` answers."""
        tag = _hash_tag(budgets[0].keys.log)
        turn = self._turns.get(tag)
        if turn is None:
            turn = self._turns[tag] = PerTurn(self._send)
        return await turn.ask((budgets, max_wait_s))

    async def _send(self, reservations: list[Reservation]) -> list[Outcome]:
        return await self._breaker.call(lambda: reserve_many(self._redis, reservations))


def _hash_tag(key: str) -> str:
    """The `{...}` part Redis Cluster hashes (the whole key when there is none)."""
    start = key.find("{")
    end = key.find("}", start + 1)
    return key[start + 1 : end] if start >= 0 and end > start + 1 else key
