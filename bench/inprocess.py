"""`python -m bench.inprocess`: what the front tier saves, as ratios measured in one run.

Three ways to answer the same catalog read, each driven in-process through the ASGI interface
(no sockets, so the numbers are the proxy's own cost) by a bounded loop:

* front-tier hit: answered by `service.front.FrontLayer` before FastAPI routing;
* route hit: the front tier disabled, answered by the FastAPI route from the Redis tier;
* uncached: a different search each time, so every request goes to the emulator (in-process).

The route hit is the baseline; the other rows are printed as multiples of its throughput.
Absolute figures depend on the machine and are printed only for context. `--redis-url` uses a
real Redis for the shared tier instead of the embedded store.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.types import Message

from emulator import EmulatorConfig, create_emulator
from service.app import create_app
from service.settings import Settings

UPSTREAM = "https://netflix.test"
TITLE_PATH = "/v1/titles/movies/60020435"
TITLE_QUERY = b"include=synopsis,cast"


@dataclass(frozen=True)
class Row:
    """One measured variant."""

    name: str
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else float("inf")


async def asgi_get(app: FastAPI, path: str, query: bytes) -> tuple[int, dict[bytes, bytes]]:
    """One GET through the raw ASGI interface; returns status and headers."""
    status = 0
    headers: dict[bytes, bytes] = {}
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"proxy.bench")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers.update(message.get("headers", []))

    await app(scope, receive, send)
    return status, headers


async def measure(
    name: str,
    requests: int,
    call: Callable[[int], Awaitable[tuple[int, dict[bytes, bytes]]]],
    expect_cache: bytes | None,
) -> Row:
    """Run `requests` sequential calls; check each answer; time the loop."""
    started = time.perf_counter()
    for number in range(requests):
        status, headers = await call(number)
        if status != 200 or (expect_cache is not None and headers.get(b"x-cache") != expect_cache):
            raise SystemExit(f"{name}: unexpected answer {status} {headers.get(b'x-cache')!r}")
    return Row(name, requests, time.perf_counter() - started)


async def _app(stack: AsyncExitStack, settings: Settings, redis_url: str | None) -> FastAPI:
    emulator = create_emulator(EmulatorConfig(catalog_size=300, rate_limits=False))
    redis = None
    if redis_url is not None:
        from redis.asyncio import Redis

        redis = Redis.from_url(redis_url)
        await redis.flushdb()
        stack.push_async_callback(redis.aclose)
    app = create_app(settings, upstream_transport=httpx.ASGITransport(app=emulator), redis=redis)
    await stack.enter_async_context(app.router.lifespan_context(app))
    return app


async def run(requests: int, redis_url: str | None) -> list[Row]:
    """Measure the three variants in this process."""
    common: dict[str, Any] = {
        "upstream_base_url": UPSTREAM,
        "budget_consumer_per_s": 1e9,
        "budget_user_per_s": 1e9,
        "budget_consumer_per_day": 0,
        "budget_user_per_day": 0,
    }
    async with AsyncExitStack() as stack:
        front = await _app(stack, Settings(**common), redis_url)
        route = await _app(
            stack, Settings(**common, front_cache_ttl_s=0, cache_ttl_title_s=86400), redis_url
        )
        for app in (front, route):  # warm both tiers
            await asgi_get(app, TITLE_PATH, TITLE_QUERY)

        async def hit(app: FastAPI) -> Callable[[int], Awaitable[tuple[int, dict[bytes, bytes]]]]:
            async def call(_: int) -> tuple[int, dict[bytes, bytes]]:
                return await asgi_get(app, TITLE_PATH, TITLE_QUERY)

            return call

        async def uncached(number: int) -> tuple[int, dict[bytes, bytes]]:
            return await asgi_get(route, "/v1/titles", f"term=bench+{number}".encode())

        return [
            await measure("route hit (baseline)", requests, await hit(route), b"HIT"),
            await measure("front-tier hit", requests, await hit(front), b"HIT"),
            await measure("uncached (upstream)", max(20, requests // 20), uncached, b"MISS"),
        ]


def report(rows: Sequence[Row]) -> str:
    """The table printed by the benchmark: throughput relative to the first row."""
    baseline = rows[0].per_second
    lines = [f"{'variant':<24}{'requests':>10}{'req/s':>12}{'vs baseline':>14}"]
    lines += [
        f"{row.name:<24}{row.requests:>10}{row.per_second:>12.0f}"
        f"{row.per_second / baseline:>13.2f}x"
        for row in rows
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, measure, print."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.inprocess", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=3000,
        help="requests per cached variant (uncached runs 1/20 of it)",
    )
    parser.add_argument(
        "--redis-url", default=None, help="real Redis for the shared tier (default: embedded store)"
    )
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    print(report(asyncio.run(run(args.requests, args.redis_url))))


if __name__ == "__main__":
    main()
