"""The upstream budget: token buckets in Redis, shared by every replica.

Netflix allowed about 4 calls per second per access token and answered 403 beyond it. Before
each upstream call the client takes one token from the consumer key's bucket and, for user
calls, from the access token's bucket, both in one Lua script (both or neither). Buckets hold
up to `rate` tokens (at least 1) and refill continuously; the script reads Redis `TIME`, so
replicas with drifting clocks still agree.

When a token is not there yet the script reserves the next one and tells how long to wait:
up to `budget_max_wait_s` the call just sleeps that long (fair: first come, first served);
beyond it nothing is taken and `RateLimited(retry_after=...)` becomes a 429 with Retry-After.

The anonymous sign-in endpoints also call the upstream, so `SignInThrottle` gives each client
address its own bucket (`signin_per_minute`, no waiting) in front of them: anonymous traffic
cannot spend the shared consumer budget that catalog reads depend on.

When Redis is unreachable both throttles let calls through (fail open): catalog reads must
keep working while the cache is down, and the upstream's own limit (403) still applies.
While the breaker (`store.breaker`) remembers the outage they do so without asking Redis.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
from collections.abc import Sequence

from service.errors import RateLimited
from service.settings import Settings
from service.store import keys
from service.store.breaker import Breaker
from service.store.redis import STORE_DOWN, RedisLike

# KEYS: 1..n buckets. ARGV: max_wait_s, ttl_ms, then rate and burst for each bucket.
# Returns {1 or 0 (taken), wait_s as a string}.
_TAKE = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) + tonumber(now_t[2]) / 1000000
local max_wait = tonumber(ARGV[1])
local ttl_ms = tonumber(ARGV[2])
local after = {}
local wait = 0
for i = 1, #KEYS do
  local rate = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = burst
    at = now
  end
  if now > at then
    tokens = math.min(burst, tokens + (now - at) * rate)
  end
  after[i] = tokens - 1
  if after[i] < 0 then
    local w = -after[i] / rate
    if w > wait then wait = w end
  end
end
if wait > max_wait then
  return {0, string.format('%.6f', wait)}
end
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 'tokens', string.format('%.17g', after[i]),
             'at', string.format('%.6f', now))
  redis.call('PEXPIRE', KEYS[i], ttl_ms)
end
return {1, string.format('%.6f', wait)}
"""

_log = logging.getLogger(__name__)


class TokenBucketThrottle:
    """A `Throttle` for the upstream client: wait briefly for budget, or raise `RateLimited`."""

    def __init__(
        self, redis: RedisLike, settings: Settings, *, breaker: Breaker | None = None
    ) -> None:
        self._redis = redis
        self._breaker = breaker or Breaker(settings.redis_retry_after_s)
        self._user_rate = settings.budget_user_per_s
        self._consumer_rate = settings.budget_consumer_per_s
        self._max_wait_s = settings.budget_max_wait_s
        slowest = min(self._user_rate, self._consumer_rate)
        # A bucket left alone refills within burst / rate <= 1 / slowest (burst >= 1), so it
        # can be dropped after that (plus the longest reservation ahead of time).
        self._ttl_ms = math.ceil((max(1.0, 1 / slowest) + self._max_wait_s + 1) * 1000)

    async def __call__(self, *, consumer_key: str, access_token: str | None) -> None:
        """Take one call's budget, sleeping up to `budget_max_wait_s` for it."""
        wait = await self.reserve(consumer_key=consumer_key, access_token=access_token)
        if wait > 0:
            await asyncio.sleep(wait)

    async def reserve(self, *, consumer_key: str, access_token: str | None) -> float:
        """Take one call's budget now and return how long to wait before using it.

        Raises `RateLimited` when the wait would exceed `budget_max_wait_s` (nothing is
        taken then); returns 0 when Redis is unreachable.
        """
        consumer_bucket, user_bucket = keys.budget(consumer_key, access_token)
        buckets = [(consumer_bucket, self._consumer_rate, max(1.0, self._consumer_rate))]
        if user_bucket is not None:
            buckets.append((user_bucket, self._user_rate, max(1.0, self._user_rate)))
        return await _take(
            self._redis,
            self._breaker,
            buckets,
            max_wait_s=self._max_wait_s,
            ttl_ms=self._ttl_ms,
            name="the upstream call budget",
        )


class SignInThrottle:
    """The per-client budget of the anonymous sign-in endpoints: spend one call, or 429."""

    def __init__(
        self, redis: RedisLike, settings: Settings, *, breaker: Breaker | None = None
    ) -> None:
        self._redis = redis
        self._breaker = breaker or Breaker(settings.redis_retry_after_s)
        self._burst = settings.signin_per_minute
        self._rate = self._burst / 60
        # An idle bucket is full again after burst / rate = 60 s; then it can be dropped.
        self._ttl_ms = 61_000

    async def __call__(self, client_host: str | None) -> None:
        """Take one sign-in call of this client; raises `RateLimited` when none is left."""
        if self._burst == 0:
            return
        bucket = keys.sign_in_budget(client_id(client_host))
        await _take(
            self._redis,
            self._breaker,
            [(bucket, self._rate, float(self._burst))],
            max_wait_s=0.0,
            ttl_ms=self._ttl_ms,
            name="the sign-in budget of this client",
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
    redis: RedisLike,
    breaker: Breaker,
    buckets: Sequence[tuple[str, float, float]],
    *,
    max_wait_s: float,
    ttl_ms: int,
    name: str,
) -> float:
    """Run `_TAKE` over (key, rate per second, burst) buckets; the wait, or `RateLimited`.

    Returns 0 when Redis is unreachable (fail open, logged).
    """
    args: list[float] = [max_wait_s, ttl_ms]
    for _, rate, burst in buckets:
        args += [rate, burst]
    script = redis.register_script(_TAKE)
    try:
        taken, wait_text = await breaker.call(
            lambda: script(keys=[key for key, _, _ in buckets], args=args)
        )
    except STORE_DOWN:
        _log.warning("%s is not enforced: the store is unreachable", name)
        return 0.0
    wait = float(wait_text)
    if not int(taken):
        raise RateLimited(f"{name} is spent for now; retry later", retry_after=wait)
    return wait
