"""Figure 3: a cache miss through the proxy against the same call made directly, signed.

Each request searches a term no earlier request used, so every proxy answer is a MISS that
goes upstream; the direct calls ask the emulator for exactly what the proxy asks it
(`/catalog/titles?term=..&start_index=0&max_results=25`, signed with the consumer key).
"""

from __future__ import annotations

import asyncio
import itertools
import string

import httpx

from bench.context import Run
from bench.latency import median, timed_gets
from bench.report import Check
from bench.throughput import front_proxy
from tests.support.oauth import signer

CONCURRENCY = 4


def search_terms(count: int) -> list[str]:
    """`count` distinct two- and three-letter terms (most match some titles)."""
    letters = string.ascii_lowercase
    words = ("".join(chars) for size in (2, 3) for chars in itertools.product(letters, repeat=size))
    return list(itertools.islice(words, count))


async def _measure(proxy_url: str, emulator_url: str, terms: list[str]) -> tuple[float, float]:
    timeout = httpx.Timeout(30.0)
    direct_paths = [
        ("/catalog/titles", {"term": t, "start_index": "0", "max_results": "25"}) for t in terms
    ]
    proxy_paths = [("/v1/titles", {"term": t}) for t in terms]
    async with (
        httpx.AsyncClient(base_url=emulator_url, auth=signer(), timeout=timeout) as direct,
        httpx.AsyncClient(base_url=proxy_url, timeout=timeout) as through,
    ):
        # Open the connections (and warm each side) with a search the figures never time.
        await timed_gets(direct, direct_paths[:1], concurrency=1)
        await timed_gets(through, [("/v1/titles", {"term": "warm-up"})], concurrency=1)
        direct_ms = await timed_gets(direct, direct_paths, concurrency=CONCURRENCY)
        proxy_ms = await timed_gets(
            through, proxy_paths, concurrency=CONCURRENCY, expect_cache="MISS"
        )
    return median(proxy_ms), median(direct_ms)


def misses(run: Run) -> list[Check]:
    """Figure 3."""
    terms = search_terms(run.scaled(300, 60))
    with front_proxy(run) as server:
        proxy_p50, direct_p50 = asyncio.run(_measure(server.url, run.emulator.url, terms))
    return [
        Check(
            "3. Miss p50 vs direct signed call",
            proxy_p50 / direct_p50,
            "<=",
            1.25,
            "x",
            f"{proxy_p50:.1f} vs {direct_p50:.1f} ms, {len(terms)} distinct searches, "
            f"{CONCURRENCY} in flight",
        )
    ]
