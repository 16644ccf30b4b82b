"""The outage breaker's states, driven by a fake clock and calls that succeed or fail."""

from __future__ import annotations

import asyncio

import pytest
import redis.exceptions as redis_errors
from pydantic import ValidationError

from service.errors import StoreUnavailable
from service.metrics import Metrics
from service.settings import Settings
from service.store.breaker import Breaker, BreakerOpen
from service.store.redis import STORE_DOWN
from tests.support.clock import ManualClock
from tests.support.metrics import parse, value

WINDOW_S = 2.0


class Store:
    """Stands for Redis: counts the calls that reach it, and fails them while `down`."""

    def __init__(self) -> None:
        self.calls = 0
        self.down: Exception | None = None

    async def command(self) -> str:
        self.calls += 1
        if self.down is not None:
            raise self.down
        return "OK"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def breaker(clock: ManualClock) -> Breaker:
    return Breaker(WINDOW_S, clock=clock)


async def fail(breaker: Breaker, store: Store) -> None:
    with pytest.raises(STORE_DOWN):
        await breaker.call(store.command)


async def half_open(breaker: Breaker, clock: ManualClock) -> Store:
    """A store that timed out once, a window ago, and answers again."""
    store = Store()
    store.down = redis_errors.TimeoutError()
    await fail(breaker, store)
    clock.advance(WINDOW_S)
    store.down = None
    return store


async def test_calls_go_through_while_closed(breaker: Breaker) -> None:
    store = Store()
    assert await breaker.call(store.command) == "OK"
    assert await breaker.call(store.command) == "OK"
    assert store.calls == 2
    assert breaker.state() == "closed"


async def test_a_timeout_opens_it_and_later_calls_skip_the_store(
    breaker: Breaker, clock: ManualClock
) -> None:
    store = Store()
    store.down = redis_errors.TimeoutError("Timeout reading")
    await fail(breaker, store)
    assert breaker.state() == "open"
    clock.advance(WINDOW_S - 0.01)
    for _ in range(5):
        with pytest.raises(BreakerOpen):
            await breaker.call(store.command)
    assert store.calls == 1
    assert breaker.remaining_s() == pytest.approx(0.01, abs=1e-6)


async def test_the_skip_is_caught_as_a_store_outage(breaker: Breaker) -> None:
    store = Store()
    store.down = redis_errors.ConnectionError("refused")
    await fail(breaker, store)
    with pytest.raises(STORE_DOWN):  # what existing `except STORE_DOWN` handlers catch
        await breaker.call(store.command)


async def test_after_the_window_one_probe_closes_it_on_success(
    breaker: Breaker, clock: ManualClock
) -> None:
    store = await half_open(breaker, clock)
    assert breaker.state() == "half-open"
    assert await breaker.call(store.command) == "OK"
    assert breaker.state() == "closed"
    assert await breaker.call(store.command) == "OK"
    assert store.calls == 3


async def test_a_failed_probe_opens_a_fresh_window(breaker: Breaker, clock: ManualClock) -> None:
    store = Store()
    store.down = OSError("no route")
    await fail(breaker, store)
    clock.advance(WINDOW_S + 5)
    await fail(breaker, store)
    assert store.calls == 2
    clock.advance(WINDOW_S - 0.01)
    with pytest.raises(BreakerOpen):
        await breaker.call(store.command)
    assert store.calls == 2
    clock.advance(0.02)
    store.down = None
    assert await breaker.call(store.command) == "OK"


async def test_only_one_probe_at_a_time(breaker: Breaker, clock: ManualClock) -> None:
    store = await half_open(breaker, clock)
    release = asyncio.Event()

    async def slow_probe() -> str:
        await release.wait()
        return await store.command()

    probe = asyncio.create_task(breaker.call(slow_probe))
    await asyncio.sleep(0)
    assert breaker.state() == "open"  # the probe is out: the others still skip
    with pytest.raises(BreakerOpen):
        await breaker.call(store.command)
    release.set()
    assert await probe == "OK"
    assert breaker.state() == "closed"
    assert store.calls == 2  # the failure, then the probe


