"""Figures 1 and 2: cache hits over TCP against nginx and a bare FastAPI app (wrk -t1 -c32).

All four serve the same bytes (the proxy's answer for one title): nginx as a static file,
the bare app from memory, the proxy from its front tier and, with that tier off, from Redis.
All four run at once and take turns under load, `ROUNDS` times; each keeps its best rate, so
a noisy spell on the shared machine slows one turn rather than one server's only figure.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx

from bench.context import Run
from bench.processes import Server, bare_fastapi, nginx, proxy
from bench.report import Check
from bench.wrk import run_wrk

TIMEOUT_S = 30.0
ROUNDS = 3


def warm(url: str, *, expect_cache: str | None = None) -> bytes:
    """One GET that must answer 200 (and, with `expect_cache`, that `X-Cache`); its body."""
    answer = httpx.get(url, timeout=TIMEOUT_S)
    cache = answer.headers.get("x-cache")
    if answer.status_code != 200 or (expect_cache is not None and cache != expect_cache):
        raise RuntimeError(f"{url}: {answer.status_code} X-Cache={cache}: {answer.text[:300]}")
    return answer.content


def best_rates(run: Run, urls: dict[str, tuple[str, bool]]) -> dict[str, float]:
    """Each URL's best requests per second over `ROUNDS` turns of wrk, the URLs taking turns;
    `urls` maps a name to (URL, whether it is the proxy's and must answer HIT once warm)."""
    for url, cached in urls.values():
        warm(url)
        warm(url, expect_cache="HIT" if cached else None)
    best = dict.fromkeys(urls, 0.0)
    for _ in range(ROUNDS):
        for name, (url, _cached) in urls.items():
            rate = run_wrk(url, seconds=run.wrk_seconds).requests_per_s
            best[name] = max(best[name], rate)
    run.throughput.update(best)
    return best


@contextlib.contextmanager
def front_proxy(run: Run, *, workers: int = 1) -> Iterator[Server]:
    """A proxy as deployed by default (front tier on) over the run's emulator and Redis."""
    with proxy(run.emulator.url, run.redis_url, run.key, workers=workers) as server:
        yield server


def title_answer(run: Run) -> None:
    """Pick a movie, fetch the proxy's answer for it: the bytes every server then serves."""
    with front_proxy(run) as server:
        search = httpx.get(f"{server.url}/v1/titles", params={"term": "a"}, timeout=TIMEOUT_S)
        search.raise_for_status()
        movie = next(t for t in search.json()["items"] if t["kind"] == "movie")
        run.title_path = f"/v1/titles/{movie['id']}?include=synopsis,cast"
        run.title_body = warm(server.url + run.title_path)


def hits(run: Run) -> list[Check]:
    """Figures 1 and 2."""
    body_file = run.workdir / "title.json"
    body_file.write_bytes(run.title_body)
    with contextlib.ExitStack() as servers:
        static = servers.enter_context(nginx("title.json", run.title_body))
        bare = servers.enter_context(bare_fastapi(body_file))
        front = servers.enter_context(front_proxy(run))
        redis_tier = servers.enter_context(
            proxy(run.emulator.url, run.redis_url, run.key, NFX_FRONT_CACHE_TTL_S="0")
        )
        urls = {
            "nginx static": (f"{static.url}/title.json", False),
            "bare FastAPI": (f"{bare.url}/title", False),
            "proxy front-tier hit": (front.url + run.title_path, True),
            "proxy Redis-tier hit": (redis_tier.url + run.title_path, True),
        }
        best = best_rates(run, urls)
    nginx_rate, bare_rate = best["nginx static"], best["bare FastAPI"]
    front_rate, redis_rate = best["proxy front-tier hit"], best["proxy Redis-tier hit"]
    size = f"{len(run.title_body):,} B answer"
    return [
        Check(
            "1. Front-tier hit vs bare FastAPI",
            front_rate / bare_rate,
            ">=",
            2.5,
            "x",
            f"{front_rate:,.0f} vs {bare_rate:,.0f} req/s ({size})",
        ),
        Check(
            "1. Front-tier hit vs nginx static",
            front_rate / nginx_rate,
            ">=",
            0.25,
            "x",
            f"{front_rate:,.0f} vs {nginx_rate:,.0f} req/s",
        ),
        Check(
            "2. Redis-tier hit vs bare FastAPI",
            redis_rate / bare_rate,
            ">=",
            1.0,
            "x",
            f"{redis_rate:,.0f} vs {bare_rate:,.0f} req/s (front tier off)",
        ),
    ]
