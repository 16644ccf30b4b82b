"""Latency helpers: a few concurrent async GETs timed one by one, and their percentiles."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence

import httpx


async def timed_gets(
    client: httpx.AsyncClient,
    paths: Sequence[tuple[str, dict[str, str]]],
    *,
    concurrency: int,
    expect_cache: str | None = None,
) -> list[float]:
    """GET each (path, params) with at most `concurrency` in flight; milliseconds each.

    Every answer must be 200 (and carry `X-Cache: expect_cache` when given).
    """
    gate = asyncio.Semaphore(concurrency)
    timings: list[float] = []

    async def one(path: str, params: dict[str, str]) -> None:
        async with gate:
            started = time.perf_counter()
            answer = await client.get(path, params=params)
            timings.append((time.perf_counter() - started) * 1000)
        cache = answer.headers.get("x-cache")
        if answer.status_code != 200 or (expect_cache is not None and cache != expect_cache):
            raise RuntimeError(f"{path} {params}: {answer.status_code} X-Cache={cache}")

    await asyncio.gather(*(one(path, params) for path, params in paths))
    return timings


def median(values: Sequence[float]) -> float:
    """The 50th percentile."""
    return statistics.median(values)
