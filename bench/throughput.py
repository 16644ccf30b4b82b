"""Figures 1 and 2: cache hits over TCP against nginx and a bare FastAPI app (wrk -t1 -c32).

All four serve the same bytes (the proxy's answer for one title): nginx as a static file,
the bare app from memory, the proxy from its front tier and, with that tier off, from Redis.
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


def warm(url: str, *, expect_cache: str | None = None) -> bytes:
    """One GET that must answer 200 (and, with `expect_cache`, that `X-Cache`); its body."""
    answer = httpx.get(url, timeout=TIMEOUT_S)
    cache = answer.headers.get("x-cache")
    if answer.status_code != 200 or (expect_cache is not None and cache != expect_cache):
        raise RuntimeError(f"{url}: {answer.status_code} X-Cache={cache}: {answer.text[:300]}")
    return answer.content


def hit_rate(run: Run, name: str, url: str, *, cached: bool = True) -> float:
    """Requests per second of `url` once warm (a proxy URL must then answer HIT)."""
    warm(url)
    warm(url, expect_cache="HIT" if cached else None)
    rate = run_wrk(url, seconds=run.wrk_seconds).requests_per_s
    run.throughput[name] = rate
    return rate


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
    with nginx("title.json", run.title_body) as server:
        nginx_rate = hit_rate(run, "nginx static", f"{server.url}/title.json", cached=False)
    with bare_fastapi(body_file) as server:
        bare_rate = hit_rate(run, "bare FastAPI", f"{server.url}/title", cached=False)
    with front_proxy(run) as server:
        front_rate = hit_rate(run, "proxy front-tier hit", server.url + run.title_path)
    with proxy(run.emulator.url, run.redis_url, run.key, NFX_FRONT_CACHE_TTL_S="0") as server:
        redis_rate = hit_rate(run, "proxy Redis-tier hit", server.url + run.title_path)
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