async def test_a_late_failure_does_not_let_a_second_probe_out(
    breaker: Breaker, clock: ManualClock
) -> None:
    late, probe_done = asyncio.Event(), asyncio.Event()

    async def late_failure() -> str:
        await late.wait()
        raise redis_errors.TimeoutError()

    started_before = asyncio.create_task(breaker.call(late_failure))
    await asyncio.sleep(0)
    store = await half_open(breaker, clock)

    async def slow_probe() -> str:
        await probe_done.wait()
        return await store.command()

    probe = asyncio.create_task(breaker.call(slow_probe))
    await asyncio.sleep(0)
    late.set()
    with pytest.raises(redis_errors.TimeoutError):
        await started_before
    clock.advance(WINDOW_S)
    with pytest.raises(BreakerOpen):  # the probe is still out
        await breaker.call(store.command)
    probe_done.set()
    assert await probe == "OK"
    assert breaker.state() == "closed"


async def test_a_cancelled_probe_lets_the_next_call_probe(
    breaker: Breaker, clock: ManualClock
) -> None:
    store = await half_open(breaker, clock)
    probe = asyncio.create_task(breaker.call(asyncio.Event().wait))
    await asyncio.sleep(0)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert await breaker.call(store.command) == "OK"
    assert breaker.state() == "closed"


async def test_errors_from_a_store_that_answers_do_not_open_it(breaker: Breaker) -> None:
    store = Store()
    for error in (
        redis_errors.ResponseError("WRONGTYPE"),
        redis_errors.ReadOnlyError("READONLY"),
        redis_errors.TryAgainError("TRYAGAIN"),
    ):
        store.down = error
        with pytest.raises(type(error)):
            await breaker.call(store.command)
        assert breaker.state() == "closed"
    store.down = None
    assert await breaker.call(store.command) == "OK"
    assert store.calls == 4


async def test_need_answers_503_with_the_time_left(breaker: Breaker, clock: ManualClock) -> None:
    store = Store()
    store.down = redis_errors.TimeoutError()
    with pytest.raises(StoreUnavailable) as first:
        await breaker.need(store.command, "the store is needed")
    assert first.value.headers["Retry-After"] == "2"
    clock.advance(1.5)
    with pytest.raises(StoreUnavailable) as skipped:
        await breaker.need(store.command, "the store is needed")
    assert skipped.value.status == 503
    assert skipped.value.detail == "the store is needed"
    assert skipped.value.headers["Retry-After"] == "1"
    assert store.calls == 1


async def test_a_zero_window_never_skips(clock: ManualClock) -> None:
    breaker = Breaker(0, clock=clock)
    store = Store()
    store.down = redis_errors.TimeoutError()
    await fail(breaker, store)
    await fail(breaker, store)
    assert store.calls == 2
    assert breaker.state() == "closed"


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Breaker(-1)


def test_the_window_is_a_setting_that_refuses_negatives() -> None:
    assert Settings().redis_retry_after_s == 1.0
    assert Settings.model_validate({"redis_retry_after_s": 0}).redis_retry_after_s == 0
    with pytest.raises(ValidationError, match="redis_retry_after_s"):
        Settings.model_validate({"redis_retry_after_s": -1})


async def test_metrics_count_store_errors_and_show_the_breaker_open_until_a_probe_succeeds(
    clock: ManualClock,
) -> None:
    metrics = Metrics()
    breaker = Breaker(WINDOW_S, clock=clock, metrics=metrics)
    store = Store()
    assert open_gauge(metrics) == 0
    store.down = redis_errors.ConnectionError("refused")
    await fail(breaker, store)
    with pytest.raises(BreakerOpen):  # skipped: not a store error
        await breaker.call(store.command)
    samples = parse(metrics.render().decode())
    assert value(samples, "nfx_store_errors_total", error="ConnectionError") == 1
    assert open_gauge(metrics) == 1
    clock.advance(WINDOW_S)
    store.down = None
    assert await breaker.call(store.command) == "OK"
    assert open_gauge(metrics) == 0


def open_gauge(metrics: Metrics) -> float:
    """The breaker gauge as a scrape shows it."""
    return value(parse(metrics.render().decode()), "nfx_store_breaker_open")
