"""A per-process memory of a Redis outage, so requests skip a store that just failed.

A Redis that is slow to fail (connect or command timeouts) would make every request wait
`redis_timeout_s`, a few times, before degrading. After one such failure the breaker opens:
for `redis_retry_after_s` every call through it raises `BreakerOpen` at once (catalog reads
answer BYPASS, what needs the store answers 503). Then one call is let through as a probe
(half-open): its success closes the breaker, its failure opens it for another window.

`BreakerOpen` is a `redis.exceptions.ConnectionError`, so code that already treats
`store.redis.STORE_DOWN` as "the store is unreachable" treats a remembered outage the same.
One breaker per app (see `service.app`); asyncio runs one task at a time, so no lock is needed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

import redis.exceptions as redis_errors

from service.errors import StoreUnavailable
from service.metrics import Metrics
from service.store.redis import STORE_DOWN

# Failures that say the store cannot be reached; the other STORE_DOWN errors (a read-only
# replica, a slot moving) come from a store that answers, so they are not remembered.
OUTAGE: tuple[type[Exception], ...] = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.ClusterDownError,
    redis_errors.ClusterError,
    redis_errors.RedisClusterException,
    OSError,
)
State = Literal["closed", "open", "half-open"]
_T = TypeVar("_T")


class BreakerOpen(redis_errors.ConnectionError):
    """The store failed moments ago; this call was not sent to it."""


class Breaker:
    """Runs store calls, skipping them for `retry_after_s` after the store was unreachable.

    `retry_after_s` 0 disables it: every call goes to the store. `clock` is monotonic seconds.
    `metrics` counts the store's errors and shows whether the breaker is open.
    """

    def __init__(
        self,
        retry_after_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics | None = None,
    ) -> None:
        if retry_after_s < 0:
            raise ValueError("retry_after_s must not be negative")
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._opened_at: float | None = None  # None while closed
        self._probing = False
        self._metrics = metrics

    def state(self) -> State:
        """`closed` (calls go through), `open` (calls skipped) or `half-open` (probe allowed)."""
        if self._opened_at is None:
            return "closed"
        return "open" if self._probing or self.remaining_s() > 0 else "half-open"

    def remaining_s(self) -> float:
        """Seconds until a probe is allowed; 0 when closed or when the window has passed."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._opened_at + self._retry_after_s - self._clock())

    async def call(self, make: Callable[[], Awaitable[_T]]) -> _T:
        """Await `make()` unless the breaker is open (then raise `BreakerOpen`, not calling it).

        Store errors propagate unchanged; the outage ones open the breaker, and a success
        closes it. Other errors (the store answered, or the caller gave up) change nothing.
        """
        probe = self._admit()
        try:
            result = await make()
        except STORE_DOWN as exc:
            if self._metrics is not None:
                self._metrics.store_error(exc)
            if isinstance(exc, OUTAGE) and self._retry_after_s > 0:
                if self._opened_at is None and self._metrics is not None:
                    self._metrics.breaker(is_open=True)
                self._opened_at = self._clock()
            raise
        finally:
            if probe:  # whatever its outcome, the next probe may go when the window allows
                self._probing = False
        if self._opened_at is not None:
            self._opened_at = None
            if self._metrics is not None:
                self._metrics.breaker(is_open=False)
        return result

    def refuse_while_open(self, detail: str) -> None:
        """503 at once while the store is known to be down: spares work that would be lost."""
        if self.state() == "open":
            retry_after = max(1, math.ceil(self.remaining_s()))
            raise StoreUnavailable(detail, headers={"Retry-After": str(retry_after)})

    async def need(self, make: Callable[[], Awaitable[_T]], detail: str) -> _T:
        """Like `call`, for work that cannot go on without the store: 503 when unreachable."""
        try:
            return await self.call(make)
        except STORE_DOWN as exc:
            retry_after = max(1, math.ceil(self.remaining_s()))
            raise StoreUnavailable(detail, headers={"Retry-After": str(retry_after)}) from exc

    def _admit(self) -> bool:
        """Raise `BreakerOpen` unless a call may go; True when that call is the probe."""
        if self._opened_at is None:
            return False
        if self._probing or self.remaining_s() > 0:
            raise BreakerOpen("the store was unreachable moments ago; not retried yet")
        self._probing = True
        return True
