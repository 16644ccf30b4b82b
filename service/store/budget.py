"""The upstream budget: sliding-window logs in Redis, shared by every replica.

Netflix (and the emulator) allow a few calls per access token in any sliding second, and a
daily number per caller, and answer 403 beyond them. Before each upstream call the client
reserves one call in the consumer key's budget and, for subscriber calls, in the access
token's budget, both in one script (both or neither; see `store.reservations`); the calls
reserving in the same loop turn (a home screen's sections) share one run of that script
(`store.batched.BatchedReserve`), reserved in arrival order as separate runs would be. The budget
keeps, per access token and per consumer key and whatever the number of replicas:

    at most `budget_*_per_s` reserved times in any window of 1 s + `budget_window_margin_s`,
    and at most `budget_*_per_day` reservations per UTC day.

A call reserved at `t` leaves the proxy at `t` or later and reaches the upstream within some
jitter `j` (scheduling, network); two calls reserved `1 + margin` apart so arrive at least
`1 + margin - j` apart: the margin keeps the upstream's one-second rule for `j <= margin`.
A busy process can delay a call well past its time, so a call leaves only within half the
margin of its reserved time; later than that it reserves again (the missed time stays spent),
leaving the other half of the margin to the network. A margin of 0 turns that check off.

A reservation may lie ahead: the caller sleeps until it (first come, first served) when that
is at most `budget_max_wait_s` away; otherwise nothing is taken and `RateLimited` becomes a
429 whose Retry-After says when asking again can succeed. A spent daily budget is refused at
once, its Retry-After pointing at the next UTC midnight. Each reservation's state goes to the
request's `RateLimit` headers (`service.ratelimit_headers`).

The anonymous sign-in endpoints also call the upstream, so `SignInThrottle` gives each client
address its own log (`signin_per_minute` in any sliding minute, no waiting) in front of them:
anonymous traffic cannot spend the shared consumer budget that catalog reads depend on.

When Redis is unreachable both throttles let calls through (fail open): catalog reads must
keep working while the cache is down, and the upstream's own limit (403) still applies.
While the breaker (`store.breaker`) remembers the outage they do so without asking Redis.
Budget keys share the consumer's hash tag (see `store.keys.budget`), so the script runs on
Redis Cluster too.

`Metrics` counts waits (and their seconds) and refusals by scope: `user` for calls that spent
a subscriber's budget too (the narrower one), else `consumer`; `day` for a spent daily
budget; `signin` for the sign-in budget.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable, Callable

from service import ratelimit_headers
from service.errors import RateLimited
from service.metrics import BudgetScope, Metrics
from service.settings import Settings
from service.store import keys
from service.store.batched import BatchedReserve
from service.store.breaker import Breaker
from service.store.redis import STORE_DOWN, RedisLike
from service.store.reservations import Budget, Outcome, reserve

_log = logging.getLogger(__name__)
UPSTREAM_WINDOW_S = 1


class UpstreamBudget:
    """A `Throttle` for the upstream client: wait briefly for budget, or raise `RateLimited`."""

    def __init__(
        self,
        redis: RedisLike,
        settings: Settings,
        *,
        breaker: Breaker | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        # Concurrent calls (a home screen's sections) reserve in one script run per turn.
        self._batch = BatchedReserve(redis, breaker or Breaker(settings.redis_retry_after_s))
        self._metrics = metrics
        self._settings = settings
        self.max_wait_s = settings.budget_max_wait_s
        self._window_s = UPSTREAM_WINDOW_S + settings.budget_window_margin_s
        self._punctual_s = settings.budget_window_margin_s / 2

    async def __call__(
        self, *, consumer_key: str, access_token: str | None, max_wait_s: float | None = None
    ) -> None:
        """Take one call's budget and return when the call may leave (within `max_wait_s`).

        A call that could not leave within half the margin of its reserved time (this process
        was busy) gives that time up, still spent, and reserves again: sent late it could
        crowd the window of calls reserved after it.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.max_wait_s if max_wait_s is None else max(0.0, max_wait_s))
        while True:
            asked = loop.time()
            wait = await self.reserve(
                consumer_key=consumer_key,
                access_token=access_token,
                max_wait_s=max(0.0, deadline - asked),
            )
            if wait > 0 and self._metrics is not None:
                self._metrics.budget_wait("user" if access_token else "consumer", wait)
            # The reserved time lies between `asked + wait` and now + wait on this clock:
            # sleep to the later bound (never early), judge lateness from the earlier one.
            await asyncio.sleep(wait)
            if self._punctual_s <= 0 or loop.time() - (asked + wait) <= self._punctual_s:
                return

    async def reserve(
        self, *, consumer_key: str, access_token: str | None, max_wait_s: float | None = None
    ) -> float:
        """Take one call's budget now and return how long to wait before using it.

        Raises `RateLimited` when the wait would exceed `max_wait_s` or a daily budget is
        spent (nothing is taken then); returns 0 when Redis is unreachable.
        """
        consumer_keys, user_keys = keys.budget(consumer_key, access_token)
        settings = self._settings
        budgets = [
            self._budget(
                "consumer",
                consumer_keys,
                settings.budget_consumer_per_s,
                settings.budget_consumer_per_day,
            )
        ]
        if user_keys is not None:
            budgets.append(
                self._budget(
                    "user", user_keys, settings.budget_user_per_s, settings.budget_user_per_day
                )
            )
        wait = self.max_wait_s if max_wait_s is None else max(0.0, max_wait_s)
        return await _take(
            lambda: self._batch.reserve(budgets, max_wait_s=wait),
            name="the upstream call budget",
            metrics=self._metrics,
            scope="user" if user_keys is not None else "consumer",
        )

    def _budget(self, policy: str, where: keys.BudgetKeys, per_s: int, per_day: int) -> Budget:
        return Budget(policy, where, per_s, self._window_s, UPSTREAM_WINDOW_S, per_day)


