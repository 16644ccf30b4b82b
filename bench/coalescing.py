"""Figure 6: identical cold misses across two proxy processes make one upstream call.

The emulator behind these proxies logs every call it receives (`--arrivals-log`, its limits
set too high to refuse anything); upstream calls are the lines the log gained.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.context import CATALOG_SIZE, Run
from bench.processes import Server, emulator, proxy
from bench.report import Check

ZIPF_EXPONENT = 1.0
CONCURRENCY = 32


def zipf_draws(requests: int, keys: int, seed: int = 7) -> list[int]:
    """`requests` key numbers in [0, keys), key k drawn with weight 1 / (k + 1)."""
    weights = [1 / (k + 1) ** ZIPF_EXPONENT for k in range(keys)]
    return random.Random(seed).choices(range(keys), weights=weights, k=requests)


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


async def _search_all(proxies: list[str], terms: list[str], concurrency: int) -> None:
    """Search each term, alternating between the proxies, `concurrency` at a time."""
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:

        async def one(number: int, term: str) -> None:
            async with gate:
                url = proxies[number % len(proxies)] + "/v1/titles"
                answer = await client.get(url, params={"term": term})
            if answer.status_code != 200:
                raise RuntimeError(f"{term}: {answer.status_code} {answer.text[:300]}")

        await asyncio.gather(*(one(n, t) for n, t in enumerate(terms)))


@contextlib.contextmanager
def counted_pair(run: Run, log: Path) -> Iterator[tuple[Server, list[str]]]:
    """The counting emulator and two proxy processes over it (front tier on, one Redis)."""
    with (
        emulator(catalog_size=CATALOG_SIZE, arrivals_log=log) as upstream,
        proxy(upstream.url, run.redis_url, run.key) as first,
        proxy(upstream.url, run.redis_url, run.key) as second,
    ):
        yield upstream, [first.url, second.url]


def coalescing(run: Run) -> list[Check]:
    """Figure 6."""
    log = run.workdir / "arrivals.log"
    requests, keys = run.scaled(10_000, 1_000), run.scaled(1_000, 100)
    draws = zipf_draws(requests, keys)
    with counted_pair(run, log) as (_, proxies):
        before = _lines(log)
        burst = [f"burst {run.token}"] * 100
        asyncio.run(_search_all(proxies, burst, concurrency=len(burst)))
        burst_calls = _lines(log) - before
        before = _lines(log)
        asyncio.run(_search_all(proxies, [f"zipf {run.token} {k}" for k in draws], CONCURRENCY))
        zipf_calls = _lines(log) - before
    distinct = len(set(draws))
    return [
        Check(
            "6. 100 identical cold requests, 2 processes",
            float(burst_calls),
            "==",
            1.0,
            " upstream calls",
            f"{len(burst)} requests split over 2 proxy processes",
        ),
        Check(
            f"6. Zipf {requests:,} requests over {keys:,} searches",
            float(zipf_calls),
            "==",
            float(distinct),
            " upstream calls",
            f"one per distinct search drawn ({distinct:,}), Zipf exponent {ZIPF_EXPONENT}",
        ),
    ]
