"""Figure 7: `netflix-proxy serve --workers 2` against one worker, and keep-alive latency.

Both proxies run at once and take turns under wrk, keeping their best rates (as figures 1
and 2 do): with the load generator on the same two cores, single runs moved by half.

The keep-alive check opens a connection, times its first request and then a second on the
same connection; with Nagle's algorithm left on, the second waits ~40 ms for a delayed ACK.
"""

from __future__ import annotations

import contextlib
import time

import httpx

from bench.context import Run
from bench.latency import median
from bench.report import Check
from bench.throughput import best_rates, front_proxy

KEEPALIVE_TARGET = 1.5


def keepalive(url: str, rounds: int) -> tuple[float, float]:
    """Median ms of the first and of the second request of fresh keep-alive connections."""
    first: list[float] = []
    second: list[float] = []
    for _ in range(rounds):
        with httpx.Client(timeout=30.0) as client:
            for timings in (first, second):
                started = time.perf_counter()
                answer = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
    return median(first), median(second)


def scaling(run: Run) -> list[Check]:
    """Figure 7."""
    with contextlib.ExitStack() as servers:
        single = servers.enter_context(front_proxy(run, workers=1))
        double = servers.enter_context(front_proxy(run, workers=2))
        urls = {
            "proxy 1 worker": (single.url + run.title_path, True),
            "proxy 2 workers": (double.url + run.title_path, True),
        }
        best = best_rates(run, urls)
        first_ms, second_ms = keepalive(double.url + run.title_path, run.scaled(50, 10))
    one, two = best["proxy 1 worker"], best["proxy 2 workers"]
    return [
        Check(
            "7. 2 workers vs 1 worker (hits)",
            two / one,
            ">=",
            1.3,
            "x",
            f"{two:,.0f} vs {one:,.0f} req/s",
        ),
        Check(
            "7. Keep-alive: 2nd request vs 1st",
            second_ms / first_ms,
            "<=",
            KEEPALIVE_TARGET,
            "x",
            f"{second_ms:.2f} vs {first_ms:.2f} ms (p50, 2 workers)",
        ),
    ]