class SignInThrottle:
    """The per-client budget of the anonymous sign-in endpoints: spend one call, or 429."""

    def __init__(
        self,
        redis: RedisLike,
        settings: Settings,
        *,
        breaker: Breaker | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._redis = redis
        self._breaker = breaker or Breaker(settings.redis_retry_after_s)
        self._metrics = metrics
        self._per_minute = settings.signin_per_minute

    async def __call__(self, client_host: str | None) -> None:
        """Take one sign-in call of this client; raises `RateLimited` when none is left."""
        if self._per_minute == 0:
            return
        budget = Budget(
            "signin", keys.sign_in_budget(client_id(client_host)), self._per_minute, 60.0, 60
        )
        redis, breaker = self._redis, self._breaker
        await _take(
            lambda: breaker.call(lambda: reserve(redis, [budget], max_wait_s=0.0)),
            name="the sign-in budget of this client",
            metrics=self._metrics,
            scope="signin",
        )


def client_id(host: str | None) -> str:
    """Who a sign-in bucket belongs to: an IPv4 address, or an IPv6 /64 (one subscriber line).

    Providers hand each line a whole /64, so counting IPv6 addresses one by one would give a
    single client billions of buckets. An unknown host (no ASGI `client`) shares one bucket.
    """
    if not host:
        return ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # not an IP address, e.g. a unix socket peer
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


async def _take(
    take: Callable[[], Awaitable[Outcome]],
    *,
    name: str,
    metrics: Metrics | None,
    scope: BudgetScope,
) -> float:
    """Reserve one call (`take`, through the breaker); the wait, or `RateLimited` (0 when
    Redis is down)."""
    try:
        outcome = await take()
    except STORE_DOWN:
        _log.warning("%s is not enforced: the store is unreachable", name)
        return 0.0
    ratelimit_headers.record(outcome.states)
    if outcome.taken:
        return outcome.wait_s
    if metrics is not None:
        metrics.budget_refusal("day" if outcome.refused_by == "day" else scope)
    if outcome.refused_by == "day":
        raise RateLimited(f"{name} is spent for today; retry later", retry_after=outcome.wait_s)
    raise RateLimited(f"{name} is spent for now; retry later", retry_after=outcome.wait_s)
