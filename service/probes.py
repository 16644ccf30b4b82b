"""Is the store there, is the upstream there: shared by `/readyz` and `netflix-proxy check`."""

from __future__ import annotations

import asyncio

import httpx

from service.store.redis import RedisLike, ping

PROBE_TIMEOUT_S = 2.0


async def store_answers(redis: RedisLike, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """The store answers PING within the timeout."""
    try:
        async with asyncio.timeout(timeout_s):
            return await ping(redis)
    except TimeoutError:
        return False


async def upstream_answers(
    http: httpx.AsyncClient, base_url: str, timeout_s: float = PROBE_TIMEOUT_S
) -> bool:
    """Any HTTP answer from the upstream's root proves it is reachable."""
    try:
        await http.get(base_url + "/", timeout=timeout_s)
    except httpx.HTTPError:
        return False
    return True
