"""The one Redis client type of the service, and how to make it from settings.

`connect` returns a real Redis client, a Redis Cluster client, or (without `redis_url`) an
embedded in-process store backed by fakeredis, which behaves like Redis (Lua scripts included)
but lives in this process only: use it for one process, never behind several replicas.
"""

from __future__ import annotations

import importlib.util
from typing import Any, TypeAlias

import redis.exceptions as redis_errors
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.typing import EncodableT

from service.settings import Settings

RedisLike: TypeAlias = Redis | RedisCluster

# Failures that mean "the store is unreachable", as opposed to a bug in a command.
STORE_DOWN: tuple[type[Exception], ...] = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.ClusterDownError,
    redis_errors.ClusterError,
    redis_errors.RedisClusterException,
    redis_errors.TryAgainError,
    redis_errors.ReadOnlyError,
    OSError,
)

# Delete a lock key only if it still holds our owner token (KEYS[1], ARGV[1]); 1 if deleted.
RELEASE_IF_OWNER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class _Cluster(RedisCluster):
    """A cluster client that finishes discovering the cluster before running any command.

    Many concurrent first commands on a fresh `RedisCluster` can otherwise fail while the
    node map is being replaced (seen with redis-py 8.1: "'NoneType' object has no attribute
    'writelines'"); here they all wait for the one discovery first.
    """

    async def execute_command(self, *args: EncodableT, **kwargs: Any) -> Any:
        if self._initialize:
            await self.initialize()
        return await super().execute_command(*args, **kwargs)


def connect(settings: Settings) -> RedisLike:
    """A client for the configured store; no connection is made until the first command.

    Timeouts come from `redis_timeout_s` and retries are few and quick. A Redis that refuses
    connections costs a request milliseconds; one that never answers costs a few timeouts,
    once per `redis_retry_after_s` (see `store.breaker`), before the cache is bypassed.

    A plain Redis is reached through a bounded, blocking pool (`redis_max_connections`): a
    burst of requests waits for a free connection instead of opening hundreds at once, which
    on a busy host took longer than the timeout and looked like an outage (a burst of 200
    session reads in one process got 98 answers 503 that way). Redis Cluster's client cannot
    wait for a connection (it fails past its limit), so it keeps its own unbounded pools.
    """
    if settings.redis_url is None:
        return embedded()
    timeout = settings.redis_timeout_s
    if settings.redis_cluster:
        return _Cluster.from_url(
            settings.redis_url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.1), retries=3),
        )
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.05), retries=1),
        health_check_interval=30,
    )
    return Redis.from_pool(pool)  # owns the pool: closing the client closes it


EMBEDDED_MISSING = (
    "NFX_REDIS_URL is unset, and the embedded store it then uses is not installed: set "
    "NFX_REDIS_URL, or install the extra (pip install 'netflix-proxy[embedded]')"
)


def embedded_available() -> bool:
    """Whether the embedded store's packages are installed (an image without them needs Redis)."""
    return importlib.util.find_spec("fakeredis") is not None


def embedded() -> Redis:
    """A fresh, empty in-process store (fakeredis, with Lua through lupa)."""
    if not embedded_available():
        raise RuntimeError(EMBEDDED_MISSING)
    import fakeredis  # only the embedded mode needs it

    client: Redis = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
    return client


async def close(client: RedisLike) -> None:
    """Release the client's connections (at shutdown)."""
    await client.aclose()


async def ping(client: RedisLike) -> bool:
    """True when the store answers; never raises for an unreachable store."""
    try:
        return bool(await client.ping())
    except STORE_DOWN:
        return False


def as_bytes(value: bytes | str | memoryview | None) -> bytes | None:
    """A reply as bytes (clients are made with `decode_responses=False`; this satisfies types)."""
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return bytes(value)
