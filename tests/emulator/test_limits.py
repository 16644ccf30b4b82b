"""Quotas: four calls a second and a daily budget per caller, refused with Mashery's 403s."""

from __future__ import annotations

import threading

import httpx
import pytest
from starlette.applications import Starlette

from emulator.config import DEMO_CONSUMER_KEY, EmulatorConfig
from emulator.http import NetflixError
from emulator.limits import DAY_S, RateLimiter
from tests.emulator.oauth_helpers import emulator, sign, status_of
from tests.support.clock import ManualClock
from tests.support.oauth import TEST_BASE, asgi_client


async def _bare(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/probe/consumer", params={"oauth_consumer_key": DEMO_CONSUMER_KEY})


def _limited(clock: ManualClock, **overrides: int) -> Starlette:
    return emulator(clock, rate_limits=True, **overrides)


async def test_over_queries_per_second() -> None:
    clock = ManualClock()
    async with asgi_client(_limited(clock, per_second_limit=4)) as client:
        for _ in range(4):
            assert (await _bare(client)).status_code == 200
        refused = await _bare(client)
        clock.advance(1.0)
        after = await _bare(client)
    assert status_of(refused) == (403, "Service is over queries per second limit")
    assert refused.headers["x-mashery-error-code"] == "ERR_403_DEVELOPER_OVER_QPS"
    assert after.status_code == 200


async def test_the_second_window_slides() -> None:
    clock = ManualClock()
    async with asgi_client(_limited(clock, per_second_limit=2)) as client:
        assert (await _bare(client)).status_code == 200
        clock.advance(0.6)
        assert (await _bare(client)).status_code == 200
        clock.advance(0.6)  # the first call left the window; the second has not
        assert (await _bare(client)).status_code == 200
        assert (await _bare(client)).status_code == 403


async def test_over_queries_per_day() -> None:
    clock = ManualClock()
    async with asgi_client(_limited(clock, per_second_limit=100, per_day_limit=3)) as client:
        for _ in range(3):
            assert (await _bare(client)).status_code == 200
            clock.advance(2)
        refused = await _bare(client)
        clock.advance(DAY_S)
        next_day = await _bare(client)
    assert status_of(refused) == (403, "Over queries per day limit")
    assert refused.headers["x-mashery-error-code"] == "ERR_403_DEVELOPER_OVER_RATE"
    assert next_day.status_code == 200


async def test_each_access_token_has_its_own_budget() -> None:
    clock = ManualClock()
    app = _limited(clock, per_second_limit=2)
    (_, token_a, secret_a), (_, token_b, secret_b) = app.state.context.oauth.demo_tokens()[:2]
    url = f"{TEST_BASE}/probe/protected"
    async with asgi_client(app) as client:
        for _ in range(2):
            assert (
                await client.send(sign("GET", url, token=token_a, secret=secret_a))
            ).status_code == 200
        assert (
            await client.send(sign("GET", url, token=token_a, secret=secret_a))
        ).status_code == 403
        assert (
            await client.send(sign("GET", url, token=token_b, secret=secret_b))
        ).status_code == 200
        assert (await _bare(client)).status_code == 200


async def test_limits_can_be_switched_off() -> None:
    clock = ManualClock()
    app = emulator(clock, rate_limits=False, per_second_limit=1, per_day_limit=1)
    async with asgi_client(app) as client:
        for _ in range(10):
            assert (await _bare(client)).status_code == 200


def test_limiter_counts_exactly_under_threads() -> None:
    clock = ManualClock()
    limiter = RateLimiter(EmulatorConfig(per_second_limit=50, per_day_limit=10_000), clock)
    accepted: list[int] = []

    def worker() -> None:
        for _ in range(20):
            try:
                limiter.hit("caller")
                accepted.append(1)
            except NetflixError:
                pass

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(accepted) == 50


def test_refused_calls_do_not_count() -> None:
    clock = ManualClock()
    limiter = RateLimiter(EmulatorConfig(per_second_limit=1, per_day_limit=2), clock)
    limiter.hit("c")
    with pytest.raises(NetflixError):
        limiter.hit("c")
    clock.advance(1)
    limiter.hit("c")
    clock.advance(1)
    with pytest.raises(NetflixError) as refused:
        limiter.hit("c")
    assert refused.value.message == "Over queries per day limit"
